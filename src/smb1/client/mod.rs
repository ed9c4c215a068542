//! Client role: request builders, response parsers, the replies to one
//! transaction ([`PendingTransaction`]), the [`Transport`] a RAP client talks
//! through, an in-process transport ([`InProcess`]) and, with the `client`
//! feature, the tokio SMB1 client ([`tcp::SmbClient`]).
//!
//! Used by `msrap query`, `conform`, `bench`, the tests and the fuzz
//! harnesses. Responses are treated as hostile: every count, offset and
//! AndX link is checked, and reassembly is bounded by the first part's
//! totals ([`TransactionAssembler`]). Without the `client` feature this
//! module is runtime-free like the rest of [`crate::smb1`].

mod transport;

#[cfg(feature = "client")]
pub mod tcp;

use crate::codes::NtStatus;

use super::andx::AndX;
use super::echo::{write_echo_request, write_empty_block, write_logoff};
use super::header::{read_header, SmbCommand, SmbHeader, HEADER_LEN};
use super::message::{parse_block, Block, MessageBuilder};
use super::session_setup::SessionSetupNt;
use super::trans::{parse_transaction_response, TransactionAssembler, TransactionReply};
use super::tree_connect::write_tree_connect_request;
use super::ParseError;

pub use super::negotiate::negotiate_request;
pub use super::trans::TransactionRequestBuilder;
pub use transport::{InProcess, TransReply, TransRequest, Transport, TransportError};

/// A SESSION_SETUP_ANDX request (13-word NT form).
pub fn session_setup(header: &SmbHeader, setup: &SessionSetupNt<'_>) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    setup.write(&mut b, header.is_unicode());
    b.finish()
}

/// A SESSION_SETUP_ANDX request in the 10-word LAN Manager form.
pub fn session_setup_lanman(header: &SmbHeader, setup: &SessionSetupNt<'_>) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    setup.write_lanman(&mut b);
    b.finish()
}

/// SESSION_SETUP_ANDX chained with TREE_CONNECT_ANDX in one message, as
/// smbclient and Windows send it.
pub fn session_setup_and_tree_connect(
    header: &SmbHeader,
    setup: &SessionSetupNt<'_>,
    path: &str,
    service: &str,
) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    setup.write(&mut b, header.is_unicode());
    b.link_next(SmbCommand::TREE_CONNECT_ANDX);
    write_tree_connect_request(&mut b, path, service, header.is_unicode());
    b.finish()
}

/// A TREE_CONNECT_ANDX request for `path` (`\\server\share`).
pub fn tree_connect(header: &SmbHeader, path: &str, service: &str) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    write_tree_connect_request(&mut b, path, service, header.is_unicode());
    b.finish()
}

/// A TREE_DISCONNECT request (MS-CIFS 2.2.4.51.1) for the header's TID.
pub fn tree_disconnect(header: &SmbHeader) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    write_empty_block(&mut b);
    b.finish()
}

/// A LOGOFF_ANDX request (MS-CIFS 2.2.4.54.1) for the header's UID.
pub fn logoff(header: &SmbHeader) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    write_logoff(&mut b);
    b.finish()
}

/// An ECHO request (MS-CIFS 2.2.4.39.1): `echo_count` responses of `data`.
pub fn echo(header: &SmbHeader, echo_count: u16, data: &[u8]) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    write_echo_request(&mut b, echo_count, data);
    b.finish()
}

/// A parsed response: header and first block.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Response<'a> {
    /// The SMB header.
    pub header: SmbHeader,
    /// The first command's block, right after the header.
    pub block: Block<'a>,
    /// The whole message (offsets in it count from the header start).
    pub raw: &'a [u8],
}

/// Reads the header and the first block of a server message; every count
/// is checked against the message.
pub fn parse_response(msg: &[u8]) -> Result<Response<'_>, ParseError> {
    let header = read_header(msg)?;
    let block = parse_block(msg, HEADER_LEN)?;
    Ok(Response {
        header,
        block,
        raw: msg,
    })
}

impl<'a> Response<'a> {
    /// The blocks of an AndX response chain with their commands; the walk
    /// only moves forward and stops after `max` blocks.
    pub fn andx_blocks(&self, max: usize) -> Result<Vec<(SmbCommand, Block<'a>)>, ParseError> {
        let mut out = vec![(self.header.command, self.block)];
        let mut block = self.block;
        while block.word_count >= 2 && out.len() < max {
            let a = AndX::parse(&block)?;
            match a.next(&block, self.raw.len())? {
                None => break,
                Some(off) => {
                    block = parse_block(self.raw, off)?;
                    out.push((a.command, block));
                }
            }
        }
        Ok(out)
    }

    /// This message as a TRANSACTION response.
    pub fn transaction(&self) -> Result<TransactionReply<'a>, ParseError> {
        parse_transaction_response(self.raw, &self.block)
    }
}

/// Why the client could not complete an exchange.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The TCP connection could not be made.
    #[error("connect to {addr}: {source}")]
    Connect {
        /// The server address.
        addr: std::net::SocketAddr,
        /// The socket error.
        source: std::io::Error,
    },
    /// Reading or writing the socket failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// No reply within the configured timeout; names what was awaited.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    /// The server closed the connection; names what was awaited.
    #[error("connection closed by the server while waiting for {0}")]
    Closed(&'static str),
    /// The server's byte stream cannot be framed.
    #[error("framing: {0}")]
    Frame(#[from] super::FrameError),
    /// A reply failed the parser's checks.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// The reply being parsed.
        what: &'static str,
        /// The parse error.
        detail: String,
    },
    /// The server refused a setup step: an error status, or NEGOTIATE did
    /// not choose NT LM 0.12.
    #[error("{what} failed: {status}")]
    Status {
        /// The step (NEGOTIATE, SESSION_SETUP_ANDX, TREE_CONNECT_ANDX).
        what: &'static str,
        /// The status (or refusal) as displayed.
        status: String,
    },
    /// A NetBIOS session response other than a positive one (0x83
    /// negative, 0x84 retarget; RFC 1002 §4.3).
    #[error("NetBIOS session refused (response type {0:#04x})")]
    SessionRefused(u8),
}

pub(crate) fn malformed(what: &'static str, e: impl std::fmt::Display) -> ClientError {
    ClientError::Malformed {
        what,
        detail: e.to_string(),
    }
}

/// NTSTATUS of a reply (a DOS class/code mapped back).
pub(crate) fn reply_status(h: &SmbHeader) -> NtStatus {
    h.wire_status().to_nt_status()
}

/// What to do after one message for a pending transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyStep {
    /// Not a reply to this transaction (a stray message), or a part of a
    /// multi-part response: keep waiting.
    Ignore,
    /// The interim response came: send the TRANSACTION_SECONDARY requests.
    SendSecondaries,
    /// The transaction is answered.
    Done(TransReply),
}

/// Sans-IO handling of the replies to one TRANSACTION request (MS-CIFS
/// 3.2.5.1.4): interim response, multi-part final responses reassembled by
/// the one [`TransactionAssembler`] (bounded by the first part's totals,
/// every offset checked), error replies.
#[derive(Clone, Debug)]
pub struct PendingTransaction {
    mid: u16,
    expect_interim: bool,
    assembler: TransactionAssembler,
}

impl PendingTransaction {
    /// A request with multiplex id `mid`; `expect_interim` when secondaries
    /// are waiting for the interim response.
    pub fn new(mid: u16, expect_interim: bool) -> Self {
        PendingTransaction {
            mid,
            expect_interim,
            assembler: TransactionAssembler::new(),
        }
    }

    /// Take one SMB message from the server.
    pub fn on_message(&mut self, msg: &[u8]) -> Result<ReplyStep, ClientError> {
        let r = parse_response(msg).map_err(|e| malformed("TRANSACTION response", e))?;
        if r.header.mid != self.mid
            || r.header.command != SmbCommand::TRANSACTION
            || !r.header.is_reply()
        {
            return Ok(ReplyStep::Ignore);
        }
        let status = reply_status(&r.header);
        let empty = |smb_status| {
            ReplyStep::Done(TransReply {
                smb_status,
                params: Vec::new(),
                data: Vec::new(),
            })
        };
        match r.transaction() {
            Ok(TransactionReply::Interim)
                if status == NtStatus::STATUS_SUCCESS && self.expect_interim =>
            {
                self.expect_interim = false;
                Ok(ReplyStep::SendSecondaries)
            }
            Ok(TransactionReply::Interim) => Ok(empty(status)),
            // STATUS_BUFFER_OVERFLOW still carries data; other errors have no words.
            Ok(TransactionReply::Part(p)) => {
                let complete = self
                    .assembler
                    .push(&p)
                    .map_err(|e| malformed("TRANSACTION response", e))?;
                if !complete {
                    return Ok(ReplyStep::Ignore);
                }
                let (params, data) = self.assembler.take();
                Ok(ReplyStep::Done(TransReply {
                    smb_status: status,
                    params,
                    data,
                }))
            }
            Err(_) if status != NtStatus::STATUS_SUCCESS => Ok(empty(status)),
            Err(e) => Err(malformed("TRANSACTION response", e)),
        }
    }
}
