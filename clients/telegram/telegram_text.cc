#include "clients/telegram/telegram_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "clients/render/render.h"

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

size_t Utf16Length(const std::string& text) {
  size_t units = 0;
  for (size_t i = 0; i < text.size();) {
    size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    units += n == 4 ? 2 : 1;  // beyond the BMP: a surrogate pair
    i += n;
  }
  return units;
}

std::vector<std::string> SplitText(const std::string& text, size_t max) {
  std::vector<std::string> parts;
  absl::string_view rest = text;
  while (!rest.empty()) {
    // The longest prefix of whole characters within `max` units.
    size_t end = 0, units = 0, last_break = 0, last_space = 0;
    while (end < rest.size()) {
      size_t n = SequenceLength(static_cast<unsigned char>(rest[end]));
      size_t u = n == 4 ? 2 : 1;
      if (units + u > max) break;
      units += u;
      if (rest[end] == '\n') last_break = end;
      if (rest[end] == ' ') last_space = end;
      end = std::min(rest.size(), end + n);
    }
    if (end < rest.size()) {
      size_t cut = last_break ? last_break : last_space;
      if (cut > 0) {
        parts.emplace_back(rest.substr(0, cut));
        rest.remove_prefix(cut + 1);  // the break or space itself goes
        continue;
      }
    }
    parts.emplace_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  return parts;
}

std::vector<std::string> TelegramMessages(const dirigo::v1::BotMessage& m) {
  const std::string plain = MessageWithCitations(m, RenderOptions{});
  std::vector<std::string> out;
  if (Utf16Length(plain) > kTelegramMaxText) {
    for (const std::string& part : SplitText(plain, kTelegramMaxText)) {
      out.push_back(EscapeMarkdownV2(part));
    }
    return out;
  }
  // The same words as `plain`, the citations' quotes in italics.
  std::string text = EscapeMarkdownV2(m.text());
  for (const auto& c : m.citations()) {
    if (m.text().find(c.quote()) != std::string::npos) {
      absl::StrAppend(&text, "\n", EscapeMarkdownV2("(" + c.section_heading() + ")"));
    } else {
      absl::StrAppend(&text, "\n_",
                      EscapeMarkdownV2(absl::StrCat(
                          "«", ShortQuote(c.quote(), RenderOptions{}.max_quote_bytes), "»")),
                      "_ ", EscapeMarkdownV2("(" + c.section_heading() + ")"));
    }
  }
  out.push_back(std::move(text));
  return out;
}

}  // namespace dirigo
