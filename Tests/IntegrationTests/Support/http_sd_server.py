"""An HTTP service-discovery endpoint as teams run one: serves the JSON target list in a file.

Usage: http_sd_server.py PORT TARGETS_FILE USER:PASSWORD

Requests without the basic-auth credentials get 401. While a file TARGETS_FILE + ".fail" exists,
every request gets 500 (an outage). Each request is printed with its refresh-interval header.
"""
import base64, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, targets_file, credentials = int(sys.argv[1]), sys.argv[2], sys.argv[3]
expected = "Basic " + base64.b64encode(credentials.encode()).decode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        print(f"request {self.path} refresh={self.headers.get('X-Prometheus-Refresh-Interval-Seconds')}", flush=True)
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="sd"')
            self.end_headers()
            return
        if os.path.exists(targets_file + ".fail"):
            self.send_response(500)
            self.end_headers()
            return
        with open(targets_file, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("listening", flush=True)
server.serve_forever()
