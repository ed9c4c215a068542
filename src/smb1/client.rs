//! Client role: request builders and response parsers.
//!
//! Used by the tests and by the conformance client. Responses are treated
//! as hostile: every count, offset and AndX link is checked.

use super::andx::AndX;
use super::echo::{write_echo_request, write_empty_block, write_logoff};
use super::header::{read_header, SmbCommand, SmbHeader, HEADER_LEN};
use super::message::{parse_block, Block, MessageBuilder};
use super::session_setup::SessionSetupNt;
use super::trans::{
    parse_transaction_response, Reassembly, ReassemblyError, TransactionReply, TransactionResponse,
};
use super::tree_connect::write_tree_connect_request;
use super::ParseError;

pub use super::negotiate::negotiate_request;
pub use super::trans::TransactionRequestBuilder;

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

pub fn tree_disconnect(header: &SmbHeader) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    write_empty_block(&mut b);
    b.finish()
}

pub fn logoff(header: &SmbHeader) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    write_logoff(&mut b);
    b.finish()
}

pub fn echo(header: &SmbHeader, echo_count: u16, data: &[u8]) -> Vec<u8> {
    let mut b = MessageBuilder::new(header);
    write_echo_request(&mut b, echo_count, data);
    b.finish()
}

/// A parsed response: header and first block.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Response<'a> {
    pub header: SmbHeader,
    pub block: Block<'a>,
    pub raw: &'a [u8],
}

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

/// Reassembled `Trans_Parameters` and `Trans_Data`.
pub type TransactionBlocks = (Vec<u8>, Vec<u8>);

/// Reassembles a multi-part TRANSACTION response (MS-CIFS 3.2.5.1.4).
#[derive(Clone, Debug, Default)]
pub struct TransactionAssembler {
    parts: Option<(Reassembly, Reassembly)>,
}

impl TransactionAssembler {
    pub fn new() -> TransactionAssembler {
        TransactionAssembler::default()
    }

    /// Adds one part; returns the parameter and data blocks when complete.
    pub fn push(
        &mut self,
        r: &TransactionResponse<'_>,
    ) -> Result<Option<TransactionBlocks>, ReassemblyError> {
        let (p, d) = match &mut self.parts {
            Some(x) => x,
            None => self.parts.insert((
                Reassembly::new(r.words.total_parameter_count, &[])?,
                Reassembly::new(r.words.total_data_count, &[])?,
            )),
        };
        p.shrink_total(r.words.total_parameter_count)?;
        d.shrink_total(r.words.total_data_count)?;
        p.place(r.words.parameter_displacement, r.parameters)?;
        d.place(r.words.data_displacement, r.data)?;
        if p.is_complete() && d.is_complete() {
            let (p, d) = self
                .parts
                .take()
                .map(|(p, d)| (p.into_vec(), d.into_vec()))
                .unwrap_or_default();
            return Ok(Some((p, d)));
        }
        Ok(None)
    }
}
