// A tiny logger: one line per event on standard error, with a level and a time.
//
// Privacy: never pass the text of a person's message to it. Call sites log
// digests of ids, counts and codes; Dirigo has no switch that logs message
// text.
//
// Thread-safe: each line is written with one call.
//
// Example:
//   LOG_INFO("session created: %s", id.c_str());
#ifndef DIRIGO_KNOWLEDGE_LOG_H_
#define DIRIGO_KNOWLEDGE_LOG_H_

#include <cstdarg>

namespace dirigo {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below this level are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

// printf-style; prefer the macros below.
void Logf(LogLevel level, const char* format, ...)
    __attribute__((format(printf, 2, 3)));

}  // namespace dirigo

#define LOG_DEBUG(...) ::dirigo::Logf(::dirigo::LogLevel::kDebug, __VA_ARGS__)
#define LOG_INFO(...) ::dirigo::Logf(::dirigo::LogLevel::kInfo, __VA_ARGS__)
#define LOG_WARNING(...) \
  ::dirigo::Logf(::dirigo::LogLevel::kWarning, __VA_ARGS__)
#define LOG_ERROR(...) ::dirigo::Logf(::dirigo::LogLevel::kError, __VA_ARGS__)

#endif  // DIRIGO_KNOWLEDGE_LOG_H_
