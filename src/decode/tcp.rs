//! TCP: header parsing and one-direction stream reassembly.
//!
//! Sequence numbers are mapped to 64-bit offsets relative to the stream start
//! (serial-number arithmetic, RFC 1982), so wraparound at 2^32 is invisible to
//! the rest. Out-of-order segments wait in a `BTreeMap` keyed by offset; the
//! first copy of any byte wins and differing later copies are counted. A hole
//! that outlives the per-direction window (bytes or segments), or that the
//! peer has acknowledged, is skipped and reported as a gap.

use std::collections::BTreeMap;

use super::capture::Timestamp;
use super::event::{AnomalyKind, DecoderStats};

/// TCP flag bits (RFC 9293 §3.1).
pub(crate) mod flags {
    /// FIN.
    pub(crate) const FIN: u8 = 0x01;
    /// SYN.
    pub(crate) const SYN: u8 = 0x02;
    /// RST.
    pub(crate) const RST: u8 = 0x04;
    /// ACK.
    pub(crate) const ACK: u8 = 0x10;
}

/// A parsed TCP segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TcpSegment<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// Flag bits (see [`flags`]).
    pub flags: u8,
    /// Payload as captured.
    pub payload: &'a [u8],
}

impl TcpSegment<'_> {
    /// Whether every bit of `f` is set.
    pub(crate) fn has(&self, f: u8) -> bool {
        self.flags & f == f
    }
}

/// Parse a TCP header; `None` if shorter than its data offset says.
pub(crate) fn parse_tcp(data: &[u8]) -> Option<TcpSegment<'_>> {
    let h = data.first_chunk::<20>()?;
    let data_offset = usize::from(h[12] >> 4).checked_mul(4)?;
    if data_offset < 20 {
        return None;
    }
    Some(TcpSegment {
        src_port: u16::from_be_bytes([h[0], h[1]]),
        dst_port: u16::from_be_bytes([h[2], h[3]]),
        seq: u32::from_be_bytes([h[4], h[5], h[6], h[7]]),
        ack: u32::from_be_bytes([h[8], h[9], h[10], h[11]]),
        flags: h[13],
        payload: data.get(data_offset..)?,
    })
}

/// Per-direction reassembly limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReassemblyLimits {
    /// Out-of-order bytes held before the oldest hole is skipped.
    pub max_ooo_bytes: usize,
    /// Out-of-order segments held before the oldest hole is skipped.
    pub max_ooo_segments: usize,
    /// Bytes of delivered data kept to compare retransmissions against.
    pub overlap_window: usize,
}

/// Receiver of one direction's in-order byte stream.
pub(crate) trait StreamSink {
    /// The next bytes of the stream, from segment `frame`.
    fn data(&mut self, data: &[u8], frame: u64, ts: Timestamp);
    /// `bytes` of the stream were never captured and are skipped.
    fn gap(&mut self, bytes: u64, frame: u64, ts: Timestamp);
    /// The stream starts mid-connection: framing must resynchronise.
    fn mid_stream(&mut self);
    /// Report an anomaly.
    fn anomaly(&mut self, frame: u64, kind: AnomalyKind);
    /// Run counters.
    fn stats(&mut self) -> &mut DecoderStats;
}

#[derive(Debug)]
struct Held {
    data: Vec<u8>,
    frame: u64,
    ts: Timestamp,
}

/// Approximate per-entry overhead of the out-of-order map, for accounting.
const HELD_OVERHEAD: usize = 64;

/// One direction of a TCP connection.
#[derive(Debug, Default)]
pub(crate) struct Reassembler {
    synced: bool,
    syn_seen: bool,
    /// Sequence number of offset 0.
    base: u32,
    /// Next offset expected.
    next: u64,
    ooo: BTreeMap<u64, Held>,
    ooo_bytes: usize,
    /// The last delivered bytes, ending at `next`.
    tail: Vec<u8>,
    fin: Option<u64>,
    closed: bool,
}

/// Facts about one segment for the reassembler.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SegmentMeta {
    pub seq: u32,
    pub flags: u8,
    pub missing: u32,
    pub frame: u64,
    pub ts: Timestamp,
}

impl Reassembler {
    /// Bytes held (out-of-order data and the overlap window).
    pub(crate) fn buffered(&self) -> usize {
        self.ooo_bytes
            .saturating_add(self.ooo.len().saturating_mul(HELD_OVERHEAD))
            .saturating_add(self.tail.capacity())
    }

    /// Undelivered bytes (what eviction loses).
    pub(crate) fn undelivered(&self) -> usize {
        self.ooo_bytes
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    pub(crate) fn has_data_synced(&self) -> bool {
        self.synced && (self.next > 0 || !self.ooo.is_empty())
    }

    /// The sequence number this direction's SYN carried (`base - 1`), if a SYN was seen.
    pub(crate) fn syn_seq(&self) -> Option<u32> {
        self.syn_seen.then(|| self.base.wrapping_sub(1))
    }

    /// The peer's SYN-ACK acknowledges `ack`: this direction's stream starts
    /// there (used when the capture missed this direction's SYN).
    pub(crate) fn sync_from_syn_ack(&mut self, ack: u32) {
        if !self.synced {
            self.base = ack;
            self.synced = true;
            self.syn_seen = true;
        }
    }

    /// Offset of `seq` relative to the stream start, near `next`. Negative
    /// results (before the stream start) are `Err` with how far before.
    fn offset(&self, seq: u32) -> Result<u64, u64> {
        let off = seq.wrapping_sub(self.base);
        let cur = (self.next & 0xFFFF_FFFF) as u32;
        // Serial-number difference, in (-2^31, 2^31].
        let delta = i64::from(off.wrapping_sub(cur) as i32);
        let next = i64::try_from(self.next).unwrap_or(i64::MAX);
        let rel = next.saturating_add(delta);
        u64::try_from(rel).map_err(|_| rel.unsigned_abs())
    }

    /// Feed one segment.
    pub(crate) fn segment(
        &mut self,
        meta: SegmentMeta,
        payload: &[u8],
        limits: &ReassemblyLimits,
        sink: &mut dyn StreamSink,
    ) {
        if self.closed {
            return;
        }
        let syn = meta.flags & flags::SYN != 0;
        let fin = meta.flags & flags::FIN != 0;
        let mut data_seq = meta.seq;
        if syn {
            data_seq = meta.seq.wrapping_add(1);
            if !self.synced {
                self.base = data_seq;
                self.synced = true;
                self.syn_seen = true;
            }
        }
        if payload.is_empty() && meta.missing == 0 && !fin {
            return;
        }
        if !self.synced {
            self.base = data_seq;
            self.synced = true;
            sink.mid_stream();
        }
        let mut payload = payload;
        let mut missing = u64::from(meta.missing);
        let rel = match self.offset(data_seq) {
            Ok(r) => r,
            Err(before) => {
                // Starts before the stream start: keep only what follows it.
                let skip = usize::try_from(before).unwrap_or(usize::MAX);
                let old = payload.len().min(skip);
                sink.stats().retransmitted_bytes =
                    sink.stats().retransmitted_bytes.saturating_add(old as u64);
                payload = payload.get(skip..).unwrap_or(&[]);
                if payload.is_empty() {
                    missing = missing.saturating_sub(before.saturating_sub(old as u64));
                    if missing == 0 {
                        return;
                    }
                }
                0
            }
        };
        let end = rel.saturating_add(payload.len() as u64);
        if fin && self.fin.is_none() {
            self.fin = Some(end.saturating_add(missing));
        }

        if rel <= self.next && self.ooo.is_empty() {
            // In order (possibly starting with already-delivered bytes).
            let dup = usize::try_from(self.next.saturating_sub(rel)).unwrap_or(usize::MAX);
            let (old, new) = payload.split_at(dup.min(payload.len()));
            self.check_tail(rel, old, meta.frame, sink);
            if !new.is_empty() {
                self.deliver(new, meta.frame, meta.ts, limits, sink);
            }
            if missing > 0 {
                self.skip_to(end.saturating_add(missing), meta.frame, meta.ts, sink);
            }
        } else {
            if rel > self.next {
                sink.stats().out_of_order_segments =
                    sink.stats().out_of_order_segments.saturating_add(1);
            }
            self.insert(rel, payload, meta.frame, meta.ts, sink);
            self.drain(limits, sink);
            while self.ooo_bytes > limits.max_ooo_bytes || self.ooo.len() > limits.max_ooo_segments
            {
                if !self.skip_hole(meta.frame, meta.ts, limits, sink) {
                    break;
                }
            }
        }
        self.check_fin();
    }

    /// The peer acknowledged up to `ack`: holes it covers were received by
    /// the peer but not by the capture, so they are skipped now.
    pub(crate) fn acked(
        &mut self,
        ack: u32,
        frame: u64,
        ts: Timestamp,
        limits: &ReassemblyLimits,
        sink: &mut dyn StreamSink,
    ) {
        if !self.synced || self.closed {
            return;
        }
        let Ok(acked) = self.offset(ack) else {
            return;
        };
        while let Some((&first, _)) = self.ooo.first_key_value() {
            if first <= self.next || acked < first {
                break;
            }
            if !self.skip_hole(frame, ts, limits, sink) {
                break;
            }
        }
        self.check_fin();
    }

    /// Deliver everything held, skipping holes (end of flow or capture).
    pub(crate) fn flush(
        &mut self,
        frame: u64,
        ts: Timestamp,
        limits: &ReassemblyLimits,
        sink: &mut dyn StreamSink,
    ) {
        while !self.ooo.is_empty() {
            if !self.skip_hole(frame, ts, limits, sink) {
                break;
            }
        }
        self.check_fin();
    }

    fn check_fin(&mut self) {
        if let Some(f) = self.fin {
            if self.next >= f && self.ooo.is_empty() {
                self.closed = true;
                self.tail = Vec::new();
            }
        }
    }

    /// Count retransmitted bytes that differ from what was delivered.
    fn check_tail(&mut self, rel: u64, old: &[u8], frame: u64, sink: &mut dyn StreamSink) {
        if old.is_empty() {
            return;
        }
        sink.stats().retransmitted_bytes = sink
            .stats()
            .retransmitted_bytes
            .saturating_add(old.len() as u64);
        let tail_start = self.next.saturating_sub(self.tail.len() as u64);
        let from = rel.max(tail_start);
        let to = rel.saturating_add(old.len() as u64).min(self.next);
        if from >= to {
            return;
        }
        let a = old.get(
            usize::try_from(from.saturating_sub(rel)).unwrap_or(0)
                ..usize::try_from(to.saturating_sub(rel)).unwrap_or(0),
        );
        let b = self.tail.get(
            usize::try_from(from.saturating_sub(tail_start)).unwrap_or(0)
                ..usize::try_from(to.saturating_sub(tail_start)).unwrap_or(0),
        );
        if let (Some(a), Some(b)) = (a, b) {
            let differ = a.iter().zip(b).filter(|(x, y)| x != y).count() as u64;
            if differ > 0 {
                sink.anomaly(frame, AnomalyKind::OverlapConflict { bytes: differ });
            }
        }
    }

    fn deliver(
        &mut self,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        limits: &ReassemblyLimits,
        sink: &mut dyn StreamSink,
    ) {
        self.next = self.next.saturating_add(data.len() as u64);
        let w = limits.overlap_window;
        if w > 0 {
            if self.tail.capacity() == 0 {
                // Once per flow direction, not a growth per delivery.
                self.tail.reserve_exact(w.saturating_mul(2));
            }
            if data.len() >= w {
                self.tail.clear();
                self.tail
                    .extend_from_slice(data.get(data.len().saturating_sub(w)..).unwrap_or(&[]));
            } else {
                if self.tail.len().saturating_add(data.len()) > w.saturating_mul(2) {
                    let keep_from = self.tail.len().saturating_sub(w);
                    self.tail.drain(..keep_from);
                }
                self.tail.extend_from_slice(data);
            }
        }
        sink.data(data, frame, ts);
    }

    /// Skip the stream forward to `to`, reporting the gap.
    fn skip_to(&mut self, to: u64, frame: u64, ts: Timestamp, sink: &mut dyn StreamSink) {
        if to <= self.next {
            return;
        }
        let bytes = to.saturating_sub(self.next);
        self.next = to;
        self.tail.clear();
        let st = sink.stats();
        st.gaps = st.gaps.saturating_add(1);
        st.gap_bytes = st.gap_bytes.saturating_add(bytes);
        sink.anomaly(frame, AnomalyKind::TcpGap { bytes });
        sink.gap(bytes, frame, ts);
    }

    /// Skip the first hole and deliver what follows it. False if nothing held.
    fn skip_hole(
        &mut self,
        frame: u64,
        ts: Timestamp,
        limits: &ReassemblyLimits,
        sink: &mut dyn StreamSink,
    ) -> bool {
        let Some((&first, _)) = self.ooo.first_key_value() else {
            return false;
        };
        self.skip_to(first, frame, ts, sink);
        self.drain(limits, sink);
        true
    }

    /// Deliver held segments that are now in order.
    fn drain(&mut self, limits: &ReassemblyLimits, sink: &mut dyn StreamSink) {
        while let Some(entry) = self.ooo.first_entry() {
            let k = *entry.key();
            if k > self.next {
                break;
            }
            let held = entry.remove();
            self.ooo_bytes = self.ooo_bytes.saturating_sub(held.data.len());
            let end = k.saturating_add(held.data.len() as u64);
            if end <= self.next {
                continue;
            }
            let skip = usize::try_from(self.next.saturating_sub(k)).unwrap_or(usize::MAX);
            if let Some(rest) = held.data.get(skip..) {
                self.deliver(rest, held.frame, held.ts, limits, sink);
            }
        }
    }

    /// Hold a segment, keeping bytes already held or delivered (first wins).
    fn insert(
        &mut self,
        rel: u64,
        payload: &[u8],
        frame: u64,
        ts: Timestamp,
        sink: &mut dyn StreamSink,
    ) {
        let mut start = rel;
        let mut data = payload;
        if start < self.next {
            let dup = usize::try_from(self.next.saturating_sub(start))
                .unwrap_or(usize::MAX)
                .min(data.len());
            let (old, new) = data.split_at(dup);
            self.check_tail(start, old, frame, sink);
            data = new;
            start = self.next;
        }
        if data.is_empty() {
            return;
        }
        let end = start.saturating_add(data.len() as u64);
        let mut differ = 0u64;
        let mut pieces: Vec<(u64, u64)> = Vec::new();
        let mut cursor = start;
        let mut compare = |k: u64, held: &Held, cursor: &mut u64, pieces: &mut Vec<(u64, u64)>| {
            let hend = k.saturating_add(held.data.len() as u64);
            if hend <= *cursor || k >= end {
                return;
            }
            if k > *cursor {
                pieces.push((*cursor, k));
            }
            let from = k.max(*cursor);
            let to = hend.min(end);
            let a = data.get(
                usize::try_from(from.saturating_sub(start)).unwrap_or(0)
                    ..usize::try_from(to.saturating_sub(start)).unwrap_or(0),
            );
            let b = held.data.get(
                usize::try_from(from.saturating_sub(k)).unwrap_or(0)
                    ..usize::try_from(to.saturating_sub(k)).unwrap_or(0),
            );
            if let (Some(a), Some(b)) = (a, b) {
                differ =
                    differ.saturating_add(a.iter().zip(b).filter(|(x, y)| x != y).count() as u64);
            }
            *cursor = (*cursor).max(to);
        };
        if let Some((&k, held)) = self.ooo.range(..=start).next_back() {
            compare(k, held, &mut cursor, &mut pieces);
        }
        if let Some(after) = start.checked_add(1) {
            if after < end {
                for (&k, held) in self.ooo.range(after..end) {
                    compare(k, held, &mut cursor, &mut pieces);
                }
            }
        }
        if cursor < end {
            pieces.push((cursor, end));
        }
        if differ > 0 {
            sink.anomaly(frame, AnomalyKind::OverlapConflict { bytes: differ });
        }
        for (a, b) in pieces {
            let Some(bytes) = data.get(
                usize::try_from(a.saturating_sub(start)).unwrap_or(0)
                    ..usize::try_from(b.saturating_sub(start)).unwrap_or(0),
            ) else {
                continue;
            };
            self.ooo_bytes = self.ooo_bytes.saturating_add(bytes.len());
            self.ooo.insert(
                a,
                Held {
                    data: bytes.to_vec(),
                    frame,
                    ts,
                },
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Rec {
        out: Vec<u8>,
        gaps: Vec<u64>,
        anomalies: Vec<AnomalyKind>,
        mid: bool,
        stats: DecoderStats,
    }

    impl StreamSink for Rec {
        fn data(&mut self, data: &[u8], _frame: u64, _ts: Timestamp) {
            self.out.extend_from_slice(data);
        }
        fn gap(&mut self, bytes: u64, _frame: u64, _ts: Timestamp) {
            self.gaps.push(bytes);
        }
        fn mid_stream(&mut self) {
            self.mid = true;
        }
        fn anomaly(&mut self, _frame: u64, kind: AnomalyKind) {
            self.anomalies.push(kind);
        }
        fn stats(&mut self) -> &mut DecoderStats {
            &mut self.stats
        }
    }

    const LIM: ReassemblyLimits = ReassemblyLimits {
        max_ooo_bytes: 1000,
        max_ooo_segments: 4,
        overlap_window: 16,
    };

    fn seg(r: &mut Reassembler, rec: &mut Rec, seq: u32, flags: u8, data: &[u8]) {
        let meta = SegmentMeta {
            seq,
            flags,
            missing: 0,
            frame: 0,
            ts: Timestamp::default(),
        };
        r.segment(meta, data, &LIM, rec);
    }

    #[test]
    fn wraparound_out_of_order_and_overlap() {
        let mut r = Reassembler::default();
        let mut rec = Rec::default();
        let isn = u32::MAX - 5;
        seg(&mut r, &mut rec, isn, flags::SYN, b"");
        let s = isn.wrapping_add(1);
        seg(&mut r, &mut rec, s.wrapping_add(8), 0, b"IJKL");
        seg(&mut r, &mut rec, s, 0, b"ABCD");
        // Overlaps held "IJKL" with a different 'X': first wins.
        seg(&mut r, &mut rec, s.wrapping_add(4), 0, b"EFGHXJ");
        assert_eq!(rec.out, b"ABCDEFGHIJKL");
        assert_eq!(
            rec.anomalies,
            vec![AnomalyKind::OverlapConflict { bytes: 1 }]
        );
        assert!(!rec.mid);
    }

    #[test]
    fn hole_skipped_when_window_full() {
        let mut r = Reassembler::default();
        let mut rec = Rec::default();
        seg(&mut r, &mut rec, 100, 0, b"ab");
        for i in 0..5u32 {
            seg(&mut r, &mut rec, 110 + i * 2, 0, b"xy");
        }
        assert!(rec.mid);
        assert_eq!(rec.gaps, vec![8]);
        assert_eq!(rec.out, b"abxyxyxyxyxy");
    }
}
