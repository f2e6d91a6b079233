#!/usr/bin/env python3
"""A stand-in for Discord's webhooks (discord.com cannot be reached from here), holding requests
to the contract Discord publishes for executing a webhook: a POST of `application/json` whose
body is an object with `content` or `embeds`; `content` at most 2,000 characters; `username` at
most 80; `embeds` a list of at most 10 objects whose `title` (at most 256 characters) and
`description` (at most 4,096) are strings and whose `color` is an integer from 0 to 0xFFFFFF,
all embeds together at most 6,000 characters. A valid message is answered `204 No Content` (as
Discord does without `?wait=true`) and recorded as a JSON line; an invalid one `400` (and
recorded with its problems); the first `--fail` requests get `429` with `retry_after`, as
Discord's rate limit does.

    discord_standin.py --port P --record FILE [--fail N]
"""
import json

import chat_standin


def problems(body, path=None, headers=None):
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    out = []
    if not body.get("content") and not body.get("embeds"):
        out.append("neither content nor embeds")
    if not isinstance(body.get("content", ""), str) or len(body.get("content", "")) > 2000:
        out.append("content is not a string of at most 2,000 characters")
    if not isinstance(body.get("username", ""), str) or len(body.get("username", "")) > 80:
        out.append("username is not a string of at most 80 characters")
    embeds = body.get("embeds", [])
    if not isinstance(embeds, list) or len(embeds) > 10:
        return out + ["embeds is not a list of at most 10"]
    total = 0
    for i, e in enumerate(embeds):
        if not isinstance(e, dict):
            out.append(f"embed {i} is not an object")
            continue
        for key, limit in (("title", 256), ("description", 4096)):
            value = e.get(key, "")
            if not isinstance(value, str) or len(value) > limit:
                out.append(f"embed {i}: {key} is not a string of at most {limit} characters")
            else:
                total += len(value)
        color = e.get("color", 0)
        if not isinstance(color, int) or isinstance(color, bool) or not 0 <= color <= 0xFFFFFF:
            out.append(f"embed {i}: color {color!r} is not an integer colour")
    if total > 6000:
        out.append("embeds longer than 6,000 characters together")
    return out


if __name__ == "__main__":
    chat_standin.serve("discord", problems, ok=(204, "application/json", b""),
                       invalid=(400, "application/json", json.dumps({"message": "Invalid Form Body", "code": 50035}).encode()),
                       failure=(429, "application/json", b'{"message": "You are being rate limited.", "retry_after": 0.1, "global": false}'))
