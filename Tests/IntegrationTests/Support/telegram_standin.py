#!/usr/bin/env python3
"""A stand-in for Telegram's Bot API (api.telegram.org cannot be reached from here), holding
`sendMessage` requests to the contract Telegram publishes: `POST /bot<token>/sendMessage` with a
token of the form `<digits>:<35 characters of [A-Za-z0-9_-]>`; `chat_id` an integer or an
`@channel` name; `text` of 1 to 4,096 characters once entities are parsed; `parse_mode` HTML,
Markdown or MarkdownV2; `disable_notification` a boolean; `message_thread_id` an integer. In HTML
mode only Telegram's tags (b, strong, i, em, u, ins, s, strike, del, span class="tg-spoiler",
tg-spoiler, a href, code, pre, blockquote, tg-emoji) may appear and `<`, `>` and `&` outside them
must be written as entities — else Telegram answers "can't parse entities". A valid message is
answered `200` with `{"ok": true, "result": {...}}`; an invalid one `400` with `"ok": false`; the
first `--fail` requests get `429` with `retry_after`.

    telegram_standin.py --port P --record FILE [--fail N]
"""
import re
from html.parser import HTMLParser

import chat_standin

TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"}


class EntityCheck(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors, self.stack, self.length = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.errors.append(f"can't parse entities: unsupported start tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"can't parse entities: unexpected end tag </{tag}>")

    def handle_data(self, data):
        self.length += len(data)


def html_problems(text):
    # A bare & (not an entity) or a < that opens no tag is refused.
    if re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        return ["can't parse entities: a bare & (write &amp;)"]
    if re.search(r"<(?![a-zA-Z/])", text):
        return ["can't parse entities: a bare < (write &lt;)"]
    check = EntityCheck()
    check.feed(text)
    check.close()
    out = check.errors
    if check.stack:
        out.append(f"can't parse entities: <{check.stack[-1]}> is not closed")
    if check.length == 0:
        out.append("message text is empty")
    if check.length > 4096:
        out.append("message is too long")
    return out


def problems(body, path, headers):
    if not re.fullmatch(r"/bot\d+:[A-Za-z0-9_-]{35}/sendMessage", path or ""):
        return [f"no bot method at {path}"]
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    out = []
    chat = body.get("chat_id")
    if not (isinstance(chat, int) and not isinstance(chat, bool)) and not (isinstance(chat, str) and chat.startswith("@")):
        out.append("chat_id is not an integer or @channel")
    text = body.get("text")
    mode = body.get("parse_mode", "")
    if not isinstance(text, str):
        return out + ["text is not a string"]
    if mode not in ("", "HTML", "Markdown", "MarkdownV2"):
        out.append(f"parse_mode {mode!r} is not HTML, Markdown or MarkdownV2")
    if mode == "HTML":
        out += html_problems(text)
    elif not text or len(text) > 4096:
        out.append("text is not 1 to 4,096 characters")
    if "disable_notification" in body and not isinstance(body["disable_notification"], bool):
        out.append("disable_notification is not a boolean")
    if "message_thread_id" in body and not isinstance(body["message_thread_id"], int):
        out.append("message_thread_id is not an integer")
    return out


if __name__ == "__main__":
    chat_standin.serve("telegram", problems,
                       ok=(200, "application/json", b'{"ok": true, "result": {"message_id": 1, "chat": {"id": -100}, "date": 0}}'),
                       invalid=(400, "application/json", b'{"ok": false, "error_code": 400, "description": "Bad Request: can\'t parse entities"}'),
                       failure=(429, "application/json", b'{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}'))
