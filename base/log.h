// A tiny logger: one line per event on standard error, with a level and a time.
//
// Privacy: never pass the text of a person's message to it. Call sites log
// digests of ids, counts and codes; Dirigo has no switch that logs message
// text.
//
// Never blocks its caller: lines go to a bounded queue (1 MiB) that a
// thread of its own writes to standard error. When nobody reads standard
// error fast enough, new lines are dropped and counted (and the count is
// written once the writer catches up), so a stalled log reader never stalls
// a turn. Lines still queued are written at exit (for 1 s at most).
//
// Thread-safe.
//
// Example:
//   LOG_INFO("session created: %s", digest.c_str());
//   LOG_DEBUG("turn: %d", n);  // only with SetLogLevel(LogLevel::kDebug)
#ifndef DIRIGO_BASE_LOG_H_
#define DIRIGO_BASE_LOG_H_

#include <cstdint>

#include "absl/time/time.h"

namespace dirigo {

enum class LogLevel { kDebug = 0, kInfo = 1 };

// Lines below this level are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);

// printf-style; prefer the macros below.
void Logf(LogLevel level, const char* format, ...)
    __attribute__((format(printf, 2, 3)));

// Waits until every line queued so far is written, for `timeout` at most;
// false if it was not.
bool FlushLog(absl::Duration timeout);

// Lines dropped since the start because standard error was not read.
uint64_t DroppedLogLines();

}  // namespace dirigo

#define LOG_DEBUG(...) ::dirigo::Logf(::dirigo::LogLevel::kDebug, __VA_ARGS__)
#define LOG_INFO(...) ::dirigo::Logf(::dirigo::LogLevel::kInfo, __VA_ARGS__)

#endif  // DIRIGO_BASE_LOG_H_
