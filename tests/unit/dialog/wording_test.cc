#include "dialog/wording.h"

#include "dialog/replies.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/bundled.h"

namespace dirigo {
namespace {

using testing::HasSubstr;

TEST(WordingTest, FactsJoinWithTheLanguagesSeparators) {
  Wording w(*BundledKb());
  EXPECT_EQ(w.JoinFacts({}), "");
  EXPECT_EQ(w.JoinFacts({"a"}), "a");
  EXPECT_EQ(w.JoinFacts({"a", "b"}), "a e b");
  EXPECT_EQ(w.JoinFacts({"a", "b", "c"}), "a, b e c");
  // "ed" before a word that starts with "e".
  EXPECT_EQ(w.JoinFacts({"diploma", "esperienza di gestione"}),
            "diploma ed esperienza di gestione");
  EXPECT_EQ(w.JoinFacts({"diploma", "Esperienza"}), "diploma ed Esperienza");
}

TEST(WordingTest, SpeaksInItsRegister) {
  Wording informal(*BundledKb()), formal(*BundledKb(), /*formal=*/true);
  const std::string question = "Che studi hai fatto?";
  const std::string neutral = "laurea triennale";
  EXPECT_EQ(informal.Say(question), "Che studi hai fatto?");
  EXPECT_EQ(formal.Say(question), "Che studi ha fatto?");
  EXPECT_EQ(formal.Say(neutral), "laurea triennale");
}

TEST(WordingTest, AFactInThePersonsWordsElseInTheKnowledgeBases) {
  Wording w(*BundledKb());
  dirigo::v1::Profile p;
  p.add_experience(dirigo::v1::EXPERIENCE_KIND_ADMIN_ENTRY_LEVEL);
  p.add_experience(dirigo::v1::EXPERIENCE_KIND_FRONT_OFFICE);
  p.set_years_experience(4);
  const FactWords none;
  EXPECT_EQ(w.FactText(p, none, "experience"),
            "esperienza amministrativa ed esperienza di front office");
  dirigo::session::v1::DialogState state;
  (*state.mutable_sources())["experience"].set_words("cassiera");
  (*state.mutable_sources())["yearsExperience"].set_rule_id("years.since");
  EXPECT_EQ(w.FactText(p, FactWords(state), "experience"), "cassiera");
  // A source without words: the value said by the knowledge base.
  EXPECT_EQ(w.FactText(p, FactWords(state), "yearsExperience"),
            "4 anni di lavoro");
  EXPECT_EQ(w.FactText(p, none, "leadsPeople"), "");  // unknown
  EXPECT_EQ(w.FactText(p, none, "nope"), "");
}

TEST(WordingTest, ACompanionFallsBackToItsFact) {
  Wording w(*BundledKb());
  dirigo::v1::Profile p;
  p.set_study_field(dirigo::v1::STUDY_FIELD_OTHER);
  EXPECT_EQ(w.Fill("({studyFieldText})", p, FactWords()),
            "(studi in un altro campo)");
  p.set_study_field_text("filosofia");
  EXPECT_EQ(w.Fill("({studyFieldText})", p, FactWords()), "(filosofia)");
  dirigo::session::v1::DialogState state;
  (*state.mutable_sources())["studyField"].set_words("lettere");
  EXPECT_EQ(w.Fill("{studyField}!", p, FactWords(state)), "lettere!");
}

TEST(WordingTest, CitationsCarryTheirSectionsHeading) {
  Wording w(*BundledKb());
  dirigo::kb::v1::Citation c;
  c.set_section("intro");
  c.set_quote("q");
  EXPECT_EQ(w.Cite(c).section_heading(), "Introduzione");
}

TEST(RepliesTest, ATurnThatWouldSayNothingSaysItDidNotUnderstand) {
  Wording w(*BundledKb());
  Replies replies(*BundledKb(), w);
  dirigo::session::v1::DialogState state;
  dirigo::v1::BotTurn turn;
  replies.Render(Decision(), &state, &turn);
  ASSERT_EQ(turn.messages_size(), 1);
  EXPECT_EQ(turn.messages(0).text(), BundledKb()->Phrase("not_understood", 0));
  EXPECT_EQ(state.phrase_counter(), 1);
  EXPECT_EQ(turn.kb_version(), BundledKb()->version());
}

TEST(RepliesTest, RotatingPhrasesVaryAndAGreetingWaitsItsTurn) {
  Wording w(*BundledKb());
  Replies replies(*BundledKb(), w);
  dirigo::session::v1::DialogState state;
  Decision d;
  d.Add(Action::Phrase("ack", /*rotate=*/true));
  d.actions.back().values = {{"{facts}", "x"}};
  Action greeting = Action::Phrase("greeting_reply", /*rotate=*/true);
  greeting.only_if_first = true;
  d.Add(greeting);
  dirigo::v1::BotTurn first, second;
  replies.Render(d, &state, &first);
  replies.Render(d, &state, &second);
  ASSERT_EQ(first.messages_size(), 1);  // the greeting came second: not said
  EXPECT_EQ(first.messages(0).text(), "Bene: x.");
  EXPECT_EQ(second.messages(0).text(), "Ok, mi segno: x.");
  // A greeting not said uses up no variant.
  EXPECT_EQ(state.phrase_counter(), 2);
}

}  // namespace
}  // namespace dirigo
