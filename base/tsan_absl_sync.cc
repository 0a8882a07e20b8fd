// ThreadSanitizer builds only (DIRIGO_SANITIZE=thread): tells TSan about
// Abseil's Mutex and Notification.
//
// Debian's Abseil is not built with TSan, so its Mutex carries no TSan
// annotations and TSan would see no ordering between two threads that take
// the same absl::Mutex: every guarded field would look raced. The linker
// wraps the calls our code makes (-Wl,--wrap=SYMBOL, set in CMakeLists.txt):
// each wrapper calls Abseil's own function and tells TSan what happened —
// a release before a lock is given up, an acquire after it is taken.
// Abseil's internals and gRPC's calls are not wrapped: races inside them are
// for tsan.supp.
#include <sanitizer/tsan_interface.h>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

extern "C" {

// The functions wrapped, by their mangled names (Debian's Abseil 20220623
// has the inline namespace "debian3"), and Abseil's own.
#define DIRIGO_MUTEX_LOCK _ZN4absl7debian35Mutex4LockEv
#define DIRIGO_MUTEX_UNLOCK _ZN4absl7debian35Mutex6UnlockEv
#define DIRIGO_MUTEX_TRYLOCK _ZN4absl7debian35Mutex7TryLockEv
#define DIRIGO_MUTEX_AWAIT _ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE
#define DIRIGO_MUTEX_AWAIT_TIMEOUT \
  _ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE
#define DIRIGO_NOTIFY _ZN4absl7debian312Notification6NotifyEv
#define DIRIGO_WAIT _ZNK4absl7debian312Notification19WaitForNotificationEv
#define DIRIGO_WAIT_TIMEOUT \
  _ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE

#define DIRIGO_CAT2(a, b) a##b
#define DIRIGO_CAT(a, b) DIRIGO_CAT2(a, b)
#define DIRIGO_REAL(name) DIRIGO_CAT(__real_, name)
#define DIRIGO_WRAP(name) DIRIGO_CAT(__wrap_, name)

using Mutex = absl::Mutex;
using Condition = absl::Condition;
using Duration = absl::Duration;
using Notification = absl::Notification;

void DIRIGO_REAL(DIRIGO_MUTEX_LOCK)(Mutex* mu);
void DIRIGO_REAL(DIRIGO_MUTEX_UNLOCK)(Mutex* mu);
bool DIRIGO_REAL(DIRIGO_MUTEX_TRYLOCK)(Mutex* mu);
void DIRIGO_REAL(DIRIGO_MUTEX_AWAIT)(Mutex* mu, const Condition& cond);
bool DIRIGO_REAL(DIRIGO_MUTEX_AWAIT_TIMEOUT)(Mutex* mu, const Condition& cond,
                                             Duration timeout);
void DIRIGO_REAL(DIRIGO_NOTIFY)(Notification* n);
void DIRIGO_REAL(DIRIGO_WAIT)(const Notification* n);
bool DIRIGO_REAL(DIRIGO_WAIT_TIMEOUT)(const Notification* n, Duration timeout);

void DIRIGO_WRAP(DIRIGO_MUTEX_LOCK)(Mutex* mu) {
  DIRIGO_REAL(DIRIGO_MUTEX_LOCK)(mu);
  __tsan_acquire(mu);
}

bool DIRIGO_WRAP(DIRIGO_MUTEX_TRYLOCK)(Mutex* mu) {
  const bool taken = DIRIGO_REAL(DIRIGO_MUTEX_TRYLOCK)(mu);
  if (taken) __tsan_acquire(mu);
  return taken;
}

void DIRIGO_WRAP(DIRIGO_MUTEX_UNLOCK)(Mutex* mu) {
  __tsan_release(mu);
  DIRIGO_REAL(DIRIGO_MUTEX_UNLOCK)(mu);
}

}  // extern "C"

namespace {

// A waiter's condition, evaluated by Abseil with the lock held, in the
// waiter's thread or in the thread that unlocks, at times TSan cannot see.
struct Guarded {
  Mutex* mu;
  const Condition* cond;
};

// Acquires before reading what the lock guards; releases after, so that
// whoever takes the lock next is ordered after the reads.
bool EvalAcquired(Guarded* g) {
  __tsan_acquire(g->mu);
  const bool met = g->cond->Eval();
  __tsan_release(g->mu);
  return met;
}

}  // namespace

extern "C" {

// Await gives the lock up while it waits, and takes it back.
void DIRIGO_WRAP(DIRIGO_MUTEX_AWAIT)(Mutex* mu, const Condition& cond) {
  Guarded guarded{mu, &cond};
  const Condition acquired(&EvalAcquired, &guarded);
  __tsan_release(mu);  // after `acquired` is written: others read it
  DIRIGO_REAL(DIRIGO_MUTEX_AWAIT)(mu, acquired);
  __tsan_acquire(mu);
}

bool DIRIGO_WRAP(DIRIGO_MUTEX_AWAIT_TIMEOUT)(Mutex* mu, const Condition& cond,
                                             Duration timeout) {
  Guarded guarded{mu, &cond};
  const Condition acquired(&EvalAcquired, &guarded);
  __tsan_release(mu);
  bool met = DIRIGO_REAL(DIRIGO_MUTEX_AWAIT_TIMEOUT)(mu, acquired, timeout);
  __tsan_acquire(mu);
  return met;
}

void DIRIGO_WRAP(DIRIGO_NOTIFY)(Notification* n) {
  __tsan_release(n);
  DIRIGO_REAL(DIRIGO_NOTIFY)(n);
}

void DIRIGO_WRAP(DIRIGO_WAIT)(const Notification* n) {
  DIRIGO_REAL(DIRIGO_WAIT)(n);
  __tsan_acquire(const_cast<Notification*>(n));
}

bool DIRIGO_WRAP(DIRIGO_WAIT_TIMEOUT)(const Notification* n, Duration timeout) {
  bool notified = DIRIGO_REAL(DIRIGO_WAIT_TIMEOUT)(n, timeout);
  if (notified) __tsan_acquire(const_cast<Notification*>(n));
  return notified;
}

}  // extern "C"
