//! Transport layers end to end: captures built in memory → SMB1 messages,
//! with exact frame numbers, anomalies and counters.
#![cfg(feature = "decode")]

mod support;

use msrap::decode::{
    AnomalyKind, CloseReason, Decoder, DecoderConfig, Direction, FlowId, LinkType, Packet,
    SessionPacketType, Timestamp, TransportEvent,
};
use pretty_assertions::assert_eq;
use support::decode::*;

use Direction::{ToClient as C, ToServer as S};

fn frames(segs: &[Tcp]) -> Vec<Vec<u8>> {
    segs.iter().map(eth).collect()
}

fn closed(events: &[TransportEvent]) -> Vec<(u64, CloseReason)> {
    events
        .iter()
        .filter_map(|e| match e {
            TransportEvent::FlowClosed { flow, reason, .. } => Some((flow.index, *reason)),
            _ => None,
        })
        .collect()
}

/// Handshake, one request, one response, orderly close.
#[test]
fn in_order_request_response_and_fin() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1000, 5000);
    let req = smb1(0x25, 100, 0x11);
    let resp = smb1(0x25, 120, 0x22);
    let mut segs = c.handshake();
    segs.push(c.data(S, &nbss(&req))); // frame 4
    segs.push(c.data(C, &nbss(&resp))); // frame 5
    segs.push(c.fin(S));
    segs.push(c.fin(C));
    segs.push(c.ack(S));
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    let flow = FlowId {
        index: 1,
        client: addr("10.0.0.1:1025"),
        server: addr("10.0.0.2:445"),
    };
    let want = vec![
        TransportEvent::Smb1(msrap::decode::Smb1Message {
            flow,
            direction: S,
            first_frame: 4,
            last_frame: 4,
            timestamp: Timestamp {
                secs: 1_000_003,
                nanos: 0,
            },
            bytes: req,
        }),
        TransportEvent::Smb1(msrap::decode::Smb1Message {
            flow,
            direction: C,
            first_frame: 5,
            last_frame: 5,
            timestamp: Timestamp {
                secs: 1_000_004,
                nanos: 0,
            },
            bytes: resp,
        }),
        TransportEvent::FlowClosed {
            flow,
            frame: 7,
            reason: CloseReason::Fin,
        },
    ];
    assert_eq!(events, want);
    assert_eq!(stats.smb1_messages, 2);
    assert_eq!(stats.flows, 1);
    assert_eq!(stats.anomaly_total(), 0);
}

/// A message spanning three segments reports the first and last frame; two
/// messages in one segment; a session header split 2+2.
#[test]
fn message_split_across_three_segments() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:139", 7, 9);
    let big = nbss(&smb1(0x25, 3000, 0x33));
    let mut segs = c.handshake();
    segs.push(c.data(S, &big[..1000])); // 4
    segs.push(c.data(S, &big[1000..2000])); // 5
    segs.push(c.data(S, &big[2000..])); // 6
    let mut two = nbss(&smb1(0x72, 40, 1));
    two.extend(nbss(&smb1(0x73, 50, 2)));
    segs.push(c.data(C, &two)); // 7
    let last = nbss(&smb1(0x75, 60, 3));
    segs.push(c.data(C, &last[..2])); // 8
    segs.push(c.data(C, &last[2..4])); // 9
    segs.push(c.data(C, &last[4..])); // 10
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(
        smb_summary(&events),
        vec![
            (4, 6, S, 0x25, 3000),
            (7, 7, C, 0x72, 40),
            (7, 7, C, 0x73, 50),
            (8, 10, C, 0x75, 60),
        ]
    );
    assert_eq!(anomalies(&events), vec![]);
    assert_eq!(closed(&events), vec![(1, CloseReason::EndOfCapture)]);
    assert_eq!(stats.smb1_bytes, 3150);
}

#[test]
fn out_of_order_segments_delivered_in_order() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let m = nbss(&smb1(0x25, 900, 0x44));
    let mut hs = c.handshake();
    let a = c.data(S, &m[..300]);
    let b = c.data(S, &m[300..600]);
    let d = c.data(S, &m[600..]);
    hs.extend([b, d, a]); // frames 4, 5, 6
    let (events, stats) = run(&eth_pcap(&frames(&hs)));
    // First byte in frame 6, last byte in frame 5.
    assert_eq!(smb_summary(&events), vec![(6, 5, S, 0x25, 900)]);
    assert_eq!(stats.out_of_order_segments, 2);
    assert_eq!(anomalies(&events), vec![]);
    let TransportEvent::Smb1(msg) = &events[0] else {
        panic!()
    };
    assert_eq!(msg.bytes, smb1(0x25, 900, 0x44));
}

#[test]
fn retransmission_delivered_once() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut segs = c.handshake();
    let s = c.data(S, &nbss(&smb1(0x25, 64, 0)));
    segs.push(s.clone());
    segs.push(s);
    segs.push(c.data(S, &nbss(&smb1(0x26, 64, 0))));
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(
        smb_summary(&events),
        vec![(4, 4, S, 0x25, 64), (6, 6, S, 0x26, 64)]
    );
    assert_eq!(stats.retransmitted_bytes, 68);
    assert_eq!(anomalies(&events), vec![]);
}

/// An overlapping segment with different bytes: the first copy wins and the
/// differing bytes are counted, both against delivered data and against
/// held out-of-order data.
#[test]
fn overlap_with_different_bytes_first_wins() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 100, 200);
    let m = nbss(&smb1(0x25, 200, 0x55));
    let mut segs = c.handshake();
    let base = c.cseq;
    segs.push(c.data(S, &m[..100])); // 4: delivered
                                     // 5: retransmits [50,150) with 10 changed bytes in the delivered part.
    let mut evil = m[50..150].to_vec();
    for b in &mut evil[0..10] {
        *b ^= 0xFF;
    }
    segs.push(c.raw(S, base + 50, c.sseq, ACK, evil));
    segs.push(c.data(S, &m[100..])); // 6: the rest (overlaps [100,150) equal)
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    // Frame 5 adds [100,150), frame 6 the rest.
    assert_eq!(smb_summary(&events), vec![(4, 6, S, 0x25, 200)]);
    let Some(TransportEvent::Smb1(msg)) =
        events.iter().find(|e| matches!(e, TransportEvent::Smb1(_)))
    else {
        panic!("{events:?}")
    };
    assert_eq!(msg.bytes, smb1(0x25, 200, 0x55));
    assert_eq!(
        anomalies(&events),
        vec![AnomalyKind::OverlapConflict { bytes: 10 }]
    );
    assert_eq!(stats.anomalies.get("overlap_conflict"), Some(&1));
}

#[test]
fn sequence_wraparound_near_2_pow_32() {
    let mut c = Conv::new(
        "10.0.0.1:1025",
        "10.0.0.2:445",
        u32::MAX - 150,
        u32::MAX - 2,
    );
    let mut segs = c.handshake();
    for i in 0..4u8 {
        segs.push(c.data(S, &nbss(&smb1(0x25, 100, i))));
        segs.push(c.data(C, &nbss(&smb1(0x25, 36, i))));
    }
    // Out of order across the wrap as well.
    let a = c.data(S, &nbss(&smb1(0x2F, 80, 9)));
    let b = c.data(S, &nbss(&smb1(0x2E, 80, 9)));
    segs.push(b);
    segs.push(a);
    let (events, _) = run(&eth_pcap(&frames(&segs)));
    let got: Vec<(Direction, u8)> = smb_summary(&events).iter().map(|m| (m.2, m.3)).collect();
    let mut want = vec![];
    for _ in 0..4 {
        want.push((S, 0x25));
        want.push((C, 0x25));
    }
    want.push((S, 0x2F));
    want.push((S, 0x2E));
    assert_eq!(got, want);
    assert_eq!(anomalies(&events), vec![]);
    assert!(c.cseq < 1000, "the client sequence wrapped");
}

/// Capture starts mid-connection, in the middle of a message: resync to the
/// next header; the other direction starts at a boundary (no anomaly).
#[test]
fn capture_starting_mid_message_resyncs() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 50_000, 90_000);
    let first = nbss(&smb1(0x25, 200, 0x66));
    let _lost = c.data(S, &first[..120]);
    let mut tail = first[120..].to_vec(); // 84 bytes of the middle of a message
    tail.extend(nbss(&smb1(0x32, 70, 1)));
    let segs = vec![
        c.data(S, &tail),                     // 1
        c.data(C, &nbss(&smb1(0x32, 48, 2))), // 2
        c.data(S, &nbss(&smb1(0x25, 90, 3))), // 3
    ];
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(
        smb_summary(&events),
        vec![
            (1, 1, S, 0x32, 70),
            (2, 2, C, 0x32, 48),
            (3, 3, S, 0x25, 90)
        ]
    );
    assert_eq!(
        anomalies(&events),
        vec![AnomalyKind::ResyncSkipped { bytes: 84 }]
    );
    assert_eq!(stats.gaps, 0);
}

/// A segment missing from the capture but acknowledged by the peer: the hole
/// is skipped at once, framing resyncs on the next header.
#[test]
fn gap_between_messages_then_resync() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let m1 = nbss(&smb1(0x25, 100, 1));
    let m2 = nbss(&smb1(0x25, 300, 2));
    let m3 = nbss(&smb1(0x25, 200, 3));
    let mut segs = c.handshake();
    segs.push(c.data(S, &m1)); // 4
    let _lost = c.data(S, &m2[..150]);
    let mut rest = m2[150..].to_vec();
    rest.extend(&m3);
    segs.push(c.data(S, &rest)); // 5 (held: hole before it)
    segs.push(c.ack(C)); // 6: server acknowledges everything
    segs.push(c.data(C, &nbss(&smb1(0x25, 40, 4)))); // 7
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(
        smb_summary(&events),
        vec![
            (4, 4, S, 0x25, 100),
            (5, 5, S, 0x25, 200),
            (7, 7, C, 0x25, 40)
        ]
    );
    assert_eq!(
        anomalies(&events),
        vec![
            AnomalyKind::TcpGap { bytes: 150 },
            AnomalyKind::ResyncSkipped { bytes: 154 },
        ]
    );
    assert_eq!((stats.gaps, stats.gap_bytes), (1, 150));
}

/// A gap inside a message of known length: that message is lost, framing
/// stays in sync (no resync needed).
#[test]
fn gap_inside_message_keeps_sync() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let m1 = nbss(&smb1(0x25, 100, 1));
    let m2 = nbss(&smb1(0x25, 300, 2));
    let m3 = nbss(&smb1(0x25, 200, 3));
    let mut segs = c.handshake();
    let mut a = m1.clone();
    a.extend(&m2[..50]);
    segs.push(c.data(S, &a)); // 4
    let _lost = c.data(S, &m2[50..150]);
    let mut b = m2[150..].to_vec();
    b.extend(&m3);
    segs.push(c.data(S, &b)); // 5
                              // No ACK: the hole is skipped when the capture ends.
    let (events, _) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(
        smb_summary(&events),
        vec![(4, 4, S, 0x25, 100), (5, 5, S, 0x25, 200)]
    );
    assert_eq!(
        anomalies(&events),
        vec![
            AnomalyKind::TcpGap { bytes: 100 },
            AnomalyKind::MessageLostInGap { length: 300 },
        ]
    );
    assert_eq!(closed(&events), vec![(1, CloseReason::EndOfCapture)]);
}

/// A hole that is never filled nor acknowledged is skipped once the
/// out-of-order window (segments) is exceeded.
#[test]
fn unfilled_hole_skipped_when_window_exceeded() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut segs = c.handshake();
    let _lost = c.data(S, &nbss(&smb1(0x25, 100, 0)));
    for i in 0..300u32 {
        segs.push(c.data(S, &nbss(&smb1(0x25, 40, i as u8))));
    }
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    let msgs = smb_summary(&events);
    assert_eq!(msgs.len(), 300);
    // The 257th held segment forced the skip.
    assert_eq!(msgs[0], (4, 4, S, 0x25, 40));
    assert_eq!(anomalies(&events), vec![AnomalyKind::TcpGap { bytes: 104 }]);
    assert_eq!(stats.gaps, 1);
    let first_delivery = events
        .iter()
        .position(|e| matches!(e, TransportEvent::Smb1(_)))
        .unwrap();
    assert!(first_delivery > 0);
}

#[test]
fn session_packets_and_keep_alives() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:139", 1, 1);
    let mut segs = c.handshake();
    segs.push(c.data(S, &session_packet(0x81, &[0x20; 68]))); // 4
    segs.push(c.data(C, &session_packet(0x82, &[]))); // 5
    segs.push(c.data(S, &session_packet(0x85, &[]))); // 6
    let mut both = session_packet(0x85, &[]);
    both.extend(nbss(&smb1(0x72, 47, 0)));
    both.extend(session_packet(0x85, &[]));
    segs.push(c.data(S, &both)); // 7
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    let sessions: Vec<(u64, Direction, SessionPacketType)> = events
        .iter()
        .filter_map(|e| match e {
            TransportEvent::Session {
                frame,
                direction,
                packet_type,
                ..
            } => Some((*frame, *direction, *packet_type)),
            _ => None,
        })
        .collect();
    assert_eq!(
        sessions,
        vec![
            (4, S, SessionPacketType::SESSION_REQUEST),
            (5, C, SessionPacketType::POSITIVE_SESSION_RESPONSE)
        ]
    );
    assert_eq!(smb_summary(&events), vec![(7, 7, S, 0x72, 47)]);
    assert_eq!((stats.keep_alives, stats.session_packets), (3, 2));
    assert_eq!(anomalies(&events), vec![]);
}

/// SMB2 messages (even > 0x1FFFF bytes) are counted and skipped, not buffered.
#[test]
fn smb2_recognised_and_skipped() {
    let mut c = Conv::new("[2001:db8::1]:50000", "[2001:db8::2]:445", 1, 1);
    let mut segs = c.handshake();
    let big = nbss(&smb2(300_000));
    for chunk in big.chunks(60_000) {
        segs.push(c.data(C, chunk));
    }
    segs.push(c.data(S, &nbss(&smb2(100))));
    segs.push(c.data(S, &nbss(&smb1(0x25, 80, 0))));
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    // 300 004 bytes in 6 segments (frames 4-9), SMB2 in 10, SMB1 in 11.
    assert_eq!(smb_summary(&events), vec![(11, 11, S, 0x25, 80)]);
    assert_eq!(stats.smb2_messages, 2);
    assert!(
        stats.peak_buffered_bytes < 4096,
        "{}",
        stats.peak_buffered_bytes
    );
    assert_eq!(anomalies(&events), vec![]);
}

#[test]
fn non_smb_payload_on_smb_port() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut segs = c.handshake();
    segs.push(c.data(S, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")); // 4
    let mut w = nbss(b"not an smb message at all");
    w.extend(nbss(&smb1(0x25, 40, 0)));
    segs.push(c.data(C, &w)); // 5
    let (events, _) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(smb_summary(&events), vec![(5, 5, C, 0x25, 40)]);
    assert_eq!(
        anomalies(&events),
        vec![
            AnomalyKind::UnknownSessionPacket { packet_type: b'G' },
            AnomalyKind::NotSmb { length: 25 },
            // At the end of the capture: the rest of the HTTP request.
            AnomalyKind::ResyncSkipped { bytes: 27 },
        ]
    );
}

/// One conversation over every link layer and VLAN stacking, IPv4 and IPv6.
#[test]
fn link_layers_vlan_and_ipv6() {
    let links = [
        Link::Ethernet(vec![]),
        Link::Ethernet(vec![0x8100]),
        Link::Ethernet(vec![0x88A8, 0x8100]),
        Link::Ethernet(vec![0x9100, 0x8100, 0x8100]),
        Link::Sll,
        Link::Sll2,
        Link::Null { big_endian: false },
        Link::Null { big_endian: true },
        Link::Raw,
    ];
    for (client, server) in [
        ("192.168.1.5:3000", "192.168.1.9:139"),
        ("[fe80::1]:3000", "[fe80::2]:445"),
    ] {
        for link in &links {
            let mut c = Conv::new(client, server, 10, 20);
            let mut segs = c.handshake();
            segs.push(c.data(S, &nbss(&smb1(0x25, 77, 1))));
            segs.push(c.data(C, &nbss(&smb1(0x25, 55, 2))));
            let recs: Vec<Rec> = segs
                .iter()
                .enumerate()
                .map(|(i, t)| Rec::new(i as u32, 0, link.wrap(&ip_packet(t))))
                .collect();
            let (events, stats) = run(&pcap(link.link_type(), &recs, false, false));
            assert_eq!(
                smb_summary(&events),
                vec![(4, 4, S, 0x25, 77), (5, 5, C, 0x25, 55)],
                "{link:?} {client}"
            );
            assert_eq!(stats.anomaly_total(), 0, "{link:?}");
        }
    }
}

#[test]
fn ipv4_and_ipv6_fragments_reassembled() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut fr: Vec<Vec<u8>> = c.handshake().iter().map(eth).collect();
    let seg = c.data(S, &nbss(&smb1(0x25, 1200, 7)));
    let mut frags = ipv4_fragments(&seg, 400, 77);
    frags.swap(0, 2); // out of order
    for f in &frags {
        fr.push(Link::Ethernet(vec![]).wrap(f));
    }
    let (events, stats) = run(&eth_pcap(&fr));
    assert_eq!(smb_summary(&events), vec![(7, 7, S, 0x25, 1200)]);
    assert_eq!((stats.ip_fragments, stats.ip_reassembled), (4, 1));

    let mut c = Conv::new("[2001:db8::1]:1025", "[2001:db8::2]:445", 1, 1);
    let mut fr: Vec<Vec<u8>> = c.handshake().iter().map(eth).collect();
    let seg = c.data(C, &nbss(&smb1(0x25, 1000, 8)));
    for f in ipv6_fragments(&seg, 512, 99) {
        fr.push(Link::Ethernet(vec![]).wrap(&f));
    }
    let (events, stats) = run(&eth_pcap(&fr));
    assert_eq!(smb_summary(&events), vec![(5, 5, C, 0x25, 1000)]);
    assert_eq!((stats.ip_fragments, stats.ip_reassembled), (2, 1));
    assert_eq!(stats.anomaly_total(), 0);
}

#[test]
fn incomplete_fragment_dropped_at_end() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let seg = c.data(S, &nbss(&smb1(0x25, 1200, 7)));
    let frags = ipv4_fragments(&seg, 400, 77);
    let fr = vec![Link::Ethernet(vec![]).wrap(&frags[0])];
    let (events, _) = run(&eth_pcap(&fr));
    assert_eq!(
        anomalies(&events),
        vec![AnomalyKind::FragmentDropped { bytes: 400 }]
    );
}

#[test]
fn smb1_command_filter() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut segs = c.handshake();
    for cmd in [0x72u8, 0x73, 0x75, 0x25, 0x2E, 0x26] {
        segs.push(c.data(S, &nbss(&smb1(cmd, 64, 0))));
    }
    let mut cfg = DecoderConfig::default();
    cfg.smb1_commands = Some([0x25u8, 0x26].into_iter().collect());
    let (events, stats) = run_with(&eth_pcap(&frames(&segs)), cfg);
    assert_eq!(
        smb_summary(&events),
        vec![(7, 7, S, 0x25, 64), (9, 9, S, 0x26, 64)]
    );
    assert_eq!(stats.smb1_filtered, 4);
}

#[test]
fn oversized_smb1_skipped_by_length() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut segs = c.handshake();
    let big = nbss(&smb1(0x2E, 0x2_0000, 0));
    for chunk in big.chunks(30_000) {
        segs.push(c.data(C, chunk));
    }
    segs.push(c.data(C, &nbss(&smb1(0x25, 40, 0))));
    let (events, _) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(smb_summary(&events), vec![(9, 9, C, 0x25, 40)]);
    assert_eq!(
        anomalies(&events),
        vec![AnomalyKind::OversizedMessage { length: 0x2_0000 }]
    );
}

#[test]
fn reset_closes_flow_and_reports_partial_message() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut segs = c.handshake();
    let m = nbss(&smb1(0x25, 500, 0));
    segs.push(c.data(S, &m[..200])); // 4
    let rst = c.raw(C, c.sseq, c.cseq, RST | ACK, vec![]);
    segs.push(rst); // 5
    let (events, _) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(
        anomalies(&events),
        vec![AnomalyKind::IncompleteMessage {
            received: 200,
            expected: Some(504)
        }]
    );
    assert_eq!(closed(&events), vec![(1, CloseReason::Reset)]);
}

#[test]
fn port_reuse_with_new_syn_is_a_new_flow() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut segs = c.handshake();
    segs.push(c.data(S, &nbss(&smb1(0x25, 40, 0))));
    let mut c2 = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 900_000, 5);
    segs.extend(c2.handshake());
    segs.push(c2.data(S, &nbss(&smb1(0x26, 40, 0))));
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    let flows: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            TransportEvent::Smb1(m) => Some(m.flow.index),
            _ => None,
        })
        .collect();
    assert_eq!(flows, vec![1, 2]);
    assert_eq!(
        closed(&events),
        vec![
            (1, CloseReason::NewConnection),
            (2, CloseReason::EndOfCapture)
        ]
    );
    assert_eq!(stats.flows, 2);
}

#[test]
fn extra_port_and_server_side() {
    let mut c = Conv::new("10.0.0.1:40000", "10.0.0.2:1445", 1, 1);
    let mut segs = c.handshake();
    segs.push(c.data(S, &nbss(&smb1(0x25, 40, 0))));
    let cap = eth_pcap(&frames(&segs));
    let mut no_heuristics = DecoderConfig::default();
    no_heuristics.heuristics = false;
    let (events, stats) = run_with(&cap, no_heuristics.clone());
    assert_eq!(smb_summary(&events), vec![]);
    assert_eq!(stats.other_tcp_segments, 4);
    let (events, _) = run_with(&cap, no_heuristics.with_port(1445));
    assert_eq!(smb_summary(&events), vec![(4, 4, S, 0x25, 40)]);
    let TransportEvent::Smb1(m) = &events[0] else {
        panic!()
    };
    assert_eq!(m.flow.server, addr("10.0.0.2:1445"));
}

/// A frame cut by the snapshot length: the missing payload is a gap.
#[test]
fn snaplen_truncated_segment_is_a_gap() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut segs = c.handshake();
    let mut payload = nbss(&smb1(0x2E, 1000, 0));
    payload.extend(nbss(&smb1(0x25, 40, 0)));
    segs.push(c.data(S, &payload)); // 4: truncated
    segs.push(c.data(S, &nbss(&smb1(0x25, 50, 0)))); // 5
    let mut recs: Vec<Rec> = segs
        .iter()
        .enumerate()
        .map(|(i, t)| Rec::new(i as u32, 0, eth(t)))
        .collect();
    let full = recs[3].data.len();
    recs[3].data.truncate(200);
    recs[3].orig_len = full as u32;
    let (events, _) = run(&pcap(1, &recs, false, false));
    assert_eq!(smb_summary(&events), vec![(5, 5, S, 0x25, 50)]);
    let missing = (full - 200) as u64;
    assert_eq!(
        anomalies(&events),
        vec![
            AnomalyKind::SnaplenTruncated { missing },
            AnomalyKind::TcpGap { bytes: missing },
            AnomalyKind::MessageLostInGap { length: 1000 },
        ]
    );
}

fn feed_all(
    decoder: &mut Decoder,
    frames: &[Vec<u8>],
    max_seen: &mut usize,
) -> Vec<TransportEvent> {
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let p = Packet {
            frame_number: i as u64 + 1,
            timestamp: Timestamp::default(),
            link_type: LinkType::ETHERNET,
            data: f,
            original_len: f.len() as u32,
        };
        out.extend(decoder.feed(&p));
        *max_seen = (*max_seen).max(decoder.buffered_bytes());
    }
    out.extend(decoder.finish());
    out
}

/// Many flows each holding data behind an unfilled hole: buffered bytes stay
/// under the global cap by evicting the least recently active flows.
#[test]
fn memory_cap_evicts_oldest_flows() {
    let cap = 1024 * 1024;
    let mut cfg = DecoderConfig::default();
    cfg.max_buffered_bytes = cap;
    let mut frames = Vec::new();
    for i in 0..200u32 {
        let client = format!("10.1.{}.{}:2000", i / 250, i % 250 + 1);
        let mut c = Conv::new(&client, "10.0.0.2:445", i * 7, 1);
        frames.extend(c.handshake().iter().map(eth));
        let _lost = c.data(S, &[0u8; 100]);
        for _ in 0..40 {
            frames.push(eth(&c.data(S, &[0xAA; 1400])));
        }
    }
    let mut decoder = Decoder::new(cfg);
    let mut max_seen = 0;
    let events = feed_all(&mut decoder, &frames, &mut max_seen);
    // One packet's worth of slack over the cap before eviction runs.
    assert!(max_seen <= cap + 4096, "max buffered {max_seen}");
    let st = decoder.stats();
    assert!(st.flows_evicted >= 150, "evicted {}", st.flows_evicted);
    let evicted = anomalies(&events)
        .iter()
        .filter(|a| matches!(a, AnomalyKind::FlowEvicted { .. }))
        .count() as u64;
    assert_eq!(evicted, st.flows_evicted);
    assert_eq!(decoder.active_flows(), 0);
}

#[test]
fn flow_count_cap() {
    let mut cfg = DecoderConfig::default();
    cfg.max_flows = 10;
    let mut frames = Vec::new();
    for i in 0..100u32 {
        let client = format!("10.2.0.{}:3000", i + 1);
        let mut c = Conv::new(&client, "10.0.0.2:139", 1, 1);
        frames.extend(c.handshake().iter().map(eth));
        frames.push(eth(&c.data(S, &nbss(&smb1(0x25, 40, 0)))));
    }
    let mut decoder = Decoder::new(cfg);
    let mut max_flows = 0;
    for (i, f) in frames.iter().enumerate() {
        let p = Packet {
            frame_number: i as u64 + 1,
            timestamp: Timestamp::default(),
            link_type: LinkType::ETHERNET,
            data: f,
            original_len: 0,
        };
        let n = decoder
            .feed(&p)
            .filter(|e| matches!(e, TransportEvent::Smb1(_)))
            .count();
        assert!(n <= 1);
        max_flows = max_flows.max(decoder.active_flows());
    }
    assert!(max_flows <= 10);
    assert_eq!(decoder.stats().smb1_messages, 100);
    assert_eq!(decoder.stats().peak_flows, 10);
}

/// The capture misses the client's SYN but has the SYN-ACK: the client
/// stream start is known from its acknowledgment number, so a first segment
/// that is out of order is not mistaken for the stream start.
#[test]
fn syn_ack_without_syn_fixes_client_stream_start() {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1000, 5000);
    let hs = c.handshake();
    let m = nbss(&smb1(0x25, 300, 1));
    let a = c.data(S, &m[..100]);
    let b = c.data(S, &m[100..]);
    let segs = vec![hs[1].clone(), hs[2].clone(), b, a]; // frames 1..4
    let (events, _) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(smb_summary(&events), vec![(4, 3, S, 0x25, 300)]);
    assert_eq!(anomalies(&events), vec![]);
}

// ---------------------------------------------------------------- heuristics

/// The same capture decoded with heuristics (the default, no extra port)
/// and with the port named (heuristics off): the same events. (Segment
/// counters differ: a bare ACK seen before the port was recognised counts
/// as another port's.)
fn same_as_with_port(cap: &[u8], port: u16) -> (Vec<TransportEvent>, msrap::decode::DecoderStats) {
    let named = {
        let mut c = DecoderConfig::default();
        c.heuristics = false;
        c
    }
    .with_port(port);
    let (want, want_stats) = run_with(cap, named);
    let (got, stats) = run(cap);
    assert_eq!(got, want);
    assert_eq!(stats.smb1_messages, want_stats.smb1_messages);
    assert_eq!(stats.anomalies, want_stats.anomalies);
    (got, stats)
}

/// An SMB1 response: the header's REPLY flag (Flags bit 7) set.
fn smb1_reply(cmd: u8, len: usize) -> Vec<u8> {
    let mut m = smb1(cmd, len, 0x33);
    m[9] = 0x80;
    m
}

#[test]
fn heuristics_recognise_smb1_on_any_port_from_the_syn() {
    let mut c = Conv::new("10.0.0.1:40000", "10.0.0.2:1445", 7, 9);
    let mut segs = c.handshake();
    segs.push(c.data(S, &nbss(&smb1(0x72, 60, 0))));
    segs.push(c.data(C, &nbss(&smb1_reply(0x72, 80))));
    segs.push(c.fin(S));
    segs.push(c.fin(C));
    segs.push(c.ack(S));
    let (events, stats) = same_as_with_port(&eth_pcap(&frames(&segs)), 1445);
    assert_eq!(
        smb_summary(&events),
        vec![(4, 4, S, 0x72, 60), (5, 5, C, 0x72, 80)]
    );
    assert_eq!(closed(&events), vec![(1, CloseReason::Fin)]);
    assert_eq!(stats.recognised_ports, vec![1445]);
    // The handshake's last ACK, before the request showed SMB1.
    assert_eq!(stats.other_tcp_segments, 1);
    assert_eq!(stats.smb_port_segments, 7);
    assert_eq!(stats.anomaly_total(), 0);
}

#[test]
fn heuristics_find_the_server_by_the_reply_flag_when_the_capture_starts_mid_connection() {
    // The first segment seen is the server's response (port 3000 → 50000).
    let mut c = Conv::new("10.0.0.1:50000", "10.0.0.2:3000", 100, 200);
    let segs = vec![
        c.data(C, &nbss(&smb1_reply(0x25, 70))),
        c.data(S, &nbss(&smb1(0x25, 50, 0))),
    ];
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(
        smb_summary(&events),
        vec![(1, 1, C, 0x25, 70), (2, 2, S, 0x25, 50)]
    );
    let TransportEvent::Smb1(m) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(m.flow.server, addr("10.0.0.2:3000"));
    assert_eq!(m.flow.client, addr("10.0.0.1:50000"));
    assert_eq!(stats.recognised_ports, vec![3000]);
}

#[test]
fn heuristics_recognise_a_netbios_session_request() {
    let mut c = Conv::new("10.0.0.1:40001", "10.0.0.2:1139", 1, 1);
    let mut segs = c.handshake();
    let names = msrap::smb1::nbss::session_request("SERVER", "CLIENT");
    segs.push(c.data(S, &names));
    segs.push(c.data(C, &[0x82, 0, 0, 0]));
    segs.push(c.data(S, &nbss(&smb1(0x72, 40, 0))));
    let (events, stats) = same_as_with_port(&eth_pcap(&frames(&segs)), 1139);
    assert_eq!(smb_summary(&events), vec![(6, 6, S, 0x72, 40)]);
    let sessions: Vec<SessionPacketType> = events
        .iter()
        .filter_map(|e| match e {
            TransportEvent::Session { packet_type, .. } => Some(*packet_type),
            _ => None,
        })
        .collect();
    assert_eq!(
        sessions,
        vec![
            SessionPacketType::SESSION_REQUEST,
            SessionPacketType::POSITIVE_SESSION_RESPONSE
        ]
    );
    assert_eq!(stats.recognised_ports, vec![1139]);
}

#[test]
fn heuristics_leave_other_traffic_alone() {
    let mut segs = Vec::new();
    let payloads: [Vec<u8>; 5] = [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        // A session header whose length cannot hold an SMB1 header.
        vec![
            0, 0, 0, 16, 0xFF, b'S', b'M', b'B', 0x72, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
        // SMB2 carries no RAP: not recognised.
        nbss(&smb2(80)),
        // A session request whose called name is not first-level encoded.
        session_packet(0x81, &[0x20; 68]),
        // Seven bytes: too short to judge.
        vec![0, 0, 0, 40, 0xFF, b'S', b'M'],
    ];
    for (i, p) in payloads.iter().enumerate() {
        let mut c = Conv::new(&format!("10.0.0.1:{}", 41000 + i), "10.0.0.2:8080", 1, 1);
        segs.extend(c.handshake());
        segs.push(c.data(S, p));
    }
    let (events, stats) = run(&eth_pcap(&frames(&segs)));
    assert_eq!(events, vec![]);
    assert_eq!(stats.flows, 0);
    assert_eq!(stats.recognised_ports, Vec::<u16>::new());
    assert_eq!(stats.other_tcp_segments, 20);
    assert_eq!(stats.smb_port_segments, 0);
}

#[test]
fn interleaved_connections_on_an_unknown_port_are_decoded_from_their_syns() {
    let mut a = Conv::new("10.0.0.1:40010", "10.0.0.2:2445", 1_000, 2_000);
    let mut b = Conv::new("10.0.0.1:40011", "10.0.0.2:2445", 3_000_000_000, 5);
    let mut segs = a.handshake();
    segs.extend(b.handshake());
    segs.push(a.data(S, &nbss(&smb1(0x72, 40, 0))));
    segs.push(b.data(S, &nbss(&smb1(0x72, 44, 0))));
    segs.push(b.data(C, &nbss(&smb1_reply(0x72, 90))));
    segs.push(a.data(C, &nbss(&smb1_reply(0x72, 94))));
    let (events, stats) = same_as_with_port(&eth_pcap(&frames(&segs)), 2445);
    assert_eq!(
        smb_summary(&events),
        vec![
            (7, 7, S, 0x72, 40),
            (8, 8, S, 0x72, 44),
            (9, 9, C, 0x72, 90),
            (10, 10, C, 0x72, 94)
        ]
    );
    assert_eq!(stats.recognised_ports, vec![2445]);
    assert_eq!(stats.flows, 2);
}

#[test]
fn held_syns_stay_bounded_and_decoding_goes_on() {
    // 5000 handshakes on other ports (more than the held-SYN table keeps),
    // then an SMB1 connection on an unknown port.
    let mut segs = Vec::new();
    for i in 0..5000u32 {
        let mut c = Conv::new(
            &format!("10.1.{}.{}:40000", i / 250, i % 250 + 1),
            "10.0.0.2:8443",
            i,
            i,
        );
        segs.push(c.handshake().remove(0));
    }
    let mut c = Conv::new("10.0.0.1:40020", "10.0.0.2:1445", 1, 1);
    segs.extend(c.handshake());
    segs.push(c.data(S, &nbss(&smb1(0x72, 40, 0))));
    let (events, stats) = same_as_with_port(&eth_pcap(&frames(&segs)), 1445);
    assert_eq!(smb_summary(&events), vec![(5004, 5004, S, 0x72, 40)]);
    assert_eq!(stats.other_tcp_segments, 5001);
}
