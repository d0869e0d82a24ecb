#!/usr/bin/env bash
# The whole test suite: install what is missing, build, run every test with ctest.
# With SKIPSIM_SANITIZE=1 (set by .ci/run) the unit and system tests first run once more built
# with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ (RTL off); any report fails.
# The plain suite runs last, so its ctest summary ends the output.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"

if [ "${SKIPSIM_SANITIZE:-0}" = 1 ]; then
  asan="${SKIPSIM_ASAN_BUILD_DIR:-$root/build-asan}"
  mkdir -p "$asan"
  echo "test: building the sanitizer suite in $asan" >&2
  export CCACHE_BASEDIR="$root"
  if ! { cmake -S "$root" -B "$asan" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 \
           -DSKIPSIM_SANITIZE=ON -DSKIPSIM_RTL=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache &&
         cmake --build "$asan" -j "$(nproc)"; } >"$asan/build.log" 2>&1; then
    tail -n 40 "$asan/build.log" >&2
    echo "test: sanitizer build failed (full log: $asan/build.log)" >&2
    exit 1
  fi
  # Children (the skipsim binary some tests spawn) inherit these and are checked too.
  export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
  # Left out: the install check, whose outside project links the sanitized library without
  # the sanitizer runtime (nothing of skipsim's to check there).
  (cd "$asan" && ctest --output-on-failure -j "$(nproc)" -L 'unit|system' \
     -E "${SKIPSIM_ASAN_EXCLUDE:-^Install\.ExampleOutsideProject$}" --timeout 600)
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi

cd "${SKIPSIM_BUILD_DIR:-$root/build}"
exec ctest --output-on-failure -j "$(nproc)" "$@"
