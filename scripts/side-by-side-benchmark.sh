#!/usr/bin/env bash
# Runs the real Prometheus (Debian's package) and a release build of Vigil one after the other
# against the same synthetic fleet and prints every figure side by side, with the Vigil/Prometheus
# ratio (Benchmarks/SideBySide/side_by_side.py says what is measured).
#
#   scripts/side-by-side-benchmark.sh [quick|medium|full] [results.json]
#
# `full` (the default; about 40 minutes on two cores) is the README's performance table: about
# 200,000 active series scraped every 15 s. `medium` (about 100,000 series, a quarter of an
# hour) gives the same figures sooner. `quick` takes a few minutes. The test command runs
# the quick profile against its debug build, where only the memory and disk figures mean much.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/prometheus ] || scripts/install-test-deps.sh
profile=${1:-full}
swift build -c release --product vigil
args=(--vigil "$PWD/.build/release/vigil" --prometheus /usr/bin/prometheus --profile "$profile")
[ $# -gt 1 ] && args+=(--json "$2")
python3 Benchmarks/SideBySide/side_by_side.py "${args[@]}"
