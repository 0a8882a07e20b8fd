#include "clients/telegram/telegram_update.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace dirigo {

using google::protobuf::Value;

const Value& Field(const Value& v, const std::string& name) {
  static const Value kNull;
  if (!v.has_struct_value()) return kNull;
  auto it = v.struct_value().fields().find(name);
  return it == v.struct_value().fields().end() ? kNull : it->second;
}

std::string IdText(const Value& v) {
  if (v.has_string_value()) return v.string_value();
  if (!v.has_number_value()) return "";
  // Telegram's ids fit in 52 bits; anything else is no id (and converting
  // it to an integer would be undefined).
  const double n = v.number_value();
  if (!std::isfinite(n) || std::trunc(n) != n || std::fabs(n) > 0x1p53) {
    return "";
  }
  return absl::StrCat(static_cast<int64_t>(n));
}

namespace {

std::string PersonIn(const Value& chat, const std::string& user) {
  if (user.empty()) return "";
  if (Field(chat, "type").string_value() == "private") return user;
  const std::string group = IdText(Field(chat, "id"));
  return group.empty() ? "" : absl::StrCat(group, " ", user);
}

// A message's words, when they are for the bot.
bool ReadMessage(const Value& message, const std::string& mention,
                 const std::string& bot_id, Incoming* in) {
  // Messages sent on behalf of a chat (a channel, an anonymous admin) have
  // no person behind them that the bot can tell apart.
  if (!message.has_struct_value() ||
      !Field(message, "text").has_string_value() ||
      Field(message, "sender_chat").has_struct_value()) {
    return false;
  }
  const Value& chat = Field(message, "chat");
  in->person = PersonIn(chat, IdText(Field(Field(message, "from"), "id")));
  in->chat = IdText(Field(chat, "id"));
  in->text = std::string(
      absl::StripAsciiWhitespace(Field(message, "text").string_value()));
  if (Field(chat, "type").string_value() == "private") return true;
  // In a group, only what names the bot (the name is not part of the
  // words), or answers one of its messages.
  const std::string lower = absl::AsciiStrToLower(in->text);
  size_t at = mention.empty() ? std::string::npos : lower.find(mention);
  if (at != std::string::npos) {
    in->text.erase(at, mention.size());
    in->text = std::string(absl::StripAsciiWhitespace(in->text));
    return true;
  }
  return !bot_id.empty() &&
         IdText(Field(Field(Field(message, "reply_to_message"), "from"),
                      "id")) == bot_id;
}

}  // namespace

Incoming ReadUpdate(const Value& update, const std::string& mention,
                    const std::string& bot_id) {
  Incoming in;
  const Value& callback = Field(update, "callback_query");
  if (callback.has_struct_value()) {
    in.callback_id = Field(callback, "id").string_value();
    const Value& message = Field(callback, "message");
    if (!message.has_struct_value()) return in;  // too old a message
    in.person = PersonIn(Field(message, "chat"),
                         IdText(Field(Field(callback, "from"), "id")));
    in.chat = IdText(Field(Field(message, "chat"), "id"));
    in.text = Field(callback, "data").string_value();
  } else if (!ReadMessage(Field(update, "message"), mention, bot_id, &in)) {
    return in;
  }
  in.for_bot = !in.text.empty() && !in.person.empty() && !in.chat.empty();
  return in;
}

}  // namespace dirigo
