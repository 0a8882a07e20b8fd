#include "text/normalizer.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {
namespace {

// The Italian rules, as the knowledge base gives them.
const Normalizer& Italian() {
  static const Normalizer* normalizer = [] {
    auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
    if (!kb.ok()) std::abort();
    return new Normalizer((*kb)->normalizer());
  }();
  return *normalizer;
}

absl::StatusOr<NormalizedText> Normalize(absl::string_view text,
                                         const WordCorrector* corrector) {
  return Italian().Normalize(text, corrector);
}

std::optional<int> ParseNumberWord(absl::string_view folded) {
  return Italian().NumberValue(folded);
}

struct Case {
  const char* input;
  const char* normalized;
};

class NormalizeTest : public testing::TestWithParam<Case> {};

TEST_P(NormalizeTest, Normalizes) {
  absl::StatusOr<NormalizedText> n = Normalize(GetParam().input, nullptr);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->text, GetParam().normalized);
}

INSTANTIATE_TEST_SUITE_P(
    Text, NormalizeTest,
    testing::Values(Case{"Ho una LAUREA", "ho una laurea"},
                    Case{"Università", "universita"},
                    Case{"perché è così", "perche e cosi"},
                    Case{"un’azienda", "un azienda"},
                    Case{"dell'università", "dell universita"},
                    Case{"l`ufficio", "l ufficio"},
                    Case{"“back office”", "back office"},
                    Case{"  spazi   tanti\t e tab ", "spazi tanti e tab"},
                    Case{"entry-level!", "entry level"}, Case{"ÈCCO", "ecco"}));

INSTANTIATE_TEST_SUITE_P(
    Numbers, NormalizeTest,
    testing::Values(
        Case{"tre anni", "3 anni"}, Case{"quindici anni", "15 anni"},
        Case{"ventuno", "21"}, Case{"trentatré anni", "33 anni"},
        Case{"ventotto", "28"}, Case{"novantanove", "99"},
        Case{"diciassette", "17"}, Case{"quarantotto", "48"},
        Case{"un anno e mezzo", "1.5 anni"},
        Case{"due anni e mezzo", "2.5 anni"}, Case{"sei mesi", "6 mesi"},
        Case{"lavoro da 5", "lavoro da 5"}, Case{"1,5 anni", "1.5 anni"},
        Case{"uno", "1"},
        // "un", "una" and "sei" are words unless a unit of time follows.
        Case{"sei bravo", "sei bravo"}, Case{"un lavoro", "un lavoro"},
        Case{"una laurea", "una laurea"}, Case{"un anno", "1 anno"}));

TEST(NormalizeTest, NumberWordsUpTo99) {
  const std::pair<const char*, int> kWords[] = {{"zero", 0},
                                                {"uno", 1},
                                                {"nove", 9},
                                                {"dieci", 10},
                                                {"undici", 11},
                                                {"quattordici", 14},
                                                {"diciannove", 19},
                                                {"venti", 20},
                                                {"ventidue", 22},
                                                {"trenta", 30},
                                                {"trentuno", 31},
                                                {"quarantadue", 42},
                                                {"cinquantatre", 53},
                                                {"sessantaquattro", 64},
                                                {"settantacinque", 75},
                                                {"ottantasei", 86},
                                                {"novantasette", 97},
                                                {"novantanove", 99}};
  for (const auto& [word, value] : kWords) {
    EXPECT_EQ(ParseNumberWord(word), value) << word;
  }
  EXPECT_EQ(ParseNumberWord("trentatre"), 33);
  EXPECT_EQ(ParseNumberWord("ventuno"), 21);
  EXPECT_EQ(ParseNumberWord("ottantotto"), 88);
  EXPECT_EQ(ParseNumberWord("novantuno"), 91);
  EXPECT_EQ(ParseNumberWord("tredici"), 13);
  EXPECT_FALSE(ParseNumberWord("cento").has_value());
  EXPECT_FALSE(ParseNumberWord("laurea").has_value());
}

TEST(NormalizeTest, RefusesInvalidUtf8) {
  absl::StatusOr<NormalizedText> n = Normalize("ho una \xff laurea", nullptr);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(n.status().message().find("UTF-8"), std::string::npos);
  EXPECT_FALSE(Normalize("\xc3", nullptr).ok());          // truncated
  EXPECT_FALSE(Normalize("\xed\xa0\x80", nullptr).ok());  // surrogate
}

TEST(NormalizeTest, KeepsTheOriginalWords) {
  std::string original = "Faccio la Segretaria da TRE anni";
  absl::StatusOr<NormalizedText> n = Normalize(original, nullptr);
  ASSERT_TRUE(n.ok());
  size_t at = n->text.find("segretaria");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(n->OriginalSpan(original, at, at + 10), "Segretaria");
  size_t three = n->text.find("3 anni");
  EXPECT_EQ(n->OriginalSpan(original, three, three + 6), "TRE anni");
}

TEST(NormalizeTest, DisplaysCorrectedLowerCaseWords) {
  WordCorrector c = [](const std::string& folded,
                       const std::string&) -> std::optional<std::string> {
    if (folded == "lauera") return std::string("laurea");
    return std::nullopt;
  };
  std::string original = "HO LA LAUERA IN ECONOMIA, ho fatto un MBA";
  absl::StatusOr<NormalizedText> n = Normalize(original, &c);
  ASSERT_TRUE(n.ok());
  size_t at = n->text.find("laurea in economia");
  EXPECT_EQ(n->DisplaySpan(original, at, at + 18), "laurea in economia");
  size_t mba = n->text.find("mba");
  EXPECT_EQ(n->DisplaySpan(original, mba, mba + 3), "MBA");  // an acronym
}

TEST(NormalizeTest, ClausesEndAtMarksAndKnowTheirQuestions) {
  std::string original =
      "Ho un dottorato in fisica, il dottorato conta? Boh… 1,5 anni!";
  absl::StatusOr<NormalizedText> n = Normalize(original, nullptr);
  ASSERT_TRUE(n.ok());
  std::vector<std::string> clauses;
  std::vector<bool> questions;
  for (const auto& c : n->clauses) {
    clauses.push_back(n->text.substr(c.begin, c.end - c.begin));
    questions.push_back(c.question);
  }
  EXPECT_EQ(clauses, (std::vector<std::string>{"ho un dottorato in fisica",
                                               "il dottorato conta", "boh",
                                               "1.5 anni"}));
  EXPECT_EQ(questions, (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(n->ClauseAt(n->text.find("conta")), 1);
  EXPECT_EQ(n->ClauseAt(n->text.find("anni")), 3);
  EXPECT_TRUE(Normalize("", nullptr)->clauses.empty());
  // An emoji ends a sentence as a full stop does; an accented letter not.
  n = Normalize("lavoro in un call center 😅 è la stessa cosa?", nullptr);
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(n->clauses.size(), 2u);
  EXPECT_FALSE(n->clauses[0].question);
  EXPECT_FALSE(n->clauses[1].after_comma);
  EXPECT_TRUE(n->clauses[1].question);
  EXPECT_EQ(Normalize("perché è così", nullptr)->clauses.size(), 1u);
  EXPECT_EQ(
      Normalize("uso Excel® e Word™ ogni giorno", nullptr)->clauses.size(), 1u);
}

TEST(NormalizeTest, RulesComeFromData) {
  LanguageRules rules;
  rules.icu_locale = "en";
  rules.number_words = {{"Three", 3}, {"a", 1}};
  rules.numbers_needing_unit = {"a"};
  rules.time_units = {{"year", "years"}, {"years", "years"}};
  rules.fractions = {{"and a half", 0.5}};
  Normalizer english(rules);
  EXPECT_EQ(english.Normalize("three years and a half")->text, "3.5 years");
  EXPECT_EQ(english.Normalize("a year")->text, "1 year");
  EXPECT_EQ(english.Normalize("a job")->text, "a job");
  EXPECT_EQ(english.Normalize("tre anni")->text, "tre anni");
}

TEST(NormalizeTest, CorrectorIsAskedForWordsOnly) {
  std::vector<std::string> asked;
  WordCorrector c =
      [&](const std::string& folded,
          const std::string& lower) -> std::optional<std::string> {
    asked.push_back(folded);
    if (folded == "lauera") return std::string("laurea");
    return std::nullopt;
  };
  absl::StatusOr<NormalizedText> n = Normalize("Ho la LAUERA da 3 anni", &c);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->text, "ho la laurea da 3 anni");
  ASSERT_EQ(n->fixes.size(), 1u);
  EXPECT_EQ(n->fixes[0].original, "LAUERA");
  EXPECT_EQ(n->fixes[0].corrected, "laurea");
  EXPECT_EQ(std::count(asked.begin(), asked.end(), "3"), 0);
}

// A message of many words costs a bounded number of spelling checks: the
// words after the first kMaxSpellingChecks are read as written.
TEST(NormalizeTest, TheCorrectorSeesABoundedNumberOfWords) {
  int asked = 0;
  WordCorrector c = [&](const std::string& folded,
                        const std::string&) -> std::optional<std::string> {
    ++asked;
    if (folded == "lauera") return std::string("laurea");
    return std::nullopt;
  };
  std::string text = "lauera";
  for (int i = 0; i < 300; ++i) text += " parola";
  text += " lauera";
  absl::StatusOr<NormalizedText> n = Normalize(text, &c);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(asked, Normalizer::kMaxSpellingChecks);
  EXPECT_TRUE(absl::StartsWith(n->text, "laurea parola"));
  EXPECT_TRUE(absl::EndsWith(n->text, "parola lauera"));
}

}  // namespace
}  // namespace dirigo
