//! Exact-byte test vectors T1, T2 and T4 (spec-facts "Test vectors worth
//! building"; MS-RAP 2.5.7.4, 2.5.11, 3.2.5.7).

mod support;

use msrap::codes::RapStatus;
use msrap::oem::OemCodePage;
use msrap::rap::commands::net_print_job_get_info::{
    parse_get_info_response, PrintJobGetInfoRequest,
};
use msrap::rap::descriptor::job;
use msrap::rap::print_job::{PrintJobInfo, PrintJobInfo2, RapJobStatus};
use msrap::rap::request::parse_rap_request;
use msrap::rap::{Profile, RapConfig, RapOutcome, RapResponse, RapServer, TransactionInput};
use msrap::spool::sample::sample_spooler;
use pretty_assertions::assert_eq;
use std::borrow::Cow;
use support::hex;

const T1: [&str; 4] = [
    "4D 00 57 57 72 4C 68 00 57 00 03 00 00 00 00 04",
    "4D 00 57 57 72 4C 68 00 57 42 32 31 42 42 31 36 42 31 30 7A 57 57 7A 44 44 7A 00 03 00 01 00 00 04",
    "4D 00 57 57 72 4C 68 00 57 57 7A 57 57 44 44 7A 7A 00 03 00 02 00 00 04",
    "4D 00 57 57 72 4C 68 00 57 57 7A 57 57 44 44 7A 7A 7A 7A 7A 7A 7A 7A 7A 7A 6C 7A 00 03 00 03 00 00 04",
];

fn t2(level: u8) -> Vec<u8> {
    let mut v = hex(
        "4D 00 57 57 72 4C 68 00 57 57 7A 57 57 44 44 7A 7A 7A 7A 7A 7A 7A 7A 7A 7A 6C 7A 00 03 00",
    );
    v.extend_from_slice(&[level, 0, 0x00, 0x04]);
    v
}

/// T4 expected data, spec-literal marshaling, per level.
fn t4_data(level: u16) -> Vec<u8> {
    hex(match level {
        0 => "03 00",
        1 => {
            "0000  03 00 61 6C 69 63 65 00 00 00 00 00 00 00 00 00
              0010  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
              0020  00 00 00 00 00 00 00 00 52 41 57 00 00 00 00 00
              0030  00 00 4A 00 00 00 01 00 03 00 4B 00 00 00 70 26
              0040  A5 65 D2 04 00 00 4C 00 00 00 00 00 72 65 70 6F
              0050  72 74 2E 74 78 74 00"
        }
        2 => {
            "0000  03 00 01 00 1C 00 00 00 01 00 03 00 70 26 A5 65
              0010  D2 04 00 00 22 00 00 00 2D 00 00 00 61 6C 69 63
              0020  65 00 72 65 70 6F 72 74 2E 74 78 74 00 72 65 70
              0030  6F 72 74 2E 74 78 74 00"
        }
        _ => {
            "0000  03 00 01 00 44 00 00 00 01 00 03 00 70 26 A5 65
              0010  D2 04 00 00 4A 00 00 00 55 00 00 00 60 00 00 00
              0020  61 00 00 00 65 00 00 00 66 00 00 00 67 00 00 00
              0030  6D 00 00 00 76 00 00 00 77 00 00 00 00 00 00 00
              0040  83 00 00 00 61 6C 69 63 65 00 72 65 70 6F 72 74
              0050  2E 74 78 74 00 72 65 70 6F 72 74 2E 74 78 74 00
              0060  00 52 41 57 00 00 00 4C 41 53 45 52 00 77 69 6E
              0070  70 72 69 6E 74 00 00 48 50 20 4C 61 73 65 72 4A
              0080  65 74 00 5C 5C 53 52 56 5C 4C 41 53 45 52 00"
        }
    })
}

fn t4_params(level: u16) -> Vec<u8> {
    hex(match level {
        0 => "00 00 00 00 02 00",
        1 => "00 00 00 00 57 00",
        2 => "00 00 00 00 38 00",
        _ => "00 00 00 00 8F 00",
    })
}

fn server(profile: Profile) -> RapServer<msrap::spool::MemorySpooler> {
    RapServer::new(
        {
            let mut c = RapConfig::default();
            c.profile = profile;
            c
        },
        sample_spooler(),
    )
}

fn call(profile: Profile, params: &[u8], max_data: u16) -> (RapOutcome, RapResponse) {
    let mut out = RapResponse::default();
    let input = TransactionInput {
        parameters: params,
        data: &[],
        max_parameter_count: 6,
        max_data_count: max_data,
    };
    let o = server(profile).handle(&input, &mut out);
    (o, out)
}

#[test]
fn t1_requests_parse_per_level() {
    for (level, v) in T1.iter().enumerate() {
        let bytes = hex(v);
        let req = parse_rap_request(&bytes).unwrap();
        assert_eq!(
            req.data_desc.as_bytes(),
            job::for_level(level as u16).unwrap()
        );
        let r = PrintJobGetInfoRequest::parse(req.params().unwrap().bytes)
            .unwrap()
            .0;
        assert_eq!(
            r,
            PrintJobGetInfoRequest {
                job_id: 3,
                level: level as u16,
                receive_buffer_size: 0x400
            }
        );
        // And our encoder produces exactly the vector.
        let mut enc = Vec::new();
        r.encode(job::for_level(level as u16).unwrap(), &mut enc);
        assert_eq!(enc, bytes);
    }
}

#[test]
fn t4_spec_marshaling_with_t1_requests() {
    for (level, v) in T1.iter().enumerate() {
        let level = level as u16;
        let (o, out) = call(Profile::SPEC, &hex(v), 0x400);
        assert_eq!(
            o,
            RapOutcome::Reply(RapStatus::ERROR_SUCCESS),
            "level {level}"
        );
        assert_eq!(out.params, t4_params(level), "level {level} params");
        assert_eq!(out.data, t4_data(level), "level {level} data");
    }
}

#[test]
fn t2_literal_datadesc_gives_the_same_answers() {
    for level in 0..4u8 {
        let (o, out) = call(Profile::SPEC, &t2(level), 0x400);
        assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
        assert_eq!(out.params, t4_params(u16::from(level)));
        assert_eq!(out.data, t4_data(u16::from(level)));
    }
}

#[test]
fn t4_windows_layout_level_2() {
    let (o, out) = call(Profile::WINDOWS, &hex(T1[2]), 0x400);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    assert_eq!(out.params, hex("00 00 C8 03 38 00"));
    assert_eq!(
        out.data,
        hex("0000  03 00 01 00 FA 03 00 00 01 00 03 00 70 26 A5 65
             0010  D2 04 00 00 EF 03 00 00 E4 03 00 00 72 65 70 6F
             0020  72 74 2E 74 78 74 00 72 65 70 6F 72 74 2E 74 78
             0030  74 00 61 6C 69 63 65 00")
    );
}

#[test]
fn t4_both_layouts_parse_back_to_the_same_values() {
    let cp = OemCodePage::default();
    for level in 0..4u16 {
        let mut decoded = Vec::new();
        for profile in [Profile::SPEC, Profile::WINDOWS] {
            let (_, out) = call(profile, &hex(T1[usize::from(level)]), 0x400);
            let r = parse_get_info_response(level, &out.params, &out.data, &cp).unwrap();
            assert_eq!(r.status, RapStatus::ERROR_SUCCESS);
            assert_eq!(
                r.total_bytes_available,
                Some(u16::from_le_bytes([
                    t4_params(level)[4],
                    t4_params(level)[5]
                ]))
            );
            decoded.push(r.info.unwrap().into_owned());
        }
        assert_eq!(decoded[0], decoded[1], "level {level}");
    }
    let (_, out) = call(Profile::WINDOWS, &hex(T1[2]), 0x400);
    let r = parse_get_info_response(2, &out.params, &out.data, &cp).unwrap();
    assert_eq!(
        r.info.unwrap(),
        PrintJobInfo::Level2(PrintJobInfo2 {
            job_id: 3,
            priority: 1,
            user_name: Some(Cow::Borrowed("alice")),
            job_position: 1,
            job_status: RapJobStatus(3),
            time_submitted: 0x65A5_2670,
            job_size: 1234,
            comment: Some(Cow::Borrowed("report.txt")),
            document_name: Some(Cow::Borrowed("report.txt")),
        })
    );
}

#[test]
fn t4_windows_frame_data_parses() {
    // The data block of the full Windows-style response frame in spec-facts T4.
    let params = hex("00 00 C8 03 38 00");
    let data = hex("03 00 01 00 FA 03 00 00 01 00 03 00 70 26 A5 65 D2 04 00 00 EF 03 00 00 E4 03 00 00
                    72 65 70 6F 72 74 2E 74 78 74 00 72 65 70 6F 72 74 2E 74 78 74 00 61 6C 69 63 65 00");
    let r = parse_get_info_response(2, &params, &data, &OemCodePage::default()).unwrap();
    assert_eq!(r.converter, 0x03C8);
    let PrintJobInfo::Level2(i) = r.info.unwrap() else {
        panic!("level 2")
    };
    assert_eq!(i.user_name.as_deref(), Some("alice"));
    assert_eq!(i.document_name.as_deref(), Some("report.txt"));
}
