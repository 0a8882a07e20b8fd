// The problems found in a knowledge base, each said with where the entry is.
//
// The loader records where every entry is defined (file:line); the validator
// and the compiler add problems by entry; ToStatus turns them into one
// InvalidArgument that names file, line, entry and reason.
//
// Not thread-safe: one per load.
//
// Example:
//   Problems problems(source.where);
//   problems.Add(EntryKey("pattern", "education.master"), "no examples");
//   RETURN_IF_ERROR(problems.ToStatus());
#ifndef DIRIGO_KNOWLEDGE_PROBLEMS_H_
#define DIRIGO_KNOWLEDGE_PROBLEMS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dirigo {

// How an entry is named in messages and in the `where` map: "pattern 'x'".
std::string EntryKey(absl::string_view kind, absl::string_view id);

class Problems {
 public:
  // At most this many problems are listed; the rest are counted.
  static constexpr size_t kMaxListed = 25;

  // `where` maps entry keys to "file:line"; it must outlive this object.
  explicit Problems(const std::map<std::string, std::string>& where)
      : where_(where) {}

  void Add(const std::string& entry, const std::string& message);
  // Adds `status`'s message, unless it is OK.
  void Add(const std::string& entry, const absl::Status& status);
  bool empty() const { return list_.empty(); }

  // OK, or InvalidArgument listing the problems.
  absl::Status ToStatus() const;

 private:
  const std::map<std::string, std::string>& where_;
  std::vector<std::string> list_;
};

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_PROBLEMS_H_
