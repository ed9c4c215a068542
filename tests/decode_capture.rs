//! Capture reading: pcap (byte orders, µs/ns), pcapng (sections, interfaces,
//! resolutions, SPB), truncation, garbage, short reads, buffer growth.
#![cfg(feature = "decode")]

mod support;

use std::io::Read;

use msrap::decode::{
    AnomalyKind, CaptureError, CaptureFormat, CaptureItem, CaptureReader, Direction, LinkType,
    ReaderOptions, Timestamp, TransportEvent,
};
use pretty_assertions::assert_eq;
use support::decode::*;

/// Frames of a short SMB conversation (handshake, request, response).
fn conversation_frames() -> Vec<Vec<u8>> {
    let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
    let mut segs = c.handshake();
    segs.push(c.data(Direction::ToServer, &nbss(&smb1(0x25, 64, 1))));
    segs.push(c.data(Direction::ToClient, &nbss(&smb1(0x25, 48, 2))));
    segs.iter().map(eth).collect()
}

type PacketRow = (u64, LinkType, Timestamp, usize);

/// (frame, link type, timestamp, length) of every packet, and the anomalies.
fn read_all(bytes: &[u8]) -> (Vec<PacketRow>, Vec<AnomalyKind>, u64) {
    let mut r = CaptureReader::new(bytes).unwrap();
    let mut pkts = vec![];
    let mut anomalies = vec![];
    while let Some(item) = r.next_item() {
        match item {
            CaptureItem::Packet(p) => {
                pkts.push((p.frame_number, p.link_type, p.timestamp, p.data.len()))
            }
            CaptureItem::Anomaly { kind, .. } => anomalies.push(kind),
        }
    }
    (pkts, anomalies, r.bytes_consumed())
}

fn ts(secs: i64, nanos: u32) -> Timestamp {
    Timestamp { secs, nanos }
}

#[test]
fn pcap_byte_orders_and_resolutions() {
    let frames = conversation_frames();
    for be in [false, true] {
        for nanos in [false, true] {
            let recs: Vec<Rec> = frames
                .iter()
                .enumerate()
                .map(|(i, f)| Rec::new(1_700_000_000 + i as u32, 123_456 + i as u32, f.clone()))
                .collect();
            let file = pcap(1, &recs, be, nanos);
            let (pkts, anomalies, consumed) = read_all(&file);
            assert_eq!(anomalies, vec![]);
            assert_eq!(consumed, file.len() as u64);
            assert_eq!(pkts.len(), 5);
            let scale = if nanos { 1 } else { 1000 };
            assert_eq!(
                pkts[3],
                (
                    4,
                    LinkType::ETHERNET,
                    ts(1_700_000_003, (123_459) * scale),
                    frames[3].len()
                ),
                "be={be} nanos={nanos}"
            );
            let (events, _) = run(&file);
            assert_eq!(
                smb_summary(&events),
                vec![
                    (4, 4, Direction::ToServer, 0x25, 64),
                    (5, 5, Direction::ToClient, 0x25, 48)
                ]
            );
        }
    }
}

#[test]
fn pcap_fraction_overflow_carries() {
    let recs = vec![Rec::new(10, 2_500_000, vec![0; 14])];
    let (pkts, _, _) = read_all(&pcap(1, &recs, false, false));
    assert_eq!(pkts[0].2, ts(12, 500_000_000));
}

/// Two interfaces with different link types and resolutions, interleaved;
/// a second section redefines interface 0; an SPB; an ISB is ignored.
#[test]
fn pcapng_interfaces_sections_and_resolutions() {
    for be in [false, true] {
        let mut c = Conv::new("10.0.0.1:1025", "10.0.0.2:445", 1, 1);
        let mut segs = c.handshake();
        segs.push(c.data(Direction::ToServer, &nbss(&smb1(0x25, 64, 1))));
        segs.push(c.data(Direction::ToClient, &nbss(&smb1(0x25, 48, 2))));
        segs.push(c.data(Direction::ToServer, &nbss(&smb1(0x26, 40, 3))));
        let mut ng = PcapNg::new(be);
        ng.interface(1, None); // Ethernet, µs
        ng.interface(101, Some(9)); // raw IP, ns
        ng.packet(0, 1_000_000_500_000, &eth(&segs[0])); // 1
        ng.packet(1, 1_000_000_000_000_001, &ip_packet(&segs[1])); // 2
        ng.stats_block();
        ng.packet(0, 1_000_002_000_000, &eth(&segs[2])); // 3
        ng.packet(1, 1_000_003_000_000_000, &ip_packet(&segs[3])); // 4
        ng.section();
        ng.interface(113, Some(0x80 | 10)); // SLL, 2^-10 s
        ng.packet(0, 1024 * 5 + 512, &Link::Sll.wrap(&ip_packet(&segs[4]))); // 5
        ng.simple(&Link::Sll.wrap(&ip_packet(&segs[5]))); // 6
        let file = ng.out;
        let (pkts, anomalies, consumed) = read_all(&file);
        assert_eq!(anomalies, vec![]);
        assert_eq!(consumed, file.len() as u64);
        let got: Vec<(u64, LinkType, Timestamp)> = pkts.iter().map(|p| (p.0, p.1, p.2)).collect();
        assert_eq!(
            got,
            vec![
                (1, LinkType::ETHERNET, ts(1_000_000, 500_000_000)),
                (2, LinkType::RAW, ts(1_000_000, 1)),
                (3, LinkType::ETHERNET, ts(1_000_002, 0)),
                (4, LinkType::RAW, ts(1_000_003, 0)),
                (5, LinkType::LINUX_SLL, ts(5, 500_000_000)),
                (6, LinkType::LINUX_SLL, ts(0, 0)),
            ]
        );
        assert_eq!(
            CaptureReader::new(&file[..]).unwrap().format(),
            CaptureFormat::PcapNg
        );
        let (events, _) = run(&file);
        assert_eq!(
            smb_summary(&events),
            vec![
                (4, 4, Direction::ToServer, 0x25, 64),
                (5, 5, Direction::ToClient, 0x25, 48),
                (6, 6, Direction::ToServer, 0x26, 40)
            ]
        );
    }
}

#[test]
fn pcapng_unknown_interface_is_an_anomaly() {
    let mut ng = PcapNg::new(false);
    ng.interface(1, None);
    ng.packet(3, 0, &[0u8; 20]);
    ng.packet(0, 0, &[0u8; 20]);
    let (pkts, anomalies, _) = read_all(&ng.out);
    assert_eq!(
        anomalies,
        vec![AnomalyKind::UnknownInterface { interface: 3 }]
    );
    assert_eq!(pkts.iter().map(|p| p.0).collect::<Vec<_>>(), vec![2]);
}

/// A capture cut inside its last record: all complete records, then an anomaly.
#[test]
fn truncated_final_record() {
    let file = eth_pcap(&conversation_frames());
    for cut in [file.len() - 1, file.len() - 30, file.len() - 60] {
        let (pkts, anomalies, _) = read_all(&file[..cut]);
        assert_eq!(pkts.len(), 4, "cut {cut}");
        assert!(matches!(
            anomalies[..],
            [AnomalyKind::TruncatedCapture { .. }]
        ));
        let (events, stats) = run(&file[..cut]);
        assert_eq!(
            smb_summary(&events),
            vec![(4, 4, Direction::ToServer, 0x25, 64)]
        );
        assert_eq!(stats.anomalies.get("truncated_capture"), Some(&1));
    }
    // pcapng too.
    let mut ng = PcapNg::new(false);
    ng.interface(1, None);
    for f in conversation_frames() {
        ng.packet(0, 0, &f);
    }
    let cut = &ng.out[..ng.out.len() - 10];
    let (pkts, anomalies, _) = read_all(cut);
    assert_eq!(pkts.len(), 4);
    assert!(matches!(
        anomalies[..],
        [AnomalyKind::TruncatedCapture { .. }]
    ));
}

#[test]
fn not_a_capture_and_empty() {
    assert!(matches!(
        CaptureReader::new(&b"hello world, this is not a capture file"[..]),
        Err(CaptureError::NotACapture)
    ));
    assert!(CaptureReader::new(&b""[..]).is_err());
    assert!(CaptureReader::new(&[0xD4u8, 0xC3, 0xB2][..]).is_err());
}

/// Garbage after a valid header, and garbage frames: anomalies, no panic.
#[test]
fn garbage_input_never_panics() {
    let mut seed = 0x1234_5678u32;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    for round in 0..60 {
        let n = (rnd() % 3000) as usize;
        let noise: Vec<u8> = (0..n).map(|_| rnd() as u8).collect();
        // Valid header + noise.
        let mut file = pcap(1, &[], round % 2 == 0, false);
        file.extend(&noise);
        let _ = run_capture_lossy(&file);
        // Valid records of noise for each link type.
        for lt in [0u32, 1, 12, 101, 108, 113, 228, 229, 276, 9999] {
            let recs = vec![
                Rec::new(0, 0, noise.clone()),
                Rec::new(0, 0, noise[..n / 2].to_vec()),
            ];
            let _ = run_capture_lossy(&pcap(lt, &recs, false, false));
        }
        let mut ng = PcapNg::new(false);
        ng.interface(1, None);
        ng.out.extend(&noise);
        let _ = run_capture_lossy(&ng.out);
    }
}

fn run_capture_lossy(bytes: &[u8]) -> Vec<TransportEvent> {
    let mut events = vec![];
    let _ = msrap::decode::decode_capture(bytes, Default::default(), |e| events.push(e));
    events
}

/// A reader that returns at most 3 bytes per call (like a slow pipe).
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(3).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn short_reads_like_stdin() {
    let file = eth_pcap(&conversation_frames());
    let mut events = vec![];
    let stats =
        msrap::decode::decode_capture(Trickle(&file), Default::default(), |e| events.push(e))
            .unwrap();
    assert_eq!(smb_summary(&events).len(), 2);
    assert_eq!(stats.packets, 5);
}

/// A record larger than the initial buffer grows it; one larger than the cap
/// stops reading with an anomaly.
#[test]
fn buffer_grows_up_to_cap() {
    let big = vec![0u8; 100_000];
    let recs = vec![
        Rec::new(0, 0, vec![1; 60]),
        Rec::new(0, 0, big.clone()),
        Rec::new(0, 0, vec![2; 60]),
    ];
    let file = pcap(1, &recs, false, false);
    let opts = ReaderOptions {
        initial_buffer: 4096,
        max_buffer: 256 * 1024,
    };
    let mut r = CaptureReader::with_options(&file[..], opts).unwrap();
    let mut lens = vec![];
    while let Some(item) = r.next_item() {
        match item {
            CaptureItem::Packet(p) => lens.push(p.data.len()),
            CaptureItem::Anomaly { kind, .. } => panic!("{kind:?}"),
        }
    }
    assert_eq!(lens, vec![60, 100_000, 60]);
    assert!(r.buffer_capacity() <= 256 * 1024);

    let opts = ReaderOptions {
        initial_buffer: 4096,
        max_buffer: 65_536,
    };
    let mut r = CaptureReader::with_options(&file[..], opts).unwrap();
    let mut items = vec![];
    while let Some(item) = r.next_item() {
        items.push(match item {
            CaptureItem::Packet(p) => format!("packet {}", p.frame_number),
            CaptureItem::Anomaly { kind, .. } => format!("{kind:?}"),
        });
    }
    assert_eq!(
        items,
        vec![
            "packet 1".to_string(),
            "RecordTooLarge { offset: 100, cap: 65536 }".to_string()
        ]
    );
}

/// A read error mid-file is reported, not fatal.
#[test]
fn read_error_is_an_anomaly() {
    struct Failing<'a>(&'a [u8]);
    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let file = eth_pcap(&conversation_frames());
    let cut = &file[..file.len() - 5];
    let mut r = CaptureReader::new(Failing(cut)).unwrap();
    let mut last = None;
    let mut n = 0;
    while let Some(item) = r.next_item() {
        match item {
            CaptureItem::Packet(_) => n += 1,
            CaptureItem::Anomaly { kind, .. } => last = Some(kind),
        }
    }
    assert_eq!(n, 4);
    let Some(AnomalyKind::ReadError { message, .. }) = last else {
        panic!("{last:?}")
    };
    assert_eq!(message, "disk on fire");
}
