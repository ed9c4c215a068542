//! RAP request messages (MS-RAP 2.5.1): RAPOpcode, ParamDesc, DataDesc,
//! RAPParams, optional AuxDesc, all inside the transaction parameters.
//!
//! [`parse_rap_request`] is zero-copy and generic for any opcode: it splits
//! the header and, walking ParamDesc, the RAPParams. Every NUL scan is
//! bounded by [`MAX_DESCRIPTOR_LEN`] or by the input; truncated or overlong
//! input is a typed [`RequestError`].

use nom::bytes::complete::take;
use nom::number::complete::{le_u16, le_u32};
use nom::IResult;
use thiserror::Error;

use super::descriptor::{
    param, param_wire, DescItem, Descriptor, DescriptorError, ParamWire, MAX_DESCRIPTOR_LEN,
};
use crate::codes::RapOpcode;

/// Which descriptor of a request.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DescKind {
    /// ParamDesc: describes RAPParams and RAPOutParams (MS-RAP 2.5.1).
    ParamDesc,
    /// DataDesc: describes the structures in RAPOutData or RAPInData
    /// (MS-RAP 2.5.1).
    DataDesc,
    /// AuxDesc: describes the auxiliary structures (MS-RAP 2.5.1).
    AuxDesc,
}

impl core::fmt::Display for DescKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            DescKind::ParamDesc => "ParamDesc",
            DescKind::DataDesc => "DataDesc",
            DescKind::AuxDesc => "AuxDesc",
        })
    }
}

/// Why a RAP request cannot be parsed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The parameter block (this many bytes) is too short for the 2-byte
    /// RAPOpcode.
    #[error("request is {0} bytes, shorter than the 2-byte RAPOpcode")]
    NoOpcode(usize),
    /// This descriptor has no NUL before the end of the parameter block.
    #[error("{0} is not NUL-terminated within the message")]
    UnterminatedDescriptor(DescKind),
    /// This descriptor is longer than [`MAX_DESCRIPTOR_LEN`] bytes.
    #[error("{0} is longer than {MAX_DESCRIPTOR_LEN} bytes")]
    DescriptorTooLong(DescKind),
    /// A malformed descriptor (MS-RAP 2.5.1), see [`DescriptorError`].
    #[error("{which}: {error}")]
    BadDescriptor {
        /// Which descriptor.
        which: DescKind,
        /// What is wrong with it.
        error: DescriptorError,
    },
    /// RAPParams end before a fixed-size parameter is complete.
    #[error("RAPParams end inside {item:?} (needs {needed} bytes, {available} left)")]
    ParamsTruncated {
        /// The ParamDesc item being read.
        item: DescItem,
        /// Bytes it occupies in RAPParams.
        needed: usize,
        /// Bytes left in the parameter block.
        available: usize,
    },
    /// A `z` parameter with no NUL before the end of the parameter block.
    #[error("string parameter {item:?} is not NUL-terminated")]
    UnterminatedString {
        /// The ParamDesc item being read.
        item: DescItem,
    },
    /// A nom error not mapped to one of the above (not expected in
    /// practice).
    #[error("internal parser error: {0:?}")]
    Nom(nom::error::ErrorKind),
}

impl<I> nom::error::ParseError<I> for RequestError {
    fn from_error_kind(_input: I, kind: nom::error::ErrorKind) -> Self {
        RequestError::Nom(kind)
    }
    fn append(_input: I, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

fn fail<T>(e: RequestError) -> Result<T, nom::Err<RequestError>> {
    Err(nom::Err::Failure(e))
}

/// Take a NUL-terminated descriptor of at most [`MAX_DESCRIPTOR_LEN`] bytes.
fn descriptor(which: DescKind) -> impl Fn(&[u8]) -> IResult<&[u8], Descriptor<'_>, RequestError> {
    move |input: &[u8]| {
        let window = input
            .get(..input.len().min(MAX_DESCRIPTOR_LEN + 1))
            .unwrap_or(input);
        match window.iter().position(|&b| b == 0) {
            Some(n) => {
                let (desc, rest) = input.split_at(n);
                Ok((rest.get(1..).unwrap_or_default(), Descriptor(desc)))
            }
            None if window.len() > MAX_DESCRIPTOR_LEN => {
                fail(RequestError::DescriptorTooLong(which))
            }
            None => fail(RequestError::UnterminatedDescriptor(which)),
        }
    }
}

/// A RAP request as it came off the wire (MS-RAP 2.5.1), borrowed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RapRequest<'a> {
    /// RAPOpcode (MS-RAP 2.5.4).
    pub opcode: RapOpcode,
    /// ParamDesc, without its NUL.
    pub param_desc: Descriptor<'a>,
    /// DataDesc, without its NUL (empty when the command has none).
    pub data_desc: Descriptor<'a>,
    /// RAPParams followed by the optional AuxDesc: everything after
    /// DataDesc's NUL. Split with [`RapRequest::params`].
    pub rest: &'a [u8],
    /// The whole transaction parameter block.
    pub raw: &'a [u8],
}

/// Parse the RAP header: RAPOpcode, ParamDesc, DataDesc (MS-RAP 2.5.1).
pub fn parse_rap_request(input: &[u8]) -> Result<RapRequest<'_>, RequestError> {
    let raw = input;
    if input.len() < 2 {
        return Err(RequestError::NoOpcode(input.len()));
    }
    let res: IResult<&[u8], _, RequestError> = (|i| {
        let (i, opcode) = le_u16(i)?;
        let (i, param_desc) = descriptor(DescKind::ParamDesc)(i)?;
        let (i, data_desc) = descriptor(DescKind::DataDesc)(i)?;
        Ok((i, (opcode, param_desc, data_desc)))
    })(input);
    match res {
        Ok((rest, (opcode, param_desc, data_desc))) => Ok(RapRequest {
            opcode: RapOpcode(opcode),
            param_desc,
            data_desc,
            rest,
            raw,
        }),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(_)) => Err(RequestError::Nom(nom::error::ErrorKind::Eof)),
    }
}

/// RAPParams split off a request, plus what follows them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RapParams<'a> {
    /// The ParamDesc that describes `bytes`.
    pub desc: Descriptor<'a>,
    /// Exactly the RAPParams bytes ParamDesc calls for.
    pub bytes: &'a [u8],
    /// AuxDesc (without its NUL) when bytes follow RAPParams and they end
    /// in a NUL. An empty AuxDesc (a lone NUL, as smbclient sends) is `Some("")`.
    pub aux_desc: Option<Descriptor<'a>>,
    /// Bytes after the AuxDesc's NUL (normally none).
    pub trailing: &'a [u8],
}

impl<'a> RapParams<'a> {
    /// The parameter values in ParamDesc order.
    pub fn values(&self) -> ParamIter<'a> {
        ParamIter {
            items: self.desc.items(),
            input: self.bytes,
        }
    }
}

impl<'a> RapRequest<'a> {
    /// Walk ParamDesc over the bytes after DataDesc: validates ParamDesc
    /// (every character from the 2.5.1 table), checks every parameter is
    /// complete and every `z` string terminated, then splits off AuxDesc.
    pub fn params(&self) -> Result<RapParams<'a>, RequestError> {
        self.param_desc
            .validate_param()
            .map_err(|error| RequestError::BadDescriptor {
                which: DescKind::ParamDesc,
                error,
            })?;
        let mut iter = ParamIter {
            items: self.param_desc.items(),
            input: self.rest,
        };
        for v in iter.by_ref() {
            v?;
        }
        let consumed = self.rest.len().saturating_sub(iter.input.len());
        let (bytes, after) = self.rest.split_at(consumed);
        // Lenient: bytes that are not a NUL-terminated AuxDesc are kept as
        // `trailing`; whether they are acceptable is the command's call.
        let (aux_desc, trailing) = match descriptor(DescKind::AuxDesc)(after) {
            Ok((trailing, aux)) if !after.is_empty() => (Some(aux), trailing),
            _ => (None, after),
        };
        Ok(RapParams {
            desc: self.param_desc,
            bytes,
            aux_desc,
            trailing,
        })
    }

    /// The command name when the opcode is known (`NetPrintJobGetInfo`).
    pub fn command_name(&self) -> Option<&'static str> {
        self.opcode.command_name()
    }
}

/// One request parameter value (MS-RAP 2.5.1 parameter table).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ParamValue<'a> {
    /// `W`: a 16-bit word.
    Word(u16),
    /// `D`: a 32-bit dword.
    DWord(u32),
    /// `b`n: n inline bytes.
    Bytes(&'a [u8]),
    /// `z`: an inline string, without its NUL.
    String(&'a [u8]),
    /// `O`: a null pointer; nothing on the wire.
    Null,
    /// `F`n: n pad bytes.
    Pad(&'a [u8]),
    /// `L`: ReceiveBufferSize.
    ReceiveBufferSize(u16),
    /// `T`: send-buffer length.
    SendBufferSize(u16),
    /// `P`: parameter number.
    ParamNum(u16),
    /// `r`: the response Data carries structures.
    ReceiveBuffer,
    /// `s`: the request Data carries a structure.
    SendBuffer,
    /// `h`, `e`, `i`, `g`n: a value the response returns; nothing in the request.
    Output(DescItem),
}

/// A parameter item and its value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RapParam<'a> {
    /// The ParamDesc item.
    pub item: DescItem,
    /// Its value in RAPParams.
    pub value: ParamValue<'a>,
}

/// Iterator over request parameter values, driven by ParamDesc.
#[derive(Clone, Debug)]
pub struct ParamIter<'a> {
    items: super::descriptor::Items<'a>,
    input: &'a [u8],
}

impl<'a> Iterator for ParamIter<'a> {
    type Item = Result<RapParam<'a>, RequestError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match self.items.next()? {
            Ok(item) => item,
            Err(error) => {
                return Some(Err(RequestError::BadDescriptor {
                    which: DescKind::ParamDesc,
                    error,
                }));
            }
        };
        let res = (|| {
            let Some(wire) = param_wire(item) else {
                return Err(RequestError::BadDescriptor {
                    which: DescKind::ParamDesc,
                    error: DescriptorError::UnknownChar {
                        ch: item.ch as char,
                        offset: 0,
                        context: "parameter",
                    },
                });
            };
            let value = match wire {
                ParamWire::Nothing => match item.ch {
                    param::NULL => ParamValue::Null,
                    param::RCVBUF => ParamValue::ReceiveBuffer,
                    param::SNDBUF => ParamValue::SendBuffer,
                    _ => ParamValue::Output(item),
                },
                ParamWire::Asciiz => {
                    let n = self
                        .input
                        .iter()
                        .position(|&b| b == 0)
                        .ok_or(RequestError::UnterminatedString { item })?;
                    let (s, rest) = self.input.split_at(n);
                    self.input = rest.get(1..).unwrap_or_default();
                    ParamValue::String(s)
                }
                ParamWire::Fixed(n) => {
                    let n = usize::from(n);
                    let r: IResult<&[u8], &[u8], RequestError> = take(n)(self.input);
                    let (rest, bytes) = r.map_err(|_| RequestError::ParamsTruncated {
                        item,
                        needed: n,
                        available: self.input.len(),
                    })?;
                    self.input = rest;
                    let word = || {
                        le_u16::<_, RequestError>(bytes)
                            .map(|(_, v)| v)
                            .unwrap_or(0)
                    };
                    match item.ch {
                        param::WORD => ParamValue::Word(word()),
                        param::RCVBUFLEN => ParamValue::ReceiveBufferSize(word()),
                        param::SNDBUFLEN => ParamValue::SendBufferSize(word()),
                        param::PARAMNUM => ParamValue::ParamNum(word()),
                        param::DWORD => ParamValue::DWord(
                            le_u32::<_, RequestError>(bytes)
                                .map(|(_, v)| v)
                                .unwrap_or(0),
                        ),
                        param::PAD => ParamValue::Pad(bytes),
                        _ => ParamValue::Bytes(bytes),
                    }
                }
            };
            Ok(RapParam { item, value })
        })();
        if res.is_err() {
            // Stop after the first error.
            self.items = Descriptor(&[]).items();
        }
        Some(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rap::commands::net_print_job_enum::PrintJobEnumRequest;
    use crate::rap::commands::net_print_job_get_info::PrintJobGetInfoRequest;
    use pretty_assertions::assert_eq;

    #[test]
    fn header_and_params() {
        let raw = b"\x4D\x00WWrLh\x00WWzWWDDzz\x00\x03\x00\x02\x00\x00\x04";
        let r = parse_rap_request(raw).unwrap();
        assert_eq!(r.opcode, RapOpcode::NET_PRINT_JOB_GET_INFO);
        assert_eq!(r.param_desc.as_bytes(), b"WWrLh");
        assert_eq!(r.data_desc.as_bytes(), b"WWzWWDDzz");
        let p = r.params().unwrap();
        assert_eq!(p.bytes, b"\x03\x00\x02\x00\x00\x04");
        assert_eq!(p.aux_desc, None);
        assert_eq!(
            PrintJobGetInfoRequest::parse(p.bytes).unwrap().0,
            PrintJobGetInfoRequest {
                job_id: 3,
                level: 2,
                receive_buffer_size: 0x400
            }
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse_rap_request(b"\x4D").unwrap_err(),
            RequestError::NoOpcode(1)
        );
        assert_eq!(
            parse_rap_request(b"\x4D\x00WWrLh").unwrap_err(),
            RequestError::UnterminatedDescriptor(DescKind::ParamDesc)
        );
        assert_eq!(
            parse_rap_request(b"\x4D\x00WWrLh\x00WW").unwrap_err(),
            RequestError::UnterminatedDescriptor(DescKind::DataDesc)
        );
        let long = [b'W'; 300];
        let mut raw = vec![0x4D, 0];
        raw.extend_from_slice(&long);
        assert_eq!(
            parse_rap_request(&raw).unwrap_err(),
            RequestError::DescriptorTooLong(DescKind::ParamDesc)
        );
        let r = parse_rap_request(b"\x4D\x00WWrLh\x00W\x00\x03\x00\x02\x00\x00").unwrap();
        assert_eq!(
            r.params().unwrap_err(),
            RequestError::ParamsTruncated {
                item: DescItem {
                    ch: b'L',
                    count: None
                },
                needed: 2,
                available: 1
            }
        );
        let r = parse_rap_request(b"\x4C\x00zWrLeh\x00W\x00LASER").unwrap();
        assert_eq!(
            r.params().unwrap_err(),
            RequestError::UnterminatedString {
                item: DescItem {
                    ch: b'z',
                    count: None
                }
            }
        );
    }

    #[test]
    fn aux_desc_and_trailing() {
        let r = parse_rap_request(b"\x4D\x00WWrLh\x00W\x00\x03\x00\x00\x00\x00\x04W\x00").unwrap();
        let p = r.params().unwrap();
        assert_eq!(p.aux_desc, Some(Descriptor(b"W")));
        assert_eq!(p.trailing, b"");
        let r =
            parse_rap_request(b"\x4D\x00WWrLh\x00W\x00\x03\x00\x00\x00\x00\x04\x01\x02").unwrap();
        let p = r.params().unwrap();
        assert_eq!((p.aux_desc, p.trailing), (None, &b"\x01\x02"[..]));
    }

    #[test]
    fn enum_request_round_trip() {
        let req = PrintJobEnumRequest {
            queue: b"LASER",
            level: 1,
            receive_buffer_size: 0x1000,
        };
        let mut out = Vec::new();
        req.encode(b"WB21BB16B10zWWzDDz", &mut out);
        let r = parse_rap_request(&out).unwrap();
        assert_eq!(
            PrintJobEnumRequest::parse(r.params().unwrap().bytes)
                .unwrap()
                .0,
            req
        );
    }
}
