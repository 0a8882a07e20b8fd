#include "knowledge/problems.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace dirigo {

std::string EntryKey(absl::string_view kind, absl::string_view id) {
  return absl::StrCat(kind, " '", id, "'");
}

void Problems::Add(const std::string& entry, const std::string& message) {
  auto it = where_.find(entry);
  std::string at = it == where_.end() ? "" : it->second + ": ";
  list_.push_back(absl::StrCat(at, entry, ": ", message));
}

void Problems::Add(const std::string& entry, const absl::Status& status) {
  if (!status.ok()) Add(entry, std::string(status.message()));
}

absl::Status Problems::ToStatus() const {
  if (list_.empty()) return absl::OkStatus();
  std::vector<std::string> shown(
      list_.begin(), list_.begin() + static_cast<std::ptrdiff_t>(
                                         std::min(list_.size(), kMaxListed)));
  std::string more = list_.size() > shown.size()
                         ? absl::StrCat("\n… and ", list_.size() - shown.size(),
                                        " more problems")
                         : "";
  return absl::InvalidArgumentError(absl::StrCat(
      "the knowledge base is not valid:\n", absl::StrJoin(shown, "\n"), more));
}

}  // namespace dirigo
