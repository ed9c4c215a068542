//! Conformance cases for the print-queue commands: NetPrintQEnum (MS-RAP
//! 2.5.7.1, 3.2.5.4), NetPrintQGetInfo (2.5.7.2, 3.2.5.5), the PrintQueue
//! structures (2.5.7.8) and the queue status mapping (3.2.5.4.1).
//!
//! The cases query the queue named in [`Context::queue`]; buffer sizes are
//! relative to the server's own level-2 answer for it
//! ([`Context::queue_reference`]), so they run against any queue set.

use super::cases::{Case, Data, Expect};
use super::{Context, TransReply, TransRequest, LARGE};
use crate::codes::{NtStatus, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::commands::net_print_q_enum::{
    parse_q_enum_response, q_enum_request, SPEC_AUX_DESC,
};
use crate::rap::commands::net_print_q_get_info::{parse_q_get_info_response, q_get_info_request};
use crate::rap::print_job::PrintJobInfo2;
use crate::rap::print_queue::{PrintQueueInfo, PRQ_PENDING};
use crate::rap::response::parse_response_params;
use crate::smb1::client::Transport;

/// The queue under test, from a large-buffer NetPrintQGetInfo level 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueReference {
    /// TotalBytesAvailable of the level-2 reply.
    pub total: u16,
    /// The jobs that followed the queue.
    pub jobs: u16,
}

/// Fetch the [`QueueReference`] of `queue`.
pub async fn reference<T: Transport>(
    t: &mut T,
    queue: &str,
    cp: &OemCodePage,
) -> Option<QueueReference> {
    let reply = t
        .transact(&TransRequest {
            params: q_get_info_request(queue.as_bytes(), 2, LARGE, Some(SPEC_AUX_DESC)),
            data: Vec::new(),
            max_parameter_count: 6,
            max_data_count: LARGE,
        })
        .await
        .ok()?;
    let r = parse_q_get_info_response(2, &reply.params, &reply.data, cp).ok()?;
    let q = r.queue.filter(|_| r.status == RapStatus::ERROR_SUCCESS)?;
    Some(QueueReference {
        total: r.total_bytes_available?,
        jobs: u16::try_from(q.jobs.len()).ok()?,
    })
}

/// What a queue case checks in the reply (with [`Data::Queue`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum QueueData {
    /// NetPrintQEnum: every queue returned (EntriesReturned =
    /// EntriesAvailable), the queue under test among them, each parsed with
    /// its auxiliary structures.
    EnumAll(u16),
    /// Samba: EntriesReturned one below EntriesAvailable (`succnt = i`).
    EnumOneShort(u16),
    /// NetPrintQEnum level 1: every PrintQStatus is PRQ_ACTIVE..PRQ_PENDING
    /// (3.2.5.4.1).
    StatusMapped,
    /// NetPrintQEnum level 0: every PrintQName NUL-terminated within its 13
    /// bytes and NUL-padded (2.5.7.8).
    B13Names,
    /// NetPrintQGetInfo: the queue under test, whole: TotalBytesAvailable =
    /// the data returned; at levels 2 and 4 its PrintJobCount jobs follow.
    Queue(u16),
}

const S_2578: &str = "2.5.7.8";
const S_25721: &str = "2.5.7.2.1";
const S_3254: &str = "3.2.5.4";
const S_32541: &str = "3.2.5.4.1";
const S_3255: &str = "3.2.5.5";

const INVALID_PARAMETER: RapStatus = RapStatus::ERROR_INVALID_PARAMETER;
const SMB_INVALID: Expect = Expect::Smb(NtStatus::STATUS_INVALID_PARAMETER);

fn rap(status: RapStatus, data: Data) -> Expect {
    Expect::Rap {
        status,
        tba: super::cases::Tba::Any,
        data,
    }
}

fn ok(q: QueueData) -> Expect {
    rap(RapStatus::ERROR_SUCCESS, Data::Queue(q))
}

fn no_data(status: RapStatus) -> Expect {
    rap(status, Data::None)
}

/// Samba's answer to a request it refuses: NERR_notsupported, 4 bytes.
fn samba_refuses() -> Expect {
    Expect::Rap {
        status: RapStatus::ERROR_NOT_SUPPORTED,
        tba: super::cases::Tba::Absent,
        data: Data::None,
    }
}

#[allow(clippy::too_many_arguments)]
fn case(
    cases: &mut Vec<Case>,
    id: String,
    section: &'static str,
    clause: &'static str,
    params: Vec<u8>,
    mpc: u16,
    mdc: u16,
    expect: [Expect; 3],
) {
    cases.push(Case {
        id,
        section,
        clause,
        level: None,
        limit: mdc,
        request: TransRequest {
            params,
            data: Vec::new(),
            max_parameter_count: mpc,
            max_data_count: mdc,
        },
        expect,
    });
}

/// The AuxDesc a client sends for `level`: MS-RAP's PrintJobInfo1 string
/// at level 2, PrintJobInfo2's at level 4 (what servers answer, D15).
fn aux(level: u16) -> Option<&'static [u8]> {
    match level {
        2 => Some(SPEC_AUX_DESC),
        4 => Some(PrintJobInfo2::DESCRIPTOR),
        _ => None,
    }
}

/// Append the queue cases for this context (none without a queue).
#[allow(clippy::too_many_lines)]
pub fn extend(ctx: &Context, cases: &mut Vec<Case>) {
    let Some(queue) = ctx.queue.as_deref() else {
        return;
    };
    let qb = queue.as_bytes();

    // ---- 3.2.5.4 NetPrintQEnum ----
    for level in 0..6u16 {
        case(
            cases,
            format!("3.2.5.4/enum-L{level}"),
            S_3254,
            "levels 0-5: every shared queue (EntriesReturned = EntriesAvailable), levels 2 and 4 each followed by its jobs",
            q_enum_request(level, LARGE, aux(level)),
            8,
            LARGE,
            [
                ok(QueueData::EnumAll(level)),
                ok(QueueData::EnumAll(level)),
                ok(QueueData::EnumOneShort(level)),
            ],
        );
    }
    case(
        cases,
        "3.2.5.4/enum-L4-spec-auxdesc".into(),
        S_3254,
        "level 4 with MS-RAP's AuxDesc \"WB21BB16B10zWWzDDz\" (2.5.7.1.1): answered with PrintJobInfo2 (D15: the AuxDesc is not validated, <19>)",
        q_enum_request(4, LARGE, Some(SPEC_AUX_DESC)),
        8,
        LARGE,
        [
            ok(QueueData::EnumAll(4)),
            ok(QueueData::EnumAll(4)),
            no_data(RapStatus::ERROR_INVALID_LEVEL),
        ],
    );
    case(
        cases,
        "3.2.5.4.1/status".into(),
        S_32541,
        "PrintQStatus is PRQ_ACTIVE, PRQ_PAUSE, PRQ_ERROR or PRQ_PENDING",
        q_enum_request(1, LARGE, None),
        8,
        LARGE,
        [
            ok(QueueData::StatusMapped),
            ok(QueueData::StatusMapped),
            ok(QueueData::StatusMapped),
        ],
    );
    case(
        cases,
        "2.5.7.8/b13-names".into(),
        S_2578,
        "PrintQName: NUL-terminated, NUL-padded to 13 bytes; longer names are not enumerated",
        q_enum_request(0, LARGE, None),
        8,
        LARGE,
        [
            ok(QueueData::B13Names),
            ok(QueueData::B13Names),
            ok(QueueData::B13Names),
        ],
    );
    for level in [6u16, 52] {
        let mut p = q_enum_request(level, LARGE, None);
        // DataDesc "K" (Samba's level 51) so the request is well formed.
        p.splice(8..8, *b"K");
        case(
            cases,
            format!("3.2.5.4/level-{level}"),
            S_3254,
            "InfoLevel not 0-5 → ERROR_INVALID_LEVEL (MUST)",
            p,
            8,
            LARGE,
            [
                no_data(RapStatus::ERROR_INVALID_LEVEL),
                no_data(RapStatus::ERROR_INVALID_LEVEL),
                no_data(RapStatus::ERROR_INVALID_LEVEL),
            ],
        );
    }
    {
        let mut p = q_enum_request(0, LARGE, None);
        // "WrLeh" → "WrLe": the EntriesAvailable word missing.
        p.remove(6);
        case(
            cases,
            "3.2.5.4/paramdesc-WrLe".into(),
            S_3254,
            "ParamDesc other than \"WrLeh\" → ERROR_INVALID_PARAMETER (SHOULD; <71>: Windows fails the SMB transaction)",
            p,
            8,
            LARGE,
            [no_data(INVALID_PARAMETER), SMB_INVALID, samba_refuses()],
        );
    }
    case(
        cases,
        "3.2.5.4/no-room".into(),
        S_3254,
        "2.5.11: not even the first queue with its jobs fits → NERR_BufTooSmall, no data",
        q_enum_request(2, 1, Some(SPEC_AUX_DESC)),
        8,
        1,
        [
            no_data(RapStatus::NERR_BUF_TOO_SMALL),
            no_data(RapStatus::NERR_BUF_TOO_SMALL),
            no_data(RapStatus::NERR_BUF_TOO_SMALL),
        ],
    );

    // ---- 3.2.5.5 NetPrintQGetInfo ----
    for level in 0..6u16 {
        case(
            cases,
            format!("3.2.5.5/L{level}"),
            S_3255,
            "the named queue at levels 0-5; TotalBytesAvailable = the bytes returned; levels 2 and 4: PrintJobCount jobs follow",
            q_get_info_request(qb, level, LARGE, aux(level)),
            6,
            LARGE,
            [
                ok(QueueData::Queue(level)),
                ok(QueueData::Queue(level)),
                ok(QueueData::Queue(level)),
            ],
        );
    }
    let mut user = qb.to_vec();
    user.extend_from_slice(b"%someone");
    case(
        cases,
        "3.2.5.5/name-percent-user".into(),
        S_3255,
        "Win9x's QUEUE%user names the queue QUEUE (SPEC_NOTES PQ4)",
        q_get_info_request(&user, 1, LARGE, None),
        6,
        LARGE,
        [
            ok(QueueData::Queue(1)),
            ok(QueueData::Queue(1)),
            ok(QueueData::Queue(1)),
        ],
    );
    for (name, id, samba) in [
        (
            &b"NO-SUCH-Q"[..],
            "unknown",
            no_data(RapStatus::ERROR_INVALID_PRINTER_NAME),
        ),
        (b"", "empty", no_data(INVALID_PARAMETER)),
    ] {
        case(
            cases,
            format!("3.2.5.5/name-{id}"),
            S_3255,
            "no queue with that PrintQName → NERR_QNotFound (MUST)",
            q_get_info_request(name, 1, LARGE, None),
            6,
            LARGE,
            [
                no_data(RapStatus::NERR_Q_NOT_FOUND),
                no_data(RapStatus::NERR_Q_NOT_FOUND),
                samba,
            ],
        );
    }
    if let Some(r) = &ctx.queue_reference {
        let whole = 44 + 74 * r.jobs;
        for (name, limit, spec, samba) in [
            (
                "total-1",
                r.total.saturating_sub(1),
                no_data(RapStatus::NERR_BUF_TOO_SMALL),
                rap(RapStatus::ERROR_MORE_DATA, Data::Any),
            ),
            (
                "fixed-with-jobs-1",
                whole.saturating_sub(1),
                no_data(RapStatus::NERR_BUF_TOO_SMALL),
                no_data(RapStatus::NERR_BUF_TOO_SMALL),
            ),
            (
                "total",
                r.total,
                ok(QueueData::Queue(2)),
                ok(QueueData::Queue(2)),
            ),
        ] {
            case(
                cases,
                format!("3.2.5.5/L2-buffer-{name}"),
                S_3255,
                "ReceiveBufferSize < TotalBytesAvailable → NERR_BufTooSmall, no data (not ERROR_MORE_DATA, D12); the queue with all its jobs or nothing (2.5.11)",
                q_get_info_request(qb, 2, limit, Some(SPEC_AUX_DESC)),
                6,
                limit,
                [spec, spec, samba],
            );
        }
    }
    case(
        cases,
        "3.2.5.5/level-6".into(),
        S_3255,
        "InfoLevel not 0-5 → ERROR_INVALID_LEVEL (MUST)",
        {
            let mut p = q_get_info_request(qb, 6, LARGE, None);
            p.splice(8..8, *b"K");
            p
        },
        6,
        LARGE,
        [
            no_data(RapStatus::ERROR_INVALID_LEVEL),
            no_data(RapStatus::ERROR_INVALID_LEVEL),
            no_data(RapStatus::ERROR_INVALID_LEVEL),
        ],
    );
    {
        let mut p = q_get_info_request(qb, 1, LARGE, None);
        p.remove(6);
        case(
            cases,
            "3.2.5.5/paramdesc-zWrL".into(),
            S_3255,
            "ParamDesc other than \"zWrLh\" → ERROR_INVALID_PARAMETER (SHOULD; <72>: Windows fails the SMB transaction)",
            p,
            6,
            LARGE,
            [no_data(INVALID_PARAMETER), SMB_INVALID, samba_refuses()],
        );
    }
    for level in [0u16, 3] {
        case(
            cases,
            format!("2.5.7.2.1/auxdesc-L{level}"),
            S_25721,
            "an AuxDesc at level 0 or 3 (MUST NOT be present) → rejected (spec) or ignored (<24>)",
            q_get_info_request(qb, level, LARGE, Some(SPEC_AUX_DESC)),
            6,
            LARGE,
            [
                no_data(INVALID_PARAMETER),
                ok(QueueData::Queue(level)),
                ok(QueueData::Queue(level)),
            ],
        );
    }
}

/// The checks of [`QueueData`].
pub(super) fn check(ctx: &Context, q: QueueData, reply: &TransReply) -> Vec<String> {
    let mut d = Vec::new();
    let cp = &ctx.code_page;
    let queue = ctx.queue.as_deref().unwrap_or("");
    let named = |info: &PrintQueueInfo<'_>| -> Option<String> {
        Some(match info {
            PrintQueueInfo::Level0(q) => q.print_q_name.to_string(),
            PrintQueueInfo::Level1(q) => q.print_q_name.to_string(),
            PrintQueueInfo::Level2(q) => q.print_q_name.to_string(),
            PrintQueueInfo::Level3(q) => q.print_queue_name.as_deref()?.to_owned(),
            PrintQueueInfo::Level4(q) => q.print_queue_name.as_deref()?.to_owned(),
            PrintQueueInfo::Level5(q) => q.print_queue_name.as_deref()?.to_owned(),
        })
    };
    let job_count = |info: &PrintQueueInfo<'_>| match info {
        PrintQueueInfo::Level2(q) => Some(q.print_job_count),
        PrintQueueInfo::Level4(q) => Some(q.print_job_count),
        _ => None,
    };
    match q {
        QueueData::EnumAll(level) | QueueData::EnumOneShort(level) => {
            let r = match parse_q_enum_response(level, &reply.params, &reply.data, cp) {
                Ok(r) => r,
                Err(e) => return vec![format!("data: {e}")],
            };
            let want = if matches!(q, QueueData::EnumAll(_)) {
                r.entries_available
            } else {
                r.entries_available.saturating_sub(1)
            };
            if r.entries_returned != want {
                d.push(format!(
                    "EntriesReturned {} of EntriesAvailable {}, expected {want}",
                    r.entries_returned, r.entries_available
                ));
            }
            if matches!(q, QueueData::EnumAll(_))
                && !r
                    .queues
                    .iter()
                    .any(|x| named(&x.info).is_some_and(|n| n.eq_ignore_ascii_case(queue)))
            {
                d.push(format!("queue {queue:?} not among those returned"));
            }
            for x in &r.queues {
                if let Some(n) = job_count(&x.info) {
                    if usize::from(n) != x.jobs.len() {
                        d.push(format!("PrintJobCount {n}, {} jobs", x.jobs.len()));
                    }
                }
            }
        }
        QueueData::StatusMapped => match parse_q_enum_response(1, &reply.params, &reply.data, cp) {
            Ok(r) => {
                for x in &r.queues {
                    if let PrintQueueInfo::Level1(q) = &x.info {
                        if q.print_q_status > PRQ_PENDING {
                            d.push(format!(
                                "{}: PrintQStatus {} is not a PRQ_* value",
                                q.print_q_name, q.print_q_status
                            ));
                        }
                    }
                }
            }
            Err(e) => d.push(format!("data: {e}")),
        },
        QueueData::B13Names => {
            let n = parse_response_params(&reply.params)
                .ok()
                .and_then(|p| {
                    p.out_params
                        .get(..2)
                        .map(|b| usize::from(b[0]) | usize::from(b[1]) << 8)
                })
                .unwrap_or(0);
            for (i, rec) in reply.data.chunks(13).take(n).enumerate() {
                let nul = rec.iter().position(|&b| b == 0);
                match nul {
                    Some(k) if rec.get(k..).is_some_and(|t| t.iter().all(|&b| b == 0)) => {}
                    _ => d.push(format!(
                        "entry {i}: PrintQName {rec:02x?} not NUL-terminated and NUL-padded"
                    )),
                }
            }
        }
        QueueData::Queue(level) => {
            let r = match parse_q_get_info_response(level, &reply.params, &reply.data, cp) {
                Ok(r) => r,
                Err(e) => return vec![format!("data: {e}")],
            };
            if r.total_bytes_available != u16::try_from(reply.data.len()).ok() {
                d.push(format!(
                    "TotalBytesAvailable {:?} is not the {} bytes returned",
                    r.total_bytes_available,
                    reply.data.len()
                ));
            }
            match r.queue {
                None => d.push("data: no queue came back".into()),
                Some(x) => {
                    let want = crate::rap::commands::net_print_q_get_info::requested_name(queue);
                    let n = named(&x.info);
                    // Levels 0-2 carry at most 12 bytes of the name.
                    let limit = if level <= 2 { 12 } else { usize::MAX };
                    let want_n: String = want.chars().take(limit).collect();
                    if !n
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&want_n))
                    {
                        d.push(format!("name: expected {want_n:?}, got {n:?}"));
                    }
                    if let Some(c) = job_count(&x.info) {
                        if usize::from(c) != x.jobs.len() {
                            d.push(format!("PrintJobCount {c}, {} jobs", x.jobs.len()));
                        }
                        if let Some(rf) = &ctx.queue_reference {
                            if c != rf.jobs {
                                d.push(format!("PrintJobCount {c}, the reference had {}", rf.jobs));
                            }
                        }
                    }
                }
            }
        }
    }
    d
}
