#include "clients/render/render.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dirigo {
namespace {

using ::testing::ElementsAre;

dirigo::v1::BotTurn Turn() {
  dirigo::v1::BotTurn turn;
  auto* m = turn.add_messages();
  m->set_text("Parti dalla laurea.");
  auto* c = m->add_citations();
  c->set_quote("Un diploma di laurea è quasi sempre essenziale");
  c->set_section_heading("Istruzione");
  turn.add_messages()->set_text("Che studi hai fatto?");
  for (const char* label : {"Diploma", "Laurea triennale"}) {
    auto* q = turn.add_quick_replies();
    q->set_label(label);
    q->set_text(std::string("ho ") + label);
  }
  return turn;
}

TEST(RenderTest, MessagesWithCitationsAndNumberedReplies) {
  EXPECT_THAT(PlainMessages(Turn(), {}),
              ElementsAre("Parti dalla laurea.\n«Un diploma di laurea è quasi "
                          "sempre essenziale» (Istruzione)",
                          "Che studi hai fatto?\n1. Diploma\n2. Laurea "
                          "triennale"));
  // For platforms with buttons the replies are left out of the text.
  EXPECT_THAT(
      PlainMessages(Turn(), {.replies = RenderOptions::Replies::kNone})[1],
      "Che studi hai fatto?");
  EXPECT_THAT(
      PlainMessages(Turn(), {.replies = RenderOptions::Replies::kListed})[1],
      "Che studi hai fatto?\n- Diploma\n- Laurea triennale");
}

TEST(RenderTest, AQuoteTheMessageSaysIsCitedByItsHeading) {
  dirigo::v1::BotMessage m;
  m.set_text("«Tutto qui» dice la guida.");
  auto* c = m.add_citations();
  c->set_quote("Tutto qui");
  c->set_section_heading("Avvio");
  EXPECT_EQ(MessageWithCitations(m, {}), "«Tutto qui» dice la guida.\n(Avvio)");
}

TEST(RenderTest, QuotesAreCutAtASpaceNeverInsideACharacter) {
  EXPECT_EQ(ShortQuote("uno due tre", 6), "uno …");
  EXPECT_EQ(ShortQuote("àààà", 3), "à …");  // 2-byte letters, no space
  EXPECT_EQ(ShortQuote("breve", 10), "breve");
}

TEST(RenderTest, ATypedNumberPicksAReplyUnlessRepliesAreNumbers) {
  dirigo::v1::BotTurn turn = Turn();
  EXPECT_EQ(ChoiceText(turn, "2"), "ho Laurea triennale");
  EXPECT_EQ(ChoiceText(turn, "3"), "");
  EXPECT_EQ(ChoiceText(turn, "ciao"), "");
  turn.mutable_quick_replies(0)->set_label("3 anni");
  EXPECT_EQ(ChoiceText(turn, "2"), "");
  EXPECT_THAT(PlainMessages(turn, {})[1], ::testing::HasSubstr("\n- 3 anni"));
}

}  // namespace
}  // namespace dirigo
