#!/usr/bin/env bash
# The whole test suite: builds what is stale (installing what is missing), then the native Rust
# tests of the kernels and the vitest suites against both wasm builds.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/setup.sh --chromium  # the browser tests' Chromium (the build installs the rest)
bash scripts/build.sh
export PATH="$HOME/.cargo/bin:$PATH"
echo "[test] cargo test (native kernels)"
cargo test --workspace --release --quiet
echo "[test] package hygiene (publint, attw, size budget)"
node scripts/check-package.mjs
echo "[test] vitest (Node and Chromium, both wasm builds; the packed tarball in every runtime)"
npx vitest run
echo "[test] soak: 10,000 mixed calls within the wasm memory and RSS bounds"
node scripts/soak.mjs --quick
