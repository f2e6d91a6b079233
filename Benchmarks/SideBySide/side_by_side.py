"""Side-by-side benchmark: the real Prometheus, then Vigil, against the same synthetic fleet.

    python3 side_by_side.py --vigil PATH [--prometheus /usr/bin/prometheus] [--profile quick|full]
                            [--json results.json]

For each server in turn, with the same configuration and the same fleet (fleet.py):
  1. steady ingestion: scrape the fleet for a window after a warm-up and measure CPU seconds per
     million samples appended, resident memory per active series, bytes on disk per sample;
  2. a battery of dashboard and alert queries (instant, 1 h and 24 h ranges): median latency;
  3. restart: seconds to shut down (SIGTERM to exit), to /-/ready, and until every series is back;
  4. a day of data: fresh instances of both (native histograms enabled) get 24 hours of
     fleet-shaped series and of native histograms (20 buckets each) by remote write, in time
     order; resident memory is read after the first hour and, once they have cut blocks, after
     the day, with the disk.
It prints each figure for both and the Vigil/Prometheus ratio. The figures are measurements of
one run on one machine, printed, never judged: the README's table comes from the full profile.
"""
import argparse
import http.client
import json
import os
import platform
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# Remote write's wire format, shared with the integration tests' sender.
sys.path.insert(0, os.path.join(HERE, "..", "..", "Tests", "IntegrationTests", "Support"))
from fleet import target_series  # noqa: E402
from remote_write_wire import field as pb_field, snappy as snappy_literals, varint  # noqa: E402

PROFILES = {
    # A couple of minutes per server: what the test command runs.
    "quick": dict(targets=10, series=200, interval=2, warmup=8, window=24, runs=7, day_series=1000, day_histograms=100, day_step=60,
                  day_wait=75),
    # About 100,000 active series at 15 s with short windows: a quarter of an hour for both.
    "medium": dict(targets=100, series=1000, interval=15, warmup=60, window=180, runs=7, day_series=10000, day_histograms=1000,
                   day_step=60, day_wait=150),
    # About 200,000 active series at 15 s: the README's table.
    "full": dict(targets=100, series=2000, interval=15, warmup=120, window=360, runs=15, day_series=20000, day_histograms=2000,
                 day_step=60, day_wait=300),
}

BATTERY = [
    ("request rate by code", "sum by (code) (rate(http_requests_total[1m]))", None),
    ("predictions by class", "sum by (class) (rate(model_predictions_total[1m]))", None),
    ("p95 latency (buckets)", "histogram_quantile(0.95, sum by (le) (rate(model_processing_seconds_bucket[1m])))", None),
    ("topk targets", "topk(5, sum by (instance) (rate(http_requests_total[1m])))", None),
    ("error ratio by target", "sum by (instance) (rate(http_requests_total{code=~\"5..\"}[1m])) / sum by (instance) (rate(http_requests_total[1m]))", None),
    ("queue alert", "max_over_time(model_queue_depth[5m]) > 49", None),
    ("series per metric (regex)", "count by (__name__) ({__name__=~\"model_.*\"})", None),
    ("down targets alert", "up == 0", None),
    ("1h: request rate by code", "sum by (code) (rate(http_requests_total[1m]))", (3600, 15)),
    ("1h: p90 by target", "histogram_quantile(0.9, sum by (le, instance) (rate(model_processing_seconds_bucket[1m])))", (3600, 15)),
    ("1h: raw queue depth", "model_queue_depth", (3600, 15)),
    ("24h: predictions", "sum(rate(model_predictions_total[5m]))", (86400, 300)),
]


class Server:
    """One Prometheus or Vigil process on a data directory."""

    def __init__(self, kind, binary, work, port, config, extra=()):
        self.kind, self.binary, self.work, self.port, self.config, self.extra = kind, binary, work, port, config, list(extra)
        self.data = os.path.join(work, kind.lower() + "-data")
        self.proc = None

    def start(self):
        args = [self.binary, f"--config.file={self.config}", f"--storage.tsdb.path={self.data}",
                f"--web.listen-address=127.0.0.1:{self.port}", "--web.enable-remote-write-receiver"] + self.extra
        if self.kind == "Vigil":
            args.append(f"--alertmanager.config.file={os.path.join(self.work, 'alertmanager.yml')}")
        log = open(os.path.join(self.work, self.kind.lower() + ".log"), "ab")
        started = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=log, stderr=log)
        while not self.ready():
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.kind} exited at start; see {log.name}")
            if time.monotonic() - started > 600:
                raise SystemExit(f"{self.kind} was not ready in 10 minutes")
            time.sleep(0.05)
        return time.monotonic() - started

    def stop(self):
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=300)
        return time.monotonic() - started

    def ready(self):
        try:
            return self.get("/-/ready", timeout=2)[0] == 200
        except OSError:
            return False

    def get(self, path, timeout=120, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        if conn is None:
            c.close()
        return r.status, body

    def metric(self, name):
        """The sum of every sample of `name` on the server's own /metrics."""
        _, body = self.get("/metrics")
        total = None
        for line in body.decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total = (total or 0) + float(line.rsplit(" ", 1)[1])
        return total

    def prefix(self):
        return "prometheus" if self.kind == "Prometheus" else "vigil"

    def appended(self):
        return self.metric(self.prefix() + "_tsdb_head_samples_appended_total") or 0

    def head_series(self):
        return self.metric(self.prefix() + "_tsdb_head_series") or 0

    def blocks(self):
        return self.metric(self.prefix() + "_tsdb_blocks_loaded") or 0

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss(self, field="VmRSS"):
        """Resident bytes; `RssAnon` for the heap alone, `RssFile` for mapped files' pages."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        return 0

    def disk_bytes(self, blocks_only=False):
        """Bytes of the data directory's files (only the block directories' with `blocks_only`)."""
        total = 0
        for root, _, files in os.walk(self.data):
            top = os.path.relpath(root, self.data).split(os.sep)[0]
            if blocks_only and (len(top) != 26 or "." in top):
                continue
            for name in files:
                try:
                    total += os.path.getsize(os.path.join(root, name))
                except OSError:
                    pass
        return total


def write_config(path, profile, first_port):
    targets = ", ".join(f"'127.0.0.1:{first_port + t}'" for t in range(profile["targets"]))
    interval = profile["interval"]
    with open(path, "w") as f:
        f.write(f"global:\n  scrape_interval: {interval}s\n  scrape_timeout: {min(interval, 10)}s\n"
                f"scrape_configs:\n  - job_name: fleet\n    static_configs:\n      - targets: [{targets}]\n")


def steady(server, profile):
    """Figures of steady ingestion: CPU per million samples, memory per series, disk per sample."""
    ready = server.start()
    time.sleep(profile["warmup"])
    cpu0, app0, t0 = server.cpu_seconds(), server.appended(), time.monotonic()
    time.sleep(profile["window"])
    cpu1, app1, t1 = server.cpu_seconds(), server.appended(), time.monotonic()
    series = server.head_series()
    samples = max(1.0, app1 - app0)
    return dict(cold_ready_s=ready, samples_per_s=samples / (t1 - t0), cpu_s_per_million=(cpu1 - cpu0) / samples * 1e6,
                active_series=series, rss_bytes=server.rss(), rss_per_series=server.rss() / max(1, series),
                disk_bytes_per_sample=server.disk_bytes() / max(1.0, app1))


def queries(server, profile):
    """Median milliseconds of each query of the battery, on one kept-alive connection."""
    now = time.time()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    out = {}
    for name, q, rng in BATTERY:
        params = {"query": q}
        if rng:
            params.update(start=f"{now - rng[0]:.3f}", end=f"{now:.3f}", step=str(rng[1]))
            path = "/api/v1/query_range?" + urllib.parse.urlencode(params)
        else:
            params["time"] = f"{now:.3f}"
            path = "/api/v1/query?" + urllib.parse.urlencode(params)
        times = []
        for i in range(profile["runs"] + 2):
            t0 = time.perf_counter()
            status, body = server.get(path, conn=conn)
            elapsed = (time.perf_counter() - t0) * 1000
            if status != 200:
                raise SystemExit(f"{server.kind}: {name} failed: {status} {body[:300]!r}")
            if i >= 2:
                times.append(elapsed)
        out[name] = statistics.median(times)
    conn.close()
    return out


def restart(server):
    """Seconds to shut down, to be ready again, and until the head holds every series again."""
    before = server.head_series()
    down = server.stop()
    ready = server.start()
    started = time.monotonic() - ready
    while server.head_series() < 0.99 * before and time.monotonic() - started < 600:
        time.sleep(0.05)
    back = time.monotonic() - started
    stop = server.stop()
    return dict(shutdown_s=down, restart_ready_s=ready, restart_all_series_s=back, final_shutdown_s=stop)


HISTOGRAM_BUCKETS = 20


def zigzag(n):
    return (n << 1) ^ (n >> 63)


def native_histogram(step, series, ts):
    """Remote write's Histogram message (integer counts, schema 3) of one backfilled series at
    `step`: twenty populated buckets, each grown by a series-dependent amount every step, as a
    latency histogram of a busy model API is."""
    # Each bucket grows by at least 3 a step, plus a jitter of 0-2 that never makes it shrink.
    counts = [step * 3 * (1 + (b + series) % 4) + (step * 31 + b * 17) % 3 for b in range(HISTOGRAM_BUCKETS)]
    count = sum(counts)
    span = varint(1 << 3) + varint(zigzag(-10)) + varint(2 << 3) + varint(HISTOGRAM_BUCKETS)
    # Bucket deltas: the first bucket's count, then each one's difference to the one before.
    deltas = b"".join(varint(zigzag(c - (counts[b - 1] if b else 0)) & 0xFFFFFFFFFFFFFFFF) for b, c in enumerate(counts))
    return (varint(1 << 3) + varint(count) + varint(3 << 3 | 1) + struct.pack("<d", count * 0.01) + varint(4 << 3) + varint(zigzag(3))
            + varint(6 << 3) + varint(0) + pb_field(11, span) + pb_field(12, deltas) + varint(15 << 3) + varint(ts))


def backfill(server, profile):
    """Sends 24 hours of fleet-shaped series and native histograms to `server` by remote write,
    oldest first; reads its resident memory once the first hour is in."""
    per_target = profile["series"]
    labels = []
    for t in range(-(-profile["day_series"] // per_target)):
        for name, text, _ in target_series(t, per_target):
            pairs = [("__name__", name), ("instance", f"backfill-{t}"), ("job", "fleet")]
            for part in text.split('",'):
                k, v = part.split('="')
                pairs.append((k, v.rstrip('"')))
            labels.append(b"".join(pb_field(1, pb_field(1, k.encode()) + pb_field(2, v.encode())) for k, v in sorted(pairs)))
    labels = labels[:profile["day_series"]]
    histograms = []
    for h in range(profile["day_histograms"]):
        pairs = [("__name__", "model_inference_seconds"), ("instance", f"backfill-{h // 100}"), ("job", "fleet"), ("route", f"/predict{h}")]
        histograms.append(b"".join(pb_field(1, pb_field(1, k.encode()) + pb_field(2, v.encode())) for k, v in pairs))
    step = profile["day_step"] * 1000
    end = int(time.time() * 1000) // step * step - step
    steps = list(range(end - 86_400_000, end + 1, step))
    hour_steps = 3_600_000 // step
    per_request = max(1, 50_000 // (len(labels) + len(histograms)))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    sent = 0
    hour_rss = None
    t0 = time.monotonic()
    for k0 in range(0, len(steps), per_request):
        chunk = steps[k0:k0 + per_request]
        body = bytearray()
        for i, series in enumerate(labels):
            samples = b"".join(pb_field(2, b"\x09" + struct.pack("<d", float(i + k0 + j)) + b"\x10" + varint(ts))
                               for j, ts in enumerate(chunk))
            body += pb_field(1, series + samples)
        for i, series in enumerate(histograms):
            body += pb_field(1, series + b"".join(pb_field(4, native_histogram(k0 + j, i, ts)) for j, ts in enumerate(chunk)))
        conn.request("POST", "/api/v1/write", snappy_literals(bytes(body)), {
            "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy", "X-Prometheus-Remote-Write-Version": "0.1.0"})
        r = conn.getresponse()
        answer = r.read()
        if r.status // 100 != 2:
            raise SystemExit(f"{server.kind}: remote write failed: {r.status} {answer[:300]!r}")
        sent += (len(labels) + len(histograms)) * len(chunk)
        if hour_rss is None and k0 + len(chunk) >= hour_steps:
            # The first hour of the same fleet is in: the memory the day's is compared with.
            time.sleep(2)
            hour_rss = server.rss()
    conn.close()
    return dict(day_samples=sent, day_series=len(labels) + len(histograms), day_histogram_series=len(histograms),
                hour_rss_bytes=hour_rss or 0, backfill_s=time.monotonic() - t0)


def day_of_data(servers, profile):
    """Fresh servers (running side by side, idle but for this) each get a day of data; once both
    have cut blocks from their heads (Prometheus checks every minute), their memory and disk are read."""
    loaded = {}
    for server in servers:
        server.start()
        loaded[server.kind] = backfill(server, profile)
    waited = time.monotonic()
    while time.monotonic() - waited < profile["day_wait"] and min(s.blocks() for s in servers) < 1:
        time.sleep(1)
    time.sleep(min(15, profile["day_wait"]))
    for server in servers:
        r = loaded[server.kind]
        r.update(day_rss_bytes=server.rss(), day_rss_per_series=server.rss() / r["day_series"],
                 day_vs_hour_rss=server.rss() / max(1, r["hour_rss_bytes"]),
                 day_rss_anon_per_series=server.rss("RssAnon") / r["day_series"],
                 day_rss_file_per_series=server.rss("RssFile") / r["day_series"],
                 day_disk_bytes_per_sample=server.disk_bytes() / r["day_samples"],
                 day_block_bytes_per_sample=server.disk_bytes(blocks_only=True) / r["day_samples"], day_blocks=server.blocks())
        server.stop()
    return loaded


def server_port(kind, fleet_port):
    return fleet_port - 100 if kind == "Prometheus" else fleet_port - 200


def run(kind, binary, profile, work, fleet_port):
    """Steady ingestion, queries and restart of one server against the fleet."""
    server = Server(kind, binary, work, server_port(kind, fleet_port), os.path.join(work, "prometheus.yml"), ["--log.level=warn"])
    print(f"{kind}: steady ingestion…", flush=True)
    result = steady(server, profile)
    print(f"{kind}: queries…", flush=True)
    result["queries_ms"] = queries(server, profile)
    print(f"{kind}: restart…", flush=True)
    result.update(restart(server))
    return result


def report(results, profile_name, profile):
    p, v = results["Prometheus"], results["Vigil"]
    rows = [
        ("CPU s per million samples ingested", "cpu_s_per_million", "{:.2f}"),
        ("samples ingested per second", "samples_per_s", "{:.0f}"),
        ("active series (steady)", "active_series", "{:.0f}"),
        ("RSS per active series, bytes (steady)", "rss_per_series", "{:.0f}"),
        ("bytes on disk per sample (steady, WAL)", "disk_bytes_per_sample", "{:.2f}"),
        ("RSS per series after a day of data, bytes", "day_rss_per_series", "{:.0f}"),
        ("RSS after the day / after its first hour", "day_vs_hour_rss", "{:.2f}"),
        ("  of which heap (RssAnon), bytes", "day_rss_anon_per_series", "{:.0f}"),
        ("  of which mapped files (RssFile), bytes", "day_rss_file_per_series", "{:.0f}"),
        ("bytes on disk per sample after a day (all)", "day_disk_bytes_per_sample", "{:.2f}"),
        ("bytes per sample in blocks after a day", "day_block_bytes_per_sample", "{:.2f}"),
        ("cold start → ready, s", "cold_ready_s", "{:.2f}"),
        ("restart → ready, s", "restart_ready_s", "{:.2f}"),
        ("restart → every series back, s", "restart_all_series_s", "{:.2f}"),
        ("shutdown, s", "shutdown_s", "{:.2f}"),
    ]
    lines = [f"side-by-side ({profile_name} profile: {profile['targets']} targets × {profile['series']} series every "
             f"{profile['interval']} s; a day of {profile['day_series']} series and {profile['day_histograms']} native histograms "
             f"at {profile['day_step']} s) on "
             f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.release()}",
             f"{'figure':<48}{'Prometheus':>14}{'Vigil':>14}{'Vigil/Prom':>12}"]
    for label, key, fmt in rows:
        ratio = v[key] / p[key] if p[key] else float("nan")
        lines.append(f"{label:<48}{fmt.format(p[key]):>14}{fmt.format(v[key]):>14}{ratio:>12.2f}")
    for name in p["queries_ms"]:
        a, b = p["queries_ms"][name], v["queries_ms"][name]
        lines.append(f"{'query ' + name + ', ms':<48}{a:>14.2f}{b:>14.2f}{b / a:>12.2f}")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--prometheus", default="/usr/bin/prometheus")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--fleet-port", type=int, default=21000)
    args = parser.parse_args()
    profile = PROFILES[args.profile]
    work = tempfile.mkdtemp(prefix="vigil-side-by-side-")
    write_config(os.path.join(work, "prometheus.yml"), profile, args.fleet_port)
    with open(os.path.join(work, "empty.yml"), "w") as f:
        f.write("scrape_configs: []\n")
    with open(os.path.join(work, "alertmanager.yml"), "w") as f:
        f.write("route: {receiver: quiet}\nreceivers: [{name: quiet}]\n")
    fleet = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fleet.py"),
                              str(args.fleet_port), str(profile["targets"]), str(profile["series"])], stdout=subprocess.PIPE)
    try:
        fleet.stdout.readline()
        results = {}
        binaries = (("Prometheus", args.prometheus), ("Vigil", args.vigil))
        for kind, binary in binaries:
            results[kind] = run(kind, binary, profile, work, args.fleet_port)
        print("both: a day of data by remote write…", flush=True)
        day_servers = []
        for kind, binary in binaries:
            server = Server(kind, binary, work, server_port(kind, args.fleet_port), os.path.join(work, "empty.yml"),
                            ["--log.level=warn", "--enable-feature=native-histograms"])
            server.data += "-day"
            day_servers.append(server)
        for kind, figures in day_of_data(day_servers, profile).items():
            results[kind].update(figures)
        report(results, args.profile, profile)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(dict(profile=args.profile, settings=profile, results=results), f, indent=2)
    finally:
        fleet.terminate()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
