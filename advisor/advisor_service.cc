#include "advisor/advisor_service.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "advisor/errors.h"
#include "base/status_macros.h"
#include "base/tsan_handoff.h"
#include "dirigo/session/v1/session.pb.h"
#include "text/unicode.h"

namespace dirigo {
namespace {

using dirigo::v1::ConverseRequest;
using dirigo::v1::ConverseResponse;

// The worker pool's queue is full.
absl::Status Busy() {
  return WithRetryDelay(
      WithReason(absl::ResourceExhaustedError(
                     "the server is busy; try again in a moment"),
                 "SERVER_BUSY"),
      absl::Seconds(1));
}

// An error that suggests when to try again says it in a trailer too.
void AddRetryTrailer(grpc::CallbackServerContext* context,
                     const absl::Status& status) {
  if (const int64_t ms = RetryDelayMillis(status); ms >= 0) {
    context->AddTrailingMetadata("retry-after-ms", absl::StrCat(ms));
  }
}

// Finishes a call refused before any work.
grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  AddRetryTrailer(context, status);
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Runs `call` (returning StatusOr<Response>) on the pool and finishes.
template <typename Response, typename Call>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context,
                                   WorkerPool* pool, Response* response,
                                   Call call) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  bool queued =
      pool->Submit([context, reactor, response, call = std::move(call)]() {
        // A call that waited past its deadline, or was cancelled, is not
        // applied: the client has given up and may retry.
        if (context->IsCancelled()) {
          reactor->Finish(ToGrpcStatus(WithReason(
              absl::CancelledError("the call was cancelled before it ran"),
              "CANCELLED")));
          return;
        }
        auto result = call();
        if (result.ok()) {
          *response = std::move(result).value();
          reactor->Finish(grpc::Status::OK);
        } else {
          AddRetryTrailer(context, result.status());
          reactor->Finish(ToGrpcStatus(result.status()));
        }
      });
  if (!queued) {
    AddRetryTrailer(context, Busy());
    reactor->Finish(ToGrpcStatus(Busy()));
  }
  return reactor;
}

grpc::ByteBuffer ToBytes(const google::protobuf::Message& message) {
  grpc::Slice slice(message.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

std::string WireBytes(const grpc::ByteBuffer& bytes) {
  std::vector<grpc::Slice> slices;
  std::string wire;
  if (bytes.Dump(&slices).ok()) {
    for (const auto& slice : slices) {
      wire.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
  }
  return wire;
}

absl::Status Malformed(const google::protobuf::Descriptor* type) {
  return WithReason(
      absl::InvalidArgumentError(absl::StrCat(
          "the request is not a ", type->full_name(), " (malformed protobuf)")),
      "REQUEST_MALFORMED");
}

// Like RunUnary, for a method on raw bytes: the caller's token checked,
// the request parsed as a `Request` (INVALID_ARGUMENT if it is not one),
// `call` run on it with the caller's name, and its answer serialised.
template <typename Request, typename Call>
grpc::ServerUnaryReactor* RunDecoded(grpc::CallbackServerContext* context,
                                     WorkerPool* pool,
                                     absl::StatusOr<std::string> caller,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response, Call call) {
  if (!caller.ok()) return Refuse(context, caller.status());
  return RunUnary(
      context, pool, response,
      [request, owner = *caller,
       call = std::move(call)]() -> absl::StatusOr<grpc::ByteBuffer> {
        Request parsed;
        if (!parsed.ParseFromString(WireBytes(*request))) {
          return Malformed(Request::descriptor());
        }
        auto result = call(parsed, owner);
        if (!result.ok()) return result.status();
        return ToBytes(*result);
      });
}

// A turn, or the error of one message of a stream.
ConverseResponse Answer(absl::StatusOr<ConverseResponse> result,
                        const std::string& request_id) {
  if (result.ok()) return std::move(result).value();
  ConverseResponse response;
  response.mutable_error()->set_code(static_cast<int>(result.status().code()));
  response.mutable_error()->set_message(std::string(result.status().message()));
  response.mutable_error()->set_reason(ReasonOf(result.status()));
  if (int64_t wait = RetryDelayMillis(result.status()); wait > 0) {
    response.mutable_error()->set_retry_after_ms(wait);
  }
  response.set_request_id(request_id);
  return response;
}

}  // namespace

// The API token and the rates, checked on every call.
class CallGate {
 public:
  CallGate(const BearerTokens* tokens, RateLimiter* per_caller,
           RateLimiter* creates, RateLimiter* per_session)
      : tokens_(tokens),
        per_caller_(per_caller),
        creates_(creates),
        per_session_(per_session) {}

  // The caller's token's name ("" when no token is asked for), once its
  // token and rates allow the call.
  absl::StatusOr<std::string> Admit(const grpc::CallbackServerContext* context,
                                    bool creates) const {
    absl::StatusOr<std::string> name = TokenName(context);
    if (!name.ok()) return name;
    const std::string key = KeyOf(context, *name);
    if (absl::Status s = per_caller_->Take(key); !s.ok()) return s;
    if (creates) {
      if (absl::Status s = creates_->Take(key); !s.ok()) return s;
    }
    return name;
  }

  // Who the caller is, for rates and quotas: `name`, its token's name, or
  // without tokens its address, without its port.
  std::string KeyOf(const grpc::CallbackServerContext* context,
                    const std::string& name) const {
    if (tokens_->on()) return absl::StrCat("token:", name);
    const std::string peer = context->peer();
    return absl::StrCat("peer:", peer.substr(0, peer.rfind(':')));
  }

  // One more message on `session`.
  absl::Status Message(const std::string& session) const {
    return per_session_->Take(session);
  }

 private:
  // The name of the caller's API token ("" when the server asks for none);
  // UNAUTHENTICATED without a valid one.
  absl::StatusOr<std::string> TokenName(
      const grpc::CallbackServerContext* context) const {
    const BearerTokens& tokens = *tokens_;
    if (!tokens.on()) return std::string();
    const auto& metadata = context->client_metadata();
    auto it = metadata.find("authorization");
    const std::string name = it == metadata.end()
                                 ? ""
                                 : tokens.NameOf(absl::string_view(
                                       it->second.data(), it->second.size()));
    if (name.empty()) {
      return WithReason(absl::UnauthenticatedError(
                            "a valid API token is required: send the metadata "
                            "\"authorization: Bearer TOKEN\""),
                        "UNAUTHENTICATED");
    }
    return name;
  }

  const BearerTokens* tokens_;
  RateLimiter* per_caller_;
  RateLimiter* creates_;
  RateLimiter* per_session_;
};

namespace {

// Decodes a ConverseRequest and runs its turn; `id` gets the request id
// whenever it could be read.
absl::StatusOr<ConverseResponse> ConverseBytes(
    AdvisorCore* core, const CallGate& gate, SessionQuota* quota,
    const grpc::ByteBuffer& bytes, grpc::CallbackServerContext* context,
    const std::string& owner, std::string* id) {
  ASSIGN_OR_RETURN(ConverseRequest request, DecodeConverseRequest(bytes, id));
  // Counted per owner and session, and only for a name that can be one
  // (the core refuses the others): no caller drains another's bucket, and
  // no name of any size is kept.
  if (request.session().size() <= AdvisorCore::kMaxIdBytes) {
    RETURN_IF_ERROR(gate.Message(
        absl::StrCat(owner.size(), ":", owner, request.session())));
  }
  auto turn = core->Converse(
      request, [context] { return context->IsCancelled(); }, owner);
  if (turn.ok()) quota->Touch(request.session());
  return turn;
}

}  // namespace

// A stream the registry may end for being idle.
class IdleStream {
 public:
  virtual ~IdleStream() = default;
  // Ends the stream if it has waited for a message since before `since`.
  virtual void EndIfIdleSince(absl::Time since) = 0;
};

// The open streams; a thread of its own ends those idle for too long.
class StreamRegistry {
 public:
  StreamRegistry(absl::Duration idle, size_t max) : idle_(idle), max_(max) {
    reaper_ = std::thread([this] { Reap(); });
  }
  ~StreamRegistry() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    reaper_.join();
  }
  // False, and `s` not added, when `max` streams are open.
  bool Add(IdleStream* s) {
    absl::MutexLock lock(&mu_);
    if (streams_.size() >= max_) return false;
    streams_.insert(s);
    return true;
  }
  // Before the stream goes: the reaper never touches it after.
  void Remove(IdleStream* s) {
    absl::MutexLock lock(&mu_);
    streams_.erase(s);
  }

 private:
  void Reap() {
    absl::MutexLock lock(&mu_);
    const absl::Duration tick =
        std::min(absl::Seconds(1), std::max(idle_ / 4, absl::Milliseconds(50)));
    auto stop = [this]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    while (!mu_.AwaitWithTimeout(absl::Condition(&stop), tick)) {
      const absl::Time since = absl::Now() - idle_;
      for (IdleStream* s : streams_) s->EndIfIdleSince(since);
    }
  }

  const absl::Duration idle_;
  const size_t max_;
  absl::Mutex mu_;
  absl::flat_hash_set<IdleStream*> streams_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread reaper_;
};

namespace {

// One conversation stream: read, answer on the pool, write, read again.
class StreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
      public IdleStream {
 public:
  StreamReactor(grpc::CallbackServerContext* context, AdvisorCore* core,
                WorkerPool* pool, StreamRegistry* streams, StreamLimits limits,
                const CallGate* gate, SessionQuota* quota)
      : context_(context),
        core_(core),
        pool_(pool),
        streams_(streams),
        limits_(limits),
        gate_(gate),
        quota_(quota),
        reading_since_(absl::Now()) {
    absl::StatusOr<std::string> caller = gate_->Admit(context, false);
    if (!caller.ok()) {
      absl::MutexLock lock(&mu_);
      End(ToGrpcStatus(caller.status()));
    } else {
      owner_ = *caller;
      Read();
    }
    // Known to the reaper once its state is set.
    if (!streams_->Add(this)) {
      absl::MutexLock lock(&mu_);
      End(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("the server has its maximum of ", limits_.max_open,
                       " streams open; try again later, or use Converse")));
    }
  }

  void EndIfIdleSince(absl::Time since) override {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kReading || reading_since_ > since) return;
    End(grpc::Status(
        grpc::StatusCode::DEADLINE_EXCEEDED,
        absl::StrCat("no message for ", absl::FormatDuration(limits_.idle),
                     ": the stream is closed; open a new one to go on")));
  }

  void OnReadDone(bool ok) override {
    TakeOver(this);
    {
      absl::MutexLock lock(&mu_);
      if (state_ == State::kEnded) return;  // ended while reading
      if (!ok) {  // the client closed its side, or the call ended
        End(context_->IsCancelled() ? grpc::Status(grpc::StatusCode::CANCELLED,
                                                   "the stream was cancelled")
                                    : grpc::Status::OK);
        return;
      }
      state_ = State::kAnswering;
    }
    ++messages_;
    bool queued = pool_->Submit([this] {
      std::string id;
      // Each message counts for the caller's rate as a call would.
      absl::StatusOr<std::string> admitted = gate_->Admit(context_, false);
      absl::StatusOr<ConverseResponse> result =
          admitted.ok() ? ConverseBytes(core_, *gate_, quota_, request_,
                                        context_, owner_, &id)
                        : absl::StatusOr<ConverseResponse>(admitted.status());
      response_ = ToBytes(Answer(std::move(result), id));
      HandOff(this);
      StartWrite(&response_);
    });
    if (!queued) {
      std::string id;
      (void)DecodeConverseRequest(request_, &id);
      response_ = ToBytes(Answer(Busy(), id));
      HandOff(this);
      StartWrite(&response_);
    }
  }

  void OnWriteDone(bool ok) override {
    TakeOver(this);
    if (!ok) {
      absl::MutexLock lock(&mu_);
      End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream broke"));
      return;
    }
    if (messages_ >= limits_.max_messages) {
      absl::MutexLock lock(&mu_);
      End(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("this stream has carried ", messages_,
                       " messages, its limit: open a new one to go on")));
      return;
    }
    Read();
  }

  void OnDone() override {
    TakeOver(this);
    streams_->Remove(this);
    delete this;
  }

 private:
  enum class State { kReading, kAnswering, kEnded };

  void Read() {
    {
      absl::MutexLock lock(&mu_);
      if (state_ == State::kEnded) return;
      state_ = State::kReading;
      reading_since_ = absl::Now();
    }
    HandOff(this);
    StartRead(&request_);
  }

  // Finishes the call, once.
  void End(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (state_ == State::kEnded) return;
    state_ = State::kEnded;
    HandOff(this);
    Finish(status);
  }

  grpc::CallbackServerContext* context_;
  AdvisorCore* core_;
  WorkerPool* pool_;
  StreamRegistry* streams_;
  const StreamLimits limits_;
  const CallGate* gate_;
  SessionQuota* quota_;
  std::string owner_;  // the caller's token's name
  int messages_ = 0;
  absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kReading;
  absl::Time reading_since_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

}  // namespace

absl::StatusOr<ConverseRequest> DecodeConverseRequest(
    const grpc::ByteBuffer& bytes, std::string* id) {
  dirigo::session::v1::WireConverseRequest raw;
  if (!raw.ParseFromString(WireBytes(bytes))) {
    return Malformed(ConverseRequest::descriptor());
  }
  // The id first, so that any error below can echo it.
  if (CheckUtf8(raw.request_id()).ok()) *id = raw.request_id();
  const std::pair<const char*, const std::string*> fields[] = {
      {"session", &raw.session()},
      {"request_id", &raw.request_id()},
      {"text", &raw.text()}};
  for (const auto& [name, value] : fields) {
    if (absl::Status s = CheckUtf8(*value); !s.ok()) {
      return WithReason(
          absl::InvalidArgumentError(absl::StrCat(
              name, " is not valid UTF-8 text (", s.message(), ")")),
          "NOT_UTF8", name);
    }
  }
  ConverseRequest request;
  request.set_session(raw.session());
  request.set_text(raw.text());
  request.set_request_id(raw.request_id());
  request.set_omit_trace(raw.omit_trace());
  return request;
}

AdvisorService::AdvisorService(AdvisorCore* core, WorkerPool* pool,
                               StreamLimits limits, const BearerTokens* tokens,
                               CallLimits rates, const Clock* clock)
    : core_(core),
      pool_(pool),
      tokens_(tokens != nullptr ? tokens : &kNoTokens),
      limits_(limits),
      per_caller_(clock != nullptr ? clock : &system_clock_,
                  rates.calls_per_caller, "calls from one caller"),
      creates_(clock != nullptr ? clock : &system_clock_,
               rates.creates_per_caller, "new conversations from one caller"),
      per_session_(clock != nullptr ? clock : &system_clock_,
                   rates.messages_per_session, "messages on one conversation"),
      quota_(clock != nullptr ? clock : &system_clock_,
             rates.sessions_per_caller, rates.session_idle),
      gate_(std::make_unique<CallGate>(tokens_, &per_caller_, &creates_,
                                       &per_session_)),
      streams_(std::make_unique<StreamRegistry>(
          limits.idle, static_cast<size_t>(limits.max_open))) {}

AdvisorService::~AdvisorService() = default;

const BearerTokens AdvisorService::kNoTokens;

grpc::ServerUnaryReactor* AdvisorService::CreateSession(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  absl::StatusOr<std::string> caller = gate_->Admit(context, true);
  const std::string key = caller.ok() ? gate_->KeyOf(context, *caller) : "";
  return RunDecoded<dirigo::v1::CreateSessionRequest>(
      context, pool_, std::move(caller), request, response,
      [this, key](const auto& r, const std::string& owner)
          -> absl::StatusOr<dirigo::v1::CreateSessionResponse> {
        RETURN_IF_ERROR(quota_.Reserve(key));
        auto created = core_->CreateSession(r, owner);
        if (created.ok()) {
          quota_.Keep(key, created->session().name());
        } else {
          quota_.Release(key);
        }
        return created;
      });
}

grpc::ServerUnaryReactor* AdvisorService::Converse(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  absl::StatusOr<std::string> caller = gate_->Admit(context, false);
  if (!caller.ok()) return Refuse(context, caller.status());
  return RunUnary(context, pool_, response,
                  [this, context, request,
                   owner = *caller]() -> absl::StatusOr<grpc::ByteBuffer> {
                    std::string id;
                    ASSIGN_OR_RETURN(
                        ConverseResponse turn,
                        ConverseBytes(core_, *gate_, &quota_, *request, context,
                                      owner, &id));
                    return ToBytes(turn);
                  });
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
AdvisorService::StreamConverse(grpc::CallbackServerContext* context) {
  return new StreamReactor(context, core_, pool_, streams_.get(), limits_,
                           gate_.get(), &quota_);
}

grpc::ServerUnaryReactor* AdvisorService::GetSession(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return RunDecoded<dirigo::v1::GetSessionRequest>(
      context, pool_, gate_->Admit(context, false), request, response,
      [this](const auto& r, const std::string& owner) {
        return core_->GetSession(r, owner);
      });
}

grpc::ServerUnaryReactor* AdvisorService::DeleteSession(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return RunDecoded<dirigo::v1::DeleteSessionRequest>(
      context, pool_, gate_->Admit(context, false), request, response,
      [this](const auto& r, const std::string& owner) {
        auto deleted = core_->DeleteSession(r, owner);
        if (deleted.ok()) quota_.Forget(r.session());
        return deleted;
      });
}

grpc::ServerUnaryReactor* AdvisorService::Advise(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return RunDecoded<dirigo::v1::AdviseRequest>(
      context, pool_, gate_->Admit(context, false), request, response,
      [this](const auto& r, const std::string&) { return core_->Advise(r); });
}

grpc::ServerUnaryReactor* AdvisorService::GetClientTexts(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return RunDecoded<dirigo::v1::GetClientTextsRequest>(
      context, pool_, gate_->Admit(context, false), request, response,
      [this](const auto& r, const std::string&) {
        return core_->GetClientTexts(r);
      });
}

}  // namespace dirigo
