#!/usr/bin/env python3
"""An HTTP endpoint that accepts Alertmanager webhook notifications and prints them, or with
--record appends each payload (with the time it arrived) as a JSON line to a file.

    python3 examples/webhook-receiver/webhook_receiver.py --port 5001
    # alertmanager.yml: webhook_configs: [{url: 'http://127.0.0.1:5001/'}]

--fail N answers the first N requests with HTTP 503, to watch Vigil retry; --tls-cert and
--tls-key serve HTTPS.
"""
import argparse
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5001)
    p.add_argument("--record")
    p.add_argument("--fail", type=int, default=0)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    a = p.parse_args()
    lock = threading.Lock()
    state = {"failures_left": a.fail}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                if state["failures_left"] > 0:
                    state["failures_left"] -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                record = {"received_at": time.time(), "path": self.path,
                          "content_type": self.headers.get("Content-Type"), "payload": json.loads(body)}
                if a.record:
                    with open(a.record, "a", encoding="utf-8") as f:
                        f.write(json.dumps(record) + "\n")
                else:
                    print(json.dumps(record["payload"], indent=2), flush=True)
            self.send_response(200)
            self.end_headers()

        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok\n")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((a.host, a.port), Handler)
    if a.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.tls_cert, a.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"webhook receiver listening on {a.host}:{a.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
