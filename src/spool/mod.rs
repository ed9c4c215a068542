//! The print spooler seen by the RAP server: [MS-RPRN] JOB_INFO_2 and the
//! calls MS-RAP's server processing makes, as the asynchronous [`Spooler`]
//! trait, plus an in-memory spooler.
//!
//! Jobs are handed out as shared, immutable snapshots ([`Jobs`],
//! [`JobRef`]): no copy and no allocation per request, whether the backend
//! keeps them in memory or caches what a remote spooler said.

use std::future::Future;
use std::sync::Arc;

use bitflags::bitflags;

use crate::codes::Win32Error;

pub mod memory;
pub mod sample;

#[cfg(feature = "server")]
pub mod jobs_file;

#[cfg(feature = "cups")]
pub mod cups;

pub use memory::{MemorySpooler, Queue};

bitflags! {
    /// JOB_STATUS_* bits of JOB_INFO_2.Status ([MS-RPRN] 2.2.3.12).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct JobStatus: u32 {
        /// JOB_STATUS_PAUSED: the job is paused (RAP PRJ_QS_PAUSED, MS-RAP 3.2.5.7.1).
        const PAUSED = 0x0000_0001;
        /// JOB_STATUS_ERROR: an error is associated with the job (RAP PRJ_QS_ERROR).
        const ERROR = 0x0000_0002;
        /// JOB_STATUS_DELETING: the job is being deleted.
        const DELETING = 0x0000_0004;
        /// JOB_STATUS_SPOOLING: the job is being spooled (RAP PRJ_QS_SPOOLING).
        const SPOOLING = 0x0000_0008;
        /// JOB_STATUS_PRINTING: the job is printing (RAP PRJ_QS_PRINTING).
        const PRINTING = 0x0000_0010;
        /// JOB_STATUS_OFFLINE: the printer is offline.
        const OFFLINE = 0x0000_0020;
        /// JOB_STATUS_PAPEROUT: the printer is out of paper.
        const PAPEROUT = 0x0000_0040;
        /// JOB_STATUS_PRINTED: the job has printed.
        const PRINTED = 0x0000_0080;
        /// JOB_STATUS_DELETED: the job has been deleted.
        const DELETED = 0x0000_0100;
        /// JOB_STATUS_BLOCKED_DEVQ: the driver cannot print the job.
        const BLOCKED_DEVQ = 0x0000_0200;
        /// JOB_STATUS_USER_INTERVENTION: the printer needs the user to act.
        const USER_INTERVENTION = 0x0000_0400;
        /// JOB_STATUS_RESTART: the job has been restarted.
        const RESTART = 0x0000_0800;
        /// JOB_STATUS_COMPLETE: the job has been sent to the printer.
        const COMPLETE = 0x0000_1000;
        // Unknown bits are kept (bitflags' `from_bits_retain`).
        const _ = !0;
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for JobStatus {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        // Any 32-bit value, unknown bits included.
        Ok(JobStatus::from_bits_retain(u32::arbitrary(u)?))
    }
}

/// SYSTEMTIME ([MS-DTYP] 2.3.13): eight WORDs, always UTC in JOB_INFO_2.Submitted.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct SystemTime {
    /// wYear.
    pub year: u16,
    /// wMonth: 1 (January) to 12.
    pub month: u16,
    /// wDayOfWeek: 0 (Sunday) to 6.
    pub day_of_week: u16,
    /// wDay: 1 to 31.
    pub day: u16,
    /// wHour: 0 to 23.
    pub hour: u16,
    /// wMinute: 0 to 59.
    pub minute: u16,
    /// wSecond: 0 to 59.
    pub second: u16,
    /// wMilliseconds: 0 to 999.
    pub milliseconds: u16,
}

impl SystemTime {
    /// Seconds since 1970-01-01 00:00:00 UTC, milliseconds dropped; `None`
    /// when a field is out of range (month 0 or 13, day 32, hour 24...).
    /// wDayOfWeek is ignored, as Windows does when converting.
    pub fn to_unix(&self) -> Option<i64> {
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        if !(1..=12).contains(&m) || self.hour > 23 || self.minute > 59 || self.second > 59 {
            return None;
        }
        if self.milliseconds > 999 || d < 1 || d > i64::from(days_in_month(self.year, self.month)) {
            return None;
        }
        Some(
            days_from_civil(y, m, d) * 86_400
                + i64::from(self.hour) * 3_600
                + i64::from(self.minute) * 60
                + i64::from(self.second),
        )
    }

    /// The SYSTEMTIME for a Unix time (UTC), with day of week filled in.
    pub fn from_unix(secs: i64) -> Option<SystemTime> {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let year = u16::try_from(y).ok()?;
        // 1970-01-01 was a Thursday (4).
        let dow = (days + 4).rem_euclid(7);
        Some(SystemTime {
            year,
            month: m as u16,
            day_of_week: dow as u16,
            day: d as u16,
            hour: (rem / 3_600) as u16,
            minute: (rem % 3_600 / 60) as u16,
            second: (rem % 60) as u16,
            milliseconds: 0,
        })
    }
}

fn is_leap(y: u16) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u16, m: u16) -> u16 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// JOB_INFO_2 ([MS-RPRN] 2.2.1.7.2), every member, owned.
///
/// Pointer members are `Option<String>`: `None` is a NULL pointer, which is
/// not the same as `Some("")` on the wire of MS-RPRN (although MS-RAP
/// marshals both as an empty string, 2.5.11).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct JobInfo2 {
    /// JobId.
    pub job_id: u32,
    /// pPrinterName (RAP's QueueName is what follows its last backslash).
    pub printer_name: Option<String>,
    /// pMachineName: the machine that submitted the job.
    pub machine_name: Option<String>,
    /// pUserName: the job's owner.
    pub user_name: Option<String>,
    /// pDocument: the document name.
    pub document: Option<String>,
    /// pNotifyName: the user to notify.
    pub notify_name: Option<String>,
    /// pDatatype.
    pub datatype: Option<String>,
    /// pPrintProcessor.
    pub print_processor: Option<String>,
    /// pParameters: the print processor's parameters.
    pub parameters: Option<String>,
    /// pDriverName.
    pub driver_name: Option<String>,
    /// pDevMode: the DEVMODE bytes, opaque here.
    pub dev_mode: Option<Vec<u8>>,
    /// pStatus: a status string, when the spooler sets one.
    pub status_text: Option<String>,
    /// pSecurityDescriptor: self-relative SECURITY_DESCRIPTOR bytes, opaque here.
    pub security_descriptor: Option<Vec<u8>>,
    /// Status (JOB_STATUS_* bits).
    pub status: JobStatus,
    /// 0 (use the queue's) or 1..=99.
    pub priority: u32,
    /// 1 = next to print.
    pub position: u32,
    /// Minutes after 00:00 GMT.
    pub start_time: u32,
    /// Minutes after 00:00 GMT.
    pub until_time: u32,
    /// TotalPages.
    pub total_pages: u32,
    /// Bytes.
    pub size: u32,
    /// When the job was submitted, UTC.
    pub submitted: SystemTime,
    /// Milliseconds since the job started printing.
    pub time: u32,
    /// PagesPrinted.
    pub pages_printed: u32,
}

bitflags! {
    /// PRINTER_STATUS_* bits of PRINTER_INFO_2.Status ([MS-RPRN] 2.2.3.12).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct PrinterStatus: u32 {
        /// PRINTER_STATUS_PAUSED: the queue is paused (RAP PRQ_PAUSED, MS-RAP 3.2.5.4).
        const PAUSED = 0x0000_0001;
        /// PRINTER_STATUS_ERROR: the printer is in an error state (RAP PRQ_ERROR).
        const ERROR = 0x0000_0002;
        /// PRINTER_STATUS_PENDING_DELETION: the queue is being deleted (RAP PRQ_PENDING).
        const PENDING_DELETION = 0x0000_0004;
        /// PRINTER_STATUS_PAPER_JAM: paper is jammed.
        const PAPER_JAM = 0x0000_0008;
        /// PRINTER_STATUS_PAPER_OUT: the printer is out of paper.
        const PAPER_OUT = 0x0000_0010;
        /// PRINTER_STATUS_MANUAL_FEED: the printer waits for manual feed.
        const MANUAL_FEED = 0x0000_0020;
        /// PRINTER_STATUS_PAPER_PROBLEM: the printer has a paper problem.
        const PAPER_PROBLEM = 0x0000_0040;
        /// PRINTER_STATUS_OFFLINE: the printer is offline.
        const OFFLINE = 0x0000_0080;
        /// PRINTER_STATUS_IO_ACTIVE: the printer is in an active input/output state.
        const IO_ACTIVE = 0x0000_0100;
        /// PRINTER_STATUS_BUSY: the printer is busy.
        const BUSY = 0x0000_0200;
        /// PRINTER_STATUS_PRINTING: the printer is printing.
        const PRINTING = 0x0000_0400;
        /// PRINTER_STATUS_OUTPUT_BIN_FULL: the output bin is full.
        const OUTPUT_BIN_FULL = 0x0000_0800;
        /// PRINTER_STATUS_NOT_AVAILABLE: the printer is not available for printing.
        const NOT_AVAILABLE = 0x0000_1000;
        /// PRINTER_STATUS_WAITING: the printer is waiting.
        const WAITING = 0x0000_2000;
        /// PRINTER_STATUS_PROCESSING: the printer is processing a job.
        const PROCESSING = 0x0000_4000;
        /// PRINTER_STATUS_INITIALIZING: the printer is initializing.
        const INITIALIZING = 0x0000_8000;
        /// PRINTER_STATUS_WARMING_UP: the printer is warming up.
        const WARMING_UP = 0x0001_0000;
        /// PRINTER_STATUS_TONER_LOW: toner is low.
        const TONER_LOW = 0x0002_0000;
        /// PRINTER_STATUS_NO_TONER: the printer is out of toner.
        const NO_TONER = 0x0004_0000;
        /// PRINTER_STATUS_PAGE_PUNT: the printer cannot print the current page.
        const PAGE_PUNT = 0x0008_0000;
        /// PRINTER_STATUS_USER_INTERVENTION: the printer needs the user to act.
        const USER_INTERVENTION = 0x0010_0000;
        /// PRINTER_STATUS_OUT_OF_MEMORY: the printer is out of memory.
        const OUT_OF_MEMORY = 0x0020_0000;
        /// PRINTER_STATUS_DOOR_OPEN: the printer door is open.
        const DOOR_OPEN = 0x0040_0000;
        /// PRINTER_STATUS_SERVER_UNKNOWN: the printer status is unknown.
        const SERVER_UNKNOWN = 0x0080_0000;
        /// PRINTER_STATUS_POWER_SAVE: the printer is in power-save mode.
        const POWER_SAVE = 0x0100_0000;
        /// PRINTER_STATUS_SERVER_OFFLINE: the print server is offline.
        const SERVER_OFFLINE = 0x0200_0000;
        // Unknown bits are kept.
        const _ = !0;
    }
}

/// PRINTER_INFO_2 ([MS-RPRN] 2.2.1.10.3), every member, owned.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct PrinterInfo2 {
    /// pServerName.
    pub server_name: Option<String>,
    /// pPrinterName (RAP's PrintQName is what follows its last backslash).
    pub printer_name: Option<String>,
    /// pShareName.
    pub share_name: Option<String>,
    /// pPortName (RAP's PrintDestinationsName / Printers).
    pub port_name: Option<String>,
    /// pDriverName.
    pub driver_name: Option<String>,
    /// pComment.
    pub comment: Option<String>,
    /// pLocation.
    pub location: Option<String>,
    /// pDevMode: the DEVMODE bytes, opaque here.
    pub dev_mode: Option<Vec<u8>>,
    /// pSepFile.
    pub sep_file: Option<String>,
    /// pPrintProcessor.
    pub print_processor: Option<String>,
    /// pDatatype.
    pub datatype: Option<String>,
    /// pParameters.
    pub parameters: Option<String>,
    /// pSecurityDescriptor: self-relative SECURITY_DESCRIPTOR bytes, opaque here.
    pub security_descriptor: Option<Vec<u8>>,
    /// Attributes (PRINTER_ATTRIBUTE_*).
    pub attributes: u32,
    /// Priority: 1 (lowest) to 99 in MS-RPRN; RAP's queue priority is 1–9.
    pub priority: u32,
    /// DefaultPriority.
    pub default_priority: u32,
    /// StartTime: minutes after 00:00 GMT.
    pub start_time: u32,
    /// UntilTime: minutes after 00:00 GMT.
    pub until_time: u32,
    /// Status.
    #[cfg_attr(feature = "arbitrary", arbitrary(with = |u: &mut arbitrary::Unstructured| Ok(PrinterStatus::from_bits_retain(u32::arbitrary(u)?))))]
    pub status: PrinterStatus,
    /// cJobs.
    pub jobs: u32,
    /// AveragePPM.
    pub average_ppm: u32,
}

/// Who may control a queue's jobs and the queue itself (msrap's policy
/// until authenticated users exist; the spooler enforces it).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ControlPolicy {
    /// Who may pause, resume, delete or rename a job.
    pub jobs: JobControlPolicy,
    /// The queue's operators: they may control every job of the queue and
    /// the queue itself (pause, resume, purge), which nobody else may.
    pub operators: Vec<String>,
}

/// Who may control a job.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum JobControlPolicy {
    /// A session whose user is the job's user name (or an operator); an
    /// anonymous session matches nobody.
    #[default]
    Owner,
    /// Any session, anonymous ones included.
    Anyone,
    /// Operators only.
    Operators,
}

impl ControlPolicy {
    /// Whether `caller` is one of the queue's operators (user names compare
    /// ASCII case-insensitively, as Windows account names do).
    pub fn is_operator(&self, caller: &Caller<'_>) -> bool {
        !caller.anonymous
            && !caller.user.is_empty()
            && self
                .operators
                .iter()
                .any(|o| o.eq_ignore_ascii_case(caller.user))
    }

    /// Whether `caller` may control a job whose user name is `owner`.
    pub fn may_control_job(&self, caller: &Caller<'_>, owner: Option<&str>) -> bool {
        match self.jobs {
            JobControlPolicy::Anyone => true,
            JobControlPolicy::Operators => self.is_operator(caller),
            JobControlPolicy::Owner => {
                self.is_operator(caller)
                    || (!caller.anonymous
                        && !caller.user.is_empty()
                        && owner.is_some_and(|o| o.eq_ignore_ascii_case(caller.user)))
            }
        }
    }

    /// Whether `caller` may control the queue (operators only).
    pub fn may_control_queue(&self, caller: &Caller<'_>) -> bool {
        self.is_operator(caller)
    }
}

/// Who asks the spooler to do something: the identity the SMB session
/// established (MS-CIFS 3.3.1.8), as the RAP layer passes it on.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Caller<'a> {
    /// The account name (empty for a null session).
    pub user: &'a str,
    /// A null session.
    pub anonymous: bool,
    /// Whether the credentials were verified.
    pub authenticated: bool,
}

impl<'a> Caller<'a> {
    /// An anonymous (null-session) caller.
    pub const ANONYMOUS: Caller<'static> = Caller {
        user: "",
        anonymous: true,
        authenticated: false,
    };

    /// A caller named `user`, not authenticated (a guest); anonymous when
    /// `user` is empty.
    pub fn guest(user: &'a str) -> Caller<'a> {
        Caller {
            user,
            anonymous: user.is_empty(),
            authenticated: false,
        }
    }
}

/// One print queue as the spooler shows it: PRINTER_INFO_2, its jobs in
/// queue order, and who may control them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Printer {
    /// The share / queue name clients use.
    pub name: String,
    /// PRINTER_INFO_2.
    pub info: PrinterInfo2,
    /// The jobs, in queue order (position 1 first).
    pub jobs: Jobs,
    /// Who may control the jobs and the queue.
    pub policy: ControlPolicy,
}

/// Every queue of a spooler: an immutable, shared snapshot.
pub type Printers = Arc<[Printer]>;

/// What a spool file holds so far, for [`Spooler::job_data`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum JobData {
    /// Its first this many bytes are written and will not change.
    Prefix(u64),
    /// The client wrote out of order: no prefix is known to be final.
    OutOfOrder,
}

/// RpcSetJob's Command ([MS-RPRN] 2.2.4.2): what to do to a job.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobControl {
    /// JOB_CONTROL_PAUSE.
    Pause,
    /// JOB_CONTROL_RESUME.
    Resume,
    /// JOB_CONTROL_CANCEL.
    Cancel,
    /// JOB_CONTROL_DELETE.
    Delete,
}

/// RpcSetPrinter's Command ([MS-RPRN] 2.2.3.9? PRINTER_CONTROL_*): what to do to a queue.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrinterControl {
    /// PRINTER_CONTROL_PAUSE.
    Pause,
    /// PRINTER_CONTROL_RESUME.
    Resume,
    /// PRINTER_CONTROL_PURGE: delete every job.
    Purge,
}

/// Access mask bits of RpcOpenPrinter ([MS-RPRN] 2.2.3.1).
pub const PRINTER_ACCESS_USE: u32 = 0x0000_0008;
/// Access mask bit for job control ([MS-RPRN] 2.2.3.1).
pub const JOB_ACCESS_ADMINISTER: u32 = 0x0000_0010;

/// What MS-RAP passes to RpcOpenPrinter (3.2.5.7 step 3 and its siblings).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OpenPrinter<'a> {
    /// pPrinterName: the local machine name (a print *server* handle) for
    /// NetPrintJobGetInfo; the queue name for NetPrintJobEnum.
    pub printer_name: &'a str,
    /// pDatatype: "RAW".
    pub datatype: &'a str,
    /// AccessRequired: PRINTER_ACCESS_USE, or JOB_ACCESS_ADMINISTER for job control.
    pub access: u32,
}

/// The jobs of one queue in queue order: an immutable snapshot, shared
/// (cloning it copies a pointer, not the jobs).
pub type Jobs = Arc<[JobInfo2]>;

/// One job out of a [`Jobs`] snapshot: what [`Spooler::get_job`] returns,
/// without copying the job.
#[derive(Clone, Debug)]
pub struct JobRef {
    jobs: Jobs,
    index: usize,
}

impl JobRef {
    /// The job at `index` of `jobs`; `None` when there is none.
    pub fn new(jobs: Jobs, index: usize) -> Option<JobRef> {
        (index < jobs.len()).then_some(JobRef { jobs, index })
    }

    /// A job that is not part of a snapshot.
    pub fn owned(job: JobInfo2) -> JobRef {
        JobRef {
            jobs: Arc::from([job]),
            index: 0,
        }
    }
}

impl std::ops::Deref for JobRef {
    type Target = JobInfo2;

    fn deref(&self) -> &JobInfo2 {
        // `new` checked the index and the snapshot never changes.
        self.jobs.get(self.index).unwrap_or(&EMPTY_JOB)
    }
}

static EMPTY_JOB: JobInfo2 = JobInfo2 {
    job_id: 0,
    printer_name: None,
    machine_name: None,
    user_name: None,
    document: None,
    notify_name: None,
    datatype: None,
    print_processor: None,
    parameters: None,
    driver_name: None,
    dev_mode: None,
    status_text: None,
    security_descriptor: None,
    status: JobStatus::empty(),
    priority: 0,
    position: 0,
    start_time: 0,
    until_time: 0,
    total_pages: 0,
    size: 0,
    submitted: SystemTime {
        year: 0,
        month: 0,
        day_of_week: 0,
        day: 0,
        hour: 0,
        minute: 0,
        second: 0,
        milliseconds: 0,
    },
    time: 0,
    pages_printed: 0,
};

/// A print spooler as the RAP server needs it: the MS-RPRN calls MS-RAP's
/// server processing makes (RpcOpenPrinter followed by RpcGetJob,
/// RpcEnumJobs...), each folded into one asynchronous call.
///
/// Every method has a default that answers ERROR_NOT_SUPPORTED, so a
/// backend implements what it can and adding an operation breaks no
/// backend. Errors are Win32 codes, as MS-RPRN returns them; the RAP layer
/// turns them into its 16-bit status (MS-RAP 3.2.5.7 step 6). A backend
/// that answers at once (the in-memory one) returns ready futures, which
/// cost nothing to await; a remote one (CUPS) awaits its I/O.
pub trait Spooler: Send + Sync {
    /// RpcOpenPrinter(open) then RpcGetJob(JobId = `job_id`, Level = 2).
    /// An unknown or zero job id is ERROR_INVALID_PARAMETER ([MS-RPRN] 3.1.4.3.2).
    fn get_job(
        &self,
        open: &OpenPrinter<'_>,
        job_id: u32,
    ) -> impl Future<Output = Result<JobRef, Win32Error>> + Send {
        let _ = (open, job_id);
        std::future::ready(Err(Win32Error::ERROR_NOT_SUPPORTED))
    }

    /// RpcOpenPrinter(open) then RpcEnumJobs(Level = 2) over every job of the
    /// queue named in `open.printer_name`, in queue order. An unknown queue is
    /// ERROR_INVALID_PRINTER_NAME.
    fn enum_jobs(
        &self,
        open: &OpenPrinter<'_>,
    ) -> impl Future<Output = Result<Jobs, Win32Error>> + Send {
        let _ = open;
        std::future::ready(Err(Win32Error::ERROR_NOT_SUPPORTED))
    }

    /// RpcEnumPrinters(PRINTER_ENUM_SHARED, Level = 2) with every queue's
    /// jobs (RpcEnumJobs level 2): a snapshot of every queue
    /// (MS-RAP 3.2.5.4, 3.2.5.5).
    fn enum_printers(&self) -> impl Future<Output = Result<Printers, Win32Error>> + Send {
        std::future::ready(Err(Win32Error::ERROR_NOT_SUPPORTED))
    }

    /// RpcSetJob(`job_id`, no JOB_INFO, `control`) on behalf of `caller`:
    /// ERROR_ACCESS_DENIED when the queue's [`ControlPolicy`] does not
    /// allow it, ERROR_INVALID_PARAMETER for an unknown job.
    fn set_job(
        &self,
        caller: &Caller<'_>,
        job_id: u32,
        control: JobControl,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        let _ = (caller, job_id, control);
        std::future::ready(Err(Win32Error::ERROR_NOT_SUPPORTED))
    }

    /// RpcSetJob level 1 with a new pDocument (MS-RAP 3.2.5.6: rename the
    /// document), on behalf of `caller`, under the same policy.
    fn set_job_document(
        &self,
        caller: &Caller<'_>,
        job_id: u32,
        document: &str,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        let _ = (caller, job_id, document);
        std::future::ready(Err(Win32Error::ERROR_NOT_SUPPORTED))
    }

    /// RpcSetPrinter(`queue`, `control`) on behalf of `caller`: operators
    /// only (ERROR_ACCESS_DENIED), ERROR_INVALID_PRINTER_NAME for an
    /// unknown queue.
    fn set_printer(
        &self,
        caller: &Caller<'_>,
        queue: &str,
        control: PrinterControl,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        let _ = (caller, queue, control);
        std::future::ready(Err(Win32Error::ERROR_NOT_SUPPORTED))
    }

    /// A print file is being received over SMB for `queue` on behalf of
    /// `caller` (SMB_COM_OPEN_PRINT_FILE, or a create on a print share):
    /// create the job, visible as SPOOLING while its data arrives, and
    /// return its 32-bit JobId. The data goes to a spool file the SMB edge
    /// writes; the spooler gets it with [`Spooler::finish_job`].
    fn start_job(
        &self,
        caller: &Caller<'_>,
        queue: &str,
        document: &str,
    ) -> impl Future<Output = Result<u32, Win32Error>> + Send {
        let _ = (caller, queue, document);
        std::future::ready(Err(Win32Error::ERROR_NOT_SUPPORTED))
    }

    /// `bytes` of the job's data have arrived so far (JOB_INFO_2.Size while
    /// spooling).
    fn job_progress(&self, job_id: u32, bytes: u64) -> impl Future<Output = ()> + Send {
        let _ = (job_id, bytes);
        std::future::ready(())
    }

    /// The job's spool file `file` holds its final first `bytes` bytes
    /// ([`JobData::Prefix`]), or no longer does ([`JobData::OutOfOrder`]).
    /// Said after each write while the client writes the file in order
    /// (each write where the last ended: no gap, no rewrite), so a spooler
    /// may take the data while the rest arrives (CUPS streams it to cupsd);
    /// said once, before the write that breaks the order, when the client
    /// writes elsewhere, and never again for that job: what was taken is
    /// void and [`Spooler::finish_job`] must take the file whole. Default:
    /// nothing.
    fn job_data(
        &self,
        job_id: u32,
        file: &std::path::Path,
        data: JobData,
    ) -> impl Future<Output = ()> + Send {
        let _ = (job_id, file, data);
        std::future::ready(())
    }

    /// The print file is complete (CLOSE): take its data from `file` (the
    /// spool file, `size` bytes) and queue the job for printing. The SMB
    /// edge removes the file once this returns, whatever the outcome.
    fn finish_job(
        &self,
        job_id: u32,
        file: &std::path::Path,
        size: u64,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        let _ = (job_id, file, size);
        std::future::ready(Err(Win32Error::ERROR_NOT_SUPPORTED))
    }

    /// The print file will never be complete (the connection died, the
    /// spool limit was hit): remove the job so that no half job stays
    /// visible.
    fn abort_job(&self, job_id: u32) -> impl Future<Output = ()> + Send {
        let _ = job_id;
        std::future::ready(())
    }

    /// Names of the print queues (shares) this spooler knows, for
    /// TREE_CONNECT. Default: none.
    fn queue_names(&self) -> Vec<String> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systemtime_epoch() {
        let t = SystemTime {
            year: 2024,
            month: 1,
            day: 15,
            hour: 12,
            minute: 34,
            second: 56,
            ..Default::default()
        };
        assert_eq!(t.to_unix(), Some(0x65A5_2670));
        let back = SystemTime::from_unix(0x65A5_2670).unwrap();
        assert_eq!(back.day_of_week, 1); // a Monday
        assert_eq!(back.to_unix(), Some(0x65A5_2670));
    }

    #[test]
    fn systemtime_rejects_bad_fields() {
        let bad = SystemTime {
            year: 2023,
            month: 2,
            day: 29,
            ..Default::default()
        };
        assert_eq!(bad.to_unix(), None);
        let bad = SystemTime {
            year: 2024,
            month: 13,
            day: 1,
            ..Default::default()
        };
        assert_eq!(bad.to_unix(), None);
    }
}
