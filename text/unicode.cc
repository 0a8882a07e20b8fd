#include "text/unicode.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "absl/strings/str_cat.h"

namespace dirigo {

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

std::string LowerCase(absl::string_view text, const std::string& icu_locale) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  u.toLower(icu::Locale(icu_locale.c_str()));
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string StripControlCharacters(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c == '\n') {
      out.push_back('\n');
    } else if (c == '\t' || c == '\r') {
      out.push_back(' ');
    } else if (c < 0x20 || c == 0x7F) {
      continue;
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      ++i;  // U+0080 to U+009F: C1 controls
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace dirigo
