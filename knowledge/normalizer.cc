#include "knowledge/normalizer.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"

namespace dirigo {
namespace {

// Maps every Italian number word from 0 to 99 (folded) to its value.
const std::map<std::string, int>& NumberWords() {
  static const auto* words = [] {
    auto* m = new std::map<std::string, int>;
    const char* small[] = {
        "zero",     "uno",    "due",         "tre",      "quattro",
        "cinque",   "sei",    "sette",       "otto",     "nove",
        "dieci",    "undici", "dodici",      "tredici",  "quattordici",
        "quindici", "sedici", "diciassette", "diciotto", "diciannove"};
    for (int i = 0; i < 20; ++i) (*m)[small[i]] = i;
    (*m)["una"] = 1;
    (*m)["un"] = 1;
    const char* tens[] = {"venti",    "trenta",   "quaranta", "cinquanta",
                          "sessanta", "settanta", "ottanta",  "novanta"};
    for (int t = 0; t < 8; ++t) {
      std::string ten = tens[t];
      int base = (t + 2) * 10;
      (*m)[ten] = base;
      for (int u = 1; u <= 9; ++u) {
        std::string unit = small[u];
        // "venti" + "uno" → "ventuno": the tens lose their vowel before a
        // vowel.
        std::string stem = (unit[0] == 'u' || unit[0] == 'o')
                               ? ten.substr(0, ten.size() - 1)
                               : ten;
        (*m)[stem + unit] = base + u;
      }
    }
    return m;
  }();
  return *words;
}

bool IsTimeUnit(const std::string& w) {
  return w == "anno" || w == "anni" || w == "mese" || w == "mesi";
}

struct Word {
  std::string text;       // folded
  std::string lower;      // lower-cased with accents
  std::string corrected;  // set when the corrector changed it
  size_t orig_begin, orig_end;
  bool alpha;  // letters only
};

// Splits into words: runs of letters and digits (with marks); a dot or comma
// between digits stays ("1,5" → "1.5").
std::vector<Word> Split(absl::string_view text) {
  std::vector<Word> words;
  const char* s = text.data();
  int32_t len = static_cast<int32_t>(text.size());
  int32_t i = 0;
  int32_t start = -1;
  auto flush = [&](int32_t end) {
    if (start >= 0) {
      Word w;
      w.orig_begin = start;
      w.orig_end = end;
      std::string raw(text.substr(start, end - start));
      for (char& c : raw)
        if (c == ',') c = '.';
      w.lower = LowerCase(raw);
      w.text = FoldCase(raw);
      w.alpha = true;
      for (char c : w.text)
        if (c >= '0' && c <= '9') w.alpha = false;
      words.push_back(std::move(w));
      start = -1;
    }
  };
  while (i < len) {
    int32_t at = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);
    bool word_char = c >= 0 && (u_isalnum(c) || u_getCombiningClass(c) > 0 ||
                                u_charType(c) == U_NON_SPACING_MARK);
    if (!word_char && (c == '.' || c == ',') && start >= 0 && at > 0 &&
        s[at - 1] >= '0' && s[at - 1] <= '9' && i < len && s[i] >= '0' &&
        s[i] <= '9') {
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

std::string FormatNumber(double v) {
  if (v == static_cast<int>(v)) return absl::StrCat(static_cast<int>(v));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

// Turns number words into digits, in place.
void ConvertNumbers(std::vector<Word>& words) {
  const auto& numbers = NumberWords();
  std::vector<Word> out;
  for (size_t i = 0; i < words.size(); ++i) {
    Word w = words[i];
    bool next_is_unit = i + 1 < words.size() && IsTimeUnit(words[i + 1].text);
    auto it = numbers.find(w.text);
    if (it != numbers.end()) {
      bool ambiguous = w.text == "un" || w.text == "uno" || w.text == "una" ||
                       w.text == "sei";
      if (!ambiguous || next_is_unit || words.size() == 1) {
        w.text = absl::StrCat(it->second);
        w.alpha = false;
      }
    }
    bool numeric = !w.text.empty() && w.text[0] >= '0' && w.text[0] <= '9';
    // "<n> anni e mezzo" → "<n+0.5> anni".
    if (numeric && next_is_unit && i + 3 < words.size() &&
        words[i + 2].text == "e" && words[i + 3].text == "mezzo") {
      double v = std::strtod(w.text.c_str(), nullptr) + 0.5;
      if (!std::isfinite(v) || v > 1e6) {  // not a duration: keep the words
        out.push_back(w);
        continue;
      }
      w.text = FormatNumber(v);
      Word unit = words[i + 1];
      unit.orig_end = words[i + 3].orig_end;
      if (unit.text == "anno") unit.text = "anni";
      if (unit.text == "mese") unit.text = "mesi";
      out.push_back(w);
      out.push_back(unit);
      i += 3;
      continue;
    }
    out.push_back(w);
  }
  words = std::move(out);
}

}  // namespace

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
    if (word.size() > 4 || !t.corrected.empty()) acronym = false;
    for (char c : word)
      if (c >= 'a' && c <= 'z') acronym = false;
    at = t.orig_end;
  }
  if (tokens_in_span == 1 && acronym) return out;
  return LowerCase(out);
}

absl::Status CheckUtf8(absl::string_view text) {
  const char* s = text.data();
  int32_t len = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < len) {
    int32_t at = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the message is not valid UTF-8 text (bad byte at offset ", at, ")"));
    }
  }
  return absl::OkStatus();
}

std::string FoldCase(absl::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  u.foldCase();
  icu::UnicodeString decomposed = nfd->normalize(u, status);
  if (U_FAILURE(status)) decomposed = u;
  icu::UnicodeString stripped;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) continue;
    stripped.append(c);
  }
  std::string out;
  stripped.toUTF8String(out);
  return out;
}

std::string LowerCase(absl::string_view text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  u.toLower(icu::Locale("it"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::optional<int> ParseNumberWord(absl::string_view folded) {
  const auto& numbers = NumberWords();
  auto it = numbers.find(std::string(folded));
  if (it == numbers.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<NormalizedText> Normalize(absl::string_view text,
                                         const WordCorrector* corrector,
                                         bool numbers) {
  if (absl::Status s = CheckUtf8(text); !s.ok()) return s;
  std::vector<Word> words = Split(text);
  NormalizedText out;
  if (corrector != nullptr) {
    for (Word& w : words) {
      if (!w.alpha) continue;
      std::optional<std::string> fixed = (*corrector)(w.text, w.lower);
      if (fixed && *fixed != w.text) {
        out.fixes.push_back(
            {std::string(text.substr(w.orig_begin, w.orig_end - w.orig_begin)),
             *fixed});
        w.text = *fixed;
        w.corrected = *fixed;
      }
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
  return out;
}

}  // namespace dirigo
