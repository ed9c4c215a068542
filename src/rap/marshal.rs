//! RAP response data marshaling (MS-RAP 2.5.11): the one engine for
//! GetInfo replies, enumerations and auxiliary structures alike.
//!
//! The caller first says which entries there are and how many fixed bytes
//! each needs ([`Marshaler::plan`]; a parent with all its auxiliary
//! structures is one entry, so it is copied together with them or not at
//! all), then pushes the declared structures ([`RapStruct`]) in order. The
//! fixed parts of the entries that fit come first, each packed right after
//! the previous one; strings and `l` buffers after them. Low halves of
//! pointers hold the offset plus Converter, High halves 0. A string that
//! does not fit gets offset 0 and makes the reply incomplete
//! (ERROR_MORE_DATA); a NULL source string is marshaled as an empty string
//! by the mapping layer. Entries are returned as a prefix: the first one
//! whose fixed part does not fit ends the fixed parts, and the rest only
//! count towards [`Marshaled::total_bytes`].
//!
//! Two string layouts ([`StringLayout`]), one placement rule: each string,
//! in push order, takes the next `len + 1` bytes if they still fit in
//! `limit − fixed parts`, else offset 0. Forward layout puts them after the
//! fixed parts in that order (Converter 0, the letter of 2.5.11); Windows'
//! top-down layout puts each below the previous one under
//! ReceiveBufferSize, so after the gap is squeezed out they appear in
//! reverse order, and Converter is ReceiveBufferSize minus the bytes
//! returned (MS-RAP 4.1, 4.2). The top-down heap is written forward with a
//! two-byte length after each block and reversed in [`Marshaler::finish`]:
//! one pass, no buffer of ReceiveBufferSize bytes.
//!
//! Every offset is below `limit` ≤ 65535 (forward) or ReceiveBufferSize ≤
//! 65535 (top-down), so it fits the 16-bit Low half. Nothing is allocated
//! beyond growing the caller's reused output buffer.

use super::profile::StringLayout;
use super::structs::{RapStruct, Visit};
use crate::oem::OemCodePage;

/// What a marshaling run produced.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Marshaled {
    /// Entries whose fixed part was written.
    pub entries_returned: u16,
    /// Entries offered.
    pub entries_available: u16,
    /// Converter for the response parameters.
    pub converter: u16,
    /// Bytes needed to return every pushed structure whole (fixed parts and
    /// all variable data), saturating at u32::MAX: TotalBytesAvailable.
    pub total_bytes: u32,
    /// Whether every entry and every string was returned.
    pub complete: bool,
}

/// Marshals declared structures into a response data buffer.
#[derive(Debug)]
pub struct Marshaler<'o> {
    out: &'o mut Vec<u8>,
    layout: StringLayout,
    code_page: OemCodePage,
    receive_buffer_size: u16,
    limit: usize,
    /// End of the fixed parts that are written.
    fixed_end: usize,
    /// Where the next structure's fixed part goes (it is written only when
    /// it ends at or before `fixed_end`).
    cursor: usize,
    /// Variable bytes placed so far.
    heap: usize,
    returned: usize,
    available: usize,
    total: u32,
    complete: bool,
}

impl<'o> Marshaler<'o> {
    /// Marshal into `out` (cleared) at most `limit` = min(ReceiveBufferSize,
    /// MaxDataCount) data bytes (2.5.11; MS-CIFS 2.2.4.33.1).
    pub fn new(
        out: &'o mut Vec<u8>,
        receive_buffer_size: u16,
        max_data_count: u16,
        layout: StringLayout,
        code_page: OemCodePage,
    ) -> Self {
        out.clear();
        Marshaler {
            out,
            layout,
            code_page,
            receive_buffer_size,
            limit: usize::from(receive_buffer_size.min(max_data_count)),
            fixed_end: 0,
            cursor: 0,
            heap: 0,
            returned: 0,
            available: 0,
            total: 0,
            complete: true,
        }
    }

    /// The entries, in order, by the fixed bytes each needs with its
    /// auxiliary structures. Returns how many fit (a prefix). Call once,
    /// before pushing.
    pub fn plan(&mut self, entries: impl IntoIterator<Item = usize>) -> usize {
        let mut end = 0usize;
        let mut fit = 0usize;
        let mut available = 0usize;
        let mut stopped = false;
        for size in entries {
            available = available.saturating_add(1);
            if stopped {
                continue;
            }
            match end.checked_add(size).filter(|&e| e <= self.limit) {
                Some(e) => {
                    end = e;
                    fit = fit.saturating_add(1);
                }
                None => stopped = true,
            }
        }
        self.fixed_end = end;
        self.returned = fit;
        self.available = available;
        self.complete = fit == available;
        self.out.resize(end, 0);
        fit
    }

    /// `count` entries of `size` fixed bytes each. Returns how many fit.
    pub fn plan_uniform(&mut self, count: usize, size: u16) -> usize {
        let size = usize::from(size);
        let fit = self.limit.checked_div(size).map_or(count, |n| count.min(n));
        self.fixed_end = fit.saturating_mul(size);
        self.returned = fit;
        self.available = count;
        self.complete = fit == count;
        self.out.resize(self.fixed_end, 0);
        fit
    }

    /// Entries whose fixed part fits.
    pub fn entries_fitting(&self) -> usize {
        self.returned
    }

    /// Marshal the next structure: written when its fixed part lies within
    /// the entries that fit, else only counted towards the total.
    #[inline]
    pub fn push<'s, T: RapStruct<'s>>(&mut self, s: &'s T) {
        let size = usize::from(T::META.fixed_size);
        let at = self.cursor;
        let end = at.saturating_add(size);
        self.cursor = end;
        self.add_total(size);
        let write = end <= self.fixed_end;
        s.walk(&mut Writer { m: self, at, write });
    }

    fn add_total(&mut self, n: usize) {
        self.total = self
            .total
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }

    /// Reserve `len` variable bytes: the pointer value, or `None` when they
    /// do not fit. The caller appends exactly `len` bytes.
    #[inline]
    fn place(&mut self, len: usize) -> Option<u16> {
        let room = self.limit.saturating_sub(self.fixed_end);
        let heap = self.heap.checked_add(len).filter(|&h| h <= room)?;
        self.heap = heap;
        let ptr = match self.layout {
            StringLayout::Forward => self.fixed_end.saturating_add(heap).saturating_sub(len),
            StringLayout::WindowsTopDown => {
                usize::from(self.receive_buffer_size).checked_sub(heap)?
            }
        };
        u16::try_from(ptr).ok()
    }

    /// After a placed block: the top-down layout records its length.
    #[inline]
    fn close_block(&mut self, len: usize) {
        if self.layout == StringLayout::WindowsTopDown {
            let n = u16::try_from(len).unwrap_or(u16::MAX);
            self.out.extend_from_slice(&n.to_le_bytes());
        }
    }

    /// Finish: put the top-down heap in its final order and report.
    pub fn finish(self) -> Marshaled {
        let mut converter = 0;
        if self.layout == StringLayout::WindowsTopDown && self.returned > 0 {
            // The heap holds the blocks in placement order, each followed by
            // its length. Top-down placement puts the last block lowest:
            // append them last to first, then drop the original run.
            let mid = self.out.len();
            let mut end = mid;
            while end > self.fixed_end {
                let Some(len) = end
                    .checked_sub(2)
                    .and_then(|s| self.out.get(s..end))
                    .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
                else {
                    break;
                };
                let Some(start) = end.checked_sub(2 + len).filter(|&s| s >= self.fixed_end) else {
                    break;
                };
                self.out.extend_from_within(start..start + len);
                end = start;
            }
            self.out.drain(self.fixed_end..mid);
            converter = usize::from(self.receive_buffer_size)
                .checked_sub(self.out.len())
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(0);
        }
        Marshaled {
            entries_returned: u16::try_from(self.returned).unwrap_or(u16::MAX),
            entries_available: u16::try_from(self.available).unwrap_or(u16::MAX),
            converter,
            total_bytes: self.total,
            complete: self.complete,
        }
    }
}

/// Writes (or only measures) one structure's fields.
struct Writer<'m, 'o> {
    m: &'m mut Marshaler<'o>,
    /// Where the next fixed field goes.
    at: usize,
    write: bool,
}

impl Writer<'_, '_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        if self.write {
            if let Some(slot) = self
                .m
                .out
                .get_mut(self.at..self.at.saturating_add(bytes.len()))
            {
                slot.copy_from_slice(bytes);
            }
        }
        self.at = self.at.saturating_add(bytes.len());
    }

    #[inline]
    fn pointer(&mut self, low: u16) {
        let [a, b] = low.to_le_bytes();
        self.put(&[a, b, 0, 0]);
    }
}

impl<'s> Visit<'s> for Writer<'_, '_> {
    #[inline]
    fn word(&mut self, v: u16) {
        self.put(&v.to_le_bytes());
    }

    #[inline]
    fn byte(&mut self, v: u8) {
        self.put(&[v]);
    }

    #[inline]
    fn dword(&mut self, v: u32) {
        self.put(&v.to_le_bytes());
    }

    #[inline]
    fn fixed(&mut self, s: &'s str, width: u16) {
        let width = usize::from(width);
        if self.write && width > 1 {
            let cp = self.m.code_page;
            // The NUL padding is already there (the fixed parts are zeroed).
            if let Some(slot) = self
                .m
                .out
                .get_mut(self.at..self.at.saturating_add(width - 1))
            {
                cp.encode_fixed(s, slot);
            }
        }
        self.at = self.at.saturating_add(width);
    }

    #[inline]
    fn pad(&mut self, width: u16) {
        self.at = self.at.saturating_add(usize::from(width));
    }

    #[inline]
    fn string(&mut self, s: Option<&'s str>) {
        let Some(s) = s else {
            return self.pointer(0);
        };
        let cp = self.m.code_page;
        let (enc, plain) = oem_string_len(&cp, s);
        let len = enc.saturating_add(1);
        self.m.add_total(len);
        if !self.write {
            return self.pointer(0);
        }
        let Some(ptr) = self.m.place(len) else {
            self.m.complete = false;
            return self.pointer(0);
        };
        let out = &mut *self.m.out;
        if plain {
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        } else {
            let start = out.len();
            out.resize(start.saturating_add(len), 0);
            if let Some(slot) = out.get_mut(start..start.saturating_add(enc)) {
                write_oem_string(&cp, s, false, slot);
            }
        }
        self.m.close_block(len);
        self.pointer(ptr);
    }

    #[inline]
    fn buffer(&mut self, b: Option<&'s [u8]>) {
        let Some(b) = b else {
            return self.pointer(0);
        };
        self.m.add_total(b.len());
        if !self.write {
            return self.pointer(0);
        }
        let Some(ptr) = self.m.place(b.len()) else {
            self.m.complete = false;
            return self.pointer(0);
        };
        self.m.out.extend_from_slice(b);
        self.m.close_block(b.len());
        self.pointer(ptr);
    }

    #[inline]
    fn aux_count(&mut self, n: u16) {
        self.word(n);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rap::descriptor::Descriptor;
    use pretty_assertions::assert_eq;
    use std::borrow::Cow;

    crate::rap_struct! {
        /// A test structure, `WzBB3z`.
        struct T<'a> {
            a: W,
            s: z,
            _: B,
            f: B 3,
            t: z,
        }
    }

    fn run(layout: StringLayout, rbs: u16, limit: u16, t: &T<'_>) -> (Vec<u8>, Marshaled) {
        let mut out = vec![0xEE; 7];
        let mut m = Marshaler::new(&mut out, rbs, limit, layout, OemCodePage::default());
        m.plan_uniform(1, T::FIXED_SIZE);
        m.push(t);
        let r = m.finish();
        (out, r)
    }

    fn t<'a>(s: Option<&'a str>, f: &'a str, t: Option<&'a str>) -> T<'a> {
        T {
            a: 7,
            s: s.map(Cow::Borrowed),
            f: Cow::Borrowed(f),
            t: t.map(Cow::Borrowed),
        }
    }

    #[test]
    fn declared_descriptor_and_size() {
        assert_eq!(T::DESCRIPTOR, b"WzBB3z");
        assert_eq!(T::FIXED_SIZE, 14);
        assert_eq!(
            T::STRUCT_META.names().collect::<Vec<_>>(),
            ["a", "s", "pad", "f", "t"]
        );
    }

    #[test]
    fn forward_and_windows() {
        let f = t(Some("ab"), "xyz", Some(""));
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
        let f = t(Some("abcdef"), "", Some("g"));
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
        let f = t(None, "", None);
        for layout in [StringLayout::Forward, StringLayout::WindowsTopDown] {
            let (out, r) = run(layout, 13, 13, &f);
            assert_eq!(out, b"");
            assert_eq!(
                (r.entries_returned, r.total_bytes, r.complete, r.converter),
                (0, 14, false, 0)
            );
        }
    }

    /// What `mismatched_fields_are_an_error` guarded (fields that disagree
    /// with the descriptor) cannot happen any more: the fields *are* the
    /// declaration. What remains to check is that the declaration's derived
    /// descriptor and size agree with the generic descriptor rules.
    #[test]
    fn declarations_agree_with_the_generic_descriptor_rules() {
        let metas = [&T::STRUCT_META];
        for m in metas {
            let joined: String = m.fields.iter().map(|f| f.item).collect();
            assert_eq!(joined.as_bytes(), m.descriptor);
            assert_eq!(Descriptor(m.descriptor).validate_data(), Ok(m.fixed_size));
        }
    }

    #[test]
    fn windows_layout_many_blocks_and_a_buffer() {
        crate::rap_struct! {
            struct U<'a> { x: z, y: l, z: z, }
        }
        let u = U {
            x: Some("one".into()),
            y: Some(Cow::Borrowed(&b"\x04\x00ab"[..])),
            z: Some("two".into()),
        };
        let mut out = Vec::new();
        let mut m = Marshaler::new(
            &mut out,
            64,
            64,
            StringLayout::WindowsTopDown,
            OemCodePage::default(),
        );
        m.plan_uniform(2, U::FIXED_SIZE);
        m.push(&u);
        m.push(&u);
        let r = m.finish();
        // 24 fixed bytes; heap (placement order) one\0, 04 00 a b, two\0, one\0, ...
        // Top-down: the last placed is lowest.
        assert_eq!(r.converter, 64 - u16::try_from(out.len()).unwrap());
        assert_eq!(r.total_bytes, 2 * (12 + 4 + 4 + 4));
        assert!(r.complete);
        let heap = &out[24..];
        assert_eq!(heap, b"two\0\x04\x00abone\0two\0\x04\x00abone\0");
        // The first structure's `x` pointer: 64 − 4 (top), minus Converter = offset of the last "one".
        let low = u16::from_le_bytes([out[0], out[1]]);
        assert_eq!(usize::from(low - r.converter), out.len() - 4);
    }
}
