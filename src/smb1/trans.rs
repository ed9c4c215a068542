//! SMB_COM_TRANSACTION (MS-CIFS 2.2.4.33) and SMB_COM_TRANSACTION_SECONDARY
//! (2.2.4.34): records, builders and reassembly.
//!
//! All offsets (ParameterOffset, DataOffset) count from the start of the SMB
//! header and are checked against the message before use; padding between
//! fields is never assumed, the declared offsets are honoured.

use super::header::{SmbCommand, SmbHeader, HEADER_LEN};
use super::message::{slice_at, Block, MessageBuilder, Words};
use super::strings::{read_smb_string, write_smb_string, SmbStr, Termination};
use super::ParseError;

/// Transaction `Flags` (2.2.4.33.1).
pub mod flags {
    /// Disconnect the tree after the transaction completes.
    pub const DISCONNECT_TID: u16 = 0x0001;
    /// One-way transaction: no response.
    pub const NO_RESPONSE: u16 = 0x0002;
}

/// The primary TRANSACTION request (WordCount 14 + SetupCount; 2.2.4.33.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TransactionRequest<'a> {
    /// `TotalParameterCount`: parameter bytes in the whole transaction.
    pub total_parameter_count: u16,
    /// `TotalDataCount`: data bytes in the whole transaction.
    pub total_data_count: u16,
    /// `MaxParameterCount`: the most Trans_Parameters bytes the client accepts in the response.
    pub max_parameter_count: u16,
    /// `MaxDataCount`: the most Trans_Data bytes the client accepts in the response.
    pub max_data_count: u16,
    /// `MaxSetupCount`: the most Setup bytes the client accepts in the response.
    pub max_setup_count: u8,
    /// `Flags`: [`flags`] bits.
    pub flags: u16,
    /// `Timeout`: milliseconds the server should wait for completion.
    pub timeout: u32,
    /// `ParameterCount`: parameter bytes in this message.
    pub parameter_count: u16,
    /// `ParameterOffset`: from the header start to Trans_Parameters.
    pub parameter_offset: u16,
    /// `DataCount`: data bytes in this message.
    pub data_count: u16,
    /// `DataOffset`: from the header start to Trans_Data.
    pub data_offset: u16,
    /// `SetupCount`: the number of Setup words.
    pub setup_count: u8,
    /// `Setup`: SetupCount words (none for RAP).
    pub setup: &'a [u8],
    /// `Name`: `\PIPE\LANMAN` for RAP.
    pub name: SmbStr<'a>,
    /// This message's `Trans_Parameters` (ParameterCount bytes at ParameterOffset).
    pub parameters: &'a [u8],
    /// This message's `Trans_Data`.
    pub data: &'a [u8],
}

impl TransactionRequest<'_> {
    /// Whether secondaries must follow.
    pub fn is_partial(&self) -> bool {
        self.parameter_count < self.total_parameter_count || self.data_count < self.total_data_count
    }
}

/// Parses a TRANSACTION request block. `msg` is the whole SMB message.
///
/// Rejects: WordCount ≠ 14 + SetupCount; an unterminated Name
/// (CVE-2006-3942: the scan is bounded by the block); counts above their
/// totals; parameter or data ranges outside the message.
pub fn parse_transaction_request<'a>(
    msg: &'a [u8],
    block: &Block<'a>,
    unicode: bool,
) -> Result<TransactionRequest<'a>, ParseError> {
    let bad_wc = ParseError::BadWordCount {
        command: SmbCommand::TRANSACTION,
        found: block.word_count,
    };
    if block.word_count < 14 {
        return Err(bad_wc);
    }
    let mut w = Words::new(block.words);
    let total_parameter_count = w.u16()?;
    let total_data_count = w.u16()?;
    let max_parameter_count = w.u16()?;
    let max_data_count = w.u16()?;
    let max_setup_count = w.u8()?;
    w.u8()?; // Reserved1
    let flags = w.u16()?;
    let timeout = w.u32()?;
    w.u16()?; // Reserved2
    let parameter_count = w.u16()?;
    let parameter_offset = w.u16()?;
    let data_count = w.u16()?;
    let data_offset = w.u16()?;
    let setup_count = w.u8()?;
    w.u8()?; // Reserved3
    if usize::from(block.word_count) != 14 + usize::from(setup_count) {
        return Err(bad_wc);
    }
    let setup = w.rest();
    let (name, _, term) = read_smb_string(msg, block.bytes_offset, block.end(), unicode);
    if term == Termination::Unterminated {
        return Err(ParseError::Unterminated("Transaction Name"));
    }
    if parameter_count > total_parameter_count {
        return Err(ParseError::CountExceedsTotal("ParameterCount"));
    }
    if data_count > total_data_count {
        return Err(ParseError::CountExceedsTotal("DataCount"));
    }
    let parameters = slice_at(msg, parameter_offset, parameter_count, "Trans_Parameters")?;
    let data = slice_at(msg, data_offset, data_count, "Trans_Data")?;
    Ok(TransactionRequest {
        total_parameter_count,
        total_data_count,
        max_parameter_count,
        max_data_count,
        max_setup_count,
        flags,
        timeout,
        parameter_count,
        parameter_offset,
        data_count,
        data_offset,
        setup_count,
        setup,
        name,
        parameters,
        data,
    })
}

/// TRANSACTION_SECONDARY request (WordCount 8; 2.2.4.34.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TransactionSecondaryRequest<'a> {
    /// `TotalParameterCount`: may lower, never raise, the primary's total.
    pub total_parameter_count: u16,
    /// `TotalDataCount`: may lower, never raise, the primary's total.
    pub total_data_count: u16,
    /// `ParameterCount`: parameter bytes in this message.
    pub parameter_count: u16,
    /// `ParameterOffset`: from the header start to Trans_Parameters.
    pub parameter_offset: u16,
    /// `ParameterDisplacement`: where these parameter bytes go in the whole block.
    pub parameter_displacement: u16,
    /// `DataCount`: data bytes in this message.
    pub data_count: u16,
    /// `DataOffset`: from the header start to Trans_Data.
    pub data_offset: u16,
    /// `DataDisplacement`: where these data bytes go in the whole block.
    pub data_displacement: u16,
    /// This message's `Trans_Parameters`.
    pub parameters: &'a [u8],
    /// This message's `Trans_Data`.
    pub data: &'a [u8],
}

/// Parses a TRANSACTION_SECONDARY block; ranges are checked against `msg`.
/// Displacements are checked against the totals by the reassembler.
pub fn parse_transaction_secondary<'a>(
    msg: &'a [u8],
    block: &Block<'a>,
) -> Result<TransactionSecondaryRequest<'a>, ParseError> {
    if block.word_count != 8 {
        return Err(ParseError::BadWordCount {
            command: SmbCommand::TRANSACTION_SECONDARY,
            found: block.word_count,
        });
    }
    let mut w = Words::new(block.words);
    let total_parameter_count = w.u16()?;
    let total_data_count = w.u16()?;
    let parameter_count = w.u16()?;
    let parameter_offset = w.u16()?;
    let parameter_displacement = w.u16()?;
    let data_count = w.u16()?;
    let data_offset = w.u16()?;
    let data_displacement = w.u16()?;
    let parameters = slice_at(msg, parameter_offset, parameter_count, "Trans_Parameters")?;
    let data = slice_at(msg, data_offset, data_count, "Trans_Data")?;
    Ok(TransactionSecondaryRequest {
        total_parameter_count,
        total_data_count,
        parameter_count,
        parameter_offset,
        parameter_displacement,
        data_count,
        data_offset,
        data_displacement,
        parameters,
        data,
    })
}

/// Which block of a transaction.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum TransBlock {
    /// `Trans_Parameters`.
    Parameters,
    /// `Trans_Data`.
    Data,
}

impl std::fmt::Display for TransBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransBlock::Parameters => "parameters",
            TransBlock::Data => "data",
        })
    }
}

/// Why a reassembly step failed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReassemblyError {
    /// A slice's displacement + count lies past the block's total.
    #[error("displacement + count exceeds the total")]
    OutOfRange,
    /// The counts received add up to more than the total.
    #[error("more bytes received than the total")]
    TooMuch,
    /// The first part's TotalParameterCount + TotalDataCount exceed the cap.
    #[error("totals of {total} bytes exceed the cap of {cap}")]
    TooLarge {
        /// TotalParameterCount + TotalDataCount.
        total: usize,
        /// The assembler's cap.
        cap: usize,
    },
}

/// A reassembly error and the block it happened in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{block}: {error}")]
#[non_exhaustive]
pub struct PartError {
    /// The block being placed.
    pub block: TransBlock,
    /// What went wrong.
    pub error: ReassemblyError,
}

/// One part of a transaction, request or response: its totals and the
/// slices it carries with their displacements.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TransactionPart<'a> {
    /// `TotalParameterCount` this part declares.
    pub total_parameter_count: u16,
    /// `TotalDataCount` this part declares.
    pub total_data_count: u16,
    /// `ParameterDisplacement` (0 in a primary request).
    pub parameter_displacement: u16,
    /// The part's `Trans_Parameters`.
    pub parameters: &'a [u8],
    /// `DataDisplacement` (0 in a primary request).
    pub data_displacement: u16,
    /// The part's `Trans_Data`.
    pub data: &'a [u8],
}

impl<'a> From<&TransactionRequest<'a>> for TransactionPart<'a> {
    /// The primary request: its slices start the blocks (displacement 0).
    fn from(t: &TransactionRequest<'a>) -> Self {
        TransactionPart {
            total_parameter_count: t.total_parameter_count,
            total_data_count: t.total_data_count,
            parameter_displacement: 0,
            parameters: t.parameters,
            data_displacement: 0,
            data: t.data,
        }
    }
}

impl<'a> From<&TransactionSecondaryRequest<'a>> for TransactionPart<'a> {
    fn from(s: &TransactionSecondaryRequest<'a>) -> Self {
        TransactionPart {
            total_parameter_count: s.total_parameter_count,
            total_data_count: s.total_data_count,
            parameter_displacement: s.parameter_displacement,
            parameters: s.parameters,
            data_displacement: s.data_displacement,
            data: s.data,
        }
    }
}

impl<'a> From<&TransactionResponse<'a>> for TransactionPart<'a> {
    fn from(r: &TransactionResponse<'a>) -> Self {
        TransactionPart {
            total_parameter_count: r.words.total_parameter_count,
            total_data_count: r.words.total_data_count,
            parameter_displacement: r.words.parameter_displacement,
            parameters: r.parameters,
            data_displacement: r.words.data_displacement,
            data: r.data,
        }
    }
}

/// One block (parameters or data) being reassembled.
///
/// Placement follows MS-CIFS 3.3.5.2.5 and Samba: each slice must satisfy
/// displacement + count ≤ total (checked arithmetic); received counts add
/// up and the block is complete when they reach the total. Overlaps are not
/// rejected; they can only leave zero bytes in the buffer, never write
/// outside it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Reassembly {
    buf: Vec<u8>,
    received: usize,
}

impl Reassembly {
    fn with_total(total: u16) -> Reassembly {
        Reassembly {
            buf: vec![0; usize::from(total)],
            received: 0,
        }
    }

    fn is_complete(&self) -> bool {
        self.received == self.buf.len()
    }

    fn place(&mut self, displacement: u16, slice: &[u8]) -> Result<(), ReassemblyError> {
        let start = usize::from(displacement);
        let end = start
            .checked_add(slice.len())
            .ok_or(ReassemblyError::OutOfRange)?;
        let dst = self
            .buf
            .get_mut(start..end)
            .ok_or(ReassemblyError::OutOfRange)?;
        dst.copy_from_slice(slice);
        self.received = self
            .received
            .checked_add(slice.len())
            .ok_or(ReassemblyError::TooMuch)?;
        if self.received > self.buf.len() {
            return Err(ReassemblyError::TooMuch);
        }
        Ok(())
    }

    /// A later part may lower the total (2.2.4.34.1); never raise it.
    fn shrink_total(&mut self, total: u16) -> Result<(), ReassemblyError> {
        let total = usize::from(total);
        if total < self.buf.len() {
            if self.received > total {
                return Err(ReassemblyError::TooMuch);
            }
            self.buf.truncate(total);
        }
        Ok(())
    }
}

/// Reassembles one transaction from its parts, by displacement: a request
/// from its primary and TRANSACTION_SECONDARY messages (MS-CIFS 3.3.5.2.5),
/// a response from its parts (3.2.5.1.4). The server, the client and the
/// capture decoder all use this type.
///
/// The first part sizes both blocks from its TotalParameterCount and
/// TotalDataCount (at most 64 KiB each, and their sum at most the cap);
/// later parts may lower the totals, never raise them (a larger total is
/// ignored). Nothing is ever written outside the buffers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionAssembler {
    /// Parameters and data; `None` until the first part.
    blocks: Option<(Reassembly, Reassembly)>,
    cap: usize,
}

impl Default for TransactionAssembler {
    fn default() -> Self {
        TransactionAssembler::new()
    }
}

impl TransactionAssembler {
    /// An assembler bounded only by the 16-bit totals of its first part.
    pub fn new() -> TransactionAssembler {
        TransactionAssembler::with_cap(usize::MAX)
    }

    /// An assembler whose first part may declare at most `cap` bytes of
    /// TotalParameterCount + TotalDataCount.
    pub fn with_cap(cap: usize) -> TransactionAssembler {
        TransactionAssembler { blocks: None, cap }
    }

    /// Whether a first part has sized the blocks.
    pub fn is_started(&self) -> bool {
        self.blocks.is_some()
    }

    /// Sizes the blocks if no part has yet (within the cap).
    fn start(&mut self, p: u16, d: u16) -> Result<(), PartError> {
        if self.blocks.is_some() {
            return Ok(());
        }
        let total = usize::from(p) + usize::from(d);
        if total > self.cap {
            return Err(PartError {
                block: TransBlock::Parameters,
                error: ReassemblyError::TooLarge {
                    total,
                    cap: self.cap,
                },
            });
        }
        self.blocks = Some((Reassembly::with_total(p), Reassembly::with_total(d)));
        Ok(())
    }

    /// Adds one part: the first sizes the blocks; then totals may shrink,
    /// parameters are placed, then data. Stops at the first error. Returns
    /// whether the transaction is now complete.
    pub fn push<'p>(&mut self, part: impl Into<TransactionPart<'p>>) -> Result<bool, PartError> {
        let part = part.into();
        self.start(part.total_parameter_count, part.total_data_count)?;
        self.shrink_totals(part.total_parameter_count, part.total_data_count)?;
        self.place(
            TransBlock::Parameters,
            part.parameter_displacement,
            part.parameters,
        )
        .map_err(|error| PartError {
            block: TransBlock::Parameters,
            error,
        })?;
        self.place(TransBlock::Data, part.data_displacement, part.data)
            .map_err(|error| PartError {
                block: TransBlock::Data,
                error,
            })?;
        Ok(self.is_complete())
    }

    /// Lowers the totals to those of a later part (never raises them).
    pub fn shrink_totals(&mut self, parameters: u16, data: u16) -> Result<(), PartError> {
        let Some((p, d)) = self.blocks.as_mut() else {
            return Ok(());
        };
        let err = |block| move |error| PartError { block, error };
        p.shrink_total(parameters)
            .map_err(err(TransBlock::Parameters))?;
        d.shrink_total(data).map_err(err(TransBlock::Data))
    }

    /// Copies `slice` into one block at `displacement`, independently of
    /// the other block (the decoder reports each block's errors). Before
    /// the first part both blocks are empty.
    pub fn place(
        &mut self,
        block: TransBlock,
        displacement: u16,
        slice: &[u8],
    ) -> Result<(), ReassemblyError> {
        match (self.blocks.as_mut(), block) {
            (Some((p, _)), TransBlock::Parameters) => p.place(displacement, slice),
            (Some((_, d)), TransBlock::Data) => d.place(displacement, slice),
            (None, _) => Reassembly::default().place(displacement, slice),
        }
    }

    /// Whether both blocks are complete (false before the first part).
    pub fn is_complete(&self) -> bool {
        self.blocks
            .as_ref()
            .is_some_and(|(p, d)| p.is_complete() && d.is_complete())
    }

    /// Whether one block is complete (false before the first part).
    pub fn is_block_complete(&self, block: TransBlock) -> bool {
        self.block(block).is_some_and(Reassembly::is_complete)
    }

    fn block(&self, block: TransBlock) -> Option<&Reassembly> {
        self.blocks.as_ref().map(|(p, d)| match block {
            TransBlock::Parameters => p,
            TransBlock::Data => d,
        })
    }

    /// Bytes received so far in one block.
    pub fn received(&self, block: TransBlock) -> usize {
        self.block(block).map_or(0, |r| r.received)
    }

    /// The current total of one block.
    pub fn total(&self, block: TransBlock) -> usize {
        self.block(block).map_or(0, |r| r.buf.len())
    }

    /// The reassembled parameters (holes zero-filled).
    pub fn parameters(&self) -> &[u8] {
        self.block(TransBlock::Parameters)
            .map_or(&[], |r| r.buf.as_slice())
    }

    /// The reassembled data (holes zero-filled).
    pub fn data(&self) -> &[u8] {
        self.block(TransBlock::Data)
            .map_or(&[], |r| r.buf.as_slice())
    }

    /// Takes the parameter and data blocks (holes zero-filled) without a
    /// copy; the assembler starts over.
    pub fn take(&mut self) -> (Vec<u8>, Vec<u8>) {
        self.blocks
            .take()
            .map(|(p, d)| (p.buf, d.buf))
            .unwrap_or_default()
    }

    /// The parameter and data blocks, without a copy.
    pub fn into_blocks(mut self) -> (Vec<u8>, Vec<u8>) {
        self.take()
    }
}

/// Where the response block's Bytes start: header, WordCount, 10 words, ByteCount.
const RESPONSE_BYTES_OFFSET: usize = HEADER_LEN + 1 + 20 + 2;
/// Parameters start 4-aligned after one pad byte (Windows, Samba).
pub const RESPONSE_PARAMETER_OFFSET: usize = (RESPONSE_BYTES_OFFSET + 3) & !3;

fn align4(n: usize) -> usize {
    n.div_ceil(4) * 4
}

/// Builds the final TRANSACTION response(s) for `params` and `data`.
///
/// Each message is at most `max_message_len` bytes (the client's
/// MaxBufferSize; clamped to 0xFFFF because offsets are 16-bit and raised to
/// a floor that guarantees progress). Parameters go first, then data
/// (2.2.4.33.2: SHOULD). Layout per message, as Samba's
/// `send_trans_reply`: WordCount 10, ByteCount, one pad byte, parameters at
/// offset 56, then pad to 4 and the data (no pad when a part carries no
/// data: DataOffset then points just past the parameters).
pub fn write_transaction_responses(
    header: &SmbHeader,
    params: &[u8],
    data: &[u8],
    max_message_len: usize,
) -> Vec<Vec<u8>> {
    let max = max_message_len.clamp(MIN_RESPONSE_MESSAGE_LEN, 0xFFFF);
    let total_p = u16::try_from(params.len()).unwrap_or(u16::MAX);
    let total_d = u16::try_from(data.len()).unwrap_or(u16::MAX);
    let params = params.get(..usize::from(total_p)).unwrap_or(params);
    let data = data.get(..usize::from(total_d)).unwrap_or(data);
    let mut parts = Vec::new();
    let (mut p_sent, mut d_sent) = (0usize, 0usize);
    loop {
        let p_rest = &params[p_sent..];
        let pc = p_rest.len().min(max - RESPONSE_PARAMETER_OFFSET);
        let p_end = RESPONSE_PARAMETER_OFFSET + pc;
        let d_rest = &data[d_sent..];
        let dc = if pc == p_rest.len() {
            d_rest.len().min(max.saturating_sub(align4(p_end)))
        } else {
            0
        };
        let data_offset = if dc > 0 { align4(p_end) } else { p_end };
        let words = TransactionResponseWords {
            total_parameter_count: total_p,
            total_data_count: total_d,
            parameter_count: pc as u16,
            parameter_offset: RESPONSE_PARAMETER_OFFSET as u16,
            parameter_displacement: p_sent as u16,
            data_count: dc as u16,
            data_offset: data_offset as u16,
            data_displacement: d_sent as u16,
        };
        let mut b = MessageBuilder::new(header);
        b.begin_block(&words.to_bytes());
        b.pad_to(4);
        b.bytes(&p_rest[..pc]);
        if dc > 0 {
            b.pad_to(4);
            b.bytes(&d_rest[..dc]);
        }
        b.end_block();
        parts.push(b.finish());
        p_sent += pc;
        d_sent += dc;
        if (p_sent == params.len() && d_sent == data.len()) || (pc == 0 && dc == 0) {
            return parts;
        }
    }
}

/// Smallest message size [`write_transaction_responses`] will use: the
/// fixed part plus a little payload, so every part makes progress.
pub const MIN_RESPONSE_MESSAGE_LEN: usize = RESPONSE_PARAMETER_OFFSET + 64;

/// The 10 words of a TRANSACTION response (SetupCount 0; 2.2.4.33.2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct TransactionResponseWords {
    /// `TotalParameterCount`: parameter bytes in the whole response.
    pub total_parameter_count: u16,
    /// `TotalDataCount`: data bytes in the whole response.
    pub total_data_count: u16,
    /// `ParameterCount`: parameter bytes in this message.
    pub parameter_count: u16,
    /// `ParameterOffset`: from the header start to Trans_Parameters.
    pub parameter_offset: u16,
    /// `ParameterDisplacement`: where these parameter bytes go in the whole block.
    pub parameter_displacement: u16,
    /// `DataCount`: data bytes in this message.
    pub data_count: u16,
    /// `DataOffset`: from the header start to Trans_Data.
    pub data_offset: u16,
    /// `DataDisplacement`: where these data bytes go in the whole block.
    pub data_displacement: u16,
}

impl TransactionResponseWords {
    /// The 20 bytes of `Words`: these fields with Reserved1, SetupCount
    /// and Reserved2 zero.
    pub fn to_bytes(&self) -> [u8; 20] {
        let mut w = [0u8; 20];
        let vals = [
            self.total_parameter_count,
            self.total_data_count,
            0, // Reserved1
            self.parameter_count,
            self.parameter_offset,
            self.parameter_displacement,
            self.data_count,
            self.data_offset,
            self.data_displacement,
        ];
        for (i, v) in vals.iter().enumerate() {
            w[2 * i..2 * i + 2].copy_from_slice(&v.to_le_bytes());
        }
        // SetupCount 0, Reserved2 0
        w
    }
}

/// A TRANSACTION response as the client sees it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TransactionReply<'a> {
    /// WordCount 0: the interim response (or an error, see the header status).
    Interim,
    /// One part of the final response.
    Part(TransactionResponse<'a>),
}

/// One final-response message.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TransactionResponse<'a> {
    /// The counts, offsets and displacements.
    pub words: TransactionResponseWords,
    /// `Setup`: SetupCount words.
    pub setup: &'a [u8],
    /// This message's `Trans_Parameters`.
    pub parameters: &'a [u8],
    /// This message's `Trans_Data`.
    pub data: &'a [u8],
}

/// Parses a TRANSACTION response block (client role); ranges checked.
pub fn parse_transaction_response<'a>(
    msg: &'a [u8],
    block: &Block<'a>,
) -> Result<TransactionReply<'a>, ParseError> {
    if block.word_count == 0 {
        return Ok(TransactionReply::Interim);
    }
    if block.word_count < 10 {
        return Err(ParseError::BadWordCount {
            command: SmbCommand::TRANSACTION,
            found: block.word_count,
        });
    }
    let mut w = Words::new(block.words);
    let total_parameter_count = w.u16()?;
    let total_data_count = w.u16()?;
    w.u16()?;
    let words = TransactionResponseWords {
        total_parameter_count,
        total_data_count,
        parameter_count: w.u16()?,
        parameter_offset: w.u16()?,
        parameter_displacement: w.u16()?,
        data_count: w.u16()?,
        data_offset: w.u16()?,
        data_displacement: w.u16()?,
    };
    let setup_count = w.u8()?;
    w.u8()?;
    if usize::from(block.word_count) != 10 + usize::from(setup_count) {
        return Err(ParseError::BadWordCount {
            command: SmbCommand::TRANSACTION,
            found: block.word_count,
        });
    }
    let parameters = slice_at(
        msg,
        words.parameter_offset,
        words.parameter_count,
        "Trans_Parameters",
    )?;
    let data = slice_at(msg, words.data_offset, words.data_count, "Trans_Data")?;
    Ok(TransactionReply::Part(TransactionResponse {
        words,
        setup: w.rest(),
        parameters,
        data,
    }))
}

/// Client role: a TRANSACTION request, split into a primary and
/// secondaries when it does not fit `max_message_len`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionRequestBuilder<'a> {
    /// `Name`: the pipe (`\PIPE\LANMAN`) or mailslot.
    pub name: &'a str,
    /// The whole `Trans_Parameters` block.
    pub parameters: &'a [u8],
    /// The whole `Trans_Data` block.
    pub data: &'a [u8],
    /// `Setup` words, as bytes (an even number).
    pub setup: &'a [u8],
    /// `MaxParameterCount`: the most parameter bytes accepted in the response.
    pub max_parameter_count: u16,
    /// `MaxDataCount`: the most data bytes accepted in the response.
    pub max_data_count: u16,
    /// `MaxSetupCount`: the most Setup bytes accepted in the response.
    pub max_setup_count: u8,
    /// `Flags`: [`flags`] bits.
    pub flags: u16,
    /// `Timeout` in milliseconds.
    pub timeout: u32,
    /// Alignment of Trans_Parameters and Trans_Data: 1 (none, as in the
    /// MS-RAP/Windows examples) or 4 (Samba, impacket).
    pub align: usize,
}

impl<'a> TransactionRequestBuilder<'a> {
    /// A `\PIPE\LANMAN` request for RAP parameters.
    pub fn lanman(parameters: &'a [u8], max_parameter_count: u16, max_data_count: u16) -> Self {
        TransactionRequestBuilder {
            name: "\\PIPE\\LANMAN",
            parameters,
            data: &[],
            setup: &[],
            max_parameter_count,
            max_data_count,
            max_setup_count: 0,
            flags: 0,
            timeout: 0,
            align: 1,
        }
    }

    /// The primary request alone, with ParameterCount/DataCount limited to
    /// `first_params`/`first_data` bytes (the rest goes in secondaries).
    pub fn primary(&self, header: &SmbHeader, first_params: usize, first_data: usize) -> Vec<u8> {
        let unicode = header.is_unicode();
        let setup_words = self.setup.len() / 2;
        let p = &self.parameters[..first_params.min(self.parameters.len())];
        let d = &self.data[..first_data.min(self.data.len())];
        let bytes_offset = HEADER_LEN + 1 + 2 * (14 + setup_words) + 2;
        // Compute the layout first: the offsets live in the words.
        let mut probe = MessageBuilder::new(header);
        probe.begin_block(&vec![0u8; 2 * (14 + setup_words)]);
        write_smb_string(&mut probe, self.name, unicode);
        let name_end = probe.offset();
        debug_assert!(name_end >= bytes_offset);
        let align = self.align.max(1);
        let poff = name_end.div_ceil(align) * align;
        let doff = if d.is_empty() {
            0
        } else {
            (poff + p.len()).div_ceil(align) * align
        };
        let mut w = Vec::with_capacity(2 * (14 + setup_words));
        for v in [
            self.parameters.len() as u16,
            self.data.len() as u16,
            self.max_parameter_count,
            self.max_data_count,
        ] {
            w.extend_from_slice(&v.to_le_bytes());
        }
        w.push(self.max_setup_count);
        w.push(0);
        w.extend_from_slice(&self.flags.to_le_bytes());
        w.extend_from_slice(&self.timeout.to_le_bytes());
        w.extend_from_slice(&0u16.to_le_bytes());
        for v in [
            p.len() as u16,
            if p.is_empty() { 0 } else { poff as u16 },
            d.len() as u16,
            doff as u16,
        ] {
            w.extend_from_slice(&v.to_le_bytes());
        }
        w.push(setup_words as u8);
        w.push(0);
        w.extend_from_slice(&self.setup[..2 * setup_words]);
        let mut b = MessageBuilder::new(header);
        b.begin_block(&w);
        write_smb_string(&mut b, self.name, unicode);
        if !p.is_empty() {
            b.pad_to(align);
            b.bytes(p);
        }
        if !d.is_empty() {
            b.pad_to(align);
            b.bytes(d);
        }
        b.end_block();
        b.finish()
    }

    /// The whole request: primary plus secondaries, each ≤ `max_message_len`
    /// (floored at 128 so each message carries something).
    pub fn build(&self, header: &SmbHeader, max_message_len: usize) -> Vec<Vec<u8>> {
        let max = max_message_len.max(128);
        let name_len = if header.is_unicode() {
            2 * self.name.encode_utf16().count() + 3
        } else {
            self.name.len() + 1
        };
        let fixed =
            HEADER_LEN + 1 + 2 * (14 + self.setup.len() / 2) + 2 + name_len + 2 * self.align;
        let room = max.saturating_sub(fixed);
        let fp = self.parameters.len().min(room);
        let fd = if fp == self.parameters.len() {
            self.data.len().min(room - fp)
        } else {
            0
        };
        let mut out = vec![self.primary(header, fp, fd)];
        let (mut ps, mut ds) = (fp, fd);
        let mut sh = *header;
        sh.command = SmbCommand::TRANSACTION_SECONDARY;
        while ps < self.parameters.len() || ds < self.data.len() {
            let room = max - (HEADER_LEN + 1 + 16 + 2 + 2 * self.align);
            let pc = (self.parameters.len() - ps).min(room);
            let dc = if ps + pc == self.parameters.len() {
                (self.data.len() - ds).min(room - pc)
            } else {
                0
            };
            out.push(self.secondary(&sh, ps, pc, ds, dc));
            ps += pc;
            ds += dc;
        }
        out
    }

    /// One TRANSACTION_SECONDARY carrying `parameters[ps..ps+pc]` and `data[ds..ds+dc]`.
    pub fn secondary(
        &self,
        header: &SmbHeader,
        ps: usize,
        pc: usize,
        ds: usize,
        dc: usize,
    ) -> Vec<u8> {
        let align = self.align.max(1);
        let bytes_offset = HEADER_LEN + 1 + 16 + 2;
        let poff = bytes_offset.div_ceil(align) * align;
        let doff = if dc == 0 {
            0
        } else {
            (poff + pc).div_ceil(align) * align
        };
        let mut w = Vec::with_capacity(16);
        for v in [
            self.parameters.len(),
            self.data.len(),
            pc,
            if pc == 0 { 0 } else { poff },
            ps,
            dc,
            doff,
            ds,
        ] {
            w.extend_from_slice(&(v as u16).to_le_bytes());
        }
        let mut b = MessageBuilder::new(header);
        b.begin_block(&w);
        if pc > 0 {
            b.pad_to(align);
            b.bytes(&self.parameters[ps..ps + pc]);
        }
        if dc > 0 {
            b.pad_to(align);
            b.bytes(&self.data[ds..ds + dc]);
        }
        b.end_block();
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smb1::{parse_block, HeaderFlags2};

    #[test]
    fn reassembly_bounds() {
        let mut r = Reassembly::with_total(10);
        r.place(0, &[1, 2, 3]).unwrap();
        assert_eq!(r.place(8, &[0; 3]), Err(ReassemblyError::OutOfRange));
        assert_eq!(r.place(0xFFFF, &[0; 3]), Err(ReassemblyError::OutOfRange));
        r.place(3, &[4; 7]).unwrap();
        assert!(r.is_complete());
        assert_eq!(r.place(0, &[1]), Err(ReassemblyError::TooMuch));
        let mut r = Reassembly::with_total(10);
        r.place(0, &[1, 2, 3, 4]).unwrap();
        assert_eq!(r.shrink_total(3), Err(ReassemblyError::TooMuch));
        r.shrink_total(6).unwrap();
        r.place(4, &[5, 6]).unwrap();
        assert!(r.is_complete());
        assert_eq!(r.buf, vec![1, 2, 3, 4, 5, 6]);
    }

    fn part<'a>(totals: (u16, u16), p: (u16, &'a [u8]), d: (u16, &'a [u8])) -> TransactionPart<'a> {
        TransactionPart {
            total_parameter_count: totals.0,
            total_data_count: totals.1,
            parameter_displacement: p.0,
            parameters: p.1,
            data_displacement: d.0,
            data: d.1,
        }
    }

    #[test]
    fn assembler_first_part_sizes_later_parts_may_shrink_never_grow() {
        let mut a = TransactionAssembler::new();
        assert!(!a.is_started() && !a.is_complete());
        assert_eq!(a.push(part((6, 4), (0, &[1, 2]), (0, &[]))), Ok(false));
        assert_eq!(
            (a.total(TransBlock::Parameters), a.total(TransBlock::Data)),
            (6, 4)
        );
        // A larger total is ignored: the first part's totals bound the buffers.
        assert_eq!(a.push(part((60, 40), (2, &[3, 4]), (0, &[9]))), Ok(false));
        assert_eq!(
            (a.total(TransBlock::Parameters), a.total(TransBlock::Data)),
            (6, 4)
        );
        // Shrinking below what was received fails; to what was received completes.
        assert_eq!(
            a.push(part((3, 1), (0, &[]), (0, &[]))),
            Err(PartError {
                block: TransBlock::Parameters,
                error: ReassemblyError::TooMuch
            })
        );
        assert_eq!(a.push(part((4, 1), (0, &[]), (0, &[]))), Ok(true));
        assert_eq!(a.received(TransBlock::Parameters), 4);
        assert_eq!(a.take(), (vec![1, 2, 3, 4], vec![9]));
        // take() starts over.
        assert!(!a.is_started());
        assert_eq!(a.push(part((0, 0), (0, &[]), (0, &[]))), Ok(true));
        assert_eq!(a.into_blocks(), (vec![], vec![]));
    }

    #[test]
    fn assembler_bounds_and_caps() {
        let mut a = TransactionAssembler::with_cap(100);
        assert_eq!(
            a.push(part((60, 41), (0, &[]), (0, &[]))),
            Err(PartError {
                block: TransBlock::Parameters,
                error: ReassemblyError::TooLarge {
                    total: 101,
                    cap: 100
                }
            })
        );
        assert!(!a.is_started());
        assert_eq!(a.push(part((60, 40), (0, &[0; 10]), (0, &[]))), Ok(false));
        // Out of range in the data block: the error names it; nothing written.
        assert_eq!(
            a.push(part((60, 40), (10, &[]), (0xFFFF, &[1]))),
            Err(PartError {
                block: TransBlock::Data,
                error: ReassemblyError::OutOfRange
            })
        );
        assert_eq!(
            a.place(TransBlock::Parameters, 55, &[0; 6]),
            Err(ReassemblyError::OutOfRange)
        );
        // Overlaps count twice and end in TooMuch, never past the buffer.
        for _ in 0..5 {
            a.place(TransBlock::Parameters, 0, &[7; 10]).unwrap();
        }
        assert_eq!(
            a.place(TransBlock::Parameters, 0, &[7; 10]),
            Err(ReassemblyError::TooMuch)
        );
        assert_eq!(a.parameters().len(), 60);
        // Before any part, both blocks are empty.
        let mut fresh = TransactionAssembler::new();
        assert_eq!(fresh.place(TransBlock::Data, 0, &[]), Ok(()));
        assert_eq!(
            fresh.place(TransBlock::Data, 0, &[1]),
            Err(ReassemblyError::OutOfRange)
        );
        assert_eq!(fresh.shrink_totals(0, 0), Ok(()));
    }

    #[test]
    fn assembler_serves_request_primary_and_secondaries() {
        let h = SmbHeader::request(SmbCommand::TRANSACTION, HeaderFlags2::empty());
        let params: Vec<u8> = (0..50).collect();
        let data: Vec<u8> = (100..200).collect();
        let b = TransactionRequestBuilder {
            data: &data,
            ..TransactionRequestBuilder::lanman(&params, 10, 10)
        };
        let msgs = b.build(&h, 128);
        assert!(msgs.len() > 2);
        let mut a = TransactionAssembler::with_cap(0xFFFF);
        for (i, m) in msgs.iter().enumerate() {
            let block = parse_block(m, HEADER_LEN).unwrap();
            let complete = if i == 0 {
                let t = parse_transaction_request(m, &block, false).unwrap();
                a.push(&t).unwrap()
            } else {
                let s = parse_transaction_secondary(m, &block).unwrap();
                a.push(&s).unwrap()
            };
            assert_eq!(complete, i == msgs.len() - 1);
        }
        assert_eq!(a.into_blocks(), (params, data));
    }
    #[test]
    fn response_split_and_reparse() {
        let h = SmbHeader::request(SmbCommand::TRANSACTION, HeaderFlags2::empty());
        let params: Vec<u8> = (0..6).collect();
        let data: Vec<u8> = (0..=255).cycle().take(1000).collect();
        for max in [0, 100, 200, 300, 1100, 70000] {
            let parts = write_transaction_responses(&h, &params, &data, max);
            let (mut p, mut d) = (vec![0u8; 6], vec![0u8; 1000]);
            let mut asm = TransactionAssembler::new();
            for m in &parts {
                assert!(m.len() <= max.clamp(MIN_RESPONSE_MESSAGE_LEN, 0xFFFF));
                let b = parse_block(m, 32).unwrap();
                let TransactionReply::Part(r) = parse_transaction_response(m, &b).unwrap() else {
                    panic!()
                };
                assert_eq!(r.words.parameter_offset % 4, 0);
                if r.words.data_count > 0 {
                    assert_eq!(r.words.data_offset % 4, 0);
                }
                let pd = usize::from(r.words.parameter_displacement);
                p[pd..pd + r.parameters.len()].copy_from_slice(r.parameters);
                let dd = usize::from(r.words.data_displacement);
                d[dd..dd + r.data.len()].copy_from_slice(r.data);
                // The one assembler reaches the same blocks, complete on the last part.
                assert_eq!(asm.push(&r), Ok(std::ptr::eq(m, parts.last().unwrap())));
            }
            assert_eq!((p, d), (params.clone(), data.clone()), "max {max}");
            assert_eq!(asm.into_blocks(), (params.clone(), data.clone()));
        }
    }
}
