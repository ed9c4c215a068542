//! The `msrap decode --json` line of one transaction, written straight into
//! a byte buffer.
//!
//! The same object as the `serde::Serialize` impl of [`RapTransaction`]
//! (schema in the README), byte for byte: keys are pre-escaped literals,
//! numbers go through `itoa`, strings are escaped exactly as `serde_json`
//! does (`"`, `\`, and control characters; nothing else). The serde impl stays
//! the reference: `tests/decode_json_writer.rs` checks both agree on every
//! transaction of every test capture and on arbitrary strings.

use std::net::SocketAddr;

use super::transactions::{RapTransaction, TimestampIso};
use crate::rap::dissect::{Dissection, Fields, Iso8601, ResponseDissection, Value};

/// Append `t` as one compact JSON object (no trailing newline).
pub(crate) fn write_transaction(out: &mut Vec<u8>, t: &RapTransaction) {
    out.extend_from_slice(b"{\"frame_request\":");
    opt_u64(out, t.frame_request);
    out.extend_from_slice(b",\"frame_response\":");
    opt_u64(out, t.frame_response);
    out.extend_from_slice(b",\"time\":\"");
    out.extend_from_slice(TimestampIso::new(&t.time).as_str().as_bytes());
    out.extend_from_slice(b"\",\"client\":");
    socket_addr(out, &t.flow.client);
    out.extend_from_slice(b",\"server\":");
    socket_addr(out, &t.flow.server);
    out.extend_from_slice(b",\"uid\":");
    int(out, t.uid);
    out.extend_from_slice(b",\"tid\":");
    int(out, t.tid);
    out.extend_from_slice(b",\"pid\":");
    int(out, t.pid);
    out.extend_from_slice(b",\"mid\":");
    int(out, t.mid);
    out.extend_from_slice(b",\"max_parameter_count\":");
    opt_u64(out, t.max_parameter_count.map(u64::from));
    out.extend_from_slice(b",\"max_data_count\":");
    opt_u64(out, t.max_data_count.map(u64::from));
    out.extend_from_slice(b",\"smb_status\":");
    opt_u64(out, t.smb_status.map(|s| u64::from(s.0)));
    out.extend_from_slice(b",\"smb_status_name\":");
    opt_str(out, t.smb_status.and_then(|s| s.name()));
    out.push(b',');
    dissection_entries(out, &t.rap);
    out.extend_from_slice(b",\"anomalies\":");
    str_array(out, &t.anomalies);
    out.push(b'}');
}

/// The RAP keys, as `Dissection::serialize_entries` writes them.
fn dissection_entries(out: &mut Vec<u8>, d: &Dissection) {
    let r = d.response.as_ref();
    out.extend_from_slice(b"\"opcode\":");
    opt_u64(out, d.opcode.map(|o| u64::from(o.0)));
    out.extend_from_slice(b",\"command\":");
    opt_str(out, d.command);
    out.extend_from_slice(b",\"param_desc\":");
    string(out, &d.param_desc);
    out.extend_from_slice(b",\"data_desc\":");
    string(out, &d.data_desc);
    out.extend_from_slice(b",\"aux_desc\":");
    opt_str(out, d.aux_desc.as_deref());
    out.extend_from_slice(b",\"params\":");
    fields(out, &d.params);
    out.extend_from_slice(b",\"status\":");
    opt_u64(out, r.map(|r| u64::from(r.status.0)));
    out.extend_from_slice(b",\"status_name\":");
    opt_str(out, r.and_then(|r| r.status.display_name()));
    out.extend_from_slice(b",\"converter\":");
    opt_u64(out, r.map(|r| u64::from(r.converter)));
    out.extend_from_slice(b",\"response_params\":");
    match r {
        Some(r) => fields(out, &r.params),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"data\":");
    match r {
        None => out.extend_from_slice(b"null"),
        Some(r) if r.is_array => {
            out.push(b'[');
            for (i, e) in r.entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                entry(out, r, i, e);
            }
            out.push(b']');
        }
        Some(r) => match r.entries.first() {
            Some(e) => entry(out, r, 0, e),
            None => out.extend_from_slice(b"null"),
        },
    }
}

/// One structure: its fields, then `"aux"` (its auxiliary structures) when
/// its DataDesc has an AUXCOUNT.
fn entry(out: &mut Vec<u8>, r: &ResponseDissection, i: usize, e: &Fields) {
    if !r.has_aux {
        fields(out, e);
        return;
    }
    fields(out, e);
    // Reopen the object: replace its closing brace.
    out.pop();
    if !e.is_empty() {
        out.push(b',');
    }
    out.extend_from_slice(b"\"aux\":[");
    for (j, a) in r
        .aux
        .get(i)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .enumerate()
    {
        if j > 0 {
            out.push(b',');
        }
        fields(out, a);
    }
    out.extend_from_slice(b"]}");
}

fn fields(out: &mut Vec<u8>, f: &Fields) {
    out.push(b'{');
    for (i, (k, v)) in f.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, k);
        out.push(b':');
        value(out, v);
    }
    out.push(b'}');
}

fn value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Int(n) => int(out, *n),
        Value::Str(s) => string(out, s),
        Value::Bytes(b) => {
            out.push(b'"');
            for x in b {
                out.push(hex_digit(x >> 4));
                out.push(hex_digit(*x));
            }
            out.push(b'"');
        }
        Value::Null => out.extend_from_slice(b"null"),
        Value::QueueStatus(st) => {
            out.extend_from_slice(b"{\"code\":");
            int(out, *st);
            out.extend_from_slice(b",\"name\":");
            opt_str(out, crate::rap::print_queue::queue_status_name(*st));
            out.push(b'}');
        }
        Value::JobStatus(st) => {
            out.extend_from_slice(b"{\"code\":");
            int(out, st.0);
            out.extend_from_slice(b",\"name\":");
            if st.0 & !0x0003 == 0 {
                string(out, st.queue_state_name());
            } else {
                string(out, &st.to_string());
            }
            out.push(b'}');
        }
        Value::Time(t) => {
            out.push(b'"');
            out.extend_from_slice(Iso8601::new(*t).as_str().as_bytes());
            out.push(b'"');
        }
    }
}

/// The lowercase hex digit of the low four bits.
fn hex_digit(n: u8) -> u8 {
    b"0123456789abcdef"
        .get(usize::from(n & 15))
        .copied()
        .unwrap_or(b'0')
}

fn int(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn opt_u64(out: &mut Vec<u8>, n: Option<u64>) {
    match n {
        Some(n) => int(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn str_array(out: &mut Vec<u8>, list: &[String]) {
    out.push(b'[');
    for (i, s) in list.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, s);
    }
    out.push(b']');
}

/// `ip:port` / `[ip]:port` as a JSON string (as `SocketAddr`'s `Display`).
fn socket_addr(out: &mut Vec<u8>, a: &SocketAddr) {
    out.push(b'"');
    match a {
        SocketAddr::V4(v4) => {
            for (i, o) in v4.ip().octets().iter().enumerate() {
                if i > 0 {
                    out.push(b'.');
                }
                int(out, *o);
            }
            out.push(b':');
            int(out, v4.port());
        }
        SocketAddr::V6(_) => {
            use std::io::Write as _;
            // Writing into a Vec cannot fail.
            let _ = write!(out, "{a}");
        }
    }
    out.push(b'"');
}

/// A JSON string, escaped as `serde_json` escapes it.
pub fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Nearly every string needs no escape: check all bytes without
    // branching per byte (the fold vectorises), then copy in one go.
    let escape = bytes
        .iter()
        .fold(false, |e, &b| e | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if !escape {
        out.reserve(bytes.len().saturating_add(2));
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0C => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b));
        } else {
            out.extend_from_slice(esc);
        }
        start = i.saturating_add(1);
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}
