// A tiny logger: one line per event on standard error, with a level and a time.
//
// Privacy: never pass the text of a person's message to it. Call sites log
// digests of ids, counts and codes; Dirigo has no switch that logs message
// text.
//
// Thread-safe: each line is written with one call.
//
// Example:
//   LOG_INFO("session created: %s", digest.c_str());
//   LOG_DEBUG("turn: %d", n);  // only with SetLogLevel(LogLevel::kDebug)
#ifndef DIRIGO_BASE_LOG_H_
#define DIRIGO_BASE_LOG_H_

namespace dirigo {

enum class LogLevel { kDebug = 0, kInfo = 1 };

// Lines below this level are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);

// printf-style; prefer the macros below.
void Logf(LogLevel level, const char* format, ...)
    __attribute__((format(printf, 2, 3)));

}  // namespace dirigo

#define LOG_DEBUG(...) ::dirigo::Logf(::dirigo::LogLevel::kDebug, __VA_ARGS__)
#define LOG_INFO(...) ::dirigo::Logf(::dirigo::LogLevel::kInfo, __VA_ARGS__)

#endif  // DIRIGO_BASE_LOG_H_
