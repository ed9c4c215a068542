//! Stream framing: direct TCP (MS-SMB 2.1, MS-CIFS 2.1.1.2) and the NetBIOS
//! session service (RFC 1002 §4.3).
//!
//! Both put a 4-byte header before each SMB message:
//!
//! * direct TCP: `0x00`, then a 24-bit big-endian length;
//! * NetBIOS: Type (0x00 session message, 0x81 session request, 0x82
//!   positive response, 0x83 negative response, 0x85 keep-alive), Flags
//!   (only bit 0 is used, as bit 16 of the length), 16-bit big-endian length.
//!
//! [`FrameDecoder`] takes bytes as they arrive and yields whole frames. It
//! rejects a declared length above [`MAX_FRAME_LEN`] (or the configured
//! limit) as soon as the 4-byte header is in, and a session message whose
//! payload does not start with `\xFFSMB` as soon as 4 payload bytes are in,
//! so it never buffers more than one legal frame plus what the caller fed
//! in one go, and never reserves memory from a declared length.

use bytes::{Buf, Bytes, BytesMut};

use super::header::SMB_MAGIC;
use super::refusal::{SMB2_HEADER_LEN, SMB2_MAGIC};

/// Largest SMB message either framing carries (17 bits; MS-SMB 2.1 says a
/// server SHOULD drop a direct-TCP connection that declares more).
pub const MAX_FRAME_LEN: usize = 0x1FFFF;
/// Largest NetBIOS session request accepted: two 34-byte encoded names
/// (RFC 1002 §4.3.2) with room for scope labels.
pub const MAX_SESSION_REQUEST_LEN: usize = 256;

/// NetBIOS session packet types (RFC 1002 §4.3.1).
pub mod packet_type {
    /// SESSION MESSAGE: carries an SMB message (also the direct-TCP type byte).
    pub const SESSION_MESSAGE: u8 = 0x00;
    /// SESSION REQUEST: called and calling NetBIOS names (§4.3.2).
    pub const SESSION_REQUEST: u8 = 0x81;
    /// POSITIVE SESSION RESPONSE: the session is established.
    pub const POSITIVE_RESPONSE: u8 = 0x82;
    /// NEGATIVE SESSION RESPONSE: refused, with a one-byte error code.
    pub const NEGATIVE_RESPONSE: u8 = 0x83;
    /// RETARGET SESSION RESPONSE: connect to another IP address and port.
    pub const RETARGET_RESPONSE: u8 = 0x84;
    /// SESSION KEEP ALIVE: no payload; ignored.
    pub const KEEP_ALIVE: u8 = 0x85;
}

/// Which stream framing a connection uses.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Framing {
    /// TCP port 445: `0x00` + 24-bit length.
    #[default]
    DirectTcp,
    /// TCP port 139: NetBIOS session service.
    NetBios,
}

/// One decoded frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// An SMB message (starts with `\xFFSMB`).
    Message(Bytes),
    /// NetBIOS session request: called and calling names, still encoded.
    SessionRequest(Bytes),
    /// NetBIOS positive (0x82), negative (0x83) or retarget (0x84) session
    /// response, for the client role: type and payload.
    SessionResponse(u8, Bytes),
}

/// Why a byte stream cannot be framed; the connection must be closed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The declared length is above the decoder's limit.
    #[error("frame length {len} exceeds the limit of {max}")]
    TooLong {
        /// The declared length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A session message's payload does not start with `\xFFSMB`.
    #[error("session message payload does not start with \\xFFSMB")]
    NotSmb,
    /// A whole SMB2/3 message (`\xFESMB`, at least a 64-byte header), for
    /// [`super::refusal`] to answer before the connection is closed.
    #[error("an SMB2/3 message (SMB1 only here)")]
    Smb2(Bytes),
    /// A packet type this framing does not allow here (direct TCP: any
    /// type byte but 0x00).
    #[error("unexpected packet type {0:#04x}")]
    UnexpectedType(u8),
    /// NetBIOS `Flags` has bits other than the length extension (bit 0).
    #[error("reserved NetBIOS flag bits set: {0:#04x}")]
    BadFlags(u8),
}

/// Incremental frame decoder over a `BytesMut` buffer.
#[derive(Debug)]
pub struct FrameDecoder {
    framing: Framing,
    max_len: usize,
    buf: BytesMut,
}

impl FrameDecoder {
    /// A decoder for `framing` with the [`MAX_FRAME_LEN`] limit.
    pub fn new(framing: Framing) -> FrameDecoder {
        FrameDecoder::with_max_len(framing, MAX_FRAME_LEN)
    }

    /// A decoder that rejects frames longer than `max_len` (clamped to [`MAX_FRAME_LEN`]).
    pub fn with_max_len(framing: Framing, max_len: usize) -> FrameDecoder {
        FrameDecoder {
            framing,
            max_len: max_len.min(MAX_FRAME_LEN),
            buf: BytesMut::new(),
        }
    }

    /// The framing this decoder reads.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Appends received bytes. Call [`Self::decode`] until it returns
    /// `Ok(None)` after each call, which keeps the buffer bounded.
    pub fn extend_from_slice(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Bytes held but not yet returned as a frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next whole frame, `Ok(None)` if more bytes are needed. Keep-alives
    /// are consumed silently.
    pub fn decode(&mut self) -> Result<Option<Frame>, FrameError> {
        loop {
            let Some(hdr) = self.buf.get(..4) else {
                return Ok(None);
            };
            let (kind, len) = match self.framing {
                Framing::DirectTcp => {
                    if hdr[0] != packet_type::SESSION_MESSAGE {
                        return Err(FrameError::UnexpectedType(hdr[0]));
                    }
                    (
                        hdr[0],
                        usize::from(hdr[1]) << 16 | usize::from(hdr[2]) << 8 | usize::from(hdr[3]),
                    )
                }
                Framing::NetBios => {
                    if hdr[1] & 0xFE != 0 {
                        return Err(FrameError::BadFlags(hdr[1]));
                    }
                    (
                        hdr[0],
                        usize::from(hdr[1] & 1) << 16
                            | usize::from(hdr[2]) << 8
                            | usize::from(hdr[3]),
                    )
                }
            };
            let max = match kind {
                packet_type::SESSION_MESSAGE => self.max_len,
                packet_type::SESSION_REQUEST
                | packet_type::POSITIVE_RESPONSE
                | packet_type::NEGATIVE_RESPONSE
                | packet_type::RETARGET_RESPONSE
                | packet_type::KEEP_ALIVE => MAX_SESSION_REQUEST_LEN,
                other => return Err(FrameError::UnexpectedType(other)),
            };
            if len > max {
                return Err(FrameError::TooLong { len, max });
            }
            let mut smb2 = false;
            if kind == packet_type::SESSION_MESSAGE {
                // Reject early: four payload bytes are enough to know. An
                // SMB2 message is read whole (it is answered, then closed).
                let seen_end = self.buf.len().min(4 + len.min(4));
                let seen = self.buf.get(4..seen_end).unwrap_or(&[]);
                smb2 = len >= SMB2_HEADER_LEN && seen.iter().zip(SMB2_MAGIC).all(|(a, b)| *a == b);
                if !smb2
                    && ((len < 4 && self.buf.len() >= 4 + len)
                        || seen.iter().zip(SMB_MAGIC).any(|(a, b)| *a != b))
                {
                    return Err(FrameError::NotSmb);
                }
            }
            if self.buf.len() < 4 + len {
                return Ok(None);
            }
            self.buf.advance(4);
            let payload = self.buf.split_to(len).freeze();
            if smb2 {
                return Err(FrameError::Smb2(payload));
            }
            return Ok(Some(match kind {
                packet_type::SESSION_MESSAGE => Frame::Message(payload),
                packet_type::SESSION_REQUEST => Frame::SessionRequest(payload),
                packet_type::KEEP_ALIVE => continue,
                other => Frame::SessionResponse(other, payload),
            }));
        }
    }
}

/// Appends `msg` framed as a session message (identical bytes in both
/// framings below 64 KiB).
pub fn encode_message(framing: Framing, msg: &[u8], out: &mut BytesMut) -> Result<(), FrameError> {
    let len = msg.len();
    if len > MAX_FRAME_LEN {
        return Err(FrameError::TooLong {
            len,
            max: MAX_FRAME_LEN,
        });
    }
    // For len ≤ 0x1FFFF both framings agree: byte 1 is 0 or 1.
    let _ = framing;
    out.extend_from_slice(&[0, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    out.extend_from_slice(msg);
    Ok(())
}

/// A NetBIOS positive session response (RFC 1002 §4.3.3).
pub const POSITIVE_SESSION_RESPONSE: [u8; 4] = [packet_type::POSITIVE_RESPONSE, 0, 0, 0];

/// Encodes a NetBIOS name in first-level encoding (RFC 1001 §14.1): padded
/// to 15 characters with spaces, the suffix as 16th byte, each nibble + 'A',
/// as a length-prefixed label with a terminating zero label (34 bytes).
pub fn encode_netbios_name(name: &str, suffix: u8) -> [u8; 34] {
    let mut raw = [b' '; 16];
    for (d, c) in raw.iter_mut().zip(name.bytes().take(15)) {
        *d = c.to_ascii_uppercase();
    }
    raw[15] = suffix;
    let mut out = [0u8; 34];
    out[0] = 32;
    for (i, b) in raw.iter().enumerate() {
        out[1 + 2 * i] = b'A' + (b >> 4);
        out[2 + 2 * i] = b'A' + (b & 0x0F);
    }
    out
}

/// A NetBIOS session request frame for `called` (suffix 0x20) from `calling` (0x00).
pub fn session_request(called: &str, calling: &str) -> Vec<u8> {
    let mut v = vec![packet_type::SESSION_REQUEST, 0, 0, 68];
    v.extend_from_slice(&encode_netbios_name(called, 0x20));
    v.extend_from_slice(&encode_netbios_name(calling, 0x00));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smb(n: usize) -> Vec<u8> {
        let mut v = SMB_MAGIC.to_vec();
        v.resize(n, 0xAB);
        v
    }

    #[test]
    fn byte_at_a_time() {
        let mut framed = BytesMut::new();
        encode_message(Framing::DirectTcp, &smb(40), &mut framed).unwrap();
        let mut d = FrameDecoder::new(Framing::DirectTcp);
        let mut frames = Vec::new();
        for b in framed.iter() {
            d.extend_from_slice(&[*b]);
            while let Some(f) = d.decode().unwrap() {
                frames.push(f);
            }
        }
        assert_eq!(frames, vec![Frame::Message(Bytes::from(smb(40)))]);
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn rejects_oversize_before_buffering() {
        let mut d = FrameDecoder::new(Framing::DirectTcp);
        d.extend_from_slice(&[0, 0x02, 0, 0]);
        assert_eq!(
            d.decode(),
            Err(FrameError::TooLong {
                len: 0x20000,
                max: MAX_FRAME_LEN
            })
        );
        let mut d = FrameDecoder::new(Framing::DirectTcp);
        d.extend_from_slice(&[0, 0xFF, 0xFF, 0xFF]);
        assert!(matches!(d.decode(), Err(FrameError::TooLong { .. })));
        let mut d = FrameDecoder::new(Framing::NetBios);
        d.extend_from_slice(&[0, 0x02, 0, 0]);
        assert_eq!(d.decode(), Err(FrameError::BadFlags(2)));
    }

    #[test]
    fn rejects_non_smb_early() {
        let mut d = FrameDecoder::new(Framing::DirectTcp);
        d.extend_from_slice(&[0, 0, 0x10, 0, 0xFE, b'X']);
        assert_eq!(d.decode(), Err(FrameError::NotSmb));
        let mut d = FrameDecoder::new(Framing::DirectTcp);
        d.extend_from_slice(&[0, 0, 0x10, 0, 0x00]);
        assert_eq!(d.decode(), Err(FrameError::NotSmb));
        let mut d = FrameDecoder::new(Framing::DirectTcp);
        d.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(d.decode(), Err(FrameError::NotSmb));
        // `\xFESMB` too short for an SMB2 header.
        let mut d = FrameDecoder::new(Framing::DirectTcp);
        d.extend_from_slice(&[0, 0, 0, 63, 0xFE, b'S', b'M', b'B']);
        assert_eq!(d.decode(), Err(FrameError::NotSmb));
    }

    #[test]
    fn an_smb2_message_is_read_whole_then_refused() {
        let mut msg = vec![0xFE, b'S', b'M', b'B'];
        msg.resize(100, 0x22);
        let mut framed = BytesMut::new();
        encode_message(Framing::DirectTcp, &msg, &mut framed).unwrap();
        let mut d = FrameDecoder::new(Framing::DirectTcp);
        for b in framed.iter().take(103) {
            d.extend_from_slice(&[*b]);
            assert_eq!(d.decode(), Ok(None));
        }
        d.extend_from_slice(&framed[103..]);
        assert_eq!(d.decode(), Err(FrameError::Smb2(Bytes::from(msg))));
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn netbios_session_request_keepalive_and_17_bit_length() {
        let mut d = FrameDecoder::new(Framing::NetBios);
        d.extend_from_slice(&session_request("SERVER", "CLIENT"));
        d.extend_from_slice(&[0x85, 0, 0, 0]);
        let big = smb(0x10010);
        d.extend_from_slice(&[0, 1, 0, 0x10]);
        d.extend_from_slice(&big);
        assert!(matches!(d.decode(), Ok(Some(Frame::SessionRequest(p))) if p.len() == 68));
        assert_eq!(d.decode(), Ok(Some(Frame::Message(Bytes::from(big)))));
        assert_eq!(d.decode(), Ok(None));
    }

    #[test]
    fn direct_tcp_rejects_netbios_types() {
        let mut d = FrameDecoder::new(Framing::DirectTcp);
        d.extend_from_slice(&[0x81, 0, 0, 0]);
        assert_eq!(d.decode(), Err(FrameError::UnexpectedType(0x81)));
    }

    #[test]
    fn netbios_name_encoding() {
        // RFC 1001 §14.1 example: "FRED" → "EGFCEFEECACACACACACACACACACACACA"
        let n = encode_netbios_name("FRED", 0x20);
        assert_eq!(&n[1..33], b"EGFCEFEECACACACACACACACACACACACA");
    }
}
