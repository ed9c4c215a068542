//! SMB_COM_NEGOTIATE (MS-CIFS 2.2.4.52; MS-SMB 2.2.4.5.2.2 for the
//! non-extended-security NT LM 0.12 response).

use super::header::SmbHeader;
use super::message::{Block, MessageBuilder, Words};
use super::strings::{write_oem_string, write_unicode_unaligned};
use super::ParseError;

/// `BufferFormat` of a dialect string (2.2.4.52.1): a NUL-terminated string follows.
pub const DIALECT_BUFFER_FORMAT: u8 = 0x02;

/// The dialects this server speaks, best first.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// "NT LM 0.12": 17-word response.
    NtLm012,
    /// "LANMAN2.1" / "DOS LANMAN2.1": 13-word response.
    Lanman21,
    /// "LM1.2X002" / "DOS LM1.2X002" (LAN Manager 2.0): 13-word response.
    Lanman20,
    /// "LANMAN1.0" (LAN Manager 1.0): 13-word response.
    Lanman10,
}

impl Dialect {
    /// Wire strings, best dialect first; comparison is exact, as in Samba's
    /// `supported_protocols` table.
    pub const STRINGS: &'static [(&'static str, Dialect)] = &[
        ("NT LM 0.12", Dialect::NtLm012),
        ("LANMAN2.1", Dialect::Lanman21),
        ("DOS LANMAN2.1", Dialect::Lanman21),
        ("LM1.2X002", Dialect::Lanman20),
        ("DOS LM1.2X002", Dialect::Lanman20),
        ("LANMAN1.0", Dialect::Lanman10),
    ];

    /// Whether this is NT LM 0.12 (17-word response, NTSTATUS, Unicode).
    pub fn is_nt(self) -> bool {
        self == Dialect::NtLm012
    }
}

/// NEGOTIATE request: the dialect strings (2.2.4.52.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegotiateRequest<'a> {
    /// Dialect names without BufferFormat or NUL, in client order.
    pub dialects: Vec<&'a [u8]>,
}

/// Parses the dialect list. Robust to junk: stops at the first entry whose
/// BufferFormat is not 0x02 or whose name is unterminated; what was read
/// before stays valid (Responder #48 crashed on short lists).
pub fn parse_negotiate_request<'a>(block: &Block<'a>) -> Result<NegotiateRequest<'a>, ParseError> {
    if block.word_count != 0 {
        return Err(ParseError::BadWordCount {
            command: super::SmbCommand::NEGOTIATE,
            found: block.word_count,
        });
    }
    let mut dialects = Vec::new();
    let mut rest = block.bytes;
    while let Some((&fmt, after)) = rest.split_first() {
        if fmt != DIALECT_BUFFER_FORMAT {
            break;
        }
        let Some(nul) = after.iter().position(|&b| b == 0) else {
            break;
        };
        dialects.push(&after[..nul]);
        rest = &after[nul + 1..];
    }
    Ok(NegotiateRequest { dialects })
}

/// Picks our best dialect among those offered. Returns its index in the
/// client's list (the first occurrence) and the dialect.
pub fn choose_dialect(req: &NegotiateRequest<'_>) -> Option<(u16, Dialect)> {
    Dialect::STRINGS.iter().find_map(|(name, d)| {
        let idx = req.dialects.iter().position(|s| *s == name.as_bytes())?;
        Some((u16::try_from(idx).ok()?, *d))
    })
}

/// SecurityMode bits (2.2.4.52.2).
pub mod security_mode {
    /// User-level security (not share-level).
    pub const USER_SECURITY: u8 = 0x01;
    /// Challenge/response passwords; without it a client sends plaintext.
    pub const ENCRYPT_PASSWORDS: u8 = 0x02;
    /// The server supports SMB signing on this connection.
    pub const SECURITY_SIGNATURES_ENABLED: u8 = 0x04;
    /// The server requires SMB signing.
    pub const SECURITY_SIGNATURES_REQUIRED: u8 = 0x08;
}

/// Capabilities bits (2.2.4.52.2).
pub mod capabilities {
    /// `CAP_RAW_MODE`: READ_RAW and WRITE_RAW.
    pub const RAW_MODE: u32 = 0x0000_0001;
    /// `CAP_MPX_MODE`: READ_MPX and WRITE_MPX (connectionless transports only).
    pub const MPX_MODE: u32 = 0x0000_0002;
    /// `CAP_UNICODE`: UTF-16LE strings.
    pub const UNICODE: u32 = 0x0000_0004;
    /// `CAP_LARGE_FILES`: 64-bit file offsets.
    pub const LARGE_FILES: u32 = 0x0000_0008;
    /// `CAP_NT_SMBS`: the NT LAN Manager commands.
    pub const NT_SMBS: u32 = 0x0000_0010;
    /// `CAP_RPC_REMOTE_APIS`: MS-RPC for remote APIs (instead of RAP).
    pub const RPC_REMOTE_APIS: u32 = 0x0000_0020;
    /// `CAP_STATUS32` (CAP_NT_STATUS): 32-bit NTSTATUS in `Status`.
    pub const STATUS32: u32 = 0x0000_0040;
    /// `CAP_LEVEL_II_OPLOCKS`: level II OpLocks.
    pub const LEVEL_II_OPLOCKS: u32 = 0x0000_0080;
    /// `CAP_EXTENDED_SECURITY` (MS-SMB 2.2.4.5.2): SPNEGO session setup.
    pub const EXTENDED_SECURITY: u32 = 0x8000_0000;
}

/// NT LM 0.12 response without extended security (17 words; 2.2.4.52.2,
/// MS-SMB 2.2.4.5.2.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NtNegotiateResponse {
    /// `DialectIndex`: the chosen entry of the request's list (0xFFFF: none).
    pub dialect_index: u16,
    /// `SecurityMode`: [`security_mode`] bits.
    pub security_mode: u8,
    /// `MaxMpxCount`: the most requests the server keeps pending per client.
    pub max_mpx_count: u16,
    /// `MaxNumberVcs`: the most virtual circuits in one session.
    pub max_number_vcs: u16,
    /// `MaxBufferSize`: the largest message the server can receive.
    pub max_buffer_size: u32,
    /// `MaxRawSize`: the largest WRITE_RAW / READ_RAW message.
    pub max_raw_size: u32,
    /// `SessionKey`: a per-connection token the client echoes in SESSION_SETUP.
    pub session_key: u32,
    /// `Capabilities`: [`capabilities`] bits.
    pub capabilities: u32,
    /// `SystemTime`, a FILETIME: 100 ns intervals since 1601-01-01 UTC.
    pub system_time: u64,
    /// `ServerTimeZone`: minutes from UTC.
    pub server_time_zone: i16,
    /// `Challenge`: the 8-byte challenge, or empty (ChallengeLength 0).
    pub challenge: Vec<u8>,
    /// `DomainName`: the server's domain or workgroup.
    pub domain_name: String,
    /// `ServerName` (MS-SMB 2.2.4.5.2.2): the server's NetBIOS name.
    pub server_name: String,
}

impl NtNegotiateResponse {
    /// Appends the block. The strings are Unicode when `unicode` (no
    /// alignment pad: they follow the challenge directly, as Windows and
    /// Samba send them).
    pub fn write(&self, out: &mut MessageBuilder, unicode: bool) {
        let mut w = Vec::with_capacity(34);
        w.extend_from_slice(&self.dialect_index.to_le_bytes());
        w.push(self.security_mode);
        w.extend_from_slice(&self.max_mpx_count.to_le_bytes());
        w.extend_from_slice(&self.max_number_vcs.to_le_bytes());
        w.extend_from_slice(&self.max_buffer_size.to_le_bytes());
        w.extend_from_slice(&self.max_raw_size.to_le_bytes());
        w.extend_from_slice(&self.session_key.to_le_bytes());
        w.extend_from_slice(&self.capabilities.to_le_bytes());
        w.extend_from_slice(&self.system_time.to_le_bytes());
        w.extend_from_slice(&self.server_time_zone.to_le_bytes());
        w.push(u8::try_from(self.challenge.len()).unwrap_or(0));
        out.begin_block(&w);
        out.bytes(self.challenge.get(..usize::from(w[33])).unwrap_or(&[]));
        if unicode {
            write_unicode_unaligned(out, &self.domain_name);
            write_unicode_unaligned(out, &self.server_name);
        } else {
            write_oem_string(out, &self.domain_name);
            write_oem_string(out, &self.server_name);
        }
        out.end_block();
    }

    /// Parses the fixed words and the challenge (strings are not needed by
    /// the client role and are ignored).
    pub fn parse(block: &Block<'_>) -> Result<NtNegotiateResponse, ParseError> {
        if block.word_count != 17 {
            return Err(ParseError::BadWordCount {
                command: super::SmbCommand::NEGOTIATE,
                found: block.word_count,
            });
        }
        let mut w = Words::new(block.words);
        let dialect_index = w.u16()?;
        let security_mode = w.u8()?;
        let max_mpx_count = w.u16()?;
        let max_number_vcs = w.u16()?;
        let max_buffer_size = w.u32()?;
        let max_raw_size = w.u32()?;
        let session_key = w.u32()?;
        let capabilities = w.u32()?;
        let lo = w.u32()?;
        let hi = w.u32()?;
        let server_time_zone = w.u16()? as i16;
        let challenge_len = usize::from(w.u8()?);
        let challenge = block
            .bytes
            .get(..challenge_len)
            .ok_or(ParseError::OutOfBounds("Challenge"))?
            .to_vec();
        Ok(NtNegotiateResponse {
            dialect_index,
            security_mode,
            max_mpx_count,
            max_number_vcs,
            max_buffer_size,
            max_raw_size,
            session_key,
            capabilities,
            system_time: u64::from(hi) << 32 | u64::from(lo),
            server_time_zone,
            challenge,
            domain_name: String::new(),
            server_name: String::new(),
        })
    }
}

/// LAN Manager 1.0–2.1 response (13 words; 2.2.4.52.2 defers to
/// [XOPEN-SMB] and [SMB-LM21] for its layout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanmanNegotiateResponse {
    /// `DialectIndex`: the chosen entry of the request's list.
    pub dialect_index: u16,
    /// `SecurityMode`: [`security_mode`] bits, in a 16-bit field.
    pub security_mode: u16,
    /// `MaxBufferSize`: the largest message the server can receive.
    pub max_buffer_size: u16,
    /// `MaxMpxCount`: the most requests the server keeps pending per client.
    pub max_mpx_count: u16,
    /// `MaxNumberVcs`: the most virtual circuits in one session.
    pub max_number_vcs: u16,
    /// `RawMode`: bit 0 READ_RAW, bit 1 WRITE_RAW supported.
    pub raw_mode: u16,
    /// `SessionKey`: a per-connection token the client echoes in SESSION_SETUP.
    pub session_key: u32,
    /// `ServerTime`: SMB_TIME (MS-CIFS 2.2.1.4.2).
    pub server_time: u16,
    /// `ServerDate`: SMB_DATE (MS-CIFS 2.2.1.4.1).
    pub server_date: u16,
    /// `ServerTimeZone`: minutes from UTC.
    pub server_time_zone: i16,
    /// `Challenge` (EncryptionKey): the challenge, or empty.
    pub challenge: Vec<u8>,
    /// `DomainName`: the server's domain or workgroup (OEM).
    pub domain_name: String,
}

impl LanmanNegotiateResponse {
    /// Appends the 13-word response block.
    pub fn write(&self, out: &mut MessageBuilder) {
        let mut w = Vec::with_capacity(26);
        for v in [
            self.dialect_index,
            self.security_mode,
            self.max_buffer_size,
            self.max_mpx_count,
            self.max_number_vcs,
            self.raw_mode,
        ] {
            w.extend_from_slice(&v.to_le_bytes());
        }
        w.extend_from_slice(&self.session_key.to_le_bytes());
        w.extend_from_slice(&self.server_time.to_le_bytes());
        w.extend_from_slice(&self.server_date.to_le_bytes());
        w.extend_from_slice(&self.server_time_zone.to_le_bytes());
        let clen = u16::try_from(self.challenge.len()).unwrap_or(0);
        w.extend_from_slice(&clen.to_le_bytes());
        w.extend_from_slice(&0u16.to_le_bytes());
        out.begin_block(&w);
        out.bytes(self.challenge.get(..usize::from(clen)).unwrap_or(&[]));
        write_oem_string(out, &self.domain_name);
        out.end_block();
    }
}

/// Core-protocol response: one word, the DialectIndex (0xFFFF: none acceptable).
pub fn write_core_response(out: &mut MessageBuilder, dialect_index: u16) {
    out.begin_block(&dialect_index.to_le_bytes());
    out.end_block();
}

/// A NEGOTIATE request message offering `dialects`.
pub fn negotiate_request(header: &SmbHeader, dialects: &[&str]) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    b.begin_block(&[]);
    for d in dialects {
        b.byte(DIALECT_BUFFER_FORMAT);
        b.bytes(d.as_bytes());
        b.byte(0);
    }
    b.end_block();
    b.finish()
}

/// FILETIME → SMB_DATE/SMB_TIME (UTC), for the LAN Manager response.
pub(crate) fn filetime_to_dos(filetime: u64) -> (u16, u16) {
    const EPOCH_DIFF: u64 = 11_644_473_600; // seconds 1601 → 1970
    let secs = (filetime / 10_000_000).saturating_sub(EPOCH_DIFF);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let year = y.saturating_sub(1980).min(127) as u16;
    let date = year << 9 | (m as u16) << 5 | d as u16;
    let time =
        ((rem / 3600) as u16) << 11 | (((rem % 3600) / 60) as u16) << 5 | ((rem % 60) / 2) as u16;
    (time, date)
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smb1::{parse_block, HeaderFlags2, SmbCommand};

    #[test]
    fn junk_tolerant_dialects() {
        let h = SmbHeader::request(SmbCommand::NEGOTIATE, HeaderFlags2::empty());
        let mut m = negotiate_request(&h, &["PC NETWORK PROGRAM 1.0", "LANMAN2.1", "NT LM 0.12"]);
        // junk after the list: a wrong BufferFormat, then an unterminated name
        m.extend_from_slice(&[0x07, b'x', 0x02, b'y']);
        let bc = u16::from_le_bytes([m[33], m[34]]) + 4;
        m[33..35].copy_from_slice(&bc.to_le_bytes());
        let b = parse_block(&m, 32).unwrap();
        let req = parse_negotiate_request(&b).unwrap();
        assert_eq!(req.dialects.len(), 3);
        assert_eq!(choose_dialect(&req), Some((2, Dialect::NtLm012)));
        let only_core = NegotiateRequest {
            dialects: vec![b"PC NETWORK PROGRAM 1.0"],
        };
        assert_eq!(choose_dialect(&only_core), None);
    }

    #[test]
    fn dos_time() {
        // 2024-01-15 12:34:56 UTC = 1705322096 s since 1970
        let ft = (1_705_322_096u64 + 11_644_473_600) * 10_000_000;
        let (t, d) = filetime_to_dos(ft);
        assert_eq!(d, (44 << 9) | (1 << 5) | 15);
        assert_eq!(t, (12 << 11) | (34 << 5) | 28);
    }
}
