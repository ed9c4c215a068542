//! The file commands of the connection (MS-CIFS 3.3.5): print files on
//! printer shares, the errors a printer share gives the file operations it
//! does not serve, and IPC$'s refusal of them all.
//!
//! | command | on a printer tree | on IPC$ |
//! | --- | --- | --- |
//! | OPEN_PRINT_FILE, NT_CREATE_ANDX, OPEN_ANDX | a print file (any disposition) | OPEN_PRINT_FILE: STATUS_INVALID_DEVICE_REQUEST (3.3.5.54); the others: STATUS_NOT_IMPLEMENTED |
//! | WRITE_ANDX, WRITE, WRITE_PRINT_FILE | written through the handler | STATUS_NOT_IMPLEMENTED |
//! | CLOSE, CLOSE_PRINT_FILE | the job is queued | STATUS_NOT_IMPLEMENTED |
//! | FLUSH | the handler commits the file(s) (`flush_print_file`), then success | STATUS_NOT_IMPLEMENTED |
//! | READ, READ_ANDX, LOCK_AND_READ, SEEK, LOCK_BYTE_RANGE, UNLOCK_BYTE_RANGE, LOCKING_ANDX, SET_INFORMATION2 (on a print file's FID) | STATUS_BAD_DEVICE_TYPE, ERRSRV/ERRinvdevice (2.2.4.11.2 "attempt to read from an open spool file", 2.2.4.13.2, 2.2.4.19.2, 2.2.4.30.2, 2.2.4.32.2) | STATUS_NOT_IMPLEMENTED |
//! | OPEN, CREATE, CREATE_TEMPORARY, CREATE_NEW | STATUS_BAD_DEVICE_TYPE (2.2.4.3.2: "a share that is not a file system subtree") | STATUS_NOT_IMPLEMENTED |
//! | directory, path and search commands, TRANSACTION2, NT_TRANSACT | STATUS_BAD_DEVICE_TYPE (ERRinvdevice, 2.2.2.4: "a non-printer request made to a printer device") | STATUS_NOT_IMPLEMENTED |
//! | QUERY_INFORMATION_DISK | STATUS_SMB_BAD_TID (3.3.5.46: the share must be a disk) | STATUS_SMB_BAD_TID |
//!
//! UID then TID are checked first (3.3.5.2); a FID must name a print file
//! open on the request's tree (STATUS_INVALID_HANDLE otherwise; CLOSE of
//! an unknown FID: 3.3.5.56). In an AndX chain, a command after one that
//! opened or used a FID works on that FID (3.3.5.2.4).

use super::*;
use crate::smb1::file::{
    create_options, disposition, parse_close, parse_close_print_file, parse_flush,
    parse_nt_create_andx, parse_open_andx, parse_open_print_file, parse_write, parse_write_andx,
    parse_write_print_file, request_fid, write_fid_response, write_write_andx_response,
    write_write_response, NtCreateAndxResponse, OpenAndxResponse, ATTR_NORMAL, FILE_TYPE_PRINTER,
    OPEN_ANDX_REQ_ATTRIB, PRINTER_WRITE_ACCESS,
};

/// Whether the connection handles `command` as a file command (here)
/// rather than as a command it does not implement.
pub(super) fn is_file_command(command: SmbCommand) -> bool {
    matches!(
        command,
        SmbCommand::OPEN_PRINT_FILE
            | SmbCommand::WRITE_PRINT_FILE
            | SmbCommand::CLOSE_PRINT_FILE
            | SmbCommand::NT_CREATE_ANDX
            | SmbCommand::OPEN_ANDX
            | SmbCommand::WRITE_ANDX
            | SmbCommand::WRITE
            | SmbCommand::CLOSE
            | SmbCommand::FLUSH
            | SmbCommand::QUERY_INFORMATION_DISK
    ) || is_read(command)
        || is_disk_only(command)
}

/// The AndX commands a chain may continue after.
pub(super) fn is_andx(command: SmbCommand) -> bool {
    matches!(
        command,
        SmbCommand::SESSION_SETUP_ANDX
            | SmbCommand::TREE_CONNECT_ANDX
            | SmbCommand::LOGOFF_ANDX
            | SmbCommand::NT_CREATE_ANDX
            | SmbCommand::OPEN_ANDX
            | SmbCommand::WRITE_ANDX
    )
}

/// Commands on an open file that a print file does not serve: reads,
/// seeks, byte-range locks, setting its times.
fn is_read(command: SmbCommand) -> bool {
    matches!(
        command,
        SmbCommand::READ
            | SmbCommand::READ_ANDX
            | SmbCommand::LOCK_AND_READ
            | SmbCommand::SEEK
            | SmbCommand::LOCK_BYTE_RANGE
            | SmbCommand::UNLOCK_BYTE_RANGE
            | SmbCommand::LOCKING_ANDX
            | SmbCommand::SET_INFORMATION2
    )
}

/// Commands on a disk share's name space: directories, paths, searches,
/// and the transactions that carry such operations.
fn is_disk_only(command: SmbCommand) -> bool {
    matches!(
        command,
        SmbCommand::OPEN
            | SmbCommand::CREATE
            | SmbCommand::CREATE_TEMPORARY
            | SmbCommand::CREATE_NEW
            | SmbCommand::CREATE_DIRECTORY
            | SmbCommand::DELETE_DIRECTORY
            | SmbCommand::DELETE
            | SmbCommand::RENAME
            | SmbCommand::QUERY_INFORMATION
            | SmbCommand::SET_INFORMATION
            | SmbCommand::CHECK_DIRECTORY
            | SmbCommand::COPY
            | SmbCommand::MOVE
            | SmbCommand::TRANSACTION2
            | SmbCommand::FIND_CLOSE2
            | SmbCommand::SEARCH
            | SmbCommand::FIND
            | SmbCommand::FIND_UNIQUE
            | SmbCommand::FIND_CLOSE
            | SmbCommand::NT_TRANSACT
            | SmbCommand::NT_RENAME
    )
}

/// Seconds since 1970 (UTIME, MS-CIFS 2.2.1.4.3) for a FILETIME; 0 before
/// 1970, the largest UTIME after 2106.
fn utime(filetime: u64) -> u32 {
    const EPOCH_DIFF_SECS: u64 = 11_644_473_600;
    let secs = (filetime / 10_000_000).saturating_sub(EPOCH_DIFF_SECS);
    u32::try_from(secs).unwrap_or(u32::MAX)
}

/// The byte range of `part` inside `msg` (a name the parser borrowed from it).
fn range_in(msg: &[u8], part: &[u8]) -> Range<usize> {
    let start = (part.as_ptr() as usize).wrapping_sub(msg.as_ptr() as usize);
    match start.checked_add(part.len()) {
        Some(end) if end <= msg.len() && !part.is_empty() => start..end,
        _ => 0..0,
    }
}

fn smb_str_bytes<'a>(s: &SmbStr<'a>) -> (&'a [u8], bool) {
    match *s {
        SmbStr::Oem(b) => (b, false),
        SmbStr::Unicode(b) => (b, true),
    }
}

impl<S: PipeHandler + ShareCatalogue + PrintFileHandler> Connection<S> {
    /// One file command of a chain: Ok(None) when its response block is
    /// written, Ok(Some(op)) when it waits for the print-file handler, or
    /// the status it fails with.
    pub(super) fn file_command(
        &mut self,
        chain: &mut Chain,
        msg: &[u8],
        block: &Block<'_>,
    ) -> Result<Option<FileOp<S::File>>, NtStatus> {
        let command = chain.command;
        let header = chain.header;
        if !self.sessions.contains_key(&chain.ctx.uid) {
            return Err(NtStatus::STATUS_SMB_BAD_UID);
        }
        let kind = self
            .trees
            .get(&chain.ctx.tid)
            .map(|t| t.kind)
            .ok_or(NtStatus::STATUS_SMB_BAD_TID)?;
        if command == SmbCommand::QUERY_INFORMATION_DISK {
            // 3.3.5.46 (QUERY_INFORMATION_DISK): "Share.Type MUST be Disk;
            // otherwise ... STATUS_SMB_BAD_TID". msrap has no disk share.
            return Err(NtStatus::STATUS_SMB_BAD_TID);
        }
        if kind != ShareKind::Printer {
            return Err(if command == SmbCommand::OPEN_PRINT_FILE {
                // 3.3.5.54: not a printer share.
                NtStatus::STATUS_INVALID_DEVICE_REQUEST
            } else {
                // IPC$ serves no files: refused as a command msrap does not
                // implement, as before print files existed (what `smbclient
                // -L` needs for its RAP fallback).
                unsupported_command(command, header.uses_nt_status())
            });
        }
        let unicode = header.is_unicode();
        match command {
            SmbCommand::OPEN_PRINT_FILE => {
                let r = parse_open_print_file(msg, block, unicode)?;
                self.open_op(
                    chain,
                    msg,
                    OpenReply::PrintFile,
                    r.identifier,
                    r.setup_length,
                    r.mode,
                )
            }
            SmbCommand::NT_CREATE_ANDX => {
                let r = parse_nt_create_andx(msg, block, unicode)?;
                if r.create_disposition > disposition::FILE_OVERWRITE_IF {
                    return Err(NtStatus::STATUS_INVALID_PARAMETER);
                }
                if r.create_options & create_options::FILE_OPEN_BY_FILE_ID != 0 {
                    // 2.2.4.64.1: the server MUST fail with STATUS_NOT_SUPPORTED.
                    return Err(NtStatus::STATUS_NOT_SUPPORTED);
                }
                if r.root_directory_fid != 0 {
                    // No directory is ever open on a printer share.
                    return Err(NtStatus::STATUS_INVALID_HANDLE);
                }
                if r.create_options & create_options::FILE_DIRECTORY_FILE != 0
                    || r.desired_access & PRINTER_WRITE_ACCESS == 0
                {
                    // A printer is written to, never a directory (MS-SMB 2.2.1.4.1).
                    return Err(NtStatus::STATUS_ACCESS_DENIED);
                }
                self.open_op(chain, msg, OpenReply::NtCreate, r.file_name, 0, 1)
            }
            SmbCommand::OPEN_ANDX => {
                let r = parse_open_andx(msg, block, unicode)?;
                // AccessMode 1 (write) or 2 (read/write): a printer is written to.
                if !matches!(r.access(), 1 | 2) {
                    return Err(NtStatus::STATUS_ACCESS_DENIED);
                }
                let req_attrib = r.flags & OPEN_ANDX_REQ_ATTRIB != 0;
                self.open_op(
                    chain,
                    msg,
                    OpenReply::OpenAndx { req_attrib },
                    r.file_name,
                    0,
                    1,
                )
            }
            SmbCommand::WRITE_ANDX => {
                let r = parse_write_andx(msg, block)?;
                let fid = self.chain_fid(chain, r.fid)?;
                Ok(self.write_op(chain, msg, fid, r.offset, r.data, WriteReply::WriteAndx))
            }
            SmbCommand::WRITE => {
                let r = parse_write(block)?;
                let fid = self.chain_fid(chain, r.fid)?;
                Ok(self.write_op(
                    chain,
                    msg,
                    fid,
                    u64::from(r.offset),
                    r.data,
                    WriteReply::Write,
                ))
            }
            SmbCommand::WRITE_PRINT_FILE => {
                let r = parse_write_print_file(block)?;
                let fid = self.chain_fid(chain, r.fid)?;
                // Windows ignores any offset and appends (MS-CIFS <324>).
                let end = self.files.get(&fid).map_or(0, |f| f.end);
                Ok(self.write_op(chain, msg, fid, end, r.data, WriteReply::PrintFile))
            }
            SmbCommand::CLOSE | SmbCommand::CLOSE_PRINT_FILE => {
                let fid = if command == SmbCommand::CLOSE {
                    parse_close(block)?
                } else {
                    parse_close_print_file(block)?
                };
                let fid = self.chain_fid(chain, fid)?;
                let file = self.files.remove(&fid).and_then(|f| f.file);
                chain.ctx.fid = None;
                Ok(Some(FileOp::Close { file }))
            }
            SmbCommand::FLUSH => {
                let fid = parse_flush(block)?;
                // FID 0xFFFF: every file the PID opened (on this session
                // and tree, as each FID must be), 3.3.5.8.
                let fids = if fid == 0xFFFF && chain.ctx.fid.is_none() {
                    let (uid, tid, pid) = (chain.ctx.uid, chain.ctx.tid, chain.header.pid());
                    self.files
                        .iter()
                        .filter(|(_, f)| {
                            f.uid == uid && f.tid == tid && f.pid == pid && f.file.is_some()
                        })
                        .map(|(fid, _)| *fid)
                        .collect()
                } else {
                    vec![self.chain_fid(chain, fid)?]
                };
                if fids.is_empty() {
                    write_empty_block(&mut chain.resp);
                    return Ok(None);
                }
                // The handler commits what it holds back before the answer.
                Ok(Some(FileOp::Flush { fids }))
            }
            c if is_read(c) => {
                let fid = request_fid(c, block).ok_or(NtStatus::STATUS_INVALID_SMB)?;
                self.chain_fid(chain, fid)?;
                // "Attempt to read from an open spool file" (MS-CIFS
                // 2.2.4.11.2, 2.2.4.42.2), a seek or lock on a file that is
                // no regular file (2.2.4.19.2, 2.2.4.13.2, 2.2.4.32.2), "the
                // FID does not specify a disk resource" (2.2.4.30.2).
                Err(NtStatus::STATUS_BAD_DEVICE_TYPE)
            }
            // A disk share's command on a printer share: "a non-printer
            // request made to a printer device" (ERRinvdevice, 2.2.2.4;
            // file creation: 2.2.4.3.2, 2.2.4.4.2, 2.2.4.15.2, 2.2.4.16.2).
            _ => Err(NtStatus::STATUS_BAD_DEVICE_TYPE),
        }
    }

    /// The FID a command works on: the chain's (3.3.5.2.4) or its own,
    /// which must be a print file opened on the request's tree by the
    /// request's session (3.3.5.37: another UID's FID is
    /// STATUS_INVALID_HANDLE).
    fn chain_fid(&self, chain: &mut Chain, fid: u16) -> Result<u16, NtStatus> {
        let fid = chain.ctx.fid.unwrap_or(fid);
        match self.files.get(&fid) {
            Some(f) if f.tid == chain.ctx.tid && f.uid == chain.ctx.uid && f.file.is_some() => {
                chain.ctx.fid = Some(fid);
                Ok(fid)
            }
            _ => Err(NtStatus::STATUS_INVALID_HANDLE),
        }
    }

    /// Reserves a FID and asks the handler for a print file.
    fn open_op(
        &mut self,
        chain: &Chain,
        msg: &[u8],
        reply: OpenReply,
        name: SmbStr<'_>,
        setup_length: u16,
        mode: u16,
    ) -> Result<Option<FileOp<S::File>>, NtStatus> {
        if self.files.len() >= self.params.limits.max_open_files {
            return Err(NtStatus::STATUS_TOO_MANY_OPENED_FILES);
        }
        let fid = alloc_id(&self.files, &mut self.next_fid)
            .ok_or(NtStatus::STATUS_TOO_MANY_OPENED_FILES)?;
        let identity = self
            .sessions
            .get(&chain.ctx.uid)
            .map(Session::identity)
            .unwrap_or_default();
        let share = self
            .trees
            .get(&chain.ctx.tid)
            .map(|t| t.share.clone())
            .unwrap_or_default();
        self.files.insert(
            fid,
            OpenFile {
                tid: chain.ctx.tid,
                uid: chain.ctx.uid,
                pid: chain.header.pid(),
                file: None,
                end: 0,
            },
        );
        let (bytes, unicode) = smb_str_bytes(&name);
        Ok(Some(FileOp::Open {
            fid,
            reply,
            identity,
            share,
            command: chain.command,
            name: range_in(msg, bytes),
            unicode,
            setup_length,
            mode,
        }))
    }

    /// A write of `data` (part of `msg`) at `offset`; nothing to write is
    /// answered at once (a zero-length WRITE would truncate a disk file;
    /// a print file keeps what it has).
    fn write_op(
        &mut self,
        chain: &mut Chain,
        msg: &[u8],
        fid: u16,
        offset: u64,
        data: &[u8],
        reply: WriteReply,
    ) -> Option<FileOp<S::File>> {
        if data.is_empty() {
            write_write_reply(&mut chain.resp, reply, 0);
            return None;
        }
        Some(FileOp::Write {
            fid,
            offset,
            data: range_in(msg, data),
            reply,
        })
    }

    /// Applies a print-file call's outcome: the command's response block
    /// on success, else the status the command fails with.
    pub(super) fn finish_file_op(
        &mut self,
        chain: &mut Chain,
        op: FileOp<S::File>,
        outcome: PrintFileOutcome<S::File>,
    ) -> Result<(), NtStatus> {
        match (op, outcome) {
            (FileOp::Open { fid, reply, .. }, PrintFileOutcome::Opened(Ok(file))) => {
                match self.files.get_mut(&fid) {
                    Some(slot) => slot.file = Some(file),
                    None => {
                        // The reservation is gone (cannot happen while the
                        // call is outstanding): the new file is thrown away.
                        self.aborts.0.push_back(Some(file));
                        return Err(NtStatus::STATUS_INSUFF_SERVER_RESOURCES);
                    }
                }
                chain.ctx.fid = Some(fid);
                self.write_open_reply(chain, fid, reply);
                Ok(())
            }
            (FileOp::Open { fid, .. }, PrintFileOutcome::Opened(Err(s)))
            | (FileOp::Open { fid, .. }, PrintFileOutcome::Failed(s)) => {
                self.files.remove(&fid);
                Err(s)
            }
            (
                FileOp::Write {
                    fid, offset, reply, ..
                },
                PrintFileOutcome::Written(Ok(n)),
            ) => {
                if let Some(f) = self.files.get_mut(&fid) {
                    f.end = f.end.max(offset.saturating_add(u64::from(n)));
                }
                write_write_reply(&mut chain.resp, reply, n);
                Ok(())
            }
            (FileOp::Write { .. }, PrintFileOutcome::Written(Err(s)))
            | (FileOp::Write { .. }, PrintFileOutcome::Failed(s)) => Err(s),
            (FileOp::Close { .. }, PrintFileOutcome::Closed(r)) => {
                r?;
                write_empty_block(&mut chain.resp);
                Ok(())
            }
            (FileOp::Flush { .. }, PrintFileOutcome::Flushed(r)) => {
                r?;
                write_empty_block(&mut chain.resp);
                Ok(())
            }
            (FileOp::Flush { .. }, PrintFileOutcome::Failed(s)) => Err(s),
            (FileOp::Close { file }, PrintFileOutcome::Failed(s)) => {
                if let Some(f) = file {
                    self.aborts.0.push_back(Some(f));
                }
                Err(s)
            }
            // An outcome of another kind: `answer` refuses those before
            // they get here; whatever it carries is cleaned up.
            (op, outcome) => {
                if let FileOp::Open { fid, .. } = op {
                    self.files.remove(&fid);
                }
                if let FileOp::Close { file: Some(f) } = op {
                    self.aborts.0.push_back(Some(f));
                }
                if let PrintFileOutcome::Opened(Ok(f)) = outcome {
                    self.aborts.0.push_back(Some(f));
                }
                Err(NtStatus::STATUS_INVALID_PARAMETER)
            }
        }
    }

    fn write_open_reply(&mut self, chain: &mut Chain, fid: u16, reply: OpenReply) {
        let now = self.system_time;
        match reply {
            OpenReply::PrintFile => write_fid_response(&mut chain.resp, fid),
            OpenReply::NtCreate => NtCreateAndxResponse {
                fid,
                create_action: disposition::FILE_CREATE,
                create_time: now,
                last_access_time: now,
                last_write_time: now,
                last_change_time: now,
                ext_file_attributes: ATTR_NORMAL,
                resource_type: FILE_TYPE_PRINTER,
                ..NtCreateAndxResponse::default()
            }
            .write(&mut chain.resp),
            OpenReply::OpenAndx { req_attrib: false } => OpenAndxResponse {
                fid,
                ..OpenAndxResponse::default()
            }
            .write(&mut chain.resp),
            OpenReply::OpenAndx { req_attrib: true } => OpenAndxResponse {
                fid,
                file_attrs: 0,
                last_write_time: utime(now),
                file_data_size: 0,
                access_rights: 1, // SMB_DA_ACCESS_WRITE: a spool file is write-only
                resource_type: FILE_TYPE_PRINTER,
                nm_pipe_status: 0,
                open_results: 0x0002, // the file did not exist and was created
            }
            .write(&mut chain.resp),
        }
    }
}

/// Whether `outcome` answers `op` (`Failed` answers any).
pub(super) fn outcome_fits<F>(op: &FileOp<F>, outcome: &PrintFileOutcome<F>) -> bool {
    matches!(
        (op, outcome),
        (_, PrintFileOutcome::Failed(_))
            | (FileOp::Open { .. }, PrintFileOutcome::Opened(_))
            | (FileOp::Write { .. }, PrintFileOutcome::Written(_))
            | (FileOp::Close { .. }, PrintFileOutcome::Closed(_))
            | (FileOp::Flush { .. }, PrintFileOutcome::Flushed(_))
    )
}

fn write_write_reply(out: &mut MessageBuilder, reply: WriteReply, n: u32) {
    match reply {
        WriteReply::WriteAndx => write_write_andx_response(out, n),
        WriteReply::Write => write_write_response(out, u16::try_from(n).unwrap_or(u16::MAX)),
        WriteReply::PrintFile => write_empty_block(out),
    }
}
