//! The built-in sample queue `msrap serve` uses without `--jobs`: jobs in
//! every state, a UNC printer name, a long user name and a non-ASCII document.

use super::{JobInfo2, JobStatus, MemorySpooler, Queue, SystemTime};

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn at(year: u16, month: u16, day: u16, hour: u16, minute: u16, second: u16) -> SystemTime {
    let t = SystemTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        ..SystemTime::default()
    };
    // Fill in wDayOfWeek consistently.
    t.to_unix().and_then(SystemTime::from_unix).unwrap_or(t)
}

/// The job of spec-facts test vector T4: JobId 3, alice, report.txt, PRINTING.
pub fn t4_job() -> JobInfo2 {
    JobInfo2 {
        job_id: 3,
        printer_name: s("\\\\SRV\\LASER"),
        machine_name: s("\\\\CLIENT"),
        user_name: s("alice"),
        document: s("report.txt"),
        notify_name: s(""),
        datatype: s("RAW"),
        print_processor: s("winprint"),
        parameters: None,
        driver_name: s("HP LaserJet"),
        status_text: None,
        status: JobStatus::PRINTING,
        priority: 1,
        position: 1,
        total_pages: 2,
        size: 1234,
        submitted: at(2024, 1, 15, 12, 34, 56),
        pages_printed: 1,
        ..JobInfo2::default()
    }
}

/// The sample queues: `LASER` (printer `\\SRV\LASER`, five jobs) and
/// `COLOR` (printer name without a backslash, one job).
pub fn sample_queues() -> Vec<Queue> {
    // Queue defaults for the members a job leaves unset (NULL).
    let laser = |job: JobInfo2| JobInfo2 {
        printer_name: job.printer_name.or_else(|| s("\\\\SRV\\LASER")),
        datatype: job.datatype.or_else(|| s("RAW")),
        print_processor: job.print_processor.or_else(|| s("winprint")),
        driver_name: job.driver_name.or_else(|| s("HP LaserJet")),
        ..job
    };
    let jobs = vec![
        t4_job(),
        laser(JobInfo2 {
            job_id: 4,
            user_name: s("bob"),
            document: s("Quarterly Budget.xlsx"),
            notify_name: s("bob"),
            parameters: s(""),
            status: JobStatus::empty(),
            priority: 1,
            position: 2,
            total_pages: 3,
            size: 2048,
            submitted: at(2024, 1, 15, 12, 35, 5),
            ..JobInfo2::default()
        }),
        laser(JobInfo2 {
            job_id: 5,
            user_name: s("carol"),
            document: s("memo.txt"),
            notify_name: s("carol"),
            status: JobStatus::PAUSED,
            status_text: s("held by operator"),
            priority: 50,
            position: 3,
            total_pages: 1,
            size: 512,
            submitted: at(2024, 1, 15, 12, 36, 10),
            ..JobInfo2::default()
        }),
        laser(JobInfo2 {
            job_id: 6,
            user_name: s("averyveryverylongusername01"),
            document: s("Übersicht – café.pdf"),
            notify_name: s("averyveryverylongusername01"),
            parameters: s("copies=2"),
            status: JobStatus::ERROR | JobStatus::PAPEROUT,
            status_text: s("paper out"),
            priority: 99,
            position: 4,
            total_pages: 12,
            size: 1_048_576,
            submitted: at(2024, 1, 15, 12, 37, 20),
            ..JobInfo2::default()
        }),
        laser(JobInfo2 {
            job_id: 7,
            user_name: s("erin"),
            document: s("slides.ps"),
            notify_name: None,
            datatype: s("NT EMF 1.008"),
            status: JobStatus::SPOOLING,
            priority: 1,
            position: 5,
            total_pages: 0,
            size: 100,
            submitted: at(2024, 1, 15, 12, 38, 30),
            ..JobInfo2::default()
        }),
    ];
    let color = vec![JobInfo2 {
        job_id: 9,
        printer_name: s("COLOR"),
        user_name: s("dave"),
        document: s("poster.png"),
        datatype: s("RAW"),
        print_processor: s("winprint"),
        driver_name: None,
        status: JobStatus::PRINTING | JobStatus::PAUSED,
        priority: 0,
        position: 1,
        size: 99_999,
        submitted: at(2024, 2, 29, 23, 59, 59),
        ..JobInfo2::default()
    }];
    vec![
        Queue {
            name: "LASER".into(),
            jobs,
            ..Queue::default()
        },
        Queue {
            name: "COLOR".into(),
            jobs: color,
            ..Queue::default()
        },
    ]
}

/// [`sample_queues`] in a [`MemorySpooler`].
pub fn sample_spooler() -> MemorySpooler {
    MemorySpooler::new(sample_queues())
}
