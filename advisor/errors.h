// Machine-readable errors: every error Dirigo returns carries, besides its
// code and message, a google.rpc.ErrorInfo with a stable reason (domain
// "dirigo.v1"), a BadRequest naming the field for bad input, and a RetryInfo
// when trying again later can help. They travel as absl::Status payloads
// inside the advisor and become gRPC's `grpc-status-details-bin` trailer.
//
// Example:
//   return WithReason(absl::InvalidArgumentError("text is too long"),
//                     "MESSAGE_INVALID", "text");
#ifndef DIRIGO_ADVISOR_ERRORS_H_
#define DIRIGO_ADVISOR_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace dirigo {

// The domain of every ErrorInfo Dirigo sends.
inline constexpr char kErrorDomain[] = "dirigo.v1";

// `status` with a stable reason ("SESSION_NOT_FOUND") and, for bad input,
// the request field at fault. A status that has a reason keeps it.
absl::Status WithReason(absl::Status status, absl::string_view reason,
                        absl::string_view field = "");
// `status` with a suggested delay before trying again.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// The delay before trying again that `status` suggests, in milliseconds, or
// -1 when it suggests none.
int64_t RetryDelayMillis(const absl::Status& status);

// The reason of `status`: the one given, else the code's name
// ("UNAVAILABLE").
std::string ReasonOf(const absl::Status& status);

// absl::Status → grpc::Status with a google.rpc.Status as its details.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_ERRORS_H_
