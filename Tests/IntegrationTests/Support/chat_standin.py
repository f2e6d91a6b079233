"""The HTTP side of the stand-ins for chat and incident services (slack, discord, pagerduty,
opsgenie, telegram, teams): records every POST as a JSON line with the problems the service's
contract finds in it, answers a valid one as the service does and an invalid one with its error,
and fails the first requests as the service fails so retries can be seen."""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(name, problems, ok, invalid, failure):
    """Runs until killed. `problems(body, path, headers)` lists what the contract finds wrong in
    a request with a parsed JSON body; `ok`, `invalid` and `failure` are (status, content type,
    body) replies."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--record", required=True)
    ap.add_argument("--fail", type=int, default=0)
    a = ap.parse_args()
    lock = threading.Lock()
    state = {"fail": a.fail}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, content_type, body):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                if state["fail"] > 0:
                    state["fail"] -= 1
                    return self.reply(*failure)
            try:
                body = json.loads(raw)
                found = [] if self.headers.get("Content-Type", "").startswith("application/json") else ["Content-Type is not application/json"]
                found += problems(body, self.path, self.headers)
            except ValueError:
                body, found = None, ["the body is not JSON"]
            with lock, open(a.record, "a") as f:
                f.write(json.dumps({"path": self.path, "payload": body, "problems": found,
                                    "authorization": self.headers.get("Authorization", "")}) + "\n")
            self.reply(*(invalid if found else ok))

    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print(f"{name} stand-in listening on 127.0.0.1:{a.port}", flush=True)
    server.serve_forever()
