#!/usr/bin/env bash
# Fuzzes Vigil's parsers of outside input with libFuzzer and AddressSanitizer.
#
#   scripts/fuzz.sh [seconds-per-target] [target ...]
#
# Builds the harness (Fuzz/VigilFuzz, release, `-sanitize=fuzzer,address`) in its own
# .build-fuzz, then runs each target (all by default) for the given seconds (default 60),
# starting from its committed seed corpus in Fuzz/Corpus/<target>. New interesting inputs go to
# a scratch corpus, so the committed one only changes when you copy a finding in. A crash, a
# hang (over 10 s on one input) or a memory blow-up (over 2 GiB) fails the run, leaves the input
# in .build-fuzz/findings/<target>/ and prints the report's head and the input (base64), so a
# finding in CI can be reproduced from its log; turn it into a regression test and a seed.
# FUZZ_BUILD=debug builds in .build-fuzz-debug instead (the test command does, to stay quick).
# The test command runs this for a few seconds per target; the long run is documented in the
# README ("Security").
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in Fuzz/Corpus/*/; do targets+=("$(basename "$d")"); done
fi

# FUZZ_BUILD=debug (what the test command uses) builds in half the time and runs slower;
# long runs want the default, release.
build=${FUZZ_BUILD:-release}
scratch_root=.build-fuzz
[ "$build" = release ] || scratch_root=.build-fuzz-$build
mkdir -p "$scratch_root"
build_log=$scratch_root/build.log
# A failed build must stop here: fuzzing the binary of an earlier build would test old code.
if ! VIGIL_FUZZ=1 swift build -c "$build" --scratch-path "$scratch_root" -Xswiftc -sanitize=fuzzer,address --product VigilFuzz > "$build_log" 2>&1; then
  grep -E "error" "$build_log" >&2 || tail -20 "$build_log" >&2
  echo "fuzz: the harness did not build" >&2
  exit 1
fi
grep -E "Compiling VigilFuzz|Build complete" "$build_log" || true
bin=$scratch_root/$build/VigilFuzz
[ -x "$bin" ] || { echo "fuzz: the harness did not build" >&2; exit 1; }

# Swift's own crash backtracer trips AddressSanitizer; let ASan report the trap.
export SWIFT_BACKTRACE=enable=no
failed=0
printf '%-24s %12s %10s  %s\n' target executions exec/s result
for t in "${targets[@]}"; do
  [ -d "Fuzz/Corpus/$t" ] || { echo "fuzz: no corpus for target $t" >&2; failed=1; continue; }
  scratch=$scratch_root/corpus/$t
  findings=$scratch_root/findings/$t
  mkdir -p "$scratch" "$findings"
  log=$scratch_root/fuzz-$t.log
  status=0
  VIGIL_FUZZ_TARGET=$t "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$scratch" "Fuzz/Corpus/$t" > "$log" 2>&1 || status=$?
  # A run that crashed at once has no statistics: that must not end the script here.
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
  rate=$(grep -Eo 'exec/s: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
  if [ "$status" -eq 0 ]; then
    result=ok
  else
    result="FAILED (exit $status): $(ls -t "$findings" | head -1) — see $log"
    failed=1
  fi
  printf '%-24s %12s %10s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "$result"
  if [ "$status" -ne 0 ]; then
    # CI keeps only this output: the report's head and the input itself, so the finding can be
    # reproduced from the log alone (base64 -d > input; VIGIL_FUZZ_TARGET=$t VigilFuzz input).
    grep -m1 -A14 -E "ERROR: (AddressSanitizer|libFuzzer)|Fatal error|deadly signal" "$log" | sed 's/^/    /' || true
    input=$(ls -t "$findings" | head -1)
    if [ -n "$input" ]; then
      echo "    input ($(wc -c < "$findings/$input") bytes, first 4 KiB as base64):"
      head -c 4096 "$findings/$input" | base64 -w 0 | sed 's/^/    /'
      echo
    fi
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: findings above; each becomes a regression test" >&2
  exit 1
fi
echo "fuzz: $((${#targets[@]})) passed, 0 failed"
