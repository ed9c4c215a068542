//! IPv4 / IPv6 headers (hand-written, lax about length fields) and a bounded
//! fragment pool.
//!
//! Not etherparse: its 0.21 `Ipv6ExtensionsSlice` iterator, after
//! `LaxIpSlice::from_slice` stopped on a malformed extension header, keeps
//! following `next_header` past the validated bytes with
//! `from_slice_unchecked` (an out-of-bounds read, found by our fuzzer; see
//! `tests/decode_regressions.rs`). Headers are short enough to walk here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IP protocol number of TCP.
pub(crate) const IPPROTO_TCP: u8 = 6;

/// IPv6 extension headers walked (RFC 8200 §4): Hop-by-Hop, Routing,
/// Fragment, Destination Options, Authentication (RFC 4302).
const IPV6_HOP_BY_HOP: u8 = 0;
const IPV6_ROUTING: u8 = 43;
const IPV6_FRAGMENT: u8 = 44;
const IPV6_AUTH: u8 = 51;
const IPV6_DEST_OPTS: u8 = 60;
/// At most this many extension headers are walked.
const MAX_EXT_HEADERS: usize = 16;

/// Fragmentation fields of an IP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fragment {
    /// IPv4 Identification or IPv6 fragment-header Identification.
    pub id: u32,
    /// Byte offset of this fragment's payload.
    pub offset: u32,
    /// More Fragments flag.
    pub more: bool,
}

/// A parsed IP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IpPacket<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Upper-layer protocol (after IPv6 extension headers).
    pub protocol: u8,
    /// The upper-layer payload as captured.
    pub payload: &'a [u8],
    /// Bytes the header declares but the capture lacks (snaplen cut).
    pub missing: u32,
    /// Present when the packet is a fragment.
    pub fragment: Option<Fragment>,
}

/// The captured part of a packet whose header says it is `declared` bytes
/// long, and how many bytes the capture lacks.
fn clip(data: &[u8], declared: usize) -> (&[u8], u32) {
    let missing = declared.saturating_sub(data.len());
    let end = declared.min(data.len());
    (
        data.get(..end).unwrap_or(data),
        u32::try_from(missing).unwrap_or(u32::MAX),
    )
}

/// Parse an IPv4 or IPv6 packet (the version nibble decides). `None` if the
/// header itself is unusable. Length fields that are zero or smaller than
/// the header (TSO captures) fall back to the captured length.
pub(crate) fn parse_ip(data: &[u8]) -> Option<IpPacket<'_>> {
    match data.first()? >> 4 {
        4 => parse_ipv4(data),
        6 => parse_ipv6(data),
        _ => None,
    }
}

fn parse_ipv4(data: &[u8]) -> Option<IpPacket<'_>> {
    let h = data.first_chunk::<20>()?;
    let ihl = usize::from(h[0] & 0x0F).checked_mul(4)?;
    if ihl < 20 || data.len() < ihl {
        return None;
    }
    let total = usize::from(u16::from_be_bytes([h[2], h[3]]));
    let declared = if total < ihl { data.len() } else { total };
    let (packet, missing) = clip(data, declared);
    let frag = u16::from_be_bytes([h[6], h[7]]);
    let more = frag & 0x2000 != 0;
    let offset = u32::from(frag & 0x1FFF).checked_mul(8)?;
    Some(IpPacket {
        src: IpAddr::V4(Ipv4Addr::new(h[12], h[13], h[14], h[15])),
        dst: IpAddr::V4(Ipv4Addr::new(h[16], h[17], h[18], h[19])),
        protocol: h[9],
        payload: packet.get(ihl..)?,
        missing,
        fragment: (more || offset != 0).then_some(Fragment {
            id: u32::from(u16::from_be_bytes([h[4], h[5]])),
            offset,
            more,
        }),
    })
}

fn parse_ipv6(data: &[u8]) -> Option<IpPacket<'_>> {
    let h = data.first_chunk::<40>()?;
    let payload_len = usize::from(u16::from_be_bytes([h[4], h[5]]));
    // 0: jumbogram or unset; use what was captured.
    let declared = if payload_len == 0 {
        data.len()
    } else {
        payload_len.saturating_add(40)
    };
    let (packet, missing) = clip(data, declared);
    let src = Ipv6Addr::from(*h.get(8..24)?.first_chunk::<16>()?);
    let dst = Ipv6Addr::from(*h.get(24..40)?.first_chunk::<16>()?);
    let mut next = h[6];
    let mut body = packet.get(40..)?;
    let mut fragment = None;
    for _ in 0..MAX_EXT_HEADERS {
        match next {
            IPV6_HOP_BY_HOP | IPV6_ROUTING | IPV6_DEST_OPTS | IPV6_AUTH => {
                let (Some(&nh), Some(&len)) = (body.first(), body.get(1)) else {
                    break;
                };
                let size = if next == IPV6_AUTH {
                    (usize::from(len).saturating_add(2)).saturating_mul(4)
                } else {
                    (usize::from(len).saturating_add(1)).saturating_mul(8)
                };
                let Some(rest) = body.get(size..) else {
                    break;
                };
                next = nh;
                body = rest;
            }
            IPV6_FRAGMENT => {
                let Some(f) = body.first_chunk::<8>() else {
                    break;
                };
                let field = u16::from_be_bytes([f[2], f[3]]);
                let offset = u32::from(field >> 3).checked_mul(8)?;
                let more = field & 1 != 0;
                if offset != 0 || more {
                    fragment = Some(Fragment {
                        id: u32::from_be_bytes([f[4], f[5], f[6], f[7]]),
                        offset,
                        more,
                    });
                }
                next = f[0];
                body = body.get(8..)?;
                if offset != 0 {
                    // Later headers are not in this fragment.
                    break;
                }
            }
            _ => break,
        }
    }
    Some(IpPacket {
        src: IpAddr::V6(src),
        dst: IpAddr::V6(dst),
        protocol: next,
        payload: body,
        missing,
        fragment,
    })
}

/// Largest reassembled payload (the IPv4/IPv6 length fields are 16-bit).
const MAX_DATAGRAM: u32 = 65_535;

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct FragKey {
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    protocol: u8,
}

#[derive(Debug)]
struct Pending {
    key: FragKey,
    data: Vec<u8>,
    /// Received byte ranges, sorted, non-overlapping, merged.
    have: Vec<(u32, u32)>,
    /// Payload length, known once the last fragment arrived.
    total: Option<u32>,
    last_packet: u64,
}

impl Pending {
    fn received(&self) -> u64 {
        self.have
            .iter()
            .map(|(a, b)| u64::from(b.saturating_sub(*a)))
            .sum()
    }

    /// Copy `payload` at `offset` into the gaps not yet received (first copy wins).
    fn add(&mut self, offset: u32, payload: &[u8]) -> bool {
        let Ok(len) = u32::try_from(payload.len()) else {
            return false;
        };
        let Some(end) = offset.checked_add(len) else {
            return false;
        };
        if end > MAX_DATAGRAM {
            return false;
        }
        let end_usize = usize::try_from(end).unwrap_or(usize::MAX);
        if self.data.len() < end_usize {
            self.data.resize(end_usize, 0);
        }
        // Uncovered pieces of [offset, end).
        let mut cursor = offset;
        let mut pieces: Vec<(u32, u32)> = Vec::new();
        for &(a, b) in &self.have {
            if b <= cursor {
                continue;
            }
            if a >= end {
                break;
            }
            if a > cursor {
                pieces.push((cursor, a));
            }
            cursor = cursor.max(b);
        }
        if cursor < end {
            pieces.push((cursor, end));
        }
        for (a, b) in pieces {
            let src = payload.get(
                usize::try_from(a.saturating_sub(offset)).unwrap_or(0)
                    ..usize::try_from(b.saturating_sub(offset)).unwrap_or(0),
            );
            let dst = self
                .data
                .get_mut(usize::try_from(a).unwrap_or(0)..usize::try_from(b).unwrap_or(0));
            if let (Some(s), Some(d)) = (src, dst) {
                d.copy_from_slice(s);
            }
            self.have.push((a, b));
        }
        self.have.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(self.have.len());
        for &(a, b) in &self.have {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.have = merged;
        true
    }

    fn complete(&self) -> bool {
        match (self.total, self.have.as_slice()) {
            (Some(t), [(0, b)]) => *b >= t,
            (Some(0), []) => true,
            _ => false,
        }
    }
}

/// Outcome of offering a fragment.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DefragResult {
    /// Stored; the datagram is not complete yet.
    Pending,
    /// The datagram is complete: its upper-layer payload.
    Complete(Vec<u8>),
    /// Dropped (bad geometry); the bytes discarded.
    Dropped(u64),
}

/// A small fragment pool, bounded in entries, expiring entries older than
/// `timeout_packets` packets.
#[derive(Debug)]
pub(crate) struct Defragmenter {
    pending: Vec<Pending>,
    max_entries: usize,
    timeout_packets: u64,
}

impl Defragmenter {
    /// A pool of at most `max_entries` datagrams in progress.
    pub(crate) fn new(max_entries: usize, timeout_packets: u64) -> Self {
        Defragmenter {
            pending: Vec::new(),
            max_entries: max_entries.max(1),
            timeout_packets,
        }
    }

    /// Bytes held.
    pub(crate) fn buffered(&self) -> usize {
        self.pending.iter().map(|p| p.data.capacity()).sum()
    }

    /// Drop entries not touched for `timeout_packets`; returns bytes dropped.
    pub(crate) fn expire(&mut self, now: u64) -> u64 {
        let timeout = self.timeout_packets;
        let mut dropped = 0u64;
        self.pending.retain(|p| {
            let keep = now.saturating_sub(p.last_packet) <= timeout;
            if !keep {
                dropped = dropped.saturating_add(p.received());
            }
            keep
        });
        dropped
    }

    /// Offer one fragment of `ip` seen at packet index `now`. The second
    /// value is bytes evicted to make room (or expired), 0 normally.
    pub(crate) fn add(
        &mut self,
        now: u64,
        ip: &IpPacket<'_>,
        frag: Fragment,
    ) -> (DefragResult, u64) {
        let key = FragKey {
            src: ip.src,
            dst: ip.dst,
            id: frag.id,
            protocol: ip.protocol,
        };
        let mut evicted = 0u64;
        let idx = match self.pending.iter().position(|p| p.key == key) {
            Some(i) => i,
            None => {
                evicted = self.expire(now);
                if self.pending.len() >= self.max_entries {
                    // Evict the least recently touched.
                    if let Some((i, _)) = self
                        .pending
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, p)| p.last_packet)
                    {
                        let p = self.pending.swap_remove(i);
                        evicted = evicted.saturating_add(p.received());
                    }
                }
                self.pending.push(Pending {
                    key,
                    data: Vec::new(),
                    have: Vec::new(),
                    total: None,
                    last_packet: now,
                });
                self.pending.len().saturating_sub(1)
            }
        };
        let Some(entry) = self.pending.get_mut(idx) else {
            return (DefragResult::Dropped(0), evicted);
        };
        entry.last_packet = now;
        let ok = entry.add(frag.offset, ip.payload);
        if ok && !frag.more {
            let end = u32::try_from(ip.payload.len())
                .ok()
                .and_then(|l| frag.offset.checked_add(l));
            match (entry.total, end) {
                (None, Some(e)) => entry.total = Some(e),
                (Some(t), Some(e)) if t == e => {}
                _ => {
                    let p = self.pending.swap_remove(idx);
                    return (DefragResult::Dropped(p.received()), evicted);
                }
            }
        }
        if !ok
            || entry
                .total
                .is_some_and(|t| entry.have.last().is_some_and(|l| l.1 > t))
        {
            let p = self.pending.swap_remove(idx);
            let lost = p.received().saturating_add(ip.payload.len() as u64);
            return (DefragResult::Dropped(lost), evicted);
        }
        if entry.complete() {
            let mut p = self.pending.swap_remove(idx);
            let total = usize::try_from(p.total.unwrap_or(0)).unwrap_or(0);
            p.data.truncate(total);
            return (DefragResult::Complete(p.data), evicted);
        }
        (DefragResult::Pending, evicted)
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn frag(payload: &[u8]) -> IpPacket<'_> {
        IpPacket {
            src: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            dst: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
            protocol: IPPROTO_TCP,
            payload,
            missing: 0,
            fragment: None,
        }
    }

    #[test]
    fn reorder_and_overlap_first_wins() {
        let mut d = Defragmenter::new(4, 100);
        let f = |offset, more| Fragment {
            id: 7,
            offset,
            more,
        };
        assert_eq!(
            d.add(1, &frag(&[3; 8]), f(16, false)).0,
            DefragResult::Pending
        );
        assert_eq!(
            d.add(2, &frag(&[1; 8]), f(0, true)).0,
            DefragResult::Pending
        );
        // Overlaps [8,16) new and [0,8) old: old bytes stay.
        let (r, _) = d.add(3, &frag(&[2; 16]), f(0, true));
        let mut want = vec![1u8; 8];
        want.extend([2u8; 8]);
        want.extend([3u8; 8]);
        assert_eq!(r, DefragResult::Complete(want));
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn bounded_entries() {
        let mut d = Defragmenter::new(2, 100);
        for id in 0..10 {
            let f = Fragment {
                id,
                offset: 0,
                more: true,
            };
            d.add(u64::from(id), &frag(&[0; 8]), f);
        }
        assert_eq!(d.pending.len(), 2);
    }
}
