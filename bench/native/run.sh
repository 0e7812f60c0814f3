#!/usr/bin/env bash
# Native calibration of the portfolio benchmark (a): dumps its inputs and the kernels' outputs, builds
# bench/native/reference.c with -O3 and runs it. Needs gcc or clang (Debian: apt-get install gcc).
set -euo pipefail
cd "$(dirname "$0")/../.."
CC=${CC:-$(command -v gcc || command -v clang || true)}
[ -n "$CC" ] || { echo "bench:native needs a C compiler (gcc or clang)" >&2; exit 1; }
mkdir -p build
npx esbuild bench/native/dump-inputs.ts --bundle --platform=node --format=esm --log-level=warning --outfile=build/native-dump.mjs
node build/native-dump.mjs build/native-inputs.bin
"$CC" -O3 -Wall -Wextra -o build/native-reference bench/native/reference.c -lm
./build/native-reference build/native-inputs.bin
