#!/usr/bin/env bash
# Runs every test: installs the real peers the integration tests use, checks that every target
# declares what it imports, runs `swift test` (the suites that run several servers for a minute
# or more — remote write to real receivers, scale-out — after the others, so timing-sensitive
# tests do not share two cores with them), validates deploy/ (scripts/check-deploy.sh), then the
# load test alone, then fuzzes every parser of outside input for a few seconds on its committed
# corpus (scripts/fuzz.sh, in a debug build to keep CI quick).
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
  FUZZ_BUILD=debug scripts/fuzz.sh "${VIGIL_FUZZ_SECONDS:-5}"
fi
