//! SMB1 TRANSACTION exchanges on `\PIPE\LANMAN`, out of the transport
//! events: primary + secondary reassembly, interim and multi-part
//! responses, pairing of request and response by (flow, UID, TID, PID, MID),
//! then the RAP dissection. Anomalies are collected per transaction and
//! never stop decoding.

use std::collections::BTreeMap;

use foldhash::HashMap;

use super::capture::Timestamp;
use super::event::{Anomaly, Direction, FlowId, Smb1Message, TransportEvent};
use crate::codes::{NtStatus, RapOpcode};
use crate::oem::OemCodePage;
use crate::rap::dissect::{dissect, dissect_with_data, put_digits, Dissection, Iso8601};
use crate::smb1::header::read_header;
use crate::smb1::message::parse_block;
use crate::smb1::pipe::LANMAN_PIPE;
use crate::smb1::trans::{
    parse_transaction_request, parse_transaction_response, parse_transaction_secondary, TransBlock,
    TransactionAssembler, TransactionReply,
};
use crate::smb1::{SmbCommand, SmbHeader, HEADER_LEN};

/// Most transactions waiting for their other half at once (per decoder);
/// beyond it the oldest is emitted unpaired.
pub const MAX_PENDING: usize = 4096;

/// One decoded RAP transaction.
#[derive(Clone, Debug)]
pub struct RapTransaction {
    /// The TCP connection it was seen on.
    pub flow: FlowId,
    /// Frame of the request's first message (None: response without request).
    pub frame_request: Option<u64>,
    /// Frame of the response's last message (None: no response seen).
    pub frame_response: Option<u64>,
    /// Capture time of the request (else of the response).
    pub time: Timestamp,
    /// SMB header `UID` (MS-CIFS 2.2.3.1).
    pub uid: u16,
    /// SMB header `TID`.
    pub tid: u16,
    /// SMB header PID (`PIDHigh` << 16 | `PIDLow`).
    pub pid: u32,
    /// SMB header `MID`.
    pub mid: u16,
    /// The request's `MaxParameterCount` (MS-CIFS 2.2.4.33.1; None: no request seen).
    pub max_parameter_count: Option<u16>,
    /// The request's `MaxDataCount`.
    pub max_data_count: Option<u16>,
    /// SMB status of the response.
    pub smb_status: Option<NtStatus>,
    /// TRANSACTION_SECONDARY requests that carried the rest of the request.
    pub secondaries: usize,
    /// Final-response messages the response came in.
    pub response_parts: usize,
    /// Whether an interim response (MS-CIFS 2.2.4.33.2) was seen.
    pub interim: bool,
    /// The RAP request and response, dissected by the command table.
    pub rap: Dissection,
    /// Transport, SMB and RAP anomalies, in that order.
    pub anomalies: Vec<String>,
}

type Key = (u64, u16, u16, u32, u16);

#[derive(Debug)]
struct Pending {
    flow: FlowId,
    time: Timestamp,
    frame_request: Option<u64>,
    max_parameter_count: Option<u16>,
    max_data_count: Option<u16>,
    /// The request: primary + secondaries (None: no request seen).
    req: Option<TransactionAssembler>,
    secondaries: usize,
    interim: bool,
    /// The response parts (not started: no final response part seen).
    resp: TransactionAssembler,
    response_parts: usize,
    frame_response: Option<u64>,
    smb_status: Option<NtStatus>,
    anomalies: Vec<String>,
    seq: u64,
}

impl Pending {
    /// Nothing seen yet of either half, first noticed in message `m`.
    fn new(m: &Smb1Message, anomalies: Vec<String>, seq: u64) -> Pending {
        Pending {
            flow: m.flow,
            time: m.timestamp,
            frame_request: None,
            max_parameter_count: None,
            max_data_count: None,
            req: None,
            secondaries: 0,
            interim: false,
            resp: TransactionAssembler::new(),
            response_parts: 0,
            frame_response: None,
            smb_status: None,
            anomalies,
            seq,
        }
    }
}

/// Turns transport events into RAP transactions.
#[derive(Debug)]
pub struct TransactionTracker {
    code_page: OemCodePage,
    pending: HashMap<Key, Pending>,
    /// Transport anomalies per flow, attached to that flow's next transaction.
    flow_anomalies: HashMap<u64, Vec<String>>,
    seq: u64,
    /// Transactions on other pipes/mailslots, so that their responses are
    /// not mistaken for unpaired RAP responses (bounded, oldest dropped).
    ignored: HashMap<Key, u64>,
    /// Non-RAP transactions seen (not reported).
    pub other_transactions: u64,
    /// Reused between events by [`on_event`](Self::on_event).
    scratch: Vec<RawTransaction>,
}

fn nt_status(h: &SmbHeader) -> NtStatus {
    h.wire_status().to_nt_status()
}

impl TransactionTracker {
    /// A tracker decoding RAP's 8-bit strings with `code_page`.
    pub fn new(code_page: OemCodePage) -> Self {
        TransactionTracker {
            code_page,
            pending: HashMap::default(),
            flow_anomalies: HashMap::default(),
            seq: 0,
            ignored: HashMap::default(),
            scratch: Vec::new(),
            other_transactions: 0,
        }
    }

    /// Feed one transport event; completed transactions are appended to `out`.
    pub fn on_event(&mut self, e: &TransportEvent, out: &mut Vec<RapTransaction>) {
        let mut raw = std::mem::take(&mut self.scratch);
        self.on_event_raw(e, &mut raw);
        out.extend(raw.drain(..).map(|r| r.dissect(&self.code_page)));
        self.scratch = raw;
    }

    /// Emit everything still pending (end of capture).
    pub fn finish(&mut self, out: &mut Vec<RapTransaction>) {
        let mut raw = Vec::new();
        self.finish_raw(&mut raw);
        out.extend(raw.into_iter().map(|r| r.dissect(&self.code_page)));
    }

    /// As [`on_event`](Self::on_event), but the completed exchanges are not
    /// yet RAP-dissected: call [`RawTransaction::dissect`] on each, possibly
    /// on another thread (`msrap decode` does, to use a second core).
    pub fn on_event_raw(&mut self, e: &TransportEvent, out: &mut Vec<RawTransaction>) {
        match e {
            TransportEvent::Smb1(m) => self.on_message(m, out),
            TransportEvent::FlowClosed { flow, .. } => {
                let keys: Vec<Key> = self
                    .pending
                    .keys()
                    .filter(|k| k.0 == flow.index)
                    .copied()
                    .collect();
                self.flush(keys, out);
                self.flow_anomalies.remove(&flow.index);
                self.ignored.retain(|k, _| k.0 != flow.index);
            }
            TransportEvent::Anomaly(Anomaly {
                flow: Some(flow),
                frame,
                kind,
                ..
            }) => {
                let list = self.flow_anomalies.entry(flow.index).or_default();
                if list.len() < 16 {
                    list.push(format!("transport (frame {frame}): {kind:?}"));
                }
            }
            _ => {}
        }
    }

    /// As [`finish`](Self::finish), without the RAP dissection.
    pub fn finish_raw(&mut self, out: &mut Vec<RawTransaction>) {
        let keys: Vec<Key> = self.pending.keys().copied().collect();
        self.flush(keys, out);
    }

    /// The OEM code page strings are decoded with.
    pub fn code_page(&self) -> &OemCodePage {
        &self.code_page
    }

    fn flush(&mut self, mut keys: Vec<Key>, out: &mut Vec<RawTransaction>) {
        keys.sort_by_key(|k| self.pending.get(k).map_or(0, |p| p.seq));
        for k in keys {
            if let Some(p) = self.pending.remove(&k) {
                out.push(self.complete(k, p));
            }
        }
    }

    fn on_message(&mut self, m: &Smb1Message, out: &mut Vec<RawTransaction>) {
        let msg = m.bytes.as_slice();
        let Ok(h) = read_header(msg) else { return };
        if h.command != SmbCommand::TRANSACTION && h.command != SmbCommand::TRANSACTION_SECONDARY {
            return;
        }
        let key: Key = (m.flow.index, h.uid, h.tid, h.pid(), h.mid);
        let block = match parse_block(msg, HEADER_LEN) {
            Ok(b) => b,
            Err(e) => {
                if let Some(p) = self.pending.get_mut(&key) {
                    p.anomalies
                        .push(format!("SMB frame {}: {e}", m.first_frame));
                }
                return;
            }
        };
        match (m.direction, h.is_reply(), h.command) {
            (Direction::ToServer, false, SmbCommand::TRANSACTION) => {
                let t = match parse_transaction_request(msg, &block, h.is_unicode()) {
                    Ok(t) => t,
                    // Not parseable: whether it was for `\PIPE\LANMAN` cannot be told.
                    Err(_) => {
                        self.other_transactions = self.other_transactions.saturating_add(1);
                        self.ignore(key);
                        return;
                    }
                };
                if !t.name.eq_ignore_ascii_case(LANMAN_PIPE) {
                    self.other_transactions = self.other_transactions.saturating_add(1);
                    self.ignore(key);
                    return;
                }
                if let Some(old) = self.pending.remove(&key) {
                    let mut done = self.complete(key, old);
                    done.late_anomaly = Some("request reused its MID before a response");
                    out.push(done);
                }
                let mut anomalies = self
                    .flow_anomalies
                    .remove(&m.flow.index)
                    .unwrap_or_default();
                let mut req = TransactionAssembler::new();
                if let Err(e) = req.push(&t) {
                    let block = match e.block {
                        TransBlock::Parameters => "Trans_Parameters",
                        TransBlock::Data => "Trans_Data",
                    };
                    anomalies.push(format!("SMB: {block}: {}", e.error));
                }
                self.seq = self.seq.saturating_add(1);
                self.make_room(out);
                self.pending.insert(
                    key,
                    Pending {
                        frame_request: Some(m.first_frame),
                        max_parameter_count: Some(t.max_parameter_count),
                        max_data_count: Some(t.max_data_count),
                        req: Some(req),
                        ..Pending::new(m, anomalies, self.seq)
                    },
                );
            }
            (Direction::ToServer, false, SmbCommand::TRANSACTION_SECONDARY) => {
                let Some(p) = self.pending.get_mut(&key) else {
                    return;
                };
                p.secondaries = p.secondaries.saturating_add(1);
                match parse_transaction_secondary(msg, &block) {
                    Ok(s) => {
                        let Some(r) = p.req.as_mut() else { return };
                        // Each block on its own, so that each one's error is reported.
                        if let Err(e) = r.shrink_totals(s.total_parameter_count, s.total_data_count)
                        {
                            p.anomalies.push(format!(
                                "SMB frame {}: secondary {}: {}",
                                m.first_frame, e.block, e.error
                            ));
                        }
                        let blocks = [
                            (
                                TransBlock::Parameters,
                                s.parameter_displacement,
                                s.parameters,
                            ),
                            (TransBlock::Data, s.data_displacement, s.data),
                        ];
                        for (block, displacement, bytes) in blocks {
                            if let Err(e) = r.place(block, displacement, bytes) {
                                p.anomalies.push(format!(
                                    "SMB frame {}: secondary {block}: {e}",
                                    m.first_frame
                                ));
                            }
                        }
                    }
                    Err(e) => p
                        .anomalies
                        .push(format!("SMB frame {}: secondary: {e}", m.first_frame)),
                }
            }
            (Direction::ToClient, true, SmbCommand::TRANSACTION) => {
                if self.ignored.contains_key(&key) {
                    // The answer to another pipe's transaction; the final part ends it.
                    if !matches!(
                        parse_transaction_response(msg, &block),
                        Ok(TransactionReply::Interim)
                    ) {
                        self.ignored.remove(&key);
                    }
                    return;
                }
                let status = nt_status(&h);
                if !self.pending.contains_key(&key) {
                    self.seq = self.seq.saturating_add(1);
                    self.make_room(out);
                    self.pending.insert(
                        key,
                        Pending::new(
                            m,
                            vec!["response without a request in the capture".into()],
                            self.seq,
                        ),
                    );
                }
                let Some(p) = self.pending.get_mut(&key) else {
                    return;
                };
                match parse_transaction_response(msg, &block) {
                    Ok(TransactionReply::Interim)
                        if status == NtStatus::STATUS_SUCCESS && !p.resp.is_started() =>
                    {
                        p.interim = true;
                        return;
                    }
                    Ok(TransactionReply::Interim) => {
                        p.smb_status = Some(status);
                        p.frame_response = Some(m.last_frame);
                    }
                    Ok(TransactionReply::Part(part)) => {
                        p.response_parts = p.response_parts.saturating_add(1);
                        p.smb_status = Some(status);
                        p.frame_response = Some(m.last_frame);
                        if let Err(e) = p.resp.push(&part) {
                            p.anomalies.push(format!(
                                "SMB frame {}: response part: {}",
                                m.first_frame, e.error
                            ));
                        }
                        if !p.resp.is_complete() {
                            return;
                        }
                    }
                    Err(e) => {
                        p.smb_status = Some(status);
                        p.frame_response = Some(m.last_frame);
                        if status == NtStatus::STATUS_SUCCESS {
                            p.anomalies
                                .push(format!("SMB frame {}: response: {e}", m.first_frame));
                        }
                    }
                }
                if let Some(p) = self.pending.remove(&key) {
                    out.push(self.complete(key, p));
                }
            }
            _ => {}
        }
    }

    fn ignore(&mut self, key: Key) {
        if self.ignored.len() >= MAX_PENDING {
            if let Some((&k, _)) = self.ignored.iter().min_by_key(|(_, &seq)| seq) {
                self.ignored.remove(&k);
            }
        }
        self.seq = self.seq.saturating_add(1);
        self.ignored.insert(key, self.seq);
    }

    /// Keep the pending table bounded: emit the oldest entries unpaired.
    fn make_room(&mut self, out: &mut Vec<RawTransaction>) {
        while self.pending.len() >= MAX_PENDING {
            let Some((&k, _)) = self.pending.iter().min_by_key(|(_, p)| p.seq) else {
                break;
            };
            if let Some(p) = self.pending.remove(&k) {
                let mut t = self.complete(k, p);
                t.late_anomaly =
                    Some("dropped from the pairing table (too many pending transactions)");
                out.push(t);
            }
        }
    }

    fn complete(&self, key: Key, p: Pending) -> RawTransaction {
        let mut anomalies = p.anomalies;
        let request = p.req.map(|r| {
            if !r.is_block_complete(TransBlock::Parameters) {
                anomalies.push(format!(
                    "request parameters incomplete ({} of {} bytes)",
                    r.received(TransBlock::Parameters),
                    r.total(TransBlock::Parameters)
                ));
            }
            r.into_blocks()
        });
        let (request, request_data) = match request {
            Some((params, data)) => (Some(params), data),
            None => (None, Vec::new()),
        };
        let response = p.resp.is_started().then(|| {
            if !p.resp.is_complete() {
                anomalies.push("response incomplete".into());
            }
            p.resp.into_blocks()
        });
        if p.frame_request.is_some() && p.frame_response.is_none() {
            anomalies.push("request without a response in the capture".into());
        }
        if let (Some(max), Some((rp, rd))) = (p.max_data_count, response.as_ref()) {
            if rd.len() > usize::from(max) {
                anomalies.push(format!(
                    "response data ({} bytes) exceeds MaxDataCount {max}",
                    rd.len()
                ));
            }
            if let Some(mp) = p.max_parameter_count {
                if rp.len() > usize::from(mp) {
                    anomalies.push(format!(
                        "response parameters ({} bytes) exceed MaxParameterCount {mp}",
                        rp.len()
                    ));
                }
            }
        }
        RawTransaction {
            flow: p.flow,
            frame_request: p.frame_request,
            frame_response: p.frame_response,
            time: p.time,
            uid: key.1,
            tid: key.2,
            pid: key.3,
            mid: key.4,
            max_parameter_count: p.max_parameter_count,
            max_data_count: p.max_data_count,
            smb_status: p.smb_status,
            secondaries: p.secondaries,
            response_parts: p.response_parts,
            interim: p.interim,
            request,
            request_data,
            response,
            anomalies,
            late_anomaly: None,
        }
    }
}

/// A paired (or unpaired) `\PIPE\LANMAN` exchange before its RAP
/// dissection, from [`TransactionTracker::on_event_raw`]. It owns the
/// reassembled parameter and data bytes; [`dissect`](Self::dissect) turns
/// it into a [`RapTransaction`].
#[derive(Clone, Debug)]
pub struct RawTransaction {
    flow: FlowId,
    frame_request: Option<u64>,
    frame_response: Option<u64>,
    time: Timestamp,
    uid: u16,
    tid: u16,
    pid: u32,
    mid: u16,
    max_parameter_count: Option<u16>,
    max_data_count: Option<u16>,
    smb_status: Option<NtStatus>,
    secondaries: usize,
    response_parts: usize,
    interim: bool,
    /// Request Trans_Parameters (None: response without request).
    request: Option<Vec<u8>>,
    /// Request Trans_Data (RAPInData: NetPrintJobSetInfo's new value).
    request_data: Vec<u8>,
    /// Response Trans_Parameters and Trans_Data.
    response: Option<(Vec<u8>, Vec<u8>)>,
    /// Transport and SMB anomalies.
    anomalies: Vec<String>,
    /// A pairing-table note that follows the RAP anomalies.
    late_anomaly: Option<&'static str>,
}

impl RawTransaction {
    /// Bytes of transaction parameters and data held (to bound queues of these).
    pub fn payload_len(&self) -> usize {
        let req = self
            .request
            .as_ref()
            .map_or(0, Vec::len)
            .saturating_add(self.request_data.len());
        let resp = self
            .response
            .as_ref()
            .map_or(0, |(a, b)| a.len().saturating_add(b.len()));
        req.saturating_add(resp)
    }

    /// The request's RAPOpcode (its first two parameter bytes), without dissecting.
    pub fn opcode(&self) -> Option<RapOpcode> {
        self.request
            .as_deref()
            .and_then(|p| p.first_chunk::<2>())
            .map(|b| RapOpcode(u16::from_le_bytes(*b)))
    }

    /// Dissect the RAP exchange; RAP anomalies follow the transport and SMB ones.
    pub fn dissect(self, code_page: &OemCodePage) -> RapTransaction {
        let mut anomalies = self.anomalies;
        let rap = match &self.request {
            Some(params) => {
                let rap = dissect_with_data(
                    params,
                    &self.request_data,
                    self.response
                        .as_ref()
                        .map(|(a, b)| (a.as_slice(), b.as_slice())),
                    code_page,
                );
                anomalies.extend(rap.anomalies.iter().cloned());
                rap
            }
            None => dissect(&[], None, code_page),
        };
        anomalies.extend(self.late_anomaly.map(String::from));
        RapTransaction {
            flow: self.flow,
            frame_request: self.frame_request,
            frame_response: self.frame_response,
            time: self.time,
            uid: self.uid,
            tid: self.tid,
            pid: self.pid,
            mid: self.mid,
            max_parameter_count: self.max_parameter_count,
            max_data_count: self.max_data_count,
            smb_status: self.smb_status,
            secondaries: self.secondaries,
            response_parts: self.response_parts,
            interim: self.interim,
            rap,
            anomalies,
        }
    }
}

/// A capture time as `2024-01-15T12:34:56.123456Z`, formatted on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TimestampIso([u8; 27]);

impl TimestampIso {
    /// Seconds are taken modulo 2^32 (RAP's own clock range); microseconds truncated.
    pub fn new(t: &Timestamp) -> TimestampIso {
        let day = Iso8601::new(u32::try_from(t.secs.rem_euclid(1 << 32)).unwrap_or(0));
        let mut b = *b"0000-00-00T00:00:00.000000Z";
        let micros = (t.nanos / 1000).min(999_999);
        let (head, rest) = b.split_at_mut(19);
        head.copy_from_slice(day.as_str().as_bytes());
        if let Some(frac) = rest.get_mut(1..7) {
            let (hi, lo) = frac.split_at_mut(3);
            put_digits(hi, (micros / 1000) as u16);
            put_digits(lo, (micros % 1000) as u16);
        }
        TimestampIso(b)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::fmt::Display for TimestampIso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for TimestampIso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TimestampIso({})", self.as_str())
    }
}

impl serde::Serialize for RapTransaction {
    /// One transaction as a JSON object (schema in the README, `msrap decode --json`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("frame_request", &self.frame_request)?;
        m.serialize_entry("frame_response", &self.frame_response)?;
        m.serialize_entry("time", TimestampIso::new(&self.time).as_str())?;
        m.serialize_entry("client", &self.flow.client)?;
        m.serialize_entry("server", &self.flow.server)?;
        m.serialize_entry("uid", &self.uid)?;
        m.serialize_entry("tid", &self.tid)?;
        m.serialize_entry("pid", &self.pid)?;
        m.serialize_entry("mid", &self.mid)?;
        m.serialize_entry("max_parameter_count", &self.max_parameter_count)?;
        m.serialize_entry("max_data_count", &self.max_data_count)?;
        m.serialize_entry("smb_status", &self.smb_status.map(|s| s.0))?;
        m.serialize_entry("smb_status_name", &self.smb_status.and_then(|s| s.name()))?;
        self.rap.serialize_entries(&mut m)?;
        m.serialize_entry("anomalies", &self.anomalies)?;
        m.end()
    }
}

impl RapTransaction {
    /// Append the JSON object of this transaction (one `msrap decode --json`
    /// line, without the newline) to `out`: the same bytes as serializing it
    /// with `serde_json`, several times faster.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        super::json::write_transaction(out, self);
    }

    /// The JSON object of one transaction, as a value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Counts for `--summary`.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Transactions per RAP command name (or `opcode N`).
    pub by_command: BTreeMap<String, u64>,
    /// Transactions per RAP status, or SMB status when there is no RAP response.
    pub by_status: BTreeMap<String, u64>,
    /// Anomalies per kind (the text before its details).
    pub by_anomaly: BTreeMap<String, u64>,
    /// Transactions counted.
    pub transactions: u64,
}

impl Summary {
    /// Counts one transaction.
    pub fn add(&mut self, t: &RapTransaction) {
        self.transactions = self.transactions.saturating_add(1);
        let cmd = t.rap.command.map_or_else(
            || format!("opcode {}", t.rap.opcode.map_or(-1, |o| i64::from(o.0))),
            str::to_owned,
        );
        let c = self.by_command.entry(cmd).or_default();
        *c = c.saturating_add(1);
        let status = match (&t.rap.response, t.smb_status) {
            (Some(r), _) => r
                .status
                .display_name()
                .map_or_else(|| format!("RAP {}", r.status.0), str::to_owned),
            (None, Some(s)) if s != NtStatus::STATUS_SUCCESS => format!("SMB {s:?}"),
            _ => "no response".to_owned(),
        };
        let c = self.by_status.entry(status).or_default();
        *c = c.saturating_add(1);
        for a in &t.anomalies {
            // Group by the text before the first digit-bearing detail.
            let kind: String = a.split([':', '(']).next().unwrap_or(a).trim().to_owned();
            let c = self.by_anomaly.entry(kind).or_default();
            *c = c.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn timestamp_iso(t: &Timestamp) -> String {
        TimestampIso::new(t).as_str().to_owned()
    }

    #[test]
    fn timestamp_iso_pads_and_truncates_microseconds() {
        let t = |secs, nanos| timestamp_iso(&Timestamp { secs, nanos });
        assert_eq!(t(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(t(0x65A5_2670, 123_456_789), "2024-01-15T12:34:56.123456Z");
        assert_eq!(t(1, 999_999_999), "1970-01-01T00:00:01.999999Z");
        assert_eq!(t(0, 7_000), "1970-01-01T00:00:00.000007Z");
        // Seconds outside RAP's 32-bit clock wrap.
        assert_eq!(t(-1, 0), "2106-02-07T06:28:15.000000Z");
    }
}
