#include "text/unicode.h"

#include "gtest/gtest.h"

namespace dirigo {
namespace {

TEST(StripControlCharactersTest, DropsControlsAndKeepsEveryCharacter) {
  // C0 controls and DEL go; a tab or CR is a space; a line feed stays.
  EXPECT_EQ(StripControlCharacters("ho\x01 la\x7f laurea\x1b"), "ho la laurea");
  EXPECT_EQ(StripControlCharacters("a\tb\r\nc"), "a b \nc");
  // C1 controls (U+0080 to U+009F) go; U+00A0 and other characters that
  // begin with the same byte stay whole.
  EXPECT_EQ(StripControlCharacters("x\xc2\x85y"), "xy");
  EXPECT_EQ(StripControlCharacters("100\xc2\xa0\xe2\x82\xac \xc2\xa9"),
            "100\xc2\xa0\xe2\x82\xac \xc2\xa9");
  EXPECT_EQ(StripControlCharacters("perché più è città"), "perché più è città");
  EXPECT_EQ(StripControlCharacters("👍 \xd8\xa7"), "👍 \xd8\xa7");
  EXPECT_EQ(StripControlCharacters(""), "");
}

}  // namespace
}  // namespace dirigo
