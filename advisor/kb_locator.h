// Finds the bundled knowledge base: `<folder of the binary>/<relative dir>`,
// which is `share/dirigo/knowledge` beside `bin/` both in the build tree and in
// an install prefix.
#ifndef DIRIGO_ADVISOR_KB_LOCATOR_H_
#define DIRIGO_ADVISOR_KB_LOCATOR_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace dirigo {

// The bundled knowledge root (holding one folder per locale), or NOT_FOUND
// with the places tried.
absl::StatusOr<std::string> FindBundledKnowledge(const std::string& relative);

// The knowledge bases under `root`: folder name → folder. A knowledge base is
// a folder holding manifest.textproto; `root` itself may be one (keyed "").
std::map<std::string, std::string> KnowledgeFolders(const std::string& root);

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_KB_LOCATOR_H_
