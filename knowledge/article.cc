#include "knowledge/article.h"

#include "absl/strings/ascii.h"

namespace dirigo {

std::vector<std::string> SplitSentences(absl::string_view paragraph) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    std::string s(absl::StripAsciiWhitespace(current));
    if (!s.empty()) out.push_back(s);
    current.clear();
  };
  for (size_t i = 0; i < paragraph.size(); ++i) {
    char c = paragraph[i];
    current += c;
    if ((c == '.' || c == '?' || c == '!') &&
        (i + 1 == paragraph.size() || paragraph[i + 1] == ' ')) {
      flush();
    }
  }
  flush();
  return out;
}

std::vector<ArticleSentence> ArticleSentences(
    const dirigo::kb::v1::Article& article) {
  std::vector<ArticleSentence> out;
  for (const auto& s : article.section()) {
    for (const auto& para : s.paragraph()) {
      for (auto& sentence : SplitSentences(para)) {
        out.push_back({s.id(), sentence});
      }
    }
  }
  return out;
}

}  // namespace dirigo
