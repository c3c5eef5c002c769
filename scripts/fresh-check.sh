#!/usr/bin/env bash
# Maintainer's check (not part of .ci/run): the README's two commands, exactly as written, on a
# fresh minimal Debian bookworm. Builds one with debootstrap (minbase), carries over only the host's
# apt configuration, CA certificates and ../shared/third_party (the Alembic 1.19 sources), clones this checkout's HEAD into /root/alembic-fix, and
# runs both commands there as root with /proc, /dev and /sys mounted. Run as root; takes a while.
# FRESH_ROOT=DIR builds the system there (default: a new folder in /var/tmp, removed afterwards
# unless KEEP=1); the downloaded .debs are kept in /var/tmp/alembic-fix-fresh-debs for next time.
set -euo pipefail
cd "$(dirname "$0")/.."

# The commands are read from the README, so what is checked is what the README says.
mapfile -t commands < <(awk '/^## /{inside = ($0 ~ /^## Two commands/)} inside && /^    [^ ]/ {sub(/^    /, ""); print}' README.md)
if [ ${#commands[@]} -ne 2 ]; then
  echo "fresh-check: expected two indented commands under '## Two commands' in README.md, found ${#commands[@]}" >&2
  exit 2
fi
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
  echo "fresh-check: uncommitted changes are not checked; the clone is HEAD ($(git rev-parse --short HEAD))"

command -v debootstrap >/dev/null || {
  echo "fresh-check: installing Debian's debootstrap on this machine"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}

root=${FRESH_ROOT:-$(mktemp -d /var/tmp/alembic-fix-fresh.XXXXXX)}
chmod 755 "$root"  # it is /: mktemp's 700 would lock out _apt and the tests' `nobody`
mounts=(proc sys dev)
cleanup() {
  local status=$? m
  for m in "${mounts[@]}"; do
    mountpoint -q "$root/$m" && { umount -R "$root/$m" || umount -R -l "$root/$m"; }
  done
  # Only once nothing is mounted below it; --one-file-system as a second guard.
  if [ -z "${KEEP:-}" ] && [ -z "${FRESH_ROOT:-}" ] && ! findmnt -rn -o TARGET | grep -q "^$root/"; then
    rm -rf --one-file-system "$root"
  else
    echo "fresh-check: the system is kept in $root"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The mirror the host's apt uses (deb822 or one-line sources), else Debian's default.
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1 == "URIs:" && $2 ~ /\/debian\/?$/ {print $2; exit}')
[ -n "$mirror" ] || mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
  awk '$1 == "deb" && $2 !~ /^\[/ && $3 == "bookworm" {print $2; exit}')
mirror=${mirror:-http://deb.debian.org/debian}

debs=/var/tmp/alembic-fix-fresh-debs
mkdir -p "$debs"
echo "== debootstrap --variant=minbase bookworm $root $mirror"
debootstrap --variant=minbase --cache-dir="$debs" bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  { tail -20 "$root.debootstrap.log"; exit 1; }
rm -f "$root.debootstrap.log"

# apt's configuration (sources, apt.conf.d, preferences, trusted keys) and the CA certificates,
# nothing else; debootstrap itself copied /etc/resolv.conf and /etc/hostname.
rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
[ ! -f /etc/apt/sources.list ] || cp /etc/apt/sources.list "$root/etc/apt/"
find /etc/apt/sources.list.d -maxdepth 1 -type f \( -name '*.list' -o -name '*.sources' \) \
  -exec cp -t "$root/etc/apt/sources.list.d/" {} +
for d in apt.conf.d preferences.d trusted.gpg.d keyrings; do
  [ ! -d "/etc/apt/$d" ] || cp -a "/etc/apt/$d/." "$root/etc/apt/$d/"
done
mkdir -p "$root/etc/ssl" "$root/usr/local/share/ca-certificates"
cp -a /etc/ssl/certs "$root/etc/ssl/"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"

commit=$(git rev-parse HEAD)
git clone -q --no-hardlinks . "$root/root/alembic-fix"
git -C "$root/root/alembic-fix" checkout -q --detach "$commit"
echo "== cloned $(git log -1 --format='%h %s' "$commit" | cut -c1-90)"
# The Alembic 1.19 / SQLAlchemy 2.0 sources the end-to-end matrix reads lie beside the repository
# on every machine of ours (../shared/third_party; PyPI is out of reach): carried over as they are.
third_party=../shared/third_party
[ -d "$third_party" ] || third_party=/work/shared/third_party
if [ -d "$third_party" ]; then
  mkdir -p "$root/root/shared"
  cp -a "$third_party" "$root/root/shared/"
else
  echo "fresh-check: no ../shared/third_party here: the Alembic 1.19 end-to-end cells will fail" >&2
fi

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"

failed=0
for cmd in "${commands[@]}"; do
  echo "== chroot: cd /root/alembic-fix && $cmd"
  start=$SECONDS
  status=0
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c "cd /root/alembic-fix && $cmd" || status=$?
  echo "== exit $status after $((SECONDS - start)) s: $cmd"
  [ "$status" = 0 ] || failed=1
done
[ "$failed" = 0 ] && echo "fresh-check: both commands passed on a fresh bookworm" || echo "fresh-check: FAILED"
exit "$failed"
