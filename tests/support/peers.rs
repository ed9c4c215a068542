//! Real peers driven from tests: impacket (in the Python environment
//! `scripts/install-peers.sh` makes) and Samba's smbclient.
#![allow(dead_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};

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
}

/// What impacket received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub smb_status: u32,
    pub params: Vec<u8>,
    pub data: Vec<u8>,
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The Python interpreter with impacket: `MSRAP_PYTHON` if set, else the
/// virtual environment `scripts/install-peers.sh` makes
/// (`target/peers-venv/bin/python3`), else `python3` on PATH.
pub fn python() -> std::path::PathBuf {
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
    Command::new(python())
        .args(["-c", "import impacket"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Fails the test unless impacket can be run: a missing peer is a failure.
pub fn require_impacket() {
    assert!(
        impacket_available(),
        "{} cannot import impacket: run `bash scripts/install-peers.sh` (the README's test command does)",
        python().display()
    );
}

/// Start `tests/peers/rap_batch.py` (one impacket SMB1 connection to
/// `share`, anonymous) with piped stdin/stdout; JSON lines in and out.
pub fn spawn_rap_batch(addr: SocketAddr, share: &str, stderr: Stdio) -> std::process::Child {
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
            writeln!(
                stdin,
                "{{\"params\":\"{}\",\"max_param\":{},\"max_data\":{}}}",
                hex(&r.params),
                r.max_param,
                r.max_data
            )
            .unwrap();
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
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Reply {
                smb_status: v["smb_status"].as_u64().unwrap() as u32,
                params: unhex(v["params"].as_str().unwrap()),
                data: unhex(v["data"].as_str().unwrap()),
            }
        })
        .collect();
    assert_eq!(
        replies.len(),
        reqs.len(),
        "impacket stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    replies
}
