//! The built-in sample queue `msrap serve` uses without `--jobs`: jobs in
//! every state, a UNC printer name, a long user name and a non-ASCII document;
//! two printers described in full (PRINTER_INFO_2), one running, one paused.

use super::{JobInfo2, JobStatus, MemorySpooler, PrinterInfo2, PrinterStatus, Queue, SystemTime};

/// PRINTER_ATTRIBUTE_SHARED | PRINTER_ATTRIBUTE_LOCAL ([MS-RPRN] 2.2.3.12).
const SHARED_LOCAL: u32 = 0x0000_0008 | 0x0000_0040;

/// LASER's PRINTER_INFO_2: a shared local printer on LPT1:, running,
/// every string set (the separator page and parameters empty, not NULL).
pub fn laser_printer() -> PrinterInfo2 {
    PrinterInfo2 {
        server_name: s("\\\\SRV"),
        printer_name: s("\\\\SRV\\LASER"),
        share_name: s("LASER"),
        port_name: s("LPT1:"),
        driver_name: s("HP LaserJet"),
        comment: s("Laser printer, 2nd floor"),
        location: s("Building 1, 2nd floor"),
        sep_file: s(""),
        print_processor: s("winprint"),
        datatype: s("RAW"),
        parameters: s(""),
        attributes: SHARED_LOCAL,
        priority: 1,
        default_priority: 0,
        start_time: 0,
        until_time: 0,
        status: PrinterStatus::empty(),
        average_ppm: 20,
        ..PrinterInfo2::default()
    }
}

/// COLOR's PRINTER_INFO_2: paused, printing only 08:00–18:00 GMT, queue
/// priority 5, no server name, location, separator page or parameters
/// (NULL).
pub fn color_printer() -> PrinterInfo2 {
    PrinterInfo2 {
        printer_name: s("COLOR"),
        share_name: s("COLOR"),
        port_name: s("USB001"),
        driver_name: s("HP Color LaserJet"),
        comment: s("Colour printer (paused for maintenance)"),
        print_processor: s("winprint"),
        datatype: s("RAW"),
        attributes: SHARED_LOCAL,
        priority: 5,
        default_priority: 0,
        start_time: 8 * 60,
        until_time: 18 * 60,
        status: PrinterStatus::PAUSED,
        average_ppm: 8,
        ..PrinterInfo2::default()
    }
}

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
/// `COLOR` (printer name without a backslash, paused, one job). Neither
/// sets a control policy: both have [`ControlPolicy::default`](super::ControlPolicy)
/// (only a job's owner controls it; no operators), which `msrap serve
/// --control` / `--operator` replace.
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
            printer: laser_printer(),
            ..Queue::default()
        },
        Queue {
            name: "COLOR".into(),
            jobs: color,
            printer: color_printer(),
            ..Queue::default()
        },
    ]
}

/// [`sample_queues`] in a [`MemorySpooler`].
pub fn sample_spooler() -> MemorySpooler {
    MemorySpooler::new(sample_queues())
}
