#!/usr/bin/env bash
# leadflow entry point. On a fresh Debian 12 machine:
#   ./run.sh demo [DIR]   install missing packages, build, generate + import a demo
#                         workspace, print the headline report, write report.html
#   ./run.sh test         install missing packages, build normal + ASan/UBSan, run
#                         the whole suite with ctest on both builds
#   ./run.sh build        just the normal build (build/release/leadflow)
#   ./run.sh bench [N]    the benchmark harness (bench/run.sh), N leads
#   ./run.sh docs         regenerate docs/reports.md from the reports' definitions
#   ./run.sh package      a Debian package (build/release/leadflow_VERSION_ARCH.deb):
#                         binary, man page, completion, docs, systemd unit
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

BUILD_PKGS=(gcc make cmake ninja-build pkg-config libsqlite3-dev sqlite3 libyaml-dev
            libjansson-dev libmicrohttpd-dev tzdata libcurl4-openssl-dev libssl-dev
            libpq-dev)
# tests of the HTML report: validity (tidy), a headless browser (chromium, python3 for
# its DevTools client, a font for the screenshots)
TEST_PKGS=(libcriterion-dev tidy chromium python3 fonts-dejavu-core clang libclang-rt-14-dev)
# tests of the docs and the packaging: the man page (groff, man), bash completion, the
# .deb built with cpack (dpkg-dev: dpkg-shlibdeps) and unpacked with dpkg -x
TEST_PKGS+=(groff-base man-db bash-completion dpkg-dev)
# the PostgreSQL store's tests run against a throwaway server (tests/pg/pg_server.sh)
TEST_PKGS+=(postgresql-15)
# the Debian package: cpack's DEB generator reads the libraries' dependencies with
# dpkg-shlibdeps
PACKAGE_PKGS=(dpkg-dev)

die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }

ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  printf 'run.sh: installing missing Debian packages: %s\n' "${missing[*]}" >&2
  local SUDO=
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      SUDO=sudo
    elif command -v sudo >/dev/null 2>&1; then
      SUDO=sudo   # may prompt for a password
    else
      die "missing packages (${missing[*]}) and not root, no sudo: run as root: apt-get install ${missing[*]}"
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || die "apt-get update failed"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

jobs() { nproc 2>/dev/null || echo 2; }

build() { # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S "$ROOT" -B "$ROOT/build/$dir" -G Ninja "$@" >/dev/null
  cmake --build "$ROOT/build/$dir" -j "$(jobs)"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  demo)
    ensure_packages "${BUILD_PKGS[@]}"
    build release -DCMAKE_BUILD_TYPE=Release -DLF_TEST_HOOKS=OFF
    dir=${1:-$ROOT/demo-workspace}
    exec "$ROOT/build/release/leadflow" demo "$dir"
    ;;
  test)
    ensure_packages "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
    build release -DCMAKE_BUILD_TYPE=Release -DLF_TEST_HOOKS=ON
    build asan -DCMAKE_BUILD_TYPE=Debug -DLF_SANITIZE=ON -DLF_TEST_HOOKS=ON
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    for b in release asan; do
      echo "== ctest ($b build)"
      (cd "$ROOT/build/$b" && ctest --output-on-failure -j "$(jobs)")
    done
    ;;
  build)
    ensure_packages "${BUILD_PKGS[@]}"
    build release -DCMAKE_BUILD_TYPE=Release -DLF_TEST_HOOKS=OFF
    ;;
  bench)
    ensure_packages "${BUILD_PKGS[@]}"
    build release -DCMAKE_BUILD_TYPE=Release -DLF_TEST_HOOKS=OFF
    exec "$ROOT/bench/run.sh" "$@"
    ;;
  docs)
    # docs/reports.md from the reports' own column definitions (tools/gen_reports_md.c);
    # the test docs_reports_current fails while the committed file differs
    ensure_packages "${BUILD_PKGS[@]}"
    cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DLF_TEST_HOOKS=OFF >/dev/null
    cmake --build "$ROOT/build/release" -j "$(jobs)" --target gen_reports_md
    "$ROOT/build/release/gen_reports_md" > "$ROOT/docs/reports.md.tmp"
    mv "$ROOT/docs/reports.md.tmp" "$ROOT/docs/reports.md"
    echo "run.sh: wrote docs/reports.md"
    ;;
  package)
    ensure_packages "${BUILD_PKGS[@]}" "${PACKAGE_PKGS[@]}"
    build release -DCMAKE_BUILD_TYPE=Release -DLF_TEST_HOOKS=OFF
    log="$ROOT/build/release/cpack.log"
    (cd "$ROOT/build/release" && cpack -G DEB -B "$ROOT/build/release" >"$log" 2>&1) \
      || { cat "$log" >&2; die "cpack -G DEB failed"; }
    version=$("$ROOT/build/release/leadflow" --version | sed -n 's/^leadflow //p')
    deb="$ROOT/build/release/leadflow_${version}_$(dpkg --print-architecture).deb"
    [ -f "$deb" ] || die "cpack wrote no $deb"
    echo "$deb"
    ;;
  *)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 1
    ;;
esac
