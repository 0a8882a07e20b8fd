// Child processes for tests: started so that they never outlive the test
// (PR_SET_PDEATHSIG), and waited for until ready, or until they exit.
// Used by the helpers that start dirigo-server, redis-server and nginx.
#ifndef DIRIGO_TESTS_SUPPORT_CHILD_PROCESS_H_
#define DIRIGO_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace dirigo::test_support {

// Starts `path` (looked up on PATH when it has no '/') with `args` (args[0]
// is its name). Its standard error goes to `stderr_file` when given.
inline pid_t SpawnChild(const std::string& path, std::vector<std::string> args,
                        const std::string& stderr_file = "") {
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    if (!stderr_file.empty()) {
      int fd = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) dup2(fd, 2);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the test
    execvp(path.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// Polls `ready` every 20 ms for at most `limit`: true once it holds; false
// when the child exits first (then *pid is -1) or the time is up.
template <typename Ready>
bool WaitUntilReady(pid_t* pid, Ready ready, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    int status;
    if (waitpid(*pid, &status, WNOHANG) == *pid) {
      *pid = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace dirigo::test_support

#endif  // DIRIGO_TESTS_SUPPORT_CHILD_PROCESS_H_
