#!/usr/bin/env bash
# The Debian package, built from this build tree and checked unpacked:
#   test_deb.sh BUILD_DIR SOURCE_DIR [CPACK] [CMAKE]
# 1. `cpack -G DEB` in BUILD_DIR writes one .deb (into a temp dir); its control file
#    names the package, the version of the binary, the shared libraries it needs
#    (shlibdeps) and adduser; its maintainer scripts are valid sh;
# 2. `dpkg -x` into a throwaway root: every file where it belongs, the binary runs
#    (--version, init, a report), `man -l` renders the man page without warnings, the
#    completion loads;
# 3. the systemd unit has its hardening and passes `systemd-analyze verify` (with
#    ExecStart pointed at the unpacked binary; skipped with a message when
#    systemd-analyze is not installed);
# 4. `cmake --install` (DESTDIR, --prefix /usr) installs the same files;
# 5. the maintainer scripts do what they say, run as root in a mount namespace whose
#    /etc and /var/lib are throwaway overlays (skipped with a message otherwise).
# Skipped (77) only without cpack or dpkg-deb (./run.sh test installs dpkg-dev).
set -u
build=$(cd "$1" && pwd) && src=$(cd "$2" && pwd) || exit 2
cpack=${3:-cpack}
cmake=${4:-cmake}
fail=0
err() { echo "FAIL: $*"; fail=1; }
for t in "$cpack" dpkg-deb dpkg; do
  command -v "$t" >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
[ -f "$build/CPackConfig.cmake" ] || { echo "no CPackConfig.cmake in $build"; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/lfdeb.XXXXXX") && [ -n "$work" ] || exit 2
trap 'rm -rf "$work"' EXIT

# ---- 1. the package -------------------------------------------------------------------
if ! "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log"
  echo "FAIL: cpack -G DEB"
  exit 1
fi
debs=("$work"/out/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "FAIL: cpack wrote ${#debs[@]} .deb files"; exit 1; }
deb=${debs[0]}
echo "built $(basename "$deb")"

version=$("$build/leadflow" --version | sed -n 's/^leadflow //p')
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = leadflow ] || err "Package: '$(field Package)'"
[ "$(field Version)" = "$version" ] || err "Version '$(field Version)' is not the binary's '$version'"
[ "$(basename "$deb")" = "leadflow_${version}_$(dpkg --print-architecture).deb" ] ||
  err "file name $(basename "$deb")"
depends=$(field Depends)
for d in adduser libc6 libsqlite3 libyaml libjansson libmicrohttpd; do
  grep -q "$d" <<<"$depends" || err "Depends has no $d: $depends"
done
[ -n "$(field Maintainer)" ] || err "no Maintainer"
[ -n "$(field Description)" ] || err "no Description"
dpkg-deb -e "$deb" "$work/control"
for s in postinst prerm postrm; do
  [ -x "$work/control/$s" ] || { err "maintainer script $s missing or not executable"; continue; }
  sh -n "$work/control/$s" || err "$s is not valid sh"
done
grep -q 'adduser --system --group --home /var/lib/leadflow' "$work/control/postinst" ||
  err "postinst does not create the system user leadflow"

# ---- 2. unpacked ------------------------------------------------------------------------
root=$work/root
dpkg -x "$deb" "$root" || { echo "FAIL: dpkg -x"; exit 1; }
for f in usr/bin/leadflow usr/share/man/man1/leadflow.1.gz \
         usr/share/bash-completion/completions/leadflow lib/systemd/system/leadflow.service \
         usr/share/doc/leadflow/README.md usr/share/doc/leadflow/docs/manual/README.md \
         usr/share/doc/leadflow/docs/manual/operations.md usr/share/doc/leadflow/docs/reports.md \
         usr/share/doc/leadflow/examples/leadflow.example.yaml \
         usr/share/doc/leadflow/examples/leadflow.env; do
  [ -f "$root/$f" ] || err "the package has no /$f"
done
[ -x "$root/usr/bin/leadflow" ] || err "/usr/bin/leadflow is not executable"
got=$("$root/usr/bin/leadflow" --version) || err "the packaged binary: --version exit $?"
[ "$got" = "leadflow $version" ] || err "the packaged binary says '$got'"
"$root/usr/bin/leadflow" init "$work/ws" >/dev/null || err "the packaged binary cannot init"
"$root/usr/bin/leadflow" --workspace "$work/ws" report funnel --format csv >/dev/null 2>&1 ||
  err "the packaged binary cannot run a report"
cmp -s "$root/usr/share/doc/leadflow/examples/leadflow.example.yaml" \
  "$src/assets/leadflow.example.yaml" || err "the example configuration differs from assets/"
if command -v man >/dev/null; then
  LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/leadflow.1.gz" \
    >"$work/man.txt" 2>"$work/man.err"
  [ -s "$work/man.err" ] && { err "man -l of the packaged page:"; cat "$work/man.err"; }
  grep -q 'leadflow - self-hosted lead qualification' "$work/man.txt" ||
    err "man -l did not render the page's NAME"
else
  echo "note: man is not installed; the packaged man page was not rendered"
fi
bash -c ". '$root/usr/share/bash-completion/completions/leadflow' && complete -p leadflow" \
  >/dev/null 2>&1 || err "the packaged completion does not load"

# ---- 3. the systemd unit ------------------------------------------------------------------
unit=$root/lib/systemd/system/leadflow.service
for d in 'User=leadflow' 'ProtectSystem=strict' 'NoNewPrivileges=yes' \
         'StateDirectory=leadflow' 'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
         'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'CapabilityBoundingSet=' \
         'SystemCallFilter=@system-service' 'UMask=0077' \
         'EnvironmentFile=-/etc/leadflow/leadflow.env' \
         'ExecStart=/usr/bin/leadflow --workspace /var/lib/leadflow serve --listen 127.0.0.1:8080' \
         'KillSignal=SIGTERM'; do
  grep -qxF "$d" "$unit" || err "the unit has no line '$d'"
done
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$work/unit"
  sed "s#/usr/bin/leadflow#$root/usr/bin/leadflow#g" "$unit" >"$work/unit/leadflow.service"
  if ! MANPATH=$root/usr/share/man SYSTEMD_LOG_COLOR=0 \
      systemd-analyze verify "$work/unit/leadflow.service" >"$work/verify.log" 2>&1 ||
      [ -s "$work/verify.log" ]; then
    err "systemd-analyze verify:"
    cat "$work/verify.log"
  else
    echo "systemd-analyze verify: ok"
  fi
else
  echo "skip: systemd-analyze is not installed; the unit was not verified"
fi

# ---- 4. cmake --install installs the same tree --------------------------------------------
if DESTDIR=$work/inst "$cmake" --install "$build" --prefix /usr >"$work/install.log" 2>&1; then
  (cd "$root" && find . -type f | sort) >"$work/deb.files"
  (cd "$work/inst" && find . -type f | sort) >"$work/install.files"
  diff -u "$work/deb.files" "$work/install.files" >"$work/files.diff" ||
    { err "cmake --install and the package install different files:"; cat "$work/files.diff"; }
else
  cat "$work/install.log"
  err "cmake --install failed"
fi

# ---- 5. the maintainer scripts, run in a sandbox ---------------------------------------
# postinst configure (twice: install, then upgrade), prerm remove, postrm purge, as root
# in a private mount namespace whose /etc and /var/lib are overlays on temp dirs: the
# user, the directories and the token file they make never reach the real system.
maint() {
  local d=$work/sandbox
  mkdir -p "$d/etc.u" "$d/etc.w" "$d/var.u" "$d/var.w"
  unshare -m --propagation private sh -c '
    set -e
    d=$1
    shift
    mount -t overlay overlay -o lowerdir=/etc,upperdir=$d/etc.u,workdir=$d/etc.w /etc
    mount -t overlay overlay -o lowerdir=/var/lib,upperdir=$d/var.u,workdir=$d/var.w /var/lib
    "$@"' sh "$d" "$@"
}
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v adduser >/dev/null &&
    maint true 2>/dev/null; then
  c=$work/control
  getent passwd leadflow >/dev/null && had_user=1 || had_user=0
  maint sh -c '
    set -e
    '"$c"'/postinst configure
    getent passwd leadflow | cut -d: -f1,6
    stat -c "%U %a" /var/lib/leadflow /etc/leadflow/leadflow.env
    sed -n "s/^LEADFLOW_TOKENS=//p" /etc/leadflow/leadflow.env
    sum1=$(md5sum </etc/leadflow/leadflow.env)
    '"$c"'/postinst configure 0.1.0
    [ "$(md5sum </etc/leadflow/leadflow.env)" = "$sum1" ] && echo "env kept on upgrade"
    '"$c"'/prerm remove
    '"$c"'/postrm remove
    [ -f /etc/leadflow/leadflow.env ] && echo "env kept on remove"
    '"$c"'/postrm purge
    [ ! -e /etc/leadflow/leadflow.env ] && echo "env gone on purge"
    [ -d /var/lib/leadflow ] && echo "workspace kept on purge"
  ' >"$work/maint.out" 2>"$work/maint.err" || err "maintainer scripts failed"
  out=$(cat "$work/maint.out")
  tokens=$(grep "^write:" "$work/maint.out")
  grep -qx 'leadflow:/var/lib/leadflow' <<<"$out" || err "postinst: no user leadflow with home /var/lib/leadflow"
  grep -qx 'leadflow 700' <<<"$out" || err "postinst: /var/lib/leadflow is not leadflow's, mode 700"
  grep -qx 'root 600' <<<"$out" || err "postinst: leadflow.env is not root's, mode 600"
  [[ $tokens =~ ^write:[0-9a-f]{64},read:[0-9a-f]{64}$ ]] || err "postinst: tokens '$tokens'"
  for m in "env kept on upgrade" "env kept on remove" "env gone on purge" "workspace kept on purge"; do
    grep -qx "$m" <<<"$out" || err "maintainer scripts: not '$m'"
  done
  [ -s "$work/maint.err" ] && { err "maintainer scripts wrote on stderr:"; cat "$work/maint.err"; }
  if [ "$had_user" = 0 ] && getent passwd leadflow >/dev/null; then
    err "the sandbox leaked: a user leadflow exists on this machine"
  fi
  [ "$fail" = 0 ] && echo "maintainer scripts (sandboxed): ok"
else
  echo "skip: the maintainer scripts were not run (needs root, unshare, overlay mounts and adduser)"
fi

[ "$fail" = 0 ] && echo "Debian package: ok ($(wc -l <"$work/deb.files") files)"
exit $fail
