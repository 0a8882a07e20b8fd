// The advisor's logic behind the API, without gRPC: sessions, turns,
// idempotent retries, erasure. `AdvisorService` (advisor_service.h) only
// moves requests between gRPC and this class; this is the only place that
// converts between the API's messages and the engine's state.
//
// Limits, checked here and documented in docs/API.md: a message is at most
// 2,000 bytes (Engine::kMaxMessageBytes); session names and request ids at
// most 128 bytes; channel at most 64; external user id at most 128; a
// session remembers its last 8 request ids.
//
// Thread-safe: any number of calls at once; turns of one session are
// serialised by the store's record version (optimistic retry).
#ifndef DIRIGO_ADVISOR_ADVISOR_CORE_H_
#define DIRIGO_ADVISOR_ADVISOR_CORE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "advisor/session_store.h"
#include "base/clock.h"
#include "dialog/engine.h"
#include "dirigo/v1/advisor.pb.h"

namespace dirigo {

// The API's view of a session.
dirigo::v1::Session ToApiSession(const dirigo::session::v1::SessionState& s);

class AdvisorCore {
 public:
  // Turns a session remembers by request id, for retries. A plan turn is
  // about 8 KB.
  static constexpr int kMaxRemembered = 8;

  // `engines` maps a locale ("it") to its engine; "it" is the default when
  // present, else the first locale. `store` and `clock` must outlive the
  // core.
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
  absl::StatusOr<dirigo::v1::ClientTexts> GetClientTexts(
      const dirigo::v1::GetClientTextsRequest& request);

 private:
  absl::StatusOr<const Engine*> EngineFor(const std::string& locale) const;
  // One attempt at a turn; ABORTED when another turn wrote first.
  absl::StatusOr<dirigo::v1::ConverseResponse> TryConverse(
      const dirigo::v1::ConverseRequest& request);
  static std::string NewSessionName();
  static std::string LogName(const std::string& name);

  std::map<std::string, std::shared_ptr<const Engine>> engines_;
  std::string default_locale_;
  SessionStore* store_;
  const Clock* clock_;
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_ADVISOR_CORE_H_
