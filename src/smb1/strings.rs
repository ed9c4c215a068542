//! `SMB_STRING` (MS-CIFS 2.2.1.1): OEM or UTF-16LE per `FLAGS2_UNICODE`,
//! NUL-terminated; Unicode strings start at an even offset from the SMB
//! header start, so a pad byte may precede them.

use core::fmt;

/// A string as it appears on the wire, without its terminator.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum SmbStr<'a> {
    /// 8-bit OEM bytes.
    Oem(&'a [u8]),
    /// UTF-16LE code units (even length).
    Unicode(&'a [u8]),
}

impl<'a> SmbStr<'a> {
    /// Whether the string has no characters (the terminator is not counted).
    pub fn is_empty(&self) -> bool {
        match self {
            SmbStr::Oem(b) | SmbStr::Unicode(b) => b.is_empty(),
        }
    }

    /// Decodes, replacing invalid UTF-16 with U+FFFD. OEM bytes are read as
    /// Latin-1: the SMB layer only compares names, which are ASCII.
    pub fn to_string_lossy(&self) -> String {
        match self {
            SmbStr::Oem(b) => b.iter().map(|&c| char::from(c)).collect(),
            SmbStr::Unicode(b) => {
                let units = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
                char::decode_utf16(units)
                    .map(|r| r.unwrap_or('\u{FFFD}'))
                    .collect()
            }
        }
    }

    /// ASCII case-insensitive comparison with `s` (Samba's `strequal` for
    /// the names the SMB layer routes on).
    pub fn eq_ignore_ascii_case(&self, s: &str) -> bool {
        self.to_string_lossy().eq_ignore_ascii_case(s)
    }
}

impl fmt::Debug for SmbStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            SmbStr::Oem(_) => "Oem",
            SmbStr::Unicode(_) => "Unicode",
        };
        write!(f, "{kind}({:?})", self.to_string_lossy())
    }
}

/// Where a string ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Termination {
    /// A NUL terminator was found; the next field starts after it.
    Terminated,
    /// The region ended first.
    Unterminated,
}

/// Reads a string at `pos` of `msg` (offsets from the header start), not
/// going past `end`. With `unicode`, a pad byte is skipped when `pos` is odd.
/// Returns the string, the offset after its terminator (or `end`), and
/// whether a terminator was seen. Never reads outside `msg[..end]`.
pub(crate) fn read_smb_string(
    msg: &[u8],
    pos: usize,
    end: usize,
    unicode: bool,
) -> (SmbStr<'_>, usize, Termination) {
    let end = end.min(msg.len());
    let region = |from: usize| msg.get(from..end).unwrap_or(&[]);
    if unicode {
        let start = if pos % 2 == 1 { pos + 1 } else { pos };
        let r = region(start);
        let mut i = 0;
        while let Some(unit) = r.get(i..i + 2) {
            if unit == [0, 0] {
                return (
                    SmbStr::Unicode(&r[..i]),
                    start + i + 2,
                    Termination::Terminated,
                );
            }
            i += 2;
        }
        (
            SmbStr::Unicode(&r[..i]),
            end.max(start),
            Termination::Unterminated,
        )
    } else {
        let r = region(pos);
        match r.iter().position(|&b| b == 0) {
            Some(n) => (SmbStr::Oem(&r[..n]), pos + n + 1, Termination::Terminated),
            None => (SmbStr::Oem(r), end.max(pos), Termination::Unterminated),
        }
    }
}

/// Appends `s` NUL-terminated: UTF-16LE (after a pad byte if the current
/// offset is odd) or OEM (non-ASCII characters become `?`).
pub(crate) fn write_smb_string(out: &mut super::message::MessageBuilder, s: &str, unicode: bool) {
    if unicode {
        out.pad_to(2);
        for u in s.encode_utf16() {
            out.bytes(&u.to_le_bytes());
        }
        out.bytes(&[0, 0]);
    } else {
        write_oem_string(out, s);
    }
}

/// Appends `s` as a NUL-terminated OEM string (no alignment).
pub(crate) fn write_oem_string(out: &mut super::message::MessageBuilder, s: &str) {
    for c in s.chars() {
        out.byte(if c.is_ascii() && c != '\0' {
            c as u8
        } else {
            b'?'
        });
    }
    out.byte(0);
}

/// Appends `s` as UTF-16LE with terminator, without alignment.
pub(crate) fn write_unicode_unaligned(out: &mut super::message::MessageBuilder, s: &str) {
    for u in s.encode_utf16() {
        out.bytes(&u.to_le_bytes());
    }
    out.bytes(&[0, 0]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_alignment_and_termination() {
        let msg = [9, 0, b'A', 0, b'B', 0, 0, 0, 7];
        let (s, next, t) = read_smb_string(&msg, 1, msg.len(), true);
        assert_eq!(
            (s.to_string_lossy().as_str(), next, t),
            ("AB", 8, Termination::Terminated)
        );
        let (s, next, t) = read_smb_string(&msg, 1, 6, true);
        assert_eq!(
            (s.to_string_lossy().as_str(), next, t),
            ("AB", 6, Termination::Unterminated)
        );
        // pos beyond end: empty, no panic
        let (s, _, t) = read_smb_string(&msg, 100, 200, true);
        assert!(s.is_empty() && t == Termination::Unterminated);
    }

    #[test]
    fn oem() {
        let msg = b"xIPC$\0rest";
        let (s, next, t) = read_smb_string(msg, 1, msg.len(), false);
        assert!(s.eq_ignore_ascii_case("ipc$"));
        assert_eq!((next, t), (6, Termination::Terminated));
        let (_, next, t) = read_smb_string(msg, 6, msg.len(), false);
        assert_eq!((next, t), (10, Termination::Unterminated));
    }
}
