#include "knowledge/validator.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "knowledge/article.h"
#include "knowledge/compiler.h"
#include "knowledge/profile_fields.h"

namespace dirigo {
namespace {

namespace kbv1 = ::dirigo::kb::v1;

// The highest rank within a band.
constexpr int kMaxRank = kRanksPerBand - 1;

// The checks share the knowledge base, the problems, and the quotes seen (to
// check at the end that every sentence of the article is quoted).
class Validator {
 public:
  Validator(const kbv1::KnowledgeBase& kb, Problems* problems)
      : kb_(kb), problems_(*problems) {}

  void Run() {
    CheckManifest();
    CheckArticle();
    CheckConcepts();
    CheckLexicons();
    CheckSlots();
    CheckFaqs();
    CheckAdvice();
    CheckPhrases();
    CheckClient();
    CheckRegister();
    for (const kbv1::Pattern& p : kb_.pattern()) CheckPattern(p);
    CheckEverySentenceQuoted();
  }

 private:
  void Add(const std::string& entry, const std::string& message) {
    problems_.Add(entry, message);
  }
  // Adds a problem when `id` is empty or already in `seen`.
  void CheckId(const std::string& entry, const std::string& id,
               std::set<std::string>* seen) {
    if (id.empty() || !seen->insert(id).second) {
      Add(entry, "empty or repeated id");
    }
  }

  void CheckManifest();
  void CheckArticle();
  void CheckCitation(const std::string& entry, const kbv1::Citation& c);
  void CheckConcepts();
  void CheckLexicons();
  void CheckSlots();
  void CheckSlot(const kbv1::Slot& s, const FieldDescriptor* f);
  void CheckFaqs();
  void CheckAdvice();
  void CheckPhrases();
  void CheckClient();
  void CheckRegister();
  void CheckPattern(const kbv1::Pattern& p);
  void CheckAssignment(const std::string& entry, const kbv1::Assignment& a);
  void CheckIntent(const std::string& entry, const std::string& intent);
  void CheckEverySentenceQuoted();

  const kbv1::KnowledgeBase& kb_;
  Problems& problems_;
  std::vector<std::string> quotes_;
  std::set<std::string> faq_ids_, pattern_ids_;
};

void Validator::CheckManifest() {
  if (kb_.version().empty()) Add("manifest", "version is missing");
  if (kb_.locale().empty()) Add("manifest", "locale is missing");
  const kbv1::Language& l = kb_.language();
  if (l.icu_locale().empty() || l.dictionary().empty()) {
    Add("language", "icu_locale and dictionary are required");
  }
  if (l.last_separator().empty()) {
    Add("language", "last_separator is required (\" e \" joins two facts)");
  }
  std::set<std::string> words;
  for (const kbv1::NumberWord& n : l.number()) {
    for (const std::string& w : n.word()) {
      if (w.empty() || !words.insert(w).second) {
        Add("language",
            absl::StrCat("number word '", w, "' is empty or given twice"));
      }
    }
  }
  for (const kbv1::TimeUnit& u : l.time_unit()) {
    if (u.singular().empty() || u.plural().empty()) {
      Add("language", "a time_unit needs its singular and its plural");
    }
  }
  for (const kbv1::Fraction& f : l.fraction()) {
    if (f.words().find_first_not_of(' ') == std::string::npos) {
      Add("language", "a fraction needs its words (\"e mezzo\")");
    }
  }
}

void Validator::CheckArticle() {
  const kbv1::Article& article = kb_.article();
  if (article.section_size() == 0)
    Add("article", "the article has no sections");
  std::set<std::string> ids;
  for (int i = 0; i < article.section_size(); ++i) {
    const kbv1::Section& s = article.section(i);
    if (s.id().empty() || !ids.insert(s.id()).second) {
      Add("article",
          absl::StrCat("section ", i + 1, " has an empty or repeated id"));
    }
    if ((i == 0) != s.heading().empty()) {
      Add("article", absl::StrCat("section '", s.id(),
                                  "': only the first section (the "
                                  "introduction) has no heading"));
    }
  }
}

void Validator::CheckCitation(const std::string& entry,
                              const kbv1::Citation& c) {
  const auto& sections = kb_.article().section();
  auto s = std::find_if(
      sections.begin(), sections.end(),
      [&](const kbv1::Section& s) { return s.id() == c.section(); });
  if (s == sections.end()) {
    Add(entry, absl::StrCat("citation names no section '", c.section(), "'"));
    return;
  }
  if (c.quote().empty()) {
    Add(entry, "a citation has an empty quote");
    return;
  }
  bool found = std::any_of(s->paragraph().begin(), s->paragraph().end(),
                           [&](const std::string& para) {
                             return absl::StrContains(para, c.quote());
                           });
  if (!found) {
    Add(entry, absl::StrCat("quote not found verbatim in section '",
                            c.section(), "': \"", c.quote(), "\""));
  }
  quotes_.push_back(c.quote());
}

void Validator::CheckConcepts() {
  std::set<std::string> fed;  // concepts that lexicons give terms to
  for (const kbv1::Lexicon& l : kb_.lexicon()) {
    for (const kbv1::LexiconEntry& e : l.entry()) {
      fed.insert(e.joins().begin(), e.joins().end());
    }
  }
  std::set<std::string> ids;
  std::map<std::string, const kbv1::Concept*> by_id;
  for (const kbv1::Concept& c : kb_.concepts()) {
    std::string entry = EntryKey("concept", c.id());
    CheckId(entry, c.id(), &ids);
    by_id[c.id()] = &c;
    if (c.term_size() == 0 && c.include_size() == 0 && !fed.count(c.id())) {
      Add(entry, "no terms");
    }
  }
  // Every include names a concept, and none leads back to where it started.
  for (const kbv1::Concept& c : kb_.concepts()) {
    std::string entry = EntryKey("concept", c.id());
    std::vector<std::string> todo(c.include().begin(), c.include().end());
    std::set<std::string> seen;
    while (!todo.empty()) {
      std::string id = todo.back();
      todo.pop_back();
      auto it = by_id.find(id);
      if (it == by_id.end()) {
        Add(entry, absl::StrCat("includes no concept '", id, "'"));
        continue;
      }
      if (id == c.id()) {
        Add(entry, "includes itself");
        break;
      }
      if (!seen.insert(id).second) continue;
      todo.insert(todo.end(), it->second->include().begin(),
                  it->second->include().end());
    }
  }
}

void Validator::CheckLexicons() {
  std::set<std::string> concepts;
  for (const kbv1::Concept& c : kb_.concepts()) concepts.insert(c.id());
  std::set<std::string> ids;
  for (const kbv1::Lexicon& l : kb_.lexicon()) {
    std::string entry = EntryKey("lexicon", l.id());
    CheckId(entry, l.id(), &ids);
    if (l.entry_size() == 0) Add(entry, "no entries");
    std::set<std::string> forms;
    for (const kbv1::LexiconEntry& e : l.entry()) {
      std::string first = e.term_size() > 0 ? e.term(0) : "";
      if (e.term_size() == 0) Add(entry, "an entry without terms");
      if (e.joins_size() == 0) {
        Add(entry, absl::StrCat("entry '", first, "' joins no concept"));
      }
      for (const std::string& c : e.joins()) {
        if (!concepts.count(c)) {
          Add(entry,
              absl::StrCat("entry '", first, "': unknown concept '", c, "'"));
        }
      }
      for (const std::string& t : e.term()) {
        if (t.empty() || !forms.insert(absl::AsciiStrToLower(t)).second) {
          Add(entry, absl::StrCat("term '", t, "' is empty or in two entries"));
        }
      }
    }
  }
}

void Validator::CheckSlots() {
  std::set<std::string> names;
  for (const kbv1::Slot& s : kb_.slot()) {
    std::string entry = EntryKey("slot", s.name());
    const FieldDescriptor* f = FindProfileField(s.name());
    if (f == nullptr) {
      Add(entry, absl::StrCat("no Profile field of that name (one of ",
                              absl::StrJoin(ProfileFieldNames(), ", "), ")"));
      continue;
    }
    if (!names.insert(s.name()).second) Add(entry, "repeated");
    CheckSlot(s, f);
  }
}

void Validator::CheckSlot(const kbv1::Slot& s, const FieldDescriptor* f) {
  std::string entry = EntryKey("slot", s.name());
  if (s.origin() == kbv1::Slot::ORIGIN_UNSPECIFIED) {
    Add(entry, "origin is required: ASKED, TOLD or INFERRED");
  }
  if (s.origin() == kbv1::Slot::ASKED) {
    if (s.question_size() == 0) {
      Add(entry, "an asked slot needs at least one question");
    }
    if (s.why().empty()) Add(entry, "an asked slot needs a 'why' answer");
  }
  problems_.Add(entry, CheckCondition(s.ask_if()));
  if (s.has_job_now()) {
    kbv1::Condition job_now;
    *job_now.add_all() = s.job_now();
    problems_.Add(entry, CheckCondition(job_now));
    if (!s.adds_up()) Add(entry, "job_now is for a slot that adds_up");
  }
  if (!s.ongoing_job_now_with().empty()) {
    if (!s.has_job_now()) Add(entry, "ongoing_job_now_with needs a job_now");
    if (absl::c_none_of(kb_.slot(), [&](const kbv1::Slot& o) {
          return o.name() == s.ongoing_job_now_with();
        })) {
      Add(entry, "ongoing_job_now_with names no slot");
    }
  }
  for (const auto& n : s.narrow()) {
    problems_.Add(entry, CheckCondition(n.when()));
    if (n.question().empty()) Add(entry, "a narrow question without text");
  }
  for (const auto& v : s.say()) {
    problems_.Add(entry, CheckSlotValue(f, v.value()));
    problems_.Add(entry, CheckCondition(v.when()));
  }
  for (const std::string& v : s.held()) {
    problems_.Add(entry, CheckSlotValue(f, v));
  }
  if (s.held_size() > 0 &&
      (s.keep_highest() || s.adds_up() || (f != nullptr && f->is_repeated()))) {
    Add(entry,
        "held is for a slot of one value, neither keep_highest nor "
        "adds_up");
  }
  if (!s.companion().empty()) {
    const FieldDescriptor* c = FindProfileField(s.companion());
    if (c == nullptr || c->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
      Add(entry, absl::StrCat("companion '", s.companion(),
                              "' is no text field of the Profile"));
    }
  }
  if (!s.say_words_after().empty() && s.say_words().empty()) {
    Add(entry, "say_words_after needs say_words, for the fact said first");
  }
  for (const auto& c : s.why_citation()) CheckCitation(entry, c);
}

void Validator::CheckFaqs() {
  for (const kbv1::Faq& f : kb_.faq()) {
    std::string entry = EntryKey("faq", f.id());
    CheckId(entry, f.id(), &faq_ids_);
    if (f.answer().empty()) Add(entry, "empty answer");
    if (f.citation_size() == 0) Add(entry, "no citation");
    for (const auto& c : f.citation()) CheckCitation(entry, c);
  }
}

void Validator::CheckAdvice() {
  std::set<std::string> ids;
  for (const kbv1::AdviceRule& a : kb_.advice()) {
    std::string entry = EntryKey("advice", a.id());
    CheckId(entry, a.id(), &ids);
    if (a.title().empty() || a.text().empty()) {
      Add(entry, "title and text are required");
    }
    if (a.citation_size() == 0) Add(entry, "no citation");
    if (a.when().all_size() == 0) {
      Add(entry, "a rule needs a condition ('when')");
    }
    problems_.Add(entry, CheckCondition(a.when()));
    for (const auto& c : a.citation()) CheckCitation(entry, c);
  }
}

void Validator::CheckPhrases() {
  std::set<std::string> keys;
  for (const kbv1::Phrase& ph : kb_.phrase()) {
    std::string entry = EntryKey("phrase", ph.key());
    if (!keys.insert(ph.key()).second) Add(entry, "repeated");
    if (ph.text_size() == 0) Add(entry, "no text");
  }
  for (const kbv1::QuickReply& q : kb_.plan_quick_reply()) {
    if (q.label().empty()) Add("phrases", "a plan_quick_reply has no label");
  }
}

void Validator::CheckClient() {
  std::set<std::string> keys, actions;
  for (const kbv1::Phrase& t : kb_.client().text()) {
    if (!keys.insert(t.key()).second || t.text_size() != 1) {
      Add("client", absl::StrCat("text '", t.key(),
                                 "' is repeated or has not exactly one text"));
    }
  }
  for (const auto& c : kb_.client().command()) {
    if (c.action().empty() || c.alias_size() == 0 ||
        !actions.insert(c.action()).second) {
      Add("client", absl::StrCat("command '", c.action(),
                                 "' needs a unique action and an alias"));
    }
  }
}

void Validator::CheckPattern(const kbv1::Pattern& p) {
  if (p.aim_in_question()) {
    for (const kbv1::Assignment& a : p.set()) {
      const auto slot = std::find_if(
          kb_.slot().begin(), kb_.slot().end(),
          [&a](const kbv1::Slot& s) { return s.name() == a.slot(); });
      if (slot == kb_.slot().end() || !slot->aim()) {
        Add(EntryKey("pattern", p.id()),
            absl::StrCat("aim_in_question, but '", a.slot(),
                         "' is no slot of an aim"));
      }
    }
  }
  std::string entry = EntryKey("pattern", p.id());
  CheckId(entry, p.id(), &pattern_ids_);
  if (p.band() == kbv1::Pattern::BAND_UNSPECIFIED) {
    Add(entry,
        "band is required (WEAK, FACT, SPECIFIC_FACT, NEGATION, "
        "QUESTION or COMMAND)");
  }
  if (p.rank() < 0 || p.rank() > kMaxRank) {
    Add(entry, absl::StrCat("rank goes from 0 to ", kMaxRank));
  }
  for (const kbv1::Assignment& a : p.set()) CheckAssignment(entry, a);
  if (!p.intent().empty()) CheckIntent(entry, p.intent());
  if (!p.take_back().empty() && !p.set().empty()) {
    Add(entry, "take_back finds its fact: it sets none");
  }
  if (p.tail_size() > 0 && (p.within_clause() || p.at_clause_start())) {
    // The clause is judged by the whole match, tail included.
    Add(entry,
        "a tail reaches past the rule's own words: within_clause and "
        "at_clause_start would judge the clause by it");
  }
  if (p.set_size() == 0 && p.intent().empty() && p.absorb_size() == 0 &&
      p.take_back().empty()) {
    Add(entry, "a pattern must set or absorb a fact, or carry an intent");
  }
  for (const std::string& a : p.absorb()) {
    if (FindProfileField(a) == nullptr) {
      Add(entry, absl::StrCat("absorbs no Profile field '", a, "'"));
    }
  }
  for (const std::string& c : p.context()) {
    if (FindProfileField(c) == nullptr) {
      Add(entry, absl::StrCat("context names no Profile field '", c, "'"));
    }
  }
}

void Validator::CheckAssignment(const std::string& entry,
                                const kbv1::Assignment& a) {
  const FieldDescriptor* f = FindProfileField(a.slot());
  if (f == nullptr) {
    Add(entry, absl::StrCat("sets no Profile field '", a.slot(), "'"));
    return;
  }
  if ((a.since_year() || a.divisor() != 0 || a.offset() != 0 ||
       !a.subtract_capture().empty() || !a.multiply_capture().empty() ||
       a.gap()) &&
      a.capture().empty()) {
    Add(entry,
        "since_year, divisor, offset, subtract_capture, multiply_capture and "
        "gap need a capture");
  }
  // Whether the slot set adds up (yearsExperience).
  const bool adds_up = std::any_of(kb_.slot().begin(), kb_.slot().end(),
                                   [&a](const kbv1::Slot& s) {
                                     return s.name() == a.slot() && s.adds_up();
                                   });
  if (a.untimed()) {
    if (!adds_up) Add(entry, "untimed is for a slot that adds_up");
    if (!a.value().empty() || !a.capture().empty() || a.total() || a.remove() ||
        a.gap()) {
      Add(entry,
          "an untimed part sets no value: no value, capture, total, remove or "
          "gap");
    }
    return;
  }
  if (a.change()) {
    if (!adds_up) Add(entry, "change is for a slot that adds_up");
    if (a.capture().empty() || a.subtract_capture().empty() || a.total() ||
        a.remove() || a.gap() || a.fill_only() || a.untimed()) {
      Add(entry,
          "a change needs a capture and a subtract_capture (the number told "
          "and the one it replaces), and is no total, removal, gap, "
          "fill_only or untimed part");
    }
  }
  if (a.capture().empty() && f->cpp_type() != FieldDescriptor::CPPTYPE_STRING &&
      !(a.remove() && a.value().empty())) {
    problems_.Add(entry, CheckSlotValue(f, a.value()));
  }
}

// "faq.<id>" must name an FAQ entry; other intents are checked by the engine,
// which knows which ones it handles.
void Validator::CheckIntent(const std::string& entry,
                            const std::string& intent) {
  std::vector<std::string> parts = absl::StrSplit(intent, '.');
  bool well_formed =
      parts.size() <= 2 &&
      std::none_of(parts.begin(), parts.end(),
                   [](const std::string& p) { return p.empty(); });
  if (!well_formed) {
    Add(entry, absl::StrCat("intent '", intent, "' is not a name"));
  } else if (parts.size() == 2 && parts[0] == "faq" &&
             !faq_ids_.count(parts[1])) {
    Add(entry, absl::StrCat("unknown intent '", intent, "': no such FAQ"));
  }
}

// Every text the bot says to the person, with the entry it belongs to, and
// the texts of its suggested answers (a formal person is offered formal
// ones). The client's texts are left out: clients show them before anyone
// has written.
void ForEachBotText(
    const kbv1::KnowledgeBase& kb,
    const std::function<void(const std::string&, const std::string&)>& fn) {
  auto replies = [&fn](const std::string& entry, const auto& quick_replies) {
    for (const kbv1::QuickReply& q : quick_replies) {
      fn(entry, q.label());
      if (!q.text().empty()) fn(entry, q.text());
    }
  };
  for (const kbv1::Phrase& p : kb.phrase()) {
    for (const std::string& t : p.text()) fn(EntryKey("phrase", p.key()), t);
  }
  replies("phrases", kb.plan_quick_reply());
  for (const kbv1::Slot& s : kb.slot()) {
    const std::string entry = EntryKey("slot", s.name());
    for (const std::string& q : s.question()) fn(entry, q);
    replies(entry, s.quick_reply());
    for (const auto& n : s.narrow()) {
      fn(entry, n.question());
      replies(entry, n.quick_reply());
    }
    for (const auto& v : s.say()) fn(entry, v.text());
    for (const std::string* t : {&s.why(), &s.label(), &s.say_words(),
                                 &s.say_words_after(), &s.say_number()}) {
      if (!t->empty()) fn(entry, *t);
    }
  }
  for (const kbv1::Faq& f : kb.faq()) fn(EntryKey("faq", f.id()), f.answer());
  for (const kbv1::AdviceRule& a : kb.advice()) {
    fn(EntryKey("advice", a.id()), a.title());
    fn(EntryKey("advice", a.id()), a.text());
  }
}

// The words of a text, lower case: "Scrivimelo pure" → {"scrivimelo",
// "pure"}. Letters are ASCII letters and every non-ASCII byte.
std::set<std::string> WordsOf(const std::string& text) {
  std::set<std::string> words;
  std::string word;
  for (char c : text + " ") {
    if (absl::ascii_isalpha(c) || (c & 0x80) != 0) {
      word += absl::ascii_tolower(c);
    } else if (!word.empty()) {
      words.insert(word);
      word.clear();
    }
  }
  return words;
}

// The placeholders of a text ("{facts}"), in order.
std::vector<std::string> PlaceholdersOf(const std::string& text) {
  std::vector<std::string> found;
  for (size_t open = text.find('{'); open != std::string::npos;
       open = text.find('{', open + 1)) {
    size_t close = text.find('}', open);
    if (close == std::string::npos) break;
    found.push_back(text.substr(open, close - open + 1));
  }
  std::sort(found.begin(), found.end());
  return found;
}

// Each informal text has its formal form, each formal form has its text,
// the same placeholders and no informal word.
void Validator::CheckRegister() {
  std::set<std::string> informal_words(kb_.language().informal_word().begin(),
                                       kb_.language().informal_word().end());
  auto informal_word_in = [&](const std::string& text) -> std::string {
    for (const std::string& w : WordsOf(text)) {
      if (informal_words.count(w)) return w;
    }
    return "";
  };
  std::map<std::string, const kbv1::FormalText*> formal;
  for (const kbv1::FormalText& f : kb_.formal()) {
    const std::string entry = EntryKey("formal", f.informal());
    if (f.informal().empty() || f.formal().empty()) {
      Add(entry, "needs both 'informal' and 'formal'");
      continue;
    }
    if (!formal.emplace(f.informal(), &f).second) Add(entry, "repeated");
    if (PlaceholdersOf(f.informal()) != PlaceholdersOf(f.formal())) {
      Add(entry, "the formal form must have the same {placeholders}");
    }
    const std::string word = informal_word_in(f.formal());
    if (!word.empty()) {
      Add(entry, absl::StrCat("the formal form still says '", word, "'"));
    }
  }
  std::set<std::string> used;
  ForEachBotText(kb_, [&](const std::string& entry, const std::string& text) {
    if (formal.count(text)) {
      used.insert(text);
      return;
    }
    const std::string word = informal_word_in(text);
    if (!word.empty()) {
      Add(entry, absl::StrCat("says '", word, "' (\"", text,
                              "\") and has no formal form in 'formal'"));
    }
  });
  for (const auto& [text, f] : formal) {
    if (!used.count(text)) {
      Add(EntryKey("formal", text),
          "is the formal form of no text of the knowledge base");
    }
  }
}

void Validator::CheckEverySentenceQuoted() {
  for (const ArticleSentence& s : ArticleSentences(kb_.article())) {
    bool covered =
        std::any_of(quotes_.begin(), quotes_.end(), [&](const std::string& q) {
          return absl::StrContains(s.text, q) || absl::StrContains(q, s.text);
        });
    if (!covered) {
      Add("article", absl::StrCat("sentence of section '", s.section,
                                  "' is cited nowhere: \"", s.text, "\""));
    }
  }
}

}  // namespace

void ValidateKnowledge(const dirigo::kb::v1::KnowledgeBase& kb,
                       Problems* problems) {
  Validator(kb, problems).Run();
}

}  // namespace dirigo
