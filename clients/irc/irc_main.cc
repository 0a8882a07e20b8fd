// dirigo-irc: Dirigo on IRC (libircclient), a gRPC client of dirigo-server.
//
//   dirigo-irc --irc=irc.example.org:6667 [--nick=dirigo]
//              [--channels=#carriere,#hr] [--server=127.0.0.1:50051]
//
// It answers private messages, and in a channel the messages addressed to
// it by nick ("dirigo: ciao", "dirigo, ciao"), there answering the person
// by name; a conversation in a channel is the person's own there, apart
// from their private one (what they told the bot privately is never shown
// in a channel). Quick replies come as numbered lines; "1", "2"… typed back
// pick them. Lines are cut under --max_line_bytes at a space, never inside a
// character, and sent at a pace the server accepts (--send_interval_ms). When
// the IRC server goes away it connects again, waiting longer each time (up to
// --reconnect_max_seconds); lines not yet sent are sent on the new connection.
// The person is "nick!user@host" on the "irc" channel: IRC has no identity a
// bridge can trust more (a network's accounts are not used), so the same nick
// from another host is another person.
#include <signal.h>
#include <sys/select.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/stop_signals.h"
#include "base/utf8.h"
#include "clients/bridge/bridge_util.h"
#include "clients/bridge/conversations.h"
#include "clients/bridge/server_connection.h"
#include "clients/render/render.h"
#include "grpcpp/grpcpp.h"
#include "libircclient.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "the Dirigo server");
ABSL_FLAG(std::string, irc, "127.0.0.1:6667", "the IRC server, HOST:PORT");
ABSL_FLAG(std::string, irc_password_file, "",
          "file with the IRC server's password, when it asks for one");
ABSL_FLAG(std::string, nick, "dirigo", "the bot's nick");
ABSL_FLAG(std::vector<std::string>, channels, {},
          "channels to join, comma-separated (#careers,#hr)");
ABSL_FLAG(int, max_line_bytes, 400,
          "longest text of one line sent (IRC's limit is 512 bytes with the "
          "command, and servers add the sender's name when relaying)");
ABSL_FLAG(int, send_interval_ms, 400,
          "after a burst of 5 lines, at most one line every this many ms "
          "(IRC servers disconnect a client that floods them)");
ABSL_FLAG(int, reconnect_max_seconds, 60,
          "longest wait between two attempts to connect");
ABSL_FLAG(std::string, locale, "", "language of new conversations");

namespace dirigo {
namespace {

std::atomic<bool> stopping{false};

// One IRC connection's bot: messages in, the bot's lines out.
class IrcBot {
 public:
  IrcBot(Conversations* people, std::string nick)
      : people_(people), nick_(std::move(nick)) {}

  // Connects and serves until the connection ends; how long it lasted
  // once registered (zero when it never was).
  std::chrono::steady_clock::duration Serve(const std::string& host, int port,
                                            const std::string& password);

 private:
  static IrcBot* Of(irc_session_t* s) {
    return static_cast<IrcBot*>(irc_get_ctx(s));
  }
  static void OnConnect(irc_session_t* s, const char*, const char*,
                        const char**, unsigned int);
  static void OnPrivate(irc_session_t* s, const char*, const char* origin,
                        const char** params, unsigned int count);
  static void OnChannel(irc_session_t* s, const char*, const char* origin,
                        const char** params, unsigned int count);
  static void OnNumeric(irc_session_t* s, unsigned int event, const char*,
                        const char** params, unsigned int count);

  // `person` (known on IRC as `nick`) wrote `text`; the answer goes to
  // `target` (their nick, or the channel, each line then beginning
  // "nick: ").
  void Answer(const std::string& person, const std::string& nick,
              const std::string& target, const std::string& text,
              bool in_channel);
  void Lines(const std::string& target, const std::string& prefix,
             const std::vector<std::string>& texts);
  // Hands queued lines to libircclient as the pace allows and its buffer
  // has room.
  void Flush();

  Conversations* people_;
  // Lines waiting to be sent: (target, text).
  std::deque<std::pair<std::string, std::string>> outgoing_;
  // The pace: a burst of kBurst lines, then one per --send_interval_ms.
  static constexpr int kBurst = 5;
  double credit_ = kBurst;
  std::chrono::steady_clock::time_point last_credit_;
  std::string nick_;
  irc_session_t* session_ = nullptr;
  bool registered_ = false;
  std::chrono::steady_clock::time_point registered_at_;
};

void IrcBot::OnConnect(irc_session_t* s, const char*, const char*, const char**,
                       unsigned int) {
  IrcBot* bot = Of(s);
  bot->registered_ = true;
  bot->registered_at_ = std::chrono::steady_clock::now();
  std::cerr << "dirigo-irc: connected as " << bot->nick_ << "\n";
  for (const std::string& c : absl::GetFlag(FLAGS_channels)) {
    irc_cmd_join(s, c.c_str(), nullptr);
  }
}

void IrcBot::OnNumeric(irc_session_t* s, unsigned int event, const char*,
                       const char** params, unsigned int count) {
  IrcBot* bot = Of(s);
  if (event == 433 && !bot->registered_) {  // ERR_NICKNAMEINUSE
    bot->nick_ += "_";
    irc_cmd_nick(s, bot->nick_.c_str());
  } else if (event == 1 && count > 0) {  // RPL_WELCOME: the nick given
    bot->nick_ = params[0];
  }
}

// A message's words in UTF-8: IRC carries bytes, and a line that is not
// UTF-8 comes from a client still writing Latin-1 (as older ones do).
std::string IrcText(const char* raw) {
  const absl::string_view text(raw);
  return IsUtf8(text) ? std::string(text) : Latin1ToUtf8(text);
}

void IrcBot::OnPrivate(irc_session_t* s, const char*, const char* origin,
                       const char** params, unsigned int count) {
  if (origin == nullptr || count < 2) return;
  char nick[128];
  irc_target_get_nick(origin, nick, sizeof nick);
  const std::string text(absl::StripAsciiWhitespace(IrcText(params[1])));
  // IRC nicks are the same whatever their case.
  if (!text.empty()) {
    Of(s)->Answer(absl::AsciiStrToLower(origin), nick, nick, text, false);
  }
}

void IrcBot::OnChannel(irc_session_t* s, const char*, const char* origin,
                       const char** params, unsigned int count) {
  if (origin == nullptr || count < 2) return;
  IrcBot* bot = Of(s);
  std::optional<std::string> text = AddressedTo(IrcText(params[1]), bot->nick_);
  if (!text.has_value() || text->empty()) return;
  char nick[128];
  irc_target_get_nick(origin, nick, sizeof nick);
  const std::string channel = absl::AsciiStrToLower(params[0]);
  bot->Answer(absl::StrCat(channel, " ", absl::AsciiStrToLower(origin)), nick,
              params[0], *text, true);
}

void IrcBot::Answer(const std::string& person, const std::string& nick,
                    const std::string& target, const std::string& text,
                    bool in_channel) {
  Conversations::Turn turn;
  grpc::Status s = people_->Say("irc", person, text, "", &turn);
  const std::string prefix = in_channel ? nick + ": " : "";
  if (!s.ok()) {
    std::cerr << "dirigo-irc: a turn failed: " << s.error_code() << " "
              << s.error_message() << "\n";
    if (std::string sorry = people_->FailureText(s); !sorry.empty()) {
      Lines(target, prefix, {sorry});
    }
    return;
  }
  Lines(
      target, prefix,
      PlainMessages(turn.greeting, {.replies = RenderOptions::Replies::kNone}));
  // Numbered: the server maps a number typed back to its reply.
  Lines(target, prefix, PlainMessages(turn.turn, {}));
}

void IrcBot::Lines(const std::string& target, const std::string& prefix,
                   const std::vector<std::string>& texts) {
  const size_t max = static_cast<size_t>(absl::GetFlag(FLAGS_max_line_bytes)) >
                             prefix.size() + 16
                         ? absl::GetFlag(FLAGS_max_line_bytes) - prefix.size()
                         : 16;
  for (const std::string& text : texts) {
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      // IRC has no empty line, and a CR would end the line early.
      std::string clean(absl::StripAsciiWhitespace(line));
      absl::c_replace(clean, '\r', ' ');
      if (clean.empty()) continue;
      for (const std::string& part : SplitText(clean, max, TextUnit::kBytes)) {
        outgoing_.emplace_back(target, prefix + part);
      }
    }
  }
}

void IrcBot::Flush() {
  const auto now = std::chrono::steady_clock::now();
  const double interval = std::max(1, absl::GetFlag(FLAGS_send_interval_ms));
  credit_ = std::min<double>(
      kBurst,
      credit_ + std::chrono::duration<double, std::milli>(now - last_credit_)
                        .count() /
                    interval);
  last_credit_ = now;
  while (!outgoing_.empty() && credit_ >= 1) {
    const auto& [target, text] = outgoing_.front();
    // Non-zero when libircclient's buffer is full: again at the next turn
    // of the loop.
    if (irc_cmd_msg(session_, target.c_str(), text.c_str()) != 0) return;
    outgoing_.pop_front();
    credit_ -= 1;
  }
}

std::chrono::steady_clock::duration IrcBot::Serve(const std::string& host,
                                                  int port,
                                                  const std::string& password) {
  irc_callbacks_t callbacks = {};
  callbacks.event_connect = OnConnect;
  callbacks.event_privmsg = OnPrivate;
  callbacks.event_channel = OnChannel;
  callbacks.event_numeric = OnNumeric;
  session_ = irc_create_session(&callbacks);
  if (session_ == nullptr) return {};
  irc_set_ctx(session_, this);
  registered_ = false;
  nick_ = absl::GetFlag(FLAGS_nick);
  if (irc_connect(session_, host.c_str(), static_cast<unsigned short>(port),
                  password.empty() ? nullptr : password.c_str(), nick_.c_str(),
                  "dirigo", "Dirigo") != 0) {
    std::cerr << "dirigo-irc: cannot connect to " << host << ":" << port << ": "
              << irc_strerror(irc_errno(session_)) << "\n";
    irc_destroy_session(session_);
    session_ = nullptr;
    return {};
  }
  last_credit_ = std::chrono::steady_clock::now();
  credit_ = kBurst;
  // Our own loop, to look at `stopping` between reads, pace the lines, and
  // on a stop say QUIT and wait (2 s at most) for the server to close.
  std::chrono::steady_clock::time_point quit_deadline;
  bool quitting = false;
  while (irc_is_connected(session_)) {
    // On a stop, what is queued goes first (for 2 s at most), then QUIT.
    if (stopping && !quitting && quit_deadline == decltype(quit_deadline)()) {
      quit_deadline =
          std::chrono::steady_clock::now() + std::chrono::seconds(2);
    }
    if (stopping && !quitting &&
        (outgoing_.empty() ||
         std::chrono::steady_clock::now() > quit_deadline)) {
      quitting = true;
      irc_cmd_quit(session_, nullptr);
      quit_deadline =
          std::chrono::steady_clock::now() + std::chrono::seconds(2);
    }
    if (quitting && std::chrono::steady_clock::now() > quit_deadline) break;
    if (!quitting && registered_) Flush();
    fd_set in, out;
    FD_ZERO(&in);
    FD_ZERO(&out);
    int maxfd = 0;
    irc_add_select_descriptors(session_, &in, &out, &maxfd);
    timeval tv = {0, outgoing_.empty() ? 200'000 : 50'000};
    if (select(maxfd + 1, &in, &out, nullptr, &tv) < 0) break;
    if (irc_process_select_descriptors(session_, &in, &out) != 0) break;
  }
  const auto lasted = registered_
                          ? std::chrono::steady_clock::now() - registered_at_
                          : std::chrono::steady_clock::duration{};
  if (!stopping) {
    std::cerr << "dirigo-irc: disconnected from " << host << ":" << port
              << "\n";
  }
  irc_disconnect(session_);
  irc_destroy_session(session_);
  session_ = nullptr;
  return lasted;
}

absl::Status Run() {
  absl::StatusOr<HostPort> irc = ParseHostPort("irc", absl::GetFlag(FLAGS_irc));
  if (!irc.ok()) return irc.status();
  std::string password;
  if (const std::string f = absl::GetFlag(FLAGS_irc_password_file);
      !f.empty()) {
    absl::StatusOr<std::string> read = ReadSecretFile("irc_password_file", f);
    if (!read.ok()) return read.status();
    password = *read;
  }
  if (absl::GetFlag(FLAGS_max_line_bytes) < 32 ||
      absl::GetFlag(FLAGS_max_line_bytes) > 500) {
    return absl::InvalidArgumentError("--max_line_bytes is 32 to 500");
  }
  absl::StatusOr<ServerConnection> server =
      ConnectToServer(absl::GetFlag(FLAGS_server));
  if (!server.ok()) return server.status();
  Conversations people(server->channel, {.locale = absl::GetFlag(FLAGS_locale),
                                         .token = server->token});
  IrcBot bot(&people, absl::GetFlag(FLAGS_nick));
  Reconnection reconnection(std::chrono::seconds(
      std::max(1, absl::GetFlag(FLAGS_reconnect_max_seconds))));
  while (!stopping) {
    const auto lasted = bot.Serve(irc->host, irc->port, password);
    if (stopping) break;
    const std::chrono::milliseconds wait = reconnection.Next(lasted);
    std::cerr << "dirigo-irc: connecting again in " << wait.count() << " ms\n";
    SleepUnlessStopped(stopping, wait);
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace dirigo

int main(int argc, char** argv) {
  return dirigo::BridgeMain(
      argc, argv, "dirigo-irc", "irc_main.cc",
      "Dirigo on IRC. Usage: dirigo-irc --irc=HOST:PORT [--nick=dirigo] "
      "[--channels=#a,#b] [--server=HOST:PORT]",
      &dirigo::stopping, dirigo::Run);
}
