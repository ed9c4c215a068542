//! What the transport layers hand to the SMB layer: SMB1 messages with their
//! frame numbers, session-service packets, flow ends and anomalies.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;

use serde::Serialize;

use super::capture::Timestamp;

/// One TCP connection between an SMB client and server.
///
/// `index` numbers flows in the order they were first seen (from 1); a 4-tuple
/// that is reused after a close gets a new index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FlowId {
    /// Order of first appearance, from 1.
    pub index: u64,
    /// The endpoint that is not on an SMB port.
    pub client: SocketAddr,
    /// The endpoint on an SMB port (139, 445, a configured one or one
    /// recognised by its SMB1 framing).
    pub server: SocketAddr,
}

impl fmt::Display for FlowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {} -> {}", self.index, self.client, self.server)
    }
}

/// Which half of the connection a byte stream belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Direction {
    /// Client to server (requests).
    ToServer,
    /// Server to client (responses).
    ToClient,
}

impl Direction {
    /// The other direction.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::ToServer => Direction::ToClient,
            Direction::ToClient => Direction::ToServer,
        }
    }
}

/// RFC 1002 §4.3.1 session packet type (the first byte of the 4-byte header).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SessionPacketType(pub u8);

impl SessionPacketType {
    /// SESSION MESSAGE: carries one SMB message.
    pub const SESSION_MESSAGE: Self = Self(0x00);
    /// SESSION REQUEST (called and calling NetBIOS names).
    pub const SESSION_REQUEST: Self = Self(0x81);
    /// POSITIVE SESSION RESPONSE.
    pub const POSITIVE_SESSION_RESPONSE: Self = Self(0x82);
    /// NEGATIVE SESSION RESPONSE.
    pub const NEGATIVE_SESSION_RESPONSE: Self = Self(0x83);
    /// RETARGET SESSION RESPONSE.
    pub const RETARGET_SESSION_RESPONSE: Self = Self(0x84);
    /// SESSION KEEP ALIVE.
    pub const SESSION_KEEP_ALIVE: Self = Self(0x85);

    /// RFC 1002 name of this type, if it is one.
    pub const fn name(self) -> Option<&'static str> {
        match self.0 {
            0x00 => Some("SESSION_MESSAGE"),
            0x81 => Some("SESSION_REQUEST"),
            0x82 => Some("POSITIVE_SESSION_RESPONSE"),
            0x83 => Some("NEGATIVE_SESSION_RESPONSE"),
            0x84 => Some("RETARGET_SESSION_RESPONSE"),
            0x85 => Some("SESSION_KEEP_ALIVE"),
            _ => None,
        }
    }
}

impl fmt::Debug for SessionPacketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{}({:#04x})", n, self.0),
            None => write!(f, "SessionPacketType({:#04x})", self.0),
        }
    }
}

/// One complete SMB1 message (starting with `\xFFSMB`, session header removed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Smb1Message {
    /// The connection.
    pub flow: FlowId,
    /// Request or response direction.
    pub direction: Direction,
    /// Frame (1-based, as tshark) holding the message's session header.
    pub first_frame: u64,
    /// Frame holding the message's last byte.
    pub last_frame: u64,
    /// Capture time of `last_frame`.
    pub timestamp: Timestamp,
    /// The SMB message, from `\xFFSMB` to the end (the session length).
    pub bytes: Vec<u8>,
}

/// Why a flow ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CloseReason {
    /// Both directions sent FIN and all data up to it was delivered.
    Fin,
    /// A segment with RST.
    Reset,
    /// A new SYN with a different initial sequence number on the same 4-tuple.
    NewConnection,
    /// Dropped to stay within `max_flows` or `max_buffered_bytes`.
    Evicted,
    /// The capture ended with the flow still open.
    EndOfCapture,
}

/// A protocol or capture anomaly. Never fatal: decoding continues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum AnomalyKind {
    /// The capture file ends inside a record (a truncated final record).
    TruncatedCapture {
        /// File offset of the incomplete record.
        offset: u64,
    },
    /// A record could not be parsed; reading stopped there.
    CorruptCapture {
        /// File offset of the bad record.
        offset: u64,
    },
    /// A classic pcap record declares a packet longer than
    /// [`MAX_PACKET_LEN`](super::capture::MAX_PACKET_LEN): the file is
    /// damaged there (not merely cut short); reading stopped there.
    ImplausibleRecordLength {
        /// File offset of the record.
        offset: u64,
        /// The captured length it declares.
        length: u64,
    },
    /// A record larger than the reader's buffer cap; reading stopped there.
    RecordTooLarge {
        /// File offset of the record.
        offset: u64,
        /// The reader's buffer cap in bytes.
        cap: usize,
    },
    /// The input could not be read any further (I/O error).
    ReadError {
        /// File offset reached.
        offset: u64,
        /// The error text.
        message: String,
    },
    /// A pcapng packet names an interface with no Interface Description Block.
    UnknownInterface {
        /// The interface id.
        interface: u32,
    },
    /// A link type we do not decode (reported once per link type).
    UnsupportedLinkType {
        /// The pcap LINKTYPE_ value.
        link_type: u32,
    },
    /// The frame is shorter than its link-layer header.
    TruncatedLinkHeader,
    /// IPv4/IPv6 header not parseable.
    BadIpHeader,
    /// TCP header not parseable (on any port).
    BadTcpHeader,
    /// An IP fragment could not be reassembled (pool full, too large, timed out).
    FragmentDropped {
        /// Bytes of fragment data discarded.
        bytes: u64,
    },
    /// The packet was cut by the snapshot length; `missing` payload bytes
    /// were not captured (treated as a TCP gap).
    SnaplenTruncated {
        /// Bytes the IP header declares but the capture lacks.
        missing: u64,
    },
    /// Bytes never seen in the capture were skipped in a TCP stream.
    TcpGap {
        /// Length of the hole in sequence space.
        bytes: u64,
    },
    /// A retransmitted or overlapping segment differs from the data seen first
    /// (first copy wins).
    OverlapConflict {
        /// Overlapping bytes whose values differ.
        bytes: u64,
    },
    /// A flow was evicted to bound memory while holding undelivered data.
    FlowEvicted {
        /// Buffered bytes dropped with it.
        dropped_bytes: u64,
    },
    /// After a gap or a mid-connection start, bytes skipped before the next
    /// plausible session header (`00 LL LL LL FF 'SMB'`).
    ResyncSkipped {
        /// Bytes skipped.
        bytes: u64,
    },
    /// A session message that is neither SMB1 nor SMB2, skipped by its length.
    NotSmb {
        /// Its length.
        length: u32,
    },
    /// A session packet type that RFC 1002 does not define; framing resyncs.
    UnknownSessionPacket {
        /// The type byte.
        packet_type: u8,
    },
    /// An SMB1 message longer than `max_smb1_message`, skipped by its length.
    OversizedMessage {
        /// Its length.
        length: u32,
    },
    /// A TCP gap fell inside an SMB1 message; the message was dropped.
    MessageLostInGap {
        /// Its length.
        length: u32,
    },
    /// The stream ended inside a message or header.
    IncompleteMessage {
        /// Bytes received (including the 4-byte session header).
        received: u64,
        /// Bytes expected (including the 4-byte session header), if known.
        expected: Option<u64>,
    },
}

impl AnomalyKind {
    /// A stable short name, used as the key in [`DecoderStats::anomalies`].
    pub fn code(&self) -> &'static str {
        match self {
            AnomalyKind::TruncatedCapture { .. } => "truncated_capture",
            AnomalyKind::CorruptCapture { .. } => "corrupt_capture",
            AnomalyKind::ImplausibleRecordLength { .. } => "implausible_record_length",
            AnomalyKind::RecordTooLarge { .. } => "record_too_large",
            AnomalyKind::ReadError { .. } => "read_error",
            AnomalyKind::UnknownInterface { .. } => "unknown_interface",
            AnomalyKind::UnsupportedLinkType { .. } => "unsupported_link_type",
            AnomalyKind::TruncatedLinkHeader => "truncated_link_header",
            AnomalyKind::BadIpHeader => "bad_ip_header",
            AnomalyKind::BadTcpHeader => "bad_tcp_header",
            AnomalyKind::FragmentDropped { .. } => "fragment_dropped",
            AnomalyKind::SnaplenTruncated { .. } => "snaplen_truncated",
            AnomalyKind::TcpGap { .. } => "tcp_gap",
            AnomalyKind::OverlapConflict { .. } => "overlap_conflict",
            AnomalyKind::FlowEvicted { .. } => "flow_evicted",
            AnomalyKind::ResyncSkipped { .. } => "resync_skipped",
            AnomalyKind::NotSmb { .. } => "not_smb",
            AnomalyKind::UnknownSessionPacket { .. } => "unknown_session_packet",
            AnomalyKind::OversizedMessage { .. } => "oversized_message",
            AnomalyKind::MessageLostInGap { .. } => "message_lost_in_gap",
            AnomalyKind::IncompleteMessage { .. } => "incomplete_message",
        }
    }
}

impl AnomalyKind {
    /// Whether this is damage to the capture file itself, after which the
    /// reader stopped: nothing after it was decoded.
    pub fn stops_reading(&self) -> bool {
        matches!(
            self,
            AnomalyKind::TruncatedCapture { .. }
                | AnomalyKind::CorruptCapture { .. }
                | AnomalyKind::ImplausibleRecordLength { .. }
                | AnomalyKind::RecordTooLarge { .. }
                | AnomalyKind::ReadError { .. }
        )
    }
}

/// What happened, in words (offsets are bytes from the start of the file).
impl fmt::Display for AnomalyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnomalyKind::TruncatedCapture { offset } => write!(
                f,
                "the capture is cut short: the record at byte {offset} is incomplete"
            ),
            AnomalyKind::CorruptCapture { offset } => write!(
                f,
                "the capture is damaged at byte {offset}: no valid record starts there"
            ),
            AnomalyKind::ImplausibleRecordLength { offset, length } => write!(
                f,
                "the capture is damaged at byte {offset}: the record there declares a \
                 {length}-byte packet, more than the {} bytes a capture can hold",
                super::capture::MAX_PACKET_LEN
            ),
            AnomalyKind::RecordTooLarge { offset, cap } => write!(
                f,
                "the record at byte {offset} is larger than the reader's {cap}-byte limit"
            ),
            AnomalyKind::ReadError { offset, message } => {
                write!(f, "reading the capture failed at byte {offset}: {message}")
            }
            AnomalyKind::UnknownInterface { interface } => {
                write!(
                    f,
                    "a packet names interface {interface}, which is not described"
                )
            }
            AnomalyKind::UnsupportedLinkType { link_type } => {
                write!(f, "link type {link_type} is not decoded")
            }
            AnomalyKind::TruncatedLinkHeader => {
                f.write_str("a frame is shorter than its link-layer header")
            }
            AnomalyKind::BadIpHeader => f.write_str("an IP header cannot be parsed"),
            AnomalyKind::BadTcpHeader => f.write_str("a TCP header cannot be parsed"),
            AnomalyKind::FragmentDropped { bytes } => {
                write!(f, "{bytes} bytes of IP fragments could not be reassembled")
            }
            AnomalyKind::SnaplenTruncated { missing } => write!(
                f,
                "a packet was cut by the snapshot length ({missing} bytes missing)"
            ),
            AnomalyKind::TcpGap { bytes } => {
                write!(f, "{bytes} bytes of a TCP stream are not in the capture")
            }
            AnomalyKind::OverlapConflict { bytes } => write!(
                f,
                "{bytes} retransmitted bytes differ from the first copy (first copy kept)"
            ),
            AnomalyKind::FlowEvicted { dropped_bytes } => write!(
                f,
                "a flow was dropped to bound memory with {dropped_bytes} bytes undelivered"
            ),
            AnomalyKind::ResyncSkipped { bytes } => {
                write!(f, "{bytes} bytes skipped to find the next SMB message")
            }
            AnomalyKind::NotSmb { length } => {
                write!(f, "a {length}-byte session message is not SMB")
            }
            AnomalyKind::UnknownSessionPacket { packet_type } => {
                write!(f, "unknown NetBIOS session packet type {packet_type:#04x}")
            }
            AnomalyKind::OversizedMessage { length } => {
                write!(f, "a {length}-byte SMB1 message is longer than the limit")
            }
            AnomalyKind::MessageLostInGap { length } => {
                write!(f, "a {length}-byte SMB1 message was lost in a TCP gap")
            }
            AnomalyKind::IncompleteMessage { received, expected } => match expected {
                Some(e) => write!(
                    f,
                    "a stream ended inside a message ({received} of {e} bytes)"
                ),
                None => write!(
                    f,
                    "a stream ended inside a message header ({received} bytes)"
                ),
            },
        }
    }
}

/// An anomaly with where it was seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    /// The flow, for anomalies at or above TCP.
    pub flow: Option<FlowId>,
    /// The direction, for anomalies in one byte stream.
    pub direction: Option<Direction>,
    /// The frame being processed when it was detected (0 before the first frame).
    pub frame: u64,
    /// What happened.
    pub kind: AnomalyKind,
}

/// Output of the transport layers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum TransportEvent {
    /// A complete SMB1 message.
    Smb1(Smb1Message),
    /// A session-service packet other than a session message or keep-alive
    /// (session request, positive/negative/retarget response).
    Session {
        /// The connection.
        flow: FlowId,
        /// Its direction.
        direction: Direction,
        /// Frame holding its header.
        frame: u64,
        /// Capture time of that frame.
        timestamp: Timestamp,
        /// RFC 1002 type.
        packet_type: SessionPacketType,
    },
    /// A flow that produced earlier events has ended; per-flow state can be dropped.
    FlowClosed {
        /// The connection.
        flow: FlowId,
        /// Frame being processed when it ended (0 at end of capture).
        frame: u64,
        /// Why.
        reason: CloseReason,
    },
    /// Something unexpected, with its location.
    Anomaly(Anomaly),
}

/// Counters for one decoding run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DecoderStats {
    /// Packets fed.
    pub packets: u64,
    /// Captured bytes of those packets.
    pub bytes: u64,
    /// Packets that are not IPv4/IPv6 (ARP, other link types, …).
    pub non_ip_packets: u64,
    /// IP packets that are not TCP.
    pub non_tcp_packets: u64,
    /// TCP segments with neither port in the SMB port set.
    pub other_tcp_segments: u64,
    /// TCP segments on SMB ports.
    pub smb_port_segments: u64,
    /// IP fragments seen (TCP only).
    pub ip_fragments: u64,
    /// IP packets rebuilt from fragments.
    pub ip_reassembled: u64,
    /// Flows created.
    pub flows: u64,
    /// Flows evicted to bound memory.
    pub flows_evicted: u64,
    /// Most flows tracked at once.
    pub peak_flows: u64,
    /// Segments that arrived ahead of a hole.
    pub out_of_order_segments: u64,
    /// Payload bytes already delivered that were seen again.
    pub retransmitted_bytes: u64,
    /// Holes skipped in TCP streams.
    pub gaps: u64,
    /// Total sequence space skipped.
    pub gap_bytes: u64,
    /// Most bytes buffered (out-of-order data, partial messages) at once.
    pub peak_buffered_bytes: u64,
    /// SMB1 messages delivered.
    pub smb1_messages: u64,
    /// Bytes of SMB1 messages delivered.
    pub smb1_bytes: u64,
    /// SMB1 messages skipped by the command filter.
    pub smb1_filtered: u64,
    /// SMB2/3 messages (`\xFESMB`) recognised and skipped.
    pub smb2_messages: u64,
    /// Session request/response packets (0x81–0x84).
    pub session_packets: u64,
    /// Session keep-alives (0x85), skipped.
    pub keep_alives: u64,
    /// Anomalies by [`AnomalyKind::code`].
    pub anomalies: BTreeMap<&'static str, u64>,
    /// TCP ports found to carry SMB1 by the heuristics (not configured as
    /// SMB ports), in the order they were found.
    pub recognised_ports: Vec<u16>,
}

impl DecoderStats {
    /// Total anomalies of all kinds.
    pub fn anomaly_total(&self) -> u64 {
        self.anomalies
            .values()
            .fold(0u64, |a, b| a.saturating_add(*b))
    }
}
