//! Regression tests named after the fuzz findings they come from.
#![cfg(all(feature = "decode", feature = "fuzzing"))]

mod support;

use msrap::decode::{AnomalyKind, TransportEvent};
use pretty_assertions::assert_eq;
use support::decode::*;

/// fuzz_0001: an IPv6 packet whose Destination Options header is cut short.
/// etherparse 0.21's lax IPv6 parse stops there, and iterating the returned
/// extension slice then read past it (`get_unchecked` out of bounds). Our own
/// walk stops at the short header; the packet is not TCP and is dropped.
#[test]
fn fuzz_0001_ipv6_truncated_extension_header() {
    let mut p = vec![0x60, 0, 0, 0, 0, 4, 60, 64];
    p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    p.extend_from_slice(&[6, 9, 0, 0]); // claims (9+1)*8 bytes, has 4
    let (events, stats) = run(&pcap(101, &[Rec::new(0, 0, p)], false, false));
    assert_eq!(events, Vec::<TransportEvent>::new());
    assert_eq!(stats.non_tcp_packets, 1);

    // The original fuzzer input.
    let crash = include_bytes!("../fuzz/regressions/decode_capture/fuzz_0001_ipv6_ext_oob");
    msrap::fuzzing::decode_capture(crash);
}

/// IPv6 extension headers before TCP are walked (hop-by-hop, routing,
/// destination options, authentication).
#[test]
fn ipv6_extension_chain_before_tcp() {
    let mut c = Conv::new("[2001:db8::1]:1025", "[2001:db8::2]:445", 1, 1);
    let seg = c.data(
        msrap::decode::Direction::ToServer,
        &nbss(&smb1(0x25, 40, 0)),
    );
    let plain = ip_packet(&seg);
    let tcp = &plain[40..];
    let mut exts = vec![];
    exts.extend_from_slice(&[43, 0, 0, 0, 0, 0, 0, 0]); // hop-by-hop → routing
    exts.extend_from_slice(&[60, 0, 0, 0, 0, 0, 0, 0]); // routing → dest opts
    exts.extend_from_slice(&[51, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // dest opts (16) → AH
    exts.extend_from_slice(&[6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]); // AH (12) → TCP
    let mut p = plain[..40].to_vec();
    p[6] = 0;
    let len = (exts.len() + tcp.len()) as u16;
    p[4..6].copy_from_slice(&len.to_be_bytes());
    p.extend(exts);
    p.extend_from_slice(tcp);
    let (events, stats) = run(&pcap(229, &[Rec::new(0, 0, p)], false, false));
    assert_eq!(smb_summary(&events).len(), 1);
    assert_eq!(anomalies(&events), Vec::<AnomalyKind>::new());
    assert_eq!(stats.smb1_messages, 1);
}

/// fuzz_0002: a pcapng Process Information Block with a block length below
/// 12. pcap-parser 0.17 accepts it (its minimum is 4) and computes
/// `block_len1 - 12`, which underflows. We reject such blocks first.
#[test]
fn fuzz_0002_pcapng_block_length_below_12() {
    for be in [false, true] {
        let mut ng = PcapNg::new(be);
        ng.interface(1, None);
        ng.packet(0, 0, &[0u8; 20]);
        // Process Information Block (0x80000001), length 8.
        let (t, l) = if be {
            (0x8000_0001u32.to_be_bytes(), 8u32.to_be_bytes())
        } else {
            (0x8000_0001u32.to_le_bytes(), 8u32.to_le_bytes())
        };
        ng.out.extend_from_slice(&t);
        ng.out.extend_from_slice(&l);
        ng.out.extend_from_slice(&[0; 16]);
        let mut r = msrap::decode::CaptureReader::new(&ng.out[..]).unwrap();
        let mut items = vec![];
        while let Some(item) = r.next_item() {
            items.push(match item {
                msrap::decode::CaptureItem::Packet(p) => format!("packet {}", p.frame_number),
                msrap::decode::CaptureItem::Anomaly { kind, .. } => format!("{kind:?}"),
            });
        }
        let offset = ng.out.len() - 24;
        assert_eq!(
            items,
            vec![
                "packet 1".to_string(),
                format!("CorruptCapture {{ offset: {offset} }}")
            ]
        );
    }
    let crash = include_bytes!("../fuzz/regressions/decode_capture/fuzz_0002_pcapng_short_block");
    msrap::fuzzing::decode_capture(crash);
}

/// fuzz_0003 (decode_capture, whole decoder): a RAP exchange whose DataDesc
/// has a zero-count word (`W0`) made the struct parser read one word past a
/// zero-size item (debug assertion `pos <= end`). Fixed in the codec
/// (`parse_struct` reads exactly the counted words); the whole decoder now
/// decodes this capture without panicking.
#[test]
fn fuzz_0003_dissect_zero_count_word() {
    let crash =
        include_bytes!("../fuzz/regressions/decode_capture/fuzz_0003_dissect_zero_count_word");
    msrap::fuzzing::decode_capture(crash);
}
