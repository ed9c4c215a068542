//! SMB_COM_SESSION_SETUP_ANDX (MS-CIFS 2.2.4.53): the NT LM 0.12 13-word
//! form and the LAN Manager 10-word form; non-extended-security response.

use super::header::SmbCommand;
use super::message::{Block, MessageBuilder, Words};
use super::strings::{read_smb_string, write_smb_string, SmbStr};
use super::ParseError;

/// A SESSION_SETUP_ANDX request, either form.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SessionSetupRequest<'a> {
    /// `MaxBufferSize`: the largest message the client can receive.
    pub max_buffer_size: u16,
    /// `MaxMpxCount`: the most requests the client keeps pending.
    pub max_mpx_count: u16,
    /// `VcNumber`: this virtual circuit's number (0 for the first).
    pub vc_number: u16,
    /// `SessionKey`: should equal the NEGOTIATE response's SessionKey.
    pub session_key: u32,
    /// `OEMPassword` (LM response), or `AccountPassword` in the LAN Manager form.
    pub oem_password: &'a [u8],
    /// `UnicodePassword` (NT response); empty in the LAN Manager form.
    pub unicode_password: &'a [u8],
    /// Client capabilities (NT form only).
    pub capabilities: u32,
    /// `AccountName`: the user name.
    pub account_name: SmbStr<'a>,
    /// `PrimaryDomain`: the authentication domain (may be empty).
    pub primary_domain: SmbStr<'a>,
    /// `NativeOS`: the client's operating system.
    pub native_os: SmbStr<'a>,
    /// `NativeLanMan`: the client's LAN Manager type.
    pub native_lanman: SmbStr<'a>,
}

/// Parses either request form from its block; `msg` is the whole message
/// (Unicode alignment counts from the header start).
///
/// The four trailing strings are read leniently: a missing or unterminated
/// string ends at the block end (never beyond). Passwords must fit.
pub fn parse_session_setup_request<'a>(
    msg: &'a [u8],
    block: &Block<'a>,
    unicode: bool,
) -> Result<SessionSetupRequest<'a>, ParseError> {
    let mut w = Words::new(block.words);
    w.take(4)?; // AndX
    let max_buffer_size = w.u16()?;
    let max_mpx_count = w.u16()?;
    let vc_number = w.u16()?;
    let session_key = w.u32()?;
    let (oem_len, uni_len, capabilities) = match block.word_count {
        13 => {
            let oem = w.u16()?;
            let uni = w.u16()?;
            w.u32()?; // Reserved
            (oem, uni, w.u32()?)
        }
        10 => {
            let pw = w.u16()?;
            w.u32()?; // Reserved
            (pw, 0, 0)
        }
        found => {
            return Err(ParseError::BadWordCount {
                command: SmbCommand::SESSION_SETUP_ANDX,
                found,
            })
        }
    };
    let oem_end = usize::from(oem_len);
    let uni_end = oem_end + usize::from(uni_len);
    let oem_password = block
        .bytes
        .get(..oem_end)
        .ok_or(ParseError::OutOfBounds("OEMPassword"))?;
    let unicode_password = block
        .bytes
        .get(oem_end..uni_end)
        .ok_or(ParseError::OutOfBounds("UnicodePassword"))?;
    // In the LAN Manager form the strings are OEM whatever Flags2 says.
    let unicode = unicode && block.word_count == 13;
    let end = block.end();
    let pos = block.bytes_offset + uni_end;
    let (account_name, pos, _) = read_smb_string(msg, pos, end, unicode);
    let (primary_domain, pos, _) = read_smb_string(msg, pos, end, unicode);
    let (native_os, pos, _) = read_smb_string(msg, pos, end, unicode);
    let (native_lanman, _, _) = read_smb_string(msg, pos, end, unicode);
    Ok(SessionSetupRequest {
        max_buffer_size,
        max_mpx_count,
        vc_number,
        session_key,
        oem_password,
        unicode_password,
        capabilities,
        account_name,
        primary_domain,
        native_os,
        native_lanman,
    })
}

/// `Action` bit: the session is a guest session (2.2.4.53.2).
pub const ACTION_GUEST: u16 = 0x0001;

/// SESSION_SETUP_ANDX response (3 words; non-extended security; 2.2.4.53.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSetupResponse {
    /// `Action`: [`ACTION_GUEST`] or 0.
    pub action: u16,
    /// `NativeOS`: the server's operating system.
    pub native_os: String,
    /// `NativeLanMan`: the server's LAN Manager type.
    pub native_lanman: String,
    /// `PrimaryDomain`: the server's domain or workgroup.
    pub primary_domain: String,
}

impl SessionSetupResponse {
    /// Appends the response block; strings are UTF-16LE when `unicode`.
    pub fn write(&self, out: &mut MessageBuilder, unicode: bool) {
        let mut w = [0xFF, 0, 0, 0, 0, 0];
        w[4..6].copy_from_slice(&self.action.to_le_bytes());
        out.begin_andx_block(&w);
        write_smb_string(out, &self.native_os, unicode);
        write_smb_string(out, &self.native_lanman, unicode);
        write_smb_string(out, &self.primary_domain, unicode);
        out.end_block();
    }
}

/// Client role: a 13-word NT LM 0.12 request block (2.2.4.53.1).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SessionSetupNt<'a> {
    /// `MaxBufferSize`: the largest message the client can receive.
    pub max_buffer_size: u16,
    /// `MaxMpxCount`: the most requests the client keeps pending.
    pub max_mpx_count: u16,
    /// `VcNumber`: this virtual circuit's number (0 for the first).
    pub vc_number: u16,
    /// `SessionKey`: the NEGOTIATE response's SessionKey.
    pub session_key: u32,
    /// `OEMPassword`: the LM response (or a plaintext password).
    pub oem_password: &'a [u8],
    /// `UnicodePassword`: the NT response.
    pub unicode_password: &'a [u8],
    /// `Capabilities`: the client's CAP_* bits ([`capabilities`](super::negotiate::capabilities)).
    pub capabilities: u32,
    /// `AccountName`: the user name.
    pub account_name: &'a str,
    /// `PrimaryDomain`: the authentication domain.
    pub primary_domain: &'a str,
    /// `NativeOS`: the client's operating system.
    pub native_os: &'a str,
    /// `NativeLanMan`: the client's LAN Manager type.
    pub native_lanman: &'a str,
}

impl SessionSetupNt<'_> {
    /// Appends the 13-word request block; strings are UTF-16LE when `unicode`.
    pub fn write(&self, out: &mut MessageBuilder, unicode: bool) {
        let mut w = vec![0xFF, 0, 0, 0];
        w.extend_from_slice(&self.max_buffer_size.to_le_bytes());
        w.extend_from_slice(&self.max_mpx_count.to_le_bytes());
        w.extend_from_slice(&self.vc_number.to_le_bytes());
        w.extend_from_slice(&self.session_key.to_le_bytes());
        w.extend_from_slice(&(self.oem_password.len() as u16).to_le_bytes());
        w.extend_from_slice(&(self.unicode_password.len() as u16).to_le_bytes());
        w.extend_from_slice(&0u32.to_le_bytes());
        w.extend_from_slice(&self.capabilities.to_le_bytes());
        out.begin_andx_block(&w);
        out.bytes(self.oem_password);
        out.bytes(self.unicode_password);
        for s in [
            self.account_name,
            self.primary_domain,
            self.native_os,
            self.native_lanman,
        ] {
            write_smb_string(out, s, unicode);
        }
        out.end_block();
    }

    /// The 10-word LAN Manager form (OEM strings, one password field).
    pub fn write_lanman(&self, out: &mut MessageBuilder) {
        let mut w = vec![0xFF, 0, 0, 0];
        w.extend_from_slice(&self.max_buffer_size.to_le_bytes());
        w.extend_from_slice(&self.max_mpx_count.to_le_bytes());
        w.extend_from_slice(&self.vc_number.to_le_bytes());
        w.extend_from_slice(&self.session_key.to_le_bytes());
        w.extend_from_slice(&(self.oem_password.len() as u16).to_le_bytes());
        w.extend_from_slice(&0u32.to_le_bytes());
        out.begin_andx_block(&w);
        out.bytes(self.oem_password);
        for s in [
            self.account_name,
            self.primary_domain,
            self.native_os,
            self.native_lanman,
        ] {
            write_smb_string(out, s, false);
        }
        out.end_block();
    }
}
