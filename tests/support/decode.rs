//! Test helpers for the decode tests: tiny pcap / pcapng writers, IPv4/IPv6/TCP
//! packet builders, link-layer wrappers and NetBIOS/SMB message builders.

use std::net::{IpAddr, SocketAddr};

use msrap::decode::{decode_capture, DecoderConfig, DecoderStats, Direction, TransportEvent};

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

// ---------------------------------------------------------------- capture files

/// One record: seconds, fraction (µs or ns per file), captured bytes, original length.
#[derive(Clone, Debug)]
pub struct Rec {
    pub secs: u32,
    pub frac: u32,
    pub data: Vec<u8>,
    pub orig_len: u32,
}

impl Rec {
    pub fn new(secs: u32, frac: u32, data: Vec<u8>) -> Self {
        let orig_len = data.len() as u32;
        Rec {
            secs,
            frac,
            data,
            orig_len,
        }
    }
}

fn put16(out: &mut Vec<u8>, v: u16, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}
fn put32(out: &mut Vec<u8>, v: u32, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}

/// A classic pcap file.
pub fn pcap(link_type: u32, recs: &[Rec], big_endian: bool, nanos: bool) -> Vec<u8> {
    let be = big_endian;
    let mut out = Vec::new();
    put32(&mut out, if nanos { 0xA1B2_3C4D } else { 0xA1B2_C3D4 }, be);
    put16(&mut out, 2, be);
    put16(&mut out, 4, be);
    put32(&mut out, 0, be);
    put32(&mut out, 0, be);
    put32(&mut out, 262_144, be);
    put32(&mut out, link_type, be);
    for r in recs {
        put32(&mut out, r.secs, be);
        put32(&mut out, r.frac, be);
        put32(&mut out, r.data.len() as u32, be);
        put32(&mut out, r.orig_len, be);
        out.extend_from_slice(&r.data);
    }
    out
}

/// Ethernet pcap with µs timestamps: record i at 1_000_000 + i seconds.
pub fn eth_pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let recs: Vec<Rec> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| Rec::new(1_000_000 + i as u32, 0, f.clone()))
        .collect();
    pcap(1, &recs, false, false)
}

/// A pcapng block list builder.
pub struct PcapNg {
    pub be: bool,
    pub out: Vec<u8>,
}

impl PcapNg {
    pub fn new(be: bool) -> Self {
        let mut p = PcapNg {
            be,
            out: Vec::new(),
        };
        p.section();
        p
    }

    fn block(&mut self, kind: u32, body: &[u8]) {
        let be = self.be;
        let mut padded = body.to_vec();
        while !padded.len().is_multiple_of(4) {
            padded.push(0);
        }
        let len = 12 + padded.len() as u32;
        put32(&mut self.out, kind, be);
        put32(&mut self.out, len, be);
        self.out.extend_from_slice(&padded);
        put32(&mut self.out, len, be);
    }

    /// A new Section Header Block (interfaces restart from 0).
    pub fn section(&mut self) {
        let be = self.be;
        let mut b = Vec::new();
        put32(&mut b, 0x1A2B_3C4D, be);
        put16(&mut b, 1, be);
        put16(&mut b, 0, be);
        b.extend_from_slice(&[0xFF; 8]);
        self.block(0x0A0D_0D0A, &b);
    }

    /// An Interface Description Block, with if_tsresol when given.
    pub fn interface(&mut self, link_type: u16, tsresol: Option<u8>) {
        let be = self.be;
        let mut b = Vec::new();
        put16(&mut b, link_type, be);
        put16(&mut b, 0, be);
        put32(&mut b, 262_144, be);
        if let Some(r) = tsresol {
            put16(&mut b, 9, be);
            put16(&mut b, 1, be);
            b.extend_from_slice(&[r, 0, 0, 0]);
            put32(&mut b, 0, be); // opt_endofopt
        }
        self.block(1, &b);
    }

    /// An Enhanced Packet Block with a raw 64-bit timestamp in interface units.
    pub fn packet(&mut self, if_id: u32, ticks: u64, data: &[u8]) {
        let be = self.be;
        let mut b = Vec::new();
        put32(&mut b, if_id, be);
        put32(&mut b, (ticks >> 32) as u32, be);
        put32(&mut b, ticks as u32, be);
        put32(&mut b, data.len() as u32, be);
        put32(&mut b, data.len() as u32, be);
        b.extend_from_slice(data);
        self.block(6, &b);
    }

    /// A Simple Packet Block (interface 0, no timestamp).
    pub fn simple(&mut self, data: &[u8]) {
        let be = self.be;
        let mut b = Vec::new();
        put32(&mut b, data.len() as u32, be);
        b.extend_from_slice(data);
        self.block(3, &b);
    }

    /// An Interface Statistics Block (ignored by readers).
    pub fn stats_block(&mut self) {
        let be = self.be;
        let mut b = Vec::new();
        put32(&mut b, 0, be);
        put32(&mut b, 0, be);
        put32(&mut b, 0, be);
        self.block(5, &b);
    }
}

// ---------------------------------------------------------------- packets

/// One TCP segment to build.
#[derive(Clone, Debug)]
pub struct Tcp {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub payload: Vec<u8>,
}

fn tcp_header(t: &Tcp) -> Vec<u8> {
    let mut h = Vec::with_capacity(20 + t.payload.len());
    h.extend_from_slice(&t.src.port().to_be_bytes());
    h.extend_from_slice(&t.dst.port().to_be_bytes());
    h.extend_from_slice(&t.seq.to_be_bytes());
    h.extend_from_slice(&t.ack.to_be_bytes());
    h.push(5 << 4);
    h.push(t.flags);
    h.extend_from_slice(&65535u16.to_be_bytes());
    h.extend_from_slice(&[0, 0, 0, 0]); // checksum (not checked), urgent
    h
}

/// TCP segment bytes (header + payload).
pub fn tcp_bytes(t: &Tcp) -> Vec<u8> {
    let mut v = tcp_header(t);
    v.extend_from_slice(&t.payload);
    v
}

/// IPv4 header for `payload_len` bytes of `proto`.
pub fn ipv4_header(
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    payload_len: usize,
    id: u16,
    frag: u16,
) -> Vec<u8> {
    let (IpAddr::V4(s), IpAddr::V4(d)) = (src, dst) else {
        panic!("ipv4_header needs IPv4 addresses");
    };
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&((20 + payload_len) as u16).to_be_bytes());
    h.extend_from_slice(&id.to_be_bytes());
    h.extend_from_slice(&frag.to_be_bytes());
    h.push(64);
    h.push(proto);
    h.extend_from_slice(&[0, 0]);
    h.extend_from_slice(&s.octets());
    h.extend_from_slice(&d.octets());
    h
}

/// An IP packet (v4 or v6 by address family) carrying the segment.
pub fn ip_packet(t: &Tcp) -> Vec<u8> {
    let seg = tcp_bytes(t);
    match (t.src.ip(), t.dst.ip()) {
        (IpAddr::V4(_), IpAddr::V4(_)) => {
            let mut p = ipv4_header(t.src.ip(), t.dst.ip(), 6, seg.len(), 1, 0x4000);
            p.extend(seg);
            p
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let mut p = vec![0x60, 0, 0, 0];
            p.extend_from_slice(&(seg.len() as u16).to_be_bytes());
            p.push(6);
            p.push(64);
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
            p.extend(seg);
            p
        }
        _ => panic!("mixed address families"),
    }
}

/// IPv4 fragments of the segment, each carrying at most `max` (multiple of 8) bytes.
pub fn ipv4_fragments(t: &Tcp, max: usize, id: u16) -> Vec<Vec<u8>> {
    let seg = tcp_bytes(t);
    let chunks: Vec<&[u8]> = seg.chunks(max).collect();
    let n = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let off = (i * max / 8) as u16;
            let mf = if i + 1 < n { 0x2000 } else { 0 };
            let mut p = ipv4_header(t.src.ip(), t.dst.ip(), 6, c.len(), id, mf | off);
            p.extend_from_slice(c);
            p
        })
        .collect()
}

/// IPv6 fragments (Fragment extension header) of the segment.
pub fn ipv6_fragments(t: &Tcp, max: usize, id: u32) -> Vec<Vec<u8>> {
    let (IpAddr::V6(s), IpAddr::V6(d)) = (t.src.ip(), t.dst.ip()) else {
        panic!("IPv6 only");
    };
    let seg = tcp_bytes(t);
    let chunks: Vec<&[u8]> = seg.chunks(max).collect();
    let n = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut p = vec![0x60, 0, 0, 0];
            p.extend_from_slice(&((8 + c.len()) as u16).to_be_bytes());
            p.push(44); // Fragment header
            p.push(64);
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
            let off = ((i * max / 8) as u16) << 3;
            let m = u16::from(i + 1 < n);
            p.push(6);
            p.push(0);
            p.extend_from_slice(&(off | m).to_be_bytes());
            p.extend_from_slice(&id.to_be_bytes());
            p.extend_from_slice(c);
            p
        })
        .collect()
}

/// Link-layer encapsulations.
#[derive(Clone, Debug)]
pub enum Link {
    /// Ethernet with these VLAN TPIDs (outermost first).
    Ethernet(Vec<u16>),
    Sll,
    Sll2,
    /// BSD null: family in little- or big-endian.
    Null {
        big_endian: bool,
    },
    Raw,
}

impl Link {
    pub fn link_type(&self) -> u32 {
        match self {
            Link::Ethernet(_) => 1,
            Link::Sll => 113,
            Link::Sll2 => 276,
            Link::Null { .. } => 0,
            Link::Raw => 101,
        }
    }

    pub fn wrap(&self, ip: &[u8]) -> Vec<u8> {
        let v6 = ip.first().is_some_and(|b| b >> 4 == 6);
        let ethertype: u16 = if v6 { 0x86DD } else { 0x0800 };
        let mut f = Vec::new();
        match self {
            Link::Ethernet(vlans) => {
                f.extend_from_slice(&[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
                for (i, tpid) in vlans.iter().enumerate() {
                    f.extend_from_slice(&tpid.to_be_bytes());
                    f.extend_from_slice(&(100 + i as u16).to_be_bytes());
                }
                f.extend_from_slice(&ethertype.to_be_bytes());
            }
            Link::Sll => {
                f.extend_from_slice(&[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
                f.extend_from_slice(&ethertype.to_be_bytes());
            }
            Link::Sll2 => {
                f.extend_from_slice(&ethertype.to_be_bytes());
                f.extend_from_slice(&[0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
            }
            Link::Null { big_endian } => {
                let fam: u32 = if v6 { 30 } else { 2 };
                f.extend_from_slice(&if *big_endian {
                    fam.to_be_bytes()
                } else {
                    fam.to_le_bytes()
                });
            }
            Link::Raw => {}
        }
        f.extend_from_slice(ip);
        f
    }
}

/// Ethernet frame (no VLAN) for a segment.
pub fn eth(t: &Tcp) -> Vec<u8> {
    Link::Ethernet(vec![]).wrap(&ip_packet(t))
}

// ---------------------------------------------------------------- conversations

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Builds the segments of one TCP connection with correct seq/ack numbers.
pub struct Conv {
    pub client: SocketAddr,
    pub server: SocketAddr,
    /// Next sequence number of client and server.
    pub cseq: u32,
    pub sseq: u32,
}

impl Conv {
    pub fn new(client: &str, server: &str, cisn: u32, sisn: u32) -> Self {
        Conv {
            client: addr(client),
            server: addr(server),
            cseq: cisn,
            sseq: sisn,
        }
    }

    /// SYN, SYN-ACK, ACK.
    pub fn handshake(&mut self) -> Vec<Tcp> {
        let syn = self.raw(Direction::ToServer, self.cseq, 0, SYN, vec![]);
        self.cseq = self.cseq.wrapping_add(1);
        let synack = self.raw(Direction::ToClient, self.sseq, self.cseq, SYN | ACK, vec![]);
        self.sseq = self.sseq.wrapping_add(1);
        let ack = self.raw(Direction::ToServer, self.cseq, self.sseq, ACK, vec![]);
        vec![syn, synack, ack]
    }

    pub fn raw(&self, dir: Direction, seq: u32, ack: u32, flags: u8, payload: Vec<u8>) -> Tcp {
        let (src, dst) = match dir {
            Direction::ToServer => (self.client, self.server),
            Direction::ToClient => (self.server, self.client),
        };
        Tcp {
            src,
            dst,
            seq,
            ack,
            flags,
            payload,
        }
    }

    /// Next data segment in `dir`, advancing its sequence number.
    pub fn data(&mut self, dir: Direction, payload: &[u8]) -> Tcp {
        let (seq, ack) = match dir {
            Direction::ToServer => (self.cseq, self.sseq),
            Direction::ToClient => (self.sseq, self.cseq),
        };
        let t = self.raw(dir, seq, ack, ACK | PSH, payload.to_vec());
        let n = payload.len() as u32;
        match dir {
            Direction::ToServer => self.cseq = self.cseq.wrapping_add(n),
            Direction::ToClient => self.sseq = self.sseq.wrapping_add(n),
        }
        t
    }

    /// A bare ACK from `dir` acknowledging everything sent the other way.
    pub fn ack(&self, dir: Direction) -> Tcp {
        let (seq, ack) = match dir {
            Direction::ToServer => (self.cseq, self.sseq),
            Direction::ToClient => (self.sseq, self.cseq),
        };
        self.raw(dir, seq, ack, ACK, vec![])
    }

    /// FIN from `dir` (consumes one sequence number).
    pub fn fin(&mut self, dir: Direction) -> Tcp {
        let t = self.raw(
            dir,
            match dir {
                Direction::ToServer => self.cseq,
                Direction::ToClient => self.sseq,
            },
            match dir {
                Direction::ToServer => self.sseq,
                Direction::ToClient => self.cseq,
            },
            FIN | ACK,
            vec![],
        );
        match dir {
            Direction::ToServer => self.cseq = self.cseq.wrapping_add(1),
            Direction::ToClient => self.sseq = self.sseq.wrapping_add(1),
        }
        t
    }
}

// ---------------------------------------------------------------- SMB / NetBIOS

/// An SMB1 message of `len` bytes (≥ 32): header with `cmd`, then `fill`.
pub fn smb1(cmd: u8, len: usize, fill: u8) -> Vec<u8> {
    let mut m = vec![0xFF, b'S', b'M', b'B', cmd];
    m.resize(32, 0);
    m.resize(len.max(32), fill);
    m
}

/// An SMB2 message of `len` bytes (≥ 64).
pub fn smb2(len: usize) -> Vec<u8> {
    let mut m = vec![0xFE, b'S', b'M', b'B', 64, 0];
    m.resize(len.max(64), 0x22);
    m
}

/// Session message header + body.
pub fn nbss(msg: &[u8]) -> Vec<u8> {
    let len = msg.len() as u32;
    let mut v = vec![0u8, (len >> 16) as u8, (len >> 8) as u8, len as u8];
    v.extend_from_slice(msg);
    v
}

/// Any session packet with a body.
pub fn session_packet(t: u8, body: &[u8]) -> Vec<u8> {
    let len = body.len() as u32;
    let mut v = vec![t, ((len >> 16) & 1) as u8, (len >> 8) as u8, len as u8];
    v.extend_from_slice(body);
    v
}

// ---------------------------------------------------------------- running

/// Decode a capture with `config`, returning all events and the counters.
pub fn run_with(capture: &[u8], config: DecoderConfig) -> (Vec<TransportEvent>, DecoderStats) {
    let mut events = Vec::new();
    let stats = decode_capture(capture, config, |e| events.push(e)).unwrap();
    (events, stats)
}

pub fn run(capture: &[u8]) -> (Vec<TransportEvent>, DecoderStats) {
    run_with(capture, DecoderConfig::default())
}

/// (first_frame, last_frame, direction, command, length) of each SMB1 message.
pub fn smb_summary(events: &[TransportEvent]) -> Vec<(u64, u64, Direction, u8, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            TransportEvent::Smb1(m) => Some((
                m.first_frame,
                m.last_frame,
                m.direction,
                m.bytes[4],
                m.bytes.len(),
            )),
            _ => None,
        })
        .collect()
}

/// The anomaly kinds, in order.
pub fn anomalies(events: &[TransportEvent]) -> Vec<msrap::decode::AnomalyKind> {
    events
        .iter()
        .filter_map(|e| match e {
            TransportEvent::Anomaly(a) => Some(a.kind.clone()),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------- committed captures

/// The real-peer captures in testdata/captures with their server ports (as
/// in testdata/captures/README.md).
pub const CAPTURES: &[(&str, &[u16])] = &[
    ("getinfo-direct", &[24451]),
    ("netbios-139", &[24452]),
    ("secondaries", &[24453]),
    ("split-segments", &[24454]),
    ("windows-layout", &[24455]),
    ("errors", &[24456, 24457]),
    ("samba-impacket", &[24458]),
    ("samba-smbclient", &[24459]),
    ("printq", &[24460]),
    ("printq-samba", &[24461]),
];

/// Path of a committed capture by name.
pub fn capture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/captures")
        .join(format!("{name}.pcap"))
}

/// Every RAP transaction of a committed capture, decoded by the library
/// (single-threaded, `TransactionTracker::on_event`).
pub fn decode_transactions(
    name: &str,
    ports: &[u16],
) -> Vec<msrap::decode::transactions::RapTransaction> {
    let config = ports
        .iter()
        .fold(DecoderConfig::default(), |c, p| c.with_port(*p));
    let file = std::fs::File::open(capture_path(name)).unwrap();
    let mut tracker =
        msrap::decode::transactions::TransactionTracker::new(msrap::oem::OemCodePage::default());
    let mut out = Vec::new();
    for e in msrap::decode::TransportEvents::new(file, config).unwrap() {
        tracker.on_event(&e, &mut out);
    }
    tracker.finish(&mut out);
    out
}
