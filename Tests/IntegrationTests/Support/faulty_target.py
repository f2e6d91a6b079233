"""A scrape target that misbehaves on purpose, one way per path, until the file named by the
second argument exists; from then on every path answers with a small valid exposition.

  /hang     accepts the request and never answers
  /reset    closes the connection with a TCP reset
  /endless  streams a never-ending metrics body
  /bomb     a gzip body of 1 GiB of metrics text, about 1 MB on the wire
  /ok       a valid exposition
"""
import gzip, io, os, socket, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, healed_flag = int(sys.argv[1]), sys.argv[2]
VALID = b"# TYPE faulty_ok gauge\nfaulty_ok 1\n"

buffer = io.BytesIO()
with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as z:
    line = b"bomb_metric_with_a_long_name_to_compress_well 1\n" * 20000
    for _ in range((1 << 30) // len(line)):
        z.write(line)
BOMB = buffer.getvalue()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_valid(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(VALID)))
        self.end_headers()
        self.wfile.write(VALID)

    def do_GET(self):
        if os.path.exists(healed_flag) or self.path == "/ok":
            return self.send_valid()
        if self.path == "/hang":
            time.sleep(3600)
        elif self.path == "/reset":
            # Linger 0: closing the connection (when this handler returns) sends a TCP reset.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif self.path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            chunk = b"endless_metric 1\n" * 4096
            try:
                while True:
                    self.wfile.write(chunk)
            except Exception:
                pass
        elif self.path == "/bomb":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            try:
                self.wfile.write(BOMB)
            except Exception:
                pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
print("listening", flush=True)
server.serve_forever()
