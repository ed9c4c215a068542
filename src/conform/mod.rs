//! `msrap conform`: a black-box conformance suite for NetPrintJobGetInfo
//! ([`cases`]) and the LAN Manager commands ([`lanman`]).
//!
//! Each [`cases::Case`] names the spec clause it checks, how to build its
//! request, and the expected outcome under each [`ExpectProfile`]: `spec`
//! (the letter of MS-RAP and the choices in SPEC_NOTES.md), `windows`
//! (MS-RAP's product-behaviour notes) and `samba` (Samba 4.17 as measured).
//! Expectations are relative to the server's own answers where possible: the
//! suite first fetches every level with a large buffer (the *reference*) and
//! checks the other answers against it, so it runs against any job set.
//!
//! The suite talks through a [`Transport`] (`crate::smb1::client`): over
//! SMB1 (`smb1::client::tcp::SmbClient`) or in process
//! (`smb1::client::InProcess`, a pipe handler called directly).

pub mod cases;
pub mod control;
pub mod lanman;
pub mod queues;

use crate::codes::{NtStatus, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::commands::net_print_job_enum::{parse_job_enum_response, PrintJobEnumRequest};
use crate::rap::commands::net_print_job_get_info::{
    parse_get_info_response, PrintJobGetInfoRequest,
};
use crate::rap::descriptor::job;
use crate::rap::print_job::PrintJobInfo;
use crate::smb1::client::{TransReply, TransRequest, Transport};

pub use cases::{catalogue, Case};

/// Which implementation's behaviour the expectations describe.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExpectProfile {
    /// The letter of MS-RAP, with the choices recorded in SPEC_NOTES.md.
    Spec,
    /// Windows, as MS-RAP's product-behaviour notes (Appendix A) describe it.
    Windows,
    /// Samba 4.17, as measured.
    Samba,
}

impl ExpectProfile {
    /// Every profile, in [`Case::expect`] order.
    pub const ALL: [ExpectProfile; 3] = [
        ExpectProfile::Spec,
        ExpectProfile::Windows,
        ExpectProfile::Samba,
    ];

    /// The profile's name on the command line and in reports (`spec`,
    /// `windows`, `samba`).
    pub fn name(self) -> &'static str {
        match self {
            ExpectProfile::Spec => "spec",
            ExpectProfile::Windows => "windows",
            ExpectProfile::Samba => "samba",
        }
    }

    /// The profile called `s` (ASCII case-insensitive), see [`Self::name`].
    pub fn by_name(s: &str) -> Option<ExpectProfile> {
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One level's answer to a large-buffer request: what the other cases are
/// measured against.
#[derive(Clone, Debug)]
pub struct Reference {
    /// The info level requested.
    pub level: u16,
    /// The server's reply, as received.
    pub reply: TransReply,
    /// TotalBytesAvailable.
    pub total: u16,
    /// The PrintJobInfo structure decoded from the reply, if it decoded.
    pub info: Option<PrintJobInfo<'static>>,
}

/// What the suite knows before the cases run.
#[derive(Clone, Debug)]
pub struct Context {
    /// The job the cases query.
    pub job_id: u16,
    /// A job id the server does not know.
    pub unknown_job_id: u16,
    /// The queue used for discovery, if any.
    pub queue: Option<String>,
    /// The queue under test as NetPrintQGetInfo level 2 described it (None
    /// when there is no queue or it did not answer).
    pub queue_reference: Option<queues::QueueReference>,
    /// References for levels 0..=3 (None when the server did not answer with success).
    pub references: [Option<Reference>; 4],
    /// The OEM code page strings are decoded with.
    pub code_page: OemCodePage,
}

/// The buffer used for references and "large buffer" cases.
pub const LARGE: u16 = 4096;

/// Build a NetPrintJobGetInfo parameter block.
pub fn get_info_params(job_id: u16, level: u16, rbs: u16, data_desc: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    PrintJobGetInfoRequest {
        job_id,
        level,
        receive_buffer_size: rbs,
    }
    .encode(data_desc, &mut v);
    v
}

/// Discover the job ids of `queue` with NetPrintJobEnum level 0 (on the
/// same connection, which Samba needs before GetInfo).
pub async fn enumerate<T: Transport>(t: &mut T, queue: &str) -> Result<Vec<u16>, String> {
    let mut params = Vec::new();
    PrintJobEnumRequest {
        queue: queue.as_bytes(),
        level: 0,
        receive_buffer_size: LARGE,
    }
    .encode(job::LEVEL_0, &mut params);
    let r = t
        .transact(&TransRequest {
            params,
            data: Vec::new(),
            max_parameter_count: 8,
            max_data_count: LARGE,
        })
        .await
        .map_err(|e| e.to_string())?;
    if r.smb_status != NtStatus::STATUS_SUCCESS {
        return Err(format!(
            "NetPrintJobEnum({queue}) failed at the SMB level: {:?}",
            r.smb_status
        ));
    }
    let e = parse_job_enum_response(0, &r.params, &r.data, &OemCodePage::default())
        .map_err(|e| e.to_string())?;
    if !e.status.carries_data() {
        return Err(format!("NetPrintJobEnum({queue}) answered {}", e.status));
    }
    Ok(e.jobs.iter().map(|j| j.job_id()).collect())
}

/// Fetch the references for `job_id` at every level.
pub async fn build_context<T: Transport>(
    t: &mut T,
    job_id: u16,
    known_ids: &[u16],
    queue: Option<String>,
    code_page: OemCodePage,
) -> Result<Context, String> {
    let mut references: [Option<Reference>; 4] = Default::default();
    for level in 0..4u16 {
        let params = get_info_params(
            job_id,
            level,
            LARGE,
            job::for_level(level).unwrap_or_default(),
        );
        let reply = t
            .transact(&TransRequest {
                params,
                data: Vec::new(),
                max_parameter_count: 6,
                max_data_count: LARGE,
            })
            .await
            .map_err(|e| e.to_string())?;
        if let Ok(r) = parse_get_info_response(level, &reply.params, &reply.data, &code_page) {
            if r.status == RapStatus::ERROR_SUCCESS {
                let total = r.total_bytes_available.unwrap_or(0);
                let info = r.info.map(PrintJobInfo::into_owned);
                if let Some(slot) = references.get_mut(usize::from(level)) {
                    *slot = Some(Reference {
                        level,
                        reply: reply.clone(),
                        total,
                        info,
                    });
                }
            }
        }
    }
    if references.iter().all(Option::is_none) {
        return Err(format!(
            "job {job_id}: no level answered ERROR_SUCCESS with a {LARGE}-byte buffer"
        ));
    }
    let unknown_job_id = (0x7777u16..=0xFFFF)
        .find(|id| !known_ids.contains(id) && *id != job_id)
        .unwrap_or(0x7777);
    let queue_reference = match &queue {
        Some(q) => queues::reference(t, q, &code_page).await,
        None => None,
    };
    Ok(Context {
        queue_reference,
        job_id,
        unknown_job_id,
        queue,
        references,
        code_page,
    })
}

/// The verdict on one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The reply met the expectation.
    Pass,
    /// Every difference, field by field.
    Fail(Vec<String>),
    /// Not applicable or not measured for this profile.
    Skip(String),
}

/// One case's outcome.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case's [`Case::id`].
    pub id: String,
    /// The case's [`Case::section`].
    pub section: &'static str,
    /// The case's [`Case::clause`].
    pub clause: &'static str,
    /// The verdict under the profile run.
    pub verdict: Verdict,
    /// The request sent (or that would have been, for a skipped case).
    pub request: TransRequest,
    /// The reply, when the case was run and the transport answered.
    pub reply: Option<TransReply>,
}

/// Run every case of the catalogue against `t` under `profile`.
pub async fn run<T: Transport>(
    t: &mut T,
    ctx: &Context,
    profile: ExpectProfile,
) -> Vec<CaseResult> {
    let mut results = Vec::new();
    for case in catalogue(ctx) {
        let request = case.request.clone();
        let (verdict, reply) = match case.expect.get(profile.index()) {
            Some(cases::Expect::Skip(why)) => (Verdict::Skip((*why).to_owned()), None),
            Some(expect) => match t.transact(&request).await {
                Ok(reply) => {
                    let diffs = cases::check(ctx, &case, expect, &reply);
                    (
                        if diffs.is_empty() {
                            Verdict::Pass
                        } else {
                            Verdict::Fail(diffs)
                        },
                        Some(reply),
                    )
                }
                Err(e) => (Verdict::Fail(vec![format!("transport: {e}")]), None),
            },
            None => (Verdict::Skip("no expectation".into()), None),
        };
        results.push(CaseResult {
            id: case.id,
            section: case.section,
            clause: case.clause,
            verdict,
            request,
            reply,
        });
    }
    results
}

/// Per-section counts: (section, pass, fail, skip).
pub fn summary(results: &[CaseResult]) -> Vec<(&'static str, usize, usize, usize)> {
    let mut out: Vec<(&'static str, usize, usize, usize)> = Vec::new();
    for r in results {
        let idx = match out.iter().position(|s| s.0 == r.section) {
            Some(i) => i,
            None => {
                out.push((r.section, 0, 0, 0));
                out.len() - 1
            }
        };
        if let Some(s) = out.get_mut(idx) {
            match r.verdict {
                Verdict::Pass => s.1 += 1,
                Verdict::Fail(_) => s.2 += 1,
                Verdict::Skip(_) => s.3 += 1,
            }
        }
    }
    out
}

/// Differential mode: the same request on two servers, compared field by field.
pub fn diff_replies(
    level: Option<u16>,
    a: &TransReply,
    b: &TransReply,
    cp: &OemCodePage,
) -> Vec<String> {
    let mut d = Vec::new();
    if a.smb_status != b.smb_status {
        d.push(format!(
            "smb_status: {:?} != {:?}",
            a.smb_status, b.smb_status
        ));
    }
    let pa = crate::rap::response::parse_response_params(&a.params).ok();
    let pb = crate::rap::response::parse_response_params(&b.params).ok();
    match (pa, pb) {
        (Some(x), Some(y)) => {
            if x.status != y.status {
                d.push(format!("status: {} != {}", x.status, y.status));
            }
            if x.out_params != y.out_params {
                d.push(format!(
                    "RAPOutParams: {:02x?} != {:02x?}",
                    x.out_params, y.out_params
                ));
            }
        }
        (x, y) if x.is_some() != y.is_some() => {
            d.push(format!("params: {:02x?} != {:02x?}", a.params, b.params))
        }
        _ => {}
    }
    let Some(level) = level else {
        if a.data != b.data {
            d.push(format!(
                "data: {} bytes != {} bytes",
                a.data.len(),
                b.data.len()
            ));
        }
        return d;
    };
    let ia = parse_get_info_response(level, &a.params, &a.data, cp)
        .ok()
        .and_then(|r| r.info);
    let ib = parse_get_info_response(level, &b.params, &b.data, cp)
        .ok()
        .and_then(|r| r.info);
    match (ia, ib) {
        (Some(x), Some(y)) => d.extend(cases::field_diff(&x, &y, "", "")),
        (None, None) => {}
        (x, y) => d.push(format!(
            "data: {} != {}",
            if x.is_some() { "present" } else { "absent" },
            if y.is_some() { "present" } else { "absent" }
        )),
    }
    d
}

/// The SMB limits every reply keeps (MS-CIFS 2.2.4.33.1): no more
/// parameter bytes than MaxParameterCount, no more data than MaxDataCount;
/// each excess is one discrepancy in `d`.
fn check_smb_limits(request: &TransRequest, reply: &TransReply, d: &mut Vec<String>) {
    if reply.params.len() > usize::from(request.max_parameter_count) {
        d.push(format!(
            "params: {} bytes exceed MaxParameterCount {}",
            reply.params.len(),
            request.max_parameter_count
        ));
    }
    if reply.data.len() > usize::from(request.max_data_count) {
        d.push(format!(
            "data: {} bytes exceed MaxDataCount {}",
            reply.data.len(),
            request.max_data_count
        ));
    }
}
