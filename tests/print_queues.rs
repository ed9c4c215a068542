//! NetPrintQEnum (69), NetPrintQGetInfo (70), NetPrintDestEnum (84) and
//! NetPrintDestGetInfo (85) through the RAP server, exact bytes
//! (MS-RAP 2.5.7.1, 2.5.7.2, 2.5.7.8, 2.5.11, 3.2.5.4, 3.2.5.4.1, 3.2.5.5).

use msrap::codes::{NtStatus, RapStatus};
use msrap::oem::OemCodePage;
use msrap::rap::commands::net_print_dest_enum::{parse_dest_enum_response, PrintDestEnumRequest};
use msrap::rap::commands::net_print_dest_get_info::{
    parse_dest_get_info_response, PrintDestGetInfoRequest,
};
use msrap::rap::commands::net_print_q_enum::{
    parse_q_enum_response, q_enum_request, SPEC_AUX_DESC,
};
use msrap::rap::commands::net_print_q_get_info::{parse_q_get_info_response, q_get_info_request};
use msrap::rap::print_dest::{PrintDest1, PrintDestInfo};
use msrap::rap::print_job::{PrintJobInfo, PrintJobInfo1, PrintJobInfo2};
use msrap::rap::print_queue::{
    PrintQueue1, PrintQueue2, PrintQueue3, PrintQueueInfo, PRQ_ERROR, PRQ_PAUSE,
};
use msrap::rap::{Profile, RapConfig, RapOutcome, RapResponse, RapServer, TransactionInput};
use msrap::spool::sample::t4_job;
use msrap::spool::{JobInfo2, JobStatus, MemorySpooler, PrinterInfo2, PrinterStatus, Queue};
use pretty_assertions::assert_eq;
use std::borrow::Cow;

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// LASER (`\\SRV\LASER`, two jobs), COLOR (paused and in error, no jobs),
/// and a queue whose name is 14 bytes long.
fn spooler() -> MemorySpooler {
    let job2 = JobInfo2 {
        job_id: 4,
        printer_name: s("\\\\SRV\\LASER"),
        user_name: s("bob"),
        document: s("b.txt"),
        datatype: s("RAW"),
        status: JobStatus::PAUSED,
        priority: 1,
        position: 2,
        size: 10,
        ..t4_job()
    };
    MemorySpooler::new(vec![
        Queue {
            name: "LASER".into(),
            jobs: vec![t4_job(), job2],
            printer: PrinterInfo2 {
                printer_name: s("\\\\SRV\\LASER"),
                port_name: s("LPT1:"),
                driver_name: s("HP"),
                comment: s("2nd"),
                sep_file: None,
                print_processor: s("winprint"),
                parameters: s(""),
                priority: 1,
                start_time: 60,
                until_time: 1500,
                ..PrinterInfo2::default()
            },
            ..Queue::default()
        },
        Queue {
            name: "COLOR".into(),
            printer: PrinterInfo2 {
                status: PrinterStatus::PAUSED | PrinterStatus::ERROR,
                priority: 9,
                ..PrinterInfo2::default()
            },
            ..Queue::default()
        },
        Queue {
            name: "FOURTEENCHARSQ".into(),
            ..Queue::default()
        },
    ])
}

struct Reply {
    outcome: RapOutcome,
    params: Vec<u8>,
    data: Vec<u8>,
}

fn call_with(profile: Profile, params: &[u8], mpc: u16, mdc: u16) -> Reply {
    let server = RapServer::new(
        {
            let mut c = RapConfig::default();
            c.profile = profile;
            c.utc_offset_secs = 0;
            c
        },
        spooler(),
    );
    let mut out = RapResponse::default();
    let outcome = server.handle(
        &TransactionInput {
            parameters: params,
            data: &[],
            max_parameter_count: mpc,
            max_data_count: mdc,
        },
        &mut out,
    );
    Reply {
        outcome,
        params: out.params,
        data: out.data,
    }
}

fn call(params: &[u8], mpc: u16, mdc: u16) -> Reply {
    call_with(Profile::SPEC, params, mpc, mdc)
}

fn le(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn cp() -> OemCodePage {
    OemCodePage::default()
}

// ---------------------------------------------------------------------------
// NetPrintQEnum

#[test]
fn q_enum_level0_skips_names_longer_than_12_bytes() {
    let req = q_enum_request(0, 4096, Some(SPEC_AUX_DESC));
    assert_eq!(
        req,
        b"\x45\x00WrLeh\0B13\0\x00\x00\x00\x10WB21BB16B10zWWzDDz\0".to_vec()
    );
    let r = call(&req, 8, 4096);
    assert_eq!(r.outcome, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    // 2.5.7.8: FOURTEENCHARSQ MUST NOT be enumerated at a B13 level.
    assert_eq!(r.params, le(&[0, 0, 2, 2]));
    assert_eq!(
        r.data,
        b"LASER\0\0\0\0\0\0\0\0COLOR\0\0\0\0\0\0\0\0".to_vec()
    );
}

#[test]
fn q_enum_level1_exact_bytes() {
    let r = call(&q_enum_request(1, 4096, None), 8, 4096);
    assert_eq!(r.params, le(&[0, 0, 2, 2]));
    let mut want = Vec::new();
    // LASER: name, pad, priority 1, start 60, until 1500 % 1440 = 60.
    want.extend_from_slice(b"LASER\0\0\0\0\0\0\0\0\0");
    want.extend_from_slice(&le(&[1, 60, 60]));
    // Strings after both fixed parts (88 bytes): sep "" @88, "winprint" @89,
    // "LPT1:" @98, "" @104, "2nd" @105.
    for off in [88u16, 89, 98, 104, 105] {
        want.extend_from_slice(&le(&[off, 0]));
    }
    want.extend_from_slice(&le(&[0, 2])); // PRQ_ACTIVE, cJobs 2
                                          // COLOR: priority 9, PAUSED|ERROR → PRQ_PAUSE; NULL strings → "".
    want.extend_from_slice(b"COLOR\0\0\0\0\0\0\0\0\0");
    want.extend_from_slice(&le(&[9, 0, 0]));
    for off in [109u16, 110, 111, 112, 113] {
        want.extend_from_slice(&le(&[off, 0]));
    }
    want.extend_from_slice(&le(&[PRQ_PAUSE, 0]));
    assert_eq!(want.len(), 88);
    want.extend_from_slice(b"\0winprint\0LPT1:\0\x002nd\0\0\0\0\0\0");
    assert_eq!(r.data, want);
}

/// Level 2: each PrintQueue1 (`N` = the job count) is followed by its
/// PrintJobInfo1 structures; strings after every fixed part.
#[test]
fn q_enum_level2_queue_then_its_jobs() {
    let r = call(&q_enum_request(2, 4096, Some(SPEC_AUX_DESC)), 8, 4096);
    assert_eq!(r.outcome, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    assert_eq!(r.params, le(&[0, 0, 2, 2]));
    // Fixed parts: LASER 44 + 2 × 74, COLOR 44.
    let fixed = 44 + 2 * 74 + 44;
    assert_eq!(&r.data[..13], b"LASER\0\0\0\0\0\0\0\0");
    assert_eq!(&r.data[40..44], &le(&[0, 2])[..], "status, N = 2");
    assert_eq!(&r.data[44..46], &le(&[3])[..], "job 3 follows its queue");
    assert_eq!(&r.data[46..51], b"alice");
    assert_eq!(&r.data[118..120], &le(&[4])[..], "then job 4");
    assert_eq!(&r.data[192..197], b"COLOR");
    assert_eq!(&r.data[232..236], &le(&[PRQ_PAUSE, 0])[..], "N = 0");
    let p = parse_q_enum_response(2, &r.params, &r.data, &cp()).unwrap();
    assert_eq!(p.queues.len(), 2);
    let PrintQueueInfo::Level2(q) = &p.queues[0].info else {
        panic!()
    };
    assert_eq!(
        q,
        &PrintQueue2 {
            print_q_name: "LASER".into(),
            priority: 1,
            start_time: 60,
            until_time: 60,
            separator_page_filename: Some("".into()),
            print_processor_dll_name: Some("winprint".into()),
            print_destinations_name: Some("LPT1:".into()),
            print_parameter_string: Some("".into()),
            comment_string: Some("2nd".into()),
            print_q_status: 0,
            print_job_count: 2,
        }
    );
    let ids: Vec<u16> = p.queues[0].jobs.iter().map(|j| j.job_id()).collect();
    assert_eq!(ids, [3, 4]);
    let PrintJobInfo::Level1(j) = &p.queues[0].jobs[1] else {
        panic!()
    };
    assert_eq!(j.job_status.0, 1, "PAUSED → PRJ_QS_PAUSED");
    assert!(p.queues[1].jobs.is_empty());
    // The first string follows the last fixed part.
    let first = u16::from_le_bytes([r.data[20], r.data[21]]);
    assert_eq!(usize::from(first), fixed);
}

#[test]
fn q_enum_level4_jobs_are_print_job_info2() {
    let r = call(&q_enum_request(4, 4096, Some(b"WWzWWDDzz")), 8, 4096);
    assert_eq!(r.params, le(&[0, 0, 3, 3]));
    let p = parse_q_enum_response(4, &r.params, &r.data, &cp()).unwrap();
    let names: Vec<String> = p
        .queues
        .iter()
        .map(|q| match &q.info {
            PrintQueueInfo::Level4(q) => q.print_queue_name.as_deref().unwrap().to_owned(),
            _ => panic!(),
        })
        .collect();
    // Level 4's name is a `z` string: the 14-byte name is enumerated.
    assert_eq!(names, ["LASER", "COLOR", "FOURTEENCHARSQ"]);
    let PrintJobInfo::Level2(j) = &p.queues[0].jobs[0] else {
        panic!()
    };
    assert_eq!(
        j,
        &PrintJobInfo2::from_job_info2(&t4_job(), &Default::default())
    );
    let PrintQueueInfo::Level4(q) = &p.queues[0].info else {
        panic!()
    };
    assert_eq!(q.printers.as_deref(), Some("LPT1:"));
    assert_eq!(q.driver_name.as_deref(), Some("HP"));
    assert_eq!(q.print_driver_data, None, "DriverData NULL: both halves 0");
    // 2 × 44 + 2 × 28 (LASER's jobs) + 44 fixed bytes.
    assert_eq!(
        u16::from_le_bytes([r.data[0], r.data[1]]),
        44 + 28 + 28 + 44 + 44
    );
}

/// 2.5.11: a queue with all its jobs is one entry; when they do not all fit,
/// neither the queue nor any job is copied (3.2.5.4: no job is returned).
#[test]
fn q_enum_level2_a_queue_whose_jobs_do_not_fit_is_not_returned() {
    let laser = 44 + 2 * 74;
    for (rbs, status, returned) in [
        (laser - 1, RapStatus::NERR_BUF_TOO_SMALL, 0u16),
        (laser, RapStatus::ERROR_MORE_DATA, 1),
        (laser + 43, RapStatus::ERROR_MORE_DATA, 1),
        (laser + 44, RapStatus::ERROR_MORE_DATA, 2),
    ] {
        let r = call(&q_enum_request(2, rbs, Some(SPEC_AUX_DESC)), 8, rbs);
        assert_eq!(r.outcome, RapOutcome::Reply(status), "rbs {rbs}");
        let conv = 0;
        assert_eq!(r.params, le(&[status.0, conv, returned, 2]), "rbs {rbs}");
        if returned == 0 {
            assert!(r.data.is_empty());
        } else {
            assert!(r.data.len() <= usize::from(rbs));
            let p = parse_q_enum_response(2, &r.params, &r.data, &cp()).unwrap();
            assert_eq!(p.queues[0].jobs.len(), 2, "all the jobs or none");
        }
    }
    // Everything: 236 fixed bytes and 33 string bytes.
    let r = call(&q_enum_request(2, 4096, None), 8, 4096);
    let total = r.data.len() as u16;
    let r = call(&q_enum_request(2, total, None), 8, total);
    assert_eq!(r.params, le(&[0, 0, 2, 2]));
    let r = call(&q_enum_request(2, total - 1, None), 8, total - 1);
    assert_eq!(r.params[..2], le(&[RapStatus::ERROR_MORE_DATA.0])[..]);
}

#[test]
fn q_enum_levels_3_and_5_and_bad_levels() {
    let r = call(&q_enum_request(5, 4096, None), 8, 4096);
    assert_eq!(r.params, le(&[0, 0, 3, 3]));
    assert_eq!(
        r.data,
        b"\x0c\x00\x00\x00\x12\x00\x00\x00\x18\x00\x00\x00LASER\0COLOR\0FOURTEENCHARSQ\0".to_vec()
    );
    let r = call(&q_enum_request(3, 4096, None), 8, 4096);
    let p = parse_q_enum_response(3, &r.params, &r.data, &cp()).unwrap();
    let PrintQueueInfo::Level3(q) = &p.queues[1].info else {
        panic!()
    };
    assert_eq!((q.print_q_status, q.priority), (PRQ_PAUSE, 9));
    for level in [6u16, 51, 52, 0xFFFF] {
        let mut req = q_enum_request(level, 4096, None);
        req.splice(8..8, b"K".iter().copied());
        let r = call(&req, 8, 4096);
        assert_eq!(r.params, le(&[0x7C, 0, 0, 0]), "level {level}");
        assert!(r.data.is_empty());
    }
}

#[test]
fn q_enum_recognition() {
    // A bad ParamDesc: 87 (spec), SMB failure (Windows, <71>).
    let bad = b"\x45\x00WrLh\0B13\0\x00\x00\x00\x10".to_vec();
    assert_eq!(call(&bad, 8, 4096).params, le(&[0x57, 0, 0]));
    assert_eq!(
        call_with(Profile::WINDOWS, &bad, 8, 4096).outcome,
        RapOutcome::FailTransaction(NtStatus::STATUS_INVALID_PARAMETER)
    );
    // RAPParams cut short.
    let cut = q_enum_request(0, 4096, None)[..12].to_vec();
    assert_eq!(call(&cut, 8, 4096).params, le(&[0x57, 0, 0, 0]));
    // Any AuxDesc, an empty one, none: accepted.
    for aux in [
        None,
        Some(&b""[..]),
        Some(SPEC_AUX_DESC),
        Some(b"WWzWWDDzz"),
        Some(b"x"),
    ] {
        let r = call(&q_enum_request(0, 4096, aux), 8, 4096);
        assert_eq!(r.params, le(&[0, 0, 2, 2]), "{aux:?}");
    }
    // Bytes after the AuxDesc's NUL, or an unterminated AuxDesc: trailing
    // bytes (spec: 87; Windows: ignored).
    let mut trailing = q_enum_request(0, 4096, Some(SPEC_AUX_DESC));
    trailing.push(b'W');
    let mut unterminated = q_enum_request(0, 4096, None);
    unterminated.extend_from_slice(b"WB21");
    for req in [trailing, unterminated] {
        assert_eq!(call(&req, 8, 4096).params, le(&[0x57, 0, 0, 0]));
        let w = call_with(Profile::WINDOWS, &req, 8, 4096).params;
        assert_eq!((&w[..2], &w[4..]), (&le(&[0])[..], &le(&[2, 2])[..]));
    }
}

#[test]
fn q_enum_windows_layout_parses_the_same() {
    let spec = call(&q_enum_request(2, 4096, None), 8, 4096);
    let win = call_with(Profile::WINDOWS, &q_enum_request(2, 4096, None), 8, 4096);
    assert_eq!(spec.data.len(), win.data.len());
    let conv = u16::from_le_bytes([win.params[2], win.params[3]]);
    assert_eq!(usize::from(conv), 4096 - win.data.len());
    assert_eq!(
        parse_q_enum_response(2, &spec.params, &spec.data, &cp())
            .unwrap()
            .queues,
        parse_q_enum_response(2, &win.params, &win.data, &cp())
            .unwrap()
            .queues
    );
}

// ---------------------------------------------------------------------------
// NetPrintQGetInfo

#[test]
fn q_get_info_level2_exact_bytes() {
    let req = q_get_info_request(b"LASER", 2, 4096, Some(SPEC_AUX_DESC));
    // spec-facts' vector: "LASER", level 2, RBS 0x1000 with AuxDesc.
    assert_eq!(
        req,
        b"\x46\x00zWrLh\0B13BWWWzzzzzWN\0LASER\0\x02\x00\x00\x10WB21BB16B10zWWzDDz\0".to_vec()
    );
    let r = call(&req, 6, 4096);
    assert_eq!(r.outcome, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    let total = r.data.len() as u16;
    assert_eq!(r.params, le(&[0, 0, total]));
    let mut want = Vec::new();
    want.extend_from_slice(b"LASER\0\0\0\0\0\0\0\0\0");
    want.extend_from_slice(&le(&[1, 60, 60]));
    let heap = 44 + 2 * 74;
    // sep "" , "winprint", "LPT1:", "", "2nd"
    for off in [heap, heap + 1, heap + 10, heap + 16, heap + 17] {
        want.extend_from_slice(&le(&[off, 0]));
    }
    want.extend_from_slice(&le(&[0, 2]));
    // Job 3 (T4): alice, notify "", RAW, params NULL → "", position 1,
    // PRINTING, status text NULL → "", 2024-01-15T12:34:56, 1234, "report.txt".
    let mut job = |id: u16, user: &[u8], pos: u16, st: u16, size: u32, at: u16, doc_len: u16| {
        want.extend_from_slice(&le(&[id]));
        let mut b21 = user.to_vec();
        b21.resize(21, 0);
        want.extend_from_slice(&b21);
        want.push(0);
        want.extend_from_slice(&[0; 16]);
        want.extend_from_slice(b"RAW\0\0\0\0\0\0\0");
        want.extend_from_slice(&le(&[at, 0, pos, st, at + 1, 0]));
        want.extend_from_slice(&0x65A5_2670u32.to_le_bytes());
        want.extend_from_slice(&size.to_le_bytes());
        want.extend_from_slice(&le(&[at + 2, 0]));
        at + 2 + doc_len + 1
    };
    let next = job(3, b"alice", 1, 3, 1234, heap + 21, 10);
    job(4, b"bob", 2, 1, 10, next, 5);
    assert_eq!(want.len(), heap as usize);
    want.extend_from_slice(b"\0winprint\0LPT1:\0\x002nd\0");
    want.extend_from_slice(b"\0\0report.txt\0");
    want.extend_from_slice(b"\0\0b.txt\0");
    assert_eq!(r.data, want);
    let p = parse_q_get_info_response(2, &r.params, &r.data, &cp()).unwrap();
    assert_eq!(p.total_bytes_available, Some(total));
    let q = p.queue.unwrap();
    assert_eq!(q.jobs.len(), 2);
    let PrintJobInfo::Level1(j) = &q.jobs[0] else {
        panic!()
    };
    assert_eq!(
        j,
        &PrintJobInfo1::from_job_info2(&t4_job(), &Default::default())
    );
}

/// 3.2.5.5: ReceiveBufferSize < TotalBytesAvailable → NERR_BufTooSmall,
/// no data, TotalBytesAvailable reported (not ERROR_MORE_DATA, D12).
#[test]
fn q_get_info_buffer_too_small_is_nerr_buf_too_small() {
    let total = call(&q_get_info_request(b"LASER", 2, 4096, None), 6, 4096)
        .data
        .len() as u16;
    for (rbs, mdc) in [
        (total - 1, 4096),
        (4096, total - 1),
        (44, 44),
        (0, 0),
        (1, 1),
    ] {
        let r = call(&q_get_info_request(b"LASER", 2, rbs, None), 6, mdc);
        assert_eq!(
            r.outcome,
            RapOutcome::Reply(RapStatus::NERR_BUF_TOO_SMALL),
            "{rbs}/{mdc}"
        );
        assert_eq!(r.params, le(&[0x84B, 0, total]));
        assert!(r.data.is_empty());
    }
    let r = call(&q_get_info_request(b"LASER", 2, total, None), 6, total);
    assert_eq!(r.params, le(&[0, 0, total]));
    // Level 1: exact fit and one byte short.
    let t1 = call(&q_get_info_request(b"LASER", 1, 4096, None), 6, 4096)
        .data
        .len() as u16;
    assert_eq!(t1, 44 + 1 + 9 + 6 + 1 + 4);
    let r = call(&q_get_info_request(b"LASER", 1, t1 - 1, None), 6, 4096);
    assert_eq!(r.params, le(&[0x84B, 0, t1]));
}

#[test]
fn q_get_info_names() {
    let ok = |name: &[u8]| {
        let r = call(&q_get_info_request(name, 1, 4096, None), 6, 4096);
        let p = parse_q_get_info_response(1, &r.params, &r.data, &cp()).unwrap();
        (p.status, p.queue.map(|q| q.into_owned().info))
    };
    let laser = Some(PrintQueueInfo::Level1(PrintQueue1 {
        print_q_name: "LASER".into(),
        priority: 1,
        start_time: 60,
        until_time: 60,
        separator_page_filename: Some("".into()),
        print_processor_dll_name: Some("winprint".into()),
        print_destinations_name: Some("LPT1:".into()),
        print_parameter_string: Some("".into()),
        comment_string: Some("2nd".into()),
        print_q_status: 0,
        print_job_count: 2,
    }));
    assert_eq!(ok(b"LASER"), (RapStatus::ERROR_SUCCESS, laser.clone()));
    assert_eq!(ok(b"laser"), (RapStatus::ERROR_SUCCESS, laser.clone()));
    // Win9x: QUEUE%user.
    assert_eq!(ok(b"LASER%alice"), (RapStatus::ERROR_SUCCESS, laser));
    for name in [&b"NOPE"[..], b"", b"\\\\SRV\\LASER", b"%LASER"] {
        let r = call(&q_get_info_request(name, 1, 4096, None), 6, 4096);
        assert_eq!(r.params, le(&[0x866, 0, 0]), "{name:?}: NERR_QNotFound");
        assert!(r.data.is_empty());
    }
    // A 14-byte name is found; the B13 field carries its first 12 bytes
    // (2.5.7.8.1 SHOULD truncate).
    let r = call(
        &q_get_info_request(b"FOURTEENCHARSQ", 0, 4096, None),
        6,
        4096,
    );
    assert_eq!(r.params, le(&[0, 0, 13]));
    assert_eq!(r.data, b"FOURTEENCHAR\0".to_vec());
}

#[test]
fn q_get_info_levels_and_aux_desc() {
    let r = call(&q_get_info_request(b"LASER", 6, 4096, None), 6, 4096);
    assert_eq!(r.params, le(&[0x7C, 0, 0]));
    // 2.5.7.2.1: no AuxDesc at levels 0 and 3 (spec: 87; Windows ignores it).
    for level in [0u16, 3] {
        let req = q_get_info_request(b"LASER", level, 4096, Some(SPEC_AUX_DESC));
        assert_eq!(
            call(&req, 6, 4096).params,
            le(&[0x57, 0, 0]),
            "level {level}"
        );
        let r = call_with(Profile::WINDOWS, &req, 6, 4096);
        assert_eq!(r.outcome, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    }
    // An empty AuxDesc is no AuxDesc.
    let r = call(&q_get_info_request(b"LASER", 0, 4096, Some(b"")), 6, 4096);
    assert_eq!(r.params, le(&[0, 0, 13]));
    // Level 4 with MS-RAP's or Samba's AuxDesc: the same PrintJobInfo2 reply.
    let a = call(
        &q_get_info_request(b"LASER", 4, 4096, Some(SPEC_AUX_DESC)),
        6,
        4096,
    );
    let b = call(
        &q_get_info_request(b"LASER", 4, 4096, Some(b"WWzWWDDzz")),
        6,
        4096,
    );
    assert_eq!((a.params.clone(), a.data.clone()), (b.params, b.data));
    let q = parse_q_get_info_response(4, &a.params, &a.data, &cp())
        .unwrap()
        .queue
        .unwrap();
    let PrintQueueInfo::Level4(info) = &q.info else {
        panic!()
    };
    assert_eq!(info.print_job_count, 2);
    assert!(matches!(q.jobs[1], PrintJobInfo::Level2(ref j) if j.job_id == 4));
    // Level 3: cJobs, no jobs follow.
    let r = call(&q_get_info_request(b"COLOR", 3, 4096, None), 6, 4096);
    let q = parse_q_get_info_response(3, &r.params, &r.data, &cp())
        .unwrap()
        .queue
        .unwrap();
    assert_eq!(
        q.info,
        PrintQueueInfo::Level3(PrintQueue3 {
            print_queue_name: Some("COLOR".into()),
            priority: 9,
            start_time: 0,
            until_time: 0,
            separator_page_filename: Some("".into()),
            print_processor_dll_name: Some("".into()),
            print_parameter_string: Some("".into()),
            comment_string: Some("".into()),
            print_q_status: PRQ_PAUSE,
            print_job_count: 0,
            printers: Some("".into()),
            driver_name: Some("".into()),
            print_driver_data: None,
        })
    );
    assert_ne!(PRQ_PAUSE, PRQ_ERROR);
}

// ---------------------------------------------------------------------------
// NetPrintDestEnum / NetPrintDestGetInfo

fn dest_enum(level: u16, rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    PrintDestEnumRequest {
        level,
        receive_buffer_size: rbs,
    }
    .encode(
        PrintDestInfo::meta_for_level(level).map_or(&b"B9"[..], |m| m.descriptor),
        &mut v,
    );
    v
}

fn dest_get_info(name: &[u8], level: u16, rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    PrintDestGetInfoRequest {
        name,
        level,
        receive_buffer_size: rbs,
    }
    .encode(
        PrintDestInfo::meta_for_level(level).map_or(&b"B9"[..], |m| m.descriptor),
        &mut v,
    );
    v
}

#[test]
fn dest_enum_levels() {
    let r = call(&dest_enum(0, 4096), 8, 4096);
    assert_eq!(r.params, le(&[0, 0, 2, 2]));
    assert_eq!(r.data, b"LASER\0\0\0\0COLOR\0\0\0\0".to_vec());
    let r = call(&dest_enum(2, 4096), 8, 4096);
    assert_eq!(r.params, le(&[0, 0, 3, 3]));
    let r = call(&dest_enum(1, 4096), 8, 4096);
    let p = parse_dest_enum_response(1, &r.params, &r.data, &cp()).unwrap();
    assert_eq!(
        p.destinations[0],
        PrintDestInfo::Level1(PrintDest1 {
            name: "LASER".into(),
            user_name: "alice".into(),
            job_id: 3,
            status: 0,
            status_string: Some(Cow::Borrowed("")),
            time: 0,
        })
    );
    let r = call(&dest_enum(4, 4096), 8, 4096);
    assert_eq!(r.params, le(&[0x7C, 0, 0, 0]));
    // Two level-0 entries need 18 bytes.
    let r = call(&dest_enum(0, 17), 8, 17);
    assert_eq!(r.params, le(&[0xEA, 0, 1, 2]));
    let r = call(&dest_enum(0, 8), 8, 8);
    assert_eq!(r.params, le(&[0x84B, 0, 0, 2]));
}

#[test]
fn dest_get_info_levels() {
    let r = call(&dest_get_info(b"laser", 3, 4096), 6, 4096);
    assert_eq!(r.outcome, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    let p = parse_dest_get_info_response(3, &r.params, &r.data, &cp()).unwrap();
    let Some(PrintDestInfo::Level3(d)) = p.destination else {
        panic!()
    };
    assert_eq!(d.printer_name.as_deref(), Some("LASER"));
    assert_eq!(d.log_addr.as_deref(), Some("LPT1:"));
    assert_eq!(d.drivers.as_deref(), Some("HP"));
    assert_eq!((d.job_id, d.user_name.as_deref()), (3, Some("alice")));
    assert_eq!(p.total_bytes_available, Some(r.data.len() as u16));
    let r = call(&dest_get_info(b"NOPE", 0, 4096), 6, 4096);
    assert_eq!(r.params, le(&[0x868, 0, 0]), "NERR_DestNotFound");
    let r = call(&dest_get_info(b"LASER", 0, 8), 6, 8);
    assert_eq!(r.params, le(&[0x84B, 0, 9]));
    let r = call(&dest_get_info(b"LASER", 9, 4096), 6, 4096);
    assert_eq!(r.params, le(&[0x7C, 0, 0]));
}
