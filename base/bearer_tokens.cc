#include "base/bearer_tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dirigo {
namespace {

std::string Sha256(absl::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), size);
}

}  // namespace

std::string Sha256Hex(absl::string_view text) {
  return absl::BytesToHexString(Sha256(text));
}

absl::StatusOr<BearerTokens> BearerTokens::Load(const std::string& file) {
  BearerTokens tokens;
  if (file.empty()) return tokens;
  std::ifstream in(file);
  if (!in) return absl::NotFoundError("cannot read " + file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty() || l[0] == '#') continue;
    std::vector<std::string> parts =
        absl::StrSplit(l, ' ', absl::SkipWhitespace());
    if (parts.size() != 2 || parts[1].size() != 64 ||
        parts[1].find_first_not_of("0123456789abcdefABCDEF") !=
            std::string::npos ||
        parts[0].size() > 64 ||
        parts[0].find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                                   "qrstuvwxyz0123456789_-.") !=
            std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ":", n,
          ": expected NAME SHA256-HEX (a name of at most 64 letters, digits, "
          "'_', '-' or '.', then 64 hex digits)"));
    }
    tokens.tokens_.emplace_back(
        absl::HexStringToBytes(absl::AsciiStrToLower(parts[1])), parts[0]);
  }
  tokens.on_ = true;
  return tokens;
}

std::string BearerTokens::NameOf(absl::string_view header) const {
  // The scheme's name is case-insensitive (RFC 6750).
  if (!absl::StartsWithIgnoreCase(header, "Bearer ")) return "";
  const std::string digest = Sha256(header.substr(7));
  std::string name;
  // Every entry compared, in constant time each: no early exit.
  for (const auto& [known, token_name] : tokens_) {
    if (CRYPTO_memcmp(known.data(), digest.data(), digest.size()) == 0) {
      name = token_name;
    }
  }
  return name;
}

std::vector<std::string> BearerTokens::names() const {
  std::vector<std::string> out;
  for (const auto& [digest, name] : tokens_) out.push_back(name);
  return out;
}

}  // namespace dirigo
