#!/usr/bin/env python3
"""A local SMTP server (aiosmtpd) that prints every e-mail it receives and, with --record,
appends each one as a JSON line (envelope, headers, text and HTML parts) to a file.

Useful to watch Vigil's notifications arrive without a real mail server:

    python3 -m pip install aiosmtpd
    python3 examples/mail-sink/mail_sink.py --port 1025

Vigil's tests use it as the real SMTP peer: --tls-cert/--tls-key offer STARTTLS (or, with
--implicit-tls, TLS from the first byte as on port 465) and --user/--password require AUTH
(PLAIN or LOGIN) before mail is accepted. For fault tests, --refuse-first N answers the first N
messages with --refuse-reply (a temporary 451 by default) instead of accepting them, and
--slow-first N holds the reply to the first N recipients for --slow-seconds, and
--slow-accept-seconds S records the first message and then holds its final reply for S seconds.
"""
import argparse
import asyncio
import email
import email.policy
import json
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Recorder:
    def __init__(self, path, refuse_first=0, refuse_reply="", slow_first=0, slow_seconds=0.0, slow_accept_seconds=0.0):
        self.path = path
        self.slow_accept_seconds = slow_accept_seconds
        self.refuse_left = refuse_first
        self.refuse_reply = refuse_reply
        self.slow_left = slow_first
        self.slow_seconds = slow_seconds

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.slow_left > 0:
            self.slow_left -= 1
            print(f"--- holding the reply to RCPT {address} for {self.slow_seconds}s", flush=True)
            await asyncio.sleep(self.slow_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_left > 0:
            self.refuse_left -= 1
            print(f"--- refused a mail from {envelope.mail_from}: {self.refuse_reply}", flush=True)
            return self.refuse_reply
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                parts[part.get_content_type()] = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k: str(v) for k, v in msg.items()},
            "text": parts.get("text/plain"),
            "html": parts.get("text/html"),
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "max_line_length": max((len(l) for l in envelope.content.split(b"\r\n")), default=0),
        }
        print(f"--- mail from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}: {msg['Subject']}", flush=True)
        if self.path:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        else:
            print(record["text"] or record["html"], flush=True)
        if self.slow_accept_seconds > 0:
            seconds, self.slow_accept_seconds = self.slow_accept_seconds, 0
            print(f"--- holding the reply to the message for {seconds}s", flush=True)
            await asyncio.sleep(seconds)
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=1025)
    p.add_argument("--record", help="append received mails as JSON lines to this file")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte instead of STARTTLS")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--refuse-first", type=int, default=0, help="refuse the first N messages")
    p.add_argument("--refuse-reply", default="451 4.3.0 Try again later", help="the reply that refuses them")
    p.add_argument("--slow-first", type=int, default=0, help="hold the reply to the first N recipients")
    p.add_argument("--slow-seconds", type=float, default=0.0)
    p.add_argument("--slow-accept-seconds", type=float, default=0.0,
                   help="record the first message, then hold its final reply this long")
    a = p.parse_args()

    context = None
    if a.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.tls_cert, a.tls_key)

    kwargs = {}
    if a.user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == a.user and auth_data.password.decode() == a.password
            return AuthResult(success=ok, handled=False)
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=context is not None)
    if context and a.implicit_tls:
        kwargs["ssl_context"] = context
    elif context:
        kwargs.update(tls_context=context, require_starttls=True)

    recorder = Recorder(a.record, a.refuse_first, a.refuse_reply, a.slow_first, a.slow_seconds, a.slow_accept_seconds)
    controller = Controller(recorder, hostname=a.host, port=a.port, server_hostname="localhost", **kwargs)
    controller.start()
    print(f"mail sink listening on {a.host}:{a.port}", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
