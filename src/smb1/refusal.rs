//! Clients this SMB1-only server cannot serve: SMB2/3 clients, and SMB1
//! clients that offer no dialect we speak.
//!
//! They are answered the way a server that shares no dialect with them
//! answers, so that the client reports a failed protocol negotiation instead
//! of a dropped connection, and the connection is then closed with a typed
//! [`Refusal`] that the tokio edge logs with the client's address and what to
//! change (SPEC_NOTES.md §2b):
//!
//! * an SMB2 NEGOTIATE (`\xFESMB`, command 0) gets an SMB2 error response
//!   with STATUS_NOT_SUPPORTED ([MS-SMB2] 2.2.2), byte for byte what Samba
//!   4.17 sends when none of the client's SMB2 dialects is enabled;
//!   smbclient then prints `protocol negotiation failed: NT_STATUS_NOT_SUPPORTED`;
//! * any other SMB2 message is not answered (there is no SMB2 session it
//!   could belong to);
//! * an SMB1 NEGOTIATE offering only dialects we do not speak (for example
//!   only `SMB 2.002` and `SMB 2.???`) gets DialectIndex 0xFFFF (MS-CIFS
//!   2.2.4.52.2; written by [`super::server`]), after which the connection
//!   is closed, as Samba does ("no protocol supported").

use core::fmt;

use bytes::{Bytes, BytesMut};

use super::header::{HeaderFlags, SmbCommand, SMB_MAGIC};
use super::message::parse_block;
use super::nbss::{encode_message, FrameError, Framing};
use super::negotiate::{choose_dialect, parse_negotiate_request};
use super::server::ConnectionError;
use super::HEADER_LEN;
use crate::codes::NtStatus;

/// The protocol id of an SMB2/3 message.
pub const SMB2_MAGIC: [u8; 4] = [0xFE, b'S', b'M', b'B'];
/// Length of the SMB2 header ([MS-SMB2] 2.2.1).
pub const SMB2_HEADER_LEN: usize = 64;
/// SMB2 NEGOTIATE command code.
pub const SMB2_NEGOTIATE: u16 = 0x0000;
/// SMB2_FLAGS_SERVER_TO_REDIR: the message is a response.
const SMB2_FLAGS_SERVER_TO_REDIR: u32 = 0x0000_0001;
/// Dialects kept from one NEGOTIATE for the report.
const MAX_DIALECTS: usize = 16;

/// Why a client was refused (the connection is closed after the answer).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// An SMB2 NEGOTIATE; answered with STATUS_NOT_SUPPORTED.
    Smb2Negotiate {
        /// The dialect revisions offered (0x0202, 0x0210, 0x0300, 0x0302,
        /// 0x0311, 0x02FF for `2.???`), at most 16.
        dialects: Vec<u16>,
    },
    /// Another SMB2 message; not answered.
    Smb2Message {
        /// Its SMB2 command code.
        command: u16,
    },
    /// An SMB1 NEGOTIATE offering no dialect we speak; answered with
    /// DialectIndex 0xFFFF.
    NoCommonDialect {
        /// The dialect strings offered (lossily decoded), at most 16.
        dialects: Vec<String>,
    },
}

impl Refusal {
    /// What the client's operator can do about it.
    pub fn advice(&self) -> &'static str {
        "this server speaks SMB1 (NT LM 0.12) only: set `client min protocol = NT1` \
         in the client's smb.conf (smbclient, Samba) or enable SMB1 on the client"
    }
}

/// SMB2 dialect revision as [MS-SMB2] 2.2.3 names it.
fn dialect_name(d: u16) -> String {
    match d {
        0x0202 => "2.0.2".into(),
        0x0210 => "2.1".into(),
        0x02FF => "2.???".into(),
        0x0300 => "3.0".into(),
        0x0302 => "3.0.2".into(),
        0x0311 => "3.1.1".into(),
        other => format!("{other:#06x}"),
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Smb2Negotiate { dialects } => {
                let names: Vec<String> = dialects.iter().map(|d| dialect_name(*d)).collect();
                write!(
                    f,
                    "SMB2/3 client (NEGOTIATE offering SMB {}) refused with STATUS_NOT_SUPPORTED",
                    names.join(", ")
                )
            }
            Refusal::Smb2Message { command } => write!(
                f,
                "SMB2 message (command {command:#06x}) without an SMB2 negotiation, not answered"
            ),
            Refusal::NoCommonDialect { dialects } => write!(
                f,
                "SMB1 NEGOTIATE offering no dialect this server speaks ({}) refused with DialectIndex 0xFFFF",
                dialects
                    .iter()
                    .map(|d| format!("{d:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The dialects of an SMB2 NEGOTIATE request ([MS-SMB2] 2.2.3): DialectCount
/// at body offset 2, the dialects at body offset 36; at most 16, never past
/// the message.
pub(crate) fn smb2_negotiate_dialects(msg: &[u8]) -> Vec<u16> {
    let body = SMB2_HEADER_LEN;
    let count = u16_at(msg, body + 2).map_or(0, usize::from);
    (0..count.min(MAX_DIALECTS))
        .map_while(|i| u16_at(msg, body + 36 + 2 * i))
        .collect()
}

/// An SMB2 error response ([MS-SMB2] 2.2.2) with STATUS_NOT_SUPPORTED to the
/// SMB2 NEGOTIATE request `req`: CreditCharge, MessageId, the reserved
/// (ProcessId) field, TreeId and SessionId echoed, one credit granted,
/// SERVER_TO_REDIR set, no signature; the body is StructureSize 9,
/// ErrorContextCount 0, ByteCount 0 and one ErrorData byte. `None` if `req`
/// is not an SMB2 NEGOTIATE request.
pub(crate) fn smb2_negotiate_not_supported(req: &[u8]) -> Option<Vec<u8>> {
    let h = req.get(..SMB2_HEADER_LEN)?;
    let flags = u32_at(h, 16)?;
    if h.get(..4)? != SMB2_MAGIC
        || u16_at(h, 12)? != SMB2_NEGOTIATE
        || flags & SMB2_FLAGS_SERVER_TO_REDIR != 0
    {
        return None;
    }
    let mut out = Vec::with_capacity(SMB2_HEADER_LEN + 9);
    out.extend_from_slice(&SMB2_MAGIC);
    out.extend_from_slice(&64u16.to_le_bytes()); // StructureSize
    out.extend_from_slice(h.get(6..8)?); // CreditCharge
    out.extend_from_slice(&NtStatus::STATUS_NOT_SUPPORTED.0.to_le_bytes());
    out.extend_from_slice(&SMB2_NEGOTIATE.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // CreditResponse
    out.extend_from_slice(&SMB2_FLAGS_SERVER_TO_REDIR.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // NextCommand
    out.extend_from_slice(h.get(24..48)?); // MessageId, Reserved, TreeId, SessionId
    out.extend_from_slice(&[0; 16]); // Signature
    out.extend_from_slice(&9u16.to_le_bytes()); // StructureSize
    out.extend_from_slice(&[0, 0]); // ErrorContextCount, Reserved
    out.extend_from_slice(&0u32.to_le_bytes()); // ByteCount
    out.push(0); // ErrorData
    Some(out)
}

/// How to answer an SMB2 message and what to report.
pub(crate) fn refuse_smb2(msg: &[u8]) -> (Option<Vec<u8>>, Refusal) {
    match smb2_negotiate_not_supported(msg) {
        Some(reply) => (
            Some(reply),
            Refusal::Smb2Negotiate {
                dialects: smb2_negotiate_dialects(msg),
            },
        ),
        None => (
            None,
            Refusal::Smb2Message {
                command: u16_at(msg, 12).unwrap_or(0),
            },
        ),
    }
}

/// For [`super::ServerConnection::receive`]: a framing error that is an
/// SMB2 message becomes [`ConnectionError::Refused`], its answer appended
/// to `out`; any other stays [`ConnectionError::Frame`].
pub(crate) fn on_frame_error(
    e: FrameError,
    framing: Framing,
    out: &mut BytesMut,
) -> ConnectionError {
    let FrameError::Smb2(msg) = e else {
        return ConnectionError::Frame(e);
    };
    let (reply, refusal) = refuse_smb2(&msg);
    if let Some(r) = reply {
        if let Err(e) = encode_message(framing, &r, out) {
            return ConnectionError::Frame(e);
        }
    }
    ConnectionError::Refused(refusal)
}

/// For [`super::ServerConnection::receive`], after an SMB1 message was
/// handled: a NEGOTIATE request that left the connection un-negotiated
/// because it offered no dialect we speak (it was answered with
/// DialectIndex 0xFFFF).
pub(crate) fn no_common_dialect(msg: &Bytes, negotiated: bool) -> Option<Refusal> {
    if negotiated
        || msg.get(..4)? != SMB_MAGIC
        || *msg.get(4)? != SmbCommand::NEGOTIATE.0
        || msg.get(9)? & HeaderFlags::REPLY.bits() != 0
    {
        return None;
    }
    let block = parse_block(msg, HEADER_LEN).ok()?;
    let req = parse_negotiate_request(&block).ok()?;
    if choose_dialect(&req).is_some() {
        return None;
    }
    Some(Refusal::NoCommonDialect {
        dialects: req
            .dialects
            .iter()
            .take(MAX_DIALECTS)
            .map(|d| String::from_utf8_lossy(d).into_owned())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    /// smbclient 4.17 (`client max protocol = SMB2_10`): SMB2 NEGOTIATE
    /// with dialects 2.0.2 and 2.1, MessageId 0.
    const SMBCLIENT_SMB2_10: &str = "fe534d42 4000 0000 00000000 0000 1f00 00000000 00000000
        0000000000000000 00000000 00000000 0000000000000000 00000000000000000000000000000000
        2400 0200 0100 0000 00000000 93fa03367ea8e74bba5241cc7b853d04 0000000000000000 0202 1002";
    /// Samba 4.17.12 (`server min protocol = SMB3_11`) answering it, as
    /// captured on loopback: STATUS_NOT_SUPPORTED, one credit.
    const SAMBA_NOT_SUPPORTED: &str = "fe534d42 4000 0000 bb0000c0 0000 0100 01000000 00000000
        0000000000000000 00000000 00000000 0000000000000000 00000000000000000000000000000000
        0900 00 00 00000000 00";
    /// smbclient 4.17 with its default protocols (SMB2_02 to SMB3_11):
    /// five dialects and negotiate contexts.
    const SMBCLIENT_DEFAULT: &str = "fe534d42400000000000000000001f0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000024000500010000007f0000005c75231b33bc704098464d414da65f0570000000040000000202100200030203110300000100260000000000010020000100a91920e8f1707db5c90679650621da340a8e2ed2e8bcc3307afdac382dacd04e000002000a0000000000040002000100040003000000000000000800080000000000030002000100000005001200000000003100320037002e0030002e0030002e003100";

    #[test]
    fn smb2_negotiate_is_answered_as_samba_answers_when_no_dialect_is_shared() {
        let req = unhex(SMBCLIENT_SMB2_10);
        assert_eq!(
            smb2_negotiate_not_supported(&req),
            Some(unhex(SAMBA_NOT_SUPPORTED))
        );
        assert_eq!(smb2_negotiate_dialects(&req), vec![0x0202, 0x0210]);
    }

    #[test]
    fn the_reply_echoes_the_request_identifiers() {
        let mut req = unhex(SMBCLIENT_DEFAULT);
        req[6] = 1; // CreditCharge
        req[24..32].copy_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes()); // MessageId
        req[32..36].copy_from_slice(&0xFEFFu32.to_le_bytes()); // Reserved (ProcessId)
        let reply = smb2_negotiate_not_supported(&req).unwrap();
        let mut want = unhex(SAMBA_NOT_SUPPORTED);
        want[6] = 1;
        want[24..32].copy_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
        want[32..36].copy_from_slice(&0xFEFFu32.to_le_bytes());
        assert_eq!(reply, want);
        let (r, refusal) = refuse_smb2(&req);
        assert_eq!(r, Some(want));
        assert_eq!(
            refusal,
            Refusal::Smb2Negotiate {
                dialects: vec![0x0202, 0x0210, 0x0300, 0x0302, 0x0311]
            }
        );
        assert_eq!(
            refusal.to_string(),
            "SMB2/3 client (NEGOTIATE offering SMB 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1) refused with STATUS_NOT_SUPPORTED"
        );
    }

    #[test]
    fn other_smb2_messages_and_responses_are_not_answered() {
        let mut req = unhex(SMBCLIENT_SMB2_10);
        req[12] = 0x01; // SESSION_SETUP
        assert_eq!(
            refuse_smb2(&req),
            (None, Refusal::Smb2Message { command: 1 })
        );
        let resp = unhex(SAMBA_NOT_SUPPORTED);
        assert_eq!(smb2_negotiate_not_supported(&resp), None);
        // Cut inside the header or the dialect list: no over-read.
        let req = unhex(SMBCLIENT_SMB2_10);
        assert_eq!(smb2_negotiate_not_supported(&req[..63]), None);
        assert_eq!(smb2_negotiate_dialects(&req[..101]), Vec::<u16>::new());
        assert_eq!(smb2_negotiate_dialects(&req[..102]), vec![0x0202]);
    }

    #[test]
    fn smb1_negotiate_with_no_dialect_we_speak() {
        use crate::smb1::client::negotiate_request;
        use crate::smb1::{HeaderFlags2, SmbHeader};
        let h = SmbHeader::request(SmbCommand::NEGOTIATE, HeaderFlags2::empty());
        let only_smb2 = Bytes::from(negotiate_request(&h, &["SMB 2.002", "SMB 2.???"]));
        assert_eq!(
            no_common_dialect(&only_smb2, false),
            Some(Refusal::NoCommonDialect {
                dialects: vec!["SMB 2.002".into(), "SMB 2.???".into()]
            })
        );
        assert_eq!(no_common_dialect(&only_smb2, true), None);
        let with_nt = Bytes::from(negotiate_request(&h, &["NT LM 0.12", "SMB 2.002"]));
        assert_eq!(no_common_dialect(&with_nt, false), None);
        assert_eq!(
            Refusal::NoCommonDialect {
                dialects: vec!["SMB 2.002".into()]
            }
            .to_string(),
            "SMB1 NEGOTIATE offering no dialect this server speaks (\"SMB 2.002\") refused with DialectIndex 0xFFFF"
        );
    }
}
