"""The protobuf runtime for Vigil's Protos/metric_family.proto, shared by the support scripts
that build protobuf exposition bodies: protoc compiles the .proto into a temporary folder, and
bodies are length-delimited MetricFamily messages."""
import importlib
import os
import subprocess
import sys
import tempfile

CONTENT_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"


def load_protobuf_module(proto_dir):
    out = tempfile.mkdtemp(prefix="metric-family-proto-")
    subprocess.run(["protoc", f"-I{proto_dir}", "-I/usr/include", f"--python_out={out}",
                    os.path.join(proto_dir, "metric_family.proto")], check=True)
    sys.path.insert(0, out)
    return importlib.import_module("metric_family_pb2")


def delimited(messages):
    """The messages, each after its length as a protobuf varint."""
    body = b""
    for m in messages:
        raw = m.SerializeToString()
        n = len(raw)
        prefix = b""
        while True:
            b = n & 0x7F
            n >>= 7
            prefix += bytes([b | 0x80]) if n else bytes([b])
            if not n:
                break
        body += prefix + raw
    return body
