#!/usr/bin/env bash
# Installs everything labelsmooth needs to build and test, idempotently.
#   bash scripts/setup.sh                 # what the build and the tests need
#   bash scripts/setup.sh --no-chromium   # what the build needs (scripts/build.sh: npm run demo, build)
#   bash scripts/setup.sh --chromium      # only what the tests add: rustfmt, clippy, Chromium (scripts/test.sh)
#   bash scripts/setup.sh --check [...]   # exit 0 when nothing is missing, 1 otherwise; writes nothing
# Each step says what it does, skips what is already there, and stops with a message that names
# the missing piece and how to get it. The choice of Rust toolchain for wasm32 is written to
# .toolchain/env (git-ignored), which the build sources.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
state_dir="$root/.toolchain"
check_only=0 build_steps=1 chromium_step=1
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    --no-chromium) chromium_step=0 ;;
    --chromium) build_steps=0 ;;
    *) echo "setup.sh: unknown option $arg (expected --check, --no-chromium or --chromium)" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }
missing() { if [ "$check_only" = 1 ]; then say "missing: $*"; exit 1; fi; }

export PATH="$HOME/.cargo/bin:$PATH"

# The wasm-bindgen version the crate is locked to: the CLI must be the same version.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock"
}

apt_ready=0
apt_install() {
  command -v apt-get >/dev/null || fail "apt-get not found: install $* with your system's package manager"
  if [ "$apt_ready" = 0 ]; then
    say "apt-get update"
    apt-get update -q >/dev/null
    apt_ready=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

if [ "$build_steps" = 1 ]; then
[ "$check_only" = 1 ] || mkdir -p "$state_dir"

# 1. A Rust toolchain that targets wasm32-unknown-unknown ------------------------------------
command -v cargo >/dev/null || fail "cargo not found: install Rust (rustup) first"

target_works() { # $1: toolchain env prefix ("" for the default)
  local dir
  dir=$(mktemp -d)
  printf '#[no_mangle]\npub extern "C" fn probe(x: f32) -> f32 { x * 2.0 }\n' >"$dir/probe.rs"
  env $1 rustc --target wasm32-unknown-unknown --crate-type cdylib -O -o "$dir/probe.wasm" "$dir/probe.rs" >/dev/null 2>&1
  local ok=$?
  rm -rf "$dir"
  return $ok
}

toolchain_env=""
# LABELSMOOTH_DEBIAN_TOOLCHAIN=1 skips rustup (to exercise the fallback on a machine where rustup works).
if [ "${LABELSMOOTH_DEBIAN_TOOLCHAIN:-0}" != 1 ] && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown && target_works ""; then
  say "wasm32 target: rustup's default toolchain has it"
elif [ "${LABELSMOOTH_DEBIAN_TOOLCHAIN:-0}" != 1 ] && [ "$check_only" = 0 ] && rustup target add wasm32-unknown-unknown >/dev/null 2>&1 && target_works ""; then
  say "wasm32 target: added with rustup"
else
  # rustup cannot download the target here: use Debian's rustc-web and build std for wasm32
  # from the source Debian ships (rust-web-src vendors std's dependencies).
  toolchain_env="RUSTUP_TOOLCHAIN=debian-web"
  # A linker for wasm32: wasm-ld on the PATH, or Debian's lld-22 (rust-web-llvm).
  if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust/library/vendor ] || { ! command -v wasm-ld >/dev/null && [ ! -e /usr/bin/lld-22 ]; }; then
    missing "Debian's rustc-web toolchain"
    apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
  fi
  [ -x /usr/bin/rustc ] || fail "/usr/bin/rustc missing after installing rustc-web"
  rustc_version=$(/usr/bin/rustc --version)
  stamp="/usr/lib/rustlib/wasm32-unknown-unknown/lib/.labelsmooth-std-built"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$rustc_version" ] && target_works "RUSTC=/usr/bin/rustc PATH=/usr/bin:$PATH"; then
    say "wasm32 std for $rustc_version: already built"
  else
    missing "wasm32 std for $rustc_version"
    say "building std for wasm32 with $rustc_version (about a minute)"
    scratch=$(mktemp -d)
    mkdir -p "$scratch/src" "$scratch/.cargo"
    printf '[package]\nname = "std-for-wasm32"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["cdylib"]\n[profile.release]\npanic = "abort"\n' >"$scratch/Cargo.toml"
    printf '#[no_mangle]\npub extern "C" fn probe(x: f32) -> f32 { x.sqrt() }\n' >"$scratch/src/lib.rs"
    printf '[source.crates-io]\nreplace-with = "debian-vendor"\n[source.debian-vendor]\ndirectory = "/usr/lib/rustlib/src/rust/library/vendor"\n' >"$scratch/.cargo/config.toml"
    (cd "$scratch" && RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTFLAGS= CARGO_TARGET_DIR="$scratch/target" \
      /usr/bin/cargo build --release --offline --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort >"$scratch/build.log" 2>&1) \
      || { tail -20 "$scratch/build.log" >&2; fail "building std for wasm32 failed (log above)"; }
    dest=/usr/lib/rustlib/wasm32-unknown-unknown/lib
    mkdir -p "$dest"
    rm -f "$dest"/*.rlib
    find "$scratch/target/wasm32-unknown-unknown/release/deps" -name '*.rlib' ! -name 'libstd_for_wasm32*' -exec cp {} "$dest/" \;
    echo "$rustc_version" >"$stamp"
    rm -rf "$scratch"
  fi
  if ! rustup toolchain list 2>/dev/null | grep -q '^debian-web'; then
    missing "the rustup toolchain debian-web (a link to /usr)"
    say "linking /usr as the rustup toolchain debian-web"
    rustup toolchain link debian-web /usr
  fi
  target_works "$toolchain_env" || fail "the debian-web toolchain still cannot build for wasm32"
  say "wasm32 target: Debian rustc-web ($rustc_version) as toolchain debian-web"
fi
# The build reads the choice from .toolchain/env: --check reports a missing or different one.
if [ "$(cat "$state_dir/env" 2>/dev/null || echo '<none>')" != "$toolchain_env" ]; then
  missing "the toolchain choice in .toolchain/env"
  printf '%s\n' "$toolchain_env" >"$state_dir/env"
fi

# 1b. std's source, for the threaded build (scripts/build.sh rebuilds std with atomics) ---------
if [ -z "$toolchain_env" ]; then
  if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library/std" ]; then
    say "rust-src (for the threaded build): installed"
  else
    missing "rust-src (rustup component, for the threaded build)"
    say "rustup component add rust-src"
    rustup component add rust-src >/dev/null || fail "rustup could not add rust-src (the threaded build rebuilds std from it)"
  fi
else
  # Debian's rust-web-src has std's source, but -Zbuild-std would also need its vendored
  # dependencies for the whole workspace: not supported.
  fail "the threaded build needs rustup's rust-src component: install Rust with rustup"
fi

# 2. wasm-bindgen-cli (same version as the crate) and wasm-pack -------------------------------
want_wbg=$(wasm_bindgen_version)
[ -n "$want_wbg" ] || fail "no wasm-bindgen in Cargo.lock"
have_wbg=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wbg" = "$want_wbg" ]; then
  say "wasm-bindgen-cli $want_wbg: installed"
else
  missing "wasm-bindgen-cli $want_wbg (have: ${have_wbg:-none})"
  say "cargo install wasm-bindgen-cli $want_wbg (a few minutes)"
  cargo install --locked --force wasm-bindgen-cli --version "$want_wbg" >"$state_dir/install-wasm-bindgen.log" 2>&1 \
    || { tail -15 "$state_dir/install-wasm-bindgen.log" >&2; fail "cargo install wasm-bindgen-cli $want_wbg failed (log above)"; }
fi
if command -v wasm-pack >/dev/null; then
  say "wasm-pack: $(wasm-pack --version)"
else
  missing "wasm-pack"
  say "cargo install wasm-pack (a few minutes)"
  cargo install --locked wasm-pack >"$state_dir/install-wasm-pack.log" 2>&1 \
    || { tail -15 "$state_dir/install-wasm-pack.log" >&2; fail "cargo install wasm-pack failed (log above)"; }
fi

# 3. npm dependencies (binaryen provides wasm-opt; rollup, vitest, typescript) ---------------
command -v npm >/dev/null || fail "npm not found: install Node.js 20 or later"
# package-lock.json records every workspace's dependencies: it alone says whether to reinstall.
lock_sum=$(sha256sum package-lock.json 2>/dev/null | cut -c1-16)
if [ -d node_modules ] && [ "$(cat node_modules/.labelsmooth-lock 2>/dev/null)" = "$lock_sum" ]; then
  say "npm dependencies: installed"
else
  missing "npm dependencies"
  say "npm ci"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >/dev/null; else npm install --no-audit --no-fund >/dev/null; fi
  sha256sum package-lock.json | cut -c1-16 >node_modules/.labelsmooth-lock
fi
fi # build steps

# 4. What only the tests need: rustfmt and clippy (npm test checks the Rust code with them), and
# Chromium for the browser tests (Debian's; no test tool may download a browser) ---------------
if [ "$chromium_step" = 1 ]; then
  if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
    say "rustfmt and clippy: present"
  else
    missing "rustfmt and clippy (rustup components)"
    say "rustup component add rustfmt clippy"
    rustup component add rustfmt clippy >/dev/null || fail "rustup could not add rustfmt and clippy"
  fi
  chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
  if [ -x "$chromium" ]; then
    say "chromium: $("$chromium" --version 2>/dev/null | head -n 1)"
  else
    missing "chromium (for the browser tests)"
    apt_install chromium fonts-dejavu-core
    [ -x "$chromium" ] || fail "chromium is still missing at $chromium after apt-get install chromium (set CHROMIUM_PATH to a Chromium binary)"
  fi
fi
say "ready"
