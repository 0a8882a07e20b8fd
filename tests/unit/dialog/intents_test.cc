#include "dialog/intents.h"

#include "dialog/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/bundled.h"

namespace dirigo {
namespace {

using testing::HasSubstr;

// An engine on the bundled files with `file` changed: `from` → `to`.
absl::Status EngineWith(const std::string& file, const std::string& from,
                        const std::string& to) {
  std::map<std::string, std::string> files = BundledFiles();
  size_t at = files[file].find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) files[file].replace(at, from.size(), to);
  auto kb = KnowledgeBase::LoadFiles(files, {});
  if (!kb.ok()) return kb.status();
  return Engine::Create(*kb).status();
}

TEST(IntentsTest, EveryIntentOfTheKnowledgeBaseHasAHandler) {
  for (const auto& p : BundledKb()->proto().pattern()) {
    if (p.intent().empty()) continue;
    EXPECT_NE(FindIntent(p.intent()), nullptr) << p.id() << ": " << p.intent();
  }
  EXPECT_STREQ(FindIntent("faq.roles")->name, "faq");
  EXPECT_EQ(FindIntent("faq"), nullptr);
  EXPECT_EQ(FindIntent("dance"), nullptr);
}

TEST(IntentsTest, AnswersHaveHandlersAndTheRestDoNot) {
  for (const IntentHandler& h : IntentTable()) {
    EXPECT_EQ(h.role == IntentHandler::Role::kAnswer, h.answer != nullptr)
        << h.name;
  }
}

TEST(IntentsTest, TheEngineRefusesAnIntentItDoesNotHandle) {
  absl::Status s = EngineWith("patterns/intents/conversation.textproto",
                              "intent: \"greeting\"", "intent: \"wave\"");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("conversation.textproto:"));
  EXPECT_THAT(s.message(), HasSubstr("intent 'wave' is not one the engine "
                                     "handles"));
}

TEST(IntentsTest, TheEngineRefusesAMissingPhrase) {
  absl::Status s =
      EngineWith("phrases.textproto", "key: \"help\"", "key: \"hlep\"");
  EXPECT_THAT(s.message(), HasSubstr("phrase 'help': is required and missing"));
}

}  // namespace
}  // namespace dirigo
