#!/usr/bin/env bash
# Times a battery of PromQL queries on the same data in the real Prometheus (Debian's package) and
# in Vigil, side by side, and prints median latencies and ratios. Release builds; a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/prometheus ] || scripts/install-test-deps.sh
# curl times the requests (see QueryBenchmark.timed); QB_CLIENT=ahc times through AsyncHTTPClient.
if [ ! -x /usr/bin/curl ] && [ "$(id -u)" = 0 ]; then apt-get install -y -qq --no-install-recommends curl >/dev/null; fi
export VIGIL_BENCHMARKS=1
swift build -c release --scratch-path .build-bench --product vigil
swift build -c release --scratch-path .build-bench --product QueryBenchmark
.build-bench/release/QueryBenchmark "$PWD/.build-bench/release/vigil" /usr/bin/prometheus "${RUNS:-15}"
