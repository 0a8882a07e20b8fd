// How --help reads for Dirigo's programs: the program's own flags only (those
// defined in `main_file`, and in the `shared_files` of libraries whose flags
// it takes), each file named without the build's paths.
//
// Header-only, so that a program links no more than the Abseil flags it
// already uses. Call once at the top of main(), before parsing.
//
// Example:
//   dirigo::SetUpFlagsUsage("server_main.cc", "Usage: dirigo-server …");
#ifndef DIRIGO_BASE_FLAGS_USAGE_H_
#define DIRIGO_BASE_FLAGS_USAGE_H_

#include <string>
#include <vector>

#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace dirigo {

inline void SetUpFlagsUsage(absl::string_view main_file,
                            absl::string_view usage_message,
                            std::vector<std::string> shared_files = {}) {
  absl::FlagsUsageConfig usage;
  shared_files.emplace_back(main_file);
  usage.contains_help_flags = [shared_files](absl::string_view file) {
    for (const std::string& own : shared_files) {
      if (absl::EndsWith(file, own)) return true;
    }
    return false;
  };
  usage.normalize_filename = [](absl::string_view file) {
    size_t slash = file.rfind('/');
    return std::string(
        slash == absl::string_view::npos ? file : file.substr(slash + 1));
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(usage_message);
}

}  // namespace dirigo

#endif  // DIRIGO_BASE_FLAGS_USAGE_H_
