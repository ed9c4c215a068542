//! Print files: what a printer share does with the files clients write to
//! it, as an interface between the SMB1 layer and whatever spools them.
//!
//! A client prints over SMB1 by creating a file on a printer share
//! (SMB_COM_OPEN_PRINT_FILE, MS-CIFS 3.3.5.54; or NT_CREATE_ANDX /
//! OPEN_ANDX on the printer's tree), writing the data (WRITE_PRINT_FILE,
//! WRITE_ANDX, WRITE) and closing it (CLOSE_PRINT_FILE, CLOSE): "the file
//! will be queued to the printer when closed" (2.2.4.67). The SMB layer
//! parses those commands, keeps the FIDs (per connection, each bound to
//! its tree and session: MS-CIFS 3.3.1.7) and hands each operation to a
//! [`PrintFileHandler`], which owns what a print file is.
//!
//! As with [`super::pipe::PipeHandler`], every operation is a future the
//! connection does not poll: it reports the operation as the connection's
//! outstanding call ([`super::server::Connection::poll_call`]) and takes
//! the result with [`super::server::Connection::answer`]. One call at a
//! time per connection: a WRITE_ANDX's data is written before the next
//! frame is read, so a client streaming a large job costs one message of
//! memory, however fast it sends.
//!
//! The state of an open print file is the handler's [`PrintFileHandler::File`],
//! owned by the connection's FID table: a file the connection drops
//! without [`PrintFileHandler::close_print_file`] or
//! [`PrintFileHandler::abort_print_file`] (its task was cancelled) is
//! dropped, so a handler whose files hold resources cleans up in `Drop`
//! as a last resort.

use std::convert::Infallible;
use std::future::{ready, Future};
use std::sync::Arc;

use crate::codes::NtStatus;

use super::header::SmbCommand;
use super::pipe::Identity;
use super::strings::SmbStr;

/// The longest document name taken from a client, in characters
/// (Windows' MAX_PATH less its terminator); longer names are cut.
pub const MAX_DOCUMENT_NAME: usize = 259;

/// What Windows names a job that arrives as an SMB print file (Samba:
/// "mimic what windows does in this case"); msrap uses it when the client
/// gives no name.
pub const DEFAULT_DOCUMENT_NAME: &str = "Remote Downlevel Document";

/// A request to create a print file.
#[derive(Copy, Clone, Debug)]
#[non_exhaustive]
pub struct PrintFileOpen<'a> {
    /// Who is printing (the session of the request's UID).
    pub identity: &'a Identity,
    /// The printer share, as the share catalogue spells it: the queue.
    pub share: &'a str,
    /// The name the client gave (NT_CREATE_ANDX / OPEN_ANDX `FileName`,
    /// OPEN_PRINT_FILE `Identifier`), as sent: OEM bytes or UTF-16. Data
    /// only: see [`document_name`].
    pub name: SmbStr<'a>,
    /// The command that creates it (OPEN_PRINT_FILE, NT_CREATE_ANDX, OPEN_ANDX).
    pub command: SmbCommand,
    /// OPEN_PRINT_FILE `SetupLength` (0 for the other commands): the first
    /// bytes are printer control data, passed on unmodified like the rest.
    pub setup_length: u16,
    /// OPEN_PRINT_FILE `Mode`: 0 text, 1 binary (1 for the other commands).
    /// msrap passes the data on unmodified in both (text mode only allows
    /// a server to normalise it, MS-CIFS 2.2.4.67.1).
    pub mode: u16,
    /// The connection's time (FILETIME) when the request arrived.
    pub system_time: u64,
}

/// The document name for a print file: the last component of the name the
/// client gave (after any `\` or `/`), decoded (`decode` turns OEM bytes
/// into text; UTF-16 is decoded here, unpaired surrogates as U+FFFD), at
/// most [`MAX_DOCUMENT_NAME`] characters; [`DEFAULT_DOCUMENT_NAME`] when
/// that leaves nothing. The result is data for JOB_INFO_2.pDocument: it
/// must never become a path or part of a command; control characters are
/// kept (log it with `{:?}`).
pub fn document_name(name: SmbStr<'_>, decode: impl FnOnce(&[u8]) -> String) -> String {
    let full = match name {
        SmbStr::Oem(b) => decode(b),
        SmbStr::Unicode(_) => name.to_string_lossy(),
    };
    let last = full.rsplit(['\\', '/']).next().unwrap_or_default();
    let doc: String = last.chars().take(MAX_DOCUMENT_NAME).collect();
    if doc.is_empty() {
        DEFAULT_DOCUMENT_NAME.to_owned()
    } else {
        doc
    }
}

/// What happens to the files clients print: create, write, close (queue
/// for printing) or abort (throw away).
///
/// Every method defaults to a refusal (opening answers
/// STATUS_NOT_SUPPORTED), so a server with no printer shares only names a
/// [`File`](Self::File) type (e.g. [`Infallible`]). Errors are NTSTATUS
/// codes; the SMB layer sends them in the form the client asked for.
pub trait PrintFileHandler {
    /// An open print file: the handler's state for it, owned by the
    /// connection's FID table until it is closed or aborted.
    type File: Send;

    /// Create a print file (and its job) for `open.share`. An error is the
    /// open's answer (e.g. STATUS_ACCESS_DENIED, STATUS_PRINT_QUEUE_FULL).
    fn open_print_file<'a>(
        &'a self,
        open: PrintFileOpen<'a>,
    ) -> impl Future<Output = Result<Self::File, NtStatus>> + Send + 'a {
        let _ = open;
        ready(Err(NtStatus::STATUS_NOT_SUPPORTED))
    }

    /// Write `data` at `offset` (WRITE_ANDX, WRITE; WRITE_PRINT_FILE appends
    /// at the end of what was written: MS-CIFS <324>). Returns the bytes
    /// written. An error (STATUS_DISK_FULL over a limit) is the write's
    /// answer; the file stays open until the client closes it.
    fn write_print_file<'a>(
        &'a self,
        file: &'a mut Self::File,
        offset: u64,
        data: &'a [u8],
    ) -> impl Future<Output = Result<u32, NtStatus>> + Send + 'a {
        let _ = (file, offset, data);
        ready(Err(NtStatus::STATUS_ACCESS_DENIED))
    }

    /// FLUSH (MS-CIFS 3.3.5.8): commit what was written to `file` before
    /// the answer, so that any reader of it sees the same data. Default:
    /// nothing to do (every write was committed when it was answered).
    fn flush_print_file<'a>(
        &'a self,
        file: &'a mut Self::File,
    ) -> impl Future<Output = Result<(), NtStatus>> + Send + 'a {
        let _ = file;
        ready(Ok(()))
    }

    /// The client closed the file (CLOSE, CLOSE_PRINT_FILE): queue the job
    /// for printing. The FID is gone whatever the result; an error is the
    /// close's answer.
    fn close_print_file(
        &self,
        file: Self::File,
    ) -> impl Future<Output = Result<(), NtStatus>> + Send + '_ {
        drop(file);
        ready(Ok(()))
    }

    /// The file will never be closed: its tree or session went away with
    /// it open (TREE_DISCONNECT, LOGOFF_ANDX), or the connection ended.
    /// Throw the job away; no half job may stay visible.
    fn abort_print_file(&self, file: Self::File) -> impl Future<Output = ()> + Send + '_ {
        drop(file);
        ready(())
    }
}

/// A handler that serves no print files (every open is refused).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct NoPrintFiles;

impl PrintFileHandler for NoPrintFiles {
    type File = Infallible;
}

impl<T: PrintFileHandler + ?Sized> PrintFileHandler for &T {
    type File = T::File;

    fn open_print_file<'a>(
        &'a self,
        open: PrintFileOpen<'a>,
    ) -> impl Future<Output = Result<Self::File, NtStatus>> + Send + 'a {
        (**self).open_print_file(open)
    }

    fn write_print_file<'a>(
        &'a self,
        file: &'a mut Self::File,
        offset: u64,
        data: &'a [u8],
    ) -> impl Future<Output = Result<u32, NtStatus>> + Send + 'a {
        (**self).write_print_file(file, offset, data)
    }

    fn flush_print_file<'a>(
        &'a self,
        file: &'a mut Self::File,
    ) -> impl Future<Output = Result<(), NtStatus>> + Send + 'a {
        (**self).flush_print_file(file)
    }

    fn close_print_file(
        &self,
        file: Self::File,
    ) -> impl Future<Output = Result<(), NtStatus>> + Send + '_ {
        (**self).close_print_file(file)
    }

    fn abort_print_file(&self, file: Self::File) -> impl Future<Output = ()> + Send + '_ {
        (**self).abort_print_file(file)
    }
}

impl<T: PrintFileHandler + ?Sized> PrintFileHandler for Arc<T> {
    type File = T::File;

    fn open_print_file<'a>(
        &'a self,
        open: PrintFileOpen<'a>,
    ) -> impl Future<Output = Result<Self::File, NtStatus>> + Send + 'a {
        (**self).open_print_file(open)
    }

    fn write_print_file<'a>(
        &'a self,
        file: &'a mut Self::File,
        offset: u64,
        data: &'a [u8],
    ) -> impl Future<Output = Result<u32, NtStatus>> + Send + 'a {
        (**self).write_print_file(file, offset, data)
    }

    fn flush_print_file<'a>(
        &'a self,
        file: &'a mut Self::File,
    ) -> impl Future<Output = Result<(), NtStatus>> + Send + 'a {
        (**self).flush_print_file(file)
    }

    fn close_print_file(
        &self,
        file: Self::File,
    ) -> impl Future<Output = Result<(), NtStatus>> + Send + '_ {
        (**self).close_print_file(file)
    }

    fn abort_print_file(&self, file: Self::File) -> impl Future<Output = ()> + Send + '_ {
        (**self).abort_print_file(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latin1(b: &[u8]) -> String {
        b.iter().map(|&c| char::from(c)).collect()
    }

    #[test]
    fn document_names_are_the_last_component_bounded() {
        let u = |s: &str| {
            s.encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>()
        };
        let utf16 = u("\\dir\\sub/Report Q3.pdf");
        assert_eq!(
            document_name(SmbStr::Unicode(&utf16), latin1),
            "Report Q3.pdf"
        );
        assert_eq!(document_name(SmbStr::Oem(b"FILE"), latin1), "FILE");
        assert_eq!(
            document_name(SmbStr::Oem(b"\\"), latin1),
            DEFAULT_DOCUMENT_NAME
        );
        assert_eq!(
            document_name(SmbStr::Oem(b""), latin1),
            DEFAULT_DOCUMENT_NAME
        );
        // A name made to look like a command stays data; its length is bounded.
        let evil = format!("a;rm -rf /tmp/x`id`$(reboot)\n%J{}", "x".repeat(1000));
        let doc = document_name(SmbStr::Oem(evil.as_bytes()), latin1);
        assert_eq!(doc.chars().count(), MAX_DOCUMENT_NAME);
        assert!(doc.starts_with("x`id`$(reboot)\n%J"));
    }
}
