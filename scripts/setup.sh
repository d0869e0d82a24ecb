#!/usr/bin/env bash
# Installs the Debian packages skipsim needs (only those missing) and configures + builds
# build/. Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(build-essential cmake pkg-config libsystemc-dev libyaml-cpp-dev libfmt-dev
          nlohmann-json3-dev libcli11-dev googletest libgtest-dev
          verilator python3 python3-numpy python3-matplotlib python3-yaml ccache
          libonnx-dev libprotobuf-dev python3-onnx
          slurm-wlm munge)  # for `sweep --slurm` and its one-machine test cluster
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

build="${SKIPSIM_BUILD_DIR:-$root/build}"
mkdir -p "$build"
log="$build/setup.log"
# The build's own output goes to a log; on failure its tail is shown.
# ccache keeps repeated builds short; paths below the checkout are hashed relative to it, so
# another clone of the same commit hits the same cache.
export CCACHE_BASEDIR="$root"
if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${SKIPSIM_BUILD_TYPE:-Release}" \
         -DCMAKE_CXX_COMPILER_LAUNCHER=ccache &&
       cmake --build "$build" -j "$(nproc)"; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "setup: build failed (full log: $log)" >&2
  exit 1
fi
echo "setup: build/skipsim is up to date" >&2
