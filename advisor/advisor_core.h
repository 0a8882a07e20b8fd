// The advisor's logic behind the API, without gRPC: sessions, turns,
// idempotent retries, erasure. `AdvisorService` (advisor_service.h) only
// moves requests between gRPC and this class; this is the only place that
// converts between the API's messages and the engine's state.
//
// Limits, checked here and documented in docs/API.md: a message is at most
// `CoreOptions::max_message_bytes` (4 KiB by default); session names and
// request ids at most 128 bytes; channel at most 64; external user id at most
// 128; a session remembers its last 8 request ids, and a transcript of its last
// 100 messages (at most 32 KiB of text); all it keeps at most 64 KiB.
//
// Thread-safe: any number of calls at once; turns of one session are
// serialised by the store's record version (optimistic retry).
#ifndef DIRIGO_ADVISOR_ADVISOR_CORE_H_
#define DIRIGO_ADVISOR_ADVISOR_CORE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "advisor/session_store.h"
#include "base/clock.h"
#include "dialog/engine.h"
#include "dirigo/v1/advisor.pb.h"

namespace dirigo {

// The API's view of a session; it expires `idle_ttl` after its last message.
dirigo::v1::Session ToApiSession(const dirigo::session::v1::SessionState& s,
                                 absl::Duration idle_ttl);

// Whether the caller has given up on a call (deadline passed, cancelled):
// work not yet done is skipped.
using Cancelled = std::function<bool()>;

struct CoreOptions {
  // With `resume_by_user`, CreateSession with a channel and an external
  // user id returns that person's conversation when there is one: only for
  // servers whose callers are trusted bridges, since the server does not
  // check who names a channel.
  bool resume_by_user = false;
  // Longest message accepted, in bytes (at most Engine::kMaxMessageBytes).
  size_t max_message_bytes = 4096;
};

class AdvisorCore {
 public:
  // Longest session name, request id or external user id, in bytes.
  static constexpr size_t kMaxIdBytes = 128;
  // Turns a session remembers by request id, for retries. A plan turn is
  // about 8 KB.
  static constexpr int kMaxRemembered = 8;
  // Transcript bounds: entries, and bytes of text.
  static constexpr int kMaxTranscriptEntries = 100;
  static constexpr size_t kMaxTranscriptBytes = size_t{32} * 1024;
  // Most bytes a session holds (its stored SessionState): beyond, the oldest
  // remembered turns go first, then the oldest transcript entries, then the
  // trace of the one remembered turn left. This bounds the memory store:
  // --max_sessions × this, plus the store's overhead.
  static constexpr size_t kMaxSessionBytes = size_t{64} * 1024;

  // `engines` maps a locale ("it") to its engine; "it" is the default when
  // present, else the first locale. `store` and `clock` must outlive the
  // core.
  AdvisorCore(std::map<std::string, std::shared_ptr<const Engine>> engines,
              SessionStore* store, const Clock* clock,
              CoreOptions options = {});

  // `owner`, on every call that names a session: the name of the caller's
  // API token ("" when the server asks for none). A session created with an
  // owner is NOT_FOUND to every other caller, and a person is found again
  // only by the owner that linked them.
  absl::StatusOr<dirigo::v1::CreateSessionResponse> CreateSession(
      const dirigo::v1::CreateSessionRequest& request,
      const std::string& owner = "");
  // A turn is applied at most once per request id. When `cancelled` says
  // so before the turn is saved, it is not applied (CANCELLED); once saved,
  // it is applied even if the caller has gone (a retry with the same id
  // gets it).
  absl::StatusOr<dirigo::v1::ConverseResponse> Converse(
      const dirigo::v1::ConverseRequest& request,
      const Cancelled& cancelled = [] { return false; },
      const std::string& owner = "");
  absl::StatusOr<dirigo::v1::Session> GetSession(
      const dirigo::v1::GetSessionRequest& request,
      const std::string& owner = "");
  absl::StatusOr<dirigo::v1::DeleteSessionResponse> DeleteSession(
      const dirigo::v1::DeleteSessionRequest& request,
      const std::string& owner = "");
  absl::StatusOr<dirigo::v1::AdviseResponse> Advise(
      const dirigo::v1::AdviseRequest& request);
  absl::StatusOr<dirigo::v1::ClientTexts> GetClientTexts(
      const dirigo::v1::GetClientTextsRequest& request);

  // The store's key for a person of a channel: a SHA-256 digest, so that
  // the store never holds the person's id in its links.
  static std::string UserKey(const std::string& channel,
                             const std::string& external_user_id);

 private:
  absl::StatusOr<const Engine*> EngineFor(const std::string& locale) const;
  // The session `name`, if `owner` may see it.
  absl::StatusOr<SessionRecord> Load(const std::string& name,
                                     const std::string& owner);
  // The store's key for a person of a channel, for `owner`.
  static std::string LinkKey(const std::string& owner,
                             const std::string& channel,
                             const std::string& external_user_id);
  // One attempt at a turn; ABORTED when another turn wrote first.
  absl::StatusOr<dirigo::v1::ConverseResponse> TryConverse(
      const dirigo::v1::ConverseRequest& request, const Cancelled& cancelled,
      const std::string& owner);
  // Keeps a computed turn in the session: the transcript, the turn by its
  // request id; after an erase, nothing of the person's.
  void KeepTurn(const dirigo::v1::ConverseRequest& request, uint64_t digest,
                bool erase, const dirigo::v1::ConverseResponse& response,
                dirigo::session::v1::SessionState* s) const;
  // After a turn is saved: the person's link (`user`, "" when none)
  // refreshed, or removed with an erase; the store scrubbed after an erase.
  void AfterTurn(const std::string& user, bool erase, const std::string& name);
  // Trims `s` to kMaxSessionBytes (see there).
  static void FitSession(dirigo::session::v1::SessionState* s);
  // Appends to the transcript, keeping it within its bounds.
  void Record(dirigo::session::v1::SessionState* s,
              dirigo::v1::TranscriptEntry::Author author,
              const std::string& text) const;
  // A person coming back: their session with a welcome-back turn;
  // NOT_FOUND when it is gone or no longer theirs.
  absl::StatusOr<dirigo::v1::CreateSessionResponse> Welcome(
      const std::string& name, const dirigo::v1::CreateSessionRequest& request,
      const std::string& owner, const Engine& engine);
  static std::string NewSessionName();
  static std::string LogName(const std::string& name);

  std::map<std::string, std::shared_ptr<const Engine>> engines_;
  std::string default_locale_;
  SessionStore* store_;
  const bool resume_by_user_;
  const size_t max_message_bytes_;
  const Clock* clock_;
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_ADVISOR_CORE_H_
