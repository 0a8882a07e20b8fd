#include "knowledge/passages.h"

#include "gtest/gtest.h"
#include "tests/support/bundled.h"

namespace dirigo {
namespace {

std::optional<Passage> Closest(const std::string& question) {
  auto n = BundledKb()->NormalizeMessage(question);
  EXPECT_TRUE(n.ok());
  return BundledKb()->passages().Closest(n->text);
}

TEST(PassagesTest, TheClosestSentenceOfTheArticle) {
  auto p = Closest("le multinazionali danno l'IT in outsourcing all'estero?");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->section, "executive_roles");
  EXPECT_NE(p->sentence.find("outsourcing"), std::string::npos);
  EXPECT_GT(p->score, 0);
}

TEST(PassagesTest, FormsOfAWordMeet) {
  // "dirigenziali" in the article, "dirigenziale" in the question.
  auto p = Closest("che posizione dirigenziale semplifica processi?");
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->sentence.find("semplificare i processi"), std::string::npos);
}

TEST(PassagesTest, StopWordsAloneMeetNothing) {
  EXPECT_FALSE(Closest("che cosa è questo?").has_value());
  EXPECT_FALSE(Closest("pizza margherita").has_value());
  auto n = BundledKb()->NormalizeMessage("che cosa è questo?");
  EXPECT_EQ(BundledKb()->passages().MeaningfulWords(n->text), 0u);
}

bool AboutTheSubject(const std::string& question) {
  auto n = BundledKb()->NormalizeMessage(question);
  EXPECT_TRUE(n.ok());
  return BundledKb()->passages().IsAboutTheSubject(n->text);
}

TEST(PassagesTest, KnowsWhatIsAboutTheSubject) {
  EXPECT_TRUE(AboutTheSubject("serve l'inglese per fare il dirigente?"));
  EXPECT_TRUE(AboutTheSubject("ha senso a 57 anni?"));
  EXPECT_FALSE(AboutTheSubject("che tempo fa domani a napoli?"));
  EXPECT_FALSE(AboutTheSubject("pizza margherita"));
}

TEST(PassagesTest, TheOpeningSaysWhatTheWholeArticleSays) {
  auto p = BundledKb()->passages().Opening();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->section, "intro");
  EXPECT_EQ(p->sentence.rfind("Il viaggio per diventare", 0), 0u);
}

TEST(PassagesTest, SynonymsMeetTheArticlesWords) {
  // "hr" is not in the article; "risorse umane" is.
  auto p = Closest("quali aree ci sono oltre a hr?");
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->sentence.find("risorse umane"), std::string::npos);
}

TEST(PassagesTest, AWordOfManySentencesTellsNoneApart) {
  // "dirigente" is in a quarter of the sentences: alone it is no match.
  EXPECT_FALSE(Closest("dirigente").has_value());
}

}  // namespace
}  // namespace dirigo
