// A fixed set of threads running queued work, with a bounded queue.
//
// gRPC callback reactions must not block, so each turn is handed to this pool
// and the worker finishes the reactor. When the queue is full, Submit refuses
// and the caller answers RESOURCE_EXHAUSTED instead of queueing without end.
//
// Thread-safe.
#ifndef DIRIGO_ADVISOR_WORKER_POOL_H_
#define DIRIGO_ADVISOR_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dirigo {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queue);
  // Runs what is queued, then joins the threads.
  ~WorkerPool();

  // Queues `work`; false (and `work` dropped) when the queue is full or the
  // pool is stopping.
  bool Submit(std::function<void()> work);

  // Whether work has waited in the queue for longer than `limit`: the
  // workers are stuck, and calls are not being served.
  bool Stalled(absl::Duration limit);

 private:
  struct Queued {
    std::function<void()> work;
    absl::Time since;
  };
  void Loop();
  const size_t max_queue_;
  absl::Mutex mu_;
  std::deque<Queued> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_WORKER_POOL_H_
