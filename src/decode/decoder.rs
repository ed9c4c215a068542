//! The transport pipeline: packet → link → IP (defragmented) → TCP flow
//! reassembly → session framing → [`TransportEvent`]s.

use std::collections::{BTreeSet, VecDeque};

use foldhash::HashMap;
use std::io::Read;
use std::net::SocketAddr;

use super::capture::{CaptureError, CaptureItem, CaptureReader, Packet, ReaderOptions, Timestamp};
use super::event::{
    Anomaly, AnomalyKind, CloseReason, DecoderStats, Direction, FlowId, SessionPacketType,
    Smb1Message, TransportEvent,
};
use super::ip::{self, DefragResult, Defragmenter, IPPROTO_TCP};
use super::link::{self, LinkError, Network};
use super::stream::{FrameOut, Framer, FramerConfig};
use super::tcp::{self, flags, Reassembler, ReassemblyLimits, SegmentMeta, StreamSink};

/// NetBIOS session service port.
pub const PORT_NETBIOS_SSN: u16 = 139;
/// Direct-hosted SMB port.
pub const PORT_MICROSOFT_DS: u16 = 445;

/// Decoder settings. Defaults bound memory to roughly 48 MiB of buffered
/// stream data plus about 1 KiB per tracked flow.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecoderConfig {
    /// TCP ports of SMB servers (139 and 445 by default). Only flows with an
    /// end on one of them, or on a port recognised by `heuristics`, are
    /// reassembled; that end is the server.
    pub ports: BTreeSet<u16>,
    /// Flows tracked at once; beyond it the least recently active are evicted.
    pub max_flows: usize,
    /// Bytes buffered over all flows (out-of-order data, partial messages,
    /// overlap windows); beyond it the least recently active flows are evicted.
    pub max_buffered_bytes: usize,
    /// Per-direction limits of the reassembler.
    pub reassembly: ReassemblyLimits,
    /// SMB1 messages longer than this are skipped (0x1FFFF per CIFS 2.1.1.2).
    pub max_smb1_message: u32,
    /// If set, only SMB1 messages with these command bytes are delivered.
    pub smb1_commands: Option<BTreeSet<u8>>,
    /// IP datagrams being reassembled at once.
    pub max_fragment_datagrams: usize,
    /// Packets after which an incomplete datagram is dropped.
    pub fragment_timeout_packets: u64,
    /// Also recognise SMB1 on TCP ports outside `ports`, by its framing:
    /// a segment that starts with a session-message header and `\xFFSMB`,
    /// or with a NetBIOS session request. The server's port of such a flow
    /// is then treated as an SMB port for the rest of the capture, as if it
    /// were in `ports`, and the flow is decoded from its SYN if the capture
    /// has it (as with `ports`). On by default.
    pub heuristics: bool,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        DecoderConfig {
            ports: [PORT_NETBIOS_SSN, PORT_MICROSOFT_DS].into_iter().collect(),
            max_flows: 16_384,
            max_buffered_bytes: 48 * 1024 * 1024,
            reassembly: ReassemblyLimits {
                max_ooo_bytes: 256 * 1024,
                max_ooo_segments: 256,
                overlap_window: 512,
            },
            max_smb1_message: 0x1_FFFF,
            smb1_commands: None,
            max_fragment_datagrams: 64,
            fragment_timeout_packets: 10_000,
            heuristics: true,
        }
    }
}

impl DecoderConfig {
    /// Add a server port (`--port N`).
    pub fn with_port(mut self, port: u16) -> Self {
        self.ports.insert(port);
        self
    }
}

/// Canonical (sorted) 4-tuple.
type FlowKey = (SocketAddr, SocketAddr);

/// SYNs of connections on ports not (yet) known as SMB ports, kept at most
/// this many at once (the table is emptied when full), so that a flow the
/// heuristics recognise later is reassembled from its SYN.
const MAX_HELD_SYNS: usize = 4096;

/// A SYN or SYN-ACK segment (no payload) kept for a possible replay.
#[derive(Clone, Copy, Debug)]
struct HeldSyn {
    src: SocketAddr,
    dst: SocketAddr,
    seq: u32,
    ack: u32,
    flags: u8,
    frame: u64,
    ts: Timestamp,
}

/// The handshake segments seen of one not-yet-SMB connection.
#[derive(Clone, Copy, Debug, Default)]
struct HeldHandshake {
    syn: Option<HeldSyn>,
    syn_ack: Option<HeldSyn>,
}

/// Whether a segment's payload starts like SMB1 over TCP, and if so whether
/// its sender is the server: a session message (`00`, a 24-bit length that
/// fits an SMB1 message, `\xFFSMB`; the header's REPLY flag says who sent
/// it) or a NetBIOS session request (`81`, a length for two encoded names,
/// then a first-level encoded name: always sent by the client).
fn smb1_start(payload: &[u8]) -> Option<bool> {
    const REPLY: u8 = 0x80;
    let head = payload.first_chunk::<8>()?;
    match head[0] {
        0x00 => {
            let len = u32::from(head[1]) << 16 | u32::from(head[2]) << 8 | u32::from(head[3]);
            let plausible =
                (32..=0x1_FFFF).contains(&len) && head[4..8] == [0xFF, b'S', b'M', b'B'];
            plausible.then(|| payload.get(13).is_some_and(|f| f & REPLY != 0))
        }
        0x81 => {
            let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
            let name = payload.get(4..37)?;
            let plausible = head[1] & 0xFE == 0
                && (68..=256).contains(&len)
                && name.first() == Some(&0x20)
                && name.iter().skip(1).all(|c| (b'A'..=b'P').contains(c));
            plausible.then_some(false)
        }
        _ => None,
    }
}

#[derive(Debug, Default)]
struct Half {
    reasm: Reassembler,
    framer: Framer,
}

impl Half {
    fn buffered(&self) -> usize {
        self.reasm.buffered().saturating_add(self.framer.buffered())
    }
}

#[derive(Debug)]
struct Flow {
    id: FlowId,
    last_seen: u64,
    to_server: Half,
    to_client: Half,
    announced: bool,
    buffered: usize,
}

impl Flow {
    fn half(&mut self, d: Direction) -> &mut Half {
        match d {
            Direction::ToServer => &mut self.to_server,
            Direction::ToClient => &mut self.to_client,
        }
    }

    fn buffered(&self) -> usize {
        self.to_server
            .buffered()
            .saturating_add(self.to_client.buffered())
    }
}

/// Where framer and reassembler output goes.
struct Ctx<'a> {
    events: &'a mut Vec<TransportEvent>,
    stats: &'a mut DecoderStats,
    flow: FlowId,
    direction: Direction,
    announced: &'a mut bool,
}

impl Ctx<'_> {
    fn push(&mut self, e: TransportEvent) {
        *self.announced = true;
        self.events.push(e);
    }
}

fn count_anomaly(stats: &mut DecoderStats, kind: &AnomalyKind) {
    let c = stats.anomalies.entry(kind.code()).or_insert(0);
    *c = c.saturating_add(1);
}

impl FrameOut for Ctx<'_> {
    fn smb1(&mut self, first_frame: u64, last_frame: u64, ts: Timestamp, bytes: Vec<u8>) {
        let m = Smb1Message {
            flow: self.flow,
            direction: self.direction,
            first_frame,
            last_frame,
            timestamp: ts,
            bytes,
        };
        self.push(TransportEvent::Smb1(m));
    }
    fn session(&mut self, frame: u64, ts: Timestamp, packet_type: SessionPacketType) {
        let e = TransportEvent::Session {
            flow: self.flow,
            direction: self.direction,
            frame,
            timestamp: ts,
            packet_type,
        };
        self.push(e);
    }
    fn anomaly(&mut self, frame: u64, kind: AnomalyKind) {
        count_anomaly(self.stats, &kind);
        let a = Anomaly {
            flow: Some(self.flow),
            direction: Some(self.direction),
            frame,
            kind,
        };
        self.push(TransportEvent::Anomaly(a));
    }
    fn stats(&mut self) -> &mut DecoderStats {
        self.stats
    }
}

/// Reassembler output feeding the framer of the same direction.
struct HalfSink<'a, 'b> {
    framer: &'a mut Framer,
    cfg: &'a FramerConfig,
    ctx: &'a mut Ctx<'b>,
}

impl StreamSink for HalfSink<'_, '_> {
    fn data(&mut self, data: &[u8], frame: u64, ts: Timestamp) {
        self.framer.feed(data, frame, ts, self.cfg, self.ctx);
    }
    fn gap(&mut self, bytes: u64, frame: u64, _ts: Timestamp) {
        self.framer.gap(bytes, frame, self.ctx);
    }
    fn mid_stream(&mut self) {
        self.framer.mid_stream();
    }
    fn anomaly(&mut self, frame: u64, kind: AnomalyKind) {
        FrameOut::anomaly(self.ctx, frame, kind);
    }
    fn stats(&mut self) -> &mut DecoderStats {
        self.ctx.stats
    }
}

/// The transport decoder. Feed it packets in capture order; it returns the
/// events each packet completes.
///
/// ```
/// use msrap::decode::{Decoder, DecoderConfig};
/// let mut decoder = Decoder::new(DecoderConfig::default().with_port(1445));
/// // for packet in capture { for event in decoder.feed(&packet) { … } }
/// let _events: Vec<_> = decoder.finish().collect();
/// ```
#[derive(Debug)]
pub struct Decoder {
    ports: Box<[u64; 1024]>,
    limits: ReassemblyLimits,
    framer_cfg: FramerConfig,
    max_flows: usize,
    max_buffered: usize,
    flows: HashMap<FlowKey, Flow>,
    next_flow: u64,
    buffered: usize,
    defrag: Defragmenter,
    events: Vec<TransportEvent>,
    stats: DecoderStats,
    reported_links: Vec<u32>,
    frame: u64,
    heuristics: bool,
    held: HashMap<FlowKey, HeldHandshake>,
}

impl Decoder {
    /// A decoder with `config`.
    pub fn new(config: DecoderConfig) -> Self {
        let mut ports = Box::new([0u64; 1024]);
        for p in &config.ports {
            if let Some(w) = ports.get_mut(usize::from(*p >> 6)) {
                *w |= 1u64 << (p & 63);
            }
        }
        let smb1_commands = config.smb1_commands.as_ref().map(|set| {
            let mut f = Box::new([false; 256]);
            for c in set {
                if let Some(slot) = f.get_mut(usize::from(*c)) {
                    *slot = true;
                }
            }
            f
        });
        Decoder {
            ports,
            limits: config.reassembly,
            framer_cfg: FramerConfig {
                max_smb1_message: config.max_smb1_message,
                smb1_commands,
            },
            max_flows: config.max_flows.max(1),
            max_buffered: config.max_buffered_bytes,
            flows: HashMap::default(),
            next_flow: 0,
            buffered: 0,
            defrag: Defragmenter::new(
                config.max_fragment_datagrams,
                config.fragment_timeout_packets,
            ),
            events: Vec::new(),
            stats: DecoderStats::default(),
            reported_links: Vec::new(),
            frame: 0,
            heuristics: config.heuristics,
            held: HashMap::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> &DecoderStats {
        &self.stats
    }

    /// Flows currently tracked.
    pub fn active_flows(&self) -> usize {
        self.flows.len()
    }

    /// Bytes currently buffered in flows (out-of-order data, partial
    /// messages, overlap windows) and the fragment pool.
    pub fn buffered_bytes(&self) -> usize {
        self.buffered.saturating_add(self.defrag.buffered())
    }

    fn is_smb_port(&self, port: u16) -> bool {
        self.ports
            .get(usize::from(port >> 6))
            .is_some_and(|w| w & (1u64 << (port & 63)) != 0)
    }

    fn anomaly(&mut self, flow: Option<FlowId>, direction: Option<Direction>, kind: AnomalyKind) {
        count_anomaly(&mut self.stats, &kind);
        self.events.push(TransportEvent::Anomaly(Anomaly {
            flow,
            direction,
            frame: self.frame,
            kind,
        }));
    }

    /// Record an anomaly of the capture file itself (from [`CaptureItem::Anomaly`]).
    pub fn capture_anomaly(
        &mut self,
        frame: u64,
        kind: AnomalyKind,
    ) -> std::vec::Drain<'_, TransportEvent> {
        self.frame = frame;
        self.anomaly(None, None, kind);
        self.events.drain(..)
    }

    /// Process one packet; returns the events it completed.
    pub fn feed(&mut self, packet: &Packet<'_>) -> std::vec::Drain<'_, TransportEvent> {
        self.frame = packet.frame_number;
        self.stats.packets = self.stats.packets.saturating_add(1);
        self.stats.bytes = self.stats.bytes.saturating_add(packet.data.len() as u64);
        self.process(packet);
        if self.buffered > self.max_buffered {
            self.evict_for_memory();
        }
        let b = self.buffered_bytes() as u64;
        if b > self.stats.peak_buffered_bytes {
            self.stats.peak_buffered_bytes = b;
        }
        self.events.drain(..)
    }

    fn process(&mut self, packet: &Packet<'_>) {
        let net = match link::network_layer(packet.link_type, packet.data) {
            Ok(n) => n,
            Err(LinkError::Truncated) => {
                self.stats.non_ip_packets = self.stats.non_ip_packets.saturating_add(1);
                self.anomaly(None, None, AnomalyKind::TruncatedLinkHeader);
                return;
            }
            Err(LinkError::Unsupported(lt)) => {
                self.stats.non_ip_packets = self.stats.non_ip_packets.saturating_add(1);
                if !self.reported_links.contains(&lt.0) {
                    self.reported_links.push(lt.0);
                    self.anomaly(
                        None,
                        None,
                        AnomalyKind::UnsupportedLinkType { link_type: lt.0 },
                    );
                }
                return;
            }
        };
        let data = match net {
            Network::Ipv4(d) | Network::Ipv6(d) => d,
            Network::Other => {
                self.stats.non_ip_packets = self.stats.non_ip_packets.saturating_add(1);
                return;
            }
        };
        let Some(ipp) = ip::parse_ip(data) else {
            self.anomaly(None, None, AnomalyKind::BadIpHeader);
            return;
        };
        if ipp.protocol != IPPROTO_TCP {
            self.stats.non_tcp_packets = self.stats.non_tcp_packets.saturating_add(1);
            return;
        }
        if let Some(frag) = ipp.fragment {
            self.stats.ip_fragments = self.stats.ip_fragments.saturating_add(1);
            let (res, evicted) = self.defrag.add(self.stats.packets, &ipp, frag);
            if evicted > 0 {
                self.anomaly(None, None, AnomalyKind::FragmentDropped { bytes: evicted });
            }
            match res {
                DefragResult::Pending => {}
                DefragResult::Dropped(bytes) => {
                    self.anomaly(None, None, AnomalyKind::FragmentDropped { bytes });
                }
                DefragResult::Complete(payload) => {
                    self.stats.ip_reassembled = self.stats.ip_reassembled.saturating_add(1);
                    let whole = ip::IpPacket {
                        payload: &payload,
                        fragment: None,
                        ..ipp
                    };
                    self.tcp(&whole, packet);
                }
            }
            return;
        }
        self.tcp(&ipp, packet);
    }

    fn tcp(&mut self, ipp: &ip::IpPacket<'_>, packet: &Packet<'_>) {
        let Some(seg) = tcp::parse_tcp(ipp.payload) else {
            // Only complain when the ports (if readable) are ours.
            let ports = ipp.payload.first_chunk::<4>().map(|p| {
                (
                    u16::from_be_bytes([p[0], p[1]]),
                    u16::from_be_bytes([p[2], p[3]]),
                )
            });
            match ports {
                Some((a, b)) if !self.is_smb_port(a) && !self.is_smb_port(b) => {
                    self.stats.other_tcp_segments = self.stats.other_tcp_segments.saturating_add(1);
                }
                _ => self.anomaly(None, None, AnomalyKind::BadTcpHeader),
            }
            return;
        };
        let src = SocketAddr::new(ipp.src, seg.src_port);
        let dst = SocketAddr::new(ipp.dst, seg.dst_port);
        let known = self.is_smb_port(seg.src_port)
            || self.is_smb_port(seg.dst_port)
            || (self.heuristics && self.recognise(src, dst, &seg, packet));
        if !known {
            self.stats.other_tcp_segments = self.stats.other_tcp_segments.saturating_add(1);
            return;
        }
        self.segment(
            src,
            dst,
            &seg,
            ipp.missing,
            packet.frame_number,
            packet.timestamp,
        );
    }

    /// A segment on no SMB port: keep it if it is a SYN (a later segment
    /// may show SMB), or recognise SMB1 by its first bytes. On recognition
    /// the server's port becomes an SMB port and `true` is returned: the
    /// caller processes the segment as any on an SMB port.
    fn recognise(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        seg: &tcp::TcpSegment<'_>,
        packet: &Packet<'_>,
    ) -> bool {
        let key = if src <= dst { (src, dst) } else { (dst, src) };
        if seg.has(flags::SYN) {
            if self.held.len() >= MAX_HELD_SYNS && !self.held.contains_key(&key) {
                self.held.clear();
            }
            let held = HeldSyn {
                src,
                dst,
                seq: seg.seq,
                ack: seg.ack,
                flags: seg.flags,
                frame: packet.frame_number,
                ts: packet.timestamp,
            };
            let h = self.held.entry(key).or_default();
            if seg.has(flags::ACK) {
                h.syn_ack = Some(held);
            } else {
                // A new SYN on the 4-tuple: a new connection.
                *h = HeldHandshake {
                    syn: Some(held),
                    syn_ack: None,
                };
            }
        }
        let Some(sender_is_server) = smb1_start(seg.payload) else {
            return false;
        };
        let port = if sender_is_server {
            seg.src_port
        } else {
            seg.dst_port
        };
        if let Some(w) = self.ports.get_mut(usize::from(port >> 6)) {
            *w |= 1u64 << (port & 63);
        }
        self.stats.recognised_ports.push(port);
        true
    }

    /// A segment of a flow with an end on an SMB port.
    fn segment(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        seg: &tcp::TcpSegment<'_>,
        missing: u32,
        frame: u64,
        ts: Timestamp,
    ) {
        let src_smb = self.is_smb_port(seg.src_port);
        let dst_smb = self.is_smb_port(seg.dst_port);
        self.stats.smb_port_segments = self.stats.smb_port_segments.saturating_add(1);
        let key = if src <= dst { (src, dst) } else { (dst, src) };
        // A connection whose handshake was seen before its port was known
        // as an SMB port: process the handshake first, as if the port had
        // been known all along.
        if !self.held.is_empty() && !self.flows.contains_key(&key) {
            if let Some(h) = self.held.remove(&key) {
                for s in [h.syn, h.syn_ack].into_iter().flatten() {
                    let held = tcp::TcpSegment {
                        src_port: s.src.port(),
                        dst_port: s.dst.port(),
                        seq: s.seq,
                        ack: s.ack,
                        flags: s.flags,
                        payload: &[],
                    };
                    self.stats.other_tcp_segments = self.stats.other_tcp_segments.saturating_sub(1);
                    self.segment(s.src, s.dst, &held, 0, s.frame, s.ts);
                }
            }
        }
        let syn = seg.has(flags::SYN);
        let ack = seg.has(flags::ACK);

        // A new SYN with another ISN on a 4-tuple with data: a new connection.
        if syn && !ack {
            let reused = self.flows.get(&key).is_some_and(|f| {
                let half = if f.id.client == src {
                    &f.to_server.reasm
                } else {
                    &f.to_client.reasm
                };
                half.has_data_synced() && half.syn_seq() != Some(seg.seq)
            });
            if reused {
                self.close_flow(&key, CloseReason::NewConnection, ts);
            }
        }

        if !self.flows.contains_key(&key) {
            // Bare ACKs, FINs and RSTs do not open a flow.
            if seg.payload.is_empty() && missing == 0 && !syn {
                return;
            }
            if self.flows.len() >= self.max_flows {
                self.evict_oldest(self.max_flows.div_ceil(8));
            }
            let server_is_dst = match (src_smb, dst_smb) {
                (false, true) => true,
                (true, false) => false,
                // Both on SMB ports: the SYN's target, else the lower port.
                _ => {
                    if syn {
                        !ack
                    } else {
                        seg.dst_port <= seg.src_port
                    }
                }
            };
            let (client, server) = if server_is_dst {
                (src, dst)
            } else {
                (dst, src)
            };
            self.next_flow = self.next_flow.saturating_add(1);
            let id = FlowId {
                index: self.next_flow,
                client,
                server,
            };
            self.flows.insert(
                key,
                Flow {
                    id,
                    last_seen: 0,
                    to_server: Half::default(),
                    to_client: Half::default(),
                    announced: false,
                    buffered: 0,
                },
            );
            self.stats.flows = self.stats.flows.saturating_add(1);
            let n = self.flows.len() as u64;
            if n > self.stats.peak_flows {
                self.stats.peak_flows = n;
            }
        }
        if missing > 0 {
            let flow = self.flows.get(&key).map(|f| f.id);
            self.anomaly(
                flow,
                None,
                AnomalyKind::SnaplenTruncated {
                    missing: u64::from(missing),
                },
            );
        }

        let Some(flow) = self.flows.get_mut(&key) else {
            return;
        };
        flow.last_seen = self.stats.packets;
        let dir = if flow.id.client == src {
            Direction::ToServer
        } else {
            Direction::ToClient
        };
        let meta = SegmentMeta {
            seq: seg.seq,
            flags: seg.flags,
            missing,
            frame,
            ts,
        };
        let limits = self.limits;
        let id = flow.id;
        let mut announced = flow.announced;
        {
            let mut ctx = Ctx {
                events: &mut self.events,
                stats: &mut self.stats,
                flow: id,
                direction: dir,
                announced: &mut announced,
            };
            if syn && ack {
                flow.half(dir.reverse()).reasm.sync_from_syn_ack(seg.ack);
            }
            let half = flow.half(dir);
            let mut sink = HalfSink {
                framer: &mut half.framer,
                cfg: &self.framer_cfg,
                ctx: &mut ctx,
            };
            half.reasm.segment(meta, seg.payload, &limits, &mut sink);
            if ack {
                ctx.direction = dir.reverse();
                let other = flow.half(dir.reverse());
                let mut sink = HalfSink {
                    framer: &mut other.framer,
                    cfg: &self.framer_cfg,
                    ctx: &mut ctx,
                };
                other.reasm.acked(seg.ack, frame, ts, &limits, &mut sink);
            }
        }
        flow.announced = announced;
        let before = flow.buffered;
        flow.buffered = flow.buffered();
        self.buffered = self
            .buffered
            .saturating_sub(before)
            .saturating_add(flow.buffered);

        let done_fin = flow.to_server.reasm.is_closed() && flow.to_client.reasm.is_closed();
        if seg.has(flags::RST) {
            self.close_flow(&key, CloseReason::Reset, ts);
        } else if done_fin {
            self.close_flow(&key, CloseReason::Fin, ts);
        }
    }

    /// Flush and remove a flow, emitting what it still completes.
    fn close_flow(&mut self, key: &FlowKey, reason: CloseReason, ts: Timestamp) {
        let Some(mut flow) = self.flows.remove(key) else {
            return;
        };
        self.buffered = self.buffered.saturating_sub(flow.buffered);
        let mut announced = flow.announced;
        for dir in [Direction::ToServer, Direction::ToClient] {
            let mut ctx = Ctx {
                events: &mut self.events,
                stats: &mut self.stats,
                flow: flow.id,
                direction: dir,
                announced: &mut announced,
            };
            let half = flow.half(dir);
            let mut sink = HalfSink {
                framer: &mut half.framer,
                cfg: &self.framer_cfg,
                ctx: &mut ctx,
            };
            half.reasm.flush(self.frame, ts, &self.limits, &mut sink);
            half.framer.finish(self.frame, &mut ctx);
        }
        if announced {
            self.events.push(TransportEvent::FlowClosed {
                flow: flow.id,
                frame: self.frame,
                reason,
            });
        }
    }

    /// Drop a flow without flushing (memory pressure).
    fn evict(&mut self, key: &FlowKey) {
        let Some(flow) = self.flows.remove(key) else {
            return;
        };
        self.buffered = self.buffered.saturating_sub(flow.buffered);
        self.stats.flows_evicted = self.stats.flows_evicted.saturating_add(1);
        let dropped = flow
            .to_server
            .reasm
            .undelivered()
            .saturating_add(flow.to_client.reasm.undelivered())
            .saturating_add(flow.to_server.framer.buffered())
            .saturating_add(flow.to_client.framer.buffered());
        if dropped > 0 {
            self.anomaly(
                Some(flow.id),
                None,
                AnomalyKind::FlowEvicted {
                    dropped_bytes: dropped as u64,
                },
            );
        }
        if flow.announced || dropped > 0 {
            self.events.push(TransportEvent::FlowClosed {
                flow: flow.id,
                frame: self.frame,
                reason: CloseReason::Evicted,
            });
        }
    }

    /// Keys of all flows, least recently active first.
    fn by_age(&self) -> Vec<(u64, u64, FlowKey)> {
        let mut v: Vec<(u64, u64, FlowKey)> = self
            .flows
            .iter()
            .map(|(k, f)| (f.last_seen, f.id.index, *k))
            .collect();
        v.sort_unstable();
        v
    }

    fn evict_oldest(&mut self, n: usize) {
        for (_, _, key) in self.by_age().into_iter().take(n.max(1)) {
            self.evict(&key);
        }
    }

    fn evict_for_memory(&mut self) {
        let target = (self.max_buffered / 4).saturating_mul(3);
        for (_, _, key) in self.by_age() {
            if self.buffered <= target {
                break;
            }
            self.evict(&key);
        }
    }

    /// End of capture: deliver held data (skipping holes), report unfinished
    /// messages and close every flow, in flow order.
    pub fn finish(&mut self) -> std::vec::Drain<'_, TransportEvent> {
        let dropped = self.defrag.expire(u64::MAX);
        if dropped > 0 {
            self.anomaly(None, None, AnomalyKind::FragmentDropped { bytes: dropped });
        }
        let mut keys: Vec<(u64, FlowKey)> =
            self.flows.iter().map(|(k, f)| (f.id.index, *k)).collect();
        keys.sort_unstable();
        self.frame = 0;
        for (_, key) in keys {
            self.close_flow(&key, CloseReason::EndOfCapture, Timestamp::default());
        }
        self.events.drain(..)
    }
}

/// Pull iterator over the transport events of a whole capture.
///
/// ```no_run
/// # fn main() -> Result<(), msrap::decode::CaptureError> {
/// use msrap::decode::{DecoderConfig, TransportEvent, TransportEvents};
/// let file = std::fs::File::open("capture.pcapng")?;
/// let mut events = TransportEvents::new(file, DecoderConfig::default())?;
/// while let Some(event) = events.next() {
///     if let TransportEvent::Smb1(m) = event {
///         println!("{} {:?} frames {}-{}", m.flow, m.direction, m.first_frame, m.last_frame);
///     }
///     let _progress = events.bytes_consumed();
/// }
/// println!("{:?}", events.stats());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TransportEvents<'r> {
    capture: CaptureReader<'r>,
    decoder: Decoder,
    queue: VecDeque<TransportEvent>,
    finished: bool,
}

impl<'r> TransportEvents<'r> {
    /// Open a capture and set up a decoder.
    pub fn new<R: Read + Send + 'r>(
        reader: R,
        config: DecoderConfig,
    ) -> Result<Self, CaptureError> {
        Self::with_options(reader, config, ReaderOptions::default())
    }

    /// As [`new`](Self::new) with explicit reader buffer sizes.
    pub fn with_options<R: Read + Send + 'r>(
        reader: R,
        config: DecoderConfig,
        options: ReaderOptions,
    ) -> Result<Self, CaptureError> {
        Ok(TransportEvents {
            capture: CaptureReader::with_options(reader, options)?,
            decoder: Decoder::new(config),
            queue: VecDeque::new(),
            finished: false,
        })
    }

    /// Input bytes consumed so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.capture.bytes_consumed()
    }

    /// Counters so far.
    pub fn stats(&self) -> &DecoderStats {
        self.decoder.stats()
    }

    /// The decoder (for buffered-bytes and flow counts).
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }
}

impl Iterator for TransportEvents<'_> {
    type Item = TransportEvent;

    fn next(&mut self) -> Option<TransportEvent> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Some(e);
            }
            if self.finished {
                return None;
            }
            match self.capture.next_item() {
                Some(CaptureItem::Packet(p)) => self.queue.extend(self.decoder.feed(&p)),
                Some(CaptureItem::Anomaly { frame, kind }) => {
                    self.queue.extend(self.decoder.capture_anomaly(frame, kind));
                }
                None => {
                    self.finished = true;
                    self.queue.extend(self.decoder.finish());
                }
            }
        }
    }
}

/// Decode a whole capture, calling `on_event` for each event; returns the counters.
pub fn decode_capture<R: Read + Send>(
    reader: R,
    config: DecoderConfig,
    mut on_event: impl FnMut(TransportEvent),
) -> Result<DecoderStats, CaptureError> {
    let mut events = TransportEvents::new(reader, config)?;
    for e in events.by_ref() {
        on_event(e);
    }
    Ok(events.decoder.stats.clone())
}
