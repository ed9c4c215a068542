//! The case catalogue, by spec section, and the checks.
//!
//! Buffer sizes are relative to the server's own reference answers: `F` is
//! the level's fixed size (2, 74, 28, 68), `T` its TotalBytesAvailable for
//! the job under test.

use super::{
    check_smb_limits, get_info_params, Context, ExpectProfile, TransReply, TransRequest, LARGE,
};
use crate::codes::{NtStatus, RapStatus};
use crate::rap::commands::net_print_job_get_info::parse_get_info_response;
use crate::rap::descriptor::{job, Descriptor};
use crate::rap::print_job::{queue_name, PrintJobInfo};
use crate::rap::response::parse_response_params;
use crate::rap::structs::{Field, FieldKind};

/// What TotalBytesAvailable must be.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tba {
    /// Not checked.
    Any,
    /// The reference total.
    Total,
    /// The level's fixed size.
    Fixed,
    /// Zero.
    Zero,
    /// Not sent: the parameter block is exactly 4 bytes.
    Absent,
}

/// What the data block must be.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Data {
    /// Not checked.
    Any,
    /// Empty.
    None,
    /// Decodes to exactly the reference structure.
    Full,
    /// MS-RAP 2.5.11: within the limit; every fixed field as in the
    /// reference; each string present (and equal) exactly when it fit after
    /// the ones before it, else offset 0.
    Fit,
    /// Samba: within the limit; fixed fields as in the reference; strings
    /// equal, cut short (a prefix), or absent.
    Cut,
    /// A semantic check on the decoded structure.
    Check(Semantic),
    /// A print-queue check (`conform::queues`).
    Queue(super::queues::QueueData),
}

/// Checks on what the fields mean (3.2.5.7 mapping, 3.2.5.7.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Semantic {
    /// <76>–<78>: the comment is the document name.
    CommentIsDocument,
    /// Samba: levels 2/3 send the comment "Samba".
    CommentIsSamba,
    /// QueueName is pPrinterName after its last backslash.
    QueueNameFromPrinterName,
    /// Samba: PrinterName is empty.
    PrinterNameEmpty,
    /// JobID, position, status, size, time agree with the other levels.
    ConsistentAcrossLevels,
    /// 3.2.5.7.1: JobStatus is a queue state, plus at most PRJ_QS_ERROR.
    StatusIsMapped,
    /// 2.5.11 / 2.5.7.4.2: with room for everything, every string pointer
    /// is set (a NULL source string is sent as an empty string) and
    /// TotalBytesAvailable is exactly the data returned.
    CompleteReply,
}

/// The expected outcome under one profile.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Not applicable or not measured.
    Skip(&'static str),
    /// The SMB transaction fails with this status.
    Smb(NtStatus),
    /// A RAP reply.
    Rap {
        /// Win32ErrorCode.
        status: RapStatus,
        /// What TotalBytesAvailable must be.
        tba: Tba,
        /// What the data block must be.
        data: Data,
    },
    /// SMB success with exactly these response parameter bytes (for
    /// answers too short to parse, e.g. Samba's cut NERR_BufTooSmall).
    Exact {
        /// The whole response parameter block.
        params: &'static [u8],
        /// Whether the data block must be empty (else it is not checked).
        data_empty: bool,
    },
    /// A LAN Manager command's reply (checked by [`super::lanman::check`]).
    Lanman(super::lanman::Want),
}

/// One conformance case.
#[derive(Clone, Debug)]
pub struct Case {
    /// `3.2.5.7/paramdesc-WrLh`.
    pub id: String,
    /// The spec section checked (`2.5.11`, `3.2.5.7`).
    pub section: &'static str,
    /// What the section requires, in a sentence.
    pub clause: &'static str,
    /// The info level the reply is decoded with.
    pub level: Option<u16>,
    /// min(ReceiveBufferSize, MaxDataCount), for [`Data::Fit`] / [`Data::Cut`].
    pub limit: u16,
    /// The transaction to send.
    pub request: TransRequest,
    /// Indexed by [`ExpectProfile`]: spec, windows, samba.
    pub expect: [Expect; 3],
}

const S_251: &str = "2.5.1";
const S_252: &str = "2.5.2";
const S_2511: &str = "2.5.11";
const S_3257: &str = "3.2.5.7";
const S_32571: &str = "3.2.5.7.1";

use Expect::{Rap, Skip, Smb};

const INVALID_PARAMETER: RapStatus = RapStatus::ERROR_INVALID_PARAMETER;
const NOT_SUPPORTED: RapStatus = RapStatus::ERROR_NOT_SUPPORTED;
const SMB_INVALID: Expect = Smb(NtStatus::STATUS_INVALID_PARAMETER);

fn rap(status: RapStatus, tba: Tba, data: Data) -> Expect {
    Rap { status, tba, data }
}

fn ok_full() -> Expect {
    rap(RapStatus::ERROR_SUCCESS, Tba::Total, Data::Full)
}

fn err_no_data(status: RapStatus) -> Expect {
    rap(status, Tba::Any, Data::None)
}

fn samba_refuses() -> Expect {
    rap(NOT_SUPPORTED, Tba::Absent, Data::None)
}

fn fixed_size(level: u16) -> u16 {
    job::for_level(level)
        .and_then(|d| Descriptor(d).fixed_size().ok())
        .unwrap_or(0)
}

struct Builder<'c> {
    ctx: &'c Context,
    cases: Vec<Case>,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id: String,
        section: &'static str,
        clause: &'static str,
        level: Option<u16>,
        params: Vec<u8>,
        mpc: u16,
        mdc: u16,
        limit: u16,
        expect: [Expect; 3],
    ) {
        self.cases.push(Case {
            id,
            section,
            clause,
            level,
            limit,
            request: TransRequest {
                params,
                data: Vec::new(),
                max_parameter_count: mpc,
                max_data_count: mdc,
            },
            expect,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn get_info(
        &mut self,
        id: String,
        section: &'static str,
        clause: &'static str,
        level: u16,
        rbs: u16,
        mdc: u16,
        expect: [Expect; 3],
    ) {
        let params = get_info_params(
            self.ctx.job_id,
            level,
            rbs,
            job::for_level(level).unwrap_or_default(),
        );
        self.push(
            id,
            section,
            clause,
            Some(level),
            params,
            6,
            mdc,
            rbs.min(mdc),
            expect,
        );
    }

    fn raw(
        &mut self,
        id: String,
        section: &'static str,
        clause: &'static str,
        level: Option<u16>,
        params: Vec<u8>,
        expect: [Expect; 3],
    ) {
        self.push(id, section, clause, level, params, 6, LARGE, LARGE, expect);
    }
}

/// The whole catalogue for this context.
pub fn catalogue(ctx: &Context) -> Vec<Case> {
    let mut b = Builder {
        ctx,
        cases: Vec::new(),
    };
    let job_id = ctx.job_id;
    let level2 = |rbs: u16, dd: &[u8]| get_info_params(job_id, 2, rbs, dd);
    let has_ref = |l: u16| {
        ctx.references
            .get(usize::from(l))
            .is_some_and(Option::is_some)
    };

    // ---- 2.5.1 RAP request message ----
    for level in 0..4u16 {
        b.get_info(
            format!("2.5.1/datadesc-per-level-L{level}"),
            S_251,
            "requests with the level's DataDesc are answered (reference request)",
            level,
            LARGE,
            LARGE,
            [ok_full(), ok_full(), ok_full()],
        );
    }
    for level in 0..3u16 {
        let params = get_info_params(job_id, level, LARGE, job::LEVEL_3);
        b.raw(
            format!("2.5.1/datadesc-literal-L{level}"),
            S_251,
            "2.5.7.4.1 DataDesc \"WWzWWDDzzzzzzzzzzlz\" for every level is accepted (<5>: DataDesc not validated)",
            Some(level),
            params,
            [ok_full(), ok_full(), samba_refuses()],
        );
    }
    for (name, dd) in [
        ("empty", &b""[..]),
        ("short", b"WWzWWDDz"),
        ("unknown-char", b"WWzWWJDzz"),
    ] {
        b.raw(
            format!("2.5.1/datadesc-{name}-L2"),
            S_251,
            "<5>/<6>: the server validates ParamDesc only; any DataDesc is accepted",
            Some(2),
            level2(LARGE, dd),
            [ok_full(), ok_full(), samba_refuses()],
        );
    }
    let mut with_aux = level2(LARGE, job::LEVEL_2);
    with_aux.extend_from_slice(b"\x01\x02\x03\x04");
    b.raw(
        "2.5.1/trailing-bytes".into(),
        S_251,
        "AuxDesc MUST NOT be present for NetPrintJobGetInfo: trailing bytes are rejected (spec) or ignored (<6>)",
        Some(2),
        with_aux,
        [err_no_data(INVALID_PARAMETER), ok_full(), ok_full()],
    );
    let mut empty_aux = level2(LARGE, job::LEVEL_2);
    empty_aux.push(0);
    b.raw(
        "2.5.1/empty-auxdesc".into(),
        S_251,
        "an empty AuxDesc (a lone NUL) describes nothing and is accepted",
        Some(2),
        empty_aux,
        [ok_full(), ok_full(), ok_full()],
    );
    let full = level2(LARGE, job::LEVEL_2);
    let len = full.len();
    // Samba never reads ReceiveBufferSize, so it answers when only that is cut.
    for (cut, samba) in [
        (len - 1, ok_full()),
        (len - 2, ok_full()),
        (len - 3, samba_refuses()),
        (len - 4, samba_refuses()),
        (len - 6, samba_refuses()),
        (len - 8, samba_refuses()),
        (8, samba_refuses()),
        (2, samba_refuses()),
    ] {
        b.raw(
            format!("2.5.1/truncated-{cut}"),
            S_251,
            if cut >= len - 6 {
                "RAPParams cut short: the request is rejected, no over-read"
            } else {
                "a descriptor not NUL-terminated inside the message: rejected, no over-read"
            },
            Some(2),
            full.get(..cut).unwrap_or_default().to_vec(),
            [err_no_data(INVALID_PARAMETER), SMB_INVALID, samba],
        );
    }
    for cut in [1usize, 0] {
        b.raw(
            format!("2.5.1/truncated-{cut}"),
            S_251,
            "fewer than 2 parameter bytes (no RAPOpcode): the SMB transaction fails",
            None,
            full.get(..cut).unwrap_or_default().to_vec(),
            [SMB_INVALID, SMB_INVALID, SMB_INVALID],
        );
    }

    // ---- 2.5.2 RAP response message ----
    b.get_info(
        "2.5.2/response-params".into(),
        S_252,
        "response parameters are Win32ErrorCode, Converter, TotalBytesAvailable (6 bytes)",
        2,
        LARGE,
        LARGE,
        [ok_full(), ok_full(), ok_full()],
    );
    b.raw(
        "2.5.2/no-data-on-error".into(),
        S_252,
        "RAPOutData is present only for ERROR_SUCCESS / ERROR_MORE_DATA",
        Some(5),
        get_info_params(job_id, 5, LARGE, b"W"),
        [
            err_no_data(RapStatus::ERROR_INVALID_LEVEL),
            err_no_data(RapStatus::ERROR_INVALID_LEVEL),
            rap(NOT_SUPPORTED, Tba::Absent, Data::None),
        ],
    );

    // ---- 2.5.11 marshaling: every buffer-size boundary, every level ----
    for level in 0..4u16 {
        let Some(r) = ctx
            .references
            .get(usize::from(level))
            .and_then(Option::as_ref)
        else {
            continue;
        };
        let f = fixed_size(level);
        let t = r.total;
        let mut sizes: Vec<(String, u16)> = vec![("0".into(), 0), ("1".into(), 1)];
        for (n, v) in [
            ("fixed-1", f.checked_sub(1)),
            ("fixed", Some(f)),
            ("fixed+1", f.checked_add(1)),
            ("total-1", t.checked_sub(1)),
            ("total", Some(t)),
            ("65535", Some(u16::MAX)),
        ] {
            if let Some(v) = v {
                sizes.push((n.into(), v));
            }
        }
        let mut seen = Vec::new();
        for (name, rbs) in sizes {
            if seen.contains(&rbs) {
                continue;
            }
            seen.push(rbs);
            let (clause, e) = buffer_expect(f, t, rbs, rbs);
            b.get_info(
                format!("2.5.11/L{level}-rbs-{name}"),
                S_2511,
                clause,
                level,
                rbs,
                rbs,
                e,
            );
        }
        // MaxDataCount smaller than ReceiveBufferSize: the smaller wins (2.5.11 + MS-CIFS).
        if let Some(mdc) = f.checked_sub(1).filter(|&m| m > 0) {
            let (_, e) = buffer_expect(f, t, LARGE, mdc);
            b.get_info(
                format!("2.5.11/L{level}-mdc-fixed-1"),
                S_2511,
                "MaxDataCount < ReceiveBufferSize: no more data than MaxDataCount (MS-CIFS 2.2.4.33.1)",
                level,
                LARGE,
                mdc,
                e,
            );
        }
        if t > f {
            let mdc = f + (t - f) / 2;
            let (_, e) = buffer_expect(f, t, LARGE, mdc);
            b.get_info(
                format!("2.5.11/L{level}-mdc-between"),
                S_2511,
                "MaxDataCount between fixed and total: ERROR_MORE_DATA within MaxDataCount",
                level,
                LARGE,
                mdc,
                e,
            );
        }
        // ReceiveBufferSize smaller than MaxDataCount: Samba ignores ReceiveBufferSize (D7).
        if let Some(rbs) = f.checked_sub(1) {
            let (_, [spec, windows, _]) = buffer_expect(f, t, rbs, LARGE);
            b.get_info(
                format!("2.5.11/L{level}-rbs-fixed-1-mdc-large"),
                S_2511,
                "the server MUST NOT return more than ReceiveBufferSize, whatever MaxDataCount",
                level,
                rbs,
                LARGE,
                [spec, windows, ok_full()],
            );
        }
    }

    // ---- 3.2.5.7 NetPrintJobGetInfo ----
    for pd in [&b"WWrL"[..], b"WrLh", b"wwrlh", b"WWrLhh", b"WWrLe", b""] {
        let mut p = Vec::new();
        p.extend_from_slice(&0x4Du16.to_le_bytes());
        p.extend_from_slice(pd);
        p.push(0);
        p.extend_from_slice(job::LEVEL_2);
        p.push(0);
        p.extend_from_slice(&job_id.to_le_bytes());
        p.extend_from_slice(&2u16.to_le_bytes());
        p.extend_from_slice(&LARGE.to_le_bytes());
        b.raw(
            format!("3.2.5.7/paramdesc-{}", if pd.is_empty() { "empty".to_owned() } else { String::from_utf8_lossy(pd).into_owned() }),
            S_3257,
            "step 1: ParamDesc other than \"WWrLh\" → ERROR_INVALID_PARAMETER (SHOULD; <75>: Windows fails the SMB transaction)",
            Some(2),
            p,
            [err_no_data(INVALID_PARAMETER), SMB_INVALID, samba_refuses()],
        );
    }
    for (level, dd, samba) in [
        (
            4u16,
            &b"WWzWWDDzzzzzDDDDDDD"[..],
            rap(RapStatus::ERROR_SUCCESS, Tba::Any, Data::Any),
        ),
        (5, b"W", samba_refuses()),
        (0xFFFF, b"W", samba_refuses()),
    ] {
        b.raw(
            format!("3.2.5.7/level-{level}"),
            S_3257,
            "step 2: InfoLevel not 0-3 → ERROR_INVALID_LEVEL (MUST)",
            None,
            get_info_params(job_id, level, LARGE, dd),
            [
                err_no_data(RapStatus::ERROR_INVALID_LEVEL),
                err_no_data(RapStatus::ERROR_INVALID_LEVEL),
                samba,
            ],
        );
    }
    {
        let mut p = Vec::new();
        p.extend_from_slice(&0x4Du16.to_le_bytes());
        p.extend_from_slice(b"WWrL\0WWzWWDDzzzzzDDDDDDD\0");
        p.extend_from_slice(&job_id.to_le_bytes());
        p.extend_from_slice(&4u16.to_le_bytes());
        p.extend_from_slice(&LARGE.to_le_bytes());
        b.raw(
            "3.2.5.7/paramdesc-before-level".into(),
            S_3257,
            "steps 1 then 2: a bad ParamDesc with a bad level → ERROR_INVALID_PARAMETER",
            None,
            p,
            [err_no_data(INVALID_PARAMETER), SMB_INVALID, samba_refuses()],
        );
    }
    for (name, id) in [("unknown", ctx.unknown_job_id), ("zero", 0)] {
        b.raw(
            format!("3.2.5.7/job-{name}"),
            S_3257,
            "step 3/6: RpcGetJob fails for an unknown or zero JobId → its error, ERROR_INVALID_PARAMETER",
            Some(2),
            get_info_params(id, 2, LARGE, job::LEVEL_2),
            [err_no_data(INVALID_PARAMETER), err_no_data(INVALID_PARAMETER), samba_refuses()],
        );
    }
    // Samba cuts NERR_BufTooSmall's parameters to MaxParameterCount bytes,
    // whatever that leaves (measured: 0 → none, 2 → the status, 5 → half a word).
    for (mpc, samba) in [
        (0u16, &b""[..]),
        (2, b"\x4b\x08"),
        (4, b"\x4b\x08\x00\x00"),
        (5, b"\x4b\x08\x00\x00\x00"),
    ] {
        let params = level2(LARGE, job::LEVEL_2);
        let samba = Expect::Exact {
            params: samba,
            data_empty: true,
        };
        let e = if mpc < 4 {
            [SMB_INVALID, SMB_INVALID, samba]
        } else {
            let s = rap(RapStatus::NERR_BUF_TOO_SMALL, Tba::Absent, Data::None);
            [s, s, samba]
        };
        b.push(
            format!("3.2.5.7/max-parameter-count-{mpc}"),
            S_3257,
            "response parameters never exceed MaxParameterCount (MS-CIFS 2.2.4.33.1)",
            Some(2),
            params,
            mpc,
            LARGE,
            LARGE,
            e,
        );
    }
    for level in 1..4u16 {
        if !has_ref(level) {
            continue;
        }
        let samba = if level == 1 {
            Data::Check(Semantic::CommentIsDocument)
        } else {
            Data::Check(Semantic::CommentIsSamba)
        };
        let ok = |d| rap(RapStatus::ERROR_SUCCESS, Tba::Total, d);
        b.get_info(
            format!("3.2.5.7/comment-is-document-L{level}"),
            S_3257,
            "<76>-<78>: the comment is the JOB_INFO_2 document name",
            level,
            LARGE,
            LARGE,
            [
                ok(Data::Check(Semantic::CommentIsDocument)),
                ok(Data::Check(Semantic::CommentIsDocument)),
                ok(samba),
            ],
        );
        b.get_info(
            format!("3.2.5.7/consistent-L{level}"),
            S_3257,
            "steps 4-7: JobID, position, status, size and time are the same job's at every level",
            level,
            LARGE,
            LARGE,
            [ok(Data::Check(Semantic::ConsistentAcrossLevels)); 3],
        );
    }
    if has_ref(3) {
        let ok = |d| rap(RapStatus::ERROR_SUCCESS, Tba::Total, d);
        b.get_info(
            "3.2.5.7/queue-name-L3".into(),
            S_3257,
            "QueueName is the part of pPrinterName after the backslash; PrinterName is pPrinterName",
            3,
            LARGE,
            LARGE,
            [
                ok(Data::Check(Semantic::QueueNameFromPrinterName)),
                ok(Data::Check(Semantic::QueueNameFromPrinterName)),
                ok(Data::Check(Semantic::PrinterNameEmpty)),
            ],
        );
    }

    // ---- 2.5.11 null strings / 2.5.7.4.2 TotalBytesAvailable on a complete reply ----
    for level in 1..4u16 {
        if !has_ref(level) {
            continue;
        }
        let ok = rap(
            RapStatus::ERROR_SUCCESS,
            Tba::Total,
            Data::Check(Semantic::CompleteReply),
        );
        b.get_info(
            format!("2.5.11/complete-reply-L{level}"),
            S_2511,
            "a null source string is marshaled as an empty string (no zero pointer when everything fits); TotalBytesAvailable = bytes returned",
            level,
            LARGE,
            LARGE,
            [ok, ok, ok],
        );
    }

    // ---- 3.2.5.7.1 status mapping ----
    for level in 1..4u16 {
        let ok = rap(
            RapStatus::ERROR_SUCCESS,
            Tba::Total,
            Data::Check(Semantic::StatusIsMapped),
        );
        b.get_info(
            format!("3.2.5.7.1/status-L{level}"),
            S_32571,
            "JobStatus is PRJ_QS_QUEUED/PAUSED/SPOOLING/PRINTING, plus PRJ_QS_ERROR only",
            level,
            LARGE,
            LARGE,
            [ok, ok, ok],
        );
    }
    // ---- print queues (src/conform/queues.rs): read-only, before control ----
    super::queues::extend(ctx, &mut b.cases);
    // ---- job and queue control (src/conform/control.rs) ----
    b.cases.extend(super::control::cases(ctx));
    b.cases.extend(super::lanman::catalogue(ctx));
    b.cases
}

/// Expectations for a buffer of `rbs` / MaxDataCount `mdc` at a level with
/// fixed size `f` and total `t`.
fn buffer_expect(f: u16, t: u16, rbs: u16, mdc: u16) -> (&'static str, [Expect; 3]) {
    let limit = rbs.min(mdc);
    let spec = if limit < f {
        rap(RapStatus::NERR_BUF_TOO_SMALL, Tba::Total, Data::None)
    } else if limit < t {
        rap(RapStatus::ERROR_MORE_DATA, Tba::Total, Data::Fit)
    } else {
        ok_full()
    };
    // Samba sizes by MaxDataCount only: 0 → 2123 with TotalBytesAvailable 0;
    // below the fixed part → 2151 with TotalBytesAvailable = fixed size.
    let samba = if mdc == 0 {
        rap(RapStatus::NERR_BUF_TOO_SMALL, Tba::Zero, Data::None)
    } else if mdc < f {
        rap(RapStatus::NERR_JOB_NOT_FOUND, Tba::Fixed, Data::None)
    } else if mdc < t {
        rap(RapStatus::ERROR_MORE_DATA, Tba::Total, Data::Cut)
    } else {
        ok_full()
    };
    let clause = if limit < f {
        "no fixed item fits → NERR_BufTooSmall, no data"
    } else if limit < t {
        "ReceiveBufferSize < TotalBytesAvailable → ERROR_MORE_DATA; strings that do not fit get offset 0"
    } else {
        "everything fits → ERROR_SUCCESS with the whole structure"
    };
    (clause, [spec, spec, samba])
}

/// Check a reply against an expectation; every difference, field by field.
pub fn check(ctx: &Context, case: &Case, expect: &Expect, reply: &TransReply) -> Vec<String> {
    let mut d = Vec::new();
    match *expect {
        Skip(_) => {}
        Expect::Lanman(ref w) => return super::lanman::check(ctx, case, w, reply),
        Expect::Exact { params, data_empty } => {
            if reply.smb_status != NtStatus::STATUS_SUCCESS {
                d.push(format!(
                    "smb_status: expected STATUS_SUCCESS, got {:?}",
                    reply.smb_status
                ));
            }
            if reply.params != params {
                d.push(format!(
                    "params: expected {params:02x?}, got {:02x?}",
                    reply.params
                ));
            }
            if data_empty && !reply.data.is_empty() {
                d.push(format!(
                    "data: expected none, got {} bytes",
                    reply.data.len()
                ));
            }
        }
        Smb(status) => {
            if reply.smb_status != status {
                d.push(format!(
                    "smb_status: expected {status:?}, got {:?}",
                    reply.smb_status
                ));
                if let Ok(p) = parse_response_params(&reply.params) {
                    d.push(format!("  (RAP status {})", p.status));
                }
            }
        }
        Rap { status, tba, data } => {
            if reply.smb_status != NtStatus::STATUS_SUCCESS {
                d.push(format!(
                    "smb_status: expected STATUS_SUCCESS and a RAP reply, got {:?}",
                    reply.smb_status
                ));
                return d;
            }
            let p = match parse_response_params(&reply.params) {
                Ok(p) => p,
                Err(e) => {
                    d.push(format!("params: {e}"));
                    return d;
                }
            };
            if p.status != status {
                d.push(format!("status: expected {status}, got {}", p.status));
            }
            check_smb_limits(&case.request, reply, &mut d);
            let reference = case
                .level
                .and_then(|l| ctx.references.get(usize::from(l)))
                .and_then(Option::as_ref);
            let got_tba = p
                .out_params
                .get(..2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]));
            let want_tba = match tba {
                Tba::Any => None,
                Tba::Absent => {
                    if reply.params.len() != 4 {
                        d.push(format!(
                            "params: expected 4 bytes (no TotalBytesAvailable), got {}",
                            reply.params.len()
                        ));
                    }
                    None
                }
                Tba::Zero => Some(0),
                Tba::Fixed => case.level.map(fixed_size),
                Tba::Total => reference.map(|r| r.total),
            };
            if let Some(w) = want_tba {
                if got_tba != Some(w) {
                    d.push(format!(
                        "TotalBytesAvailable: expected {w}, got {got_tba:?}"
                    ));
                }
            }
            check_data(ctx, case, data, reply, &mut d);
        }
    }
    d
}

fn check_data(ctx: &Context, case: &Case, data: Data, reply: &TransReply, d: &mut Vec<String>) {
    if data == Data::Any {
        return;
    }
    if data == Data::None {
        if !reply.data.is_empty() {
            d.push(format!(
                "data: expected none, got {} bytes",
                reply.data.len()
            ));
        }
        return;
    }
    if let Data::Queue(q) = data {
        d.extend(super::queues::check(ctx, q, reply));
        return;
    }
    let Some(level) = case.level else { return };
    let Some(reference) = ctx
        .references
        .get(usize::from(level))
        .and_then(Option::as_ref)
    else {
        d.push(format!("no level-{level} reference to compare with"));
        return;
    };
    if matches!(data, Data::Fit | Data::Cut) && reply.data.len() > usize::from(case.limit) {
        d.push(format!(
            "data: {} bytes exceed the limit {}",
            reply.data.len(),
            case.limit
        ));
    }
    let got = match parse_get_info_response(level, &reply.params, &reply.data, &ctx.code_page) {
        Ok(r) => match r.info {
            Some(i) => i,
            None => {
                d.push("data: no structure came back".into());
                return;
            }
        },
        Err(e) => {
            d.push(format!("data: {e}"));
            return;
        }
    };
    let Some(want) = reference.info.as_ref() else {
        return;
    };
    match data {
        Data::Full => {
            if reply.data.len() != reference.reply.data.len() {
                d.push(format!(
                    "data: {} bytes, the reference had {}",
                    reply.data.len(),
                    reference.reply.data.len()
                ));
            }
            d.extend(field_diff(want, &got, "", ""));
        }
        Data::Fit => {
            let fit = greedy_fit(want, case.limit, &ctx.code_page);
            let (mut wf, mut gf) = (flatten(want), flatten(&got));
            // Pointer fields (not the fixed-width B fields) in marshaling order.
            let mut fits = fit.iter().copied();
            for ((_, w), pointer) in wf.iter_mut().zip(pointers(want)) {
                if pointer && !fits.next().unwrap_or(false) {
                    match w {
                        FieldVal::Str(s) => *s = None,
                        FieldVal::Bytes(b) => *b = None,
                        FieldVal::Num(_) => {}
                    }
                }
            }
            gf.truncate(wf.len());
            for ((name, w), (_, g)) in wf.iter().zip(gf.iter()) {
                if w != g {
                    d.push(format!("{name}: expected {w}, got {g}"));
                }
            }
        }
        Data::Cut => {
            for ((name, w), (_, g)) in flatten(want).iter().zip(flatten(&got).iter()) {
                match (w, g) {
                    (FieldVal::Str(Some(ws)), FieldVal::Str(Some(gs)))
                        if ws.starts_with(gs.as_str()) => {}
                    (FieldVal::Str(_), FieldVal::Str(None))
                    | (FieldVal::Bytes(_), FieldVal::Bytes(None)) => {}
                    _ if w == g => {}
                    _ => d.push(format!(
                        "{name}: expected {w} (or a prefix, or absent), got {g}"
                    )),
                }
            }
        }
        Data::Check(Semantic::CompleteReply) => {
            for (name, v) in flatten(&got) {
                if v == FieldVal::Str(None) {
                    d.push(format!("{name}: offset 0 although everything fits (a NULL source string must be sent as \"\")"));
                }
            }
            let tba = reply
                .params
                .get(4..6)
                .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])));
            if tba != Some(reply.data.len()) {
                d.push(format!(
                    "TotalBytesAvailable {tba:?} is not the {} bytes returned",
                    reply.data.len()
                ));
            }
        }
        Data::Check(s) => d.extend(semantic(ctx, level, s, &got)),
        Data::Any | Data::None | Data::Queue(_) => {}
    }
}

/// Which strings (and `l` buffers) fit, in marshaling order, when each is
/// placed if it fits after the fixed part and the ones before it.
fn greedy_fit(info: &PrintJobInfo<'_>, limit: u16, cp: &crate::oem::OemCodePage) -> Vec<bool> {
    let mut room = usize::from(limit).saturating_sub(usize::from(info.meta().fixed_size));
    let mut out = Vec::new();
    for f in &info.fields() {
        let len = match *f {
            Field::Str(Some(s)) => Some(cp.encoded_len(s).saturating_add(1)),
            Field::Str(None) | Field::LenBuf(None) => Some(usize::MAX),
            Field::LenBuf(Some(b)) => Some(b.len()),
            _ => None,
        };
        if let Some(len) = len {
            let fits = len <= room;
            if fits {
                room -= len;
            }
            out.push(fits);
        }
    }
    out
}

/// A field value for comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldVal {
    /// `W`, `D`, `B` or `N`: a number.
    Num(u64),
    /// A `z` string (`None` for a zero pointer) or a `B`n fixed-width one.
    Str(Option<String>),
    /// A buffer (`l`, `b`n), `None` for a zero pointer.
    Bytes(Option<Vec<u8>>),
}

impl std::fmt::Display for FieldVal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldVal::Num(n) => write!(f, "{n}"),
            FieldVal::Str(Some(s)) => write!(f, "{s:?}"),
            FieldVal::Str(None) | FieldVal::Bytes(None) => write!(f, "absent (offset 0)"),
            FieldVal::Bytes(Some(b)) => write!(f, "{b:02x?}"),
        }
    }
}

/// Every field of a PrintJobInfo but its pads, by its spec name
/// (snake_case), from the structure's declaration.
pub fn flatten(info: &PrintJobInfo<'_>) -> Vec<(&'static str, FieldVal)> {
    info.fields()
        .iter()
        .zip(info.meta().fields)
        .filter(|(_, m)| m.kind != FieldKind::Pad)
        .map(|(f, m)| {
            let v = match *f {
                Field::Word(n) | Field::AuxCount(n) => FieldVal::Num(n.into()),
                Field::Byte(n) => FieldVal::Num(n.into()),
                Field::DWord(n) => FieldVal::Num(n.into()),
                Field::Fixed(s) => FieldVal::Str(Some(s.to_owned())),
                Field::Str(s) => FieldVal::Str(s.map(str::to_owned)),
                Field::LenBuf(b) => FieldVal::Bytes(b.map(<[u8]>::to_vec)),
            };
            (m.name, v)
        })
        .collect()
}

/// Whether each flattened field is a pointer (`z`, `l`), in [`flatten`]'s order.
fn pointers(info: &PrintJobInfo<'_>) -> Vec<bool> {
    info.meta()
        .fields
        .iter()
        .filter(|m| m.kind != FieldKind::Pad)
        .map(|m| m.is_pointer())
        .collect()
}

/// Field-by-field differences between two structures of one level.
pub(crate) fn field_diff(
    want: &PrintJobInfo<'_>,
    got: &PrintJobInfo<'_>,
    want_label: &str,
    got_label: &str,
) -> Vec<String> {
    let (w, g) = (flatten(want), flatten(got));
    let (wl, gl) = (
        if want_label.is_empty() {
            "expected"
        } else {
            want_label
        },
        if got_label.is_empty() {
            "got"
        } else {
            got_label
        },
    );
    if w.len() != g.len() {
        return vec![format!(
            "level: {wl} {}, {gl} {}",
            want.level(),
            got.level()
        )];
    }
    w.iter()
        .zip(g.iter())
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, b)| format!("{}: {wl} {}, {gl} {}", a.0, a.1, b.1))
        .collect()
}

fn get<'v>(fields: &'v [(&'static str, FieldVal)], name: &str) -> Option<&'v FieldVal> {
    fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
}

fn semantic(ctx: &Context, level: u16, s: Semantic, got: &PrintJobInfo<'_>) -> Vec<String> {
    let f = flatten(got);
    let mut d = Vec::new();
    let doc_l2 = ctx
        .references
        .get(2)
        .and_then(Option::as_ref)
        .and_then(|r| r.info.as_ref())
        .map(flatten);
    match s {
        Semantic::CommentIsDocument => {
            let (comment, doc) = if level == 1 {
                (
                    get(&f, "job_comment_string"),
                    doc_l2.as_deref().and_then(|x| get(x, "document_name")),
                )
            } else {
                (get(&f, "comment"), get(&f, "document_name"))
            };
            if comment != doc {
                d.push(format!(
                    "comment: expected the document name {}, got {}",
                    show(doc),
                    show(comment)
                ));
            }
        }
        Semantic::CommentIsSamba => {
            let want = FieldVal::Str(Some("Samba".into()));
            if get(&f, "comment") != Some(&want) {
                d.push(format!(
                    "comment: expected \"Samba\", got {}",
                    show(get(&f, "comment"))
                ));
            }
        }
        Semantic::QueueNameFromPrinterName => {
            if let (Some(FieldVal::Str(q)), Some(FieldVal::Str(p))) =
                (get(&f, "queue_name"), get(&f, "printer_name"))
            {
                let want = p.as_deref().map(queue_name);
                if q.as_deref() != want {
                    d.push(format!(
                        "queue_name: expected {want:?} (from printer_name {p:?}), got {q:?}"
                    ));
                }
            }
        }
        Semantic::PrinterNameEmpty => {
            if get(&f, "printer_name") != Some(&FieldVal::Str(Some(String::new()))) {
                d.push(format!(
                    "printer_name: expected \"\", got {}",
                    show(get(&f, "printer_name"))
                ));
            }
        }
        Semantic::ConsistentAcrossLevels => {
            if get(&f, "job_id") != Some(&FieldVal::Num(ctx.job_id.into())) {
                d.push(format!(
                    "job_id: expected {}, got {}",
                    ctx.job_id,
                    show(get(&f, "job_id"))
                ));
            }
            for other in 1..4u16 {
                if other == level {
                    continue;
                }
                let Some(o) = ctx
                    .references
                    .get(usize::from(other))
                    .and_then(Option::as_ref)
                    .and_then(|r| r.info.as_ref())
                else {
                    continue;
                };
                let of = flatten(o);
                for name in [
                    "job_position",
                    "job_status",
                    "time_submitted",
                    "job_size",
                    "priority",
                ] {
                    if let (Some(a), Some(b)) = (get(&f, name), get(&of, name)) {
                        if a != b {
                            d.push(format!(
                                "{name}: level {level} says {a}, level {other} says {b}"
                            ));
                        }
                    }
                }
            }
        }
        Semantic::CompleteReply => {}
        Semantic::StatusIsMapped => {
            if let Some(FieldVal::Num(st)) = get(&f, "job_status") {
                if st & !0x13 != 0 {
                    d.push(format!(
                        "job_status: {st:#06x} has bits other than a queue state and PRJ_QS_ERROR"
                    ));
                }
            }
        }
    }
    d
}

fn show(v: Option<&FieldVal>) -> String {
    v.map_or_else(|| "nothing".into(), |v| v.to_string())
}

/// The profile names in the order of [`Case::expect`].
pub fn profile_of(i: usize) -> ExpectProfile {
    ExpectProfile::ALL
        .get(i)
        .copied()
        .unwrap_or(ExpectProfile::Spec)
}
