//! Print files over SMB1, end to end: our tokio server with `PrintServer`
//! (the spool directory, its limits) over the in-memory spooler, driven by
//! Samba's smbclient (`print`, `queue`, `ls`; SMB1 forced) and by the
//! project's own SMB1 client role over TCP (the DOS/OS/2 print-file
//! commands, NT_CREATE_ANDX, OPEN_ANDX, WRITE_ANDX, WRITE, CLOSE), the jobs
//! read back through RAP (`msrap query --json`, NetPrintJobGetInfo 77 and
//! NetPrintJobEnum 76) and the spool directory read from disk.
//!
//! The `msrap serve` binary is exercised by the tests at the end: stale
//! spool files removed at start, a jobs file's `keep_data`, and a 100 MB
//! job through the release binary under a 64 MB peak RSS.
#![cfg(feature = "cli")]

mod support;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use msrap::codes::NtStatus;
use msrap::rap::{RapConfig, RapServer};
use msrap::server::{PrintServer, ServerConfig, SpoolConfig, SpoolDir};
use msrap::smb1::client::{self, parse_response};
use msrap::smb1::file::{parse_write_andx_response, NtCreateAndxResponse, OpenAndxResponse};
use msrap::smb1::message::MessageBuilder;
use msrap::smb1::nbss::Framing;
use msrap::smb1::session_setup::SessionSetupNt;
use msrap::smb1::{HeaderFlags2, SmbCommand, SmbHeader};
use msrap::spool::{JobInfo2, MemorySpooler, Queue, SystemTime};
use pretty_assertions::assert_eq;
use serde_json::Value;
use support::peers::require_smbclient;
use support::samba::parse_queue;
use support::server::{TcpClient, TestServer};
use support::to_hex;

// ---- the server under test ----

/// When every job of these tests was submitted (the spooler's clock).
fn clock() -> SystemTime {
    SystemTime {
        year: 2024,
        month: 1,
        day_of_week: 1,
        day: 15,
        hour: 12,
        minute: 34,
        second: 56,
        milliseconds: 0,
    }
}

/// Our server on 127.0.0.1 with two printer shares over an in-memory
/// spooler: `KEEP` keeps its jobs' data in the spool directory, `DROP`
/// discards it. Each test has its own directory (spool directory and
/// smbclient configuration), removed at the end.
struct Sink {
    server: Option<TestServer>,
    print: Arc<PrintServer<MemorySpooler>>,
    dir: PathBuf,
    spool: PathBuf,
}

impl Sink {
    fn start(name: &str) -> Sink {
        Sink::with_limits(name, 1 << 30, 1 << 30)
    }

    fn with_limits(name: &str, max_job_size: u64, max_spool: u64) -> Sink {
        let dir = std::env::temp_dir().join(format!("msrap-print-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let spool = dir.join("spool");
        let spooler = MemorySpooler::new(vec![
            Queue {
                name: "KEEP".into(),
                keep_data: true,
                ..Queue::default()
            },
            Queue {
                name: "DROP".into(),
                ..Queue::default()
            },
        ])
        .with_data_dir(&spool)
        .with_clock(clock);
        let mut rap_config = RapConfig::default();
        rap_config.utc_offset_secs = 0;
        let rap = RapServer::new(rap_config, spooler);
        let mut spool_config = SpoolConfig::default();
        spool_config.dir = spool.clone();
        spool_config.max_job_size = max_job_size;
        spool_config.max_spool = max_spool;
        let spool_dir = SpoolDir::open(spool_config).unwrap();
        let print = Arc::new(PrintServer::new(rap, spool_dir));
        let server = TestServer::start(ServerConfig::default(), Arc::clone(&print));
        Sink {
            server: Some(server),
            print,
            dir,
            spool,
        }
    }

    fn addr(&self) -> SocketAddr {
        self.server.as_ref().unwrap().addr
    }

    /// The jobs of `queue`, straight from the spooler.
    fn jobs(&self, queue: &str) -> Vec<JobInfo2> {
        self.print
            .rap()
            .spooler()
            .snapshot()
            .iter()
            .find(|p| p.name == queue)
            .map(|p| p.jobs.to_vec())
            .unwrap_or_default()
    }

    /// Every file under the spool directory, as paths relative to it.
    fn spool_files(&self) -> BTreeSet<String> {
        files_under(&self.spool)
    }

    /// smbclient's configuration: SMB1 only; NTLMv1 without SPNEGO, so
    /// that a named (guest) session can be made with msrap, which offers
    /// no extended security.
    fn conf(&self) -> PathBuf {
        let p = self.dir.join("client.conf");
        std::fs::write(
            &p,
            "[global]\n    client min protocol = NT1\n    client max protocol = NT1\n    \
             client ipc min protocol = NT1\n    client ipc max protocol = NT1\n    \
             client ntlmv2 auth = no\n    client use spnego = no\n",
        )
        .unwrap();
        p
    }

    /// `smbclient //127.0.0.1/SHARE -c CMDS` from the test's directory, as
    /// `user` (password `pw`) or anonymous: (success, stdout + stderr).
    fn smbclient(&self, share: &str, user: Option<&str>, cmds: &str) -> (bool, String) {
        smbclient(self.addr(), share, &self.conf(), &self.dir, user, cmds)
    }

    /// Waits (up to 10 s) until `cond` holds.
    fn wait_until(&self, what: &str, cond: impl Fn(&Sink) -> bool) {
        let start = Instant::now();
        while !cond(self) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "timed out waiting until {what}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        drop(self.server.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn files_under(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// A fresh directory under the system's temporary directory, removed when
/// dropped (also when the test fails).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("msrap-print-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// `n` bytes that are not all alike (a linear congruential sequence).
fn data(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect()
}

fn smbclient(
    addr: SocketAddr,
    share: &str,
    conf: &Path,
    cwd: &Path,
    user: Option<&str>,
    cmds: &str,
) -> (bool, String) {
    require_smbclient();
    let mut c = Command::new("smbclient");
    c.arg(format!("//{}/{share}", addr.ip()))
        .args(["-p", &addr.port().to_string(), "-s"])
        .arg(conf)
        .args(["-c", cmds])
        .current_dir(cwd)
        .env("TZ", "UTC");
    match user {
        Some(u) => c.args(["-U", &format!("{u}%pw")]),
        // `-N` alone would send the Unix login name: `-U%` is a null session.
        None => c.args(["-U", "%"]),
    };
    let out = c.output().expect("run smbclient");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `msrap query --json --server ADDR ARGS` (anonymous unless `--user`).
fn query(addr: SocketAddr, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args(["query", "--json", "--server", &addr.to_string()])
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run msrap query");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "msrap query {args:?}: {e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// NetPrintJobGetInfo level 2/3 through RAP: (status name, size, user,
/// document, submitted) of job `id`, or the RAP status when there is none.
fn rap_job(addr: SocketAddr, id: u32) -> Result<(String, u64, String, String, String), String> {
    let v = query(addr, &["job", &id.to_string()]);
    if v["status"] != 0 {
        return Err(v["status_name"].as_str().unwrap_or_default().to_owned());
    }
    let d = &v["data"];
    Ok((
        d["job_status"]["name"].as_str().unwrap().to_owned(),
        d["job_size"].as_u64().unwrap(),
        d["user_name"].as_str().unwrap().to_owned(),
        d["document_name"].as_str().unwrap().to_owned(),
        d["time_submitted"].as_str().unwrap().to_owned(),
    ))
}

/// (job id, status name) of each job of a queue.
type QueueJobs = Vec<(u64, String)>;

/// NetPrintQGetInfo (70) and NetPrintQEnum (69) level 2 through RAP: the
/// jobs of `queue`, as each command lists them.
fn rap_queue_jobs(addr: SocketAddr, queue: &str) -> (QueueJobs, QueueJobs) {
    let jobs = |q: &Value| -> QueueJobs {
        q["aux"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|j| {
                        (
                            j["job_id"].as_u64().unwrap(),
                            j["job_status"]["name"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let one = query(addr, &["queue", queue]);
    assert_eq!(one["status"], 0, "{one}");
    let all = query(addr, &["queues"]);
    assert_eq!(all["status"], 0, "{all}");
    let listed = all["data"]
        .as_array()
        .and_then(|qs| qs.iter().find(|q| q["print_q_name"] == queue))
        .map(jobs)
        .unwrap_or_default();
    (jobs(&one["data"]), listed)
}

/// NetPrintJobEnum through RAP: the job ids of `queue`.
fn rap_job_ids(addr: SocketAddr, queue: &str) -> Vec<u64> {
    let v = query(addr, &["jobs", queue]);
    assert_eq!(v["status"], 0, "{v}");
    v["data"]
        .as_array()
        .map(|jobs| jobs.iter().map(|j| j["job_id"].as_u64().unwrap()).collect())
        .unwrap_or_default()
}

// ---- our SMB1 client over TCP ----

const NT: HeaderFlags2 = HeaderFlags2::NT_STATUS.union(HeaderFlags2::UNICODE);
/// A DOS / OS/2 / Windows 9x client: OEM strings, DOS error codes.
const DOS: HeaderFlags2 = HeaderFlags2::empty();

/// NT status, or a DOS error as the header carries it (class | code << 16).
fn dos(class: u8, code: u16) -> u32 {
    u32::from(class) | u32::from(code) << 16
}

struct Session {
    c: TcpClient,
    flags2: HeaderFlags2,
    mid: u16,
    uid: u16,
    tid: u16,
}

impl Session {
    /// NEGOTIATE, SESSION_SETUP_ANDX as `user` (a guest session; empty:
    /// anonymous) and TREE_CONNECT_ANDX to `share`. `flags2` [`NT`]: NT LM
    /// 0.12 and the 13-word setup; [`DOS`]: LANMAN2.1 and the 10-word one.
    async fn open(addr: SocketAddr, flags2: HeaderFlags2, user: &str, share: &str) -> Session {
        let mut s = Session {
            c: TcpClient::connect(addr, Framing::DirectTcp).await,
            flags2,
            mid: 0,
            uid: 0,
            tid: 0,
        };
        let nt = flags2.contains(HeaderFlags2::NT_STATUS);
        let h = s.header(SmbCommand::NEGOTIATE);
        let dialect = if nt { "NT LM 0.12" } else { "LANMAN2.1" };
        let r = s.call(&client::negotiate_request(&h, &[dialect])).await;
        assert_eq!(parse_response(&r).unwrap().header.status, 0);
        let setup = SessionSetupNt {
            max_buffer_size: 16644,
            max_mpx_count: 2,
            vc_number: 1,
            oem_password: if user.is_empty() { b"" } else { b"pw" },
            capabilities: if nt { 0x44 } else { 0 },
            account_name: user,
            native_os: "Unix",
            native_lanman: "test",
            ..SessionSetupNt::default()
        };
        let h = s.header(SmbCommand::SESSION_SETUP_ANDX);
        let m = if nt {
            client::session_setup(&h, &setup)
        } else {
            client::session_setup_lanman(&h, &setup)
        };
        let r = s.call(&m).await;
        let h = parse_response(&r).unwrap().header;
        assert_eq!(h.status, 0);
        s.uid = h.uid;
        s.tree(share).await;
        s
    }

    async fn tree(&mut self, share: &str) {
        let h = self.header(SmbCommand::TREE_CONNECT_ANDX);
        let r = self
            .call(&client::tree_connect(
                &h,
                &format!("\\\\MSRAP\\{share}"),
                "?????",
            ))
            .await;
        let h = parse_response(&r).unwrap().header;
        assert_eq!(h.status, 0, "TREE_CONNECT {share}");
        self.tid = h.tid;
    }

    fn header(&mut self, command: SmbCommand) -> SmbHeader {
        self.mid += 1;
        SmbHeader {
            uid: self.uid,
            tid: self.tid,
            pid_low: 0x1234,
            mid: self.mid,
            ..SmbHeader::request(command, self.flags2)
        }
    }

    /// Sends one request, returns its one response.
    async fn call(&mut self, msg: &[u8]) -> Vec<u8> {
        let mut r = self.c.call(msg, 1).await;
        r.remove(0)
    }

    /// Sends a request built by `f` for `command`; returns (status, response).
    async fn req(
        &mut self,
        command: SmbCommand,
        f: impl FnOnce(&SmbHeader) -> Vec<u8>,
    ) -> (u32, Vec<u8>) {
        let h = self.header(command);
        let r = self.call(&f(&h)).await;
        (parse_response(&r).unwrap().header.status, r)
    }

    /// NT_CREATE_ANDX of `name`: the FID.
    async fn nt_create(&mut self, name: &str) -> u16 {
        let (status, r) = self
            .req(SmbCommand::NT_CREATE_ANDX, |h| {
                client::nt_create_andx(h, name)
            })
            .await;
        assert_eq!(status, 0, "NT_CREATE_ANDX {name}");
        NtCreateAndxResponse::parse(&parse_response(&r).unwrap().block)
            .unwrap()
            .fid
    }

    /// WRITE_ANDX: (status, count written).
    async fn write_andx(&mut self, fid: u16, offset: u64, data: &[u8]) -> (u32, u32) {
        let (status, r) = self
            .req(SmbCommand::WRITE_ANDX, |h| {
                client::write_andx(h, fid, offset, data)
            })
            .await;
        let count = if status == 0 {
            parse_write_andx_response(&parse_response(&r).unwrap().block).unwrap()
        } else {
            0
        };
        (status, count)
    }

    async fn close(&mut self, fid: u16) -> u32 {
        self.req(SmbCommand::CLOSE, |h| client::close(h, fid))
            .await
            .0
    }
}

// ---- smbclient print ----

/// `smbclient -c 'print FILE'` as alice on a queue that keeps its data:
/// the job is listed by smbclient's `queue` (RAP NetPrintJobEnum) with its
/// id, size and name, NetPrintJobGetInfo shows alice as its owner and the
/// spooler's time, and the data is in the queue's directory byte for byte;
/// deleting the job (alice owns it) deletes the data.
#[test]
fn smbclient_print_queues_the_job_and_keeps_its_data_byte_exact() {
    let sink = Sink::start("keep");
    let payload = data(300_000, 1);
    std::fs::write(sink.dir.join("report.bin"), &payload).unwrap();

    let (ok, out) = sink.smbclient("KEEP", Some("alice"), "print report.bin; queue");
    assert!(ok, "{out}");
    assert!(
        out.contains("putting file report.bin as report.bin"),
        "{out}"
    );
    assert_eq!(
        parse_queue(&out),
        vec![(1, 300_000, "report.bin".to_owned())]
    );
    assert_eq!(
        rap_job(sink.addr(), 1),
        Ok((
            "QUEUED".to_owned(),
            300_000,
            "alice".to_owned(),
            "report.bin".to_owned(),
            "2024-01-15T12:34:56".to_owned()
        ))
    );
    assert_eq!(rap_job_ids(sink.addr(), "KEEP"), vec![1]);
    // Kept under the queue's directory, nothing else in the spool directory.
    assert_eq!(sink.spool_files(), set(&["KEEP/job-1.prn"]));
    assert!(std::fs::read(sink.spool.join("KEEP/job-1.prn")).unwrap() == payload);

    // Deleting the job deletes its data.
    let v = query(sink.addr(), &["--user", "alice", "cancel", "1"]);
    assert_eq!(v["status"], 0, "{v}");
    assert_eq!(rap_job_ids(sink.addr(), "KEEP"), Vec::<u64>::new());
    assert_eq!(sink.spool_files(), set(&[]));
}

/// On a queue that discards its data, the job is queued with its size and
/// nothing stays on disk.
#[test]
fn smbclient_print_on_a_discarding_queue_leaves_nothing_on_disk() {
    let sink = Sink::start("drop");
    std::fs::write(sink.dir.join("memo.txt"), data(70_000, 2)).unwrap();
    let (ok, out) = sink.smbclient("DROP", None, "print memo.txt; queue");
    assert!(ok, "{out}");
    assert_eq!(parse_queue(&out), vec![(1, 70_000, "memo.txt".to_owned())]);
    // Anonymous: no user name.
    assert_eq!(
        rap_job(sink.addr(), 1),
        Ok((
            "QUEUED".to_owned(),
            70_000,
            String::new(),
            "memo.txt".to_owned(),
            "2024-01-15T12:34:56".to_owned()
        ))
    );
    assert_eq!(sink.spool_files(), set(&[]));
}

// ---- the DOS / OS/2 print-file commands ----

/// OPEN_PRINT_FILE, WRITE_PRINT_FILE and CLOSE_PRINT_FILE as a DOS client
/// sends them (LANMAN2.1, OEM strings, DOS errors): the responses byte for
/// byte, the job SPOOLING while the data arrives and QUEUED after the
/// close, the data kept exactly.
#[test]
fn dos_print_file_commands_spool_exact_bytes() {
    let sink = Sink::start("dos");
    let parts = [data(1000, 3), data(4000, 4), data(5, 5)];
    support::block_on(async {
        let mut s = Session::open(sink.addr(), DOS, "DOSUSER", "KEEP").await;
        // The header: reply, flags2 0 (DOS errors, OEM strings), TID 1,
        // PID 0x1234, UID 100, the request's MID.
        let header = |command: &str, mid: &str| {
            format!(
                "FF 53 4D 42 {command} 00 00 00 00 98 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \
                 01 00 34 12 64 00 {mid} 00"
            )
        };
        let h = s.header(SmbCommand::OPEN_PRINT_FILE);
        let r = s.call(&client::open_print_file(&h, 0, 1, "DOSJOB")).await;
        // WordCount 1, FID 0x4000, ByteCount 0 (MS-CIFS 2.2.4.67.2).
        assert_eq!(to_hex(&r), format!("{} 01 00 40 00 00", header("C0", "04")));
        let fid = 0x4000;
        for (part, mid) in parts.iter().zip(["05", "06", "07"]) {
            let h = s.header(SmbCommand::WRITE_PRINT_FILE);
            let r = s.call(&client::write_print_file(&h, fid, part)).await;
            // WordCount 0, ByteCount 0 (2.2.4.68.2).
            assert_eq!(to_hex(&r), format!("{} 00 00 00", header("C1", mid)));
        }
        // Spooling: visible through RAP, owned by the session's user,
        // named by the client; its size is reported in 256 KiB steps.
        assert_eq!(
            rap_job(sink.addr(), 1),
            Ok((
                "SPOOLING".to_owned(),
                0,
                "DOSUSER".to_owned(),
                "DOSJOB".to_owned(),
                "2024-01-15T12:34:56".to_owned()
            ))
        );
        assert_eq!(sink.jobs("KEEP").len(), 1);
        // NetPrintQGetInfo and NetPrintQEnum list it with its queue.
        let spooling = vec![(1, "SPOOLING".to_owned())];
        assert_eq!(
            rap_queue_jobs(sink.addr(), "KEEP"),
            (spooling.clone(), spooling)
        );
        let h = s.header(SmbCommand::CLOSE_PRINT_FILE);
        let r = s.call(&client::fid_request(&h, fid)).await;
        // WordCount 0, ByteCount 0 (2.2.4.69.2).
        assert_eq!(to_hex(&r), format!("{} 00 00 00", header("C2", "08")));
        // The FID is gone: a second close is ERRDOS/ERRbadfid.
        let (status, _) = s
            .req(SmbCommand::CLOSE_PRINT_FILE, |h| {
                client::fid_request(h, fid)
            })
            .await;
        assert_eq!(status, dos(1, 6));
    });
    assert_eq!(
        rap_job(sink.addr(), 1),
        Ok((
            "QUEUED".to_owned(),
            5005,
            "DOSUSER".to_owned(),
            "DOSJOB".to_owned(),
            "2024-01-15T12:34:56".to_owned()
        ))
    );
    assert_eq!(
        std::fs::read(sink.spool.join("KEEP/job-1.prn")).unwrap(),
        parts.concat()
    );
    let queued = vec![(1, "QUEUED".to_owned())];
    assert_eq!(
        rap_queue_jobs(sink.addr(), "KEEP"),
        (queued.clone(), queued)
    );
}

/// NT_CREATE_ANDX, WRITE_ANDX and CLOSE as NT clients send them: the job is
/// SPOOLING while the data arrives, with its size reported as it grows
/// (every 256 KiB), then QUEUED with its final size; OPEN_ANDX with WRITE
/// (the core write) does the same.
#[test]
fn nt_create_and_open_andx_jobs_are_spooling_until_closed() {
    let sink = Sink::start("nt");
    let payload = data(300_000, 6);
    support::block_on(async {
        let mut s = Session::open(sink.addr(), NT, "alice", "KEEP").await;
        let fid = s.nt_create("\\dir\\progress.ps").await;
        for (i, chunk) in payload.chunks(60_000).enumerate() {
            let offset = (i * 60_000) as u64;
            assert_eq!(s.write_andx(fid, offset, chunk).await, (0, 60_000));
        }
        assert_eq!(
            rap_job(sink.addr(), 1),
            Ok((
                "SPOOLING".to_owned(),
                300_000,
                "alice".to_owned(),
                "progress.ps".to_owned(),
                "2024-01-15T12:34:56".to_owned()
            ))
        );
        assert_eq!(s.close(fid).await, 0);
        assert_eq!(
            rap_job(sink.addr(), 1).map(|j| (j.0, j.1)),
            Ok(("QUEUED".to_owned(), 300_000))
        );

        // OPEN_ANDX (write access, REQ_ATTRIB) and the core WRITE.
        let (status, r) = s
            .req(SmbCommand::OPEN_ANDX, |h| {
                client::open_andx(h, 0x0001, 0x0001, "core.txt")
            })
            .await;
        assert_eq!(status, 0);
        let open = OpenAndxResponse::parse(&parse_response(&r).unwrap().block).unwrap();
        assert_eq!(
            (open.access_rights, open.resource_type, open.open_results),
            (1, 3, 2)
        );
        let (status, r) = s
            .req(SmbCommand::WRITE, |h| {
                client::write(h, open.fid, 0, b"hello ")
            })
            .await;
        assert_eq!(status, 0);
        assert_eq!(parse_response(&r).unwrap().block.words, &[6, 0]);
        let (status, _) = s
            .req(SmbCommand::WRITE, |h| {
                client::write(h, open.fid, 6, b"world")
            })
            .await;
        assert_eq!(status, 0);
        assert_eq!(
            rap_job(sink.addr(), 2).map(|j| (j.0, j.3)),
            Ok(("SPOOLING".to_owned(), "core.txt".to_owned()))
        );
        assert_eq!(s.close(open.fid).await, 0);
    });
    assert_eq!(
        std::fs::read(sink.spool.join("KEEP/job-1.prn")).unwrap(),
        payload
    );
    assert_eq!(
        std::fs::read(sink.spool.join("KEEP/job-2.prn")).unwrap(),
        b"hello world"
    );
    assert_eq!(
        rap_job(sink.addr(), 2).map(|j| (j.0, j.1)),
        Ok(("QUEUED".to_owned(), 11))
    );
}

// ---- limits ----

const STATUS_DISK_FULL: u32 = 0xC000_007F;
/// ERRHRD (3) / ERRdiskfull (39).
const ERR_DISK_FULL: u32 = 3 | 39 << 16;

/// A job over `max_job_size` fails its write with STATUS_DISK_FULL (DOS
/// form ERRHRD/ERRdiskfull): the partial file is removed and no job is
/// left, for the NT client, the DOS client and smbclient alike.
#[test]
fn a_job_over_max_job_size_is_disk_full_and_leaves_nothing() {
    let sink = Sink::with_limits("maxjob", 100_000, 1 << 30);
    support::block_on(async {
        let mut s = Session::open(sink.addr(), NT, "alice", "KEEP").await;
        let fid = s.nt_create("big.ps").await;
        assert_eq!(s.write_andx(fid, 0, &data(60_000, 7)).await, (0, 60_000));
        assert_eq!(sink.spool_files().len(), 1, "{:?}", sink.spool_files());
        assert_eq!(
            s.write_andx(fid, 60_000, &data(60_000, 8)).await,
            (STATUS_DISK_FULL, 0)
        );
        // At once: no job, no file.
        assert_eq!(sink.jobs("KEEP"), vec![]);
        assert_eq!(sink.spool_files(), set(&[]));
        assert_eq!(sink.print.spool().bytes_in_use(), 0);
        // Later writes and the close report the same; the FID is closed.
        assert_eq!(
            s.write_andx(fid, 120_000, b"more").await,
            (STATUS_DISK_FULL, 0)
        );
        assert_eq!(s.close(fid).await, STATUS_DISK_FULL);
        assert_eq!(s.close(fid).await, 0xC000_0008); // STATUS_INVALID_HANDLE

        // A write whose offset alone is past the limit.
        let fid = s.nt_create("sparse.ps").await;
        assert_eq!(
            s.write_andx(fid, 100_000, b"x").await,
            (STATUS_DISK_FULL, 0)
        );
        assert_eq!(sink.jobs("KEEP"), vec![]);

        // The DOS client gets ERRHRD/ERRdiskfull.
        let mut d = Session::open(sink.addr(), DOS, "DOSUSER", "KEEP").await;
        let (status, _) = d
            .req(SmbCommand::OPEN_PRINT_FILE, |h| {
                client::open_print_file(h, 0, 1, "DOSBIG")
            })
            .await;
        assert_eq!(status, 0);
        let fid = 0x4000;
        for _ in 0..2 {
            let (status, _) = d
                .req(SmbCommand::WRITE_PRINT_FILE, |h| {
                    client::write_print_file(h, fid, &[0x55; 40_000])
                })
                .await;
            assert_eq!(status, 0);
        }
        let (status, _) = d
            .req(SmbCommand::WRITE_PRINT_FILE, |h| {
                client::write_print_file(h, fid, &[0x55; 40_000])
            })
            .await;
        assert_eq!(status, ERR_DISK_FULL);
        assert_eq!(sink.jobs("KEEP"), vec![]);
        assert_eq!(sink.spool_files(), set(&[]));
    });

    // smbclient: its put fails with NT_STATUS_DISK_FULL, nothing is queued.
    std::fs::write(sink.dir.join("huge.bin"), data(250_000, 9)).unwrap();
    let (_, out) = sink.smbclient("DROP", Some("alice"), "print huge.bin");
    assert!(out.contains("NT_STATUS_DISK_FULL"), "{out}");
    assert_eq!(sink.jobs("DROP"), vec![]);
    assert_eq!(sink.spool_files(), set(&[]));
}

/// `max_spool` bounds every job being received together: a second job
/// that would take the total past it fails with STATUS_DISK_FULL and is
/// removed, the first goes on and is queued, and its space is free again
/// once it is handed to the spooler.
#[test]
fn max_spool_bounds_the_jobs_being_received_together() {
    let sink = Sink::with_limits("maxspool", 100_000, 150_000);
    support::block_on(async {
        let mut a = Session::open(sink.addr(), NT, "alice", "DROP").await;
        let mut b = Session::open(sink.addr(), NT, "bob", "DROP").await;
        let fa = a.nt_create("a.ps").await;
        let fb = b.nt_create("b.ps").await;
        assert_eq!(a.write_andx(fa, 0, &data(90_000, 10)).await, (0, 90_000));
        assert_eq!(
            b.write_andx(fb, 0, &data(90_000, 11)).await,
            (STATUS_DISK_FULL, 0)
        );
        assert_eq!(sink.print.spool().bytes_in_use(), 90_000);
        let jobs: Vec<_> = sink
            .jobs("DROP")
            .into_iter()
            .map(|j| (j.job_id, j.document))
            .collect();
        assert_eq!(jobs, vec![(1, Some("a.ps".to_owned()))]);
        assert_eq!(sink.spool_files().len(), 1);
        assert_eq!(
            a.write_andx(fa, 90_000, &data(10_000, 12)).await,
            (0, 10_000)
        );
        assert_eq!(a.close(fa).await, 0);
        assert_eq!(b.close(fb).await, STATUS_DISK_FULL);
        assert_eq!(sink.print.spool().bytes_in_use(), 0);
        // The space is free again.
        let fb = b.nt_create("b2.ps").await;
        assert_eq!(b.write_andx(fb, 0, &data(90_000, 13)).await, (0, 90_000));
        assert_eq!(b.close(fb).await, 0);
    });
    let queued: Vec<_> = sink
        .jobs("DROP")
        .into_iter()
        .map(|j| (j.job_id, j.size, j.user_name.unwrap_or_default()))
        .collect();
    assert_eq!(
        queued,
        vec![
            (1, 100_000, "alice".to_owned()),
            (3, 90_000, "bob".to_owned())
        ]
    );
    assert_eq!(sink.spool_files(), set(&[]));
}

// ---- jobs that never finish ----

/// A connection that dies with a print file open leaves no job and no
/// file; so do a TREE_DISCONNECT and a LOGOFF with one open.
#[test]
fn a_job_whose_connection_dies_leaves_no_job_and_no_file() {
    let sink = Sink::start("dies");
    support::block_on(async {
        let mut s = Session::open(sink.addr(), NT, "alice", "KEEP").await;
        let fid = s.nt_create("lost.ps").await;
        assert_eq!(s.write_andx(fid, 0, &data(50_000, 14)).await, (0, 50_000));
        assert_eq!(
            rap_job(sink.addr(), 1).map(|j| j.0),
            Ok("SPOOLING".to_owned())
        );
        assert_eq!(sink.spool_files().len(), 1);
        drop(s);
    });
    sink.wait_until("the dead connection's job is gone", |s| {
        s.jobs("KEEP").is_empty() && s.spool_files().is_empty()
    });
    // An unknown job, as the spec profile answers it (the spooler's
    // ERROR_INVALID_PARAMETER, MS-RAP 3.2.5.7 step 6).
    assert_eq!(
        rap_job(sink.addr(), 1),
        Err("ERROR_INVALID_PARAMETER".to_owned())
    );
    assert_eq!(sink.print.spool().bytes_in_use(), 0);
    assert_eq!(sink.print.spool().open_files(), 0);

    support::block_on(async {
        let mut s = Session::open(sink.addr(), NT, "alice", "KEEP").await;
        let fid = s.nt_create("tree.ps").await;
        assert_eq!(s.write_andx(fid, 0, b"abc").await, (0, 3));
        let (status, _) = s
            .req(SmbCommand::TREE_DISCONNECT, client::tree_disconnect)
            .await;
        assert_eq!(status, 0);
        assert_eq!(sink.jobs("KEEP"), vec![]);
        assert_eq!(sink.spool_files(), set(&[]));

        s.tree("KEEP").await;
        let fid = s.nt_create("logoff.ps").await;
        assert_eq!(s.write_andx(fid, 0, b"abc").await, (0, 3));
        let (status, _) = s.req(SmbCommand::LOGOFF_ANDX, client::logoff).await;
        assert_eq!(status, 0);
        assert_eq!(sink.jobs("KEEP"), vec![]);
        assert_eq!(sink.spool_files(), set(&[]));
    });
}

/// A job deleted through RAP while its data arrives: the writes go on (the
/// client cannot be told mid-stream), the close answers
/// STATUS_PRINT_CANCELLED, and neither a job nor its data stays.
#[test]
fn a_job_deleted_while_spooling_is_cancelled_at_the_close() {
    let sink = Sink::start("cancel");
    support::block_on(async {
        let mut s = Session::open(sink.addr(), NT, "alice", "KEEP").await;
        let fid = s.nt_create("doomed.ps").await;
        assert_eq!(s.write_andx(fid, 0, b"first").await, (0, 5));
        let v = query(sink.addr(), &["--user", "alice", "cancel", "1"]);
        assert_eq!(v["status"], 0, "{v}");
        assert_eq!(sink.jobs("KEEP"), vec![]);
        assert_eq!(s.write_andx(fid, 5, b"second").await, (0, 6));
        assert_eq!(s.close(fid).await, 0xC000_00C8); // STATUS_PRINT_CANCELLED
    });
    assert_eq!(sink.jobs("KEEP"), vec![]);
    assert_eq!(sink.spool_files(), set(&[]));
    assert_eq!(sink.print.spool().bytes_in_use(), 0);
}

/// What a previous run left (spool files no running msrap holds) is
/// removed when the spool directory is opened; a file another live msrap
/// is writing (locked), kept data and unrelated files stay.
#[test]
fn stale_spool_files_are_removed_at_start() {
    let dir = TempDir::new("stale");
    std::fs::create_dir_all(dir.join("KEEP")).unwrap();
    for name in [
        "msrap-1-1.spool",
        "msrap-77-12.spool",
        "notes.txt",
        "KEEP/job-3.prn",
    ] {
        std::fs::write(dir.join(name), b"left over").unwrap();
    }
    let live = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dir.join("msrap-2-1.spool"))
        .unwrap();
    live.try_lock().unwrap();
    let mut config = SpoolConfig::default();
    config.dir = dir.to_path_buf();
    let spool = SpoolDir::open(config).unwrap();
    assert_eq!(spool.leftovers_removed(), 2);
    assert_eq!(
        files_under(&dir),
        set(&["KEEP/job-3.prn", "msrap-2-1.spool", "notes.txt"])
    );
    drop(live);
}

// ---- file commands that are not served ----

/// File commands on IPC$ stay refused as commands msrap does not implement
/// (STATUS_NOT_IMPLEMENTED, ERRDOS/ERRbadfunc), but OPEN_PRINT_FILE, whose
/// failure on a share that is no printer MS-CIFS 3.3.5.54 names:
/// STATUS_INVALID_DEVICE_REQUEST.
#[test]
fn file_commands_on_ipc_are_refused() {
    let sink = Sink::start("ipc");
    support::block_on(async {
        for (flags2, not_implemented, invalid_device) in
            [(NT, 0xC000_0002, 0xC000_0010), (DOS, dos(1, 1), dos(1, 1))]
        {
            let mut s = Session::open(sink.addr(), flags2, "alice", "IPC$").await;
            let (status, _) = s
                .req(SmbCommand::NT_CREATE_ANDX, |h| {
                    client::nt_create_andx(h, "x")
                })
                .await;
            assert_eq!(status, not_implemented);
            let (status, _) = s
                .req(SmbCommand::OPEN_ANDX, |h| client::open_andx(h, 0, 1, "x"))
                .await;
            assert_eq!(status, not_implemented);
            let (status, _) = s
                .req(SmbCommand::WRITE_ANDX, |h| {
                    client::write_andx(h, 1, 0, b"x")
                })
                .await;
            assert_eq!(status, not_implemented);
            let (status, _) = s.req(SmbCommand::CLOSE, |h| client::close(h, 1)).await;
            assert_eq!(status, not_implemented);
            let (status, _) = s
                .req(SmbCommand::OPEN_PRINT_FILE, |h| {
                    client::open_print_file(h, 0, 1, "x")
                })
                .await;
            assert_eq!(status, invalid_device);
        }
    });
    assert_eq!(sink.jobs("KEEP"), vec![]);
    assert_eq!(sink.spool_files(), set(&[]));
}

/// The file operations a printer share does not serve get the errors the
/// MS-CIFS error tables give for Windows: STATUS_BAD_DEVICE_TYPE
/// (ERRSRV/ERRinvdevice) for a read of a print file and for a disk share's
/// commands, STATUS_INVALID_HANDLE (ERRDOS/ERRbadfid) for an unknown FID,
/// STATUS_SMB_BAD_TID for QUERY_INFORMATION_DISK; the open print file is
/// unharmed. smbclient's `ls` and `get` see the same.
#[test]
fn unserved_file_operations_on_a_print_share_get_windows_errors() {
    let sink = Sink::start("errors");
    support::block_on(async {
        for (flags2, bad_device, bad_handle, bad_tid) in [
            (NT, 0xC000_00CB, 0xC000_0008, dos(2, 5)),
            (DOS, dos(2, 7), dos(1, 6), dos(2, 5)),
        ] {
            let mut s = Session::open(sink.addr(), flags2, "alice", "DROP").await;
            let fid = s.nt_create("open.ps").await;
            assert_eq!(s.write_andx(fid, 0, b"data").await, (0, 4));
            // READ_ANDX of the print file, then of an unknown FID.
            let read_andx = |h: &SmbHeader, fid: u16| {
                let mut b = MessageBuilder::new(h);
                let mut w = vec![0xFF, 0, 0, 0];
                w.extend_from_slice(&fid.to_le_bytes());
                w.extend_from_slice(&[0; 18]); // offset, counts, timeout, remaining, offset high
                b.begin_andx_block(&w);
                b.end_block();
                b.finish()
            };
            let (status, _) = s.req(SmbCommand::READ_ANDX, |h| read_andx(h, fid)).await;
            assert_eq!(status, bad_device, "READ_ANDX {flags2:?}");
            let (status, _) = s.req(SmbCommand::READ_ANDX, |h| read_andx(h, 0x7777)).await;
            assert_eq!(status, bad_handle, "READ_ANDX of an unknown FID");
            // A disk share's commands: a directory, a search (TRANSACTION2).
            let words_only = |h: &SmbHeader, words: &[u8], bytes: &[u8]| {
                let mut b = MessageBuilder::new(h);
                b.begin_block(words);
                b.bytes(bytes);
                b.end_block();
                b.finish()
            };
            let (status, _) = s
                .req(SmbCommand::CREATE_DIRECTORY, |h| {
                    words_only(h, &[], b"\x04dir\0")
                })
                .await;
            assert_eq!(status, bad_device, "CREATE_DIRECTORY");
            let (status, _) = s
                .req(SmbCommand::TRANSACTION2, |h| words_only(h, &[0; 30], &[]))
                .await;
            assert_eq!(status, bad_device, "TRANSACTION2");
            let (status, _) = s.req(SmbCommand(0x80), |h| words_only(h, &[], &[])).await;
            assert_eq!(status, bad_tid, "QUERY_INFORMATION_DISK");
            // The print file is still open and takes data.
            assert_eq!(s.write_andx(fid, 4, b"more").await, (0, 4));
            assert_eq!(s.close(fid).await, 0);
        }
    });
    let sizes: Vec<_> = sink.jobs("DROP").iter().map(|j| j.size).collect();
    assert_eq!(sizes, vec![8, 8]);

    let (_, out) = sink.smbclient("DROP", None, "ls");
    assert!(out.contains("NT_STATUS_BAD_DEVICE_TYPE"), "{out}");
}

// ---- msrap serve ----

/// `msrap serve --jobs FILE --spool-dir DIR`: at start, the spool files a
/// previous run left are removed (and said so); a queue of the jobs file
/// with `keep_data = true` keeps what is printed to it in DIR/QUEUE.
#[test]
fn serve_cleans_its_spool_directory_and_keeps_data_as_the_jobs_file_says() {
    let dir = TempDir::new("serve");
    let spool = dir.join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    std::fs::write(spool.join("msrap-4242-1.spool"), b"half a job").unwrap();
    std::fs::write(spool.join("msrap-4242-2.spool"), b"another").unwrap();
    let jobs = dir.join("jobs.toml");
    std::fs::write(
        &jobs,
        "[[queue]]\nname = \"PDF\"\nkeep_data = true\n\n[[queue]]\nname = \"NULL\"\n",
    )
    .unwrap();
    let server = support::cli::Serve::start(&[
        "--jobs",
        jobs.to_str().unwrap(),
        "--spool-dir",
        spool.to_str().unwrap(),
    ]);
    let stderr = server.wait_for_stderr("previous run");
    assert!(
        stderr.contains("removed 2 spool file(s) a previous run left behind"),
        "{stderr}"
    );
    assert!(stderr.contains("print data kept in"), "{stderr}");
    assert_eq!(files_under(&spool), set(&[]));

    let payload = data(123_457, 15);
    std::fs::write(dir.join("doc.pdf"), &payload).unwrap();
    let conf = support::samba::client_conf(&dir);
    // Job ids are server-wide.
    for (queue, id) in [("PDF", 1), ("NULL", 2)] {
        let (ok, out) = smbclient(
            server.addr,
            queue,
            &conf,
            &dir,
            None,
            "print doc.pdf; queue",
        );
        assert!(ok, "{out}");
        assert_eq!(parse_queue(&out), vec![(id, 123_457, "doc.pdf".to_owned())]);
    }
    assert_eq!(files_under(&spool), set(&["PDF/job-1.prn"]));
    assert!(std::fs::read(spool.join("PDF/job-1.prn")).unwrap() == payload);
    drop(server);
}

/// The release build of `msrap`: `cargo build --release --bin msrap`, which
/// does nothing when it is up to date (scripts/test.sh builds it first).
/// A private cupsd and `msrap serve --cups` in front of it (`binary`, or
/// the test build), spooling in a new temporary directory's `spool`, with
/// `extra` arguments.
fn serve_cups(
    name: &str,
    binary: Option<&Path>,
    extra: &[&str],
) -> (support::cups::Cupsd, TempDir, PathBuf, support::cli::Serve) {
    let cups = support::cups::Cupsd::start();
    let dir = TempDir::new(name);
    let spool = dir.join("spool");
    let url = cups.url();
    let mut args = vec!["--cups", &url, "--spool-dir", spool.to_str().unwrap()];
    args.extend_from_slice(extra);
    let server = match binary {
        Some(b) => support::cli::Serve::start_binary(b, &args),
        None => support::cli::Serve::start(&args),
    };
    (cups, dir, spool, server)
}

fn release_binary() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--bin",
            "msrap",
            "--message-format=json",
        ])
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("run cargo build --release");
    assert!(out.status.success(), "cargo build --release failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == "msrap")
        .find_map(|v| v["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the msrap executable")
}

const SIZE: usize = 100_000_000;

/// `SIZE` bytes of [`data`] (a 1 MiB pattern repeated) at `path`.
fn write_big(path: &Path) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let chunk = data(1 << 20, 16);
    let mut left = SIZE;
    while left > 0 {
        let n = left.min(chunk.len());
        f.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    f.flush().unwrap();
}

/// The peak resident set of process `pid` (VmHWM), in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
        .expect("VmHWM in /proc/PID/status");
    kb * 1024
}

/// A 100 MB job printed with smbclient through the release `msrap serve`
/// (the built-in sample queue LASER, which discards its data) is streamed
/// to disk, never held in memory: the server's peak RSS stays under 64 MB,
/// the job is queued with its full size within a minute, and the spool
/// directory is empty afterwards.
#[test]
fn a_100_mb_job_streams_through_release_msrap_within_64_mb() {
    let binary = release_binary();
    let dir = TempDir::new("100mb");
    let spool = dir.join("spool");
    write_big(&dir.join("big.bin"));
    let conf = support::samba::client_conf(&dir);
    let server = support::cli::Serve::start_binary(
        &binary,
        &[
            "--spool-dir",
            spool.to_str().unwrap(),
            "--max-job-size",
            "128M",
        ],
    );
    let baseline = peak_rss(server.pid());
    let start = Instant::now();
    let (ok, out) = smbclient(
        server.addr,
        "LASER",
        &conf,
        &dir,
        None,
        "print big.bin; queue",
    );
    let elapsed = start.elapsed();
    assert!(ok, "{out}");
    let peak = peak_rss(server.pid());
    let job: Vec<_> = parse_queue(&out)
        .into_iter()
        .filter(|j| j.2 == "big.bin")
        .collect();
    assert_eq!(
        job,
        vec![(10, SIZE as u32, "big.bin".to_owned())],
        "smbclient said: {out}\nmsrap said: {}",
        server.stderr()
    );
    assert_eq!(files_under(&spool), set(&[]));
    eprintln!(
        "100 MB job: {elapsed:?}, peak RSS {} KiB (at start {} KiB)",
        peak / 1024,
        baseline / 1024
    );
    assert!(peak <= 64 << 20, "peak RSS {} KiB", peak / 1024);
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    drop(server);
}

/// `msrap serve --cups`: a file printed with smbclient on a CUPS printer
/// share becomes a CUPS job (Create-Job at the open, owned in CUPS by the
/// SMB user through `job-accounting-user-id`, named after the file) whose
/// data the CUPS backend receives byte for byte (Send-Document at the
/// close); msrap's spool directory is empty afterwards. A file that goes
/// over --max-job-size leaves no job in CUPS.
#[cfg(feature = "cups")]
#[test]
fn smbclient_print_through_serve_cups_reaches_cups() {
    let (cups, dir, spool, server) = serve_cups("cups", None, &["--max-job-size", "1M"]);
    let conf = dir.join("client.conf");
    std::fs::write(
        &conf,
        "[global]\n    client min protocol = NT1\n    client max protocol = NT1\n    \
         client ipc min protocol = NT1\n    client ipc max protocol = NT1\n    \
         client ntlmv2 auth = no\n    client use spnego = no\n",
    )
    .unwrap();
    let payload = data(700_000, 17);
    std::fs::write(dir.join("cups.bin"), &payload).unwrap();
    let (ok, out) = smbclient(
        server.addr,
        "CAPTURE",
        &conf,
        &dir,
        Some("alice"),
        "print cups.bin",
    );
    assert!(ok, "{out}");
    let job = cups
        .jobs()
        .into_iter()
        .find(|j| j.name == "cups.bin")
        .unwrap_or_else(|| panic!("no job cups.bin in CUPS: {:?}", cups.jobs()));
    assert_eq!(
        (job.accounting_user.as_str(), job.printer.as_str()),
        ("alice", "CAPTURE")
    );
    cups.wait_state(job.id, "completed");
    let got = std::fs::read(cups.dir.join("out").join(job.id.to_string())).unwrap();
    assert!(got == payload, "CUPS received {} bytes", got.len());
    assert_eq!(files_under(&spool), set(&[]));

    // Over the limit: NT_STATUS_DISK_FULL, nothing left in CUPS.
    let before = cups.jobs().len();
    std::fs::write(dir.join("huge.bin"), data(1_500_000, 18)).unwrap();
    let (_, out) = smbclient(
        server.addr,
        "CAPTURE",
        &conf,
        &dir,
        Some("alice"),
        "print huge.bin",
    );
    assert!(out.contains("NT_STATUS_DISK_FULL"), "{out}");
    let start = Instant::now();
    while cups
        .jobs()
        .iter()
        .any(|j| j.name == "huge.bin" && !matches!(j.state.as_str(), "canceled" | "aborted"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "huge.bin still in CUPS: {:?}",
            cups.jobs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(cups.jobs().len() <= before + 1);
    assert_eq!(files_under(&spool), set(&[]));
    drop(server);
}

/// Issue 11: a client that disconnects halfway through a print file to a
/// CUPS-backed msrap leaves no job in CUPS (not even in its history: the
/// job is cancelled with purge-job) and no file in the spool directory.
#[test]
fn a_cups_job_whose_connection_dies_leaves_nothing_in_cups_or_on_disk() {
    let (cups, _dir, spool, server) = serve_cups("cups-dies", None, &[]);
    let half = support::block_on(async {
        let mut s = Session::open(server.addr, NT, "alice", "CAPTURE").await;
        let fid = s.nt_create("half.ps").await;
        assert_eq!(s.write_andx(fid, 0, &data(50_000, 21)).await, (0, 50_000));
        // While the data arrives the job exists in CUPS, held as incoming.
        let job = cups
            .jobs()
            .into_iter()
            .find(|j| j.name == "half.ps")
            .unwrap_or_else(|| panic!("no half.ps in CUPS: {:?}", cups.jobs()));
        assert_eq!(files_under(&spool).len(), 1);
        drop(s);
        job.id
    });
    let start = Instant::now();
    while cups.jobs().iter().any(|j| j.id == half) || !files_under(&spool).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "after the disconnect: CUPS {:?}, spool {:?}",
            cups.jobs(),
            files_under(&spool)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A print file to a CUPS-backed msrap streams to cupsd while it arrives:
/// with the first 256 000 bytes on disk, CUPS is already receiving the
/// Send-Document (its request file in RequestRoot grows) though the SMB
/// client has not closed. A write before the end (a rewrite of data sent)
/// abandons that upload (cupsd drops the partial request), and the close
/// sends the file whole: CUPS prints exactly the file as last written.
#[test]
fn a_cups_print_file_streams_while_it_arrives_and_goes_whole_when_rewritten() {
    let (cups, _dir, spool, server) = serve_cups("cups-stream", None, &[]);
    // cupsd writes a request's body to RequestRoot/<8 hex digits> while it
    // reads it.
    let requests = cups.dir.join("spool");
    let receiving = || -> Vec<u64> {
        std::fs::read_dir(&requests)
            .unwrap()
            .flatten()
            .filter(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.len() == 8 && n.bytes().all(|b| b.is_ascii_hexdigit())
            })
            .filter_map(|e| e.metadata().ok().map(|m| m.len()))
            .collect()
    };
    let wait = |what: &str, ok: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !ok() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{what}: requests being received {:?}, jobs {:?}",
                receiving(),
                cups.jobs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let mut expected = data(700_000, 31);
    support::block_on(async {
        let mut s = Session::open(server.addr, NT, "alice", "CAPTURE").await;
        let fid = s.nt_create("stream.bin").await;
        // 400 000 bytes in order, in 16 000-byte writes as NT clients send.
        for (i, part) in expected[..400_000].chunks(16_000).enumerate() {
            let at = (i * 16_000) as u64;
            assert_eq!(s.write_andx(fid, at, part).await, (0, 16_000));
        }
        wait("CUPS receives the data before the close", &|| {
            // The first 16 writes (256 000 bytes) went to disk together.
            receiving().iter().any(|&n| n >= 256_000)
        });
        let job = cups
            .jobs()
            .into_iter()
            .find(|j| j.name == "stream.bin")
            .unwrap();
        assert_eq!(job.reasons, "job-incoming");
        // A rewrite of bytes already sent: the upload is abandoned.
        let patch = data(5_000, 32);
        assert_eq!(s.write_andx(fid, 1_000, &patch).await, (0, 5_000));
        expected[1_000..6_000].copy_from_slice(&patch);
        wait("cupsd drops the abandoned request", &|| {
            receiving().is_empty()
        });
        for (i, part) in expected[400_000..].chunks(16_000).enumerate() {
            let at = 400_000 + (i * 16_000) as u64;
            assert_eq!(s.write_andx(fid, at, part).await, (0, part.len() as u32));
        }
        assert_eq!(s.close(fid).await, 0);
        cups.wait_state(job.id, "completed");
        let got = std::fs::read(cups.dir.join("out").join(job.id.to_string())).unwrap();
        assert!(
            got == expected,
            "CUPS printed {} bytes, not the file as last written",
            got.len()
        );
    });
    assert_eq!(files_under(&spool), set(&[]));
    drop(server);
}

/// Writes that follow one another are gathered (up to 256 KiB) before they
/// go to the spool file together; FLUSH (MS-CIFS 3.3.5.8) commits what is
/// gathered before it is answered, so the spool file then holds every byte
/// written; the close commits the rest, and the kept data is exact. A
/// write elsewhere than where the last ended commits what was gathered
/// first, so bytes land in the order the client wrote them.
#[test]
fn writes_are_gathered_and_flush_commits_them() {
    let sink = Sink::start("gather");
    let mut expected = data(300_000, 41);
    let on_disk = |sink: &Sink| -> Vec<u64> {
        std::fs::read_dir(&sink.spool)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".spool"))
            .map(|e| e.metadata().unwrap().len())
            .collect()
    };
    support::block_on(async {
        let mut s = Session::open(sink.addr(), NT, "alice", "KEEP").await;
        let fid = s.nt_create("gathered.ps").await;
        assert_eq!(s.write_andx(fid, 0, &expected[..1_000]).await, (0, 1_000));
        assert_eq!(on_disk(&sink), [0], "the first write is gathered");
        let (status, r) = s
            .req(SmbCommand::FLUSH, |h| client::fid_request(h, fid))
            .await;
        assert_eq!(status, 0);
        assert_eq!(to_hex(&r[32..]), "00 00 00");
        assert_eq!(on_disk(&sink), [1_000], "FLUSH committed it");
        // 16 000-byte writes: 16 of them (256 000 bytes) are gathered, the
        // 17th sends them to disk.
        for (i, part) in expected[1_000..273_000].chunks(16_000).enumerate() {
            let at = 1_000 + (i * 16_000) as u64;
            assert_eq!(s.write_andx(fid, at, part).await, (0, 16_000));
        }
        assert_eq!(on_disk(&sink), [257_000]);
        // A rewrite of bytes on disk and one of bytes gathered, then the
        // rest.
        let patch = data(500, 42);
        assert_eq!(s.write_andx(fid, 10, &patch).await, (0, 500));
        expected[10..510].copy_from_slice(&patch);
        assert_eq!(s.write_andx(fid, 260_000, &patch).await, (0, 500));
        expected[260_000..260_500].copy_from_slice(&patch);
        assert_eq!(
            s.write_andx(fid, 273_000, &expected[273_000..]).await,
            (0, 27_000)
        );
        assert_eq!(s.close(fid).await, 0);
    });
    assert_eq!(
        std::fs::read(sink.spool.join("KEEP/job-1.prn")).unwrap(),
        expected
    );
}

/// Issue 11: a 100 MB job through `smbclient print` into a CUPS-backed
/// release msrap streams from the spool file to cupsd while it arrives:
/// msrap's peak RSS stays under 64 MB, CUPS prints every byte, and the
/// spool directory is empty afterwards.
#[test]
fn a_100_mb_job_streams_into_cups_within_64_mb() {
    let binary = release_binary();
    let (cups, dir, spool, server) =
        serve_cups("100mb-cups", Some(&binary), &["--max-job-size", "128M"]);
    write_big(&dir.join("big.bin"));
    let conf = support::samba::client_conf(&dir);
    let start = Instant::now();
    let (ok, out) = smbclient(server.addr, "CAPTURE", &conf, &dir, None, "print big.bin");
    assert!(ok, "{out}\nmsrap said: {}", server.stderr());
    let job = cups
        .jobs()
        .into_iter()
        .find(|j| j.name == "big.bin")
        .unwrap_or_else(|| panic!("no job big.bin in CUPS: {:?}", cups.jobs()));
    cups.wait_state(job.id, "completed");
    let elapsed = start.elapsed();
    let peak = peak_rss(server.pid());
    let got = std::fs::read(cups.dir.join("out").join(job.id.to_string())).unwrap();
    let sent = std::fs::read(dir.join("big.bin")).unwrap();
    assert!(got == sent, "CUPS printed {} bytes", got.len());
    assert_eq!(files_under(&spool), set(&[]));
    eprintln!(
        "100 MB job into CUPS: {elapsed:?}, peak RSS {} KiB",
        peak / 1024
    );
    assert!(peak <= 64 << 20, "peak RSS {} KiB", peak / 1024);
    drop(server);
}

/// `--max-print-files` bounds the print files open at once over every
/// connection: one more open is STATUS_INSUFF_SERVER_RESOURCES (the job is
/// never created), and a close makes room again.
#[test]
fn max_print_files_bounds_the_files_open_at_once() {
    let dir = TempDir::new("max-files");
    let spool = dir.join("spool");
    let server = support::cli::Serve::start(&[
        "--spool-dir",
        spool.to_str().unwrap(),
        "--max-print-files",
        "1",
    ]);
    support::block_on(async {
        let mut a = Session::open(server.addr, NT, "alice", "LASER").await;
        let mut b = Session::open(server.addr, NT, "bob", "LASER").await;
        let fid = a.nt_create("first.ps").await;
        let (status, _) = b
            .req(SmbCommand::NT_CREATE_ANDX, |h| {
                client::nt_create_andx(h, "second.ps")
            })
            .await;
        assert_eq!(status, NtStatus::STATUS_INSUFF_SERVER_RESOURCES.0);
        assert_eq!(rap_job_ids(server.addr, "LASER").len(), 5 + 1);
        assert_eq!(a.close(fid).await, 0);
        let fid = b.nt_create("second.ps").await;
        assert_eq!(b.close(fid).await, 0);
    });
    assert!(server
        .stderr()
        .contains("1073741824 in all, 1 files open at once)"));
    let out = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args(["serve", "--max-print-files", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
