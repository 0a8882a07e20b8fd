#include "dialog/ranking.h"

#include "gtest/gtest.h"
#include "knowledge/compiler.h"

namespace dirigo {
namespace {

namespace kbv1 = ::dirigo::kb::v1;

// A rule of `band` and `rank` that sets `slot` (or only carries an intent).
struct Rule {
  kbv1::Pattern def;
  CompiledPattern compiled;
  Rule(const std::string& id, kbv1::Pattern::Band band, int rank,
       const std::string& slot) {
    def.set_id(id);
    def.set_band(band);
    def.set_rank(rank);
    if (slot.empty()) {
      def.set_intent("why");
    } else {
      def.add_set()->set_slot(slot);
    }
    compiled.def = &def;
    compiled.priority = PatternPriority(def);
  }
  Match At(size_t begin, size_t end) const {
    Match m;
    m.rule = &compiled;
    m.begin = begin;
    m.end = end;
    return m;
  }
};

TEST(RankingTest, BandThenRankThenLengthThenPositionThenId) {
  Rule fact_top("a.fact", kbv1::Pattern::FACT, 9, "educationLevel");
  Rule negation("b.negation", kbv1::Pattern::NEGATION, 0, "educationLevel");
  Rule fact("c.fact", kbv1::Pattern::FACT, 0, "educationLevel");
  Rule other("d.fact", kbv1::Pattern::FACT, 0, "educationLevel");
  // A higher band wins, whatever the rank and the length.
  EXPECT_TRUE(Outranks(negation.At(0, 3), fact_top.At(0, 20)));
  // Within a band the rank wins, whatever the length.
  EXPECT_TRUE(Outranks(fact_top.At(0, 3), fact.At(0, 20)));
  // Then the longer match, then the earlier one.
  EXPECT_TRUE(Outranks(fact.At(5, 20), other.At(0, 10)));
  EXPECT_TRUE(Outranks(other.At(0, 10), fact.At(5, 15)));
  // Then the smaller id: never the order of the files.
  EXPECT_TRUE(Outranks(fact.At(0, 10), other.At(0, 10)));
  EXPECT_FALSE(Outranks(other.At(0, 10), fact.At(0, 10)));
}

TEST(RankingTest, ReadingOrderIsPositionThenId) {
  Rule a("a", kbv1::Pattern::COMMAND, 0, "");
  Rule b("b", kbv1::Pattern::WEAK, 0, "");
  EXPECT_TRUE(ReadsBefore(b.At(0, 5), a.At(1, 5)));
  EXPECT_TRUE(ReadsBefore(a.At(1, 5), b.At(1, 2)));
}

TEST(RankingTest, OnlyOverlappingMatchesOnOneSlotCompete) {
  Rule level("level", kbv1::Pattern::FACT, 0, "educationLevel");
  Rule field("field", kbv1::Pattern::FACT, 0, "studyField");
  Rule why("why", kbv1::Pattern::QUESTION, 0, "");
  EXPECT_TRUE(Compete(level.At(0, 10), level.At(5, 15)));
  EXPECT_FALSE(Compete(level.At(0, 10), level.At(10, 15)));  // no overlap
  EXPECT_FALSE(Compete(level.At(0, 10), field.At(5, 15)));   // other slots
  EXPECT_TRUE(Compete(why.At(0, 10), field.At(5, 15)));      // an intent
}

}  // namespace
}  // namespace dirigo
