//! PrintJobInfo0–3 (MS-RAP 2.5.7.8.5–2.5.7.8.8) and the JOB_INFO_2 mapping
//! of MS-RAP 3.2.5.7 steps 4–7 and 3.2.5.7.1.
//!
//! String fields are `Cow<str>`: borrowed from JOB_INFO_2 on the server side
//! (no allocation), borrowed from the response bytes on the client side when
//! they are ASCII. A `z` field is `Option`: `None` is a zero pointer (the
//! string was absent or did not fit, 2.5.11), `Some("")` an empty string.

use std::borrow::Cow;
use std::fmt;

use super::profile::Profile;
use super::structs::TakeStruct;
use crate::spool::{JobInfo2, JobStatus};

/// PRJ_QS_QUEUED: in the queue (MS-RAP 2.5.7.8.6).
pub const PRJ_QS_QUEUED: u16 = 0x0000;
/// PRJ_QS_PAUSED: in the queue, paused.
pub const PRJ_QS_PAUSED: u16 = 0x0001;
/// PRJ_QS_SPOOLING: being spooled.
pub const PRJ_QS_SPOOLING: u16 = 0x0002;
/// PRJ_QS_PRINTING: printing.
pub const PRJ_QS_PRINTING: u16 = 0x0003;
/// PRJ_QS_ERROR: error; combined with one of the four queue states.
pub const PRJ_QS_ERROR: u16 = 0x0010;

/// A RAP JobStatus word: a queue state in the low two bits (PRJ_QSTATUS
/// mask 0x0003) plus flag bits, of which MS-RAP defines PRJ_QS_ERROR.
/// Other LAN Manager bits are kept and shown as hex.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
pub struct RapJobStatus(pub u16);

impl RapJobStatus {
    /// The queue state (low two bits).
    pub fn queue_state(self) -> u16 {
        self.0 & 0x0003
    }

    /// Whether PRJ_QS_ERROR is set.
    pub fn is_error(self) -> bool {
        self.0 & PRJ_QS_ERROR != 0
    }

    /// The name of the queue state.
    pub fn queue_state_name(self) -> &'static str {
        match self.queue_state() {
            PRJ_QS_QUEUED => "QUEUED",
            PRJ_QS_PAUSED => "PAUSED",
            PRJ_QS_SPOOLING => "SPOOLING",
            _ => "PRINTING",
        }
    }

    /// Names of the set flag bits (LAN Manager PRJ_* names).
    pub fn flag_names(self) -> impl Iterator<Item = &'static str> {
        const FLAGS: &[(u16, &str)] = &[
            (0x0004, "COMPLETE"),
            (0x0008, "INTERV"),
            (0x0010, "ERROR"),
            (0x0020, "DESTOFFLINE"),
            (0x0040, "DESTPAUSED"),
            (0x0080, "NOTIFY"),
            (0x0100, "DESTNOPAPER"),
            (0x0200, "DESTFORMCHG"),
            (0x0400, "DESTCRTCHG"),
            (0x0800, "DESTPENCHG"),
            (0x4000, "JOBFILEINUSE"),
            (0x8000, "DELETED"),
        ];
        FLAGS
            .iter()
            .filter(move |(bit, _)| self.0 & bit != 0)
            .map(|&(_, n)| n)
    }

    /// JOB_INFO_2.Status → JobStatus (MS-RAP 3.2.5.7.1): the first rule of
    /// the profile's precedence table whose bit is set gives the queue state
    /// (none: PRJ_QS_QUEUED); JOB_STATUS_ERROR adds PRJ_QS_ERROR; every
    /// other bit is ignored.
    pub fn from_job_status(status: JobStatus, profile: &Profile) -> RapJobStatus {
        let state = profile
            .status_precedence
            .iter()
            .find(|r| status.contains(r.bit))
            .map_or(PRJ_QS_QUEUED, |r| r.queue_state);
        let err = if profile.error_bit && status.contains(JobStatus::ERROR) {
            PRJ_QS_ERROR
        } else {
            0
        };
        RapJobStatus(state | err)
    }
}

impl From<u16> for RapJobStatus {
    fn from(v: u16) -> Self {
        RapJobStatus(v)
    }
}

impl From<RapJobStatus> for u16 {
    fn from(v: RapJobStatus) -> u16 {
        v.0
    }
}

impl fmt::Display for RapJobStatus {
    /// `PRINTING`, `QUEUED|ERROR`, `PAUSED|0x2000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.queue_state_name())?;
        let known: u16 = 0xCFFC;
        for n in self.flag_names() {
            write!(f, "|{n}")?;
        }
        let unknown = self.0 & !known & !0x0003;
        if unknown != 0 {
            write!(f, "|{unknown:#06x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for RapJobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RapJobStatus({:#06x} {})", self.0, self)
    }
}

crate::rap_struct! {
    /// PrintJobInfo0 (MS-RAP 2.5.7.8.5), `W`.
    pub struct PrintJobInfo0 {
        /// JobID.
        job_id: W,
    }
}

crate::rap_struct! {
    /// PrintJobInfo1 (MS-RAP 2.5.7.8.6), `WB21BB16B10zWWzDDz`.
    pub struct PrintJobInfo1<'a> {
        /// JobID.
        job_id: W,
        /// UserName: at most 20 OEM bytes on the wire.
        user_name: B 21,
        _: B,
        /// NotifyName: at most 15.
        notify_name: B 16,
        /// DataType: at most 9.
        data_type: B 10,
        /// PrintParameterString.
        print_parameter_string: z,
        /// JobPosition: 1 = next to print.
        job_position: W,
        /// JobStatus.
        job_status: W [JobStatus],
        /// JobStatusString.
        job_status_string: z,
        /// TimeSubmitted: seconds since 1970-01-01 in the server's local time.
        time_submitted: D [Time],
        /// JobSize in bytes.
        job_size: D,
        /// JobCommentString.
        job_comment_string: z,
    }
}

crate::rap_struct! {
    /// PrintJobInfo2 (MS-RAP 2.5.7.8.7), `WWzWWDDzz`.
    pub struct PrintJobInfo2<'a> {
        /// JobID.
        job_id: W,
        /// Priority: 0 (the queue's) or 1..=99.
        priority: W,
        /// UserName.
        user_name: z,
        /// JobPosition.
        job_position: W,
        /// JobStatus.
        job_status: W [JobStatus],
        /// TimeSubmitted (server local time).
        time_submitted: D [Time],
        /// JobSize in bytes.
        job_size: D,
        /// Comment.
        comment: z,
        /// DocumentName.
        document_name: z,
    }
}

crate::rap_struct! {
    /// PrintJobInfo3 (MS-RAP 2.5.7.8.8), `WWzWWDDzzzzzzzzzzlz`.
    pub struct PrintJobInfo3<'a> {
        /// JobID.
        job_id: W,
        /// Priority.
        priority: W,
        /// UserName.
        user_name: z,
        /// JobPosition.
        job_position: W,
        /// JobStatus.
        job_status: W [JobStatus],
        /// TimeSubmitted (server local time).
        time_submitted: D [Time],
        /// JobSize in bytes.
        job_size: D,
        /// Comment.
        comment: z,
        /// DocumentName.
        document_name: z,
        /// NotifyName.
        notify_name: z,
        /// DataType.
        data_type: z,
        /// PrintParameterString.
        print_parameter_string: z,
        /// StatusString.
        status_string: z,
        /// QueueName.
        queue_name: z,
        /// PrintProcessorName.
        print_processor_name: z,
        /// PrintProcessorParams.
        print_processor_params: z,
        /// DriverName.
        driver_name: z,
        /// DriverData: a buffer whose first two bytes are its length; `None`
        /// when both pointer halves are 0 ("not present").
        driver_data: l,
        /// PrinterName.
        printer_name: z,
    }
}

crate::rap_levels! {
    /// One PrintJobInfo structure of any level.
    pub enum PrintJobInfo<'a> {
        0 => Level0(PrintJobInfo0),
        1 => Level1(PrintJobInfo1<'a>),
        2 => Level2(PrintJobInfo2<'a>),
        3 => Level3(PrintJobInfo3<'a>),
    }
}

/// Server-side settings of the JOB_INFO_2 mapping.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MappingConfig {
    /// The profile whose status precedence and error bit map JOB_STATUS to
    /// the RAP JobStatus (3.2.5.7.1).
    pub profile: Profile,
    /// The server's offset from UTC in seconds, east positive; added to the
    /// UTC submission time (TimeSubmitted is local time, 2.5.7.8.6).
    pub utc_offset_secs: i32,
}

impl MappingConfig {
    /// The mapping under `profile` with the server `utc_offset_secs` east of UTC.
    pub const fn new(profile: Profile, utc_offset_secs: i32) -> MappingConfig {
        MappingConfig {
            profile,
            utc_offset_secs,
        }
    }
}

impl Default for MappingConfig {
    fn default() -> Self {
        MappingConfig::new(Profile::SPEC, 0)
    }
}

/// RAP JobID for a 32-bit spooler JobId: the value itself when it fits in
/// 16 bits, else 0. A request can only name ids up to 0xFFFF (its JobID
/// is zero-extended), so a larger id is unreachable through RAP; 0 is
/// never a valid JobId (RpcGetJob rejects it), so it cannot alias a real
/// job the way truncation to the low 16 bits would.
pub fn rap_job_id(job_id: u32) -> u16 {
    u16::try_from(job_id).unwrap_or(0)
}

/// TimeSubmitted: UTC seconds since 1970 of Submitted (milliseconds
/// dropped) plus the server's UTC offset. A SYSTEMTIME that is not a valid
/// date, or a result outside 0..=u32::MAX, gives 0.
pub fn time_submitted(job: &JobInfo2, utc_offset_secs: i32) -> u32 {
    job.submitted
        .to_unix()
        .and_then(|t| t.checked_add(i64::from(utc_offset_secs)))
        .and_then(|t| u32::try_from(t).ok())
        .unwrap_or(0)
}

/// QueueName: the text after the last backslash of pPrinterName, all of it
/// when there is none (3.2.5.7; `\\SRV\LASER` → `LASER`).
pub fn queue_name(printer_name: &str) -> &str {
    match printer_name.rfind('\\') {
        Some(i) => printer_name.get(i + 1..).unwrap_or(""),
        None => printer_name,
    }
}

fn sat16(v: u32) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

/// A `z` field: a NULL source string is marshaled as an empty string (2.5.11).
fn z(s: &Option<String>) -> Option<Cow<'_, str>> {
    Some(Cow::Borrowed(s.as_deref().unwrap_or("")))
}

fn b(s: &Option<String>) -> Cow<'_, str> {
    Cow::Borrowed(s.as_deref().unwrap_or(""))
}

/// The common members of the JOB_INFO_2 mapping (3.2.5.7 steps 4–5).
struct Mapped {
    job_id: u16,
    job_status: RapJobStatus,
    time_submitted: u32,
}

impl Mapped {
    fn new(job: &JobInfo2, cfg: &MappingConfig) -> Mapped {
        Mapped {
            job_id: rap_job_id(job.job_id),
            job_status: RapJobStatus::from_job_status(job.status, &cfg.profile),
            time_submitted: time_submitted(job, cfg.utc_offset_secs),
        }
    }
}

impl PrintJobInfo0 {
    /// JOB_INFO_2 → PrintJobInfo0 (3.2.5.7).
    pub fn from_job_info2(job: &JobInfo2) -> PrintJobInfo0 {
        PrintJobInfo0 {
            job_id: rap_job_id(job.job_id),
        }
    }
}

impl<'a> PrintJobInfo1<'a> {
    /// JOB_INFO_2 → PrintJobInfo1 (3.2.5.7), borrowing every string.
    pub fn from_job_info2(job: &'a JobInfo2, cfg: &MappingConfig) -> PrintJobInfo1<'a> {
        let m = Mapped::new(job, cfg);
        PrintJobInfo1 {
            job_id: m.job_id,
            user_name: b(&job.user_name),
            notify_name: b(&job.notify_name),
            data_type: b(&job.datatype),
            print_parameter_string: z(&job.parameters),
            job_position: sat16(job.position),
            job_status: m.job_status,
            job_status_string: z(&job.status_text),
            time_submitted: m.time_submitted,
            job_size: job.size,
            // <76>: Windows supplies the document name as the comment.
            job_comment_string: z(&job.document),
        }
    }
}

impl<'a> PrintJobInfo2<'a> {
    /// JOB_INFO_2 → PrintJobInfo2 (3.2.5.7), borrowing every string.
    pub fn from_job_info2(job: &'a JobInfo2, cfg: &MappingConfig) -> PrintJobInfo2<'a> {
        let m = Mapped::new(job, cfg);
        PrintJobInfo2 {
            job_id: m.job_id,
            priority: sat16(job.priority),
            user_name: z(&job.user_name),
            job_position: sat16(job.position),
            job_status: m.job_status,
            time_submitted: m.time_submitted,
            job_size: job.size,
            comment: z(&job.document), // <77>
            document_name: z(&job.document),
        }
    }
}

impl<'a> PrintJobInfo3<'a> {
    /// JOB_INFO_2 → PrintJobInfo3 (3.2.5.7), borrowing every string.
    pub fn from_job_info2(job: &'a JobInfo2, cfg: &MappingConfig) -> PrintJobInfo3<'a> {
        let m = Mapped::new(job, cfg);
        PrintJobInfo3 {
            job_id: m.job_id,
            priority: sat16(job.priority),
            user_name: z(&job.user_name),
            job_position: sat16(job.position),
            job_status: m.job_status,
            time_submitted: m.time_submitted,
            job_size: job.size,
            comment: z(&job.document), // <78>
            document_name: z(&job.document),
            notify_name: z(&job.notify_name),
            data_type: z(&job.datatype),
            print_parameter_string: z(&job.parameters),
            status_string: z(&job.status_text),
            queue_name: Some(Cow::Borrowed(queue_name(
                job.printer_name.as_deref().unwrap_or(""),
            ))),
            print_processor_name: z(&job.print_processor),
            print_processor_params: z(&job.parameters),
            driver_name: z(&job.driver_name),
            // DriverData is not available from JOB_INFO_2: "not present".
            driver_data: None,
            printer_name: z(&job.printer_name),
        }
    }
}

/// Map JOB_INFO_2 to PrintJobInfo of `level` 0..=3 and hand the structure
/// to `k` (marshal it), without building the [`PrintJobInfo`] enum. `None`
/// for another level.
pub(crate) fn with_job_info2<K: TakeStruct>(
    level: u16,
    job: &JobInfo2,
    cfg: &MappingConfig,
    k: K,
) -> Option<K::Output> {
    Some(match level {
        0 => k.take(&PrintJobInfo0::from_job_info2(job)),
        1 => k.take(&PrintJobInfo1::from_job_info2(job, cfg)),
        2 => k.take(&PrintJobInfo2::from_job_info2(job, cfg)),
        3 => k.take(&PrintJobInfo3::from_job_info2(job, cfg)),
        _ => return None,
    })
}

impl<'a> PrintJobInfo<'a> {
    /// Map JOB_INFO_2 to PrintJobInfo of `level` 0..=3 (3.2.5.7), borrowing
    /// every string. `None` for another level.
    pub fn from_job_info2(
        level: u16,
        job: &'a JobInfo2,
        cfg: &MappingConfig,
    ) -> Option<PrintJobInfo<'a>> {
        Some(match level {
            0 => PrintJobInfo::Level0(PrintJobInfo0::from_job_info2(job)),
            1 => PrintJobInfo::Level1(PrintJobInfo1::from_job_info2(job, cfg)),
            2 => PrintJobInfo::Level2(PrintJobInfo2::from_job_info2(job, cfg)),
            3 => PrintJobInfo::Level3(PrintJobInfo3::from_job_info2(job, cfg)),
            _ => return None,
        })
    }

    /// The JobID (every level has one).
    pub fn job_id(&self) -> u16 {
        match self {
            PrintJobInfo::Level0(i) => i.job_id,
            PrintJobInfo::Level1(i) => i.job_id,
            PrintJobInfo::Level2(i) => i.job_id,
            PrintJobInfo::Level3(i) => i.job_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn status_mapping_e23() {
        let p = Profile::SPEC;
        let m = |bits: u32| RapJobStatus::from_job_status(JobStatus::from_bits_retain(bits), &p).0;
        assert_eq!(m(0), 0);
        assert_eq!(m(0x8), 2);
        assert_eq!(m(0x1), 1);
        assert_eq!(m(0x10), 3);
        assert_eq!(m(0x2), 0x10);
        assert_eq!(m(0x2 | 0x10), 0x13);
        assert_eq!(m(0x1 | 0x8), 1);
        assert_eq!(m(0x1 | 0x10), 1);
        assert_eq!(m(0x8 | 0x10), 3);
        assert_eq!(m(0x100), 0);
        assert_eq!(m(0xFFFF_FFFF), 0x11);
    }

    #[test]
    fn status_display() {
        assert_eq!(RapJobStatus(0x13).to_string(), "PRINTING|ERROR");
        assert_eq!(RapJobStatus(0).to_string(), "QUEUED");
        assert_eq!(RapJobStatus(0x2001).to_string(), "PAUSED|0x2000");
    }

    #[test]
    fn queue_names() {
        assert_eq!(queue_name("\\\\SRV\\LASER"), "LASER");
        assert_eq!(queue_name("LASER"), "LASER");
        assert_eq!(queue_name("SRV\\"), "");
        assert_eq!(queue_name(""), "");
    }

    #[test]
    fn job_ids() {
        assert_eq!(rap_job_id(3), 3);
        assert_eq!(rap_job_id(0xFFFF), 0xFFFF);
        assert_eq!(rap_job_id(0x1_0003), 0);
    }
}
