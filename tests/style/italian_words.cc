// italian-words: finds words of Italian in the string literals of C++ files,
// so that every word the bot or a client shows stays in the knowledge base.
//
//   italian-words FILE...
//
// A word counts as Italian when Hunspell's it_IT dictionary knows it and the
// en_US one does not (words of three letters or more). Prints each one as
// file:line and exits 1 if there are any.
#include <cctype>
#include <fstream>
#include <hunspell/hunspell.hxx>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr char kDictionaries[] = "/usr/share/hunspell/";
constexpr size_t kMinLetters = 3;
// Names, and protocol words ("http", the Bot "api"), that the Italian
// dictionary knows and the English one does not.
const std::set<std::string> kNames = {"dirigo", "proto", "api", "http",
                                      "https"};

struct Literal {
  int line;
  std::string text;
};

// The string literals of a C++ source, with their lines; comments and
// preprocessor lines (#include "…") skipped.
std::vector<Literal> Literals(const std::string& src) {
  std::vector<Literal> out;
  int line = 1;
  for (size_t i = 0; i < src.size(); ++i) {
    char c = src[i];
    if (c == '\n') ++line;
    const bool line_start = i == 0 || src[i - 1] == '\n';
    if ((c == '#' && line_start) ||
        (c == '/' && i + 1 < src.size() && src[i + 1] == '/')) {
      while (i < src.size() && src[i] != '\n') ++i;
      ++line;
    } else if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      size_t end = src.find("*/", i + 2);
      for (size_t k = i; k < end && k < src.size(); ++k) line += src[k] == '\n';
      i = end == std::string::npos ? src.size() : end + 1;
    } else if (c == '\'' && i > 0 && std::isxdigit(src[i - 1]) &&
               i + 1 < src.size() && std::isxdigit(src[i + 1])) {
      continue;  // a digit separator: 20'000
    } else if (c == '\'') {
      for (++i; i < src.size() && src[i] != '\''; ++i) i += src[i] == '\\';
    } else if (c == '"') {
      Literal l{line, ""};
      for (++i; i < src.size() && src[i] != '"'; ++i) {
        if (src[i] == '\\') ++i;
        l.text += src[i];
      }
      out.push_back(l);
    }
  }
  return out;
}

// The words of a text: runs of letters, accented ones included.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string w;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80) {
      w += static_cast<char>(c);
    } else {
      if (!w.empty()) words.push_back(w);
      w.clear();
    }
  }
  if (!w.empty()) words.push_back(w);
  return words;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = kDictionaries;
  Hunspell italian((dir + "it_IT.aff").c_str(), (dir + "it_IT.dic").c_str());
  Hunspell english((dir + "en_US.aff").c_str(), (dir + "en_US.dic").c_str());
  // Without its dictionaries this check would pass on anything.
  if (!italian.spell("della") || !english.spell("the") ||
      english.spell("della")) {
    std::cerr << "italian-words: the it_IT and en_US dictionaries of "
              << kDictionaries << " did not load (hunspell-it, "
              << "hunspell-en-us)\n";
    return 2;
  }
  int found = 0;
  for (int a = 1; a < argc; ++a) {
    std::ifstream in(argv[a]);
    std::stringstream src;
    src << in.rdbuf();
    for (const Literal& l : Literals(src.str())) {
      for (const std::string& w : Words(l.text)) {
        const std::string lower = Lower(w);
        if (lower.size() < kMinLetters || kNames.count(lower)) continue;
        if (!italian.spell(lower) || english.spell(lower) || english.spell(w))
          continue;
        std::cout << argv[a] << ":" << l.line << ": \"" << w << "\" in \""
                  << l.text << "\"\n";
        ++found;
      }
    }
  }
  if (found > 0) {
    std::cout << found << " Italian word(s) in C++ string literals: move "
              << "them to the knowledge base (knowledge/<locale>/)\n";
    return 1;
  }
  return 0;
}
