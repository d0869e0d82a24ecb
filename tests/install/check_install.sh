#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, builds examples/skip_fifo_tb against it as an
# outside project would (find_package(skipsim), skipsim::hw) and runs it; then runs the
# installed skipsim from another folder with the installed configs only.
# Usage: check_install.sh CMAKE BUILD_DIR SOURCE_DIR SCRATCH
set -euo pipefail
cmake_bin=$1 build=$2 src=$3 scratch=$4
rm -rf "$scratch"
mkdir -p "$scratch"
"$cmake_bin" --install "$build" --prefix "$scratch/prefix" >"$scratch/install.log"
"$cmake_bin" -S "$src/examples/skip_fifo_tb" -B "$scratch/example" \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" >"$scratch/configure.log"
"$cmake_bin" --build "$scratch/example" >"$scratch/build.log"
"$scratch/example/skip_fifo_tb"
cd "$scratch"
env -u SKIPSIM_CONFIG_DIR "$scratch/prefix/bin/skipsim" run -q \
  --config "$scratch/prefix/share/skipsim/configs/workloads/tiny_basic.yaml"
echo "installed skipsim ran with its installed configs"
