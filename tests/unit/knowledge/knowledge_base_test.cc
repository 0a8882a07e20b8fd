#include "knowledge/knowledge_base.h"

#include "absl/algorithm/container.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/bundled.h"

namespace dirigo {
namespace {

using testing::HasSubstr;

constexpr char kQuestions[] = "patterns/intents/questions.textproto";
constexpr char kEducation[] = "patterns/slots/education_level.textproto";

absl::Status LoadWith(const std::string& file, const std::string& extra,
                      const std::string& replace_from = "",
                      const std::string& replace_to = "") {
  auto files = BundledFiles();
  if (!replace_from.empty()) {
    size_t at = files[file].find(replace_from);
    EXPECT_NE(at, std::string::npos) << replace_from;
    if (at != std::string::npos)
      files[file].replace(at, replace_from.size(), replace_to);
  }
  files[file] += extra;
  return KnowledgeBase::LoadFiles(files, {}).status();
}

TEST(KnowledgeBaseTest, BundledKnowledgeBaseIsValid) {
  auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
  ASSERT_TRUE(kb.ok()) << kb.status();
  EXPECT_EQ((*kb)->proto().locale(), "it");
  EXPECT_GE((*kb)->pattern_count(), 50);
  EXPECT_EQ((*kb)->SectionHeading("intro"), "Introduzione");
  EXPECT_EQ((*kb)->SectionHeading("starting_small"), "Avvio piccolo");
}

TEST(KnowledgeBaseTest, ArticleIsTheWholeArticle) {
  auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
  ASSERT_TRUE(kb.ok());
  const auto& a = (*kb)->proto().article();
  EXPECT_EQ(a.title(), "Come posso diventare un dirigente del back office?");
  ASSERT_EQ(a.section_size(), 5);
  EXPECT_EQ(a.section(4).heading(), "Avvio piccolo");
  EXPECT_EQ((*kb)->ArticleSentences().size(), 27u);
}

TEST(KnowledgeBaseTest, SyntaxErrorNamesFileAndLine) {
  absl::Status s = LoadWith(kEducation, "\npattern { id: \"x\" regex: }\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("education_level.textproto:"));
}

TEST(KnowledgeBaseTest, RefusesAQuoteNotInTheArticle) {
  absl::Status s = LoadWith(
      "faq.textproto",
      "\nfaq { id: \"made_up\" answer: \"a\" citation { section: \"intro\" "
      "quote: \"Il back office è facile.\" } }\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("faq.textproto:"));
  EXPECT_THAT(s.message(), HasSubstr("faq 'made_up'"));
  EXPECT_THAT(s.message(), HasSubstr("not found verbatim"));
}

TEST(KnowledgeBaseTest, QuotesKeepTypographicApostrophes) {
  // The article writes "l’istruzione" with ’: a straight ' does not match.
  absl::Status s = LoadWith(
      "faq.textproto",
      "\nfaq { id: \"apostrophe\" answer: \"a\" citation { section: \"intro\" "
      "quote: \"inizia con l'istruzione universitaria\" } }\n");
  EXPECT_THAT(s.message(), HasSubstr("not found verbatim"));
}

TEST(KnowledgeBaseTest, RefusesAnUncitedSentence) {
  // Drop the only answer citing the sentence on front-office decisions.
  auto files = BundledFiles();
  std::string& faq = files["faq.textproto"];
  size_t start = faq.find("faq {\n  id: \"front_vs_back\"");
  ASSERT_NE(start, std::string::npos);
  size_t end = faq.find("\n}\n", start);
  faq.erase(start, end + 3 - start);
  // The pattern pointing at it must go too.
  std::string& patterns = files[kQuestions];
  size_t p = patterns.find("intent: \"faq.front_vs_back\"");
  ASSERT_NE(p, std::string::npos);
  patterns.replace(p, std::string("intent: \"faq.front_vs_back\"").size(),
                   "intent: \"faq.back_office\"");
  absl::Status s = KnowledgeBase::LoadFiles(files, {}).status();
  EXPECT_THAT(s.message(), HasSubstr("is cited nowhere"));
  EXPECT_THAT(s.message(), HasSubstr("Le decisioni prese qui"));
}

TEST(KnowledgeBaseTest, RefusesBadPatterns) {
  EXPECT_THAT(
      LoadWith(kQuestions,
               "\npattern { id: \"bad.regex\" regex: \"(\" intent: \"why\" }\n")
          .message(),
      HasSubstr("regex does not compile"));
  // Each of a rule's contexts must name a slot.
  EXPECT_THAT(LoadWith(kQuestions,
                       "\npattern { id: \"bad.context\" regex: \"x\" intent: "
                       "\"why\" band: QUESTION context: [\"focusArea\", "
                       "\"nope\"] }\n")
                  .message(),
              HasSubstr("context names no Profile field 'nope'"));
  EXPECT_THAT(LoadWith(kQuestions,
                       "\npattern { id: \"bad.concept\" regex: \"{nope}\" "
                       "intent: \"why\" }\n")
                  .message(),
              HasSubstr("unknown concept {nope}"));
  EXPECT_THAT(LoadWith(kQuestions,
                       "\npattern { id: \"bad.value\" regex: \"x\" set { slot: "
                       "\"educationLevel\" value: \"PHD\" } }\n")
                  .message(),
              HasSubstr("'PHD' is not a value of educationLevel"));
  EXPECT_THAT(LoadWith(kQuestions,
                       "\npattern { id: \"bad.slot\" regex: \"x\" set { slot: "
                       "\"age\" value: \"3\" } }\n")
                  .message(),
              HasSubstr("sets no Profile field 'age'"));
  EXPECT_THAT(
      LoadWith(kQuestions,
               "\npattern { id: \"bad.example\" regex: \"laurea\" intent: "
               "\"why\" example: \"ho un diploma\" }\n")
          .message(),
      HasSubstr("does not match its example"));
  EXPECT_THAT(LoadWith(kQuestions,
                       "\npattern { id: \"bad.intent\" regex: \"x\" intent: "
                       "\"faq.nope\" }\n")
                  .message(),
              HasSubstr("unknown intent 'faq.nope'"));
  // A rule at a clause's start is checked there: its example must open a
  // clause, its counterexample may hold the words elsewhere.
  EXPECT_THAT(LoadWith(kQuestions,
                       "\npattern { id: \"bad.start\" regex: \"^laurea\" "
                       "intent: \"why\" at_clause_start: true }\n")
                  .message(),
              HasSubstr("must not begin with '^'"));
  EXPECT_THAT(LoadWith(kQuestions,
                       "\npattern { id: \"bad.clause\" regex: \"laurea\" "
                       "intent: \"why\" at_clause_start: true example: "
                       "\"ho la laurea\" }\n")
                  .message(),
              HasSubstr("does not match its example"));
  EXPECT_EQ(LoadWith(kQuestions,
                     "\npattern { id: \"good.clause\" regex: \"laurea\" "
                     "intent: \"why\" at_clause_start: true example: "
                     "\"diploma, laurea no\" counterexample: \"ho la "
                     "laurea\" band: WEAK }\n"),
            absl::OkStatus());
  // A rule within one clause does not match over a clause's end.
  EXPECT_THAT(LoadWith(kQuestions,
                       "\npattern { id: \"bad.within\" regex: \"diploma "
                       "help\" intent: \"why\" within_clause: true band: "
                       "WEAK example: \"diploma. help desk\" }\n")
                  .message(),
              HasSubstr("does not match its example"));
  // {^concept} is one word that is none of the concept's one-word terms.
  EXPECT_EQ(LoadWith(kQuestions,
                     "\npattern { id: \"good.except\" regex: \"^sono "
                     "{^art}$\" intent: \"why\" band: WEAK example: [\"sono "
                     "ramaio\", \"sono ilario\", \"sono u\"] counterexample: "
                     "[\"sono il\", \"sono una\", \"sono ramaio di "
                     "bottega\"] }\n"),
            absl::OkStatus());
  // A rule tried on each question alone matches its example there, and only
  // in a question.
  EXPECT_EQ(
      LoadWith(kQuestions,
               "\npattern { id: \"good.each\" regex: \"^perche il "
               "\\\\d+$\" intent: \"why\" band: QUESTION each_question: true "
               "example: \"perché il 4? non ho capito\" "
               "counterexample: \"perché il 4. non ho capito\" }\n"),
      absl::OkStatus());
  // A rule tried on each clause alone matches its example in any clause.
  EXPECT_EQ(
      LoadWith(kQuestions,
               "\npattern { id: \"good.each_clause\" regex: \"^perche il "
               "\\\\d+$\" intent: \"why\" band: QUESTION each_clause: true "
               "example: \"perché il 4. non ho capito\" }\n"),
      absl::OkStatus());
  // ...and must read the whole clause.
  EXPECT_THAT(
      LoadWith(kQuestions,
               "\npattern { id: \"bad.each_clause\" regex: \"perche "
               "il \\\\d+\" intent: \"why\" band: QUESTION each_clause: "
               "true }\n")
          .message(),
      HasSubstr("must begin with '^' and end with '$'"));
  EXPECT_THAT(
      LoadWith(kQuestions,
               "\npattern { id: \"bad.each\" regex: \"^perche il "
               "\\\\d+$\" intent: \"why\" band: QUESTION example: \"perché il "
               "4? non ho capito\" }\n")
          .message(),
      HasSubstr("does not match its example"));
  // A last-resort reading is an answer to a question: it needs one. A part
  // without its time belongs to a slot that adds up, and sets no value; a
  // change needs a number. (One load for them all: each load compiles the
  // knowledge base.)
  const std::string message(
      LoadWith(kQuestions,
               "\npattern { id: \"bad.resort\" regex: \"x\" intent: "
               "\"why\" last_resort: true }\n"
               "pattern { id: \"bad.untimed_slot\" regex: \"x\" set { slot: "
               "\"educationLevel\" untimed: true } }\n"
               "pattern { id: \"bad.untimed_value\" regex: \"x\" set { slot: "
               "\"yearsExperience\" value: \"3\" untimed: true } }\n"
               "pattern { id: \"bad.change\" regex: \"x\" set { slot: "
               "\"yearsExperience\" value: \"3\" change: true } }\n"
               "pattern { id: \"bad.change_slot\" regex: \"(?P<n>x)\" set { "
               "slot: \"educationLevel\" capture: \"n\" subtract_capture: "
               "\"n\" change: true } }\n")
          .message());
  EXPECT_THAT(message, HasSubstr("needs a context"));
  EXPECT_THAT(message, HasSubstr("untimed is for a slot that adds_up"));
  EXPECT_THAT(message, HasSubstr("an untimed part sets no value"));
  EXPECT_THAT(message, HasSubstr("a change needs a capture"));
  EXPECT_THAT(message, HasSubstr("change is for a slot that adds_up"));
}

// The job of now belongs to a slot that adds up, and years up to now can
// only tell a job of now the slot names.
TEST(KnowledgeBaseTest, RefusesAJobOfNowWithoutItsBase) {
  EXPECT_THAT(LoadWith("slots.textproto", "", "adds_up: true", "").message(),
              HasSubstr("job_now is for a slot that adds_up"));
  EXPECT_THAT(LoadWith("slots.textproto", "",
                       "job_now { slot: \"stage\" any_of: [\"EMPLOYED\"] }", "")
                  .message(),
              HasSubstr("ongoing_job_now_with needs a job_now"));
  EXPECT_THAT(
      LoadWith("slots.textproto", "", "ongoing_job_now_with: \"experience\"",
               "ongoing_job_now_with: \"job\"")
          .message(),
      HasSubstr("ongoing_job_now_with names no slot"));
}

TEST(KnowledgeBaseTest, RefusesRepeatedIds) {
  EXPECT_THAT(LoadWith("advice.textproto", "", "id: \"plan_early\"",
                       "id: \"degree_first\"")
                  .message(),
              HasSubstr("advice 'degree_first': empty or repeated id"));
  EXPECT_THAT(
      LoadWith("phrases.textproto", "\nphrase { key: \"help\" text: \"x\" }\n")
          .message(),
      HasSubstr("phrase 'help': repeated"));
}

TEST(KnowledgeBaseTest, ReadsSubfoldersAndNamesTheFile) {
  // A rule in a file of its own, in a new subfolder, is loaded like any other.
  auto files = BundledFiles();
  files["patterns/extra/more.textproto"] =
      "pattern { id: \"x.more\" regex: \"\\\\bxyzzy\\\\b\" intent: "
      "\"greeting\" band: WEAK example: \"xyzzy\" }\n";
  auto kb = KnowledgeBase::LoadFiles(files, {});
  ASSERT_TRUE(kb.ok()) << kb.status();
  std::vector<std::string> ids;
  for (int i : (*kb)->Candidates("xyzzy"))
    ids.push_back((*kb)->pattern(i).def->id());
  EXPECT_THAT(ids, testing::Contains("x.more"));
  EXPECT_EQ((*kb)->Where(EntryKey("pattern", "x.more")),
            "patterns/extra/more.textproto:1");
}

TEST(KnowledgeBaseTest, ALexiconFeedsItsConcepts) {
  // A rule that names {front_job} matches a title only a lexicon lists.
  auto files = BundledFiles();
  files["patterns/extra/more.textproto"] =
      "pattern { id: \"x.job\" regex: \"\\\\bfaccio il {front_job}\\\\b\" "
      "intent: \"greeting\" band: WEAK example: \"faccio il xyzzista\" }\n";
  EXPECT_THAT(KnowledgeBase::LoadFiles(files, {}).status().message(),
              HasSubstr("faccio il xyzzista"));
  files["lexicons/extra.textproto"] =
      "lexicon { id: \"extra\" entry { term: [\"xyzzista\", \"xyzziste\"] "
      "joins: [\"front_job\"] } }\n";
  auto kb = KnowledgeBase::LoadFiles(files, {});
  ASSERT_TRUE(kb.ok()) << kb.status();
  EXPECT_EQ((*kb)->Where(EntryKey("lexicon", "extra")),
            "lexicons/extra.textproto:1");
}

TEST(KnowledgeBaseTest, ALexiconIsChecked) {
  auto files = BundledFiles();
  files["lexicons/extra.textproto"] =
      "lexicon { id: \"extra\" entry { term: \"xyzzista\" joins: "
      "\"no_such_concept\" } entry { term: \"Xyzzista\" joins: "
      "\"front_job\" } entry { term: \"plugh\" } }\n";
  std::string message(KnowledgeBase::LoadFiles(files, {}).status().message());
  EXPECT_THAT(message, HasSubstr("unknown concept 'no_such_concept'"));
  EXPECT_THAT(message, HasSubstr("term 'Xyzzista' is empty or in two entries"));
  EXPECT_THAT(message, HasSubstr("entry 'plugh' joins no concept"));
}

TEST(KnowledgeBaseTest, AConceptHasTheTermsOfThoseItIncludes) {
  // {x_all} takes a lexicon's title through the concept it includes.
  auto files = BundledFiles();
  files["lexicons/extra.textproto"] =
      "lexicon { id: \"extra\" entry { term: \"xyzzista\" joins: "
      "\"front_job\" } }\n"
      "concepts { id: \"x_all\" include: [\"admin_job\", \"front_job\"] "
      "}\n";
  files["patterns/extra/more.textproto"] =
      "pattern { id: \"x.all\" regex: \"\\\\bfaccio il {x_all}\\\\b\" "
      "intent: \"greeting\" band: WEAK example: [\"faccio il xyzzista\", "
      "\"faccio il segretario\"] }\n";
  auto kb = KnowledgeBase::LoadFiles(files, {});
  ASSERT_TRUE(kb.ok()) << kb.status();
  files["lexicons/extra.textproto"] +=
      "concepts { id: \"x_loop\" include: [\"x_back\", \"no_such\"] }\n"
      "concepts { id: \"x_back\" include: \"x_loop\" }\n";
  std::string message(KnowledgeBase::LoadFiles(files, {}).status().message());
  EXPECT_THAT(message, HasSubstr("concept 'x_loop': includes itself"));
  EXPECT_THAT(message, HasSubstr("includes no concept 'no_such'"));
}

TEST(KnowledgeBaseTest, RulesNeedABandAndARankWithinIt) {
  EXPECT_THAT(LoadWith(kEducation, "", "band: FACT", "").message(),
              HasSubstr("band is required"));
  EXPECT_THAT(
      LoadWith(kEducation, "", "band: FACT", "band: FACT rank: 10").message(),
      HasSubstr("rank goes from 0 to 9"));
}

TEST(KnowledgeBaseTest, BandsRankAboveRanks) {
  // The top rank of every band stays below the lowest of the next band.
  for (int band = kbv1::Pattern::WEAK; band < kbv1::Pattern::COMMAND; ++band) {
    kbv1::Pattern top, next;
    top.set_band(static_cast<kbv1::Pattern::Band>(band));
    top.set_rank(kRanksPerBand - 1);
    next.set_band(static_cast<kbv1::Pattern::Band>(band + 1));
    EXPECT_LT(PatternPriority(top), PatternPriority(next)) << band;
  }
}

TEST(KnowledgeBaseTest, SlotsSayHowTheyAreKnown) {
  EXPECT_THAT(LoadWith("slots.textproto", "", "origin: TOLD", "").message(),
              HasSubstr("slot 'educationInProgress': origin is required"));
  EXPECT_THAT(LoadWith("slots.textproto", "", "companion: \"studyFieldText\"",
                       "companion: \"studyField\"")
                  .message(),
              HasSubstr("companion 'studyField' is no text field"));
  auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
  ASSERT_TRUE(kb.ok());
  const CompiledSlot* field = (*kb)->FindSlot("studyField");
  ASSERT_NE(field, nullptr);
  ASSERT_NE(field->companion, nullptr);
  EXPECT_EQ(field->companion->json_name(), "studyFieldText");
  EXPECT_EQ((*kb)->FindSlot("nope"), nullptr);
}

TEST(KnowledgeBaseTest, OnlyOneFileGivesTheVersionOrTheLanguage) {
  absl::Status s = LoadWith("phrases.textproto", "\nversion: \"other\"\n");
  EXPECT_THAT(s.message(), HasSubstr("phrases.textproto: version is given "
                                     "here and in manifest.textproto"));
}

TEST(KnowledgeBaseTest, EveryInformalTextHasItsFormalForm) {
  // A phrase that says "hai" needs its "Lei" form; a form must keep the
  // placeholders, say no informal word and belong to a text.
  std::string message(
      LoadWith("phrases.textproto",
               "phrase { key: \"x_new\" text: \"Hai {n} anni\" }\n")
          .message());
  EXPECT_THAT(message, HasSubstr("phrase 'x_new'"));
  EXPECT_THAT(message, HasSubstr("says 'hai'"));
  message = std::string(
      LoadWith("formal.textproto",
               "formal { informal: \"Hai {n} anni\" formal: \"Ha anni\" }\n"
               "formal { informal: \"Mai detto\" formal: \"Tu mai\" }\n")
          .message());
  EXPECT_THAT(message, HasSubstr("the same {placeholders}"));
  EXPECT_THAT(message, HasSubstr("the formal form still says 'tu'"));
  EXPECT_THAT(message, HasSubstr("is the formal form of no text"));
}

TEST(KnowledgeBaseTest, OnlyAnAimCountsInAQuestion) {
  std::string message(
      LoadWith(kEducation,
               "pattern { id: \"x.aim\" regex: \"\\\\bxyzzy\\\\b\" "
               "set { slot: \"educationLevel\" value: \"MASTER\" } "
               "aim_in_question: true band: FACT example: \"xyzzy\" }\n")
          .message());
  EXPECT_THAT(message, HasSubstr("'educationLevel' is no slot of an aim"));
}

TEST(KnowledgeBaseTest, ATakeBackNamesItsCaptureAndSetsNothing) {
  std::string message(
      LoadWith(kEducation,
               "pattern { id: \"x.back\" regex: \"\\\\btogli (?P<w>\\\\S+)\" "
               "take_back: \"what\" set { slot: \"educationLevel\" value: "
               "\"MASTER\" } band: NEGATION example: \"togli tutto\" }\n")
          .message());
  EXPECT_THAT(message, HasSubstr("take_back finds its fact: it sets none"));
  EXPECT_THAT(message, HasSubstr("no capture group 'what'"));
}

TEST(KnowledgeBaseTest, ATailNamesItsCapture) {
  std::string message(
      LoadWith(kEducation,
               "pattern { id: \"x.tail\" regex: \"^basta(?P<r> .*)?$\" "
               "tail: \"reason\" intent: \"command.restart\" band: COMMAND "
               "example: \"basta cosi\" }\n")
          .message());
  EXPECT_THAT(message, HasSubstr("no capture group 'reason'"));
  std::string clause(
      LoadWith(kEducation,
               "pattern { id: \"x.tail\" regex: \"^basta(?P<r> .*)?$\" "
               "tail: \"r\" within_clause: true intent: "
               "\"command.restart\" band: COMMAND example: \"basta cosi\" "
               "}\n")
          .message());
  EXPECT_THAT(clause, HasSubstr("a tail reaches past the rule's own words"));
}

TEST(KnowledgeBaseTest, TellsTheRegisterOfAMessage) {
  auto kb = BundledKb();
  using Register = KnowledgeBase::Register;
  auto of = [&kb](const std::string& text) {
    auto n = kb->NormalizeMessage(text);
    EXPECT_TRUE(n.ok()) << n.status();
    return kb->RegisterOf(n->text, text);
  };
  EXPECT_EQ(of("Buongiorno, mi dica: da dove comincio?"), Register::kFormal);
  EXPECT_EQ(of("secondo Lei serve il master?"), Register::kFormal);
  EXPECT_EQ(of("puo dirmi cosa serve?"), Register::kFormal);
  EXPECT_EQ(of("dimmi cosa serve"), Register::kInformal);
  EXPECT_EQ(of("secondo te serve il master?"), Register::kInformal);
  // Not cues: a third person, a plain fact, cues of both kinds.
  EXPECT_EQ(of("mi può servire un master?"), Register::kUnmarked);
  EXPECT_EQ(of("ho la laurea in economia"), Register::kUnmarked);
  EXPECT_EQ(of("scusi, anzi scusa"), Register::kUnmarked);
  EXPECT_EQ(of("mi potrebbe servire un master?"), Register::kUnmarked);
  EXPECT_EQ(of("mia moglie che ne pensa?"), Register::kUnmarked);
  // "Lei" with a capital counts inside a sentence, not at its start.
  EXPECT_EQ(of("Lei è mia sorella."), Register::kUnmarked);
  EXPECT_EQ(of("ho la laurea. Lei cosa mi consiglia?"), Register::kFormal);
  // Asked outright: the request wins over other cues.
  EXPECT_EQ(of("mi può dare del tu"), Register::kInformal);
  EXPECT_EQ(of("puoi darmi del lei?"), Register::kFormal);
  const std::string question = "Che studi hai fatto?";
  EXPECT_EQ(kb->InRegister(question, true), "Che studi ha fatto?");
  EXPECT_EQ(kb->InRegister(question, false), "Che studi hai fatto?");
}

TEST(KnowledgeBaseTest, TheLanguageIsChecked) {
  EXPECT_THAT(
      LoadWith("language.textproto", "", "words: \"e mezzo\"", "words: \" \"")
          .message(),
      HasSubstr("a fraction needs its words"));
  EXPECT_THAT(
      LoadWith("language.textproto", "", "word: \"due\"", "word: \"tre\"")
          .message(),
      HasSubstr("number word 'tre' is empty or given twice"));
}

TEST(KnowledgeBaseTest, AnFaqIntentNamesAnFaq) {
  EXPECT_THAT(
      LoadWith(kQuestions, "", "intent: \"faq.roles\"", "intent: \"faq.rolez\"")
          .message(),
      HasSubstr("unknown intent 'faq.rolez': no such FAQ"));
}

TEST(KnowledgeBaseTest, MissingFolderIsNotFound) {
  auto kb = KnowledgeBase::LoadDirectory("/nonexistent/knowledge", {});
  EXPECT_EQ(kb.status().code(), absl::StatusCode::kNotFound);
}

TEST(KnowledgeBaseTest, PatternSetPassesFindCandidates) {
  auto kb = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, {});
  ASSERT_TRUE(kb.ok());
  std::vector<int> hits = (*kb)->Candidates("ho una triennale in economia");
  std::vector<std::string> ids;
  for (int i : hits) ids.push_back((*kb)->pattern(i).def->id());
  EXPECT_THAT(ids,
              testing::IsSupersetOf({"education.bachelor", "field.business"}));
  // A rule tried on each question alone is found in a question that more
  // follows; the text alone does not find it.
  auto n =
      (*kb)->NormalizeMessage("ma voi che fate esattamente? io so carabiniere");
  ASSERT_TRUE(n.ok());
  auto found = [&](const std::vector<int>& candidates) {
    return absl::c_any_of(candidates, [&](int i) {
      return (*kb)->pattern(i).def->id() == "command.help_what_you_do";
    });
  };
  EXPECT_TRUE(found((*kb)->Candidates(*n)));
  EXPECT_FALSE(found((*kb)->Candidates(n->text)));
  // Gibberish finds only the rules that read whatever is answered.
  for (int i : (*kb)->Candidates("zzz qqq")) {
    EXPECT_TRUE((*kb)->pattern(i).def->last_resort())
        << (*kb)->pattern(i).def->id();
  }
}

// However the patterns are split into sets, a message finds the same ones;
// a budget too small for a single pattern is an error that says so.
TEST(KnowledgeBaseTest, PatternSetsOfAnySizeFindTheSameCandidates) {
  KnowledgeBaseOptions big;
  big.compiler.patterns_per_set = 64;
  auto whole = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, big);
  ASSERT_TRUE(whole.ok());
  KnowledgeBaseOptions small;
  small.compiler.patterns_per_set = 64;
  small.compiler.set_max_mem = 16 << 20;  // sets of 64 must be halved
  auto split = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, small);
  ASSERT_TRUE(split.ok()) << split.status();
  const int n = (*split)->pattern_count();
  EXPECT_GT((*split)->pattern_set_count(), (n + 63) / 64);
  EXPECT_EQ((*whole)->pattern_set_count(), (n + 63) / 64);
  for (const char* text :
       {"ho una triennale in economia e faccio la segretaria da 3 anni",
        "vorrei lavorare nelle risorse umane in una multinazionale",
        "dal 2010 al 2016 magazziniere, poi 4 in ufficio", "zzz qqq"}) {
    EXPECT_EQ((*whole)->Candidates(text), (*split)->Candidates(text)) << text;
  }
  KnowledgeBaseOptions tiny;
  tiny.compiler.set_max_mem = 1 << 10;
  auto none = KnowledgeBase::LoadDirectory(DIRIGO_TEST_KB_DIR, tiny);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(none.status().message(), testing::HasSubstr("set_max_mem"));
  EXPECT_THAT(none.status().message(), testing::HasSubstr("pattern '"));
}

}  // namespace
}  // namespace dirigo
