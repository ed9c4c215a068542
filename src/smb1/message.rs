//! `SMB_Parameters` / `SMB_Data` blocks (MS-CIFS 2.2.3.2, 2.2.3.3) and a
//! small builder for writing them.

use super::header::{SmbHeader, HEADER_LEN};
use super::ParseError;

/// One command block: WordCount, Words, ByteCount, Bytes.
///
/// Offsets are from the start of the SMB header, as in every SMB1 offset
/// field. The checks guarantee `words` and `bytes` lie inside the message:
/// neither WordCount nor ByteCount may lie about the message length.
/// Trailing bytes after the block are allowed (AndX followers, padding).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Block<'a> {
    /// Offset of WordCount.
    pub offset: usize,
    /// `WordCount`: the number of 2-byte words in `Words`.
    pub word_count: u8,
    /// `Words`: WordCount·2 bytes.
    pub words: &'a [u8],
    /// `ByteCount`: the number of bytes in `Bytes`.
    pub byte_count: u16,
    /// `Bytes`: ByteCount bytes.
    pub bytes: &'a [u8],
    /// Offset of the first byte of `Bytes`.
    pub bytes_offset: usize,
}

impl Block<'_> {
    /// Offset just past the block.
    pub fn end(&self) -> usize {
        self.bytes_offset + self.bytes.len()
    }
}

/// Parses the block that starts at `offset` in the whole message `msg`.
pub fn parse_block(msg: &[u8], offset: usize) -> Result<Block<'_>, ParseError> {
    let word_count = *msg.get(offset).ok_or(ParseError::Truncated("WordCount"))?;
    let words_start = offset + 1;
    let words_end = words_start + 2 * usize::from(word_count);
    let words = msg
        .get(words_start..words_end)
        .ok_or(ParseError::WordCountOverrun { offset, word_count })?;
    let bc = msg
        .get(words_end..words_end + 2)
        .ok_or(ParseError::Truncated("ByteCount"))?;
    let byte_count = u16::from_le_bytes([bc[0], bc[1]]);
    let bytes_offset = words_end + 2;
    let bytes = msg
        .get(bytes_offset..bytes_offset + usize::from(byte_count))
        .ok_or(ParseError::ByteCountOverrun {
            offset: words_end,
            byte_count,
        })?;
    Ok(Block {
        offset,
        word_count,
        words,
        byte_count,
        bytes,
        bytes_offset,
    })
}

/// The whole-message slice `[offset, offset + count)`, if it lies inside `msg`.
pub(crate) fn slice_at<'a>(
    msg: &'a [u8],
    offset: u16,
    count: u16,
    what: &'static str,
) -> Result<&'a [u8], ParseError> {
    let start = usize::from(offset);
    let end = start + usize::from(count);
    if count == 0 {
        // An empty block may carry any offset (DataOffset is often 0).
        return Ok(&[]);
    }
    msg.get(start..end).ok_or(ParseError::OutOfBounds(what))
}

/// Builds one SMB message: a header, then blocks, with AndX linking.
///
/// Writes never fail; counts are patched in when a block is finished.
#[derive(Debug, Clone, Default)]
pub struct MessageBuilder {
    buf: Vec<u8>,
    /// Offset of the current block's WordCount.
    block_start: usize,
    /// Offset of the current block's ByteCount.
    byte_count_at: usize,
    /// Offset of the last AndX block's WordCount, for linking.
    last_andx: Option<usize>,
}

impl MessageBuilder {
    /// Starts a message with `header`; the first block follows it.
    pub fn new(header: &SmbHeader) -> MessageBuilder {
        let mut buf = Vec::with_capacity(128);
        header.write(&mut buf);
        MessageBuilder {
            buf,
            block_start: HEADER_LEN,
            byte_count_at: HEADER_LEN,
            last_andx: None,
        }
    }

    /// Current length = offset of the next byte written, from the header start.
    pub fn offset(&self) -> usize {
        self.buf.len()
    }

    /// Starts a block with `words` (must be an even number of bytes ≤ 510)
    /// and a ByteCount placeholder; follow with `bytes_*` calls and [`Self::end_block`].
    pub fn begin_block(&mut self, words: &[u8]) {
        debug_assert!(words.len().is_multiple_of(2) && words.len() <= 510);
        self.block_start = self.buf.len();
        self.buf.push((words.len() / 2) as u8);
        self.buf.extend_from_slice(words);
        self.byte_count_at = self.buf.len();
        self.buf.extend_from_slice(&[0, 0]);
    }

    /// Starts an AndX block: `words` must begin with the 4 AndX bytes
    /// (they are overwritten when a following block is linked, or set to
    /// "no further command").
    pub fn begin_andx_block(&mut self, words: &[u8]) {
        self.begin_block(words);
        let at = self.block_start;
        if let Some(w) = self.buf.get_mut(at + 1..at + 5) {
            w.copy_from_slice(&[0xFF, 0, 0, 0]);
        }
        self.last_andx = Some(at);
    }

    /// Appends `b` to the current block's `Bytes`.
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Appends one byte to the current block's `Bytes`.
    pub fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// Zero bytes up to the next multiple of `align` (from the header start).
    pub fn pad_to(&mut self, align: usize) {
        let align = align.max(1);
        while !self.buf.len().is_multiple_of(align) {
            self.buf.push(0);
        }
    }

    /// Patches ByteCount of the current block. ByteCount saturates at
    /// 0xFFFF; callers keep blocks far below that.
    pub fn end_block(&mut self) {
        let n = self.buf.len().saturating_sub(self.byte_count_at + 2);
        let n = u16::try_from(n).unwrap_or(u16::MAX);
        if let Some(bc) = self.buf.get_mut(self.byte_count_at..self.byte_count_at + 2) {
            bc.copy_from_slice(&n.to_le_bytes());
        }
    }

    /// Points the last AndX block at a block of `command` starting at the
    /// current offset; call before `begin_*` of that block.
    pub fn link_next(&mut self, command: super::SmbCommand) {
        let next = u16::try_from(self.buf.len()).unwrap_or(0);
        if let Some(at) = self.last_andx {
            if let Some(w) = self.buf.get_mut(at + 1..at + 5) {
                w[0] = command.0;
                w[1] = 0;
                w[2..4].copy_from_slice(&next.to_le_bytes());
            }
        }
    }

    /// Rewrites the header (e.g. the final Status or UID of a chain).
    pub fn set_header(&mut self, header: &SmbHeader) {
        let mut h = Vec::with_capacity(HEADER_LEN);
        header.write(&mut h);
        if let Some(dst) = self.buf.get_mut(..HEADER_LEN) {
            dst.copy_from_slice(&h);
        }
    }

    /// Drops everything after `len` (undo a half-written block).
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len.max(HEADER_LEN));
    }

    /// The message bytes (without NBSS framing).
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Words cursor: little-endian reads with a typed truncation error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Words<'a> {
    rest: &'a [u8],
}

impl<'a> Words<'a> {
    pub(crate) fn new(words: &'a [u8]) -> Words<'a> {
        Words { rest: words }
    }

    pub(crate) fn u8(&mut self) -> Result<u8, ParseError> {
        let (&b, rest) = self
            .rest
            .split_first()
            .ok_or(ParseError::Truncated("parameter words"))?;
        self.rest = rest;
        Ok(b)
    }

    pub(crate) fn u16(&mut self) -> Result<u16, ParseError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, ParseError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        if self.rest.len() < n {
            return Err(ParseError::Truncated("parameter words"));
        }
        let (a, b) = self.rest.split_at(n);
        self.rest = b;
        Ok(a)
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(after_header: &[u8]) -> Vec<u8> {
        let mut m = vec![0u8; HEADER_LEN];
        m.extend_from_slice(after_header);
        m
    }

    #[test]
    fn block_checks_counts_against_the_message() {
        let m = msg(&[1, 0xAA, 0xBB, 2, 0, 7, 8]);
        let b = parse_block(&m, HEADER_LEN).unwrap();
        assert_eq!(
            (b.words, b.bytes, b.end()),
            (&[0xAA, 0xBB][..], &[7, 8][..], m.len())
        );
        assert!(matches!(
            parse_block(&msg(&[2, 0, 0, 0]), 32),
            Err(ParseError::WordCountOverrun { .. })
        ));
        assert!(matches!(
            parse_block(&msg(&[0, 3, 0, 1]), 32),
            Err(ParseError::ByteCountOverrun { .. })
        ));
        assert!(matches!(
            parse_block(&msg(&[0, 3]), 32),
            Err(ParseError::Truncated(_))
        ));
        assert!(matches!(
            parse_block(&msg(&[]), 32),
            Err(ParseError::Truncated(_))
        ));
    }

    #[test]
    fn slice_at_bounds() {
        let m = [0u8; 10];
        assert_eq!(slice_at(&m, 8, 2, "x").unwrap().len(), 2);
        assert!(slice_at(&m, 9, 2, "x").is_err());
        assert!(slice_at(&m, 0xFFFF, 0xFFFF, "x").is_err());
        assert!(slice_at(&m, 0xFFFF, 0, "x").unwrap().is_empty());
    }
}
