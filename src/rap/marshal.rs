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
//! returned (MS-RAP 4.1, 4.2).
//! A measuring pass decides the placements first, so the writing pass puts
//! every string straight where it ends up: no buffer of ReceiveBufferSize
//! bytes, no copy.
//!
//! Every offset is below `limit` ≤ 65535 (forward) or ReceiveBufferSize ≤
//! 65535 (top-down), so it fits the 16-bit Low half. Nothing is allocated
//! beyond growing the caller's reused output buffer.

use super::profile::StringLayout;
use super::structs::{RapStruct, TakeStruct, Visit};
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
///
/// ```text
/// let mut m = Marshaler::new(&mut out, rbs, max_data_count, layout, code_page);
/// m.plan_uniform(jobs.len(), PrintJobInfo2::FIXED_SIZE);
/// let report = m.marshal(|sink| for j in &jobs { sink.push(j) });
/// ```
#[derive(Debug)]
pub struct Marshaler<'o> {
    out: &'o mut Vec<u8>,
    cfg: Cfg,
    st: State,
    returned: usize,
    available: usize,
}

/// What every structure of a run shares.
#[derive(Copy, Clone, Debug)]
struct Cfg {
    layout: StringLayout,
    code_page: OemCodePage,
    receive_buffer_size: u16,
    limit: usize,
    /// End of the fixed parts that are written.
    fixed_end: usize,
    /// Top-down layout: the variable bytes the run places (from the
    /// measuring pass).
    heap_total: usize,
    /// Measuring pass: decide placements only.
    measuring: bool,
}

/// What a run accumulates.
#[derive(Copy, Clone, Debug, Default)]
struct State {
    /// Where the next structure's fixed part goes (it is written only when
    /// it ends at or before `fixed_end`).
    cursor: usize,
    /// Variable bytes placed so far.
    heap: usize,
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
            cfg: Cfg {
                layout,
                code_page,
                receive_buffer_size,
                limit: usize::from(receive_buffer_size.min(max_data_count)),
                fixed_end: 0,
                heap_total: 0,
                measuring: false,
            },
            st: State {
                complete: true,
                ..State::default()
            },
            returned: 0,
            available: 0,
        }
    }

    /// The entries, in order, by the fixed bytes each needs with its
    /// auxiliary structures. Returns how many fit (a prefix). Call once,
    /// before [`Self::marshal`].
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
            match end.checked_add(size).filter(|&e| e <= self.cfg.limit) {
                Some(e) => {
                    end = e;
                    fit = fit.saturating_add(1);
                }
                None => stopped = true,
            }
        }
        self.set_plan(end, fit, available)
    }

    /// `count` entries of `size` fixed bytes each. Returns how many fit.
    pub fn plan_uniform(&mut self, count: usize, size: u16) -> usize {
        let size = usize::from(size);
        let fit = self
            .cfg
            .limit
            .checked_div(size)
            .map_or(count, |n| count.min(n));
        self.set_plan(fit.saturating_mul(size), fit, count)
    }

    fn set_plan(&mut self, end: usize, fit: usize, available: usize) -> usize {
        self.cfg.fixed_end = end;
        self.returned = fit;
        self.available = available;
        fit
    }

    /// Entries whose fixed part fits.
    pub fn entries_fitting(&self) -> usize {
        self.returned
    }

    /// Marshal the structures `push` pushes, in order, and report. `push`
    /// runs twice for the top-down layout (a measuring pass that decides
    /// where the strings go, then the writing pass), so it must push the
    /// same structures each time.
    pub fn marshal(mut self, mut push: impl FnMut(&mut Sink<'_>)) -> Marshaled {
        if self.cfg.layout == StringLayout::WindowsTopDown && self.returned > 0 {
            let mut cfg = self.cfg;
            cfg.measuring = true;
            let mut st = State::default();
            push(&mut Sink {
                out: self.out,
                cfg,
                st: &mut st,
            });
            self.cfg.heap_total = st.heap;
            self.out.clear();
        }
        let end = self.cfg.fixed_end.saturating_add(self.cfg.heap_total);
        self.out.resize(end, 0);
        self.st.complete = self.returned == self.available;
        push(&mut Sink {
            out: self.out,
            cfg: self.cfg,
            st: &mut self.st,
        });
        let converter = match self.cfg.layout {
            StringLayout::WindowsTopDown if self.returned > 0 => {
                usize::from(self.cfg.receive_buffer_size)
                    .checked_sub(self.out.len())
                    .and_then(|c| u16::try_from(c).ok())
                    .unwrap_or(0)
            }
            _ => 0,
        };
        Marshaled {
            entries_returned: u16::try_from(self.returned).unwrap_or(u16::MAX),
            entries_available: u16::try_from(self.available).unwrap_or(u16::MAX),
            converter,
            total_bytes: self.st.total,
            complete: self.st.complete,
        }
    }
}

/// A whole reply of one structure (a GetInfo): plan it, marshal it.
impl TakeStruct for Marshaler<'_> {
    type Output = Marshaled;

    fn take<'v, T: RapStruct<'v>>(mut self, s: &'v T) -> Marshaled {
        self.plan_uniform(1, T::META.fixed_size);
        self.marshal(|sink| sink.push(s))
    }
}

/// The next structure of a run.
impl TakeStruct for &mut Sink<'_> {
    type Output = ();

    fn take<'v, T: RapStruct<'v>>(self, s: &'v T) {
        self.push(s);
    }
}

/// Takes the structures of one [`Marshaler::marshal`] run.
#[derive(Debug)]
pub struct Sink<'s> {
    out: &'s mut Vec<u8>,
    cfg: Cfg,
    st: &'s mut State,
}

/// The most fixed bytes a declared structure may have (checked when it is
/// declared).
pub const MAX_FIXED: usize = 128;
/// The most pointer fields (`z`, `l`, `b`) a declared structure may have
/// (checked when it is declared).
pub const MAX_POINTERS: usize = 16;

/// One structure on its way out: its fixed part on the stack; each
/// pointer field's data placed as the walk reaches it.
struct Frame<'a> {
    fixed: [u8; MAX_FIXED],
    at: usize,
    out: &'a mut Vec<u8>,
    cfg: &'a Cfg,
    st: &'a mut State,
    /// Whether the structure is written (else only counted).
    write: bool,
}

impl Frame<'_> {
    #[inline]
    fn put<const N: usize>(&mut self, bytes: [u8; N]) {
        if let Some(slot) = self
            .fixed
            .get_mut(self.at..)
            .and_then(|s| s.first_chunk_mut::<N>())
        {
            *slot = bytes;
        }
        self.at = self.at.saturating_add(N);
    }

    /// Place `len` bytes of variable data (`text` is a string to encode,
    /// else `bytes` are copied) and write the pointer to them.
    #[inline(always)]
    fn variable(&mut self, len: usize, text: Option<(&str, bool)>, bytes: &[u8]) {
        self.st.total = add(self.st.total, len);
        let low = self.place(len, text, bytes);
        let [a, b] = low.to_le_bytes();
        self.put([a, b, 0, 0]);
    }

    #[inline(always)]
    fn place(&mut self, len: usize, text: Option<(&str, bool)>, bytes: &[u8]) -> u16 {
        if !self.write {
            return 0;
        }
        let cfg = self.cfg;
        let room = cfg.limit.saturating_sub(cfg.fixed_end);
        let Some(heap) = self.st.heap.checked_add(len).filter(|&h| h <= room) else {
            self.st.complete = false;
            return 0;
        };
        self.st.heap = heap;
        let low = match cfg.layout {
            StringLayout::Forward => {
                let pos = self.out.len();
                match text {
                    Some((_, true)) | None => {
                        self.out.extend_from_slice(bytes);
                        if text.is_some() {
                            self.out.push(0);
                        }
                    }
                    Some((s, false)) => {
                        self.out.resize(pos.saturating_add(len), 0);
                        if let Some(slot) = self.out.get_mut(pos..) {
                            write_oem_string(&cfg.code_page, s, false, slot);
                        }
                    }
                }
                pos
            }
            // Top-down: the block sits `heap` bytes below the top of the
            // ReceiveBufferSize buffer; after the squeeze, `heap` bytes
            // below the end of the returned data (the measuring pass said
            // where that is).
            StringLayout::WindowsTopDown => {
                let pos = cfg
                    .fixed_end
                    .saturating_add(cfg.heap_total)
                    .saturating_sub(heap);
                if let Some(slot) = self.out.get_mut(pos..pos.saturating_add(len)) {
                    match text {
                        // The NUL after the text is already there.
                        Some((s, plain)) => write_oem_string(&cfg.code_page, s, plain, slot),
                        None => slot.copy_from_slice(bytes),
                    }
                }
                usize::from(cfg.receive_buffer_size).saturating_sub(heap)
            }
        };
        u16::try_from(low).unwrap_or(0)
    }
}

impl<'v> Visit<'v> for Frame<'_> {
    #[inline]
    fn word(&mut self, v: u16) {
        self.put(v.to_le_bytes());
    }

    #[inline]
    fn byte(&mut self, v: u8) {
        self.put([v]);
    }

    #[inline]
    fn dword(&mut self, v: u32) {
        self.put(v.to_le_bytes());
    }

    #[inline]
    fn fixed(&mut self, s: &'v str, width: u16) {
        let width = usize::from(width);
        if width > 1 {
            // At most width − 1 bytes: the NUL padding is already there.
            if let Some(slot) = self
                .fixed
                .get_mut(self.at..self.at.saturating_add(width - 1))
            {
                // Plain ASCII is its own encoding (see `oem_string_len`):
                // copy it, cut to the field, without the per-character map.
                if is_plain(s.as_bytes()) {
                    let n = s.len().min(slot.len());
                    if let (Some(dst), Some(src)) = (slot.get_mut(..n), s.as_bytes().get(..n)) {
                        dst.copy_from_slice(src);
                    }
                } else {
                    self.cfg.code_page.encode_fixed(s, slot);
                }
            }
        }
        self.at = self.at.saturating_add(width);
    }

    #[inline]
    fn pad(&mut self, width: u16) {
        self.at = self.at.saturating_add(usize::from(width));
    }

    #[inline(always)]
    fn string(&mut self, s: Option<&'v str>) {
        match s {
            Some(s) => {
                let (enc, plain) = oem_string_len(&self.cfg.code_page, s);
                self.variable(enc.saturating_add(1), Some((s, plain)), s.as_bytes());
            }
            // Offset 0: the slot is already zero.
            None => self.at = self.at.saturating_add(4),
        }
    }

    #[inline(always)]
    fn buffer(&mut self, b: Option<&'v [u8]>) {
        match b {
            Some(b) => self.variable(b.len(), None, b),
            None => self.at = self.at.saturating_add(4),
        }
    }

    #[inline]
    fn aux_count(&mut self, n: u16) {
        self.word(n);
    }
}

impl Sink<'_> {
    /// Marshal the next structure: written when its fixed part lies within
    /// the entries that fit, else only counted towards the total.
    #[inline]
    pub fn push<'v, T: RapStruct<'v>>(&mut self, s: &'v T) {
        let size = usize::from(T::META.fixed_size);
        let at = self.st.cursor;
        let end = at.saturating_add(size);
        self.st.cursor = end;
        let write = end <= self.cfg.fixed_end;
        if self.cfg.measuring {
            if write {
                s.walk(&mut Measurer {
                    cfg: &self.cfg,
                    st: self.st,
                });
            }
            return;
        }
        self.st.total = add(self.st.total, size);
        let mut f = Frame {
            fixed: [0; MAX_FIXED],
            at: 0,
            out: self.out,
            cfg: &self.cfg,
            st: self.st,
            write,
        };
        s.walk(&mut f);
        if write {
            if let (Some(dst), Some(src)) = (f.out.get_mut(at..end), f.fixed.get(..size)) {
                dst.copy_from_slice(src);
            }
        }
    }
}

/// The measuring pass of the top-down layout: where the variable data of
/// the structures that fit goes, by the same placement rule.
struct Measurer<'a> {
    cfg: &'a Cfg,
    st: &'a mut State,
}

impl Measurer<'_> {
    #[inline]
    fn variable(&mut self, len: usize) {
        let room = self.cfg.limit.saturating_sub(self.cfg.fixed_end);
        if let Some(h) = self.st.heap.checked_add(len).filter(|&h| h <= room) {
            self.st.heap = h;
        }
    }
}

impl<'v> Visit<'v> for Measurer<'_> {
    #[inline]
    fn word(&mut self, _: u16) {}
    #[inline]
    fn byte(&mut self, _: u8) {}
    #[inline]
    fn dword(&mut self, _: u32) {}
    #[inline]
    fn fixed(&mut self, _: &'v str, _: u16) {}
    #[inline]
    fn pad(&mut self, _: u16) {}
    #[inline]
    fn string(&mut self, s: Option<&'v str>) {
        if let Some(s) = s {
            let (enc, _) = oem_string_len(&self.cfg.code_page, s);
            self.variable(enc.saturating_add(1));
        }
    }
    #[inline]
    fn buffer(&mut self, b: Option<&'v [u8]>) {
        if let Some(b) = b {
            self.variable(b.len());
        }
    }
    #[inline]
    fn aux_count(&mut self, _: u16) {}
}

fn add(total: u32, n: usize) -> u32 {
    total.saturating_add(u32::try_from(n).unwrap_or(u32::MAX))
}

/// A `z` string's encoded length (without the NUL) and whether it is
/// "plain": ASCII without NUL, the common case, which is its own encoding in
/// every supported code page (OemCodePage accepts only ASCII-compatible
/// ones), so it is copied as is.
#[inline]
pub(crate) fn oem_string_len(cp: &OemCodePage, s: &str) -> (usize, bool) {
    let plain = is_plain(s.as_bytes());
    let len = if plain { s.len() } else { cp.encoded_len(s) };
    (len, plain)
}

/// ASCII without a NUL, eight bytes at a time.
#[inline]
fn is_plain(b: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let (chunks, tail) = b.as_chunks::<8>();
    chunks.iter().all(|c| {
        let w = u64::from_le_bytes(*c);
        // No high bit set, and no zero byte (the classic has-zero test).
        w & HI == 0 && w.wrapping_sub(LO) & !w & HI == 0
    }) && tail.iter().all(|&c| (1..0x80).contains(&c))
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
// The test structures are private; rap_struct! declares their associated
// consts `pub`.
#[allow(unreachable_pub)]
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
        let r = m.marshal(|s| s.push(t));
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
    fn plain_strings() {
        for (s, want) in [
            ("", true),
            ("abc", true),
            ("abcdefgh", true),
            ("abcdefghijklmnopq", true),
            ("abcdefg\0", false),
            ("abc\0defghijk", false),
            ("abcdefghé", false),
            ("\x7f", true),
        ] {
            assert_eq!(is_plain(s.as_bytes()), want, "{s:?}");
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
        let r = m.marshal(|s| {
            s.push(&u);
            s.push(&u);
        });
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
