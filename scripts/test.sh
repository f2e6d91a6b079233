#!/usr/bin/env bash
# Runs every test: installs the real peers the integration tests use, checks that every target
# declares what it imports, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
python3 scripts/check-imports.py
swift test "$@"
