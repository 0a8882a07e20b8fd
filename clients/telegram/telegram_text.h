// A bot turn as Telegram messages: MarkdownV2 (every reserved character
// escaped, citations in italics), and texts over Telegram's limit (4096
// characters, counted in UTF-16 units after entities are parsed) split at a
// line or a space.
//
// Example:
//   for (const std::string& part : TelegramMessages(message)) Send(part);
#ifndef DIRIGO_CLIENTS_TELEGRAM_TELEGRAM_TEXT_H_
#define DIRIGO_CLIENTS_TELEGRAM_TELEGRAM_TEXT_H_

#include <string>
#include <vector>

#include "clients/render/render.h"
#include "dirigo/v1/advisor.pb.h"

namespace dirigo {

// Telegram's limit on a message's text, in UTF-16 units after parsing.
inline constexpr size_t kTelegramMaxText = 4096;

// `text` with every character MarkdownV2 reserves escaped by a backslash.
std::string EscapeMarkdownV2(const std::string& text);

// One bot message as the MarkdownV2 texts to send: one, or several when it
// is over the limit (then plain, escaped, without italics).
std::vector<std::string> TelegramMessages(const dirigo::v1::BotMessage& m);

}  // namespace dirigo

#endif  // DIRIGO_CLIENTS_TELEGRAM_TELEGRAM_TEXT_H_
