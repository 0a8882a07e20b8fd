// Reading a knowledge base's files: every `*.textproto` file under a folder,
// in subfolders too, parsed as protobuf text format of
// `dirigo.kb.v1.KnowledgeBase` and merged into one message.
//
// Files are read in the order of their paths; the order matters nowhere (the
// engine ranks rules by band and rank, never by file). Parsing also records
// where each entry is defined, so that later problems name file and line.
//
// Thread-safe: the functions keep no state.
//
// Example:
//   ASSIGN_OR_RETURN(auto files, ReadKnowledgeFiles("knowledge/it"));
//   ASSIGN_OR_RETURN(KnowledgeSource source, ParseKnowledgeFiles(files));
#ifndef DIRIGO_KNOWLEDGE_LOADER_H_
#define DIRIGO_KNOWLEDGE_LOADER_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "dirigo/kb/v1/knowledge.pb.h"

namespace dirigo {

namespace kbv1 = ::dirigo::kb::v1;

// A knowledge base as authored, before validation.
struct KnowledgeSource {
  kbv1::KnowledgeBase proto;
  // Where each entry is defined: EntryKey("pattern", id) → "file:line".
  std::map<std::string, std::string> where;
};

// Every *.textproto file under `dir`, recursively: path → content.
// NotFound when the folder is missing or holds no such file.
absl::StatusOr<std::map<std::string, std::string>> ReadKnowledgeFiles(
    const std::string& dir);

// Parses and merges files (path → content). InvalidArgument listing every
// syntax error as file:line:column.
absl::StatusOr<KnowledgeSource> ParseKnowledgeFiles(
    const std::map<std::string, std::string>& files);

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_LOADER_H_
