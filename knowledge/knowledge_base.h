// The compiled knowledge base: the authored data of knowledge/<locale>/,
// checked and made ready for the engine.
//
// Loading reads every `*.textproto` file of a folder (protobuf text format of
// `dirigo.kb.v1.KnowledgeBase`), merges them and validates the result; any
// problem is an InvalidArgument naming the file, the line and the reason.
// Compiling expands each pattern's {concept} references, compiles it with RE2,
// and adds it to one RE2::Set with an explicit memory budget, so that one pass
// over a message finds the candidate patterns; then only the candidates run
// again for their captures. Matching cost stays linear in the message.
//
// Thread-safe: a KnowledgeBase is immutable once built; share it as
// `std::shared_ptr<const KnowledgeBase>`.
//
// Example:
//   ASSIGN_OR_RETURN(auto kb, KnowledgeBase::LoadDirectory("knowledge/it",
//   {})); std::vector<int> hits = kb->Candidates("ho una laurea");
#ifndef DIRIGO_KNOWLEDGE_KNOWLEDGE_BASE_H_
#define DIRIGO_KNOWLEDGE_KNOWLEDGE_BASE_H_

#include <re2/re2.h>
#include <re2/set.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dirigo/kb/v1/knowledge.pb.h"
#include "text/normalizer.h"
#include "text/spelling.h"

namespace dirigo {

namespace kbv1 = ::dirigo::kb::v1;

// The commands the engine carries out, as intents "command.<name>".
inline constexpr const char* kCommands[] = {"restart", "profile", "erase",
                                            "help", "advice"};
// The other intents the engine knows.
inline constexpr const char* kPlainIntents[] = {
    "deny",   "dontknow",   "age",     "why",      "greeting",
    "thanks", "correction", "goodbye", "offtopic", "explain"};
// Phrases the engine needs; the validator requires each.
inline constexpr const char* kRequiredPhrases[] = {
    "greeting",       "ack",
    "update",         "resume",
    "not_understood", "skip_slot",
    "plan_intro",     "plan_outro",
    "plan_none",      "plan_changed",
    "plan_unchanged", "plan_removed",
    "plan_rest",      "refine",
    "deny_ack",       "goodbye_reply",
    "offtopic_reply", "explain_intro",
    "explain_none",   "profile_intro",
    "profile_empty",  "erased",
    "restarted",      "help",
    "why_generic",    "greeting_reply",
    "thanks_reply",   "intro_heading",
    "advice_early",   "dontknow_ack",
    "age_ack",        "profile_words"};

// Options for loading.
struct KnowledgeBaseOptions {
  // Folder of Hunspell dictionaries; empty disables the dictionary check
  // (then every word outside the vocabulary may be corrected). The
  // dictionary's name comes from the knowledge base's language.
  std::string hunspell_dir = "/usr/share/hunspell";
  // Memory budget of the RE2::Set. RE2's default (8 MiB) thrashes beyond
  // about a hundred patterns; 64 MiB leaves room for a few hundred.
  int64_t set_max_mem = 64 << 20;
  // Memory budget of each pattern's own RE2.
  int64_t pattern_max_mem = 2 << 20;
};

// A pattern ready to run.
struct CompiledPattern {
  const kbv1::Pattern* def = nullptr;
  std::unique_ptr<RE2> re;
  // Capture group names by index (1-based; [0] unused).
  std::vector<std::string> group_names;
};

class KnowledgeBase {
 public:
  // Loads, validates and compiles every *.textproto file of `dir`.
  static absl::StatusOr<std::shared_ptr<const KnowledgeBase>> LoadDirectory(
      const std::string& dir, const KnowledgeBaseOptions& options);

  // The same from text already read: file name → content.
  static absl::StatusOr<std::shared_ptr<const KnowledgeBase>> LoadFiles(
      const std::map<std::string, std::string>& files,
      const KnowledgeBaseOptions& options);

  const kbv1::KnowledgeBase& proto() const { return proto_; }
  const std::string& version() const { return proto_.version(); }
  const Normalizer& normalizer() const { return *normalizer_; }

  // Normalises a person's message, reading chat shorthands as words ("nn"
  // → "non") and correcting spelling against the vocabulary.
  absl::StatusOr<NormalizedText> NormalizeMessage(absl::string_view text) const;

  // Indices of the patterns that match `normalized` somewhere (one pass).
  std::vector<int> Candidates(const std::string& normalized) const;
  const CompiledPattern& pattern(int index) const { return patterns_[index]; }
  int pattern_count() const { return static_cast<int>(patterns_.size()); }

  // Lookups; null when absent.
  const kbv1::Slot* FindSlot(absl::string_view name) const;
  const kbv1::Faq* FindFaq(absl::string_view id) const;
  const kbv1::Section* FindSection(absl::string_view id) const;
  const kbv1::AdviceRule* FindAdvice(absl::string_view id) const;

  // The heading to show for a section ("Introduzione" for the opening).
  std::string SectionHeading(absl::string_view id) const;

  // Variant `n` (modulo their number) of a phrase; the key if absent.
  const std::string& Phrase(absl::string_view key, int n = 0) const;

  // The words the engine knows (for spelling).
  const std::set<std::string>& vocabulary() const {
    return corrector_->vocabulary();
  }

  // Sentences of the article, with the section each is in.
  struct Sentence {
    std::string section;
    std::string text;
  };
  std::vector<Sentence> ArticleSentences() const;

 private:
  KnowledgeBase() = default;
  absl::Status Compile(const KnowledgeBaseOptions& options,
                       const std::map<std::string, std::string>& where);

  kbv1::KnowledgeBase proto_;
  std::vector<CompiledPattern> patterns_;
  std::unique_ptr<RE2::Set> set_;
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<Speller> speller_;
  std::unique_ptr<SpellingCorrector> corrector_;
  std::map<std::string, std::string> rewrites_;
  WordCorrector correct_fn_;
};

// Splits a paragraph into sentences (at ". ", "? ", "! ").
std::vector<std::string> SplitSentences(absl::string_view paragraph);

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_KNOWLEDGE_BASE_H_
