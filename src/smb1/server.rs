//! The SMB1 server connection state machine (MS-CIFS 3.3), sans-IO.
//!
//! [`Connection`] takes whole SMB messages and produces response messages;
//! [`ServerConnection`] adds the stream framing, so raw bytes go in and
//! framed bytes come out. No sockets, no clock, no runtime: the caller
//! supplies the time ([`Connection::set_system_time`]) and runs idle
//! timeouts.
//!
//! Supported: NEGOTIATE (NT LM 0.12 without extended security, LAN Manager
//! 1.0–2.1), SESSION_SETUP_ANDX (anonymous and guest), TREE_CONNECT_ANDX
//! (`IPC$` and the shares of a [`ShareCatalogue`]), TRANSACTION on the
//! named pipes of a [`PipeHandler`] with secondaries and multi-part
//! responses, ECHO, TREE_DISCONNECT, LOGOFF_ANDX, print files on printer
//! shares (OPEN_PRINT_FILE, WRITE_PRINT_FILE, CLOSE_PRINT_FILE,
//! NT_CREATE_ANDX, OPEN_ANDX, WRITE_ANDX, WRITE, CLOSE, FLUSH; see
//! [`super::print_file`] and `files.rs`), and AndX chains of the AndX
//! commands.
//!
//! # Calls: events out, answers in
//!
//! A complete transaction on a served pipe becomes a *pipe call*; a print
//! file's open, write, close or abort becomes a *print-file call*. The
//! connection does not run the handler: [`Connection::poll_call`] reports
//! the call ([`Call`]: the handler and what to ask it), [`Call::run`]
//! is the handler's future, and [`Connection::answer`] takes its
//! [`Outcome`] whenever it is ready and writes the response. At most one
//! call is outstanding per connection: [`ServerConnection`] leaves later
//! frames in its buffer until the answer arrives, then processes them, so
//! responses go out in request order, as SMB1 clients expect, and a
//! client streaming a print file costs one message of memory. A command
//! that needs the handler inside an AndX chain suspends the chain there;
//! the answer resumes it. The tokio server awaits the handler's future
//! meanwhile; synchronous callers use [`Connection::handle_message_now`]
//! and [`ServerConnection::receive_now`], which poll it once
//! ([`Call::run_now`]).

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use bytes::BytesMut;

use crate::codes::NtStatus;

use super::andx::AndX;
use super::echo::{
    parse_echo_request, parse_logoff, parse_tree_disconnect, write_echo_response,
    write_empty_block, write_logoff,
};
use super::header::{read_header, HeaderFlags, HeaderFlags2, SmbCommand, SmbHeader, HEADER_LEN};
use super::message::{parse_block, Block, MessageBuilder};
use super::nbss::{
    encode_message, Frame, FrameDecoder, FrameError, Framing, MAX_FRAME_LEN,
    POSITIVE_SESSION_RESPONSE,
};
use super::negotiate::{
    capabilities, choose_dialect, filetime_to_dos, parse_negotiate_request, security_mode,
    write_core_response, Dialect, LanmanNegotiateResponse, NtNegotiateResponse,
};
use super::pipe::{
    transact_now, HandlerPending, Identity, PipeHandler, PipeOutcome, PipeReply, PipeTransaction,
    ShareCatalogue, ShareKind,
};
use super::print_file::{PrintFileHandler, PrintFileOpen};
use super::session_setup::{parse_session_setup_request, SessionSetupResponse, ACTION_GUEST};
use super::strings::SmbStr;
use super::trans::{
    flags as trans_flags, parse_transaction_request, parse_transaction_secondary,
    write_transaction_responses, TransactionAssembler,
};
use super::tree_connect::{
    parse_tree_connect_request, TreeConnectResponse, SERVICE_ANY, SERVICE_IPC, SERVICE_PRINTER,
    SMB_SUPPORT_SEARCH_BITS, TREE_CONNECT_ANDX_DISCONNECT_TID,
};
use super::ParseError;

/// Per-connection caps. Exceeding one yields a defined error response;
/// nothing a client sends grows memory without bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Sessions (UIDs); beyond: STATUS_TOO_MANY_SESSIONS.
    pub max_sessions: usize,
    /// Trees (TIDs); beyond: STATUS_INSUFFICIENT_RESOURCES.
    pub max_trees: usize,
    /// Transactions waiting for secondaries; beyond: STATUS_INSUFFICIENT_RESOURCES.
    pub max_pending_transactions: usize,
    /// Bytes reserved by pending transactions (sum of their totals).
    pub max_pending_bytes: usize,
    /// TotalParameterCount + TotalDataCount of one transaction; beyond:
    /// STATUS_INVALID_PARAMETER. RAP requests are far below 64 KiB.
    pub max_transaction_bytes: usize,
    /// Commands in one AndX chain; beyond: STATUS_INVALID_SMB.
    pub max_andx_chain: usize,
    /// ECHO responses per request (EchoCount is clamped to this).
    pub max_echo_count: u16,
    /// Largest incoming SMB message (≤ 0x1FFFF).
    pub max_message_len: usize,
    /// Print files open at once on one connection (FIDs); beyond:
    /// STATUS_TOO_MANY_OPENED_FILES (ERRDOS/ERRnofids).
    pub max_open_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sessions: 16,
            max_trees: 32,
            max_pending_transactions: 8,
            max_pending_bytes: 256 * 1024,
            max_transaction_bytes: 0xFFFF,
            max_andx_chain: 8,
            max_echo_count: 16,
            max_message_len: MAX_FRAME_LEN,
            max_open_files: 16,
        }
    }
}

/// Server identity and negotiated sizes, shared by all connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerParams {
    /// NetBIOS/host name, sent as ServerName in the NEGOTIATE response.
    pub server_name: String,
    /// Workgroup/domain, sent as DomainName / PrimaryDomain.
    pub domain: String,
    /// NativeOS in the SESSION_SETUP_ANDX response (MS-CIFS 2.2.4.53.2).
    pub native_os: String,
    /// NativeLanMan in the SESSION_SETUP_ANDX response.
    pub native_lanman: String,
    /// MaxBufferSize we advertise (Windows and Samba: 16644).
    pub max_buffer_size: u16,
    /// MaxMpxCount we advertise in the NEGOTIATE response (MS-CIFS 2.2.4.52.2).
    pub max_mpx_count: u16,
    /// Client buffer size used before SESSION_SETUP tells us the real one
    /// (MS-CIFS 3.3.5.42 leaves this open; 4356 is the LAN Manager minimum
    /// Samba assumes).
    pub default_client_buffer_size: u16,
    /// Per-connection caps.
    pub limits: Limits,
}

impl Default for ServerParams {
    fn default() -> Self {
        ServerParams {
            server_name: "MSRAP".into(),
            domain: "WORKGROUP".into(),
            native_os: "Unix".into(),
            native_lanman: "msrap".into(),
            max_buffer_size: 16644,
            max_mpx_count: 50,
            default_client_buffer_size: 4356,
            limits: Limits::default(),
        }
    }
}

/// How a session authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// Empty account name and empty passwords (a null session).
    Anonymous,
    /// Anything else: real authentication is not implemented yet, so every
    /// non-anonymous logon becomes a guest (Action = SMB_SETUP_GUEST).
    Guest,
}

/// What the client sent to authenticate, kept for a future verifier
/// (NTLMv1/v2 against the challenge of this connection).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Credentials {
    /// AccountName from SESSION_SETUP_ANDX (MS-CIFS 2.2.4.53.1).
    pub account_name: String,
    /// PrimaryDomain from SESSION_SETUP_ANDX.
    pub primary_domain: String,
    /// LM / OEM password response (24 bytes for LM challenge/response).
    pub oem_password: Vec<u8>,
    /// NT response (24 bytes NTLMv1, longer for NTLMv2).
    pub unicode_password: Vec<u8>,
}

/// One logged-on user (MS-CIFS 3.3.1.5 Server.Session).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The UID the server assigned (MS-CIFS 2.2.1.6.8).
    pub uid: u16,
    /// How it logged on.
    pub kind: SessionKind,
    /// What the client sent to log on.
    pub credentials: Credentials,
    /// NativeOS from SESSION_SETUP_ANDX.
    pub native_os: String,
}

impl Session {
    /// Who this session is, as a pipe handler sees it.
    pub fn identity(&self) -> Identity {
        let mut id = if self.kind == SessionKind::Anonymous {
            Identity::anonymous()
        } else {
            Identity::guest("", "")
        };
        id.user.clone_from(&self.credentials.account_name);
        id.domain.clone_from(&self.credentials.primary_domain);
        id
    }
}

/// One tree connect (MS-CIFS 3.3.1.6 Server.TreeConnect).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tree {
    /// The TID the server assigned (MS-CIFS 2.2.1.6.7).
    pub tid: u16,
    /// The UID of the session that connected it.
    pub uid: u16,
    /// The share's canonical name: `IPC$`, or as the [`ShareCatalogue`] spells it.
    pub share: String,
    /// What the share is.
    pub kind: ShareKind,
}

/// Key of a transaction awaiting secondaries (MS-CIFS 2.2.4.34: UID, TID,
/// PID and MID identify it).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct TransKey {
    uid: u16,
    tid: u16,
    pid: u32,
    mid: u16,
}

/// A transaction waiting for its secondaries.
#[derive(Clone, Debug)]
struct Reassembling {
    header: SmbHeader,
    pipe: String,
    setup: Vec<u8>,
    max_parameter_count: u16,
    max_data_count: u16,
    flags: u16,
    blocks: TransactionAssembler,
    reserved: usize,
}

/// A complete pipe transaction waiting for the handler's answer. Its
/// buffers are reused by the next call.
#[derive(Clone, Debug, Default)]
struct PipeState {
    /// The primary request's header (the response answers its MID).
    header: SmbHeader,
    pipe: String,
    identity: Identity,
    share: String,
    setup: Vec<u8>,
    params: Vec<u8>,
    data: Vec<u8>,
    max_parameter_count: u16,
    max_data_count: u16,
    flags: u16,
}

/// The request fields a pipe call keeps, besides its blocks.
#[derive(Copy, Clone, Debug)]
struct CallRequest<'a> {
    header: &'a SmbHeader,
    pipe: &'a str,
    setup: &'a [u8],
    max_parameter_count: u16,
    max_data_count: u16,
    flags: u16,
}

/// The outstanding pipe call, from [`Connection::poll_call`]: run
/// `handler.transact(transaction, reply)` (or [`PipeCall::transact`]) and
/// pass the outcome to [`Connection::answer`].
#[derive(Debug)]
#[non_exhaustive]
pub struct PipeCall<'a, H> {
    /// The connection's handler.
    pub handler: &'a H,
    /// The reassembled transaction.
    pub transaction: PipeTransaction<'a>,
    /// Where the handler writes its reply (cleared).
    pub reply: &'a mut PipeReply,
    /// The TRANSACTION request being answered (UID, TID, PID, MID).
    pub header: &'a SmbHeader,
    /// A one-way transaction (NO_RESPONSE): the handler runs, nothing is sent.
    pub one_way: bool,
}

impl<'a, H: PipeHandler> PipeCall<'a, H> {
    /// The handler's future for this call.
    pub fn transact(self) -> impl Future<Output = PipeOutcome> + Send + 'a {
        self.handler.transact(self.transaction, self.reply)
    }

    /// Runs the handler synchronously ([`transact_now`]: one poll).
    pub fn transact_now(self) -> Result<PipeOutcome, HandlerPending> {
        transact_now(self.handler, self.transaction, self.reply)
    }
}

/// The outstanding call of a connection, from [`Connection::poll_call`]:
/// run it ([`Call::run`], or [`Call::run_now`]) and pass the outcome to
/// [`Connection::answer`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Call<'a, S: PrintFileHandler> {
    /// A transaction on a named pipe.
    Pipe(PipeCall<'a, S>),
    /// An operation on a print file.
    PrintFile(PrintFileCall<'a, S>),
}

impl<'a, S: PipeHandler + PrintFileHandler> Call<'a, S> {
    /// The handler's future for this call.
    pub async fn run(self) -> Outcome<S::File> {
        match self {
            Call::Pipe(c) => Outcome::Pipe(c.transact().await),
            Call::PrintFile(c) => Outcome::PrintFile(c.run().await),
        }
    }

    /// Runs the call synchronously: polls its future once (for handlers
    /// that answer at once: tests, the fuzz harness, in-process callers).
    pub fn run_now(self) -> Result<Outcome<S::File>, HandlerPending> {
        let mut future = pin!(self.run());
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(outcome) => Ok(outcome),
            Poll::Pending => Err(HandlerPending),
        }
    }

    /// The request being answered (none for an abort, which answers no request).
    pub fn header(&self) -> Option<&SmbHeader> {
        match self {
            Call::Pipe(c) => Some(c.header),
            Call::PrintFile(c) => c.header,
        }
    }

    /// The call as the driver logs it: the pipe name, or the print-file
    /// operation.
    pub fn describe(&self) -> &str {
        match self {
            Call::Pipe(c) => c.transaction.pipe,
            Call::PrintFile(c) => c.kind().name(),
        }
    }

    /// The pipe call, if this is one.
    pub fn into_pipe(self) -> Option<PipeCall<'a, S>> {
        match self {
            Call::Pipe(c) => Some(c),
            Call::PrintFile(_) => None,
        }
    }
}

/// What a print-file call asks of the handler.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrintFileCallKind {
    /// [`PrintFileHandler::open_print_file`].
    Open,
    /// [`PrintFileHandler::write_print_file`] of `len` bytes at `offset`.
    Write {
        /// Where.
        offset: u64,
        /// How many bytes.
        len: usize,
    },
    /// [`PrintFileHandler::close_print_file`].
    Close,
    /// [`PrintFileHandler::flush_print_file`] of `files` print files.
    Flush {
        /// How many.
        files: usize,
    },
    /// [`PrintFileHandler::abort_print_file`].
    Abort,
}

impl PrintFileCallKind {
    /// `open`, `write`, `close` or `abort`.
    pub fn name(self) -> &'static str {
        match self {
            PrintFileCallKind::Open => "print file open",
            PrintFileCallKind::Write { .. } => "print file write",
            PrintFileCallKind::Close => "print file close",
            PrintFileCallKind::Flush { .. } => "print file flush",
            PrintFileCallKind::Abort => "print file abort",
        }
    }
}

/// An outstanding print-file operation ([`Call::PrintFile`]).
pub struct PrintFileCall<'a, H: PrintFileHandler> {
    handler: &'a H,
    header: Option<&'a SmbHeader>,
    op: FileOpRef<'a, H::File>,
}

impl<H: PrintFileHandler> fmt::Debug for PrintFileCall<'_, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrintFileCall")
            .field("header", &self.header)
            .field("kind", &self.kind())
            .finish()
    }
}

/// What a print-file call borrows from the connection.
enum FileOpRef<'a, F> {
    Open(PrintFileOpen<'a>),
    Write {
        file: &'a mut F,
        offset: u64,
        data: &'a [u8],
    },
    /// The file moves into the handler's future when it runs.
    Close(&'a mut Option<F>),
    Flush(Vec<&'a mut F>),
    Abort(&'a mut Option<F>),
    /// The connection's state did not allow the call (a caller error):
    /// answered at once with this status.
    Fail(NtStatus),
}

impl<'a, H: PrintFileHandler> PrintFileCall<'a, H> {
    /// What the call asks.
    pub fn kind(&self) -> PrintFileCallKind {
        match &self.op {
            FileOpRef::Open(_) | FileOpRef::Fail(_) => PrintFileCallKind::Open,
            FileOpRef::Write { offset, data, .. } => PrintFileCallKind::Write {
                offset: *offset,
                len: data.len(),
            },
            FileOpRef::Close(_) => PrintFileCallKind::Close,
            FileOpRef::Flush(files) => PrintFileCallKind::Flush { files: files.len() },
            FileOpRef::Abort(_) => PrintFileCallKind::Abort,
        }
    }

    /// The request being answered (none for an abort).
    pub fn header(&self) -> Option<&'a SmbHeader> {
        self.header
    }

    /// The handler's future for this call.
    pub async fn run(self) -> PrintFileOutcome<H::File> {
        match self.op {
            FileOpRef::Open(open) => {
                PrintFileOutcome::Opened(self.handler.open_print_file(open).await)
            }
            FileOpRef::Write { file, offset, data } => {
                PrintFileOutcome::Written(self.handler.write_print_file(file, offset, data).await)
            }
            FileOpRef::Close(slot) => match slot.take() {
                Some(file) => PrintFileOutcome::Closed(self.handler.close_print_file(file).await),
                None => PrintFileOutcome::Closed(Err(NtStatus::STATUS_INVALID_HANDLE)),
            },
            FileOpRef::Flush(files) => {
                // 3.3.5.8: the first error is the answer; no more files
                // are flushed.
                for file in files {
                    if let Err(s) = self.handler.flush_print_file(file).await {
                        return PrintFileOutcome::Flushed(Err(s));
                    }
                }
                PrintFileOutcome::Flushed(Ok(()))
            }
            FileOpRef::Abort(slot) => {
                if let Some(file) = slot.take() {
                    self.handler.abort_print_file(file).await;
                }
                PrintFileOutcome::Aborted
            }
            FileOpRef::Fail(status) => PrintFileOutcome::Failed(status),
        }
    }
}

/// A call's result, for [`Connection::answer`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome<F> {
    /// A pipe call's outcome.
    Pipe(PipeOutcome),
    /// A print-file call's outcome.
    PrintFile(PrintFileOutcome<F>),
}

impl<F> From<PipeOutcome> for Outcome<F> {
    fn from(o: PipeOutcome) -> Self {
        Outcome::Pipe(o)
    }
}

impl<F> From<PrintFileOutcome<F>> for Outcome<F> {
    fn from(o: PrintFileOutcome<F>) -> Self {
        Outcome::PrintFile(o)
    }
}

/// A print-file call's result.
#[derive(Debug)]
#[non_exhaustive]
pub enum PrintFileOutcome<F> {
    /// [`PrintFileHandler::open_print_file`]'s result.
    Opened(Result<F, NtStatus>),
    /// [`PrintFileHandler::write_print_file`]'s result.
    Written(Result<u32, NtStatus>),
    /// [`PrintFileHandler::close_print_file`]'s result.
    Closed(Result<(), NtStatus>),
    /// [`PrintFileHandler::flush_print_file`]'s result (the first error).
    Flushed(Result<(), NtStatus>),
    /// [`PrintFileHandler::abort_print_file`] finished.
    Aborted,
    /// The call could not be made (see [`PrintFileCall::run`]).
    Failed(NtStatus),
}

/// A record of one handled request, for logging by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The request header's `Command` (for an AndX chain, its first command).
    pub command: SmbCommand,
    /// The request's `UID`.
    pub uid: u16,
    /// The request's `TID`.
    pub tid: u16,
    /// The request's PID (`PIDHigh` << 16 | `PIDLow`).
    pub pid: u32,
    /// The request's `MID`.
    pub mid: u16,
    /// The status answered (STATUS_SUCCESS for a success).
    pub status: NtStatus,
    /// For pipe transactions: the first parameter word (on `\PIPE\LANMAN`,
    /// the RAP opcode).
    pub rap_opcode: Option<u16>,
    /// Response parameter and data bytes (transactions).
    pub response_bytes: (usize, usize),
}

/// Keep at most this many unread events.
const MAX_EVENTS: usize = 256;

/// Why a connection must be closed (no response can be sent).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The byte stream cannot be framed.
    #[error("framing: {0}")]
    Frame(#[from] FrameError),
    /// The SMB header itself is unreadable: there is no MID to answer.
    #[error("malformed SMB header: {0}")]
    Malformed(ParseError),
    /// A command other than NEGOTIATE before NEGOTIATE succeeded
    /// (MS-CIFS 3.3.5.2: the server disconnects).
    #[error("{0} before NEGOTIATE")]
    NotNegotiated(SmbCommand),
    /// On port 139, something other than a NetBIOS session request came
    /// first (RFC 1002 §4.3.2).
    #[error("NetBIOS session request expected first")]
    ExpectedSessionRequest,
    /// A NetBIOS packet a server does not accept here (a second session
    /// request, a session response).
    #[error("unexpected NetBIOS packet")]
    UnexpectedNetBios,
    /// Bytes kept arriving while a pipe call was outstanding, beyond one
    /// maximal frame: the caller must stop reading until it answers
    /// ([`ServerConnection::wants_input`]).
    #[error("input backlog while a pipe call is outstanding")]
    Backlog,
    /// [`Connection::handle_message`] while a call is outstanding (a
    /// caller error: answer it first).
    #[error("a call is outstanding")]
    CallOutstanding,
    /// [`Connection::answer`] without an outstanding call, or with the
    /// outcome of another kind of call (a caller error).
    #[error("no such call is outstanding")]
    NoCall,
    /// A synchronous driver's handler did not answer at once.
    #[error(transparent)]
    HandlerPending(#[from] HandlerPending),
    /// A client this server cannot serve (SMB2/3, or no SMB1 dialect in
    /// common); it was answered as [`super::refusal`] says.
    #[error("{0}")]
    Refused(super::refusal::Refusal),
}

/// State carried along an AndX chain: the UID/TID the next command uses,
/// and the FID the previous command opened or used (MS-CIFS 3.3.5.2.4:
/// later commands of the chain use it).
#[derive(Copy, Clone, Debug)]
struct ChainCtx {
    uid: u16,
    tid: u16,
    fid: Option<u16>,
}

/// An AndX chain being processed (a lone command is a chain of one): where
/// it is and the response built so far. Kept with the outstanding call
/// when a command in it waits for the print-file handler.
#[derive(Debug)]
struct Chain {
    header: SmbHeader,
    resp: MessageBuilder,
    ctx: ChainCtx,
    status: NtStatus,
    done: usize,
    command: SmbCommand,
    block_offset: usize,
    /// Where the current command's response block starts.
    mark: usize,
}

/// One print file open on the connection (MS-CIFS 3.3.1.7).
struct OpenFile<F> {
    tid: u16,
    uid: u16,
    /// The PID of the request that opened it (FLUSH of FID 0xFFFF).
    pid: u32,
    /// The handler's file; `None` while an open call for this FID is outstanding.
    file: Option<F>,
    /// The end of the data written so far (WRITE_PRINT_FILE appends there).
    end: u64,
}

impl<F> fmt::Debug for OpenFile<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenFile")
            .field("tid", &self.tid)
            .field("uid", &self.uid)
            .field("open", &self.file.is_some())
            .field("end", &self.end)
            .finish()
    }
}

/// How an open's response is written.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum OpenReply {
    NtCreate,
    OpenAndx { req_attrib: bool },
    PrintFile,
}

/// How a write's response is written.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum WriteReply {
    WriteAndx,
    Write,
    PrintFile,
}

/// The print-file operation a suspended chain waits for.
enum FileOp<F> {
    Open {
        fid: u16,
        reply: OpenReply,
        identity: Identity,
        share: String,
        command: SmbCommand,
        name: Range<usize>,
        unicode: bool,
        setup_length: u16,
        mode: u16,
    },
    Write {
        fid: u16,
        offset: u64,
        data: Range<usize>,
        reply: WriteReply,
    },
    Close {
        file: Option<F>,
    },
    /// FLUSH of these print files, in this order.
    Flush {
        fids: Vec<u16>,
    },
}

/// A chain suspended at a print-file operation, with its request message.
struct FileStep<F> {
    chain: Chain,
    msg: Vec<u8>,
    op: FileOp<F>,
}

/// The outstanding call.
enum Outstanding<F> {
    Pipe(Box<PipeState>),
    File(Box<FileStep<F>>),
}

impl<F> fmt::Debug for Outstanding<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outstanding::Pipe(c) => f.debug_tuple("Pipe").field(c).finish(),
            Outstanding::File(step) => f.debug_tuple("File").field(&step.chain).finish(),
        }
    }
}

/// Print files to abort, each an outstanding call in turn.
struct Aborts<F>(VecDeque<Option<F>>);

impl<F> fmt::Debug for Aborts<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Aborts({})", self.0.len())
    }
}

/// The per-connection SMB1 server state machine, serving the pipes, shares
/// and print files of `S` (a [`PipeHandler`], [`ShareCatalogue`] and
/// [`PrintFileHandler`]).
pub struct Connection<S: PrintFileHandler> {
    handler: S,
    params: Arc<ServerParams>,
    challenge: [u8; 8],
    system_time: u64,
    dialect: Option<Dialect>,
    client_max_buffer_size: Option<u16>,
    sessions: BTreeMap<u16, Session>,
    trees: BTreeMap<u16, Tree>,
    next_uid: u16,
    next_tid: u16,
    pending: BTreeMap<TransKey, Reassembling>,
    pending_bytes: usize,
    call: Option<Outstanding<S::File>>,
    spare_call: Option<Box<PipeState>>,
    reply: PipeReply,
    files: BTreeMap<u16, OpenFile<S::File>>,
    next_fid: u16,
    aborts: Aborts<S::File>,
    /// Responses held back until the aborts before them are done.
    deferred: Vec<Vec<u8>>,
    spare_msg: Vec<u8>,
    events: Vec<Event>,
}

impl<S: PrintFileHandler + fmt::Debug> fmt::Debug for Connection<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("handler", &self.handler)
            .field("dialect", &self.dialect)
            .field("sessions", &self.sessions)
            .field("trees", &self.trees)
            .field("pending", &self.pending.len())
            .field("call", &self.call)
            .field("files", &self.files)
            .field("aborts", &self.aborts)
            .finish_non_exhaustive()
    }
}

impl<S: PrintFileHandler> Connection<S> {
    /// The time for NEGOTIATE responses, as a FILETIME (100 ns since 1601).
    pub fn set_system_time(&mut self, filetime: u64) {
        self.system_time = filetime;
    }

    /// The dialect NEGOTIATE chose, if it has run.
    pub fn dialect(&self) -> Option<Dialect> {
        self.dialect
    }

    /// The logged-on sessions, by UID.
    pub fn sessions(&self) -> impl Iterator<Item = &Session> {
        self.sessions.values()
    }

    /// The connected trees, by TID.
    pub fn trees(&self) -> impl Iterator<Item = &Tree> {
        self.trees.values()
    }

    /// Transactions waiting for secondaries, and the bytes they reserve.
    pub fn pending_transactions(&self) -> (usize, usize) {
        (self.pending.len(), self.pending_bytes)
    }

    /// The pipe handler and share catalogue.
    pub fn handler(&self) -> &S {
        &self.handler
    }

    /// Whether a call waits for its answer ([`poll_call`](Self::poll_call)).
    pub fn has_call(&self) -> bool {
        self.call.is_some() || !self.aborts.0.is_empty()
    }

    /// Print files open on this connection.
    pub fn open_files(&self) -> usize {
        self.files.values().filter(|f| f.file.is_some()).count()
    }

    /// Takes every print file the connection holds (open, waiting to be
    /// aborted, or in the outstanding call), for a driver whose connection
    /// ends: it must abort each ([`PrintFileHandler::abort_print_file`]).
    /// The outstanding call, if any, is dropped.
    pub fn take_print_files(&mut self) -> Vec<S::File> {
        let mut v: Vec<S::File> = Vec::new();
        if let Some(Outstanding::File(step)) = self.call.take() {
            if let FileOp::Close { file: Some(f) } = step.op {
                v.push(f);
            }
        }
        v.extend(self.aborts.0.drain(..).flatten());
        self.deferred.clear();
        v.extend(
            std::mem::take(&mut self.files)
                .into_values()
                .filter_map(|f| f.file),
        );
        v
    }

    /// Takes the events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

impl<S: PipeHandler + ShareCatalogue + PrintFileHandler> Connection<S> {
    /// A fresh connection. `challenge` is this connection's 8-byte
    /// challenge (MS-CIFS 3.3.5.42; only sent, not yet verified).
    pub fn new(handler: S, params: Arc<ServerParams>, challenge: [u8; 8]) -> Connection<S> {
        Connection {
            handler,
            params,
            challenge,
            system_time: 0,
            dialect: None,
            client_max_buffer_size: None,
            sessions: BTreeMap::new(),
            trees: BTreeMap::new(),
            next_uid: 100,
            next_tid: 1,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            call: None,
            spare_call: None,
            reply: PipeReply::default(),
            files: BTreeMap::new(),
            next_fid: 0x4000,
            aborts: Aborts(VecDeque::new()),
            deferred: Vec::new(),
            spare_msg: Vec::new(),
            events: Vec::new(),
        }
    }

    /// The outstanding call, if any: "this transaction needs an answer",
    /// "this print file needs writing". A pipe call's reply buffers are
    /// empty until the handler fills them. The call stays outstanding until
    /// [`answer`](Self::answer); polling again returns the same call (a
    /// close or abort whose future already took its file answers
    /// STATUS_INVALID_HANDLE / nothing the second time).
    pub fn poll_call(&mut self) -> Option<Call<'_, S>> {
        let Connection {
            handler,
            call,
            reply,
            files,
            aborts,
            system_time,
            ..
        } = self;
        let handler = &*handler;
        match call {
            Some(Outstanding::Pipe(c)) => Some(Call::Pipe(PipeCall {
                handler,
                transaction: PipeTransaction {
                    pipe: &c.pipe,
                    identity: &c.identity,
                    share: &c.share,
                    setup: &c.setup,
                    parameters: &c.params,
                    data: &c.data,
                    max_parameter_count: c.max_parameter_count,
                    max_data_count: c.max_data_count,
                    system_time: *system_time,
                },
                reply,
                header: &c.header,
                one_way: c.flags & trans_flags::NO_RESPONSE != 0,
            })),
            Some(Outstanding::File(step)) => {
                let FileStep { chain, msg, op } = &mut **step;
                let op = match op {
                    FileOp::Open {
                        identity,
                        share,
                        command,
                        name,
                        unicode,
                        setup_length,
                        mode,
                        ..
                    } => {
                        let bytes = msg.get(name.clone()).unwrap_or_default();
                        FileOpRef::Open(PrintFileOpen {
                            identity,
                            share,
                            name: if *unicode {
                                SmbStr::Unicode(bytes)
                            } else {
                                SmbStr::Oem(bytes)
                            },
                            command: *command,
                            setup_length: *setup_length,
                            mode: *mode,
                            system_time: *system_time,
                        })
                    }
                    FileOp::Write {
                        fid, offset, data, ..
                    } => match (
                        files.get_mut(fid).and_then(|f| f.file.as_mut()),
                        msg.get(data.clone()),
                    ) {
                        (Some(file), Some(data)) => FileOpRef::Write {
                            file,
                            offset: *offset,
                            data,
                        },
                        _ => FileOpRef::Fail(NtStatus::STATUS_INVALID_HANDLE),
                    },
                    FileOp::Close { file } => FileOpRef::Close(file),
                    FileOp::Flush { fids } => {
                        let mut picked: Vec<(u16, &mut S::File)> = files
                            .iter_mut()
                            .filter(|(fid, _)| fids.contains(fid))
                            .filter_map(|(fid, f)| f.file.as_mut().map(|f| (*fid, f)))
                            .collect();
                        picked.sort_by_key(|(fid, _)| *fid);
                        FileOpRef::Flush(picked.into_iter().map(|(_, f)| f).collect())
                    }
                };
                Some(Call::PrintFile(PrintFileCall {
                    handler,
                    header: Some(&chain.header),
                    op,
                }))
            }
            None => aborts.0.front_mut().map(|file| {
                Call::PrintFile(PrintFileCall {
                    handler,
                    header: None,
                    op: FileOpRef::Abort(file),
                })
            }),
        }
    }

    /// The answer to the outstanding call: appends its response message(s)
    /// (none for a one-way transaction or an abort) and carries on with
    /// what the call held up (the rest of an AndX chain, a transaction's
    /// DISCONNECT_TID flag). `outcome` must be the outstanding call's kind
    /// (a [`PipeOutcome`] converts); anything else is
    /// [`ConnectionError::NoCall`] and leaves the call outstanding.
    ///
    /// The pipe handler should stay within MaxParameterCount/MaxDataCount
    /// (CVE-2002-0724: a zero maximum must not break anything). If it does
    /// not, the blocks are cut to the maxima and the status is
    /// STATUS_BUFFER_OVERFLOW (DOS: ERRDOS/ERRmoredata), as for a
    /// named-pipe transaction whose reply does not fit (MS-CIFS 3.3.5.57
    /// does not say what a pipe server does here; this is our choice).
    pub fn answer(
        &mut self,
        outcome: impl Into<Outcome<S::File>>,
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), ConnectionError> {
        let before = out.len();
        match (self.call.take(), outcome.into()) {
            (Some(Outstanding::Pipe(call)), Outcome::Pipe(o)) => {
                self.answer_pipe(call, o, out);
            }
            (Some(Outstanding::File(step)), Outcome::PrintFile(o))
                if files::outcome_fits(&step.op, &o) =>
            {
                self.answer_file(*step, o, out);
            }
            (None, Outcome::PrintFile(PrintFileOutcome::Aborted)) if !self.aborts.0.is_empty() => {
                self.aborts.0.pop_front();
            }
            (call, _) => {
                self.call = call;
                return Err(ConnectionError::NoCall);
            }
        }
        self.hold_behind_aborts(out, before);
        Ok(())
    }

    /// The responses from `out[before..]` wait while print files are being
    /// aborted (a TREE_DISCONNECT, LOGOFF_ANDX or DISCONNECT_TID with files
    /// open): the client hears of the disconnect once their jobs are gone.
    /// When the last abort is done, the held responses go out first.
    fn hold_behind_aborts(&mut self, out: &mut Vec<Vec<u8>>, before: usize) {
        let before = before.min(out.len());
        if !self.aborts.0.is_empty() {
            self.deferred.extend(out.drain(before..));
        } else if !self.deferred.is_empty() {
            out.splice(before..before, self.deferred.drain(..));
        }
    }

    fn answer_pipe(&mut self, call: Box<PipeState>, outcome: PipeOutcome, out: &mut Vec<Vec<u8>>) {
        let opcode = call
            .params
            .first_chunk::<2>()
            .map(|b| u16::from_le_bytes(*b));
        let one_way = call.flags & trans_flags::NO_RESPONSE != 0;
        let mut h = reply_header(&call.header);
        h.command = SmbCommand::TRANSACTION;
        let (status, sizes) = match outcome {
            PipeOutcome::Reply => {
                let mut status = NtStatus::STATUS_SUCCESS;
                let mut p = self.reply.params.as_slice();
                let mut d = self.reply.data.as_slice();
                if let Some(cut) = p
                    .get(..usize::from(call.max_parameter_count))
                    .filter(|c| c.len() < p.len())
                {
                    p = cut;
                    status = NtStatus::STATUS_BUFFER_OVERFLOW;
                }
                if let Some(cut) = d
                    .get(..usize::from(call.max_data_count))
                    .filter(|c| c.len() < d.len())
                {
                    d = cut;
                    status = NtStatus::STATUS_BUFFER_OVERFLOW;
                }
                if !one_way {
                    h.set_status(status);
                    let max = usize::from(
                        self.client_max_buffer_size
                            .unwrap_or(self.params.default_client_buffer_size),
                    );
                    out.extend(write_transaction_responses(&h, p, d, max));
                }
                (status, (p.len(), d.len()))
            }
            PipeOutcome::Fail(status) => {
                if !one_way {
                    out.push(error_message(&h, status));
                }
                (status, (0, 0))
            }
        };
        if call.flags & trans_flags::DISCONNECT_TID != 0 {
            self.remove_tree(call.header.tid);
        }
        self.record(&h, status, opcode, sizes);
        self.reply.clear();
        self.spare_call = Some(call);
    }

    /// Synchronous driver: [`handle_message`](Self::handle_message), then
    /// the calls it started (if any) answered at once by polling the
    /// handler's futures once. A handler that is not ready yields
    /// [`ConnectionError::HandlerPending`] (the call stays outstanding).
    pub fn handle_message_now(
        &mut self,
        msg: &[u8],
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), ConnectionError> {
        self.handle_message(msg, out)?;
        self.answer_now(out)
    }

    /// Answers the outstanding calls, if any, each by polling the
    /// handler's future once (a print file's open, write and close, or the
    /// aborts a TREE_DISCONNECT leaves, may follow one another).
    pub fn answer_now(&mut self, out: &mut Vec<Vec<u8>>) -> Result<(), ConnectionError> {
        while let Some(call) = self.poll_call() {
            let outcome = call.run_now()?;
            self.answer(outcome, out)?;
        }
        Ok(())
    }

    /// Handles one SMB message; appends zero or more response messages. A
    /// complete transaction on a served pipe, or a print-file command,
    /// appends nothing (or only what came before it in an AndX chain): it
    /// becomes the outstanding call ([`poll_call`](Self::poll_call)), and
    /// no other message may be handled until it is answered.
    pub fn handle_message(
        &mut self,
        msg: &[u8],
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), ConnectionError> {
        if self.has_call() {
            return Err(ConnectionError::CallOutstanding);
        }
        let req = read_header(msg).map_err(ConnectionError::Malformed)?;
        if req.is_reply() {
            // A response sent to a server: nothing to answer (Samba drops these too).
            return Ok(());
        }
        if self.dialect.is_none() && req.command != SmbCommand::NEGOTIATE {
            return Err(ConnectionError::NotNegotiated(req.command));
        }
        let block = match parse_block(msg, HEADER_LEN) {
            Ok(b) => b,
            Err(e) => {
                self.reply_error(&req, e.status(), out);
                return Ok(());
            }
        };
        let before = out.len();
        match req.command {
            SmbCommand::NEGOTIATE => self.negotiate(&req, &block, out),
            SmbCommand::SESSION_SETUP_ANDX
            | SmbCommand::TREE_CONNECT_ANDX
            | SmbCommand::LOGOFF_ANDX => self.start_chain(&req, msg, out),
            SmbCommand::TRANSACTION => self.transaction(&req, msg, &block, out),
            SmbCommand::TRANSACTION_SECONDARY => self.transaction_secondary(&req, msg, &block, out),
            SmbCommand::ECHO => self.echo(&req, &block, out),
            SmbCommand::TREE_DISCONNECT => self.tree_disconnect(&req, &block, out),
            // The file commands (files.rs): print files on printer shares,
            // the errors a printer share gives the others, and IPC$'s
            // refusal as before.
            c if files::is_file_command(c) => self.start_chain(&req, msg, out),
            // A command msrap does not implement (NT_CREATE_ANDX of
            // `\srvsvc`, TRANSACTION2, OPEN_ANDX...) or a code that is no
            // command at all: a real error in the form the client asked
            // for (MS-CIFS 3.3.5.2; see `unsupported_command`).
            _ => {
                let status = unsupported_command(req.command, req.uses_nt_status());
                self.reply_error(&req, status, out)
            }
        }
        self.hold_behind_aborts(out, before);
        Ok(())
    }

    fn record(
        &mut self,
        req: &SmbHeader,
        status: NtStatus,
        rap_opcode: Option<u16>,
        bytes: (usize, usize),
    ) {
        if self.events.len() < MAX_EVENTS {
            self.events.push(Event {
                command: req.command,
                uid: req.uid,
                tid: req.tid,
                pid: req.pid(),
                mid: req.mid,
                status,
                rap_opcode,
                response_bytes: bytes,
            });
        }
    }

    fn reply_error(&mut self, req: &SmbHeader, status: NtStatus, out: &mut Vec<Vec<u8>>) {
        self.record(req, status, None, (0, 0));
        out.push(error_message(req, status));
    }

    // ---- NEGOTIATE (MS-CIFS 3.3.5.42) ----

    fn negotiate(&mut self, req: &SmbHeader, block: &Block<'_>, out: &mut Vec<Vec<u8>>) {
        if self.dialect.is_some() {
            // Only one NEGOTIATE per connection (MS-CIFS 2.2.4.52: later
            // ones are rejected with an error and no action).
            return self.reply_error(req, NtStatus::STATUS_INVALID_SMB, out);
        }
        let offered = match parse_negotiate_request(block) {
            Ok(r) => r,
            Err(e) => return self.reply_error(req, e.status(), out),
        };
        let mut h = reply_header(req);
        let p = Arc::clone(&self.params);
        let msg = match choose_dialect(&offered) {
            Some((index, Dialect::NtLm012)) => {
                // We speak Unicode and NT status codes; say so in Flags2 as
                // Windows does, and send the strings in Unicode.
                h.flags2 |=
                    HeaderFlags2::UNICODE | HeaderFlags2::NT_STATUS | HeaderFlags2::LONG_NAMES;
                let mut b = MessageBuilder::new(&h);
                NtNegotiateResponse {
                    dialect_index: index,
                    // User-level, challenge/response: a client never has a
                    // reason to send a plaintext password (CVE-2016-2124).
                    security_mode: security_mode::USER_SECURITY | security_mode::ENCRYPT_PASSWORDS,
                    max_mpx_count: p.max_mpx_count,
                    max_number_vcs: 1,
                    max_buffer_size: u32::from(p.max_buffer_size),
                    max_raw_size: 65536,
                    session_key: 0,
                    // No CAP_EXTENDED_SECURITY (no SPNEGO), no CAP_NT_SMBS
                    // (no NT_CREATE_ANDX/NT_TRANSACT), no CAP_LARGE_FILES.
                    capabilities: capabilities::UNICODE | capabilities::STATUS32,
                    system_time: self.system_time,
                    server_time_zone: 0,
                    challenge: self.challenge.to_vec(),
                    domain_name: p.domain.clone(),
                    server_name: p.server_name.clone(),
                }
                .write(&mut b, true);
                self.dialect = Some(Dialect::NtLm012);
                b.finish()
            }
            Some((index, d)) => {
                h.flags2.remove(HeaderFlags2::UNICODE);
                let mut b = MessageBuilder::new(&h);
                let (server_time, server_date) = filetime_to_dos(self.system_time);
                LanmanNegotiateResponse {
                    dialect_index: index,
                    security_mode: u16::from(
                        security_mode::USER_SECURITY | security_mode::ENCRYPT_PASSWORDS,
                    ),
                    max_buffer_size: p.max_buffer_size,
                    max_mpx_count: p.max_mpx_count,
                    max_number_vcs: 1,
                    raw_mode: 0,
                    session_key: 0,
                    server_time,
                    server_date,
                    server_time_zone: 0,
                    challenge: self.challenge.to_vec(),
                    domain_name: p.domain.clone(),
                }
                .write(&mut b);
                self.dialect = Some(d);
                b.finish()
            }
            None => {
                // Nothing acceptable: core-protocol form, DialectIndex 0xFFFF
                // (MS-CIFS 3.3.5.42). The connection stays un-negotiated.
                let mut b = MessageBuilder::new(&h);
                write_core_response(&mut b, 0xFFFF);
                b.finish()
            }
        };
        self.record(req, NtStatus::STATUS_SUCCESS, None, (0, 0));
        out.push(msg);
    }

    // ---- AndX chains (MS-CIFS 2.2.3.4, 3.3.5.2) ----

    /// Processes a message whose first command is chainable or a file
    /// command: SESSION_SETUP_ANDX / TREE_CONNECT_ANDX / LOGOFF_ANDX, the
    /// print-file commands (files.rs), and their followers. Offsets must
    /// move strictly forward, stay inside the message, and the chain is at
    /// most `max_andx_chain` long. On the first failure, processing stops:
    /// the reply holds the responses of the commands that succeeded, then
    /// an empty block (WordCount 0, ByteCount 0) for the failed one, and the
    /// header carries its status. A command that needs the print-file
    /// handler suspends the chain: the message is kept with the outstanding
    /// call and the answer resumes it ([`answer`](Self::answer)).
    fn start_chain(&mut self, req: &SmbHeader, msg: &[u8], out: &mut Vec<Vec<u8>>) {
        let chain = Chain {
            header: *req,
            resp: MessageBuilder::new(&reply_header(req)),
            ctx: ChainCtx {
                uid: req.uid,
                tid: req.tid,
                fid: None,
            },
            status: NtStatus::STATUS_SUCCESS,
            done: 0,
            command: req.command,
            block_offset: HEADER_LEN,
            mark: HEADER_LEN,
        };
        if let Some((chain, op)) = self.run_chain(chain, msg, out) {
            let mut kept = std::mem::take(&mut self.spare_msg);
            kept.clear();
            kept.extend_from_slice(msg);
            self.suspend(chain, kept, op);
        }
    }

    fn suspend(&mut self, chain: Chain, msg: Vec<u8>, op: FileOp<S::File>) {
        self.call = Some(Outstanding::File(Box::new(FileStep { chain, msg, op })));
    }

    /// Runs `chain` from its current command until it ends (the response is
    /// appended to `out`) or a command suspends it on a print-file call
    /// (returned, with the command's block still to be written).
    fn run_chain(
        &mut self,
        mut chain: Chain,
        msg: &[u8],
        out: &mut Vec<Vec<u8>>,
    ) -> Option<(Chain, FileOp<S::File>)> {
        loop {
            let block = match parse_block(msg, chain.block_offset) {
                Ok(b) => b,
                Err(e) => {
                    chain.status = e.status();
                    self.end_chain(chain, out);
                    return None;
                }
            };
            if chain.done > 0 {
                chain.resp.link_next(chain.command);
            }
            chain.mark = chain.resp.offset();
            let header = chain.header;
            let result = match chain.command {
                SmbCommand::SESSION_SETUP_ANDX => self
                    .session_setup(&header, msg, &block, &mut chain.ctx, &mut chain.resp)
                    .map(|()| None),
                SmbCommand::TREE_CONNECT_ANDX => self
                    .tree_connect(&header, msg, &block, &mut chain.ctx, &mut chain.resp)
                    .map(|()| None),
                SmbCommand::LOGOFF_ANDX => self
                    .logoff(&block, &mut chain.ctx, &mut chain.resp)
                    .map(|()| None),
                c if files::is_file_command(c) => self.file_command(&mut chain, msg, &block),
                // Other commands are not served inside a chain.
                other => Err(unsupported_command(other, header.uses_nt_status())),
            };
            match result {
                Ok(None) => {}
                Ok(Some(op)) => return Some((chain, op)),
                Err(s) => {
                    self.fail_command(&mut chain, s);
                    self.end_chain(chain, out);
                    return None;
                }
            }
            if !self.advance_chain(&mut chain, msg, &block) {
                self.end_chain(chain, out);
                return None;
            }
        }
    }

    /// The current command failed with `status`: its response is an empty
    /// block and the chain ends there.
    fn fail_command(&mut self, chain: &mut Chain, status: NtStatus) {
        chain.resp.truncate(chain.mark);
        write_empty_block(&mut chain.resp);
        chain.status = status;
    }

    /// Moves to the next command after a success; false when the chain
    /// ends (no next command, or a bad link, whose status is set).
    fn advance_chain(&mut self, chain: &mut Chain, msg: &[u8], block: &Block<'_>) -> bool {
        chain.done += 1;
        if !files::is_andx(chain.command) {
            return false;
        }
        let next = AndX::parse(block).and_then(|a| Ok((a.command, a.next(block, msg.len())?)));
        match next {
            Ok((_, None)) => false,
            Ok((_, Some(_))) if chain.done >= self.params.limits.max_andx_chain => {
                chain.status = ParseError::BadAndX("chain too long").status();
                false
            }
            Ok((next_command, Some(offset))) => {
                chain.command = next_command;
                chain.block_offset = offset;
                true
            }
            Err(e) => {
                chain.status = e.status();
                false
            }
        }
    }

    /// Sends the chain's response, its header carrying the UID/TID as the
    /// chain left them and the status it ended with.
    fn end_chain(&mut self, chain: Chain, out: &mut Vec<Vec<u8>>) {
        let Chain {
            header,
            mut resp,
            ctx,
            status,
            ..
        } = chain;
        let mut h = reply_header(&header);
        h.uid = ctx.uid;
        h.tid = ctx.tid;
        h.set_status(status);
        resp.set_header(&h);
        self.record(&h, status, None, (0, 0));
        out.push(resp.finish());
    }

    /// The answer to a suspended chain's print-file call: its command's
    /// response (or failure), then the rest of the chain.
    fn answer_file(
        &mut self,
        step: FileStep<S::File>,
        outcome: PrintFileOutcome<S::File>,
        out: &mut Vec<Vec<u8>>,
    ) {
        let FileStep { mut chain, msg, op } = step;
        let suspended = match self.finish_file_op(&mut chain, op, outcome) {
            Err(s) => {
                self.fail_command(&mut chain, s);
                self.end_chain(chain, out);
                None
            }
            Ok(()) => match parse_block(&msg, chain.block_offset) {
                Ok(block) if self.advance_chain(&mut chain, &msg, &block) => {
                    self.run_chain(chain, &msg, out)
                }
                _ => {
                    self.end_chain(chain, out);
                    None
                }
            },
        };
        match suspended {
            Some((chain, op)) => self.suspend(chain, msg, op),
            None => self.spare_msg = msg,
        }
    }

    fn session_setup(
        &mut self,
        req: &SmbHeader,
        msg: &[u8],
        block: &Block<'_>,
        ctx: &mut ChainCtx,
        resp: &mut MessageBuilder,
    ) -> Result<(), NtStatus> {
        let r = parse_session_setup_request(msg, block, req.is_unicode())?;
        let empty = |p: &[u8]| p.iter().all(|&b| b == 0) && p.len() <= 1;
        let kind =
            if r.account_name.is_empty() && empty(r.oem_password) && empty(r.unicode_password) {
                SessionKind::Anonymous
            } else {
                SessionKind::Guest
            };
        let uid = if self.sessions.contains_key(&ctx.uid) {
            ctx.uid // re-authentication on an existing UID
        } else {
            if self.sessions.len() >= self.params.limits.max_sessions {
                return Err(NtStatus::STATUS_TOO_MANY_SESSIONS);
            }
            alloc_id(&self.sessions, &mut self.next_uid)
                .ok_or(NtStatus::STATUS_TOO_MANY_SESSIONS)?
        };
        let session = Session {
            uid,
            kind: kind.clone(),
            credentials: Credentials {
                account_name: r.account_name.to_string_lossy(),
                primary_domain: r.primary_domain.to_string_lossy(),
                oem_password: r.oem_password.to_vec(),
                unicode_password: r.unicode_password.to_vec(),
            },
            native_os: r.native_os.to_string_lossy(),
        };
        self.sessions.insert(uid, session);
        self.client_max_buffer_size = Some(r.max_buffer_size);
        SessionSetupResponse {
            action: if kind == SessionKind::Guest {
                ACTION_GUEST
            } else {
                0
            },
            native_os: self.params.native_os.clone(),
            native_lanman: self.params.native_lanman.clone(),
            primary_domain: self.params.domain.clone(),
        }
        .write(resp, req.is_unicode());
        ctx.uid = uid;
        Ok(())
    }

    fn tree_connect(
        &mut self,
        req: &SmbHeader,
        msg: &[u8],
        block: &Block<'_>,
        ctx: &mut ChainCtx,
        resp: &mut MessageBuilder,
    ) -> Result<(), NtStatus> {
        if !self.sessions.contains_key(&ctx.uid) {
            return Err(NtStatus::STATUS_SMB_BAD_UID);
        }
        let r = parse_tree_connect_request(msg, block, req.is_unicode())?;
        if r.flags & TREE_CONNECT_ANDX_DISCONNECT_TID != 0 {
            self.remove_tree(ctx.tid);
        }
        let share_name = r.share_name();
        // Share names compare case-insensitively, as on Windows and Samba.
        let (share, kind) = if share_name.eq_ignore_ascii_case("IPC$") {
            ("IPC$".to_owned(), ShareKind::Ipc)
        } else {
            self.handler
                .share(&share_name)
                .ok_or(NtStatus::STATUS_BAD_NETWORK_NAME)?
        };
        let service = r.service.to_string_lossy();
        let ours = match kind {
            ShareKind::Ipc => SERVICE_IPC,
            ShareKind::Printer => SERVICE_PRINTER,
        };
        if !(service.eq_ignore_ascii_case(ours) || service == SERVICE_ANY) {
            return Err(NtStatus::STATUS_BAD_DEVICE_TYPE);
        }
        if self.trees.len() >= self.params.limits.max_trees {
            return Err(NtStatus::STATUS_INSUFFICIENT_RESOURCES);
        }
        let tid = alloc_id(&self.trees, &mut self.next_tid)
            .ok_or(NtStatus::STATUS_INSUFFICIENT_RESOURCES)?;
        self.trees.insert(
            tid,
            Tree {
                tid,
                uid: ctx.uid,
                share,
                kind,
            },
        );
        TreeConnectResponse {
            optional_support: SMB_SUPPORT_SEARCH_BITS,
            service: ours,
            native_file_system: "",
        }
        .write(resp, req.is_unicode());
        ctx.tid = tid;
        Ok(())
    }

    fn logoff(
        &mut self,
        block: &Block<'_>,
        ctx: &mut ChainCtx,
        resp: &mut MessageBuilder,
    ) -> Result<(), NtStatus> {
        parse_logoff(block)?;
        if self.sessions.remove(&ctx.uid).is_none() {
            return Err(NtStatus::STATUS_SMB_BAD_UID);
        }
        let uid = ctx.uid;
        self.drop_pending(|k| k.uid == uid);
        self.abort_files(|f| f.uid == uid);
        write_logoff(resp);
        Ok(())
    }

    // ---- TREE_DISCONNECT, ECHO ----

    fn tree_disconnect(&mut self, req: &SmbHeader, block: &Block<'_>, out: &mut Vec<Vec<u8>>) {
        if let Err(e) = parse_tree_disconnect(block) {
            return self.reply_error(req, e.status(), out);
        }
        if let Err(s) = self.check_ids(req) {
            return self.reply_error(req, s, out);
        }
        self.remove_tree(req.tid);
        let mut b = MessageBuilder::new(&reply_header(req));
        write_empty_block(&mut b);
        self.record(req, NtStatus::STATUS_SUCCESS, None, (0, 0));
        out.push(b.finish());
    }

    /// ECHO (MS-CIFS 3.3.5.31): EchoCount responses, clamped to
    /// `max_echo_count`; EchoCount 0 means no response.
    fn echo(&mut self, req: &SmbHeader, block: &Block<'_>, out: &mut Vec<Vec<u8>>) {
        let e = match parse_echo_request(block) {
            Ok(e) => e,
            Err(err) => return self.reply_error(req, err.status(), out),
        };
        let count = e.echo_count.min(self.params.limits.max_echo_count);
        for seq in 1..=count {
            let mut b = MessageBuilder::new(&reply_header(req));
            write_echo_response(&mut b, seq, e.data);
            out.push(b.finish());
        }
        self.record(req, NtStatus::STATUS_SUCCESS, None, (0, 0));
    }

    // ---- TRANSACTION (MS-CIFS 3.3.5.57, 3.3.5.2.5) ----

    fn transaction(
        &mut self,
        req: &SmbHeader,
        msg: &[u8],
        block: &Block<'_>,
        out: &mut Vec<Vec<u8>>,
    ) {
        if let Err(s) = self.check_ids(req) {
            return self.reply_error(req, s, out);
        }
        let t = match parse_transaction_request(msg, block, req.is_unicode()) {
            Ok(t) => t,
            Err(e) => return self.reply_error(req, e.status(), out),
        };
        let one_way = t.flags & trans_flags::NO_RESPONSE != 0;
        let fail = |this: &mut Self, status: NtStatus, out: &mut Vec<Vec<u8>>| {
            if one_way {
                this.record(req, status, None, (0, 0));
            } else {
                this.reply_error(req, status, out);
            }
        };
        // A transaction may arrive on a print tree as well as on IPC$:
        // smbclient sends NetPrintJobEnum on the printer share it connected
        // to, and Samba (smb1_ipc.c) routes `\PIPE\LANMAN` from any tree.
        // Whether a name is served, and in which case, is the handler's
        // call (Windows' named-pipe namespace is case-insensitive).
        let pipe = t.name.to_string_lossy();
        if !self.handler.has_pipe(&pipe) {
            // Unknown pipes and mailslots: Windows answers an open of a pipe
            // that does not exist with STATUS_OBJECT_NAME_NOT_FOUND
            // (DOS: ERRDOS/ERRbadfile); we do the same for the transaction.
            return fail(self, NtStatus::STATUS_OBJECT_NAME_NOT_FOUND, out);
        }
        let total = usize::from(t.total_parameter_count) + usize::from(t.total_data_count);
        if total > self.params.limits.max_transaction_bytes {
            return fail(self, NtStatus::STATUS_INVALID_PARAMETER, out);
        }
        let request = CallRequest {
            header: req,
            pipe: &pipe,
            setup: t.setup,
            max_parameter_count: t.max_parameter_count,
            max_data_count: t.max_data_count,
            flags: t.flags,
        };
        if !t.is_partial() {
            return self.start_call(&request, |params, data| {
                params.extend_from_slice(t.parameters);
                data.extend_from_slice(t.data);
            });
        }
        let key = TransKey {
            uid: req.uid,
            tid: req.tid,
            pid: req.pid(),
            mid: req.mid,
        };
        if self.pending.contains_key(&key) {
            return fail(self, NtStatus::STATUS_INVALID_PARAMETER, out);
        }
        let limits = &self.params.limits;
        if self.pending.len() >= limits.max_pending_transactions
            || self.pending_bytes.saturating_add(total) > limits.max_pending_bytes
        {
            return fail(self, NtStatus::STATUS_INSUFFICIENT_RESOURCES, out);
        }
        let mut blocks = TransactionAssembler::with_cap(limits.max_transaction_bytes);
        if blocks.push(&t).is_err() {
            return fail(self, NtStatus::STATUS_INVALID_PARAMETER, out);
        }
        self.pending.insert(
            key,
            Reassembling {
                header: *req,
                pipe,
                setup: t.setup.to_vec(),
                max_parameter_count: t.max_parameter_count,
                max_data_count: t.max_data_count,
                flags: t.flags,
                blocks,
                reserved: total,
            },
        );
        self.pending_bytes = self.pending_bytes.saturating_add(total);
        // Interim response: success, WordCount 0, ByteCount 0 (2.2.4.33.2).
        let mut b = MessageBuilder::new(&reply_header(req));
        write_empty_block(&mut b);
        self.record(req, NtStatus::STATUS_SUCCESS, None, (0, 0));
        out.push(b.finish());
    }

    /// TRANSACTION_SECONDARY: no response of its own. A secondary that
    /// matches no pending transaction is dropped silently (Samba does the
    /// same). A bad one aborts the transaction with an error response
    /// sent as the TRANSACTION's (its MID is the one the client waits on).
    /// The last one makes the transaction a pipe call.
    fn transaction_secondary(
        &mut self,
        req: &SmbHeader,
        msg: &[u8],
        block: &Block<'_>,
        out: &mut Vec<Vec<u8>>,
    ) {
        let key = TransKey {
            uid: req.uid,
            tid: req.tid,
            pid: req.pid(),
            mid: req.mid,
        };
        let Some(mut p) = self.pending.remove(&key) else {
            self.record(req, NtStatus::STATUS_INVALID_PARAMETER, None, (0, 0));
            return;
        };
        self.pending_bytes = self.pending_bytes.saturating_sub(p.reserved);
        let primary = p.header;
        let step = parse_transaction_secondary(msg, block)
            .map_err(|e| e.status())
            .and_then(|s| {
                p.blocks
                    .push(&s)
                    .map_err(|_| NtStatus::STATUS_INVALID_PARAMETER)
            });
        match step {
            Err(status) => {
                if p.flags & trans_flags::NO_RESPONSE == 0 {
                    self.reply_error(&primary, status, out);
                }
            }
            Ok(true) => {
                let request = CallRequest {
                    header: &primary,
                    pipe: &p.pipe,
                    setup: &p.setup,
                    max_parameter_count: p.max_parameter_count,
                    max_data_count: p.max_data_count,
                    flags: p.flags,
                };
                let (params, data) = p.blocks.take();
                self.start_call(&request, |p, d| {
                    *p = params;
                    *d = data;
                });
            }
            Ok(false) => {
                self.pending_bytes = self.pending_bytes.saturating_add(p.reserved);
                self.pending.insert(key, p);
            }
        }
    }

    /// Makes a complete transaction the outstanding pipe call; `fill`
    /// writes its parameter and data blocks into the (cleared, reused)
    /// buffers. The session and tree exist: the primary passed
    /// [`check_ids`](Self::check_ids), and LOGOFF / TREE_DISCONNECT drop
    /// their pending transactions.
    fn start_call(&mut self, r: &CallRequest<'_>, fill: impl FnOnce(&mut Vec<u8>, &mut Vec<u8>)) {
        let mut c = self.spare_call.take().unwrap_or_default();
        c.header = *r.header;
        c.pipe.clear();
        c.pipe.push_str(r.pipe);
        c.identity = self
            .sessions
            .get(&r.header.uid)
            .map(Session::identity)
            .unwrap_or_default();
        c.share.clear();
        if let Some(t) = self.trees.get(&r.header.tid) {
            c.share.push_str(&t.share);
        }
        c.setup.clear();
        c.setup.extend_from_slice(r.setup);
        c.params.clear();
        c.data.clear();
        fill(&mut c.params, &mut c.data);
        c.max_parameter_count = r.max_parameter_count;
        c.max_data_count = r.max_data_count;
        c.flags = r.flags;
        self.reply.clear();
        self.call = Some(Outstanding::Pipe(c));
    }

    // ---- helpers ----

    /// UID then TID, in that order (MS-CIFS 3.3.5.2).
    fn check_ids(&self, req: &SmbHeader) -> Result<(), NtStatus> {
        if !self.sessions.contains_key(&req.uid) {
            return Err(NtStatus::STATUS_SMB_BAD_UID);
        }
        if !self.trees.contains_key(&req.tid) {
            return Err(NtStatus::STATUS_SMB_BAD_TID);
        }
        Ok(())
    }

    fn remove_tree(&mut self, tid: u16) {
        if self.trees.remove(&tid).is_some() {
            self.drop_pending(|k| k.tid == tid);
            self.abort_files(|f| f.tid == tid);
        }
    }

    /// Print files whose tree or session goes away: each becomes an abort
    /// call (MS-CIFS closes a tree's or session's opens with it; a print
    /// file the client did not close is not a finished job).
    fn abort_files(&mut self, mut pred: impl FnMut(&OpenFile<S::File>) -> bool) {
        let fids: Vec<u16> = self
            .files
            .iter()
            .filter(|(_, f)| pred(f))
            .map(|(fid, _)| *fid)
            .collect();
        for fid in fids {
            if let Some(file) = self.files.remove(&fid).and_then(|f| f.file) {
                self.aborts.0.push_back(Some(file));
            }
        }
    }

    fn drop_pending(&mut self, mut pred: impl FnMut(&TransKey) -> bool) {
        let mut freed = 0usize;
        self.pending.retain(|k, p| {
            let drop = pred(k);
            if drop {
                freed = freed.saturating_add(p.reserved);
            }
            !drop
        });
        self.pending_bytes = self.pending_bytes.saturating_sub(freed);
    }
}

/// A response header for `req`: REPLY set, identifiers echoed, Flags2
/// keeping the client's LONG_NAMES, UNICODE and NT_STATUS choices (so a
/// response to the MS-RAP example requests matches its example response).
pub fn reply_header(req: &SmbHeader) -> SmbHeader {
    SmbHeader {
        command: req.command,
        status: 0,
        flags: HeaderFlags::REPLY
            | (req.flags & (HeaderFlags::CASE_INSENSITIVE | HeaderFlags::CANONICALIZED_PATHS)),
        flags2: req.flags2
            & (HeaderFlags2::LONG_NAMES | HeaderFlags2::UNICODE | HeaderFlags2::NT_STATUS),
        pid_high: req.pid_high,
        security_features: [0; 8],
        reserved: 0,
        tid: req.tid,
        pid_low: req.pid_low,
        uid: req.uid,
        mid: req.mid,
    }
}

/// The status for a command msrap does not serve, as the client will read
/// it (MS-CIFS 3.3.5.2).
///
/// A code 2.2.2.1 defines as a command (NT_CREATE_ANDX, TRANSACTION2,
/// OPEN_ANDX, the obsolete ones...) gets STATUS_NOT_IMPLEMENTED, DOS form
/// ERRDOS/ERRbadfunc: "the server MUST return STATUS_NOT_IMPLEMENTED". An
/// unused or reserved code, SMB_COM_INVALID or SMB_COM_NO_ANDX_COMMAND gets
/// ERRSRV/ERRbadcmd from a client that reads DOS codes; its NTSTATUS form,
/// STATUS_SMB_BAD_COMMAND (0x00160002), has success severity, so a client
/// that asked for NT status codes would read it as a success with a
/// malformed body (smbclient: NT_STATUS_INVALID_NETWORK_RESPONSE; impacket:
/// "unknown error code"): such a client gets STATUS_NOT_IMPLEMENTED too.
/// (Samba answers every unknown command with ERRSRV/ERRbadcmd and clears
/// FLAGS2_NT_STATUS for it.)
pub(crate) fn unsupported_command(command: SmbCommand, nt_status: bool) -> NtStatus {
    if nt_status || command.is_defined() {
        NtStatus::STATUS_NOT_IMPLEMENTED
    } else {
        NtStatus::STATUS_SMB_BAD_COMMAND
    }
}

/// An error response: `status` in the form the client asked for,
/// WordCount 0, ByteCount 0 (MS-CIFS 2.2.3.1, 3.3.4.1.2).
pub(crate) fn error_message(req: &SmbHeader, status: NtStatus) -> Vec<u8> {
    let mut h = if req.is_reply() {
        *req
    } else {
        reply_header(req)
    };
    h.set_status(status);
    let mut b = MessageBuilder::new(&h);
    write_empty_block(&mut b);
    b.finish()
}

/// The next free id, skipping 0 and 0xFFFE/0xFFFF (reserved meanings).
/// At most `map.len() + 4` probes.
fn alloc_id<V>(map: &BTreeMap<u16, V>, next: &mut u16) -> Option<u16> {
    for _ in 0..map.len() + 4 {
        let candidate = *next;
        *next = next.wrapping_add(1);
        if candidate == 0 || candidate >= 0xFFFE || map.contains_key(&candidate) {
            continue;
        }
        return Some(candidate);
    }
    None
}

/// A server connection from raw stream bytes to framed response bytes.
///
/// While a pipe call is outstanding ([`Connection::poll_call`]), frames
/// already received stay in the frame buffer; [`answer`](Self::answer)
/// sends the call's response and then processes them. The caller should
/// not read more input meanwhile ([`wants_input`](Self::wants_input));
/// bytes it does pass are buffered up to one maximal frame, beyond which
/// [`receive`](Self::receive) fails with [`ConnectionError::Backlog`].
#[derive(Debug)]
pub struct ServerConnection<S: PrintFileHandler> {
    decoder: FrameDecoder,
    connection: Connection<S>,
    awaiting_session_request: bool,
    scratch: Vec<Vec<u8>>,
}

impl<S: PrintFileHandler> ServerConnection<S> {
    /// The SMB1 state machine.
    pub fn connection(&self) -> &Connection<S> {
        &self.connection
    }

    /// The SMB1 state machine, mutably.
    pub fn connection_mut(&mut self) -> &mut Connection<S> {
        &mut self.connection
    }

    /// Bytes received but not yet processed (a partial frame, or frames
    /// waiting behind an outstanding pipe call).
    pub fn buffered(&self) -> usize {
        self.decoder.buffered()
    }

    /// Whether more input is wanted: false while a call is outstanding.
    pub fn wants_input(&self) -> bool {
        !self.connection.has_call()
    }
}

impl<S: PipeHandler + ShareCatalogue + PrintFileHandler> ServerConnection<S> {
    /// With [`Framing::NetBios`] a session request must come first; it is
    /// answered with a positive session response.
    pub fn new(
        handler: S,
        params: Arc<ServerParams>,
        framing: Framing,
        challenge: [u8; 8],
    ) -> ServerConnection<S> {
        let max = params.limits.max_message_len;
        ServerConnection {
            decoder: FrameDecoder::with_max_len(framing, max),
            connection: Connection::new(handler, params, challenge),
            awaiting_session_request: framing == Framing::NetBios,
            scratch: Vec::new(),
        }
    }

    /// The outstanding call, if any ([`Connection::poll_call`]).
    pub fn poll_call(&mut self) -> Option<Call<'_, S>> {
        self.connection.poll_call()
    }

    /// Feeds received bytes; appends framed responses to `out`. Returns the
    /// number of whole frames processed; processing stops at a frame that
    /// starts a pipe call. On `Err` the connection must be closed (after
    /// sending what is in `out`).
    pub fn receive(&mut self, data: &[u8], out: &mut BytesMut) -> Result<usize, ConnectionError> {
        if self.connection.has_call() {
            let max = self
                .connection
                .params
                .limits
                .max_message_len
                .saturating_add(4);
            if self.decoder.buffered().saturating_add(data.len()) > max {
                return Err(ConnectionError::Backlog);
            }
            self.decoder.extend_from_slice(data);
            return Ok(0);
        }
        self.decoder.extend_from_slice(data);
        self.process(out)
    }

    /// The answer to the outstanding call ([`Connection::answer`]),
    /// framed into `out`; then the frames that waited behind it are
    /// processed (up to the next call). Returns the number of frames
    /// processed after the answer.
    pub fn answer(
        &mut self,
        outcome: impl Into<Outcome<S::File>>,
        out: &mut BytesMut,
    ) -> Result<usize, ConnectionError> {
        let r = self.connection.answer(outcome, &mut self.scratch);
        self.flush(out)?;
        r?;
        self.process(out)
    }

    /// Synchronous driver: [`receive`](Self::receive), answering every pipe
    /// call at once by polling the handler's future once
    /// ([`super::pipe::transact_now`]). A handler that is not ready yields
    /// [`ConnectionError::HandlerPending`].
    pub fn receive_now(
        &mut self,
        data: &[u8],
        out: &mut BytesMut,
    ) -> Result<usize, ConnectionError> {
        let mut frames = self.receive(data, out)?;
        while let Some(call) = self.connection.poll_call() {
            let outcome = call.run_now()?;
            frames = frames.saturating_add(self.answer(outcome, out)?);
        }
        Ok(frames)
    }

    fn flush(&mut self, out: &mut BytesMut) -> Result<(), ConnectionError> {
        let framing = self.decoder.framing();
        for m in self.scratch.drain(..) {
            encode_message(framing, &m, out)?;
        }
        Ok(())
    }

    /// Processes buffered frames until none is whole or one starts a pipe call.
    fn process(&mut self, out: &mut BytesMut) -> Result<usize, ConnectionError> {
        let mut frames = 0;
        let framing = self.decoder.framing();
        while !self.connection.has_call() {
            let Some(frame) = self
                .decoder
                .decode()
                .map_err(|e| super::refusal::on_frame_error(e, framing, out))?
            else {
                break;
            };
            frames += 1;
            match frame {
                Frame::SessionRequest(_) if self.awaiting_session_request => {
                    self.awaiting_session_request = false;
                    out.extend_from_slice(&POSITIVE_SESSION_RESPONSE);
                }
                Frame::SessionRequest(_) | Frame::SessionResponse(..) => {
                    return Err(ConnectionError::UnexpectedNetBios)
                }
                Frame::Message(_) if self.awaiting_session_request => {
                    return Err(ConnectionError::ExpectedSessionRequest)
                }
                Frame::Message(msg) => {
                    let r = self.connection.handle_message(&msg, &mut self.scratch);
                    self.flush(out)?;
                    r?;
                    let negotiated = self.connection.dialect().is_some();
                    if let Some(refused) = super::refusal::no_common_dialect(&msg, negotiated) {
                        return Err(ConnectionError::Refused(refused));
                    }
                }
            }
        }
        Ok(frames)
    }
}

mod files;

#[cfg(test)]
mod file_tests;
#[cfg(test)]
mod tests;
