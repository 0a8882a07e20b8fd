#include "knowledge/passages.h"

#include <cmath>

#include "absl/strings/str_split.h"
#include "knowledge/article.h"

namespace dirigo {

PassageIndex::PassageIndex(
    const dirigo::kb::v1::Article& article, const Normalizer& normalizer,
    const std::set<std::string>& stop_words,
    const std::set<std::string>& subject_words,
    const std::vector<std::vector<std::string>>& synonyms)
    : stop_words_(stop_words) {
  for (const std::vector<std::string>& group : synonyms) {
    std::set<std::string> stems;
    for (const std::string& w : group) {
      for (const std::string& stem : Words(w)) stems.insert(stem);
    }
    for (const std::string& stem : stems) {
      synonyms_[stem].insert(stems.begin(), stems.end());
    }
  }
  for (const std::string& w : subject_words) {
    for (const std::string& stem : Words(w)) subject_stems_.insert(stem);
  }
  int total = 0;
  for (const ArticleSentence& s : ArticleSentences(article)) {
    Document d{s.section, s.text, {}, 0};
    for (const std::string& w : Words(normalizer.NormalizeTerm(s.text))) {
      ++d.counts[w];
      ++d.length;
    }
    for (const auto& [w, count] : d.counts) ++document_frequency_[w];
    total += d.length;
    documents_.push_back(std::move(d));
  }
  if (!documents_.empty()) {
    average_length_ =
        static_cast<double>(total) / static_cast<double>(documents_.size());
  }
}

// Words of meaning, each cut to its first kStemLength letters, so that the
// forms of a word meet ("dirigente", "dirigenti").
std::vector<std::string> PassageIndex::Words(
    absl::string_view normalized) const {
  std::vector<std::string> out;
  for (absl::string_view w :
       absl::StrSplit(normalized, ' ', absl::SkipEmpty())) {
    if (w.size() > 1 && !stop_words_.count(std::string(w))) {
      out.emplace_back(w.substr(0, kStemLength));
    }
  }
  return out;
}

bool PassageIndex::IsAboutTheSubject(absl::string_view normalized) const {
  for (const std::string& w : Words(normalized)) {
    if (subject_stems_.count(w)) return true;
  }
  return false;
}

std::optional<Passage> PassageIndex::Opening() const {
  if (documents_.empty()) return std::nullopt;
  return Passage{documents_[0].section, documents_[0].sentence, 0};
}

std::optional<Passage> PassageIndex::Closest(
    absl::string_view normalized) const {
  std::set<std::string> query;
  for (const std::string& w : Words(normalized)) {
    query.insert(w);
    if (auto same = synonyms_.find(w); same != synonyms_.end()) {
      query.insert(same->second.begin(), same->second.end());
    }
  }
  const auto n = static_cast<double>(documents_.size());
  std::optional<Passage> best;
  for (const Document& d : documents_) {
    double score = 0;
    for (const std::string& w : query) {
      auto count = d.counts.find(w);
      if (count == d.counts.end()) continue;
      const double df = document_frequency_.at(w);
      // A word of a quarter of the sentences or more ("dirigente") tells
      // none of them apart.
      if (df * kCommonShare >= n) continue;
      const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
      const double tf = count->second;
      score += idf * tf * (kK1 + 1) /
               (tf + kK1 * (1 - kB + kB * d.length / average_length_));
    }
    if (score > 0 && (!best || score > best->score)) {
      best = Passage{d.section, d.sentence, score};
    }
  }
  return best;
}

}  // namespace dirigo
