// The gRPC face of the advisor: `dirigo.v1.Advisor` on gRPC's callback API.
//
// Every rpc hands its work to a bounded WorkerPool and returns at once; the
// worker finishes the reactor, so gRPC's callback threads never block. When
// the pool's queue is full the rpc fails with RESOURCE_EXHAUSTED.
// StreamConverse reads one message, answers it, then reads the next; an error
// on one message goes in that response's `error` and the stream goes on.
// Converse and StreamConverse read their requests as raw bytes and parse them
// here, so that a request that is not valid UTF-8 or not a ConverseRequest
// gets a clear INVALID_ARGUMENT (on a stream, for that message only). What
// ends a stream: the client closing it (OK), cancellation or its deadline
// (CANCELLED, DEADLINE_EXCEEDED), a frame over the server's receive limit
// (RESOURCE_EXHAUSTED, from gRPC), its limits (`StreamLimits`: no message for
// `idle` → DEADLINE_EXCEEDED; `max_messages` answered → RESOURCE_EXHAUSTED;
// both say to open a new stream), a broken connection and the server
// stopping (UNAVAILABLE).
//
// Thread-safe.
#ifndef DIRIGO_ADVISOR_ADVISOR_SERVICE_H_
#define DIRIGO_ADVISOR_ADVISOR_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "advisor/advisor_core.h"
#include "advisor/errors.h"
#include "advisor/rate_limiter.h"
#include "advisor/session_quota.h"
#include "advisor/worker_pool.h"
#include "base/bearer_tokens.h"
#include "dirigo/v1/advisor.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace dirigo {

// Advisor::CallbackService with every method on raw bytes: requests are
// parsed here, so that one that is not the expected message gets a clear
// INVALID_ARGUMENT (gRPC's own answer would be an empty UNIMPLEMENTED).
using AdvisorBase = dirigo::v1::Advisor::WithRawCallbackMethod_CreateSession<
    dirigo::v1::Advisor::WithRawCallbackMethod_Converse<
        dirigo::v1::Advisor::WithRawCallbackMethod_StreamConverse<
            dirigo::v1::Advisor::WithRawCallbackMethod_GetSession<
                dirigo::v1::Advisor::WithRawCallbackMethod_DeleteSession<
                    dirigo::v1::Advisor::WithRawCallbackMethod_Advise<
                        dirigo::v1::Advisor::
                            WithRawCallbackMethod_GetClientTexts<
                                dirigo::v1::Advisor::Service>>>>>>>;

// A ConverseRequest from its wire bytes; INVALID_ARGUMENT, naming the field,
// for bytes that are no ConverseRequest or a text that is not UTF-8. The
// request id is set in `id` whenever it could be read, for the error's echo.
absl::StatusOr<dirigo::v1::ConverseRequest> DecodeConverseRequest(
    const grpc::ByteBuffer& bytes, std::string* id);

// What one StreamConverse may hold: a stream that never sends, or sends
// for ever, must not hold the server's memory and threads for ever.
struct StreamLimits {
  // A stream without a message for this long is ended.
  absl::Duration idle = absl::Minutes(5);
  // A stream is ended once it has answered this many messages.
  int max_messages = 1000;
  // Streams open at once, on the whole server; beyond, a new one ends at
  // once with RESOURCE_EXHAUSTED.
  int max_open = 10000;
};

// Rates per caller (its token's name, or its address without tokens) and per
// session; RESOURCE_EXHAUSTED (RATE_LIMITED) beyond, with the wait in the
// message, a RetryInfo, and a "retry-after-ms" trailer.
//
// And a cap on the live conversations one caller holds (`SessionQuota`):
// RESOURCE_EXHAUSTED (CALLER_SESSION_LIMIT) beyond, with the wait until the
// caller's least recently used one expires.
struct CallLimits {
  RateLimit calls_per_caller;    // every call
  RateLimit creates_per_caller;  // CreateSession
  RateLimit messages_per_session = {.rate = 20, .burst = 40};
  size_t sessions_per_caller = 0;  // 0: no cap
  // How long an unused conversation lives (the store's idle time).
  absl::Duration session_idle = absl::Minutes(30);
};

class StreamRegistry;
class CallGate;

class AdvisorService final : public AdvisorBase {
 public:
  // `core`, `pool` and `tokens` must outlive the service. With `tokens`
  // (on), every call needs the metadata "authorization: Bearer TOKEN" of
  // one of them (UNAUTHENTICATED otherwise; health is another service, and
  // stays open), and a session is its creator's token's only.
  AdvisorService(AdvisorCore* core, WorkerPool* pool, StreamLimits limits = {},
                 const BearerTokens* tokens = nullptr, CallLimits rates = {},
                 const Clock* clock = nullptr);
  ~AdvisorService() override;

  grpc::ServerUnaryReactor* CreateSession(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Converse(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* StreamConverse(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* GetSession(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* DeleteSession(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Advise(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetClientTexts(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;

 private:
  static const BearerTokens kNoTokens;
  AdvisorCore* core_;
  WorkerPool* pool_;
  const BearerTokens* tokens_;
  const StreamLimits limits_;
  SystemClock system_clock_;
  RateLimiter per_caller_, creates_, per_session_;
  SessionQuota quota_;
  // Tokens and rates, checked on every call.
  std::unique_ptr<CallGate> gate_;
  // The open streams, and the thread that ends those idle too long.
  std::unique_ptr<StreamRegistry> streams_;
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_ADVISOR_SERVICE_H_
