"""A stand-in for an OAuth2 authorization server and a remote-write receiver behind it, following
RFC 6749's client-credentials grant (section 4.4): `POST /token` with
`grant_type=client_credentials` and the client's id and secret as HTTP basic credentials answers
`{"access_token", "token_type": "Bearer", "expires_in"}`; `POST /api/v1/write` answers 204 to a
request bearing a token it issued (and not yet expired) and 401 otherwise. Every request is
printed, so the test can count token fetches and writes.

Usage: oauth2_standin.py PORT CLIENT_ID CLIENT_SECRET EXPIRES_IN
"""
import base64, json, secrets, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

port, client_id, client_secret, expires_in = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
tokens = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", content_type="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        auth = self.headers.get("Authorization", "")
        if self.path == "/token":
            form = parse_qs(body.decode())
            expected = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
            if auth != expected or form.get("grant_type") != ["client_credentials"]:
                print(f"token refused auth={auth!r} form={form}", flush=True)
                return self.reply(401, json.dumps({"error": "invalid_client"}).encode())
            token = secrets.token_hex(16)
            tokens[token] = time.time() + expires_in
            print(f"token issued scope={form.get('scope', [''])[0]} audience={form.get('audience', [''])[0]}", flush=True)
            return self.reply(200, json.dumps({"access_token": token, "token_type": "Bearer", "expires_in": expires_in}).encode())
        if self.path == "/api/v1/write":
            token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
            if tokens.get(token, 0) < time.time():
                print("write refused", flush=True)
                return self.reply(401, b"unauthorized", "text/plain")
            ok = self.headers.get("Content-Encoding") == "snappy" and self.headers.get("X-Prometheus-Remote-Write-Version") == "0.1.0"
            print(f"write accepted bytes={len(body)} headers_ok={ok} tenant={self.headers.get('X-Scope-OrgID')}", flush=True)
            return self.reply(204)
        self.reply(404)


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
print("listening", flush=True)
server.serve_forever()
