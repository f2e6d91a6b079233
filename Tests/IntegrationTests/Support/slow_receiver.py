"""A remote-write receiver that takes DELAY seconds to answer each request (204), as an
overloaded store does, printing one line per request with its body size. It does not decode the
body: the test looks at how Vigil's queue adapts (its shard count), not at the samples.

Usage: slow_receiver.py PORT DELAY
"""
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, delay = int(sys.argv[1]), float(sys.argv[2])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(delay)
        print(f"write bytes={len(body)}", flush=True)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
print("listening", flush=True)
server.serve_forever()
