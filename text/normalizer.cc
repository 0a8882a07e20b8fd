#include "text/normalizer.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "text/unicode.h"

namespace dirigo {
namespace {

// A number with a fraction beyond this is no duration: its words are kept.
constexpr double kMaxDuration = 1e6;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string FormatNumber(double v) {
  if (v == static_cast<int>(v)) return absl::StrCat(static_cast<int>(v));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

// Folds every word of a rule, so that authors may write accents.
LanguageRules FoldRules(const LanguageRules& rules) {
  LanguageRules folded = rules;
  folded.number_words.clear();
  for (const auto& [word, value] : rules.number_words) {
    folded.number_words[FoldCase(word)] = value;
  }
  folded.numbers_needing_unit.clear();
  for (const auto& word : rules.numbers_needing_unit) {
    folded.numbers_needing_unit.insert(FoldCase(word));
  }
  folded.time_units.clear();
  for (const auto& [form, plural] : rules.time_units) {
    folded.time_units[FoldCase(form)] = FoldCase(plural);
  }
  return folded;
}

// Whether `gap` holds an emoji, which ends a sentence in a chat as a full
// stop would ("lavoro in un call center 😅 è la stessa cosa?").
bool HasEmoji(absl::string_view gap) {
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(gap.size());
  while (i < length) {
    UChar32 c;
    U8_NEXT(gap.data(), i, length, c);
    // Emoji_Presentation: faces and hands, not "©", "®" or "™" ("Excel®").
    if (c > 0x7F && u_hasBinaryProperty(c, UCHAR_EMOJI_PRESENTATION)) {
      return true;
    }
  }
  return false;
}

// Whether the text between two words ends a clause, whether it ends a
// question, and whether it is only a comma (the sentence goes on).
bool EndsClause(absl::string_view gap, bool* question, bool* comma) {
  *question = gap.find('?') != absl::string_view::npos;
  const bool full_stop =
      gap.find_first_of(".;:!?\n") != absl::string_view::npos ||
      gap.find("…") != absl::string_view::npos || HasEmoji(gap);
  const bool ends = full_stop || gap.find(',') != absl::string_view::npos;
  *comma = ends && !full_stop;
  return ends;
}

// Splits the tokens into clauses, by the marks between them in `original`.
void FindClauses(absl::string_view original, NormalizedText* out) {
  const auto& tokens = out->tokens;
  size_t first = 0;
  bool after_comma = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const size_t gap_end =
        i + 1 < tokens.size() ? tokens[i + 1].orig_begin : original.size();
    bool question = false, comma = false;
    const bool ends = EndsClause(
        original.substr(tokens[i].orig_end, gap_end - tokens[i].orig_end),
        &question, &comma);
    if (!ends && i + 1 < tokens.size()) continue;
    out->clauses.push_back(
        {tokens[first].begin, tokens[i].end, question, after_comma});
    after_comma = comma;
    first = i + 1;
  }
}

}  // namespace

struct Normalizer::Word {
  std::string text;       // folded
  std::string lower;      // lower-cased with accents
  std::string corrected;  // set when the corrector changed it
  size_t orig_begin = 0, orig_end = 0;
  bool alpha = true;  // letters only
};

Normalizer::Normalizer(const LanguageRules& rules) : rules_(FoldRules(rules)) {
  for (const auto& [words, value] : rules_.fractions) {
    std::vector<std::string> split;
    for (absl::string_view w : absl::StrSplit(words, ' ', absl::SkipEmpty())) {
      split.push_back(FoldCase(w));
    }
    fractions_.emplace_back(std::move(split), value);
  }
}

std::optional<int> Normalizer::NumberValue(absl::string_view folded) const {
  auto it = rules_.number_words.find(std::string(folded));
  if (it == rules_.number_words.end()) return std::nullopt;
  return it->second;
}

// Splits into words: runs of letters and digits (with marks); a dot or comma
// between digits stays ("1,5" → "1.5").
std::vector<Normalizer::Word> Normalizer::Split(absl::string_view text) const {
  std::vector<Word> words;
  const char* s = text.data();
  int32_t len = static_cast<int32_t>(text.size());
  int32_t i = 0;
  int32_t start = -1;
  auto flush = [&](int32_t end) {
    if (start < 0) return;
    Word w;
    w.orig_begin = start;
    w.orig_end = end;
    std::string raw(text.substr(start, end - start));
    for (char& c : raw)
      if (c == ',') c = '.';
    w.lower = LowerCase(raw, rules_.icu_locale);
    w.text = FoldCase(raw);
    for (char c : w.text)
      if (IsDigit(c)) w.alpha = false;
    words.push_back(std::move(w));
    start = -1;
  };
  while (i < len) {
    int32_t at = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);
    bool word_char = c >= 0 && (u_isalnum(c) || u_getCombiningClass(c) > 0 ||
                                u_charType(c) == U_NON_SPACING_MARK);
    if (!word_char && (c == '.' || c == ',') && start >= 0 && at > 0 &&
        IsDigit(s[at - 1]) && i < len && IsDigit(s[i])) {
      word_char = true;
    }
    if (word_char) {
      if (start < 0) start = at;
    } else {
      flush(at);
    }
  }
  flush(len);
  return words;
}

// "<n> <unit> e mezzo" → "<n + 0.5> <units>": when words[i] (the number,
// given as `number`) takes a fraction, adds the number and its unit to `out`
// and returns how many words after words[i] were used; else 0.
size_t Normalizer::AddFraction(const std::vector<Word>& words, size_t i,
                               Word* number, std::vector<Word>* out) const {
  for (const auto& [fraction, value] : fractions_) {
    const size_t last = i + 1 + fraction.size();
    if (last >= words.size()) continue;
    bool same = true;
    for (size_t k = 0; k < fraction.size(); ++k) {
      same = same && words[i + 2 + k].text == fraction[k];
    }
    if (!same) continue;
    double v = std::strtod(number->text.c_str(), nullptr) + value;
    if (!std::isfinite(v) || v > kMaxDuration) return 0;
    number->text = FormatNumber(v);
    Word unit = words[i + 1];
    unit.orig_end = words[last].orig_end;
    unit.text = rules_.time_units.at(unit.text);
    out->push_back(*number);
    out->push_back(unit);
    return 1 + fraction.size();
  }
  return 0;
}

// Turns number words into digits, in place.
void Normalizer::ConvertNumbers(std::vector<Word>& words) const {
  std::vector<Word> out;
  for (size_t i = 0; i < words.size(); ++i) {
    Word w = words[i];
    const bool next_is_unit =
        i + 1 < words.size() && rules_.time_units.count(words[i + 1].text);
    if (std::optional<int> value = NumberValue(w.text)) {
      bool ambiguous = rules_.numbers_needing_unit.count(w.text) > 0;
      if (!ambiguous || next_is_unit || words.size() == 1) {
        w.text = absl::StrCat(*value);
        w.alpha = false;
      }
    }
    const bool numeric = !w.text.empty() && IsDigit(w.text[0]);
    if (numeric && next_is_unit) {
      if (size_t used = AddFraction(words, i, &w, &out)) {
        i += used;
        continue;
      }
    }
    out.push_back(w);
  }
  words = std::move(out);
}

std::string NormalizedText::OriginalSpan(absl::string_view original,
                                         size_t begin, size_t end) const {
  size_t ob = std::string::npos, oe = 0;
  for (const Token& t : tokens) {
    if (t.end <= begin || t.begin >= end) continue;
    if (ob == std::string::npos) ob = t.orig_begin;
    oe = t.orig_end;
  }
  if (ob == std::string::npos || oe > original.size()) return "";
  return std::string(original.substr(ob, oe - ob));
}

std::string NormalizedText::DisplaySpan(absl::string_view original,
                                        size_t begin, size_t end) const {
  // A word of this many letters or fewer, all capitals, is an acronym.
  constexpr size_t kMaxAcronym = 4;
  std::string out;
  size_t at = std::string::npos;
  bool acronym = true;
  int tokens_in_span = 0;
  for (const Token& t : tokens) {
    if (t.end <= begin || t.begin >= end) continue;
    if (t.orig_end > original.size()) return "";
    if (at != std::string::npos)
      out += std::string(original.substr(at, t.orig_begin - at));
    absl::string_view word =
        original.substr(t.orig_begin, t.orig_end - t.orig_begin);
    out += t.corrected.empty() ? std::string(word) : t.corrected;
    ++tokens_in_span;
    if (word.size() > kMaxAcronym || !t.corrected.empty()) acronym = false;
    for (char c : word)
      if (c >= 'a' && c <= 'z') acronym = false;
    at = t.orig_end;
  }
  if (tokens_in_span == 1 && acronym) return out;
  return LowerCase(out, icu_locale);
}

absl::StatusOr<NormalizedText> Normalizer::Run(absl::string_view text,
                                               const WordCorrector* corrector,
                                               bool numbers) const {
  RETURN_IF_ERROR(CheckUtf8(text));
  std::vector<Word> words = Split(text);
  NormalizedText out;
  out.icu_locale = rules_.icu_locale;
  int checked = 0;
  for (Word& w : words) {
    if (corrector == nullptr || !w.alpha) continue;
    if (++checked > kMaxSpellingChecks) break;
    std::optional<std::string> fixed = (*corrector)(w.text, w.lower);
    if (fixed && *fixed != w.text) {
      out.fixes.push_back(
          {std::string(text.substr(w.orig_begin, w.orig_end - w.orig_begin)),
           *fixed});
      w.text = *fixed;
      w.corrected = *fixed;
    }
  }
  if (numbers) ConvertNumbers(words);
  for (const Word& w : words) {
    if (!out.text.empty()) out.text += ' ';
    NormalizedText::Token t;
    t.begin = out.text.size();
    out.text += w.text;
    t.end = out.text.size();
    t.orig_begin = w.orig_begin;
    t.orig_end = w.orig_end;
    t.corrected = w.corrected;
    out.tokens.push_back(t);
  }
  FindClauses(text, &out);
  return out;
}

int NormalizedText::ClauseAt(size_t at) const {
  for (size_t i = 0; i < clauses.size(); ++i) {
    if (at >= clauses[i].begin && at < clauses[i].end) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

absl::StatusOr<NormalizedText> Normalizer::Normalize(
    absl::string_view text, const WordCorrector* corrector) const {
  return Run(text, corrector, /*numbers=*/true);
}

std::string Normalizer::NormalizeTerm(absl::string_view term) const {
  auto n = Run(term, nullptr, /*numbers=*/false);
  return n.ok() ? n->text : std::string(term);
}

}  // namespace dirigo
