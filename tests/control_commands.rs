//! The job and queue control commands (81, 82, 83, 147; 74, 75, 103):
//! exact request bytes in, exact reply bytes out, both profiles, and the
//! spooler's state after each. Request bytes follow MS-RAP 2.5.7.x and the
//! example of 4.3 (`51 00 57 00 00 03 00`); Samba's forms for 74/75/103.

use msrap::codes::{NtStatus, RapStatus};
use msrap::rap::commands::net_print_job_del::parse_status_response;
use msrap::rap::server::poll_once;
use msrap::rap::{Profile, RapConfig, RapOutcome, RapResponse, RapServer, TransactionInput};
use msrap::spool::sample::sample_queues;
use msrap::spool::{
    Caller, ControlPolicy, JobControlPolicy, JobStatus, MemorySpooler, PrinterStatus, Queue,
};
use pretty_assertions::assert_eq;

fn server(profile: Profile, jobs: JobControlPolicy) -> RapServer<MemorySpooler> {
    let queues = sample_queues()
        .into_iter()
        .map(|q| Queue {
            policy: ControlPolicy {
                jobs,
                operators: vec!["op".into()],
            },
            ..q
        })
        .collect();
    RapServer::new(RapConfig::with_profile(profile), MemorySpooler::new(queues))
}

/// Send `params` (and `data`) as `caller`; the reply parameters, or the SMB failure.
fn call(
    s: &RapServer<MemorySpooler>,
    caller: &Caller<'_>,
    params: &[u8],
    data: &[u8],
    mpc: u16,
) -> Result<Vec<u8>, NtStatus> {
    let input = TransactionInput {
        parameters: params,
        data,
        max_parameter_count: mpc,
        max_data_count: 0,
    };
    let mut out = RapResponse::default();
    match poll_once(s.transact(caller, &input, &mut out)).unwrap() {
        RapOutcome::Reply(_) => {
            assert!(out.data.is_empty(), "no RAPOutData");
            Ok(out.params)
        }
        RapOutcome::FailTransaction(st) => {
            assert!(out.params.is_empty() && out.data.is_empty());
            Err(st)
        }
    }
}

fn ok(status: u16) -> Result<Vec<u8>, NtStatus> {
    Ok([status.to_le_bytes(), [0, 0]].concat())
}

const SMB_INVALID: Result<Vec<u8>, NtStatus> = Err(NtStatus::STATUS_INVALID_PARAMETER);

/// `op W \0 \0 id` (MS-RAP 2.5.7.5.1 / 2.5.7.6.1 / 2.5.7.7.1: DataDesc null).
fn job_req(op: u8, id: u16) -> Vec<u8> {
    let mut v = vec![op, 0, b'W', 0, 0];
    v.extend_from_slice(&id.to_le_bytes());
    v
}

/// `op z \0 \0 name \0` (Samba api_WPrintQueueCtrl's form).
fn queue_req(op: u8, name: &str) -> Vec<u8> {
    let mut v = vec![op, 0, b'z', 0, 0];
    v.extend_from_slice(name.as_bytes());
    v.push(0);
    v
}

/// NetPrintJobSetInfo: `93 00 WWsTP\0 WB21BB16B10zWWzDDz\0 id level size parmnum`.
fn set_info_req(id: u16, level: u16, size: u16, param_num: u16) -> Vec<u8> {
    let mut v = vec![0x93, 0];
    v.extend_from_slice(b"WWsTP\0WB21BB16B10zWWzDDz\0");
    for w in [id, level, size, param_num] {
        v.extend_from_slice(&w.to_le_bytes());
    }
    v
}

fn ids(s: &RapServer<MemorySpooler>, queue: &str) -> Vec<(u32, u32)> {
    s.spooler()
        .find_queue(queue)
        .unwrap()
        .iter()
        .map(|j| (j.job_id, j.position))
        .collect()
}

#[test]
fn the_example_of_4_3_deletes_job_3() {
    let s = server(Profile::SPEC, JobControlPolicy::Anyone);
    // MS-RAP 4.3: parameters 51 00 57 00 00 03 00, MaxParameterCount 4;
    // the reply's parameters are 00 00 00 00.
    let r = call(
        &s,
        &Caller::ANONYMOUS,
        &[0x51, 0x00, 0x57, 0x00, 0x00, 0x03, 0x00],
        &[],
        4,
    );
    assert_eq!(r, Ok(vec![0, 0, 0, 0]));
    assert_eq!(ids(&s, "LASER"), [(4, 1), (5, 2), (6, 3), (7, 4)]);
    // Gone: a second delete finds no job (RpcSetJob: ERROR_INVALID_PARAMETER).
    let r = call(&s, &Caller::ANONYMOUS, &job_req(81, 3), &[], 4);
    assert_eq!(r, ok(87));
}

#[test]
fn pause_and_continue_change_the_job_status() {
    let s = server(Profile::SPEC, JobControlPolicy::Owner);
    let bob = Caller::guest("bob");
    assert_eq!(call(&s, &bob, &job_req(82, 4), &[], 4), ok(0));
    assert_eq!(s.spooler().find_job(4).unwrap().status, JobStatus::PAUSED);
    assert_eq!(call(&s, &bob, &job_req(83, 4), &[], 4), ok(0));
    assert_eq!(s.spooler().find_job(4).unwrap().status, JobStatus::empty());
    // Job 5 (carol's, paused): continue clears PAUSED only.
    let carol = Caller::guest("carol");
    assert_eq!(call(&s, &carol, &job_req(83, 5), &[], 4), ok(0));
    assert_eq!(s.spooler().find_job(5).unwrap().status, JobStatus::empty());
}

#[test]
fn who_may_control_a_job() {
    let s = server(Profile::SPEC, JobControlPolicy::Owner);
    // Owner policy: an anonymous session matches nobody; bob is not alice.
    for who in [Caller::ANONYMOUS, Caller::guest("bob"), Caller::guest("")] {
        for op in [81, 82, 83] {
            assert_eq!(
                call(&s, &who, &job_req(op, 3), &[], 4),
                ok(5),
                "{who:?} {op}"
            );
        }
        assert_eq!(
            call(&s, &who, &set_info_req(3, 1, 6, 11), b"x.txt\0", 4),
            ok(5)
        );
    }
    assert_eq!(ids(&s, "LASER").len(), 5, "nothing changed");
    // The owner (user names compare case-insensitively) and an operator may.
    assert_eq!(
        call(&s, &Caller::guest("ALICE"), &job_req(82, 3), &[], 4),
        ok(0)
    );
    assert_eq!(
        call(&s, &Caller::guest("op"), &job_req(81, 3), &[], 4),
        ok(0)
    );
    assert!(s.spooler().find_job(3).is_none());
    // Operators policy: the owner no longer may.
    let s = server(Profile::SPEC, JobControlPolicy::Operators);
    assert_eq!(
        call(&s, &Caller::guest("bob"), &job_req(81, 4), &[], 4),
        ok(5)
    );
    assert_eq!(
        call(&s, &Caller::guest("op"), &job_req(81, 4), &[], 4),
        ok(0)
    );
}

#[test]
fn job_control_errors_both_profiles() {
    for (profile, bad) in [(Profile::SPEC, ok(87)), (Profile::WINDOWS, SMB_INVALID)] {
        let s = server(profile, JobControlPolicy::Anyone);
        let any = Caller::ANONYMOUS;
        for op in [81u8, 82, 83] {
            // Unknown and zero JobID: RpcSetJob's ERROR_INVALID_PARAMETER.
            assert_eq!(call(&s, &any, &job_req(op, 0x7777), &[], 4), ok(87));
            assert_eq!(call(&s, &any, &job_req(op, 0), &[], 4), ok(87));
            // ParamDesc not "W" (3.2.5.8-10 step 1; <79>-<81>).
            for pd in [&b"WW"[..], b"w", b"", b"WrLh"] {
                let mut p = vec![op, 0];
                p.extend_from_slice(pd);
                p.extend_from_slice(&[0, 0, 3, 0, 0, 0]);
                assert_eq!(call(&s, &any, &p, &[], 4), bad, "{op} {pd:?}");
            }
            // JobID cut short.
            let full = job_req(op, 3);
            assert_eq!(call(&s, &any, &full[..6], &[], 4), bad);
            assert_eq!(call(&s, &any, &full[..5], &[], 4), bad);
            // Trailing bytes (2.5.1: no AuxDesc): spec 87, Windows ignores them.
            // (a job each opcode may change: 81 deletes it under Windows)
            let mut trailing = job_req(op, if op == 81 { 7 } else { 4 });
            trailing.extend_from_slice(b"WW\0");
            let t = call(&s, &any, &trailing, &[], 4);
            if profile == Profile::SPEC {
                assert_eq!(t, ok(87));
            } else {
                assert_eq!(t, ok(0), "{op}: served");
            }
            // MaxParameterCount below 4: no room for the status.
            assert_eq!(call(&s, &any, &full, &[], 3), SMB_INVALID);
        }
        // Any DataDesc is accepted (smbtorture sends "W"; <5>).
        let p = [83, 0, b'W', 0, b'W', 0, 4, 0];
        assert_eq!(call(&s, &any, &p, &[], 4), ok(0));
        // An empty AuxDesc (a lone NUL) is nothing.
        let mut p = job_req(82, 4);
        p.push(0);
        assert_eq!(
            call(&s, &any, &p, &[], 8),
            ok(0),
            "four bytes even when 8 are allowed"
        );
    }
}

#[test]
fn set_info_renames_the_document() {
    let s = server(Profile::SPEC, JobControlPolicy::Owner);
    let alice = Caller::guest("alice");
    let r = call(&s, &alice, &set_info_req(3, 1, 12, 11), b"renamed.txt\0", 4);
    assert_eq!(r, ok(0));
    assert_eq!(
        s.spooler().find_job(3).unwrap().document.as_deref(),
        Some("renamed.txt")
    );
    // OEM (code page 850) bytes decode; what follows the NUL is ignored.
    let r = call(
        &s,
        &alice,
        &set_info_req(3, 1, 9, 11),
        b"caf\x82\x81\0xyz",
        4,
    );
    assert_eq!(r, ok(0));
    assert_eq!(
        s.spooler().find_job(3).unwrap().document.as_deref(),
        Some("caféü")
    );
    // An empty name is a name.
    assert_eq!(
        call(&s, &alice, &set_info_req(3, 1, 1, 11), b"\0", 4),
        ok(0)
    );
    assert_eq!(
        s.spooler().find_job(3).unwrap().document.as_deref(),
        Some("")
    );
}

#[test]
fn set_info_errors_in_the_order_of_3_2_5_6() {
    for (profile, bad) in [(Profile::SPEC, ok(87)), (Profile::WINDOWS, SMB_INVALID)] {
        let s = server(profile, JobControlPolicy::Anyone);
        let any = Caller::ANONYMOUS;
        let d = b"new\0";
        // Level not 1 or 3: ERROR_INVALID_LEVEL, whatever ParamNum says.
        for level in [0u16, 2, 4, 0xFFFF] {
            assert_eq!(
                call(&s, &any, &set_info_req(3, level, 4, 11), d, 4),
                ok(124)
            );
            assert_eq!(call(&s, &any, &set_info_req(3, level, 4, 6), d, 4), ok(124));
        }
        // Level 3 (<74>) or another ParamNum: ERROR_NOT_SUPPORTED.
        assert_eq!(call(&s, &any, &set_info_req(3, 3, 4, 11), d, 4), ok(50));
        for pn in [0u16, 1, 2, 6, 7, 10, 12, 0xFFFF] {
            assert_eq!(
                call(&s, &any, &set_info_req(3, 1, 4, pn), d, 4),
                ok(50),
                "{pn}"
            );
        }
        // RAPInData without a NUL is no string; none at all likewise.
        assert_eq!(
            call(&s, &any, &set_info_req(3, 1, 3, 11), b"new", 4),
            ok(87)
        );
        assert_eq!(call(&s, &any, &set_info_req(3, 1, 0, 11), b"", 4), ok(87));
        // Unknown job: RpcGetJob's ERROR_INVALID_PARAMETER.
        assert_eq!(
            call(&s, &any, &set_info_req(0x7777, 1, 4, 11), d, 4),
            ok(87)
        );
        assert_eq!(call(&s, &any, &set_info_req(0, 1, 4, 11), d, 4), ok(87));
        // Samba's bug (ParamNum read at offset 4) is not copied: BufferSize
        // 11 with ParamNum 6 is still not a rename.
        assert_eq!(
            call(&s, &any, &set_info_req(3, 1, 11, 6), b"0123456789\0", 4),
            ok(50)
        );
        // ParamDesc not "WWsTP"; RAPParams cut short.
        let mut p = set_info_req(3, 1, 4, 11);
        p[6] = b'L';
        assert_eq!(call(&s, &any, &p, d, 4), bad);
        let p = set_info_req(3, 1, 4, 11);
        assert_eq!(call(&s, &any, &p[..p.len() - 1], d, 4), bad);
        assert_eq!(
            s.spooler().find_job(3).unwrap().document.as_deref(),
            Some("report.txt")
        );
        // Any DataDesc (here none) is accepted.
        let mut p = vec![0x93, 0];
        p.extend_from_slice(b"WWsTP\0\0");
        p.extend_from_slice(&[3, 0, 1, 0, 4, 0, 11, 0]);
        assert_eq!(call(&s, &any, &p, d, 4), ok(0));
        assert_eq!(
            s.spooler().find_job(3).unwrap().document.as_deref(),
            Some("new")
        );
    }
}

#[test]
fn queue_control_for_operators_only() {
    for profile in [Profile::SPEC, Profile::WINDOWS] {
        let s = server(profile, JobControlPolicy::Anyone);
        let op = Caller::guest("op");
        let status = |s: &RapServer<MemorySpooler>, i: usize| s.spooler().snapshot()[i].info.status;
        // Queue control always needs an operator, whatever the job policy.
        for who in [Caller::ANONYMOUS, Caller::guest("alice")] {
            for opcode in [74u8, 75, 103] {
                assert_eq!(call(&s, &who, &queue_req(opcode, "LASER"), &[], 4), ok(5));
            }
        }
        assert_eq!(call(&s, &op, &queue_req(74, "laser"), &[], 4), ok(0));
        assert_eq!(status(&s, 0), PrinterStatus::PAUSED);
        assert_eq!(call(&s, &op, &queue_req(75, "LASER"), &[], 4), ok(0));
        assert_eq!(status(&s, 0), PrinterStatus::empty());
        assert_eq!(
            status(&s, 1),
            PrinterStatus::PAUSED,
            "the sample COLOR is paused"
        );
        assert_eq!(call(&s, &op, &queue_req(75, "COLOR"), &[], 4), ok(0));
        assert_eq!(status(&s, 1), PrinterStatus::empty());
        assert_eq!(call(&s, &op, &queue_req(103, "LASER"), &[], 4), ok(0));
        assert_eq!(ids(&s, "LASER"), []);
        assert_eq!(s.spooler().snapshot()[0].info.jobs, 0);
        assert_eq!(ids(&s, "COLOR"), [(9, 1)]);
        // Unknown queue: RpcOpenPrinter's ERROR_INVALID_PRINTER_NAME (1801).
        for opcode in [74u8, 75, 103] {
            assert_eq!(call(&s, &op, &queue_req(opcode, "NOPE"), &[], 4), ok(1801));
            assert_eq!(call(&s, &op, &queue_req(opcode, ""), &[], 4), ok(1801));
        }
        // ParamDesc not "z"; the name not terminated.
        let bad = if profile == Profile::SPEC {
            ok(87)
        } else {
            SMB_INVALID
        };
        assert_eq!(call(&s, &op, &[74, 0, b'W', 0, 0, 1, 0], &[], 4), bad);
        let p = queue_req(74, "LASER");
        assert_eq!(call(&s, &op, &p[..p.len() - 1], &[], 4), bad);
    }
}

#[test]
fn status_responses_parse() {
    let r = parse_status_response(&[5, 0, 0, 0], &[]).unwrap();
    assert_eq!(
        (r.status, r.converter, r.extra_params, r.data_len),
        (RapStatus::ERROR_ACCESS_DENIED, 0, 0, 0)
    );
    let r = parse_status_response(&[0, 0, 0, 0, 0, 0, 0, 0], &[1]).unwrap();
    assert_eq!(
        (r.status, r.extra_params, r.data_len),
        (RapStatus::ERROR_SUCCESS, 4, 1)
    );
    let r = parse_status_response(&[0x67, 0x08], &[]).unwrap();
    assert_eq!(r.status, RapStatus::NERR_JOB_NOT_FOUND);
    assert!(parse_status_response(&[0], &[]).is_err());
}
