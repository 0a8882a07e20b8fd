#include "advisor/kb_locator.h"

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace dirigo {

absl::StatusOr<std::string> FindBundledKnowledge(const std::string& relative) {
  std::error_code ec;
  std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return absl::NotFoundError("cannot tell where this program is");
  std::filesystem::path dir = exe.parent_path() / relative;
  if (std::filesystem::is_directory(dir, ec)) {
    return std::filesystem::weakly_canonical(dir, ec).string();
  }
  return absl::NotFoundError(absl::StrCat("no bundled knowledge base at ",
                                          dir.string(), "; pass --kb=FOLDER"));
}

std::map<std::string, std::string> KnowledgeFolders(const std::string& root) {
  // A knowledge base is a folder with a manifest; its rules may sit in
  // subfolders of their own.
  constexpr char kManifest[] = "manifest.textproto";
  std::map<std::string, std::string> out;
  std::error_code ec;
  if (std::filesystem::is_regular_file(std::filesystem::path(root) / kManifest,
                                       ec)) {
    out[""] = root;
    return out;
  }
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    if (entry.is_directory() &&
        std::filesystem::is_regular_file(entry.path() / kManifest, ec)) {
      out[entry.path().filename().string()] = entry.path().string();
    }
  }
  return out;
}

}  // namespace dirigo
