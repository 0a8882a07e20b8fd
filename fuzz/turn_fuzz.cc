// A conversation of up to eight messages (the input's lines) on the bundled
// knowledge base: one dialog turn each, as the server runs them, on one
// state. No message may crash it or leave a state that the next turn
// cannot use.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_split.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dirigo::Engine& engine = dirigo::BundledEngine();
  dirigo::session::v1::DialogState state;
  engine.Start(&state);
  const std::string input(reinterpret_cast<const char*>(data), size);
  int turns = 0;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    if (++turns > 8) break;
    auto reply = engine.Respond(line, &state, 2026);
    if (reply.ok() && reply->erase) state = {};
  }
  (void)engine.Advise(state.profile());
  (void)engine.MissingSlots(state);
  (void)engine.Welcome(&state);
  return 0;
}
