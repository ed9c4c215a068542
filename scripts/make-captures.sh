#!/usr/bin/env bash
# Regenerate the committed captures testdata/captures/*.pcap with real peers
# (impacket, smbclient, our client, a real Samba smbd) on 127.0.0.1, captured
# by `tshark -i lo -f "tcp port N"` on fixed ports 24451-24461 (root, or a
# user allowed to capture on lo). See testdata/captures/README.md.
#
# Timestamps, TCP sequence numbers and client ports change on every run; the
# SMB/RAP bytes do not (except Samba's session keys and times). If frame
# numbers move, update the pinned lists in tests/interop_tshark.rs
# (SECONDARIES_MALFORMED, SAMBA_IMPACKET_MALFORMED, committed()) and the
# frame numbers in testdata/captures/README.md and SPEC_NOTES.md §4.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-peers.sh
cargo test --all-features --test interop_tshark make_captures -- --ignored --nocapture --test-threads=1
cargo test --all-features --test interop_tshark make_queue_captures -- --ignored --nocapture --test-threads=1
cargo test --all-features --test interop_tshark committed_captures_decode_as_documented
ls -l testdata/captures/*.pcap
