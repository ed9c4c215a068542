//! RAP response data marshaling (MS-RAP 2.5.11), driven by a DataDesc.
//!
//! The fixed parts of all entries come first, each item packed right after
//! the previous one; variable-length data (strings, `l` buffers) after them.
//! Low halves of pointers hold the offset plus Converter, High halves 0.
//! A fixed part is copied whole or not at all; a string that does not fit
//! gets offset 0 and makes the result incomplete (ERROR_MORE_DATA); a NULL
//! source string is marshaled as an empty string by the mapping layer.
//!
//! Two string layouts ([`StringLayout`]): forward after the fixed parts with
//! Converter 0 (the letter of 2.5.11), or Windows' top-down from the end of
//! a ReceiveBufferSize buffer with the gap squeezed out and Converter =
//! ReceiveBufferSize − bytes returned.
//!
//! Every offset is below `limit` ≤ 65535 (forward) or below
//! ReceiveBufferSize ≤ 65535 (Windows), so it fits in the 16-bit Low half.
//! No allocation beyond growing the caller's reused output buffer to at
//! most `limit` bytes.

use thiserror::Error;

use super::descriptor::{data, data_item_size, Descriptor, DescriptorError};
use super::profile::StringLayout;
use crate::oem::OemCodePage;

/// One field value, in descriptor order.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Field<'f> {
    /// `W` (and `K`): a word. With a count, the first word; the rest are 0.
    Word(u16),
    /// `D`: a dword. With a count, the first; the rest are 0.
    DWord(u32),
    /// `B`n: a fixed-width string: at most n−1 OEM bytes, NUL-padded to n.
    /// A bare `B` (pad byte) takes `Fixed("")` and is sent as 0.
    Fixed(&'f str),
    /// `z`: a string pointer. `None` sends offset 0 (absent).
    Str(Option<&'f str>),
    /// `l` / `b`: a pointer to bytes. `None` sends both halves 0.
    LenBuf(Option<&'f [u8]>),
    /// `N`: the count of auxiliary structures.
    AuxCount(u16),
}

/// The most fields one structure has here (PrintJobInfo3: 19).
pub const MAX_FIELDS: usize = 24;

/// A fixed-capacity list of fields (no allocation).
#[derive(Clone, Debug)]
pub struct Fields<'f> {
    items: [Field<'f>; MAX_FIELDS],
    len: usize,
}

impl<'f> Default for Fields<'f> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'f> Fields<'f> {
    pub fn new() -> Self {
        Fields {
            items: [Field::Word(0); MAX_FIELDS],
            len: 0,
        }
    }

    /// Append a field; beyond [`MAX_FIELDS`] the field is dropped and the
    /// marshaler reports [`MarshalError::FieldMismatch`].
    pub fn push(&mut self, f: Field<'f>) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = f;
        }
        self.len = self.len.saturating_add(1);
    }

    pub fn as_slice(&self) -> &[Field<'f>] {
        self.items.get(..self.len).unwrap_or(&self.items)
    }
}

/// The marshaler was given fields that do not match its descriptor (a bug
/// in the caller, never caused by input).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Error)]
pub enum MarshalError {
    #[error("descriptor: {0}")]
    Descriptor(#[from] DescriptorError),
    #[error("field {index} does not match descriptor item {item:?}")]
    FieldMismatch { index: usize, item: char },
}

/// What a marshaling run produced.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Marshaled {
    /// Entries whose fixed part was written.
    pub entries_returned: u16,
    /// Entries offered.
    pub entries_available: u16,
    /// Converter for the response parameters.
    pub converter: u16,
    /// Bytes needed to return every entry whole (fixed parts and all
    /// variable data), saturating at u32::MAX: TotalBytesAvailable.
    pub total_bytes: u32,
    /// Whether every fixed part and every string was returned.
    pub complete: bool,
}

/// Marshals entries described by one DataDesc into a response data buffer.
#[derive(Debug)]
pub struct Marshaler<'o, 'd> {
    out: &'o mut Vec<u8>,
    desc: Descriptor<'d>,
    fixed: usize,
    layout: StringLayout,
    code_page: OemCodePage,
    receive_buffer_size: u16,
    limit: usize,
    /// Entries that will get a fixed part.
    fit: usize,
    available: usize,
    /// Entries seen so far.
    index: usize,
    /// End of the fixed parts.
    fixed_end: usize,
    /// Windows layout: the lowest byte used by strings.
    heap_lo: usize,
    total: u32,
    complete: bool,
}

impl<'o, 'd> Marshaler<'o, 'd> {
    /// Start marshaling `count` entries of `desc` into `out` (cleared).
    /// `limit` is the most data bytes to return: min(ReceiveBufferSize,
    /// MaxDataCount) (2.5.11; MS-CIFS 2.2.4.33.1).
    pub fn new(
        out: &'o mut Vec<u8>,
        desc: Descriptor<'d>,
        count: usize,
        receive_buffer_size: u16,
        limit: u16,
        layout: StringLayout,
        code_page: OemCodePage,
    ) -> Result<Self, MarshalError> {
        let fixed = usize::from(desc.fixed_size()?);
        let limit = usize::from(limit.min(receive_buffer_size));
        let fit = limit.checked_div(fixed).map_or(count, |n| count.min(n));
        let fixed_end = fit.saturating_mul(fixed);
        out.clear();
        match layout {
            StringLayout::Forward => out.resize(fixed_end, 0),
            StringLayout::WindowsTopDown if fit > 0 => out.resize(limit, 0),
            StringLayout::WindowsTopDown => {}
        }
        Ok(Marshaler {
            out,
            desc,
            fixed,
            layout,
            code_page,
            receive_buffer_size,
            limit,
            fit,
            available: count,
            index: 0,
            fixed_end,
            heap_lo: limit,
            total: 0,
            complete: fit == count,
        })
    }

    /// Entries whose fixed part fits.
    pub fn entries_fitting(&self) -> usize {
        self.fit
    }

    /// Reserve `len` bytes of variable data; returns (position in `out`,
    /// pointer value) or `None` when they do not fit.
    fn place(&mut self, len: usize) -> Option<(usize, u16)> {
        match self.layout {
            StringLayout::Forward => {
                let pos = self.out.len();
                let end = pos.checked_add(len).filter(|&e| e <= self.limit)?;
                self.out.resize(end, 0);
                Some((pos, u16::try_from(pos).ok()?))
            }
            StringLayout::WindowsTopDown => {
                let pos = self
                    .heap_lo
                    .checked_sub(len)
                    .filter(|&p| p >= self.fixed_end)?;
                self.heap_lo = pos;
                // Position in the un-squeezed ReceiveBufferSize buffer, whose
                // top is ReceiveBufferSize (limit ≤ ReceiveBufferSize).
                let shift = usize::from(self.receive_buffer_size).checked_sub(self.limit)?;
                Some((pos, u16::try_from(pos.checked_add(shift)?).ok()?))
            }
        }
    }

    fn put_u16(&mut self, at: usize, v: u16) {
        if let Some(s) = self.out.get_mut(at..at.saturating_add(2)) {
            s.copy_from_slice(&v.to_le_bytes());
        }
    }

    fn put_u32(&mut self, at: usize, v: u32) {
        if let Some(s) = self.out.get_mut(at..at.saturating_add(4)) {
            s.copy_from_slice(&v.to_le_bytes());
        }
    }

    fn add_total(&mut self, n: usize) {
        self.total = self
            .total
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }

    /// Marshal the next entry. Entries beyond those that fit only count
    /// towards [`Marshaled::total_bytes`].
    pub fn entry(&mut self, fields: &[Field<'_>]) -> Result<(), MarshalError> {
        let write = self.index < self.fit;
        let mut at = self.index.saturating_mul(self.fixed);
        self.index = self.index.saturating_add(1);
        self.add_total(self.fixed);
        let mut fi = fields.iter();
        for (index, item) in self.desc.items().enumerate() {
            let item = item?;
            if item.ch == data::NULL {
                continue;
            }
            let size = data_item_size(item)
                .and_then(|s| usize::try_from(s).ok())
                .ok_or(DescriptorError::SizeOverflow)?;
            let mismatch = MarshalError::FieldMismatch {
                index,
                item: item.ch as char,
            };
            let field = *fi.next().ok_or(mismatch)?;
            match (item.ch, field) {
                (data::WORD | data::UNSTRUCTURED, Field::Word(v))
                | (data::AUXCOUNT, Field::AuxCount(v)) => {
                    if write {
                        self.put_u16(at, v);
                    }
                }
                (data::DWORD, Field::DWord(v)) => {
                    if write {
                        self.put_u32(at, v);
                    }
                }
                (data::BYTES, Field::Fixed(s)) => {
                    if write && size > 1 {
                        let cp = self.code_page;
                        if let Some(slot) = self.out.get_mut(at..at.saturating_add(size - 1)) {
                            // NUL padding is already there (the buffer was zeroed).
                            cp.encode_fixed(s, slot);
                        }
                    }
                }
                (data::STRING, Field::Str(s)) => {
                    let Some(s) = s else {
                        continue_ptr(self, write, at, 0);
                        at = at.saturating_add(size);
                        continue;
                    };
                    let (enc, plain) = oem_string_len(&self.code_page, s);
                    let len = enc.saturating_add(1);
                    self.add_total(len);
                    let mut ptr = 0;
                    if write {
                        match self.place(len) {
                            Some((pos, p)) => {
                                let cp = self.code_page;
                                if let Some(slot) =
                                    self.out.get_mut(pos..pos.saturating_add(len - 1))
                                {
                                    write_oem_string(&cp, s, plain, slot);
                                }
                                ptr = p;
                            }
                            None => self.complete = false,
                        }
                    }
                    continue_ptr(self, write, at, ptr);
                }
                (data::LENBUF | data::BYTES_PTR, Field::LenBuf(b)) => {
                    let mut ptr = 0;
                    if let Some(b) = b {
                        self.add_total(b.len());
                        if write {
                            match self.place(b.len()) {
                                Some((pos, p)) => {
                                    if let Some(slot) =
                                        self.out.get_mut(pos..pos.saturating_add(b.len()))
                                    {
                                        slot.copy_from_slice(b);
                                    }
                                    ptr = p;
                                }
                                None => self.complete = false,
                            }
                        }
                    }
                    continue_ptr(self, write, at, ptr);
                }
                _ => return Err(mismatch),
            }
            at = at.saturating_add(size);
        }
        if fi.next().is_some() {
            return Err(MarshalError::FieldMismatch {
                index: fields.len(),
                item: '-',
            });
        }
        Ok(())
    }

    /// Finish: squeeze the Windows layout and report.
    pub fn finish(self) -> Marshaled {
        let mut converter = 0;
        if self.layout == StringLayout::WindowsTopDown && self.fit > 0 {
            let heap = self.limit.saturating_sub(self.heap_lo);
            self.out
                .copy_within(self.heap_lo..self.limit, self.fixed_end);
            let returned = self.fixed_end.saturating_add(heap);
            self.out.truncate(returned);
            converter = usize::from(self.receive_buffer_size)
                .checked_sub(returned)
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(0);
        }
        Marshaled {
            entries_returned: u16::try_from(self.fit).unwrap_or(u16::MAX),
            entries_available: u16::try_from(self.available).unwrap_or(u16::MAX),
            converter,
            total_bytes: self.total,
            complete: self.complete && self.fit == self.available,
        }
    }
}

/// A `z` string's encoded length (without the NUL) and whether it is
/// "plain": ASCII without NUL, the common case, which is its own encoding in
/// every supported code page (OemCodePage accepts only ASCII-compatible
/// ones), so it is copied as is.
pub(crate) fn oem_string_len(cp: &OemCodePage, s: &str) -> (usize, bool) {
    let plain = s.bytes().all(|b| (1..0x80).contains(&b));
    let len = if plain { s.len() } else { cp.encoded_len(s) };
    (len, plain)
}

/// Write `s` encoded into `slot` (its [`oem_string_len`] bytes; the NUL
/// after it is the caller's).
pub(crate) fn write_oem_string(cp: &OemCodePage, s: &str, plain: bool, slot: &mut [u8]) {
    if plain {
        if let Some(dst) = slot.get_mut(..s.len()) {
            dst.copy_from_slice(s.as_bytes());
        }
    } else {
        cp.encode_fixed(s, slot);
    }
}

/// Write a pointer (Low = `ptr`, High = 0) at `at` when writing.
fn continue_ptr(m: &mut Marshaler<'_, '_>, write: bool, at: usize, ptr: u16) {
    if write {
        m.put_u16(at, ptr);
        m.put_u16(at.saturating_add(2), 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn run(
        layout: StringLayout,
        rbs: u16,
        limit: u16,
        fields: &[Field<'_>],
    ) -> (Vec<u8>, Marshaled) {
        let mut out = vec![0xEE; 7];
        let mut m = Marshaler::new(
            &mut out,
            Descriptor(b"WzBB3z"),
            1,
            rbs,
            limit,
            layout,
            OemCodePage::default(),
        )
        .unwrap();
        m.entry(fields).unwrap();
        let r = m.finish();
        (out, r)
    }

    #[test]
    fn forward_and_windows() {
        let f = [
            Field::Word(7),
            Field::Str(Some("ab")),
            Field::Fixed(""),
            Field::Fixed("xyz"),
            Field::Str(Some("")),
        ];
        let (out, r) = run(StringLayout::Forward, 100, 100, &f);
        assert_eq!(
            out,
            b"\x07\x00\x0E\x00\x00\x00\x00xy\x00\x11\x00\x00\x00ab\x00\x00"
        );
        assert_eq!(
            r,
            Marshaled {
                entries_returned: 1,
                entries_available: 1,
                converter: 0,
                total_bytes: 18,
                complete: true
            }
        );
        let (out, r) = run(StringLayout::WindowsTopDown, 100, 100, &f);
        // "ab\0" at the top of the 100-byte buffer (97), "" below it (96); squeezed to 14 and 15.
        assert_eq!(
            out,
            b"\x07\x00\x61\x00\x00\x00\x00xy\x00\x60\x00\x00\x00\x00ab\x00"
        );
        assert_eq!(r.converter, 100 - 18);
        assert!(r.complete);
    }

    #[test]
    fn string_that_does_not_fit_gets_offset_zero() {
        let f = [
            Field::Word(7),
            Field::Str(Some("abcdef")),
            Field::Fixed(""),
            Field::Fixed(""),
            Field::Str(Some("g")),
        ];
        let (out, r) = run(StringLayout::Forward, 18, 18, &f);
        // "abcdef\0" (7) does not fit in 4 bytes; "g\0" does.
        assert_eq!(
            out,
            b"\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0E\x00\x00\x00g\x00"
        );
        assert_eq!((r.total_bytes, r.complete), (23, false));
    }

    #[test]
    fn fixed_part_does_not_fit() {
        let f = [
            Field::Word(7),
            Field::Str(None),
            Field::Fixed(""),
            Field::Fixed(""),
            Field::Str(None),
        ];
        for layout in [StringLayout::Forward, StringLayout::WindowsTopDown] {
            let (out, r) = run(layout, 13, 13, &f);
            assert_eq!(out, b"");
            assert_eq!(
                (r.entries_returned, r.total_bytes, r.complete, r.converter),
                (0, 14, false, 0)
            );
        }
    }

    #[test]
    fn mismatched_fields_are_an_error() {
        let mut out = Vec::new();
        let mut m = Marshaler::new(
            &mut out,
            Descriptor(b"Wz"),
            1,
            10,
            10,
            StringLayout::Forward,
            OemCodePage::default(),
        )
        .unwrap();
        assert_eq!(
            m.entry(&[Field::Word(1), Field::Word(2)]),
            Err(MarshalError::FieldMismatch {
                index: 1,
                item: 'z'
            })
        );
    }
}
