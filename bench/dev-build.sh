#!/usr/bin/env bash
# Dev helper for kernel tuning: builds both wasm flavours into target/perf-out/{simd128,scalar}
# (wasm-bindgen glue + wasm-opt -O3) without touching packages/labelsmooth. Not used by the benchmark.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
for flavour in simd128 scalar; do
  flags=""; [ "$flavour" = simd128 ] && flags="-C target-feature=+simd128"
  RUSTFLAGS="$flags" CARGO_TARGET_DIR="$root/target/perf-$flavour" cargo build -q --release --target wasm32-unknown-unknown -p labelsmooth-wasm
  out="$root/target/perf-out/$flavour"; mkdir -p "$out"
  wasm-bindgen --target web --no-typescript --omit-default-module-path --out-dir "$out" --out-name labelsmooth_wasm "$root/target/perf-$flavour/wasm32-unknown-unknown/release/labelsmooth_wasm.wasm"
  wasm-opt -O3 --strip-debug "$out/labelsmooth_wasm_bg.wasm" -o "$out/labelsmooth_wasm_bg.wasm"
done
