#include "clients/telegram/telegram_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dirigo {
namespace {

using ::testing::ElementsAre;

TEST(EscapeMarkdownV2, EscapesEveryReservedCharacterAndNothingElse) {
  EXPECT_EQ(EscapeMarkdownV2("1. Vai (subito)! a_b *c* [d] ~e~ `f` >g #h +i "
                             "-j =k |l {m} \\n"),
            "1\\. Vai \\(subito\\)\\! a\\_b \\*c\\* \\[d\\] \\~e\\~ \\`f\\` "
            "\\>g \\#h \\+i \\-j \\=k \\|l \\{m\\} \\\\n");
  EXPECT_EQ(EscapeMarkdownV2("più «così» l’ufficio"), "più «così» l’ufficio");
}

TEST(Utf16Length, CountsUnitsNotBytes) {
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("più"), 3u);  // è: 2 bytes, 1 unit
  EXPECT_EQ(Utf16Length("«»"), 2u);
  EXPECT_EQ(Utf16Length("ok 👍"), 5u);  // beyond the BMP: 2 units
}

TEST(SplitText, CutsAtTheLastLineBreakThenSpaceWithinTheLimit) {
  EXPECT_THAT(SplitText("uno due\ntre quattro", 12, TextUnit::kBytes),
              ElementsAre("uno due", "tre quattro"));
  EXPECT_THAT(SplitText("uno due tre quattro", 12, TextUnit::kBytes),
              ElementsAre("uno due tre", "quattro"));
  EXPECT_THAT(SplitText("corto", 12, TextUnit::kBytes), ElementsAre("corto"));
}

TEST(SplitText, InBytesForIrcLines) {
  EXPECT_THAT(SplitText("più più", 4, TextUnit::kBytes),
              ElementsAre("più", "più"));
  EXPECT_THAT(SplitText("èèè", 3, TextUnit::kBytes),
              ElementsAre("è", "è", "è"));
  // A limit under one character: one character a part, never half of one.
  EXPECT_THAT(SplitText("èè", 1, TextUnit::kBytes), ElementsAre("è", "è"));
}

// Found by fuzzing: a limit below one character's size still cuts between
// characters, each then a part of its own.
TEST(SplitText, ALimitBelowACharacterKeepsItWhole) {
  EXPECT_EQ(SplitText("\xf0\x9f\x98\x80\xc3\xa8", 1, TextUnit::kUtf16),
            (std::vector<std::string>{"\xf0\x9f\x98\x80", "\xc3\xa8"}));
  EXPECT_EQ(SplitText("\xc3\xa8"
                      "a",
                      1, TextUnit::kBytes),
            (std::vector<std::string>{"\xc3\xa8", "a"}));
}

TEST(SplitText, NeverCutsInsideACharacter) {
  // No space at all: whole characters only, each part within the limit.
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "è";
  std::vector<std::string> parts =
      SplitText(text, kTelegramMaxText, TextUnit::kUtf16);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(Utf16Length(parts[0]), kTelegramMaxText);
  EXPECT_EQ(parts[0].size() + parts[1].size(), text.size());
  std::string emoji;
  for (int i = 0; i < 3; ++i) emoji += "👍";
  EXPECT_THAT(SplitText(emoji, 3, TextUnit::kUtf16),
              ElementsAre("👍", "👍", "👍"));
}

TEST(TelegramMessages, QuotesInItalicsUnderTheText) {
  dirigo::v1::BotMessage m;
  m.set_text("1. Studia economia.");
  auto* c = m.add_citations();
  c->set_quote("L’istruzione è forse la cosa più importante.");
  c->set_section_heading("Importanza dell’istruzione");
  EXPECT_THAT(TelegramMessages(m),
              ElementsAre("1\\. Studia economia\\.\n_«L’istruzione è forse la "
                          "cosa più importante\\.»_ \\(Importanza "
                          "dell’istruzione\\)"));
}

TEST(TelegramMessages, ALongMessageIsSplitWithinTheLimit) {
  dirigo::v1::BotMessage m;
  std::string text;
  while (text.size() < 9000) text += "Una frase del back office. ";
  m.set_text(text);
  std::vector<std::string> parts = TelegramMessages(m);
  ASSERT_EQ(parts.size(), 3u);
  for (const std::string& p : parts) {
    // Escapes are not counted by Telegram: count the text without them.
    std::string plain;
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] == '\\') ++i;
      if (i < p.size()) plain += p[i];
    }
    EXPECT_LE(Utf16Length(plain), kTelegramMaxText);
  }
}

}  // namespace
}  // namespace dirigo
