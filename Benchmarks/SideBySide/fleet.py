"""A synthetic fleet of scrape targets on loopback, for the side-by-side benchmark.

    python3 fleet.py FIRST_PORT TARGETS SERIES_PER_TARGET [CHURN_PER_SCRAPE]

Each target listens on its own port (FIRST_PORT, FIRST_PORT+1, ...) and serves /metrics in the
Prometheus text format, shaped like a model API fleet: request counters by route and code,
per-class prediction counters, gauges, and classic histograms of processing time; every value
changes at every scrape. CHURN_PER_SCRAPE (default 0.002) is the fraction of each target's
series that get a new `session` label value at each scrape, as pods and per-run labels do, so the
head keeps meeting new series and forgetting old ones.
"""
import random
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]


def target_series(target, count):
    """(name, labels, kind) for one target's `count` series, about a quarter of them histograms;
    a histogram series' kind is its bucket's rank (the count is the last bucket's rank)."""
    out = []
    histograms = max(1, count // 4 // (len(BUCKETS) + 2))
    for h in range(histograms):
        labels = f'model="m{h % 7}",route="/predict{h}"'
        for rank, le in enumerate(BUCKETS):
            out.append(("model_processing_seconds_bucket", f'{labels},le="{le}"', rank))
        out.append(("model_processing_seconds_sum", labels, "sum"))
        out.append(("model_processing_seconds_count", labels, len(BUCKETS) - 1))
    i = 0
    while len(out) < count:
        k = len(out) % 3
        if k == 0:
            out.append(("http_requests_total", f'route="/r{i % 50}",code="{200 + (i % 4) * 100}",shard="{i}"', "counter"))
        elif k == 1:
            out.append(("model_predictions_total", f'class="c{i % 10}",variant="{i}"', "counter"))
        else:
            out.append(("model_queue_depth", f'queue="q{i}"', "gauge"))
        i += 1
    return out[:count]


class Target:
    def __init__(self, index, count, churn):
        self.index = index
        self.series = target_series(index, count)
        self.values = [0.0 for _ in self.series]
        self.sessions = [0] * len(self.series)
        self.churn = churn
        self.lock = threading.Lock()

    def render(self):
        with self.lock:
            n = len(self.series)
            for _ in range(int(n * self.churn + random.random())):
                self.sessions[random.randrange(n)] += 1
            lines = []
            observed = 0
            for j, (name, labels, kind) in enumerate(self.series):
                if kind == "gauge":
                    self.values[j] = random.random() * 50
                elif kind == "counter":
                    self.values[j] += random.random() * 3
                elif kind == "sum":
                    self.values[j] += observed * 0.07
                else:
                    # Bucket ranks share one draw per histogram, so the buckets stay cumulative.
                    if kind == 0:
                        observed = random.randrange(20)
                    self.values[j] += observed * (kind + 1) // len(BUCKETS)
                lines.append(f'{name}{{{labels},session="s{self.sessions[j]}"}} {self.values[j]:.3f}\n')
            return "".join(lines).encode()


def serve(port, target):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            body = target.render()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def main():
    first, targets, per_target = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    churn = float(sys.argv[4]) if len(sys.argv) > 4 else 0.002
    for t in range(targets):
        threading.Thread(target=serve, args=(first + t, Target(t, per_target, churn)), daemon=True).start()
    print("listening", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
