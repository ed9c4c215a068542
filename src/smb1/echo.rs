//! SMB_COM_ECHO (MS-CIFS 2.2.4.39), SMB_COM_TREE_DISCONNECT (2.2.4.51) and
//! SMB_COM_LOGOFF_ANDX (2.2.4.54): the small commands.

use super::header::SmbCommand;
use super::message::{Block, MessageBuilder, Words};
use super::ParseError;

/// ECHO request: EchoCount and the data to echo (MS-CIFS 2.2.4.39.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct EchoRequest<'a> {
    /// `EchoCount`: how many echo responses the client asks for.
    pub echo_count: u16,
    /// `Data`: the bytes each response returns.
    pub data: &'a [u8],
}

/// Parses an ECHO request block (WordCount 1).
pub fn parse_echo_request<'a>(block: &Block<'a>) -> Result<EchoRequest<'a>, ParseError> {
    if block.word_count != 1 {
        return Err(ParseError::BadWordCount {
            command: SmbCommand::ECHO,
            found: block.word_count,
        });
    }
    let echo_count = Words::new(block.words).u16()?;
    Ok(EchoRequest {
        echo_count,
        data: block.bytes,
    })
}

/// ECHO response block: SequenceNumber and the echoed data.
pub fn write_echo_response(out: &mut MessageBuilder, sequence_number: u16, data: &[u8]) {
    out.begin_block(&sequence_number.to_le_bytes());
    out.bytes(data);
    out.end_block();
}

/// ECHO request block.
pub fn write_echo_request(out: &mut MessageBuilder, echo_count: u16, data: &[u8]) {
    write_echo_response(out, echo_count, data);
}

/// TREE_DISCONNECT request/response: no words, no bytes.
pub fn write_empty_block(out: &mut MessageBuilder) {
    out.begin_block(&[]);
    out.end_block();
}

/// Checks a TREE_DISCONNECT request shape (WordCount 0).
pub fn parse_tree_disconnect(block: &Block<'_>) -> Result<(), ParseError> {
    if block.word_count != 0 {
        return Err(ParseError::BadWordCount {
            command: SmbCommand::TREE_DISCONNECT,
            found: block.word_count,
        });
    }
    Ok(())
}

/// Checks a LOGOFF_ANDX request shape (WordCount 2: the AndX words).
pub fn parse_logoff(block: &Block<'_>) -> Result<(), ParseError> {
    if block.word_count != 2 {
        return Err(ParseError::BadWordCount {
            command: SmbCommand::LOGOFF_ANDX,
            found: block.word_count,
        });
    }
    Ok(())
}

/// LOGOFF_ANDX request or response block (2 AndX words, no bytes).
pub fn write_logoff(out: &mut MessageBuilder) {
    out.begin_andx_block(&[0xFF, 0, 0, 0]);
    out.end_block();
}
