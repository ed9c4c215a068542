//! Real peers driven from tests: impacket (in the Python environment
//! `scripts/install-peers.sh` makes), Samba's tools
//! (smbd, smbclient, net), tshark.
//!
//! A test that needs a peer calls its `require_*` first: a missing peer
//! fails the test with an install hint, never skips it.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use super::{hex, to_hex};

const INSTALL_HINT: &str =
    "run `bash scripts/install-peers.sh` (the README's test command `bash scripts/test.sh` does)";

/// `tool` on PATH, or in /usr/sbin or /sbin (smbd).
pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
}

/// Whether `program args…` runs and exits 0 (output discarded).
fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The Python interpreter with impacket: `MSRAP_PYTHON` if set, else the
/// virtual environment `scripts/install-peers.sh` makes
/// (`target/peers-venv/bin/python3`), else `python3` on PATH.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("MSRAP_PYTHON").filter(|p| !p.is_empty()) {
        return p.into();
    }
    let venv =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers-venv/bin/python3");
    if venv.is_file() {
        return venv;
    }
    "python3".into()
}

/// Whether [`python`] can import impacket.
pub fn impacket_available() -> bool {
    runs(&python().to_string_lossy(), &["-c", "import impacket"])
}

/// Fails the test unless [`python`] can import impacket.
pub fn require_impacket() {
    assert!(
        impacket_available(),
        "{} cannot import impacket: {INSTALL_HINT}",
        python().display()
    );
}

/// Fails the test unless Samba's smbd, smbclient and net are installed.
pub fn require_samba() {
    for tool in ["smbd", "smbclient", "net"] {
        assert!(
            which(tool).is_some(),
            "Samba's {tool} is not installed: {INSTALL_HINT}"
        );
    }
}

/// Fails the test unless Samba's smbclient is installed.
pub fn require_smbclient() {
    assert!(
        which("smbclient").is_some(),
        "Samba's smbclient is not installed: {INSTALL_HINT}"
    );
}

/// Fails the test unless tshark is installed.
pub fn require_tshark() {
    assert!(
        runs("tshark", &["--version"]),
        "tshark is not installed: {INSTALL_HINT}"
    );
}

// ---------------------------------------------------------------------------
// impacket: `tests/peers/rap_batch.py`, one SMB1 connection, JSON lines.

/// One `\PIPE\LANMAN` transaction for the impacket peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub params: Vec<u8>,
    pub max_param: u16,
    pub max_data: u16,
}

impl Request {
    pub fn new(params: Vec<u8>, max_param: u16, max_data: u16) -> Request {
        Request {
            params,
            max_param,
            max_data,
        }
    }

    /// The request line `rap_batch.py` reads.
    fn json_line(&self) -> String {
        format!(
            "{{\"params\":\"{}\",\"max_param\":{},\"max_data\":{}}}",
            to_hex(&self.params),
            self.max_param,
            self.max_data
        )
    }
}

/// What impacket received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub smb_status: u32,
    pub params: Vec<u8>,
    pub data: Vec<u8>,
}

impl Reply {
    /// A reply line of `rap_batch.py`.
    fn from_json_line(line: &str) -> Reply {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("impacket peer wrote {line:?}: {e}"));
        Reply {
            smb_status: v["smb_status"].as_u64().unwrap() as u32,
            params: hex(v["params"].as_str().unwrap()),
            data: hex(v["data"].as_str().unwrap()),
        }
    }
}

/// Start `tests/peers/rap_batch.py` (one impacket SMB1 connection to
/// `share`, anonymous) with piped stdin/stdout; JSON lines in and out.
pub fn spawn_rap_batch(addr: SocketAddr, share: &str, stderr: Stdio) -> Child {
    require_impacket();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/rap_batch.py");
    Command::new(python())
        .arg(script)
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .args(["--share", share])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("run the impacket peer")
}

/// Send every request on one impacket SMB1 connection (anonymous, tree `share`).
pub fn impacket_batch(addr: SocketAddr, share: &str, reqs: &[Request]) -> Vec<Reply> {
    let mut child = spawn_rap_batch(addr, share, Stdio::piped());
    {
        let mut stdin = child.stdin.take().unwrap();
        for r in reqs {
            writeln!(stdin, "{}", r.json_line()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "impacket peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replies: Vec<Reply> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(Reply::from_json_line)
        .collect();
    assert_eq!(
        replies.len(),
        reqs.len(),
        "impacket stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    replies
}

/// An impacket SMB1 connection (`tests/peers/rap_batch.py`) driven one
/// request at a time, so later requests can depend on earlier replies.
pub struct Impacket {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Impacket {
    pub fn connect(addr: SocketAddr, share: &str) -> Impacket {
        let mut child = spawn_rap_batch(addr, share, Stdio::inherit());
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Impacket {
            child,
            stdin,
            stdout,
        }
    }

    pub fn call(&mut self, r: &Request) -> Reply {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{}", r.json_line()).unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "impacket peer exited early");
        Reply::from_json_line(&line)
    }

    /// Log off, disconnect, and wait for the peer (at most 30 s).
    pub fn close(mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                assert!(s.success(), "impacket peer failed: {s}");
                return;
            }
            assert!(Instant::now() < deadline, "impacket peer did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Impacket {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
