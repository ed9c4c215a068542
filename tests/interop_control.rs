//! Job control with Samba's own clients against `msrap serve` (started by
//! the test from the built binary, with a jobs file): `smbclient -c 'queue;
//! cancel N; queue'` on a `control = "anyone"` queue and, anonymously, on
//! an `owner` queue; `net rap printq delete N`. Their printed output is
//! asserted against the queue; where the client prints nothing useful
//! (smbclient 4.17 says "cancelled" for any status other than -1; `net rap
//! printq delete` prints nothing and exits 255 whatever the answer), the
//! answer is asserted on the wire: with msrap's own client, and with
//! tshark (SPEC_NOTES §4).
#![cfg(all(feature = "server", feature = "client"))]

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use pretty_assertions::assert_eq;
use support::capture::{tshark_frames, Capture};
use support::samba::{client_conf, parse_queue};

const JOBS: &str = r#"
[[queue]]
name = "OPEN"
control = "anyone"
[[queue.job]]
job_id = 11
user_name = "alice"
document = "open1.txt"
size = 100
submitted = 2024-01-15T12:00:00Z
[[queue.job]]
job_id = 12
user_name = "bob"
document = "open2.txt"
size = 200
submitted = 2024-01-15T12:01:00Z
[[queue.job]]
job_id = 13
user_name = "carol"
document = "open3.txt"
size = 300
submitted = 2024-01-15T12:02:00Z

[[queue]]
name = "MINE"
[[queue.job]]
job_id = 21
user_name = "alice"
document = "mine.txt"
size = 400
submitted = 2024-01-15T12:03:00Z
"#;

/// `msrap serve` on 127.0.0.1 over the jobs file above (the one
/// `support::cli::Serve`, stopped by its own pid when dropped), with a
/// directory for the jobs file and the smbclient configuration.
struct Serve {
    addr: SocketAddr,
    _server: support::cli::Serve,
    dir: PathBuf,
}

impl Serve {
    fn start(name: &str, extra: &[&str]) -> Serve {
        let dir = std::env::temp_dir().join(format!("msrap-control-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let jobs = dir.join("jobs.toml");
        std::fs::write(&jobs, JOBS).unwrap();
        let jobs = jobs.to_string_lossy().into_owned();
        let mut args = vec!["--jobs", jobs.as_str()];
        args.extend_from_slice(extra);
        let server = support::cli::Serve::start(&args);
        Serve {
            addr: server.addr,
            _server: server,
            dir,
        }
    }

    fn conf(&self) -> PathBuf {
        client_conf(&self.dir)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `smbclient //127.0.0.1/SHARE -N -c CMDS` (SMB1 forced by `conf`): stdout.
fn smbclient(addr: SocketAddr, share: &str, conf: &Path, cmds: &str) -> String {
    support::peers::require_smbclient();
    let out = Command::new("smbclient")
        .arg(format!("//{}/{share}", addr.ip()))
        .args(["-p", &addr.port().to_string(), "-N", "-s"])
        .arg(conf)
        .args(["-c", cmds])
        .env("TZ", "UTC")
        .output()
        .expect("run smbclient");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The output of `queue; cancel N; queue`, split at the cancel line.
/// `smbclient -c queue` rows: (job id, size, document).
type Rows = Vec<(u32, u32, String)>;

fn split_at_cancel(out: &str) -> (Rows, String, Rows) {
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("Job ") || l.starts_with("Error cancelling"))
        .unwrap_or_else(|| panic!("no cancel line in:\n{out}"));
    (
        parse_queue(&lines[..at].join("\n")),
        lines[at].to_owned(),
        parse_queue(&lines[at + 1..].join("\n")),
    )
}

fn row(id: u32, size: u32, doc: &str) -> (u32, u32, String) {
    (id, size, doc.to_owned())
}

/// The RAP status msrap's own client gets for NetPrintJobDel(`id`).
fn wire_status_of_cancel(addr: SocketAddr, share: &str, id: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args([
            "query",
            "--server",
            &addr.to_string(),
            "--share",
            share,
            "--json",
            "cancel",
            id,
        ])
        .output()
        .expect("run msrap query");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    v["status"].clone()
}

#[test]
fn smbclient_cancels_on_an_anyone_queue() {
    let s = Serve::start("anyone", &[]);
    let out = smbclient(s.addr, "OPEN", &s.conf(), "queue; cancel 12; queue");
    let (before, line, after) = split_at_cancel(&out);
    assert_eq!(
        before,
        [
            row(11, 100, "open1.txt"),
            row(12, 200, "open2.txt"),
            row(13, 300, "open3.txt")
        ],
        "{out}"
    );
    assert_eq!(line, "Job 12 cancelled");
    assert_eq!(
        after,
        [row(11, 100, "open1.txt"), row(13, 300, "open3.txt")],
        "{out}"
    );
    // Gone for good: the same request again finds no job.
    assert_eq!(wire_status_of_cancel(s.addr, "OPEN", "12"), 87);
}

#[test]
fn smbclient_is_refused_on_an_owner_queue_when_anonymous() {
    let s = Serve::start("owner", &[]);
    let out = smbclient(s.addr, "MINE", &s.conf(), "queue; cancel 21; queue");
    let (before, line, after) = split_at_cancel(&out);
    assert_eq!(before, [row(21, 400, "mine.txt")], "{out}");
    // smbclient 4.17 prints "cancelled" for any status but -1 (cliprint.c:
    // ret = SVAL(rparam,0); client.c tests ret == -1): its word means
    // nothing here. The job is still listed, and the answer on the wire is
    // ERROR_ACCESS_DENIED.
    assert_eq!(line, "Job 21 cancelled");
    assert_eq!(after, before, "refused: the job is still there\n{out}");
    assert_eq!(wire_status_of_cancel(s.addr, "MINE", "21"), 5);
    // The owner may (a guest session named alice; user names are not
    // verified until authentication exists).
    let out = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args([
            "query",
            "--server",
            &s.addr.to_string(),
            "--user",
            "alice",
            "--json",
            "cancel",
            "21",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], 0);
    assert_eq!(
        smbclient(s.addr, "MINE", &s.conf(), "queue")
            .lines()
            .filter(|l| l.contains("mine.txt"))
            .count(),
        0
    );
}

#[test]
fn serve_control_anyone_applies_to_queues_without_a_policy() {
    let s = Serve::start("flag", &["--control", "anyone"]);
    let out = smbclient(s.addr, "MINE", &s.conf(), "queue; cancel 21; queue");
    let (before, _, after) = split_at_cancel(&out);
    assert_eq!((before.len(), after.len()), (1, 0), "{out}");
}

#[test]
fn net_rap_printq_delete() {
    let s = Serve::start("net", &[]);
    let conf = s.conf();
    let pcap = s.dir.join("net.pcap");
    let capture = Capture::start(&[s.addr.port()], &pcap);
    let net = |id: &str| {
        let out = Command::new("net")
            .args(["rap", "printq", "delete", id])
            .args([
                "-S",
                &s.addr.ip().to_string(),
                "-p",
                &s.addr.port().to_string(),
                "-U%",
                "-s",
            ])
            .arg(&conf)
            .output()
            .expect("run net");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code(),
        )
    };
    // OPEN lets anyone delete; MINE only alice; 999 does not exist.
    let results = [net("13"), net("21"), net("999")];
    let pcap = capture.stop();
    // net prints nothing and exits 255 (-1) whatever the answer.
    for (stdout, code) in &results {
        assert_eq!((stdout.as_str(), *code), ("", Some(255)));
    }
    let rows = |q: &str| parse_queue(&smbclient(s.addr, q, &conf, "queue"));
    assert_eq!(
        rows("OPEN"),
        [row(11, 100, "open1.txt"), row(12, 200, "open2.txt")]
    );
    assert_eq!(rows("MINE"), [row(21, 400, "mine.txt")]);
    // On the wire: success, ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER.
    let frames = tshark_frames(
        &pcap,
        &[s.addr.port()],
        &["lanman.function_code", "lanman.status"],
        Some("lanman.status"),
    );
    let statuses: Vec<(&str, &str)> = frames
        .iter()
        .map(|f| {
            (
                f.one("lanman.function_code").unwrap_or(""),
                f.one("lanman.status").unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(statuses, [("81", "0"), ("81", "5"), ("81", "87")]);
}
