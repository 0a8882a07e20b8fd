// Unicode primitives over UTF-8 strings, with ICU: validity, case folding
// without accents, and lower-casing by a language's rules.
//
// Thread-safe: the functions keep no state.
//
// Example:
//   CheckUtf8("\xff").ok();          // false: InvalidArgument, with the offset
//   FoldCase("Università");          // "universita"
//   LowerCase("ÈCCO", "it");         // "ècco"
#ifndef DIRIGO_TEXT_UNICODE_H_
#define DIRIGO_TEXT_UNICODE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dirigo {

// InvalidArgument, with the byte offset, unless `text` is valid UTF-8.
absl::Status CheckUtf8(absl::string_view text);

// `text` (valid UTF-8) without control characters: C0 controls and DEL
// (a line feed stays; a tab or carriage return becomes a space), and C1
// controls.
std::string StripControlCharacters(absl::string_view text);

// Case-folds and strips accents (combining marks) of a word or phrase.
std::string FoldCase(absl::string_view text);

// Lower-cases by the rules of `icu_locale` ("it"), keeping accents.
std::string LowerCase(absl::string_view text, const std::string& icu_locale);

}  // namespace dirigo

#endif  // DIRIGO_TEXT_UNICODE_H_
