//! Property tests of the RAP codec: any JOB_INFO_2, any level, any
//! ReceiveBufferSize / MaxDataCount, both profiles, several code pages:
//! encode through [`RapServer`], parse back with the client-side parser,
//! and check the MS-RAP 2.5.11 / 3.2.5.7 invariants.
#![cfg(feature = "fuzzing")]

use msrap::codes::RapStatus;
use msrap::fuzzing::{
    engine_matches_model, rap_roundtrip_actual, rap_roundtrip_expected, RoundTripInput, CODE_PAGES,
};
use msrap::oem::OemCodePage;
use msrap::rap::commands::net_print_job_get_info::{
    parse_get_info_response, PrintJobGetInfoRequest,
};
use msrap::rap::descriptor::{job, Descriptor};
use msrap::rap::print_job::MappingConfig;
use msrap::rap::structs::Field;
use msrap::rap::{
    parse_rap_request, PrintJobInfo, Profile, RapConfig, RapOutcome, RapResponse, RapServer,
    TransactionInput,
};
use msrap::spool::{JobInfo2, JobStatus, MemorySpooler, Queue, SystemTime};
use pretty_assertions::assert_eq;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(String::new())),
        3 => "[ -~]{0,30}".prop_map(Some),
        1 => "[ -~]{100,400}".prop_map(Some),
        3 => "[a-zA-Z0-9 .ÀÉÜßàéüøÆ€–—¥日本語山田ｶﾅ😀\\\\\\x00]{0,40}".prop_map(Some),
    ]
}

fn system_time() -> impl Strategy<Value = SystemTime> {
    let valid = (
        1970u16..2200,
        1u16..=12,
        0u16..7,
        1u16..=31,
        0u16..24,
        0u16..60,
        0u16..60,
        0u16..1000,
    );
    prop_oneof![
        3 => valid,
        1 => any::<(u16, u16, u16, u16, u16, u16, u16, u16)>(),
    ]
    .prop_map(
        |(year, month, day_of_week, day, hour, minute, second, milliseconds)| SystemTime {
            year,
            month,
            day_of_week,
            day,
            hour,
            minute,
            second,
            milliseconds,
        },
    )
}

prop_compose! {
    fn job_info2()(
        job_id in prop_oneof![1u32..=0xFFFF, Just(3u32)],
        strings in proptest::collection::vec(text(), 10),
        status in prop_oneof![any::<u32>(), (0u32..0x20)],
        priority in prop_oneof![0u32..=99, any::<u32>()],
        position in prop_oneof![0u32..10, any::<u32>()],
        size in any::<u32>(),
        submitted in system_time(),
    ) -> JobInfo2 {
        let mut s = strings.into_iter();
        let mut n = || s.next().flatten();
        JobInfo2 {
            job_id,
            printer_name: n(),
            machine_name: n(),
            user_name: n(),
            document: n(),
            notify_name: n(),
            datatype: n(),
            print_processor: n(),
            parameters: n(),
            driver_name: n(),
            status_text: n(),
            status: JobStatus::from_bits_retain(status),
            priority,
            position,
            size,
            submitted,
            ..JobInfo2::default()
        }
    }
}

fn rbs() -> impl Strategy<Value = u16> {
    prop_oneof![any::<u16>(), 0u16..200, Just(0xFFFF)]
}

/// A string the way the client reads it back after the server encoded it.
fn cp_round(cp: &OemCodePage, s: &str) -> String {
    let mut v = Vec::new();
    cp.encode_into(s, &mut v);
    cp.decode(&v).into_owned()
}

/// A `B`n field read back: at most n−1 bytes, never a split character.
fn b_round(cp: &OemCodePage, s: &str, n: usize) -> String {
    let mut v = vec![0u8; n - 1];
    let len = cp.encode_fixed(s, &mut v);
    v.truncate(len);
    cp.decode(&v).into_owned()
}

const FIXED: [usize; 4] = [2, 74, 28, 68];
const B_SIZES: [usize; 4] = [21, 1, 16, 10];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The one marshaling engine against a plain model of MS-RAP 2.5.11
    /// (`msrap::fuzzing::model_marshal`: a zeroed buffer, first fit in
    /// field order, the top-down layout placed in a whole
    /// ReceiveBufferSize buffer and squeezed): the same bytes, entries,
    /// Converter, TotalBytesAvailable and completeness, for arbitrary
    /// JOB_INFO_2 (incl. NULL/empty/long/non-ASCII/NUL strings), levels
    /// 0–3, any ReceiveBufferSize and MaxDataCount, both layouts, code pages
    /// 437/850/932/1252. The model itself reproduces the spec vectors T4
    /// (`tests/codec_vectors.rs`).
    #[test]
    fn marshaling_engine_equals_plain_model(
        job in job_info2(),
        level in 0u8..4,
        receive_buffer_size in rbs(),
        max_data_count in rbs(),
        code_page in any::<u8>(),
        utc_offset_secs in prop_oneof![Just(0i32), Just(3600), any::<i32>()],
    ) {
        engine_matches_model(&RoundTripInput {
            job,
            level,
            job_id: 0,
            receive_buffer_size,
            max_data_count,
            max_parameter_count: 6,
            windows: false,
            code_page,
            utc_offset_secs,
        });
    }

    #[test]
    fn get_info_encode_parse_invariants(
        job in job_info2(),
        level in 0u16..=3,
        receive_buffer_size in rbs(),
        max_data_count in rbs(),
        windows in any::<bool>(),
        cp_index in 0usize..CODE_PAGES.len(),
        utc_offset_secs in prop_oneof![Just(0i32), Just(3600), Just(-18000), any::<i32>()],
    ) {
        let profile = if windows { Profile::WINDOWS } else { Profile::SPEC };
        let cp = OemCodePage::new(CODE_PAGES[cp_index]).unwrap();
        let server = RapServer::new(
            { let mut c = RapConfig::default(); c.profile = profile; c.code_page = cp; c.utc_offset_secs = utc_offset_secs; c },
            MemorySpooler::new(vec![Queue { name: "Q".into(), jobs: vec![job.clone()], ..Queue::default() }]),
        );
        let mut req = Vec::new();
        PrintJobGetInfoRequest { job_id: job.job_id as u16, level, receive_buffer_size }
            .encode(job::for_level(level).unwrap(), &mut req);
        let mut out = RapResponse::default();
        let outcome = server.handle(
            &TransactionInput { parameters: &req, data: &[], max_parameter_count: 6, max_data_count },
            &mut out,
        );
        let limit = usize::from(receive_buffer_size.min(max_data_count));
        // (a)
        prop_assert!(out.data.len() <= limit);
        prop_assert_eq!(out.params.len(), 6);

        let mapped = PrintJobInfo::from_job_info2(
            level,
            &job,
            &MappingConfig::new(profile, utc_offset_secs),
        ).unwrap();
        let mapped_fields = mapped.fields();
        let mapped_fields = mapped_fields.as_slice();
        let fixed = FIXED[usize::from(level)];
        let total: usize = fixed + mapped_fields.iter().map(|f| match f {
            Field::Str(Some(s)) => cp.encoded_len(s) + 1,
            _ => 0,
        }).sum::<usize>();

        let parsed = parse_get_info_response(level, &out.params, &out.data, &cp).unwrap();
        // (d)
        prop_assert_eq!(parsed.total_bytes_available, Some(total.min(0xFFFF) as u16));
        // (b)
        let want = if fixed > limit {
            RapStatus::NERR_BUF_TOO_SMALL
        } else if total <= limit {
            RapStatus::ERROR_SUCCESS
        } else {
            RapStatus::ERROR_MORE_DATA
        };
        prop_assert_eq!(outcome, RapOutcome::Reply(want));
        prop_assert_eq!(parsed.status, want);
        if want == RapStatus::NERR_BUF_TOO_SMALL {
            prop_assert!(out.data.is_empty());
            prop_assert_eq!(parsed.converter, 0);
            prop_assert!(parsed.info.is_none());
            return Ok(());
        }
        // Converter: 0 forward, RBS − returned for Windows.
        let converter = if windows { usize::from(receive_buffer_size) - out.data.len() } else { 0 };
        prop_assert_eq!(usize::from(parsed.converter), converter);
        // (c)
        let info = parsed.info.unwrap();
        let parsed_fields = info.fields();
        let parsed_fields = parsed_fields.as_slice();
        prop_assert_eq!(parsed_fields.len(), mapped_fields.len());
        let mut used = fixed;
        let mut b = B_SIZES.iter();
        for (p, m) in parsed_fields.iter().zip(mapped_fields) {
            match (p, m) {
                (Field::Str(p), Field::Str(Some(m))) => {
                    let len = cp.encoded_len(m) + 1;
                    match p {
                        Some(p) => {
                            prop_assert_eq!(p.to_string(), cp_round(&cp, m));
                            used += len;
                        }
                        // First fit: it did not fit in what was left.
                        None => prop_assert!(used + len > limit, "{m:?} would fit"),
                    }
                }
                (Field::Fixed(p), Field::Fixed(m)) => {
                    let n = *b.next().unwrap();
                    prop_assert_eq!(p.to_string(), if n > 1 { b_round(&cp, m, n) } else { String::new() });
                }
                (p, m) => prop_assert_eq!(p, m),
            }
        }
        prop_assert_eq!(out.data.len(), used);
        if want == RapStatus::ERROR_SUCCESS {
            prop_assert!(parsed_fields.iter().all(|f| !matches!(f, Field::Str(None))));
        }
    }

    /// The fuzz target's model (`msrap::fuzzing`) agrees with the server for
    /// every MaxParameterCount, JobID and level, including invalid ones.
    #[test]
    fn roundtrip_model_agrees(
        job in job_info2(),
        level in 0u8..6,
        job_id in prop_oneof![Just(0u16), any::<u16>()],
        receive_buffer_size in rbs(),
        max_data_count in rbs(),
        max_parameter_count in prop_oneof![0u16..8, any::<u16>()],
        windows in any::<bool>(),
        code_page in any::<u8>(),
        utc_offset_secs in any::<i32>(),
    ) {
        let input = RoundTripInput {
            job, level, job_id, receive_buffer_size, max_data_count,
            max_parameter_count, windows, code_page, utc_offset_secs,
        };
        assert_eq!(rap_roundtrip_actual(&input), rap_roundtrip_expected(&input));
    }

    /// PrintJobGetInfoRequest::encode → parse_rap_request → parse.
    #[test]
    fn get_info_request_round_trip(
        job_id in any::<u16>(),
        level in any::<u16>(),
        receive_buffer_size in any::<u16>(),
        data_desc in prop_oneof![
            Just(job::LEVEL_0.to_vec()), Just(job::LEVEL_1.to_vec()),
            Just(job::LEVEL_2.to_vec()), Just(job::LEVEL_3.to_vec()),
            proptest::collection::vec(1u8..=255, 0..40),
        ],
    ) {
        let req = PrintJobGetInfoRequest { job_id, level, receive_buffer_size };
        let mut bytes = Vec::new();
        req.encode(&data_desc, &mut bytes);
        prop_assert_eq!(bytes.len(), 2 + 6 + data_desc.len() + 1 + 6);
        let r = parse_rap_request(&bytes).unwrap();
        prop_assert_eq!(r.opcode.0, 77);
        prop_assert_eq!(r.param_desc.as_bytes(), b"WWrLh");
        prop_assert_eq!(r.data_desc.as_bytes(), &data_desc[..]);
        let p = r.params().unwrap();
        prop_assert_eq!(p.aux_desc, None);
        prop_assert_eq!(p.bytes.len(), 6);
        prop_assert_eq!(PrintJobGetInfoRequest::parse(p.bytes).unwrap().0, req);
    }

    /// GetInfo reads RAPParams directly (ParamDesc is fixed); the result
    /// must be what the generic ParamDesc walk (`RapRequest::params`) says:
    /// cut short → truncated-params rule, anything after them other than a
    /// lone NUL → trailing-bytes rule, else the same reply as without it.
    #[test]
    fn get_info_params_agree_with_the_generic_walk(
        tail in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..12),
            proptest::collection::vec(prop_oneof![Just(0u8), Just(3), Just(0x57)], 0..12),
        ],
        windows in any::<bool>(),
    ) {
        let profile = if windows { Profile::WINDOWS } else { Profile::SPEC };
        let server = RapServer::new(
            { let mut c = RapConfig::default(); c.profile = profile; c },
            msrap::spool::sample::sample_spooler(),
        );
        let run = |req: &[u8]| {
            let mut out = RapResponse::default();
            let o = server.handle(
                &TransactionInput { parameters: req, data: &[], max_parameter_count: 6, max_data_count: 0xFFFF },
                &mut out,
            );
            (o, out)
        };
        let mut req = b"\x4D\x00WWrLh\x00WWzWWDDzz\x00".to_vec();
        let header = req.len();
        req.extend_from_slice(&tail);
        let r = parse_rap_request(&req).unwrap();
        let generic = r.params();
        // The generic walk is lenient about what follows RAPParams (it is
        // kept as AuxDesc or trailing bytes); only cut-short RAPParams fail it.
        let truncated = generic.is_err();
        let trailing = match &generic {
            Ok(p) => !p.trailing.is_empty() || p.aux_desc.is_some_and(|d| !d.is_empty()),
            Err(_) => false,
        };
        let (outcome, out) = run(&req);
        if truncated || (trailing && !windows) {
            let want = if windows {
                RapOutcome::FailTransaction(msrap::codes::NtStatus::STATUS_INVALID_PARAMETER)
            } else {
                RapOutcome::Reply(RapStatus::ERROR_INVALID_PARAMETER)
            };
            prop_assert_eq!(outcome, want);
        } else {
            prop_assert_eq!((outcome, out), run(&req[..header + 6]));
        }
    }

    /// Descriptor functions never panic on arbitrary bytes and agree.
    #[test]
    fn descriptor_properties(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let d = Descriptor(&bytes);
        let fixed = d.fixed_size();
        if let Ok(n) = d.validate_data() {
            prop_assert_eq!(fixed, Ok(n));
        }
        let _ = d.validate_param();
        let _ = d.out_param_size();
        prop_assert!(d.items().count() <= bytes.len());
        // Appending a 4-byte pointer adds exactly 4 (or overflows).
        let mut more = bytes.clone();
        if more.last().is_some_and(u8::is_ascii_digit) {
            more.push(b'W');
        }
        more.push(b'z');
        if let (Ok(a), Ok(b)) = (Descriptor(&more).fixed_size(), d.fixed_size()) {
            let w = if more.len() == bytes.len() + 2 { 2 } else { 0 };
            prop_assert_eq!(u32::from(a), u32::from(b) + 4 + w);
        }
    }
}
