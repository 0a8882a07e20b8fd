#include "clients/bridge/bridge_util.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/flags_usage.h"
#include "base/stop_signals.h"

namespace dirigo {

absl::StatusOr<HostPort> ParseHostPort(const std::string& flag,
                                       const std::string& value,
                                       bool allow_zero) {
  const size_t colon = value.rfind(':');
  HostPort out;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(value.substr(colon + 1), &out.port) ||
      out.port < (allow_zero ? 0 : 1) || out.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, " must be HOST:PORT (got \"", value.substr(0, 100), "\")"));
  }
  out.host = value.substr(0, colon);
  if (absl::StartsWith(out.host, "[") && absl::EndsWith(out.host, "]")) {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  return out;
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& flag,
                                           const std::string& file) {
  std::ifstream in(file);
  std::string line;
  if (file.empty() || !in || !std::getline(in, line)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read \"", file, "\""));
  }
  std::string s(absl::StripAsciiWhitespace(line));  // a CR goes too
  if (s.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": the first line of ", file, " is empty"));
  }
  return s;
}

void WritePortFile(const std::string& file, int port) {
  if (file.empty()) return;
  std::ofstream(file + ".tmp") << port << "\n";
  std::rename((file + ".tmp").c_str(), file.c_str());
}

std::optional<std::string> AddressedTo(absl::string_view text,
                                       absl::string_view nick) {
  text = absl::StripLeadingAsciiWhitespace(text);
  if (nick.empty() || text.size() <= nick.size() ||
      !absl::EqualsIgnoreCase(text.substr(0, nick.size()), nick)) {
    return std::nullopt;
  }
  text.remove_prefix(nick.size());
  if (text[0] != ':' && text[0] != ',') return std::nullopt;
  return std::string(absl::StripAsciiWhitespace(text.substr(1)));
}

std::chrono::milliseconds Reconnection::Next(
    std::chrono::steady_clock::duration lasted) {
  if (lasted >= std::chrono::minutes(1)) wait_ = std::chrono::milliseconds(500);
  const std::chrono::milliseconds now = wait_;
  wait_ = std::min<std::chrono::milliseconds>(wait_ * 2, max_);
  return now;
}

int BridgeMain(int argc, char** argv, const std::string& program,
               const std::string& main_file, const std::string& usage,
               std::atomic<bool>* stopping,
               const std::function<absl::Status()>& run) {
  SetUpFlagsUsage(main_file, usage, {"server_connection.cc"});
  // Before any thread starts: only the watcher's sigwait sees them.
  const sigset_t signals = BlockStopSignals();
  absl::ParseCommandLine(argc, argv);
  SetOnStopSignal(signals, stopping);
  absl::Status status = run();
  if (!status.ok()) {
    std::cerr << program << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace dirigo
