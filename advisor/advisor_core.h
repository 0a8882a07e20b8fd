// The advisor's logic behind the API, without gRPC: sessions, turns,
// idempotent retries, erasure. `AdvisorService` (advisor_service.h) only
// moves requests between gRPC and this class.
//
// Limits, checked here and documented in docs/API.md: a message is at most
// 2,000 bytes (Engine::kMaxMessageBytes); session names and request ids at
// most 128 bytes; channel at most 64; external user id at most 128.
//
// Thread-safe: any number of calls at once; turns of one session are
// serialised by the store's record version (optimistic retry).
#ifndef DIRIGO_ADVISOR_ADVISOR_CORE_H_
#define DIRIGO_ADVISOR_ADVISOR_CORE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "advisor/session_store.h"
#include "dialog/engine.h"
#include "dirigo/v1/advisor.pb.h"

namespace dirigo {

class AdvisorCore {
 public:
  // `engines` maps a locale ("it") to its engine; the first locale is the
  // default. `store` and `clock` must outlive the core.
  AdvisorCore(std::map<std::string, std::shared_ptr<const Engine>> engines,
              SessionStore* store, const Clock* clock);

  absl::StatusOr<dirigo::v1::CreateSessionResponse> CreateSession(
      const dirigo::v1::CreateSessionRequest& request);
  absl::StatusOr<dirigo::v1::ConverseResponse> Converse(
      const dirigo::v1::ConverseRequest& request);
  absl::StatusOr<dirigo::v1::Session> GetSession(
      const dirigo::v1::GetSessionRequest& request);
  absl::StatusOr<dirigo::v1::DeleteSessionResponse> DeleteSession(
      const dirigo::v1::DeleteSessionRequest& request);
  absl::StatusOr<dirigo::v1::AdviseResponse> Advise(
      const dirigo::v1::AdviseRequest& request);

 private:
  absl::StatusOr<const Engine*> EngineFor(const std::string& locale) const;
  static std::string NewSessionName();
  static std::string LogName(const std::string& name);

  std::map<std::string, std::shared_ptr<const Engine>> engines_;
  std::string default_locale_;
  SessionStore* store_;
  const Clock* clock_;
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_ADVISOR_CORE_H_
