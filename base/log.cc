#include "base/log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dirigo {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
constexpr const char* kNames[] = {"DEBUG", "INFO"};
// Longest line written; longer ones are cut.
constexpr size_t kMaxLineBytes = 1024;
// Most bytes waiting for standard error; beyond, lines are dropped.
constexpr size_t kMaxQueuedBytes = 1 << 20;

// Lines on their way to standard error, written by one thread of their own:
// a reader of stderr that stalls stalls that thread only, never a caller.
class Queue {
 public:
  void Push(std::string line) {
    absl::MutexLock lock(&mu_);
    if (!started_) {
      started_ = true;
      std::thread([this] { Write(); }).detach();
      std::atexit([] { FlushLog(absl::Seconds(1)); });
    }
    if (bytes_ + line.size() > kMaxQueuedBytes) {
      ++dropped_;
      ++dropped_total_;
      return;
    }
    bytes_ += line.size();
    lines_.push_back(std::move(line));
  }

  bool Flush(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return lines_.empty() && !writing_;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
  }

  uint64_t dropped() {
    absl::MutexLock lock(&mu_);
    return dropped_total_;
  }

 private:
  void Write() {
    for (;;) {
      std::deque<std::string> batch;
      uint64_t dropped = 0;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return !lines_.empty() || dropped_ > 0;
        };
        writing_ = false;
        mu_.Await(absl::Condition(&ready));
        writing_ = true;
        batch.swap(lines_);
        bytes_ = 0;
        dropped = dropped_;
        dropped_ = 0;
      }
      if (dropped > 0) {
        std::fprintf(stderr,
                     "%llu log lines dropped: standard error was not read "
                     "fast enough\n",
                     static_cast<unsigned long long>(dropped));
      }
      for (const std::string& line : batch) {
        std::fwrite(line.data(), 1, line.size(), stderr);
      }
      std::fflush(stderr);
    }
  }

  absl::Mutex mu_;
  std::deque<std::string> lines_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_total_ ABSL_GUARDED_BY(mu_) = 0;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
};

// Never destroyed: its thread may outlive static destructors.
Queue& TheQueue() {
  static Queue* queue = new Queue;  // NOLINT(cppcoreguidelines-owning-memory)
  return *queue;
}

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
  TheQueue().Push(std::string(stamp) + " " + kNames[static_cast<int>(level)] +
                  " " + body + "\n");
}

bool FlushLog(absl::Duration timeout) { return TheQueue().Flush(timeout); }

uint64_t DroppedLogLines() { return TheQueue().dropped(); }

}  // namespace dirigo
