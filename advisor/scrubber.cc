#include "advisor/scrubber.h"

#include <string>

#include "base/log.h"

namespace dirigo {

Scrubber::Scrubber(std::function<absl::Status()> scrub, absl::Duration period)
    : scrub_(std::move(scrub)), period_(period) {
  thread_ = std::thread([this] { Loop(); });
}

Scrubber::~Scrubber() { Stop(); }

void Scrubber::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Scrubber::Request() {
  absl::MutexLock lock(&mu_);
  wanted_ = true;
}

bool Scrubber::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void Scrubber::Loop() {
  auto woken = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return wanted_ || stopping_;
  };
  auto stopped = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
  while (true) {
    bool wanted;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&woken));
      wanted = wanted_;
      wanted_ = false;
    }
    absl::Status s = wanted ? scrub_() : absl::OkStatus();
    absl::MutexLock lock(&mu_);
    if (!s.ok()) {
      LOG_INFO(
          "old copies of erased data not yet removed from the store's "
          "files (%s)",
          std::string(s.message()).c_str());
      if (!absl::IsCancelled(s)) wanted_ = true;  // tried again
    }
    if (stopping_) return;
    // Coalesce: the erasures of the pause share the next run.
    mu_.AwaitWithTimeout(absl::Condition(&stopped), period_);
  }
}

}  // namespace dirigo
