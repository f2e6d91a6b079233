"""Sends remote-write 1.0 requests to Vigil without pause and records which were acknowledged.

Each request i carries one sample for each of SERIES series `crash_test{s="k"}`, at timestamp
base + i with value i, and one native histogram of `crash_test_histogram` at the same time whose
count (its single bucket's, schema 0 around 1) and sum are i. After a 2xx answer the line "i" is appended (and flushed) to the ack
file; on any failure the same request is sent again until it is acknowledged, so a request that
was stored but whose answer was lost reaches Vigil twice (it must be stored once).

The protobuf and snappy encodings are written out by hand (remote_write_wire.py), so the sender
needs nothing beyond Python itself.
"""
import http.client, struct, sys, time

from remote_write_wire import field, snappy, varint

port, ack_path, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
SERIES = 20
base = int(time.time() * 1000) - 3_600_000


def zigzag(n):
    return (n << 1) ^ (n >> 63)


def histogram(i):
    """remote write's Histogram message with integer counts: count_int (1), sum (3), schema 0,
    zero_count_int (6), one positive span {offset 0, length 1} (11), its delta (12, packed
    sint64), timestamp (15)."""
    span = varint(1 << 3) + varint(zigzag(0)) + varint(2 << 3) + varint(1)
    return (varint(1 << 3) + varint(i) + varint(3 << 3 | 1) + struct.pack("<d", float(i)) + varint(6 << 3) + varint(0)
            + field(11, span) + field(12, varint(zigzag(i))) + varint(15 << 3) + varint(base + i))


def write_request(i):
    body = b""
    for k in range(SERIES):
        labels = field(1, field(1, b"__name__") + field(2, b"crash_test")) + field(1, field(1, b"s") + field(2, str(k).encode()))
        sample = b"\x09" + struct.pack("<d", float(i)) + b"\x10" + varint(base + i)
        body += field(1, labels + field(2, sample))
    body += field(1, field(1, field(1, b"__name__") + field(2, b"crash_test_histogram")) + field(4, histogram(i)))
    return body


deadline = time.time() + seconds
i = 0
with open(ack_path, "a") as acks:
    while time.time() < deadline:
        payload = snappy(write_request(i))
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/api/v1/write", payload, {
                "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
                "X-Prometheus-Remote-Write-Version": "0.1.0"})
            status = conn.getresponse().status
            conn.close()
        except Exception:
            time.sleep(0.02)
            continue
        if 200 <= status < 300:
            acks.write(f"{i}\n")
            acks.flush()
            i += 1
        else:
            print(f"request {i}: HTTP {status}", flush=True)
            time.sleep(0.02)
