#include "clients/render/render.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace dirigo {
namespace {

bool RepliesAreNumbers(const dirigo::v1::BotTurn& turn) {
  for (const auto& r : turn.quick_replies()) {
    if (r.label().find_first_of("0123456789") != std::string::npos) {
      return true;
    }
  }
  return false;
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

std::string MessageWithCitations(const dirigo::v1::BotMessage& message,
                                 const RenderOptions& options) {
  std::string out = message.text();
  for (const auto& c : message.citations()) {
    if (message.text().find(c.quote()) != std::string::npos) {
      absl::StrAppend(&out, "\n(", c.section_heading(), ")");
    } else {
      absl::StrAppend(&out, "\n«",
                      ShortQuote(c.quote(), options.max_quote_bytes), "» (",
                      c.section_heading(), ")");
    }
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
    const bool numbers = RepliesAreNumbers(turn) ||
                         options.replies == RenderOptions::Replies::kListed;
    for (int i = 0; i < turn.quick_replies_size(); ++i) {
      if (numbers) {
        absl::StrAppend(&last, "\n- ", turn.quick_replies(i).label());
      } else {
        absl::StrAppend(&last, "\n", i + 1, ". ",
                        turn.quick_replies(i).label());
      }
    }
  }
  return out;
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
