//! `msrap bench` against a CUPS-backed msrap (`msrap serve --cups`) and a
//! real Samba smbd with `printing = cups`, both in front of the same private
//! cupsd with the same five held jobs, same machine, same run, at 1, 16 and
//! 128 connections, NetPrintJobGetInfo and NetPrintJobEnum (level 2); prints
//! the BENCHMARKS.md table, with the Get-Jobs requests each server sent CUPS.
//! Not part of the normal suite (it measures):
//!
//! ```sh
//! cargo test --release --all-features --test bench_cups_vs_samba -- --ignored --nocapture
//! ```
//! `MSRAP_BENCH_SECS` sets the duration of each run (default 10);
//! `MSRAP_SAMBA_LPQ_CACHE_TIME` Samba's `lpq cache time` (default 0, as for
//! the LPRng harness; Samba's own default is 30).
#![cfg(all(feature = "cli", feature = "server", feature = "cups"))]

mod support;

use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::cups::Cupsd;
use support::samba::{free_port, Samba};

const JOBS: &[(&str, &str)] = &[
    ("alice", "report.txt"),
    ("bob", "Quarterly Budget.xlsx"),
    ("carol", "memo.txt"),
    (
        "averyveryverylongusername01",
        "photo-with-a-rather-long-document-name.jpg",
    ),
    ("erin", "slides.ps"),
];

fn bench(
    addr: SocketAddr,
    conns: usize,
    secs: u64,
    enum_jobs: bool,
    pids: &[u32],
) -> serde_json::Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_msrap"));
    cmd.args([
        "bench",
        "--server",
        &addr.to_string(),
        "--connections",
        &conns.to_string(),
        "--duration",
        &secs.to_string(),
        "--level",
        "2",
        "--queue",
        "Q",
        "--json",
    ]);
    if enum_jobs {
        cmd.arg("--enum-jobs");
    }
    for p in pids {
        cmd.args(["--server-pid", &p.to_string()]);
    }
    let out = cmd.output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
#[ignore]
fn bench_cups_backed_ours_and_samba() {
    let secs: u64 = std::env::var("MSRAP_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let cups = Cupsd::start();
    for (user, doc) in JOBS {
        cups.lp(&["-d", "Q", "-H", "hold", "-U", user, "-t", doc]);
    }
    let samba = Samba::start_cups(&cups.host(), &["Q"], JOBS.len());
    let port = free_port();
    let ours_addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let url = cups.url();
    let mut ours = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args([
            "serve",
            "--listen",
            &ours_addr.to_string(),
            "--cups",
            &url,
            "--max-connections",
            "1024",
        ])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(ours_addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "msrap serve did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    println!(
        "| server | request | connections | requests/s | p50 µs | p99 µs | max µs | wrong/failed | server CPU s / 1000 req | CUPS Get-Jobs |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for conns in [1usize, 16, 128] {
        for enum_jobs in [false, true] {
            for (name, addr, pids) in [
                ("msrap --cups", ours_addr, vec![ours.id()]),
                ("Samba 4.17 (cups)", samba.addr, samba.pids()),
            ] {
                let from = cups.access_log_lines();
                let r = bench(addr, conns, secs, enum_jobs, &pids);
                let get_jobs = cups.count_requests("Get-Jobs", from);
                println!(
                    "| {name} | {} | {conns} | {:.0} | {} | {} | {} | {}/{} | {} | {get_jobs} |",
                    if enum_jobs { "JobEnum" } else { "JobGetInfo" },
                    r["requests_per_s"].as_f64().unwrap_or(0.0),
                    r["latency_us"]["p50"],
                    r["latency_us"]["p99"],
                    r["latency_us"]["max"],
                    r["wrong"],
                    r["failed"],
                    r["server_cpu_s_per_1000"]
                        .as_f64()
                        .map_or("-".into(), |c| format!("{c:.4}")),
                );
            }
        }
    }
    let _ = ours.kill();
    let _ = ours.wait();
}

/// Print throughput, MB/s of print data from `smbclient print` into CUPS:
/// `msrap serve --cups` and Samba 4.17 (`printing = cups`) in front of the
/// same cupsd, whose `CAPTURE` queue writes each job to a file. Each run
/// times `smbclient -c 'print FILE'` until CUPS reports the job completed
/// and the captured file holds every byte; one warm-up print per server
/// first (Samba creates its printer shares lazily). Not part of the normal
/// suite:
///
/// ```sh
/// cargo test --release --all-features --test bench_cups_vs_samba print_throughput -- --ignored --nocapture
/// ```
/// `MSRAP_BENCH_PRINT_MB` sets the job size (default 50).
#[test]
#[ignore]
fn bench_print_throughput_ours_and_samba() {
    let mb: usize = std::env::var("MSRAP_BENCH_PRINT_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let cups = Cupsd::start();
    let samba = Samba::start_cups(&cups.host(), &["CAPTURE"], 0);
    let port = free_port();
    let ours_addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let dir = cups.dir.join("print-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let mut ours = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args([
            "serve",
            "--listen",
            &ours_addr.to_string(),
            "--cups",
            &cups.url(),
        ])
        .args(["--max-job-size", "1G", "--spool-dir"])
        .arg(dir.join("spool"))
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(ours_addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "msrap serve did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let conf = support::samba::client_conf(&dir);
    let data: Vec<u8> = (0..mb * 1_000_000).map(|i| (i % 253) as u8).collect();
    std::fs::write(dir.join("job.prn"), &data).unwrap();
    let print = |addr: SocketAddr| {
        let out = Command::new("smbclient")
            .arg(format!("//{}/CAPTURE", addr.ip()))
            .args(["-p", &addr.port().to_string(), "-N", "-s"])
            .arg(&conf)
            .args(["-c", "print job.prn"])
            .current_dir(&dir)
            .output()
            .unwrap();
        if !out.status.success() {
            eprintln!(
                "smbclient print to {addr}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out.status.success()
    };
    let newest = || cups.jobs().iter().map(|j| j.id).max().unwrap_or(0);
    println!("| server | job MB | run | seconds | MB/s |");
    println!("|---|---|---|---|---|");
    for (name, addr) in [
        ("msrap --cups", ours_addr),
        ("Samba 4.17 (cups)", samba.addr),
    ] {
        // Warm-up (not timed): until the share prints.
        let t = Instant::now();
        while !print(addr) {
            // Samba's printer shares appear once spoolss has loaded CUPS's
            // printers: a RAP call on IPC$ wakes it.
            support::samba::smbclient_queue(addr, "IPC$", &conf);
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "{name} never printed"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        cups.wait_state(newest(), "completed");
        for run in 1..=3 {
            let before = newest();
            let t = Instant::now();
            assert!(print(addr), "{name}: smbclient print failed");
            let id = newest();
            assert!(id > before, "{name}: no new job in CUPS");
            cups.wait_state(id, "completed");
            let secs = t.elapsed().as_secs_f64();
            let got = std::fs::metadata(cups.dir.join("out").join(id.to_string()))
                .map(|m| m.len())
                .unwrap_or(0);
            assert_eq!(got, data.len() as u64, "{name}: CUPS captured {got} bytes");
            println!(
                "| {name} | {mb} | {run} | {secs:.2} | {:.1} |",
                mb as f64 / secs
            );
        }
    }
    let _ = ours.kill();
    let _ = ours.wait();
}
