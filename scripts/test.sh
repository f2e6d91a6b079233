#!/usr/bin/env bash
# Runs every test: installs the real peers the integration tests use, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
swift test "$@"
