#include "text/spelling.h"

#include <algorithm>
#include <filesystem>
#include <hunspell/hunspell.hxx>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace dirigo {

absl::StatusOr<std::unique_ptr<Speller>> Speller::Open(
    const std::string& dir, const std::string& lang) {
  std::string aff = absl::StrCat(dir, "/", lang, ".aff");
  std::string dic = absl::StrCat(dir, "/", lang, ".dic");
  if (!std::filesystem::exists(aff) || !std::filesystem::exists(dic)) {
    return absl::NotFoundError(
        absl::StrCat("no Hunspell dictionary ", lang, " in ", dir,
                     " (install Debian's hunspell-it package)"));
  }
  auto h = std::make_unique<Hunspell>(aff.c_str(), dic.c_str());
  return std::unique_ptr<Speller>(new Speller(std::move(h)));
}

Speller::Speller(std::unique_ptr<Hunspell> hunspell)
    : hunspell_(std::move(hunspell)) {}
Speller::~Speller() = default;

bool Speller::IsWord(const std::string& word) const {
  absl::MutexLock lock(&mu_);
  return hunspell_->spell(word);
}

int EditDistance(const std::string& a, const std::string& b, int limit) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) return limit + 1;
  // Three rows (two back, for transpositions), reused: no table per call.
  std::vector<int> before(m + 1), previous(m + 1), row(m + 1);
  for (int j = 0; j <= m; ++j) previous[j] = j;
  for (int i = 1; i <= n; ++i) {
    row[0] = i;
    int row_min = i;
    for (int j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int v =
          std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, before[j - 2] + 1);
      }
      row[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > limit) return limit + 1;
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return previous[m];
}

namespace {

// `word` and every form of it with up to `depth` letters deleted, once each.
void Deletions(const std::string& word, int depth,
               absl::flat_hash_set<std::string>* out) {
  out->insert(word);
  if (depth == 0 || word.size() <= 1) return;
  for (size_t i = 0; i < word.size(); ++i) {
    std::string shorter = word.substr(0, i) + word.substr(i + 1);
    if (!out->contains(shorter)) Deletions(shorter, depth - 1, out);
  }
}

}  // namespace

SpellingCorrector::SpellingCorrector(
    std::set<std::string> vocabulary, const Speller* speller,
    std::vector<std::pair<std::string, std::string>> plain_endings)
    : vocabulary_(std::move(vocabulary)),
      speller_(speller),
      plain_endings_(std::move(plain_endings)) {
  for (const std::string& word : vocabulary_) {
    if (word.size() < kMinCorrectedLength) continue;
    longest_ = std::max(longest_, word.size());
    absl::flat_hash_set<std::string> forms;
    Deletions(word, 2, &forms);
    for (const std::string& form : forms) deletions_[form].push_back(&word);
  }
}

std::vector<const std::string*> SpellingCorrector::Candidates(
    const std::string& word, int limit) const {
  // Two words within `limit` edits (substitutions, insertions, deletions,
  // adjacent transpositions) share a form with at most `limit` letters
  // deleted from each.
  absl::flat_hash_set<std::string> forms;
  Deletions(word, limit, &forms);
  absl::flat_hash_set<const std::string*> seen;
  std::vector<const std::string*> out;
  for (const std::string& form : forms) {
    auto it = deletions_.find(form);
    if (it == deletions_.end()) continue;
    for (const std::string* w : it->second) {
      if (seen.insert(w).second) out.push_back(w);
    }
  }
  // In vocabulary order, as the whole scan found them.
  std::sort(out.begin(), out.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  return out;
}

bool SpellingCorrector::IsValid(const std::string& folded,
                                const std::string& lower) const {
  if (speller_ == nullptr) return false;
  if (speller_->IsWord(lower) || speller_->IsWord(folded)) return true;
  // Names of places and people, typed in lower case: "parma", "caserta" are
  // no misspelt "arma", "caserma".
  if (!lower.empty() && absl::ascii_islower(lower[0])) {
    std::string capitalized = lower;
    capitalized[0] = absl::ascii_toupper(capitalized[0]);
    if (speller_->IsWord(capitalized)) return true;
  }
  // People often type a final accented letter plainly: "perche", "citta".
  for (const auto& [plain, accented] : plain_endings_) {
    if (!absl::EndsWith(folded, plain)) continue;
    std::string stem = folded.substr(0, folded.size() - plain.size());
    if (speller_->IsWord(stem + accented)) return true;
  }
  return false;
}

std::optional<std::string> SpellingCorrector::Correct(
    const std::string& folded, const std::string& lower) const {
  if (folded.size() < kMinCorrectedLength) return std::nullopt;
  for (char c : folded) {
    if (c < 'a' || c > 'z') return std::nullopt;
  }
  if (vocabulary_.count(folded)) return std::nullopt;
  const int limit = folded.size() >= kTwoEditsLength ? 2 : 1;
  // A word far longer than any known one is near none of them: it is not
  // looked up (its deleted forms would grow with the square of its length).
  if (folded.size() > longest_ + limit) return std::nullopt;
  int best = limit + 1;
  std::vector<const std::string*> winners;
  for (const std::string* word : Candidates(folded, limit)) {
    int d = EditDistance(folded, *word, limit);
    if (d < best) {
      best = d;
      winners.assign(1, word);
    } else if (d == best && d <= limit) {
      winners.push_back(word);
    }
  }
  if (best > limit || winners.size() != 1) return std::nullopt;
  // A valid word of the language stays as it is; asked only now, as most
  // unknown words are near no known one and the dictionary costs more.
  if (IsValid(folded, lower)) return std::nullopt;
  return *winners[0];
}

}  // namespace dirigo
