//! Capture input: pcap (both byte orders, µs/ns, the "modified" variant) and
//! pcapng (several sections and interfaces, per-interface link type and
//! timestamp resolution) through pcap-parser's streaming reader.
//!
//! Memory is bounded: one circular buffer of `initial_buffer` bytes, grown
//! (doubling) only for records that do not fit, up to `max_buffer`.

use std::fmt;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{PcapBlockOwned, PcapError};
use serde::Serialize;

use super::event::AnomalyKind;

/// Default reader buffer: holds a 256 KiB-snaplen record plus its header.
pub const DEFAULT_BUFFER: usize = 320 * 1024;
/// Default cap the buffer may grow to for oversized records.
pub const DEFAULT_MAX_BUFFER: usize = 4 * 1024 * 1024;
/// Largest packet a classic pcap record may declare before the file counts
/// as damaged: 262144 bytes, the limit of libpcap and Wireshark
/// (`WTAP_MAX_PACKET_SIZE_STANDARD`), far above any IP packet.
pub const MAX_PACKET_LEN: u64 = 262_144;

/// A capture timestamp: seconds since the Unix epoch and nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub secs: i64,
    /// Nanoseconds, below 1 000 000 000.
    pub nanos: u32,
}

impl Timestamp {
    /// A timestamp from seconds and a fraction in `units_per_sec` units,
    /// normalised (a fraction ≥ one second carries into `secs`).
    pub fn from_fraction(secs: i64, frac: u64, units_per_sec: u64) -> Timestamp {
        let units = units_per_sec.max(1);
        let carry = i64::try_from(frac.checked_div(units).unwrap_or(0)).unwrap_or(i64::MAX);
        let rem = u128::from(frac.checked_rem(units).unwrap_or(0));
        let nanos = rem
            .saturating_mul(1_000_000_000)
            .checked_div(u128::from(units))
            .unwrap_or(0);
        Timestamp {
            secs: secs.saturating_add(carry),
            nanos: u32::try_from(nanos).unwrap_or(0),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.secs, self.nanos)
    }
}

/// A pcap `LINKTYPE_*` value (tcpdump.org link-layer header types).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback: 4-byte address family in host byte order.
    pub const NULL: LinkType = LinkType(0);
    /// IEEE 802.3 Ethernet.
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP on some BSDs (DLT_RAW = 12).
    pub const RAW_BSD12: LinkType = LinkType(12);
    /// Raw IP on OpenBSD (DLT_RAW = 14).
    pub const RAW_BSD14: LinkType = LinkType(14);
    /// Raw IPv4 or IPv6.
    pub const RAW: LinkType = LinkType(101);
    /// OpenBSD loopback: 4-byte address family in network byte order.
    pub const LOOP: LinkType = LinkType(108);
    /// Linux "cooked" capture v1.
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux "cooked" capture v2.
    pub const LINUX_SLL2: LinkType = LinkType(276);
}

impl fmt::Debug for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match *self {
            LinkType::NULL => "NULL",
            LinkType::ETHERNET => "ETHERNET",
            LinkType::RAW_BSD12 | LinkType::RAW_BSD14 | LinkType::RAW => "RAW",
            LinkType::LOOP => "LOOP",
            LinkType::LINUX_SLL => "LINUX_SLL",
            LinkType::IPV4 => "IPV4",
            LinkType::IPV6 => "IPV6",
            LinkType::LINUX_SLL2 => "LINUX_SLL2",
            _ => "LinkType",
        };
        write!(f, "{}({})", name, self.0)
    }
}

/// One captured frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    /// Frame number, from 1, counting every packet record (as tshark does).
    pub frame_number: u64,
    /// Capture time.
    pub timestamp: Timestamp,
    /// Link-layer type of `data`.
    pub link_type: LinkType,
    /// Captured bytes (possibly cut by the snapshot length).
    pub data: &'a [u8],
    /// Length on the wire.
    pub original_len: u32,
}

/// What the capture reader yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureItem<'a> {
    /// A frame.
    Packet(Packet<'a>),
    /// A problem in the capture file itself; `frame` is the last frame number
    /// handed out.
    Anomaly {
        /// Last frame number returned before the problem.
        frame: u64,
        /// What happened.
        kind: AnomalyKind,
    },
}

/// The capture cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// Not a pcap or pcapng file (or empty).
    #[error("input is not a pcap or pcapng capture")]
    NotACapture,
    /// The input ends inside the file header.
    #[error("capture file header is truncated")]
    TruncatedHeader,
    /// Reading the input failed.
    #[error("reading the capture failed: {0}")]
    Io(#[from] io::Error),
}

/// Capture format detected from the file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureFormat {
    /// Classic libpcap format.
    Pcap,
    /// pcapng.
    PcapNg,
}

/// Reader options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderOptions {
    /// Initial buffer size.
    pub initial_buffer: usize,
    /// Largest size the buffer may grow to for one record.
    pub max_buffer: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            initial_buffer: DEFAULT_BUFFER,
            max_buffer: DEFAULT_MAX_BUFFER,
        }
    }
}

/// `Read` adapter that fills the buffer as far as it can (pipes return short
/// reads; pcap-parser's header probe needs one full read). An I/O error is
/// kept for reporting and the input then looks ended (pcap-parser only
/// knows "read error", and it would lose the data already read).
struct FillReader<R> {
    inner: R,
    failed: bool,
    error: Arc<Mutex<Option<io::Error>>>,
}

impl<R: Read> Read for FillReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0usize;
        while filled < buf.len() && !self.failed {
            let Some(space) = buf.get_mut(filled..) else {
                break;
            };
            match self.inner.read(space) {
                Ok(0) => break,
                Ok(n) => filled = filled.saturating_add(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.failed = true;
                    if let Ok(mut slot) = self.error.lock() {
                        *slot = Some(e);
                    }
                }
            }
        }
        Ok(filled)
    }
}

#[derive(Clone, Copy, Debug)]
struct Interface {
    link_type: LinkType,
    units_per_sec: u64,
    offset_secs: i64,
}

/// What one step of the block loop decided, computed while the block borrow
/// is alive and acted upon after it ends.
enum Step {
    Skip(usize),
    Packet {
        consume: usize,
        addr: usize,
        len: usize,
        timestamp: Timestamp,
        link_type: LinkType,
        original_len: u32,
    },
    Anomaly(usize, AnomalyKind),
    Refill,
    Grow,
    End,
    Stop(AnomalyKind),
}

/// Streaming pull reader over a pcap or pcapng capture from any `Read`.
///
/// ```no_run
/// # fn main() -> Result<(), msrap::decode::CaptureError> {
/// use msrap::decode::{CaptureItem, CaptureReader};
/// let mut reader = CaptureReader::new(std::io::stdin())?;
/// while let Some(item) = reader.next_item() {
///     if let CaptureItem::Packet(p) = item {
///         println!("{} {} {}", p.frame_number, p.timestamp, p.data.len());
///     }
/// }
/// # Ok(()) }
/// ```
pub struct CaptureReader<'r> {
    inner: Box<dyn PcapReaderIterator + Send + 'r>,
    format: CaptureFormat,
    pending: usize,
    frame: u64,
    legacy_link: LinkType,
    legacy_nanos: bool,
    /// Byte order of a classic pcap file (from its magic number).
    legacy_big_endian: bool,
    interfaces: Vec<Interface>,
    /// Byte order of the current pcapng section.
    ng_big_endian: bool,
    capacity: usize,
    max_buffer: usize,
    done: bool,
    io_error: Arc<Mutex<Option<io::Error>>>,
}

impl fmt::Debug for CaptureReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaptureReader")
            .field("format", &self.format)
            .field("frame", &self.frame)
            .field("consumed", &self.inner.consumed())
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl<'r> CaptureReader<'r> {
    /// Open a capture with default buffer sizes.
    pub fn new<R: Read + Send + 'r>(reader: R) -> Result<Self, CaptureError> {
        Self::with_options(reader, ReaderOptions::default())
    }

    /// Open a capture with explicit buffer sizes.
    pub fn with_options<R: Read + Send + 'r>(
        reader: R,
        options: ReaderOptions,
    ) -> Result<Self, CaptureError> {
        let io_error = Arc::new(Mutex::new(None));
        let fill = FillReader {
            inner: reader,
            failed: false,
            error: Arc::clone(&io_error),
        };
        let capacity = options.initial_buffer.max(4096);
        let inner = match pcap_parser::create_reader(capacity, fill) {
            Ok(r) => r,
            Err(e) => {
                if let Some(err) = io_error.lock().ok().and_then(|mut s| s.take()) {
                    return Err(CaptureError::Io(err));
                }
                return Err(match e {
                    PcapError::Incomplete(_) | PcapError::UnexpectedEof => {
                        CaptureError::TruncatedHeader
                    }
                    _ => CaptureError::NotACapture,
                });
            }
        };
        // create_reader probes pcapng first; the first block tells us which.
        let format = match inner.data().first_chunk::<4>() {
            Some(&[0x0A, 0x0D, 0x0D, 0x0A]) => CaptureFormat::PcapNg,
            _ => CaptureFormat::Pcap,
        };
        let legacy_big_endian = inner.data().first() == Some(&0xA1);
        Ok(CaptureReader {
            inner,
            format,
            pending: 0,
            frame: 0,
            legacy_link: LinkType::ETHERNET,
            legacy_nanos: false,
            legacy_big_endian,
            interfaces: Vec::new(),
            ng_big_endian: false,
            capacity,
            max_buffer: options.max_buffer.max(capacity),
            done: false,
            io_error,
        })
    }

    /// The detected format.
    pub fn format(&self) -> CaptureFormat {
        self.format
    }

    /// Bytes of the input consumed so far (for a progress bar).
    pub fn bytes_consumed(&self) -> u64 {
        let done = self.inner.consumed().saturating_add(self.pending);
        u64::try_from(done).unwrap_or(u64::MAX)
    }

    /// Frame number of the last packet returned (0 before the first).
    pub fn frame_number(&self) -> u64 {
        self.frame
    }

    /// Current size of the reader buffer.
    pub fn buffer_capacity(&self) -> usize {
        self.capacity
    }

    fn take_io_error(&self) -> Option<String> {
        self.io_error
            .lock()
            .ok()
            .and_then(|mut s| s.take())
            .map(|e| e.to_string())
    }

    /// The next packet or capture anomaly; `None` at the end of the capture
    /// (or after an unrecoverable anomaly, which is returned first).
    pub fn next_item(&mut self) -> Option<CaptureItem<'_>> {
        if self.done {
            return None;
        }
        if self.pending > 0 {
            self.inner.consume(self.pending);
            self.pending = 0;
        }
        loop {
            let offset = u64::try_from(self.inner.consumed()).unwrap_or(u64::MAX);
            if self.format == CaptureFormat::PcapNg
                && !ng_block_length_ok(self.inner.data(), self.ng_big_endian)
            {
                return Some(self.stop(AnomalyKind::CorruptCapture { offset }));
            }
            let step = match self.inner.next() {
                Ok((len, block)) => {
                    if let PcapBlockOwned::NG(Block::SectionHeader(shb)) = &block {
                        self.ng_big_endian = shb.big_endian();
                    }
                    classify(
                        len,
                        block,
                        &mut self.interfaces,
                        &mut self.legacy_link,
                        &mut self.legacy_nanos,
                    )
                }
                Err(PcapError::Eof) => Step::End,
                Err(PcapError::Incomplete(_)) => Step::Refill,
                Err(PcapError::BufferTooSmall) => Step::Grow,
                Err(PcapError::UnexpectedEof) => {
                    Step::Stop(AnomalyKind::TruncatedCapture { offset })
                }
                Err(PcapError::ReadError) => Step::Stop(AnomalyKind::ReadError {
                    offset,
                    message: String::new(),
                }),
                Err(_) => Step::Stop(AnomalyKind::CorruptCapture { offset }),
            };
            match step {
                Step::Skip(len) => self.inner.consume(len),
                Step::Refill => {
                    let before = self.inner.data().len();
                    if self.inner.refill().is_err() {
                        self.done = true;
                        let message = self.take_io_error().unwrap_or_default();
                        return Some(self.stop(AnomalyKind::ReadError { offset, message }));
                    }
                    let stalled =
                        self.inner.data().len() == before && !self.inner.reader_exhausted();
                    if stalled && !self.grow() {
                        return Some(self.too_large(offset));
                    }
                }
                Step::Grow => {
                    if !self.grow() {
                        return Some(self.too_large(offset));
                    }
                }
                Step::End => {
                    self.done = true;
                    if let Some(message) = self.take_io_error() {
                        return Some(CaptureItem::Anomaly {
                            frame: self.frame,
                            kind: AnomalyKind::ReadError { offset, message },
                        });
                    }
                    return None;
                }
                Step::Stop(mut kind) => {
                    // An input that failed looks truncated to pcap-parser.
                    if let Some(message) = self.take_io_error() {
                        kind = AnomalyKind::ReadError { offset, message };
                    } else if let Some(length) = self.implausible_caplen() {
                        // Not cut short: the record header is garbage.
                        kind = AnomalyKind::ImplausibleRecordLength { offset, length };
                    }
                    return Some(self.stop(kind));
                }
                Step::Anomaly(len, kind) => {
                    self.frame = self.frame.saturating_add(1);
                    self.pending = len;
                    return Some(CaptureItem::Anomaly {
                        frame: self.frame,
                        kind,
                    });
                }
                Step::Packet {
                    consume,
                    addr,
                    len,
                    timestamp,
                    link_type,
                    original_len,
                } => {
                    self.frame = self.frame.saturating_add(1);
                    self.pending = consume;
                    let buf = self.inner.data();
                    let start = addr.checked_sub(buf.as_ptr() as usize);
                    let data = start
                        .and_then(|s| Some(s..s.checked_add(len)?))
                        .and_then(|r| buf.get(r))
                        .unwrap_or(&[]);
                    return Some(CaptureItem::Packet(Packet {
                        frame_number: self.frame,
                        timestamp,
                        link_type,
                        data,
                        original_len,
                    }));
                }
            }
        }
    }

    /// A record that does not fit the largest buffer: named by its
    /// declared length when that is implausible for any packet.
    fn too_large(&mut self, offset: u64) -> CaptureItem<'static> {
        let kind = match self.implausible_caplen() {
            Some(length) => AnomalyKind::ImplausibleRecordLength { offset, length },
            None => AnomalyKind::RecordTooLarge {
                offset,
                cap: self.max_buffer,
            },
        };
        self.stop(kind)
    }

    /// The captured length declared by the classic pcap record header at the
    /// reading position, if it exceeds [`MAX_PACKET_LEN`].
    fn implausible_caplen(&self) -> Option<u64> {
        if self.format != CaptureFormat::Pcap {
            return None;
        }
        let field = self.inner.data().get(8..12)?.first_chunk::<4>()?;
        let caplen = if self.legacy_big_endian {
            u32::from_be_bytes(*field)
        } else {
            u32::from_le_bytes(*field)
        };
        (u64::from(caplen) > MAX_PACKET_LEN).then_some(u64::from(caplen))
    }

    fn stop(&mut self, kind: AnomalyKind) -> CaptureItem<'static> {
        self.done = true;
        CaptureItem::Anomaly {
            frame: self.frame,
            kind,
        }
    }

    fn grow(&mut self) -> bool {
        if self.capacity >= self.max_buffer {
            return false;
        }
        let new = self.capacity.saturating_mul(2).min(self.max_buffer);
        self.inner.grow(new);
        self.capacity = new;
        // Read more into the new space.
        self.inner.refill().is_ok()
    }
}

/// pcapng block lengths below 12 (type, length, trailing length) are
/// invalid. pcap-parser 0.17 lets some through to `block_len1 - 12` (the
/// Process Information Block declares a 4-byte minimum), which underflows.
fn ng_block_length_ok(data: &[u8], big_endian: bool) -> bool {
    let Some(head) = data.first_chunk::<8>() else {
        return true;
    };
    if head[..4] == [0x0A, 0x0D, 0x0D, 0x0A] {
        // Section header: its own byte-order mark decides; pcap-parser checks it.
        return true;
    }
    let len_bytes = [head[4], head[5], head[6], head[7]];
    let len = if big_endian {
        u32::from_be_bytes(len_bytes)
    } else {
        u32::from_le_bytes(len_bytes)
    };
    len >= 12
}

/// Units per second of a pcapng `if_tsresol` (default 10^-6 when invalid).
/// pcap-parser 0.17's `build_ts_resolution` rejects every binary (`0x80 | n`)
/// resolution because it compares the unmasked byte with 63, so this is ours.
fn ts_units(tsresol: u8) -> u64 {
    let exp = u32::from(tsresol & 0x7F);
    let units = if tsresol & 0x80 != 0 {
        1u64.checked_shl(exp).filter(|_| exp <= 63)
    } else {
        10u64.checked_pow(exp)
    };
    units.unwrap_or(1_000_000).max(1)
}

fn classify(
    len: usize,
    block: PcapBlockOwned<'_>,
    interfaces: &mut Vec<Interface>,
    legacy_link: &mut LinkType,
    legacy_nanos: &mut bool,
) -> Step {
    match block {
        PcapBlockOwned::LegacyHeader(h) => {
            // Upper bits of the field may carry FCS information.
            *legacy_link = LinkType(u32::from_ne_bytes(h.network.0.to_ne_bytes()) & 0x0FFF_FFFF);
            *legacy_nanos = h.is_nanosecond_precision();
            Step::Skip(len)
        }
        PcapBlockOwned::Legacy(b) => {
            let units = if *legacy_nanos {
                1_000_000_000
            } else {
                1_000_000
            };
            let caplen = usize::try_from(b.caplen).unwrap_or(usize::MAX);
            let data = b.data.get(..caplen).unwrap_or(b.data);
            Step::Packet {
                consume: len,
                addr: data.as_ptr() as usize,
                len: data.len(),
                timestamp: Timestamp::from_fraction(
                    i64::from(b.ts_sec),
                    u64::from(b.ts_usec),
                    units,
                ),
                link_type: *legacy_link,
                original_len: b.origlen,
            }
        }
        PcapBlockOwned::NG(Block::SectionHeader(_)) => {
            interfaces.clear();
            Step::Skip(len)
        }
        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
            interfaces.push(Interface {
                link_type: LinkType(u32::from_ne_bytes(idb.linktype.0.to_ne_bytes())),
                units_per_sec: ts_units(idb.if_tsresol),
                offset_secs: idb.ts_offset(),
            });
            Step::Skip(len)
        }
        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
            let iface = usize::try_from(epb.if_id)
                .ok()
                .and_then(|i| interfaces.get(i));
            let Some(iface) = iface else {
                return Step::Anomaly(
                    len,
                    AnomalyKind::UnknownInterface {
                        interface: epb.if_id,
                    },
                );
            };
            let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
            let units = iface.units_per_sec;
            let secs = i64::try_from(ticks.checked_div(units).unwrap_or(0))
                .unwrap_or(i64::MAX)
                .saturating_add(iface.offset_secs);
            let caplen = usize::try_from(epb.caplen).unwrap_or(usize::MAX);
            let data = epb.data.get(..caplen).unwrap_or(epb.data);
            Step::Packet {
                consume: len,
                addr: data.as_ptr() as usize,
                len: data.len(),
                timestamp: Timestamp::from_fraction(
                    secs,
                    ticks.checked_rem(units).unwrap_or(0),
                    units,
                ),
                link_type: iface.link_type,
                original_len: epb.origlen,
            }
        }
        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
            let Some(iface) = interfaces.first() else {
                return Step::Anomaly(len, AnomalyKind::UnknownInterface { interface: 0 });
            };
            let orig = usize::try_from(spb.origlen).unwrap_or(usize::MAX);
            let data = spb.data.get(..orig).unwrap_or(spb.data);
            Step::Packet {
                consume: len,
                addr: data.as_ptr() as usize,
                len: data.len(),
                timestamp: Timestamp::default(),
                link_type: iface.link_type,
                original_len: spb.origlen,
            }
        }
        PcapBlockOwned::NG(_) => Step::Skip(len),
    }
}
