// The conversations of a platform's people on dirigo-server, for the
// gateway and the bridges: a person (a channel and the platform's id for
// them) is given their conversation, found again by the server after a
// restart of the bridge or of the server (the server runs with
// --resume_by_user), or begun with the bot's greeting.
//
// Example:
//   Conversations people(channel_to_server, {});
//   Conversations::Turn t;
//   grpc::Status s = people.Say("telegram", "12345", "ciao", "tg-77", &t);
//   for (auto& text : PlainMessages(t.greeting, {})) Send(text);
//   for (auto& text : PlainMessages(t.turn, {})) Send(text);
#ifndef DIRIGO_CLIENTS_BRIDGE_CONVERSATIONS_H_
#define DIRIGO_CLIENTS_BRIDGE_CONVERSATIONS_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "dirigo/v1/advisor.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace dirigo {

class Conversations {
 public:
  struct Options {
    // Deadline of each call to the server.
    std::chrono::milliseconds timeout{10000};
    // Language of the conversations begun; "" for the server's default.
    std::string locale;
    // The server's API token, when it asks for one ("" otherwise).
    std::string token;
  };
  struct Turn {
    // The conversation.
    std::string session;
    // The bot's greeting, when the conversation began with this message;
    // empty otherwise.
    dirigo::v1::BotTurn greeting;
    // The bot's answer to the message. When the message that began the
    // conversation only greeted the bot ("ciao"), the greeting itself,
    // and `greeting` is empty: its question is not asked twice.
    dirigo::v1::BotTurn turn;
    // Whether the conversation began with this message.
    bool begun = false;
  };

  Conversations(const std::shared_ptr<grpc::Channel>& channel, Options options);

  // `user` of `channel` wrote `text`; `id` is the platform's id of the
  // message ("" when it has none): a delivery retried with the same id gets
  // the same answer, not a second turn. INVALID_ARGUMENT, without a call,
  // when `text` is not UTF-8.
  grpc::Status Say(const std::string& channel, const std::string& user,
                   const std::string& text, const std::string& id, Turn* out);

  // The person's conversation, found again or begun: `out->greeting` is the
  // greeting, or the welcome back with the pending question ("/start").
  grpc::Status Begin(const std::string& channel, const std::string& user,
                     Turn* out);

  // The texts clients show around the conversation (GetClientTexts).
  grpc::Status Texts(dirigo::v1::ClientTexts* out);

  // What to tell a person whose message failed with `status`: that it
  // could not be read (INVALID_ARGUMENT: too long, not text), that the bot
  // is busy (RESOURCE_EXHAUSTED, ABORTED), or that something failed (the
  // server unreachable…); in the server's words, fetched after the first
  // turn that worked. "" when they never could be.
  std::string FailureText(const grpc::Status& status);

 private:
  std::unique_ptr<grpc::ClientContext> Context() const;
  // Fetches the texts once, for FailureText.
  void WarmTexts();
  grpc::Status Create(const std::string& key, const std::string& channel,
                      const std::string& user,
                      dirigo::v1::CreateSessionResponse* created);

  std::unique_ptr<dirigo::v1::Advisor::Stub> stub_;
  const Options options_;
  // Sessions by channel and person: a cache of what the server's store
  // links.
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::string> sessions_ ABSL_GUARDED_BY(mu_);
  // Greetings of conversations whose first message failed, by person.
  absl::flat_hash_map<std::string, dirigo::v1::BotTurn> unsent_greetings_
      ABSL_GUARDED_BY(mu_);
  // GetClientTexts' texts, once fetched.
  absl::flat_hash_map<std::string, std::string> texts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dirigo

#endif  // DIRIGO_CLIENTS_BRIDGE_CONVERSATIONS_H_
