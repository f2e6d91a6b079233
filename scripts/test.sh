#!/usr/bin/env bash
# Runs every test: installs the real peers the integration tests use, checks that every target
# declares what it imports, runs `swift test` (the suites that run several servers for a minute
# or more — remote write to real receivers, scale-out — after the others, so timing-sensitive
# tests do not share two cores with them), validates deploy/ (scripts/check-deploy.sh), then the
# load test alone, the quick side-by-side benchmark against the real Prometheus (figures only),
# then fuzzes every parser of outside input for a few seconds on its committed corpus
# (scripts/fuzz.sh, in a debug build to keep CI quick).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
python3 scripts/check-imports.py
heavy="RemoteWriteSenderIntegrationTests|ScaleOutIntegrationTests"
if [ $# -eq 0 ]; then
  swift test --skip "$heavy"
  swift test --skip-build --filter "$heavy"
else
  swift test "$@"
fi
if [ $# -eq 0 ]; then
  scripts/check-deploy.sh
  # The load test wants the machine to itself: alone, after the others.
  VIGIL_LOAD_TEST=1 swift test --skip-build --filter LoadIntegrationTests
  # Prints figures beside the real Prometheus; judges nothing. A debug build: only its memory and
  # disk figures mean much (scripts/side-by-side-benchmark.sh measures a release build).
  echo "side-by-side benchmark, quick profile, Vigil's debug build:"
  python3 Benchmarks/SideBySide/side_by_side.py --vigil "$(swift build --show-bin-path)/vigil" --profile quick
  FUZZ_BUILD=debug scripts/fuzz.sh "${VIGIL_FUZZ_SECONDS:-5}"
fi
