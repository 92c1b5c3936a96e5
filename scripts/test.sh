#!/usr/bin/env bash
# The whole test suite: builds what is stale (installing what is missing), then the native Rust
# tests of the kernels, the package checks and the vitest projects (test/README.md), and a soak.
# The package is packed once; the package checks and the runtime tests both use that tarball.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/setup.sh --chromium  # what only the tests need (the build installs the rest)
bash scripts/build.sh
export PATH="$HOME/.cargo/bin:$PATH"
echo "[test] habits: cargo fmt --check, cargo clippy -D warnings, tsc over the package and the tests, no repeated code"
cargo fmt --check
cargo clippy --workspace --all-targets --release --quiet -- -D warnings
npx tsc --noEmit -p .
node scripts/check-duplicates.mjs
echo "[test] cargo test (native kernels)"
cargo test --workspace --release --quiet
pack_dir=$(mktemp -d)
trap 'rm -rf "$pack_dir"' EXIT
echo "[test] npm pack (once, for the package checks and the runtime tests)"
tarball=$(cd packages/labelsmooth && npm pack --json --pack-destination "$pack_dir" | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s)[0].filename))')
export LABELSMOOTH_TARBALL="$pack_dir/$tarball"
echo "[test] package hygiene (publint, attw, size budget)"
node scripts/check-package.mjs
echo "[test] vitest (Node per build and once, Chromium per build; the packed tarball in every runtime)"
npx vitest run
echo "[test] soak: 10,000 mixed calls within the wasm memory and RSS bounds"
node scripts/soak.mjs --quick
echo "[test] soak: the same 10,000 calls over a pool of 2 threads"
node scripts/soak.mjs --quick --threads 2
