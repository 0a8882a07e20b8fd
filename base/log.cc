#include "base/log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <string>

namespace dirigo {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
constexpr const char* kNames[] = {"DEBUG", "INFO"};
// Longest line written; longer ones are cut.
constexpr size_t kMaxLineBytes = 1024;
}  // namespace

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

void Logf(LogLevel level, const char* format, ...) {
  if (static_cast<int>(level) < g_level.load()) return;
  char body[kMaxLineBytes];
  va_list args;
  va_start(args, format);
  std::vsnprintf(body, sizeof(body), format, args);
  va_end(args);
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = std::string(stamp) + " " +
                     kNames[static_cast<int>(level)] + " " + body + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace dirigo
