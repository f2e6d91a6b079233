#!/usr/bin/env python3
"""A stand-in for Slack's incoming webhooks (hooks.slack.com cannot be reached from here), holding
requests to the contract Slack publishes for them: a POST of `application/json` whose body is an
object with `text` or `attachments` (or `blocks`); attachments are objects whose documented fields
have their documented types (strings; `color` one of good, warning, danger or a hex colour;
`fields` objects with string `title` and `value` and boolean `short`; `actions` objects with
`type`, `text` and `url` or `name`; `mrkdwn_in` names of text fields), at most 100 of them; the
message text at most 40,000 characters. A valid message is answered `200 ok` and recorded as a
JSON line; an invalid one `400 invalid_payload` (and recorded with its problems); the first
`--fail` requests get `500` so retries can be seen.

    slack_standin.py --port P --record FILE [--fail N]
"""
import re

import chat_standin

STRING_FIELDS = {"fallback", "color", "pretext", "author_name", "author_link", "author_icon", "title", "title_link",
                 "text", "image_url", "thumb_url", "footer", "footer_icon", "callback_id"}
MRKDWN_FIELDS = {"pretext", "text", "fields", "fallback", "title"}


def problems(body, path=None, headers=None):
    out = []
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    if not any(k in body for k in ("text", "attachments", "blocks")):
        out.append("no text, attachments or blocks")
    for key in ("text", "channel", "username", "icon_emoji", "icon_url"):
        if key in body and not isinstance(body[key], str):
            out.append(f"{key} is not a string")
    if len(body.get("text", "")) > 40000:
        out.append("text longer than 40,000 characters")
    if "link_names" in body and not isinstance(body["link_names"], (bool, int)):
        out.append("link_names is not a boolean")
    attachments = body.get("attachments", [])
    if not isinstance(attachments, list) or len(attachments) > 100:
        return out + ["attachments is not a list of at most 100"]
    for i, a in enumerate(attachments):
        if not isinstance(a, dict):
            out.append(f"attachment {i} is not an object")
            continue
        for key in STRING_FIELDS & a.keys():
            if not isinstance(a[key], str):
                out.append(f"attachment {i}: {key} is not a string")
        color = a.get("color")
        if isinstance(color, str) and color and color not in ("good", "warning", "danger") and not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            out.append(f"attachment {i}: color {color!r} is neither good, warning, danger nor #rrggbb")
        for f in a.get("fields", []):
            if not (isinstance(f, dict) and isinstance(f.get("title"), str) and isinstance(f.get("value"), str)
                    and isinstance(f.get("short", False), bool)):
                out.append(f"attachment {i}: a field is not {{title, value, short}}: {f!r}")
        for act in a.get("actions", []):
            if not (isinstance(act, dict) and isinstance(act.get("type"), str) and isinstance(act.get("text"), str)
                    and (isinstance(act.get("url"), str) or isinstance(act.get("name"), str))):
                out.append(f"attachment {i}: an action lacks type, text and url or name: {act!r}")
        mrkdwn = a.get("mrkdwn_in", [])
        if not isinstance(mrkdwn, list) or not set(mrkdwn) <= MRKDWN_FIELDS:
            out.append(f"attachment {i}: mrkdwn_in names other fields: {mrkdwn!r}")
    return out


if __name__ == "__main__":
    chat_standin.serve("slack", problems, ok=(200, "text/html", b"ok"), invalid=(400, "text/html", b"invalid_payload"),
                       failure=(500, "text/html", b"internal_error"))
