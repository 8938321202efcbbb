#!/usr/bin/env bash
# Packs the three NuGet packages into DIR (default artifacts/packages):
#   WideMinima          the TorchSharp-only core (carries the Linux native-load fix in buildTransitive)
#   WideMinima.MLNet    the ML.NET trainer, transformer and data loaders
#   WideMinima.Sweeps   the sweep console as a .NET tool, command `wideminima` (one small package that points to one
#                       package per platform: WideMinima.Sweeps.linux-x64, .win-x64, .osx-arm64)
# each with its .snupkg symbols package. Any further arguments go to `dotnet pack`, e.g.
#   bash build/pack.sh out -p:VersionSuffix=rc.1                      -> 0.1.0-rc.1
#   bash build/pack.sh out -p:ToolPackageRuntimeIdentifiers=linux-x64 -> the tool for linux-x64 only (faster)
# Use DIR as a package source: dotnet add package WideMinima.MLNet --source DIR
#                              dotnet tool install -g WideMinima.Sweeps --add-source DIR
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-artifacts/packages}
[ $# -gt 0 ] && shift
mkdir -p "$out"
out=$(cd "$out" && pwd)

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH." >&2
  exit 2
fi

# ContinuousIntegrationBuild: deterministic paths in the PDBs (/_/src/...), which SourceLink maps to the repository.
for project in src/WideMinima src/WideMinima.MLNet src/WideMinima.Sweeps; do
  dotnet pack "$project" -c Release --nologo -o "$out" -p:ContinuousIntegrationBuild=true "$@"
done

echo "Packages in $out:"
(cd "$out" && ls -1 WideMinima*.nupkg WideMinima*.snupkg 2>/dev/null | sed 's/^/  /')
