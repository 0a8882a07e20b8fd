// Orders that gRPC keeps between our threads, told to ThreadSanitizer.
//
// A reactor hands itself to gRPC when it starts an operation (StartRead,
// StartWrite, Finish), and gRPC calls it back (OnReadDone, OnWriteDone,
// OnDone) only after that operation: gRPC's documented contract. gRPC's core
// keeps that order with its own locks and atomics, which Debian built without
// TSan, so TSan sees two threads touching the reactor with nothing between
// them. HandOff(reactor) before each start and TakeOver(reactor) first thing
// in each callback say so. Nothing else is ordered by them: two of our
// threads that touch a reactor outside gRPC's callbacks still need a lock,
// and TSan still checks it. Both do nothing unless DIRIGO_SANITIZE=thread.
#ifndef DIRIGO_BASE_TSAN_HANDOFF_H_
#define DIRIGO_BASE_TSAN_HANDOFF_H_

#if defined(DIRIGO_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace dirigo {

// What this thread did so far happens before a later TakeOver(key).
inline void HandOff(const void* key) {
#if defined(DIRIGO_TSAN)
  __tsan_release(const_cast<void*>(key));
#else
  (void)key;
#endif
}

// What any thread did before its HandOff(key) happens before what follows.
inline void TakeOver(const void* key) {
#if defined(DIRIGO_TSAN)
  __tsan_acquire(const_cast<void*>(key));
#else
  (void)key;
#endif
}

}  // namespace dirigo

#endif  // DIRIGO_BASE_TSAN_HANDOFF_H_
