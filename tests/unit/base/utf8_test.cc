#include "base/utf8.h"

#include "gtest/gtest.h"

namespace dirigo {
namespace {

TEST(Utf8Test, WellFormedOnly) {
  EXPECT_TRUE(IsUtf8(""));
  EXPECT_TRUE(IsUtf8("ciao, città è più \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsUtf8("citt\xe0"));             // Latin-1
  EXPECT_FALSE(IsUtf8("\xc3"));                 // cut short
  EXPECT_FALSE(IsUtf8("\xc0\xaf"));             // overlong
  EXPECT_FALSE(IsUtf8("\xed\xa0\x80"));         // a surrogate
  EXPECT_FALSE(IsUtf8("\xf4\x90\x80\x80"));     // past U+10FFFF
  EXPECT_TRUE(IsUtf8(std::string("a\0b", 3)));  // NUL is a character
}

TEST(Utf8Test, Latin1BecomesUtf8) {
  EXPECT_EQ(Latin1ToUtf8("citt\xe0 perci\xf2"), "città perciò");
  EXPECT_EQ(Latin1ToUtf8("plain"), "plain");
  EXPECT_TRUE(IsUtf8(Latin1ToUtf8("\x80\xff\xc3")));
}

}  // namespace
}  // namespace dirigo
