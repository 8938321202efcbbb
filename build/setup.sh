#!/usr/bin/env bash
# One-time machine set-up shared by the README's commands: checks the .NET SDK and installs the
# Fashion-MNIST Debian package the integration tests read, ONNX's schema (libonnx-dev) that
# OnnxSchemaTests compares the exporter's own copy with, ONNX's Python checker (python3-onnx) for OnnxCheckerTests, and chromium for the dashboard's browser tests. Safe to run again; does nothing when all is there.
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH." >&2
  exit 2
fi

apt_install() {
  # Installs Debian packages when we can (root or sudo); returns non-zero when we cannot.
  command -v apt-get >/dev/null 2>&1 || return 1
  local sudo=""
  if [ "$(id -u)" != 0 ]; then command -v sudo >/dev/null 2>&1 && sudo="sudo" || return 1; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "$@" >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$@" >/dev/null; }
}

# ScottPlot draws its text with a system font; a minimal image may have none.
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list 2>/dev/null | head -1)" ] || ! command -v fc-list >/dev/null 2>&1; then
  apt_install fonts-dejavu-core fontconfig || echo "warning: no fonts found and apt-get is unavailable; plot text may not render." >&2
fi

# The native-load fix's tests compile small shared libraries with gcc.
if ! command -v gcc >/dev/null 2>&1; then
  apt_install gcc libc6-dev || echo "warning: gcc not found and apt-get is unavailable; the native-load fix's build tests will fail." >&2
fi

data=/usr/share/datasets/fashion-mnist
if [ ! -f "$data/t10k-labels-idx1-ubyte.gz" ] && [ -z "${WIDEMINIMA_FASHION_MNIST:-}" ]; then
  echo "Installing dataset-fashion-mnist (Fashion-MNIST IDX files under $data)..."
  apt_install dataset-fashion-mnist \
    || echo "warning: Fashion-MNIST not found at $data and apt-get is unavailable; set WIDEMINIMA_FASHION_MNIST to a folder with the four IDX files." >&2
fi

# The build does not need it (the exporter compiles its own copy of the schema); OnnxSchemaTests checks that
# copy field by field against ONNX's full onnx.proto.
if [ ! -f /usr/include/onnx/onnx.proto ]; then
  echo "Installing libonnx-dev (ONNX's onnx.proto at /usr/include/onnx)..."
  apt_install libonnx-dev \
    || echo "warning: /usr/include/onnx/onnx.proto is missing and apt-get is unavailable; OnnxSchemaTests will fail until libonnx-dev is installed." >&2
fi

# OnnxCheckerTests run every exported architecture through ONNX's own checker (onnx.checker.check_model with
# full_check) and strict shape inference: Debian's python3-onnx, for the system interpreter /usr/bin/python3.
if ! /usr/bin/python3 -c 'import onnx' >/dev/null 2>&1; then
  echo "Installing python3-onnx (ONNX's checker and shape inference, for /usr/bin/python3)..."
  apt_install python3-onnx \
    || echo "warning: python3-onnx is missing and apt-get is unavailable; OnnxCheckerTests will fail until it is installed." >&2
fi

# The shared-ledger tests start a private PostgreSQL 15 server (initdb into a temporary folder); the Slurm test starts
# a one-node Slurm 22.05 cluster (slurmctld, slurmd, munge). Installed here when missing; the tests start and stop them.
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "Installing PostgreSQL 15 (for the shared-ledger tests)..."
  apt_install postgresql || echo "warning: PostgreSQL 15 is missing and apt-get is unavailable; the PostgreSQL tests will fail." >&2
fi
# The dashboard's browser tests drive Debian's chromium with Playwright (which cannot download its own browsers here).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing chromium (for the dashboard's browser tests)..."
  apt_install chromium || echo "warning: /usr/bin/chromium is missing and apt-get is unavailable; the dashboard's browser tests will fail." >&2
fi
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1; then
  echo "Installing Slurm and munge (for the Slurm launcher test)..."
  apt_install slurmctld slurmd slurm-client munge || echo "warning: Slurm is missing and apt-get is unavailable; the Slurm test will fail." >&2
fi
