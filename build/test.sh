#!/usr/bin/env bash
# The README's test command (README, "The two commands"): sets up what the tests need on a fresh Debian/Ubuntu machine, builds
# the solution and runs the MSTest suite. Its last line is "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."

bash build/setup.sh || exit 2

log=$(mktemp)
dotnet test WideMinima.sln -c Release --no-progress 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints one summary block per test assembly; add them up.
awk '
  /^[[:space:]]*succeeded:[[:space:]]*[0-9]+/ { passed += $2 }
  /^[[:space:]]*failed:[[:space:]]*[0-9]+/    { failed += $2 }
  /^[[:space:]]*skipped:[[:space:]]*[0-9]+/   { skipped += $2 }
  END {
    line = sprintf("%d passed, %d failed", passed, failed)
    if (skipped > 0) line = line sprintf(", %d skipped", skipped)
    print line
  }' "$log" > "$log.summary"
rm -f "$log"
if [ "$status" -ne 0 ] && grep -q '^0 passed, 0 failed' "$log.summary"; then
  echo "The build or test run failed before any test ran (exit $status); see the output above." >&2
fi
cat "$log.summary"
rm -f "$log.summary"
exit "$status"
