#include "dialog/policy.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dialog/understanding.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/bundled.h"

namespace dirigo {
namespace {

using dirigo::session::v1::DialogState;
using testing::ElementsAre;
using Kind = Action::Kind;

// An action in a few words: "phrase:greeting", "ask:educationLevel/0/".
std::string Describe(const Action& a) {
  switch (a.kind) {
    case Kind::kPhrase:
      return "phrase:" + a.phrase;
    case Kind::kAcknowledge:
      return absl::StrCat("ack:", absl::StrJoin(a.slots, ","),
                          a.update ? "/update" : "");
    case Kind::kFaq:
      return "faq:" + a.faq->id();
    case Kind::kWhy:
      return "why:" + a.slot->def->name();
    case Kind::kStep:
      return "step:" + a.step.id();
    case Kind::kProfile:
      return "profile";
    case Kind::kAsk:
      return absl::StrCat("ask:", a.slot->def->name(), "/", a.variant, "/",
                          a.prefix);
    case Kind::kPlan:
      return a.only.empty() ? "plan:all" : absl::StrCat("plan:", a.only.size());
    case Kind::kPlanReplies:
      return "plan_replies";
    case Kind::kPassage:
      return "passage:" + a.passage.section;
  }
  return "?";
}

class PolicyTest : public testing::Test {
 protected:
  PolicyTest()
      : wording_(*BundledKb()),
        planner_(*BundledKb(), wording_),
        policy_(*BundledKb(), planner_) {}

  std::vector<std::string> Start() { return Describe(policy_.Start(&state_)); }

  // The decision after `text`, as the engine reaches it.
  std::vector<std::string> Tell(const std::string& text) {
    static const Understanding understanding(*BundledKb());
    static const Tracker tracker(*BundledKb());
    state_.set_turn_count(state_.turn_count() + 1);
    const std::string awaiting = state_.awaiting_slot();
    auto n = BundledKb()->NormalizeMessage(text);
    EXPECT_TRUE(n.ok());
    Interpretation in = understanding.Understand(*n, text, awaiting, 2026);
    if (Policy::StartsOver(in)) {
      Policy::StartAfresh(/*erase=*/false, &state_);
      in = understanding.Understand(*n, text, "", 2026);
    }
    dirigo::v1::Trace trace;
    Changes changes = tracker.Apply(in, &state_, &trace);
    last_ = policy_.Decide(in, *n, changes, awaiting, &state_);
    return Describe(last_);
  }
  static std::vector<std::string> Describe(const Decision& d) {
    std::vector<std::string> out;
    for (const Action& a : d.actions) out.push_back(PolicyTest::One(a));
    return out;
  }
  static std::string One(const Action& a) { return dirigo::Describe(a); }

  Wording wording_;
  Planner planner_;
  Policy policy_;
  DialogState state_;
  Decision last_;
};

TEST_F(PolicyTest, GreetsThenAsksTheFirstSlot) {
  EXPECT_THAT(Start(), ElementsAre("phrase:greeting", "ask:educationLevel/0/"));
  EXPECT_EQ(state_.awaiting_slot(), "educationLevel");
}

TEST_F(PolicyTest, AcknowledgesThenAsksTheNextMissingSlot) {
  Start();
  EXPECT_THAT(Tell("ho la triennale in economia, faccio la segretaria"),
              ElementsAre("ack:educationLevel,studyField,experience",
                          "ask:yearsExperience/0/"));
}

TEST_F(PolicyTest, ADigressionIsAnsweredThenTheQuestionResumes) {
  Start();
  EXPECT_THAT(Tell("cos'è il back office?"),
              ElementsAre("faq:back_office", "ask:educationLevel/0/resume"));
  EXPECT_THAT(Tell("perché me lo chiedi?"),
              ElementsAre("why:educationLevel", "ask:educationLevel/0/resume"));
}

TEST_F(PolicyTest, RepromptsInOtherWordsThenSkips) {
  Start();
  EXPECT_THAT(Tell("blablabla"), ElementsAre("ask:educationLevel/1/"));
  EXPECT_THAT(Tell("mmm"), ElementsAre("ask:educationLevel/2/"));
  EXPECT_THAT(Tell("zzz"),
              ElementsAre("phrase:skip_slot", "ask:experience/0/"));
  EXPECT_THAT(state_.skipped(), ElementsAre("educationLevel"));
}

TEST_F(PolicyTest, APlanOnRequestKeepsAsking) {
  Start();
  Tell("non ho la laurea");
  EXPECT_THAT(
      Tell("dammi i consigli"),
      ElementsAre("phrase:advice_early", "plan:all", "phrase:plan_outro",
                  "plan_replies", "ask:experience/0/refine"));
  EXPECT_TRUE(state_.advised());
  EXPECT_FALSE(last_.plan.empty());
  EXPECT_EQ(state_.last_advice_size(), static_cast<int>(last_.plan.size()));
}

TEST_F(PolicyTest, AfterThePlanOnlyWhatChangedIsSaid) {
  Start();
  for (const char* m : {"ho la triennale in economia", "faccio la segretaria",
                        "3", "no", "risorse umane"}) {
    Tell(m);
  }
  EXPECT_THAT(Tell("piccola azienda"),
              ElementsAre("ack:companySize", "phrase:plan_intro", "plan:all",
                          "phrase:plan_outro", "plan_replies"));
  // A step dropped: the whole plan again, numbered anew.
  EXPECT_THAT(
      Tell("anzi, ho anche un master"),
      ElementsAre("ack:educationLevel/update", "phrase:plan_removed",
                  "phrase:plan_renumbered", "plan:all", "plan_replies"));
  // A step added: only it, numbered after the steps already shown.
  EXPECT_THAT(Tell("vorrei diventare vicepresidente"),
              ElementsAre("ack:targetRole", "phrase:plan_changed", "plan:1",
                          "phrase:plan_rest", "plan_replies"));
  EXPECT_EQ(state_.last_advice(state_.last_advice_size() - 1),
            "vice_president");
  // A fact already known changes nothing, and no question waits: nothing to
  // decide (the replies then say they did not understand).
  EXPECT_THAT(Tell("ho un master"), testing::IsEmpty());
}

TEST_F(PolicyTest, EraseStartsAfreshAndSaysSo) {
  Start();
  Tell("ho un master");
  EXPECT_THAT(Tell("cancella i miei dati"),
              ElementsAre("phrase:erased", "ask:educationLevel/0/"));
  EXPECT_TRUE(last_.erase);
  EXPECT_EQ(state_.profile().ByteSizeLong(), 0u);
  EXPECT_EQ(state_.turn_count(), 0);
}

TEST_F(PolicyTest, AGoodbyeAsksNothing) {
  Start();
  EXPECT_THAT(Tell("ciao, grazie e arrivederci"),
              ElementsAre("phrase:greeting_reply", "phrase:goodbye_reply"));
}

TEST_F(PolicyTest, AQuestionNoRuleAnswersGetsTheClosestPassage) {
  Start();
  EXPECT_THAT(Tell("quanti team supervisiona un vicepresidente?"),
              ElementsAre(testing::StartsWith("passage:"),
                          "ask:educationLevel/0/resume"));
  EXPECT_EQ(last_.actions[0].passage.section, "executive_roles");
  // Nothing of the article is near: the guide does not say.
  EXPECT_THAT(
      Tell("che tempo farà domani a Torino?"),
      ElementsAre("phrase:offtopic_reply", "ask:educationLevel/0/resume"));
  // No word of meaning: no question to answer.
  EXPECT_THAT(Tell("ok?"), ElementsAre("ask:educationLevel/1/"));
}

TEST_F(PolicyTest, AFactAndAQuestionBothGetTheirAnswer) {
  Start();
  EXPECT_THAT(Tell("ho il diploma, quanti team supervisiona un dirigente?"),
              ElementsAre("ack:educationLevel", testing::StartsWith("passage:"),
                          "ask:experience/0/"));
}

TEST_F(PolicyTest, MissingSlotsFollowTheConditions) {
  // The field of study waits for a degree, the years for a job.
  EXPECT_THAT(policy_.MissingSlots(state_),
              ElementsAre("educationLevel", "experience", "leadsPeople",
                          "focusArea", "companySize"));
  state_.mutable_profile()->set_education_level(
      dirigo::v1::EDUCATION_LEVEL_SECONDARY_OR_LESS);
  state_.mutable_profile()->set_years_experience(0);
  EXPECT_THAT(policy_.MissingSlots(state_),
              ElementsAre("leadsPeople", "focusArea", "companySize"));
}

}  // namespace
}  // namespace dirigo
