#!/usr/bin/env bash
# Runs every test: installs the real peers the integration tests use, checks that every target
# declares what it imports, runs `swift test`, validates deploy/ (scripts/check-deploy.sh), then the load test alone, then fuzzes every parser of outside input for a
# few seconds on its committed corpus (scripts/fuzz.sh, in a debug build to keep CI quick).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
python3 scripts/check-imports.py
swift test "$@"
if [ $# -eq 0 ]; then
  scripts/check-deploy.sh
  # The load test wants the machine to itself: alone, after the others.
  VIGIL_LOAD_TEST=1 swift test --skip-build --filter LoadIntegrationTests
  FUZZ_BUILD=debug scripts/fuzz.sh "${VIGIL_FUZZ_SECONDS:-5}"
fi
