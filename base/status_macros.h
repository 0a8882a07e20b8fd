// Small helpers for absl::Status, which Abseil 20220623 does not ship.
//
//   RETURN_IF_ERROR(DoThing());
//   ASSIGN_OR_RETURN(auto kb, LoadKnowledgeBase(dir));
#ifndef DIRIGO_BASE_STATUS_MACROS_H_
#define DIRIGO_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DIRIGO_CONCAT_INNER_(a, b) a##b
#define DIRIGO_CONCAT_(a, b) DIRIGO_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::absl::Status dirigo_status_ = (expr);          \
    if (!dirigo_status_.ok()) return dirigo_status_; \
  } while (0)

// `statusor` is a name and `lhs` a declaration: neither can be put in
// parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(DIRIGO_CONCAT_(dirigo_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                           \
  if (!statusor.ok()) return statusor.status();     \
  lhs = std::move(statusor).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // DIRIGO_BASE_STATUS_MACROS_H_
