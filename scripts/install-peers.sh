#!/usr/bin/env bash
# Install the real protocol peers the interop tests use, when missing:
# Debian samba (smbd), smbclient, tshark, tcpdump, CUPS (cupsd, its client
# tools lp/lpstat/lpadmin/cupsdisable/cancel, the BSD lpr/lpq and ipptool:
# cups, cups-client, cups-bsd, cups-ipp-utils) (apt, as root or through
# sudo); impacket from PyPI into a virtual environment, target/peers-venv
# (or $MSRAP_PEERS_VENV), made with $PYTHON (default: python3 on PATH), so
# that a system python3 that refuses pip installs (Debian 12, PEP 668:
# "externally-managed-environment") is never touched. The tests run that
# environment's interpreter (tests/support/peers.rs; MSRAP_PYTHON overrides).
# Idempotent; never starts a daemon (policy-rc.d blocks service starts).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${MSRAP_PEERS_VENV:-target/peers-venv}

need=()
command -v smbd >/dev/null 2>&1 || need+=(samba)
command -v smbclient >/dev/null 2>&1 || need+=(smbclient)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
# The CUPS tests start their own cupsd (tests/support/cups.rs); the
# package's own daemon is never started (policy-rc.d below).
[ -x /usr/sbin/cupsd ] || need+=(cups)
command -v lpstat >/dev/null 2>&1 || need+=(cups-client)
command -v lpq >/dev/null 2>&1 || need+=(cups-bsd)
command -v ipptool >/dev/null 2>&1 || need+=(cups-ipp-utils)
command -v "$PYTHON" >/dev/null 2>&1 || need+=(python3)
# Debian's python3 makes virtual environments only with python3-venv (ensurepip).
if [ ! -x "$VENV/bin/python3" ] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  need+=(python3-venv)
fi
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

if ! "$VENV/bin/python3" -c 'import impacket' >/dev/null 2>&1; then
  echo "install-peers: $PYTHON -m venv $VENV; pip install impacket" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python3" -m pip install -q impacket
fi
echo "install-peers: smbd $(smbd --version 2>/dev/null | head -1), cups $(dpkg-query -W -f='${Version}' cups 2>/dev/null), $(tshark --version 2>/dev/null | head -1), impacket $("$VENV/bin/python3" -c 'import impacket,importlib.metadata as m; print(m.version("impacket"))') in $VENV (python $("$VENV/bin/python3" -c 'import sys; print(sys.version.split()[0], "from", sys.base_prefix)'))" >&2
