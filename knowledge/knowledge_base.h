// The compiled knowledge base: the authored data of knowledge/<locale>/,
// checked and made ready for the engine.
//
// Loading reads every `*.textproto` file under a folder, subfolders included
// (loader.h); the data is validated (validator.h) and its rules compiled
// (compiler.h); any problem is an InvalidArgument naming the file, the line
// and the reason. Then every entry is indexed by its id, and the speller is
// opened with the language's dictionary.
//
// Thread-safe: a KnowledgeBase is immutable once built; share it as
// `std::shared_ptr<const KnowledgeBase>`.
//
// Example:
//   ASSIGN_OR_RETURN(auto kb, KnowledgeBase::LoadDirectory(dir, {}));
//   ASSIGN_OR_RETURN(NormalizedText n, kb->NormalizeMessage("ho la laurea"));
//   std::vector<int> hits = kb->Candidates(n.text);
#ifndef DIRIGO_KNOWLEDGE_KNOWLEDGE_BASE_H_
#define DIRIGO_KNOWLEDGE_KNOWLEDGE_BASE_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dirigo/kb/v1/knowledge.pb.h"
#include "knowledge/article.h"
#include "knowledge/compiler.h"
#include "knowledge/loader.h"
#include "knowledge/passages.h"
#include "knowledge/profile_fields.h"
#include "text/normalizer.h"
#include "text/spelling.h"

namespace dirigo {

// Options for loading.
struct KnowledgeBaseOptions {
  // Folder of Hunspell dictionaries; empty disables the dictionary check
  // (then every word outside the vocabulary may be corrected). The
  // dictionary's name comes from the knowledge base's language.
  std::string hunspell_dir = "/usr/share/hunspell";
  // Memory budgets of the compiled regexes.
  CompilerOptions compiler;
};

// How a clause says what it does, from the language's data, normalised.
struct ClauseCues {
  std::vector<std::string> question_starts;
  std::vector<std::string> question_ends;
  std::vector<std::string> hedge_ends;
  std::vector<std::string> alternative_starts;
  std::vector<std::string> continuation_starts;
  std::vector<std::string> hypothesis_starts;
  std::vector<std::string> relative_starts;
  std::vector<std::string> choice_starts;
  std::vector<std::string> past_starts;
  std::vector<std::string> next_parts;
  std::set<std::string> lead_ins;
};

// A slot with what the engine needs of it resolved.
struct CompiledSlot {
  const kbv1::Slot* def = nullptr;
  // Its Profile field.
  const FieldDescriptor* field = nullptr;
  // The field of its companion text, if any ("studyFieldText").
  const FieldDescriptor* companion = nullptr;
  // Its place in the order of the slots (the order of asking).
  int order = 0;
};

class KnowledgeBase {
 public:
  // It points into itself (indices, the corrector): never copied or moved.
  KnowledgeBase(const KnowledgeBase&) = delete;
  KnowledgeBase& operator=(const KnowledgeBase&) = delete;

  // Loads, validates and compiles every *.textproto file under `dir`.
  static absl::StatusOr<std::shared_ptr<const KnowledgeBase>> LoadDirectory(
      const std::string& dir, const KnowledgeBaseOptions& options);

  // The same from text already read: file name → content.
  static absl::StatusOr<std::shared_ptr<const KnowledgeBase>> LoadFiles(
      const std::map<std::string, std::string>& files,
      const KnowledgeBaseOptions& options);

  const kbv1::KnowledgeBase& proto() const { return proto_; }
  const std::string& version() const { return proto_.version(); }
  const std::string& locale() const { return proto_.locale(); }
  const kbv1::Language& language() const { return proto_.language(); }
  const Normalizer& normalizer() const { return *normalizer_; }

  // Normalises a person's message, reading chat shorthands as words ("nn"
  // → "non") and correcting spelling against the vocabulary.
  absl::StatusOr<NormalizedText> NormalizeMessage(absl::string_view text) const;

  // Indices of the patterns that may match `normalized` (a pass of each
  // pattern set), in increasing order.
  std::vector<int> Candidates(const std::string& normalized) const;
  // Those, those tried on each question alone (Pattern.each_question) that
  // may match one of `n`'s questions, and those tried on every clause alone
  // (Pattern.each_clause) that may match one of its clauses: what the
  // engine matches.
  std::vector<int> Candidates(const NormalizedText& n) const;
  // How many RE2 sets the patterns were split into.
  int pattern_set_count() const { return static_cast<int>(rules_.sets.size()); }
  const CompiledPattern& pattern(int index) const {
    return rules_.patterns[index];
  }
  int pattern_count() const { return static_cast<int>(rules_.patterns.size()); }

  // The slots, in the order the bot asks.
  const std::vector<CompiledSlot>& slots() const { return slots_; }

  // The words that tell a question or a supposition from a statement.
  const ClauseCues& clause_cues() const { return clause_cues_; }

  // The words that, right before a number of years, make it a little less
  // (Language.almost), normalised, each followed by a space.
  const std::vector<std::string>& almost() const { return almost_; }

  // The article's sentences, for questions no rule answers.
  const PassageIndex& passages() const { return passages_; }

  // Look-ups by id, by hash; null when absent.
  const CompiledSlot* FindSlot(absl::string_view name) const;
  const kbv1::Faq* FindFaq(absl::string_view id) const;
  // The pattern with this id, or null.
  const kbv1::Pattern* FindPattern(absl::string_view id) const;
  const kbv1::Section* FindSection(absl::string_view id) const;
  const kbv1::AdviceRule* FindAdvice(absl::string_view id) const;

  // The heading to show for a section (the "intro_heading" phrase for the
  // untitled opening).
  std::string SectionHeading(absl::string_view id) const;

  // Variant `n` (modulo their number) of a phrase; "…" if absent.
  const std::string& Phrase(absl::string_view key, int n = 0) const;
  // Whether the phrase exists.
  bool HasPhrase(absl::string_view key) const;

  // `text` (any text of the knowledge base) as said in the formal register
  // when `formal`: its FormalText form if it has one, else `text` itself.
  const std::string& InRegister(const std::string& text, bool formal) const;
  // It may return its argument: never a temporary.
  const std::string& InRegister(std::string&& text, bool formal) const = delete;

  // The register a normalised message is written in, by the language's cues:
  // kFormal ("mi dica"), kInformal ("dimmi"), or kUnmarked (neither, or cues
  // of both kinds).
  enum class Register { kUnmarked, kFormal, kInformal };
  // `original` is the message as typed, for the cased cues ("Lei").
  Register RegisterOf(const std::string& normalized,
                      absl::string_view original = "") const;

  // Where an entry is defined ("file:line"), by EntryKey; "" if unknown.
  std::string Where(const std::string& entry) const;

  // The words the rules know (for spelling).
  const std::set<std::string>& vocabulary() const {
    return corrector_->vocabulary();
  }

  // Sentences of the article, with the section each is in.
  std::vector<ArticleSentence> ArticleSentences() const;

 private:
  KnowledgeBase() = default;
  static absl::StatusOr<std::shared_ptr<const KnowledgeBase>> Build(
      KnowledgeSource source, const KnowledgeBaseOptions& options);
  void Index();
  void IndexLanguage();
  absl::Status OpenSpeller(
      const KnowledgeBaseOptions& options,
      std::vector<std::pair<std::string, std::string>> plain_endings);

  kbv1::KnowledgeBase proto_;
  std::map<std::string, std::string> where_;
  std::unique_ptr<Normalizer> normalizer_;
  CompiledRules rules_;
  std::unique_ptr<Speller> speller_;
  std::unique_ptr<SpellingCorrector> corrector_;
  WordCorrector correct_fn_;
  std::vector<CompiledSlot> slots_;
  ClauseCues clause_cues_;
  std::vector<std::string> almost_;
  PassageIndex passages_;
  absl::flat_hash_map<std::string, const CompiledSlot*> slot_by_name_;
  absl::flat_hash_map<std::string, const kbv1::Faq*> faq_by_id_;
  absl::flat_hash_map<std::string, const kbv1::Pattern*> pattern_by_id_;
  absl::flat_hash_map<std::string, const kbv1::Section*> section_by_id_;
  absl::flat_hash_map<std::string, const kbv1::AdviceRule*> advice_by_id_;
  absl::flat_hash_map<std::string, const kbv1::Phrase*> phrase_by_key_;
  absl::flat_hash_map<std::string, const std::string*> formal_by_informal_;
  // The register cues, normalised, each between spaces (" mi dica ").
  std::vector<std::string> formal_cues_, informal_cues_;
  std::vector<std::string> formal_requests_, informal_requests_;
};

// The language rules that text processing needs, from the knowledge base's
// `language`.
LanguageRules ToLanguageRules(const kbv1::Language& language);

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_KNOWLEDGE_BASE_H_
