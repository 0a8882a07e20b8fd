// SIGINT and SIGTERM, taken by sigwait in one thread of a program that stops
// gracefully (dirigo-server, dirigo-gateway).
//
// Call BlockStopSignals() first in main, before any thread starts, so that
// every thread inherits the mask and only the sigwait-ing thread sees them.
//
// Example:
//   sigset_t stop = dirigo::BlockStopSignals();
//   …start serving…
//   dirigo::WaitForStopSignal(stop);  // blocks until SIGINT or SIGTERM
#ifndef DIRIGO_BASE_STOP_SIGNALS_H_
#define DIRIGO_BASE_STOP_SIGNALS_H_

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace dirigo {

inline sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Blocks until one of `signals` arrives; returns its number.
inline int WaitForStopSignal(const sigset_t& signals) {
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return signal_number;
}

// Starts a thread of its own that sets `*stop` when one of `signals`
// arrives: for programs that look at a flag in their loops.
inline void SetOnStopSignal(const sigset_t& signals, std::atomic<bool>* stop) {
  std::thread([signals, stop] {
    WaitForStopSignal(signals);
    *stop = true;
  }).detach();
}

// Sleeps for `duration`, or less once `stop` is set.
inline void SleepUnlessStopped(const std::atomic<bool>& stop,
                               std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stop && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace dirigo

#endif  // DIRIGO_BASE_STOP_SIGNALS_H_
