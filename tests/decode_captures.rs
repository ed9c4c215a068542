//! `msrap decode` on the captures in testdata/captures (real peers on
//! loopback): our decoding agrees with tshark's lanman fields on the same
//! files (function code, descriptors, detail level, receive buffer length,
//! status, converter, entry counts), and the JSON output is snapshot-tested.
#![cfg(feature = "decode")]

mod support;

use std::collections::BTreeMap;
use std::process::Command;

use msrap::decode::transactions::RapTransaction;
use msrap::rap::dissect::Value;
use pretty_assertions::assert_eq;
use support::decode::{capture_path as path, decode_transactions as decode, CAPTURES};

const FIELDS: &[&str] = &[
    "lanman.function_code",
    "lanman.param_desc",
    "lanman.ret_desc",
    "lanman.aux_data_desc",
    "smb_pipe.word_param",
    "lanman.recv_buf_len",
    "lanman.status",
    "lanman.convert",
    "lanman.entry_count",
    "lanman.available_count",
];

/// tshark's lanman fields per frame (only frames that have any).
fn tshark(name: &str, ports: &[u16]) -> BTreeMap<u64, BTreeMap<&'static str, String>> {
    support::peers::require_tshark();
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(path(name));
    for p in ports {
        cmd.args(["-d", &format!("tcp.port=={p},nbss")]);
    }
    cmd.args([
        "-Y",
        "lanman",
        "-T",
        "fields",
        "-E",
        "separator=\t",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
    ]);
    cmd.args(["-e", "frame.number"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rows = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut cols = line.split('\t');
        let frame: u64 = cols.next().unwrap().parse().unwrap();
        let row: BTreeMap<&str, String> = FIELDS
            .iter()
            .zip(cols)
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, v.to_owned()))
            .collect();
        rows.insert(frame, row);
    }
    rows
}

/// Request frames whose descriptors tshark 4.0 cannot show (SPEC_NOTES.md §4):
/// a request split into secondaries whose primary ends inside ParamDesc
/// ("no descriptor available"); we decode them from the reassembled block.
const TSHARK_BLIND_REQUESTS: &[(&str, u64)] = &[("secondaries", 16)];

fn int(fields: &msrap::rap::dissect::Fields, name: &str) -> Option<u64> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| match v {
            Value::Int(n) => Some(*n),
            _ => None,
        })
}

#[test]
fn decode_agrees_with_tshark_on_every_capture() {
    let mut compared = 0;
    for (name, ports) in CAPTURES {
        let ours = decode(name, ports);
        let theirs = tshark(name, ports);
        assert!(!ours.is_empty(), "{name}: no RAP transaction decoded");
        // Every request frame tshark shows as lanman is one of our transactions.
        let their_requests: Vec<u64> = theirs
            .iter()
            .filter(|(_, r)| r.contains_key("lanman.param_desc"))
            .map(|(f, _)| *f)
            .collect();
        let our_requests: Vec<u64> = ours.iter().filter_map(|t| t.frame_request).collect();
        let blind: Vec<u64> = TSHARK_BLIND_REQUESTS
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, f)| *f)
            .collect();
        let mut expected = their_requests.clone();
        expected.extend(&blind);
        expected.sort();
        assert_eq!(
            our_requests, expected,
            "{name}: request frames (tshark's, plus the ones it cannot see)"
        );
        for t in &ours {
            let d = &t.rap;
            if t.frame_request.is_some_and(|f| blind.contains(&f)) {
                assert_eq!(
                    (d.command, d.param_desc.as_str()),
                    (Some("NetPrintJobEnum"), "zWrLeh"),
                    "{name}: we decode what tshark cannot"
                );
                continue;
            }
            let req = t.frame_request.and_then(|f| theirs.get(&f)).unwrap();
            let get = |row: &BTreeMap<&str, String>, k: &str| row.get(k).cloned();
            let what = format!("{name} frame {:?}", t.frame_request);
            assert_eq!(
                get(req, "lanman.function_code"),
                d.opcode.map(|o| o.0.to_string()),
                "{what}"
            );
            assert_eq!(
                get(req, "lanman.param_desc").as_deref(),
                Some(d.param_desc.as_str()),
                "{what}"
            );
            if let Some(rd) = get(req, "lanman.ret_desc") {
                assert_eq!(rd, d.data_desc, "{what}");
            }
            // The AuxDesc (NetPrintQEnum / NetPrintQGetInfo): tshark shows
            // a non-empty one exactly when we do.
            assert_eq!(
                get(req, "lanman.aux_data_desc"),
                d.aux_desc.clone().filter(|a| !a.is_empty()),
                "{what}: AuxDesc"
            );
            if let Some(rbs) = get(req, "lanman.recv_buf_len") {
                assert_eq!(
                    Some(rbs.parse::<u64>().unwrap()),
                    int(&d.params, "receive_buffer_size"),
                    "{what}"
                );
            }
            // The detail level: tshark shows it as a generic word parameter.
            if let (Some(words), Some(level)) = (
                get(req, "smb_pipe.word_param"),
                int(&d.params, "info_level"),
            ) {
                let words: Vec<u64> = words.split(',').map(|w| w.parse().unwrap()).collect();
                let at = if d.param_desc == "WWrLh" { 1 } else { 0 };
                assert_eq!(words.get(at), Some(&level), "{what}: level");
            }
            let Some(resp_frame) = t.frame_response else {
                continue;
            };
            // tshark decodes a multi-part response on its first part only: take
            // its first lanman response row between our request and response frames.
            let first = t.frame_request.map_or(resp_frame, |f| f + 1);
            let resp = theirs
                .range(first..=resp_frame)
                .map(|(_, r)| r)
                .find(|r| r.contains_key("lanman.status"));
            let Some(resp) = resp else {
                // An SMB-level failure carries no RAP payload for tshark either.
                assert!(
                    d.response.is_none(),
                    "{what}: tshark shows no lanman in response frame {resp_frame}"
                );
                continue;
            };
            let r = d.response.as_ref().unwrap();
            if let Some(s) = get(resp, "lanman.status") {
                assert_eq!(s, r.status.0.to_string(), "{what}: status");
            }
            if let Some(c) = get(resp, "lanman.convert") {
                assert_eq!(c, r.converter.to_string(), "{what}: converter");
            }
            if let Some(n) = get(resp, "lanman.entry_count") {
                assert_eq!(
                    Some(n.parse::<u64>().unwrap()),
                    int(&r.params, "entries_returned"),
                    "{what}: entries"
                );
            }
            if let Some(n) = get(resp, "lanman.available_count") {
                assert_eq!(
                    Some(n.parse::<u64>().unwrap()),
                    int(&r.params, "entries_available"),
                    "{what}: available"
                );
            }
            compared += 1;
        }
    }
    assert!(compared >= 30, "compared {compared} transactions");
}

#[test]
fn decode_json_snapshots() {
    for (name, ports) in CAPTURES {
        let json: Vec<serde_json::Value> = decode(name, ports)
            .iter()
            .map(RapTransaction::to_json)
            .collect();
        insta::assert_json_snapshot!(format!("decode-{name}"), json);
    }
}

#[test]
fn capture_contents_are_what_the_readme_says() {
    let statuses = |name: &str, ports: &[u16]| -> Vec<(Option<u16>, Option<u16>, Option<u32>)> {
        decode(name, ports)
            .iter()
            .map(|t| {
                (
                    t.rap.opcode.map(|o| o.0),
                    t.rap.response.as_ref().map(|r| r.status.0),
                    t.smb_status.map(|s| s.0),
                )
            })
            .collect()
    };
    // errors.pcap: spec 0x57, 0x7C, 2123; Windows: SMB STATUS_INVALID_PARAMETER.
    assert_eq!(
        statuses("errors", &[24456, 24457]),
        vec![
            (Some(77), Some(0x57), Some(0)),
            (Some(77), Some(0x7C), Some(0)),
            (Some(77), Some(2123), Some(0)),
            (Some(77), None, Some(0xC000_000D))
        ]
    );
    // windows-layout.pcap: every reply has a non-zero Converter.
    for t in decode("windows-layout", &[24455]) {
        assert_ne!(t.rap.response.unwrap().converter, 0);
    }
    // secondaries.pcap: requests came in secondaries, with interim responses.
    let s = decode("secondaries", &[24453]);
    assert!(s.iter().all(|t| t.secondaries > 0 && t.interim), "{s:?}");
    // split-segments.pcap: a multi-part response.
    assert!(decode("split-segments", &[24454])
        .iter()
        .any(|t| t.response_parts > 1));
    // samba-impacket.pcap: Samba's 4-byte status-50 reply is flagged, not fatal.
    let samba = decode("samba-impacket", &[24458]);
    let bad = samba.iter().find(|t| t.rap.param_desc == "WrLh").unwrap();
    assert_eq!(bad.rap.response.as_ref().unwrap().status.0, 50);
    assert!(
        bad.anomalies
            .iter()
            .any(|a| a.contains("4 parameter bytes")),
        "{:?}",
        bad.anomalies
    );
}
