// Starts Debian's redis-server as a child process on a free loopback port,
// in a fresh folder, and stops it when destroyed. For tests of the Redis
// store and of replicas sharing one Redis.
//
// Example:
//   RedisServer redis({"--appendonly", "yes"});
//   ASSERT_TRUE(redis.ready()) << redis.log();
//   OpenSessionStore(redis.url(), ...);
#ifndef DIRIGO_TESTS_SUPPORT_REDIS_SERVER_H_
#define DIRIGO_TESTS_SUPPORT_REDIS_SERVER_H_

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"

namespace dirigo::test_support {

// A TCP port free on 127.0.0.1 now (the kernel's pick for port 0).
inline int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class RedisServer {
 public:
  // `extra` are redis-server options ("--appendonly", "yes"). By default
  // nothing is persisted.
  explicit RedisServer(std::vector<std::string> extra = {})
      : extra_(std::move(extra)) {
    dir_ = std::filesystem::temp_directory_path() /
           ("dirigo-redis-" + std::to_string(getpid()) + "-" +
            std::to_string(++count_));
    std::filesystem::create_directories(dir_);
    // The port is free when picked, but another program may take it before
    // Redis binds it: then Redis exits, and another port is tried.
    for (int attempt = 0; attempt < 5 && !ready_; ++attempt) {
      port_ = FreeLoopbackPort();
      Spawn();
    }
  }
  // Stops and starts it again on the same port and folder, as a restart of
  // Redis looks to its clients.
  bool Restart() {
    Stop();
    Spawn();
    return ready_;
  }
  ~RedisServer() {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool ready() const { return ready_; }
  int port() const { return port_; }
  std::string url() const {
    return "redis://127.0.0.1:" + std::to_string(port_);
  }
  // The folder of its persistence files.
  const std::filesystem::path& dir() const { return dir_; }
  std::string log() const {
    std::ifstream in(dir_ / "redis.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Runs one command and returns its reply as text (integers in decimal,
  // arrays one element per line); "" on failure.
  std::string Command(const std::vector<std::string>& args) const {
    timeval tv = {2, 0};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    std::string out;
    if (c != nullptr && !c->err) {
      std::vector<const char*> argv;
      std::vector<size_t> lens;
      for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      auto* r = static_cast<redisReply*>(redisCommandArgv(
          c, static_cast<int>(argv.size()), argv.data(), lens.data()));
      if (r != nullptr) {
        if (r->type == REDIS_REPLY_INTEGER) {
          out = std::to_string(r->integer);
        } else if (r->type == REDIS_REPLY_ARRAY) {  // one line per element
          for (size_t i = 0; i < r->elements; ++i) {
            if (r->element[i]->str != nullptr) {
              out.append(r->element[i]->str, r->element[i]->len);
            }
            out += "\n";
          }
        } else if (r->str != nullptr) {
          out.assign(r->str, r->len);
        }
        freeReplyObject(r);
      }
    }
    if (c != nullptr) redisFree(c);
    return out;
  }
  bool Ping() const { return Command({"PING"}) == "PONG"; }

  void Stop() {
    ready_ = false;
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  void Spawn() {
    std::vector<std::string> args = {"redis-server",
                                     "--port",
                                     std::to_string(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--dir",
                                     dir_.string(),
                                     "--logfile",
                                     (dir_ / "redis.log").string(),
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_ = SpawnChild("redis-server", std::move(args));
    // Ours, not another test's Redis on a reused port: it has our folder.
    ready_ = WaitUntilReady(
        &pid_,
        [this] {
          return Ping() &&
                 Command({"CONFIG", "GET", "dir"}).find("dirigo-redis") !=
                     std::string::npos;
        },
        std::chrono::seconds(20));
  }

  static inline int count_ = 0;
  std::vector<std::string> extra_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool ready_ = false;
};

}  // namespace dirigo::test_support

#endif  // DIRIGO_TESTS_SUPPORT_REDIS_SERVER_H_
