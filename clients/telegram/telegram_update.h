// What a Telegram update (https://core.telegram.org/bots/api#update, parsed
// from JSON into a google.protobuf.Value) says to the bot: who wrote, where
// to answer, and the words. Any JSON at all is read without harm: what is
// missing or of the wrong type reads as absent.
//
// Example:
//   Incoming in = ReadUpdate(update, "@dirigo_bot", "42");
//   if (!in.callback_id.empty()) AnswerCallbackQuery(in.callback_id);
//   if (in.for_bot) Say(in.person, in.chat, in.text);
#ifndef DIRIGO_CLIENTS_TELEGRAM_TELEGRAM_UPDATE_H_
#define DIRIGO_CLIENTS_TELEGRAM_TELEGRAM_UPDATE_H_

#include <string>

#include "google/protobuf/struct.pb.h"

namespace dirigo {

// A field of a JSON object, or the null value.
const google::protobuf::Value& Field(const google::protobuf::Value& v,
                                     const std::string& name);

// An id (a JSON number, or a string) as text, exactly; "" when there is
// none, or when the number is not a whole number a Telegram id can be.
std::string IdText(const google::protobuf::Value& v);

struct Incoming {
  // A button pressed: its query's id, to be answered whatever follows.
  std::string callback_id;
  // Whether there are words for the bot (below); false for updates that
  // are not for it (a group's talk that does not name it, a channel post).
  bool for_bot = false;
  // The person: their user id in a private chat; in a group, the group and
  // their user id (a conversation in a group is apart from their private
  // one: what they told the bot privately is never shown in a group).
  std::string person;
  // The chat to answer in.
  std::string chat;
  std::string text;
};

// What `update` says to the bot whose name is `mention` ("@name", lower
// case; "" when unknown) and whose user id is `bot_id`. In a group only a
// message naming it (the name taken out of the words) or replying to it is
// for the bot; messages sent on behalf of a chat never are.
Incoming ReadUpdate(const google::protobuf::Value& update,
                    const std::string& mention, const std::string& bot_id);

}  // namespace dirigo

#endif  // DIRIGO_CLIENTS_TELEGRAM_TELEGRAM_UPDATE_H_
