#!/usr/bin/env python3
"""A stand-in for OpsGenie's Alert API (api.opsgenie.com cannot be reached from here), holding
requests to the contract OpsGenie publishes: `Authorization: GenieKey <key>` (the key the tests
configure, `opsgenie-test-key`); create (`POST /v2/alerts`) with `message` (1 to 130
characters), `alias` (at most 512), `description` (at most 15,000), `responders` objects with a
`type` of team, user, escalation or schedule and one of id, name or username, `tags` (at most 20
strings of at most 50), `details` an object of strings, `entity` (at most 512), `source` (at most
100), `priority` P1 to P5, `actions` (at most 10 strings of at most 50), `note` (at most 25,000);
close (`POST /v2/alerts/<alias>/close?identifierType=alias`); update message and description
(`.../message`, `.../description` with the same identifier type). A valid request is answered
`202` with `{"result": "Request will be processed", ...}`; an invalid one `422`, a bad key
`401`; the first `--fail` requests get `429`.

    opsgenie_standin.py --port P --record FILE [--fail N]
"""
import re

import chat_standin

KEY = "opsgenie-test-key"
RESPONDER_TYPES = {"team", "user", "escalation", "schedule"}


def text(value, limit, required=False):
    return isinstance(value, str) and len(value) <= limit and (value or not required)


def problems(body, path, headers):
    if headers.get("Authorization") != "GenieKey " + KEY:
        return [f"Authorization is not 'GenieKey {KEY}'"]
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    if path == "/v2/alerts":
        return create_problems(body)
    m = re.fullmatch(r"/v2/alerts/([^/?]+)/(close|message|description)\?identifierType=alias", path)
    if not m:
        return [f"no Alert API endpoint at {path}"]
    if m.group(2) == "message" and not text(body.get("message"), 130, required=True):
        return ["message is not a string of 1 to 130 characters"]
    if m.group(2) == "description" and not text(body.get("description"), 15000, required=True):
        return ["description is not a string of 1 to 15,000 characters"]
    if m.group(2) == "close" and "source" in body and not text(body["source"], 100):
        return ["source is longer than 100 characters"]
    return []


def create_problems(body):
    out = []
    if not text(body.get("message"), 130, required=True):
        out.append("message is not a string of 1 to 130 characters")
    for key, limit in (("alias", 512), ("description", 15000), ("entity", 512), ("source", 100), ("note", 25000)):
        if key in body and not text(body[key], limit):
            out.append(f"{key} is not a string of at most {limit} characters")
    for i, r in enumerate(body.get("responders", [])):
        if not isinstance(r, dict) or r.get("type") not in RESPONDER_TYPES:
            out.append(f"responders[{i}] has no type of team, user, escalation or schedule")
        elif sum(1 for k in ("id", "name", "username") if r.get(k)) != 1:
            out.append(f"responders[{i}] needs exactly one of id, name or username")
    for key, count, limit in (("tags", 20, 50), ("actions", 10, 50)):
        items = body.get(key, [])
        if not isinstance(items, list) or len(items) > count or not all(text(t, limit, required=True) for t in items):
            out.append(f"{key} is not a list of at most {count} strings of at most {limit} characters")
    details = body.get("details", {})
    if not isinstance(details, dict) or not all(isinstance(v, str) for v in details.values()):
        out.append("details is not an object of strings")
    if "priority" in body and body["priority"] not in {"P1", "P2", "P3", "P4", "P5"}:
        out.append(f"priority {body['priority']!r} is not P1 to P5")
    return out


if __name__ == "__main__":
    chat_standin.serve("opsgenie", problems,
                       ok=(202, "application/json", b'{"result": "Request will be processed", "took": 0.01, "requestId": "standin"}'),
                       invalid=(422, "application/json", b'{"message": "Request body is not processable.", "took": 0.0}'),
                       failure=(429, "application/json", b'{"message": "You are making too many requests", "took": 0.0}'))
