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
//! responses, ECHO, TREE_DISCONNECT, LOGOFF_ANDX, and AndX chains of the
//! AndX commands.
//!
//! # Pipe calls: events out, answers in
//!
//! A complete transaction on a served pipe becomes a *pipe call*. The
//! connection does not run the handler: [`Connection::poll_call`] reports
//! the call (with the handler, the [`PipeTransaction`] and the reply
//! buffers), and [`Connection::answer`] takes the handler's
//! [`PipeOutcome`] whenever it is ready and writes the response. At most
//! one call is outstanding per connection: [`ServerConnection`] leaves
//! later frames in its buffer until the answer arrives, then processes
//! them, so responses go out in request order, as SMB1 clients expect.
//! The tokio server awaits the handler's future meanwhile; synchronous
//! callers use [`Connection::handle_message_now`] and
//! [`ServerConnection::receive_now`], which poll it once
//! ([`super::pipe::transact_now`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

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
use super::session_setup::{parse_session_setup_request, SessionSetupResponse, ACTION_GUEST};
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
struct Call {
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
    /// [`Connection::handle_message`] while a pipe call is outstanding (a
    /// caller error: answer it first).
    #[error("a pipe call is outstanding")]
    CallOutstanding,
    /// [`Connection::answer`] without an outstanding pipe call (a caller error).
    #[error("no pipe call is outstanding")]
    NoCall,
    /// A synchronous driver's handler did not answer at once.
    #[error(transparent)]
    HandlerPending(#[from] HandlerPending),
    /// A client this server cannot serve (SMB2/3, or no SMB1 dialect in
    /// common); it was answered as [`super::refusal`] says.
    #[error("{0}")]
    Refused(super::refusal::Refusal),
}

/// State carried along an AndX chain: the UID/TID the next command uses.
#[derive(Copy, Clone, Debug)]
struct ChainCtx {
    uid: u16,
    tid: u16,
}

/// The per-connection SMB1 server state machine, serving the pipes and
/// shares of `S` (a [`PipeHandler`] and [`ShareCatalogue`]).
#[derive(Debug)]
pub struct Connection<S> {
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
    call: Option<Call>,
    spare_call: Option<Call>,
    reply: PipeReply,
    events: Vec<Event>,
}

impl<S> Connection<S> {
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

    /// Whether a pipe call waits for its answer ([`poll_call`](Self::poll_call)).
    pub fn has_call(&self) -> bool {
        self.call.is_some()
    }

    /// Takes the events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

impl<S: PipeHandler + ShareCatalogue> Connection<S> {
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
            events: Vec::new(),
        }
    }

    /// The outstanding pipe call, if any: "this transaction needs an
    /// answer". The reply buffers are empty until the handler fills them.
    /// The call stays outstanding until [`answer`](Self::answer).
    pub fn poll_call(&mut self) -> Option<PipeCall<'_, S>> {
        let c = self.call.as_ref()?;
        Some(PipeCall {
            handler: &self.handler,
            transaction: PipeTransaction {
                pipe: &c.pipe,
                identity: &c.identity,
                share: &c.share,
                setup: &c.setup,
                parameters: &c.params,
                data: &c.data,
                max_parameter_count: c.max_parameter_count,
                max_data_count: c.max_data_count,
                system_time: self.system_time,
            },
            reply: &mut self.reply,
            header: &c.header,
            one_way: c.flags & trans_flags::NO_RESPONSE != 0,
        })
    }

    /// The answer to the outstanding pipe call: appends its response
    /// message(s) (none for a one-way transaction) and processes the
    /// transaction's DISCONNECT_TID flag.
    ///
    /// The handler should stay within MaxParameterCount/MaxDataCount
    /// (CVE-2002-0724: a zero maximum must not break anything). If it does
    /// not, the blocks are cut to the maxima and the status is
    /// STATUS_BUFFER_OVERFLOW (DOS: ERRDOS/ERRmoredata), as for a
    /// named-pipe transaction whose reply does not fit (MS-CIFS 3.3.5.57
    /// does not say what a pipe server does here; this is our choice).
    pub fn answer(
        &mut self,
        outcome: PipeOutcome,
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), ConnectionError> {
        let call = self.call.take().ok_or(ConnectionError::NoCall)?;
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
        Ok(())
    }

    /// Synchronous driver: [`handle_message`](Self::handle_message), then
    /// the pipe call it started (if any) answered at once by polling the
    /// handler's future once. A handler that is not ready yields
    /// [`ConnectionError::HandlerPending`] (the call stays outstanding).
    pub fn handle_message_now(
        &mut self,
        msg: &[u8],
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), ConnectionError> {
        self.handle_message(msg, out)?;
        self.answer_now(out)
    }

    /// Answers the outstanding pipe call, if any, by polling the handler's
    /// future once.
    pub fn answer_now(&mut self, out: &mut Vec<Vec<u8>>) -> Result<(), ConnectionError> {
        let Some(call) = self.poll_call() else {
            return Ok(());
        };
        let outcome = call.transact_now()?;
        self.answer(outcome, out)
    }

    /// Handles one SMB message; appends zero or more response messages. A
    /// complete transaction on a served pipe appends nothing: it becomes
    /// the outstanding pipe call ([`poll_call`](Self::poll_call)), and no
    /// other message may be handled until it is answered.
    pub fn handle_message(
        &mut self,
        msg: &[u8],
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), ConnectionError> {
        if self.call.is_some() {
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
        match req.command {
            SmbCommand::NEGOTIATE => self.negotiate(&req, &block, out),
            SmbCommand::SESSION_SETUP_ANDX
            | SmbCommand::TREE_CONNECT_ANDX
            | SmbCommand::LOGOFF_ANDX => self.andx_chain(&req, msg, block, out),
            SmbCommand::TRANSACTION => self.transaction(&req, msg, &block, out),
            SmbCommand::TRANSACTION_SECONDARY => self.transaction_secondary(&req, msg, &block, out),
            SmbCommand::ECHO => self.echo(&req, &block, out),
            SmbCommand::TREE_DISCONNECT => self.tree_disconnect(&req, &block, out),
            // A command msrap does not implement (NT_CREATE_ANDX of
            // `\srvsvc`, TRANSACTION2, OPEN_ANDX...) or a code that is no
            // command at all: a real error in the form the client asked
            // for (MS-CIFS 3.3.5.2; see `unsupported_command`).
            _ => {
                let status = unsupported_command(req.command, req.uses_nt_status());
                self.reply_error(&req, status, out)
            }
        }
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

    /// Processes SESSION_SETUP_ANDX / TREE_CONNECT_ANDX / LOGOFF_ANDX and
    /// their followers. Offsets must move strictly forward, stay inside
    /// the message, and the chain is at most `max_andx_chain` long. On the
    /// first failure, processing stops: the reply holds the responses of
    /// the commands that succeeded, then an empty block (WordCount 0,
    /// ByteCount 0) for the failed one, and the header carries its status.
    fn andx_chain(
        &mut self,
        req: &SmbHeader,
        msg: &[u8],
        first: Block<'_>,
        out: &mut Vec<Vec<u8>>,
    ) {
        let mut ctx = ChainCtx {
            uid: req.uid,
            tid: req.tid,
        };
        let mut resp = MessageBuilder::new(&reply_header(req));
        let mut command = req.command;
        let mut block = first;
        let mut status = NtStatus::STATUS_SUCCESS;
        let mut done = 0usize;
        loop {
            if done > 0 {
                resp.link_next(command);
            }
            let mark = resp.offset();
            let result = match command {
                SmbCommand::SESSION_SETUP_ANDX => {
                    self.session_setup(req, msg, &block, &mut ctx, &mut resp)
                }
                SmbCommand::TREE_CONNECT_ANDX => {
                    self.tree_connect(req, msg, &block, &mut ctx, &mut resp)
                }
                SmbCommand::LOGOFF_ANDX => self.logoff(&block, &mut ctx, &mut resp),
                // Only the AndX commands above may be chained here.
                other => Err(unsupported_command(other, req.uses_nt_status())),
            };
            if let Err(s) = result {
                resp.truncate(mark);
                write_empty_block(&mut resp);
                status = s;
                break;
            }
            done += 1;
            let next =
                AndX::parse(&block).and_then(|a| Ok((a.command, a.next(&block, msg.len())?)));
            match next {
                Ok((_, None)) => break,
                Ok((_, Some(_))) if done >= self.params.limits.max_andx_chain => {
                    status = ParseError::BadAndX("chain too long").status();
                    break;
                }
                Ok((next_command, Some(offset))) => match parse_block(msg, offset) {
                    Ok(b) => {
                        block = b;
                        command = next_command;
                    }
                    Err(e) => {
                        status = e.status();
                        break;
                    }
                },
                Err(e) => {
                    status = e.status();
                    break;
                }
            }
        }
        let mut h = reply_header(req);
        h.uid = ctx.uid;
        h.tid = ctx.tid;
        h.set_status(status);
        resp.set_header(&h);
        self.record(&h, status, None, (0, 0));
        out.push(resp.finish());
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
        self.call = Some(c);
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
pub struct ServerConnection<S> {
    decoder: FrameDecoder,
    connection: Connection<S>,
    awaiting_session_request: bool,
    scratch: Vec<Vec<u8>>,
}

impl<S> ServerConnection<S> {
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

    /// Whether more input is wanted: false while a pipe call is outstanding.
    pub fn wants_input(&self) -> bool {
        !self.connection.has_call()
    }
}

impl<S: PipeHandler + ShareCatalogue> ServerConnection<S> {
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

    /// The outstanding pipe call, if any ([`Connection::poll_call`]).
    pub fn poll_call(&mut self) -> Option<PipeCall<'_, S>> {
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

    /// The answer to the outstanding pipe call ([`Connection::answer`]),
    /// framed into `out`; then the frames that waited behind it are
    /// processed (up to the next pipe call). Returns the number of frames
    /// processed after the answer.
    pub fn answer(
        &mut self,
        outcome: PipeOutcome,
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
            let outcome = call.transact_now()?;
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

#[cfg(test)]
mod tests;
