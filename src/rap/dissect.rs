//! Dissect a RAP exchange (request parameters, and the response when there
//! is one) for display: every opcode generically from its descriptors, with
//! names for the known commands and their structures, and a list of
//! anomalies. Never fails: what cannot be decoded becomes an anomaly.
//!
//! Field names are snake_case after the spec's field names (`job_id`,
//! `user_name`, `document_name`, `time_submitted`).

use std::borrow::Cow;

use super::commands::net_print_job_set_info::PARAM_NUMS;
use super::commands::{command, Command};
use super::descriptor::{data, param, Descriptor};
use super::print_job::RapJobStatus;
use super::request::{parse_rap_request, ParamValue};
use super::response::{
    parse_out_params, parse_response_params, parse_struct_lenient, DataValue, OutParam,
};
use super::structs::{FieldKind, StructMeta};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;

/// A decoded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A number.
    Int(u64),
    /// Text, decoded from the OEM code page.
    Str(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
    /// An absent pointer (offset 0) or a null parameter.
    Null,
    /// A RAP JobStatus word.
    JobStatus(RapJobStatus),
    /// A PrintQStatus word (PRQ_*, MS-RAP 2.5.7.8.2).
    QueueStatus(u16),
    /// Seconds since 1970-01-01 in the server's local time (TimeSubmitted).
    Time(u32),
}

/// A named list of values (a structure or a parameter block). Names are
/// static for known commands and structures (no allocation).
pub type Fields = Vec<(Cow<'static, str>, Value)>;

/// The response half of a dissection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseDissection {
    /// Win32ErrorCode (MS-RAP 2.5.2).
    pub status: RapStatus,
    /// Converter (MS-RAP 2.5.2), raw 16 bits.
    pub converter: u16,
    /// RAPOutParams, named after the command's fields when it is known.
    pub params: Fields,
    /// Structures in RAPOutData, in order.
    pub entries: Vec<Fields>,
    /// Whether the structures carry an AUXCOUNT (`N`, MS-RAP 2.5.11): then
    /// `aux[i]` holds the auxiliary structures that follow `entries[i]`.
    pub has_aux: bool,
    /// The auxiliary structures of each entry, in order (empty when
    /// [`Self::has_aux`] is false).
    pub aux: Vec<Vec<Fields>>,
    /// Whether the command returns an array (ParamDesc has `e`) rather than one structure.
    pub is_array: bool,
}

/// One RAP exchange, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dissection {
    /// RAPOpcode (MS-RAP 2.5.4), when the request has two bytes for it.
    pub opcode: Option<RapOpcode>,
    /// The command name, when the opcode is known (`NetPrintJobGetInfo`).
    pub command: Option<&'static str>,
    /// ParamDesc, printable (non-graphic bytes as `\xNN`); empty when the
    /// request header does not parse.
    pub param_desc: String,
    /// DataDesc, printable as `param_desc`.
    pub data_desc: String,
    /// AuxDesc, printable as `param_desc`, when the request has one.
    pub aux_desc: Option<String>,
    /// RAPParams, named after the command's fields when it is known and
    /// ParamDesc is its own; for NetPrintJobSetInfo also the RAPInData
    /// value as `new_<field>`.
    pub params: Fields,
    /// The response, when one was given and its parameters parse.
    pub response: Option<ResponseDissection>,
    /// What does not conform or could not be decoded, one line each.
    pub anomalies: Vec<String>,
}

fn generic_param_name(ch: u8, n: usize) -> Cow<'static, str> {
    match ch {
        param::RCVBUFLEN => "receive_buffer_size".into(),
        param::SNDBUFLEN => "send_buffer_size".into(),
        param::PARAMNUM => "param_num".into(),
        param::ENTCOUNT => "entries_returned".into(),
        param::WORD | param::WORD_OUT => format!("word{n}").into(),
        param::DWORD | param::DWORD_OUT => format!("dword{n}").into(),
        param::STRING => format!("string{n}").into(),
        param::NULL => format!("null{n}").into(),
        param::PAD => format!("pad{n}").into(),
        _ => format!("bytes{n}").into(),
    }
}

fn desc_string(d: &[u8]) -> String {
    Descriptor(d).to_string()
}

/// [`dissect`], plus the request's RAPInData (Trans_Data): for
/// NetPrintJobSetInfo, the new value typed by ParamNum (MS-RAP 2.5.7.3.1),
/// shown as `new_<field>`; anything it cannot type is an anomaly.
pub fn dissect_with_data(
    request_params: &[u8],
    request_data: &[u8],
    response: Option<(&[u8], &[u8])>,
    code_page: &OemCodePage,
) -> Dissection {
    let mut d = dissect(request_params, response, code_page);
    if d.opcode != Some(RapOpcode::NET_PRINT_JOB_SET_INFO) {
        if !request_data.is_empty() {
            d.anomalies.push(format!(
                "request: {} bytes of RAPInData for a command that takes none",
                request_data.len()
            ));
        }
        return d;
    }
    let param_num = d.params.iter().find_map(|(k, v)| match (k.as_ref(), v) {
        ("param_num", Value::Int(n)) => Some(*n),
        _ => None,
    });
    let Some(param_num) = param_num else {
        return d;
    };
    let Some((name, ty)) = usize::try_from(param_num)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| PARAM_NUMS.get(i))
    else {
        d.anomalies
            .push(format!("request: ParamNum {param_num} names no field"));
        return d;
    };
    let value = match ty {
        b'z' => request_data
            .iter()
            .position(|&b| b == 0)
            .and_then(|end| request_data.get(..end))
            .map(|s| Value::Str(code_page.decode(s).into_owned())),
        b'W' => request_data
            .first_chunk::<2>()
            .map(|b| Value::Int(u16::from_le_bytes(*b).into())),
        _ => request_data
            .first_chunk::<4>()
            .map(|b| Value::Int(u32::from_le_bytes(*b).into())),
    };
    match value {
        Some(v) => d.params.push((Cow::Owned(format!("new_{name}")), v)),
        None => d.anomalies.push(format!(
            "request: RAPInData ({} bytes) is no {} for ParamNum {param_num}",
            request_data.len(),
            match ty {
                b'z' => "NUL-terminated string",
                b'W' => "16-bit value",
                _ => "32-bit value",
            }
        )),
    }
    d
}

/// Dissect a request and, when present, its response (`response` = the
/// response's (parameters, data) blocks).
pub fn dissect(
    request_params: &[u8],
    response: Option<(&[u8], &[u8])>,
    code_page: &OemCodePage,
) -> Dissection {
    let mut d = Dissection {
        opcode: None,
        command: None,
        param_desc: String::new(),
        data_desc: String::new(),
        aux_desc: None,
        params: Vec::new(),
        response: None,
        anomalies: Vec::new(),
    };
    let req = match parse_rap_request(request_params) {
        Ok(r) => r,
        Err(e) => {
            if let [a, b, ..] = request_params {
                let op = RapOpcode(u16::from_le_bytes([*a, *b]));
                d.opcode = Some(op);
                d.command = op.command_name();
            }
            d.anomalies.push(format!("request: {e}"));
            if let Some((p, _)) = response {
                if let Ok(rp) = parse_response_params(p) {
                    d.response = Some(ResponseDissection {
                        status: rp.status,
                        converter: rp.converter,
                        params: Vec::new(),
                        entries: Vec::new(),
                        has_aux: false,
                        aux: Vec::new(),
                        is_array: false,
                    });
                }
            }
            return d;
        }
    };
    d.opcode = Some(req.opcode);
    d.command = req.opcode.command_name();
    d.param_desc = desc_string(req.param_desc.0);
    d.data_desc = desc_string(req.data_desc.0);
    let known = command(req.opcode).filter(|c| c.params.is_some());
    let names_apply = known.is_some_and(|c| c.param_descs().any(|p| p == req.param_desc.0));
    if let (Some(c), false) = (known, names_apply) {
        let want: Vec<String> = c
            .param_descs()
            .map(|p| format!("{:?}", desc_string(p)))
            .collect();
        d.anomalies.push(format!(
            "ParamDesc {:?} is not {}'s {}",
            d.param_desc,
            d.command.unwrap_or("this command"),
            want.join(" or ")
        ));
    }
    let mut level = None;
    let mut rbs = None;
    let mut aux_raw: Option<&[u8]> = None;
    match req.params() {
        Ok(p) => {
            let mut i = 0usize;
            for (n, v) in p.values().enumerate() {
                let Ok(v) = v else { break };
                let value = match v.value {
                    ParamValue::Word(w)
                    | ParamValue::SendBufferSize(w)
                    | ParamValue::ParamNum(w) => Value::Int(w.into()),
                    ParamValue::ReceiveBufferSize(w) => {
                        rbs = Some(w);
                        Value::Int(w.into())
                    }
                    ParamValue::DWord(w) => Value::Int(w.into()),
                    ParamValue::String(s) => Value::Str(code_page.decode(s).into_owned()),
                    ParamValue::Bytes(b) | ParamValue::Pad(b) => Value::Bytes(b.to_vec()),
                    ParamValue::Null => Value::Null,
                    ParamValue::ReceiveBuffer | ParamValue::SendBuffer | ParamValue::Output(_) => {
                        continue
                    }
                };
                let name = match known.and_then(|c| c.params) {
                    Some(p) if names_apply => p.names.get(i).map(|s| Cow::Borrowed(*s)),
                    _ => None,
                }
                .unwrap_or_else(|| generic_param_name(v.item.ch, n));
                if name == "info_level" {
                    if let Value::Int(l) = value {
                        level = u16::try_from(l).ok();
                    }
                }
                d.params.push((name, value));
                i += 1;
            }
            if let Some(aux) = p.aux_desc {
                d.aux_desc = Some(desc_string(aux.0));
                aux_raw = Some(aux.0);
            }
            if !p.trailing.is_empty() {
                d.anomalies.push(format!(
                    "request: {} bytes after the AuxDesc",
                    p.trailing.len()
                ));
            }
        }
        Err(e) => d.anomalies.push(format!("request: {e}")),
    }
    // The DataDesc should be the level's (NetPrintJobGetInfo also allows the
    // literal level-3 string, MS-RAP 2.5.7.4.1).
    if let (Some(c), Some(l)) = (known.filter(|c| !c.levels.is_empty()), level) {
        match c.level(l) {
            Some(want)
                if want.data.descriptor != req.data_desc.0
                    && c.any_level_data_desc != Some(req.data_desc.0) =>
            {
                d.anomalies.push(format!(
                    "DataDesc {:?} does not match level {l} ({:?})",
                    d.data_desc,
                    desc_string(want.data.descriptor)
                ))
            }
            None => d.anomalies.push(format!(
                "info level {l} is not defined for {}",
                d.command.unwrap_or("?")
            )),
            _ => {}
        }
    }
    if let Some((p, data)) = response {
        d.response = dissect_response(
            &mut d,
            known,
            req.param_desc,
            req.data_desc,
            level,
            rbs,
            aux_raw,
            p,
            data,
            code_page,
        );
    }
    d
}

#[allow(clippy::too_many_arguments)]
fn dissect_response(
    d: &mut Dissection,
    known: Option<&'static Command>,
    param_desc: Descriptor<'_>,
    data_desc: Descriptor<'_>,
    level: Option<u16>,
    rbs: Option<u16>,
    aux_desc: Option<&[u8]>,
    params: &[u8],
    data: &[u8],
    cp: &OemCodePage,
) -> Option<ResponseDissection> {
    let rp = match parse_response_params(params) {
        Ok(p) => p,
        Err(e) => {
            d.anomalies.push(format!("response: {e}"));
            return None;
        }
    };
    let out_names = known
        .filter(|c| c.param_descs().any(|p| p == param_desc.0))
        .and_then(|c| c.params)
        .map(|p| p.out);
    let mut out = ResponseDissection {
        status: rp.status,
        converter: rp.converter,
        params: Vec::new(),
        entries: Vec::new(),
        has_aux: false,
        aux: Vec::new(),
        is_array: param_desc.0.contains(&param::ENTCOUNT),
    };
    if !rp.has_converter {
        d.anomalies.push(format!(
            "response: {} parameter bytes; no Converter",
            params.len()
        ));
    }
    let want_out = param_desc.out_param_size().unwrap_or(0);
    let outs = match parse_out_params(param_desc, rp.out_params) {
        Ok(v) => v,
        Err(e) => {
            d.anomalies.push(format!(
                "response: {} parameter bytes; ParamDesc {:?} calls for {} ({e})",
                params.len(),
                d.param_desc,
                4 + usize::from(want_out)
            ));
            Vec::new()
        }
    };
    if rp.out_params.len() > usize::from(want_out) {
        d.anomalies.push(format!(
            "response: {} parameter bytes beyond RAPOutParams",
            rp.out_params.len() - usize::from(want_out)
        ));
    }
    let mut count = None;
    for (i, o) in outs.iter().enumerate() {
        let name = out_names.and_then(|o| o.get(i)).map(|s| Cow::Borrowed(*s));
        let (name, v) = match *o {
            OutParam::Word(w) => (
                name.unwrap_or_else(|| format!("word{i}").into()),
                Value::Int(w.into()),
            ),
            OutParam::EntryCount(w) => {
                count = Some(usize::from(w));
                (
                    name.unwrap_or_else(|| "entries_returned".into()),
                    Value::Int(w.into()),
                )
            }
            OutParam::DWord(w) => (
                name.unwrap_or_else(|| format!("dword{i}").into()),
                Value::Int(w.into()),
            ),
            OutParam::Bytes(b) => (
                name.unwrap_or_else(|| format!("bytes{i}").into()),
                Value::Bytes(b.to_vec()),
            ),
        };
        out.params.push((name, v));
    }
    if let Some(r) = rbs {
        if data.len() > usize::from(r) {
            d.anomalies.push(format!(
                "response: {} data bytes exceed ReceiveBufferSize {r}",
                data.len()
            ));
        }
    }
    if !rp.status.carries_data() {
        if !data.is_empty() {
            d.anomalies.push(format!(
                "response: {} data bytes with status {}",
                data.len(),
                rp.status.0
            ));
        }
        return Some(out);
    }
    if data.is_empty() || data_desc.is_empty() || !param_desc.0.contains(&param::RCVBUF) {
        return Some(out);
    }
    let fixed = match data_desc.fixed_size() {
        Ok(f) => usize::from(f),
        Err(e) => {
            d.anomalies.push(format!("response: DataDesc: {e}"));
            return Some(out);
        }
    };
    let n = count.unwrap_or(1);
    let names = known.and_then(|c| c.structure(data_desc.0));
    // Auxiliary structures (2.5.11): the level's from the command table when
    // the DataDesc is the level's (what servers send, whatever AuxDesc the
    // client wrote: D15), else the request's AuxDesc.
    out.has_aux = data_desc.0.contains(&data::AUXCOUNT);
    let table_aux = known
        .zip(level)
        .and_then(|(c, l)| c.level(l))
        .filter(|l| l.data.descriptor == data_desc.0)
        .and_then(|l| l.aux);
    let (aux_d, aux_names) = match table_aux {
        Some(m) => (Some(Descriptor(m.descriptor)), Some(m)),
        None => (
            aux_desc.filter(|a| !a.is_empty()).map(Descriptor),
            aux_desc.and_then(|a| known.and_then(|c| c.structure(a))),
        ),
    };
    let aux_fixed = aux_d.map(|a| a.fixed_size().map(usize::from));
    let mut at = 0usize;
    'entries: for i in 0..n {
        if fixed == 0 || at.saturating_add(fixed) > data.len() {
            d.anomalies.push(format!(
                "response: data truncated: entry {i} of {n} needs {fixed} bytes at {at}, data has {}",
                data.len()
            ));
            break;
        }
        let mut values = Vec::new();
        let mut errs = Vec::new();
        match parse_struct_lenient(data_desc, data, at, rp.converter, i, &mut values, &mut errs) {
            Ok(next) => at = next,
            Err(e) => {
                d.anomalies.push(format!("response: entry {i}: {e}"));
                break;
            }
        }
        for e in errs {
            d.anomalies.push(format!("response: entry {i}: {e}"));
        }
        out.entries.push(name_values(&values, names, cp));
        if !out.has_aux {
            continue;
        }
        let n_aux = values
            .iter()
            .find_map(|v| match v {
                DataValue::AuxCount(k) => Some(usize::from(*k)),
                _ => None,
            })
            .unwrap_or(0);
        out.aux.push(Vec::new());
        if n_aux == 0 {
            continue;
        }
        let (ad, afixed) = match (aux_d, aux_fixed) {
            (Some(ad), Some(Ok(f))) if f > 0 => (ad, f),
            (_, Some(Err(e))) => {
                d.anomalies.push(format!("response: AuxDesc: {e}"));
                break;
            }
            _ => {
                d.anomalies.push(format!(
                    "response: entry {i}: {n_aux} auxiliary structures, but no AuxDesc describes them"
                ));
                break;
            }
        };
        for j in 0..n_aux {
            if at.saturating_add(afixed) > data.len() {
                d.anomalies.push(format!(
                    "response: data truncated: auxiliary structure {j} of {n_aux} of entry {i} needs {afixed} bytes at {at}, data has {}",
                    data.len()
                ));
                break 'entries;
            }
            let mut values = Vec::new();
            let mut errs = Vec::new();
            match parse_struct_lenient(ad, data, at, rp.converter, i, &mut values, &mut errs) {
                Ok(next) => at = next,
                Err(e) => {
                    d.anomalies
                        .push(format!("response: entry {i}, aux {j}: {e}"));
                    break 'entries;
                }
            }
            for e in errs {
                d.anomalies
                    .push(format!("response: entry {i}, aux {j}: {e}"));
            }
            if let Some(list) = out.aux.last_mut() {
                list.push(name_values(&values, aux_names, cp));
            }
        }
    }
    Some(out)
}

fn name_values(
    values: &[DataValue<'_>],
    names: Option<&'static StructMeta>,
    cp: &OemCodePage,
) -> Fields {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let meta = names.and_then(|m| m.fields.get(i));
            let name = meta.map_or_else(
                || Cow::Owned(format!("field{i}")),
                |m| Cow::Borrowed(m.name),
            );
            let kind = meta.map_or(FieldKind::Plain, |m| m.kind);
            let value = match *v {
                DataValue::Word(w) if kind == FieldKind::JobStatus => {
                    Value::JobStatus(RapJobStatus(w))
                }
                DataValue::Word(w) if kind == FieldKind::QueueStatus => Value::QueueStatus(w),
                DataValue::Word(w) | DataValue::AuxCount(w) => Value::Int(w.into()),
                DataValue::DWord(w) if kind == FieldKind::Time => Value::Time(w),
                DataValue::DWord(w) => Value::Int(w.into()),
                // A bare `B` is one byte: a number (a pad, a version), not text.
                DataValue::Fixed(&[b]) => Value::Int(b.into()),
                DataValue::Fixed(b) => {
                    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                    Value::Str(cp.decode(b.get(..end).unwrap_or_default()).into_owned())
                }
                DataValue::Str(Some(s)) => Value::Str(cp.decode(s).into_owned()),
                DataValue::Str(None) | DataValue::LenBuf(None) => Value::Null,
                DataValue::LenBuf(Some(b)) => Value::Bytes(b.to_vec()),
            };
            (name, value)
        })
        .collect()
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SS` (no zone: RAP times are the server's local time).
pub fn iso8601(secs: u32) -> String {
    Iso8601::new(secs).as_str().to_owned()
}

/// `YYYY-MM-DDTHH:MM:SS` formatted on the stack (the decoder writes one or
/// two per transaction; no `fmt` machinery, no allocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Iso8601([u8; 19]);

impl Iso8601 {
    /// Seconds since 1970-01-01 00:00:00 (years 1970..=2106: always four digits).
    pub fn new(secs: u32) -> Iso8601 {
        let t = crate::spool::SystemTime::from_unix(i64::from(secs)).unwrap_or_default();
        let mut b = *b"0000-00-00T00:00:00";
        put_digits(&mut b[0..4], t.year);
        put_digits(&mut b[5..7], t.month);
        put_digits(&mut b[8..10], t.day);
        put_digits(&mut b[11..13], t.hour);
        put_digits(&mut b[14..16], t.minute);
        put_digits(&mut b[17..19], t.second);
        Iso8601(b)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::fmt::Display for Iso8601 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Iso8601 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Iso8601({})", self.as_str())
    }
}

/// Write `v` as decimal into `dst`, zero-padded on the left to its length
/// (higher digits that do not fit are dropped).
#[allow(clippy::indexing_slicing)] // callers pass fixed in-range sub-slices of a stack array
pub(crate) fn put_digits(dst: &mut [u8], mut v: u16) {
    for d in dst.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn getinfo_level2_with_samba_style_error_reply() {
        let req = b"\x4D\x00WrLh\x00WWzWWDDzz\x00\x02\x00\x00\x04";
        let d = dissect(
            req,
            Some((b"\x32\x00\x00\x00", b"")),
            &OemCodePage::default(),
        );
        assert_eq!(d.command, Some("NetPrintJobGetInfo"));
        assert_eq!(
            d.params,
            vec![
                ("word0".into(), Value::Int(2)),
                ("receive_buffer_size".into(), Value::Int(0x400))
            ]
        );
        assert_eq!(
            d.anomalies,
            vec![
                "ParamDesc \"WrLh\" is not NetPrintJobGetInfo's \"WWrLh\"".to_owned(),
                "response: 4 parameter bytes; ParamDesc \"WrLh\" calls for 6 (RAPOutParams end inside 'h' (needs 2 more bytes))"
                    .to_owned()
            ]
        );
        assert_eq!(d.response.unwrap().status, RapStatus::ERROR_NOT_SUPPORTED);
    }

    #[test]
    fn getinfo_level2_success_is_named_and_typed() {
        use crate::rap::{RapConfig, RapResponse, RapServer, TransactionInput};
        let req = b"\x4D\x00WWrLh\x00WWzWWDDzz\x00\x03\x00\x02\x00\x00\x04";
        let mut out = RapResponse::default();
        let server = RapServer::new(RapConfig::default(), crate::spool::sample::sample_spooler());
        server.handle(
            &TransactionInput {
                parameters: req,
                data: &[],
                max_parameter_count: 6,
                max_data_count: 1024,
            },
            &mut out,
        );
        let d = dissect(req, Some((&out.params, &out.data)), &OemCodePage::default());
        assert_eq!(d.anomalies, Vec::<String>::new());
        let r = d.response.unwrap();
        assert_eq!(
            r.params,
            vec![("total_bytes_available".into(), Value::Int(56))]
        );
        assert_eq!(
            r.entries,
            vec![vec![
                ("job_id".into(), Value::Int(3)),
                ("priority".into(), Value::Int(1)),
                ("user_name".into(), Value::Str("alice".into())),
                ("job_position".into(), Value::Int(1)),
                ("job_status".into(), Value::JobStatus(RapJobStatus(3))),
                ("time_submitted".into(), Value::Time(0x65A5_2670)),
                ("job_size".into(), Value::Int(1234)),
                ("comment".into(), Value::Str("report.txt".into())),
                ("document_name".into(), Value::Str("report.txt".into())),
            ]]
        );
    }

    #[test]
    fn unknown_command_decodes_generically_and_bad_pointers_are_anomalies() {
        // Opcode 0x1234 with ParamDesc "WrLeh" and DataDesc "Wz": two entries; the second
        // entry's pointer lies outside the data.
        let req = b"\x34\x12WrLeh\x00Wz\x00\x01\x00\x00\x10";
        let params = b"\x00\x00\x00\x00\x02\x00\x02\x00";
        let data = b"\x07\x00\x0C\x00\x00\x00\x08\x00\xFF\x00\x00\x00hi\x00";
        let d = dissect(req, Some((params, data)), &OemCodePage::default());
        assert_eq!(d.command, None);
        assert_eq!(
            d.params,
            vec![
                ("word0".into(), Value::Int(1)),
                ("receive_buffer_size".into(), Value::Int(0x1000))
            ]
        );
        let r = d.response.unwrap();
        assert_eq!(r.entries.len(), 2);
        assert_eq!(
            r.entries[0],
            vec![
                ("field0".into(), Value::Int(7)),
                ("field1".into(), Value::Str("hi".into()))
            ]
        );
        assert_eq!(
            r.entries[1],
            vec![
                ("field0".into(), Value::Int(8)),
                ("field1".into(), Value::Null)
            ]
        );
        assert_eq!(
            d.anomalies,
            vec!["response: entry 1: pointer 0x00ff − Converter 0x0000 = 255 lies outside the 15-byte data".to_owned()]
        );
    }

    /// NetPrintQEnum level 2 (`net rap printq`): each queue's PrintJobInfo1
    /// structures follow it (`N`), named from the level's aux declaration.
    #[test]
    fn q_enum_level2_follows_aux_counts() {
        use crate::rap::{RapConfig, RapResponse, RapServer, TransactionInput};
        let req = b"\x45\x00WrLeh\x00B13BWWWzzzzzWN\x00\x02\x00\xe0\xffWB21BB16B10zWWzDDz\x00";
        let mut out = RapResponse::default();
        let server = RapServer::new(RapConfig::default(), crate::spool::sample::sample_spooler());
        server.handle(
            &TransactionInput {
                parameters: req,
                data: &[],
                max_parameter_count: 8,
                max_data_count: 0xFFE0,
            },
            &mut out,
        );
        let d = dissect(req, Some((&out.params, &out.data)), &OemCodePage::default());
        assert_eq!(d.command, Some("NetPrintQEnum"));
        assert_eq!(d.aux_desc.as_deref(), Some("WB21BB16B10zWWzDDz"));
        assert_eq!(d.anomalies, Vec::<String>::new());
        let r = d.response.as_ref().unwrap();
        assert!(r.has_aux && r.is_array);
        assert_eq!(r.entries.len(), 2);
        assert_eq!(
            r.entries[0][0],
            ("print_q_name".into(), Value::Str("LASER".into()))
        );
        assert_eq!(r.entries[0][11], ("print_job_count".into(), Value::Int(5)));
        let ids: Vec<&Value> = r.aux.iter().flatten().map(|a| &a[0].1).collect();
        assert_eq!(
            ids,
            [3, 4, 5, 6, 7, 9]
                .map(Value::Int)
                .iter()
                .collect::<Vec<_>>()
        );
        assert_eq!(
            r.aux[0][0][1],
            ("user_name".into(), Value::Str("alice".into()))
        );
        assert_eq!(
            r.aux[0][0][7],
            ("job_status".into(), Value::JobStatus(RapJobStatus(3)))
        );
        #[cfg(feature = "json")]
        {
            let j = serde_json::to_value(&d).unwrap();
            assert_eq!(j["data"][0]["print_q_name"], "LASER");
            assert_eq!(j["data"][0]["aux"][1]["job_id"], 4);
            assert_eq!(j["data"][1]["aux"][0]["user_name"], "dave");
            assert_eq!(j["data"][1]["aux"].as_array().unwrap().len(), 1);
        }
        // A count the data cannot hold is an anomaly, not a panic.
        let cut = &out.data[..44 + 74 + 10];
        let d = dissect(req, Some((&out.params, cut)), &OemCodePage::default());
        assert_eq!(d.response.unwrap().aux[0].len(), 1);
        assert!(d
            .anomalies
            .iter()
            .any(|a| a.contains("auxiliary structure 1 of 5")));
    }

    #[test]
    fn times() {
        assert_eq!(iso8601(0x65A5_2670), "2024-01-15T12:34:56");
    }

    #[test]
    fn iso8601_range_ends_and_padding() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00");
        assert_eq!(iso8601(u32::MAX), "2106-02-07T06:28:15");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(Iso8601::new(59).to_string(), "1970-01-01T00:00:59");
    }
    #[test]
    fn set_info_value_is_typed_by_param_num() {
        let cp = OemCodePage::default();
        let mut p = vec![0x93, 0];
        p.extend_from_slice(b"WWsTP\0WB21BB16B10zWWzDDz\0");
        p.extend_from_slice(&[3, 0, 1, 0, 6, 0, 11, 0]);
        let d = dissect_with_data(&p, b"caf\x82s\0", Some((&[0, 0, 0, 0], &[])), &cp);
        assert_eq!(d.command, Some("NetPrintJobSetInfo"));
        assert_eq!(
            d.params.last(),
            Some(&(Cow::Borrowed("new_job_comment"), Value::Str("cafés".into())))
        );
        assert!(d.anomalies.is_empty(), "{:?}", d.anomalies);
        let d = dissect_with_data(&p, b"no nul", None, &cp);
        assert_eq!(
            d.anomalies,
            ["request: RAPInData (6 bytes) is no NUL-terminated string for ParamNum 11"]
        );
        // ParamNum 6 (JobPosition): a word.
        let n = p.len();
        p[n - 2] = 6;
        let d = dissect_with_data(&p, &[2, 0], None, &cp);
        assert_eq!(
            d.params.last(),
            Some(&(Cow::Borrowed("new_job_position"), Value::Int(2)))
        );
        p[n - 2] = 12;
        let d = dissect_with_data(&p, &[2, 0], None, &cp);
        assert_eq!(d.anomalies, ["request: ParamNum 12 names no field"]);
        // Data for a command that takes none.
        let d = dissect_with_data(&[81, 0, b'W', 0, 0, 3, 0], &[1], None, &cp);
        assert_eq!(d.command, Some("NetPrintJobDelete"));
        assert_eq!(d.params, [(Cow::Borrowed("job_id"), Value::Int(3))]);
        assert_eq!(
            d.anomalies,
            ["request: 1 bytes of RAPInData for a command that takes none"]
        );
    }
}

#[cfg(feature = "json")]
mod json {
    //! Streaming serialization (no intermediate `serde_json::Value`): the
    //! decoder writes hundreds of thousands of transactions.
    use serde::ser::{Serialize, SerializeMap, Serializer};

    use super::{Dissection, Fields, Iso8601, RapJobStatus, Value};

    /// A [`Value`] as JSON: numbers, strings, `null`; bytes as hex;
    /// JobStatus as `{"code": 19, "name": "PRINTING|ERROR"}`; PrintQStatus
    /// as `{"code": 1, "name": "PAUSE"}` (name null for an unknown value);
    /// times as ISO 8601.
    #[derive(Debug)]
    pub struct ValueJson<'a>(pub &'a Value);

    impl Serialize for ValueJson<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                Value::Int(n) => s.serialize_u64(*n),
                Value::Str(v) => s.serialize_str(v),
                Value::Bytes(b) => {
                    let mut hex = String::with_capacity(b.len() * 2);
                    for x in b {
                        hex.push(char::from(b"0123456789abcdef"[usize::from(x >> 4)]));
                        hex.push(char::from(b"0123456789abcdef"[usize::from(x & 15)]));
                    }
                    s.serialize_str(&hex)
                }
                Value::Null => s.serialize_none(),
                Value::QueueStatus(st) => {
                    let mut m = s.serialize_map(Some(2))?;
                    m.serialize_entry("code", st)?;
                    m.serialize_entry("name", &crate::rap::print_queue::queue_status_name(*st))?;
                    m.end()
                }
                Value::JobStatus(st) => {
                    let mut m = s.serialize_map(Some(2))?;
                    m.serialize_entry("code", &st.0)?;
                    m.serialize_entry("name", &StatusName(*st))?;
                    m.end()
                }
                Value::Time(t) => s.serialize_str(Iso8601::new(*t).as_str()),
            }
        }
    }

    /// A JobStatus's name, without an intermediate `String`.
    struct StatusName(RapJobStatus);

    impl Serialize for StatusName {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            if self.0 .0 & !0x0003 == 0 {
                // No flag bits: the queue state's static name is the whole text.
                s.serialize_str(self.0.queue_state_name())
            } else {
                s.collect_str(&self.0)
            }
        }
    }

    /// Named fields as a JSON object, in order.
    #[derive(Debug)]
    pub struct FieldsJson<'a>(pub &'a Fields);

    impl Serialize for FieldsJson<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in self.0 {
                m.serialize_entry(k.as_ref(), &ValueJson(v))?;
            }
            m.end()
        }
    }

    /// One structure of RAPOutData: its fields, then, when its DataDesc has
    /// an AUXCOUNT (`N`), `"aux"`: the array of its auxiliary structures.
    struct EntryJson<'a>(&'a Fields, Option<&'a [Fields]>);

    impl Serialize for EntryJson<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let Some(aux) = self.1 else {
                return FieldsJson(self.0).serialize(s);
            };
            let mut m = s.serialize_map(Some(self.0.len() + 1))?;
            for (k, v) in self.0 {
                m.serialize_entry(k.as_ref(), &ValueJson(v))?;
            }
            m.serialize_entry("aux", &AuxJson(aux))?;
            m.end()
        }
    }

    struct AuxJson<'a>(&'a [Fields]);

    impl Serialize for AuxJson<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(FieldsJson))
        }
    }

    fn entry<'a>(r: &'a super::ResponseDissection, i: usize, e: &'a Fields) -> EntryJson<'a> {
        let aux = r
            .has_aux
            .then(|| r.aux.get(i).map_or(&[][..], Vec::as_slice));
        EntryJson(e, aux)
    }

    struct Data<'a>(&'a Dissection);

    impl Serialize for Data<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match &self.0.response {
                None => s.serialize_none(),
                Some(r) if r.is_array => {
                    s.collect_seq(r.entries.iter().enumerate().map(|(i, e)| entry(r, i, e)))
                }
                Some(r) => match r.entries.first() {
                    Some(e) => entry(r, 0, e).serialize(s),
                    None => s.serialize_none(),
                },
            }
        }
    }

    impl Dissection {
        /// Write the RAP keys of a decoded transaction into a JSON map:
        /// `opcode`, `command`, `param_desc`, `data_desc`, `aux_desc`,
        /// `params`, `status`, `status_name`, `converter`, `response_params`,
        /// `data` (an object, an array for enumerations, or null). The caller
        /// adds `anomalies`.
        pub fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
            let r = self.response.as_ref();
            m.serialize_entry("opcode", &self.opcode.map(|o| o.0))?;
            m.serialize_entry("command", &self.command)?;
            m.serialize_entry("param_desc", &self.param_desc)?;
            m.serialize_entry("data_desc", &self.data_desc)?;
            m.serialize_entry("aux_desc", &self.aux_desc)?;
            m.serialize_entry("params", &FieldsJson(&self.params))?;
            m.serialize_entry("status", &r.map(|r| r.status.0))?;
            m.serialize_entry("status_name", &r.and_then(|r| r.status.display_name()))?;
            m.serialize_entry("converter", &r.map(|r| r.converter))?;
            m.serialize_entry("response_params", &r.map(|r| FieldsJson(&r.params)))?;
            m.serialize_entry("data", &Data(self))
        }

        /// The dissection as a JSON object (the keys above plus `anomalies`).
        pub fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
            match serde_json::to_value(self) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            }
        }
    }

    impl Serialize for Dissection {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(None)?;
            self.serialize_entries(&mut m)?;
            m.serialize_entry("anomalies", &self.anomalies)?;
            m.end()
        }
    }
}

#[cfg(feature = "json")]
pub use json::{FieldsJson, ValueJson};
