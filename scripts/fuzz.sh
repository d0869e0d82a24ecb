#!/usr/bin/env bash
# Fuzzes the input parsers with libFuzzer: builds build-fuzz/ (clang++-14, ASan + UBSan, RTL
# off) and runs each target for SECONDS (default 600) from its seed corpus in
# tests/fuzz/corpus/<target>. Crashes, hangs (> 1 s per input) and oversized allocations are
# saved under out/fuzz/<target>/; new corpus entries go to out/fuzz/<target>/corpus.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: config npy dram_trace topology onnx)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-600}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(config npy dram_trace topology onnx)

need=()
command -v clang++-14 >/dev/null || need+=(clang-14)
ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
  need+=(libclang-rt-14-dev)
if ((${#need[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need[@]}" >/dev/null
fi

build="${SKIPSIM_FUZZ_BUILD_DIR:-$root/build-fuzz}"
export CCACHE_BASEDIR="$root"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSKIPSIM_FUZZ=ON -DSKIPSIM_RTL=OFF -DSKIPSIM_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

# A smaller ASan quarantine: recycling a large one stalls a process for seconds on a loaded
# machine, which libFuzzer reports as a hang. FUZZ_TIMEOUT: seconds an input may take.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32}
timeout=${FUZZ_TIMEOUT:-1}
status=0
for t in "${targets[@]}"; do
  max_len=4096
  [ "$t" = onnx ] && max_len=65536  # the seed models are a few KiB
  out="$root/out/fuzz/$t"
  mkdir -p "$out/corpus"
  echo "fuzz: $t for ${seconds}s (findings: $out)" >&2
  if ! "$build/tests/fuzz/fuzz_$t" "$out/corpus" "$root/tests/fuzz/corpus/$t" \
      -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -malloc_limit_mb=512 \
      -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$out/" >"$out/log.txt" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM: $(grep -m1 -E 'ERROR|SUMMARY|==' "$out/log.txt")" >&2
    status=1
  fi
  grep -E '^(stat::number_of_executed_units|Done )' "$out/log.txt" >&2 || true
done
exit $status
