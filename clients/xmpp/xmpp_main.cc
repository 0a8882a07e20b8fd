// dirigo-xmpp: Dirigo on XMPP (libstrophe), a gRPC client of dirigo-server.
//
//   dirigo-xmpp --jid=dirigo@example.org --password_file=FILE
//               [--xmpp=HOST:PORT] [--rooms=carriere@conference.example.org]
//               [--nick=dirigo] [--tls=required|off] [--server=…]
//
// It answers chat messages (those sent while it was away too), and in a
// room (XEP-0045) the messages addressed to it by nick ("dirigo: ciao"),
// there answering the person by name; a conversation in a room is the
// person's own there, apart from their private one. Quick
// replies come as numbered lines; "1", "2"… typed back pick them. When the
// connection is lost it connects again, waiting longer each time (up to
// --reconnect_max_seconds). The person is their bare JID on the "xmpp"
// channel; in a room, their bare JID when the room shows it to occupants,
// else the room and their nick (which anyone may take after them).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/stop_signals.h"
#include "clients/bridge/bridge_util.h"
#include "clients/bridge/conversations.h"
#include "clients/bridge/server_connection.h"
#include "clients/render/render.h"
#include "grpcpp/grpcpp.h"
#include "strophe.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "the Dirigo server");
ABSL_FLAG(std::string, jid, "", "the bot's account (dirigo@example.org)");
ABSL_FLAG(std::string, password_file, "",
          "file whose first line is the account's password");
ABSL_FLAG(std::string, xmpp, "",
          "HOST:PORT to connect to; default: found from the JID's domain");
ABSL_FLAG(std::vector<std::string>, rooms, {},
          "rooms to join, comma-separated (careers@conference.example.org)");
ABSL_FLAG(std::string, nick, "dirigo", "the bot's nick in rooms");
ABSL_FLAG(std::string, tls, "required",
          "required: TLS or no connection; off: plain text (only for a "
          "server on this machine)");
ABSL_FLAG(int, reconnect_max_seconds, 60,
          "longest wait between two attempts to connect");
ABSL_FLAG(std::string, locale, "", "language of new conversations");

namespace dirigo {
namespace {

std::atomic<bool> stopping{false};

// A string libstrophe made, freed by it.
struct Owned {
  xmpp_ctx_t* ctx;
  char* s;
  ~Owned() {
    if (s != nullptr) xmpp_free(ctx, s);
  }
  std::string str() const { return s == nullptr ? "" : s; }
};

class XmppBot {
 public:
  XmppBot(xmpp_ctx_t* ctx, Conversations* people)
      : ctx_(ctx), people_(people) {}

  // Connects (to `address`, or where the JID's domain says) and serves
  // until the connection ends; how long it lasted once connected (zero
  // when it never was).
  std::chrono::steady_clock::duration Serve(
      const std::string& jid, const std::string& password,
      const std::optional<HostPort>& address);

 private:
  static void OnConnection(xmpp_conn_t* conn, xmpp_conn_event_t event, int,
                           xmpp_stream_error_t*, void* self);
  static int OnMessage(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* self);
  static int OnPresence(xmpp_conn_t* conn, xmpp_stanza_t* stanza, void* self);

  void Joined();
  bool IsRoom(const char* jid) const;
  std::string Occupant(const std::string& full_jid) const;
  void Handle(xmpp_stanza_t* stanza);
  // The bot's answer to `who`, as messages of `type` to `to`, each line
  // beginning with `prefix`.
  void Answer(const std::string& who, const std::string& text,
              const std::string& to, const char* type,
              const std::string& prefix);
  void Send(const std::string& to, const char* type, const std::string& body);

  xmpp_ctx_t* ctx_;
  Conversations* people_;
  xmpp_conn_t* conn_ = nullptr;
  bool connected_ = false;
  std::chrono::steady_clock::time_point connected_at_;
  bool ended_ = false;
  // Room occupants ("room@conference/nick") → their bare JIDs, when the
  // room shows them (its presences carry muc#user items with a jid).
  std::map<std::string, std::string> occupants_;
};

void XmppBot::OnConnection(xmpp_conn_t*, xmpp_conn_event_t event, int error,
                           xmpp_stream_error_t* stream_error, void* self) {
  XmppBot* bot = static_cast<XmppBot*>(self);
  if (event == XMPP_CONN_CONNECT) {
    bot->connected_ = true;
    bot->connected_at_ = std::chrono::steady_clock::now();
    bot->Joined();
    return;
  }
  if (!stopping) {
    std::cerr << "dirigo-xmpp: "
              << (bot->connected_ ? "disconnected" : "cannot connect");
    if (stream_error != nullptr && stream_error->text != nullptr) {
      std::cerr << ": " << stream_error->text;
    } else if (error != 0) {
      std::cerr << ": " << std::generic_category().message(error);
    }
    std::cerr << "\n";
  }
  bot->ended_ = true;
}

// Online: presence, then each room (XEP-0045), without its history.
void XmppBot::Joined() {
  std::cerr << "dirigo-xmpp: connected as " << absl::GetFlag(FLAGS_jid) << "\n";
  xmpp_handler_add(conn_, OnMessage, nullptr, "message", nullptr, this);
  xmpp_handler_add(conn_, OnPresence, nullptr, "presence", nullptr, this);
  occupants_.clear();
  xmpp_stanza_t* presence = xmpp_presence_new(ctx_);
  xmpp_send(conn_, presence);
  xmpp_stanza_release(presence);
  for (const std::string& room : absl::GetFlag(FLAGS_rooms)) {
    xmpp_stanza_t* join = xmpp_presence_new(ctx_);
    const std::string to = absl::StrCat(room, "/", absl::GetFlag(FLAGS_nick));
    xmpp_stanza_set_to(join, to.c_str());
    xmpp_stanza_t* x = xmpp_stanza_new(ctx_);
    xmpp_stanza_set_name(x, "x");
    xmpp_stanza_set_ns(x, "http://jabber.org/protocol/muc");
    xmpp_stanza_t* history = xmpp_stanza_new(ctx_);
    xmpp_stanza_set_name(history, "history");
    xmpp_stanza_set_attribute(history, "maxstanzas", "0");
    xmpp_stanza_add_child(x, history);
    xmpp_stanza_release(history);
    xmpp_stanza_add_child(join, x);
    xmpp_stanza_release(x);
    xmpp_send(conn_, join);
    xmpp_stanza_release(join);
  }
}

// A room's presence names an occupant's real JID when the room shows it: a
// person is then the same in the room and in a chat.
int XmppBot::OnPresence(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  XmppBot* bot = static_cast<XmppBot*>(self);
  const char* from = xmpp_stanza_get_from(stanza);
  // Only the rooms the bot joined say who their occupants are: anyone else
  // could name any JID.
  if (from == nullptr || !bot->IsRoom(from)) return 1;
  const char* type = xmpp_stanza_get_type(stanza);
  if (type != nullptr && std::string(type) == "unavailable") {
    bot->occupants_.erase(from);
    return 1;
  }
  xmpp_stanza_t* x = xmpp_stanza_get_child_by_name_and_ns(
      stanza, "x", "http://jabber.org/protocol/muc#user");
  xmpp_stanza_t* item =
      x == nullptr ? nullptr : xmpp_stanza_get_child_by_name(x, "item");
  const char* jid =
      item == nullptr ? nullptr : xmpp_stanza_get_attribute(item, "jid");
  if (jid != nullptr) {
    Owned bare{bot->ctx_, xmpp_jid_bare(bot->ctx_, jid)};
    bot->occupants_[from] = absl::AsciiStrToLower(bare.str());
  }
  return 1;
}

bool XmppBot::IsRoom(const char* jid) const {
  Owned bare{ctx_, xmpp_jid_bare(ctx_, jid)};
  const std::string room = absl::AsciiStrToLower(bare.str());
  for (const std::string& r : absl::GetFlag(FLAGS_rooms)) {
    if (absl::AsciiStrToLower(r) == room) return true;
  }
  return false;
}

// Who an occupant of a room is: their real JID when the room shows it,
// else the room and their nick.
std::string XmppBot::Occupant(const std::string& full_jid) const {
  auto it = occupants_.find(full_jid);
  return it == occupants_.end() ? full_jid : it->second;
}

int XmppBot::OnMessage(xmpp_conn_t*, xmpp_stanza_t* stanza, void* self) {
  static_cast<XmppBot*>(self)->Handle(stanza);
  return 1;  // keep the handler
}

void XmppBot::Handle(xmpp_stanza_t* stanza) {
  const char* from_attr = xmpp_stanza_get_from(stanza);
  const char* type_attr = xmpp_stanza_get_type(stanza);
  const std::string type = type_attr == nullptr ? "normal" : type_attr;
  if (from_attr == nullptr || type == "error" || type == "headline") return;
  Owned body{ctx_, xmpp_message_get_body(stanza)};
  const std::string text(absl::StripAsciiWhitespace(body.str()));
  if (text.empty()) return;
  const std::string from = from_attr;
  Owned bare{ctx_, xmpp_jid_bare(ctx_, from_attr)};
  const bool from_room = IsRoom(from_attr);
  if (type != "groupchat") {
    // A chat, sent while the bot was away or now. From a room's occupant,
    // the person is who the room says.
    Answer(from_room ? Occupant(from) : absl::AsciiStrToLower(bare.str()), text,
           from, "chat", "");
    return;
  }
  // A room's message: only from the rooms joined, never the history a room
  // replays, never the bot's own.
  if (!from_room ||
      xmpp_stanza_get_child_by_name_and_ns(stanza, "delay", "urn:xmpp:delay")) {
    return;
  }
  Owned nick{ctx_, xmpp_jid_resource(ctx_, from_attr)};
  if (nick.str().empty() || nick.str() == absl::GetFlag(FLAGS_nick)) return;
  std::optional<std::string> words =
      AddressedTo(text, absl::GetFlag(FLAGS_nick));
  if (!words.has_value() || words->empty()) return;
  // A conversation in a room is apart from the person's private one.
  Answer(absl::StrCat(absl::AsciiStrToLower(bare.str()), " ", Occupant(from)),
         *words, bare.str(), "groupchat", nick.str() + ": ");
}

void XmppBot::Answer(const std::string& who, const std::string& text,
                     const std::string& to, const char* type,
                     const std::string& prefix) {
  Conversations::Turn turn;
  grpc::Status s = people_->Say("xmpp", who, text, "", &turn);
  if (!s.ok()) {
    std::cerr << "dirigo-xmpp: a turn failed: " << s.error_code() << " "
              << s.error_message() << "\n";
    if (std::string sorry = people_->FailureText(s); !sorry.empty()) {
      Send(to, type, prefix + sorry);
    }
    return;
  }
  for (const std::string& m : PlainMessages(
           turn.greeting, {.replies = RenderOptions::Replies::kNone})) {
    Send(to, type, prefix + m);
  }
  // Numbered: the server maps a number typed back to its reply.
  for (const std::string& m : PlainMessages(turn.turn, {})) {
    Send(to, type, prefix + m);
  }
}

void XmppBot::Send(const std::string& to, const char* type,
                   const std::string& body) {
  xmpp_stanza_t* m = xmpp_message_new(ctx_, type, to.c_str(), nullptr);
  xmpp_message_set_body(m, body.c_str());
  xmpp_send(conn_, m);
  xmpp_stanza_release(m);
}

std::chrono::steady_clock::duration XmppBot::Serve(
    const std::string& jid, const std::string& password,
    const std::optional<HostPort>& address) {
  conn_ = xmpp_conn_new(ctx_);
  xmpp_conn_set_jid(conn_, jid.c_str());
  xmpp_conn_set_pass(conn_, password.c_str());
  xmpp_conn_set_flags(conn_, absl::GetFlag(FLAGS_tls) == "off"
                                 ? XMPP_CONN_FLAG_DISABLE_TLS
                                 : XMPP_CONN_FLAG_MANDATORY_TLS);
  xmpp_conn_set_sockopt_callback(conn_, xmpp_sockopt_cb_keepalive);
  connected_ = false;
  ended_ = false;
  if (xmpp_connect_client(
          conn_, address.has_value() ? address->host.c_str() : nullptr,
          static_cast<unsigned short>(address.has_value() ? address->port : 0),
          OnConnection, this) != XMPP_EOK) {
    ended_ = true;
  }
  bool quit_sent = false;
  while (!ended_) {
    xmpp_run_once(ctx_, 200);
    if (stopping && !quit_sent) {
      quit_sent = true;
      xmpp_disconnect(conn_);  // ends with a disconnect event
    }
  }
  const auto lasted = connected_
                          ? std::chrono::steady_clock::now() - connected_at_
                          : std::chrono::steady_clock::duration{};
  xmpp_conn_release(conn_);
  conn_ = nullptr;
  return lasted;
}

absl::Status Run() {
  const std::string jid = absl::GetFlag(FLAGS_jid);
  if (jid.empty() || jid.find('@') == std::string::npos) {
    return absl::InvalidArgumentError("--jid is required (dirigo@example.org)");
  }
  if (absl::GetFlag(FLAGS_tls) != "required" &&
      absl::GetFlag(FLAGS_tls) != "off") {
    return absl::InvalidArgumentError("--tls is required or off");
  }
  std::optional<HostPort> address;
  if (const std::string a = absl::GetFlag(FLAGS_xmpp); !a.empty()) {
    absl::StatusOr<HostPort> parsed = ParseHostPort("xmpp", a);
    if (!parsed.ok()) return parsed.status();
    address = *parsed;
  }
  absl::StatusOr<std::string> password =
      ReadSecretFile("password_file", absl::GetFlag(FLAGS_password_file));
  if (!password.ok()) return password.status();
  absl::StatusOr<ServerConnection> server =
      ConnectToServer(absl::GetFlag(FLAGS_server));
  if (!server.ok()) return server.status();
  Conversations people(server->channel, {.locale = absl::GetFlag(FLAGS_locale),
                                         .token = server->token});
  xmpp_initialize();
  xmpp_ctx_t* ctx = xmpp_ctx_new(nullptr, nullptr);
  XmppBot bot(ctx, &people);
  Reconnection reconnection(std::chrono::seconds(
      std::max(1, absl::GetFlag(FLAGS_reconnect_max_seconds))));
  while (!stopping) {
    const auto lasted = bot.Serve(jid, *password, address);
    if (stopping) break;
    const std::chrono::milliseconds wait = reconnection.Next(lasted);
    std::cerr << "dirigo-xmpp: connecting again in " << wait.count() << " ms\n";
    SleepUnlessStopped(stopping, wait);
  }
  xmpp_ctx_free(ctx);
  xmpp_shutdown();
  return absl::OkStatus();
}

}  // namespace
}  // namespace dirigo

int main(int argc, char** argv) {
  return dirigo::BridgeMain(
      argc, argv, "dirigo-xmpp", "xmpp_main.cc",
      "Dirigo on XMPP. Usage: dirigo-xmpp --jid=BOT@DOMAIN "
      "--password_file=FILE [--rooms=ROOM@MUC,…] [--server=HOST:PORT]",
      &dirigo::stopping, dirigo::Run);
}
