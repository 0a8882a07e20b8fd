#include "advisor/errors.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace dirigo {
namespace {

constexpr char kReasonKey[] = "dirigo.reason";
constexpr char kFieldKey[] = "dirigo.field";
constexpr char kRetryKey[] = "dirigo.retry_ms";

std::string Payload(const absl::Status& s, const char* key) {
  auto p = s.GetPayload(key);
  return p ? std::string(*p) : std::string();
}

}  // namespace

absl::Status WithReason(absl::Status status, absl::string_view reason,
                        absl::string_view field) {
  if (status.ok() || status.GetPayload(kReasonKey)) return status;
  status.SetPayload(kReasonKey, absl::Cord(reason));
  if (!field.empty()) status.SetPayload(kFieldKey, absl::Cord(field));
  return status;
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  status.SetPayload(kRetryKey,
                    absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(delay))));
  return status;
}

int64_t RetryDelayMillis(const absl::Status& status) {
  int64_t ms = -1;
  const std::string text = Payload(status, kRetryKey);
  if (text.empty() || !absl::SimpleAtoi(text, &ms)) return -1;
  return ms;
}

std::string ReasonOf(const absl::Status& status) {
  std::string reason = Payload(status, kReasonKey);
  if (!reason.empty()) return reason;
  return absl::AsciiStrToUpper(absl::StatusCodeToString(status.code()));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.code()));
  rich.set_message(std::string(status.message()));
  google::rpc::ErrorInfo info;
  info.set_reason(ReasonOf(status));
  info.set_domain(kErrorDomain);
  rich.add_details()->PackFrom(info);
  if (std::string field = Payload(status, kFieldKey); !field.empty()) {
    google::rpc::BadRequest bad;
    auto* v = bad.add_field_violations();
    v->set_field(field);
    v->set_description(std::string(status.message()));
    rich.add_details()->PackFrom(bad);
  }
  int64_t ms = 0;
  if (absl::SimpleAtoi(Payload(status, kRetryKey), &ms)) {
    google::rpc::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(ms / 1000);
    retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) *
                                           1'000'000);
    rich.add_details()->PackFrom(retry);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()), rich.SerializeAsString());
}

}  // namespace dirigo
