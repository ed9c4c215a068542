//! AndX chaining (MS-CIFS 2.2.3.4): the first two words of an AndX block are
//! AndXCommand (1), AndXReserved (1), AndXOffset (2, from the header start).

use super::header::SmbCommand;
use super::message::Block;
use super::ParseError;

/// The AndX fields of a block.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AndX {
    /// `AndXCommand`: the next command, or SMB_COM_NO_ANDX_COMMAND (0xFF).
    pub command: SmbCommand,
    /// `AndXReserved`: must be zero and is ignored.
    pub reserved: u8,
    /// `AndXOffset`: offset of the next block's WordCount from the header start.
    pub offset: u16,
}

impl AndX {
    /// Reads the first 4 bytes of `block.words`.
    pub fn parse(block: &Block<'_>) -> Result<AndX, ParseError> {
        match block.words {
            [c, r, lo, hi, ..] => Ok(AndX {
                command: SmbCommand(*c),
                reserved: *r,
                offset: u16::from_le_bytes([*lo, *hi]),
            }),
            _ => Err(ParseError::Truncated("AndX header")),
        }
    }

    /// The offset of the next block, validated: strictly after the current
    /// block's start and inside the message, so a chain can only move
    /// forward and ends within `msg_len` steps (CVE-2012-0870 /
    /// CVE-2026-5407 class). `None` when the chain ends here.
    pub fn next(&self, current: &Block<'_>, msg_len: usize) -> Result<Option<usize>, ParseError> {
        if self.command == SmbCommand::NO_ANDX_COMMAND {
            return Ok(None);
        }
        let next = usize::from(self.offset);
        if next <= current.offset {
            return Err(ParseError::BadAndX("AndXOffset does not move forward"));
        }
        if next >= msg_len {
            return Err(ParseError::BadAndX("AndXOffset outside the message"));
        }
        Ok(Some(next))
    }
}
