"""The wire format of remote write 1.0, written out by hand so senders need nothing beyond
Python: protobuf varints and length-delimited fields, and Snappy's block format with literals
only (which every decoder must accept). Used by remote_write_sender.py and by the side-by-side
benchmark (Benchmarks/SideBySide)."""
import struct


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, payload):
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def snappy(data):
    """`data` in Snappy's block format, as literals of at most 64 KiB."""
    out = bytearray(varint(len(data)))
    for start in range(0, len(data), 65536):
        chunk = data[start:start + 65536]
        out.append(61 << 2)
        out += struct.pack("<H", len(chunk) - 1)
        out += chunk
    return bytes(out)
