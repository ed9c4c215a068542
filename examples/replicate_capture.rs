//! Make a large capture out of a small one, for throughput and memory
//! measurements of `msrap decode`: the packets of IN are written COPIES times
//! to OUT (classic pcap), each copy with its client TCP ports shifted (so each
//! copy's sessions are distinct flows) and its timestamps moved later.
//!
//! ```sh
//! cargo run --release --features decode --example replicate_capture -- IN.pcap OUT.pcap --size-mb 500 [--port 1445] [--server-port-to 445]
//! ```
//!
//! `--server-port-to P` also rewrites the server port to P (e.g. 445, so that
//! tshark dissects SMB without `-d`). TCP checksums are left as captured (on
//! `lo` they are offloaded anyway; neither tshark nor msrap checks them).
//!
//! Ethernet and BSD-loopback captures of IPv4/TCP only (what tcpdump/tshark
//! write on Linux `lo`); other packets are copied unchanged.

use std::io::{BufWriter, Write};

use msrap::decode::{CaptureItem, CaptureReader, LinkType};

fn usage() -> ! {
    eprintln!(
        "usage: replicate_capture IN OUT (--copies N | --size-mb M) [--port SERVER_PORT]... [--server-port-to P]"
    );
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        usage()
    };
    let mut copies: Option<u64> = None;
    let mut size_mb: Option<u64> = None;
    let mut ports: Vec<u16> = vec![139, 445];
    let mut server_port_to: Option<u16> = None;
    let mut it = args.iter().skip(2);
    while let Some(a) = it.next() {
        let v = it.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--copies" => copies = v.parse().ok(),
            "--size-mb" => size_mb = v.parse().ok(),
            "--port" => ports.push(v.parse().unwrap_or_else(|_| usage())),
            "--server-port-to" => server_port_to = Some(v.parse().unwrap_or_else(|_| usage())),
            _ => usage(),
        }
    }
    // Read the whole (small) input once.
    let file = std::fs::File::open(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    let mut reader = CaptureReader::new(file).unwrap_or_else(|e| panic!("{input}: {e:?}"));
    let mut packets: Vec<(i64, u32, Vec<u8>, u32)> = Vec::new();
    let mut link: Option<LinkType> = None;
    while let Some(item) = reader.next_item() {
        if let CaptureItem::Packet(p) = item {
            link.get_or_insert(p.link_type);
            packets.push((
                p.timestamp.secs,
                p.timestamp.nanos,
                p.data.to_vec(),
                p.original_len,
            ));
        }
    }
    let link = link.unwrap_or(LinkType(1));
    let per_copy: u64 = packets.iter().map(|p| 16 + p.2.len() as u64).sum();
    let copies = copies
        .or_else(|| size_mb.map(|m| (m << 20).div_ceil(per_copy.max(1))))
        .unwrap_or_else(|| usage());
    let span = packets
        .last()
        .map_or(0, |l| l.0 - packets.first().map_or(0, |f| f.0))
        + 1;
    let out = std::fs::File::create(output).unwrap_or_else(|e| panic!("{output}: {e}"));
    let mut w = BufWriter::with_capacity(1 << 20, out);
    // Classic pcap header, microseconds, native little-endian.
    w.write_all(&0xa1b2c3d4u32.to_le_bytes()).unwrap();
    w.write_all(&2u16.to_le_bytes()).unwrap();
    w.write_all(&4u16.to_le_bytes()).unwrap();
    w.write_all(&[0; 8]).unwrap();
    w.write_all(&65535u32.to_le_bytes()).unwrap();
    w.write_all(&link.0.to_le_bytes()).unwrap();
    let ip_offset = match link.0 {
        1 => Some(14), // Ethernet (Linux lo)
        0 => Some(4),  // BSD loopback
        _ => None,
    };
    for k in 0..copies {
        let shift = (k % 20_000) as u16;
        for (secs, nanos, data, orig) in &packets {
            let mut d = data.clone();
            if let Some(off) = ip_offset {
                if d.len() > off + 20 && d[off] >> 4 == 4 && d[off + 9] == 6 {
                    let ihl = usize::from(d[off] & 0x0F) * 4;
                    let t = off + ihl;
                    if d.len() >= t + 4 {
                        let sp = u16::from_be_bytes([d[t], d[t + 1]]);
                        let dp = u16::from_be_bytes([d[t + 2], d[t + 3]]);
                        // Shift the client port (the one that is not a server port).
                        let bump =
                            |p: u16| 20_000u16.wrapping_add((p.wrapping_add(shift)) % 40_000);
                        if ports.contains(&dp) && !ports.contains(&sp) {
                            d[t..t + 2].copy_from_slice(&bump(sp).to_be_bytes());
                            if let Some(p) = server_port_to {
                                d[t + 2..t + 4].copy_from_slice(&p.to_be_bytes());
                            }
                        } else if ports.contains(&sp) && !ports.contains(&dp) {
                            d[t + 2..t + 4].copy_from_slice(&bump(dp).to_be_bytes());
                            if let Some(p) = server_port_to {
                                d[t..t + 2].copy_from_slice(&p.to_be_bytes());
                            }
                        }
                    }
                }
            }
            let ts = secs + (k as i64) * span;
            w.write_all(&(ts as u32).to_le_bytes()).unwrap();
            w.write_all(&(nanos / 1000).to_le_bytes()).unwrap();
            w.write_all(&(d.len() as u32).to_le_bytes()).unwrap();
            w.write_all(&(*orig).max(d.len() as u32).to_le_bytes())
                .unwrap();
            w.write_all(&d).unwrap();
        }
    }
    w.flush().unwrap();
    eprintln!(
        "{copies} copies of {} packets ({per_copy} bytes each) → {output}",
        packets.len()
    );
}
