#!/usr/bin/env bash
# The whole test suite: installs the real peers (Samba smbd, smbclient,
# tshark, impacket) when missing, then runs every test with every feature,
# and checks that the codec alone builds without the edge features.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-peers.sh
cargo build --no-default-features
cargo test --no-default-features --lib
# The release binary first: tests/print_files.rs measures its memory on a
# 100 MB job (the test builds it too, a no-op once this has run).
cargo build --release --bin msrap
cargo test --all-features
