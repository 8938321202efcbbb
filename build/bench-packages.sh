#!/usr/bin/env bash
# The package benchmarks of docs/benchmarks.md: package sizes, and a consumer's cold restore and build.
#   bash build/bench-packages.sh [FEED]      (FEED: a folder packed by build/pack.sh; default artifacts/packages)
# Cold: an empty NuGet package folder (NUGET_PACKAGES) and an empty HTTP cache (NUGET_HTTP_CACHE_PATH), so every
# dependency is downloaded from the feeds (FEED for WideMinima, nuget.org for the rest), as on a fresh machine or
# CI runner. Warm: the same restore again with the package folder filled. Each consumer is `dotnet new console` plus one package, in a temporary folder outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
feed=$(cd "${1:-artifacts/packages}" && pwd)
version=$(ls "$feed"/WideMinima.MLNet.*.nupkg | sed -E 's|.*/WideMinima\.MLNet\.(.*)\.nupkg|\1|' | head -1)
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1

echo "Packages in $feed (version $version):"
(cd "$feed" && ls -l *.nupkg *.snupkg | awk '{ printf "  %-52s %10.1f KiB  %8.1f MiB\n", $9, $5 / 1024, $5 / 1048576 }')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="wideminima" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
</configuration>
XML
echo '<Project />' > "$work/Directory.Build.props"
echo '<Project />' > "$work/Directory.Build.targets"

seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }'
}

for package in WideMinima.MLNet WideMinima; do
  app="$work/app-$package"
  dotnet new console -o "$app" --no-restore > /dev/null
  (cd "$app" && dotnet add package "$package" --version "$version" --no-restore > /dev/null)
  export NUGET_PACKAGES="$work/cache-$package" NUGET_HTTP_CACHE_PATH="$work/http-$package"
  cold=$(seconds dotnet restore "$app")
  build=$(seconds dotnet build "$app" -c Release --no-restore)
  output=$(du -sm "$app/bin" | cut -f1)
  rm -rf "$app/obj" "$app/bin"
  warm=$(seconds dotnet restore "$app")
  cache=$(du -sm "$NUGET_PACKAGES" | cut -f1)
  printf '%-17s cold restore %6.1f s (%5d MiB of packages), then build %5.1f s (%5d MiB output); warm restore %4.1f s\n' \
    "$package" "$cold" "$cache" "$build" "$output" "$warm"
  unset NUGET_PACKAGES NUGET_HTTP_CACHE_PATH
done

export NUGET_PACKAGES="$work/cache-tool" NUGET_HTTP_CACHE_PATH="$work/http-tool"
tool=$(seconds dotnet tool install --tool-path "$work/tools" --add-source "$feed" --configfile "$work/NuGet.config" WideMinima.Sweeps --version "$version")
printf '%-17s dotnet tool install (cold) %5.1f s, %d MiB installed\n' WideMinima.Sweeps "$tool" "$(du -sm "$work/tools" | cut -f1)"
