//! From what CUPS says to what the RAP server shows: IPP job and printer
//! attributes ([RFC 8011] 5.3, 5.4; CUPS's extensions) to [MS-RPRN]
//! JOB_INFO_2 (2.2.1.7.2) and PRINTER_INFO_2 (2.2.1.10.3), CUPS's 32-bit
//! job-id to RAP's 16-bit JobID, and IPP status codes to Win32 errors.
//!
//! Everything here is a pure function of CUPS's answers (no clock, no
//! I/O), so two msrap instances in front of one CUPS show the same ids and
//! the same jobs. SPEC_NOTES.md ("CUPS backend") lists every mapping.

use std::sync::Arc;

use ipp::attribute::IppAttributeGroup;
use ipp::value::IppValue;

use crate::spool::{
    ControlPolicy, JobInfo2, JobStatus, Jobs, Printer, PrinterInfo2, PrinterStatus, Printers,
    SystemTime, Win32Error,
};

/// How many RAP JobIDs there are: 1..=65535 (0 is never a job, [MS-RPRN]
/// 3.1.4.3.2).
pub const RAP_JOB_IDS: u32 = 65_535;

/// The RAP JobID of CUPS job `cups_job_id`: `(job-id − 1) mod 65535 + 1`,
/// so CUPS's jobs 1 to 65535 keep their number and the sequence wraps to 1
/// after it, never to 0. `None` for job-id 0, which CUPS never uses.
///
/// A pure function of the job: the same for the job's whole life, on every
/// connection, across restarts of msrap, and in every msrap in front of the
/// same CUPS. Two live jobs 65535 apart get the same value; [`JobList`]
/// shows only the older one (see [`JobList::from_cups`]).
pub fn rap_job_id(cups_job_id: u32) -> Option<u16> {
    let zero_based = cups_job_id.checked_sub(1)?;
    u16::try_from(zero_based % RAP_JOB_IDS + 1).ok()
}

/// IPP job-state values ([RFC 8011] 5.3.7).
pub mod job_state {
    /// pending.
    pub const PENDING: i32 = 3;
    /// pending-held.
    pub const PENDING_HELD: i32 = 4;
    /// processing.
    pub const PROCESSING: i32 = 5;
    /// processing-stopped.
    pub const PROCESSING_STOPPED: i32 = 6;
    /// canceled.
    pub const CANCELED: i32 = 7;
    /// aborted.
    pub const ABORTED: i32 = 8;
    /// completed.
    pub const COMPLETED: i32 = 9;
}

/// IPP printer-state values ([RFC 8011] 5.4.11).
pub mod printer_state {
    /// idle.
    pub const IDLE: i32 = 3;
    /// processing.
    pub const PROCESSING: i32 = 4;
    /// stopped.
    pub const STOPPED: i32 = 5;
}

/// The job attributes msrap asks Get-Jobs for (`requested-attributes`).
pub const JOB_ATTRIBUTES: &[&str] = &[
    "job-id",
    "job-printer-uri",
    "job-name",
    "job-originating-user-name",
    "job-originating-host-name",
    "job-accounting-user-id",
    "job-state",
    "job-state-reasons",
    "job-printer-state-message",
    "job-printer-state-reasons",
    "job-priority",
    "time-at-creation",
    "job-k-octets",
    "job-impressions",
    "job-impressions-completed",
    "document-format",
];

/// The printer attributes msrap asks CUPS-Get-Printers for.
pub const PRINTER_ATTRIBUTES: &[&str] = &[
    "printer-name",
    "printer-info",
    "printer-location",
    "printer-make-and-model",
    "device-uri",
    "printer-state",
    "printer-state-reasons",
    "printer-is-accepting-jobs",
];

/// One CUPS job as Get-Jobs described it (the attributes of
/// [`JOB_ATTRIBUTES`] msrap uses), owned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CupsJob {
    /// job-id (≥ 1).
    pub id: u32,
    /// The printer: the last segment of job-printer-uri's path, percent-decoded.
    pub printer: String,
    /// job-name.
    pub name: Option<String>,
    /// job-originating-user-name (CUPS sets it from requesting-user-name).
    pub originating_user: Option<String>,
    /// job-originating-host-name.
    pub originating_host: Option<String>,
    /// job-accounting-user-id: where msrap records the SMB user.
    pub accounting_user: Option<String>,
    /// job-state.
    pub state: i32,
    /// job-state-reasons.
    pub reasons: Vec<String>,
    /// job-printer-state-reasons (CUPS: the printer's reasons while it works on the job).
    pub printer_reasons: Vec<String>,
    /// job-printer-state-message.
    pub printer_message: Option<String>,
    /// job-priority, 1..=100 (CUPS's default 50).
    pub priority: i32,
    /// time-at-creation (CUPS: seconds since 1970, UTC).
    pub created: Option<i64>,
    /// job-k-octets.
    pub k_octets: i32,
    /// job-impressions.
    pub impressions: i32,
    /// job-impressions-completed.
    pub impressions_completed: i32,
    /// document-format.
    pub format: Option<String>,
}

impl CupsJob {
    /// The job described by one job-attributes group; `None` when it has
    /// no usable job-id (absent, not an integer, or not positive) or no
    /// printer.
    pub fn from_group(group: &IppAttributeGroup) -> Option<CupsJob> {
        let id = u32::try_from(int(group, "job-id")?)
            .ok()
            .filter(|&i| i > 0)?;
        let printer = last_segment(text(group, "job-printer-uri")?)?;
        Some(CupsJob {
            id,
            printer,
            name: text(group, "job-name").map(str::to_owned),
            originating_user: text(group, "job-originating-user-name").map(str::to_owned),
            originating_host: text(group, "job-originating-host-name").map(str::to_owned),
            accounting_user: text(group, "job-accounting-user-id")
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            state: int(group, "job-state").unwrap_or(job_state::PENDING),
            reasons: keywords(group, "job-state-reasons"),
            printer_reasons: keywords(group, "job-printer-state-reasons"),
            printer_message: text(group, "job-printer-state-message")
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            priority: int(group, "job-priority").unwrap_or(50),
            created: int(group, "time-at-creation").map(i64::from),
            k_octets: int(group, "job-k-octets").unwrap_or(0),
            impressions: int(group, "job-impressions").unwrap_or(0),
            impressions_completed: int(group, "job-impressions-completed").unwrap_or(0),
            format: text(group, "document-format").map(str::to_owned),
        })
    }

    /// Whether the job is still being received (CUPS's `job-incoming`:
    /// Create-Job done, the last document not yet).
    pub fn incoming(&self) -> bool {
        self.reasons.iter().any(|r| r == "job-incoming")
    }

    /// Whether the job is held (pending-held, not because it is still
    /// incoming).
    pub fn held(&self) -> bool {
        self.state == job_state::PENDING_HELD && !self.incoming()
    }

    /// The job's user: the SMB user msrap recorded in job-accounting-user-id
    /// when msrap (CUPS user `identity`) submitted the job, else
    /// job-originating-user-name. A job-accounting-user-id on a job someone
    /// else submitted is ignored: any CUPS client can set it, and it must
    /// not make that job someone else's.
    pub fn user(&self, identity: &str) -> Option<&str> {
        let ours = self.originating_user.as_deref() == Some(identity);
        match (&self.accounting_user, ours) {
            (Some(smb), true) => Some(smb),
            _ => self.originating_user.as_deref(),
        }
    }

    /// JOB_STATUS_* bits ([MS-RPRN] 2.2.3.12) for this job:
    ///
    /// | job-state (+ reasons) | JOB_STATUS |
    /// |---|---|
    /// | any, reason `job-incoming` | SPOOLING |
    /// | pending (3) | 0 (queued) |
    /// | pending-held (4) | PAUSED |
    /// | processing (5) | PRINTING |
    /// | processing-stopped (6) | PRINTING \| ERROR \| BLOCKED_DEVQ |
    /// | canceled (7) | DELETED |
    /// | aborted (8) | ERROR |
    /// | completed (9) | PRINTED \| COMPLETE |
    ///
    /// plus, while processing (5, 6), from job-printer-state-reasons:
    /// `offline*` OFFLINE, `media-empty*`/`media-needed*` PAPEROUT, any
    /// `*-error` ERROR; and from job-state-reasons
    /// `processing-to-stop-point` or `job-canceled-*` DELETING.
    pub fn status(&self) -> JobStatus {
        if self.incoming() {
            return JobStatus::SPOOLING;
        }
        let mut s = match self.state {
            job_state::PENDING => JobStatus::empty(),
            job_state::PENDING_HELD => JobStatus::PAUSED,
            job_state::PROCESSING => JobStatus::PRINTING,
            job_state::PROCESSING_STOPPED => {
                JobStatus::PRINTING | JobStatus::ERROR | JobStatus::BLOCKED_DEVQ
            }
            job_state::CANCELED => JobStatus::DELETED,
            job_state::ABORTED => JobStatus::ERROR,
            job_state::COMPLETED => JobStatus::PRINTED | JobStatus::COMPLETE,
            _ => JobStatus::empty(),
        };
        if matches!(
            self.state,
            job_state::PROCESSING | job_state::PROCESSING_STOPPED
        ) {
            for r in &self.printer_reasons {
                let k = reason_keyword(r);
                if k.starts_with("offline") {
                    s |= JobStatus::OFFLINE;
                }
                if k.starts_with("media-empty") || k.starts_with("media-needed") {
                    s |= JobStatus::PAPEROUT;
                }
                if r.ends_with("-error") {
                    s |= JobStatus::ERROR;
                }
            }
        }
        if self
            .reasons
            .iter()
            .any(|r| r == "processing-to-stop-point" || r.starts_with("job-canceled-"))
        {
            s |= JobStatus::DELETING;
        }
        s
    }

    /// JOB_INFO_2 for this job, shown as RAP JobID `rap_id` at `position`
    /// (1 = next to print) of its queue; `identity` is msrap's CUPS user
    /// ([`CupsJob::user`]), `driver` the printer's make and model.
    pub fn to_job_info2(
        &self,
        rap_id: u16,
        position: u32,
        identity: &str,
        driver: Option<&str>,
    ) -> JobInfo2 {
        let user = self.user(identity).map(str::to_owned);
        JobInfo2 {
            job_id: u32::from(rap_id),
            printer_name: Some(self.printer.clone()),
            machine_name: self.originating_host.clone(),
            notify_name: user.clone(),
            user_name: user,
            document: self.name.clone(),
            datatype: Some(datatype(self.format.as_deref()).to_owned()),
            print_processor: None,
            parameters: None,
            driver_name: driver.map(str::to_owned),
            dev_mode: None,
            status_text: self.printer_message.clone(),
            security_descriptor: None,
            status: self.status(),
            // [MS-RPRN] 2.2.1.7.2: 1..=99; CUPS's job-priority is 1..=100.
            priority: u32::try_from(self.priority.clamp(1, 99)).unwrap_or(1),
            position,
            start_time: 0,
            until_time: 0,
            total_pages: nonneg(self.impressions),
            // job-k-octets counts KiB, rounded up by CUPS.
            size: nonneg(self.k_octets).saturating_mul(1024),
            submitted: self
                .created
                .and_then(SystemTime::from_unix)
                .unwrap_or_default(),
            time: 0,
            pages_printed: nonneg(self.impressions_completed),
        }
    }
}

/// pDatatype: `TEXT` for text/plain, `RAW` for anything else (what SMB
/// clients send is printer-ready data, MS-RAP's RpcOpenPrinter datatype).
pub fn datatype(format: Option<&str>) -> &'static str {
    match format {
        Some(f) if f.eq_ignore_ascii_case("text/plain") => "TEXT",
        _ => "RAW",
    }
}

fn nonneg(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// A state reason without its severity suffix ([RFC 8011] 5.4.12:
/// `-report`, `-warning`, `-error`).
pub fn reason_keyword(r: &str) -> &str {
    ["-report", "-warning", "-error"]
        .iter()
        .find_map(|s| r.strip_suffix(s))
        .unwrap_or(r)
}

/// One CUPS printer (queue) as CUPS-Get-Printers described it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CupsPrinter {
    /// printer-name: the RAP queue and share name.
    pub name: String,
    /// PRINTER_INFO_2 as far as CUPS fills it (cJobs comes from the jobs).
    pub info: PrinterInfo2,
    /// printer-is-accepting-jobs.
    pub accepting: bool,
}

impl CupsPrinter {
    /// The printer described by one printer-attributes group; `None`
    /// without a printer-name.
    ///
    /// printer-name → pPrinterName and pShareName, printer-info → pComment,
    /// printer-location → pLocation, printer-make-and-model →
    /// pDriverName, device-uri without its user information (it can carry
    /// a password) → pPortName, printer-state and printer-state-reasons →
    /// Status ([`printer_status`]), pDatatype `RAW`, Priority and
    /// DefaultPriority 1.
    pub fn from_group(group: &IppAttributeGroup) -> Option<CupsPrinter> {
        let name = text(group, "printer-name").filter(|n| !n.is_empty())?;
        let reasons = keywords(group, "printer-state-reasons");
        let state = int(group, "printer-state").unwrap_or(printer_state::IDLE);
        let info = PrinterInfo2 {
            server_name: None,
            printer_name: Some(name.to_owned()),
            share_name: Some(name.to_owned()),
            port_name: text(group, "device-uri").map(without_userinfo),
            driver_name: text(group, "printer-make-and-model").map(str::to_owned),
            comment: text(group, "printer-info").map(str::to_owned),
            location: text(group, "printer-location").map(str::to_owned),
            datatype: Some("RAW".to_owned()),
            priority: 1,
            default_priority: 1,
            status: printer_status(state, &reasons),
            ..PrinterInfo2::default()
        };
        Some(CupsPrinter {
            name: name.to_owned(),
            info,
            accepting: group
                .get("printer-is-accepting-jobs")
                .is_none_or(|a| !matches!(a.value(), IppValue::Boolean(false))),
        })
    }
}

/// PRINTER_STATUS_* bits ([MS-RPRN] 2.2.3.12) for a CUPS printer:
/// printer-state processing (4) → PRINTING, stopped (5) → PAUSED; then per
/// printer-state-reason (its keyword without severity suffix): `paused`,
/// `moving-to-paused` → PAUSED; `offline` → OFFLINE; `media-empty`,
/// `media-needed` → PAPER_OUT; `media-jam` → PAPER_JAM; `door-open`,
/// `cover-open` → DOOR_OPEN; `toner-low`, `marker-supply-low` → TONER_LOW;
/// `toner-empty`, `marker-supply-empty` → NO_TONER; `output-area-full` →
/// OUTPUT_BIN_FULL; `shutdown` → NOT_AVAILABLE; and any reason with the
/// `-error` suffix → ERROR.
pub fn printer_status(state: i32, reasons: &[String]) -> PrinterStatus {
    let mut s = match state {
        printer_state::PROCESSING => PrinterStatus::PRINTING,
        printer_state::STOPPED => PrinterStatus::PAUSED,
        _ => PrinterStatus::empty(),
    };
    for r in reasons {
        s |= match reason_keyword(r) {
            "paused" | "moving-to-paused" => PrinterStatus::PAUSED,
            "offline" => PrinterStatus::OFFLINE,
            "media-empty" | "media-needed" => PrinterStatus::PAPER_OUT,
            "media-jam" => PrinterStatus::PAPER_JAM,
            "door-open" | "cover-open" => PrinterStatus::DOOR_OPEN,
            "toner-low" | "marker-supply-low" => PrinterStatus::TONER_LOW,
            "toner-empty" | "marker-supply-empty" => PrinterStatus::NO_TONER,
            "output-area-full" => PrinterStatus::OUTPUT_BIN_FULL,
            "shutdown" => PrinterStatus::NOT_AVAILABLE,
            _ => PrinterStatus::empty(),
        };
        if r.ends_with("-error") {
            s |= PrinterStatus::ERROR;
        }
    }
    s
}

/// A URI without its user information (`smb://user:pw@host/q` →
/// `smb://host/q`).
pub fn without_userinfo(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://{}{path}", authority.get(at + 1..).unwrap_or("")),
        None => uri.to_owned(),
    }
}

/// The last non-empty segment of a URI's path, percent-decoded
/// (`ipp://localhost:631/printers/Q%20A` → `Q A`); `None` when there is
/// none or it does not decode to UTF-8.
pub fn last_segment(uri: &str) -> Option<String> {
    let path = match uri.split_once("://") {
        Some((_, rest)) => rest.get(rest.find('/')?..)?,
        None => uri,
    };
    let path = path.split(['?', '#']).next()?;
    let seg = path.rsplit('/').find(|s| !s.is_empty())?;
    percent_decode(seg)
}

/// `%XX` sequences decoded; `None` for a malformed sequence or bytes that
/// are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `s` with every byte outside RFC 3986's unreserved set percent-encoded,
/// for a printer name in a URI path.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(c));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 0xF)]));
        }
    }
    out
}

const HEX: [u8; 16] = *b"0123456789ABCDEF";

/// `s` cut to at most `max` bytes at a character boundary (IPP name(255),
/// [RFC 8011] 5.1.3).
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// The first value of attribute `name` as an integer (integer or enum).
fn int(group: &IppAttributeGroup, name: &str) -> Option<i32> {
    match first(group.get(name)?.value()) {
        IppValue::Integer(i) | IppValue::Enum(i) => Some(*i),
        _ => None,
    }
}

/// The first value of attribute `name` as text (name, text, keyword, URI,
/// MIME type; with or without language).
fn text<'a>(group: &'a IppAttributeGroup, name: &str) -> Option<&'a str> {
    as_text(first(group.get(name)?.value()))
}

fn as_text(v: &IppValue) -> Option<&str> {
    match v {
        IppValue::NameWithoutLanguage(s) => Some(s.as_str()),
        IppValue::TextWithoutLanguage(s) => Some(s.as_ref()),
        IppValue::NameWithLanguage { name, .. } => Some(name.as_str()),
        IppValue::TextWithLanguage { text, .. } => Some(text.as_ref()),
        IppValue::Keyword(s) => Some(s.as_str()),
        IppValue::Uri(s) => Some(s.as_str()),
        IppValue::MimeMediaType(s) => Some(s.as_str()),
        _ => None,
    }
}

/// Every value of attribute `name` that is text, except `none`.
fn keywords(group: &IppAttributeGroup, name: &str) -> Vec<String> {
    let Some(a) = group.get(name) else {
        return Vec::new();
    };
    let one = |v: &IppValue| as_text(v).filter(|s| *s != "none").map(str::to_owned);
    match a.value() {
        IppValue::Array(vs) => vs.iter().filter_map(one).collect(),
        v => one(v).into_iter().collect(),
    }
}

fn first(v: &IppValue) -> &IppValue {
    match v {
        IppValue::Array(vs) => vs.first().unwrap_or(v),
        v => v,
    }
}

/// Where a RAP JobID leads in a [`JobList`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct JobSlot {
    /// The RAP JobID.
    pub rap_id: u16,
    /// The CUPS job-id.
    pub cups_id: u32,
    /// Index of the job's queue in [`JobList::queues`].
    pub queue: usize,
    /// Index of the job in its queue's jobs.
    pub index: usize,
    /// Held by someone (pending-held, not incoming).
    pub held: bool,
    /// Still being received (`job-incoming`).
    pub incoming: bool,
}

/// Every live job CUPS listed, per queue, as JOB_INFO_2 with RAP JobIDs:
/// one immutable snapshot.
#[derive(Clone, Debug, Default)]
pub struct JobList {
    /// (CUPS printer name, its jobs in CUPS's order), in order of first appearance.
    pub queues: Vec<(String, Jobs)>,
    /// Every shown job, sorted by RAP JobID.
    pub slots: Vec<JobSlot>,
    /// Jobs CUPS listed that RAP does not show: a live job with a smaller
    /// job-id holds their RAP JobID.
    pub hidden: usize,
}

impl JobList {
    /// The snapshot of `jobs` (in Get-Jobs' order), for CUPS user
    /// `identity`; `driver` gives a printer's make and model by name.
    /// JobPosition is the queue order: the jobs being printed (processing,
    /// processing-stopped) first, then the others in CUPS's order, which is
    /// the order it will print them in (job-priority, then job-id).
    ///
    /// Two live jobs whose job-ids are 65535 apart map to the same RAP
    /// JobID ([`rap_job_id`]): the one with the smaller job-id (the older)
    /// is shown, the other is left out until the older one is gone; then
    /// it appears under the same JobID it would always have had. So two
    /// jobs RAP shows never share a JobID, and a JobID never changes.
    /// Canceled, aborted and completed jobs are left out (`which-jobs` is
    /// `not-completed`; this drops any that slip in).
    pub fn from_cups<'d>(
        jobs: &[CupsJob],
        identity: &str,
        driver: impl Fn(&str) -> Option<&'d str>,
    ) -> JobList {
        // The owner of each RAP JobID: the smallest live job-id mapping to it.
        let mut owner: Vec<(u16, u32)> = jobs
            .iter()
            .filter(|j| j.state < job_state::CANCELED)
            .filter_map(|j| Some((rap_job_id(j.id)?, j.id)))
            .collect();
        owner.sort_unstable();
        owner.dedup_by_key(|(rap, _)| *rap);
        let shown = |j: &CupsJob| -> Option<u16> {
            let rap = rap_job_id(j.id)?;
            let i = owner.binary_search_by_key(&rap, |(r, _)| *r).ok()?;
            (owner.get(i)?.1 == j.id && j.state < job_state::CANCELED).then_some(rap)
        };
        let mut queues: Vec<(String, Vec<JobInfo2>)> = Vec::new();
        let mut slots = Vec::new();
        let mut hidden = 0usize;
        // Queue order: the jobs being printed first, then CUPS's order
        // (which sorts by job-priority, then job-id, and can list a
        // high-priority pending job before the one printing).
        let printing = |j: &&CupsJob| {
            matches!(
                j.state,
                job_state::PROCESSING | job_state::PROCESSING_STOPPED
            )
        };
        let in_order = jobs
            .iter()
            .filter(printing)
            .chain(jobs.iter().filter(|j| !printing(j)));
        // A job-id listed twice (CUPS never does; a damaged reply might) is
        // shown once.
        let mut taken = std::collections::HashSet::new();
        for j in in_order {
            let Some(rap) = shown(j).filter(|rap| taken.insert(*rap)) else {
                hidden += 1;
                continue;
            };
            let q = match queues
                .iter()
                .position(|(name, _)| name.eq_ignore_ascii_case(&j.printer))
            {
                Some(q) => q,
                None => {
                    queues.push((j.printer.clone(), Vec::new()));
                    queues.len() - 1
                }
            };
            let Some((_, list)) = queues.get_mut(q) else {
                continue;
            };
            let position = u32::try_from(list.len())
                .unwrap_or(u32::MAX)
                .saturating_add(1);
            slots.push(JobSlot {
                rap_id: rap,
                cups_id: j.id,
                queue: q,
                index: list.len(),
                held: j.held(),
                incoming: j.incoming(),
            });
            list.push(j.to_job_info2(rap, position, identity, driver(&j.printer)));
        }
        slots.sort_unstable_by_key(|s| s.rap_id);
        JobList {
            queues: queues
                .into_iter()
                .map(|(name, list)| (name, Jobs::from(list)))
                .collect(),
            slots,
            hidden,
        }
    }

    /// The job shown as RAP JobID `rap_id`.
    pub fn slot(&self, rap_id: u32) -> Option<&JobSlot> {
        let rap = u16::try_from(rap_id).ok()?;
        let i = self.slots.binary_search_by_key(&rap, |s| s.rap_id).ok()?;
        self.slots.get(i)
    }

    /// The jobs of queue `name` (ASCII case-insensitive), if it has any.
    pub fn queue(&self, name: &str) -> Option<&Jobs> {
        self.queues
            .iter()
            .find(|(q, _)| q.eq_ignore_ascii_case(name))
            .map(|(_, jobs)| jobs)
    }
}

/// Every queue as [`Printers`]: each CUPS printer with its jobs from
/// `jobs` (cJobs = how many RAP shows) and the control `policy`.
pub fn printers(list: &[CupsPrinter], jobs: &JobList, policy: &ControlPolicy) -> Printers {
    let empty: Jobs = Arc::from([]);
    list.iter()
        .map(|p| {
            let queue_jobs = jobs
                .queue(&p.name)
                .cloned()
                .unwrap_or_else(|| empty.clone());
            let mut info = p.info.clone();
            info.jobs = u32::try_from(queue_jobs.len()).unwrap_or(u32::MAX);
            Printer {
                name: p.name.clone(),
                info,
                jobs: queue_jobs,
                policy: policy.clone(),
            }
        })
        .collect()
}

/// What a CUPS operation is about, for [`ipp_error`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A job (Cancel-Job, Hold-Job, Release-Job, Set-Job-Attributes, Send-Document).
    Job,
    /// A printer (Get-Jobs, Create-Job, Pause-Printer, Resume-Printer, Purge-Jobs).
    Printer,
}

/// The Win32 error for an IPP status code that is not success
/// ([RFC 8011] 4.1.6.1; CUPS's codes):
///
/// | IPP status | Win32 |
/// |---|---|
/// | client-error-not-found (0x0406), -gone (0x0407) | ERROR_INVALID_PARAMETER for a job, ERROR_INVALID_PRINTER_NAME for a printer |
/// | client-error-forbidden (0x0401), -not-authenticated (0x0402), -not-authorized (0x0403) | ERROR_ACCESS_DENIED |
/// | client-error-not-possible (0x0404), server-error-not-accepting-jobs (0x0506) | ERROR_INVALID_PRINTER_STATE |
/// | client-error-bad-request (0x0400), -request-value-too-long (0x0409), -attributes-or-values-not-supported (0x040B) | ERROR_INVALID_PARAMETER |
/// | client-error-timeout (0x0405), server-error-service-unavailable (0x0502), -temporary-error (0x0505), -busy (0x0507) | ERROR_NOT_READY |
/// | anything else | ERROR_GEN_FAILURE |
pub fn ipp_error(status: u16, target: Target) -> Win32Error {
    match status {
        0x0406 | 0x0407 => match target {
            Target::Job => Win32Error::ERROR_INVALID_PARAMETER,
            Target::Printer => Win32Error::ERROR_INVALID_PRINTER_NAME,
        },
        0x0401..=0x0403 => Win32Error::ERROR_ACCESS_DENIED,
        0x0404 | 0x0506 => Win32Error::ERROR_INVALID_PRINTER_STATE,
        0x0400 | 0x0409 | 0x040B => Win32Error::ERROR_INVALID_PARAMETER,
        0x0405 | 0x0502 | 0x0505 | 0x0507 => Win32Error::ERROR_NOT_READY,
        _ => Win32Error::ERROR_GEN_FAILURE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipp::attribute::IppAttribute;
    use ipp::model::DelimiterTag;

    #[test]
    fn rap_ids_wrap_after_65535_and_skip_zero() {
        assert_eq!(rap_job_id(0), None);
        assert_eq!(rap_job_id(1), Some(1));
        assert_eq!(rap_job_id(65_534), Some(65_534));
        assert_eq!(rap_job_id(65_535), Some(65_535));
        assert_eq!(rap_job_id(65_536), Some(1));
        assert_eq!(rap_job_id(131_070), Some(65_535));
        assert_eq!(rap_job_id(131_071), Some(1));
        // CUPS's largest job-id, 2^31 - 1 = 65535 * 32768 + 32767.
        assert_eq!(rap_job_id(i32::MAX as u32), Some(32_767));
        assert_eq!(rap_job_id(u32::MAX), Some(65_535));
    }

    fn group(attrs: Vec<(&str, IppValue)>) -> IppAttributeGroup {
        let mut g = IppAttributeGroup::new(DelimiterTag::JobAttributes);
        for (n, v) in attrs {
            g.attributes_mut()
                .push(IppAttribute::with_name(n, v).unwrap());
        }
        g
    }

    fn name(s: &str) -> IppValue {
        IppValue::new_name_without_language(s).unwrap()
    }

    fn kw(s: &str) -> IppValue {
        IppValue::new_keyword(s).unwrap()
    }

    fn cups_job(id: u32, printer: &str, state: i32) -> CupsJob {
        CupsJob {
            id,
            printer: printer.into(),
            name: Some(format!("doc{id}")),
            originating_user: Some("alice".into()),
            state,
            priority: 50,
            ..CupsJob::default()
        }
    }

    #[test]
    fn a_get_jobs_group_becomes_job_info_2() {
        let g = group(vec![
            (
                "job-printer-uri",
                IppValue::new_uri("ipp://localhost:631/printers/Q%20A").unwrap(),
            ),
            ("job-originating-user-name", name("bob")),
            ("job-name", name("Report.pdf")),
            ("job-priority", IppValue::Integer(100)),
            ("job-originating-host-name", name("ws1")),
            ("time-at-creation", IppValue::Integer(0x65A5_2670)),
            ("job-id", IppValue::Integer(65_537)),
            ("job-state", IppValue::Enum(5)),
            (
                "job-state-reasons",
                IppValue::Array(vec![kw("job-printing")]),
            ),
            (
                "job-printer-state-reasons",
                IppValue::Array(vec![kw("media-empty-error"), kw("offline-report")]),
            ),
            (
                "job-printer-state-message",
                IppValue::new_text_without_language("out of paper").unwrap(),
            ),
            ("job-impressions-completed", IppValue::Integer(3)),
            ("job-k-octets", IppValue::Integer(12)),
            (
                "document-format",
                IppValue::new_mime_media_type("text/plain").unwrap(),
            ),
        ]);
        let j = CupsJob::from_group(&g).unwrap();
        assert_eq!((j.id, j.printer.as_str()), (65_537, "Q A"));
        let info = j.to_job_info2(2, 1, "root", Some("Generic"));
        assert_eq!(
            info,
            JobInfo2 {
                job_id: 2,
                printer_name: Some("Q A".into()),
                machine_name: Some("ws1".into()),
                user_name: Some("bob".into()),
                notify_name: Some("bob".into()),
                document: Some("Report.pdf".into()),
                datatype: Some("TEXT".into()),
                driver_name: Some("Generic".into()),
                status_text: Some("out of paper".into()),
                status: JobStatus::PRINTING
                    | JobStatus::PAPEROUT
                    | JobStatus::OFFLINE
                    | JobStatus::ERROR,
                priority: 99,
                position: 1,
                size: 12 * 1024,
                submitted: SystemTime::from_unix(0x65A5_2670).unwrap(),
                pages_printed: 3,
                ..JobInfo2::default()
            }
        );
        // Without a job-id or a printer there is no job.
        assert_eq!(
            CupsJob::from_group(&group(vec![("job-id", IppValue::Integer(3))])),
            None
        );
        assert_eq!(
            CupsJob::from_group(&group(vec![
                ("job-id", IppValue::Integer(0)),
                (
                    "job-printer-uri",
                    IppValue::new_uri("ipp://h/printers/Q").unwrap()
                )
            ])),
            None
        );
    }

    #[test]
    fn job_status_table() {
        let with = |state: i32, reasons: &[&str]| {
            CupsJob {
                state,
                reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
                ..CupsJob::default()
            }
            .status()
        };
        assert_eq!(with(3, &[]), JobStatus::empty());
        assert_eq!(with(3, &["job-incoming"]), JobStatus::SPOOLING);
        assert_eq!(with(4, &["job-incoming"]), JobStatus::SPOOLING);
        assert_eq!(with(4, &["job-hold-until-specified"]), JobStatus::PAUSED);
        assert_eq!(with(5, &["job-printing"]), JobStatus::PRINTING);
        assert_eq!(
            with(6, &[]),
            JobStatus::PRINTING | JobStatus::ERROR | JobStatus::BLOCKED_DEVQ
        );
        assert_eq!(
            with(5, &["processing-to-stop-point"]),
            JobStatus::PRINTING | JobStatus::DELETING
        );
        assert_eq!(
            with(7, &["job-canceled-by-user"]),
            JobStatus::DELETED | JobStatus::DELETING
        );
        assert_eq!(with(8, &[]), JobStatus::ERROR);
        assert_eq!(with(9, &[]), JobStatus::PRINTED | JobStatus::COMPLETE);
        // Printer reasons count only while the job is processing.
        let mut j = CupsJob {
            state: 3,
            printer_reasons: vec!["media-needed-warning".into()],
            ..CupsJob::default()
        };
        assert_eq!(j.status(), JobStatus::empty());
        j.state = 5;
        assert_eq!(j.status(), JobStatus::PRINTING | JobStatus::PAPEROUT);
    }

    #[test]
    fn owner_is_the_recorded_smb_user_only_on_our_jobs() {
        let mut j = cups_job(1, "Q", 3);
        j.originating_user = Some("msrap".into());
        j.accounting_user = Some("ALICE".into());
        assert_eq!(j.user("msrap"), Some("ALICE"));
        // Someone else's job claiming an SMB user stays theirs.
        assert_eq!(j.user("root"), Some("msrap"));
        j.accounting_user = None;
        assert_eq!(j.user("msrap"), Some("msrap"));
        j.originating_user = None;
        assert_eq!(j.user("msrap"), None);
    }

    #[test]
    fn priority_is_clamped_to_1_99() {
        for (p, want) in [(100, 99), (99, 99), (50, 50), (1, 1), (0, 1), (-5, 1)] {
            let mut j = cups_job(1, "Q", 3);
            j.priority = p;
            assert_eq!(j.to_job_info2(1, 1, "root", None).priority, want);
        }
    }

    #[test]
    fn a_job_listed_twice_is_shown_once() {
        // Found by the ipp_reply fuzz body.
        let jobs = [
            cups_job(5, "Q", 3),
            cups_job(5, "R", 4),
            cups_job(65_540, "Q", 3),
        ];
        let l = JobList::from_cups(&jobs, "root", |_| None);
        assert_eq!(l.slots.len(), 1);
        assert_eq!(l.hidden, 2);
        assert_eq!(l.queue("Q").unwrap().len(), 1);
        assert!(l.queue("R").is_none());
    }

    #[test]
    fn printing_jobs_come_first_then_cups_order() {
        // CUPS lists by priority: a priority-100 pending job before the
        // priority-50 job being printed.
        let mut urgent = cups_job(9, "Q", 3);
        urgent.priority = 100;
        let jobs = [
            urgent,
            cups_job(4, "Q", 5),
            cups_job(5, "Q", 4),
            cups_job(6, "Q", 6),
        ];
        let l = JobList::from_cups(&jobs, "root", |_| None);
        let order: Vec<(u32, u32)> = l
            .queue("Q")
            .unwrap()
            .iter()
            .map(|j| (j.job_id, j.position))
            .collect();
        assert_eq!(order, [(4, 1), (6, 2), (9, 3), (5, 4)]);
        assert_eq!(l.slot(9).unwrap().index, 2);
    }

    #[test]
    fn collisions_show_the_older_job_and_ids_never_move() {
        let jobs = vec![
            cups_job(65_537, "B", 3), // RAP 2, newer: hidden while 2 lives
            cups_job(2, "A", 4),
            cups_job(3, "A", 3),
            cups_job(65_539, "A", 3), // RAP 4, alone
            cups_job(7, "B", 9),      // completed: never shown
        ];
        let l = JobList::from_cups(&jobs, "root", |_| None);
        let ids = |q: &str| {
            l.queue(q)
                .map(|j| j.iter().map(|j| (j.job_id, j.position)).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        assert_eq!(ids("a"), [(2, 1), (3, 2), (4, 3)]);
        assert_eq!(ids("B"), []);
        assert_eq!(l.hidden, 2);
        let s = l.slot(2).unwrap();
        assert_eq!((s.cups_id, s.queue, s.index, s.held), (2, 0, 0, true));
        assert_eq!(l.slot(4).unwrap().cups_id, 65_539);
        assert_eq!(l.slot(0), None);
        assert_eq!(l.slot(65_536), None);
        // Job 2 is gone: 65537 appears, under the same RAP id.
        let l = JobList::from_cups(&jobs[..1], "root", |_| None);
        assert_eq!(l.slot(2).unwrap().cups_id, 65_537);
        assert_eq!(l.queue("B").unwrap()[0].job_id, 2);
        assert_eq!(l.hidden, 0);
    }

    #[test]
    fn printer_groups_become_printer_info_2() {
        let mut g = IppAttributeGroup::new(DelimiterTag::PrinterAttributes);
        for (n, v) in [
            ("printer-name", name("LASER")),
            (
                "printer-info",
                IppValue::new_text_without_language("Second floor").unwrap(),
            ),
            (
                "printer-location",
                IppValue::new_text_without_language("Room 2").unwrap(),
            ),
            (
                "printer-make-and-model",
                IppValue::new_text_without_language("HP LaserJet").unwrap(),
            ),
            (
                "device-uri",
                IppValue::new_uri("smb://bob:secret@fs/laser").unwrap(),
            ),
            ("printer-state", IppValue::Enum(5)),
            (
                "printer-state-reasons",
                IppValue::Array(vec![kw("paused"), kw("toner-low-warning")]),
            ),
            ("printer-is-accepting-jobs", IppValue::Boolean(false)),
        ] {
            g.attributes_mut()
                .push(IppAttribute::with_name(n, v).unwrap());
        }
        let p = CupsPrinter::from_group(&g).unwrap();
        assert!(!p.accepting);
        assert_eq!(
            p.info,
            PrinterInfo2 {
                printer_name: Some("LASER".into()),
                share_name: Some("LASER".into()),
                port_name: Some("smb://fs/laser".into()),
                driver_name: Some("HP LaserJet".into()),
                comment: Some("Second floor".into()),
                location: Some("Room 2".into()),
                datatype: Some("RAW".into()),
                priority: 1,
                default_priority: 1,
                status: PrinterStatus::PAUSED | PrinterStatus::TONER_LOW,
                ..PrinterInfo2::default()
            }
        );
        let jobs = JobList::from_cups(&[cups_job(1, "laser", 3)], "root", |_| None);
        let ps = printers(std::slice::from_ref(&p), &jobs, &ControlPolicy::default());
        assert_eq!((ps[0].info.jobs, ps[0].jobs.len()), (1, 1));
    }

    #[test]
    fn printer_status_table() {
        let s = |state, reasons: &[&str]| {
            printer_status(
                state,
                &reasons.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(s(3, &[]), PrinterStatus::empty());
        assert_eq!(s(4, &[]), PrinterStatus::PRINTING);
        assert_eq!(s(5, &["paused"]), PrinterStatus::PAUSED);
        assert_eq!(
            s(3, &["media-jam-error", "door-open-report", "offline"]),
            PrinterStatus::PAPER_JAM
                | PrinterStatus::ERROR
                | PrinterStatus::DOOR_OPEN
                | PrinterStatus::OFFLINE
        );
        assert_eq!(s(3, &["cups-missing-filter-error"]), PrinterStatus::ERROR);
    }

    #[test]
    fn uris() {
        assert_eq!(without_userinfo("smb://u:p@h/q"), "smb://h/q");
        assert_eq!(without_userinfo("socket://h:9100"), "socket://h:9100");
        assert_eq!(without_userinfo("file:///dev/null"), "file:///dev/null");
        assert_eq!(without_userinfo("ipp://a@b@h/x?y@z"), "ipp://h/x?y@z");
        assert_eq!(without_userinfo("no scheme@x"), "no scheme@x");
        assert_eq!(last_segment("ipp://h:1/printers/Q").as_deref(), Some("Q"));
        assert_eq!(
            last_segment("ipp://h/classes/C%C3%A9/").as_deref(),
            Some("Cé")
        );
        assert_eq!(last_segment("ipp://h"), None);
        assert_eq!(last_segment("ipp://h/printers/%zz"), None);
        assert_eq!(last_segment("ipp://h/printers/%FF"), None);
        assert_eq!(percent_encode("Q A/é#"), "Q%20A%2F%C3%A9%23");
        assert_eq!(
            percent_decode(&percent_encode("Q A/é#")).as_deref(),
            Some("Q A/é#")
        );
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(truncate("aé", 2), "a");
        assert_eq!(truncate("abc", 5), "abc");
    }

    #[test]
    fn ipp_status_codes() {
        use Target::{Job, Printer};
        assert_eq!(ipp_error(0x0406, Job), Win32Error::ERROR_INVALID_PARAMETER);
        assert_eq!(
            ipp_error(0x0406, Printer),
            Win32Error::ERROR_INVALID_PRINTER_NAME
        );
        assert_eq!(ipp_error(0x0403, Job), Win32Error::ERROR_ACCESS_DENIED);
        assert_eq!(ipp_error(0x0402, Printer), Win32Error::ERROR_ACCESS_DENIED);
        assert_eq!(
            ipp_error(0x0404, Job),
            Win32Error::ERROR_INVALID_PRINTER_STATE
        );
        assert_eq!(
            ipp_error(0x0506, Printer),
            Win32Error::ERROR_INVALID_PRINTER_STATE
        );
        assert_eq!(ipp_error(0x0507, Job), Win32Error::ERROR_NOT_READY);
        assert_eq!(ipp_error(0x0500, Job), Win32Error::ERROR_GEN_FAILURE);
        assert_eq!(ipp_error(0x0400, Job), Win32Error::ERROR_INVALID_PARAMETER);
    }
}
