#include "advisor/advisor_core.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"

namespace dirigo {
namespace {

using testing::HasSubstr;

class AdvisorCoreTest : public testing::Test {
 protected:
  void SetUp() override {
    auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
    ASSERT_TRUE(kb.ok()) << kb.status();
    std::map<std::string, std::shared_ptr<const Engine>> engines;
    auto engine = Engine::Create(*kb);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engines["it"] = *engine;
    store_ = std::make_unique<InMemorySessionStore>(&clock_, StoreOptions{});
    core_ = std::make_unique<AdvisorCore>(engines, store_.get(), &clock_,
                                          CoreOptions{.resume_by_user = true});
    dirigo::v1::CreateSessionRequest req;
    req.set_channel("test");
    req.set_external_user_id("u-1");
    auto created = core_->CreateSession(req);
    ASSERT_TRUE(created.ok()) << created.status();
    session_ = created->session().name();
  }

  absl::StatusOr<dirigo::v1::ConverseResponse> Say(const std::string& text,
                                                   const std::string& id = "") {
    dirigo::v1::ConverseRequest req;
    req.set_session(session_);
    req.set_text(text);
    req.set_request_id(id);
    return core_->Converse(req);
  }

  FakeClock clock_;
  std::unique_ptr<InMemorySessionStore> store_;
  std::unique_ptr<AdvisorCore> core_;
  std::string session_;
};

TEST_F(AdvisorCoreTest, RetriedRequestIsAppliedOnce) {
  auto first = Say("ho una laurea", "req-1");
  ASSERT_TRUE(first.ok());
  auto again = Say("ho una laurea", "req-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->SerializeAsString(), again->SerializeAsString());
  dirigo::v1::GetSessionRequest get;
  get.set_session(session_);
  EXPECT_EQ(core_->GetSession(get)->turn_count(), 1);
  ASSERT_TRUE(Say("ho una laurea", "req-2").ok());
  EXPECT_EQ(core_->GetSession(get)->turn_count(), 2);
}

TEST_F(AdvisorCoreTest, EnglishIsRefusedClearly) {
  dirigo::v1::CreateSessionRequest req;
  req.set_locale("en");
  auto r = core_->CreateSession(req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("not available yet"));
  req.set_locale("fr");
  EXPECT_THAT(core_->CreateSession(req).status().message(),
              HasSubstr("unknown locale \"fr\""));
  // Not a language tag: named by its size, never echoed whole.
  req.set_locale(std::string(100000, 'x') + "\n<script>");
  const std::string message(core_->CreateSession(req).status().message());
  EXPECT_THAT(message, HasSubstr("100009 bytes, not a language tag"));
  EXPECT_LT(message.size(), 200u);
}

TEST_F(AdvisorCoreTest, EraseInWordsForgetsThePerson) {
  ASSERT_TRUE(Say("ho un master in economia").ok());
  dirigo::v1::GetSessionRequest before;
  before.set_session(session_);
  // What the bot keeps is visible: the profile and the person's words.
  auto kept = core_->GetSession(before);
  EXPECT_EQ(kept->words().at("studyField"), "economia");
  // And where each fact came from.
  EXPECT_EQ(kept->sources().at("studyField").words(), "economia");
  EXPECT_EQ(kept->sources().at("educationLevel").turn(), 1);
  EXPECT_EQ(kept->sources().at("educationLevel").rule_id(), "education.master");
  ASSERT_TRUE(Say("cancella i miei dati").ok());
  dirigo::v1::GetSessionRequest get;
  get.set_session(session_);
  auto s = core_->GetSession(get);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->profile().ByteSizeLong(), 0u);
  EXPECT_TRUE(s->words().empty());
  EXPECT_TRUE(s->sources().empty());
  EXPECT_TRUE(s->external_user_id().empty());
}

TEST_F(AdvisorCoreTest, ARetryAfterAnEraseDoesNotBringDataBack) {
  ASSERT_TRUE(
      Say("ho un master in economia, lavoro come segretaria", "r1").ok());
  ASSERT_TRUE(Say("cancella i miei dati", "r2").ok());
  auto late = Say("ho un master in economia, lavoro come segretaria", "r1");
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->turn().profile().ByteSizeLong(), 0u);
  auto again = Say("cancella i miei dati", "r2");
  ASSERT_TRUE(again.ok());
  dirigo::v1::GetSessionRequest get;
  get.set_session(session_);
  auto s = core_->GetSession(get);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->profile().ByteSizeLong(), 0u);
  auto record = store_->Get(session_);
  ASSERT_TRUE(record.ok());
  // Nothing stored holds the words: not the remembered turns, not the
  // sources of the facts.
  EXPECT_EQ(record->state.recent_size(), 2);
  std::string stored = record->state.SerializeAsString();
  EXPECT_EQ(stored.find("segretaria"), std::string::npos);
  EXPECT_EQ(stored.find("economia"), std::string::npos);
  EXPECT_TRUE(record->state.dialog().sources().empty());
}

TEST_F(AdvisorCoreTest, SessionNamesAreUnguessable) {
  std::set<std::string> names;
  for (int i = 0; i < 200; ++i) {
    dirigo::v1::CreateSessionRequest req;
    auto r = core_->CreateSession(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->session().name().size(), 34u);  // "s-" + 128 bits in hex
    names.insert(r->session().name());
  }
  EXPECT_EQ(names.size(), 200u);
}

TEST_F(AdvisorCoreTest, DeleteSessionErasesIt) {
  dirigo::v1::DeleteSessionRequest del;
  del.set_session(session_);
  ASSERT_TRUE(core_->DeleteSession(del).ok());
  EXPECT_EQ(Say("ciao").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core_->DeleteSession(del).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AdvisorCoreTest, ExpiredSessionIsNotFound) {
  clock_.Advance(absl::Hours(1));
  auto r = Say("ciao");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("expired"));
}

TEST_F(AdvisorCoreTest, BadRequestsGetClearErrors) {
  dirigo::v1::ConverseRequest req;
  EXPECT_THAT(core_->Converse(req).status().message(),
              HasSubstr("session is required"));
  req.set_session(std::string(200, 'x'));
  EXPECT_THAT(core_->Converse(req).status().message(), HasSubstr("too long"));
  dirigo::v1::AdviseRequest advise;
  advise.mutable_profile()->set_education_level(
      static_cast<dirigo::v1::EducationLevel>(42));
  EXPECT_THAT(core_->Advise(advise).status().message(),
              HasSubstr("profile.educationLevel has no value 42"));
}

TEST_F(AdvisorCoreTest, AdviseNamesWhatIsMissing) {
  dirigo::v1::AdviseRequest req;
  req.mutable_profile()->set_education_level(
      dirigo::v1::EDUCATION_LEVEL_BACHELOR);
  auto r = core_->Advise(req);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(std::vector<std::string>(r->missing_slots().begin(),
                                       r->missing_slots().end()),
              // yearsExperience is asked once the kind of work is known.
              testing::ElementsAre("studyField", "experience", "leadsPeople",
                                   "focusArea", "companySize"));
  EXPECT_THAT(r->advice(0).id(), "consider_master");
}

TEST_F(AdvisorCoreTest, ConcurrentTurnsOnOneSessionAreAllCountedOnce) {
  std::atomic<int> ok{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = Say("ho una laurea");
        if (r.ok()) {
          ++ok;
        } else {
          EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
          ++aborted;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok + aborted, 100);
  dirigo::v1::GetSessionRequest get;
  get.set_session(session_);
  // No turn is lost or applied twice.
  EXPECT_EQ(core_->GetSession(get)->turn_count(), ok.load());
}

TEST_F(AdvisorCoreTest, APersonOfAChannelComesBackToTheirConversation) {
  // The fixture's session belongs to "u-1" of channel "test".
  ASSERT_TRUE(Say("ho la laurea triennale in economia").ok());
  dirigo::v1::CreateSessionRequest again;
  again.set_channel("test");
  again.set_external_user_id("u-1");
  auto back = core_->CreateSession(again);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->resumed());
  EXPECT_EQ(back->session().name(), session_);
  EXPECT_EQ(back->session().profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
  // Welcome back, what is known, and the pending question.
  ASSERT_GE(back->turn().messages_size(), 3);
  EXPECT_THAT(back->turn().messages(0).text(), HasSubstr("risentirci"));
  EXPECT_THAT(back->turn().messages(1).text(), HasSubstr("laurea triennale"));
  EXPECT_EQ(back->turn().awaiting_slot(), "experience");
  // The same id on another channel is another person.
  again.set_channel("other");
  auto other = core_->CreateSession(again);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->resumed());
  EXPECT_NE(other->session().name(), session_);
  // The store links a digest, never the person's id.
  const std::string key = AdvisorCore::UserKey("test", "u-1");
  EXPECT_EQ(*store_->FindUser(key), session_);
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key.find("u-1"), std::string::npos);
  // After "cancella i miei dati" the bot no longer knows who they are.
  ASSERT_TRUE(Say("cancella i miei dati").ok());
  EXPECT_EQ(store_->FindUser(key).status().code(), absl::StatusCode::kNotFound);
  again.set_channel("test");
  auto after_erase = core_->CreateSession(again);
  ASSERT_TRUE(after_erase.ok());
  EXPECT_FALSE(after_erase->resumed());
  // After DeleteSession, neither.
  dirigo::v1::DeleteSessionRequest del;
  del.set_session(after_erase->session().name());
  ASSERT_TRUE(core_->DeleteSession(del).ok());
  EXPECT_EQ(store_->FindUser(key).status().code(), absl::StatusCode::kNotFound);
  auto after_delete = core_->CreateSession(again);
  ASSERT_TRUE(after_delete.ok());
  EXPECT_FALSE(after_delete->resumed());
  // An expired conversation is not resumed either.
  clock_.Advance(absl::Hours(1));
  auto after_expiry = core_->CreateSession(again);
  ASSERT_TRUE(after_expiry.ok());
  EXPECT_FALSE(after_expiry->resumed());
  EXPECT_NE(after_expiry->session().name(), after_delete->session().name());
}

TEST(AdvisorCoreResumeTest, OffByDefault) {
  FakeClock clock;
  InMemorySessionStore store(&clock, {});
  auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
  ASSERT_TRUE(kb.ok());
  std::map<std::string, std::shared_ptr<const Engine>> engines;
  engines["it"] = *Engine::Create(*kb);
  AdvisorCore core(engines, &store, &clock);
  dirigo::v1::CreateSessionRequest req;
  req.set_channel("telegram");
  req.set_external_user_id("42");
  auto first = core.CreateSession(req);
  auto second = core.CreateSession(req);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(second->resumed());
  EXPECT_NE(first->session().name(), second->session().name());
}

TEST_F(AdvisorCoreTest, TranscriptKeepsTheLastEntriesWithinItsBounds) {
  for (int i = 0; i < 70; ++i) {
    ASSERT_TRUE(Say("messaggio numero " + std::to_string(i)).ok());
  }
  dirigo::v1::GetSessionRequest get;
  get.set_session(session_);
  auto session = core_->GetSession(get);
  ASSERT_TRUE(session.ok());
  size_t bytes = 0;
  for (const auto& e : session->transcript()) bytes += e.text().size();
  EXPECT_LE(session->transcript_size(), AdvisorCore::kMaxTranscriptEntries);
  EXPECT_LE(bytes, AdvisorCore::kMaxTranscriptBytes);
  // The newest are kept, in order: the last message and its answer.
  const int n = session->transcript_size();
  EXPECT_EQ(session->transcript(n - 2).text(), "messaggio numero 69");
  EXPECT_EQ(session->transcript(n - 2).turn(), 70);
  EXPECT_EQ(session->transcript(n - 1).author(),
            dirigo::v1::TranscriptEntry::BOT);
  // Long messages: the byte bound holds too.
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(Say(std::string(1900, 'a') + " " + std::to_string(i)).ok());
  }
  session = core_->GetSession(get);
  bytes = 0;
  for (const auto& e : session->transcript()) bytes += e.text().size();
  EXPECT_LE(bytes, AdvisorCore::kMaxTranscriptBytes);
  EXPECT_GT(session->transcript_size(), 10);
}

// The worst a caller can make a session hold: the longest messages, each
// with the longest request id and its trace kept.
TEST_F(AdvisorCoreTest, ASessionHoldsAtMostItsByteBound) {
  std::string words;
  const std::vector<std::string> some = {
      "laurea", "economia", "segretaria", "anni", "lavoro", "ufficio", "ho"};
  for (size_t i = 0; words.size() < 4000; ++i) {
    words += some[i % some.size()] + " ";
  }
  size_t largest = 0;
  for (int i = 0; i < 40; ++i) {
    std::string id = std::string(120, 'r') + std::to_string(1000 + i);
    auto said = Say(words, id);
    ASSERT_TRUE(said.ok()) << said.status();
    auto record = store_->Get(session_);
    ASSERT_TRUE(record.ok());
    largest = std::max(largest, record->state.ByteSizeLong());
  }
  EXPECT_LE(largest, AdvisorCore::kMaxSessionBytes);
  EXPECT_GT(largest, AdvisorCore::kMaxSessionBytes / 2);
  // The last turn is still answered the same on a retry.
  auto last = Say(words, std::string(120, 'r') + "1039");
  ASSERT_TRUE(last.ok());
  dirigo::v1::GetSessionRequest get;
  get.set_session(session_);
  EXPECT_EQ(core_->GetSession(get)->turn_count(), 40);
}

TEST_F(AdvisorCoreTest, ACancelledTurnIsNotApplied) {
  dirigo::v1::ConverseRequest req;
  req.set_session(session_);
  req.set_text("ho una laurea");
  dirigo::v1::GetSessionRequest get;
  get.set_session(session_);
  // Cancelled at each point where the turn can still be skipped: before it
  // starts, after the session is read, just before the save.
  for (int point = 1; point <= 3; ++point) {
    int asked = 0;
    auto r = core_->Converse(req, [&] { return ++asked >= point; });
    EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << point;
    EXPECT_THAT(r.status().message(), HasSubstr("same request id"));
    EXPECT_EQ(core_->GetSession(get)->turn_count(), 0) << point;
  }
  EXPECT_TRUE(core_->Converse(req, [] { return false; }).ok());
  EXPECT_EQ(core_->GetSession(get)->turn_count(), 1);
}

// A store whose bytes can be spoiled, as a damaged disk would.
class SpoilableStore final : public SessionStore {
 public:
  explicit SpoilableStore(const Clock* clock) : SessionStore(clock, {}) {}
  absl::Status Delete(const std::string& name) override {
    return bytes_.erase(name) ? absl::OkStatus() : NotFound(name);
  }
  absl::Status UnlinkUser(const std::string& user) override {
    links_.erase(user);
    return absl::OkStatus();
  }
  std::string Describe() const override { return "spoilable"; }
  std::map<std::string, Stored> bytes_;
  std::map<std::string, Link> links_;

 protected:
  absl::Status CreateBytes(const std::string& name, std::string bytes,
                           absl::Time now) override {
    bytes_[name] = Stored{std::move(bytes), 1, now};
    return absl::OkStatus();
  }
  absl::StatusOr<Stored> GetBytes(const std::string& name) override {
    auto it = bytes_.find(name);
    if (it == bytes_.end()) return NotFound(name);
    return it->second;
  }
  absl::Status UpdateBytes(const std::string& name, std::string bytes,
                           int64_t expected_version, absl::Time now) override {
    bytes_[name] = Stored{std::move(bytes), expected_version + 1, now};
    return absl::OkStatus();
  }
  absl::Status PutLink(const std::string& user, const std::string& name,
                       absl::Time now) override {
    links_[user] = Link{name, now};
    return absl::OkStatus();
  }
  absl::StatusOr<Link> GetLink(const std::string& user) override {
    auto it = links_.find(user);
    if (it == links_.end()) return absl::NotFoundError(user);
    return it->second;
  }
};

TEST(AdvisorCoreStoreTest, AnUnreadableSessionCanStillBeDeleted) {
  FakeClock clock;
  SpoilableStore store(&clock);
  auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
  ASSERT_TRUE(kb.ok());
  std::map<std::string, std::shared_ptr<const Engine>> engines;
  engines["it"] = *Engine::Create(*kb);
  AdvisorCore core(engines, &store, &clock);
  auto created = core.CreateSession({});
  ASSERT_TRUE(created.ok());
  const std::string name = created->session().name();
  store.bytes_[name].bytes = "\xff\xff\xff";
  dirigo::v1::GetSessionRequest get;
  get.set_session(name);
  EXPECT_EQ(core.GetSession(get).status().code(), absl::StatusCode::kDataLoss);
  dirigo::v1::DeleteSessionRequest del;
  del.set_session(name);
  auto deleted = core.DeleteSession(del);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_FALSE(deleted->message().empty());
  EXPECT_TRUE(store.bytes_.empty());
}

}  // namespace
}  // namespace dirigo
