#include "clients/bridge/conversations.h"

#include "absl/strings/str_cat.h"
#include "base/utf8.h"

namespace dirigo {
namespace {

// Most people remembered here; beyond, the cache starts afresh (the server
// finds each person again).
constexpr size_t kMaxCachedPeople = 100'000;

// Whether a turn answered a message that only greeted ("ciao"): then the
// greeting that began the conversation is answer enough.
bool OnlyGreets(const dirigo::v1::BotTurn& turn) {
  bool greets = false;
  for (const auto& match : turn.trace().matches()) {
    if (!match.applied()) continue;
    if (match.intent() != "greeting") return false;
    greets = true;
  }
  return greets && turn.trace().slot_changes_size() == 0;
}

}  // namespace

Conversations::Conversations(const std::shared_ptr<grpc::Channel>& channel,
                             Options options)
    : stub_(dirigo::v1::Advisor::NewStub(channel)),
      options_(std::move(options)) {}

std::unique_ptr<grpc::ClientContext> Conversations::Context() const {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + options_.timeout);
  if (!options_.token.empty()) {
    c->AddMetadata("authorization", "Bearer " + options_.token);
  }
  return c;
}

grpc::Status Conversations::Create(const std::string& key,
                                   const std::string& channel,
                                   const std::string& user,
                                   dirigo::v1::CreateSessionResponse* created) {
  dirigo::v1::CreateSessionRequest create;
  create.set_channel(channel);
  create.set_external_user_id(user);
  create.set_locale(options_.locale);
  grpc::Status s = stub_->CreateSession(Context().get(), create, created);
  if (!s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (sessions_.size() >= kMaxCachedPeople) sessions_.clear();
  sessions_[key] = created->session().name();
  return s;
}

grpc::Status Conversations::Begin(const std::string& channel,
                                  const std::string& user, Turn* out) {
  dirigo::v1::CreateSessionResponse created;
  grpc::Status s =
      Create(absl::StrCat(channel, "\x1f", user), channel, user, &created);
  if (!s.ok()) return s;
  out->session = created.session().name();
  out->greeting = created.turn();
  return s;
}

grpc::Status Conversations::Say(const std::string& channel,
                                const std::string& user,
                                const std::string& text, const std::string& id,
                                Turn* out) {
  // Checked here, not left to the server: protobuf would send it anyway.
  if (!IsUtf8(text)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the message is not valid UTF-8 text");
  }
  const std::string key = absl::StrCat(channel, "\x1f", user);
  {
    absl::MutexLock lock(&mu_);
    auto it = sessions_.find(key);
    if (it != sessions_.end()) out->session = it->second;
    // The greeting of a conversation whose first message failed.
    if (auto g = unsent_greetings_.find(key); g != unsent_greetings_.end()) {
      out->greeting = std::move(g->second);
      out->begun = true;
      unsent_greetings_.erase(g);
    }
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (out->session.empty()) {
      dirigo::v1::CreateSessionResponse created;
      grpc::Status s = Create(key, channel, user, &created);
      if (!s.ok()) return s;
      out->session = created.session().name();
      out->begun = !created.resumed();
      if (out->begun) out->greeting = created.turn();
    }
    dirigo::v1::ConverseRequest request;
    request.set_session(out->session);
    request.set_text(text);
    request.set_request_id(id);
    // Platforms show no trace; the first turn's tells a bare hello.
    request.set_omit_trace(!out->begun);
    dirigo::v1::ConverseResponse response;
    grpc::Status s = stub_->Converse(Context().get(), request, &response);
    if (s.ok()) {
      WarmTexts();
      out->turn = std::move(*response.mutable_turn());
      if (out->begun && OnlyGreets(out->turn)) {
        out->turn = std::move(out->greeting);
        out->greeting.Clear();
      }
      out->turn.clear_trace();
    } else if (out->begun && s.error_code() != grpc::StatusCode::NOT_FOUND) {
      // The greeting (with its word on privacy) goes with the next message
      // that gets through.
      absl::MutexLock lock(&mu_);
      if (unsent_greetings_.size() >= kMaxCachedPeople) {
        unsent_greetings_.clear();
      }
      unsent_greetings_[key] = out->greeting;
    }
    // A conversation gone (erased, expired): begin again, once.
    if (s.error_code() != grpc::StatusCode::NOT_FOUND) return s;
    out->session.clear();
    out->greeting.Clear();
    out->begun = false;
  }
  return grpc::Status(grpc::StatusCode::NOT_FOUND, "the conversation is gone");
}

grpc::Status Conversations::Texts(dirigo::v1::ClientTexts* out) {
  dirigo::v1::GetClientTextsRequest request;
  request.set_locale(options_.locale);
  return stub_->GetClientTexts(Context().get(), request, out);
}

void Conversations::WarmTexts() {
  {
    absl::MutexLock lock(&mu_);
    if (!texts_.empty()) return;
  }
  dirigo::v1::ClientTexts texts;
  if (Texts(&texts).ok()) {
    absl::MutexLock lock(&mu_);
    texts_.insert(texts.texts().begin(), texts.texts().end());
  }
}

std::string Conversations::FailureText(const grpc::Status& status) {
  WarmTexts();
  const char* key = "failed";
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      key = "message_refused";
      break;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
      key = "busy";
      break;
    default:
      break;
  }
  absl::MutexLock lock(&mu_);
  auto it = texts_.find(key);
  return it == texts_.end() ? "" : it->second;
}

}  // namespace dirigo
