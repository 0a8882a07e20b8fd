#include "clients/bridge/bridge_util.h"

#include <cstdio>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dirigo {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

TEST(ParseHostPort, ReadsHostsAndPortsAndSaysWhatIsWrong) {
  auto a = ParseHostPort("irc", "irc.example.org:6697");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "irc.example.org");
  EXPECT_EQ(a->port, 6697);
  auto b = ParseHostPort("listen", "[::1]:0", /*allow_zero=*/true);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
  EXPECT_FALSE(ParseHostPort("irc", "[::1]:0").ok());  // 0 not allowed here
  for (const char* bad : {"", "host", "host:", ":80", "host:x", "host:70000"}) {
    auto r = ParseHostPort("irc", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("--irc must be HOST:PORT"));
  }
}

TEST(ReadSecretFile, TakesTheFirstLineWithoutTheCrOfACrlfFile) {
  const std::string file = testing::TempDir() + "/secret";
  std::ofstream(file) << "s3cret\r\nsecond line\r\n";
  EXPECT_THAT(ReadSecretFile("password_file", file),
              testing::Eq(absl::StatusOr<std::string>("s3cret")));
  std::ofstream(file) << "\n";
  EXPECT_THAT(
      std::string(ReadSecretFile("password_file", file).status().message()),
      HasSubstr("is empty"));
  EXPECT_FALSE(ReadSecretFile("password_file", file + ".missing").ok());
  std::remove(file.c_str());
}

TEST(AddressedTo, NeedsTheNickThenAColonOrAComma) {
  EXPECT_THAT(AddressedTo("dirigo: ciao", "dirigo"),
              Optional(std::string("ciao")));
  EXPECT_THAT(AddressedTo("  Dirigo, ho il diploma ", "dirigo"),
              Optional(std::string("ho il diploma")));
  EXPECT_THAT(AddressedTo("dirigo:", "dirigo"), Optional(std::string("")));
  EXPECT_EQ(AddressedTo("dirigo mi ha aiutato", "dirigo"), std::nullopt);
  EXPECT_EQ(AddressedTo("dirigobot: ciao", "dirigo"), std::nullopt);
  EXPECT_EQ(AddressedTo("ciao dirigo: come va", "dirigo"), std::nullopt);
  EXPECT_EQ(AddressedTo("dirigo", "dirigo"), std::nullopt);
  EXPECT_EQ(AddressedTo("", "dirigo"), std::nullopt);
}

TEST(Reconnection, DoublesUpToItsMaximumAndStartsOverAfterALastingConnection) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  Reconnection r(seconds(4));
  EXPECT_EQ(r.Next(seconds(0)), milliseconds(500));
  EXPECT_EQ(r.Next(seconds(0)), milliseconds(1000));
  // A server that accepts and drops at once does not reset the wait.
  EXPECT_EQ(r.Next(seconds(5)), milliseconds(2000));
  EXPECT_EQ(r.Next(seconds(0)), milliseconds(4000));
  EXPECT_EQ(r.Next(seconds(0)), milliseconds(4000));
  EXPECT_EQ(r.Next(std::chrono::minutes(2)), milliseconds(500));
}

}  // namespace
}  // namespace dirigo
