// How a bot turn becomes plain text, shared by every client that shows one
// (the gateway's webhooks, the bridges): each message with the citations
// that support it, and the quick replies as numbered choices for platforms
// without buttons. No word of any language is here: the texts come from the
// server.
//
// The plan arrives twice in a turn that gives it: as messages (what to show)
// and as `advice` items (the same steps, structured). Plain text renders the
// messages only; `advice` is for clients that draw their own checklist.
//
// Example:
//   for (const std::string& text : PlainMessages(turn, {})) Send(text);
#ifndef DIRIGO_CLIENTS_RENDER_RENDER_H_
#define DIRIGO_CLIENTS_RENDER_RENDER_H_

#include <string>
#include <vector>

#include "dirigo/v1/advisor.pb.h"

namespace dirigo {

struct RenderOptions {
  // Quotes longer than this many bytes are cut at a space, with " …".
  size_t max_quote_bytes = 150;
  // How the quick replies are added under the last message: numbered ("1.
  // Diploma", for clients that map a typed number back to its reply),
  // listed ("- Diploma"), or not at all (platforms that show buttons).
  enum class Replies { kNumbered, kListed, kNone };
  Replies replies = Replies::kNumbered;
};

// A quote cut to about `max` bytes at a space, never inside a character.
std::string ShortQuote(const std::string& quote, size_t max);

// The lines citing `citations` under a text that says `said`: «quote»
// (heading), or (heading) alone for a quote `said` already holds in full.
std::vector<std::string> CitationLines(
    const google::protobuf::RepeatedPtrField<dirigo::v1::Citation>& citations,
    const std::string& said, const RenderOptions& options);

// One message and, under it, its citations (CitationLines).
std::string MessageWithCitations(const dirigo::v1::BotMessage& message,
                                 const RenderOptions& options);

// Whether the turn's quick replies are themselves numbers ("3 anni"): then
// a typed number is an answer, not a choice, and they are shown unnumbered.
bool RepliesAreNumbers(const dirigo::v1::BotTurn& turn);

// The quick replies as shown where there are no buttons: "1. Diploma", or
// the label alone when `RepliesAreNumbers` or `numbered` is false.
std::vector<std::string> ReplyChoices(const dirigo::v1::BotTurn& turn,
                                      bool numbered);

// The turn's messages as plain texts, one per bot message, with the quick
// replies under the last one as `options.replies` says.
std::vector<std::string> PlainMessages(const dirigo::v1::BotTurn& turn,
                                       const RenderOptions& options);

// The text to send for a choice typed as its number ("2"), or "" when
// `typed` is not the number of a quick reply of `turn`. When the replies are
// themselves numbers ("3 anni"), a typed number is an answer, not a choice.
std::string ChoiceText(const dirigo::v1::BotTurn& turn,
                       const std::string& typed);

// How a text's length is counted: in bytes of UTF-8 (IRC's line limit) or
// in UTF-16 units (Telegram's message limit).
enum class TextUnit { kBytes, kUtf16 };

// How many UTF-16 units `text` (UTF-8) takes.
size_t Utf16Length(const std::string& text);

// `text` cut into parts of at most `max` units, at the last line break,
// else the last space (the break or space itself dropped), else after the
// last whole character: never inside a character. `max` must hold any one
// character (4 bytes, 2 UTF-16 units); a character longer than `max` is a
// part of its own.
std::vector<std::string> SplitText(const std::string& text, size_t max,
                                   TextUnit unit);

}  // namespace dirigo

#endif  // DIRIGO_CLIENTS_RENDER_RENDER_H_
