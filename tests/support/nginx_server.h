// Starts Debian's nginx as a child process, in the foreground and as one
// process, in a fresh folder: a gRPC load balancer on a free loopback port
// over the given backends (round robin; a backend that refuses connections
// is skipped). Stops it when destroyed.
#ifndef DIRIGO_TESTS_SUPPORT_NGINX_SERVER_H_
#define DIRIGO_TESTS_SUPPORT_NGINX_SERVER_H_

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/redis_server.h"

namespace dirigo::test_support {

class NginxGrpcBalancer {
 public:
  explicit NginxGrpcBalancer(const std::vector<std::string>& backends) {
    dir_ = std::filesystem::temp_directory_path() /
           ("dirigo-nginx-" + std::to_string(getpid()) + "-" +
            std::to_string(++count_));
    std::filesystem::create_directories(dir_ / "tmp");
    port_ = FreeLoopbackPort();
    const std::string d = dir_.string();
    std::ofstream conf(dir_ / "nginx.conf");
    conf << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
         << "pid " << d << "/nginx.pid;\n"
         << "error_log " << d << "/error.log info;\n"
         << "events { worker_connections 512; }\n"
         << "http {\n  access_log off;\n"
         << "  client_body_temp_path " << d << "/tmp/body;\n"
         << "  proxy_temp_path " << d << "/tmp/proxy;\n"
         << "  fastcgi_temp_path " << d << "/tmp/fastcgi;\n"
         << "  uwsgi_temp_path " << d << "/tmp/uwsgi;\n"
         << "  scgi_temp_path " << d << "/tmp/scgi;\n"
         << "  upstream dirigo {\n";
    for (const auto& b : backends) {
      conf << "    server " << b << " max_fails=1 fail_timeout=10s;\n";
    }
    conf << "  }\n  server {\n    listen 127.0.0.1:" << port_ << " http2;\n"
         << "    location / {\n      grpc_pass grpc://dirigo;\n"
         << "      grpc_next_upstream error timeout;\n"
         << "      grpc_connect_timeout 2s;\n    }\n  }\n}\n";
    conf.close();
    std::vector<std::string> args = {
        "nginx", "-p", d, "-e", d + "/error.log", "-c", d + "/nginx.conf"};
    pid_ = SpawnChild("/usr/sbin/nginx", std::move(args));
    // Ready once it accepts connections (at most 20 s).
    ready_ = WaitUntilReady(
        &pid_,
        [this] {
          int fd = socket(AF_INET, SOCK_STREAM, 0);
          sockaddr_in addr{};
          addr.sin_family = AF_INET;
          addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          addr.sin_port = htons(port_);
          bool up = connect(fd, reinterpret_cast<sockaddr*>(&addr),
                            sizeof(addr)) == 0;
          close(fd);
          return up;
        },
        std::chrono::seconds(20));
  }
  ~NginxGrpcBalancer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status;
      waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  NginxGrpcBalancer(const NginxGrpcBalancer&) = delete;
  NginxGrpcBalancer& operator=(const NginxGrpcBalancer&) = delete;

  bool ready() const { return ready_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const {
    std::ifstream in(dir_ / "error.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  static inline int count_ = 0;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool ready_ = false;
};

}  // namespace dirigo::test_support

#endif  // DIRIGO_TESTS_SUPPORT_NGINX_SERVER_H_
