#include "dialog/tracking.h"

#include "dialog/policy.h"
#include "dialog/understanding.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/bundled.h"

namespace dirigo {
namespace {

using dirigo::session::v1::DialogState;

class TrackingTest : public testing::Test {
 protected:
  // Understands `text` and applies it to the state, as the engine does.
  Changes Tell(const std::string& text) {
    static const Understanding understanding(*BundledKb());
    static const Tracker tracker(*BundledKb());
    state_.set_turn_count(state_.turn_count() + 1);
    auto n = BundledKb()->NormalizeMessage(text);
    EXPECT_TRUE(n.ok());
    Interpretation in =
        understanding.Understand(*n, text, state_.awaiting_slot(), 2026);
    trace_.Clear();
    return tracker.Apply(in, &state_, &trace_);
  }
  DialogState state_;
  dirigo::v1::Trace trace_;
};

TEST_F(TrackingTest, NewFactsAreChangesWithTheirSources) {
  Changes c = Tell("ho la triennale e faccio la segretaria");
  // A job in the present also says the person is employed.
  EXPECT_THAT(c.slots,
              testing::ElementsAre("educationLevel", "experience", "stage"));
  EXPECT_FALSE(c.updated_known);
  EXPECT_EQ(state_.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
  EXPECT_EQ(state_.sources().at("experience").words(), "segretaria");
  EXPECT_EQ(state_.sources().at("experience").turn(), 1);
  ASSERT_EQ(trace_.slot_changes_size(), 3);
  EXPECT_EQ(trace_.slot_changes(0).new_value(), "BACHELOR");
}

TEST_F(TrackingTest, ExperienceAddsUpInThePersonsWords) {
  Tell("faccio la segretaria");
  Changes c = Tell("prima facevo la commessa");
  EXPECT_THAT(c.slots, testing::Contains("experience"));
  EXPECT_EQ(state_.profile().experience_size(), 2);
  EXPECT_EQ(state_.sources().at("experience").words(), "segretaria, commessa");
  EXPECT_EQ(state_.sources().at("experience").turn(), 2);
}

TEST_F(TrackingTest, YearsOfSeveralJobsAddUpUnlessCorrected) {
  Tell("tre anni come cameriere e poi 4 in banca");
  EXPECT_EQ(state_.profile().years_experience(), 7);
  // A correction takes the last number, not the sum.
  Tell("anzi, lavoro da 9 anni");
  EXPECT_EQ(state_.profile().years_experience(), 9);
  // From an age, and "almost" as whole years.
  Tell("ho 40 anni e lavoro da quando ne avevo 25");
  EXPECT_EQ(state_.profile().years_experience(), 15);
  Tell("in tutto sono quasi 20 anni che lavoro");
  EXPECT_EQ(state_.profile().years_experience(), 19);
}

TEST_F(TrackingTest, YearsUpToNowOverlapAndAWholeSaidWins) {
  // A job of now and a past stint add up.
  Tell("sono cassiera da 20 anni e prima ho fatto 5 anni la segretaria");
  EXPECT_EQ(state_.profile().years_experience(), 25);
  state_.Clear();
  // Two spans up to now overlap: the longest counts.
  Tell("da 25 anni sono impiegato, e da 8 anni sono anche caposquadra");
  EXPECT_EQ(state_.profile().years_experience(), 25);
  state_.Clear();
  // "Lavoro da 12 anni" is all of it; the stint told after is a part.
  Tell("lavoro da 12 anni, prima 4 anni alla cassa di un supermercato");
  EXPECT_EQ(state_.profile().years_experience(), 12);
  state_.Clear();
  Tell("in tutto 9 anni, 3 in negozio e 6 in albergo");
  EXPECT_EQ(state_.profile().years_experience(), 9);
  state_.Clear();
  // A number that is the sum of the others is their whole.
  Tell("13 anni, prima 5 da tecnico poi 8 da caposquadra");
  EXPECT_EQ(state_.profile().years_experience(), 13);
  state_.Clear();
  Tell("prima 5 anni da tecnico e 8 da caposquadra, 13 anni");
  EXPECT_EQ(state_.profile().years_experience(), 13);
  state_.Clear();
  // One that runs up to now, said after the others, is one more part:
  // 1 + 2 + 3.
  Tell(
      "1 anno in inghilterra a fare la cameriera, poi 2 anni di call center "
      "e da 3 sono receptionist");
  EXPECT_EQ(state_.profile().years_experience(), 6);
  state_.Clear();
  // Parts read as one list are parts, even when one is the sum of the
  // others.
  Tell("2 anni in banca, 3 in posta e 5 in comune");
  EXPECT_EQ(state_.profile().years_experience(), 10);
  state_.Clear();
  // Parts of the whole told are not added to it.
  Tell("lavoro in contabilità da 20 anni, i primi 2 da un commercialista");
  EXPECT_EQ(state_.profile().years_experience(), 20);
}

TEST_F(TrackingTest, AClauseOfThePastTellsAPartNotTheWhole) {
  // The years of the job of now are not said: the whole is not known.
  Tell(
      "attualmente sono istruttore amministrativo in comune; in precedenza "
      "ho lavorato 8 anni come disegnatore tecnico");
  EXPECT_EQ(state_.profile().stage(), dirigo::v1::STAGE_EMPLOYED);
  EXPECT_FALSE(state_.profile().has_years_experience());
  state_.Clear();
  // The same stint with no job of now is all the person told.
  Tell("ho lavorato 8 anni come disegnatore tecnico");
  EXPECT_EQ(state_.profile().years_experience(), 8);
  state_.Clear();
  // Known years, then a stint of the past: one more part.
  Tell("faccio la cassiera da 6 anni");
  Tell("in precedenza 2 anni in un call center");
  EXPECT_EQ(state_.profile().years_experience(), 8);
}

TEST_F(TrackingTest, AJobWithoutItsTimeLeavesTheWholeUntold) {
  // The worker's years are not told, so neither is the whole.
  Tell("prima operaio, da 6 anni capoturno");
  EXPECT_FALSE(state_.profile().has_years_experience());
  EXPECT_EQ(state_.profile().experience_size(), 2);
  state_.Clear();
  Tell("facevo la cassiera alla coop e poi 3 anni in un ufficio spedizioni");
  EXPECT_FALSE(state_.profile().has_years_experience());
  state_.Clear();
  Tell("ho fatto la promoter per qualche anno, poi 4 anni alla reception");
  EXPECT_FALSE(state_.profile().has_years_experience());
  state_.Clear();
  // Its time told in its part, or right after it, is its time.
  Tell("ho fatto la commessa per 3 anni, poi 2 in ufficio");
  EXPECT_EQ(state_.profile().years_experience(), 5);
  state_.Clear();
  Tell(
      "sono in erboristeria da 16 anni. prima facevo la segretaria in uno "
      "studio dentistico, 4 anni");
  EXPECT_EQ(state_.profile().years_experience(), 20);
  state_.Clear();
  // The first steps of a career whose years were told.
  Tell("lavoro al porto da 20 anni, prima gruista e adesso coordino");
  EXPECT_EQ(state_.profile().years_experience(), 20);
  state_.Clear();
  // A whole told wins.
  Tell("lavoro da 10 anni, prima ero commessa");
  EXPECT_EQ(state_.profile().years_experience(), 10);
  state_.Clear();
  // An answer to "how long have you worked" is the whole.
  state_.set_awaiting_slot("yearsExperience");
  Tell("17 anni. prima facevo le pulizie pure io");
  EXPECT_EQ(state_.profile().years_experience(), 17);
  state_.Clear();
  // Alone, it takes nothing from what is known.
  Tell("lavoro da 10 anni");
  Tell("prima facevo la commessa");
  EXPECT_EQ(state_.profile().years_experience(), 10);
  // A correction of the years stands.
  Tell("anzi, 12 anni in banca, prima ero commessa");
  EXPECT_EQ(state_.profile().years_experience(), 12);
}

TEST_F(TrackingTest, APartToldAgainChangesTheWhole) {
  Tell("faccio l'agente immobiliare da 15 anni, prima 3 anni in uno studio");
  EXPECT_EQ(state_.profile().years_experience(), 18);
  Tell("scusa, nello studio ci sono stata 2 anni non 3");
  EXPECT_EQ(state_.profile().years_experience(), 17);
  // One part only: the part is the whole.
  state_.Clear();
  Tell("da h&m 3 anni");
  Tell("aspetta, da h&m erano 4 anni non 3");
  EXPECT_EQ(state_.profile().years_experience(), 4);
  // Nothing known: nothing to change (not 10, nor 2).
  state_.Clear();
  Tell("in banca erano 10 anni non 8");
  EXPECT_FALSE(state_.profile().has_years_experience());
  // A whole told with the change wins.
  Tell("lavoro da 15 anni");
  Tell("in banca erano 8 anni non 10, in tutto 20 anni di lavoro");
  EXPECT_EQ(state_.profile().years_experience(), 20);
}

TEST_F(TrackingTest, TimeNotWorkedIsTakenFromTheSpanTold) {
  Tell(
      "lavoro da quando avevo 18 anni, ora ne ho 47, ma in mezzo ci son "
      "stati 6 anni a casa");
  EXPECT_EQ(state_.profile().years_experience(), 23);
  state_.Clear();
  Tell("2 anni in banca e 5 in comune, tranne un anno a casa");
  EXPECT_EQ(state_.profile().years_experience(), 6);
  state_.Clear();
  // Alone, it takes nothing from what is known.
  Tell("lavoro da 10 anni");
  Tell("tranne 2 anni a casa");
  EXPECT_EQ(state_.profile().years_experience(), 10);
}

TEST_F(TrackingTest, AlmostANumberOfYearsIsOneLess) {
  Tell("lavoro come cassiera alla lidl da quasi 2 anni");
  EXPECT_EQ(state_.profile().years_experience(), 1);
  state_.Clear();
  // An ongoing span said with "quasi" still adds a past stint to it.
  Tell(
      "lavoro come addetta al customer care da quasi cinque anni, prima ho "
      "fatto la commessa per due anni");
  EXPECT_EQ(state_.profile().years_experience(), 6);
  state_.Clear();
  Tell("poco meno di 10 anni di esperienza");
  EXPECT_EQ(state_.profile().years_experience(), 9);
  state_.Clear();
  // A fraction: its whole part.
  Tell("quasi 2 anni e mezzo di lavoro");
  EXPECT_EQ(state_.profile().years_experience(), 2);
  state_.Clear();
  // "Circa" is about as many, not fewer.
  Tell("circa 3 anni di lavoro");
  EXPECT_EQ(state_.profile().years_experience(), 3);
}

TEST_F(TrackingTest, AFactTakenBackAndOneOfAnotherValue) {
  Tell("studio informatica");
  EXPECT_EQ(state_.profile().education_in_progress(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
  Changes c = Tell("no aspetta, non è in corso");
  EXPECT_THAT(c.removed, testing::Contains("educationInProgress"));
  EXPECT_EQ(state_.profile().education_in_progress(),
            dirigo::v1::EDUCATION_LEVEL_UNSPECIFIED);
  state_.Clear();
  // Taking back "student" leaves room for the job told in the same message.
  Tell("mi sono iscritto a informatica");
  Tell("l'ho lasciata, adesso lavoro come cassiera alla lidl");
  EXPECT_EQ(state_.profile().stage(), dirigo::v1::STAGE_EMPLOYED);
  state_.Clear();
  Tell("faccio il tecnico e lavoro anche in consulenza");
  Tell("io non lavoro in consulenza");
  EXPECT_THAT(state_.profile().experience(),
              testing::ElementsAre(dirigo::v1::EXPERIENCE_KIND_OTHER));
}

TEST_F(TrackingTest, EducationOnlyGoesUpUnlessCorrected) {
  Tell("ho un master");
  EXPECT_TRUE(Tell("ho anche la triennale").empty());
  EXPECT_EQ(state_.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_MASTER);
  Changes c = Tell("anzi, ho solo la triennale");
  EXPECT_TRUE(c.updated_known);  // "Aggiornato"
  EXPECT_EQ(state_.profile().education_level(),
            dirigo::v1::EDUCATION_LEVEL_BACHELOR);
}

TEST_F(TrackingTest, TheSameFactAgainIsNoChange) {
  Tell("ho la triennale");
  EXPECT_TRUE(Tell("ho la triennale").empty());
  EXPECT_EQ(trace_.slot_changes_size(), 0);
}

TEST_F(TrackingTest, YearsOfLeadingPeopleCountOnlyWhenNoneAreKnown) {
  Tell("gestisco 12 operatori da 3 anni, prima ho fatto l'operatrice 2 anni");
  EXPECT_EQ(state_.profile().years_experience(), 5);
  state_.Clear();
  Tell("lavoro da 10 anni in banca");
  Changes c = Tell("sì, da 3 anni coordino due colleghe");
  EXPECT_FALSE(c.Contains("yearsExperience"));
  EXPECT_EQ(state_.profile().years_experience(), 10);
  EXPECT_TRUE(state_.profile().leads_people());
}

TEST_F(TrackingTest, AStudentWhoTellsOfAJobIsStillAStudent) {
  Tell("sono iscritta alla triennale di economia");
  EXPECT_EQ(state_.profile().stage(), dirigo::v1::STAGE_STUDENT);
  Changes c = Tell("lavoro part time in un negozio");
  EXPECT_EQ(state_.profile().stage(), dirigo::v1::STAGE_STUDENT);
  EXPECT_FALSE(c.Contains("stage"));
  EXPECT_THAT(state_.profile().experience(),
              testing::ElementsAre(dirigo::v1::EXPERIENCE_KIND_FRONT_OFFICE));
  // Said outright, it changes.
  Tell("ho lasciato l universita e ho trovato un lavoro come segretaria");
  EXPECT_EQ(state_.profile().stage(), dirigo::v1::STAGE_EMPLOYED);
}

TEST_F(TrackingTest, YearsUpToNowSayOneWorksNow) {
  // A kind of work and its years up to now: working now, though no word
  // of the message says so.
  const std::string factory =
      "sono andato in fabbrica a biella, ormai sono 9 anni che ci lavoro";
  Changes c = Tell(factory);
  EXPECT_EQ(state_.profile().years_experience(), 9);
  EXPECT_EQ(state_.profile().stage(), dirigo::v1::STAGE_EMPLOYED);
  EXPECT_TRUE(c.Contains("stage"));
  // Years up to now of something that is no work.
  state_.Clear();
  c = Tell("ho il diploma da 5 anni");
  EXPECT_FALSE(c.Contains("stage"));
  // A stage already known stays: a student with a job of some years.
  state_.Clear();
  Tell("sono iscritta alla triennale di economia");
  c = Tell(factory);
  EXPECT_EQ(state_.profile().stage(), dirigo::v1::STAGE_STUDENT);
  EXPECT_FALSE(c.Contains("stage"));
}

TEST_F(TrackingTest, ACompanionTextGoesWithItsFact) {
  Tell("ho la triennale in economia");
  EXPECT_EQ(state_.profile().study_field_text(), "economia");
  Tell("ma non in economia");
  EXPECT_EQ(state_.profile().study_field(), dirigo::v1::STUDY_FIELD_OTHER);
  EXPECT_TRUE(state_.profile().study_field_text().empty());
  EXPECT_FALSE(state_.sources().contains("studyFieldText"));
}

TEST_F(TrackingTest, AFactGivenIsNoLongerSkipped) {
  SkipSlot("leadsPeople", &state_);
  state_.set_awaiting_slot("focusArea");
  SkipSlot("focusArea", &state_);
  EXPECT_TRUE(state_.awaiting_slot().empty());
  EXPECT_THAT(state_.skipped(),
              testing::ElementsAre("leadsPeople", "focusArea"));
  Tell("ho guidato un gruppo di tre persone");
  EXPECT_THAT(state_.skipped(), testing::ElementsAre("focusArea"));
}

}  // namespace
}  // namespace dirigo
