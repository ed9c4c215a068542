#!/usr/bin/env bash
# The whole test suite: installs the real peers (Samba smbd, smbclient,
# tshark, impacket) when missing, then runs every test with every feature,
# and checks that the codec alone builds without the edge features.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-peers.sh
cargo build --no-default-features
cargo test --no-default-features --lib
cargo test --all-features
