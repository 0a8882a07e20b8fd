#include "knowledge/loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "knowledge/problems.h"

namespace dirigo {
namespace {

using google::protobuf::TextFormat;

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  explicit CollectErrors(std::string file) : file_(std::move(file)) {}
  void AddError(int line, int column, const std::string& message) override {
    errors_.push_back(
        absl::StrCat(file_, ":", line + 1, ":", column + 1, ": ", message));
  }
  void AddWarning(int line, int column, const std::string& message) override {}
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

// Records "file:line" for each entry of the repeated field `field`, by the
// entry's id.
template <typename IdOf>
void NoteWhere(const kbv1::KnowledgeBase& part,
               const TextFormat::ParseInfoTree& tree, const std::string& file,
               const char* field, const char* kind, IdOf id_of,
               std::map<std::string, std::string>* where) {
  const auto* fd = kbv1::KnowledgeBase::descriptor()->FindFieldByName(field);
  const int count = part.GetReflection()->FieldSize(part, fd);
  for (int i = 0; i < count; ++i) {
    auto loc = tree.GetLocation(fd, i);
    (*where)[EntryKey(kind, id_of(part, i))] =
        absl::StrCat(file, ":", loc.line + 1);
  }
}

void NoteEveryEntry(const kbv1::KnowledgeBase& p,
                    const TextFormat::ParseInfoTree& tree,
                    const std::string& file,
                    std::map<std::string, std::string>* where) {
  using KB = kbv1::KnowledgeBase;
  NoteWhere(
      p, tree, file, "concepts", "concept",
      [](const KB& p, int i) { return p.concepts(i).id(); }, where);
  NoteWhere(
      p, tree, file, "lexicon", "lexicon",
      [](const KB& p, int i) { return p.lexicon(i).id(); }, where);
  NoteWhere(
      p, tree, file, "pattern", "pattern",
      [](const KB& p, int i) { return p.pattern(i).id(); }, where);
  NoteWhere(
      p, tree, file, "slot", "slot",
      [](const KB& p, int i) { return p.slot(i).name(); }, where);
  NoteWhere(
      p, tree, file, "faq", "faq",
      [](const KB& p, int i) { return p.faq(i).id(); }, where);
  NoteWhere(
      p, tree, file, "advice", "advice",
      [](const KB& p, int i) { return p.advice(i).id(); }, where);
  NoteWhere(
      p, tree, file, "rewrite", "rewrite",
      [](const KB& p, int i) { return p.rewrite(i).from(); }, where);
  NoteWhere(
      p, tree, file, "phrase", "phrase",
      [](const KB& p, int i) { return p.phrase(i).key(); }, where);
  NoteWhere(
      p, tree, file, "formal", "formal",
      [](const KB& p, int i) { return p.formal(i).informal(); }, where);
  if (p.has_article()) (*where)["article"] = absl::StrCat(file, ":1");
  if (p.has_language()) (*where)["language"] = absl::StrCat(file, ":1");
  if (p.has_client()) (*where)["client"] = absl::StrCat(file, ":1");
}

// The parts of a knowledge base that only one file may give: merging two
// would silently keep one of them.
std::vector<std::string> SingleParts(const kbv1::KnowledgeBase& p) {
  std::vector<std::string> parts;
  if (!p.version().empty()) parts.push_back("version");
  if (!p.locale().empty()) parts.push_back("locale");
  if (p.has_article()) parts.push_back("article");
  if (p.has_language()) parts.push_back("language");
  if (p.has_client()) parts.push_back("client");
  return parts;
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ReadKnowledgeFiles(
    const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("no knowledge base folder at '", dir, "'"));
  }
  std::map<std::string, std::string> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".textproto") {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return absl::InternalError(
          absl::StrCat("cannot read ", entry.path().string()));
    }
    files[entry.path().string()] = content.str();
  }
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot list '", dir, "': ", ec.message()));
  }
  if (files.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no *.textproto files in '", dir, "'"));
  }
  return files;
}

absl::StatusOr<KnowledgeSource> ParseKnowledgeFiles(
    const std::map<std::string, std::string>& files) {
  KnowledgeSource source;
  std::vector<std::string> errors;
  std::map<std::string, std::string> given_by;  // single part → file
  for (const auto& [name, content] : files) {
    kbv1::KnowledgeBase part;
    TextFormat::Parser parser;
    CollectErrors collector(name);
    TextFormat::ParseInfoTree tree;
    parser.RecordErrorsTo(&collector);
    parser.WriteLocationsTo(&tree);
    if (!parser.ParseFromString(content, &part)) {
      errors.insert(errors.end(), collector.errors().begin(),
                    collector.errors().end());
      continue;
    }
    for (const std::string& single : SingleParts(part)) {
      auto [it, first] = given_by.emplace(single, name);
      if (!first) {
        errors.push_back(absl::StrCat(name, ": ", single,
                                      " is given here and in ", it->second,
                                      "; only one file may give it"));
      }
    }
    NoteEveryEntry(part, tree, name, &source.where);
    source.proto.MergeFrom(part);
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the knowledge base has syntax errors:\n",
                     absl::StrJoin(errors, "\n")));
  }
  return source;
}

}  // namespace dirigo
