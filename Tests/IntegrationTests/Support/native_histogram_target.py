#!/usr/bin/env python3
"""A model API's /metrics in the protobuf exposition format with native histograms.

What a Prometheus-3-era model API exposes: the delimited MetricFamily format, built with the
protobuf runtime from Vigil's Protos/metric_family.proto (compiled by protoc into a temporary
folder), holding three native histograms that change on every scrape:

- model_inference_seconds: a counter histogram (schema 3, the default zero threshold 2^-128)
  whose buckets appear as observations reach them; it resets (the process "restarts") after
  --reset-after scrapes.
- model_score_drift: a counter histogram of values around zero (schema 1, zero threshold 0.01,
  so the threshold is not a power of two), with negative buckets and zero-bucket hits; it is
  missing from scrapes --vanish-from to --vanish-until (a model swapped out and back), so
  the scraper marks it stale and starts it again.
- model_batch_queue: a gauge histogram (counts go up and down), schema 0.

Observations come from a fixed pseudo-random sequence, so every run exposes the same series of
histograms, one per scrape.
"""
import argparse
import http.server
import math
import threading

from metric_family_runtime import CONTENT_TYPE, delimited, load_protobuf_module


class Sequence:
    """A linear congruential generator: the same numbers on every run."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.state >> 11) / float(1 << 53)


class NativeHistogram:
    def __init__(self, schema, zero_threshold):
        self.schema = schema
        self.zero_threshold = zero_threshold
        self.reset()

    def reset(self):
        self.count = 0
        self.total = 0.0
        self.zero = 0
        self.positive = {}
        self.negative = {}

    def bucket_index(self, magnitude):
        # Bucket i holds (2^((i-1)/2^schema), 2^(i/2^schema)].
        return math.ceil(math.log2(magnitude) * (1 << self.schema)) if self.schema >= 0 else \
            math.ceil(math.log2(magnitude) / (1 << -self.schema))

    def observe(self, v):
        self.count += 1
        self.total += v
        if abs(v) <= self.zero_threshold:
            self.zero += 1
        elif v > 0:
            i = self.bucket_index(v)
            self.positive[i] = self.positive.get(i, 0) + 1
        else:
            i = self.bucket_index(-v)
            self.negative[i] = self.negative.get(i, 0) + 1

    @staticmethod
    def spans_and_deltas(buckets, pb):
        spans, deltas = [], []
        previous_index, previous_count = None, 0
        for index in sorted(buckets):
            if previous_index is None or index != previous_index + 1:
                offset = index if previous_index is None else index - previous_index - 1
                spans.append(pb.BucketSpan(offset=offset, length=1))
            else:
                spans[-1].length += 1
            deltas.append(buckets[index] - previous_count)
            previous_index, previous_count = index, buckets[index]
        return spans, deltas

    def message(self, pb):
        h = pb.Histogram(sample_count=self.count, sample_sum=self.total, schema=self.schema,
                         zero_threshold=self.zero_threshold, zero_count=self.zero)
        spans, deltas = self.spans_and_deltas(self.positive, pb)
        h.positive_span.extend(spans)
        h.positive_delta.extend(deltas)
        spans, deltas = self.spans_and_deltas(self.negative, pb)
        h.negative_span.extend(spans)
        h.negative_delta.extend(deltas)
        return h


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--proto-dir", required=True)
    parser.add_argument("--reset-after", type=int, default=150)
    parser.add_argument("--vanish-from", type=int, default=0)
    parser.add_argument("--vanish-until", type=int, default=0)
    args = parser.parse_args()
    pb = load_protobuf_module(args.proto_dir)

    inference = NativeHistogram(schema=3, zero_threshold=2.0 ** -128)
    drift = NativeHistogram(schema=1, zero_threshold=0.01)
    queue = NativeHistogram(schema=0, zero_threshold=2.0 ** -128)
    rng = Sequence(42)
    lock = threading.Lock()
    scrapes = [0]

    def advance():
        scrapes[0] += 1
        if scrapes[0] == args.reset_after:
            inference.reset()
        for _ in range(1 + int(rng.next() * 4)):
            # Latencies from 1 ms to about 8 s, mostly tens of milliseconds.
            inference.observe(round(0.001 * math.exp(rng.next() * rng.next() * 9), 6))
        for _ in range(2):
            u = rng.next()
            drift.observe(0.0 if u < 0.1 else round((u - 0.55) * 6, 4))
        queue.reset()
        for _ in range(int(rng.next() * 6)):
            queue.observe(1 + int(rng.next() * 40))

    def family(name, help_text, kind, h):
        return pb.MetricFamily(name=name, help=help_text, type=kind,
                               metric=[pb.Metric(label=[pb.LabelPair(name="model", value="churn")], histogram=h.message(pb))])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.split("?")[0] != "/metrics":
                self.send_response(404)
                self.end_headers()
                return
            with lock:
                advance()
                families = [family("model_inference_seconds", "Inference latency.", pb.HISTOGRAM, inference)]
                if not args.vanish_from <= scrapes[0] < args.vanish_until:
                    families.append(family("model_score_drift", "Score drift from the reference model.", pb.HISTOGRAM, drift))
                families.append(family("model_batch_queue", "Requests waiting per batch.", pb.GAUGE_HISTOGRAM, queue))
                body = delimited(families)
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
