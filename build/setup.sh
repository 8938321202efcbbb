#!/usr/bin/env bash
# One-time machine set-up shared by the README's commands: checks the .NET SDK and installs the
# Fashion-MNIST Debian package the integration tests read. Safe to run again; does nothing when all is there.
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH." >&2
  exit 2
fi

data=/usr/share/datasets/fashion-mnist
if [ ! -f "$data/t10k-labels-idx1-ubyte.gz" ] && [ -z "${WIDEMINIMA_FASHION_MNIST:-}" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing dataset-fashion-mnist (Fashion-MNIST IDX files under $data)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q dataset-fashion-mnist >/dev/null; }
  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    sudo apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 \
      || { sudo apt-get update -q >/dev/null && sudo apt-get install -y -q dataset-fashion-mnist >/dev/null; }
  else
    echo "warning: Fashion-MNIST not found at $data and apt-get is unavailable; set WIDEMINIMA_FASHION_MNIST to a folder with the four IDX files." >&2
  fi
fi
