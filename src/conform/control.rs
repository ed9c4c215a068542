//! Conformance cases for the job and queue control commands: NetPrintJobDel,
//! Pause, Continue (MS-RAP 3.2.5.8–3.2.5.10), NetPrintJobSetInfo (3.2.5.6)
//! and NetPrintQPause / Continue / Purge (not in MS-RAP: Samba's
//! `api_WPrintQueueCtrl`, section `queue-control`).
//!
//! Every case leaves the server as it found it: the cases that reach the
//! spooler name a job or queue that does not exist, or one the anonymous
//! session the suite runs as may not change (queue control always needs an
//! operator). What an allowed change does is checked with real clients
//! (`tests/interop_control.rs`) and in process (`tests/control_commands.rs`).

use super::cases::{Case, Data, Expect, Tba};
use super::{Context, TransRequest};
use crate::codes::{NtStatus, RapStatus};
use crate::rap::commands::net_print_job_continue::PrintJobContinueRequest;
use crate::rap::commands::net_print_job_del::PrintJobDeleteRequest;
use crate::rap::commands::net_print_job_pause::PrintJobPauseRequest;
use crate::rap::commands::net_print_job_set_info::{PrintJobSetInfoRequest, PARAM_NUM_JOB_COMMENT};
use crate::rap::commands::net_print_q_continue::PrintQContinueRequest;
use crate::rap::commands::net_print_q_pause::PrintQPauseRequest;
use crate::rap::commands::net_print_q_purge::PrintQPurgeRequest;
use crate::rap::descriptor::job;

/// A queue name no server in the tests has.
pub(crate) const UNKNOWN_QUEUE: &str = "NOSUCHQ";

const SMB_INVALID: Expect = Expect::Smb(NtStatus::STATUS_INVALID_PARAMETER);

/// A RAP reply with this status, four parameter bytes and no data.
fn only(status: RapStatus) -> Expect {
    Expect::Rap {
        status,
        tba: Tba::Absent,
        data: Data::None,
    }
}

const fn code(n: u16) -> RapStatus {
    RapStatus(n)
}

fn case(
    id: String,
    section: &'static str,
    clause: &'static str,
    params: Vec<u8>,
    data: Vec<u8>,
    mpc: u16,
    expect: [Expect; 3],
) -> Case {
    Case {
        id,
        section,
        clause,
        level: None,
        limit: 0,
        request: TransRequest {
            params,
            data,
            max_parameter_count: mpc,
            max_data_count: 0,
        },
        expect,
    }
}

/// `opcode ParamDesc \0 DataDesc \0 rest` as raw bytes.
fn raw(opcode: u16, param_desc: &[u8], data_desc: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut v = opcode.to_le_bytes().to_vec();
    v.extend_from_slice(param_desc);
    v.push(0);
    v.extend_from_slice(data_desc);
    v.push(0);
    v.extend_from_slice(rest);
    v
}

/// The control cases for this context.
pub fn cases(ctx: &Context) -> Vec<Case> {
    let mut out = Vec::new();
    let unknown = ctx.unknown_job_id;
    let invalid = only(RapStatus::ERROR_INVALID_PARAMETER);
    let samba_refuses = only(RapStatus::ERROR_NOT_SUPPORTED);
    let bad_param_desc = [invalid, SMB_INVALID, samba_refuses];

    // ---- 3.2.5.8–3.2.5.10: NetPrintJobDel, Pause, Continue ----
    type Encode = fn(u16, &mut Vec<u8>);
    let jobs: [(&'static str, u16, Encode); 3] = [
        ("3.2.5.8", 81, |id, v| {
            PrintJobDeleteRequest { job_id: id }.encode(b"", v)
        }),
        ("3.2.5.9", 82, |id, v| {
            PrintJobPauseRequest { job_id: id }.encode(b"", v)
        }),
        ("3.2.5.10", 83, |id, v| {
            PrintJobContinueRequest { job_id: id }.encode(b"", v)
        }),
    ];
    for (section, opcode, encode) in jobs {
        let req = |id: u16| {
            let mut v = Vec::new();
            encode(id, &mut v);
            v
        };
        // Samba knows only the RAP job ids it handed out and refuses the
        // rest before the spooler (rap_to_pjobid: NERR_notsupported).
        out.push(case(
            format!("{section}/unknown-job"),
            section,
            "RpcSetJob on a job that does not exist: ERROR_INVALID_PARAMETER, four bytes, no data",
            req(unknown),
            Vec::new(),
            4,
            [invalid, invalid, samba_refuses],
        ));
        out.push(case(
            format!("{section}/job-zero"),
            section,
            "JobID 0 (RpcSetJob: JobId MUST NOT be zero): ERROR_INVALID_PARAMETER",
            req(0),
            Vec::new(),
            4,
            [invalid, invalid, samba_refuses],
        ));
        for (pd_name, pd) in [("WW", &b"WW"[..]), ("w", b"w"), ("empty", b""), ("z", b"z")] {
            let mut rest = unknown.to_le_bytes().to_vec();
            if pd == b"WW" {
                rest.extend_from_slice(&[0, 0]);
            }
            out.push(case(
                format!("{section}/paramdesc-{pd_name}"),
                section,
                "ParamDesc not \"W\": ERROR_INVALID_PARAMETER (spec) or a failed transaction (<79>-<81>)",
                raw(opcode, pd, b"", &rest),
                Vec::new(),
                4,
                bad_param_desc,
            ));
        }
        let full = req(unknown);
        for cut in [1usize, 2] {
            out.push(case(
                format!("{section}/truncated-{cut}"),
                section,
                "JobID cut short: rejected, no over-read",
                full.get(..full.len().saturating_sub(cut))
                    .unwrap_or_default()
                    .to_vec(),
                Vec::new(),
                4,
                bad_param_desc,
            ));
        }
        let mut trailing = full.clone();
        trailing.extend_from_slice(b"W\0");
        out.push(case(
            format!("{section}/trailing-bytes"),
            section,
            "an AuxDesc where none is defined: rejected (spec); Windows ignores it and finds no job",
            trailing,
            Vec::new(),
            4,
            [invalid, invalid, samba_refuses],
        ));
        out.push(case(
            format!("{section}/max-parameter-count-3"),
            section,
            "MaxParameterCount 3 cannot hold Win32ErrorCode and Converter: the transaction fails",
            full.clone(),
            Vec::new(),
            3,
            // Samba sends its four-byte NERR_notsupported whatever
            // MaxParameterCount says (measured).
            [
                SMB_INVALID,
                SMB_INVALID,
                Expect::Exact {
                    params: b"\x32\x00\x00\x00",
                    data_empty: true,
                },
            ],
        ));
    }

    // ---- 3.2.5.6: NetPrintJobSetInfo ----
    const S_SET: &str = "3.2.5.6";
    let set_info = |id: u16, level: u16, size: u16, pn: u16| {
        let mut v = Vec::new();
        PrintJobSetInfoRequest {
            job_id: id,
            level,
            buffer_size: size,
            param_num: pn,
        }
        .encode(job::LEVEL_1, &mut v);
        v
    };
    let doc = b"msrap.txt\0".to_vec();
    let size = u16::try_from(doc.len()).unwrap_or(u16::MAX);
    for level in [0u16, 2, 4] {
        // Samba: the DataDesc must be the level's job structure.
        out.push(case(
            format!("{S_SET}/level-{level}"),
            S_SET,
            "InfoLevel other than 1 or 3: ERROR_INVALID_LEVEL (MUST)",
            set_info(ctx.job_id, level, size, PARAM_NUM_JOB_COMMENT),
            doc.clone(),
            4,
            [
                only(RapStatus::ERROR_INVALID_LEVEL),
                only(RapStatus::ERROR_INVALID_LEVEL),
                samba_refuses,
            ],
        ));
    }
    out.push(case(
        format!("{S_SET}/level-3"),
        S_SET,
        "InfoLevel 3: ERROR_NOT_SUPPORTED (SHOULD; <74>)",
        set_info(ctx.job_id, 3, size, PARAM_NUM_JOB_COMMENT),
        doc.clone(),
        4,
        [samba_refuses, samba_refuses, samba_refuses],
    ));
    for pn in [1u16, 6, 7, 12] {
        out.push(case(
            format!("{S_SET}/param-num-{pn}"),
            S_SET,
            "ParamNum other than JobComment: ERROR_NOT_SUPPORTED (SHOULD)",
            set_info(ctx.job_id, 1, size, pn),
            doc.clone(),
            4,
            [samba_refuses, samba_refuses, samba_refuses],
        ));
    }
    out.push(case(
        format!("{S_SET}/unknown-job"),
        S_SET,
        "RpcGetJob on a job that does not exist: ERROR_INVALID_PARAMETER",
        set_info(unknown, 1, size, PARAM_NUM_JOB_COMMENT),
        doc.clone(),
        4,
        [invalid, invalid, samba_refuses],
    ));
    out.push(case(
        format!("{S_SET}/data-not-a-string"),
        S_SET,
        "RAPInData MUST be a null-terminated string: without a NUL, ERROR_INVALID_PARAMETER (msrap)",
        set_info(ctx.job_id, 1, 3, PARAM_NUM_JOB_COMMENT),
        b"abc".to_vec(),
        4,
        // Samba reads ParamNum at offset 4, where BufferSize (3) is.
        [invalid, invalid, samba_refuses],
    ));
    let mut bad = set_info(ctx.job_id, 1, size, PARAM_NUM_JOB_COMMENT);
    if let Some(b) = bad.get_mut(2) {
        *b = b'w';
    }
    out.push(case(
        format!("{S_SET}/paramdesc-wWsTP"),
        S_SET,
        "ParamDesc not \"WWsTP\": ERROR_INVALID_PARAMETER (spec) or a failed transaction (<73>)",
        bad,
        doc.clone(),
        4,
        bad_param_desc,
    ));
    let full = set_info(ctx.job_id, 1, size, PARAM_NUM_JOB_COMMENT);
    out.push(case(
        format!("{S_SET}/truncated"),
        S_SET,
        "RAPParams cut short (no ParamNum): rejected, no over-read",
        full.get(..full.len().saturating_sub(2))
            .unwrap_or_default()
            .to_vec(),
        doc,
        4,
        [invalid, SMB_INVALID, samba_refuses],
    ));

    // ---- queue control (Samba api_WPrintQueueCtrl; not in MS-RAP) ----
    const S_Q: &str = "queue-control";
    type EncodeQ = fn(&[u8], &mut Vec<u8>);
    let queues: [(&str, EncodeQ); 3] = [
        ("pause", |q, v| {
            PrintQPauseRequest { queue: q }.encode(b"", v)
        }),
        ("continue", |q, v| {
            PrintQContinueRequest { queue: q }.encode(b"", v)
        }),
        ("purge", |q, v| {
            PrintQPurgeRequest { queue: q }.encode(b"", v)
        }),
    ];
    for (name, encode) in queues {
        let req = |q: &str| {
            let mut v = Vec::new();
            encode(q.as_bytes(), &mut v);
            v
        };
        out.push(case(
            format!("{S_Q}/{name}-unknown-queue"),
            S_Q,
            "RpcOpenPrinter on a queue that does not exist: ERROR_INVALID_PRINTER_NAME (1801)",
            req(UNKNOWN_QUEUE),
            Vec::new(),
            4,
            [only(code(1801)), only(code(1801)), only(code(1801))],
        ));
        if let Some(q) = &ctx.queue {
            out.push(case(
                format!("{S_Q}/{name}-anonymous"),
                S_Q,
                "queue control needs an operator; an anonymous session is none: ERROR_ACCESS_DENIED",
                req(q),
                Vec::new(),
                4,
                [
                    only(RapStatus::ERROR_ACCESS_DENIED),
                    only(RapStatus::ERROR_ACCESS_DENIED),
                    only(RapStatus::ERROR_ACCESS_DENIED),
                ],
            ));
        }
        let opcode = u16::from_le_bytes([req("")[0], req("")[1]]);
        out.push(case(
            format!("{S_Q}/{name}-paramdesc-W"),
            S_Q,
            "ParamDesc not \"z\": rejected as for MS-RAP's commands",
            raw(opcode, b"W", b"", &[1, 0]),
            Vec::new(),
            4,
            bad_param_desc,
        ));
        let full = req(UNKNOWN_QUEUE);
        out.push(case(
            format!("{S_Q}/{name}-name-not-terminated"),
            S_Q,
            "a queue name without its NUL: rejected, no over-read",
            full.get(..full.len().saturating_sub(1))
                .unwrap_or_default()
                .to_vec(),
            Vec::new(),
            4,
            bad_param_desc,
        ));
    }
    out
}
