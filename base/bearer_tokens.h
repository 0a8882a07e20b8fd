// Bearer tokens, by name, from a file that holds their SHA-256 digests only:
//
//   # NAME SHA256-OF-THE-TOKEN-IN-HEX       (printf %s TOKEN | sha256sum)
//   telegram 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//
// A presented token is compared with every digest in constant time, so the
// time taken tells nothing of how close a guess came. Tokens are never
// logged; names are at most 64 bytes.
//
// Example:
//   ASSIGN_OR_RETURN(BearerTokens tokens, BearerTokens::Load(file));
//   std::string name = tokens.NameOf("Bearer s3cret");  // "" if unknown
#ifndef DIRIGO_BASE_BEARER_TOKENS_H_
#define DIRIGO_BASE_BEARER_TOKENS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dirigo {

// SHA-256 of `text`, in lower-case hex.
std::string Sha256Hex(absl::string_view text);

class BearerTokens {
 public:
  // No file (""): no tokens, and on() is false.
  static absl::StatusOr<BearerTokens> Load(const std::string& file);

  // Whether tokens are asked for.
  bool on() const { return on_; }
  // The name of the token in `header` ("Bearer TOKEN"), or "" when it is
  // missing or unknown.
  std::string NameOf(absl::string_view header) const;
  // The names, in the file's order.
  std::vector<std::string> names() const;

 private:
  bool on_ = false;
  // (digest bytes, name)
  std::vector<std::pair<std::string, std::string>> tokens_;
};

}  // namespace dirigo

#endif  // DIRIGO_BASE_BEARER_TOKENS_H_
