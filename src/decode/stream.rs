//! Session-service framing on a reassembled byte stream.
//!
//! TCP 139 carries RFC 1002 §4.3 session packets: a 4-byte header (type,
//! flags whose low bit is length bit 16, 16-bit length). Direct TCP 445 uses
//! the same header with type 0 and a 24-bit length. A session message (type
//! 0x00) carries one SMB message: SMB1 (`\xFFSMB`) messages are delivered,
//! SMB2/3 (`\xFESMB`) are counted and skipped without buffering.
//!
//! After a TCP gap that is not inside a message of known length, or when a
//! capture starts mid-connection, framing resynchronises by scanning for the
//! next plausible header: `00`, a length ≥ 32, then `\xFFSMB` (length ≤
//! 0x1FFFF) or `\xFESMB`.

use std::mem;

use super::capture::Timestamp;
use super::event::{AnomalyKind, DecoderStats, SessionPacketType};

/// Session header plus the SMB protocol id and command byte.
const PEEK: usize = 9;
/// Smallest SMB header.
const MIN_SMB: u32 = 32;
/// Initial allocation for a message that spans segments.
const INITIAL_MESSAGE_ALLOC: usize = 64 * 1024;

const SMB1_MAGIC: [u8; 4] = [0xFF, b'S', b'M', b'B'];
const SMB2_MAGIC: [u8; 4] = [0xFE, b'S', b'M', b'B'];

/// Framing options.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FramerConfig {
    /// SMB1 messages longer than this are skipped with an anomaly.
    pub max_smb1_message: u32,
    /// When set, only SMB1 messages whose command byte is marked are
    /// delivered; the rest are counted and skipped without copying.
    pub smb1_commands: Option<Box<[bool; 256]>>,
}

/// Output of the framer.
pub(crate) trait FrameOut {
    fn smb1(&mut self, first_frame: u64, last_frame: u64, ts: Timestamp, bytes: Vec<u8>);
    fn session(&mut self, frame: u64, ts: Timestamp, packet_type: SessionPacketType);
    fn anomaly(&mut self, frame: u64, kind: AnomalyKind);
    fn stats(&mut self) -> &mut DecoderStats;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading the next session header (and the bytes after it we peek at).
    Header,
    /// Inside a session packet body of known length.
    Body {
        remaining: u32,
        collect: bool,
        length: u32,
    },
    /// Looking for a plausible header.
    Resync,
}

/// Frames one direction of one flow.
#[derive(Debug)]
pub(crate) struct Framer {
    state: State,
    hdr: [u8; PEEK],
    hdr_len: usize,
    hdr_frame: u64,
    hdr_ts: Timestamp,
    msg: Vec<u8>,
    carry: [u8; 7],
    carry_len: usize,
    carry_frame: u64,
    carry_ts: Timestamp,
    skipped: u64,
}

impl Default for Framer {
    fn default() -> Self {
        Framer {
            state: State::Header,
            hdr: [0; PEEK],
            hdr_len: 0,
            hdr_frame: 0,
            hdr_ts: Timestamp::default(),
            msg: Vec::new(),
            carry: [0; 7],
            carry_len: 0,
            carry_frame: 0,
            carry_ts: Timestamp::default(),
            skipped: 0,
        }
    }
}

/// Copy as much of `src` as fits at the start of `dst`; returns the count.
fn copy_prefix(dst: &mut [u8], src: &[u8]) -> usize {
    let mut n = 0usize;
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
        n = n.saturating_add(1);
    }
    n
}

fn u24(b: &[u8]) -> u32 {
    match b {
        [a, b, c, ..] => u32::from_be_bytes([0, *a, *b, *c]),
        _ => 0,
    }
}

/// Is `w` (8 bytes) a plausible session message header followed by an SMB id?
fn plausible(w: &[u8]) -> bool {
    let (Some(&0), Some(magic)) = (w.first(), w.get(4..8)) else {
        return false;
    };
    let len = u24(w.get(1..4).unwrap_or(&[]));
    if len < MIN_SMB {
        return false;
    }
    (magic == SMB1_MAGIC && len <= 0x1_FFFF) || magic == SMB2_MAGIC
}

impl Framer {
    /// Bytes held for a partial message.
    pub(crate) fn buffered(&self) -> usize {
        self.msg.capacity()
    }

    /// The stream starts mid-connection.
    pub(crate) fn mid_stream(&mut self) {
        self.enter_resync();
    }

    fn enter_resync(&mut self) {
        self.state = State::Resync;
        self.hdr_len = 0;
        self.carry_len = 0;
        self.msg = Vec::new();
    }

    /// The next in-order bytes, from frame `frame`.
    pub(crate) fn feed(
        &mut self,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        cfg: &FramerConfig,
        out: &mut dyn FrameOut,
    ) {
        let mut rest = data;
        while !rest.is_empty() {
            match self.state {
                State::Header => {
                    if self.hdr_len == 0 {
                        self.hdr_frame = frame;
                        self.hdr_ts = ts;
                    }
                    let want = self.header_need();
                    let take = want.saturating_sub(self.hdr_len).min(rest.len());
                    let (head, tail) = rest.split_at_checked(take).unwrap_or((rest, &[]));
                    let dst = self.hdr.get_mut(self.hdr_len..).unwrap_or(&mut []);
                    self.hdr_len = self.hdr_len.saturating_add(copy_prefix(dst, head));
                    rest = tail;
                    // A complete 4-byte header may raise what we need.
                    if self.hdr_len >= self.header_need() {
                        self.decide(frame, ts, cfg, out);
                    }
                }
                State::Body {
                    remaining,
                    collect,
                    length,
                } => {
                    let n = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(rest.len());
                    let (body, tail) = rest.split_at_checked(n).unwrap_or((rest, &[]));
                    if collect {
                        self.msg.extend_from_slice(body);
                    }
                    rest = tail;
                    let left = remaining.saturating_sub(u32::try_from(n).unwrap_or(u32::MAX));
                    if left == 0 {
                        self.end_body(collect, frame, ts, out);
                    } else {
                        self.state = State::Body {
                            remaining: left,
                            collect,
                            length,
                        };
                    }
                }
                State::Resync => {
                    rest = self.scan(rest, frame, ts, out);
                }
            }
        }
    }

    /// Header bytes needed before a decision.
    fn header_need(&self) -> usize {
        if self.hdr_len < 4 || self.hdr[0] != 0 {
            return 4;
        }
        let len = u24(&self.hdr[1..4]);
        4usize.saturating_add(usize::try_from(len.min(5)).unwrap_or(5))
    }

    fn end_body(&mut self, collect: bool, frame: u64, ts: Timestamp, out: &mut dyn FrameOut) {
        if collect {
            let bytes = mem::take(&mut self.msg);
            let st = out.stats();
            st.smb1_messages = st.smb1_messages.saturating_add(1);
            st.smb1_bytes = st.smb1_bytes.saturating_add(bytes.len() as u64);
            out.smb1(self.hdr_frame, frame, ts, bytes);
        }
        self.state = State::Header;
        self.hdr_len = 0;
    }

    /// Act on a complete header.
    fn decide(&mut self, frame: u64, ts: Timestamp, cfg: &FramerConfig, out: &mut dyn FrameOut) {
        let t = self.hdr[0];
        let (collect, length) = match t {
            0x00 => {
                let len = u24(&self.hdr[1..4]);
                let body = self.hdr.get(4..self.hdr_len).unwrap_or(&[]);
                let collect = if body.starts_with(&SMB1_MAGIC) {
                    if len > cfg.max_smb1_message {
                        out.anomaly(
                            self.hdr_frame,
                            AnomalyKind::OversizedMessage { length: len },
                        );
                        false
                    } else if cfg.smb1_commands.as_ref().is_some_and(|f| {
                        !body
                            .get(4)
                            .is_some_and(|c| f.get(usize::from(*c)).copied().unwrap_or(false))
                    }) {
                        let st = out.stats();
                        st.smb1_filtered = st.smb1_filtered.saturating_add(1);
                        false
                    } else {
                        true
                    }
                } else if body.starts_with(&SMB2_MAGIC) {
                    let st = out.stats();
                    st.smb2_messages = st.smb2_messages.saturating_add(1);
                    false
                } else {
                    if len > 0 {
                        out.anomaly(self.hdr_frame, AnomalyKind::NotSmb { length: len });
                    }
                    false
                };
                if collect {
                    let cap = usize::try_from(len)
                        .unwrap_or(usize::MAX)
                        .min(INITIAL_MESSAGE_ALLOC);
                    let mut msg = Vec::with_capacity(cap);
                    msg.extend_from_slice(body);
                    self.msg = msg;
                }
                (collect, len)
            }
            0x81..=0x85 => {
                let len = (u32::from(self.hdr[1] & 1) << 16)
                    | u32::from(u16::from_be_bytes([self.hdr[2], self.hdr[3]]));
                let st = out.stats();
                if t == 0x85 {
                    st.keep_alives = st.keep_alives.saturating_add(1);
                } else {
                    st.session_packets = st.session_packets.saturating_add(1);
                    out.session(self.hdr_frame, self.hdr_ts, SessionPacketType(t));
                }
                (false, len)
            }
            _ => {
                out.anomaly(
                    self.hdr_frame,
                    AnomalyKind::UnknownSessionPacket { packet_type: t },
                );
                // Rescan the bytes after the bad type byte.
                let mut carry = [0u8; 7];
                let after_type = self.hdr.get(1..self.hdr_len).unwrap_or(&[]);
                let n = copy_prefix(&mut carry, after_type);
                let lost = after_type.len().saturating_sub(n) as u64;
                let (cf, cts) = (self.hdr_frame, self.hdr_ts);
                self.enter_resync();
                self.skipped = 1u64.saturating_add(lost);
                self.carry = carry;
                self.carry_len = n;
                self.carry_frame = cf;
                self.carry_ts = cts;
                return;
            }
        };
        let peeked = u32::try_from(self.hdr_len.saturating_sub(4)).unwrap_or(0);
        let remaining = length.saturating_sub(peeked);
        if remaining == 0 {
            self.end_body(collect, frame, ts, out);
        } else {
            self.state = State::Body {
                remaining,
                collect,
                length,
            };
        }
    }

    /// Scan for a plausible header; returns the unconsumed input (starting
    /// at the header found) or an empty slice.
    fn scan<'d>(
        &mut self,
        rest: &'d [u8],
        frame: u64,
        ts: Timestamp,
        out: &mut dyn FrameOut,
    ) -> &'d [u8] {
        let clen = self.carry_len.min(self.carry.len());
        if clen > 0 {
            // Positions starting in the carry, joined with the new bytes.
            let mut tmp = [0u8; 15];
            let extra = rest.len().min(8);
            let joined = self.carry.iter().take(clen).chain(rest.iter().take(extra));
            for (d, s) in tmp.iter_mut().zip(joined) {
                *d = *s;
            }
            let avail = clen.saturating_add(extra);
            for p in 0..clen {
                let end = p.saturating_add(8);
                if end > avail {
                    // Undecidable until more data: keep the tail as carry.
                    self.skipped = self.skipped.saturating_add(p as u64);
                    let n = copy_prefix(&mut self.carry, tmp.get(p..avail).unwrap_or(&[]));
                    self.carry_len = n;
                    return &[];
                }
                if plausible(tmp.get(p..end).unwrap_or(&[])) {
                    self.skipped = self.skipped.saturating_add(p as u64);
                    self.found(out);
                    // These < 8 bytes start the header; the rest follows in `rest`.
                    self.hdr_len = copy_prefix(&mut self.hdr, tmp.get(p..clen).unwrap_or(&[]));
                    self.hdr_frame = self.carry_frame;
                    self.hdr_ts = self.carry_ts;
                    self.carry_len = 0;
                    return rest;
                }
            }
            self.skipped = self.skipped.saturating_add(clen as u64);
            self.carry_len = 0;
        }
        if let Some(p) = rest.windows(8).position(plausible) {
            self.skipped = self.skipped.saturating_add(p as u64);
            self.carry_frame = frame;
            self.found(out);
            return rest.get(p..).unwrap_or(&[]);
        }
        let keep = rest.len().min(self.carry.len());
        let start = rest.len().saturating_sub(keep);
        self.skipped = self.skipped.saturating_add(start as u64);
        self.carry_len = copy_prefix(&mut self.carry, rest.get(start..).unwrap_or(&[]));
        self.carry_frame = frame;
        self.carry_ts = ts;
        &[]
    }

    fn found(&mut self, out: &mut dyn FrameOut) {
        if self.skipped > 0 {
            out.anomaly(
                self.carry_frame,
                AnomalyKind::ResyncSkipped {
                    bytes: self.skipped,
                },
            );
        }
        self.skipped = 0;
        self.state = State::Header;
        self.hdr_len = 0;
    }

    /// `bytes` of the stream are missing.
    pub(crate) fn gap(&mut self, bytes: u64, frame: u64, out: &mut dyn FrameOut) {
        match self.state {
            State::Body {
                remaining,
                collect,
                length,
            } => {
                if collect {
                    out.anomaly(frame, AnomalyKind::MessageLostInGap { length });
                    self.msg = Vec::new();
                }
                let remaining = u64::from(remaining);
                if bytes < remaining {
                    self.state = State::Body {
                        remaining: u32::try_from(remaining.saturating_sub(bytes)).unwrap_or(0),
                        collect: false,
                        length,
                    };
                } else if bytes == remaining {
                    self.state = State::Header;
                    self.hdr_len = 0;
                } else {
                    self.enter_resync();
                }
            }
            State::Header => {
                if self.hdr_len > 0 {
                    out.anomaly(
                        frame,
                        AnomalyKind::IncompleteMessage {
                            received: self.hdr_len as u64,
                            expected: None,
                        },
                    );
                }
                self.enter_resync();
            }
            State::Resync => {
                self.skipped = self.skipped.saturating_add(self.carry_len as u64);
                self.carry_len = 0;
            }
        }
    }

    /// The stream ended: report what was left unfinished.
    pub(crate) fn finish(&mut self, frame: u64, out: &mut dyn FrameOut) {
        match self.state {
            State::Body {
                collect: true,
                length,
                ..
            } => out.anomaly(
                frame,
                AnomalyKind::IncompleteMessage {
                    received: (self.msg.len() as u64).saturating_add(4),
                    expected: Some(u64::from(length).saturating_add(4)),
                },
            ),
            State::Header if self.hdr_len > 0 => out.anomaly(
                frame,
                AnomalyKind::IncompleteMessage {
                    received: self.hdr_len as u64,
                    expected: None,
                },
            ),
            State::Resync => {
                let bytes = self.skipped.saturating_add(self.carry_len as u64);
                if bytes > 0 {
                    out.anomaly(frame, AnomalyKind::ResyncSkipped { bytes });
                }
            }
            _ => {}
        }
        *self = Framer::default();
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Rec {
        msgs: Vec<(u64, u64, Vec<u8>)>,
        anomalies: Vec<AnomalyKind>,
        sessions: Vec<u8>,
        stats: DecoderStats,
    }

    impl FrameOut for Rec {
        fn smb1(&mut self, first: u64, last: u64, _ts: Timestamp, bytes: Vec<u8>) {
            self.msgs.push((first, last, bytes));
        }
        fn session(&mut self, _frame: u64, _ts: Timestamp, t: SessionPacketType) {
            self.sessions.push(t.0);
        }
        fn anomaly(&mut self, _frame: u64, kind: AnomalyKind) {
            self.anomalies.push(kind);
        }
        fn stats(&mut self) -> &mut DecoderStats {
            &mut self.stats
        }
    }

    fn cfg() -> FramerConfig {
        FramerConfig {
            max_smb1_message: 0x1FFFF,
            smb1_commands: None,
        }
    }

    fn msg(cmd: u8, body_len: usize) -> Vec<u8> {
        let mut smb = SMB1_MAGIC.to_vec();
        smb.push(cmd);
        smb.resize(32 + body_len, 0xAB);
        let mut v = vec![0, 0, 0, 0];
        v[1..4].copy_from_slice(&(smb.len() as u32).to_be_bytes()[1..]);
        v.extend(smb);
        v
    }

    #[test]
    fn byte_by_byte_and_resync_across_chunks() {
        let c = cfg();
        let mut f = Framer::default();
        let mut r = Rec::default();
        let mut stream = vec![0x85, 0, 0, 0];
        stream.extend(msg(0x25, 3));
        stream.extend(msg(0x72, 0));
        for (i, b) in stream.iter().enumerate() {
            f.feed(&[*b], i as u64 + 1, Timestamp::default(), &c, &mut r);
        }
        assert_eq!(r.msgs.len(), 2);
        assert_eq!(r.msgs[0].0, 5);
        assert_eq!(r.msgs[0].1, 4 + 4 + 35);
        assert_eq!(r.stats.keep_alives, 1);

        // Mid-stream: junk, then a header split over chunk boundaries.
        let mut f = Framer::default();
        let mut r = Rec::default();
        f.mid_stream();
        let mut s = vec![1u8, 2, 0, 0, 9];
        s.extend(msg(0x25, 1));
        for chunk in s.chunks(3) {
            f.feed(chunk, 1, Timestamp::default(), &c, &mut r);
        }
        assert_eq!(r.msgs.len(), 1);
        assert_eq!(r.anomalies, vec![AnomalyKind::ResyncSkipped { bytes: 5 }]);
    }
}
