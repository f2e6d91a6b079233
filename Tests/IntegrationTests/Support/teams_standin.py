#!/usr/bin/env python3
"""A stand-in for a Microsoft Teams workflow webhook (Power Automate cannot be reached from
here), holding requests to the contract Microsoft publishes for posting an Adaptive Card with
the "Post to a channel when a webhook request is received" workflow: a JSON object with `type`
"message" and `attachments`, a list of at least one object whose `contentType` is
`application/vnd.microsoft.card.adaptive` and whose `content` is an Adaptive Card: `type`
"AdaptiveCard", a `version` string such as "1.2", and a `body` list of elements, each with a
`type`; a TextBlock has a string `text`, and a `color` (when given) is one of Default, Dark,
Light, Accent, Good, Warning or Attention. A valid request is answered `202 Accepted` (as the
workflow trigger does); an invalid one `400`; the first `--fail` requests get `502`.

    teams_standin.py --port P --record FILE [--fail N]
"""
import chat_standin

COLORS = {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"}


def problems(body, path, headers):
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    out = []
    if body.get("type") != "message":
        out.append("type is not message")
    attachments = body.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return out + ["attachments is not a non-empty list"]
    for i, a in enumerate(attachments):
        if not isinstance(a, dict) or a.get("contentType") != "application/vnd.microsoft.card.adaptive":
            out.append(f"attachments[{i}] is not an Adaptive Card attachment")
            continue
        card = a.get("content")
        if not isinstance(card, dict) or card.get("type") != "AdaptiveCard" or not isinstance(card.get("version"), str):
            out.append(f"attachments[{i}].content is not an AdaptiveCard with a version")
            continue
        elements = card.get("body")
        if not isinstance(elements, list):
            out.append(f"attachments[{i}].content.body is not a list")
            continue
        for j, e in enumerate(elements):
            if not isinstance(e, dict) or not isinstance(e.get("type"), str):
                out.append(f"body[{j}] has no type")
            elif e["type"] == "TextBlock" and not isinstance(e.get("text"), str):
                out.append(f"body[{j}] is a TextBlock without text")
            elif "color" in e and e["color"] not in COLORS:
                out.append(f"body[{j}].color {e['color']!r} is not an Adaptive Card colour")
    return out


if __name__ == "__main__":
    chat_standin.serve("teams", problems, ok=(202, "application/json", b""),
                       invalid=(400, "application/json", b'{"error": {"code": "InvalidRequestContent", "message": "The card is invalid."}}'),
                       failure=(502, "application/json", b'{"error": {"code": "BadGateway"}}'))
