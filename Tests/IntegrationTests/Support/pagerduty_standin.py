#!/usr/bin/env python3
"""A stand-in for PagerDuty's Events API (events.pagerduty.com cannot be reached from here),
holding requests to the contract PagerDuty publishes.

Events API v2 (`POST /v2/enqueue`): an object with a 32-character `routing_key`, `event_action`
one of trigger, acknowledge or resolve, a `dedup_key` of at most 255 characters (required but
for trigger), and for trigger a `payload` with `summary` (1 to 1,024 characters), a non-empty
`source` and `severity` one of critical, error, warning or info (`component`, `group`, `class`
strings, `custom_details` an object); `images` objects with a `src`, `links` objects with an
`href`. A valid event is answered `202` with `{"status": "success", ...}`.
Events API v1 (`POST /generic/2010-04-15/create_event.json`): a 32-character `service_key`,
`event_type` one of trigger, acknowledge or resolve, `description` (at most 1,024 characters,
required for trigger), `incident_key`, `details` an object; answered `200`.
An invalid event gets `400`; the first `--fail` requests get `429`, PagerDuty's throttling.

    pagerduty_standin.py --port P --record FILE [--fail N]
"""
import json

import chat_standin

SEVERITIES = {"critical", "error", "warning", "info"}
ACTIONS = {"trigger", "acknowledge", "resolve"}


def is_text(value, limit=None, empty=True):
    return isinstance(value, str) and (empty or value) and (limit is None or len(value) <= limit)


def problems(body, path, headers):
    if not isinstance(body, dict):
        return ["the event is not a JSON object"]
    if path == "/generic/2010-04-15/create_event.json":
        return problems_v1(body)
    if path != "/v2/enqueue":
        return [f"no Events API at {path}"]
    out = []
    if not is_text(body.get("routing_key"), 32, empty=False) or len(body["routing_key"]) != 32:
        out.append("routing_key is not a 32-character integration key")
    action = body.get("event_action")
    if action not in ACTIONS:
        out.append(f"event_action {action!r} is not trigger, acknowledge or resolve")
    if "dedup_key" in body and not is_text(body["dedup_key"], 255, empty=False):
        out.append("dedup_key is not a string of 1 to 255 characters")
    if action != "trigger" and "dedup_key" not in body:
        out.append("dedup_key is required to acknowledge or resolve")
    payload = body.get("payload")
    if action == "trigger" or payload is not None:
        if not isinstance(payload, dict):
            return out + ["payload is not an object"]
        if not is_text(payload.get("summary"), 1024, empty=False):
            out.append("payload.summary is not a string of 1 to 1,024 characters")
        if not is_text(payload.get("source"), empty=False):
            out.append("payload.source is missing")
        if payload.get("severity") not in SEVERITIES:
            out.append(f"payload.severity {payload.get('severity')!r} is not critical, error, warning or info")
        for key in ("component", "group", "class", "timestamp"):
            if key in payload and not isinstance(payload[key], str):
                out.append(f"payload.{key} is not a string")
        if "custom_details" in payload and not isinstance(payload["custom_details"], dict):
            out.append("payload.custom_details is not an object")
    for i, image in enumerate(body.get("images", [])):
        if not isinstance(image, dict) or not is_text(image.get("src"), empty=False):
            out.append(f"images[{i}] has no src")
    for i, link in enumerate(body.get("links", [])):
        if not isinstance(link, dict) or not is_text(link.get("href"), empty=False):
            out.append(f"links[{i}] has no href")
    for key in ("client", "client_url"):
        if key in body and not isinstance(body[key], str):
            out.append(f"{key} is not a string")
    return out


def problems_v1(body):
    out = []
    if not is_text(body.get("service_key"), 32, empty=False) or len(body["service_key"]) != 32:
        out.append("service_key is not a 32-character key")
    if body.get("event_type") not in ACTIONS:
        out.append(f"event_type {body.get('event_type')!r} is not trigger, acknowledge or resolve")
    if body.get("event_type") == "trigger" and not is_text(body.get("description"), 1024, empty=False):
        out.append("description is not a string of 1 to 1,024 characters")
    if "details" in body and not isinstance(body["details"], dict):
        out.append("details is not an object")
    return out


if __name__ == "__main__":
    chat_standin.serve("pagerduty", problems,
                       ok=(202, "application/json", b'{"status": "success", "message": "Event processed"}'),
                       invalid=(400, "application/json", b'{"status": "invalid event", "message": "Event object is invalid", "errors": ["see the stand-in record"]}'),
                       failure=(429, "application/json", b'{"status": "throttle event", "message": "Requests for this service are arriving too quickly."}'))
