#include "text/spelling.h"

#include <optional>
#include <set>

#include "gtest/gtest.h"
#include "knowledge/knowledge_base.h"
#include "text/normalizer.h"
#include "text/unicode.h"

namespace dirigo {
namespace {

TEST(EditDistanceTest, CountsTranspositionsAsOne) {
  EXPECT_EQ(EditDistance("laurea", "laurea", 2), 0);
  EXPECT_EQ(EditDistance("lauera", "laurea", 2), 1);  // swapped letters
  EXPECT_EQ(EditDistance("laure", "laurea", 2), 1);
  EXPECT_EQ(EditDistance("laureaa", "laurea", 2), 1);
  EXPECT_EQ(EditDistance("lxurex", "laurea", 2), 2);
  EXPECT_GT(EditDistance("casa", "laurea", 1), 1);
}

class CorrectorTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
    ASSERT_TRUE(kb.ok()) << kb.status();
    kb_ = new std::shared_ptr<const KnowledgeBase>(*kb);
  }
  std::string Read(const std::string& text) {
    auto n = (*kb_)->NormalizeMessage(text);
    EXPECT_TRUE(n.ok());
    return n.ok() ? n->text : "";
  }
  static std::shared_ptr<const KnowledgeBase>* kb_;
};
std::shared_ptr<const KnowledgeBase>* CorrectorTest::kb_ = nullptr;

TEST_F(CorrectorTest, CorrectsMisspeltKnownWords) {
  EXPECT_EQ(Read("ho la lauera"), "ho la laurea");
  EXPECT_EQ(Read("faccio la segretaira"), "faccio la segretaria");
  // Two known words one edit away ("segretaria", "segreteria"): kept.
  EXPECT_EQ(Read("segretria"), "segretria");
  EXPECT_EQ(Read("magistarle"), "magistrale");
  EXPECT_EQ(Read("esperieza"), "esperienza");
  EXPECT_EQ(Read("multinazinale"), "multinazionale");
}

TEST_F(CorrectorTest, AWordLongerThanAnyKnownOneIsLeftAsItIs) {
  // 4,000 letters: its deleted forms would take gigabytes were it looked up.
  std::string word;
  for (int i = 0; i < 4000; ++i) word += static_cast<char>('a' + (i * 7) % 26);
  EXPECT_EQ(Read("ho la " + word), "ho la " + word);
  // A misspelling at the edge of the longest words is still read.
  EXPECT_EQ(Read("multinazinale"), "multinazionale");
}

TEST(EditDistanceTest, SymmetricDeletionFindsWhatAFullScanFinds) {
  // Every word within the limit of a query, by both ways, on a small
  // vocabulary with transpositions, insertions and deletions.
  std::set<std::string> vocabulary = {"laurea",     "lauree",     "magistrale",
                                      "segretaria", "segreteria", "economia"};
  SpellingCorrector corrector(vocabulary, nullptr, {});
  for (const std::string query :
       {"laurae", "luarea", "laureaa", "lurea", "magistarle", "magstrale",
        "ecnomia", "economai", "segretari"}) {
    const int limit = query.size() >= kTwoEditsLength ? 2 : 1;
    int best = limit + 1, ties = 0;
    std::string scan;
    for (const std::string& w : vocabulary) {
      const int d = EditDistance(query, w, limit);
      if (d < best) {
        best = d, ties = 1, scan = w;
      } else if (d == best && d <= limit) {
        ++ties;
      }
    }
    std::optional<std::string> expected;
    if (best <= limit && ties == 1) expected = scan;
    EXPECT_EQ(corrector.Correct(query, query), expected) << query;
  }
}

TEST_F(CorrectorTest, NeverCorrectsValidItalianWords) {
  // Valid words outside the vocabulary, some one edit away from a known word
  // ("laureo" / "laurea", "segretari" / "segretaria", "gestiti" / "gestito").
  for (const char* word :
       {"laureo",   "segretari",  "gestiti",    "casa",      "gatto",
        "mare",     "sedia",      "bicicletta", "domani",    "ieri",
        "cucina",   "montagna",   "perché",     "perche",    "città",
        "citta",    "università", "piu",        "gia",       "studiavo",
        "lavorerò", "assistenti", "impiegati",  "dirigenti", "ragazzo",
        "ragazza",  "felice",     "stanco",     "sempre",    "qualche"}) {
    std::string folded = FoldCase(word);
    EXPECT_EQ(Read(word), folded) << word << " was corrected";
  }
}

TEST_F(CorrectorTest, NeverCorrectsNamesOfPlacesTypedInLowerCase) {
  // One edit away from one known word only ("caserma"): the dictionary knows
  // it capitalised.
  EXPECT_EQ(Read("lavoro a caserta"), "lavoro a caserta");
  EXPECT_EQ(Read("sono di parma"), "sono di parma");
}

TEST_F(CorrectorTest, ReadsChatShorthandsAsWords) {
  EXPECT_EQ(Read("NN ho la laurea cmq"), "non ho la laurea comunque");
  EXPECT_EQ(Read("xké me lo kiedi"), "perche me lo chiedi");
}

TEST_F(CorrectorTest, LeavesShortAndAmbiguousWordsAlone) {
  EXPECT_EQ(Read("xyz"), "xyz");                // too short
  EXPECT_EQ(Read("qwertyuiop"), "qwertyuiop");  // nothing near
}

}  // namespace
}  // namespace dirigo
