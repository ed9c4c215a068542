//! Client role: request builders and response parsers.
//!
//! Used by the tests and by the conformance client. Responses are treated
//! as hostile: every count, offset and AndX link is checked.

use super::andx::AndX;
use super::echo::{write_echo_request, write_empty_block, write_logoff};
use super::header::{read_header, SmbCommand, SmbHeader, HEADER_LEN};
use super::message::{parse_block, Block, MessageBuilder};
use super::session_setup::SessionSetupNt;
use super::trans::{parse_transaction_response, TransactionReply};
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
