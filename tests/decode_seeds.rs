//! Writes the seed corpus of the `decode_capture` fuzz target from the test
//! writers (run by hand, then commit `fuzz/corpus/decode_capture/`):
//!
//! ```sh
//! MSRAP_WRITE_SEEDS=1 cargo test --all-features --test decode_seeds -- --ignored
//! ```
#![cfg(feature = "decode")]

mod support;

use msrap::decode::Direction::{ToClient as C, ToServer as S};
use support::decode::*;

fn conversation(client: &str, server: &str, isn: u32) -> Vec<Tcp> {
    let mut c = Conv::new(client, server, isn, isn ^ 0x5555);
    let mut segs = c.handshake();
    segs.push(c.data(S, &session_packet(0x81, &[0x20; 8])));
    segs.push(c.data(C, &session_packet(0x82, &[])));
    segs.push(c.data(S, &nbss(&smb1(0x25, 40, 1))));
    let m = nbss(&smb1(0x25, 90, 2));
    segs.push(c.data(C, &m[..30]));
    segs.push(c.data(C, &m[30..]));
    segs.push(c.data(S, &session_packet(0x85, &[])));
    segs.push(c.data(C, &nbss(&smb2(64))));
    segs.push(c.fin(S));
    segs.push(c.fin(C));
    segs
}

#[test]
#[ignore = "writes fuzz/corpus/decode_capture"]
fn write_seeds() {
    if std::env::var("MSRAP_WRITE_SEEDS").is_err() {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode_capture");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: Vec<u8>| std::fs::write(dir.join(name), bytes).unwrap();

    let segs = conversation("10.0.0.1:1025", "10.0.0.2:445", 100);
    let frames: Vec<Vec<u8>> = segs.iter().map(eth).collect();
    write("seed-pcap-eth", eth_pcap(&frames));

    // Reordered, retransmitted, one segment lost; wraparound ISN.
    let mut segs = conversation("10.0.0.1:1026", "10.0.0.2:139", u32::MAX - 60);
    segs.swap(5, 7);
    segs.insert(6, segs[5].clone());
    segs.remove(8);
    let recs: Vec<Rec> = segs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Rec::new(
                i as u32,
                i as u32 * 7,
                Link::Ethernet(vec![0x88A8, 0x8100]).wrap(&ip_packet(t)),
            )
        })
        .collect();
    write("seed-pcap-be-ns-qinq-reordered", pcap(1, &recs, true, true));

    // pcapng: IPv6 over SLL2 and IPv4 over null on two interfaces, with fragments.
    let v6 = conversation("[2001:db8::1]:40000", "[2001:db8::2]:445", 7);
    let v4 = conversation("192.168.0.1:40001", "192.168.0.2:1445", 9);
    let mut ng = PcapNg::new(false);
    ng.interface(276, Some(9));
    ng.interface(0, None);
    for (i, (a, b)) in v6.iter().zip(&v4).enumerate() {
        ng.packet(0, i as u64 * 1000, &Link::Sll2.wrap(&ip_packet(a)));
        if i == 6 {
            for f in ipv4_fragments(b, 64, 3) {
                ng.packet(1, i as u64, &Link::Null { big_endian: false }.wrap(&f));
            }
        } else {
            ng.packet(
                1,
                i as u64,
                &Link::Null { big_endian: false }.wrap(&ip_packet(b)),
            );
        }
    }
    ng.simple(&Link::Sll2.wrap(&ip_packet(&v6[0])));
    write("seed-pcapng-multi", ng.out);

    // Mid-connection start on raw IP, IPv6 fragments.
    let segs = conversation("[fe80::1]:1000", "[fe80::2]:139", 5);
    let mut recs = vec![];
    for (i, t) in segs.iter().enumerate().skip(5) {
        if i == 7 {
            for f in ipv6_fragments(t, 48, 11) {
                recs.push(Rec::new(0, 0, f));
            }
        } else {
            recs.push(Rec::new(0, 0, ip_packet(t)));
        }
    }
    write("seed-pcap-raw-midstream", pcap(101, &recs, false, false));
}
