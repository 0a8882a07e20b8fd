#include "advisor/advisor_core.h"

#include <openssl/evp.h>
#include <sys/random.h>

#include <algorithm>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "advisor/errors.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "dialog/phrase_keys.h"
#include "knowledge/profile_fields.h"
#include "text/unicode.h"

namespace dirigo {
namespace {

using dirigo::session::v1::RememberedTurn;
using dirigo::session::v1::SessionState;

constexpr size_t kMaxIdBytes = AdvisorCore::kMaxIdBytes;
constexpr size_t kMaxChannelBytes = 64;
constexpr size_t kMaxStudyFieldTextBytes = 200;
// Tries of a turn that keeps losing to concurrent turns of its session.
constexpr int kMaxAttempts = 8;

absl::Status CheckField(const std::string& what, const std::string& value,
                        size_t max, bool required) {
  if (required && value.empty()) {
    return WithReason(
        absl::InvalidArgumentError(absl::StrCat(what, " is required")),
        "FIELD_REQUIRED", what);
  }
  if (value.size() > max) {
    return WithReason(absl::InvalidArgumentError(
                          absl::StrCat(what, " is too long (", value.size(),
                                       " bytes; at most ", max, ")")),
                      "FIELD_TOO_LONG", what);
  }
  if (absl::Status s = CheckUtf8(value); !s.ok()) {
    return WithReason(
        absl::InvalidArgumentError(absl::StrCat(what, " is not valid UTF-8")),
        "NOT_UTF8", what);
  }
  return absl::OkStatus();
}

// A profile from a caller: enum numbers outside the API's values are refused
// by name, and so are texts and numbers out of range.
absl::Status CheckProfile(const dirigo::v1::Profile& profile) {
  RETURN_IF_ERROR(CheckField("profile.studyFieldText",
                             profile.study_field_text(),
                             kMaxStudyFieldTextBytes, false));
  const auto* d = dirigo::v1::Profile::descriptor();
  const auto* r = profile.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->enum_type() == nullptr) continue;
    int n = f->is_repeated() ? r->FieldSize(profile, f) : 1;
    for (int j = 0; j < n; ++j) {
      int v = f->is_repeated() ? r->GetRepeatedEnumValue(profile, f, j)
                               : r->GetEnumValue(profile, f);
      if (f->enum_type()->FindValueByNumber(v) == nullptr ||
          (f->is_repeated() && v == 0)) {
        return WithReason(absl::InvalidArgumentError(absl::StrCat(
                              "profile.", f->json_name(), " has no value ", v)),
                          "PROFILE_INVALID",
                          absl::StrCat("profile.", f->json_name()));
      }
    }
  }
  if (profile.has_years_experience() &&
      (profile.years_experience() < 0 ||
       profile.years_experience() > kMaxYearsExperience)) {
    return WithReason(absl::InvalidArgumentError(absl::StrCat(
                          "profile.yearsExperience must be between 0 and ",
                          kMaxYearsExperience)),
                      "PROFILE_INVALID", "profile.yearsExperience");
  }
  return absl::OkStatus();
}

// FNV-1a, 64 bits: a stable digest of a request's text, so that an id
// reused with another text is recognised without keeping the text twice.
uint64_t TextDigest(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h == 0 ? 1 : h;  // 0 means "no digest"
}

absl::Status CancelledError() {
  return WithReason(
      absl::CancelledError(
          "the call was cancelled or its deadline passed before the message "
          "was applied; send it again (with the same request id) to apply it"),
      "CANCELLED");
}

std::string TurnText(const dirigo::v1::BotTurn& turn) {
  std::string text;
  for (const auto& m : turn.messages()) {
    if (!text.empty()) text += "\n\n";
    text += m.text();
  }
  return text;
}

}  // namespace

dirigo::v1::Session ToApiSession(const SessionState& s,
                                 absl::Duration idle_ttl) {
  dirigo::v1::Session out;
  out.set_name(s.name());
  out.set_locale(s.locale());
  out.set_channel(s.channel());
  out.set_external_user_id(s.external_user_id());
  *out.mutable_profile() = s.dialog().profile();
  out.set_awaiting_slot(s.dialog().awaiting_slot());
  out.set_advised(s.dialog().advised());
  out.set_turn_count(s.dialog().turn_count());
  out.set_create_time_unix(s.create_time_unix());
  out.set_update_time_unix(s.update_time_unix());
  out.set_expire_time_unix(s.update_time_unix() +
                           absl::ToInt64Seconds(idle_ttl));
  *out.mutable_transcript() = s.transcript();
  *out.mutable_sources() = s.dialog().sources();
  for (const auto& [slot, source] : s.dialog().sources()) {
    if (!source.words().empty()) (*out.mutable_words())[slot] = source.words();
  }
  return out;
}

AdvisorCore::AdvisorCore(
    std::map<std::string, std::shared_ptr<const Engine>> engines,
    SessionStore* store, const Clock* clock, CoreOptions options)
    : engines_(std::move(engines)),
      store_(store),
      resume_by_user_(options.resume_by_user),
      max_message_bytes_(
          std::min(options.max_message_bytes, Engine::kMaxMessageBytes)),
      clock_(clock) {
  default_locale_ = engines_.count("it") ? "it" : engines_.begin()->first;
}

absl::StatusOr<const Engine*> AdvisorCore::EngineFor(
    const std::string& locale) const {
  std::string l = locale.empty() ? default_locale_ : locale;
  auto it = engines_.find(l);
  if (it == engines_.end()) {
    std::vector<std::string> known;
    for (const auto& [k, v] : engines_) known.push_back(k);
    if (l == "en") {
      return WithReason(
          absl::InvalidArgumentError(absl::StrCat(
              "English (\"en\") is not available yet: this server has a "
              "knowledge base for \"",
              absl::StrJoin(known, "\", \""), "\" only")),
          "LOCALE_UNAVAILABLE", "locale");
    }
    // A locale is a short tag ("it"): anything else is not echoed whole.
    const bool tag =
        l.size() <= 16 && std::all_of(l.begin(), l.end(), [](char c) {
          return absl::ascii_isalnum(c) || c == '-' || c == '_';
        });
    return WithReason(
        absl::InvalidArgumentError(absl::StrCat(
            "unknown locale ",
            tag ? absl::StrCat("\"", l, "\"")
                : absl::StrCat("(", l.size(), " bytes, not a language tag)"),
            " (available: \"", absl::StrJoin(known, "\", \""), "\")")),
        "LOCALE_UNAVAILABLE", "locale");
  }
  return it->second.get();
}

void AdvisorCore::Record(SessionState* s,
                         dirigo::v1::TranscriptEntry::Author author,
                         const std::string& text) const {
  dirigo::v1::TranscriptEntry* e = s->add_transcript();
  e->set_author(author);
  e->set_text(text);
  e->set_turn(s->dialog().turn_count());
  e->set_time_unix(absl::ToUnixSeconds(clock_->Now()));
  size_t bytes = 0;
  for (const auto& t : s->transcript()) bytes += t.text().size();
  int drop = 0;
  while (drop < s->transcript_size() - 1 &&
         (s->transcript_size() - drop > kMaxTranscriptEntries ||
          bytes > kMaxTranscriptBytes)) {
    bytes -= s->transcript(drop).text().size();
    ++drop;
  }
  if (drop > 0) s->mutable_transcript()->DeleteSubrange(0, drop);
}

std::string AdvisorCore::NewSessionName() {
  // The name is the only key to a conversation: 128 bits from the kernel's
  // cryptographic generator, so names cannot be guessed from others.
  uint64_t bits[2] = {0, 0};
  size_t got = 0;
  while (got < sizeof(bits)) {
    ssize_t n =
        getrandom(reinterpret_cast<char*>(bits) + got, sizeof(bits) - got, 0);
    if (n > 0) got += n;
  }
  return absl::StrCat("s-", absl::Hex(bits[0], absl::kZeroPad16),
                      absl::Hex(bits[1], absl::kZeroPad16));
}

std::string AdvisorCore::LogName(const std::string& name) {
  // Logs name a conversation by a short digest, never by its key.
  return absl::StrCat(
      "#", absl::Hex(std::hash<std::string>{}(name)&0xffffff, absl::kZeroPad6));
}

std::string AdvisorCore::UserKey(const std::string& channel,
                                 const std::string& external_user_id) {
  // The channel's length first: no two (channel, id) pairs give one text.
  const std::string joined =
      absl::StrCat(channel.size(), ":", channel, external_user_id);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(joined.data(), joined.size(), digest, &size, EVP_sha256(),
             nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), size));
}

absl::StatusOr<SessionRecord> AdvisorCore::Load(const std::string& name,
                                                const std::string& owner) {
  absl::StatusOr<SessionRecord> record = store_->Get(name);
  // Another caller's session answers as one that is not there; so does an
  // unreadable one when callers have owners (whose it is cannot be told).
  if (!owner.empty() && absl::IsDataLoss(record.status())) {
    return SessionStore::NotFound(name);
  }
  if (!record.ok()) return record.status();
  if (record->state.owner() != owner) return SessionStore::NotFound(name);
  return record;
}

std::string AdvisorCore::LinkKey(const std::string& owner,
                                 const std::string& channel,
                                 const std::string& external_user_id) {
  // The owner's length first: no two (owner, channel) pairs give one text.
  return UserKey(
      owner.empty() ? channel : absl::StrCat(owner.size(), ":", owner, channel),
      external_user_id);
}

absl::StatusOr<dirigo::v1::CreateSessionResponse> AdvisorCore::CreateSession(
    const dirigo::v1::CreateSessionRequest& request, const std::string& owner) {
  RETURN_IF_ERROR(
      CheckField("channel", request.channel(), kMaxChannelBytes, false));
  RETURN_IF_ERROR(CheckField("external_user_id", request.external_user_id(),
                             kMaxIdBytes, false));
  ASSIGN_OR_RETURN(const Engine* engine, EngineFor(request.locale()));
  const std::string user =
      request.external_user_id().empty()
          ? ""
          : LinkKey(owner, request.channel(), request.external_user_id());
  if (!user.empty() && resume_by_user_) {
    absl::StatusOr<std::string> linked = store_->FindUser(user);
    if (linked.ok()) {
      absl::StatusOr<dirigo::v1::CreateSessionResponse> resumed =
          Welcome(*linked, request, owner, *engine);
      // A conversation gone, unreadable, or not theirs any more: a new one
      // below.
      if (!absl::IsNotFound(resumed.status()) &&
          !absl::IsDataLoss(resumed.status())) {
        return resumed;
      }
    } else if (!absl::IsNotFound(linked.status())) {
      return linked.status();
    }
  }
  SessionRecord record;
  SessionState& s = record.state;
  s.set_name(NewSessionName());
  s.set_locale(engine->knowledge().locale());
  s.set_channel(request.channel());
  s.set_external_user_id(request.external_user_id());
  s.set_owner(owner);
  const int64_t now = absl::ToUnixSeconds(clock_->Now());
  s.set_create_time_unix(now);
  s.set_update_time_unix(now);
  dirigo::v1::CreateSessionResponse response;
  *response.mutable_turn() = engine->Start(s.mutable_dialog());
  Record(&s, dirigo::v1::TranscriptEntry::BOT, TurnText(response.turn()));
  RETURN_IF_ERROR(store_->Create(record));
  if (!user.empty() && resume_by_user_) {
    // Without the link the person gets a new conversation next time; the
    // one made now is theirs all the same.
    if (absl::Status linked = store_->LinkUser(user, s.name()); !linked.ok()) {
      LOG_INFO("a person was not linked: %s",
               std::string(linked.message()).c_str());
    }
  }
  *response.mutable_session() = ToApiSession(s, store_->idle_ttl());
  LOG_INFO("session created: %s", LogName(s.name()).c_str());
  return response;
}

absl::StatusOr<dirigo::v1::CreateSessionResponse> AdvisorCore::Welcome(
    const std::string& name, const dirigo::v1::CreateSessionRequest& request,
    const std::string& owner, const Engine& engine) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    ASSIGN_OR_RETURN(SessionRecord record, Load(name, owner));
    SessionState& s = record.state;
    // Theirs still (an erase forgets who they are), and in their language.
    if (s.channel() != request.channel() ||
        s.external_user_id() != request.external_user_id() ||
        s.locale() != engine.knowledge().locale()) {
      return absl::NotFoundError("no conversation for this person");
    }
    dirigo::v1::CreateSessionResponse response;
    *response.mutable_turn() = engine.Welcome(s.mutable_dialog());
    Record(&s, dirigo::v1::TranscriptEntry::BOT, TurnText(response.turn()));
    s.set_update_time_unix(absl::ToUnixSeconds(clock_->Now()));
    absl::Status saved = store_->Update(record, record.version);
    if (absl::IsAborted(saved)) continue;  // a turn landed meanwhile
    RETURN_IF_ERROR(saved);
    // The link's life starts again (best effort, as after a turn).
    AfterTurn(LinkKey(owner, request.channel(), request.external_user_id()),
              /*erase=*/false, name);
    response.set_resumed(true);
    *response.mutable_session() = ToApiSession(s, store_->idle_ttl());
    LOG_INFO("session resumed: %s", LogName(name).c_str());
    return response;
  }
  return WithReason(absl::AbortedError("too many messages at once on this "
                                       "conversation; try again"),
                    "SESSION_BUSY");
}

absl::StatusOr<dirigo::v1::ConverseResponse> AdvisorCore::Converse(
    const dirigo::v1::ConverseRequest& request, const Cancelled& cancelled,
    const std::string& owner) {
  RETURN_IF_ERROR(CheckField("session", request.session(), kMaxIdBytes, true));
  RETURN_IF_ERROR(
      CheckField("request_id", request.request_id(), kMaxIdBytes, false));
  if (request.text().size() > max_message_bytes_) {
    return WithReason(absl::InvalidArgumentError(absl::StrCat(
                          "the message is too long (", request.text().size(),
                          " bytes; at most ", max_message_bytes_, ")")),
                      "MESSAGE_INVALID", "text");
  }
  if (absl::Status utf8 = CheckUtf8(request.text()); !utf8.ok()) {
    return WithReason(utf8, "MESSAGE_INVALID", "text");
  }
  // Control characters are no words: the bot reads, and keeps, the text
  // without them.
  dirigo::v1::ConverseRequest clean = request;
  clean.set_text(StripControlCharacters(request.text()));
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    absl::StatusOr<dirigo::v1::ConverseResponse> response =
        TryConverse(clean, cancelled, owner);
    if (!absl::IsAborted(response.status())) return response;
    // A concurrent turn on the same conversation won: redo on its state.
  }
  return WithRetryDelay(
      WithReason(absl::AbortedError("too many messages at once on this "
                                    "conversation; send them one at a time"),
                 "SESSION_BUSY"),
      absl::Milliseconds(100));
}

absl::StatusOr<dirigo::v1::ConverseResponse> AdvisorCore::TryConverse(
    const dirigo::v1::ConverseRequest& request, const Cancelled& cancelled,
    const std::string& owner) {
  if (cancelled()) return CancelledError();
  ASSIGN_OR_RETURN(SessionRecord record, Load(request.session(), owner));
  SessionState& s = record.state;
  const uint64_t digest = TextDigest(request.text());
  for (const RememberedTurn& r : s.recent()) {
    if (request.request_id().empty() || r.request_id() != request.request_id())
      continue;
    if (r.text_digest() != 0 && r.text_digest() != digest) {
      return WithReason(
          absl::InvalidArgumentError(absl::StrCat(
              "request id '", request.request_id(),
              "' was already used for a different message; give each new "
              "message a new id")),
          "REQUEST_ID_REUSED", "request_id");
    }
    return r.response();
  }
  if (cancelled()) return CancelledError();
  ASSIGN_OR_RETURN(const Engine* engine, EngineFor(s.locale()));
  absl::StatusOr<EngineReply> replied = engine->Respond(
      request.text(), s.mutable_dialog(),
      static_cast<int>(
          absl::ToCivilYear(clock_->Now(), absl::UTCTimeZone()).year()));
  if (absl::IsInvalidArgument(replied.status())) {
    // The engine refuses only the message itself (too long, not UTF-8).
    return WithReason(replied.status(), "MESSAGE_INVALID", "text");
  }
  ASSIGN_OR_RETURN(EngineReply reply, std::move(replied));
  dirigo::v1::ConverseResponse response;
  *response.mutable_turn() = std::move(reply.turn);
  if (request.omit_trace()) response.mutable_turn()->clear_trace();
  response.set_request_id(request.request_id());
  const std::string user =
      s.external_user_id().empty()
          ? ""
          : LinkKey(s.owner(), s.channel(), s.external_user_id());
  KeepTurn(request, digest, reply.erase, response, &s);
  s.set_update_time_unix(absl::ToUnixSeconds(clock_->Now()));
  // The last point where the turn can still be skipped.
  if (cancelled()) return CancelledError();
  RETURN_IF_ERROR(store_->Update(record, record.version));
  AfterTurn(user, reply.erase, s.name());
  LOG_DEBUG("turn: session=%s turn=%d", LogName(s.name()).c_str(),
            s.dialog().turn_count());
  return response;
}

void AdvisorCore::KeepTurn(const dirigo::v1::ConverseRequest& request,
                           uint64_t digest, bool erase,
                           const dirigo::v1::ConverseResponse& response,
                           SessionState* s) const {
  if (erase) {
    // Erase everything kept about the person; the conversation goes on.
    // Remembered turns held their words: a late retry of one of them now
    // gets the erase turn, so it cannot bring the data back.
    s->clear_external_user_id();
    s->clear_transcript();
    // Only the bot's answer stays, so that a person coming back sees where
    // the conversation stands; it holds nothing of theirs.
    Record(s, dirigo::v1::TranscriptEntry::BOT, TurnText(response.turn()));
    for (RememberedTurn& r : *s->mutable_recent()) {
      *r.mutable_response() = response;
      r.mutable_response()->set_request_id(r.request_id());
      r.set_text_digest(0);
    }
  } else {
    Record(s, dirigo::v1::TranscriptEntry::PERSON, request.text());
    Record(s, dirigo::v1::TranscriptEntry::BOT, TurnText(response.turn()));
  }
  if (!request.request_id().empty()) {
    RememberedTurn* r = s->add_recent();
    r->set_request_id(request.request_id());
    if (!erase) r->set_text_digest(digest);
    *r->mutable_response() = response;
    if (s->recent_size() > kMaxRemembered) {
      s->mutable_recent()->DeleteSubrange(0, s->recent_size() - kMaxRemembered);
    }
  }
  FitSession(s);
}

void AdvisorCore::FitSession(SessionState* s) {
  while (s->ByteSizeLong() > kMaxSessionBytes) {
    if (s->recent_size() > 1) {
      s->mutable_recent()->DeleteSubrange(0, 1);
    } else if (s->transcript_size() > 2) {
      s->mutable_transcript()->DeleteSubrange(0, 2);
    } else if (s->recent_size() == 1 &&
               s->recent(0).response().turn().has_trace()) {
      // A retry of it gets the answer without its trace.
      s->mutable_recent(0)->mutable_response()->mutable_turn()->clear_trace();
    } else {
      return;  // a turn and its answer: bounded by the message limit
    }
  }
}

void AdvisorCore::AfterTurn(const std::string& user, bool erase,
                            const std::string& name) {
  // The person's link lives as long as their conversation, and goes with
  // their data. A failure leaves a link to a session no longer theirs,
  // which CreateSession ignores.
  if (!user.empty() && (erase || resume_by_user_)) {
    absl::Status linked =
        erase ? store_->UnlinkUser(user) : store_->LinkUser(user, name);
    if (!linked.ok()) {
      LOG_INFO("a person's link was not %s: %s",
               erase ? "removed" : "refreshed",
               std::string(linked.message()).c_str());
    }
  }
  if (erase) {
    // Old copies of the erased data may linger in the store's files.
    if (absl::Status scrub = store_->Scrub(); !scrub.ok()) {
      LOG_INFO("scrub after an erase failed: %s",
               std::string(scrub.message()).c_str());
    }
  }
}

absl::StatusOr<dirigo::v1::Session> AdvisorCore::GetSession(
    const dirigo::v1::GetSessionRequest& request, const std::string& owner) {
  RETURN_IF_ERROR(CheckField("session", request.session(), kMaxIdBytes, true));
  ASSIGN_OR_RETURN(SessionRecord record, Load(request.session(), owner));
  dirigo::v1::Session session = ToApiSession(record.state, store_->idle_ttl());
  if (absl::StatusOr<const Engine*> engine = EngineFor(record.state.locale());
      engine.ok()) {
    session.set_pending_question(
        (*engine)->PendingQuestion(record.state.dialog()));
  }
  return session;
}

absl::StatusOr<dirigo::v1::DeleteSessionResponse> AdvisorCore::DeleteSession(
    const dirigo::v1::DeleteSessionRequest& request, const std::string& owner) {
  RETURN_IF_ERROR(CheckField("session", request.session(), kMaxIdBytes, true));
  absl::StatusOr<SessionRecord> record = Load(request.session(), owner);
  // A record that cannot be read can still be erased, by any caller: it
  // holds nothing anyone can read.
  if (!record.ok() && !absl::IsDataLoss(record.status())) {
    return record.status();
  }
  RETURN_IF_ERROR(store_->Delete(request.session()));
  if (record.ok() && !record->state.external_user_id().empty()) {
    // A link left behind points to no session, and holds a digest only.
    if (absl::Status unlinked = store_->UnlinkUser(LinkKey(
            owner, record->state.channel(), record->state.external_user_id()));
        !unlinked.ok()) {
      LOG_INFO("a person's link was not removed: %s",
               std::string(unlinked.message()).c_str());
    }
  }
  if (absl::Status scrub = store_->Scrub(); !scrub.ok()) {
    LOG_INFO("scrub after a delete failed: %s",
             std::string(scrub.message()).c_str());
  }
  LOG_INFO("session deleted: %s", LogName(request.session()).c_str());
  dirigo::v1::DeleteSessionResponse response;
  absl::StatusOr<const Engine*> engine =
      EngineFor(record.ok() ? record->state.locale() : "");
  if (engine.ok()) {
    // In the register the person wrote in.
    const KnowledgeBase& kb = (*engine)->knowledge();
    response.set_message(
        kb.InRegister(kb.Phrase(phrase::kErased),
                      record.ok() && record->state.dialog().formal()));
  }
  return response;
}

absl::StatusOr<dirigo::v1::ClientTexts> AdvisorCore::GetClientTexts(
    const dirigo::v1::GetClientTextsRequest& request) {
  ASSIGN_OR_RETURN(const Engine* engine, EngineFor(request.locale()));
  const KnowledgeBase& kb = engine->knowledge();
  dirigo::v1::ClientTexts out;
  out.set_locale(kb.locale());
  for (const auto& t : kb.proto().client().text()) {
    (*out.mutable_texts())[t.key()] = t.text(0);
  }
  *out.mutable_commands() = kb.proto().client().command();
  out.set_kb_version(kb.version());
  return out;
}

absl::StatusOr<dirigo::v1::AdviseResponse> AdvisorCore::Advise(
    const dirigo::v1::AdviseRequest& request) {
  ASSIGN_OR_RETURN(const Engine* engine, EngineFor(request.locale()));
  RETURN_IF_ERROR(CheckProfile(request.profile()));
  dirigo::v1::AdviseResponse response;
  for (auto& item : engine->Advise(request.profile())) {
    *response.add_advice() = std::move(item);
  }
  dirigo::session::v1::DialogState state;
  *state.mutable_profile() = request.profile();
  for (const auto& slot : engine->MissingSlots(state)) {
    response.add_missing_slots(slot);
  }
  response.set_kb_version(engine->knowledge().version());
  return response;
}

}  // namespace dirigo
