#!/usr/bin/env bash
# Builds the npm package in packages/labelsmooth:
#   0. crates/abi renders the wasm interface's JavaScript side (packages/labelsmooth/src/wasm-interface.generated.ts)
#   1. wasm-pack builds crates/wasm four times: +simd128, +simd128,+relaxed-simd, without SIMD, and
#      threaded (+simd128 +atomics, shared memory), into packages/labelsmooth/wasm/
#   2. wasm-opt (npm package binaryen) shrinks and speeds up each
#   3. rollup bundles the TypeScript (ESM, CJS, .d.ts) with the three single-thread .wasm files
#      inlined; the threaded one is a file beside the bundle
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

export PATH="$HOME/.cargo/bin:$PATH"
# What setup.sh checked, in a form that costs no compile: the toolchain choice, that toolchain's
# rustc (version, host, LLVM) and its wasm32 std, the tools, the npm lockfile, setup.sh itself.
setup_key() {
  local tc
  tc=$(cat .toolchain/env 2>/dev/null || echo '<none>')
  {
    echo "$tc"
    env $tc rustc -vV 2>&1
    ls "$(env $tc rustc --print sysroot 2>/dev/null)/lib/rustlib/wasm32-unknown-unknown/lib" 2>&1
    wasm-bindgen --version 2>&1
    wasm-pack --version 2>&1
    cat node_modules/.labelsmooth-lock 2>&1
    sha256sum package-lock.json scripts/setup.sh 2>&1
  } | sha256sum | cut -c1-16
}
# Install what the build needs when something changed since the last check; Chromium is only for
# the browser tests (scripts/test.sh installs it). A build with nothing changed compiles no probe.
if [ "$(cat .toolchain/checked 2>/dev/null)" != "$(setup_key)" ]; then
  if ! bash scripts/setup.sh --check --no-chromium >/dev/null 2>&1; then bash scripts/setup.sh --no-chromium; fi
  setup_key >.toolchain/checked
fi
# The toolchain setup chose for wasm32 (empty when rustup's default has the target).
toolchain_env=$(cat .toolchain/env 2>/dev/null || true)
[ -n "$toolchain_env" ] && export "${toolchain_env?}"
export PATH="$root/node_modules/.bin:$PATH"

pkg=packages/labelsmooth
# stale OUTPUT INPUT...: true when OUTPUT is missing or any file under INPUT... is newer.
stale() {
  local out=$1; shift
  [ "$force" = 1 ] || [ ! -e "$out" ] || [ -n "$(find "$@" -type f -newer "$out" 2>/dev/null | head -n 1)" ]
}

# The JavaScript side of the wasm interface, rendered from crates/abi (committed; rendered again
# here so that a build never pairs a module with another interface's records).
if stale "$pkg/src/wasm-interface.generated.ts" crates/abi; then
  say "wasm interface: rendering its JavaScript side from crates/abi"
  cargo run --quiet -p labelsmooth-abi --bin generate-wasm-interface >/dev/null
  touch "$pkg/src/wasm-interface.generated.ts"
fi

# Panic locations name source files, and a .wasm ships them: rename the toolchain's sources and
# the dependencies' download directory so that no path of this machine (nor the registry's
# directory name) is in a shipped build (scripts/check-package.mjs checks it).
remap_paths="--remap-path-prefix=$(rustc --print sysroot)=/rust-sysroot --remap-path-prefix=$root=."
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  [ -d "$dir" ] && remap_paths+=" --remap-path-prefix=${dir%/}=/crates"
done

build_wasm() { # $1: flavour, named as the build it is (simd128 | relaxed-simd | scalar | threads), $2: RUSTFLAGS, $3…: cargo arguments
  local flavour=$1 rustflags=$2 out="$root/$pkg/wasm/$1"
  shift 2
  if ! stale "$out/labelsmooth_wasm_bg.wasm" crates Cargo.toml Cargo.lock scripts/build.sh scripts/lib/wasm-rewrite.mjs; then
    say "wasm ($flavour): up to date"
    return
  fi
  say "wasm ($flavour): wasm-pack build"
  rm -rf "$out"
  local log="$root/target/wasm-$flavour.log"
  mkdir -p "$root/target"
  if ! RUSTFLAGS="$rustflags $remap_paths" CARGO_TARGET_DIR="$root/target/wasm-$flavour" \
    wasm-pack --log-level warn build crates/wasm --release --target web --no-pack --no-typescript \
    --out-dir "$out" --out-name labelsmooth_wasm -- "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "[build] wasm-pack failed for the $flavour build (output above)" >&2
    exit 1
  fi
  [ "$quiet" = 1 ] || grep -v '^ *Compiling' "$log" || true
  say "wasm ($flavour): wasm-opt -O3"
  wasm-opt -O3 --strip-debug "$out/labelsmooth_wasm_bg.wasm" -o "$out/labelsmooth_wasm_bg.wasm"
  if [ "$flavour" = relaxed-simd ]; then
    # Its max and min as the pmax/pmin they compute, which LLVM will not emit with relaxed SIMD on
    # (scripts/lib/wasm-rewrite.mjs, crates/kernels/src/vector/relaxed_simd.rs): the same bits.
    say "wasm ($flavour): max and min as f32x4.pmax/pmin"
    say "$(node scripts/lib/wasm-rewrite.mjs pmax "$pkg/wasm/$flavour/labelsmooth_wasm_bg.wasm")"
  fi
  rm -f "$out/.gitignore"
}
build_wasm simd128 "-C target-feature=+simd128"
build_wasm relaxed-simd "-C target-feature=+simd128,+relaxed-simd"
build_wasm scalar ""
# The threaded build (docs/architecture.md, "Threads"): simd128 with atomics on one shared,
# imported memory (4 GiB at most, as the other builds), so that worker threads run the same
# module on the same memory. std must be rebuilt with atomics (rust-src, setup.sh): its
# allocator then takes a lock, and wasm-bindgen's thread transform gives each thread a stack.
RUSTC_BOOTSTRAP=1 build_wasm threads "-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128 \
-C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size -C link-arg=--export=__tls_align \
-C link-arg=--export=__tls_base" -Zbuild-std=std,panic_abort

if stale "$pkg/dist/index.mjs" "$pkg/src" "$pkg/wasm" "$pkg/package.json" rollup.config.mjs; then
  say "rollup: bundling ESM, CJS and .d.ts"
  rollup -c rollup.config.mjs --silent
  chmod +x "$pkg/dist/cli.mjs"
else
  say "rollup: up to date"
fi
say "done: $pkg/dist"
