//! SMB_COM_TREE_CONNECT_ANDX (MS-CIFS 2.2.4.55).

use super::header::SmbCommand;
use super::message::{Block, MessageBuilder, Words};
use super::strings::{read_smb_string, write_oem_string, write_smb_string, SmbStr};
use super::ParseError;

/// `Flags`: disconnect the TID in the header first.
pub const TREE_CONNECT_ANDX_DISCONNECT_TID: u16 = 0x0001;

/// `Service` (2.2.4.55.1): named pipe.
pub const SERVICE_IPC: &str = "IPC";
/// `Service`: printer.
pub const SERVICE_PRINTER: &str = "LPT1:";
/// `Service`: disk share.
pub const SERVICE_DISK: &str = "A:";
/// `Service`: any type of device (requests only).
pub const SERVICE_ANY: &str = "?????";

/// A TREE_CONNECT_ANDX request (2.2.4.55.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TreeConnectRequest<'a> {
    /// `Flags`: [`TREE_CONNECT_ANDX_DISCONNECT_TID`] and others.
    pub flags: u16,
    /// `Password`: the share-level password (a single NUL under user-level security).
    pub password: &'a [u8],
    /// `\\server\share`.
    pub path: SmbStr<'a>,
    /// Service, always OEM.
    pub service: SmbStr<'a>,
}

impl TreeConnectRequest<'_> {
    /// The share: the path component after the last backslash.
    pub fn share_name(&self) -> String {
        let path = self.path.to_string_lossy();
        match path.rsplit_once('\\') {
            Some((_, share)) => share.to_owned(),
            None => path,
        }
    }
}

/// Parses a request block (WordCount 4); `msg` is the whole message
/// (Unicode alignment counts from the header start). The strings are read
/// leniently: an unterminated one ends at the block end.
pub fn parse_tree_connect_request<'a>(
    msg: &'a [u8],
    block: &Block<'a>,
    unicode: bool,
) -> Result<TreeConnectRequest<'a>, ParseError> {
    if block.word_count != 4 {
        return Err(ParseError::BadWordCount {
            command: SmbCommand::TREE_CONNECT_ANDX,
            found: block.word_count,
        });
    }
    let mut w = Words::new(block.words);
    w.take(4)?;
    let flags = w.u16()?;
    let password_len = usize::from(w.u16()?);
    let password = block
        .bytes
        .get(..password_len)
        .ok_or(ParseError::OutOfBounds("Password"))?;
    let end = block.end();
    let (path, pos, _) = read_smb_string(msg, block.bytes_offset + password_len, end, unicode);
    let (service, _, _) = read_smb_string(msg, pos, end, false);
    Ok(TreeConnectRequest {
        flags,
        password,
        path,
        service,
    })
}

/// `OptionalSupport` bit: SMB_SUPPORT_SEARCH_BITS (2.2.4.55.2).
pub const SMB_SUPPORT_SEARCH_BITS: u16 = 0x0001;

/// TREE_CONNECT_ANDX response (3 words; 2.2.4.55.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeConnectResponse<'a> {
    /// `OptionalSupport`: [`SMB_SUPPORT_SEARCH_BITS`] and others.
    pub optional_support: u16,
    /// `Service`: the connected share's type (always OEM).
    pub service: &'a str,
    /// `NativeFileSystem`: the share's file system name (empty when not file-backed).
    pub native_file_system: &'a str,
}

impl TreeConnectResponse<'_> {
    /// Appends the response block; NativeFileSystem is UTF-16LE when `unicode`.
    pub fn write(&self, out: &mut MessageBuilder, unicode: bool) {
        let mut w = [0xFF, 0, 0, 0, 0, 0];
        w[4..6].copy_from_slice(&self.optional_support.to_le_bytes());
        out.begin_andx_block(&w);
        write_oem_string(out, self.service);
        write_smb_string(out, self.native_file_system, unicode);
        out.end_block();
    }
}

/// Client role: a TREE_CONNECT_ANDX request block.
pub fn write_tree_connect_request(
    out: &mut MessageBuilder,
    path: &str,
    service: &str,
    unicode: bool,
) {
    // An empty password is sent as a single NUL, as Windows clients do.
    out.begin_andx_block(&[0xFF, 0, 0, 0, 0, 0, 1, 0]);
    out.byte(0);
    write_smb_string(out, path, unicode);
    write_oem_string(out, service);
    out.end_block();
}
