#include "dialog/planning.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/bundled.h"

namespace dirigo {
namespace {

std::vector<std::string> Ids(const std::vector<dirigo::v1::AdviceItem>& plan) {
  std::vector<std::string> ids;
  for (const auto& item : plan) ids.push_back(item.id());
  return ids;
}

class PlanningTest : public testing::Test {
 protected:
  PlanningTest() : wording_(*BundledKb()), planner_(*BundledKb(), wording_) {}
  Wording wording_;
  Planner planner_;
};

TEST_F(PlanningTest, RulesThatHoldInPriorityOrderEachCited) {
  dirigo::v1::Profile p;
  p.set_education_level(dirigo::v1::EDUCATION_LEVEL_SECONDARY_OR_LESS);
  p.set_years_experience(0);
  p.set_leads_people(false);
  auto plan = planner_.Plan(p);
  ASSERT_GE(plan.size(), 3u);
  EXPECT_THAT(Ids(plan),
              testing::ElementsAre("degree_first", "get_experience",
                                   "show_leadership", "organisation_people"));
  for (const auto& item : plan) {
    ASSERT_GT(item.citations_size(), 0) << item.id();
    EXPECT_FALSE(item.citations(0).section_heading().empty());
    EXPECT_EQ(item.text().find('{'), std::string::npos) << item.text();
  }
}

TEST_F(PlanningTest, TextsSayThePersonsWords) {
  dirigo::v1::Profile p;
  p.add_experience(dirigo::v1::EXPERIENCE_KIND_ADMIN_ENTRY_LEVEL);
  dirigo::session::v1::DialogState state;
  (*state.mutable_sources())["experience"].set_words("receptionist");
  auto plain = planner_.Plan(p);
  auto worded = planner_.Plan(p, FactWords(state));
  auto text = [](const auto& plan, const std::string& id) {
    for (const auto& i : plan) {
      if (i.id() == id) return i.text();
    }
    return std::string();
  };
  EXPECT_THAT(text(worded, "beyond_entry_level"),
              testing::HasSubstr("(receptionist)"));
  EXPECT_THAT(text(plain, "beyond_entry_level"),
              testing::HasSubstr("(esperienza amministrativa)"));
}

TEST(PlanDiffTest, AddedAndRemovedSteps) {
  google::protobuf::RepeatedPtrField<std::string> old;
  *old.Add() = "a";
  *old.Add() = "b";
  std::vector<dirigo::v1::AdviceItem> plan(2);
  plan[0].set_id("b");
  plan[1].set_id("c");
  PlanDiff diff = Planner::Compare(old, plan);
  EXPECT_THAT(diff.added, testing::ElementsAre("c"));
  EXPECT_THAT(diff.removed, testing::ElementsAre("a"));
  EXPECT_FALSE(diff.unchanged());
  plan[1].set_id("a");
  EXPECT_TRUE(Planner::Compare(old, plan).unchanged());
}

}  // namespace
}  // namespace dirigo
