// The logger never blocks its caller, even when nobody reads standard error.
// Its own process: standard error is replaced by a pipe nobody reads.
#include "base/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>

#include "gtest/gtest.h"

namespace dirigo {
namespace {

TEST(LogTest, AStalledReaderOfStandardErrorNeverStallsACaller) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const int saved = dup(2);
  ASSERT_EQ(dup2(pipe_fds[1], 2), 2);
  // 20 MB of lines into a pipe that holds 64 KiB and is never read: a
  // logger writing on the caller's thread would block here for ever.
  auto done = std::async(std::launch::async, [] {
    const std::string filler(200, 'x');
    for (int i = 0; i < 100'000; ++i) LOG_INFO("line %d %s", i, filler.c_str());
  });
  // A guard against a hang, not a measure of speed.
  const bool finished =
      done.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  const uint64_t dropped = DroppedLogLines();
  // Read the pipe now, so that the writer and the flush at exit end.
  fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  std::thread drain([fd = pipe_fds[0]] {
    char buf[65536];
    for (int idle = 0; idle < 200;) {
      if (read(fd, buf, sizeof buf) > 0) {
        idle = 0;
      } else {
        ++idle;
        usleep(5000);
      }
    }
  });
  EXPECT_TRUE(finished) << "logging blocked on a full standard error";
  EXPECT_GT(dropped, 0u) << "lines beyond the queue are dropped and counted";
  EXPECT_TRUE(FlushLog(absl::Seconds(30)));
  dup2(saved, 2);
  drain.join();
  if (!finished) std::_Exit(1);
}

}  // namespace
}  // namespace dirigo
