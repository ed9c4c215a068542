//! The SMB header (MS-CIFS 2.2.3.1) and command codes (2.2.2.1).

use core::fmt;

use nom::bytes::complete::{tag, take};
use nom::number::complete::{le_u16, le_u32, le_u8};
use nom::IResult;

use crate::codes::NtStatus;

use super::status::{wire_status, WireStatus};

/// `Protocol`: the first four bytes of every SMB1 message.
pub const SMB_MAGIC: [u8; 4] = *b"\xFFSMB";
/// Length of the SMB header; every offset in a message counts from its start.
pub const HEADER_LEN: usize = 32;

/// An SMB1 command code (MS-CIFS 2.2.2.1). Open: unknown codes survive.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SmbCommand(pub u8);

impl SmbCommand {
    /// `SMB_COM_CLOSE` (0x04, MS-CIFS 2.2.4.5).
    pub const CLOSE: SmbCommand = SmbCommand(0x04);
    /// `SMB_COM_TRANSACTION` (0x25, MS-CIFS 2.2.4.33): named pipes and RAP.
    pub const TRANSACTION: SmbCommand = SmbCommand(0x25);
    /// `SMB_COM_TRANSACTION_SECONDARY` (0x26, MS-CIFS 2.2.4.34).
    pub const TRANSACTION_SECONDARY: SmbCommand = SmbCommand(0x26);
    /// `SMB_COM_ECHO` (0x2B, MS-CIFS 2.2.4.39).
    pub const ECHO: SmbCommand = SmbCommand(0x2B);
    /// `SMB_COM_READ_ANDX` (0x2E, MS-CIFS 2.2.4.42).
    pub const READ_ANDX: SmbCommand = SmbCommand(0x2E);
    /// `SMB_COM_WRITE_ANDX` (0x2F, MS-CIFS 2.2.4.43).
    pub const WRITE_ANDX: SmbCommand = SmbCommand(0x2F);
    /// `SMB_COM_TRANSACTION2` (0x32, MS-CIFS 2.2.4.46).
    pub const TRANSACTION2: SmbCommand = SmbCommand(0x32);
    /// `SMB_COM_TREE_DISCONNECT` (0x71, MS-CIFS 2.2.4.51).
    pub const TREE_DISCONNECT: SmbCommand = SmbCommand(0x71);
    /// `SMB_COM_NEGOTIATE` (0x72, MS-CIFS 2.2.4.52).
    pub const NEGOTIATE: SmbCommand = SmbCommand(0x72);
    /// `SMB_COM_SESSION_SETUP_ANDX` (0x73, MS-CIFS 2.2.4.53).
    pub const SESSION_SETUP_ANDX: SmbCommand = SmbCommand(0x73);
    /// `SMB_COM_LOGOFF_ANDX` (0x74, MS-CIFS 2.2.4.54).
    pub const LOGOFF_ANDX: SmbCommand = SmbCommand(0x74);
    /// `SMB_COM_TREE_CONNECT_ANDX` (0x75, MS-CIFS 2.2.4.55).
    pub const TREE_CONNECT_ANDX: SmbCommand = SmbCommand(0x75);
    /// `SMB_COM_NT_TRANSACT` (0xA0, MS-CIFS 2.2.4.62).
    pub const NT_TRANSACT: SmbCommand = SmbCommand(0xA0);
    /// `SMB_COM_NT_CREATE_ANDX` (0xA2, MS-CIFS 2.2.4.64).
    pub const NT_CREATE_ANDX: SmbCommand = SmbCommand(0xA2);
    /// `SMB_COM_NO_ANDX_COMMAND`: ends an AndX chain (MS-CIFS 2.2.3.4).
    pub const NO_ANDX_COMMAND: SmbCommand = SmbCommand(0xFF);

    /// Whether MS-CIFS 2.2.2.1 defines this code as a command (current,
    /// deprecated, obsolescent, obsolete or "reserved but not implemented"),
    /// as opposed to an unused or reserved code, SMB_COM_INVALID (0xFE) or
    /// SMB_COM_NO_ANDX_COMMAND (0xFF).
    pub const fn is_defined(self) -> bool {
        matches!(
            self.0,
            0x00..=0x14
                | 0x1A..=0x35
                | 0x70..=0x75
                | 0x7E
                | 0x80..=0x84
                | 0xA0..=0xA2
                | 0xA4..=0xA5
                | 0xC0..=0xC3
                | 0xD8..=0xDA
        )
    }

    /// The spec's name without the `SMB_COM_` prefix, if known.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x04 => "CLOSE",
            0x25 => "TRANSACTION",
            0x26 => "TRANSACTION_SECONDARY",
            0x2B => "ECHO",
            0x2E => "READ_ANDX",
            0x2F => "WRITE_ANDX",
            0x32 => "TRANSACTION2",
            0x71 => "TREE_DISCONNECT",
            0x72 => "NEGOTIATE",
            0x73 => "SESSION_SETUP_ANDX",
            0x74 => "LOGOFF_ANDX",
            0x75 => "TREE_CONNECT_ANDX",
            0xA0 => "NT_TRANSACT",
            0xA2 => "NT_CREATE_ANDX",
            0xFF => "NO_ANDX_COMMAND",
            _ => return None,
        })
    }
}

impl fmt::Debug for SmbCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "SMB_COM_{n}({:#04x})", self.0),
            None => write!(f, "SmbCommand({:#04x})", self.0),
        }
    }
}

impl fmt::Display for SmbCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

bitflags::bitflags! {
    /// Header `Flags` (MS-CIFS 2.2.3.1).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct HeaderFlags: u8 {
        /// `SMB_FLAGS_LOCK_AND_READ_OK`: the server supports LOCK_AND_READ and WRITE_AND_UNLOCK (NEGOTIATE response).
        const LOCK_AND_READ_OK = 0x01;
        /// `SMB_FLAGS_BUF_AVAIL`: obsolete; clients send 0, servers ignore it.
        const BUF_AVAIL = 0x02;
        /// `SMB_FLAGS_CASE_INSENSITIVE`: obsolete; pathnames are case-insensitive.
        const CASE_INSENSITIVE = 0x08;
        /// `SMB_FLAGS_CANONICALIZED_PATHS`: obsolescent; paths are already in canonical form.
        const CANONICALIZED_PATHS = 0x10;
        /// `SMB_FLAGS_OPLOCK`: obsolescent; exclusive OpLock request in OPEN/CREATE/CREATE_NEW.
        const OPLOCK = 0x20;
        /// `SMB_FLAGS_OPBATCH`: obsolescent; batch OpLock request in OPEN/CREATE/CREATE_NEW.
        const OPBATCH = 0x40;
        /// `SMB_FLAGS_REPLY`: the message is a response from the server.
        const REPLY = 0x80;
    }
}

bitflags::bitflags! {
    /// Header `Flags2` (MS-CIFS 2.2.3.1, MS-SMB 2.2.3.1).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct HeaderFlags2: u16 {
        /// `SMB_FLAGS2_LONG_NAMES`: the message may contain long (non-8.3) names.
        const LONG_NAMES = 0x0001;
        /// `SMB_FLAGS2_EAS`: the client is aware of extended attributes.
        const EAS = 0x0002;
        /// `SMB_FLAGS2_SMB_SECURITY_SIGNATURE`: signing requested, or the message is signed.
        const SMB_SECURITY_SIGNATURE = 0x0004;
        /// `SMB_FLAGS2_IS_LONG_NAME`: reserved, not implemented.
        const IS_LONG_NAME = 0x0040;
        /// `SMB_FLAGS2_EXTENDED_SECURITY` (MS-SMB 2.2.3.1): extended security negotiation (SPNEGO).
        const EXTENDED_SECURITY = 0x0800;
        /// `SMB_FLAGS2_DFS`: pathnames are resolved in DFS.
        const DFS = 0x1000;
        /// `SMB_FLAGS2_PAGING_IO` (READ_IF_EXECUTE): read permitted with execute permission only.
        const PAGING_IO = 0x2000;
        /// `SMB_FLAGS2_NT_STATUS`: `Status` is an NTSTATUS, not a DOS class/code pair.
        const NT_STATUS = 0x4000;
        /// `SMB_FLAGS2_UNICODE`: strings are UTF-16LE, not OEM.
        const UNICODE = 0x8000;
    }
}

/// The SMB header (MS-CIFS 2.2.3.1). Fixed-size, so it is owned and `Copy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct SmbHeader {
    /// `Command`: the SMB_COM code (MS-CIFS 2.2.2.1).
    pub command: SmbCommand,
    /// Raw `Status`: NTSTATUS if `Flags2` has NT_STATUS, else
    /// ErrorClass (1), Reserved (1), ErrorCode (2) (MS-CIFS 2.2.1.5).
    pub status: u32,
    /// `Flags`.
    pub flags: HeaderFlags,
    /// `Flags2`.
    pub flags2: HeaderFlags2,
    /// `PIDHigh`: the high 16 bits of the PID.
    pub pid_high: u16,
    /// `SecurityFeatures`: the signature, or zero.
    pub security_features: [u8; 8],
    /// `Reserved`: should be zero.
    pub reserved: u16,
    /// `TID`: the tree identifier (MS-CIFS 2.2.1.6.7).
    pub tid: u16,
    /// `PIDLow`: the low 16 bits of the PID.
    pub pid_low: u16,
    /// `UID`: the user identifier (MS-CIFS 2.2.1.6.8).
    pub uid: u16,
    /// `MID`: the multiplex identifier that pairs a response with its request.
    pub mid: u16,
}

impl SmbHeader {
    /// A request header for `command` with zeroed identifiers.
    pub fn request(command: SmbCommand, flags2: HeaderFlags2) -> SmbHeader {
        SmbHeader {
            command,
            flags: HeaderFlags::CASE_INSENSITIVE | HeaderFlags::CANONICALIZED_PATHS,
            flags2,
            ..SmbHeader::default()
        }
    }

    /// The 32-bit process id: `PIDHigh` << 16 | `PIDLow`.
    pub fn pid(&self) -> u32 {
        u32::from(self.pid_high) << 16 | u32::from(self.pid_low)
    }

    /// Whether `Flags` has SMB_FLAGS_REPLY (a server response).
    pub fn is_reply(&self) -> bool {
        self.flags.contains(HeaderFlags::REPLY)
    }

    /// Whether `Flags2` has SMB_FLAGS2_UNICODE (UTF-16LE strings).
    pub fn is_unicode(&self) -> bool {
        self.flags2.contains(HeaderFlags2::UNICODE)
    }

    /// Whether `Flags2` has SMB_FLAGS2_NT_STATUS (`Status` is an NTSTATUS).
    pub fn uses_nt_status(&self) -> bool {
        self.flags2.contains(HeaderFlags2::NT_STATUS)
    }

    /// `Status` interpreted per `Flags2`.
    pub fn wire_status(&self) -> WireStatus {
        WireStatus::from_raw(self.status, self.uses_nt_status())
    }

    /// Sets `Status` to `status`, as an NTSTATUS or a DOS pair per `Flags2`.
    pub fn set_status(&mut self, status: NtStatus) {
        self.status = wire_status(status, self.uses_nt_status());
    }

    /// Appends the 32 header bytes.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&SMB_MAGIC);
        out.push(self.command.0);
        out.extend_from_slice(&self.status.to_le_bytes());
        out.push(self.flags.bits());
        out.extend_from_slice(&self.flags2.bits().to_le_bytes());
        out.extend_from_slice(&self.pid_high.to_le_bytes());
        out.extend_from_slice(&self.security_features);
        out.extend_from_slice(&self.reserved.to_le_bytes());
        out.extend_from_slice(&self.tid.to_le_bytes());
        out.extend_from_slice(&self.pid_low.to_le_bytes());
        out.extend_from_slice(&self.uid.to_le_bytes());
        out.extend_from_slice(&self.mid.to_le_bytes());
    }
}

/// Parses the 32-byte SMB header, checking `Protocol`.
fn parse_header(input: &[u8]) -> IResult<&[u8], SmbHeader> {
    let (i, _) = tag(&SMB_MAGIC[..])(input)?;
    let (i, command) = le_u8(i)?;
    let (i, status) = le_u32(i)?;
    let (i, flags) = le_u8(i)?;
    let (i, flags2) = le_u16(i)?;
    let (i, pid_high) = le_u16(i)?;
    let (i, sec) = take(8usize)(i)?;
    let (i, reserved) = le_u16(i)?;
    let (i, tid) = le_u16(i)?;
    let (i, pid_low) = le_u16(i)?;
    let (i, uid) = le_u16(i)?;
    let (i, mid) = le_u16(i)?;
    let mut security_features = [0u8; 8];
    security_features.copy_from_slice(sec);
    Ok((
        i,
        SmbHeader {
            command: SmbCommand(command),
            status,
            flags: HeaderFlags::from_bits_retain(flags),
            flags2: HeaderFlags2::from_bits_retain(flags2),
            pid_high,
            security_features,
            reserved,
            tid,
            pid_low,
            uid,
            mid,
        },
    ))
}

/// Parses the 32-byte SMB header: [`ParseError::BadProtocol`](super::ParseError::BadProtocol)
/// if `Protocol` is not `\xFFSMB`, `Truncated` if fewer than 32 bytes.
pub fn read_header(input: &[u8]) -> Result<SmbHeader, super::ParseError> {
    if input.len() >= 4 && input[..4] != SMB_MAGIC {
        return Err(super::ParseError::BadProtocol);
    }
    parse_header(input)
        .map(|(_, h)| h)
        .map_err(|_| super::ParseError::Truncated("SMB header"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let h = SmbHeader {
            command: SmbCommand::TRANSACTION,
            status: 0xC000_000D,
            flags: HeaderFlags::REPLY,
            flags2: HeaderFlags2::UNICODE | HeaderFlags2::NT_STATUS,
            pid_high: 1,
            security_features: [1, 2, 3, 4, 5, 6, 7, 8],
            reserved: 0,
            tid: 0x0802,
            pid_low: 0x74B2,
            uid: 0x0801,
            mid: 0x6D81,
        };
        let mut out = Vec::new();
        h.write(&mut out);
        assert_eq!(out.len(), HEADER_LEN);
        assert_eq!(read_header(&out), Ok(h));
        assert_eq!(h.pid(), 0x0001_74B2);
    }

    #[test]
    fn bad_magic_and_truncation() {
        assert_eq!(
            read_header(b"\xFESMB"),
            Err(super::super::ParseError::BadProtocol)
        );
        assert!(matches!(
            read_header(b"\xFFSMB\x25"),
            Err(super::super::ParseError::Truncated(_))
        ));
    }
}
