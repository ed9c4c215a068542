//! CUPS as the spooler behind RAP, against a real cupsd started by the test
//! (tests/support/cups.rs): jobs submitted with `lp` seen through RAP,
//! CUPS's states (held, disabled, processing) read through RAP, RAP's job
//! and queue control seen in CUPS, the job ids' stability and their edge
//! at 65535, print-file submission, a stock Debian policy, caching under
//! 100 polling connections, and CUPS killed, stopped and restarted under a
//! running msrap.
#![cfg(all(feature = "cups", feature = "client", feature = "cli"))]

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use msrap::codes::RapStatus;
use msrap::codes::Win32Error;
use msrap::oem::OemCodePage;
use msrap::rap::commands::net_print_job_continue::PrintJobContinueRequest;
use msrap::rap::commands::net_print_job_del::{parse_status_response, PrintJobDeleteRequest};
use msrap::rap::commands::net_print_job_enum::{parse_job_enum_response, PrintJobEnumRequest};
use msrap::rap::commands::net_print_job_get_info::{
    parse_get_info_response, PrintJobGetInfoRequest,
};
use msrap::rap::commands::net_print_job_pause::PrintJobPauseRequest;
use msrap::rap::commands::net_print_job_set_info::{PrintJobSetInfoRequest, PARAM_NUM_JOB_COMMENT};
use msrap::rap::commands::net_print_q_pause::PrintQPauseRequest;
use msrap::rap::descriptor::job;
use msrap::rap::print_job::{PrintJobInfo, PrintJobInfo2, PrintJobInfo3};
use msrap::smb1::client::tcp::{ClientConfig, SmbClient};
use msrap::smb1::client::TransRequest;
use msrap::spool::cups::client::Endpoint;
use msrap::spool::cups::{CupsConfig, CupsSpooler};
use msrap::spool::{
    Caller, ControlPolicy, JobControl, JobControlPolicy, JobStatus, OpenPrinter, PrinterControl,
    PrinterStatus, Spooler, PRINTER_ACCESS_USE,
};
use pretty_assertions::assert_eq;
use support::cli::Serve;
use support::cups::{Cupsd, Policy};

// ---------------------------------------------------------------------------
// RAP through msrap's own SMB1 client.

async fn connect(addr: SocketAddr, user: &str) -> SmbClient {
    SmbClient::connect(addr, {
        let mut c = ClientConfig::default();
        c.user = user.into();
        c
    })
    .await
    .unwrap()
}

/// NetPrintJobEnum level 2: status, EntriesAvailable, the jobs.
async fn enum_jobs(
    c: &mut SmbClient,
    queue: &str,
) -> (RapStatus, u16, Vec<PrintJobInfo2<'static>>) {
    let mut params = Vec::new();
    PrintJobEnumRequest {
        queue: queue.as_bytes(),
        level: 2,
        receive_buffer_size: 8192,
    }
    .encode(job::LEVEL_2, &mut params);
    let r = c
        .transact(&TransRequest {
            params,
            data: vec![],
            max_parameter_count: 8,
            max_data_count: 8192,
        })
        .await
        .unwrap();
    let p = parse_job_enum_response(2, &r.params, &r.data, &OemCodePage::default()).unwrap();
    assert_eq!(p.entries_returned as usize, p.jobs.len());
    let jobs = p
        .jobs
        .into_iter()
        .map(|j| match j {
            PrintJobInfo::Level2(j) => msrap::rap::structs::RapStruct::into_owned(j),
            other => panic!("level 2 expected, got {other:?}"),
        })
        .collect();
    (p.status, p.entries_available, jobs)
}

/// NetPrintJobGetInfo at `level` (2 or 3).
async fn get_info(
    c: &mut SmbClient,
    id: u16,
    level: u16,
) -> (RapStatus, Option<PrintJobInfo<'static>>) {
    let mut params = Vec::new();
    PrintJobGetInfoRequest {
        job_id: id,
        level,
        receive_buffer_size: 4096,
    }
    .encode(job::for_level(level).unwrap(), &mut params);
    let r = c
        .transact(&TransRequest {
            params,
            data: vec![],
            max_parameter_count: 8,
            max_data_count: 4096,
        })
        .await
        .unwrap();
    let p = parse_get_info_response(level, &r.params, &r.data, &OemCodePage::default()).unwrap();
    (p.status, p.info.map(|i| i.into_owned()))
}

/// A status-only control command: its RAP status.
async fn control(c: &mut SmbClient, params: Vec<u8>, data: Vec<u8>) -> RapStatus {
    let r = c
        .transact(&TransRequest {
            params,
            data,
            max_parameter_count: 8,
            max_data_count: 0,
        })
        .await
        .unwrap();
    parse_status_response(&r.params, &r.data).unwrap().status
}

async fn pause(c: &mut SmbClient, id: u16) -> RapStatus {
    let mut p = Vec::new();
    PrintJobPauseRequest { job_id: id }.encode(b"", &mut p);
    control(c, p, vec![]).await
}

async fn resume(c: &mut SmbClient, id: u16) -> RapStatus {
    let mut p = Vec::new();
    PrintJobContinueRequest { job_id: id }.encode(b"", &mut p);
    control(c, p, vec![]).await
}

async fn delete(c: &mut SmbClient, id: u16) -> RapStatus {
    let mut p = Vec::new();
    PrintJobDeleteRequest { job_id: id }.encode(b"", &mut p);
    control(c, p, vec![]).await
}

async fn rename(c: &mut SmbClient, id: u16, name: &str) -> RapStatus {
    let mut data = name.as_bytes().to_vec();
    data.push(0);
    let mut p = Vec::new();
    PrintJobSetInfoRequest {
        job_id: id,
        level: 1,
        buffer_size: data.len() as u16,
        param_num: PARAM_NUM_JOB_COMMENT,
    }
    .encode(job::LEVEL_1, &mut p);
    control(c, p, data).await
}

async fn pause_queue(c: &mut SmbClient, q: &str) -> RapStatus {
    let mut p = Vec::new();
    PrintQPauseRequest {
        queue: q.as_bytes(),
    }
    .encode(b"", &mut p);
    control(c, p, vec![]).await
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// `msrap serve --cups URL EXTRA...` with UTC as the server's time zone.
fn serve(cups: &Cupsd, extra: &[&str]) -> Serve {
    let url = cups.url();
    let mut args = vec!["--cups", url.as_str(), "--utc-offset", "0"];
    args.extend_from_slice(extra);
    Serve::start(&args)
}

fn unix_now() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as u32
}

/// (JobID, position, status, user, document) of each job.
fn summary(jobs: &[PrintJobInfo2<'_>]) -> Vec<(u16, u16, u16, String, String)> {
    jobs.iter()
        .map(|j| {
            (
                j.job_id,
                j.job_position,
                j.job_status.0,
                j.user_name.as_deref().unwrap_or("").to_owned(),
                j.document_name.as_deref().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

const QUEUED: u16 = 0;
const PAUSED: u16 = 1;
const PRINTING: u16 = 3;

// ---------------------------------------------------------------------------

/// `lp` jobs (held, processing, pending) appear through RAP with their
/// user, document, state, position, size and time, by enumeration and by
/// GetInfo, on every connection and on a second msrap; level 3 carries the
/// backend's message and the printer's queue.
#[test]
fn lp_jobs_appear_through_rap() {
    let cups = Cupsd::start();
    let before = unix_now();
    let held = cups.lp(&["-d", "Q", "-H", "hold", "-U", "alice", "-t", "Doc 1"]);
    let printing = cups.lp(&["-d", "SLOW", "-U", "bob", "-t", "long one"]);
    cups.wait_state(printing, "processing");
    let next = cups.lp(&["-d", "SLOW", "-U", "carol", "-t", "next", "-q", "100"]);
    let after = unix_now();
    let server = serve(&cups, &[]);
    let other = serve(&cups, &[]);
    rt().block_on(async {
        let mut c = connect(server.addr, "").await;
        let (st, avail, q) = enum_jobs(&mut c, "Q").await;
        assert_eq!((st, avail), (RapStatus::ERROR_SUCCESS, 1));
        assert_eq!(
            summary(&q),
            [(held as u16, 1, PAUSED, "alice".into(), "Doc 1".into())]
        );
        assert_eq!(q[0].priority, 50);
        assert_eq!(q[0].job_size, 1024, "job-k-octets 1 → 1024 bytes");
        assert_eq!(q[0].comment.as_deref(), Some("Doc 1"));
        let t = q[0].time_submitted;
        assert!(
            (before..=after).contains(&t),
            "{t} not in {before}..={after}"
        );
        // Case-insensitive queue names, as share names are.
        let (_, _, slow) = enum_jobs(&mut c, "slow").await;
        assert_eq!(
            summary(&slow),
            [
                (
                    printing as u16,
                    1,
                    PRINTING,
                    "bob".into(),
                    "long one".into()
                ),
                (next as u16, 2, QUEUED, "carol".into(), "next".into()),
            ]
        );
        assert_eq!(slow[1].priority, 99, "job-priority 100 clamped to 99");
        // GetInfo answers the same on this and on a fresh connection, and
        // on the other msrap (ids come from CUPS, not from a process).
        let (st, info) = get_info(&mut c, held as u16, 2).await;
        assert_eq!(st, RapStatus::ERROR_SUCCESS);
        assert_eq!(info, Some(PrintJobInfo::Level2(q[0].clone())));
        let mut fresh = connect(other.addr, "").await;
        let (_, info) = get_info(&mut fresh, next as u16, 2).await;
        assert_eq!(info, Some(PrintJobInfo::Level2(slow[1].clone())));
        let (_, other_slow) = {
            let (s, _, j) = enum_jobs(&mut fresh, "SLOW").await;
            (s, j)
        };
        assert_eq!(other_slow, slow);
        let (st, info) = get_info(&mut fresh, printing as u16, 3).await;
        assert_eq!(st, RapStatus::ERROR_SUCCESS);
        let Some(PrintJobInfo::Level3(l3)) = info else {
            panic!("level 3 expected")
        };
        let l3: PrintJobInfo3<'_> = l3;
        assert_eq!(l3.queue_name.as_deref(), Some("SLOW"));
        assert_eq!(
            l3.status_string.as_deref(),
            Some(format!("slow backend sleeping {}", support::cups::SLOW_SECS).as_str())
        );
        assert_eq!(l3.data_type.as_deref(), Some("TEXT"));
        // Unknown queue, unknown and impossible job ids.
        let (st, _, _) = enum_jobs(&mut c, "NOPE").await;
        assert_eq!(st, RapStatus(1801), "ERROR_INVALID_PRINTER_NAME");
        for id in [0u16, 999, 65535] {
            assert_eq!(get_info(&mut c, id, 2).await.0, RapStatus(87), "job {id}");
        }
        c.close().await;
        fresh.close().await;
    });
}

/// RAP job control on a `--control anyone` server and, under the default
/// owner policy, as an anonymous user, as someone else and as the job's
/// owner (a user with no Unix account: msrap speaks to CUPS as root), each
/// outcome read in CUPS with ipptool and back through RAP at once.
#[test]
fn rap_job_control_is_seen_in_cups() {
    let cups = Cupsd::start();
    let first = cups.lp(&["-d", "SLOW", "-U", "bob", "-t", "first"]);
    cups.wait_state(first, "processing");
    let a = cups.lp(&["-d", "SLOW", "-U", "alice", "-t", "a.txt"]);
    let b = cups.lp(&["-d", "SLOW", "-U", "alice", "-t", "b.txt"]);
    let anyone = serve(&cups, &["--control", "anyone"]);
    let owner = serve(&cups, &["--operator", "op"]);
    let ok = RapStatus::ERROR_SUCCESS;
    let denied = RapStatus(5);
    let state = |id: u32| {
        let j = cups.job(id);
        (j.state, j.reasons)
    };
    rt().block_on(async {
        let mut c = connect(anyone.addr, "").await;
        // RAP pause → CUPS held (Hold-Job); read back through RAP at once.
        assert_eq!(pause(&mut c, a as u16).await, ok);
        assert_eq!(
            state(a),
            ("pending-held".into(), "job-hold-until-specified".into())
        );
        let (_, _, jobs) = enum_jobs(&mut c, "SLOW").await;
        assert_eq!(
            summary(&jobs),
            [
                (first as u16, 1, PRINTING, "bob".into(), "first".into()),
                (a as u16, 2, PAUSED, "alice".into(), "a.txt".into()),
                (b as u16, 3, QUEUED, "alice".into(), "b.txt".into()),
            ]
        );
        // Pausing a paused job changes nothing; RAP resume → pending
        // (Release-Job); resuming a running job changes nothing.
        assert_eq!(pause(&mut c, a as u16).await, ok);
        assert_eq!(resume(&mut c, a as u16).await, ok);
        assert_eq!(state(a), ("pending".into(), "none".into()));
        assert_eq!(resume(&mut c, a as u16).await, ok);
        assert_eq!(state(a).0, "pending");
        // RAP rename → job-name (Set-Job-Attributes).
        assert_eq!(rename(&mut c, a as u16, "renamed.txt").await, ok);
        assert_eq!(cups.job(a).name, "renamed.txt");
        let (_, info) = get_info(&mut c, a as u16, 2).await;
        let Some(PrintJobInfo::Level2(j)) = info else {
            panic!()
        };
        assert_eq!(j.document_name.as_deref(), Some("renamed.txt"));

        // The owner policy: anonymous, or someone else, is refused and
        // nothing changes in CUPS.
        let mut anon = connect(owner.addr, "").await;
        let mut carol = connect(owner.addr, "carol").await;
        for who in [&mut anon, &mut carol] {
            assert_eq!(delete(who, b as u16).await, denied);
            assert_eq!(pause(who, b as u16).await, denied);
            assert_eq!(rename(who, b as u16, "x").await, denied);
            assert_eq!(pause_queue(who, "SLOW").await, denied);
        }
        let j = cups.job(b);
        assert_eq!((j.state.as_str(), j.name.as_str()), ("pending", "b.txt"));
        assert!(
            !String::from_utf8_lossy(&cups.tool("lpstat", &["-p", "SLOW"]).stdout)
                .contains("disabled")
        );
        // The owner may (alice has no Unix account: CUPS sees root).
        let mut alice = connect(owner.addr, "ALICE").await;
        assert_eq!(pause(&mut alice, b as u16).await, ok);
        assert_eq!(state(b).0, "pending-held");
        assert_eq!(delete(&mut alice, b as u16).await, ok);
        assert_eq!(state(b).0, "canceled");
        // RAP cancel on the anyone server → CUPS canceled, gone from RAP.
        assert_eq!(delete(&mut c, a as u16).await, ok);
        assert_eq!(state(a).0, "canceled");
        assert_eq!(get_info(&mut c, a as u16, 2).await.0, RapStatus(87));
        assert_eq!(delete(&mut c, a as u16).await, RapStatus(87));
        // A queue operator pauses the queue: CUPS's printer is stopped.
        let mut op = connect(owner.addr, "op").await;
        assert_eq!(pause_queue(&mut op, "slow").await, ok);
        let lpstat =
            String::from_utf8_lossy(&cups.tool("lpstat", &["-p", "SLOW"]).stdout).into_owned();
        assert!(lpstat.contains("disabled"), "{lpstat}");
        assert_eq!(pause_queue(&mut op, "NOPE").await, RapStatus(1801));
        for x in [c, anon, carol, alice, op] {
            x.close().await;
        }
    });
}

fn spooler(cups: &Cupsd, endpoint: Endpoint, cache_ms: u64, policy: ControlPolicy) -> CupsSpooler {
    let _ = cups;
    let mut config = CupsConfig::new(endpoint);
    config.cache = Duration::from_millis(cache_ms);
    config.timeout = Duration::from_secs(5);
    config.policy = policy;
    CupsSpooler::new(config).unwrap()
}

fn open(name: &str) -> OpenPrinter<'_> {
    OpenPrinter {
        printer_name: name,
        datatype: "RAW",
        access: PRINTER_ACCESS_USE,
    }
}

/// `cupsdisable` → the queue reads paused; `cupsenable` → active again;
/// a stopped printer's reason and its jobs, through `enum_printers`
/// (PRINTER_INFO_2 for NetPrintQEnum / NetPrintQGetInfo) and the share list.
#[test]
fn cups_printer_state_reads_through() {
    let cups = Cupsd::start();
    let held = cups.lp(&["-d", "Q", "-H", "hold", "-U", "dave", "-t", "held"]);
    let s = spooler(
        &cups,
        Endpoint::parse(&cups.url()).unwrap(),
        0,
        ControlPolicy::default(),
    );
    rt().block_on(async {
        let names = s.refresh().await.unwrap();
        assert_eq!(names, ["CAPTURE", "Q", "SLOW"]);
        assert_eq!(s.queue_names(), ["CAPTURE", "Q", "SLOW"]);
        let p = s.enum_printers().await.unwrap();
        let q = p.iter().find(|p| p.name == "Q").unwrap();
        assert_eq!(q.info.status, PrinterStatus::empty());
        assert_eq!(q.info.port_name.as_deref(), Some("file:///dev/null"));
        assert_eq!(q.info.jobs, 1);
        assert_eq!(q.jobs[0].job_id, held);
        assert_eq!(q.jobs[0].status, JobStatus::PAUSED);
        assert!(cups.admin("cupsdisable", &["Q"]).status.success());
        let p = s.enum_printers().await.unwrap();
        let q = p.iter().find(|p| p.name == "Q").unwrap();
        assert_eq!(q.info.status, PrinterStatus::PAUSED);
        assert!(cups.admin("cupsenable", &["Q"]).status.success());
        let p = s.enum_printers().await.unwrap();
        assert_eq!(
            p.iter().find(|p| p.name == "Q").unwrap().info.status,
            PrinterStatus::empty()
        );
        // A printer added to CUPS is found by name at once.
        assert!(cups
            .admin("lpadmin", &["-p", "NEW", "-E", "-v", "file:///dev/null"])
            .status
            .success());
        assert_eq!(s.enum_jobs(&open("new")).await.unwrap().len(), 0);
        // Queue control as an operator: Pause-Printer / Resume-Printer / Purge-Jobs.
        let s = spooler(
            &cups,
            Endpoint::parse(&cups.url()).unwrap(),
            0,
            ControlPolicy {
                jobs: JobControlPolicy::Owner,
                operators: vec!["op".into()],
            },
        );
        let op = Caller::guest("op");
        assert_eq!(
            s.set_printer(&Caller::guest("dave"), "Q", PrinterControl::Pause)
                .await,
            Err(Win32Error::ERROR_ACCESS_DENIED)
        );
        s.set_printer(&op, "q", PrinterControl::Pause)
            .await
            .unwrap();
        let p = s.enum_printers().await.unwrap();
        assert_eq!(
            p.iter().find(|p| p.name == "Q").unwrap().info.status,
            PrinterStatus::PAUSED
        );
        s.set_printer(&op, "Q", PrinterControl::Resume)
            .await
            .unwrap();
        s.set_printer(&op, "Q", PrinterControl::Purge)
            .await
            .unwrap();
        assert!(s.enum_jobs(&open("Q")).await.unwrap().is_empty());
        assert!(
            cups.jobs().iter().all(|j| j.id != held),
            "Purge-Jobs erases the job"
        );
        assert_eq!(
            s.set_printer(&op, "NOPE", PrinterControl::Pause).await,
            Err(Win32Error::ERROR_INVALID_PRINTER_NAME)
        );
    });
}

/// A print file: Create-Job (visible as SPOOLING with the SMB user and the
/// document name, msrap's CUPS user as CUPS's owner), Send-Document
/// streamed (the backend receives the bytes exactly), and an aborted one
/// leaves nothing in CUPS. Through the Unix socket.
#[test]
fn print_files_reach_cups() {
    let cups = Cupsd::start();
    let s = spooler(
        &cups,
        Endpoint::parse(&cups.socket().to_string_lossy()).unwrap(),
        0,
        ControlPolicy::default(),
    );
    let data: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i * 7 + i / 1000) as u8)
        .collect();
    let file = cups.dir.join("spool-file.prn");
    std::fs::write(&file, &data).unwrap();
    rt().block_on(async {
        let alice = Caller::guest("alice");
        let id = s.start_job(&alice, "capture", "report.txt").await.unwrap();
        let jobs = s.enum_jobs(&open("CAPTURE")).await.unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(
            (
                jobs[0].job_id,
                jobs[0].status,
                jobs[0].user_name.as_deref(),
                jobs[0].document.as_deref()
            ),
            (id, JobStatus::SPOOLING, Some("alice"), Some("report.txt"))
        );
        s.job_progress(id, 4096).await;
        assert_eq!(s.enum_jobs(&open("CAPTURE")).await.unwrap()[0].size, 4096);
        let row = cups.job(id);
        assert_eq!(
            (
                row.user.as_str(),
                row.accounting_user.as_str(),
                row.name.as_str(),
                row.reasons.as_str()
            ),
            ("root", "alice", "report.txt", "job-incoming")
        );
        // A RAP resume on a job still being received does not release it.
        s.set_job(&alice, id, JobControl::Resume).await.unwrap();
        assert_eq!(cups.job(id).reasons, "job-incoming");
        s.finish_job(id, &file, data.len() as u64).await.unwrap();
        cups.wait_state(id, "completed");
        let got = std::fs::read(cups.dir.join("out").join(id.to_string())).unwrap();
        assert!(
            got == data,
            "the backend received {} bytes, not the {} sent",
            got.len(),
            data.len()
        );
        assert_eq!(
            s.finish_job(id, &file, 1).await,
            Err(Win32Error::ERROR_INVALID_PARAMETER)
        );
        // Aborted: purged, not even in CUPS's history.
        let anon = Caller::ANONYMOUS;
        let id2 = s.start_job(&anon, "Q", "half").await.unwrap();
        assert_eq!(
            cups.job(id2).accounting_user,
            "",
            "no SMB user recorded for an anonymous session"
        );
        s.abort_job(id2).await;
        assert!(cups.jobs().iter().all(|j| j.id != id2));
        assert!(s.enum_jobs(&open("Q")).await.unwrap().is_empty());
        // A file that cannot be read: the job is purged, the error returned.
        let id3 = s.start_job(&alice, "Q", "gone").await.unwrap();
        let e = s.finish_job(id3, &cups.dir.join("no-such-file"), 10).await;
        assert_eq!(e, Err(Win32Error::ERROR_INVALID_PARAMETER));
        assert!(cups.jobs().iter().all(|j| j.id != id3));
        // An unknown queue.
        assert_eq!(
            s.start_job(&alice, "NOPE", "x").await,
            Err(Win32Error::ERROR_INVALID_PRINTER_NAME)
        );
    });
}

/// The conformance suite's spec profile against a CUPS-backed msrap (both
/// server profiles), on a queue of held jobs with long and short names.
#[test]
fn conform_spec_profile_passes_against_cups() {
    use msrap::conform::{build_context, enumerate, run, ExpectProfile, Verdict};
    let cups = Cupsd::start();
    cups.lp(&["-d", "Q", "-H", "hold", "-U", "alice", "-t", "report.txt"]);
    cups.lp(&[
        "-d",
        "Q",
        "-H",
        "hold",
        "-U",
        "averyveryverylongusername01",
        "-t",
        "photo-with-a-rather-long-document-name.jpg",
    ]);
    cups.lp(&[
        "-d",
        "Q",
        "-H",
        "hold",
        "-U",
        "bob",
        "-t",
        "Quarterly Budget.xlsx",
    ]);
    for (server_profile, expect) in [
        ("spec", ExpectProfile::Spec),
        ("windows", ExpectProfile::Windows),
    ] {
        let server = serve(&cups, &["--profile", server_profile]);
        let results = rt().block_on(async {
            let mut c = connect(server.addr, "").await;
            let ids = enumerate(&mut c, "Q").await.unwrap();
            assert_eq!(ids.len(), 3);
            let mut all = Vec::new();
            for id in &ids {
                let ctx =
                    build_context(&mut c, *id, &ids, Some("Q".into()), OemCodePage::default())
                        .await
                        .unwrap();
                all.extend(run(&mut c, &ctx, expect).await);
            }
            c.close().await;
            all
        });
        let failures: Vec<String> = results
            .iter()
            .filter_map(|r| match &r.verdict {
                Verdict::Fail(d) => Some(format!("{}: {}", r.id, d.join("; "))),
                _ => None,
            })
            .collect();
        assert_eq!(failures, Vec::<String>::new(), "profile {server_profile}");
        assert!(results.len() > 240, "{} cases", results.len());
    }
    // Nothing the (anonymous) suite did changed CUPS's jobs.
    let jobs = cups.jobs();
    assert_eq!(jobs.len(), 3);
    assert!(jobs.iter().all(|j| j.state == "pending-held"), "{jobs:?}");
}

/// 100 connections poll NetPrintJobEnum while jobs are submitted to and
/// cancelled in CUPS: every answer is a consistent queue (positions 1..n,
/// distinct ids, each job under the id and name it was submitted with),
/// and CUPS's access log shows at most one Get-Jobs per cache interval.
#[test]
fn hundred_pollers_cost_cups_one_request_per_interval() {
    const CONNECTIONS: usize = 100;
    const CACHE_MS: u64 = 250;
    const RUN: Duration = Duration::from_secs(6);
    let cups = Cupsd::start();
    let server = serve(&cups, &["--cups-cache-ms", &CACHE_MS.to_string()]);
    let rt = rt();
    // Connect everyone first (TREE_CONNECT to IPC$ costs CUPS nothing).
    let clients: Vec<SmbClient> = rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..CONNECTIONS {
            v.push(connect(server.addr, "").await);
        }
        v
    });
    let submitted: Arc<Mutex<BTreeMap<u16, String>>> = Arc::default();
    let seen: Arc<Mutex<BTreeMap<u16, String>>> = Arc::default();
    let log_start = cups.access_log_lines();
    let started = Instant::now();
    let submitter = {
        let submitted = Arc::clone(&submitted);
        let host = cups.host();
        let doc = cups.dir.join("poll-doc.txt");
        std::fs::write(&doc, "polled\n").unwrap();
        std::thread::spawn(move || {
            let mut n = 0u32;
            let mut live = Vec::new();
            while started.elapsed() < RUN {
                n += 1;
                let name = format!("job-{n}");
                let out = std::process::Command::new("lp")
                    .args(["-h", &host, "-d", "Q", "-H", "hold", "-t", &name])
                    .arg(&doc)
                    .output()
                    .unwrap();
                let text = String::from_utf8_lossy(&out.stdout);
                let id: u32 = text
                    .split_whitespace()
                    .find_map(|w| w.rsplit_once('-').and_then(|(_, n)| n.parse().ok()))
                    .unwrap_or_else(|| panic!("lp: {text}"));
                submitted.lock().unwrap().insert(id as u16, name);
                live.push(id);
                if live.len() > 4 {
                    let old = live.remove(0);
                    let st = std::process::Command::new("cancel")
                        .args(["-h", &host, &old.to_string()])
                        .status()
                        .unwrap();
                    assert!(st.success());
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            n
        })
    };
    let answers = rt.block_on(async {
        let mut tasks = Vec::new();
        for mut c in clients {
            let seen = Arc::clone(&seen);
            tasks.push(tokio::spawn(async move {
                let mut answers = 0usize;
                while started.elapsed() < RUN {
                    let (st, avail, jobs) = enum_jobs(&mut c, "Q").await;
                    assert_eq!(st, RapStatus::ERROR_SUCCESS);
                    assert_eq!(avail as usize, jobs.len());
                    let mut ids: Vec<u16> = jobs.iter().map(|j| j.job_id).collect();
                    for (i, j) in jobs.iter().enumerate() {
                        assert_eq!(j.job_position as usize, i + 1);
                        assert_eq!(j.job_status.0, PAUSED);
                        let name = j.document_name.as_deref().unwrap_or("").to_owned();
                        let mut seen = seen.lock().unwrap();
                        let prev = seen.insert(j.job_id, name.clone());
                        assert!(
                            prev.as_ref().is_none_or(|p| *p == name),
                            "job {} was {prev:?}, now {name}",
                            j.job_id
                        );
                    }
                    ids.sort_unstable();
                    ids.dedup();
                    assert_eq!(ids.len(), jobs.len(), "duplicate ids in {jobs:?}");
                    answers += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                c.close().await;
                answers
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        total
    });
    let elapsed = started.elapsed();
    let submissions = submitter.join().unwrap();
    let get_jobs = cups.count_requests("Get-Jobs", log_start);
    // Every job seen was seen under the id and name it was submitted with.
    let submitted = submitted.lock().unwrap();
    for (id, name) in seen.lock().unwrap().iter() {
        if let Some(s) = submitted.get(id) {
            assert_eq!(s, name, "job {id}");
        } else {
            // Seen before the submitter recorded it: its name says its number.
            panic!("job {id} ({name}) was never submitted");
        }
    }
    let intervals = elapsed.as_millis() as usize / CACHE_MS as usize + 1;
    eprintln!(
        "{answers} NetPrintJobEnum answers on {CONNECTIONS} connections in {elapsed:?}, \
         {submissions} jobs submitted; CUPS saw {get_jobs} Get-Jobs ({intervals} intervals)"
    );
    assert!(
        answers > 10 * get_jobs,
        "{answers} answers, {get_jobs} Get-Jobs"
    );
    assert!(
        get_jobs <= intervals + 1,
        "{get_jobs} Get-Jobs in {intervals} intervals"
    );
    assert!(
        get_jobs >= 2,
        "the cache is refreshed ({get_jobs} Get-Jobs)"
    );
    assert!(seen.lock().unwrap().len() >= 4);
}

/// CUPS killed, stopped (SIGSTOP: accepts nothing, answers nothing) and
/// restarted under a running msrap: clients get ERROR_NOT_READY (21)
/// promptly, then answers again once CUPS is back, with no restart of
/// msrap.
#[test]
fn cups_down_slow_and_back() {
    let mut cups = Cupsd::start();
    let held = cups.lp(&["-d", "Q", "-H", "hold", "-t", "survivor"]);
    let server = serve(
        &cups,
        &["--cups-cache-ms", "200", "--cups-timeout-ms", "1500"],
    );
    rt().block_on(async {
        let mut c = connect(server.addr, "").await;
        assert_eq!(enum_jobs(&mut c, "Q").await.2.len(), 1);
        // Killed: connection refused, an error at once.
        cups.kill();
        tokio::time::sleep(Duration::from_millis(250)).await;
        let t = Instant::now();
        let (st, _, jobs) = enum_jobs(&mut c, "Q").await;
        assert_eq!((st, jobs.len()), (RapStatus(21), 0));
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(get_info(&mut c, held as u16, 2).await.0, RapStatus(21));
        assert_eq!(delete(&mut c, held as u16).await, RapStatus(21));
        // 100 more asks within the interval cost nothing and fail fast.
        let t = Instant::now();
        for _ in 0..100 {
            assert_eq!(enum_jobs(&mut c, "Q").await.0, RapStatus(21));
        }
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        // Back: served again without restarting msrap.
        cups.restart();
        let t = Instant::now();
        loop {
            let (st, _, jobs) = enum_jobs(&mut c, "Q").await;
            if st == RapStatus::ERROR_SUCCESS {
                assert!(jobs.iter().all(|j| j.job_position > 0));
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(5), "still {st:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Stopped: connections accepted by the kernel, no answer. Bounded
        // by the timeout (1.5 s), twice at most for a caller that waited
        // for another's refresh.
        let pid = cups.pid().unwrap().to_string();
        assert!(std::process::Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .unwrap()
            .success());
        tokio::time::sleep(Duration::from_millis(250)).await;
        let t = Instant::now();
        let (st, _, _) = enum_jobs(&mut c, "Q").await;
        let waited = t.elapsed();
        assert!(std::process::Command::new("kill")
            .args(["-CONT", &pid])
            .status()
            .unwrap()
            .success());
        assert_eq!(st, RapStatus(21));
        assert!(
            waited >= Duration::from_millis(1400) && waited < Duration::from_millis(3500),
            "{waited:?}"
        );
        let t = Instant::now();
        loop {
            if enum_jobs(&mut c, "Q").await.0 == RapStatus::ERROR_SUCCESS {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(5));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        c.close().await;
    });
    // msrap never stopped, and said when CUPS went away and came back.
    let err = server.stderr();
    assert!(err.contains("Get-Jobs: CUPS did not answer"), "{err}");
    assert!(
        err.contains("RAP answers ERROR_NOT_READY until CUPS answers"),
        "{err}"
    );
    assert!(
        err.contains(&format!("CUPS at http://{} answers", cups.host())),
        "{err}"
    );
}

/// Debian's stock policy (`@OWNER` limits, private job values, admin
/// needs authentication), on which cupsd 2.4.2 crashes when a job
/// operation names a user without a Unix account: msrap submits and
/// controls jobs for SMB users that have none, and cupsd lives on. Job
/// names and owners are visible to root only; queue control works over
/// the Unix socket (PeerCred) and is refused over TCP (no password).
#[test]
fn stock_policy_users_without_accounts_never_reach_cupsd() {
    let mut cups = Cupsd::start_with(Policy::Stock);
    let tcp = spooler(
        &cups,
        Endpoint::parse(&cups.url()).unwrap(),
        0,
        ControlPolicy::default(),
    );
    let sock = spooler(
        &cups,
        Endpoint::parse(&cups.socket().to_string_lossy()).unwrap(),
        0,
        ControlPolicy {
            jobs: JobControlPolicy::Owner,
            operators: vec!["op".into()],
        },
    );
    let file = cups.dir.join("f.prn");
    std::fs::write(&file, b"data").unwrap();
    rt().block_on(async {
        let ghost = Caller::guest("nosuchuser-msrap");
        let id = tcp.start_job(&ghost, "SLOW", "ghost.txt").await.unwrap();
        s_pause(&tcp, &ghost, id).await;
        tcp.finish_job(id, &file, 4).await.unwrap();
        assert_eq!(cups.job(id).state, "pending-held");
        let j = tcp.get_job(&open("MSRAP"), id).await.unwrap();
        assert_eq!(
            (j.user_name.as_deref(), j.document.as_deref(), j.status),
            (
                Some("nosuchuser-msrap"),
                Some("ghost.txt"),
                JobStatus::PAUSED
            )
        );
        tcp.set_job_document(&ghost, id, "renamed").await.unwrap();
        tcp.set_job(&ghost, id, JobControl::Resume).await.unwrap();
        assert_eq!(
            tcp.set_job(&Caller::guest("other"), id, JobControl::Cancel)
                .await,
            Err(Win32Error::ERROR_ACCESS_DENIED)
        );
        // Queue control: refused by CUPS over TCP, done over the socket.
        let op = Caller::guest("op");
        let tcp_op = spooler(
            &cups,
            Endpoint::parse(&cups.url()).unwrap(),
            0,
            ControlPolicy {
                jobs: JobControlPolicy::Owner,
                operators: vec!["op".into()],
            },
        );
        assert_eq!(
            tcp_op.set_printer(&op, "Q", PrinterControl::Pause).await,
            Err(Win32Error::ERROR_ACCESS_DENIED)
        );
        sock.set_printer(&op, "Q", PrinterControl::Pause)
            .await
            .unwrap();
        assert!(
            String::from_utf8_lossy(&cups.tool("lpstat", &["-p", "Q"]).stdout).contains("disabled")
        );
        sock.set_printer(&op, "Q", PrinterControl::Resume)
            .await
            .unwrap();
        // A CUPS user outside @SYSTEM sees no names under this policy.
        let nobody = CupsSpooler::new({
            let mut c = CupsConfig::new(Endpoint::parse(&cups.url()).unwrap());
            c.user = "nobody".into();
            c
        })
        .unwrap();
        let j = nobody.get_job(&open("MSRAP"), id).await.unwrap();
        assert_eq!(
            (j.document.as_deref(), j.user_name.as_deref()),
            (None, None)
        );
        tcp.set_job(&ghost, id, JobControl::Delete).await.unwrap();
        assert_eq!(cups.job(id).state, "canceled");
    });
    assert!(cups.running(), "cupsd died: {}", cups.error_log_tail());
}

async fn s_pause(s: &CupsSpooler, who: &Caller<'_>, id: u32) {
    s.set_job(who, id, JobControl::Pause).await.unwrap();
}

/// The RAP JobID of CUPS job N is (N − 1) mod 65535 + 1, from CUPS's state
/// alone: jobs 1 and 65536 both alive share JobID 1, and RAP shows the
/// older (1) while the newer waits hidden; once job 1 is gone, job 65536
/// appears as JobID 1, the id it always had. Two msrap instances, and a
/// restarted one, agree.
#[test]
fn job_ids_wrap_at_65535_and_the_older_job_keeps_a_shared_id() {
    let mut cups = Cupsd::start();
    let old = cups.lp(&["-d", "Q", "-H", "hold", "-U", "alice", "-t", "old"]);
    assert_eq!(old, 1);
    cups.restart_with_next_job_id(65_535);
    assert_eq!(
        cups.lp(&["-d", "Q", "-H", "hold", "-U", "bob", "-t", "edge"]),
        65_535
    );
    assert_eq!(
        cups.lp(&["-d", "Q", "-H", "hold", "-U", "carol", "-t", "new"]),
        65_536
    );
    assert_eq!(
        cups.lp(&["-d", "Q", "-H", "hold", "-U", "dave", "-t", "next"]),
        65_537
    );
    let a = serve(&cups, &["--control", "anyone"]);
    let b = serve(&cups, &[]);
    let docs = |jobs: &[PrintJobInfo2<'_>]| -> Vec<(u16, u16, String)> {
        jobs.iter()
            .map(|j| {
                (
                    j.job_id,
                    j.job_position,
                    j.document_name.as_deref().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    rt().block_on(async {
        let mut ca = connect(a.addr, "").await;
        let mut cb = connect(b.addr, "").await;
        let (st, avail, jobs) = enum_jobs(&mut ca, "Q").await;
        assert_eq!((st, avail), (RapStatus::ERROR_SUCCESS, 3));
        assert_eq!(
            docs(&jobs),
            [
                (1, 1, "old".into()),
                (65_535, 2, "edge".into()),
                (2, 3, "next".into())
            ]
        );
        assert_eq!(
            enum_jobs(&mut cb, "Q").await.2,
            jobs,
            "the other msrap agrees"
        );
        let (_, info) = get_info(&mut cb, 1, 2).await;
        let Some(PrintJobInfo::Level2(j)) = info else {
            panic!()
        };
        assert_eq!(j.document_name.as_deref(), Some("old"));
        // Job 1 ends in CUPS: job 65536 takes JobID 1, last in the queue.
        assert!(cups.tool("cancel", &["1"]).status.success());
        tokio::time::sleep(Duration::from_millis(1100)).await; // the cache time
        let (_, _, jobs) = enum_jobs(&mut ca, "Q").await;
        assert_eq!(
            docs(&jobs),
            [
                (65_535, 1, "edge".into()),
                (1, 2, "new".into()),
                (2, 3, "next".into())
            ]
        );
        assert_eq!(enum_jobs(&mut cb, "Q").await.2, jobs);
        // RAP control of JobID 1 now reaches CUPS job 65536.
        assert_eq!(delete(&mut ca, 1).await, RapStatus::ERROR_SUCCESS);
        assert_eq!(cups.job(65_536).state, "canceled");
        assert_eq!(cups.job(65_535).state, "pending-held");
        ca.close().await;
        cb.close().await;
    });
    // A restarted msrap gives the same ids.
    drop(a);
    let a = serve(&cups, &[]);
    rt().block_on(async {
        let mut c = connect(a.addr, "").await;
        assert_eq!(
            docs(&enum_jobs(&mut c, "Q").await.2),
            [(65_535, 1, "edge".into()), (2, 2, "next".into())]
        );
        c.close().await;
    });
}

/// Writes the `ipp_reply` fuzz seeds: real cupsd replies to msrap's own
/// requests (Get-Jobs with held, processing, incoming, high-priority and
/// colliding jobs; CUPS-Get-Printers with a stopped printer; Create-Job;
/// errors; the stock policy's private values), each after a mode byte:
/// `cargo test --all-features --test cups_backend -- --ignored generate_ipp_reply_seeds`.
#[test]
#[ignore]
fn generate_ipp_reply_seeds() {
    use ipp::model::Operation;
    use msrap::spool::cups::client::{IppClient, To};
    use std::io::{Read, Write};

    fn post(addr: SocketAddr, path: &str, body: &[u8]) -> Vec<u8> {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        s.write_all(body).unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        let at = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        buf[at + 4..].to_vec()
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/ipp_reply");
    std::fs::create_dir_all(&out).unwrap();
    let write = |name: &str, mode: u8, reply: &[u8]| {
        let mut v = vec![mode];
        v.extend_from_slice(reply);
        std::fs::write(out.join(name), v).unwrap();
    };
    let mut cups = Cupsd::start();
    let root = IppClient::new(
        &Endpoint::parse(&cups.url()).unwrap(),
        "root",
        Duration::from_secs(5),
    )
    .unwrap();
    let get_jobs = root.get_jobs_request().unwrap().to_bytes();
    let get_printers = root.get_printers_request().unwrap().to_bytes();
    write("get_jobs_empty", 0, &post(cups.addr(), "/", &get_jobs));
    cups.lp(&["-d", "Q", "-H", "hold", "-U", "alice", "-t", "Doc 1"]);
    let first = cups.lp(&["-d", "SLOW", "-U", "bob", "-t", "long one"]);
    cups.wait_state(first, "processing");
    cups.lp(&["-d", "SLOW", "-U", "carol", "-t", "next", "-q", "100"]);
    let s = spooler(
        &cups,
        Endpoint::parse(&cups.url()).unwrap(),
        0,
        ControlPolicy::default(),
    );
    let incoming = rt()
        .block_on(s.start_job(&Caller::guest("dave"), "CAPTURE", "spooling.doc"))
        .unwrap();
    assert!(cups
        .admin("cupsdisable", &["-r", "jammed", "Q"])
        .status
        .success());
    write("get_jobs_mixed", 0, &post(cups.addr(), "/", &get_jobs));
    write("get_printers", 0, &post(cups.addr(), "/", &get_printers));
    let mut create = root
        .request(Operation::CreateJob, To::Printer("Q"))
        .unwrap();
    msrap::spool::cups::client::add(
        &mut create,
        ipp::model::DelimiterTag::OperationAttributes,
        "job-name",
        ipp::value::IppValue::new_name_without_language("seed"),
    )
    .unwrap();
    write(
        "create_job",
        1,
        &post(cups.addr(), "/printers/Q", &create.to_bytes()),
    );
    let hold = root.request(Operation::HoldJob, To::Job(999)).unwrap();
    write(
        "hold_job_not_found",
        0,
        &post(cups.addr(), "/jobs/", &hold.to_bytes()),
    );
    let release = root.request(Operation::ReleaseJob, To::Job(first)).unwrap();
    write(
        "release_job_not_possible",
        0,
        &post(cups.addr(), "/jobs/", &release.to_bytes()),
    );
    let pause = root
        .request(Operation::PausePrinter, To::Printer("NOPE"))
        .unwrap();
    write(
        "pause_printer_not_found",
        0,
        &post(cups.addr(), "/admin/", &pause.to_bytes()),
    );
    rt().block_on(s.abort_job(incoming));
    // Colliding JobIDs: jobs 1 and 65536 both alive.
    cups.restart_with_next_job_id(65_535);
    cups.lp(&["-d", "Q", "-H", "hold", "-U", "erin", "-t", "edge"]);
    cups.lp(&["-d", "Q", "-H", "hold", "-U", "frank", "-t", "new"]);
    write("get_jobs_collision", 0, &post(cups.addr(), "/", &get_jobs));
    drop(cups);
    // The stock policy: names hidden from a user outside @SYSTEM.
    let cups = Cupsd::start_with(Policy::Stock);
    cups.lp(&["-d", "Q", "-H", "hold", "-U", "root", "-t", "private"]);
    let nobody = IppClient::new(
        &Endpoint::parse(&cups.url()).unwrap(),
        "nobody",
        Duration::from_secs(5),
    )
    .unwrap();
    write(
        "get_jobs_private",
        1,
        &post(
            cups.addr(),
            "/",
            &nobody.get_jobs_request().unwrap().to_bytes(),
        ),
    );
    write(
        "get_printers_stock",
        1,
        &post(cups.addr(), "/", &get_printers),
    );
}

/// The committed cupsd replies (the `ipp_reply` fuzz seeds) map as they
/// did when captured: a fixed point for the mapping without a cupsd.
#[test]
fn captured_cups_replies_map_to_these_jobs() {
    use msrap::spool::cups::client::parse_reply;
    use msrap::spool::cups::map::{CupsJob, CupsPrinter, JobList};
    let seed = |name: &str| {
        let b = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fuzz/corpus/ipp_reply")
                .join(name),
        )
        .unwrap();
        parse_reply(bytes::Bytes::copy_from_slice(&b[1..]))
    };
    let jobs_of = |name: &str| -> JobList {
        let r = seed(name).unwrap();
        let jobs: Vec<CupsJob> = r
            .groups(ipp::model::DelimiterTag::JobAttributes)
            .filter_map(CupsJob::from_group)
            .collect();
        JobList::from_cups(&jobs, "root", |_| None)
    };
    let view = |l: &JobList| -> Vec<(String, u32, u32, JobStatus, String, String)> {
        l.queues
            .iter()
            .flat_map(|(q, jobs)| {
                jobs.iter().map(move |j| {
                    (
                        q.clone(),
                        j.job_id,
                        j.position,
                        j.status,
                        j.user_name.clone().unwrap_or_default(),
                        j.document.clone().unwrap_or_default(),
                    )
                })
            })
            .collect()
    };
    assert!(jobs_of("get_jobs_empty").slots.is_empty());
    let mixed = jobs_of("get_jobs_mixed");
    assert_eq!(
        view(&mixed),
        [
            (
                "SLOW".into(),
                2,
                1,
                JobStatus::PRINTING,
                "bob".into(),
                "long one".into()
            ),
            (
                "SLOW".into(),
                3,
                2,
                JobStatus::empty(),
                "carol".into(),
                "next".into()
            ),
            (
                "Q".into(),
                1,
                1,
                JobStatus::PAUSED,
                "alice".into(),
                "Doc 1".into()
            ),
            (
                "CAPTURE".into(),
                4,
                1,
                JobStatus::SPOOLING,
                "dave".into(),
                "spooling.doc".into()
            ),
        ]
    );
    let collision = jobs_of("get_jobs_collision");
    assert_eq!(collision.hidden, 1);
    assert_eq!(collision.slot(1).unwrap().cups_id, 1);
    assert_eq!(collision.slot(65_535).unwrap().cups_id, 65_535);
    // Private values: no user, no name.
    let private = jobs_of("get_jobs_private");
    assert_eq!(
        view(&private),
        [(
            "Q".into(),
            1,
            1,
            JobStatus::PAUSED,
            String::new(),
            String::new()
        )]
    );
    let printers: Vec<CupsPrinter> = seed("get_printers")
        .unwrap()
        .groups(ipp::model::DelimiterTag::PrinterAttributes)
        .filter_map(CupsPrinter::from_group)
        .collect();
    let states: Vec<(&str, PrinterStatus)> = printers
        .iter()
        .map(|p| (p.name.as_str(), p.info.status))
        .collect();
    assert_eq!(
        states,
        [
            ("CAPTURE", PrinterStatus::empty()),
            ("Q", PrinterStatus::PAUSED),
            ("SLOW", PrinterStatus::PRINTING)
        ]
    );
    for (name, status) in [
        ("hold_job_not_found", 0x0406),
        ("release_job_not_possible", 0x0404),
        ("pause_printer_not_found", 0x0406),
    ] {
        assert_eq!(seed(name).unwrap_err().ipp_status(), Some(status), "{name}");
    }
    assert_eq!(seed("create_job").unwrap().status, 0);
}

/// `msrap serve --cups`: bad settings are refused before serving; with no
/// CUPS answering it serves anyway (ERROR_NOT_READY) and says so; the
/// printer shares come from CUPS (smbclient prints the queue through the
/// share `Q`).
#[test]
fn serve_cups_settings_and_shares() {
    use support::cli::msrap;
    for (args, needle) in [
        (
            vec!["serve", "--cups", "ipps://127.0.0.1:631"],
            "TLS is not supported",
        ),
        (vec!["serve", "--cups", "lpd://h"], "unknown scheme"),
        (
            vec!["serve", "--cups", "ipp://127.0.0.1:631", "--cups-user", " "],
            "not a user name",
        ),
        (vec!["serve", "--cups-user", "x"], "--cups"),
        (
            vec!["serve", "--cups", "ipp://127.0.0.1:631", "--jobs", "x.toml"],
            "cannot be used with",
        ),
        (
            vec![
                "serve",
                "--cups",
                "ipp://127.0.0.1:631",
                "--cups-timeout-ms",
                "0",
            ],
            "0 is not in 1..=600000",
        ),
    ] {
        let out = msrap(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // Nothing listens there: msrap serves, and answers 21.
    let port = support::samba::free_port();
    let url = format!("ipp://127.0.0.1:{port}");
    let server = Serve::start(&["--cups", &url, "--cups-timeout-ms", "500"]);
    let err = server.wait_for_stderr("did not answer");
    assert!(
        err.contains("queues: CUPS") && err.contains("none yet"),
        "{err}"
    );
    rt().block_on(async {
        let mut c = connect(server.addr, "").await;
        assert_eq!(enum_jobs(&mut c, "Q").await.0, RapStatus(21));
        c.close().await;
    });
    drop(server);
    // The shares are CUPS's printers: smbclient's `queue` on share Q.
    let cups = Cupsd::start();
    let id = cups.lp(&["-d", "Q", "-H", "hold", "-U", "alice", "-t", "shared.txt"]);
    let server = serve(&cups, &[]);
    let conf = support::samba::client_conf(&cups.dir.join("smbclient"));
    let out = support::samba::smbclient_queue(server.addr, "Q", &conf);
    assert_eq!(
        support::samba::parse_queue(&out),
        [(id, 1024, "shared.txt".to_owned())],
        "{out}"
    );
    let out = support::samba::smbclient_queue(server.addr, "NOPE", &conf);
    assert!(support::samba::parse_queue(&out).is_empty(), "{out}");
}

/// Issue 11 end to end: `smbclient -c 'print FILE'` into a CUPS-backed
/// msrap → `lpstat -o` shows the job (name, size) → `smbclient -c queue`,
/// `net rap printq` and `msrap query` show it → on a `--control anyone`
/// server `smbclient -c 'cancel N'` cancels it in CUPS; under the default
/// policy an anonymous NetPrintJobDel is refused (ERROR_ACCESS_DENIED, on
/// the wire: smbclient 4.17 prints "cancelled" whatever the status) and the
/// job stays pending.
#[test]
fn smbclient_print_into_cups_then_rap_sees_and_controls_the_job() {
    use support::samba::{client_conf, net_rap_printq, parse_printq, parse_queue, smbclient_queue};
    let cups = Cupsd::start();
    // A stopped printer keeps its jobs pending.
    let o = cups.admin("cupsdisable", &["Q"]);
    assert!(o.status.success(), "{o:?}");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(cups.dir.join("report.prn"), &data).unwrap();
    let conf = client_conf(&cups.dir.join("smbclient"));
    let smbclient = |addr: SocketAddr, cmd: &str| {
        let out = std::process::Command::new("smbclient")
            .arg(format!("//{}/Q", addr.ip()))
            .args(["-p", &addr.port().to_string(), "-N", "-s"])
            .arg(&conf)
            .args(["-c", cmd])
            .current_dir(&cups.dir)
            .env("TZ", "UTC")
            .output()
            .expect("run smbclient");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    for control in ["anyone", "owner"] {
        let spool = cups.dir.join(format!("spool-{control}"));
        let server = serve(
            &cups,
            &["--control", control, "--spool-dir", spool.to_str().unwrap()],
        );
        let (code, out) = smbclient(server.addr, "print report.prn");
        assert_eq!(code, Some(0), "{out}");
        // CUPS has it, pending, under the file's name.
        let row = cups
            .jobs()
            .into_iter()
            .filter(|j| j.state == "pending" && j.name == "report.prn")
            .max_by_key(|j| j.id)
            .unwrap_or_else(|| panic!("no pending report.prn in CUPS: {:?}", cups.jobs()));
        assert_eq!(row.printer, "Q");
        let lpstat = cups.tool("lpstat", &["-o", "Q"]);
        let lpstat = String::from_utf8_lossy(&lpstat.stdout).into_owned();
        let line = lpstat
            .lines()
            .find(|l| l.starts_with(&format!("Q-{} ", row.id)))
            .unwrap_or_else(|| panic!("lpstat -o: {lpstat}"));
        // job-k-octets × 1024: 300 000 bytes are 293 KiB.
        let size: u64 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
        assert_eq!(size, 293 * 1024, "{line}");
        assert!(
            std::fs::read_dir(&spool).unwrap().next().is_none(),
            "spool dir not empty"
        );
        let rap_id = u16::try_from((row.id - 1) % 65535 + 1).unwrap();
        // smbclient's queue, net rap printq and msrap query: the same job,
        // its JobSize CUPS's job-k-octets × 1024 (SPEC_NOTES §8).
        let queue = parse_queue(&smbclient_queue(server.addr, "Q", &conf));
        assert!(
            queue.contains(&(u32::from(rap_id), 300_032, "report.prn".to_owned())),
            "{queue:?}"
        );
        let (out, _) = net_rap_printq(server.addr, &conf, &[]);
        let queues = parse_printq(&out);
        let q = queues
            .iter()
            .find(|q| q.name == "Q")
            .unwrap_or_else(|| panic!("{out}"));
        assert!(
            q.job_lines
                .iter()
                .any(|(_, id, size, _)| *id == u32::from(rap_id) && *size == 300_032),
            "{out}"
        );
        let query = support::cli::msrap(&[
            "query",
            "--server",
            &server.addr.to_string(),
            "--json",
            "job",
            &rap_id.to_string(),
            "--level",
            "2",
        ]);
        let text = String::from_utf8_lossy(&query.stdout).into_owned();
        assert!(query.status.success(), "{text}");
        assert!(text.contains("\"document_name\":\"report.prn\""), "{text}");
        if control == "anyone" {
            let (_, out) = smbclient(server.addr, &format!("cancel {rap_id}"));
            assert!(out.contains(&format!("Job {rap_id} cancelled")), "{out}");
            cups.wait_state(row.id, "canceled");
        } else {
            // Anonymous under the owner policy: refused on the wire.
            rt().block_on(async {
                let mut c = connect(server.addr, "").await;
                assert_eq!(delete(&mut c, rap_id).await, RapStatus(5));
                c.close().await;
            });
            assert_eq!(cups.job(row.id).state, "pending");
        }
        drop(server);
    }
}
