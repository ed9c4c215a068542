//! RAP response messages (MS-RAP 2.5.2), client side: parse any response
//! back, whatever the Converter and the string layout.
//!
//! Responses are hostile input. Nothing here trusts a count or an offset:
//! a raw Low half of 0 means "absent"; otherwise the offset is
//! `Low − Converter` in 16-bit arithmetic (Converter is a signed 16-bit
//! value, and modulo 2^16 the signed and unsigned readings agree), and it
//! must land inside the data block; strings must be NUL-terminated inside
//! it. Every violation is a typed [`ResponseError`], never a panic.

use thiserror::Error;

use super::descriptor::{data, param, Descriptor, DescriptorError};
use super::print_job::PrintJobInfo;
use crate::codes::RapStatus;
use crate::oem::OemCodePage;

/// Why a response cannot be parsed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The response parameter block (this many bytes) is too short for the
    /// 2-byte Win32ErrorCode (MS-RAP 2.5.2).
    #[error("response parameters are {0} bytes; at least 2 (Win32ErrorCode) are needed")]
    ParamsTooShort(usize),
    /// RAPOutParams end before an item ParamDesc calls for.
    #[error("RAPOutParams end inside {item:?} (needs {needed} more bytes)")]
    OutParamsTruncated {
        /// The ParamDesc character (`h`, `e`, `i`, `g`).
        item: char,
        /// Bytes missing.
        needed: usize,
    },
    /// A malformed descriptor (MS-RAP 2.5.1), see [`DescriptorError`].
    #[error("descriptor: {0}")]
    Descriptor(#[from] DescriptorError),
    /// RAPOutData ends inside the fixed part of a structure.
    #[error(
        "data ends inside entry {entry} (needs {needed} bytes at {at}, {available} in the data)"
    )]
    DataTruncated {
        /// Index of the entry being read.
        entry: usize,
        /// Offset of its fixed part in RAPOutData.
        at: usize,
        /// Size of the fixed part.
        needed: usize,
        /// Length of RAPOutData.
        available: usize,
    },
    /// A pointer whose offset (Low − Converter, MS-RAP 2.5.2) lies outside
    /// RAPOutData.
    #[error("pointer {low:#06x} − Converter {converter:#06x} = {offset} lies outside the {len}-byte data")]
    PointerOutOfRange {
        /// The pointer's low 16 bits as sent.
        low: u16,
        /// The response's Converter.
        converter: u16,
        /// The offset they give.
        offset: usize,
        /// Length of RAPOutData.
        len: usize,
    },
    /// A `z` string with no NUL before the end of RAPOutData.
    #[error("string at offset {offset} is not NUL-terminated inside the data")]
    UnterminatedString {
        /// Offset of the string in RAPOutData.
        offset: usize,
    },
    /// An `l` or `b`n buffer that does not fit in RAPOutData, or an `l`
    /// length prefix below 2.
    #[error(
        "length-prefixed buffer at offset {offset} claims {claimed} bytes, {available} available"
    )]
    BadLenBuf {
        /// Offset of the buffer in RAPOutData.
        offset: usize,
        /// Its length: the `l` prefix, or `b`'s count.
        claimed: usize,
        /// Bytes from `offset` to the end of RAPOutData.
        available: usize,
    },
    /// The parsed values do not have the types or number of fields the
    /// typed structure expects.
    #[error("fields do not match the structure")]
    FieldMismatch,
    /// This info level has no structure for the command.
    #[error("info level {0} has no structure")]
    UnknownLevel(u16),
    /// An entry count (EntriesReturned or AUXCOUNT) larger than RAPOutData
    /// can hold.
    #[error("more entries claimed ({claimed}) than the data can hold")]
    TooManyEntries {
        /// The count the response claims.
        claimed: usize,
    },
}

/// Response parameters: Win32ErrorCode, Converter, RAPOutParams (2.5.2).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ResponseParams<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter (raw 16 bits; the spec types it as a signed int16).
    pub converter: u16,
    /// Whether the Converter word was present at all.
    pub has_converter: bool,
    /// The bytes after the Converter.
    pub out_params: &'a [u8],
}

/// Split the response parameter block. Two bytes (the status alone) is
/// accepted, as servers answer some errors that way; Converter is then 0.
pub fn parse_response_params(params: &[u8]) -> Result<ResponseParams<'_>, ResponseError> {
    let status = match params {
        [a, b, ..] => RapStatus(u16::from_le_bytes([*a, *b])),
        _ => return Err(ResponseError::ParamsTooShort(params.len())),
    };
    let (converter, has_converter) = match params.get(2..4) {
        Some([a, b]) => (u16::from_le_bytes([*a, *b]), true),
        _ => (0, false),
    };
    Ok(ResponseParams {
        status,
        converter,
        has_converter,
        out_params: params.get(4..).unwrap_or_default(),
    })
}

/// One RAPOutParams value, typed by the request's ParamDesc.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OutParam<'a> {
    /// `h`: a word (TotalBytesAvailable, EntriesAvailable).
    Word(u16),
    /// `e`: entries returned.
    EntryCount(u16),
    /// `i`: a dword.
    DWord(u32),
    /// `g`n: n bytes.
    Bytes(&'a [u8]),
}

/// Read the RAPOutParams that `param_desc` calls for, in order. Stops with
/// an error at the first item the bytes do not cover.
pub fn parse_out_params<'a>(
    param_desc: Descriptor<'_>,
    mut bytes: &'a [u8],
) -> Result<Vec<OutParam<'a>>, ResponseError> {
    let mut out = Vec::new();
    for item in param_desc.items() {
        let item = item?;
        let n = match item.ch {
            param::WORD_OUT | param::ENTCOUNT => 2,
            param::DWORD_OUT => 4,
            param::BYTES_OUT => usize::from(item.count_or_one()),
            _ => continue,
        };
        if bytes.len() < n {
            return Err(ResponseError::OutParamsTruncated {
                item: item.ch as char,
                needed: n - bytes.len(),
            });
        }
        let (v, rest) = bytes.split_at(n);
        bytes = rest;
        out.push(match (item.ch, v) {
            (param::WORD_OUT, [a, b]) => OutParam::Word(u16::from_le_bytes([*a, *b])),
            (param::ENTCOUNT, [a, b]) => OutParam::EntryCount(u16::from_le_bytes([*a, *b])),
            (param::DWORD_OUT, [a, b, c, d]) => {
                OutParam::DWord(u32::from_le_bytes([*a, *b, *c, *d]))
            }
            _ => OutParam::Bytes(v),
        });
    }
    Ok(out)
}

/// One value of a structure in RAPOutData.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DataValue<'a> {
    /// `W` / `K`.
    Word(u16),
    /// `D`.
    DWord(u32),
    /// `B`n: the n raw bytes (a fixed-width string or bytes).
    Fixed(&'a [u8]),
    /// `z`: the string (without NUL), `None` for a zero pointer.
    Str(Option<&'a [u8]>),
    /// `l` (length-prefixed, the prefix included) or `b`n, `None` for a zero pointer.
    LenBuf(Option<&'a [u8]>),
    /// `N`: number of auxiliary structures that follow.
    AuxCount(u16),
}

/// Resolve a pointer: `None` for a raw Low of 0, else the offset into `data`.
pub(crate) fn resolve_pointer(
    low: u16,
    converter: u16,
    data: &[u8],
) -> Result<Option<usize>, ResponseError> {
    if low == 0 {
        return Ok(None);
    }
    let offset = usize::from(low.wrapping_sub(converter));
    if offset >= data.len() {
        return Err(ResponseError::PointerOutOfRange {
            low,
            converter,
            offset,
            len: data.len(),
        });
    }
    Ok(Some(offset))
}

fn read_u16(data: &[u8], at: usize) -> Option<u16> {
    match data.get(at..at.checked_add(2)?) {
        Some([a, b]) => Some(u16::from_le_bytes([*a, *b])),
        _ => None,
    }
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    match data.get(at..at.checked_add(4)?) {
        Some([a, b, c, d]) => Some(u32::from_le_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

/// Parse one structure described by `desc` at `at` in `data`, appending its
/// values to `out`. Returns the offset after its fixed part.
pub fn parse_struct<'a>(
    desc: Descriptor<'_>,
    data: &'a [u8],
    at: usize,
    converter: u16,
    entry: usize,
    out: &mut Vec<DataValue<'a>>,
) -> Result<usize, ResponseError> {
    parse_struct_inner(desc, data, at, converter, entry, out, None)
}

/// Like [`parse_struct`], but a bad pointer (outside the data, unterminated
/// string, bad length prefix) is recorded in `anomalies` and read as absent
/// instead of failing: for decoders that show what they can.
pub fn parse_struct_lenient<'a>(
    desc: Descriptor<'_>,
    data: &'a [u8],
    at: usize,
    converter: u16,
    entry: usize,
    out: &mut Vec<DataValue<'a>>,
    anomalies: &mut Vec<ResponseError>,
) -> Result<usize, ResponseError> {
    parse_struct_inner(desc, data, at, converter, entry, out, Some(anomalies))
}

fn parse_struct_inner<'a>(
    desc: Descriptor<'_>,
    data: &'a [u8],
    at: usize,
    converter: u16,
    entry: usize,
    out: &mut Vec<DataValue<'a>>,
    mut lenient: Option<&mut Vec<ResponseError>>,
) -> Result<usize, ResponseError> {
    // A pointer error: fatal, or recorded and read as absent.
    let mut soft = |r: Result<Option<&'a [u8]>, ResponseError>| match (r, lenient.as_deref_mut()) {
        (Ok(v), _) => Ok(v),
        (Err(e), Some(list)) => {
            list.push(e);
            Ok(None)
        }
        (Err(e), None) => Err(e),
    };
    let fixed = usize::from(desc.fixed_size()?);
    let end =
        at.checked_add(fixed)
            .filter(|&e| e <= data.len())
            .ok_or(ResponseError::DataTruncated {
                entry,
                at,
                needed: fixed,
                available: data.len(),
            })?;
    let mut pos = at;
    for item in desc.items() {
        let item = item?;
        let n = usize::from(item.count_or_one());
        // `pos` stays within `at..end`, which is inside `data` (checked above).
        let bad = ResponseError::DataTruncated {
            entry,
            at,
            needed: fixed,
            available: data.len(),
        };
        match item.ch {
            data::WORD | data::UNSTRUCTURED => {
                // As many words as `data_item_size` counts: `W`n is n words
                // (`W0` none), `K` always one.
                let words = if item.ch == data::UNSTRUCTURED { 1 } else { n };
                for _ in 0..words {
                    out.push(DataValue::Word(read_u16(data, pos).ok_or(bad)?));
                    pos = pos.saturating_add(2);
                }
            }
            data::AUXCOUNT => {
                out.push(DataValue::AuxCount(read_u16(data, pos).ok_or(bad)?));
                pos = pos.saturating_add(2);
            }
            data::DWORD => {
                for _ in 0..n {
                    out.push(DataValue::DWord(read_u32(data, pos).ok_or(bad)?));
                    pos = pos.saturating_add(4);
                }
            }
            data::BYTES => {
                out.push(DataValue::Fixed(
                    data.get(pos..pos.saturating_add(n)).ok_or(bad)?,
                ));
                pos = pos.saturating_add(n);
            }
            data::STRING => {
                let low = read_u16(data, pos).ok_or(bad)?;
                pos = pos.saturating_add(4);
                let s = soft(resolve_pointer(low, converter, data).and_then(|p| match p {
                    None => Ok(None),
                    Some(off) => {
                        let tail = data.get(off..).unwrap_or_default();
                        let len = tail
                            .iter()
                            .position(|&b| b == 0)
                            .ok_or(ResponseError::UnterminatedString { offset: off })?;
                        Ok(Some(tail.get(..len).unwrap_or_default()))
                    }
                }))?;
                out.push(DataValue::Str(s));
            }
            data::LENBUF | data::BYTES_PTR => {
                let low = read_u16(data, pos).ok_or(bad)?;
                pos = pos.saturating_add(4);
                let b = soft(resolve_pointer(low, converter, data).and_then(|p| match p {
                    None => Ok(None),
                    Some(off) => {
                        // `l`: the first two bytes are the buffer's own length,
                        // prefix included; a cut-off prefix (counted as the 2
                        // bytes it needs) or a length below 2 is malformed.
                        let claimed = if item.ch == data::LENBUF {
                            read_u16(data, off).map_or(2, usize::from)
                        } else {
                            n
                        };
                        let min = if item.ch == data::LENBUF { 2 } else { 0 };
                        let available = data.len().saturating_sub(off);
                        let slice = Some(claimed)
                            .filter(|&c| c >= min)
                            .and_then(|c| off.checked_add(c))
                            .and_then(|e| data.get(off..e))
                            .ok_or(ResponseError::BadLenBuf {
                                offset: off,
                                claimed,
                                available,
                            })?;
                        Ok(Some(slice))
                    }
                }))?;
                out.push(DataValue::LenBuf(b));
            }
            data::NULL => {}
            _ => {
                return Err(ResponseError::Descriptor(DescriptorError::UnknownChar {
                    ch: item.ch as char,
                    offset: pos.saturating_sub(at),
                    context: "data",
                }))
            }
        }
    }
    debug_assert!(pos <= end);
    Ok(end)
}

/// A structure parsed generically: its values and its auxiliary structures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The structure's values, in DataDesc order.
    pub values: Vec<DataValue<'a>>,
    /// Its auxiliary structures (AuxDesc, as many as its AUXCOUNT), each
    /// one's values in order.
    pub aux: Vec<Vec<DataValue<'a>>>,
}

/// Parse `count` entries of `data_desc` (each followed by its `N` auxiliary
/// structures of `aux_desc`, MS-RAP 2.5.11) from the start of `data`.
/// `count` is bounded by what the data can hold.
pub fn parse_entries<'a>(
    data_desc: Descriptor<'_>,
    aux_desc: Option<Descriptor<'_>>,
    data: &'a [u8],
    count: usize,
    converter: u16,
) -> Result<Vec<Entry<'a>>, ResponseError> {
    let fixed = usize::from(data_desc.fixed_size()?).max(1);
    if count > data.len() / fixed + usize::from(data.is_empty() && count == 0) {
        return Err(ResponseError::TooManyEntries { claimed: count });
    }
    let aux_fixed = match aux_desc {
        Some(d) => usize::from(d.fixed_size()?).max(1),
        None => 1,
    };
    let mut entries = Vec::with_capacity(count);
    let mut at = 0;
    for i in 0..count {
        let mut values = Vec::new();
        at = parse_struct(data_desc, data, at, converter, i, &mut values)?;
        let n_aux = values
            .iter()
            .find_map(|v| match v {
                DataValue::AuxCount(n) => Some(usize::from(*n)),
                _ => None,
            })
            .unwrap_or(0);
        let mut aux = Vec::new();
        if let (Some(ad), true) = (aux_desc, n_aux > 0) {
            if n_aux > data.len().saturating_sub(at) / aux_fixed {
                return Err(ResponseError::TooManyEntries { claimed: n_aux });
            }
            for _ in 0..n_aux {
                let mut v = Vec::new();
                at = parse_struct(ad, data, at, converter, i, &mut v)?;
                aux.push(v);
            }
        }
        entries.push(Entry { values, aux });
    }
    Ok(entries)
}

/// A response parsed with the request's descriptors, for any opcode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// RAPOutParams, typed by ParamDesc (empty when an error reply omits
    /// them).
    pub out_params: Vec<OutParam<'a>>,
    /// The structures in RAPOutData, when the status carries data.
    pub entries: Vec<Entry<'a>>,
}

/// Parse any RAP response given the request's ParamDesc, DataDesc and
/// AuxDesc. The number of structures is the `e` out-param when ParamDesc
/// has one, else 1 when ParamDesc has `r` and data came back.
pub fn parse_generic<'a>(
    param_desc: Descriptor<'_>,
    data_desc: Descriptor<'_>,
    aux_desc: Option<Descriptor<'_>>,
    params: &'a [u8],
    data: &'a [u8],
) -> Result<GenericResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let carries = p.status.carries_data();
    // Error replies may omit RAPOutParams; read them only when data is expected.
    let out_params = match parse_out_params(param_desc, p.out_params) {
        Ok(v) => v,
        Err(e) if carries => return Err(e),
        Err(_) => Vec::new(),
    };
    let has_rcvbuf = param_desc.0.contains(&param::RCVBUF);
    let count = out_params
        .iter()
        .find_map(|o| match o {
            OutParam::EntryCount(n) => Some(usize::from(*n)),
            _ => None,
        })
        .unwrap_or(usize::from(has_rcvbuf && !data.is_empty()));
    let entries = if carries && has_rcvbuf && !data_desc.is_empty() {
        parse_entries(data_desc, aux_desc, data, count, p.converter)?
    } else {
        Vec::new()
    };
    Ok(GenericResponse {
        status: p.status,
        converter: p.converter,
        out_params,
        entries,
    })
}

/// A NetPrintJobGetInfo response (MS-RAP 2.5.7.4.2), typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintJobGetInfoResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// TotalBytesAvailable, when the reply carried it.
    pub total_bytes_available: Option<u16>,
    /// The structure, when the status carries data and data came back.
    pub info: Option<PrintJobInfo<'a>>,
}

/// Parse a NetPrintJobGetInfo response for a request of `level`, decoding
/// strings with `code_page`.
pub fn parse_get_info_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<PrintJobGetInfoResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let total_bytes_available = read_u16(p.out_params, 0);
    let info = if p.status.carries_data() && !data.is_empty() {
        let desc =
            super::descriptor::job::for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
        let mut values = Vec::with_capacity(20);
        parse_struct(Descriptor(desc), data, 0, p.converter, 0, &mut values)?;
        Some(PrintJobInfo::from_values(level, &values, code_page)?)
    } else {
        None
    };
    Ok(PrintJobGetInfoResponse {
        status: p.status,
        converter: p.converter,
        total_bytes_available,
        info,
    })
}

/// A NetPrintJobEnum response, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintJobEnumResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// EntriesReturned.
    pub entries_returned: u16,
    /// EntriesAvailable.
    pub entries_available: u16,
    /// The jobs returned.
    pub jobs: Vec<PrintJobInfo<'a>>,
}

/// Parse a NetPrintJobEnum response (`zWrLeh`) for a request of `level`.
pub fn parse_job_enum_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<PrintJobEnumResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let entries_returned = read_u16(p.out_params, 0).unwrap_or(0);
    let entries_available = read_u16(p.out_params, 2).unwrap_or(0);
    let mut jobs = Vec::new();
    if p.status.carries_data() && entries_returned > 0 {
        let desc =
            super::descriptor::job::for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
        for e in parse_entries(
            Descriptor(desc),
            None,
            data,
            usize::from(entries_returned),
            p.converter,
        )? {
            jobs.push(PrintJobInfo::from_values(level, &e.values, code_page)?);
        }
    }
    Ok(PrintJobEnumResponse {
        status: p.status,
        converter: p.converter,
        entries_returned,
        entries_available,
        jobs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn pointers() {
        let data = b"abc\0";
        assert_eq!(resolve_pointer(0, 5, data), Ok(None));
        assert_eq!(resolve_pointer(7, 5, data), Ok(Some(2)));
        assert_eq!(resolve_pointer(0xFFFE, 0xFFFC, data), Ok(Some(2)));
        // A negative Converter (-2 = 0xFFFE): Low 1 → offset 3.
        assert_eq!(resolve_pointer(1, 0xFFFE, data), Ok(Some(3)));
        assert_eq!(
            resolve_pointer(9, 5, data),
            Err(ResponseError::PointerOutOfRange {
                low: 9,
                converter: 5,
                offset: 4,
                len: 4
            })
        );
        assert_eq!(
            resolve_pointer(4, 5, data),
            Err(ResponseError::PointerOutOfRange {
                low: 4,
                converter: 5,
                offset: 65535,
                len: 4
            })
        );
    }

    #[test]
    fn unterminated_string() {
        let data = b"\x06\x00\x00\x00ab";
        let mut v = Vec::new();
        assert_eq!(
            parse_struct(Descriptor(b"z"), data, 0, 2, 0, &mut v),
            Err(ResponseError::UnterminatedString { offset: 4 })
        );
    }

    #[test]
    fn params() {
        assert_eq!(
            parse_response_params(b"\x32").unwrap_err(),
            ResponseError::ParamsTooShort(1)
        );
        let p = parse_response_params(b"\x32\x00").unwrap();
        assert_eq!(
            (p.status, p.converter, p.has_converter),
            (RapStatus::ERROR_NOT_SUPPORTED, 0, false)
        );
        assert_eq!(
            parse_out_params(Descriptor(b"zWrLeh"), b"\x05\x00\x07").unwrap_err(),
            ResponseError::OutParamsTruncated {
                item: 'h',
                needed: 1
            }
        );
    }
}
