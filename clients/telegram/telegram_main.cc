// dirigo-telegram: Dirigo as a Telegram bot, a gRPC client of dirigo-server
// and a client of Telegram's Bot API over HTTPS (libcurl).
//
//   dirigo-telegram --token_file=FILE [--server=127.0.0.1:50051]
//                   [--api_url=https://api.telegram.org] [--poll_timeout=30]
//   dirigo-telegram --token_file=FILE --webhook_url=https://bot.example.com/tg
//                   --webhook_listen=127.0.0.1:8443 --webhook_secret_file=FILE
//
// Long polling (getUpdates with an offset and a timeout) by default; with
// --webhook_url, Telegram posts the updates to --webhook_listen and each one
// must carry the secret token. It answers private chats, and in groups the
// messages that name it (@its_username). The bot's quick replies come as an
// inline keyboard; a button pressed is answered (answerCallbackQuery) and
// sent as the person's message. Texts are MarkdownV2, split at Telegram's
// 4096 characters; a 429 is waited out for its retry_after. The person is
// their Telegram user id on the "telegram" channel: with the server's
// --resume_by_user they keep their conversation across restarts.
#include <curl/curl.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "base/stop_signals.h"
#include "clients/bridge/bridge_util.h"
#include "clients/bridge/conversations.h"
#include "clients/bridge/server_connection.h"
#include "clients/render/render.h"
#include "clients/telegram/telegram_text.h"
#include "clients/telegram/telegram_update.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "the Dirigo server");
ABSL_FLAG(std::string, token_file, "",
          "file whose first line is the bot's token (from @BotFather)");
ABSL_FLAG(std::string, api_url, "https://api.telegram.org",
          "the Bot API's address");
ABSL_FLAG(int, poll_timeout, 30,
          "seconds a getUpdates call waits for updates (long polling)");
ABSL_FLAG(std::string, webhook_url, "",
          "webhook mode: the public HTTPS address Telegram posts updates to");
ABSL_FLAG(std::string, webhook_listen, "127.0.0.1:8443",
          "webhook mode: HOST:PORT to receive them on (behind the proxy that "
          "serves --webhook_url); port 0 picks a free port");
ABSL_FLAG(std::string, webhook_secret_file, "",
          "webhook mode: file with the secret token (1-256 of A-Z a-z 0-9 _ "
          "-) every update must carry");
ABSL_FLAG(std::string, port_file, "",
          "webhook mode: the port bound is written here once listening");
ABSL_FLAG(std::string, locale, "", "language of new conversations");

namespace dirigo {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

std::atomic<bool> stopping{false};

// Sleeps `d`, or less when the bridge is stopping.
void Nap(std::chrono::milliseconds d) { SleepUnlessStopped(stopping, d); }

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

int Abort(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return stopping ? 1 : 0;
}

// The Bot API: https://core.telegram.org/bots/api. One caller at a time.
class BotApi {
 public:
  BotApi(const std::string& url, const std::string& token)
      : base_(absl::StrCat(url, "/bot", token, "/")), curl_(curl_easy_init()) {}
  ~BotApi() { curl_easy_cleanup(curl_); }

  // METHOD with `params`: its result, or why not. A 429 is waited out (its
  // retry_after) and the call made again.
  absl::StatusOr<Value> Call(const std::string& method, const Struct& params,
                             int timeout_seconds = 30) {
    for (int attempt = 0;; ++attempt) {
      Value answer;
      absl::Status s = Post(method, params, timeout_seconds, &answer);
      if (!s.ok()) return s;
      if (Field(answer, "ok").bool_value()) return Field(answer, "result");
      const int code =
          static_cast<int>(Field(answer, "error_code").number_value());
      const double retry_after =
          Field(Field(answer, "parameters"), "retry_after").number_value();
      if (code == 429 && retry_after > 0 && attempt < 5 && !stopping) {
        std::cerr << "dirigo-telegram: " << method << ": too many requests, "
                  << "waiting " << retry_after << " s\n";
        Nap(std::chrono::milliseconds(
            static_cast<int64_t>(retry_after * 1000)));
        continue;
      }
      return absl::FailedPreconditionError(
          absl::StrCat(method, ": ", code, " ",
                       Field(answer, "description").string_value()));
    }
  }

 private:
  absl::Status Post(const std::string& method, const Struct& params,
                    int timeout_seconds, Value* answer) {
    std::string body, out;
    (void)google::protobuf::util::MessageToJsonString(params, &body);
    const std::string url = base_ + method;
    curl_slist* headers =
        curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT,
                     static_cast<long>(timeout_seconds));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, Abort);
    CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      // The token is in the address: never printed.
      return absl::UnavailableError(
          absl::StrCat(method, ": ", curl_easy_strerror(rc)));
    }
    auto parsed = google::protobuf::util::JsonStringToMessage(out, answer);
    if (!parsed.ok()) {
      long status = 0;
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
      return absl::UnavailableError(absl::StrCat(
          method, ": the Bot API answered HTTP ", status, " without JSON"));
    }
    return absl::OkStatus();
  }

  const std::string base_;
  CURL* curl_;
};

Value Text(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}

Value Number(double n) {
  Value v;
  v.set_number_value(n);
  return v;
}

// Updates into conversations, and turns into messages.
class Bridge {
 public:
  Bridge(BotApi* api, Conversations* people) : api_(api), people_(people) {}

  // The bot's own name, for messages in groups: "@name".
  // The bot's own name and id (getMe): in groups, "@name" and replies to
  // its messages address it.
  void set_me(const std::string& name, const std::string& id) {
    bot_id_ = id;
    mention_ = name.empty() ? "" : absl::AsciiStrToLower("@" + name);
  }

  // One update (a message, a button pressed). Unavailable when the server
  // could not be reached and the person was told so.
  void Handle(const Value& update);

 private:
  void Send(const std::string& chat, const dirigo::v1::BotTurn& turn,
            bool keyboard);
  void SendText(const std::string& chat, const std::string& text,
                const dirigo::v1::BotTurn* keyboard);

  BotApi* api_;
  Conversations* people_;
  std::string mention_;
  std::string bot_id_;
};

void Bridge::Handle(const Value& update) {
  Incoming in = ReadUpdate(update, mention_, bot_id_);
  if (!in.callback_id.empty()) {
    Struct answer;
    (*answer.mutable_fields())["callback_query_id"] = Text(in.callback_id);
    if (auto s = api_->Call("answerCallbackQuery", answer); !s.ok()) {
      std::cerr << "dirigo-telegram: " << s.status().message() << "\n";
    }
  }
  if (!in.for_bot) return;
  const std::string& user = in.person;
  const std::string& chat = in.chat;
  std::string& text = in.text;
  // "/start@name" in a group, after the name was taken out.
  if (text == "/start@") text = "/start";
  Conversations::Turn turn;
  grpc::Status s;
  // Telegram's first message, "/start" (with a parameter at times), is not
  // the person's words: it gets the greeting, or the welcome back.
  if (text == "/start" || absl::StartsWith(text, "/start ")) {
    s = people_->Begin("telegram", user, &turn);
  } else {
    const std::string id =
        absl::StrCat("tg-", IdText(Field(update, "update_id")));
    s = people_->Say("telegram", user, text, id, &turn);
  }
  if (!s.ok()) {
    std::cerr << "dirigo-telegram: a turn failed: " << s.error_code() << " "
              << s.error_message() << "\n";
    if (std::string sorry = people_->FailureText(s); !sorry.empty()) {
      SendText(chat, EscapeMarkdownV2(sorry), nullptr);
    }
    return;
  }
  if (turn.greeting.messages_size() > 0) {
    Send(chat, turn.greeting, turn.turn.messages_size() == 0);
  }
  if (turn.turn.messages_size() > 0) Send(chat, turn.turn, true);
}

void Bridge::Send(const std::string& chat, const dirigo::v1::BotTurn& turn,
                  bool keyboard) {
  for (int i = 0; i < turn.messages_size(); ++i) {
    std::vector<std::string> parts = TelegramMessages(turn.messages(i));
    for (size_t p = 0; p < parts.size(); ++p) {
      const bool last = i + 1 == turn.messages_size() && p + 1 == parts.size();
      SendText(chat, parts[p], last && keyboard ? &turn : nullptr);
    }
  }
}

void Bridge::SendText(const std::string& chat, const std::string& text,
                      const dirigo::v1::BotTurn* keyboard) {
  Struct params;
  auto& f = *params.mutable_fields();
  f["chat_id"] = Text(chat);
  f["text"] = Text(text);
  f["parse_mode"] = Text("MarkdownV2");
  if (keyboard != nullptr && keyboard->quick_replies_size() > 0) {
    // One button a row; the reply's text when it fits callback_data's 64
    // bytes, else its number (the server maps it back).
    ListValue rows;
    for (int i = 0; i < keyboard->quick_replies_size(); ++i) {
      const auto& q = keyboard->quick_replies(i);
      Value button;
      auto& b = *button.mutable_struct_value()->mutable_fields();
      b["text"] = Text(q.label());
      b["callback_data"] =
          Text(q.text().size() <= 64 ? q.text() : absl::StrCat(i + 1));
      *rows.add_values()->mutable_list_value()->add_values() = button;
    }
    Value markup;
    *(*markup.mutable_struct_value()->mutable_fields())["inline_keyboard"]
         .mutable_list_value() = rows;
    f["reply_markup"] = markup;
  }
  if (auto s = api_->Call("sendMessage", params); !s.ok()) {
    std::cerr << "dirigo-telegram: " << s.status().message() << "\n";
  }
}

Value AllowedUpdates() {
  Value v;
  v.mutable_list_value()->add_values()->set_string_value("message");
  v.mutable_list_value()->add_values()->set_string_value("callback_query");
  return v;
}

// Long polling until stopped: each update handled in order, then
// confirmed by the next call's offset.
void Poll(BotApi* api, Bridge* bridge) {
  int64_t offset = 0;
  std::chrono::milliseconds backoff(500);
  const int timeout = absl::GetFlag(FLAGS_poll_timeout);
  while (!stopping) {
    Struct params;
    auto& f = *params.mutable_fields();
    if (offset > 0) f["offset"] = Number(static_cast<double>(offset));
    f["timeout"] = Number(timeout);
    f["allowed_updates"] = AllowedUpdates();
    const auto asked = std::chrono::steady_clock::now();
    absl::StatusOr<Value> updates =
        api->Call("getUpdates", params, timeout + 15);
    if (!updates.ok()) {
      if (stopping) break;
      std::cerr << "dirigo-telegram: " << updates.status().message()
                << "; again in " << backoff.count() << " ms\n";
      Nap(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
      continue;
    }
    backoff = std::chrono::milliseconds(500);
    // Telegram holds an empty poll for `timeout`; an API that answers at
    // once must not be asked again at once, in a busy loop.
    if (updates->list_value().values_size() == 0 &&
        std::chrono::steady_clock::now() - asked <
            std::chrono::milliseconds(500)) {
      Nap(std::chrono::seconds(1));
    }
    for (const Value& u : updates->list_value().values()) {
      bridge->Handle(u);
      int64_t id = 0;
      if (absl::SimpleAtoi(IdText(Field(u, "update_id")), &id)) {
        offset = std::max<int64_t>(offset, id + 1);
      }
    }
  }
}

// The bot itself (getMe: its username and id), asked until the Bot API
// answers.
absl::StatusOr<Value> Me(BotApi* api) {
  std::chrono::milliseconds backoff(500);
  while (!stopping) {
    absl::StatusOr<Value> me = api->Call("getMe", Struct());
    if (me.ok()) return me;
    // A wrong token is not worth retrying.
    if (absl::IsFailedPrecondition(me.status())) return me.status();
    std::cerr << "dirigo-telegram: " << me.status().message() << "\n";
    Nap(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
  }
  return absl::CancelledError("stopped");
}

// Webhook mode: setWebhook, then the updates Telegram posts, until stopped.
absl::Status ServeWebhook(BotApi* api, Bridge* bridge,
                          const std::string& secret) {
  absl::StatusOr<HostPort> listen =
      ParseHostPort("webhook_listen", absl::GetFlag(FLAGS_webhook_listen),
                    /*allow_zero=*/true);
  if (!listen.ok()) return listen.status();
  httplib::Server http;
  absl::Mutex mu;  // one update at a time, in order
  http.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("X-Telegram-Bot-Api-Secret-Token") != secret) {
      res.status = 401;
      return;
    }
    Value update;
    if (!google::protobuf::util::JsonStringToMessage(req.body, &update).ok()) {
      res.status = 400;
      return;
    }
    absl::MutexLock lock(&mu);
    bridge->Handle(update);
    res.status = 200;
  });
  http.set_payload_max_length(1 << 20);
  const std::string& host = listen->host;
  int port = listen->port == 0
                 ? http.bind_to_any_port(host)
                 : (http.bind_to_port(host, listen->port) ? listen->port : -1);
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", absl::GetFlag(FLAGS_webhook_listen)));
  }
  Struct params;
  auto& f = *params.mutable_fields();
  f["url"] = Text(absl::GetFlag(FLAGS_webhook_url));
  f["secret_token"] = Text(secret);
  f["allowed_updates"] = AllowedUpdates();
  if (auto s = api->Call("setWebhook", params); !s.ok()) return s.status();
  WritePortFile(absl::GetFlag(FLAGS_port_file), port);
  std::cerr << "dirigo-telegram: webhook on " << host << ":" << port << "\n";
  std::thread stopper([&http] {
    while (!stopping) Nap(std::chrono::milliseconds(200));
    while (!http.is_running()) Nap(std::chrono::milliseconds(10));
    http.stop();
  });
  http.listen_after_bind();
  stopping = true;
  stopper.join();
  return absl::OkStatus();
}

absl::Status Run() {
  if (absl::GetFlag(FLAGS_token_file).empty()) {
    return absl::InvalidArgumentError(
        "--token_file is required (the bot's token, from @BotFather)");
  }
  absl::StatusOr<std::string> token =
      ReadSecretFile("token_file", absl::GetFlag(FLAGS_token_file));
  if (!token.ok()) return token.status();
  const bool webhook = !absl::GetFlag(FLAGS_webhook_url).empty();
  std::string secret;
  if (webhook) {
    if (!absl::StartsWith(absl::GetFlag(FLAGS_webhook_url), "https://")) {
      return absl::InvalidArgumentError(
          "--webhook_url must be an https:// address (Telegram posts to "
          "HTTPS only)");
    }
    absl::StatusOr<std::string> s = ReadSecretFile(
        "webhook_secret_file", absl::GetFlag(FLAGS_webhook_secret_file));
    if (!s.ok()) return s.status();
    if (s->size() > 256 ||
        s->find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            "0123456789_-") != std::string::npos) {
      return absl::InvalidArgumentError(
          "--webhook_secret_file: the secret is 1-256 characters of A-Z a-z "
          "0-9 _ -");
    }
    secret = *s;
  }
  if (absl::GetFlag(FLAGS_poll_timeout) < 1 ||
      absl::GetFlag(FLAGS_poll_timeout) > 600) {
    return absl::InvalidArgumentError("--poll_timeout is 1 to 600 seconds");
  }
  BotApi api(absl::GetFlag(FLAGS_api_url), *token);
  absl::StatusOr<ServerConnection> server =
      ConnectToServer(absl::GetFlag(FLAGS_server));
  if (!server.ok()) return server.status();
  Conversations people(server->channel, {.locale = absl::GetFlag(FLAGS_locale),
                                         .token = server->token});
  Bridge bridge(&api, &people);
  absl::StatusOr<Value> me = Me(&api);
  if (!me.ok()) return stopping ? absl::OkStatus() : me.status();
  const std::string name = Field(*me, "username").string_value();
  bridge.set_me(name, IdText(Field(*me, "id")));
  std::cerr << "dirigo-telegram: @" << name << " for "
            << absl::GetFlag(FLAGS_server) << " ("
            << (webhook ? "webhook" : "long polling") << ")\n";
  if (webhook) return ServeWebhook(&api, &bridge, secret);
  // A webhook left by an earlier run would keep getUpdates refused (409).
  if (auto s = api.Call("deleteWebhook", Struct()); !s.ok()) {
    std::cerr << "dirigo-telegram: " << s.status().message() << "\n";
  }
  Poll(&api, &bridge);
  return absl::OkStatus();
}

}  // namespace
}  // namespace dirigo

int main(int argc, char** argv) {
  return dirigo::BridgeMain(
      argc, argv, "dirigo-telegram", "telegram_main.cc",
      "Dirigo as a Telegram bot. Usage: dirigo-telegram --token_file=FILE "
      "[--server=HOST:PORT] [--webhook_url=https://… --webhook_secret_file=F]",
      &dirigo::stopping, [] {
        // libcurl's global state, around everything the bot does.
        curl_global_init(CURL_GLOBAL_DEFAULT);
        absl::Status status = dirigo::Run();
        curl_global_cleanup();
        return status;
      });
}
