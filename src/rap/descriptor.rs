//! RAP descriptor strings: ParamDesc, DataDesc and AuxDesc (MS-RAP 2.5.1).
//!
//! A descriptor is a string of type characters, each optionally followed by a
//! decimal count (`B21`, `b16`, `g4`). The lexer here is lenient (any byte is
//! an item); [`Descriptor::validate_param`] and [`Descriptor::validate_data`]
//! check the characters against the tables of MS-RAP 2.5.1 in a separate pass.
//! Counts are bounded ([`MAX_COUNT`]) and overflow-checked.

use core::fmt;

use thiserror::Error;

/// Largest count accepted after a descriptor character. RAP moves at most
/// 64 KiB per exchange (MS-RAP 1.6), so no count can usefully exceed it.
pub const MAX_COUNT: u32 = 0xFFFF;

/// Longest descriptor accepted (bytes, without the NUL). Real descriptors are
/// under 32 bytes; this bounds every walk.
pub const MAX_DESCRIPTOR_LEN: usize = 256;

/// One descriptor item: a type character and its optional count.
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct DescItem {
    /// The type character (`W`, `B`, `z`...).
    pub ch: u8,
    /// The decimal count that followed it, if any.
    pub count: Option<u16>,
}

impl DescItem {
    /// The count, or 1 when none was given (`B` alone is one byte).
    pub fn count_or_one(&self) -> u16 {
        self.count.unwrap_or(1)
    }
}

impl fmt::Debug for DescItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.count {
            Some(n) => write!(f, "{}{}", self.ch as char, n),
            None => write!(f, "{}", self.ch as char),
        }
    }
}

/// Why a descriptor is not acceptable.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DescriptorError {
    /// The descriptor is longer than [`MAX_DESCRIPTOR_LEN`] bytes.
    #[error("descriptor longer than {MAX_DESCRIPTOR_LEN} bytes")]
    TooLong,
    /// The decimal count after a type character exceeds [`MAX_COUNT`].
    #[error("count after {ch:?} at offset {offset} exceeds {MAX_COUNT}")]
    CountTooLarge {
        /// The type character the count follows.
        ch: char,
        /// Byte offset of that character in the descriptor.
        offset: usize,
    },
    /// A character not in the MS-RAP 2.5.1 table for this kind of descriptor.
    #[error("character {ch:?} at offset {offset} is not valid in a {context} descriptor")]
    UnknownChar {
        /// The offending character.
        ch: char,
        /// Its byte offset in the descriptor.
        offset: usize,
        /// Which table it was checked against: `"parameter"` or `"data"`.
        context: &'static str,
    },
    /// A count after a character that takes none in MS-RAP 2.5.1 (e.g. `W`
    /// in a ParamDesc, `z` in a DataDesc).
    #[error("count not allowed after {ch:?} at offset {offset}")]
    UnexpectedCount {
        /// The type character the count follows.
        ch: char,
        /// Byte offset of that character in the descriptor.
        offset: usize,
    },
    /// The fixed size of the described structure, or the RAPOutParams
    /// size, exceeds 64 KiB.
    #[error("fixed size overflows 64 KiB")]
    SizeOverflow,
}

/// A descriptor string as it came off the wire, without its NUL.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
pub struct Descriptor<'a>(pub &'a [u8]);

impl fmt::Debug for Descriptor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Descriptor({:?})", String::from_utf8_lossy(self.0))
    }
}

impl fmt::Display for Descriptor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0 {
            if b.is_ascii_graphic() {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

/// Iterator over the items of a descriptor. Yields an error (and then stops)
/// on an oversized count.
#[derive(Clone, Debug)]
pub struct Items<'a> {
    bytes: &'a [u8],
    pos: usize,
    failed: bool,
}

impl Iterator for Items<'_> {
    type Item = Result<DescItem, DescriptorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let &ch = self.bytes.get(self.pos)?;
        let start = self.pos;
        self.pos += 1;
        let mut count: Option<u32> = None;
        while let Some(&d) = self.bytes.get(self.pos) {
            if !d.is_ascii_digit() {
                break;
            }
            let v = count
                .unwrap_or(0)
                .checked_mul(10)
                .and_then(|v| v.checked_add(u32::from(d - b'0')))
                .filter(|&v| v <= MAX_COUNT);
            match v {
                Some(v) => count = Some(v),
                None => {
                    self.failed = true;
                    return Some(Err(DescriptorError::CountTooLarge {
                        ch: ch as char,
                        offset: start,
                    }));
                }
            }
            self.pos += 1;
        }
        // MAX_COUNT fits in u16 by construction.
        Some(Ok(DescItem {
            ch,
            count: count.map(|c| c as u16),
        }))
    }
}

/// Parameter descriptor characters (MS-RAP 2.5.1, first table).
pub mod param {
    /// unsigned short: 2 request bytes.
    pub const WORD: u8 = b'W';
    /// unsigned long: 4 request bytes.
    pub const DWORD: u8 = b'D';
    /// BYTE array: *n* inline request bytes.
    pub const BYTES: u8 = b'b';
    /// NUL-terminated ASCII string inline in the request.
    pub const STRING: u8 = b'z';
    /// NULL pointer: nothing on the wire.
    pub const NULL: u8 = b'O';
    /// Pad: *n* bytes.
    pub const PAD: u8 = b'F';
    /// RCVBUFLEN: ReceiveBufferSize, 2 request bytes.
    pub const RCVBUFLEN: u8 = b'L';
    /// RCVBUF: the response Data carries structures (no request bytes).
    pub const RCVBUF: u8 = b'r';
    /// SNDBUF: the request Data carries a structure (no request bytes).
    pub const SNDBUF: u8 = b's';
    /// SNDBUFLEN: send-buffer length, 2 request bytes.
    pub const SNDBUFLEN: u8 = b'T';
    /// PARAMNUM: parameter-number word, 2 request bytes.
    pub const PARAMNUM: u8 = b'P';
    /// unsigned short *: a word in the response params.
    pub const WORD_OUT: u8 = b'h';
    /// ENTCOUNT: entries-returned word in the response params.
    pub const ENTCOUNT: u8 = b'e';
    /// unsigned long *: a dword in the response params.
    pub const DWORD_OUT: u8 = b'i';
    /// BYTE *: *n* bytes in the response params.
    pub const BYTES_OUT: u8 = b'g';
}

/// Data / aux descriptor characters (MS-RAP 2.5.1, second table; `l`, `K`
/// from Samba and the LAN Manager headers, spec-facts §3.2).
pub mod data {
    /// Inline bytes / fixed-width string, *n* bytes (default 1).
    pub const BYTES: u8 = b'B';
    /// 16-bit word(s).
    pub const WORD: u8 = b'W';
    /// 32-bit dword(s).
    pub const DWORD: u8 = b'D';
    /// 32-bit pointer (Low = offset + Converter, High unused) to an ASCIIZ string.
    pub const STRING: u8 = b'z';
    /// 32-bit pointer to a buffer whose first two bytes are its length.
    pub const LENBUF: u8 = b'l';
    /// 32-bit pointer to *n* bytes.
    pub const BYTES_PTR: u8 = b'b';
    /// AUXCOUNT: number of auxiliary structures following.
    pub const AUXCOUNT: u8 = b'N';
    /// NULL pointer (0 bytes, as Samba and Wireshark count it).
    pub const NULL: u8 = b'O';
    /// Unstructured word (Samba counts 2 bytes).
    pub const UNSTRUCTURED: u8 = b'K';
}

/// How many bytes a parameter item occupies in the request RAPParams and in
/// the response RAPOutParams (spec-facts §3.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ParamWire {
    /// Fixed number of request bytes.
    Fixed(u16),
    /// NUL-terminated string in the request.
    Asciiz,
    /// No request bytes.
    Nothing,
}

impl<'a> Descriptor<'a> {
    /// Wrap descriptor bytes (without the NUL); nothing is checked.
    pub fn new(bytes: &'a [u8]) -> Self {
        Descriptor(bytes)
    }

    /// The descriptor bytes, without the NUL.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Whether the descriptor is the empty string (e.g. a null DataDesc,
    /// MS-RAP 2.5.1).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The items, lexed leniently.
    pub fn items(&self) -> Items<'a> {
        Items {
            bytes: self.0,
            pos: 0,
            failed: false,
        }
    }

    fn check_len(&self) -> Result<(), DescriptorError> {
        if self.0.len() > MAX_DESCRIPTOR_LEN {
            Err(DescriptorError::TooLong)
        } else {
            Ok(())
        }
    }

    /// Check a ParamDesc: every character from MS-RAP 2.5.1's parameter
    /// table; counts only where the table allows one (`b`, `F`, `g`).
    pub fn validate_param(&self) -> Result<(), DescriptorError> {
        self.check_len()?;
        let mut offset = 0;
        for item in self.items() {
            let item = item?;
            if param_wire(item).is_none() {
                return Err(DescriptorError::UnknownChar {
                    ch: item.ch as char,
                    offset,
                    context: "parameter",
                });
            }
            if item.count.is_some()
                && !matches!(item.ch, param::BYTES | param::PAD | param::BYTES_OUT)
            {
                return Err(DescriptorError::UnexpectedCount {
                    ch: item.ch as char,
                    offset,
                });
            }
            offset += 1 + digits(item.count);
        }
        Ok(())
    }

    /// Check a DataDesc or AuxDesc against the data table, and return its
    /// fixed size.
    pub fn validate_data(&self) -> Result<u16, DescriptorError> {
        self.check_len()?;
        let mut offset = 0;
        for item in self.items() {
            let item = item?;
            if data_item_size(item).is_none() {
                return Err(DescriptorError::UnknownChar {
                    ch: item.ch as char,
                    offset,
                    context: "data",
                });
            }
            if item.count.is_some()
                && matches!(
                    item.ch,
                    data::STRING | data::LENBUF | data::AUXCOUNT | data::NULL
                )
            {
                return Err(DescriptorError::UnexpectedCount {
                    ch: item.ch as char,
                    offset,
                });
            }
            offset += 1 + digits(item.count);
        }
        self.fixed_size()
    }

    /// Size in bytes of the fixed part of one structure described by this
    /// DataDesc/AuxDesc (MS-RAP 2.5.11). Level 0: `W` = 2, level 1:
    /// `WB21BB16B10zWWzDDz` = 74, level 2: `WWzWWDDzz` = 28, level 3:
    /// `WWzWWDDzzzzzzzzzzlz` = 68.
    pub fn fixed_size(&self) -> Result<u16, DescriptorError> {
        // The print-job descriptors are what clients and the decoder parse
        // most: their sizes are the declarations' constants (a length check
        // rejects the others at once).
        for m in crate::rap::print_job::PrintJobInfo::LEVELS {
            if self.0 == m.1.descriptor {
                return Ok(m.1.fixed_size);
            }
        }
        self.check_len()?;
        let mut total: u32 = 0;
        let mut items = self.items();
        loop {
            // The item's offset, for the error.
            let offset = items.pos;
            let Some(item) = items.next() else { break };
            let item = item?;
            let size = data_item_size(item).ok_or(DescriptorError::UnknownChar {
                ch: item.ch as char,
                offset,
                context: "data",
            })?;
            total = total
                .checked_add(size)
                .ok_or(DescriptorError::SizeOverflow)?;
        }
        u16::try_from(total).map_err(|_| DescriptorError::SizeOverflow)
    }

    /// The number of response-parameter bytes after Win32ErrorCode and
    /// Converter that this ParamDesc calls for (`h`, `e` = 2, `i` = 4, `g`n = n).
    pub fn out_param_size(&self) -> Result<u16, DescriptorError> {
        self.check_len()?;
        let mut total: u16 = 0;
        for item in self.items() {
            let item = item?;
            let n = match item.ch {
                param::WORD_OUT | param::ENTCOUNT => 2,
                param::DWORD_OUT => 4,
                param::BYTES_OUT => item.count_or_one(),
                _ => 0,
            };
            total = total.checked_add(n).ok_or(DescriptorError::SizeOverflow)?;
        }
        Ok(total)
    }
}

fn digits(count: Option<u16>) -> usize {
    match count {
        None => 0,
        Some(n) if n < 10 => 1,
        Some(n) if n < 100 => 2,
        Some(n) if n < 1000 => 3,
        Some(n) if n < 10000 => 4,
        Some(_) => 5,
    }
}

/// Request wire form of a parameter item, `None` for a character that is not
/// in the parameter table.
pub fn param_wire(item: DescItem) -> Option<ParamWire> {
    Some(match item.ch {
        param::WORD | param::RCVBUFLEN | param::SNDBUFLEN | param::PARAMNUM => ParamWire::Fixed(2),
        param::DWORD => ParamWire::Fixed(4),
        param::BYTES | param::PAD => ParamWire::Fixed(item.count_or_one()),
        param::STRING => ParamWire::Asciiz,
        param::NULL | param::RCVBUF | param::SNDBUF => ParamWire::Nothing,
        param::WORD_OUT | param::ENTCOUNT | param::DWORD_OUT | param::BYTES_OUT => {
            ParamWire::Nothing
        }
        _ => return None,
    })
}

/// Fixed-part size of a data item, `None` for a character that is not in
/// the data table. `W`/`D` take a repeat count (MS-RAP 2.5.1); `B` a byte
/// count; pointers (`z`, `l`, `b`) are 4 bytes whatever their count.
pub fn data_item_size(item: DescItem) -> Option<u32> {
    let n = u32::from(item.count_or_one());
    Some(match item.ch {
        data::BYTES => n,
        data::WORD => n * 2,
        data::DWORD => n * 4,
        data::STRING | data::LENBUF | data::BYTES_PTR => 4,
        data::AUXCOUNT | data::UNSTRUCTURED => 2,
        data::NULL => 0,
        _ => return None,
    })
}

/// The fixed size of a DataDesc, at compile time: what
/// [`rap_struct!`](crate::rap_struct) declarations use for their
/// `FIXED_SIZE`. Same rules as [`data_item_size`]; a character outside the
/// data table, or a size over 64 KiB, is a compile-time error.
#[allow(clippy::indexing_slicing, clippy::panic)] // const evaluation: indices are bounds-checked by the loop conditions; a panic is a compile error
pub const fn const_fixed_size(desc: &[u8]) -> u16 {
    let mut i = 0;
    let mut total: u32 = 0;
    while i < desc.len() {
        let ch = desc[i];
        i += 1;
        let mut n: u32 = 0;
        let mut has_count = false;
        while i < desc.len() && desc[i].is_ascii_digit() {
            n = n * 10 + (desc[i] - b'0') as u32;
            has_count = true;
            i += 1;
            if n > MAX_COUNT {
                panic!("descriptor count too large");
            }
        }
        let count = if has_count { n } else { 1 };
        total += match ch {
            data::BYTES => count,
            data::WORD => 2 * count,
            data::DWORD => 4 * count,
            data::STRING | data::LENBUF | data::BYTES_PTR => 4,
            data::AUXCOUNT | data::UNSTRUCTURED => 2,
            data::NULL => 0,
            _ => panic!("character not in the DataDesc table"),
        };
        if total > 0xFFFF {
            panic!("fixed size over 64 KiB");
        }
    }
    total as u16
}

/// [`const_fixed_size`] for a structure the marshaling engine can carry:
/// at most [`MAX_FIXED`](crate::rap::marshal::MAX_FIXED) fixed bytes and
/// [`MAX_POINTERS`](crate::rap::marshal::MAX_POINTERS) pointer fields
/// (a compile-time error otherwise).
#[allow(clippy::indexing_slicing, clippy::panic)] // const evaluation, as above
pub const fn const_struct_size(desc: &[u8]) -> u16 {
    let size = const_fixed_size(desc);
    if size as usize > crate::rap::marshal::MAX_FIXED {
        panic!("structure larger than MAX_FIXED");
    }
    let mut pointers = 0;
    let mut i = 0;
    while i < desc.len() {
        if matches!(desc[i], data::STRING | data::LENBUF | data::BYTES_PTR) {
            pointers += 1;
        }
        i += 1;
    }
    if pointers > crate::rap::marshal::MAX_POINTERS {
        panic!("structure with more than MAX_POINTERS pointer fields");
    }
    size
}

/// The DataDescs of the print-job info levels, from their declarations
/// ([`PrintJobInfo0`](crate::rap::print_job::PrintJobInfo0)–3).
pub mod job {
    use crate::rap::print_job::{
        PrintJobInfo, PrintJobInfo0, PrintJobInfo1, PrintJobInfo2, PrintJobInfo3,
    };

    /// PrintJobInfo0.
    pub const LEVEL_0: &[u8] = PrintJobInfo0::DESCRIPTOR;
    /// PrintJobInfo1.
    pub const LEVEL_1: &[u8] = PrintJobInfo1::DESCRIPTOR;
    /// PrintJobInfo2.
    pub const LEVEL_2: &[u8] = PrintJobInfo2::DESCRIPTOR;
    /// PrintJobInfo3; also what MS-RAP 2.5.7.4.1 literally requires as the
    /// NetPrintJobGetInfo DataDesc for every level.
    pub const LEVEL_3: &[u8] = PrintJobInfo3::DESCRIPTOR;

    /// The DataDesc of a level 0..=3.
    pub fn for_level(level: u16) -> Option<&'static [u8]> {
        PrintJobInfo::meta_for_level(level).map(|m| m.descriptor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn job_fixed_size_constants_match_the_generic_computation() {
        for (_, m) in crate::rap::print_job::PrintJobInfo::LEVELS {
            // The same descriptor in another buffer with a suffix that adds 0.
            let mut v = m.descriptor.to_vec();
            v.extend_from_slice(b"O");
            assert_eq!(Descriptor(&v).fixed_size(), Ok(m.fixed_size));
        }
    }

    #[test]
    fn job_fixed_sizes() {
        assert_eq!(Descriptor(job::LEVEL_0).fixed_size(), Ok(2));
        assert_eq!(Descriptor(job::LEVEL_1).fixed_size(), Ok(74));
        assert_eq!(Descriptor(job::LEVEL_2).fixed_size(), Ok(28));
        assert_eq!(Descriptor(job::LEVEL_3).fixed_size(), Ok(68));
        assert_eq!(Descriptor(b"WWzWWDDzzzzzDDDDDDD").fixed_size(), Ok(68));
        assert_eq!(Descriptor(b"B13BWWWzzzzzWN").fixed_size(), Ok(44));
    }

    #[test]
    fn lexes_counts() {
        let items: Vec<_> = Descriptor(b"WB21Bb16")
            .items()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(format!("{items:?}"), "[W, B21, B, b16]");
    }

    #[test]
    fn rejects_huge_counts() {
        assert_eq!(
            Descriptor(b"WB65536").fixed_size(),
            Err(DescriptorError::CountTooLarge { ch: 'B', offset: 1 })
        );
        assert_eq!(
            Descriptor(b"B99999999999999999999999").fixed_size(),
            Err(DescriptorError::CountTooLarge { ch: 'B', offset: 0 })
        );
        assert_eq!(
            Descriptor(b"B65535B1").fixed_size(),
            Err(DescriptorError::SizeOverflow)
        );
        assert_eq!(
            Descriptor(b"W40000").fixed_size(),
            Err(DescriptorError::SizeOverflow)
        );
    }

    #[test]
    fn validates_param_descriptors() {
        for ok in [
            &b"WWrLh"[..],
            b"zWrLeh",
            b"WrLehDO",
            b"WWsTP",
            b"zb16b16WW",
            b"W",
            b"",
            b"g12i",
        ] {
            assert_eq!(
                Descriptor(ok).validate_param(),
                Ok(()),
                "{}",
                Descriptor(ok)
            );
        }
        assert_eq!(
            Descriptor(b"wwrlh").validate_param(),
            Err(DescriptorError::UnknownChar {
                ch: 'w',
                offset: 0,
                context: "parameter"
            })
        );
        assert_eq!(
            Descriptor(b"WW2").validate_param(),
            Err(DescriptorError::UnexpectedCount { ch: 'W', offset: 1 })
        );
        assert_eq!(Descriptor(b"WWrLh").out_param_size(), Ok(2));
        assert_eq!(Descriptor(b"zWrLeh").out_param_size(), Ok(4));
        assert_eq!(Descriptor(b"ig3").out_param_size(), Ok(7));
    }

    #[test]
    fn validates_data_descriptors() {
        assert_eq!(Descriptor(job::LEVEL_1).validate_data(), Ok(74));
        assert_eq!(
            Descriptor(b"WB21BB16B10zWWzJDz").validate_data(),
            Err(DescriptorError::UnknownChar {
                ch: 'J',
                offset: 15,
                context: "data"
            })
        );
        assert_eq!(
            Descriptor(b"z4").validate_data(),
            Err(DescriptorError::UnexpectedCount { ch: 'z', offset: 0 })
        );
    }

    #[test]
    fn too_long() {
        let long = [b'W'; MAX_DESCRIPTOR_LEN + 1];
        assert_eq!(
            Descriptor(&long).fixed_size(),
            Err(DescriptorError::TooLong)
        );
    }
}
