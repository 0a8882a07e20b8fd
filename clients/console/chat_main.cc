// dirigo-chat: the console client of Dirigo. It talks to dirigo-server over
// gRPC only.
//
//   dirigo-chat [--server=127.0.0.1:50051] [--lang=it|en] [--json] [--new]
//
// On a terminal it resumes the person's last conversation (its name is kept
// in the user's state folder, $XDG_STATE_HOME/dirigo or
// ~/.local/state/dirigo; nothing else is written there), so that a chat
// closed today goes on tomorrow; --new starts afresh (and is the one
// resumed next time). A pipe starts a new conversation, and leaves the kept
// name alone, unless --resume is given. A conversation the server no longer
// has is announced as such and a new one begins; any other error stops the
// console without touching the kept name.
//
// On a terminal: a chat with line editing and history (readline), colours
// unless NO_COLOR is set, quick replies chosen by number, and slash commands
// (/help lists them). Its texts and commands, in the conversation's language,
// come from the server (GetClientTexts): no word of any language is here.
// Otherwise (a pipe): one message per input line, replies printed as plain
// text; with --json, every server response is one line of proto3 JSON (the
// session first), and an error is one line
// {"error":{"code":N,"message":"…"}} after which the chat goes on.
#include <fcntl.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/flags_usage.h"
#include "base/utf8.h"
#include "clients/bridge/server_connection.h"
#include "clients/render/render.h"
#include "dirigo/v1/advisor.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051",
          "the Dirigo server, HOST:PORT");
ABSL_FLAG(std::string, lang, "it", "language of the conversation: it or en");
ABSL_FLAG(bool, json, false,
          "print every server response as one line of proto3 JSON");
ABSL_FLAG(std::string, channel, "console", "channel name sent to the server");
ABSL_FLAG(int, timeout_ms, 10000, "deadline of each call, in milliseconds");
ABSL_FLAG(bool, new, false,
          "start a new conversation instead of resuming the last one");
ABSL_FLAG(bool, resume, false,
          "resume the last conversation when reading from a pipe too (a "
          "terminal resumes by default)");
ABSL_FLAG(std::string, state_dir, "",
          "where the console keeps the name of the last conversation; "
          "default $XDG_STATE_HOME/dirigo or ~/.local/state/dirigo");

namespace {

using dirigo::v1::Advisor;
using dirigo::v1::BotTurn;

struct Style {
  bool on = false;
  std::string bot() const { return on ? "\033[1;36m" : ""; }
  std::string dim() const { return on ? "\033[2m" : ""; }
  std::string reply() const { return on ? "\033[33m" : ""; }
  std::string err() const { return on ? "\033[31m" : ""; }
  std::string off() const { return on ? "\033[0m" : ""; }
};

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

std::string ErrorJson(const grpc::Status& s) {
  std::string message;
  for (char c : s.error_message()) {
    if (c == '"' || c == '\\') message += '\\';
    if (c == '\n') {
      message += "\\n";
      continue;
    }
    message += c;
  }
  return absl::StrCat("{\"error\":{\"code\":", static_cast<int>(s.error_code()),
                      ",\"message\":\"", message, "\"}}");
}

// Quotes are shown up to about this many bytes.
constexpr size_t kQuoteChars = 150;
// How long the console waits for the server at start.
constexpr int kConnectSeconds = 5;

// The file that keeps the name of the last conversation ("" if there is no
// folder to keep it in).
std::filesystem::path SessionFile() {
  std::filesystem::path dir = absl::GetFlag(FLAGS_state_dir);
  if (dir.empty()) {
    // getenv is safe here: nothing in the console sets the environment.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
      dir = std::filesystem::path(xdg) / "dirigo";
      // NOLINTNEXTLINE(concurrency-mt-unsafe)
    } else if (const char* home = std::getenv("HOME"); home && *home) {
      dir = std::filesystem::path(home) / ".local" / "state" / "dirigo";
    } else {
      return {};
    }
  }
  return dir / "last-session";
}

class Chat {
 public:
  Chat(const std::shared_ptr<grpc::Channel>& channel, bool interactive,
       bool json, bool remember, Style style)
      : stub_(Advisor::NewStub(channel)),
        interactive_(interactive),
        json_(json),
        remember_(remember),
        style_(style) {}

  // Fetches the client's texts and commands in `lang`; false (and the
  // error shown) if the server has no such language.
  bool FetchTexts(const std::string& lang) {
    dirigo::v1::GetClientTextsRequest request;
    request.set_locale(lang);
    dirigo::v1::ClientTexts texts;
    auto context = Context();
    grpc::Status s = stub_->GetClientTexts(context.get(), request, &texts);
    if (!s.ok()) {
      Error(s);
      return false;
    }
    texts_ = std::move(texts);
    return true;
  }

  // A text of the client in the conversation's language ("" if absent).
  const std::string& Text(const std::string& key) const {
    static const std::string* none = new std::string();
    auto it = texts_.texts().find(key);
    return it == texts_.texts().end() ? *none : it->second;
  }

  // Starts a conversation; false if it could not.
  bool Start(const std::string& lang) {
    dirigo::v1::CreateSessionRequest request;
    request.set_locale(lang);
    request.set_channel(absl::GetFlag(FLAGS_channel));
    dirigo::v1::CreateSessionResponse response;
    auto context = Context();
    grpc::Status s = stub_->CreateSession(context.get(), request, &response);
    if (!s.ok()) {
      Error(s);
      return false;
    }
    lang_ = lang;
    session_ = response.session().name();
    Remember();
    if (json_) {
      std::cout << ToJson(response) << std::endl;
    } else {
      Show(response.turn());
    }
    return true;
  }

  enum class Resumed { kYes, kNothingToResume, kFailed };

  // Goes on with the last conversation, if there is one and the server
  // still has it: says so and repeats the bot's last message. kFailed (the
  // error shown) when the server could not say.
  Resumed Resume() {
    std::ifstream in(SessionFile());
    std::string name;
    if (!(in >> name)) return Resumed::kNothingToResume;
    dirigo::v1::GetSessionRequest request;
    request.set_session(name);
    dirigo::v1::Session session;
    auto context = Context();
    grpc::Status s = stub_->GetSession(context.get(), request, &session);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      if (!json_) {
        std::cout << style_.dim() << Text("expired") << style_.off() << "\n";
      }
      return Resumed::kNothingToResume;
    }
    if (!s.ok()) {
      Error(s);
      return Resumed::kFailed;
    }
    if (session.locale() != lang_ && !FetchTexts(session.locale())) {
      return Resumed::kFailed;
    }
    lang_ = session.locale();
    session_ = session.name();
    if (json_) {
      std::cout << ToJson(session) << std::endl;
      return Resumed::kYes;
    }
    std::cout << style_.dim() << Text("resumed") << style_.off() << "\n";
    // The question the bot waits to have answered; waiting for none, the
    // last thing it said: the last message of its last turn (a turn's
    // messages are joined by blank lines in the transcript).
    if (!session.pending_question().empty()) {
      std::cout << style_.bot() << "Dirigo: " << style_.off()
                << session.pending_question() << "\n";
      std::cout.flush();
      return Resumed::kYes;
    }
    for (auto it = session.transcript().rbegin();
         it != session.transcript().rend(); ++it) {
      if (it->author() != dirigo::v1::TranscriptEntry::BOT) continue;
      size_t cut = it->text().rfind("\n\n");
      std::cout << style_.bot() << "Dirigo: " << style_.off()
                << (cut == std::string::npos ? it->text()
                                             : it->text().substr(cut + 2))
                << "\n";
      break;
    }
    std::cout.flush();
    return Resumed::kYes;
  }

  // The language asked for at start.
  void set_lang(const std::string& lang) { lang_ = lang; }
  void set_token(std::string token) { token_ = std::move(token); }

  // Handles one input line; false to stop.
  bool Handle(std::string line) {
    line = std::string(absl::StripAsciiWhitespace(line));
    if (line.empty()) return true;
    if (!json_ && line[0] == '/') return Command(line);
    if (std::string choice = dirigo::ChoiceText(last_turn_, line);
        !json_ && waiting_choice_ && !choice.empty()) {
      line = choice;
      if (interactive_)
        std::cout << style_.dim() << "  → " << line << style_.off() << "\n";
    }
    Send(line);
    return true;
  }

 private:
  // Keeps the conversation's name for the next start (best effort: a
  // console that cannot write its state folder still chats).
  // The name is the only key to the conversation: the folder and the file
  // are readable by this user only.
  void Remember() const {
    std::filesystem::path file = SessionFile();
    if (!remember_ || file.empty()) return;
    std::error_code ec;
    if (!std::filesystem::exists(file.parent_path())) {
      std::filesystem::create_directories(file.parent_path(), ec);
      std::filesystem::permissions(file.parent_path(),
                                   std::filesystem::perms::owner_all, ec);
    }
    const std::string tmp = file.string() + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    const std::string line = session_ + "\n";
    bool written = write(fd, line.data(), line.size()) ==
                   static_cast<ssize_t>(line.size());
    close(fd);
    if (written) std::filesystem::rename(tmp, file, ec);
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::GetFlag(FLAGS_timeout_ms)));
    if (!token_.empty()) c->AddMetadata("authorization", "Bearer " + token_);
    return c;
  }

  void Send(const std::string& text, bool retried = false) {
    if (!dirigo::IsUtf8(text)) {
      Error(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                         "the message is not valid UTF-8 text"));
      return;
    }
    dirigo::v1::ConverseRequest request;
    request.set_session(session_);
    request.set_text(text);
    dirigo::v1::ConverseResponse response;
    auto context = Context();
    grpc::Status s = stub_->Converse(context.get(), request, &response);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND && !json_ && !retried) {
      std::cout << style_.dim() << Text("expired") << style_.off() << "\n";
      if (Start(lang_)) Send(text, /*retried=*/true);
      return;
    }
    if (!s.ok()) {
      Error(s);
      return;
    }
    if (json_) {
      std::cout << ToJson(response) << std::endl;
    } else {
      Show(response.turn());
    }
  }

  void Show(const BotTurn& turn) {
    last_turn_ = turn;
    have_turn_ = true;
    for (const auto& m : turn.messages()) {
      std::cout << style_.bot() << "Dirigo: " << style_.off() << m.text()
                << "\n";
      ShowCitations(m.citations(), m.text());
    }
    waiting_choice_ = turn.quick_replies_size() > 0;
    if (waiting_choice_) {
      std::cout << style_.reply() << " ";
      // Replies that are numbers ("3 anni") are shown without numbers.
      const bool numbers = dirigo::RepliesAreNumbers(turn);
      for (int i = 0; i < turn.quick_replies_size(); ++i) {
        std::cout << " [";
        if (!numbers) std::cout << i + 1 << "] ";
        std::cout << turn.quick_replies(i).label() << (numbers ? "]" : "");
      }
      std::cout << style_.off() << "\n";
      if (interactive_ && !hinted_) {
        std::cout << style_.dim() << "  " << Text("hint") << style_.off()
                  << "\n";
        hinted_ = true;
      }
    }
    std::cout.flush();
  }

  // The action of a slash command ("/profilo" → "profile"), or null.
  const dirigo::v1::ClientCommand* FindCommand(const std::string& word) const {
    for (const auto& c : texts_.commands()) {
      for (const auto& alias : c.alias()) {
        if (alias == word) return &c;
      }
    }
    return nullptr;
  }

  bool Command(const std::string& line) {
    std::vector<std::string> parts =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    const dirigo::v1::ClientCommand* c = FindCommand(parts[0]);
    const std::string action = c == nullptr ? "help" : c->action();
    if (action == "quit") return false;
    if (c != nullptr && !c->message().empty()) {
      Send(c->message());  // the bot answers it in words ("cosa sai di me?")
    } else if (action == "advice") {
      ShowAdvice();
    } else if (action == "trace") {
      if (!have_turn_ || !last_turn_.has_trace()) {
        std::cout << Text("no_trace") << "\n";
      } else {
        ShowTrace(last_turn_.trace());
      }
    } else if (action == "restart") {
      Delete();
      Start(lang_);
    } else if (action == "lang") {
      SwitchLanguage(parts);
    } else {
      std::cout << Text("commands") << "\n";
    }
    return true;
  }

  // "/lang en": a new conversation in that language; the old one is erased
  // only once the new one exists.
  void SwitchLanguage(const std::vector<std::string>& parts) {
    if (parts.size() != 2) {
      std::cout << Text("lang_usage") << "\n";
      return;
    }
    if (parts[1] == lang_) return;
    dirigo::v1::ClientTexts old_texts = texts_;
    if (!FetchTexts(parts[1])) return;
    std::string old_session = session_;
    if (!Start(parts[1])) {
      texts_ = std::move(old_texts);
      return;
    }
    std::string new_session = session_;
    session_ = old_session;
    Delete();
    session_ = new_session;
  }

  // Each citation under its message; a quote the message already says in
  // full is not printed again, only where it comes from.
  void ShowCitations(
      const google::protobuf::RepeatedPtrField<dirigo::v1::Citation>& cs,
      const std::string& said = "") {
    for (const std::string& line :
         dirigo::CitationLines(cs, said, {.max_quote_bytes = kQuoteChars})) {
      std::cout << style_.dim() << "    " << line << style_.off() << "\n";
    }
  }

  void Delete() {
    dirigo::v1::DeleteSessionRequest request;
    request.set_session(session_);
    dirigo::v1::DeleteSessionResponse response;
    auto context = Context();
    (void)stub_->DeleteSession(context.get(), request, &response);
  }

  bool FetchProfile(dirigo::v1::Session* session) {
    dirigo::v1::GetSessionRequest request;
    request.set_session(session_);
    auto context = Context();
    grpc::Status s = stub_->GetSession(context.get(), request, session);
    if (!s.ok()) Error(s);
    return s.ok();
  }

  void ShowAdvice() {
    dirigo::v1::Session session;
    if (!FetchProfile(&session)) return;
    dirigo::v1::AdviseRequest request;
    *request.mutable_profile() = session.profile();
    request.set_locale(lang_);
    dirigo::v1::AdviseResponse response;
    auto context = Context();
    grpc::Status s = stub_->Advise(context.get(), request, &response);
    if (!s.ok()) {
      Error(s);
      return;
    }
    int i = 0;
    for (const auto& item : response.advice()) {
      std::cout << style_.bot() << "Dirigo: " << style_.off() << ++i << ". "
                << item.title() << ". " << item.text() << "\n";
      ShowCitations(item.citations());
    }
    if (i == 0) std::cout << Text("no_advice") << "\n";
  }

  void ShowTrace(const dirigo::v1::Trace& trace) {
    if (trace.matches_size() == 0 && trace.spelling_fixes_size() == 0) {
      std::cout << "  " << Text("no_rule") << "\n";
      return;
    }
    for (const auto& m : trace.matches()) {
      std::cout << "  " << (m.applied() ? "+" : "-") << " " << m.rule_id();
      if (!m.intent().empty()) std::cout << " [" << m.intent() << "]";
      std::cout << ": \"" << m.matched_text() << "\"";
      for (const auto& [k, v] : m.captures())
        std::cout << " " << k << "=\"" << v << "\"";
      std::cout << "\n";
    }
    for (const auto& f : trace.spelling_fixes()) {
      std::cout << "  ~ " << f.original() << " → " << f.corrected() << "\n";
    }
    for (const auto& c : trace.slot_changes()) {
      std::cout << "  = " << c.slot() << ": "
                << (c.old_value().empty() ? "∅" : c.old_value()) << " → "
                << (c.new_value().empty() ? "∅" : c.new_value()) << "\n";
    }
  }

  void Error(const grpc::Status& s) {
    if (json_) {
      std::cout << ErrorJson(s) << std::endl;
      return;
    }
    std::string message = s.error_message();
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
        s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      message = absl::StrCat(Text("unreachable"), " (",
                             absl::GetFlag(FLAGS_server), ")");
    } else if (interactive_ &&
               s.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
               !Text("message_refused").empty()) {
      // A person at a terminal reads why in their language; the server's
      // own words follow, for the curious.
      message = absl::StrCat(Text("message_refused"), " (", message, ")");
    }
    std::cerr << style_.err() << "dirigo-chat: " << message << style_.off()
              << "\n";
  }

  std::unique_ptr<Advisor::Stub> stub_;
  bool interactive_, json_, remember_;
  Style style_;
  std::string session_, lang_;
  std::string token_;  // the server's API token, if it asks for one
  // The client's texts and commands, in the conversation's language.
  dirigo::v1::ClientTexts texts_;
  BotTurn last_turn_;
  bool have_turn_ = false, waiting_choice_ = false, hinted_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  // --help lists this program's own flags.
  dirigo::SetUpFlagsUsage(
      "chat_main.cc",
      "Chat with Dirigo. Usage: dirigo-chat [--server=HOST:PORT] "
      "[--lang=it|en] "
      "[--json] [--new]",
      {"server_connection.cc"});
  absl::ParseCommandLine(argc, argv);
  const std::string lang = absl::GetFlag(FLAGS_lang);
  const bool json = absl::GetFlag(FLAGS_json);
  const bool interactive = !json && isatty(STDIN_FILENO);
  Style style;
  style.on =
      !json && isatty(STDOUT_FILENO) &&
      std::getenv("NO_COLOR") == nullptr;  // NOLINT(concurrency-mt-unsafe)

  absl::StatusOr<dirigo::ServerConnection> server =
      dirigo::ConnectToServer(absl::GetFlag(FLAGS_server));
  if (!server.ok()) {
    std::cerr << "dirigo-chat: " << server.status().message() << "\n";
    return 2;
  }
  auto channel = server->channel;
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::seconds(kConnectSeconds))) {
    std::cerr << "dirigo-chat: cannot reach the Dirigo server at "
              << absl::GetFlag(FLAGS_server)
              << " (is it running? `make chat` starts one)\n";
    return 1;
  }
  // A terminal, or --resume, keeps the conversation's name for next time.
  const bool remember = interactive || absl::GetFlag(FLAGS_resume);
  Chat chat(channel, interactive, json, remember, style);
  chat.set_token(server->token);
  if (!chat.FetchTexts(lang)) return 2;
  chat.set_lang(lang);
  using Resumed = Chat::Resumed;
  Resumed resumed = remember && !absl::GetFlag(FLAGS_new)
                        ? chat.Resume()
                        : Resumed::kNothingToResume;
  if (resumed == Resumed::kFailed) return 2;
  if (resumed == Resumed::kNothingToResume && !chat.Start(lang)) return 2;

  if (interactive) {
    while (true) {
      // readline's line is the caller's, to free.
      std::unique_ptr<char, void (*)(void*)> raw(
          readline(chat.Text("prompt").c_str()), std::free);
      if (raw == nullptr) break;  // Ctrl-D
      std::string line(raw.get());
      if (!absl::StripAsciiWhitespace(line).empty()) add_history(line.c_str());
      if (!chat.Handle(line)) break;
    }
    std::cout << "\n" << chat.Text("bye") << "\n";
  } else {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!json) std::cout << "> " << line << "\n";
      if (!chat.Handle(line)) break;
    }
  }
  return 0;
}
