#!/usr/bin/env bash
# Builds the npm package in packages/labelsmooth:
#   1. wasm-pack builds crates/wasm twice, with +simd128 and without, into packages/labelsmooth/wasm/
#   2. wasm-opt (npm package binaryen) shrinks and speeds up both
#   3. rollup bundles the TypeScript (ESM, CJS, .d.ts) with both .wasm files inlined
# Steps whose inputs are older than their outputs are skipped; --force rebuilds everything.
#   bash scripts/build.sh [--quiet] [--force]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
quiet=0 force=0
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=1 ;;
    --force) force=1 ;;
    *) echo "build.sh: unknown option $arg (expected --quiet or --force)" >&2; exit 2 ;;
  esac
done
say() { [ "$quiet" = 1 ] || printf '[build] %s\n' "$*"; }

# One build at a time: concurrent builds would overwrite each other's outputs.
mkdir -p "$root/target"
exec 9>"$root/target/.build.lock"
flock 9

# Install what is missing (quietly when everything is there).
if ! bash scripts/setup.sh --check >/dev/null 2>&1; then bash scripts/setup.sh; fi
# The toolchain setup chose for wasm32 (empty when rustup's default has the target).
toolchain_env=$(cat .toolchain/env 2>/dev/null || true)
[ -n "$toolchain_env" ] && export "${toolchain_env?}"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"

pkg=packages/labelsmooth
# stale OUTPUT INPUT...: true when OUTPUT is missing or any file under INPUT... is newer.
stale() {
  local out=$1; shift
  [ "$force" = 1 ] || [ ! -e "$out" ] || [ -n "$(find "$@" -type f -newer "$out" 2>/dev/null | head -n 1)" ]
}

build_wasm() { # $1: flavour (simd | scalar), $2: RUSTFLAGS
  local flavour=$1 rustflags=$2 out="$root/$pkg/wasm/$1"
  if ! stale "$out/labelsmooth_wasm_bg.wasm" crates Cargo.toml Cargo.lock scripts/build.sh; then
    say "wasm ($flavour): up to date"
    return
  fi
  say "wasm ($flavour): wasm-pack build"
  rm -rf "$out"
  local log="$root/target/wasm-$flavour.log"
  mkdir -p "$root/target"
  if ! RUSTFLAGS="$rustflags" CARGO_TARGET_DIR="$root/target/wasm-$flavour" \
    wasm-pack --log-level warn build crates/wasm --release --target web --no-pack --no-typescript \
    --out-dir "$out" --out-name labelsmooth_wasm >"$log" 2>&1; then
    cat "$log" >&2
    echo "[build] wasm-pack failed for the $flavour build (output above)" >&2
    exit 1
  fi
  [ "$quiet" = 1 ] || grep -v '^ *Compiling' "$log" || true
  say "wasm ($flavour): wasm-opt -O3"
  wasm-opt -O3 --strip-debug "$out/labelsmooth_wasm_bg.wasm" -o "$out/labelsmooth_wasm_bg.wasm"
  rm -f "$out/.gitignore"
}
build_wasm simd "-C target-feature=+simd128"
build_wasm scalar ""

if stale "$pkg/dist/index.mjs" "$pkg/src" "$pkg/wasm" "$pkg/package.json" rollup.config.mjs; then
  say "rollup: bundling ESM, CJS and .d.ts"
  rollup -c rollup.config.mjs --silent
  chmod +x "$pkg/dist/cli.mjs"
else
  say "rollup: up to date"
fi
say "done: $pkg/dist"
