#include "dialog/engine.h"

#include <random>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dirigo {
namespace {

using dirigo::v1::BotTurn;
using testing::HasSubstr;

class EngineTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
    ASSERT_TRUE(kb.ok()) << kb.status();
    auto engine = Engine::Create(*kb);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = new std::shared_ptr<const Engine>(*engine);
  }
  void SetUp() override { greeting_ = (*engine_)->Start(&state_); }

  BotTurn Say(const std::string& text) {
    auto r = (*engine_)->Respond(text, &state_);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status();
    return r.ok() ? r->turn : BotTurn();
  }
  static std::string Text(const BotTurn& t) {
    std::vector<std::string> parts;
    for (const auto& m : t.messages()) parts.push_back(m.text());
    return absl::StrJoin(parts, "\n");
  }
  static std::vector<std::string> AdviceIds(const BotTurn& t) {
    std::vector<std::string> ids;
    for (const auto& a : t.advice()) ids.push_back(a.id());
    return ids;
  }

  static std::shared_ptr<const Engine>* engine_;
  dirigo::session::v1::DialogState state_;
  BotTurn greeting_;
};
std::shared_ptr<const Engine>* EngineTest::engine_ = nullptr;

TEST_F(EngineTest, GreetsAndAsksOneQuestion) {
  EXPECT_EQ(greeting_.awaiting_slot(), "educationLevel");
  EXPECT_THAT(Text(greeting_), HasSubstr("Dirigo"));
  EXPECT_THAT(Text(greeting_), HasSubstr("cancella i miei dati"));
  EXPECT_EQ(greeting_.quick_replies_size(), 4);
  EXPECT_FALSE(greeting_.kb_version().empty());
}

TEST_F(EngineTest, ANumberTypedBackPicksAQuickReply) {
  // On any channel: the engine keeps the replies it offered.
  ASSERT_EQ(greeting_.quick_replies(1).label(), "Laurea triennale");
  BotTurn t = Say(" 2 ");
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
  // Out of range: no choice, just a message.
  BotTurn u = Say("9");
  EXPECT_EQ(u.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
}

TEST_F(EngineTest, WhenRepliesAreNumbersANumberIsAnAnswer) {
  Say("ho la laurea triennale in economia");
  BotTurn t = Say("faccio la segretaria");
  // Asked how many years, with replies that hold numbers ("3 anni"…): a
  // typed 4 is four years, not the fourth reply.
  bool numbers = false;
  for (const auto& r : t.quick_replies()) {
    numbers |= r.label().find_first_of("0123456789") != std::string::npos;
  }
  ASSERT_TRUE(numbers);
  EXPECT_EQ(t.awaiting_slot(), "yearsExperience");
  BotTurn u = Say("4");
  EXPECT_EQ(u.profile().years_experience(), 4);
}

TEST_F(EngineTest, TakesSeveralFactsFromOneSentence) {
  BotTurn t =
      Say("ho la triennale in economia e lavoro da tre anni come assistente");
  const auto& p = t.profile();
  EXPECT_EQ(p.education_level(), dirigo::v1::EDUCATION_LEVEL_BACHELOR);
  EXPECT_EQ(p.study_field(), dirigo::v1::STUDY_FIELD_BUSINESS);
  EXPECT_EQ(p.study_field_text(), "economia");
  EXPECT_EQ(p.years_experience(), 3);
  EXPECT_THAT(
      p.experience(),
      testing::ElementsAre(dirigo::v1::EXPERIENCE_KIND_ADMIN_ENTRY_LEVEL));
  // Said back in the person's words, then the next missing fact.
  EXPECT_THAT(Text(t), HasSubstr("assistente"));
  EXPECT_EQ(t.awaiting_slot(), "leadsPeople");
}

TEST_F(EngineTest, TheTraceShowsEachClauseAndWhatItDoes) {
  BotTurn t = Say(
      "ho la triennale in economia, se lavorassi in banca servirebbe? vorrei "
      "le risorse umane. cosa vuol dire associate?");
  const auto& clauses = t.trace().clauses();
  ASSERT_EQ(clauses.size(), 4);
  EXPECT_EQ(clauses[0].text(), "ho la triennale in economia");
  EXPECT_THAT(clauses[0].acts(), testing::ElementsAre("statement"));
  EXPECT_THAT(clauses[1].acts(), testing::ElementsAre("hypothesis"));
  EXPECT_THAT(clauses[2].acts(), testing::ElementsAre("goal"));
  EXPECT_THAT(clauses[3].acts(), testing::Contains("question"));
  // The supposition set nothing.
  EXPECT_EQ(t.profile().experience_size(), 0);
}

TEST_F(EngineTest, UnderstandsNegations) {
  BotTurn t = Say("non ho la laurea");
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_SECONDARY_OR_LESS);
  t = Say("non ho mai gestito persone");
  EXPECT_TRUE(t.profile().has_leads_people());
  EXPECT_FALSE(t.profile().leads_people());
}

TEST_F(EngineTest, DegreeButNotInEconomics) {
  BotTurn t = Say("una laurea, ma non in economia");
  EXPECT_EQ(t.profile().study_field(), dirigo::v1::STUDY_FIELD_OTHER);
  // "Laurea" does not say which: the question narrows.
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_UNSPECIFIED);
  EXPECT_EQ(t.awaiting_slot(), "educationLevel");
  EXPECT_THAT(Text(t), HasSubstr("triennale, magistrale o a ciclo unico"));
  ASSERT_GE(t.quick_replies_size(), 1);
  EXPECT_EQ(t.quick_replies(0).label(), "Triennale");
  t = Say("triennale");
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
}

TEST_F(EngineTest, CorrectionsReplace) {
  Say("ho la triennale");
  BotTurn t = Say("anzi, è una magistrale");
  EXPECT_EQ(t.profile().education_level(), dirigo::v1::EDUCATION_LEVEL_MASTER);
  EXPECT_THAT(Text(t), HasSubstr("Aggiornato"));
  t = Say("scusa, mi sono sbagliato: ho solo la triennale");
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
}

TEST_F(EngineTest, EducationOnlyGoesUpWithoutACorrection) {
  Say("ho un master");
  BotTurn t = Say("ho anche la triennale");
  EXPECT_EQ(t.profile().education_level(), dirigo::v1::EDUCATION_LEVEL_MASTER);
}

// A bare answer to a question not asked yet is taken, and the question
// asked comes back; "sì", "no" and questions answer only the question asked.
TEST_F(EngineTest, ABareAnswerToAnotherOpenQuestionIsTaken) {
  Say("diploma");
  Say("faccio la commessa da 5 anni");
  ASSERT_EQ(state_.awaiting_slot(), "leadsPeople");
  BotTurn t = Say("grande multinazionale");
  EXPECT_EQ(t.profile().company_size(),
            dirigo::v1::COMPANY_SIZE_LARGE_MULTINATIONAL);
  EXPECT_EQ(state_.awaiting_slot(), "leadsPeople");
  t = Say("l'IT è davvero back office?");
  EXPECT_EQ(t.profile().focus_area(), dirigo::v1::FOCUS_AREA_UNSPECIFIED);
  t = Say("amministrazione");
  EXPECT_EQ(t.profile().focus_area(), dirigo::v1::FOCUS_AREA_ADMINISTRATION);
  EXPECT_FALSE(t.profile().has_leads_people());
  // Part of the message is no answer: "5 persone" is not 5 years.
  Say("ricominciamo");
  Say("diploma");
  ASSERT_EQ(state_.awaiting_slot(), "experience");
  t = Say("5 persone");
  EXPECT_FALSE(t.profile().has_years_experience());
}

// Starting over forgets the profile first: the facts of the same message
// are the new start's, said back before the next question.
TEST_F(EngineTest, FactsToldWithARestartAreTheNewStartsFirst) {
  Say("diploma");
  Say("faccio la segretaria da 3 anni");
  BotTurn t = Say("Voglio ricominciare. In realtà ho la laurea triennale");
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
  EXPECT_EQ(t.profile().experience_size(), 0);
  EXPECT_FALSE(t.profile().has_years_experience());
  EXPECT_THAT(Text(t), HasSubstr("ricominciamo"));
  EXPECT_THAT(Text(t), HasSubstr("laurea triennale"));
  EXPECT_EQ(state_.awaiting_slot(), "studyField");
  t = Say("ricominciamo da capo che ho sbagliato tutto");
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_UNSPECIFIED);
  EXPECT_EQ(state_.awaiting_slot(), "educationLevel");
  // The message is read again as the new start's first: a bare word is no
  // answer to the questions open before it ("grande" while the area is
  // asked would be the size).
  Say("diploma");
  Say("faccio la segretaria da 3 anni");
  Say("no");
  ASSERT_EQ(state_.awaiting_slot(), "focusArea");
  t = Say("ricominciamo. grande");
  EXPECT_EQ(t.profile().company_size(), dirigo::v1::COMPANY_SIZE_UNSPECIFIED);
  EXPECT_EQ(state_.awaiting_slot(), "educationLevel");
}

TEST_F(EngineTest, AJobInThePersonsOwnWordsAnswersWhatTheyDo) {
  Say("diploma");
  ASSERT_EQ(state_.awaiting_slot(), "experience");
  BotTurn t = Say("so ramaio di bottega");
  EXPECT_THAT(t.profile().experience(),
              testing::ElementsAre(dirigo::v1::EXPERIENCE_KIND_OTHER));
  EXPECT_THAT(Text(t), HasSubstr("ramaio di bottega"));
  EXPECT_EQ(state_.awaiting_slot(), "yearsExperience");
  // An answer to another open question wins over such a reading.
  Say("ricominciamo");
  Say("diploma");
  ASSERT_EQ(state_.awaiting_slot(), "experience");
  t = Say("risorse umane");
  EXPECT_EQ(t.profile().focus_area(), dirigo::v1::FOCUS_AREA_HR);
  EXPECT_EQ(t.profile().experience_size(), 0);
}

TEST_F(EngineTest, AgeIsNotExperience) {
  BotTurn t = Say("ho 30 anni e lavoro da 5 come assistente");
  EXPECT_EQ(t.profile().years_experience(), 5);
  BotTurn u = Say("ho 45 anni");
  EXPECT_EQ(u.profile().years_experience(), 5);
  EXPECT_THAT(Text(u), HasSubstr("età"));
}

TEST_F(EngineTest, EllipticalAnswersNeedTheQuestion) {
  // "5" alone means nothing at the start...
  BotTurn t = Say("5");
  EXPECT_FALSE(t.profile().has_years_experience());
  // ...but answers "how long have you worked?".
  Say("ho il diploma");
  Say("faccio la commessa");
  ASSERT_EQ(state_.awaiting_slot(), "yearsExperience");
  t = Say("5");
  EXPECT_EQ(t.profile().years_experience(), 5);
  ASSERT_EQ(t.awaiting_slot(), "leadsPeople");
  t = Say("sì");
  EXPECT_TRUE(t.profile().leads_people());
}

TEST_F(EngineTest, RepromptsDifferentlyThenMovesOn) {
  BotTurn a = Say("blablabla");
  BotTurn b = Say("mmm qwerty");
  EXPECT_EQ(a.awaiting_slot(), "educationLevel");
  EXPECT_NE(Text(a), Text(b));
  EXPECT_GT(b.quick_replies_size(), 0);
  BotTurn c = Say("zzz");
  EXPECT_NE(c.awaiting_slot(), "educationLevel");  // skipped, not a loop
}

TEST_F(EngineTest, AnswersQuestionsThenResumes) {
  BotTurn t = Say("cos'è il back office?");
  ASSERT_GE(t.messages_size(), 2);
  EXPECT_GT(t.messages(0).citations_size(), 0);
  EXPECT_EQ(t.messages(0).citations(0).section_heading(), "Introduzione");
  EXPECT_EQ(t.awaiting_slot(), "educationLevel");
  t = Say("perché me lo chiedi?");
  EXPECT_THAT(Text(t), HasSubstr("istruzione universitaria"));
}

TEST_F(EngineTest, EraseResetsEverything) {
  Say("ho un master in economia");
  auto r = (*engine_)->Respond("cancella i miei dati", &state_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->erase);
  EXPECT_EQ(r->turn.profile().ByteSizeLong(), 0u);
  EXPECT_TRUE(state_.sources().empty());
  EXPECT_EQ(state_.awaiting_slot(), "educationLevel");
}

TEST_F(EngineTest, AdviceNowWithWhatIsKnown) {
  Say("non ho la laurea");
  BotTurn t = Say("dammi i consigli");
  EXPECT_THAT(AdviceIds(t), testing::Contains("degree_first"));
  EXPECT_EQ(AdviceIds(t)[0], "degree_first");  // most important first
  for (const auto& a : t.advice()) {
    EXPECT_GT(a.citations_size(), 0) << a.id();
    EXPECT_FALSE(a.citations(0).quote().empty());
  }
}

TEST_F(EngineTest, PlanChangesWithTheProfile) {
  for (const char* m : {"ho la triennale in economia", "faccio la segretaria",
                        "3", "no", "risorse umane", "piccola azienda"}) {
    Say(m);
  }
  ASSERT_TRUE(state_.advised());
  EXPECT_THAT(std::vector<std::string>(state_.last_advice().begin(),
                                       state_.last_advice().end()),
              testing::Contains("consider_master"));
  BotTurn t = Say("ho anche un master");
  EXPECT_THAT(AdviceIds(t), testing::Not(testing::Contains("consider_master")));
  EXPECT_THAT(Text(t), HasSubstr("non ti serve più"));
}

TEST_F(EngineTest, RefusesBadInputWithoutChangingState) {
  dirigo::session::v1::DialogState before = state_;
  auto bad = (*engine_)->Respond("ho \xff\xfe una laurea", &state_);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("UTF-8"));
  auto longer = (*engine_)->Respond(
      std::string(Engine::kMaxMessageBytes + 1, 'a'), &state_);
  EXPECT_EQ(longer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(longer.status().message(), HasSubstr("too long"));
  EXPECT_EQ(state_.SerializeAsString(), before.SerializeAsString());
}

TEST_F(EngineTest, AMessageWithNoWordsGetsTheQuestionAgain) {
  auto blank = (*engine_)->Respond(" \t\x01\x7f ", &state_);
  ASSERT_TRUE(blank.ok()) << blank.status();
  EXPECT_THAT(Text(blank->turn), HasSubstr("messaggio vuoto"));
  EXPECT_THAT(Text(blank->turn), HasSubstr("che studi hai fatto?"));
  EXPECT_GT(blank->turn.quick_replies_size(), 0);
  EXPECT_EQ(state_.turn_count(), 0);
  // Control characters inside words are not read as anything.
  BotTurn t = Say("ho la\x07 laurea\x1b triennale");
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
}

TEST_F(EngineTest, SurvivesHostileText) {
  for (const std::string& text :
       {std::string(2000, '('),
        std::string(1000, 'a') + " " + std::string(999, '9'),
        std::string("\\b(?P<x>"), std::string("ñ😀\u200b 漢字 ⟨⟩"),
        std::string("999999999999999999999 anni di esperienza")}) {
    auto r = (*engine_)->Respond(text, &state_);
    EXPECT_TRUE(r.ok()) << r.status();
  }
  EXPECT_FALSE(state_.profile().has_years_experience());
}

// Under AddressSanitizer a turn costs some two hundred times more (RE2's
// large scratch buffers go through its allocator): fewer messages there.
#ifdef DIRIGO_SANITIZED
constexpr int kRandomMessages = 200;
#else
constexpr int kRandomMessages = 2000;
#endif

TEST_F(EngineTest, RandomMessagesNeverBreakTheConversation) {
  // Words the engine knows, mixed with noise, in random order and case.
  std::vector<std::string> words((*engine_)->knowledge().vocabulary().begin(),
                                 (*engine_)->knowledge().vocabulary().end());
  for (const char* noise : {"3", "anzi", "non", "mai", "perché", "’", "?", "È",
                            "sì", "no", "😀", "1,5", "anni", "mesi"}) {
    words.push_back(noise);
  }
  std::mt19937 rng(42);
  for (int i = 0; i < kRandomMessages; ++i) {
    std::string text;
    int n = 1 + rng() % 12;
    for (int w = 0; w < n; ++w) {
      std::string word = words[rng() % words.size()];
      if (rng() % 5 == 0 && !word.empty() && word[0] >= 'a' && word[0] <= 'z') {
        word[0] = word[0] - 'a' + 'A';
      }
      text += word + (rng() % 7 == 0 ? ", " : " ");
    }
    auto r = (*engine_)->Respond(text, &state_);
    ASSERT_TRUE(r.ok()) << text << ": " << r.status();
    ASSERT_GT(r->turn.messages_size(), 0) << text;
    for (const auto& m : r->turn.messages())
      ASSERT_FALSE(m.text().empty()) << text;
  }
}

TEST_F(EngineTest, AnUnusableAnswerIsRepromptedNotRepeated) {
  Say("ho il diploma");
  Say("faccio la commessa");
  ASSERT_EQ(state_.awaiting_slot(), "yearsExperience");
  BotTurn a = Say("ci lavoro da 90 anni");
  BotTurn b = Say("ci lavoro da 90 anni");
  EXPECT_NE(Text(a), Text(b));
  Say("ci lavoro da 90 anni");
  BotTurn c = Say("ci lavoro da 90 anni");
  EXPECT_NE(c.awaiting_slot(), "yearsExperience");  // moved on, no loop
  EXPECT_FALSE(c.profile().has_years_experience());
}

TEST_F(EngineTest, SkippedSlotsAreRecordedOnce) {
  for (int i = 0; i < 5; ++i) Say("non lo so, arrivederci");
  EXPECT_LE(state_.skipped_size(), 1);
  ASSERT_EQ(state_.skipped_size(), 1);  // the question asked was skipped
  EXPECT_EQ(state_.skipped(0), "educationLevel");
}

TEST_F(EngineTest, NegationsReplaceAHigherValue) {
  Say("ho la laurea");
  BotTurn t = Say("non ho la laurea");
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_SECONDARY_OR_LESS);
  Say("ho un master");
  t = Say("non ho la magistrale, ho la triennale");
  EXPECT_EQ(t.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
}

TEST_F(EngineTest, AFieldChangedWithoutWordsForgetsTheOldWords) {
  for (const char* m : {"ho la triennale in economia", "faccio la segretaria",
                        "3", "no", "risorse umane", "piccola azienda"}) {
    Say(m);
  }
  BotTurn t = Say("ho una laurea, ma non in economia");
  EXPECT_EQ(t.profile().study_field(), dirigo::v1::STUDY_FIELD_OTHER);
  EXPECT_TRUE(t.profile().study_field_text().empty());
  EXPECT_FALSE(state_.sources().contains("studyFieldText"));
  // The advice says the field as now known, not the words taken back.
  EXPECT_THAT(Text(t),
              HasSubstr("La tua formazione (studi in un altro campo)"));
  EXPECT_THAT(Text(t), testing::Not(HasSubstr("formazione (economia)")));
}

TEST_F(EngineTest, FactsKeepWhereTheyCameFrom) {
  Say("ho la triennale in economia");
  Say("faccio la segretaria da tre anni");
  const auto& sources = state_.sources();
  ASSERT_TRUE(sources.contains("experience"));
  EXPECT_EQ(sources.at("experience").words(), "segretaria");
  EXPECT_EQ(sources.at("experience").turn(), 2);
  EXPECT_FALSE(sources.at("experience").rule_id().empty());
  EXPECT_EQ(sources.at("educationLevel").turn(), 1);
  EXPECT_EQ(sources.at("yearsExperience").turn(), 2);
}

TEST_F(EngineTest, YearsSinceACalendarYear) {
  auto r = (*engine_)->Respond("faccio la segretaria dal 2015", &state_, 2026);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->turn.profile().years_experience(), 11);
  EXPECT_THAT(Text(r->turn), HasSubstr("segretaria e 11 anni"));
  // Without a current year the answer is not guessed.
  dirigo::session::v1::DialogState other;
  (*engine_)->Start(&other);
  auto unknown = (*engine_)->Respond("faccio la segretaria dal 2015", &other);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->turn.profile().has_years_experience());
  // A year in the future is no working life.
  auto future = (*engine_)->Respond("lavoro dal 2031", &other, 2026);
  EXPECT_FALSE(future->turn.profile().has_years_experience());
}

TEST_F(EngineTest, AStepNumberTooLargeIsNoStep) {
  BotTurn t = Say("perché il punto 99999999999?");
  EXPECT_THAT(Text(t), HasSubstr("punto 99999999999"));
  t = Say("perché il punto 3?");
  EXPECT_THAT(Text(t), HasSubstr("punto 3"));
}

TEST_F(EngineTest, HugeNumbersAreJustWords) {
  for (const char* text : {"99999999999 anni e mezzo", "1e400 anni e mezzo",
                           "ho lavorato 99999999999999999999 anni"}) {
    auto r = (*engine_)->Respond(text, &state_);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_FALSE(r->turn.profile().has_years_experience()) << text;
  }
}

TEST_F(EngineTest, StatelessAdviceIsOrderedAndCited) {
  dirigo::v1::Profile p;
  p.set_education_level(dirigo::v1::EDUCATION_LEVEL_SECONDARY_OR_LESS);
  p.set_years_experience(0);
  p.set_leads_people(false);
  auto items = (*engine_)->Advise(p);
  ASSERT_GE(items.size(), 3u);
  EXPECT_EQ(items[0].id(), "degree_first");
  EXPECT_EQ(items[1].id(), "get_experience");
  dirigo::v1::Profile empty;
  for (const auto& a : (*engine_)->Advise(empty)) {
    EXPECT_EQ(a.id(), "organisation_people");
  }
}

TEST_F(EngineTest, AnswersWithLeiToWhoWritesFormally) {
  // Informal until the person writes formally; then every text, the plan's
  // too, speaks with "Lei", through a restart, until they write with "tu".
  EXPECT_THAT(Text(greeting_), HasSubstr("Che studi hai fatto?"));
  BotTurn t = Say("Buongiorno, mi dica pure: ho la laurea triennale");
  EXPECT_TRUE(state_.formal());
  EXPECT_THAT(Text(t), HasSubstr("In che materia è la sua laurea?"));
  t = Say("economia, lavoro come segretaria da 4 anni");
  EXPECT_THAT(Text(t), HasSubstr("Ha mai coordinato"));
  Say("no, mai");
  t = Say("mi dia i consigli");
  ASSERT_GT(t.advice_size(), 0);
  for (const auto& item : t.advice()) {
    EXPECT_THAT(item.text(), testing::Not(HasSubstr(" hai "))) << item.id();
  }
  EXPECT_THAT(Text(t), HasSubstr("Non ha ancora guidato"));
  t = Say("ricominciamo");
  EXPECT_THAT(Text(t), HasSubstr("Che studi ha fatto?"));
  t = Say("ok, dimmi tu: ho il diploma");
  EXPECT_FALSE(state_.formal());
  EXPECT_THAT(Text(t), HasSubstr("Che lavoro fai"));
}

TEST_F(EngineTest, MarksEachStepOfThePlanWithItsAdviceItem) {
  // A client drawing `advice` as a checklist leaves these messages out:
  // every step said is an item, and no other message is marked.
  Say("ho la laurea triennale in economia");
  Say("lavoro come segretaria da 4 anni");
  Say("no, mai");
  BotTurn t = Say("dammi i consigli");
  ASSERT_GT(t.advice_size(), 0);
  std::vector<std::string> marked;
  for (const auto& m : t.messages()) {
    if (!m.advice_id().empty()) marked.push_back(m.advice_id());
  }
  std::vector<std::string> items;
  for (const auto& a : t.advice()) items.push_back(a.id());
  EXPECT_EQ(marked, items);
  EXPECT_TRUE(t.messages(0).advice_id().empty());
  EXPECT_TRUE(t.messages(t.messages_size() - 1).advice_id().empty());
}

}  // namespace
}  // namespace dirigo
