// Small pieces every bridge needs: its flags' values (HOST:PORT, a secret in
// a file), the port file of a program started on port 0, the address of a
// message in a channel ("dirigo: …"), and the waits between reconnections.
#ifndef DIRIGO_CLIENTS_BRIDGE_BRIDGE_UTIL_H_
#define DIRIGO_CLIENTS_BRIDGE_BRIDGE_UTIL_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dirigo {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 address
  int port = 0;
};

// "127.0.0.1:6667", "[::1]:8080", "irc.example.org:6697"; the port 1-65535,
// or 0 when `allow_zero` (a free port). InvalidArgument naming `flag`.
absl::StatusOr<HostPort> ParseHostPort(const std::string& flag,
                                       const std::string& value,
                                       bool allow_zero = false);

// The first line of `file`, without surrounding spaces or the CR of a CRLF
// file; InvalidArgument naming `flag` when it cannot be read or is empty.
absl::StatusOr<std::string> ReadSecretFile(const std::string& flag,
                                           const std::string& file);

// Writes `port` to `file` (atomically, by a rename), when `file` is set.
void WritePortFile(const std::string& file, int port);

// The words of `text` after the bot's `nick` when the message is addressed
// to it: "dirigo: ciao", "Dirigo, ciao" → "ciao"; nullopt otherwise ("dirigo
// mi ha aiutato" speaks of the bot, not to it).
std::optional<std::string> AddressedTo(absl::string_view text,
                                       absl::string_view nick);

// The waits between attempts to connect: from half a second, doubling up
// to `max`; back to the start only after a connection that lasted a minute
// (a server that accepts and then drops at once is not hammered).
class Reconnection {
 public:
  explicit Reconnection(std::chrono::seconds max) : max_(max) {}
  // A connection ended after lasting `lasted`; the wait before the next.
  std::chrono::milliseconds Next(std::chrono::steady_clock::duration lasted);

 private:
  const std::chrono::milliseconds max_;
  std::chrono::milliseconds wait_{500};
};

// A bridge's main(): its --help (its own flags and the server connection's),
// the flags parsed, SIGINT and SIGTERM setting `*stopping`, then `run`; an
// error is printed as "PROGRAM: message" and exits with 1.
int BridgeMain(int argc, char** argv, const std::string& program,
               const std::string& main_file, const std::string& usage,
               std::atomic<bool>* stopping,
               const std::function<absl::Status()>& run);

}  // namespace dirigo

#endif  // DIRIGO_CLIENTS_BRIDGE_BRIDGE_UTIL_H_
