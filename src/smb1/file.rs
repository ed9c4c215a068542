//! The file commands a printer share serves (MS-CIFS 2.2.4): the print-file
//! family (SMB_COM_OPEN_PRINT_FILE 2.2.4.67, WRITE_PRINT_FILE 2.2.4.68,
//! CLOSE_PRINT_FILE 2.2.4.69) and the general commands clients use to
//! print a file (NT_CREATE_ANDX 2.2.4.64, OPEN_ANDX 2.2.4.41, WRITE_ANDX
//! 2.2.4.43, WRITE 2.2.4.12, CLOSE 2.2.4.5, FLUSH 2.2.4.6): request
//! parsers, response writers, and the request writers the client side and
//! the tests use.
//!
//! Parsers are lenient where the spec lets a server be (reserved fields
//! are ignored) and strict on structure: a wrong WordCount is
//! STATUS_INVALID_SMB, data that does not lie inside the message is
//! STATUS_INVALID_PARAMETER ([`ParseError::status`]).

use super::andx::AndX;
use super::header::SmbCommand;
use super::message::{Block, MessageBuilder, Words};
use super::strings::{read_smb_string, write_oem_string, write_smb_string, SmbStr};
use super::ParseError;

/// `BufferFormat` of a data buffer (MS-CIFS 2.2.1.4: 0x01, a data block).
pub const BUFFER_FORMAT_DATA: u8 = 0x01;
/// `BufferFormat` of an SMB_STRING (0x04, an ASCII/OEM or Unicode string).
pub const BUFFER_FORMAT_STRING: u8 = 0x04;

/// `ResourceType` FileTypeDisk (MS-CIFS 2.2.4.64.2).
pub const FILE_TYPE_DISK: u16 = 0x0000;
/// `ResourceType` FileTypePrinter: a printer device (MS-CIFS 2.2.4.64.2).
pub const FILE_TYPE_PRINTER: u16 = 0x0003;

/// `ExtFileAttributes` ATTR_NORMAL (MS-CIFS 2.2.1.2.3).
pub const ATTR_NORMAL: u32 = 0x0000_0080;

/// NT_CREATE_ANDX `CreateDisposition` / response `CreateAction` values
/// (MS-CIFS 2.2.4.64.1).
pub mod disposition {
    /// Supersede an existing file, or create it.
    pub const FILE_SUPERSEDE: u32 = 0;
    /// Open an existing file; fail if none.
    pub const FILE_OPEN: u32 = 1;
    /// Create a file; fail if it exists. As `CreateAction`: "the file did
    /// not exist and was created".
    pub const FILE_CREATE: u32 = 2;
    /// Open or create.
    pub const FILE_OPEN_IF: u32 = 3;
    /// Open and truncate; fail if none.
    pub const FILE_OVERWRITE: u32 = 4;
    /// Open and truncate, or create.
    pub const FILE_OVERWRITE_IF: u32 = 5;
}

/// NT_CREATE_ANDX `CreateOptions` bits msrap acts on (MS-CIFS 2.2.4.64.1).
pub mod create_options {
    /// The object is a directory.
    pub const FILE_DIRECTORY_FILE: u32 = 0x0000_0001;
    /// Open by file id: the server MUST fail with STATUS_NOT_SUPPORTED.
    pub const FILE_OPEN_BY_FILE_ID: u32 = 0x0000_2000;
}

/// Access-mask bits that grant writing to a printer (MS-SMB 2.2.1.4.1: "for
/// a printer, the value MUST have at least one of FILE_WRITE_DATA,
/// FILE_APPEND_DATA, or GENERIC_WRITE"; GENERIC_ALL and MAXIMUM_ALLOWED
/// include them).
pub const PRINTER_WRITE_ACCESS: u32 = 0x0000_0002 // FILE_WRITE_DATA
    | 0x0000_0004 // FILE_APPEND_DATA
    | 0x4000_0000 // GENERIC_WRITE
    | 0x1000_0000 // GENERIC_ALL
    | 0x0200_0000; // MAXIMUM_ALLOWED

fn word_count(block: &Block<'_>, command: SmbCommand, ok: &[u8]) -> Result<(), ParseError> {
    if ok.contains(&block.word_count) {
        Ok(())
    } else {
        Err(ParseError::BadWordCount {
            command,
            found: block.word_count,
        })
    }
}

/// A data buffer: `BufferFormat` 0x01, `DataLength`, then the data
/// (MS-CIFS 2.2.4.12.1, 2.2.4.68.1). `DataLength` bytes must follow.
fn data_buffer<'a>(bytes: &'a [u8], what: &'static str) -> Result<&'a [u8], ParseError> {
    match bytes {
        [BUFFER_FORMAT_DATA, lo, hi, rest @ ..] => rest
            .get(..usize::from(u16::from_le_bytes([*lo, *hi])))
            .ok_or(ParseError::OutOfBounds(what)),
        [_, _, _, ..] => Err(ParseError::OutOfBounds("BufferFormat")),
        _ => Err(ParseError::Truncated("data buffer")),
    }
}

// ---- NT_CREATE_ANDX (2.2.4.64) ----

/// An NT_CREATE_ANDX request (MS-CIFS 2.2.4.64.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct NtCreateAndxRequest<'a> {
    /// The AndX header (the next command in the chain).
    pub andx: AndX,
    /// `Flags` (oplock and target-directory requests).
    pub flags: u32,
    /// `RootDirectoryFID`: 0, or the FID of a directory the name is relative to.
    pub root_directory_fid: u32,
    /// `DesiredAccess`.
    pub desired_access: u32,
    /// `AllocationSize`.
    pub allocation_size: u64,
    /// `ExtFileAttributes`.
    pub ext_file_attributes: u32,
    /// `ShareAccess` (ignored for a printer file, as the spec says a server SHOULD).
    pub share_access: u32,
    /// `CreateDisposition`.
    pub create_disposition: u32,
    /// `CreateOptions`.
    pub create_options: u32,
    /// `ImpersonationLevel`.
    pub impersonation_level: u32,
    /// `SecurityFlags`.
    pub security_flags: u8,
    /// `FileName` (read leniently: an unterminated name ends at the block end).
    pub file_name: SmbStr<'a>,
}

/// Parses an NT_CREATE_ANDX request block (WordCount 24). `NameLength` is
/// not trusted: the name is the SMB_STRING at the start of the bytes.
pub fn parse_nt_create_andx<'a>(
    msg: &'a [u8],
    block: &Block<'a>,
    unicode: bool,
) -> Result<NtCreateAndxRequest<'a>, ParseError> {
    word_count(block, SmbCommand::NT_CREATE_ANDX, &[24])?;
    let andx = AndX::parse(block)?;
    let mut w = Words::new(block.words);
    w.take(4)?;
    w.u8()?; // Reserved
    w.u16()?; // NameLength
    let flags = w.u32()?;
    let root_directory_fid = w.u32()?;
    let desired_access = w.u32()?;
    let lo = w.u32()?;
    let hi = w.u32()?;
    let allocation_size = u64::from(lo) | u64::from(hi) << 32;
    let ext_file_attributes = w.u32()?;
    let share_access = w.u32()?;
    let create_disposition = w.u32()?;
    let create_options = w.u32()?;
    let impersonation_level = w.u32()?;
    let security_flags = w.u8()?;
    let (file_name, _, _) = read_smb_string(msg, block.bytes_offset, block.end(), unicode);
    Ok(NtCreateAndxRequest {
        andx,
        flags,
        root_directory_fid,
        desired_access,
        allocation_size,
        ext_file_attributes,
        share_access,
        create_disposition,
        create_options,
        impersonation_level,
        security_flags,
        file_name,
    })
}

/// What an NT_CREATE_ANDX request carries, for the request writer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct NtCreateAndx<'a> {
    /// `FileName`.
    pub file_name: &'a str,
    /// `DesiredAccess`.
    pub desired_access: u32,
    /// `CreateDisposition`.
    pub create_disposition: u32,
    /// `CreateOptions`.
    pub create_options: u32,
}

impl NtCreateAndx<'_> {
    /// Appends the request block (WordCount 24), as smbclient sends it for
    /// `put`/`print`: share read and write, impersonation, no flags.
    pub fn write(&self, out: &mut MessageBuilder, unicode: bool) {
        let name_len = if unicode {
            self.file_name.encode_utf16().count() * 2
        } else {
            self.file_name.len()
        };
        let mut words = Vec::with_capacity(48);
        words.extend_from_slice(&[0xFF, 0, 0, 0, 0]);
        words.extend_from_slice(&u16::try_from(name_len).unwrap_or(u16::MAX).to_le_bytes());
        words.extend_from_slice(&0u32.to_le_bytes()); // Flags
        words.extend_from_slice(&0u32.to_le_bytes()); // RootDirectoryFID
        words.extend_from_slice(&self.desired_access.to_le_bytes());
        words.extend_from_slice(&0u64.to_le_bytes()); // AllocationSize
        words.extend_from_slice(&0u32.to_le_bytes()); // ExtFileAttributes
        words.extend_from_slice(&3u32.to_le_bytes()); // ShareAccess: read, write
        words.extend_from_slice(&self.create_disposition.to_le_bytes());
        words.extend_from_slice(&self.create_options.to_le_bytes());
        words.extend_from_slice(&2u32.to_le_bytes()); // SEC_IMPERSONATE
        words.push(0); // SecurityFlags: 48 bytes, WordCount 24
        out.begin_andx_block(&words);
        write_smb_string(out, self.file_name, unicode);
        out.end_block();
    }
}

/// The NT_CREATE_ANDX response (MS-CIFS 2.2.4.64.2, WordCount 34).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct NtCreateAndxResponse {
    /// `OpLockLevel` granted (0: none).
    pub oplock_level: u8,
    /// `FID`.
    pub fid: u16,
    /// `CreateDisposition`: the action taken ([`disposition::FILE_CREATE`]: created).
    pub create_action: u32,
    /// `CreateTime` (FILETIME).
    pub create_time: u64,
    /// `LastAccessTime` (FILETIME).
    pub last_access_time: u64,
    /// `LastWriteTime` (FILETIME).
    pub last_write_time: u64,
    /// `LastChangeTime` (FILETIME).
    pub last_change_time: u64,
    /// `ExtFileAttributes`.
    pub ext_file_attributes: u32,
    /// `AllocationSize`.
    pub allocation_size: u64,
    /// `EndOfFile`.
    pub end_of_file: u64,
    /// `ResourceType`.
    pub resource_type: u16,
    /// `NMPipeStatus`.
    pub nm_pipe_status: u16,
    /// `Directory`.
    pub directory: bool,
}

impl NtCreateAndxResponse {
    /// Appends the response block (WordCount 34, ByteCount 0).
    pub fn write(&self, out: &mut MessageBuilder) {
        let mut w = Vec::with_capacity(68);
        w.extend_from_slice(&[0xFF, 0, 0, 0, self.oplock_level]);
        w.extend_from_slice(&self.fid.to_le_bytes());
        w.extend_from_slice(&self.create_action.to_le_bytes());
        for t in [
            self.create_time,
            self.last_access_time,
            self.last_write_time,
            self.last_change_time,
        ] {
            w.extend_from_slice(&t.to_le_bytes());
        }
        w.extend_from_slice(&self.ext_file_attributes.to_le_bytes());
        w.extend_from_slice(&self.allocation_size.to_le_bytes());
        w.extend_from_slice(&self.end_of_file.to_le_bytes());
        w.extend_from_slice(&self.resource_type.to_le_bytes());
        w.extend_from_slice(&self.nm_pipe_status.to_le_bytes());
        w.push(u8::from(self.directory)); // 68 bytes, WordCount 34
        out.begin_andx_block(&w);
        out.end_block();
    }

    /// Reads a response block (client side): the FID and the action.
    pub fn parse(block: &Block<'_>) -> Result<NtCreateAndxResponse, ParseError> {
        word_count(block, SmbCommand::NT_CREATE_ANDX, &[34, 42])?;
        let mut w = Words::new(block.words);
        w.take(4)?;
        let oplock_level = w.u8()?;
        let fid = w.u16()?;
        let create_action = w.u32()?;
        let mut t = [0u64; 4];
        for slot in &mut t {
            let lo = w.u32()?;
            let hi = w.u32()?;
            *slot = u64::from(lo) | u64::from(hi) << 32;
        }
        let ext_file_attributes = w.u32()?;
        let mut u = [0u64; 2];
        for slot in &mut u {
            let lo = w.u32()?;
            let hi = w.u32()?;
            *slot = u64::from(lo) | u64::from(hi) << 32;
        }
        Ok(NtCreateAndxResponse {
            oplock_level,
            fid,
            create_action,
            create_time: t[0],
            last_access_time: t[1],
            last_write_time: t[2],
            last_change_time: t[3],
            ext_file_attributes,
            allocation_size: u[0],
            end_of_file: u[1],
            resource_type: w.u16()?,
            nm_pipe_status: w.u16()?,
            directory: w.u8()? != 0,
        })
    }
}

// ---- OPEN_ANDX (2.2.4.41) ----

/// OPEN_ANDX `Flags`: REQ_ATTRIB, fill in the attributes of the response.
pub const OPEN_ANDX_REQ_ATTRIB: u16 = 0x0001;

/// An OPEN_ANDX request (MS-CIFS 2.2.4.41.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OpenAndxRequest<'a> {
    /// The AndX header.
    pub andx: AndX,
    /// `Flags` ([`OPEN_ANDX_REQ_ATTRIB`]...).
    pub flags: u16,
    /// `AccessMode`: bits 0-2 the access (0 read, 1 write, 2 read/write,
    /// 3 execute), bits 4-6 the sharing mode.
    pub access_mode: u16,
    /// `SearchAttrs`.
    pub search_attrs: u16,
    /// `FileAttrs`.
    pub file_attrs: u16,
    /// `CreationTime` (UTIME).
    pub creation_time: u32,
    /// `OpenMode`.
    pub open_mode: u16,
    /// `AllocationSize`.
    pub allocation_size: u32,
    /// `Timeout`.
    pub timeout: u32,
    /// `FileName`.
    pub file_name: SmbStr<'a>,
}

impl OpenAndxRequest<'_> {
    /// The requested access: `AccessMode` bits 0-2.
    pub fn access(&self) -> u16 {
        self.access_mode & 0x0007
    }
}

/// Parses an OPEN_ANDX request block (WordCount 15).
pub fn parse_open_andx<'a>(
    msg: &'a [u8],
    block: &Block<'a>,
    unicode: bool,
) -> Result<OpenAndxRequest<'a>, ParseError> {
    word_count(block, SmbCommand::OPEN_ANDX, &[15])?;
    let andx = AndX::parse(block)?;
    let mut w = Words::new(block.words);
    w.take(4)?;
    let flags = w.u16()?;
    let access_mode = w.u16()?;
    let search_attrs = w.u16()?;
    let file_attrs = w.u16()?;
    let creation_time = w.u32()?;
    let open_mode = w.u16()?;
    let allocation_size = w.u32()?;
    let timeout = w.u32()?;
    let (file_name, _, _) = read_smb_string(msg, block.bytes_offset, block.end(), unicode);
    Ok(OpenAndxRequest {
        andx,
        flags,
        access_mode,
        search_attrs,
        file_attrs,
        creation_time,
        open_mode,
        allocation_size,
        timeout,
        file_name,
    })
}

/// Appends an OPEN_ANDX request block (client side): `flags`,
/// `access_mode`, create-or-truncate (`OpenMode` 0x0012), the name.
pub fn write_open_andx_request(
    out: &mut MessageBuilder,
    flags: u16,
    access_mode: u16,
    file_name: &str,
    unicode: bool,
) {
    let mut w = Vec::with_capacity(30);
    w.extend_from_slice(&[0xFF, 0, 0, 0]);
    w.extend_from_slice(&flags.to_le_bytes());
    w.extend_from_slice(&access_mode.to_le_bytes());
    w.extend_from_slice(&0x0016u16.to_le_bytes()); // SearchAttrs: hidden, system, directory
    w.extend_from_slice(&0u16.to_le_bytes()); // FileAttrs
    w.extend_from_slice(&0u32.to_le_bytes()); // CreationTime
    w.extend_from_slice(&0x0012u16.to_le_bytes()); // OpenMode: create, truncate
    w.extend_from_slice(&0u32.to_le_bytes()); // AllocationSize
    w.extend_from_slice(&0u32.to_le_bytes()); // Timeout
    w.extend_from_slice(&0u32.to_le_bytes()); // Reserved
    out.begin_andx_block(&w);
    write_smb_string(out, file_name, unicode);
    out.end_block();
}

/// The OPEN_ANDX response (MS-CIFS 2.2.4.41.2, WordCount 15). Without
/// REQ_ATTRIB in the request every field after the FID is zero.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct OpenAndxResponse {
    /// `FID`.
    pub fid: u16,
    /// `FileAttrs`.
    pub file_attrs: u16,
    /// `LastWriteTime` (UTIME).
    pub last_write_time: u32,
    /// `FileDataSize`.
    pub file_data_size: u32,
    /// `AccessRights` (0 read, 1 write, 2 read/write).
    pub access_rights: u16,
    /// `ResourceType`.
    pub resource_type: u16,
    /// `NMPipeStatus`.
    pub nm_pipe_status: u16,
    /// `OpenResults` (0x0002: the file did not exist and was created).
    pub open_results: u16,
}

impl OpenAndxResponse {
    /// Appends the response block.
    pub fn write(&self, out: &mut MessageBuilder) {
        let mut w = Vec::with_capacity(30);
        w.extend_from_slice(&[0xFF, 0, 0, 0]);
        w.extend_from_slice(&self.fid.to_le_bytes());
        w.extend_from_slice(&self.file_attrs.to_le_bytes());
        w.extend_from_slice(&self.last_write_time.to_le_bytes());
        w.extend_from_slice(&self.file_data_size.to_le_bytes());
        w.extend_from_slice(&self.access_rights.to_le_bytes());
        w.extend_from_slice(&self.resource_type.to_le_bytes());
        w.extend_from_slice(&self.nm_pipe_status.to_le_bytes());
        w.extend_from_slice(&self.open_results.to_le_bytes());
        w.extend_from_slice(&[0; 6]);
        out.begin_andx_block(&w);
        out.end_block();
    }

    /// Reads a response block (client side).
    pub fn parse(block: &Block<'_>) -> Result<OpenAndxResponse, ParseError> {
        word_count(block, SmbCommand::OPEN_ANDX, &[15, 19])?;
        let mut w = Words::new(block.words);
        w.take(4)?;
        Ok(OpenAndxResponse {
            fid: w.u16()?,
            file_attrs: w.u16()?,
            last_write_time: w.u32()?,
            file_data_size: w.u32()?,
            access_rights: w.u16()?,
            resource_type: w.u16()?,
            nm_pipe_status: w.u16()?,
            open_results: w.u16()?,
        })
    }
}

// ---- WRITE_ANDX (2.2.4.43) ----

/// A WRITE_ANDX request (MS-CIFS 2.2.4.43.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct WriteAndxRequest<'a> {
    /// The AndX header.
    pub andx: AndX,
    /// `FID`.
    pub fid: u16,
    /// `Offset`, with `OffsetHigh` when WordCount is 14.
    pub offset: u64,
    /// `WriteMode`.
    pub write_mode: u16,
    /// `Remaining`.
    pub remaining: u16,
    /// The data: `DataLength` bytes (plus `DataLengthHigh` << 16, MS-SMB
    /// 2.2.4.3.1, the reserved word of MS-CIFS) at `DataOffset` from the
    /// header start, wherever that is in the message.
    pub data: &'a [u8],
}

/// Parses a WRITE_ANDX request block (WordCount 12 or 14). `DataOffset`
/// counts from the header start, whatever the command's place in an AndX
/// chain; it may not point before the block's bytes (STATUS_INVALID_SMB),
/// and the data must lie inside the message (STATUS_INVALID_PARAMETER;
/// it may run past ByteCount, as large writes do).
pub fn parse_write_andx<'a>(
    msg: &'a [u8],
    block: &Block<'a>,
) -> Result<WriteAndxRequest<'a>, ParseError> {
    word_count(block, SmbCommand::WRITE_ANDX, &[12, 14])?;
    let andx = AndX::parse(block)?;
    let mut w = Words::new(block.words);
    w.take(4)?;
    let fid = w.u16()?;
    let offset_low = w.u32()?;
    w.u32()?; // Timeout
    let write_mode = w.u16()?;
    let remaining = w.u16()?;
    let length_high = w.u16()?;
    let length_low = w.u16()?;
    let data_offset = usize::from(w.u16()?);
    let offset_high = if block.word_count == 14 { w.u32()? } else { 0 };
    let len = usize::from(length_low) | usize::from(length_high) << 16;
    if data_offset < block.bytes_offset {
        // 3.3.5.37: DataOffset before the Data field SHOULD fail with
        // STATUS_INVALID_SMB (it would point into the header or the words).
        return Err(ParseError::Misplaced("WRITE_ANDX DataOffset"));
    }
    let data = data_offset
        .checked_add(len)
        .and_then(|end| msg.get(data_offset..end))
        .ok_or(ParseError::OutOfBounds("WRITE_ANDX Data"))?;
    Ok(WriteAndxRequest {
        andx,
        fid,
        offset: u64::from(offset_low) | u64::from(offset_high) << 32,
        write_mode,
        remaining,
        data,
    })
}

/// Appends a WRITE_ANDX request block (WordCount 14, client side) with
/// the data right after a one-byte pad, as smbclient sends it.
pub fn write_write_andx_request(out: &mut MessageBuilder, fid: u16, offset: u64, data: &[u8]) {
    // Header 32 + WordCount 1 + 28 words + ByteCount 2 + pad 1 = 64.
    let data_offset = out.offset() + 1 + 28 + 2 + 1;
    let mut w = Vec::with_capacity(28);
    w.extend_from_slice(&[0xFF, 0, 0, 0]);
    w.extend_from_slice(&fid.to_le_bytes());
    w.extend_from_slice(&(offset as u32).to_le_bytes());
    w.extend_from_slice(&0u32.to_le_bytes()); // Timeout
    w.extend_from_slice(&0u16.to_le_bytes()); // WriteMode
    w.extend_from_slice(&0u16.to_le_bytes()); // Remaining
    w.extend_from_slice(&((data.len() >> 16) as u16).to_le_bytes());
    w.extend_from_slice(&(data.len() as u16).to_le_bytes());
    w.extend_from_slice(&u16::try_from(data_offset).unwrap_or(0).to_le_bytes());
    w.extend_from_slice(&((offset >> 32) as u32).to_le_bytes());
    out.begin_andx_block(&w);
    out.byte(0);
    out.bytes(data);
    out.end_block();
}

/// The WRITE_ANDX response (MS-CIFS 2.2.4.43.2): `Count` (with
/// `CountHigh`, MS-SMB 2.2.4.3.2, in the first reserved word), `Available`.
pub fn write_write_andx_response(out: &mut MessageBuilder, count: u32) {
    let mut w = Vec::with_capacity(12);
    w.extend_from_slice(&[0xFF, 0, 0, 0]);
    w.extend_from_slice(&(count as u16).to_le_bytes());
    w.extend_from_slice(&0u16.to_le_bytes()); // Available
    w.extend_from_slice(&((count >> 16) as u16).to_le_bytes()); // CountHigh
    w.extend_from_slice(&0u16.to_le_bytes()); // Reserved
    out.begin_andx_block(&w);
    out.end_block();
}

/// Reads a WRITE_ANDX response block (client side): the count written.
pub fn parse_write_andx_response(block: &Block<'_>) -> Result<u32, ParseError> {
    word_count(block, SmbCommand::WRITE_ANDX, &[6])?;
    let mut w = Words::new(block.words);
    w.take(4)?;
    let low = w.u16()?;
    w.u16()?;
    let high = w.u16()?;
    Ok(u32::from(low) | u32::from(high) << 16)
}

// ---- WRITE (2.2.4.12) ----

/// A WRITE request (MS-CIFS 2.2.4.12.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct WriteRequest<'a> {
    /// `FID`.
    pub fid: u16,
    /// `WriteOffsetInBytes`.
    pub offset: u32,
    /// `EstimateOfRemainingBytesToBeWritten`.
    pub remaining: u16,
    /// `Data` (`DataLength` bytes; `CountOfBytesToWrite` must match it).
    pub data: &'a [u8],
}

/// Parses a WRITE request block (WordCount 5). `CountOfBytesToWrite`
/// must equal `DataLength` (STATUS_INVALID_PARAMETER otherwise).
pub fn parse_write<'a>(block: &Block<'a>) -> Result<WriteRequest<'a>, ParseError> {
    word_count(block, SmbCommand::WRITE, &[5])?;
    let mut w = Words::new(block.words);
    let fid = w.u16()?;
    let count = w.u16()?;
    let offset = w.u32()?;
    let remaining = w.u16()?;
    let data = data_buffer(block.bytes, "WRITE Data")?;
    if data.len() != usize::from(count) {
        return Err(ParseError::OutOfBounds("WRITE CountOfBytesToWrite"));
    }
    Ok(WriteRequest {
        fid,
        offset,
        remaining,
        data,
    })
}

/// Appends a WRITE request block (client side).
pub fn write_write_request(out: &mut MessageBuilder, fid: u16, offset: u32, data: &[u8]) {
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    let mut w = Vec::with_capacity(10);
    w.extend_from_slice(&fid.to_le_bytes());
    w.extend_from_slice(&len.to_le_bytes());
    w.extend_from_slice(&offset.to_le_bytes());
    w.extend_from_slice(&0u16.to_le_bytes());
    out.begin_block(&w);
    out.byte(BUFFER_FORMAT_DATA);
    out.bytes(&len.to_le_bytes());
    out.bytes(data.get(..usize::from(len)).unwrap_or(data));
    out.end_block();
}

/// The WRITE response (MS-CIFS 2.2.4.12.2): `CountOfBytesWritten`.
pub fn write_write_response(out: &mut MessageBuilder, count: u16) {
    out.begin_block(&count.to_le_bytes());
    out.end_block();
}

// ---- CLOSE (2.2.4.5), FLUSH (2.2.4.6), CLOSE_PRINT_FILE (2.2.4.69) ----

/// The FID of a CLOSE request (MS-CIFS 2.2.4.5.1, WordCount 3:
/// `FID`, `LastTimeModified`, which a print file ignores).
pub fn parse_close(block: &Block<'_>) -> Result<u16, ParseError> {
    word_count(block, SmbCommand::CLOSE, &[3])?;
    Words::new(block.words).u16()
}

/// Appends a CLOSE request block (client side).
pub fn write_close_request(out: &mut MessageBuilder, fid: u16) {
    let mut w = [0u8; 6];
    w[..2].copy_from_slice(&fid.to_le_bytes());
    w[2..].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    out.begin_block(&w);
    out.end_block();
}

/// The FID of a FLUSH request (MS-CIFS 2.2.4.6.1, WordCount 1).
pub fn parse_flush(block: &Block<'_>) -> Result<u16, ParseError> {
    word_count(block, SmbCommand::FLUSH, &[1])?;
    Words::new(block.words).u16()
}

/// The FID of a CLOSE_PRINT_FILE request (MS-CIFS 2.2.4.69.1, WordCount 1).
pub fn parse_close_print_file(block: &Block<'_>) -> Result<u16, ParseError> {
    word_count(block, SmbCommand::CLOSE_PRINT_FILE, &[1])?;
    Words::new(block.words).u16()
}

/// Appends a one-word FID request block (FLUSH, CLOSE_PRINT_FILE; client side).
pub fn write_fid_request(out: &mut MessageBuilder, fid: u16) {
    out.begin_block(&fid.to_le_bytes());
    out.end_block();
}

// ---- OPEN_PRINT_FILE (2.2.4.67), WRITE_PRINT_FILE (2.2.4.68) ----

/// An OPEN_PRINT_FILE request (MS-CIFS 2.2.4.67.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OpenPrintFileRequest<'a> {
    /// `SetupLength`: printer control data at the start of the file.
    pub setup_length: u16,
    /// `Mode`: 0 text, 1 binary.
    pub mode: u16,
    /// `Identifier`: the suggested name (read leniently; empty when the
    /// bytes hold no string).
    pub identifier: SmbStr<'a>,
}

/// Parses an OPEN_PRINT_FILE request block (WordCount 2). `BufferFormat`
/// must be 0x04 when present; a request with no bytes at all has an empty
/// identifier.
pub fn parse_open_print_file<'a>(
    msg: &'a [u8],
    block: &Block<'a>,
    unicode: bool,
) -> Result<OpenPrintFileRequest<'a>, ParseError> {
    word_count(block, SmbCommand::OPEN_PRINT_FILE, &[2])?;
    let mut w = Words::new(block.words);
    let setup_length = w.u16()?;
    let mode = w.u16()?;
    let identifier = match block.bytes.first() {
        None => SmbStr::Oem(&[]),
        Some(&BUFFER_FORMAT_STRING) => {
            read_smb_string(msg, block.bytes_offset + 1, block.end(), unicode).0
        }
        Some(_) => return Err(ParseError::OutOfBounds("OPEN_PRINT_FILE BufferFormat")),
    };
    Ok(OpenPrintFileRequest {
        setup_length,
        mode,
        identifier,
    })
}

/// Appends an OPEN_PRINT_FILE request block (client side).
pub fn write_open_print_file_request(
    out: &mut MessageBuilder,
    setup_length: u16,
    mode: u16,
    identifier: &str,
    unicode: bool,
) {
    let mut w = [0u8; 4];
    w[..2].copy_from_slice(&setup_length.to_le_bytes());
    w[2..].copy_from_slice(&mode.to_le_bytes());
    out.begin_block(&w);
    out.byte(BUFFER_FORMAT_STRING);
    if unicode {
        write_smb_string(out, identifier, true);
    } else {
        write_oem_string(out, identifier);
    }
    out.end_block();
}

/// A one-word FID response block (OPEN_PRINT_FILE, MS-CIFS 2.2.4.67.2).
pub fn write_fid_response(out: &mut MessageBuilder, fid: u16) {
    out.begin_block(&fid.to_le_bytes());
    out.end_block();
}

/// Reads a one-word response (OPEN_PRINT_FILE's FID, WRITE's count).
pub fn parse_one_word(block: &Block<'_>, command: SmbCommand) -> Result<u16, ParseError> {
    word_count(block, command, &[1])?;
    Words::new(block.words).u16()
}

/// A WRITE_PRINT_FILE request (MS-CIFS 2.2.4.68.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct WritePrintFileRequest<'a> {
    /// `FID`.
    pub fid: u16,
    /// `Data`.
    pub data: &'a [u8],
}

/// Parses a WRITE_PRINT_FILE request block (WordCount 1, a data buffer).
pub fn parse_write_print_file<'a>(
    block: &Block<'a>,
) -> Result<WritePrintFileRequest<'a>, ParseError> {
    word_count(block, SmbCommand::WRITE_PRINT_FILE, &[1])?;
    let fid = Words::new(block.words).u16()?;
    let data = data_buffer(block.bytes, "WRITE_PRINT_FILE Data")?;
    Ok(WritePrintFileRequest { fid, data })
}

/// Appends a WRITE_PRINT_FILE request block (client side).
pub fn write_write_print_file_request(out: &mut MessageBuilder, fid: u16, data: &[u8]) {
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    out.begin_block(&fid.to_le_bytes());
    out.byte(BUFFER_FORMAT_DATA);
    out.bytes(&len.to_le_bytes());
    out.bytes(data.get(..usize::from(len)).unwrap_or(data));
    out.end_block();
}

/// The FID a request names, for the commands that name one in a fixed
/// place: READ, LOCK_AND_READ, LOCK_BYTE_RANGE, UNLOCK_BYTE_RANGE, SEEK,
/// SET_INFORMATION2, READ_RAW, READ_MPX, FLUSH, CLOSE, WRITE,
/// WRITE_PRINT_FILE, CLOSE_PRINT_FILE (word 0), READ_ANDX, WRITE_ANDX and
/// LOCKING_ANDX (word 2, after the AndX header). `None` for other commands or a block
/// too short to hold it.
pub fn request_fid(command: SmbCommand, block: &Block<'_>) -> Option<u16> {
    let at = match command {
        SmbCommand::READ_ANDX | SmbCommand::WRITE_ANDX | SmbCommand::LOCKING_ANDX => 4,
        SmbCommand::READ
        | SmbCommand::LOCK_AND_READ
        | SmbCommand::LOCK_BYTE_RANGE
        | SmbCommand::UNLOCK_BYTE_RANGE
        | SmbCommand::SEEK
        | SmbCommand::SET_INFORMATION2
        | SmbCommand::READ_RAW
        | SmbCommand::READ_MPX
        | SmbCommand::FLUSH
        | SmbCommand::CLOSE
        | SmbCommand::WRITE
        | SmbCommand::WRITE_PRINT_FILE
        | SmbCommand::CLOSE_PRINT_FILE => 0,
        _ => return None,
    };
    block
        .words
        .get(at..)
        .and_then(<[u8]>::first_chunk::<2>)
        .map(|b| u16::from_le_bytes(*b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smb1::header::{HeaderFlags2, SmbHeader, HEADER_LEN};
    use crate::smb1::message::parse_block;

    fn msg(command: SmbCommand, unicode: bool, f: impl FnOnce(&mut MessageBuilder)) -> Vec<u8> {
        let flags2 = if unicode {
            HeaderFlags2::UNICODE
        } else {
            HeaderFlags2::empty()
        };
        let mut b = MessageBuilder::new(&SmbHeader::request(command, flags2));
        f(&mut b);
        b.finish()
    }

    #[test]
    fn nt_create_andx_round_trip() {
        for unicode in [false, true] {
            let m = msg(SmbCommand::NT_CREATE_ANDX, unicode, |b| {
                NtCreateAndx {
                    file_name: "report.txt",
                    desired_access: 0x0012_019F,
                    create_disposition: disposition::FILE_OVERWRITE_IF,
                    create_options: 0x40,
                }
                .write(b, unicode)
            });
            let block = parse_block(&m, HEADER_LEN).unwrap();
            assert_eq!(block.word_count, 24);
            let r = parse_nt_create_andx(&m, &block, unicode).unwrap();
            assert_eq!(r.file_name.to_string_lossy(), "report.txt");
            assert_eq!(
                (
                    r.desired_access,
                    r.create_disposition,
                    r.create_options,
                    r.share_access,
                    r.andx.command
                ),
                (0x0012_019F, 5, 0x40, 3, SmbCommand::NO_ANDX_COMMAND)
            );
        }
    }

    #[test]
    fn nt_create_andx_response_bytes() {
        let mut b = MessageBuilder::new(&SmbHeader::request(
            SmbCommand::NT_CREATE_ANDX,
            HeaderFlags2::empty(),
        ));
        NtCreateAndxResponse {
            fid: 0x4001,
            create_action: disposition::FILE_CREATE,
            create_time: 0x01DA_47A3_6B9E_8000,
            ext_file_attributes: ATTR_NORMAL,
            resource_type: FILE_TYPE_PRINTER,
            ..NtCreateAndxResponse::default()
        }
        .write(&mut b);
        let m = b.finish();
        let block = parse_block(&m, HEADER_LEN).unwrap();
        assert_eq!((block.word_count, block.byte_count), (34, 0));
        assert_eq!(&block.words[..11], &[0xFF, 0, 0, 0, 0, 1, 0x40, 2, 0, 0, 0]);
        let r = NtCreateAndxResponse::parse(&block).unwrap();
        assert_eq!(
            (r.fid, r.create_action, r.create_time, r.resource_type),
            (0x4001, 2, 0x01DA_47A3_6B9E_8000, 3)
        );
    }

    #[test]
    fn write_andx_data_at_its_offset() {
        let m = msg(SmbCommand::WRITE_ANDX, true, |b| {
            write_write_andx_request(b, 7, 0x1_0000_0010, b"hello")
        });
        let block = parse_block(&m, HEADER_LEN).unwrap();
        let r = parse_write_andx(&m, &block).unwrap();
        assert_eq!((r.fid, r.offset, r.data), (7, 0x1_0000_0010, &b"hello"[..]));
        // DataOffset beyond the message: a defined error, no panic.
        let mut bad = m.clone();
        bad[HEADER_LEN + 1 + 22] = 0xF0;
        let block = parse_block(&bad, HEADER_LEN).unwrap();
        assert_eq!(
            parse_write_andx(&bad, &block).unwrap_err().status(),
            crate::codes::NtStatus::STATUS_INVALID_PARAMETER
        );
        // DataOffset into the header (3.3.5.37: SHOULD be STATUS_INVALID_SMB).
        let mut bad = m.clone();
        bad[HEADER_LEN + 1 + 22] = 0x08;
        let block = parse_block(&bad, HEADER_LEN).unwrap();
        assert_eq!(
            parse_write_andx(&bad, &block).unwrap_err().status(),
            crate::codes::NtStatus::STATUS_INVALID_SMB
        );
    }

    #[test]
    fn print_file_family() {
        let m = msg(SmbCommand::OPEN_PRINT_FILE, false, |b| {
            write_open_print_file_request(b, 0, 1, "dosjob", false)
        });
        let block = parse_block(&m, HEADER_LEN).unwrap();
        let r = parse_open_print_file(&m, &block, false).unwrap();
        assert_eq!((r.setup_length, r.mode), (0, 1));
        assert_eq!(r.identifier.to_string_lossy(), "dosjob");
        let m = msg(SmbCommand::WRITE_PRINT_FILE, false, |b| {
            write_write_print_file_request(b, 9, b"abcd")
        });
        let block = parse_block(&m, HEADER_LEN).unwrap();
        assert_eq!(
            parse_write_print_file(&block).unwrap(),
            WritePrintFileRequest {
                fid: 9,
                data: b"abcd"
            }
        );
        assert_eq!(request_fid(SmbCommand::WRITE_PRINT_FILE, &block), Some(9));
        // DataLength larger than the bytes: rejected.
        let mut bad = m.clone();
        let at = m.len() - 6;
        bad[at] = 9;
        let block = parse_block(&bad, HEADER_LEN).unwrap();
        assert!(parse_write_print_file(&block).is_err());
    }

    #[test]
    fn write_core_count_must_match() {
        let m = msg(SmbCommand::WRITE, false, |b| {
            write_write_request(b, 3, 5, b"xyz")
        });
        let block = parse_block(&m, HEADER_LEN).unwrap();
        let r = parse_write(&block).unwrap();
        assert_eq!((r.fid, r.offset, r.data), (3, 5, &b"xyz"[..]));
        let mut bad = m.clone();
        bad[HEADER_LEN + 3] = 4; // CountOfBytesToWrite 4, DataLength 3
        let block = parse_block(&bad, HEADER_LEN).unwrap();
        assert!(parse_write(&block).is_err());
    }
}
