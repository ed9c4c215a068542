//! `RapTransaction::write_json` (the fast writer `msrap decode --json` uses)
//! against the reference: `serde_json` on the same transaction's `Serialize`
//! impl. Byte-for-byte equal for arbitrary strings (quotes, backslashes,
//! every control character, non-ASCII), every `Value` kind, job statuses with
//! flag and unknown bits, IPv4 and IPv6 addresses, present and absent parts.
#![cfg(feature = "decode")]

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use msrap::codes::{NtStatus, RapOpcode, RapStatus};
use msrap::decode::transactions::RapTransaction;
use msrap::decode::{FlowId, Timestamp};
use msrap::rap::dissect::{Dissection, ResponseDissection, Value};
use msrap::rap::print_job::RapJobStatus;
use pretty_assertions::assert_eq;
use proptest::prelude::*;

fn fast(t: &RapTransaction) -> String {
    let mut out = Vec::new();
    t.write_json(&mut out);
    String::from_utf8(out).unwrap()
}

fn reference(t: &RapTransaction) -> String {
    serde_json::to_string(t).unwrap()
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Every ASCII byte, control characters included.
        proptest::collection::vec(0u8..0x80, 0..24)
            .prop_map(|b| b.into_iter().map(char::from).collect()),
        any::<String>(),
        Just(String::new()),
        Just("\"\\\u{7f}\u{1f}\u{0}é€😀".to_string()),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::Int),
        text().prop_map(Value::Str),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::Bytes),
        Just(Value::Null),
        any::<u16>().prop_map(|s| Value::JobStatus(RapJobStatus(s))),
        any::<u16>().prop_map(Value::QueueStatus),
        any::<u32>().prop_map(Value::Time),
    ]
}

fn fields() -> impl Strategy<Value = Vec<(Cow<'static, str>, Value)>> {
    proptest::collection::vec(
        (
            prop_oneof![
                Just(Cow::Borrowed("job_id")),
                Just(Cow::Borrowed("pad")),
                text().prop_map(Cow::Owned),
            ],
            value(),
        ),
        0..6,
    )
}

fn addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<u32>(), any::<u16>())
            .prop_map(|(a, p)| SocketAddr::new(IpAddr::V4(Ipv4Addr::from(a)), p)),
        (any::<u128>(), any::<u16>())
            .prop_map(|(a, p)| SocketAddr::new(IpAddr::V6(Ipv6Addr::from(a)), p)),
        Just("[::1]:445".parse().unwrap()),
        Just("[fe80::1%7]:139".parse().unwrap()),
    ]
}

fn response() -> impl Strategy<Value = Option<ResponseDissection>> {
    proptest::option::of(
        (
            any::<u16>(),
            any::<u16>(),
            fields(),
            proptest::collection::vec(fields(), 0..3),
            any::<bool>(),
            proptest::collection::vec(proptest::collection::vec(fields(), 0..3), 0..3),
            any::<bool>(),
        )
            .prop_map(
                |(status, converter, params, entries, is_array, aux, has_aux)| {
                    ResponseDissection {
                        status: RapStatus(status),
                        converter,
                        params,
                        entries,
                        // Auxiliary structures, also fewer lists than entries.
                        has_aux,
                        aux: if has_aux { aux } else { Vec::new() },
                        is_array,
                    }
                },
            ),
    )
}

fn dissection() -> impl Strategy<Value = Dissection> {
    (
        proptest::option::of(any::<u16>()),
        proptest::option::of(prop_oneof![
            Just("NetPrintJobGetInfo"),
            Just("NetPrintJobEnum")
        ]),
        (text(), text(), proptest::option::of(text())),
        fields(),
        response(),
        proptest::collection::vec(text(), 0..3),
    )
        .prop_map(
            |(opcode, command, (param_desc, data_desc, aux_desc), params, response, anomalies)| {
                Dissection {
                    opcode: opcode.map(RapOpcode),
                    command,
                    param_desc,
                    data_desc,
                    aux_desc,
                    params,
                    response,
                    anomalies,
                }
            },
        )
}

fn transaction() -> impl Strategy<Value = RapTransaction> {
    (
        (any::<u64>(), addr(), addr()),
        (
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<u64>()),
        ),
        (any::<i64>(), 0u32..1_000_000_000),
        (any::<u16>(), any::<u16>(), any::<u32>(), any::<u16>()),
        (
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u16>()),
            proptest::option::of(prop_oneof![Just(0u32), Just(0xC000_000D), any::<u32>()]),
        ),
        dissection(),
        proptest::collection::vec(text(), 0..3),
    )
        .prop_map(
            |(
                (index, client, server),
                (frame_request, frame_response),
                (secs, nanos),
                (uid, tid, pid, mid),
                (max_parameter_count, max_data_count, smb_status),
                rap,
                anomalies,
            )| RapTransaction {
                flow: FlowId {
                    index,
                    client,
                    server,
                },
                frame_request,
                frame_response,
                time: Timestamp { secs, nanos },
                uid,
                tid,
                pid,
                mid,
                max_parameter_count,
                max_data_count,
                smb_status: smb_status.map(NtStatus),
                secondaries: 0,
                response_parts: 1,
                interim: false,
                rap,
                anomalies,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fast_writer_equals_serde_json(t in transaction()) {
        prop_assert_eq!(fast(&t), reference(&t));
    }
}

#[test]
fn every_control_character_is_escaped_like_serde_json() {
    let all: String = (0u8..0x80).map(char::from).collect();
    let mut out = Vec::new();
    msrap::decode::json::string(&mut out, &all);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        serde_json::to_string(&all).unwrap()
    );
}
