// Starts dirigo-server as a child process on a free loopback port, waits until
// it answers health checks, and stops it (SIGTERM) when destroyed.
#ifndef DIRIGO_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define DIRIGO_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/support/child_process.h"

namespace dirigo::test_support {

class ServerProcess {
 public:
  // Starts `binary` with `args` plus --listen and --port_file (and
  // --store=memory unless `args` name a store).
  ServerProcess(const std::string& binary, std::vector<std::string> args = {}) {
    bool has_store = false;
    for (const auto& a : args) has_store |= a.rfind("--store=", 0) == 0;
    if (!has_store) args.push_back("--store=memory");
    dir_ = std::filesystem::temp_directory_path() /
           ("dirigo-test-" + std::to_string(getpid()) + "-" +
            std::to_string(++count_));
    std::filesystem::create_directories(dir_);
    std::string port_file = (dir_ / "port").string();
    args.insert(args.begin(),
                {binary, "--listen=127.0.0.1:0", "--port_file=" + port_file});
    pid_ = SpawnChild(binary, std::move(args), (dir_ / "server.log").string());
    // Ready when the port file exists and the health check says SERVING; at
    // most 30 s each (a failing start ends the wait at once).
    if (!WaitUntilReady(
            &pid_,
            [&] {
              std::ifstream in(port_file);
              return static_cast<bool>(in >> port_);
            },
            std::chrono::seconds(30))) {
      return;
    }
    channel_ =
        grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
    auto health = grpc::health::v1::Health::NewStub(channel_);
    ready_ = WaitUntilReady(
        &pid_,
        [&] {
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(2));
          grpc::health::v1::HealthCheckRequest req;
          grpc::health::v1::HealthCheckResponse resp;
          return health->Check(&ctx, req, &resp).ok() &&
                 resp.status() ==
                     grpc::health::v1::HealthCheckResponse::SERVING;
        },
        std::chrono::seconds(30));
  }

  ~ServerProcess() {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Sends SIGTERM and waits; returns the exit status (-1 if not running).
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    // At most 10 s for a graceful stop, then SIGKILL.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Sends `signal` without waiting for the process to end.
  void Signal(int signal) {
    if (pid_ > 0) kill(pid_, signal);
  }

  // Kills it at once (SIGKILL), as a crash would.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  bool ready() const { return ready_; }
  // What it wrote to standard error so far.
  std::string log() const {
    std::ifstream in(dir_ / "server.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  static inline int count_ = 0;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool ready_ = false;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace dirigo::test_support

#endif  // DIRIGO_TESTS_INTEGRATION_SERVER_PROCESS_H_
