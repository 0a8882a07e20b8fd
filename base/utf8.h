// UTF-8 for the clients, which do not link ICU: a check, and a repair for
// text that arrives in Latin-1 (IRC carries bytes, and older IRC clients
// still send Latin-1).
//
// Example:
//   if (!IsUtf8(line)) line = Latin1ToUtf8(line);
#ifndef DIRIGO_BASE_UTF8_H_
#define DIRIGO_BASE_UTF8_H_

#include <string>

#include "absl/strings/string_view.h"

namespace dirigo {

// Whether `s` is well-formed UTF-8: shortest forms, no surrogates, nothing
// past U+10FFFF.
bool IsUtf8(absl::string_view s);

// `s` read as Latin-1 (ISO 8859-1: each byte one character), in UTF-8.
std::string Latin1ToUtf8(absl::string_view s);

}  // namespace dirigo

#endif  // DIRIGO_BASE_UTF8_H_
