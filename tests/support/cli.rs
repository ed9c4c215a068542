//! The `msrap` binary as a peer: `msrap serve` started on a free loopback
//! port with its stderr kept in a file, stopped with SIGTERM by its pid.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::samba::free_port;

/// Run `msrap ARGS` to completion (no `RUST_LOG`, no `NO_COLOR` from the
/// environment of the test run). A command still running after 60 s (a
/// server that should have refused to start) is killed and fails the test.
pub fn msrap(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run msrap");
    let start = Instant::now();
    while matches!(child.try_wait(), Ok(None)) {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait for msrap");
            panic!(
                "msrap {args:?} still running after 60 s; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("wait for msrap")
}

/// A running `msrap serve`.
pub struct Serve {
    pub addr: SocketAddr,
    child: Option<Child>,
    stderr: PathBuf,
}

impl Serve {
    /// `msrap serve --listen 127.0.0.1:PORT EXTRA...`, once it accepts connections.
    pub fn start(extra: &[&str]) -> Serve {
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let stderr = std::env::temp_dir().join(format!(
            "msrap-serve-{}-{}.stderr",
            std::process::id(),
            addr.port()
        ));
        let file = std::fs::File::create(&stderr).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_msrap"))
            .args(["serve", "--listen", &addr.to_string()])
            .args(extra)
            .env_remove("RUST_LOG")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start msrap serve");
        let start = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "msrap serve exited ({status}): {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "msrap serve did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Serve {
            addr,
            child: Some(child),
            stderr,
        }
    }

    /// What it has written to stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Wait (up to 10 s) until stderr contains `needle`; returns all of stderr.
    pub fn wait_for_stderr(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.stderr();
            if s.contains(needle) || start.elapsed() > Duration::from_secs(10) {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, wait for the exit; returns all of stderr.
    pub fn stop(mut self) -> String {
        self.terminate();
        self.stderr()
    }

    fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let start = Instant::now();
            while matches!(child.try_wait(), Ok(None)) {
                if start.elapsed() > Duration::from_secs(10) {
                    let _ = child.kill();
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.wait();
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.terminate();
        let _ = std::fs::remove_file(&self.stderr);
    }
}
