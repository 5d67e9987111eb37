#!/bin/bash
# Builds (once) the Debian 13 root the appliance boot test boots: what Debian's EC2 image has (systemd, cloud-init,
# python3, curl), plus a local file repository holding every .deb the user data's own `apt-get install` needs, so the
# boot installs them unchanged and offline. Cached outside the repository, keyed by this file and that package list.
#
#   tools/appliance/root.sh <template>    prints the root's path on stdout
#
# The Debian source is this machine's own apt source; its host name is never written into the root.
set -euo pipefail

template=${1:?usage: root.sh <appliance user-data template>}
cache=${INSPECTED_API_CACHE:-/var/cache/inspected-api}/appliance-root
readonly SUITE=trixie
# What Debian's official EC2 AMI brings that the boot relies on, and nothing the user data installs itself.
readonly BASE_PACKAGES=(systemd-sysv dbus cloud-init python3 curl ca-certificates iproute2 procps kmod)

packages=$(sed -n 's/^readonly APPLIANCE_PACKAGES=(\(.*\))$/\1/p' "${template}")
if [ -z "${packages}" ]; then
    echo "root.sh: ${template} declares no 'readonly APPLIANCE_PACKAGES=(...)' line" >&2
    exit 2
fi
key=$( { cat "$0"; echo "${packages}"; } | sha256sum | cut -c1-16)
root="${cache}/${key}"
if [ -f "${root}/.complete" ]; then
    echo "${root}"
    exit 0
fi

for tool in debootstrap dpkg-scanpackages; do
    command -v "${tool}" >/dev/null || { echo "root.sh: ${tool} is missing (apt-get install debootstrap dpkg-dev)" >&2; exit 2; }
done
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [ -z "${mirror}" ]; then
    echo "root.sh: no Debian source in /etc/apt/sources.list.d/debian.sources to build the root from" >&2
    exit 2
fi

mkdir -p "${cache}"
exec 9>"${cache}/.lock"
flock 9
[ -f "${root}/.complete" ] && { echo "${root}"; exit 0; }
work="${cache}/.build-${key}"
rm -rf "${work}"
started=$SECONDS

# debootstrap's resolver cannot order cloud-init's dependencies: a minimal base first, then apt inside it.
debootstrap --variant=minbase --include=ca-certificates "${SUITE}" "${work}" "${mirror}" >&2
chroot_apt() { chroot "${work}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 "$@" >&2; }
printf 'deb %s %s main\n' "${mirror}" "${SUITE}" > "${work}/etc/apt/sources.list"
chroot_apt update
chroot_apt install --no-install-recommends "${BASE_PACKAGES[@]}"
# shellcheck disable=SC2086 # the template's package list, word by word
chroot_apt install --download-only --no-install-recommends ${packages}

repo="${work}/srv/appliance-repo"
mkdir -p "${repo}"
mv "${work}"/var/cache/apt/archives/*.deb "${repo}/"
(cd "${repo}" && dpkg-scanpackages --multiversion . /dev/null > Packages 2>/dev/null)
printf 'deb [trusted=yes] file:/srv/appliance-repo ./\n' > "${work}/etc/apt/sources.list"
chroot_apt clean
rm -rf "${work}"/var/lib/apt/lists/*

# The test's stand-ins and NoCloud seed go into a per-boot overlay; the root itself stays as built.
echo "suricata-appliance" > "${work}/etc/hostname"
: > "${work}/etc/machine-id"
touch "${work}/.complete"
mv "${work}" "${root}"
echo "root.sh: built ${root} in $((SECONDS - started)) s ($(du -sh "${root}" | cut -f1))" >&2
echo "${root}"
