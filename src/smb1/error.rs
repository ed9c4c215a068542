use crate::codes::NtStatus;

use super::header::SmbCommand;

/// Why an SMB1 message or record was rejected.
///
/// Every variant maps to the status a server answers with
/// ([`ParseError::status`]); a parse failure becomes a well-formed error
/// response, never a panic.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input ends inside a fixed-size field.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// The first four bytes are not `\xFFSMB` (MS-CIFS 2.2.3.1 Protocol).
    #[error("not an SMB1 message (Protocol is not \\xFFSMB)")]
    BadProtocol,
    /// WordCount·2 runs past the end of the message.
    #[error("WordCount {word_count} at offset {offset} runs past the message end")]
    WordCountOverrun {
        /// Offset of WordCount from the header start.
        offset: usize,
        /// The WordCount read.
        word_count: u8,
    },
    /// ByteCount runs past the end of the message.
    #[error("ByteCount {byte_count} at offset {offset} runs past the message end")]
    ByteCountOverrun {
        /// Offset of ByteCount from the header start.
        offset: usize,
        /// The ByteCount read.
        byte_count: u16,
    },
    /// WordCount is not one this command defines.
    #[error("WordCount {found} is not valid for {command}")]
    BadWordCount {
        /// The command whose block it is.
        command: SmbCommand,
        /// The WordCount read.
        found: u8,
    },
    /// An offset/count pair points outside the message.
    #[error("{0} lies outside the message")]
    OutOfBounds(&'static str),
    /// A count is larger than its total (e.g. ParameterCount > TotalParameterCount).
    #[error("{0} exceeds its total")]
    CountExceedsTotal(&'static str),
    /// A string lacks its terminating NUL inside the message (CVE-2006-3942 class).
    #[error("unterminated string: {0}")]
    Unterminated(&'static str),
    /// An AndX chain goes backwards, leaves the message or is too long.
    #[error("bad AndX chain: {0}")]
    BadAndX(&'static str),
}

impl ParseError {
    /// The status a server sends for this failure.
    ///
    /// Structural lies (WordCount/ByteCount overruns, a wrong WordCount,
    /// AndX loops) are `STATUS_INVALID_SMB` (ERRSRV/ERRerror, MS-CIFS
    /// 2.2.2.4); fields that are well-formed but point at the wrong place are
    /// `STATUS_INVALID_PARAMETER`, which is what Samba answers for bad
    /// transaction offsets and counts.
    pub fn status(&self) -> NtStatus {
        match self {
            ParseError::Truncated(_)
            | ParseError::BadProtocol
            | ParseError::WordCountOverrun { .. }
            | ParseError::ByteCountOverrun { .. }
            | ParseError::BadWordCount { .. }
            | ParseError::BadAndX(_) => NtStatus::STATUS_INVALID_SMB,
            ParseError::OutOfBounds(_)
            | ParseError::CountExceedsTotal(_)
            | ParseError::Unterminated(_) => NtStatus::STATUS_INVALID_PARAMETER,
        }
    }
}

impl From<ParseError> for NtStatus {
    fn from(e: ParseError) -> Self {
        e.status()
    }
}
