#include "knowledge/knowledge_base.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "knowledge/profile_fields.h"

namespace dirigo {
namespace {

using google::protobuf::TextFormat;
using google::protobuf::io::ErrorCollector;

class CollectErrors : public ErrorCollector {
 public:
  explicit CollectErrors(std::string file) : file_(std::move(file)) {}
  void AddError(int line, int column, const std::string& message) override {
    errors_.push_back(
        absl::StrCat(file_, ":", line + 1, ":", column + 1, ": ", message));
  }
  void AddWarning(int line, int column, const std::string& message) override {}
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

// Collects validation problems, each prefixed with where the entry is.
class Problems {
 public:
  explicit Problems(const std::map<std::string, std::string>& where)
      : where_(where) {}
  void Add(const std::string& entry, const std::string& message) {
    auto it = where_.find(entry);
    std::string at = it == where_.end() ? "" : it->second + ": ";
    list_.push_back(absl::StrCat(at, entry, ": ", message));
  }
  absl::Status ToStatus() const {
    if (list_.empty()) return absl::OkStatus();
    std::vector<std::string> shown(
        list_.begin(), list_.begin() + std::min<size_t>(list_.size(), 25));
    std::string more =
        list_.size() > shown.size()
            ? absl::StrCat("\n… and ", list_.size() - shown.size(),
                           " more problems")
            : "";
    return absl::InvalidArgumentError(
        absl::StrCat("the knowledge base is not valid:\n",
                     absl::StrJoin(shown, "\n"), more));
  }

 private:
  const std::map<std::string, std::string>& where_;
  std::vector<std::string> list_;
};

std::string Key(absl::string_view kind, absl::string_view id) {
  return absl::StrCat(kind, " '", id, "'");
}

// Words a regex spells out literally, for the spelling vocabulary.
void AddRegexWords(absl::string_view regex, std::set<std::string>* words) {
  std::string cleaned;
  for (size_t i = 0; i < regex.size(); ++i) {
    char c = regex[i];
    if (c == '\\' && i + 1 < regex.size()) {  // \b, \d, \s…
      ++i;
      cleaned += ' ';
      continue;
    }
    if (c == '(' && i + 2 < regex.size() && regex[i + 1] == '?') {
      // Skip "(?:", "(?P<name>".
      size_t close = regex[i + 2] == 'P' ? regex.find('>', i) : i + 2;
      if (close == std::string::npos) close = i + 2;
      i = close;
      cleaned += ' ';
      continue;
    }
    if (c == '{') {  // {concept}
      size_t close = regex.find('}', i);
      if (close != std::string::npos) i = close;
      cleaned += ' ';
      continue;
    }
    cleaned += (c >= 'a' && c <= 'z') ? c : ' ';
  }
  for (absl::string_view w : absl::StrSplit(cleaned, ' ', absl::SkipEmpty())) {
    if (w.size() >= 2) words->insert(std::string(w));
  }
}

void AddTextWords(const Normalizer& normalizer, absl::string_view text,
                  std::set<std::string>* words) {
  auto n = normalizer.Normalize(text);
  if (!n.ok()) return;
  for (absl::string_view w : absl::StrSplit(n->text, ' ', absl::SkipEmpty())) {
    if (w.size() >= 2 && std::all_of(w.begin(), w.end(), [](char c) {
          return c >= 'a' && c <= 'z';
        })) {
      words->insert(std::string(w));
    }
  }
}

LanguageRules ToRules(const kbv1::Language& l) {
  LanguageRules rules;
  rules.icu_locale = l.icu_locale();
  for (const kbv1::NumberWord& n : l.number()) {
    for (const std::string& w : n.word()) rules.number_words[w] = n.value();
  }
  rules.numbers_needing_unit.insert(l.number_needs_unit().begin(),
                                    l.number_needs_unit().end());
  for (const kbv1::TimeUnit& u : l.time_unit()) {
    rules.time_units[u.singular()] = u.plural();
    rules.time_units[u.plural()] = u.plural();
  }
  for (const kbv1::Fraction& f : l.fraction()) {
    rules.fractions.emplace_back(f.words(), f.value());
  }
  for (const kbv1::PlainEnding& e : l.plain_ending()) {
    rules.plain_endings.emplace_back(e.plain(), e.accented());
  }
  return rules;
}

}  // namespace

std::vector<std::string> SplitSentences(absl::string_view paragraph) {
  std::vector<std::string> out;
  std::string current;
  for (size_t i = 0; i < paragraph.size(); ++i) {
    current += paragraph[i];
    char c = paragraph[i];
    if ((c == '.' || c == '?' || c == '!') &&
        (i + 1 == paragraph.size() || paragraph[i + 1] == ' ')) {
      std::string s(absl::StripAsciiWhitespace(current));
      if (!s.empty()) out.push_back(s);
      current.clear();
    }
  }
  std::string s(absl::StripAsciiWhitespace(current));
  if (!s.empty()) out.push_back(s);
  return out;
}

absl::StatusOr<std::shared_ptr<const KnowledgeBase>>
KnowledgeBase::LoadDirectory(const std::string& dir,
                             const KnowledgeBaseOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("no knowledge base folder at '", dir, "'"));
  }
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".textproto") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return absl::InternalError(
          absl::StrCat("cannot read ", entry.path().string()));
    }
    files[entry.path().string()] = content.str();
  }
  if (files.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no *.textproto files in '", dir, "'"));
  }
  return LoadFiles(files, options);
}

absl::StatusOr<std::shared_ptr<const KnowledgeBase>> KnowledgeBase::LoadFiles(
    const std::map<std::string, std::string>& files,
    const KnowledgeBaseOptions& options) {
  std::shared_ptr<KnowledgeBase> kbase(new KnowledgeBase());
  std::map<std::string, std::string> where;
  std::vector<std::string> errors;
  for (const auto& [name, content] : files) {
    kbv1::KnowledgeBase part;
    TextFormat::Parser parser;
    CollectErrors collector(name);
    TextFormat::ParseInfoTree tree;
    parser.RecordErrorsTo(&collector);
    parser.WriteLocationsTo(&tree);
    if (!parser.ParseFromString(content, &part)) {
      errors.insert(errors.end(), collector.errors().begin(),
                    collector.errors().end());
      continue;
    }
    // Remember where each entry is, for error messages.
    auto note = [&](const char* field, const char* kind, auto id_of) {
      const auto* fd =
          kbv1::KnowledgeBase::descriptor()->FindFieldByName(field);
      const auto* refl = part.GetReflection();
      for (int i = 0; i < refl->FieldSize(part, fd); ++i) {
        auto loc = tree.GetLocation(fd, i);
        where[Key(kind, id_of(part, i))] =
            absl::StrCat(name, ":", loc.line + 1);
      }
    };
    note("concepts", "concept", [](const kbv1::KnowledgeBase& p, int i) {
      return p.concepts(i).id();
    });
    note("pattern", "pattern",
         [](const kbv1::KnowledgeBase& p, int i) { return p.pattern(i).id(); });
    note("slot", "slot",
         [](const kbv1::KnowledgeBase& p, int i) { return p.slot(i).name(); });
    note("faq", "faq",
         [](const kbv1::KnowledgeBase& p, int i) { return p.faq(i).id(); });
    note("advice", "advice",
         [](const kbv1::KnowledgeBase& p, int i) { return p.advice(i).id(); });
    note("rewrite", "rewrite", [](const kbv1::KnowledgeBase& p, int i) {
      return p.rewrite(i).from();
    });
    note("phrase", "phrase",
         [](const kbv1::KnowledgeBase& p, int i) { return p.phrase(i).key(); });
    if (part.has_article()) where["article"] = absl::StrCat(name, ":1");
    kbase->proto_.MergeFrom(part);
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the knowledge base has syntax errors:\n",
                     absl::StrJoin(errors, "\n")));
  }
  if (absl::Status s = kbase->Compile(options, where); !s.ok()) return s;
  return std::shared_ptr<const KnowledgeBase>(std::move(kbase));
}

absl::Status KnowledgeBase::Compile(
    const KnowledgeBaseOptions& options,
    const std::map<std::string, std::string>& where) {
  Problems problems(where);
  const kbv1::KnowledgeBase& p = proto_;
  normalizer_ = std::make_unique<Normalizer>(ToRules(p.language()));
  auto NormalizeTerm = [this](absl::string_view term) {
    return normalizer_->NormalizeTerm(term);
  };
  if (p.version().empty()) problems.Add("manifest", "version is missing");
  if (p.locale().empty()) problems.Add("manifest", "locale is missing");
  if (p.language().icu_locale().empty() || p.language().dictionary().empty()) {
    problems.Add("language", "icu_locale and dictionary are required");
  }

  // The article.
  std::set<std::string> section_ids;
  if (p.article().section_size() == 0) {
    problems.Add("article", "the article has no sections");
  }
  for (int i = 0; i < p.article().section_size(); ++i) {
    const kbv1::Section& s = p.article().section(i);
    if (s.id().empty() || !section_ids.insert(s.id()).second) {
      problems.Add("article", absl::StrCat("section ", i + 1,
                                           " has an empty or repeated id"));
    }
    if ((i == 0) != s.heading().empty()) {
      problems.Add("article", absl::StrCat("section '", s.id(),
                                           "': only the first section (the "
                                           "introduction) has no heading"));
    }
  }
  std::vector<std::string> quotes;
  auto check_citation = [&](const std::string& entry, const kbv1::Citation& c) {
    const kbv1::Section* s = FindSection(c.section());
    if (s == nullptr) {
      problems.Add(
          entry, absl::StrCat("citation names no section '", c.section(), "'"));
      return;
    }
    if (c.quote().empty()) {
      problems.Add(entry, "a citation has an empty quote");
      return;
    }
    bool found = std::any_of(s->paragraph().begin(), s->paragraph().end(),
                             [&](const std::string& para) {
                               return absl::StrContains(para, c.quote());
                             });
    if (!found) {
      problems.Add(entry, absl::StrCat("quote not found verbatim in section '",
                                       c.section(), "': \"", c.quote(), "\""));
    }
    quotes.push_back(c.quote());
  };

  // Concepts.
  std::map<std::string, std::string> concept_regex;
  for (const kbv1::Concept& c : p.concepts()) {
    std::string key = Key("concept", c.id());
    if (c.id().empty() || concept_regex.count(c.id())) {
      problems.Add(key, "empty or repeated id");
      continue;
    }
    if (c.term_size() == 0) problems.Add(key, "no terms");
    std::vector<std::string> terms;
    for (const std::string& t : c.term()) terms.push_back(NormalizeTerm(t));
    std::sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) {
      return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    std::vector<std::string> quoted;
    for (const auto& t : terms) quoted.push_back(RE2::QuoteMeta(t));
    concept_regex[c.id()] =
        absl::StrCat("(?:", absl::StrJoin(quoted, "|"), ")");
  }

  // Slots.
  std::set<std::string> slot_names;
  for (const kbv1::Slot& s : p.slot()) {
    std::string key = Key("slot", s.name());
    const FieldDescriptor* f = FindProfileField(s.name());
    if (f == nullptr) {
      problems.Add(key,
                   absl::StrCat("no Profile field of that name (one of ",
                                absl::StrJoin(ProfileFieldNames(), ", "), ")"));
      continue;
    }
    if (!slot_names.insert(s.name()).second) problems.Add(key, "repeated");
    if (s.ask() && s.question_size() == 0) {
      problems.Add(key, "an asked slot needs at least one question");
    }
    if (absl::Status st = CheckCondition(s.ask_if()); !st.ok()) {
      problems.Add(key, std::string(st.message()));
    }
    for (const auto& v : s.say()) {
      if (absl::Status st = CheckSlotValue(f, v.value()); !st.ok()) {
        problems.Add(key, std::string(st.message()));
      }
      if (absl::Status st = CheckCondition(v.when()); !st.ok()) {
        problems.Add(key, std::string(st.message()));
      }
    }
    if (s.ask() && s.why().empty()) {
      problems.Add(key, "an asked slot needs a 'why' answer");
    }
    for (const auto& c : s.why_citation()) check_citation(key, c);
  }

  // FAQ.
  std::set<std::string> faq_ids;
  for (const kbv1::Faq& f : p.faq()) {
    std::string key = Key("faq", f.id());
    if (f.id().empty() || !faq_ids.insert(f.id()).second) {
      problems.Add(key, "empty or repeated id");
    }
    if (f.answer().empty()) problems.Add(key, "empty answer");
    if (f.citation_size() == 0) problems.Add(key, "no citation");
    for (const auto& c : f.citation()) check_citation(key, c);
  }

  // Advice.
  std::set<std::string> advice_ids;
  for (const kbv1::AdviceRule& a : p.advice()) {
    std::string key = Key("advice", a.id());
    if (a.id().empty() || !advice_ids.insert(a.id()).second) {
      problems.Add(key, "empty or repeated id");
    }
    if (a.title().empty() || a.text().empty()) {
      problems.Add(key, "title and text are required");
    }
    if (a.citation_size() == 0) problems.Add(key, "no citation");
    if (a.when().all_size() == 0) {
      problems.Add(key, "a rule needs a condition ('when')");
    }
    if (absl::Status st = CheckCondition(a.when()); !st.ok()) {
      problems.Add(key, std::string(st.message()));
    }
    for (const auto& c : a.citation()) check_citation(key, c);
  }

  // Rewrites: one folded word to one folded word.
  for (const kbv1::Rewrite& r : p.rewrite()) {
    std::string from = NormalizeTerm(r.from()), to = NormalizeTerm(r.to());
    std::string key = Key("rewrite", r.from());
    if (from.empty() || to.empty() || from.find(' ') != std::string::npos ||
        to.find(' ') != std::string::npos) {
      problems.Add(key, "a rewrite maps one word to one word");
      continue;
    }
    if (!rewrites_.emplace(from, to).second) problems.Add(key, "repeated");
  }

  // Phrases.
  std::set<std::string> phrase_keys;
  for (const kbv1::Phrase& ph : p.phrase()) {
    if (!phrase_keys.insert(ph.key()).second) {
      problems.Add(Key("phrase", ph.key()), "repeated");
    }
    if (ph.text_size() == 0) problems.Add(Key("phrase", ph.key()), "no text");
  }
  for (const char* required : kRequiredPhrases) {
    if (!phrase_keys.count(required)) {
      problems.Add(Key("phrase", required), "is required and missing");
    }
  }

  // Patterns.
  std::set<std::string> vocabulary;
  std::set<std::string> pattern_ids;
  RE2::Options set_options;
  set_options.set_max_mem(options.set_max_mem);
  set_options.set_log_errors(false);
  set_ = std::make_unique<RE2::Set>(set_options, RE2::UNANCHORED);
  for (const kbv1::Pattern& pat : p.pattern()) {
    std::string key = Key("pattern", pat.id());
    if (pat.id().empty() || !pattern_ids.insert(pat.id()).second) {
      problems.Add(key, "empty or repeated id");
      continue;
    }
    // Expand {concept}.
    std::string expanded;
    bool ok = true;
    for (size_t i = 0; i < pat.regex().size(); ++i) {
      char c = pat.regex()[i];
      if (c == '{' && (i == 0 || pat.regex()[i - 1] != '\\')) {
        size_t close = pat.regex().find('}', i);
        std::string name = close == std::string::npos
                               ? ""
                               : pat.regex().substr(i + 1, close - i - 1);
        bool is_repeat =
            !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
              return (ch >= '0' && ch <= '9') || ch == ',';
            });
        if (is_repeat) {
          expanded += pat.regex().substr(i, close - i + 1);
          i = close;
          continue;
        }
        auto it = concept_regex.find(name);
        if (it == concept_regex.end()) {
          problems.Add(key, absl::StrCat("unknown concept {", name, "}"));
          ok = false;
          break;
        }
        expanded += it->second;
        i = close;
      } else {
        expanded += c;
      }
    }
    if (!ok) continue;
    RE2::Options opts;
    opts.set_max_mem(options.pattern_max_mem);
    opts.set_log_errors(false);
    CompiledPattern cp;
    cp.def = &pat;
    cp.re = std::make_unique<RE2>(expanded, opts);
    if (!cp.re->ok()) {
      problems.Add(key,
                   absl::StrCat("regex does not compile: ", cp.re->error()));
      continue;
    }
    if (RE2::FullMatch("", *cp.re)) {
      problems.Add(key,
                   "the regex matches an empty message, so it would fire on "
                   "every message");
      continue;
    }
    cp.group_names.assign(cp.re->NumberOfCapturingGroups() + 1, "");
    for (const auto& [name, index] : cp.re->NamedCapturingGroups()) {
      cp.group_names[index] = name;
    }
    std::set<std::string> groups(cp.group_names.begin(), cp.group_names.end());
    for (const kbv1::Assignment& a : pat.set()) {
      const FieldDescriptor* f = FindProfileField(a.slot());
      if (f == nullptr) {
        problems.Add(key,
                     absl::StrCat("sets no Profile field '", a.slot(), "'"));
        continue;
      }
      if ((a.since_year() || a.divisor() != 0) && a.capture().empty()) {
        problems.Add(key, "since_year and divisor need a capture");
      }
      if (!a.capture().empty() && !groups.count(a.capture())) {
        problems.Add(key, absl::StrCat("no capture group '", a.capture(), "'"));
      }
      if (!a.text_capture().empty() && !groups.count(a.text_capture())) {
        problems.Add(key,
                     absl::StrCat("no capture group '", a.text_capture(), "'"));
      }
      if (a.capture().empty() &&
          f->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
        if (absl::Status st = CheckSlotValue(f, a.value()); !st.ok()) {
          problems.Add(key, std::string(st.message()));
        }
      }
    }
    if (!pat.intent().empty()) {
      std::vector<std::string> parts = absl::StrSplit(pat.intent(), '.');
      bool valid = false;
      if (parts.size() == 2 && parts[0] == "faq")
        valid = faq_ids.count(parts[1]);
      if (parts.size() == 2 && parts[0] == "command") {
        valid = std::any_of(std::begin(kCommands), std::end(kCommands),
                            [&](const char* c) { return parts[1] == c; });
      }
      if (parts.size() == 1) {
        valid = std::any_of(std::begin(kPlainIntents), std::end(kPlainIntents),
                            [&](const char* c) { return parts[0] == c; });
      }
      if (!valid)
        problems.Add(key, absl::StrCat("unknown intent '", pat.intent(), "'"));
    }
    if (pat.set_size() == 0 && pat.intent().empty() && pat.absorb_size() == 0) {
      problems.Add(key,
                   "a pattern must set or absorb a fact, or carry an intent");
    }
    for (const std::string& a : pat.absorb()) {
      if (FindProfileField(a) == nullptr) {
        problems.Add(key, absl::StrCat("absorbs no Profile field '", a, "'"));
      }
    }
    if (!pat.context().empty() && FindProfileField(pat.context()) == nullptr) {
      problems.Add(key, absl::StrCat("context names no Profile field '",
                                     pat.context(), "'"));
    }
    for (const std::string& ex : pat.example()) {
      auto n = normalizer_->Normalize(ex);
      if (!n.ok() || !RE2::PartialMatch(n->text, *cp.re)) {
        problems.Add(key,
                     absl::StrCat("does not match its example \"", ex, "\""));
      }
    }
    for (const std::string& ex : pat.counterexample()) {
      auto n = normalizer_->Normalize(ex);
      if (n.ok() && RE2::PartialMatch(n->text, *cp.re)) {
        problems.Add(key,
                     absl::StrCat("matches its counterexample \"", ex, "\""));
      }
    }
    std::string error;
    if (set_->Add(expanded, &error) < 0) {
      problems.Add(key, absl::StrCat("cannot join the pattern set: ", error));
      continue;
    }
    AddRegexWords(pat.regex(), &vocabulary);
    patterns_.push_back(std::move(cp));
  }

  // Every sentence of the article must be quoted somewhere.
  for (const Sentence& s : ArticleSentences()) {
    bool covered =
        std::any_of(quotes.begin(), quotes.end(), [&](const std::string& q) {
          return absl::StrContains(s.text, q) || absl::StrContains(q, s.text);
        });
    if (!covered) {
      problems.Add("article",
                   absl::StrCat("sentence of section '", s.section,
                                "' is cited nowhere: \"", s.text, "\""));
    }
  }
  if (absl::Status s = problems.ToStatus(); !s.ok()) return s;

  if (!set_->Compile()) {
    return absl::ResourceExhaustedError(
        "the pattern set does not fit its memory budget (set_max_mem)");
  }

  // Spelling vocabulary: every word the rules and replies spell out.
  for (const kbv1::Concept& c : p.concepts()) {
    for (const auto& t : c.term()) AddTextWords(*normalizer_, t, &vocabulary);
  }
  for (const kbv1::Slot& s : p.slot()) {
    for (const auto& q : s.quick_reply()) {
      AddTextWords(*normalizer_, q.text().empty() ? q.label() : q.text(),
                   &vocabulary);
    }
  }
  if (!options.hunspell_dir.empty()) {
    auto speller =
        Speller::Open(options.hunspell_dir, p.language().dictionary());
    if (!speller.ok()) return speller.status();
    speller_ = std::move(speller).value();
  }
  corrector_ =
      std::make_unique<SpellingCorrector>(std::move(vocabulary), speller_.get(),
                                          ToRules(p.language()).plain_endings);
  const SpellingCorrector* corrector = corrector_.get();
  const auto* rewrites = &rewrites_;
  correct_fn_ = [corrector, rewrites](
                    const std::string& folded,
                    const std::string& lower) -> std::optional<std::string> {
    auto it = rewrites->find(folded);
    if (it != rewrites->end()) return it->second;
    return corrector->Correct(folded, lower);
  };
  return absl::OkStatus();
}

absl::StatusOr<NormalizedText> KnowledgeBase::NormalizeMessage(
    absl::string_view text) const {
  return normalizer_->Normalize(text, &correct_fn_);
}

std::vector<int> KnowledgeBase::Candidates(
    const std::string& normalized) const {
  std::vector<int> hits;
  set_->Match(normalized, &hits);
  std::sort(hits.begin(), hits.end());
  return hits;
}

const kbv1::Slot* KnowledgeBase::FindSlot(absl::string_view name) const {
  for (const auto& s : proto_.slot())
    if (s.name() == name) return &s;
  return nullptr;
}

const kbv1::Faq* KnowledgeBase::FindFaq(absl::string_view id) const {
  for (const auto& f : proto_.faq())
    if (f.id() == id) return &f;
  return nullptr;
}

const kbv1::Section* KnowledgeBase::FindSection(absl::string_view id) const {
  for (const auto& s : proto_.article().section())
    if (s.id() == id) return &s;
  return nullptr;
}

const kbv1::AdviceRule* KnowledgeBase::FindAdvice(absl::string_view id) const {
  for (const auto& a : proto_.advice())
    if (a.id() == id) return &a;
  return nullptr;
}

std::string KnowledgeBase::SectionHeading(absl::string_view id) const {
  const kbv1::Section* s = FindSection(id);
  if (s == nullptr) return std::string(id);
  return s->heading().empty() ? Phrase("intro_heading") : s->heading();
}

const std::string& KnowledgeBase::Phrase(absl::string_view key, int n) const {
  for (const auto& ph : proto_.phrase()) {
    if (ph.key() == key && ph.text_size() > 0) {
      return ph.text(((n % ph.text_size()) + ph.text_size()) % ph.text_size());
    }
  }
  static const std::string* missing = new std::string("…");
  return *missing;
}

std::vector<KnowledgeBase::Sentence> KnowledgeBase::ArticleSentences() const {
  std::vector<Sentence> out;
  for (const auto& s : proto_.article().section()) {
    for (const auto& para : s.paragraph()) {
      for (auto& sentence : SplitSentences(para))
        out.push_back({s.id(), sentence});
    }
  }
  return out;
}

}  // namespace dirigo
