//! Throughput sanity check (not an assertion test). Builds a ~50 MB synthetic
//! capture in memory and reports MB/s of the transport pipeline:
//!
//! ```sh
//! cargo test --release --all-features --test decode_throughput -- --ignored --nocapture
//! # MSRAP_BENCH_OUT=/tmp/bench.pcap also writes the capture (e.g. to time tshark on it);
//! # MSRAP_BENCH_MB=500 changes the size.
//! ```
#![cfg(feature = "decode")]

mod support;

use std::time::Instant;

use msrap::decode::Direction::{ToClient as C, ToServer as S};
use msrap::decode::{DecoderConfig, TransportEvent, TransportEvents};
use support::decode::*;

/// 64 interleaved connections on 139/445: small TRANSACTION requests, 4 KiB
/// SMB1 responses in MSS-sized segments, and SMB2 64 KiB reads.
fn synthetic_capture(target: usize) -> (Vec<u8>, u64) {
    let mut convs: Vec<Conv> = (0..64u32)
        .map(|i| {
            let port = if i % 2 == 0 { 445 } else { 139 };
            Conv::new(
                &format!("10.9.{}.{}:{}", i / 200, i % 200 + 1, 40_000 + i),
                &format!("10.8.0.1:{port}"),
                i.wrapping_mul(0x9E37_79B9),
                i.wrapping_mul(0x85EB_CA6B),
            )
        })
        .collect();
    let mut recs: Vec<u8> = pcap(1, &[], false, false);
    let mut n = 0u32;
    let mut smb1_messages = 0u64;
    let mut push = |out: &mut Vec<u8>, frame: &[u8]| {
        n += 1;
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(frame);
    };
    for c in &mut convs {
        for t in c.handshake() {
            push(&mut recs, &eth(&t));
        }
    }
    let req = nbss(&smb1(0x25, 120, 1));
    let resp = nbss(&smb1(0x25, 4096, 2));
    let read = nbss(&smb2(65_536));
    let mut round = 0usize;
    while recs.len() < target {
        let c = &mut convs[round % 64];
        if round % 8 == 7 {
            for chunk in read.chunks(1460) {
                push(&mut recs, &eth(&c.data(C, chunk)));
            }
        } else {
            push(&mut recs, &eth(&c.data(S, &req)));
            for chunk in resp.chunks(1460) {
                push(&mut recs, &eth(&c.data(C, chunk)));
            }
            push(&mut recs, &eth(&c.ack(S)));
            smb1_messages += 2;
        }
        round += 1;
    }
    (recs, smb1_messages)
}

#[test]
#[ignore = "throughput report; run in release with --nocapture"]
fn transport_throughput() {
    let size_mb = std::env::var("MSRAP_BENCH_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(50);
    let (capture, expected) = synthetic_capture(size_mb * 1024 * 1024);
    if let Ok(path) = std::env::var("MSRAP_BENCH_OUT") {
        std::fs::write(path, &capture).unwrap();
    }
    let mb = capture.len() as f64 / (1024.0 * 1024.0);
    for (name, config) in [
        ("all SMB1 messages", DecoderConfig::default()),
        ("TRANSACTION only", {
            let mut c = DecoderConfig::default();
            c.smb1_commands = Some([0x25u8, 0x26].into_iter().collect());
            c
        }),
    ] {
        let start = Instant::now();
        let mut events = TransportEvents::new(&capture[..], config).unwrap();
        let mut msgs = 0u64;
        let mut bytes = 0u64;
        for e in events.by_ref() {
            if let TransportEvent::Smb1(m) = e {
                msgs += 1;
                bytes += m.bytes.len() as u64;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let st = events.stats();
        assert_eq!(msgs, expected);
        assert_eq!(st.anomaly_total(), 0);
        println!(
            "{name}: {mb:.1} MB, {} packets, {msgs} SMB1 messages ({:.1} MB), {} SMB2 skipped: \
             {secs:.3} s = {:.0} MB/s, {:.2} Mpkt/s, peak buffered {} KiB",
            st.packets,
            bytes as f64 / 1048576.0,
            st.smb2_messages,
            mb / secs,
            st.packets as f64 / secs / 1e6,
            st.peak_buffered_bytes / 1024
        );
    }
}
