//! The `--jobs FILE` format: print queues and their jobs in TOML.
//!
//! ```toml
//! [[queue]]
//! name = "LASER"                   # share / queue name
//! printer_name = '\\SRV\LASER'     # pPrinterName (default: name)
//! driver_name = "HP LaserJet 4"    # optional; absent = NULL
//! print_processor = "winprint"
//! datatype = "RAW"
//! comment = "2nd floor laser"      # PRINTER_INFO_2: pComment, pLocation,
//! location = "2nd floor"           #   pSepFile, pParameters, pPortName,
//! sep_file = ""                    #   pServerName (absent = NULL)
//! port_name = "LPT1:"
//! priority = 1                     # 1..=99 (default 1)
//! default_priority = 0             # 0..=99
//! start_time = 480                 # minutes after 00:00 GMT, 0..=1439
//! until_time = 1080
//! status = ["paused"]              # PRINTER_STATUS_* names, lower case, no prefix
//! control = "owner"                # who may control jobs: owner | anyone | operators
//! operators = ["admin"]            # may control every job, and the queue
//! keep_data = false                # print files' data: kept in the spool directory's
//!                                  #   queue directory until the job is deleted (true),
//!                                  #   or discarded once queued (false, the default)
//! [[queue.job]]
//! job_id = 3
//! user_name = "alice"
//! document = "report.txt"
//! status = ["printing", "error"]   # JOB_STATUS_* names, lower case, no prefix
//! submitted = 2024-01-15T12:34:56Z # UTC (any offset is converted)
//! ```
//!
//! Unknown keys and bad values are rejected with a message naming the line.

use serde::Deserialize;
use thiserror::Error;

use super::{
    ControlPolicy, JobControlPolicy, JobInfo2, JobStatus, MemorySpooler, PrinterInfo2,
    PrinterStatus, Queue, SystemTime,
};

/// A jobs file that cannot be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum JobsFileError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file's path, as given.
        path: String,
        /// Why reading it failed.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a key or value is not allowed (an
    /// unknown key, a bad name, a duplicate queue or job id...).
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The file's path, as given.
        path: String,
        /// The offending line, 1-based.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    queue: Vec<QueueDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueDef {
    name: String,
    printer_name: Option<String>,
    driver_name: Option<String>,
    print_processor: Option<String>,
    datatype: Option<String>,
    server_name: Option<String>,
    port_name: Option<String>,
    comment: Option<String>,
    location: Option<String>,
    sep_file: Option<String>,
    parameters: Option<String>,
    priority: Option<u32>,
    default_priority: Option<u32>,
    start_time: Option<u32>,
    until_time: Option<u32>,
    #[serde(default)]
    status: Vec<String>,
    control: Option<ControlName>,
    operators: Option<Vec<String>>,
    #[serde(default)]
    keep_data: bool,
    #[serde(default)]
    job: Vec<JobDef>,
}

/// `control = ...`: who may control a queue's jobs.
#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum ControlName {
    Owner,
    Anyone,
    Operators,
}

impl From<ControlName> for JobControlPolicy {
    fn from(c: ControlName) -> Self {
        match c {
            ControlName::Owner => JobControlPolicy::Owner,
            ControlName::Anyone => JobControlPolicy::Anyone,
            ControlName::Operators => JobControlPolicy::Operators,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobDef {
    job_id: u32,
    printer_name: Option<String>,
    machine_name: Option<String>,
    user_name: Option<String>,
    document: Option<String>,
    notify_name: Option<String>,
    datatype: Option<String>,
    print_processor: Option<String>,
    parameters: Option<String>,
    driver_name: Option<String>,
    #[serde(default)]
    status: Vec<StatusName>,
    status_text: Option<String>,
    #[serde(default)]
    priority: u32,
    #[serde(default)]
    position: u32,
    #[serde(default)]
    start_time: u32,
    #[serde(default)]
    until_time: u32,
    #[serde(default)]
    total_pages: u32,
    #[serde(default)]
    size: u32,
    submitted: Option<toml::value::Datetime>,
    #[serde(default)]
    time: u32,
    #[serde(default)]
    pages_printed: u32,
}

/// JOB_STATUS_* names ([MS-RPRN] 2.2.3.12), lower case, without the prefix.
#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum StatusName {
    Paused,
    Error,
    Deleting,
    Spooling,
    Printing,
    Offline,
    Paperout,
    Printed,
    Deleted,
    BlockedDevq,
    UserIntervention,
    Restart,
    Complete,
}

impl StatusName {
    fn bit(self) -> JobStatus {
        match self {
            StatusName::Paused => JobStatus::PAUSED,
            StatusName::Error => JobStatus::ERROR,
            StatusName::Deleting => JobStatus::DELETING,
            StatusName::Spooling => JobStatus::SPOOLING,
            StatusName::Printing => JobStatus::PRINTING,
            StatusName::Offline => JobStatus::OFFLINE,
            StatusName::Paperout => JobStatus::PAPEROUT,
            StatusName::Printed => JobStatus::PRINTED,
            StatusName::Deleted => JobStatus::DELETED,
            StatusName::BlockedDevq => JobStatus::BLOCKED_DEVQ,
            StatusName::UserIntervention => JobStatus::USER_INTERVENTION,
            StatusName::Restart => JobStatus::RESTART,
            StatusName::Complete => JobStatus::COMPLETE,
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |t| t.bytes().filter(|&b| b == b'\n').count() + 1)
}

/// Find the line of the `q`th `[[queue]]` header (0-based).
fn queue_line(text: &str, q: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim().starts_with("[[queue]]"))
        .nth(q)
        .map_or(1, |(i, _)| i + 1)
}

/// Find the line of `key = ...` in the `q`th queue's own table (before its
/// first job); the queue's header line when the key is not found.
fn queue_key_line(text: &str, q: usize, key: &str) -> usize {
    let start = queue_line(text, q);
    text.lines()
        .enumerate()
        .skip(start)
        .take_while(|(_, l)| !l.trim().starts_with("[["))
        .find(|(_, l)| {
            l.trim()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(start, |(i, _)| i + 1)
}

/// PRINTER_INFO_2 and the control policy of a queue definition, checked;
/// `defaults` is the policy for what the queue leaves unset.
fn printer_of(
    q: &QueueDef,
    defaults: &ControlPolicy,
    line: impl Fn(&str) -> usize,
) -> Result<(PrinterInfo2, ControlPolicy), (usize, String)> {
    let range = |key: &str, v: Option<u32>, lo: u32, hi: u32, what: &str| match v {
        Some(v) if !(lo..=hi).contains(&v) => Err((
            line(key),
            format!("{key} {v} is outside {lo}..={hi} ({what})"),
        )),
        _ => Ok(()),
    };
    range("priority", q.priority, 1, 99, "PRINTER_INFO_2.Priority")?;
    range(
        "default_priority",
        q.default_priority,
        0,
        99,
        "PRINTER_INFO_2.DefaultPriority",
    )?;
    range("start_time", q.start_time, 0, 1439, "minutes after 00:00")?;
    range("until_time", q.until_time, 0, 1439, "minutes after 00:00")?;
    let mut status = PrinterStatus::empty();
    for name in &q.status {
        let flag = (!name.starts_with('_') && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            .then(|| PrinterStatus::from_name(&name.to_ascii_uppercase()))
            .flatten()
            .ok_or_else(|| {
                (
                    line("status"),
                    format!(
                        "unknown printer status {name:?} (PRINTER_STATUS_* names, lower case, without the prefix: paused, error, offline...)"
                    ),
                )
            })?;
        status |= flag;
    }
    let operators = match &q.operators {
        Some(ops) => {
            if let Some(bad) = ops
                .iter()
                .find(|o| o.trim().is_empty() || o.contains(['\\', '\0']))
            {
                return Err((
                    line("operators"),
                    format!("operator name {bad:?} is not a user name"),
                ));
            }
            ops.clone()
        }
        None => defaults.operators.clone(),
    };
    let info = PrinterInfo2 {
        server_name: q.server_name.clone(),
        printer_name: q.printer_name.clone(),
        share_name: Some(q.name.clone()),
        port_name: q.port_name.clone(),
        driver_name: q.driver_name.clone(),
        comment: q.comment.clone(),
        location: q.location.clone(),
        sep_file: q.sep_file.clone(),
        print_processor: q.print_processor.clone(),
        datatype: q.datatype.clone(),
        parameters: q.parameters.clone(),
        priority: q.priority.unwrap_or(1),
        default_priority: q.default_priority.unwrap_or(0),
        start_time: q.start_time.unwrap_or(0),
        until_time: q.until_time.unwrap_or(0),
        status,
        ..PrinterInfo2::default()
    };
    let policy = ControlPolicy {
        jobs: q.control.map_or(defaults.jobs, JobControlPolicy::from),
        operators,
    };
    Ok((info, policy))
}

/// Find the line of the `n`th `[[queue.job]]` header (0-based) of queue `q`.
fn job_line(text: &str, q: usize, n: usize) -> usize {
    let mut queue = None::<usize>;
    let mut job = 0usize;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("[[queue]]") {
            queue = Some(queue.map_or(0, |x| x + 1));
            job = 0;
        } else if t.starts_with("[[queue.job]]") {
            if queue == Some(q) && job == n {
                return i + 1;
            }
            job += 1;
        }
    }
    1
}

fn to_systemtime(dt: &toml::value::Datetime) -> Result<SystemTime, String> {
    let (Some(date), Some(time)) = (dt.date, dt.time) else {
        return Err(format!("submitted = {dt}: needs a date and a time"));
    };
    let offset_min: i64 = match dt.offset {
        Some(toml::value::Offset::Z) => 0,
        Some(toml::value::Offset::Custom { minutes }) => i64::from(minutes),
        None => {
            return Err(format!(
                "submitted = {dt}: needs a UTC offset (e.g. a trailing Z)"
            ))
        }
    };
    let local = SystemTime {
        year: date.year,
        month: u16::from(date.month),
        day: u16::from(date.day),
        hour: u16::from(time.hour),
        minute: u16::from(time.minute),
        second: u16::from(time.second.unwrap_or(0)),
        ..SystemTime::default()
    };
    local
        .to_unix()
        .and_then(|t| t.checked_sub(offset_min * 60))
        .and_then(SystemTime::from_unix)
        .map(|mut st| {
            st.milliseconds = u16::try_from(time.nanosecond.unwrap_or(0) / 1_000_000).unwrap_or(0);
            st
        })
        .ok_or_else(|| format!("submitted = {dt}: not a valid date"))
}

/// Parse a jobs file's text; `path` only names it in errors. Queues that
/// set no `control` / `operators` get [`ControlPolicy::default`].
pub fn parse_jobs_file(path: &str, text: &str) -> Result<Vec<Queue>, JobsFileError> {
    parse_jobs_file_with(path, text, &ControlPolicy::default())
}

/// Parse a jobs file's text; queues that set no `control` (or no
/// `operators`) get those of `defaults` (`msrap serve --control`,
/// `--operator`).
pub fn parse_jobs_file_with(
    path: &str,
    text: &str,
    defaults: &ControlPolicy,
) -> Result<Vec<Queue>, JobsFileError> {
    let invalid = |line: usize, message: String| JobsFileError::Invalid {
        path: path.to_owned(),
        line,
        message,
    };
    let file: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        invalid(line, e.message().to_owned())
    })?;
    let mut queues = Vec::with_capacity(file.queue.len());
    let mut seen_ids = std::collections::HashMap::new();
    let mut seen_queues = std::collections::HashMap::new();
    for (qi, q) in file.queue.into_iter().enumerate() {
        let line = queue_line(text, qi);
        if q.name.is_empty() || q.name.len() > 80 || q.name.contains(['\\', '/', '\0']) {
            return Err(invalid(
                line,
                format!("queue name {:?} is not a valid share name", q.name),
            ));
        }
        // Clients find a queue by share name, compared without regard to
        // ASCII case (as TREE_CONNECT and the spooler look it up): a second
        // queue of the same name could never be reached.
        if let Some((prev_name, prev_line)) =
            seen_queues.insert(q.name.to_ascii_lowercase(), (q.name.clone(), line))
        {
            return Err(invalid(
                line,
                format!(
                    "queue name {:?} is already used at line {prev_line} ({prev_name:?}; share names ignore case)",
                    q.name
                ),
            ));
        }
        let (printer, policy) = printer_of(&q, defaults, |key| queue_key_line(text, qi, key))
            .map_err(|(line, m)| invalid(line, m))?;
        let mut jobs = Vec::with_capacity(q.job.len());
        for (ji, j) in q.job.into_iter().enumerate() {
            let line = job_line(text, qi, ji);
            if j.job_id == 0 {
                return Err(invalid(
                    line,
                    "job_id 0 is not a valid job id (MS-RPRN: JobId MUST NOT be zero)".into(),
                ));
            }
            if let Some(prev) = seen_ids.insert(j.job_id, line) {
                return Err(invalid(
                    line,
                    format!("job_id {} is already used at line {prev}", j.job_id),
                ));
            }
            if j.priority > 99 {
                return Err(invalid(
                    line,
                    format!("priority {} is outside 0..=99", j.priority),
                ));
            }
            let submitted = match &j.submitted {
                Some(dt) => to_systemtime(dt).map_err(|m| invalid(line, m))?,
                None => SystemTime::default(),
            };
            let status = j
                .status
                .iter()
                .fold(JobStatus::empty(), |acc, s| acc | s.bit());
            jobs.push(JobInfo2 {
                job_id: j.job_id,
                printer_name: j
                    .printer_name
                    .or_else(|| q.printer_name.clone())
                    .or_else(|| Some(q.name.clone())),
                machine_name: j.machine_name,
                user_name: j.user_name,
                document: j.document,
                notify_name: j.notify_name,
                datatype: j.datatype.or_else(|| q.datatype.clone()),
                print_processor: j.print_processor.or_else(|| q.print_processor.clone()),
                parameters: j.parameters,
                driver_name: j.driver_name.or_else(|| q.driver_name.clone()),
                dev_mode: None,
                status_text: j.status_text,
                security_descriptor: None,
                status,
                priority: j.priority,
                position: j.position,
                start_time: j.start_time,
                until_time: j.until_time,
                total_pages: j.total_pages,
                size: j.size,
                submitted,
                time: j.time,
                pages_printed: j.pages_printed,
            });
        }
        queues.push(Queue {
            name: q.name,
            jobs,
            printer,
            policy,
            keep_data: q.keep_data,
        });
    }
    Ok(queues)
}

/// Read and parse a jobs file into a [`MemorySpooler`].
pub fn load_jobs_file(path: &std::path::Path) -> Result<MemorySpooler, JobsFileError> {
    load_jobs_file_with(path, &ControlPolicy::default())
}

/// Read and parse a jobs file into a [`MemorySpooler`], with `defaults`
/// for queues that set no control policy.
pub fn load_jobs_file_with(
    path: &std::path::Path,
    defaults: &ControlPolicy,
) -> Result<MemorySpooler, JobsFileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| JobsFileError::Io {
        path: name.clone(),
        source,
    })?;
    parse_jobs_file_with(&name, &text, defaults).map(MemorySpooler::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    const EXAMPLE: &str = r#"
[[queue]]
name = "LASER"
printer_name = '\\SRV\LASER'
driver_name = "HP LaserJet 4"
print_processor = "winprint"
datatype = "RAW"
[[queue.job]]
job_id = 3
user_name = "alice"
document = "report.txt"
notify_name = "alice"
parameters = ""
status = ["printing", "error"]
status_text = "toner low"
priority = 1
position = 1
size = 1234
total_pages = 2
pages_printed = 1
submitted = 2024-01-15T12:34:56Z
[[queue.job]]
job_id = 4
datatype = "NT EMF 1.008"
submitted = 2024-01-15T13:34:56+01:00
"#;

    #[test]
    fn parses_the_documented_shape() {
        let q = parse_jobs_file("x.toml", EXAMPLE).unwrap();
        assert_eq!(q.len(), 1);
        let j = &q[0].jobs[0];
        assert_eq!(j.printer_name.as_deref(), Some("\\\\SRV\\LASER"));
        assert_eq!(j.parameters.as_deref(), Some(""));
        assert_eq!(j.status_text.as_deref(), Some("toner low"));
        assert_eq!(j.status, JobStatus::PRINTING | JobStatus::ERROR);
        assert_eq!(j.submitted.to_unix(), Some(0x65A5_2670));
        assert_eq!(j.driver_name.as_deref(), Some("HP LaserJet 4"));
        let k = &q[0].jobs[1];
        assert_eq!(
            k.datatype.as_deref(),
            Some("NT EMF 1.008"),
            "job-level override"
        );
        assert_eq!(k.user_name, None, "absent = NULL");
        assert_eq!(
            k.submitted.to_unix(),
            Some(0x65A5_2670),
            "offset converted to UTC"
        );
    }

    #[test]
    fn errors_name_the_line() {
        let bad = EXAMPLE.replace("pages_printed = 1", "pages_printed = 1\ncolour = true");
        let e = parse_jobs_file("x.toml", &bad).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:21: unknown field `colour`"), "{e}");
        let bad = EXAMPLE.replace("\"printing\", \"error\"", "\"printing\", \"on fire\"");
        let e = parse_jobs_file("x.toml", &bad).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:14: unknown variant `on fire`"), "{e}");
        let bad = EXAMPLE.replace("job_id = 4", "job_id = 3");
        let e = parse_jobs_file("x.toml", &bad).unwrap_err().to_string();
        assert_eq!(e, "x.toml:22: job_id 3 is already used at line 8");
        let bad = EXAMPLE.replace("name = \"LASER\"", "name = 'A\\B'");
        let e = parse_jobs_file("x.toml", &bad).unwrap_err().to_string();
        assert_eq!(
            e,
            "x.toml:2: queue name \"A\\\\B\" is not a valid share name"
        );
        let two = format!("{EXAMPLE}[[queue]]\nname = \"Laser\"\n");
        let e = parse_jobs_file("x.toml", &two).unwrap_err().to_string();
        assert_eq!(
            e,
            "x.toml:26: queue name \"Laser\" is already used at line 2 (\"LASER\"; share names ignore case)"
        );
        let two = format!("{EXAMPLE}[[queue]]\nname = \"COLOR\"\n");
        assert_eq!(parse_jobs_file("x.toml", &two).unwrap().len(), 2);
        let bad = EXAMPLE.replace("2024-01-15T12:34:56Z", "2024-01-15T12:34:56");
        let e = parse_jobs_file("x.toml", &bad).unwrap_err().to_string();
        assert!(
            e.contains("x.toml:8: submitted = 2024-01-15T12:34:56: needs a UTC offset"),
            "{e}"
        );
    }

    const QUEUE_FIELDS: &str = r#"
[[queue]]
name = "LASER"
printer_name = '\\SRV\LASER'
driver_name = "HP LaserJet 4"
comment = "2nd floor laser"
location = "2nd floor"
sep_file = ""
port_name = "LPT1:"
print_processor = "winprint"
datatype = "RAW"
parameters = "duplex"
priority = 5
default_priority = 1
start_time = 480
until_time = 1080
status = ["paused", "toner_low"]
control = "operators"
operators = ["admin", "Op"]
[[queue.job]]
job_id = 3
[[queue]]
name = "COLOR"
"#;

    #[test]
    fn queue_fields_fill_printer_info_2_and_the_policy() {
        let q = parse_jobs_file("x.toml", QUEUE_FIELDS).unwrap();
        let p = &q[0].printer;
        assert_eq!(
            (
                p.comment.as_deref(),
                p.location.as_deref(),
                p.sep_file.as_deref()
            ),
            (Some("2nd floor laser"), Some("2nd floor"), Some(""))
        );
        assert_eq!(
            (
                p.port_name.as_deref(),
                p.driver_name.as_deref(),
                p.parameters.as_deref()
            ),
            (Some("LPT1:"), Some("HP LaserJet 4"), Some("duplex"))
        );
        assert_eq!(
            (
                p.print_processor.as_deref(),
                p.datatype.as_deref(),
                p.share_name.as_deref()
            ),
            (Some("winprint"), Some("RAW"), Some("LASER"))
        );
        assert_eq!(
            (p.priority, p.default_priority, p.start_time, p.until_time),
            (5, 1, 480, 1080)
        );
        assert_eq!(p.status, PrinterStatus::PAUSED | PrinterStatus::TONER_LOW);
        assert_eq!(
            q[0].policy,
            ControlPolicy {
                jobs: JobControlPolicy::Operators,
                operators: vec!["admin".into(), "Op".into()],
            }
        );
        // Unset: NULL strings, priority 1, the default policy.
        let c = &q[1];
        assert_eq!(
            (c.printer.comment.as_deref(), c.printer.priority),
            (None, 1)
        );
        assert_eq!(c.policy, ControlPolicy::default());
        let defaults = ControlPolicy {
            jobs: JobControlPolicy::Anyone,
            operators: vec!["root".into()],
        };
        let q = parse_jobs_file_with("x.toml", QUEUE_FIELDS, &defaults).unwrap();
        assert_eq!(
            q[1].policy, defaults,
            "a queue that sets none gets the defaults"
        );
        assert_eq!(
            q[0].policy.jobs,
            JobControlPolicy::Operators,
            "a queue's own wins"
        );
        let s = MemorySpooler::new(q);
        let snap = s.snapshot();
        assert_eq!(snap[0].info.jobs, 1, "cJobs");
        assert_eq!(snap[1].info.printer_name.as_deref(), Some("COLOR"));
    }

    #[test]
    fn bad_queue_fields_name_the_line() {
        for (from, to, want) in [
            (
                "control = \"operators\"",
                "control = \"everyone\"",
                "x.toml:18: unknown variant `everyone`, expected one of `owner`, `anyone`, `operators`",
            ),
            ("priority = 5", "priority = 0", "x.toml:13: priority 0 is outside 1..=99 (PRINTER_INFO_2.Priority)"),
            ("priority = 5", "priority = 100", "x.toml:13: priority 100 is outside 1..=99 (PRINTER_INFO_2.Priority)"),
            (
                "default_priority = 1",
                "default_priority = 100",
                "x.toml:14: default_priority 100 is outside 0..=99 (PRINTER_INFO_2.DefaultPriority)",
            ),
            ("start_time = 480", "start_time = 1440", "x.toml:15: start_time 1440 is outside 0..=1439 (minutes after 00:00)"),
            ("until_time = 1080", "until_time = 9999", "x.toml:16: until_time 9999 is outside 0..=1439 (minutes after 00:00)"),
            (
                "\"toner_low\"]",
                "\"on fire\"]",
                "x.toml:17: unknown printer status \"on fire\" (PRINTER_STATUS_* names, lower case, without the prefix: paused, error, offline...)",
            ),
            (
                "\"toner_low\"]",
                "\"PAUSED\"]",
                "x.toml:17: unknown printer status \"PAUSED\" (PRINTER_STATUS_* names, lower case, without the prefix: paused, error, offline...)",
            ),
            ("\"Op\"]", "\" \"]", "x.toml:19: operator name \" \" is not a user name"),
            ("operators = [", "operators = 7 #", "x.toml:19: invalid type: integer `7`, expected a sequence"),
            ("start_time = 480", "start_time = -1", "x.toml:15: invalid value: integer `-1`, expected u32"),
        ] {
            let bad = QUEUE_FIELDS.replace(from, to);
            assert_ne!(bad, QUEUE_FIELDS, "{from}");
            let e = parse_jobs_file("x.toml", &bad).unwrap_err().to_string();
            assert_eq!(e, want);
        }
    }
}
