#!/usr/bin/env bash
# The README's test command: install what is missing, build the release and the sanitizer (ASan+UBSan)
# configurations, and run the whole test suite in both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
jobs=${JOBS:-$(nproc)}
status=0
for flavour in release asan; do
  "$root/scripts/build.sh" "$flavour"
  # Cached pretrained weights for the model-pair tests (a no-op when up to date; ~2 min when not).
  if [ "$flavour" = release ]; then "$root/scripts/pretrain.sh" "$root/build/release"; fi
  echo "== ctest ($flavour) ==" >&2
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd "$root/build/$flavour" && ctest --output-on-failure -j "$jobs") || status=1
done
exit $status
