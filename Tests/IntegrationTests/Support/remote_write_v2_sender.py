"""A remote-write 2.0 sender standing in for Prometheus 3 (no sender of 2.0 runs here: Debian's
Prometheus is 2.42 and its vmagent speaks 1.0). It encodes io.prometheus.write.v2.Request by hand
from the field numbers of the published 2.0 specification, independently of Vigil's .proto, sends
each scenario to the receiver as the specification says (snappy, Content-Type with
proto=io.prometheus.write.v2.Request, X-Prometheus-Remote-Write-Version: 2.0.0), and prints one
JSON line per request: the status and the X-Prometheus-Remote-Write-*-Written headers.

Usage: remote_write_v2_sender.py PORT NOW_MS
"""
import http.client, json, struct, sys

from remote_write_wire import field, snappy, varint

port, now = int(sys.argv[1]), int(sys.argv[2])


def tag(number, wire_type):
    return varint(number << 3 | wire_type)


class Request:
    def __init__(self):
        self.symbols = [""]
        self.series = b""

    def ref(self, s):
        if s not in self.symbols:
            self.symbols.append(s)
        return self.symbols.index(s)

    def add(self, labels, samples=(), histograms=(), exemplars=(), created=0, metadata=None):
        refs = b"".join(varint(self.ref(x)) for pair in sorted(labels.items()) for x in pair)
        ts = field(1, refs)  # labels_refs, packed
        for t, v in samples:
            ts += field(2, b"\x09" + struct.pack("<d", v) + b"\x10" + varint(t))  # Sample{value=1, timestamp=2}
        for t, count, total in histograms:
            # Histogram{count_int=1, sum=3, schema=4 (zigzag 0), timestamp=15}
            ts += field(3, tag(1, 0) + varint(count) + tag(3, 1) + struct.pack("<d", total) + tag(4, 0) + varint(0) + tag(15, 0) + varint(t))
        for t, v, ex_labels in exemplars:
            refs = b"".join(varint(self.ref(x)) for pair in sorted(ex_labels.items()) for x in pair)
            ts += field(4, field(1, refs) + b"\x11" + struct.pack("<d", v) + b"\x18" + varint(t))  # Exemplar{refs=1, value=2, timestamp=3}
        if metadata:
            kind, help_text, unit = metadata  # MetricType: 1 counter, 2 gauge, ...
            ts += field(5, tag(1, 0) + varint(kind) + tag(3, 0) + varint(self.ref(help_text)) + tag(4, 0) + varint(self.ref(unit)))
        if created:
            ts += tag(6, 0) + varint(created)
        self.series += field(5, ts)

    def encode(self):
        return b"".join(field(4, s.encode()) for s in self.symbols) + self.series


def send(request, content_type="application/x-protobuf;proto=io.prometheus.write.v2.Request"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/api/v1/write", snappy(request.encode()), {
        "Content-Type": content_type, "Content-Encoding": "snappy", "X-Prometheus-Remote-Write-Version": "2.0.0"})
    response = conn.getresponse()
    body = response.read().decode()
    print(json.dumps({
        "status": response.status,
        "samples": response.getheader("X-Prometheus-Remote-Write-Samples-Written"),
        "histograms": response.getheader("X-Prometheus-Remote-Write-Histograms-Written"),
        "exemplars": response.getheader("X-Prometheus-Remote-Write-Exemplars-Written"),
        "body": body,
    }), flush=True)
    conn.close()


# 1. A counter with metadata, a created timestamp and an exemplar, and a gauge.
first = Request()
first.add({"__name__": "training_steps_total", "job": "trainer", "run": "r1"},
          samples=[(now - 30_000, 10), (now - 15_000, 25), (now, 40)], created=now - 60_000,
          exemplars=[(now, 40, {"trace_id": "abc"})], metadata=(1, "Optimiser steps taken.", ""))
first.add({"__name__": "training_loss", "job": "trainer", "run": "r1"}, samples=[(now, 0.125)], metadata=(2, "Training loss.", "ratio"))
send(first)
# 2. A native histogram beside floats: both are stored, and counted apart in the reply.
second = Request()
second.add({"__name__": "batch_duration_seconds", "job": "trainer"}, histograms=[(now, 4, 1.5)])
second.add({"__name__": "training_epoch", "job": "trainer"}, samples=[(now, 3)])
send(second)
# 3. A protobuf message the receiver does not know.
send(Request(), content_type="application/x-protobuf;proto=io.prometheus.write.v9.Request")
