//! The example jobs file in testdata/ loads and serves (issue: `--jobs FILE`).
#![cfg(feature = "server")]

use msrap::rap::server::poll_once;
use msrap::spool::jobs_file::load_jobs_file;
use msrap::spool::{JobStatus, OpenPrinter, Spooler, PRINTER_ACCESS_USE};
use pretty_assertions::assert_eq;

#[test]
fn example_jobs_file_loads() {
    let s = load_jobs_file(std::path::Path::new("testdata/jobs.toml")).unwrap();
    let queues = s.queues();
    let names: Vec<_> = queues
        .iter()
        .map(|(name, jobs)| (name.as_str(), jobs.len()))
        .collect();
    assert_eq!(names, [("LASER", 2), ("COLOR", 1)]);
    let open = OpenPrinter {
        printer_name: "MSRAP",
        datatype: "RAW",
        access: PRINTER_ACCESS_USE,
    };
    let j = poll_once(s.get_job(&open, 9)).unwrap().unwrap();
    assert_eq!(
        j.printer_name.as_deref(),
        Some("COLOR"),
        "printer_name defaults to the queue name"
    );
    assert_eq!(j.datatype.as_deref(), Some("NT EMF 1.008"));
    assert_eq!(j.status, JobStatus::SPOOLING);
    let j = poll_once(s.get_job(&open, 3)).unwrap().unwrap();
    assert_eq!(j.driver_name.as_deref(), Some("HP LaserJet 4"));
}

#[test]
fn missing_file_is_a_clear_error() {
    let e = load_jobs_file(std::path::Path::new("testdata/no-such.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("testdata/no-such.toml: "), "{e}");
}
