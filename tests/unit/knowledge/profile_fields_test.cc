#include "knowledge/profile_fields.h"

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace dirigo {
namespace {

TEST(ProfileFieldsTest, SetsAndReadsByJsonName) {
  dirigo::v1::Profile p;
  const auto* edu = FindProfileField("educationLevel");
  ASSERT_NE(edu, nullptr);
  EXPECT_FALSE(IsSlotKnown(p, edu));
  ASSERT_TRUE(SetSlotValue(&p, edu, "MASTER").ok());
  EXPECT_EQ(p.education_level(), dirigo::v1::EDUCATION_LEVEL_MASTER);
  EXPECT_EQ(GetSlotValues(p, edu), std::vector<std::string>{"MASTER"});

  const auto* exp = FindProfileField("experience");
  ASSERT_TRUE(SetSlotValue(&p, exp, "CONSULTING").ok());
  ASSERT_TRUE(SetSlotValue(&p, exp, "CONSULTING").ok());  // a set: once
  ASSERT_TRUE(SetSlotValue(&p, exp, "FRONT_OFFICE").ok());
  EXPECT_EQ(p.experience_size(), 2);

  // A known false and a known zero are present.
  ASSERT_TRUE(SetSlotValue(&p, FindProfileField("leadsPeople"), "false").ok());
  ASSERT_TRUE(SetSlotValue(&p, FindProfileField("yearsExperience"), "0").ok());
  EXPECT_TRUE(p.has_leads_people());
  EXPECT_TRUE(p.has_years_experience());
  EXPECT_EQ(GetSlotValues(p, FindProfileField("yearsExperience")),
            std::vector<std::string>{"0"});
}

TEST(ProfileFieldsTest, RefusesBadValues) {
  EXPECT_FALSE(CheckSlotValue(FindProfileField("educationLevel"), "PHD").ok());
  EXPECT_FALSE(
      CheckSlotValue(FindProfileField("educationLevel"), "UNSPECIFIED").ok());
  EXPECT_FALSE(CheckSlotValue(FindProfileField("leadsPeople"), "yes").ok());
  EXPECT_FALSE(CheckSlotValue(FindProfileField("yearsExperience"), "-1").ok());
  EXPECT_EQ(FindProfileField("age"), nullptr);
}

TEST(ProfileFieldsTest, EvaluatesConditions) {
  dirigo::kb::v1::Condition c;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(all { slot: "experience" any_of: "ADMIN_ENTRY_LEVEL" }
           all { slot: "experience" none_of: "MANAGEMENT" }
           all { slot: "yearsExperience" at_least: 2 })pb",
      &c));
  ASSERT_TRUE(CheckCondition(c).ok());
  dirigo::v1::Profile p;
  EXPECT_FALSE(ConditionHolds(c, p));
  p.add_experience(dirigo::v1::EXPERIENCE_KIND_ADMIN_ENTRY_LEVEL);
  p.set_years_experience(3);
  EXPECT_TRUE(ConditionHolds(c, p));
  p.add_experience(dirigo::v1::EXPERIENCE_KIND_MANAGEMENT);
  EXPECT_FALSE(ConditionHolds(c, p));

  dirigo::kb::v1::Condition unknown;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(all { slot: "leadsPeople" unknown: true })pb", &unknown));
  dirigo::v1::Profile q;
  EXPECT_TRUE(ConditionHolds(unknown, q));
  q.set_leads_people(false);
  EXPECT_FALSE(ConditionHolds(unknown, q));
}

}  // namespace
}  // namespace dirigo
