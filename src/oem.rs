//! OEM code pages for RAP strings.
//!
//! RAP strings are 8-bit OEM code-page text, never Unicode, even when the SMB
//! is Unicode (MS-RAP 1.7, 2.4). The code page is chosen by number:
//! DOS single-byte pages (437, 850, 858, 866, ...) come from `oem_cp`'s
//! tables, everything else that `encoding_rs` knows (932, 936, 949, 950,
//! 125x, 65001) through `codepage`. Encoding is lossy: a character the page
//! cannot represent becomes `?`, as Windows' best-fit fallback does for
//! unmappable characters. Decoding is lossy too (U+FFFD).

use std::borrow::Cow;

use encoding_rs::{EncoderResult, Encoding};
use oem_cp::code_table::{DECODING_TABLE_CP_MAP, ENCODING_TABLE_CP_MAP};
use oem_cp::code_table_type::TableType;
use oem_cp::OEMCPHashMap;
use thiserror::Error;

/// The replacement byte for an unmappable character.
pub const REPLACEMENT: u8 = b'?';

/// The default OEM code page: 850, Samba's default `dos charset`.
pub const DEFAULT_CODE_PAGE: u16 = 850;

/// [`OemCodePage::new`] was given a code page number it has no table for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Error)]
#[error("code page {0} is not supported (use a DOS/OEM page such as 437, 850, 858, 866, 932, 936, 949, 950, or 125x)")]
pub struct UnsupportedCodePage(pub u16);

#[derive(Copy, Clone)]
enum Kind {
    /// A DOS single-byte page: bytes 0x80..=0xFF from a table.
    Sbcs {
        decode: &'static TableType,
        encode: &'static OEMCPHashMap<char, u8>,
    },
    /// An ASCII-compatible `encoding_rs` encoding.
    Whatwg(&'static Encoding),
}

/// An OEM code page, chosen by number. Cheap to copy.
#[derive(Copy, Clone)]
pub struct OemCodePage {
    number: u16,
    kind: Kind,
}

impl core::fmt::Debug for OemCodePage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "OemCodePage({})", self.number)
    }
}

impl PartialEq for OemCodePage {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number
    }
}
impl Eq for OemCodePage {}

impl Default for OemCodePage {
    fn default() -> Self {
        // 850 is in oem_cp's table; fall back to a plain ASCII view if a future
        // version drops it (never expected).
        OemCodePage::new(DEFAULT_CODE_PAGE).unwrap_or(OemCodePage {
            number: 20127,
            kind: Kind::Whatwg(encoding_rs::WINDOWS_1252),
        })
    }
}

impl OemCodePage {
    /// The code page with this number.
    pub fn new(number: u16) -> Result<Self, UnsupportedCodePage> {
        if let (Some(decode), Some(encode)) = (
            DECODING_TABLE_CP_MAP.get(&number),
            ENCODING_TABLE_CP_MAP.get(&number),
        ) {
            return Ok(OemCodePage {
                number,
                kind: Kind::Sbcs { decode, encode },
            });
        }
        match codepage::to_encoding_no_replacement(number) {
            // Only ASCII-compatible, stateless encodings: RAP strings are
            // NUL-terminated 8-bit text, so UTF-16 and ISO-2022-JP cannot be used.
            Some(enc)
                if enc.is_ascii_compatible()
                    && enc != encoding_rs::ISO_2022_JP
                    && enc != encoding_rs::X_USER_DEFINED =>
            {
                Ok(OemCodePage {
                    number,
                    kind: Kind::Whatwg(enc),
                })
            }
            _ => Err(UnsupportedCodePage(number)),
        }
    }

    /// The code page number.
    pub fn number(&self) -> u16 {
        self.number
    }

    /// Append `s` encoded, without a terminator. NUL characters inside `s`
    /// become `?` so that they cannot cut the string on the wire.
    pub fn encode_into(&self, s: &str, out: &mut Vec<u8>) {
        if s.is_ascii() {
            out.extend(s.bytes().map(|b| if b == 0 { REPLACEMENT } else { b }));
            return;
        }
        match self.kind {
            Kind::Sbcs { encode, .. } => {
                out.extend(s.chars().map(|c| sbcs_encode(encode, c)));
            }
            Kind::Whatwg(enc) => {
                let mut encoder = enc.new_encoder();
                let mut src = s;
                let mut tmp = [0u8; 64];
                loop {
                    let (res, read, written) =
                        encoder.encode_from_utf8_without_replacement(src, &mut tmp, true);
                    out.extend(
                        tmp.get(..written)
                            .unwrap_or_default()
                            .iter()
                            .map(|&b| nul_to_q(b)),
                    );
                    src = src.get(read..).unwrap_or_default();
                    match res {
                        EncoderResult::InputEmpty => break,
                        EncoderResult::OutputFull => continue,
                        EncoderResult::Unmappable(_) => out.push(REPLACEMENT),
                    }
                }
            }
        }
    }

    /// Call `f` with the encoding of each character of `s` in turn (ASCII
    /// callers take the fast paths before this); stop when `f` returns false.
    fn for_each_encoded(&self, s: &str, mut f: impl FnMut(&[u8]) -> bool) {
        let mut buf = [0u8; 8];
        let mut encoder = match self.kind {
            Kind::Whatwg(enc) => Some(enc.new_encoder()),
            Kind::Sbcs { .. } => None,
        };
        for c in s.chars() {
            let n = if c.is_ascii() {
                buf[0] = nul_to_q(c as u8);
                1
            } else {
                match (&self.kind, encoder.as_mut()) {
                    (Kind::Sbcs { encode, .. }, _) => {
                        buf[0] = sbcs_encode(encode, c);
                        1
                    }
                    (Kind::Whatwg(_), Some(e)) => {
                        let mut cbuf = [0u8; 4];
                        let cs = c.encode_utf8(&mut cbuf);
                        match e.encode_from_utf8_without_replacement(cs, &mut buf, false) {
                            (EncoderResult::InputEmpty, _, written) if written > 0 => written,
                            _ => {
                                buf[0] = REPLACEMENT;
                                1
                            }
                        }
                    }
                    (Kind::Whatwg(_), None) => {
                        buf[0] = REPLACEMENT;
                        1
                    }
                }
            };
            if !f(buf.get(..n).unwrap_or_default()) {
                break;
            }
        }
    }

    /// The number of bytes [`OemCodePage::encode_fixed`] writes for `s`
    /// given unlimited room.
    pub fn encoded_len(&self, s: &str) -> usize {
        if s.is_ascii() {
            return s.len();
        }
        if let Kind::Sbcs { .. } = self.kind {
            return s.chars().count();
        }
        let mut n = 0usize;
        self.for_each_encoded(s, |b| {
            n = n.saturating_add(b.len());
            true
        });
        n
    }

    /// Encode `s` into `dst`, never splitting a character, and return the
    /// number of bytes written (the rest of `dst` is untouched).
    pub fn encode_fixed(&self, s: &str, dst: &mut [u8]) -> usize {
        if s.is_ascii() {
            let n = s.len().min(dst.len());
            for (d, b) in dst.iter_mut().zip(s.bytes()) {
                *d = nul_to_q(b);
            }
            return n;
        }
        let mut n: usize = 0;
        self.for_each_encoded(s, |bytes| {
            let end = match n.checked_add(bytes.len()) {
                Some(end) if end <= dst.len() => end,
                _ => return false,
            };
            if let Some(slot) = dst.get_mut(n..end) {
                slot.copy_from_slice(bytes);
            }
            n = end;
            true
        });
        n
    }

    /// Decode OEM bytes (no terminator). Borrowed when the bytes are ASCII.
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Cow<'a, str> {
        if bytes.is_ascii() {
            // ASCII is valid UTF-8.
            if let Ok(s) = core::str::from_utf8(bytes) {
                return Cow::Borrowed(s);
            }
        }
        match self.kind {
            Kind::Sbcs { decode, .. } => Cow::Owned(
                bytes
                    .iter()
                    .map(|&b| {
                        if b < 0x80 {
                            b as char
                        } else {
                            let i = usize::from(b - 0x80);
                            match decode {
                                TableType::Complete(t) => t.get(i).copied().unwrap_or('\u{FFFD}'),
                                TableType::Incomplete(t) => {
                                    t.get(i).copied().flatten().unwrap_or('\u{FFFD}')
                                }
                            }
                        }
                    })
                    .collect(),
            ),
            Kind::Whatwg(enc) => enc.decode_without_bom_handling(bytes).0,
        }
    }
}

fn nul_to_q(b: u8) -> u8 {
    if b == 0 {
        REPLACEMENT
    } else {
        b
    }
}

fn sbcs_encode(map: &OEMCPHashMap<char, u8>, c: char) -> u8 {
    if c == '\0' {
        REPLACEMENT
    } else if c.is_ascii() {
        c as u8
    } else {
        map.get(&c).copied().unwrap_or(REPLACEMENT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn enc(cp: u16, s: &str) -> Vec<u8> {
        let mut v = Vec::new();
        OemCodePage::new(cp).unwrap().encode_into(s, &mut v);
        v
    }

    #[test]
    fn dos_pages() {
        assert_eq!(enc(437, "Café ü"), b"Caf\x82 \x81");
        assert_eq!(enc(850, "Übersicht – café"), b"\x9Abersicht ? caf\x82");
        assert_eq!(enc(858, "€"), b"\xD5");
        assert_eq!(enc(850, "€"), b"?");
        assert_eq!(enc(866, "Ж"), b"\x86");
        assert_eq!(
            OemCodePage::new(850).unwrap().decode(b"\x9Abersicht"),
            "Übersicht"
        );
    }

    #[test]
    fn whatwg_pages() {
        assert_eq!(enc(932, "日本"), b"\x93\xFA\x96\x7B");
        assert_eq!(enc(1252, "€"), b"\x80");
        assert_eq!(enc(932, "a€b"), b"a?b");
        assert_eq!(
            OemCodePage::new(932).unwrap().decode(b"\x93\xFA\x96\x7B"),
            "日本"
        );
    }

    #[test]
    fn unsupported() {
        assert_eq!(
            OemCodePage::new(1200).unwrap_err(),
            UnsupportedCodePage(1200)
        );
        assert_eq!(
            OemCodePage::new(50220).unwrap_err(),
            UnsupportedCodePage(50220)
        );
        assert_eq!(OemCodePage::new(4).unwrap_err(), UnsupportedCodePage(4));
    }

    #[test]
    fn nul_never_escapes() {
        assert_eq!(enc(850, "a\0b"), b"a?b");
        let mut dst = [0xAAu8; 4];
        assert_eq!(
            OemCodePage::new(850)
                .unwrap()
                .encode_fixed("a\0bcdef", &mut dst),
            4
        );
        assert_eq!(&dst, b"a?bc");
    }

    #[test]
    fn fixed_never_splits_a_dbcs_char() {
        let cp = OemCodePage::new(932).unwrap();
        let mut dst = [0u8; 3];
        assert_eq!(cp.encode_fixed("日本", &mut dst), 2);
        assert_eq!(&dst[..2], b"\x93\xFA");
    }
}
