#include "knowledge/knowledge_base.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "knowledge/problems.h"
#include "knowledge/validator.h"

namespace dirigo {

LanguageRules ToLanguageRules(const kbv1::Language& l) {
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

absl::StatusOr<std::shared_ptr<const KnowledgeBase>>
KnowledgeBase::LoadDirectory(const std::string& dir,
                             const KnowledgeBaseOptions& options) {
  ASSIGN_OR_RETURN(auto files, ReadKnowledgeFiles(dir));
  return LoadFiles(files, options);
}

absl::StatusOr<std::shared_ptr<const KnowledgeBase>> KnowledgeBase::LoadFiles(
    const std::map<std::string, std::string>& files,
    const KnowledgeBaseOptions& options) {
  ASSIGN_OR_RETURN(KnowledgeSource source, ParseKnowledgeFiles(files));
  return Build(std::move(source), options);
}

absl::StatusOr<std::shared_ptr<const KnowledgeBase>> KnowledgeBase::Build(
    KnowledgeSource source, const KnowledgeBaseOptions& options) {
  std::shared_ptr<KnowledgeBase> kb(new KnowledgeBase());
  kb->proto_ = std::move(source.proto);
  kb->where_ = std::move(source.where);
  Problems problems(kb->where_);
  ValidateKnowledge(kb->proto_, &problems);
  const LanguageRules language = ToLanguageRules(kb->proto_.language());
  kb->normalizer_ = std::make_unique<Normalizer>(language);
  kb->rules_ =
      CompileRules(kb->proto_, *kb->normalizer_, options.compiler, &problems);
  RETURN_IF_ERROR(problems.ToStatus());
  if (const int failed = CompilePatternSets(options.compiler, &kb->rules_);
      failed >= 0) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "pattern '", kb->rules_.patterns[failed].def->id(),
        "' alone does not fit the memory budget of a pattern set (set_max_mem ",
        options.compiler.set_max_mem, " bytes)"));
  }
  kb->Index();
  kb->IndexLanguage();
  RETURN_IF_ERROR(kb->OpenSpeller(options, language.plain_endings));
  return std::shared_ptr<const KnowledgeBase>(std::move(kb));
}

void KnowledgeBase::Index() {
  for (int i = 0; i < proto_.slot_size(); ++i) {
    const kbv1::Slot& s = proto_.slot(i);
    slots_.push_back(
        {&s, FindProfileField(s.name()),
         s.companion().empty() ? nullptr : FindProfileField(s.companion()), i});
  }
  for (const CompiledSlot& s : slots_) slot_by_name_[s.def->name()] = &s;
  for (const auto& f : proto_.faq()) faq_by_id_[f.id()] = &f;
  for (const CompiledPattern& p : rules_.patterns) {
    pattern_by_id_[p.def->id()] = p.def;
  }
  for (const auto& s : proto_.article().section()) section_by_id_[s.id()] = &s;
  for (const auto& a : proto_.advice()) advice_by_id_[a.id()] = &a;
  for (const auto& p : proto_.phrase()) {
    if (p.text_size() > 0) phrase_by_key_.emplace(p.key(), &p);
  }
  for (const auto& f : proto_.formal()) {
    formal_by_informal_.emplace(f.informal(), &f.formal());
  }
}

void KnowledgeBase::IndexLanguage() {
  const kbv1::Language& l = proto_.language();
  auto normalized = [this](const auto& words) {
    std::vector<std::string> out;
    for (const std::string& w : words) {
      out.push_back(normalizer_->NormalizeTerm(w));
    }
    return out;
  };
  clause_cues_.question_starts = normalized(l.question_start());
  clause_cues_.question_ends = normalized(l.question_end());
  clause_cues_.hedge_ends = normalized(l.hedge_end());
  clause_cues_.alternative_starts = normalized(l.alternative_start());
  clause_cues_.continuation_starts = normalized(l.continuation_start());
  clause_cues_.hypothesis_starts = normalized(l.hypothesis_start());
  clause_cues_.relative_starts = normalized(l.relative_start());
  clause_cues_.choice_starts = normalized(l.choice_start());
  clause_cues_.past_starts = normalized(l.past_start());
  clause_cues_.next_parts = normalized(l.next_part());
  for (const std::string& w : normalized(l.almost())) {
    almost_.push_back(absl::StrCat(w, " "));
  }
  for (const std::string& cue : normalized(l.formal_cue())) {
    formal_cues_.push_back(absl::StrCat(" ", cue, " "));
  }
  for (const std::string& cue : normalized(l.informal_cue())) {
    informal_cues_.push_back(absl::StrCat(" ", cue, " "));
  }
  for (const std::string& cue : normalized(l.formal_request())) {
    formal_requests_.push_back(absl::StrCat(" ", cue, " "));
  }
  for (const std::string& cue : normalized(l.informal_request())) {
    informal_requests_.push_back(absl::StrCat(" ", cue, " "));
  }
  for (const std::string& w : normalized(l.lead_in())) {
    clause_cues_.lead_ins.insert(w);
  }
  std::set<std::string> stop_words;
  for (const std::string& w : normalized(l.stop_word())) stop_words.insert(w);
  std::set<std::string> subject_words;
  for (const std::string& w : normalized(l.subject_word())) {
    subject_words.insert(w);
  }
  std::vector<std::vector<std::string>> synonyms;
  for (const auto& group : l.synonyms())
    synonyms.push_back(normalized(group.word()));
  passages_ = PassageIndex(proto_.article(), *normalizer_, stop_words,
                           subject_words, synonyms);
}

absl::Status KnowledgeBase::OpenSpeller(
    const KnowledgeBaseOptions& options,
    std::vector<std::pair<std::string, std::string>> plain_endings) {
  if (!options.hunspell_dir.empty()) {
    ASSIGN_OR_RETURN(speller_, Speller::Open(options.hunspell_dir,
                                             proto_.language().dictionary()));
  }
  corrector_ = std::make_unique<SpellingCorrector>(
      rules_.vocabulary, speller_.get(), std::move(plain_endings));
  const SpellingCorrector* corrector = corrector_.get();
  const auto* rewrites = &rules_.rewrites;
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

namespace {

// Adds to `hits` the patterns of `sets` that may match `text`.
void AddCandidates(const std::vector<PatternSet>& sets, re2::StringPiece text,
                   std::vector<int>* hits) {
  std::vector<int> in_set;
  for (const PatternSet& ps : sets) {
    in_set.clear();
    RE2::Set::ErrorInfo error{};
    if (!ps.set->Match(text, &in_set, &error) &&
        error.kind != RE2::Set::kNoError) {
      // The set's automaton ran out of its budget on this text: every one of
      // its patterns is a candidate, and runs on its own.
      hits->insert(hits->end(), ps.patterns.begin(), ps.patterns.end());
      continue;
    }
    for (int i : in_set) hits->push_back(ps.patterns[i]);
  }
}

}  // namespace

std::vector<int> KnowledgeBase::Candidates(
    const std::string& normalized) const {
  std::vector<int> hits;
  AddCandidates(rules_.sets, normalized, &hits);
  std::sort(hits.begin(), hits.end());
  return hits;
}

std::vector<int> KnowledgeBase::Candidates(const NormalizedText& n) const {
  std::vector<int> hits;
  AddCandidates(rules_.sets, n.text, &hits);
  // A message of one clause was read whole already.
  if (n.clauses.size() > 1) {
    for (const NormalizedText::Clause& c : n.clauses) {
      if (c.question)
        AddCandidates(rules_.clause_sets, ClauseText(n, c), &hits);
      AddCandidates(rules_.each_clause_sets, ClauseText(n, c), &hits);
    }
  }
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  return hits;
}

namespace {
template <typename Map>
auto Lookup(const Map& map, absl::string_view key) ->
    typename Map::mapped_type {
  auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}
}  // namespace

const CompiledSlot* KnowledgeBase::FindSlot(absl::string_view name) const {
  return Lookup(slot_by_name_, name);
}

const kbv1::Faq* KnowledgeBase::FindFaq(absl::string_view id) const {
  return Lookup(faq_by_id_, id);
}

const kbv1::Pattern* KnowledgeBase::FindPattern(absl::string_view id) const {
  return Lookup(pattern_by_id_, id);
}

const kbv1::Section* KnowledgeBase::FindSection(absl::string_view id) const {
  return Lookup(section_by_id_, id);
}

const kbv1::AdviceRule* KnowledgeBase::FindAdvice(absl::string_view id) const {
  return Lookup(advice_by_id_, id);
}

std::string KnowledgeBase::SectionHeading(absl::string_view id) const {
  const kbv1::Section* s = FindSection(id);
  if (s == nullptr) return std::string(id);
  // The phrase is one of those the engine requires (dialog/phrase_keys.h).
  return s->heading().empty() ? Phrase("intro_heading") : s->heading();
}

const std::string& KnowledgeBase::Phrase(absl::string_view key, int n) const {
  static const std::string* missing = new std::string("…");
  const kbv1::Phrase* ph = Lookup(phrase_by_key_, key);
  if (ph == nullptr) return *missing;
  const int count = ph->text_size();
  return ph->text(((n % count) + count) % count);
}

bool KnowledgeBase::HasPhrase(absl::string_view key) const {
  return Lookup(phrase_by_key_, key) != nullptr;
}

const std::string& KnowledgeBase::InRegister(const std::string& text,
                                             bool formal) const {
  if (!formal) return text;
  auto it = formal_by_informal_.find(text);
  return it == formal_by_informal_.end() ? text : *it->second;
}

namespace {

// Whether `word` is in `text` as a whole word, not at the start of a
// sentence ("secondo Lei", not "Lei è mia sorella.").
bool HasCasedWordInside(absl::string_view text, const std::string& word) {
  auto is_letter = [](char c) {
    return absl::ascii_isalpha(c) || (c & 0x80) != 0;
  };
  for (size_t at = text.find(word); at != absl::string_view::npos;
       at = text.find(word, at + 1)) {
    const size_t end = at + word.size();
    if (end < text.size() && is_letter(text[end])) continue;
    if (at > 0 && is_letter(text[at - 1])) continue;
    // The sentence's start: nothing but spaces back to a mark that ends one.
    size_t before = at;
    while (before > 0 && text[before - 1] == ' ') --before;
    if (before == 0 || absl::string_view(".!?\n").find(text[before - 1]) !=
                           absl::string_view::npos) {
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace

KnowledgeBase::Register KnowledgeBase::RegisterOf(
    const std::string& normalized, absl::string_view original) const {
  const std::string padded = absl::StrCat(" ", normalized, " ");
  auto any_in = [&padded](const std::vector<std::string>& cues) {
    return std::any_of(cues.begin(), cues.end(), [&](const std::string& cue) {
      return absl::StrContains(padded, cue);
    });
  };
  // Asked outright: the request wins over any cue.
  if (any_in(informal_requests_)) return Register::kInformal;
  if (any_in(formal_requests_)) return Register::kFormal;
  const bool cased = std::any_of(
      proto_.language().formal_cased_cue().begin(),
      proto_.language().formal_cased_cue().end(),
      [&](const std::string& w) { return HasCasedWordInside(original, w); });
  const bool formal = cased || any_in(formal_cues_);
  const bool informal = any_in(informal_cues_);
  if (formal == informal) return Register::kUnmarked;
  return formal ? Register::kFormal : Register::kInformal;
}

std::string KnowledgeBase::Where(const std::string& entry) const {
  auto it = where_.find(entry);
  return it == where_.end() ? "" : it->second;
}

std::vector<ArticleSentence> KnowledgeBase::ArticleSentences() const {
  return dirigo::ArticleSentences(proto_.article());
}

}  // namespace dirigo
