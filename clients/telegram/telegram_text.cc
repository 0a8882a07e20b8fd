#include "clients/telegram/telegram_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "clients/render/render.h"

namespace dirigo {

std::string EscapeMarkdownV2(const std::string& text) {
  static constexpr absl::string_view kReserved = "_*[]()~`>#+-=|{}.!\\";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    if (kReserved.find(c) != absl::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> TelegramMessages(const dirigo::v1::BotMessage& m) {
  const std::string plain = MessageWithCitations(m, RenderOptions{});
  std::vector<std::string> out;
  if (Utf16Length(plain) > kTelegramMaxText) {
    for (const std::string& part :
         SplitText(plain, kTelegramMaxText, TextUnit::kUtf16)) {
      out.push_back(EscapeMarkdownV2(part));
    }
    return out;
  }
  // The same words as `plain`, the citations' quotes in italics.
  std::string text = EscapeMarkdownV2(m.text());
  for (const auto& c : m.citations()) {
    if (m.text().find(c.quote()) != std::string::npos) {
      absl::StrAppend(&text, "\n",
                      EscapeMarkdownV2("(" + c.section_heading() + ")"));
    } else {
      absl::StrAppend(
          &text, "\n_",
          EscapeMarkdownV2(absl::StrCat(
              "«", ShortQuote(c.quote(), RenderOptions{}.max_quote_bytes),
              "»")),
          "_ ", EscapeMarkdownV2("(" + c.section_heading() + ")"));
    }
  }
  out.push_back(std::move(text));
  return out;
}

}  // namespace dirigo
