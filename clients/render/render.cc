#include "clients/render/render.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace dirigo {
namespace {

// The length of the UTF-8 sequence that begins with `lead`.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // not a lead byte: counted alone
}

}  // namespace

std::string ShortQuote(const std::string& quote, size_t max) {
  if (quote.size() <= max) return quote;
  size_t cut = quote.rfind(' ', max);
  if (cut == std::string::npos) {
    // No space: cut before a UTF-8 continuation byte never.
    cut = max;
    while (cut > 0 && (static_cast<unsigned char>(quote[cut]) & 0xC0) == 0x80) {
      --cut;
    }
  }
  return quote.substr(0, cut) + " …";
}

bool RepliesAreNumbers(const dirigo::v1::BotTurn& turn) {
  for (const auto& r : turn.quick_replies()) {
    if (r.label().find_first_of("0123456789") != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> CitationLines(
    const google::protobuf::RepeatedPtrField<dirigo::v1::Citation>& citations,
    const std::string& said, const RenderOptions& options) {
  std::vector<std::string> out;
  for (const auto& c : citations) {
    if (!said.empty() && said.find(c.quote()) != std::string::npos) {
      out.push_back(absl::StrCat("(", c.section_heading(), ")"));
    } else {
      out.push_back(absl::StrCat("«",
                                 ShortQuote(c.quote(), options.max_quote_bytes),
                                 "» (", c.section_heading(), ")"));
    }
  }
  return out;
}

std::string MessageWithCitations(const dirigo::v1::BotMessage& message,
                                 const RenderOptions& options) {
  std::string out = message.text();
  for (const std::string& line :
       CitationLines(message.citations(), message.text(), options)) {
    absl::StrAppend(&out, "\n", line);
  }
  return out;
}

std::vector<std::string> ReplyChoices(const dirigo::v1::BotTurn& turn,
                                      bool numbered) {
  const bool numbers = numbered && !RepliesAreNumbers(turn);
  std::vector<std::string> out;
  out.reserve(turn.quick_replies_size());
  for (int i = 0; i < turn.quick_replies_size(); ++i) {
    out.push_back(numbers
                      ? absl::StrCat(i + 1, ". ", turn.quick_replies(i).label())
                      : turn.quick_replies(i).label());
  }
  return out;
}

std::vector<std::string> PlainMessages(const dirigo::v1::BotTurn& turn,
                                       const RenderOptions& options) {
  std::vector<std::string> out;
  for (const auto& m : turn.messages()) {
    out.push_back(MessageWithCitations(m, options));
  }
  if (options.replies != RenderOptions::Replies::kNone &&
      turn.quick_replies_size() > 0) {
    if (out.empty()) out.emplace_back();
    std::string& last = out.back();
    const bool numbered = options.replies == RenderOptions::Replies::kNumbered;
    const bool dashes = !numbered || RepliesAreNumbers(turn);
    for (const std::string& choice : ReplyChoices(turn, numbered)) {
      absl::StrAppend(&last, dashes ? "\n- " : "\n", choice);
    }
  }
  return out;
}

size_t Utf16Length(const std::string& text) {
  size_t units = 0;
  for (size_t i = 0; i < text.size();) {
    size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    units += n == 4 ? 2 : 1;  // beyond the BMP: a surrogate pair
    i += n;
  }
  return units;
}

std::vector<std::string> SplitText(const std::string& text, size_t max,
                                   TextUnit unit) {
  std::vector<std::string> parts;
  absl::string_view rest = text;
  while (!rest.empty()) {
    // The longest prefix of whole characters within `max` units.
    size_t end = 0, units = 0, last_break = 0, last_space = 0;
    while (end < rest.size()) {
      size_t n = SequenceLength(static_cast<unsigned char>(rest[end]));
      size_t u = unit == TextUnit::kBytes ? n : (n == 4 ? 2 : 1);
      if (units + u > max) break;
      units += u;
      if (rest[end] == '\n') last_break = end;
      if (rest[end] == ' ') last_space = end;
      end = std::min(rest.size(), end + n);
    }
    if (end < rest.size()) {
      // A space or line break just past the limit is the best cut.
      size_t cut = rest[end] == ' ' || rest[end] == '\n' ? end
                   : last_break                          ? last_break
                                                         : last_space;
      if (cut > 0) {
        parts.emplace_back(rest.substr(0, cut));
        rest.remove_prefix(cut + 1);  // the break or space itself goes
        continue;
      }
    }
    // A limit below one character still takes one: always a step forward.
    if (end == 0)
      end = std::min(rest.size(),
                     SequenceLength(static_cast<unsigned char>(rest[0])));
    parts.emplace_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  return parts;
}

std::string ChoiceText(const dirigo::v1::BotTurn& turn,
                       const std::string& typed) {
  int n = 0;
  if (RepliesAreNumbers(turn) || !absl::SimpleAtoi(typed, &n) || n < 1 ||
      n > turn.quick_replies_size()) {
    return "";
  }
  return turn.quick_replies(n - 1).text();
}

}  // namespace dirigo
