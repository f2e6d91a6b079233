"""A target exposing UTF-8 metric and label names with the official prometheus_client (0.26 or
later), which writes them as the scraper's Accept header asks: quoted with escaping=allow-utf-8,
escaped with escaping=underscores, dots or values, and underscored for formats without UTF-8.

  my.requests_total{http.status="200"} 3    (a counter "my.requests")
  model.confidence{model.version="3"} 0.9   (a gauge)

With --escape NAME SCHEME... it prints prometheus_client's escaped forms of metric names (one
line each: metric name, then label name) and exits, for comparing escapings.

Usage: utf8_target.py PORT | utf8_target.py --escape SCHEME NAME...
"""
import sys

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import choose_encoder

if sys.argv[1] == "--escape":
    from prometheus_client.openmetrics.exposition import escape_label_name, escape_metric_name
    scheme = sys.argv[2]
    for name in sys.argv[3:]:
        print(escape_metric_name(name, scheme) + "\t" + escape_label_name(name, scheme))
    sys.exit(0)

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

registry = CollectorRegistry()
Counter("my.requests", "Requests handled", ["http.status"], registry=registry).labels("200").inc(3)
Gauge("model.confidence", "Mean confidence", ["model.version"], registry=registry).labels("3").set(0.9)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        encoder, content_type = choose_encoder(self.headers.get("Accept", ""))
        body = encoder(registry)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
