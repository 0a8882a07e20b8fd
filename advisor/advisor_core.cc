#include "advisor/advisor_core.h"

#include <sys/random.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/log.h"
#include "text/unicode.h"

namespace dirigo {
namespace {

constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxChannelBytes = 64;

absl::Status CheckField(const std::string& what, const std::string& value,
                        size_t max, bool required) {
  if (required && value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is required"));
  }
  if (value.size() > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is too long (", value.size(), " bytes; at most ", max, ")"));
  }
  if (absl::Status s = CheckUtf8(value); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not valid UTF-8"));
  }
  return absl::OkStatus();
}

}  // namespace

AdvisorCore::AdvisorCore(
    std::map<std::string, std::shared_ptr<const Engine>> engines,
    SessionStore* store, const Clock* clock)
    : engines_(std::move(engines)), store_(store), clock_(clock) {
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
      return absl::InvalidArgumentError(absl::StrCat(
          "English (\"en\") is not available yet: this server has a knowledge "
          "base for \"",
          absl::StrJoin(known, "\", \""), "\" only"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unknown locale \"", l, "\" (available: \"",
                     absl::StrJoin(known, "\", \""), "\")"));
  }
  return it->second.get();
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

absl::StatusOr<dirigo::v1::CreateSessionResponse> AdvisorCore::CreateSession(
    const dirigo::v1::CreateSessionRequest& request) {
  if (absl::Status s =
          CheckField("channel", request.channel(), kMaxChannelBytes, false);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckField(
          "external_user_id", request.external_user_id(), kMaxIdBytes, false);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const Engine*> engine = EngineFor(request.locale());
  if (!engine.ok()) return engine.status();
  SessionRecord record;
  auto& meta = record.meta;
  meta.set_name(NewSessionName());
  meta.set_locale(request.locale().empty() ? default_locale_
                                           : request.locale());
  meta.set_channel(request.channel());
  meta.set_external_user_id(request.external_user_id());
  int64_t now = absl::ToUnixSeconds(clock_->Now());
  meta.set_create_time_unix(now);
  meta.set_update_time_unix(now);
  dirigo::v1::CreateSessionResponse response;
  *response.mutable_turn() = (*engine)->Start(&record.state);
  meta.set_awaiting_slot(record.state.awaiting_slot());
  if (absl::Status s = store_->Create(record); !s.ok()) return s;
  *response.mutable_session() = meta;
  LOG_INFO("session created: %s", LogName(meta.name()).c_str());
  return response;
}

absl::StatusOr<dirigo::v1::ConverseResponse> AdvisorCore::Converse(
    const dirigo::v1::ConverseRequest& request) {
  if (absl::Status s =
          CheckField("session", request.session(), kMaxIdBytes, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckField("request_id", request.request_id(), kMaxIdBytes, false);
      !s.ok()) {
    return s;
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    absl::StatusOr<SessionRecord> got = store_->Get(request.session());
    if (!got.ok()) return got.status();
    SessionRecord record = std::move(got).value();
    if (!request.request_id().empty()) {
      for (const auto& [id, response] : record.recent) {
        if (id == request.request_id()) return response;
      }
    }
    absl::StatusOr<const Engine*> engine = EngineFor(record.meta.locale());
    if (!engine.ok()) return engine.status();
    absl::StatusOr<EngineReply> reply = (*engine)->Respond(
        request.text(), &record.state,
        absl::ToCivilYear(clock_->Now(), absl::UTCTimeZone()).year());
    if (!reply.ok()) return reply.status();
    dirigo::v1::ConverseResponse response;
    *response.mutable_turn() = reply->turn;
    response.set_request_id(request.request_id());
    auto& meta = record.meta;
    if (reply->erase) {
      // Erase everything kept about the person; the conversation goes on.
      // Remembered turns held their words: a late retry of one of them now
      // gets the erase turn, so it cannot bring the data back.
      meta.clear_external_user_id();
      meta.set_turn_count(0);
      for (auto& [id, remembered] : record.recent) {
        remembered = response;
        remembered.set_request_id(id);
      }
      if (!request.request_id().empty()) {
        record.recent.emplace_back(request.request_id(), response);
      }
      while (record.recent.size() > SessionRecord::kMaxRemembered) {
        record.recent.pop_front();
      }
    } else {
      meta.set_turn_count(meta.turn_count() + 1);
      if (!request.request_id().empty()) {
        record.recent.emplace_back(request.request_id(), response);
        while (record.recent.size() > SessionRecord::kMaxRemembered) {
          record.recent.pop_front();
        }
      }
    }
    *meta.mutable_profile() = record.state.profile();
    *meta.mutable_words() = record.state.words();
    meta.set_awaiting_slot(record.state.awaiting_slot());
    meta.set_advised(record.state.advised());
    meta.set_update_time_unix(absl::ToUnixSeconds(clock_->Now()));
    absl::Status written = store_->Update(record, record.version);
    if (absl::IsAborted(written)) continue;  // a concurrent turn won: redo
    if (!written.ok()) return written;
    LOG_DEBUG("turn: session=%s turn=%d", LogName(meta.name()).c_str(),
              meta.turn_count());
    return response;
  }
  return absl::AbortedError(
      "too many messages at once on this conversation; send them one at a "
      "time");
}

absl::StatusOr<dirigo::v1::Session> AdvisorCore::GetSession(
    const dirigo::v1::GetSessionRequest& request) {
  if (absl::Status s =
          CheckField("session", request.session(), kMaxIdBytes, true);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<SessionRecord> got = store_->Get(request.session());
  if (!got.ok()) return got.status();
  return got->meta;
}

absl::StatusOr<dirigo::v1::DeleteSessionResponse> AdvisorCore::DeleteSession(
    const dirigo::v1::DeleteSessionRequest& request) {
  if (absl::Status s =
          CheckField("session", request.session(), kMaxIdBytes, true);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<SessionRecord> got = store_->Get(request.session());
  if (!got.ok()) return got.status();
  if (absl::Status s = store_->Delete(request.session()); !s.ok()) return s;
  LOG_INFO("session deleted: %s", LogName(request.session()).c_str());
  dirigo::v1::DeleteSessionResponse response;
  absl::StatusOr<const Engine*> engine = EngineFor(got->meta.locale());
  if (engine.ok())
    response.set_message((*engine)->knowledge().Phrase("erased"));
  return response;
}

absl::StatusOr<dirigo::v1::AdviseResponse> AdvisorCore::Advise(
    const dirigo::v1::AdviseRequest& request) {
  absl::StatusOr<const Engine*> engine = EngineFor(request.locale());
  if (!engine.ok()) return engine.status();
  if (absl::Status s =
          CheckField("profile.studyFieldText",
                     request.profile().study_field_text(), 200, false);
      !s.ok()) {
    return s;
  }
  // Enum numbers outside the API's values are refused by name.
  const auto* d = dirigo::v1::Profile::descriptor();
  const auto* r = request.profile().GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->enum_type() == nullptr) continue;
    int n = f->is_repeated() ? r->FieldSize(request.profile(), f) : 1;
    for (int j = 0; j < n; ++j) {
      int v = f->is_repeated()
                  ? r->GetRepeatedEnumValue(request.profile(), f, j)
                  : r->GetEnumValue(request.profile(), f);
      if (f->enum_type()->FindValueByNumber(v) == nullptr ||
          (f->is_repeated() && v == 0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("profile.", f->json_name(), " has no value ", v));
      }
    }
  }
  if (request.profile().has_years_experience() &&
      (request.profile().years_experience() < 0 ||
       request.profile().years_experience() > 80)) {
    return absl::InvalidArgumentError(
        "profile.yearsExperience must be between 0 and 80");
  }
  dirigo::v1::AdviseResponse response;
  for (auto& item : (*engine)->Advise(request.profile())) {
    *response.add_advice() = std::move(item);
  }
  dirigo::kb::v1::DialogState state;
  *state.mutable_profile() = request.profile();
  for (const auto& slot : (*engine)->MissingSlots(state)) {
    response.add_missing_slots(slot);
  }
  response.set_kb_version((*engine)->knowledge().version());
  return response;
}

}  // namespace dirigo
