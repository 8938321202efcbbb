#!/usr/bin/env bash
# The README's main command (README, "The two commands"; the console: docs/guide/sweeps.md): builds the sweep console and runs it. With no arguments it runs the quick
# preset into sweeps/quick; any arguments go to the console (e.g. 'status --out sweeps/quick').
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
if [ $# -eq 0 ]; then
  set -- run --preset quick --out sweeps/quick
fi
exec dotnet run --project src/WideMinima.Sweeps -c Release -- "$@"
