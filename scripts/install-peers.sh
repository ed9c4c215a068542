#!/usr/bin/env bash
# Install the real protocol peers the interop tests use, when missing:
# Debian samba (smbd), smbclient, tshark, tcpdump; PyPI impacket.
# Idempotent; never starts a daemon (policy-rc.d blocks service starts).
set -euo pipefail

need=()
command -v smbd >/dev/null 2>&1 || need+=(samba)
command -v smbclient >/dev/null 2>&1 || need+=(smbclient)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-peers: apt-get install ${need[*]}" >&2
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_="sudo"
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_ tee /usr/sbin/policy-rc.d >/dev/null
    $sudo_ chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo_ debconf-set-selections
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${need[@]}" >/dev/null
  [ $made_policy = 1 ] && $sudo_ rm -f /usr/sbin/policy-rc.d
fi
if ! python3 -c 'import impacket' >/dev/null 2>&1; then
  echo "install-peers: pip install impacket" >&2
  python3 -m pip install -q impacket
fi
echo "install-peers: smbd $(smbd --version 2>/dev/null | head -1), $(tshark --version 2>/dev/null | head -1), impacket $(python3 -c 'import impacket,importlib.metadata as m; print(m.version("impacket"))')" >&2
