#!/usr/bin/python3
"""A strict stand-in for the Telegram Bot API, for testing dirigo-telegram.

It listens on 127.0.0.1 (a free port, written to --port_file) and answers
/bot<TOKEN>/<METHOD> as api.telegram.org does, for the methods the bridge
uses: getMe, getUpdates (long polling that really waits), sendMessage,
answerCallbackQuery, setWebhook, deleteWebhook, getWebhookInfo and
sendChatAction. Unlike Telegram it forgives nothing: every request the Bot
API documentation would refuse, and every break of the bridge's contract, is
recorded as a violation (the test fails on any). What Telegram refuses gets
Telegram's error (400 "Bad Request: ...", 401, 404, 409 or 429); what only
the contract forbids (two buttons in a row, say) is answered as Telegram
would, so that the bridge goes on and the test sees what follows. Lengths
are counted as Telegram counts entity offsets, in UTF-16 code units. It checks:

  - the token in the path, the method name, POST with a JSON object body;
  - getUpdates: a positive timeout, allowed_updates with message and
    callback_query, an offset that is the last delivered update_id + 1
    (omitted or 0 only before the first update a started bridge receives),
    never going back, never skipping updates not yet delivered; no getUpdates
    while a webhook is set, nor two at once;
  - sendMessage: a known chat, parse_mode MarkdownV2 and text that parses
    (every reserved character escaped outside entities, entities closed and
    nested as the documentation allows), 1-4096 characters after parsing,
    an inline keyboard with one button per row and callback_data of 1-64
    bytes, no resend sooner than retry_after after a 429;
  - answerCallbackQuery: only for a button press it made, once;
  - setWebhook: an https URL on a port Telegram allows, a secret_token of
    1-256 characters from A-Z a-z 0-9 _ -.

A control API on the same port, under /control/, plays the people and
reads what the bot did (JSON in, JSON out; times are seconds on one
monotonic clock):

  POST /control/message {"user":ID,"text":T[,"chat":"private"|"group"]}
       a person writes; in a group, @mentions get their entities
  POST /control/press {"user":ID,"label":L[,"chat":...]}
       the person presses the button labelled L on the bot's last keyboard
  POST /control/rate_limit {"retry_after":N}
       the next sendMessage gets 429 with retry_after N
  POST /control/deliver {"port":P,"user":ID,"text":T|"label":L[,"secret":S]}
       webhook mode: POSTs the update to 127.0.0.1:P at the path of the
       URL given to setWebhook, with the secret given there (or S; null
       sends no header); answers {"status":HTTP status,"body":...}
  GET  /control/sent[?chat=ID]          what the bot sent: {"last_seq",
       "messages":[{"seq","time","chat_id","text" (after parsing),"raw",
       "keyboard":[[{"text","callback_data"}]] or null,"message_id"}]}
  GET  /control/wait?after=SEQ[&chat=ID][&min=1][&keyboard=1][&contains=S]
       [&quiet=0.5][&timeout=15]  waits until messages after SEQ satisfy the
       conditions and none came for `quiet` seconds; {"ok","messages"}
  GET  /control/violations   {"violations":[{"time","method","description"}]}
  GET  /control/requests     every API call: method, params, status, times
  GET  /control/state        webhook, offsets, getMe calls, callbacks
  GET  /control/refused      the sendMessage calls answered 429

Usage:
  telegram_standin.py --port_file=FILE --token_file=FILE [--username=NAME]
  telegram_standin.py --self_test     checks the stand-in itself
Standard library only.
"""

import argparse
import http.client
import http.server
import json
import math
import os
import re
import select
import socket
import sys
import threading
import time
import urllib.parse

# ---------------------------------------------------------------------------
# MarkdownV2, parsed as Telegram does (the rules of "Formatting options" in the
# Bot API documentation, in the order Telegram's own parser applies them).

RESERVED = set("_*[]()~`>#+-=|{}.!")
ENTITY_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline",
    "strikethrough": "Strikethrough", "spoiler": "Spoiler", "code": "Code",
    "pre": "Pre", "text_link": "TextUrl",
}
# Entities that may contain others and be part of others (except code and
# pre); the others may not contain each other.
STYLES = {"bold", "italic", "underline", "strikethrough", "spoiler"}
MAX_TEXT = 4096


class ParseError(Exception):
    pass


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def parse_markdown_v2(text):
    """Returns (plain text, entities) or raises ParseError with Telegram's words.

    Entity offsets and lengths are in UTF-16 code units, as the Bot API gives
    them. Telegram then trims white space at both ends: see strip_text.
    """
    n = len(text)
    byte_at = [0] * (n + 1)
    for k, ch in enumerate(text):
        byte_at[k + 1] = byte_at[k] + len(ch.encode("utf-8", "surrogatepass"))

    def at(k):
        return text[k] if k < n else ""

    out = []
    pos = 0  # UTF-16 length of out
    stack = []  # open entities: [type, start, byte offset, argument]
    entities = []
    quote = None  # the open block quotation: [type, start]

    def emit(ch):
        nonlocal pos
        out.append(ch)
        pos += utf16_len(ch)

    def add(kind, start, end, **extra):
        if end > start:
            entity = {"type": kind, "offset": start, "length": end - start}
            entity.update(extra)
            entities.append(entity)

    def close_quote(end):
        nonlocal quote
        for entity in stack:
            if entity[1] >= quote[1]:
                raise ParseError("Can't find end of %s entity at byte offset %d"
                                 % (ENTITY_NAMES[entity[0]], entity[2]))
        add(quote[0], quote[1], end)
        quote = None

    i = 0
    while i < n:
        c = text[i]
        inner = stack[-1][0] if stack else None
        in_code = inner in ("code", "pre")
        # Block quotations: lines that start with '>' (or "**>" for an
        # expandable one), outside code; a line that does not ends one.
        if not in_code and (i == 0 or text[i - 1] == "\n"):
            if c == ">":
                if quote is None:
                    quote = ["blockquote", pos]
                i += 1
                continue
            if c == "*" and at(i + 1) == "*" and at(i + 2) == ">" and quote is None:
                quote = ["expandable_blockquote", pos]
                i += 3
                continue
            if quote is not None and i > 0:
                close_quote(pos - 1)
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        if (quote is not None and quote[0] == "expandable_blockquote" and not in_code
                and c == "|" and at(i + 1) == "|" and at(i + 2) in ("\n", "")):
            close_quote(pos)
            i += 2
            continue
        reserved = "`" if in_code else RESERVED
        if c not in reserved:
            emit(c)
            i += 1
            continue
        ends = {
            "bold": c == "*",
            "italic": c == "_" and at(i + 1) != "_",
            "underline": c == "_" and at(i + 1) == "_",
            "strikethrough": c == "~",
            "spoiler": c == "|" and at(i + 1) == "|",
            "code": c == "`",
            "pre": c == "`" and at(i + 1) == "`" and at(i + 2) == "`",
            "text_link": c == "]",
        }.get(inner, False)
        if not ends:
            start_byte = byte_at[i]
            argument = None
            if c == "_" and at(i + 1) == "_":
                kind, i = "underline", i + 2
            elif c == "_":
                kind, i = "italic", i + 1
            elif c == "*":
                kind, i = "bold", i + 1
            elif c == "~":
                kind, i = "strikethrough", i + 1
            elif c == "|" and at(i + 1) == "|":
                kind, i = "spoiler", i + 2
            elif c == "[":
                kind, i = "text_link", i + 1
            elif c == "!" and at(i + 1) == "[":
                raise ParseError("Custom emoji entities can only be used by bots "
                                 "that purchased additional usernames on Fragment")
            elif c == "`" and at(i + 1) == "`" and at(i + 2) == "`":
                kind, i = "pre", i + 3
                j = i
                while j < n and not text[j].isspace() and text[j] != "`":
                    j += 1
                if j != i and j < n and text[j] != "`":
                    argument, i = text[i:j], j
                if at(i) in ("\n", "\r"):
                    i += 2 if at(i + 1) in ("\n", "\r") and at(i + 1) != at(i) else 1
            elif c == "`":
                kind, i = "code", i + 1
            else:
                raise ParseError("Character '%s' is reserved and must be escaped "
                                 "with the preceding '\\'" % c)
            if kind not in STYLES:
                for entity in stack:
                    if entity[0] not in STYLES:
                        raise ParseError("%s entity can't be nested in %s entity"
                                         % (ENTITY_NAMES[kind], ENTITY_NAMES[entity[0]]))
            stack.append([kind, pos, start_byte, argument])
            continue
        kind, start, start_byte, argument = stack.pop()
        i += {"underline": 2, "spoiler": 2, "pre": 3}.get(kind, 1)
        if kind == "text_link":
            if at(i) == "(":
                url_begin = byte_at[i + 1]
                i += 1
                url = []
                while i < n and text[i] != ")":
                    if text[i] == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
                        url.append(text[i + 1])
                        i += 2
                        continue
                    url.append(text[i])
                    i += 1
                if i >= n:
                    raise ParseError("Can't find end of a URL at byte offset %d" % url_begin)
                i += 1
                url = "".join(url)
            else:
                url = _plain_since(out, start)
            if not url.strip():
                raise ParseError("Empty URL in a text link")
            add("text_link", start, pos, url=url)
        elif kind == "pre":
            if argument:
                add("pre", start, pos, language=argument)
            else:
                add("pre", start, pos)
        else:
            add(kind, start, pos)
    if stack:
        kind, _, start_byte, _ = stack[-1]
        raise ParseError("Can't find end of %s entity at byte offset %d"
                         % (ENTITY_NAMES[kind], start_byte))
    if quote is not None:
        close_quote(pos)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _plain_since(out, start):
    """The characters of `out` from UTF-16 offset `start` on."""
    count = 0
    for k, ch in enumerate(out):
        if count >= start:
            return "".join(out[k:])
        count += utf16_len(ch)
    return ""


def strip_text(plain, entities):
    """Trims white space at both ends as Telegram does, moving the entities."""
    head = len(plain) - len(plain.lstrip())
    shift = utf16_len(plain[:head])
    stripped = plain.strip()
    size = utf16_len(stripped)
    kept = []
    for e in entities:
        begin = max(e["offset"] - shift, 0)
        end = min(e["offset"] + e["length"] - shift, size)
        if end > begin:
            kept.append(dict(e, offset=begin, length=end - begin))
    return stripped, kept


# ---------------------------------------------------------------------------
# The Bot API.

UPDATE_TYPES = {
    "message", "edited_message", "channel_post", "edited_channel_post",
    "business_connection", "business_message", "edited_business_message",
    "deleted_business_messages", "message_reaction", "message_reaction_count",
    "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
    "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
    "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
}
REQUIRED_UPDATES = {"message", "callback_query"}
SEND_MESSAGE_PARAMS = {
    "business_connection_id", "chat_id", "message_thread_id",
    "direct_messages_topic_id", "text", "parse_mode", "entities",
    "link_preview_options", "disable_notification", "protect_content",
    "allow_paid_broadcast", "message_effect_id", "suggested_post_parameters",
    "reply_parameters", "reply_markup", "disable_web_page_preview",
    "reply_to_message_id", "allow_sending_without_reply",
}
BUTTON_ACTIONS = {
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
    "copy_text", "callback_game", "pay",
}
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice",
    "upload_voice", "upload_document", "choose_sticker", "find_location",
    "record_video_note", "upload_video_note",
}
WEBHOOK_PORTS = {443, 80, 88, 8443}
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
GROUP_CHAT = {"id": -4012345678, "type": "group", "title": "Dirigo test group"}
FIRST_UPDATE_ID = 815000001


class ApiError(Exception):
    """A refusal: the HTTP status and body Telegram answers, and the violation."""

    def __init__(self, code, description, violation=None, parameters=None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.violation = violation if violation is not None else description
        self.parameters = parameters


def bad(description, violation=None):
    return ApiError(400, "Bad Request: " + description, violation)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class BotApi:
    """The fake Telegram: state under one lock, waits on one condition."""

    def __init__(self, token, username):
        self.token = token
        self.bot = {"id": int(token.split(":")[0]) if token.split(":")[0].isdigit()
                    else 7000000001, "is_bot": True, "first_name": "Dirigo",
                    "username": username}
        self.cv = threading.Condition()
        self.started = time.monotonic()
        self.violations = []
        self.requests = []
        self.updates = []  # queued for getUpdates, oldest first
        self.next_update_id = FIRST_UPDATE_ID
        self.confirmed = 0  # the highest offset a getUpdates gave
        self.delivered_max = 0  # the highest update_id delivered by getUpdates
        self.instance_last = None  # the same, since the last getMe
        self.get_me_calls = 0
        self.poll_generation = 0  # a newer getUpdates ends an older one
        self.chats = {}
        self.users = {}
        self.message_ids = {}
        self.sent = []
        self.seq = 0
        self.refused = []
        self.rate_limit_next = None
        self.flood_until = {}  # chat id -> monotonic time of the end of the wait
        self.callbacks = {}
        self.next_callback = 4382000000000000001
        self.webhook = None
        self.echo = True  # violations printed on stderr as they happen

    def now(self):
        return round(time.monotonic() - self.started, 3)

    def violate(self, method, description):
        with self.cv:
            self.violations.append({"time": self.now(), "method": method,
                                    "description": description})
        if self.echo:
            print("telegram-standin: violation: %s: %s" % (method, description),
                  file=sys.stderr, flush=True)

    # -- people ------------------------------------------------------------

    def user(self, user_id, first_name=None):
        if user_id not in self.users:
            self.users[user_id] = {"id": user_id, "is_bot": False,
                                   "first_name": first_name or "Persona%d" % (user_id % 1000),
                                   "username": "persona%d" % user_id,
                                   "language_code": "it"}
        return self.users[user_id]

    def chat_for(self, user, kind):
        if kind == "private":
            chat = {"id": user["id"], "type": "private",
                    "first_name": user["first_name"], "username": user["username"]}
        elif kind == "group":
            chat = dict(GROUP_CHAT)
        else:
            raise ValueError("chat must be private or group")
        self.chats[chat["id"]] = chat
        return chat

    def new_message_id(self, chat_id):
        self.message_ids[chat_id] = self.message_ids.get(chat_id, 0) + 1
        return self.message_ids[chat_id]

    def text_entities(self, text):
        """The entities Telegram detects in a person's text: mentions, commands."""
        found = []
        pattern = r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b|(?<!\S)/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?"
        for m in re.finditer(pattern, text):
            kind = "mention" if m.group(0).startswith("@") else "bot_command"
            if kind == "bot_command" and m.start() != 0:
                continue
            found.append({"type": kind, "offset": utf16_len(text[:m.start()]),
                          "length": utf16_len(m.group(0))})
        return found

    def build_message_update(self, user_id, text, kind, first_name=None):
        user = self.user(user_id, first_name)
        chat = self.chat_for(user, kind)
        message = {"message_id": self.new_message_id(chat["id"]), "from": user,
                   "chat": chat, "date": int(time.time()), "text": text}
        entities = self.text_entities(text)
        if entities:
            message["entities"] = entities
        update = {"update_id": self.next_update_id, "message": message}
        self.next_update_id += 1
        return update

    def build_press_update(self, user_id, label, kind):
        user = self.user(user_id)
        chat = self.chat_for(user, kind)
        for sent in reversed(self.sent):
            if sent["chat_id"] == chat["id"] and sent["keyboard"]:
                break
        else:
            raise ValueError("no keyboard was sent to chat %d" % chat["id"])
        buttons = [b for row in sent["keyboard"] for b in row]
        matching = [b for b in buttons if b.get("text") == label and "callback_data" in b]
        if not matching:
            raise ValueError("no button %r on the last keyboard of chat %d (%s)" % (
                label, chat["id"], [b.get("text") for b in buttons]))
        button = matching[0]
        query_id = str(self.next_callback)
        self.next_callback += 7919
        self.callbacks[query_id] = {"answered": False, "data": button["callback_data"],
                                    "time": self.now()}
        query = {"id": query_id, "from": user, "message": sent["result"],
                 "chat_instance": str(abs(chat["id"]) * 31 + 17),
                 "data": button["callback_data"]}
        update = {"update_id": self.next_update_id, "callback_query": query}
        self.next_update_id += 1
        return update

    def inject(self, update):
        with self.cv:
            if self.webhook is not None:
                raise ValueError("a webhook is set: use /control/deliver")
            self.updates.append(update)
            self.cv.notify_all()

    # -- the methods -----------------------------------------------------

    def call(self, method, params, alive):
        """Runs one API method; returns (HTTP status, JSON body)."""
        handler = {
            "getme": self.get_me, "getupdates": self.get_updates,
            "sendmessage": self.send_message,
            "answercallbackquery": self.answer_callback_query,
            "setwebhook": self.set_webhook, "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "sendchataction": self.send_chat_action,
        }.get(method.lower())
        try:
            if handler is None:
                raise ApiError(404, "Not Found",
                               "unknown method %r (or one outside the bridge's contract)" % method)
            result = handler(params, alive)
            if isinstance(result, tuple):
                return result
            return 200, {"ok": True, "result": result}
        except ApiError as e:
            if e.violation:
                self.violate(method, e.violation)
            body = {"ok": False, "error_code": e.code, "description": e.description}
            if e.parameters:
                body["parameters"] = e.parameters
            return e.code, body

    def check_params(self, method, params, known):
        for name in params:
            if name not in known:
                self.violate(method, "unknown parameter %r (Telegram ignores it: a typo?)" % name)

    def get_me(self, params, alive):
        self.check_params("getMe", params, set())
        with self.cv:
            self.get_me_calls += 1
            # A bridge starts with getMe: from now on a new instance polls.
            self.instance_last = None
        return dict(self.bot, can_join_groups=True, can_read_all_group_messages=False,
                    supports_inline_queries=False)

    def check_allowed_updates(self, value):
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("can't parse allowed updates",
                      "allowed_updates must be an array of strings, got %r" % (value,))
        unknown = [v for v in value if v not in UPDATE_TYPES]
        if unknown:
            raise bad("wrong allowed updates %s" % unknown)
        if not REQUIRED_UPDATES <= set(value):
            raise bad("allowed_updates %r" % value,
                      "allowed_updates %r lacks message or callback_query" % (value,))

    def get_updates(self, params, alive):
        self.check_params("getUpdates", params, {"offset", "limit", "timeout", "allowed_updates"})
        offset = params.get("offset", 0)
        timeout = params.get("timeout")
        limit = params.get("limit", 100)
        if not is_int(offset):
            raise bad("can't parse offset", "offset must be an integer, got %r" % (offset,))
        if not is_int(timeout) or timeout <= 0:
            raise bad("timeout must be positive",
                      "timeout must be a positive integer (long polling), got %r" % (timeout,))
        if not is_int(limit) or not 1 <= limit <= 100:
            raise bad("limit must be 1-100", "limit %r is not 1-100" % (limit,))
        if "allowed_updates" not in params:
            self.violate("getUpdates", "allowed_updates missing (the contract sends "
                         "[\"message\",\"callback_query\"])")
        self.check_allowed_updates(params.get("allowed_updates"))
        with self.cv:
            if self.webhook is not None:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook "
                               "is active; use deleteWebhook to delete the webhook first")
            if offset < 0:
                raise bad("negative offset", "offset %d: the contract never counts from "
                          "the end" % offset)
            if offset == 0:
                if self.instance_last is not None:
                    raise bad("offset omitted", "offset omitted or 0 after update %d was "
                              "delivered: it must be %d" % (self.instance_last,
                                                             self.instance_last + 1))
            elif self.instance_last is not None and offset != self.instance_last + 1:
                raise bad("wrong offset", "offset %d, but the last update delivered was %d: "
                          "it must be %d" % (offset, self.instance_last, self.instance_last + 1))
            elif offset < self.confirmed:
                raise bad("wrong offset", "offset %d goes back (%d was confirmed)"
                          % (offset, self.confirmed))
            elif offset > max(self.delivered_max, self.confirmed - 1) + 1:
                raise bad("wrong offset", "offset %d skips updates never delivered "
                          "(the last delivered is %d)" % (offset, self.delivered_max))
            if offset > self.confirmed:
                self.confirmed = offset
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            self.poll_generation += 1
            generation = self.poll_generation
            self.cv.notify_all()
            deadline = time.monotonic() + timeout
            while True:
                ready = [u for u in self.updates if u["update_id"] >= self.confirmed][:limit]
                if ready:
                    if not alive():
                        return 499, None
                    self.instance_last = ready[-1]["update_id"]
                    self.delivered_max = max(self.delivered_max, self.instance_last)
                    return 200, {"ok": True, "result": ready}
                if generation != self.poll_generation:
                    if not alive():
                        return 499, None
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                   "make sure that only one bot instance is running",
                                   "two getUpdates at once")
                left = deadline - time.monotonic()
                if left <= 0:
                    return 200, {"ok": True, "result": []}
                self.cv.wait(min(left, 0.1))
                if not alive():
                    return 499, None

    def known_chat(self, chat_id, method):
        if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
            chat_id = int(chat_id)
        if not is_int(chat_id) or chat_id not in self.chats:
            raise bad("chat not found", "%s to unknown chat %r" % (method, chat_id))
        return chat_id

    def parse_keyboard(self, markup):
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                raise bad("can't parse reply keyboard markup JSON object")
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        kinds = [k for k in ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply")
                 if k in markup]
        if kinds != ["inline_keyboard"]:
            raise bad("reply_markup %s" % kinds, "reply_markup must be one inline_keyboard "
                      "(the contract), got %s" % sorted(markup))
        rows = markup["inline_keyboard"]
        if (not isinstance(rows, list) or not rows
                or not all(isinstance(r, list) and r for r in rows)):
            raise bad("field \"inline_keyboard\" of the InlineKeyboardMarkup should be "
                      "an Array of Arrays")
        for row in rows:
            if len(row) != 1:
                self.violate("sendMessage", "a keyboard row with %d buttons (the contract: "
                             "one per row)" % len(row))
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str) \
                        or not button["text"].strip():
                    raise bad("can't parse inline keyboard button: Text must be non-empty",
                              "a button without a text: %r" % (button,))
                actions = [k for k in button if k in BUTTON_ACTIONS]
                unknown = [k for k in button if k not in BUTTON_ACTIONS and k != "text"]
                if unknown:
                    self.violate("sendMessage", "unknown button fields %s" % unknown)
                if len(actions) != 1:
                    raise bad("can't parse inline keyboard button: Text buttons are "
                              "unallowed in the inline keyboard",
                              "a button needs exactly one action, got %s" % actions)
                if actions == ["callback_data"]:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise bad("BUTTON_DATA_INVALID", "callback_data %r is not 1-64 bytes"
                                  % (data,))
                else:
                    self.violate("sendMessage", "button %r has %s, not callback_data"
                                 % (button["text"], actions))
        return {"inline_keyboard": rows}

    def send_message(self, params, alive):
        # Real parameters the contract does not name are harmless; others are
        # typos Telegram would silently ignore.
        self.check_params("sendMessage", params, SEND_MESSAGE_PARAMS)
        with self.cv:
            chat_id = self.known_chat(params.get("chat_id"), "sendMessage")
        raw = params.get("text")
        if not isinstance(raw, str):
            raise bad("message text is empty", "text missing or not a string: %r" % (raw,))
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            raise bad("strings must be encoded in UTF-8")
        mode = params.get("parse_mode", "")
        if not isinstance(mode, str) or mode.lower() not in ("markdownv2", "markdown", "html", ""):
            raise bad("unsupported parse_mode", "parse_mode %r" % (mode,))
        if mode != "MarkdownV2":
            self.violate("sendMessage", "parse_mode %r, the contract sends \"MarkdownV2\"" % mode)
        if "entities" in params:
            self.violate("sendMessage", "entities given: the contract formats with MarkdownV2")
        if mode.lower() == "markdownv2":
            try:
                plain, entities = parse_markdown_v2(raw)
            except ParseError as e:
                raise bad("can't parse entities: %s" % e,
                          "MarkdownV2 refused (%s) in %r" % (e, raw[:300]))
        else:
            # Another formatting is already a violation: read it as plain text.
            plain, entities = raw, []
        plain, entities = strip_text(plain, entities)
        if not plain:
            raise bad("message text is empty", "text empty after MarkdownV2 parsing: %r" % raw)
        if utf16_len(plain) > MAX_TEXT:
            raise bad("message is too long", "text of %d characters after parsing (at most %d)"
                      % (utf16_len(plain), MAX_TEXT))
        keyboard = None
        if "reply_markup" in params:
            keyboard = self.parse_keyboard(params["reply_markup"])
        with self.cv:
            now = time.monotonic()
            until = self.flood_until.get(chat_id)
            if until is not None and now < until:
                left = math.ceil(until - now)
                self.refused.append({"time": self.now(), "chat_id": chat_id, "text": plain,
                                     "retry_after": left, "early": True})
                raise ApiError(429, "Too Many Requests: retry after %d" % left,
                               "sendMessage to chat %d %.2f s before retry_after ended"
                               % (chat_id, until - now), {"retry_after": left})
            if self.rate_limit_next is not None:
                n = self.rate_limit_next
                self.rate_limit_next = None
                self.flood_until[chat_id] = now + n
                self.refused.append({"time": self.now(), "chat_id": chat_id, "text": plain,
                                     "retry_after": n, "early": False})
                raise ApiError(429, "Too Many Requests: retry after %d" % n, "",
                               {"retry_after": n})
            result = {"message_id": self.new_message_id(chat_id), "from": self.bot,
                      "chat": self.chats[chat_id], "date": int(time.time()), "text": plain}
            if entities:
                result["entities"] = entities
            if keyboard:
                result["reply_markup"] = keyboard
            self.seq += 1
            self.sent.append({"seq": self.seq, "time": self.now(), "mono": now, "chat_id": chat_id,
                              "message_id": result["message_id"], "text": plain, "raw": raw,
                              "entities": entities,
                              "keyboard": keyboard["inline_keyboard"] if keyboard else None,
                              "result": result})
            self.cv.notify_all()
        return result

    def answer_callback_query(self, params, alive):
        self.check_params("answerCallbackQuery", params,
                          {"callback_query_id", "text", "show_alert", "url", "cache_time"})
        query_id = params.get("callback_query_id")
        if not isinstance(query_id, str):
            raise bad("query is too old and response timeout expired or query ID is invalid",
                      "callback_query_id must be the query's string id, got %r" % (query_id,))
        text = params.get("text", "")
        if not isinstance(text, str) or len(text) > 200:
            raise bad("MESSAGE_TOO_LONG", "answerCallbackQuery text over 200 characters")
        with self.cv:
            query = self.callbacks.get(query_id)
            if query is None or query["answered"]:
                raise bad("query is too old and response timeout expired or query ID is invalid",
                          "answerCallbackQuery for %s query %s"
                          % ("an already answered" if query else "an unknown", query_id))
            query["answered"] = True
            query["answered_time"] = self.now()
        return True

    def set_webhook(self, params, alive):
        self.check_params("setWebhook", params, {"url", "certificate", "ip_address",
                                                 "max_connections", "allowed_updates",
                                                 "drop_pending_updates", "secret_token"})
        url = params.get("url")
        if url == "":
            return self.delete_webhook({}, alive)
        if not isinstance(url, str):
            raise bad("bad webhook: Webhook URL must be a string")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise bad("bad webhook: An HTTPS URL must be provided for webhook",
                      "setWebhook with a non-https url %r" % url)
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is None:
            self.violate("setWebhook", "no secret_token (the bridge has --webhook_secret_file)")
        elif not isinstance(secret, str) or not SECRET_RE.match(secret):
            raise bad("secret token contains unallowed characters",
                      "secret_token %r: 1-256 characters of A-Z a-z 0-9 _ -" % (secret,))
        if "certificate" in params:
            raise bad("can't upload a certificate in JSON", "certificate in a JSON body")
        mc = params.get("max_connections", 40)
        if not is_int(mc) or not 1 <= mc <= 100:
            raise bad("bad webhook: max_connections must be 1-100")
        if "allowed_updates" not in params:
            self.violate("setWebhook", "allowed_updates missing")
        self.check_allowed_updates(params.get("allowed_updates"))
        with self.cv:
            self.webhook = {"url": url, "secret_token": secret,
                            "allowed_updates": params.get("allowed_updates"),
                            "time": self.now()}
        return 200, {"ok": True, "result": True, "description": "Webhook was set"}

    def delete_webhook(self, params, alive):
        self.check_params("deleteWebhook", params, {"drop_pending_updates"})
        with self.cv:
            was = self.webhook is not None
            self.webhook = None
        return 200, {"ok": True, "result": True, "description":
                     "Webhook was deleted" if was else "Webhook is already deleted"}

    def get_webhook_info(self, params, alive):
        self.check_params("getWebhookInfo", params, set())
        with self.cv:
            hook = self.webhook
            info = {"url": hook["url"] if hook else "", "has_custom_certificate": False,
                    "pending_update_count": len(self.updates)}
            if hook and hook["allowed_updates"]:
                info["allowed_updates"] = hook["allowed_updates"]
        return info

    def send_chat_action(self, params, alive):
        self.check_params("sendChatAction", params, {"business_connection_id", "chat_id",
                                                     "message_thread_id", "action"})
        with self.cv:
            self.known_chat(params.get("chat_id"), "sendChatAction")
        if params.get("action") not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True

    # -- for the test ----------------------------------------------------

    def deliver(self, port, update, secret):
        """POSTs an update to the bridge's webhook; returns (status, body)."""
        path = urllib.parse.urlsplit(self.webhook["url"])
        target = (path.path or "/") + ("?" + path.query if path.query else "")
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        try:
            conn.request("POST", target, body=json.dumps(update).encode(), headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def public_sent(self, chat=None, after=0):
        return [{k: v for k, v in m.items() if k not in ("result", "mono")} for m in self.sent
                if m["seq"] > after and (chat is None or m["chat_id"] == chat)]

    def wait(self, after, chat, minimum, keyboard, contains, quiet, timeout):
        """Waits until the messages after `after` meet the conditions and no
        other came for `quiet` seconds; returns (whether they did, messages)."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                got = self.public_sent(chat, after)
                now = time.monotonic()
                done = (len(got) >= minimum
                        and (not keyboard or any(m["keyboard"] for m in got))
                        and (not contains or any(contains in m["text"] for m in got)))
                if done:
                    last = max([m["mono"] for m in self.sent
                                if m["seq"] > after and (chat is None or m["chat_id"] == chat)]
                               or [now])
                    if now >= last + quiet:
                        return True, got
                    wake = last + quiet
                elif now >= deadline:
                    return False, got
                else:
                    wake = deadline
                if now >= deadline + quiet:
                    return done, got
                self.cv.wait(min(wake - now, 0.2) if wake > now else 0.01)


def make_handler(api):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "telegram-standin/1"

        def log_message(self, fmt, *args):
            pass

        def reply(self, status, body):
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        def alive(self):
            """Whether the client still waits: a closed socket reads as EOF."""
            try:
                readable, _, _ = select.select([self.connection], [], [], 0)
                if not readable:
                    return True
                return self.connection.recv(1, socket.MSG_PEEK) != b""
            except OSError:
                return False

        def read_body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def handle_any(self):
            body = self.read_body()
            url = urllib.parse.urlsplit(self.path)
            if url.path.startswith("/control/"):
                return self.control(url, body)
            m = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", url.path)
            method = m.group(2) if m else url.path
            started = api.now()
            record = {"time": started, "method": method, "http": self.command}
            with api.cv:
                api.requests.append(record)
            if not m:
                status, answer = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
                api.violate(method, "%s %s is not /bot<token>/<method>" % (self.command, url.path))
            elif m.group(1) != api.token:
                status, answer = 401, {"ok": False, "error_code": 401,
                                       "description": "Unauthorized"}
                api.violate(method, "wrong token in the path")
            else:
                status, answer = self.api_call(method, body, url, record)
            with api.cv:
                record.update(status=status, duration=round(api.now() - started, 3))
                if status == 200 and isinstance(answer.get("result"), list):
                    record["updates"] = len(answer["result"])
            if status != 499:
                self.reply(status, answer)
            else:
                self.close_connection = True

        def api_call(self, method, body, url, record):
            problem = None
            ctype = self.headers.get("Content-Type", "")
            if self.command != "POST":
                problem = "HTTP %s (the contract: POST)" % self.command
            elif url.query:
                problem = "parameters in the query string (the contract: a JSON body)"
            elif ctype.split(";")[0].strip().lower() != "application/json":
                problem = "Content-Type %r (the contract: application/json)" % ctype
            params = None
            if problem is None:
                try:
                    params = json.loads(body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    problem = "the body is not JSON: %r" % body[:200]
                else:
                    if not isinstance(params, dict):
                        problem = "the body is not a JSON object: %r" % body[:200]
            if problem:
                api.violate(method, problem)
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: " + problem}
            with api.cv:
                record["params"] = params
            return api.call(method, params, self.alive)

        def control(self, url, body):
            query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
            try:
                args = json.loads(body.decode("utf-8")) if body else {}
                status, answer = control(api, self.command, url.path[len("/control/"):],
                                         query, args)
            except (ValueError, KeyError, TypeError) as e:
                status, answer = 400, {"error": "%s: %s" % (type(e).__name__, e)}
            self.reply(status, answer)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    return Handler


def control(api, verb, name, query, args):
    """The test's side. Returns (HTTP status, JSON answer)."""
    if name == "message" and verb == "POST":
        with api.cv:
            update = api.build_message_update(int(args["user"]), str(args["text"]),
                                              args.get("chat", "private"), args.get("first_name"))
        api.inject(update)
        return 200, {"update_id": update["update_id"],
                     "chat_id": update["message"]["chat"]["id"]}
    if name == "press" and verb == "POST":
        with api.cv:
            update = api.build_press_update(int(args["user"]), args["label"],
                                            args.get("chat", "private"))
        api.inject(update)
        q = update["callback_query"]
        return 200, {"update_id": update["update_id"], "callback_query_id": q["id"],
                     "data": q["data"]}
    if name == "rate_limit" and verb == "POST":
        with api.cv:
            api.rate_limit_next = int(args["retry_after"])
        return 200, {"armed": True}
    if name == "deliver" and verb == "POST":
        with api.cv:
            if api.webhook is None:
                return 409, {"error": "no webhook is set"}
            if "label" in args:
                update = api.build_press_update(int(args["user"]), args["label"],
                                                args.get("chat", "private"))
            else:
                update = api.build_message_update(int(args["user"]), str(args["text"]),
                                                  args.get("chat", "private"))
            secret = args["secret"] if "secret" in args else api.webhook["secret_token"]
        try:
            status, body = api.deliver(int(args["port"]), update, secret)
        except OSError as e:
            return 200, {"status": 0, "body": "connection failed: %s" % e,
                         "update_id": update["update_id"]}
        answer = {"status": status, "body": body, "update_id": update["update_id"]}
        if "callback_query" in update:
            answer["callback_query_id"] = update["callback_query"]["id"]
        return 200, answer
    if name == "sent":
        chat = int(query["chat"]) if "chat" in query else None
        with api.cv:
            return 200, {"last_seq": api.seq, "messages": api.public_sent(chat)}
    if name == "wait":
        ok, got = api.wait(int(query.get("after", 0)),
                           int(query["chat"]) if "chat" in query else None,
                           int(query.get("min", 1)), query.get("keyboard") == "1",
                           query.get("contains"), float(query.get("quiet", 0.5)),
                           min(float(query.get("timeout", 15)), 60))
        return 200, {"ok": ok, "messages": got}
    if name == "violations":
        with api.cv:
            return 200, {"violations": [dict(v) for v in api.violations]}
    if name == "requests":
        with api.cv:
            return 200, {"requests": [dict(r) for r in api.requests]}
    if name == "refused":
        with api.cv:
            return 200, {"refused": list(api.refused)}
    if name == "state":
        with api.cv:
            return 200, {
                "webhook": api.webhook, "confirmed_offset": api.confirmed,
                "delivered_max": api.delivered_max, "queued": len(api.updates),
                "get_me_calls": api.get_me_calls, "last_seq": api.seq,
                "callbacks": {k: dict(v) for k, v in api.callbacks.items()},
                "unanswered_callbacks": [k for k, v in api.callbacks.items()
                                         if not v["answered"]],
            }
    return 404, {"error": "no control %s %s" % (verb, name)}


def serve(token, username, port=0):
    api = BotApi(token, username)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(api))
    server.daemon_threads = True
    return api, server


# ---------------------------------------------------------------------------
# The stand-in checks itself: the parser on a table of texts, then the API
# driven by a scripted bridge.

PARSE_CASES = [
    # (MarkdownV2, plain text or None when Telegram refuses it, entity types)
    ("Ciao\\! Sono Dirigo\\.", "Ciao! Sono Dirigo.", []),
    ("*bold \\*text*", "bold *text", ["bold"]),
    ("_italic \\*text_", "italic *text", ["italic"]),
    ("__underline__", "underline", ["underline"]),
    ("~strike~ ||spoiler||", "strike spoiler", ["strikethrough", "spoiler"]),
    ("*bold _italic bold ~italic bold strikethrough ||italic bold strikethrough spoiler||~ "
     "__underline italic bold___ bold*",
     "bold italic bold italic bold strikethrough italic bold strikethrough spoiler "
     "underline italic bold bold",
     ["bold", "italic", "strikethrough", "spoiler", "underline"]),
    ("[inline URL](http://www.example.com/)", "inline URL", ["text_link"]),
    ("`code with * and _`", "code with * and _", ["code"]),
    ("```python\nprint(1)\n```", "print(1)", ["pre"]),
    ("«Il lavoro è utile» \\(Avvio piccolo\\)", "«Il lavoro è utile» (Avvio piccolo)", []),
    ("_«citazione»_ \\(Introduzione\\)", "«citazione» (Introduzione)", ["italic"]),
    (">citata\n>ancora\nfuori", "citata\nancora\nfuori", ["blockquote"]),
    (">citata\n\\- fuori", "citata\n- fuori", ["blockquote"]),
    ("**>nascosta\n>fine||", "nascosta\nfine", ["expandable_blockquote"]),
    ("___italic underline_**__", "italic underline", ["underline", "italic"]),
    ("Emoji 👍 e \\\\ barra", "Emoji 👍 e \\ barra", []),
    ("fine.", None, []),
    ("1. primo", None, []),
    ("(parentesi)", None, []),
    ("a-b", None, []),
    ("*aperto", None, []),
    ("_corsivo *grassetto_ fine*", None, []),
    ("[link](http://x.example", None, []),
    ("uno > due", None, []),
    ("`codice", None, []),
    ("[a `b`](http://x.example)", None, []),
    ("!", None, []),
    ("![👍](tg://emoji?id=5368324170671202286)", None, []),
]


def self_test():
    passed = failed = 0

    def check(name, ok):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL: " + name)

    for source, plain, kinds in PARSE_CASES:
        try:
            got, entities = parse_markdown_v2(source)
            got, entities = strip_text(got, entities)
        except ParseError as e:
            check("parse %r refused (%s)" % (source, e), plain is None)
            continue
        check("parse %r: %r %s" % (source, got, [e["type"] for e in entities]),
              plain == got and sorted(kinds) == sorted({e["type"] for e in entities}))
    _, entities = parse_markdown_v2("*a* 👍 _b_")
    check("offsets in UTF-16 units", entities[1]["offset"] == 5 and entities[1]["length"] == 1)

    token = "7000000001:TEST-token_abc"
    api, server = serve(token, "DirigoTestBot")
    api.echo = False
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    def call(method, params=None, raw=None, ctype="application/json", tok=token):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body = raw if raw is not None else json.dumps(params or {}).encode()
        conn.request("POST", "/bot%s/%s" % (tok, method), body=body,
                     headers={"Content-Type": ctype})
        resp = conn.getresponse()
        answer = json.loads(resp.read())
        conn.close()
        return resp.status, answer

    def ctl(name, args=None, verb="POST"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(verb, "/control/" + name, body=json.dumps(args).encode() if args else None)
        answer = json.loads(conn.getresponse().read())
        conn.close()
        return answer

    def violations():
        return len(ctl("violations", verb="GET")["violations"])

    allowed = ["message", "callback_query"]
    expected = 0

    def refused(name, status, answer, code=400):
        nonlocal expected
        expected += 1
        check(name + " (%s %s)" % (status, answer.get("description")),
              status == code and answer["ok"] is False and violations() == expected)

    status, answer = call("getMe", tok="1:wrong")
    refused("wrong token", status, answer, 401)
    status, answer = call("getMe")
    check("getMe", status == 200 and answer["result"]["username"] == "DirigoTestBot")
    status, answer = call("getMe", raw=b"{oops")
    refused("a body that is not JSON", status, answer)
    status, answer = call("getMe", raw=b"{}", ctype="application/x-www-form-urlencoded")
    refused("not application/json", status, answer)
    status, answer = call("sendPhoto", {})
    refused("a method outside the contract", status, answer, 404)
    status, answer = call("getUpdates", {"allowed_updates": allowed})
    refused("getUpdates without timeout", status, answer)
    t0 = time.monotonic()
    status, answer = call("getUpdates", {"timeout": 1, "allowed_updates": allowed})
    check("an idle long poll waits its timeout",
          status == 200 and answer["result"] == [] and time.monotonic() - t0 >= 0.95)
    user = 6000000001

    def later(seconds, name, args):
        threading.Timer(seconds, ctl, (name, args)).start()

    later(0.3, "message", {"user": user, "text": "ciao"})
    t0 = time.monotonic()
    status, answer = call("getUpdates", {"timeout": 5, "allowed_updates": allowed})
    first = answer["result"][0]["update_id"] if answer.get("result") else 0
    check("a long poll returns at once when an update arrives",
          status == 200 and len(answer["result"]) == 1 and time.monotonic() - t0 < 2
          and answer["result"][0]["message"]["chat"]["type"] == "private")
    status, answer = call("getUpdates", {"offset": first, "timeout": 1,
                                         "allowed_updates": allowed})
    refused("the offset must move past a delivered update", status, answer)
    status, answer = call("getUpdates", {"offset": first + 2, "timeout": 1,
                                         "allowed_updates": allowed})
    refused("the offset cannot skip ahead", status, answer)
    status, answer = call("getUpdates", {"offset": first + 1, "timeout": 1,
                                         "allowed_updates": allowed})
    check("the right offset", status == 200 and answer["result"] == [])
    status, answer = call("sendMessage", {"chat_id": user, "text": "Fine.",
                                          "parse_mode": "MarkdownV2"})
    refused("an unescaped '.'", status, answer)
    status, answer = call("sendMessage", {"chat_id": 42, "text": "x", "parse_mode": "MarkdownV2"})
    refused("an unknown chat", status, answer)
    status, answer = call("sendMessage", {"chat_id": user, "text": "a" * 4097,
                                          "parse_mode": "MarkdownV2"})
    refused("over 4096 characters", status, answer)
    status, answer = call("sendMessage", {"chat_id": user, "text": "\\." * 4096,
                                          "parse_mode": "MarkdownV2"})
    check("4096 characters after parsing are fine", status == 200)
    status, answer = call("sendMessage", {"chat_id": user, "text": "*  *",
                                          "parse_mode": "MarkdownV2"})
    refused("an empty text after parsing", status, answer)
    markup = {"inline_keyboard": [[{"text": "Sì", "callback_data": "x" * 65}]]}
    status, answer = call("sendMessage", {"chat_id": user, "text": "Scegli:",
                                          "parse_mode": "MarkdownV2", "reply_markup": markup})
    refused("callback_data over 64 bytes", status, answer)
    markup = {"inline_keyboard": [[{"text": "Sì", "callback_data": "sì"}],
                                  [{"text": "No", "callback_data": "no"}]]}
    status, answer = call("sendMessage", {"chat_id": user, "text": "Hai *mai* guidato persone?",
                                          "parse_mode": "MarkdownV2", "reply_markup": markup})
    check("a message with a keyboard", status == 200
          and answer["result"]["text"] == "Hai mai guidato persone?"
          and answer["result"]["entities"][0]["type"] == "bold")
    pressed = ctl("press", {"user": user, "label": "No"})
    status, answer = call("getUpdates", {"offset": first + 1, "timeout": 1,
                                         "allowed_updates": allowed})
    query = answer["result"][0]["callback_query"] if answer.get("result") else {}
    check("a press is a callback_query", query.get("data") == "no"
          and query.get("id") == pressed["callback_query_id"]
          and query["message"]["reply_markup"] == markup)
    status, answer = call("answerCallbackQuery", {"callback_query_id": "123"})
    refused("answering an unknown callback", status, answer)
    status, answer = call("answerCallbackQuery", {"callback_query_id": query.get("id")})
    check("answering the callback", status == 200 and answer["result"] is True)
    status, answer = call("answerCallbackQuery", {"callback_query_id": query.get("id")})
    refused("answering it twice", status, answer)
    ctl("rate_limit", {"retry_after": 1})
    status, answer = call("sendMessage", {"chat_id": user, "text": "uno",
                                          "parse_mode": "MarkdownV2"})
    check("429 with retry_after", status == 429 and answer["parameters"]["retry_after"] == 1
          and answer["description"] == "Too Many Requests: retry after 1"
          and violations() == expected)
    status, answer = call("sendMessage", {"chat_id": user, "text": "uno",
                                          "parse_mode": "MarkdownV2"})
    refused("a resend before retry_after", status, answer, 429)
    time.sleep(1.05)
    status, answer = call("sendMessage", {"chat_id": user, "text": "uno",
                                          "parse_mode": "MarkdownV2"})
    check("a resend after retry_after", status == 200)
    status, answer = call("setWebhook", {"url": "http://bot.example.com/hook",
                                         "secret_token": "s3cret",
                                         "allowed_updates": allowed})
    refused("a webhook over http", status, answer)
    status, answer = call("setWebhook", {"url": "https://bot.example.com/hook",
                                         "secret_token": "bad secret!",
                                         "allowed_updates": allowed})
    refused("a secret with spaces", status, answer)
    status, answer = call("setWebhook", {"url": "https://bot.example.com/tg/hook",
                                         "secret_token": "s3cret-OK_1",
                                         "allowed_updates": allowed})
    check("setWebhook", status == 200 and answer["result"] is True)
    status, answer = call("getUpdates", {"offset": first + 2, "timeout": 1,
                                         "allowed_updates": allowed})
    refused("getUpdates while a webhook is set", status, answer, 409)

    got = {}

    class Hook(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            got["path"] = self.path
            got["secret"] = self.headers.get("X-Telegram-Bot-Api-Secret-Token")
            got["update"] = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200 if got["secret"] == "s3cret-OK_1" else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

    hook = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    answer = ctl("deliver", {"port": hook.server_address[1], "user": user, "text": "ciao"})
    check("a delivery to the webhook's path with its secret",
          answer["status"] == 200 and got["path"] == "/tg/hook"
          and got["update"]["message"]["text"] == "ciao")
    answer = ctl("deliver", {"port": hook.server_address[1], "user": user, "text": "x",
                             "secret": "wrong"})
    check("a delivery with another secret", answer["status"] == 401 and got["secret"] == "wrong")
    answer = ctl("deliver", {"port": hook.server_address[1], "user": user, "text": "x",
                             "secret": None})
    check("a delivery without the header", answer["status"] == 401 and got["secret"] is None)
    answer = ctl("message", {"user": 6000000002, "chat": "group",
                             "text": "@DirigoTestBot ciao"})
    check("messages go to the webhook once it is set", "error" in answer)
    check("every expected violation, no other", violations() == expected)
    hook.shutdown()
    server.shutdown()
    print("telegram stand-in self-test: %d passed, %d failed" % (passed, failed))
    return failed == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port_file")
    parser.add_argument("--token_file")
    parser.add_argument("--username", default="DirigoTestBot")
    parser.add_argument("--self_test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        sys.exit(0 if self_test() else 1)
    if not args.port_file or not args.token_file:
        parser.error("--port_file and --token_file are required")
    with open(args.token_file, encoding="utf-8") as f:
        token = f.readline().strip()
    api, server = serve(token, args.username)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
