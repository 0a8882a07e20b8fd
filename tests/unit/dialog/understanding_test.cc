#include "dialog/understanding.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/bundled.h"

namespace dirigo {
namespace {

using testing::ElementsAre;

// What the bundled knowledge base understands of `text`.
Interpretation Read(const std::string& text, const std::string& awaiting = "",
                    int year = 2026) {
  static const Understanding understanding(*BundledKb());
  auto n = BundledKb()->NormalizeMessage(text);
  EXPECT_TRUE(n.ok());
  return understanding.Understand(*n, text, awaiting, year);
}

std::vector<std::string> Values(const Interpretation& in,
                                const std::string& slot) {
  std::vector<std::string> out;
  auto it = in.facts.find(slot);
  if (it == in.facts.end()) return out;
  for (const Fact& f : it->second) out.push_back(f.value);
  return out;
}

TEST(UnderstandingTest, FactsWithThePersonsWordsInTheOrderSaid) {
  Interpretation in =
      Read("Ho la triennale in Economia e faccio la segretaria da tre anni");
  EXPECT_THAT(in.slot_order,
              ElementsAre("educationLevel", "studyField", "studyFieldText",
                          "experience", "stage", "yearsExperience"));
  EXPECT_THAT(Values(in, "stage"), ElementsAre("EMPLOYED"));
  EXPECT_THAT(Values(in, "educationLevel"), ElementsAre("BACHELOR"));
  EXPECT_EQ(in.facts.at("studyField")[0].words, "economia");
  EXPECT_EQ(in.facts.at("studyField")[0].rule->def->id(), "field.business");
  EXPECT_EQ(in.facts.at("experience")[0].words, "segretaria");
  EXPECT_THAT(Values(in, "yearsExperience"), testing::Contains("3"));
  EXPECT_TRUE(in.intents.empty());
}

TEST(UnderstandingTest, TheStrongerOfOverlappingMatchesWins) {
  Interpretation in = Read("ho la triennale in economia");
  bool lost = false;
  for (const Match& m : in.matches) {
    if (m.def().id() == "field.other_any") lost = !m.applied;
  }
  EXPECT_TRUE(lost) << "any field gives way to a known business field";
  // The matches read in order: position, then rule id.
  for (size_t i = 1; i < in.matches.size(); ++i) {
    EXPECT_LE(in.matches[i - 1].begin, in.matches[i].begin);
  }
  for (const Match* m : in.applied) EXPECT_TRUE(m->applied);
}

TEST(UnderstandingTest, AnswersToAQuestionNeedTheQuestion) {
  EXPECT_TRUE(Read("5").facts.empty());
  EXPECT_THAT(Values(Read("5", "yearsExperience"), "yearsExperience"),
              ElementsAre("5"));
  EXPECT_THAT(Values(Read("sì", "leadsPeople"), "leadsPeople"),
              ElementsAre("true"));
}

TEST(UnderstandingTest, YearsFromACalendarYearNeedTheCurrentYear) {
  EXPECT_THAT(Values(Read("lavoro dal 2015", "", 2026), "yearsExperience"),
              ElementsAre("11"));
  EXPECT_TRUE(
      Values(Read("lavoro dal 2015", "", 0), "yearsExperience").empty());
}

TEST(UnderstandingTest, ACorrectionCorrectsTheFactAfterIt) {
  Interpretation in = Read("anzi, è una magistrale");
  EXPECT_TRUE(in.Has("correction"));
  EXPECT_TRUE(in.corrected.count("educationLevel"));
  // A negation replaces what was known.
  EXPECT_TRUE(Read("non ho la laurea").corrected.count("educationLevel"));
  EXPECT_TRUE(Read("ho la laurea").corrected.empty());
}

TEST(UnderstandingTest, QuestionsAndSuppositionsStateNoFact) {
  // A question: by its mark, or by its first words.
  EXPECT_TRUE(Read("conviene fare un mba?").facts.empty());
  EXPECT_TRUE(Read("ma quale è meglio una multinazionale o una piccola azienda")
                  .facts.empty());
  // A supposition.
  EXPECT_TRUE(Read("se lavorassi in banca potrei crescere").facts.empty());
  // A statement, then a question: the statement's facts count.
  Interpretation in = Read("ho un dottorato in fisica, il dottorato conta?");
  EXPECT_THAT(Values(in, "educationLevel"), ElementsAre("DOCTORATE"));
  ASSERT_EQ(in.clauses.size(), 2u);
  EXPECT_FALSE(in.clauses[0].asks);
  EXPECT_TRUE(in.clauses[1].asks);
  // An answer to the question asked, even with a question mark.
  EXPECT_THAT(Values(Read("5?", "yearsExperience"), "yearsExperience"),
              ElementsAre("5"));
  // "dove" after a comma goes on with the sentence; after a full stop, or
  // with a question mark, it asks.
  in = Read("sono entrata in Comune, dove lavoro da 30 anni");
  ASSERT_EQ(in.clauses.size(), 2u);
  EXPECT_FALSE(in.clauses[1].asks);
  EXPECT_THAT(Values(in, "yearsExperience"), ElementsAre("30"));
  in = Read("ho la laurea. dove posso lavorare");
  ASSERT_EQ(in.clauses.size(), 2u);
  EXPECT_TRUE(in.clauses[1].asks);
  EXPECT_TRUE(Read("ho la laurea, dove posso lavorare?").clauses[1].asks);
  // "1.5 anni" is never read as 5.
  EXPECT_THAT(
      Values(Read("da un anno e mezzo project manager"), "yearsExperience"),
      ElementsAre("1"));
  // "…o meno" ends a question, "più o meno" a hedged statement.
  EXPECT_TRUE(Read("conviene o meno").clauses[0].asks);
  in = Read("in tutto sarà 25 anni più o meno", "yearsExperience");
  EXPECT_FALSE(in.clauses[0].asks);
  EXPECT_THAT(Values(in, "yearsExperience"), ElementsAre("25"));
}

TEST(UnderstandingTest, AJobTitleThatOpensASentenceIsAJob) {
  // The title opens the second sentence: a job, with its years.
  Interpretation in =
      Read("perito industriale. operaio metalmeccanico dal 2009");
  EXPECT_THAT(Values(in, "experience"), testing::Contains("OTHER"));
  // Inside a clause, after other words, it is not read that way.
  EXPECT_THAT(Values(Read("mio padre operaio metalmeccanico"), "experience"),
              testing::IsEmpty());
  // The title of a question about becoming it is no job.
  EXPECT_TRUE(Read("responsabile hr: come si diventa?").facts.empty());
}

TEST(UnderstandingTest, AJobInThePersonsOwnWordsIsTheLastResort) {
  // The answer to "che lavoro fai?", read from whatever was written.
  Interpretation in =
      Read("so ramaio di bottega, a montepulciano", "experience");
  EXPECT_THAT(Values(in, "experience"), ElementsAre("OTHER"));
  EXPECT_EQ(in.facts.at("experience")[0].words, "ramaio di bottega");
  EXPECT_THAT(Values(in, "stage"), ElementsAre("EMPLOYED"));
  // Said the usual ways, after a greeting, or as the place one is at.
  EXPECT_EQ(
      Read("lavoro come ramaio", "experience").facts.at("experience")[0].words,
      "ramaio");
  EXPECT_THAT(
      Values(Read("buongiorno, sono ramaio", "experience"), "experience"),
      ElementsAre("OTHER"));
  EXPECT_EQ(Read("sono in un'azienda di conserve di pomodoro", "experience")
                .facts.at("experience")[0]
                .words,
            "azienda di conserve");
  // Only as that answer, never a word that is none ("sono stufo"), never
  // with a question, never beside anything else told, and once.
  EXPECT_TRUE(Read("so ramaio di bottega").facts.empty());
  EXPECT_TRUE(Read("sono stufo", "experience").facts.empty());
  EXPECT_TRUE(Read("ramaio, va bene lo stesso?", "experience").facts.empty());
  EXPECT_THAT(
      Values(Read("ramaio, ho la maturita", "experience"), "experience"),
      testing::IsEmpty());
  EXPECT_THAT(
      Values(Read("so ramaio, sono ramaio", "experience"), "experience"),
      ElementsAre("OTHER"));
}

TEST(UnderstandingTest, ClausesKnowTheirIntents) {
  Interpretation in = Read("faccio la segretaria. cos'è il back office?");
  ASSERT_EQ(in.clauses.size(), 2u);
  EXPECT_TRUE(in.clauses[0].intents.empty());
  EXPECT_THAT(in.clauses[1].intents, ElementsAre("faq.back_office"));
  EXPECT_TRUE(Read("5", "yearsExperience").clauses[0].answers);
}

// A question whose rule holds a whole sentence ("^…$") is read as one when
// more follows it (Pattern.each_question); a statement is not.
TEST(UnderstandingTest, AQuestionFollowedByMoreIsStillAQuestion) {
  EXPECT_TRUE(Read("ma voi che fate esattamente? io so carabiniere")
                  .Has("command.help"));
  EXPECT_TRUE(Read("perché il 4? nun ho capito").Has("explain"));
  EXPECT_TRUE(Read("in fabbrica, perché?").Has("why"));
  // The whole message is still read as it was: the step is the same.
  Interpretation in = Read("perché il 4? nun ho capito");
  int explains = 0;
  for (const Match* m : in.applied) {
    if (m->def().intent() == "explain") {
      ++explains;
      EXPECT_EQ(m->captures.at("n").normalized, "4");
    }
  }
  EXPECT_EQ(explains, 1);
  // Not a question: "help desk" after a diploma is a job, and "ma in
  // un'azienda piccola" after an area the size one wants.
  Interpretation job = Read("diploma. help desk", "experience");
  EXPECT_FALSE(job.Has("command.help"));
  EXPECT_FALSE(Read("amministrazione, ma in un'azienda piccola")
                   .Has("faq.small_company"));
}

// An aim said as a clause of its own, beside other things (Pattern.
// each_clause), while the bot asks something else; not in a clause that
// asks, nor in a list of tasks, nor as the answer about one's work.
TEST(UnderstandingTest, AnAimSaidAsAClauseOfItsOwn) {
  EXPECT_THAT(Values(Read("mi scusi, a cosa le serve saperlo? comunque HR.",
                          "educationLevel"),
                     "focusArea"),
              ElementsAre("HR"));
  Interpretation both =
      Read("multinazionale grande, amministrazione", "leadsPeople");
  EXPECT_THAT(Values(both, "focusArea"), ElementsAre("ADMINISTRATION"));
  EXPECT_THAT(Values(both, "companySize"), ElementsAre("LARGE_MULTINATIONAL"));
  // A clause that asks: no fact, and no answer to the open question.
  Interpretation asks = Read("no, nessuno. e l'IT?", "leadsPeople");
  EXPECT_TRUE(Values(asks, "focusArea").empty());
  EXPECT_TRUE(asks.clauses.back().asks);
  EXPECT_FALSE(asks.clauses.back().answers);
  EXPECT_TRUE(
      Values(Read("faccio di tutto: fatture, paghe, ordini", "yearsExperience"),
             "focusArea")
          .empty());
  EXPECT_TRUE(
      Values(Read("in comune, amministrazione", "experience"), "focusArea")
          .empty());
}

// A reason said after a command is no part of it (Pattern.tail): the facts
// told there count.
TEST(UnderstandingTest, FactsToldAfterACommandCount) {
  Interpretation in =
      Read("ricominciamo da capo che ho la laurea triennale", "leadsPeople");
  EXPECT_TRUE(in.Has("command.restart"));
  EXPECT_THAT(Values(in, "educationLevel"), ElementsAre("BACHELOR"));
  Interpretation colon =
      Read("ricominciamo da capo: ho la laurea triennale", "leadsPeople");
  EXPECT_TRUE(colon.Has("command.restart"));
  EXPECT_THAT(Values(colon, "educationLevel"), ElementsAre("BACHELOR"));
  // The command is matched once, to where its reason begins, though each
  // clause (here one with a reason of its own) is tried alone too.
  Interpretation both = Read(
      "ricominciamo da capo che ho sbagliato tutto: ho la laurea triennale",
      "leadsPeople");
  EXPECT_THAT(Values(both, "educationLevel"), ElementsAre("BACHELOR"));
  EXPECT_EQ(std::count_if(both.matches.begin(), both.matches.end(),
                          [](const Match& m) {
                            return m.def().id() == "command.restart";
                          }),
            1);
}

// A word read only to see where the years end is left to the next part.
TEST(UnderstandingTest, AWordThatEndsAMatchIsLeftToTheNext) {
  EXPECT_THAT(
      Values(Read("in banca 6 anni, prima in posta 2 anni", "experience"),
             "yearsExperience"),
      ElementsAre("6", "2"));
}

// A rule with several contexts answers any of their questions, and no other.
TEST(UnderstandingTest, ARuleAnswersEachOfItsContexts) {
  EXPECT_THAT(Values(Read("responsabile it", "focusArea"), "targetRole"),
              ElementsAre("MANAGER"));
  EXPECT_THAT(Values(Read("responsabile it", "companySize"), "targetRole"),
              ElementsAre("MANAGER"));
  EXPECT_TRUE(
      Values(Read("responsabile it", "yearsExperience"), "targetRole").empty());
}

TEST(UnderstandingTest, IntentsOfTheWinners) {
  EXPECT_TRUE(Read("cos'è il back office?").Has("faq.back_office"));
  EXPECT_TRUE(Read("cancella i miei dati").Has("command.erase"));
  EXPECT_TRUE(Read("zzz qqq").intents.empty());
}

}  // namespace
}  // namespace dirigo
