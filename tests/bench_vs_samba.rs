//! `msrap bench` against our server and a real Samba smbd, same job set,
//! same machine, same run, at 1, 16 and 128 connections; prints the
//! BENCHMARKS.md table. Not part of the normal suite (it measures):
//!
//! ```sh
//! cargo test --release --all-features --test bench_vs_samba -- --ignored --nocapture
//! ```
//! `MSRAP_BENCH_SECS` sets the duration of each run (default 10).
#![cfg(all(feature = "cli", feature = "server"))]

mod support;

use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::samba::{free_port, Samba, SHARE};

fn bench(addr: SocketAddr, conns: usize, secs: u64, pids: &[u32]) -> serde_json::Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_msrap"));
    cmd.args([
        "bench",
        "--server",
        &addr.to_string(),
        "--connections",
        &conns.to_string(),
    ]);
    cmd.args([
        "--duration",
        &secs.to_string(),
        "--level",
        "2",
        "--queue",
        SHARE,
        "--json",
    ]);
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
fn bench_ours_and_samba() {
    let secs: u64 = std::env::var("MSRAP_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let samba = Samba::start();
    let port = free_port();
    let ours_addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let jobs = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/bench-jobs.toml");
    let mut ours = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args([
            "serve",
            "--listen",
            &ours_addr.to_string(),
            "--jobs",
            jobs,
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
    println!("| server | connections | requests/s | p50 µs | p99 µs | max µs | wrong/failed | server CPU s / 1000 req |");
    println!("|---|---|---|---|---|---|---|---|");
    for conns in [1usize, 16, 128] {
        for (name, addr, pids) in [
            ("msrap", ours_addr, vec![ours.id()]),
            ("Samba 4.17", samba.addr, samba.pids()),
        ] {
            let r = bench(addr, conns, secs, &pids);
            println!(
                "| {name} | {conns} | {:.0} | {} | {} | {} | {}/{} | {} |",
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
    let _ = ours.kill();
    let _ = ours.wait();
}
