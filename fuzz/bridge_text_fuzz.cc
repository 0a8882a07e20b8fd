// The text parsers and cutters of the bridges: a message addressed to the
// bot ("dirigo: …"), a typed number picking a quick reply, HOST:PORT flags,
// lines cut for IRC (bytes) and Telegram (UTF-16 units, MarkdownV2). No
// input crashes them; no part is longer than asked or breaks a character.
#include <cstddef>
#include <cstdint>
#include <string>

#include "clients/bridge/bridge_util.h"
#include "clients/render/render.h"
#include "clients/telegram/telegram_text.h"
#include "text/unicode.h"

namespace {

void CheckParts(const std::vector<std::string>& parts, size_t max,
                dirigo::TextUnit unit) {
  for (const std::string& part : parts) {
    const size_t length = unit == dirigo::TextUnit::kBytes
                              ? part.size()
                              : dirigo::Utf16Length(part);
    if (length > max) __builtin_trap();  // a part over the limit
  }
}

// The text Telegram shows for a MarkdownV2 message: escapes and italics'
// marks parsed away. Telegram's limit counts that text.
std::string ParsedMarkdownV2(const std::string& markdown) {
  std::string shown;
  for (size_t i = 0; i < markdown.size(); ++i) {
    if (markdown[i] == '\\' && i + 1 < markdown.size()) {
      shown += markdown[++i];
    } else if (markdown[i] != '_') {
      shown += markdown[i];
    }
  }
  return shown;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // A part holds at least one whole character: 4 bytes, 2 UTF-16 units.
  const size_t max = 4 + data[0] % 64;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)dirigo::AddressedTo(text, "dirigo");
  (void)dirigo::ParseHostPort("server", text);
  dirigo::v1::BotTurn turn;
  for (const char* reply : {"Sì", "No", "3 anni"}) {
    auto* quick = turn.add_quick_replies();
    quick->set_label(reply);
    quick->set_text(reply);
  }
  (void)dirigo::ChoiceText(turn, text);
  const std::string clean = dirigo::StripControlCharacters(text);
  if (dirigo::CheckUtf8(text).ok()) {
    for (auto unit : {dirigo::TextUnit::kBytes, dirigo::TextUnit::kUtf16}) {
      const auto parts = dirigo::SplitText(text, max, unit);
      CheckParts(parts, max, unit);
      for (const std::string& part : parts) {
        if (!dirigo::CheckUtf8(part).ok()) __builtin_trap();  // a cut char
      }
    }
    dirigo::v1::BotMessage message;
    message.set_text(text);
    message.add_citations()->set_quote(clean);
    std::vector<std::string> shown;
    for (const std::string& part : dirigo::TelegramMessages(message)) {
      shown.push_back(ParsedMarkdownV2(part));
    }
    CheckParts(shown, dirigo::kTelegramMaxText, dirigo::TextUnit::kUtf16);
    (void)dirigo::EscapeMarkdownV2(text);
  }
  return 0;
}
