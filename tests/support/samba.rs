//! A real Samba smbd on 127.0.0.1, started and stopped by a test.
//!
//! SMB1 only, anonymous/guest access, one printer share `rapq` whose queue
//! is a fixed LPRng-format `lpq` listing written by this harness. smbd runs
//! in its own session (setsid) so that [`Drop`] can stop it with every
//! helper it spawned (per-connection smbd children, samba-dcerpcd,
//! rpcd_spoolss, samba-bgqd).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::peers::{require_samba, require_smbclient, which};

/// The jobs of the fake queue, in LPRng `lpq` format:
/// rank owner@host+id class job file size YYYY-MM-DD-HH:MM:SS.
/// Ranks: active → printing, a digit → queued, hold → paused, done → printed.
pub const LPQ_JOBS: &[(&str, &str, u32, &str, u32, &str)] = &[
    (
        "active",
        "alice",
        101,
        "report.txt",
        1234,
        "2024-01-15-12:34:56",
    ),
    (
        "1",
        "bob",
        102,
        "Quarterly Budget.xlsx",
        2048,
        "2024-01-15-12:35:05",
    ),
    ("hold", "carol", 103, "memo.txt", 512, "2024-01-15-12:36:10"),
    (
        "2",
        "averyveryverylongusername01",
        104,
        "photo-with-a-rather-long-document-name.jpg",
        1_048_576,
        "2024-01-15-12:37:20",
    ),
    ("done", "erin", 105, "slides.ps", 100, "2024-01-15-12:38:30"),
];

/// The printer share.
pub const SHARE: &str = "rapq";

pub struct Samba {
    pub dir: PathBuf,
    pub addr: SocketAddr,
    child: Child,
}

/// A free TCP port on 127.0.0.1 (bind to port 0, read it, release it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn lpq_listing() -> String {
    let mut s =
        String::from("Printer: rapq@localhost 'msrap test queue'\n Queue: 5 printable jobs\n");
    s += "Rank   Owner/ID                       Class Job Files                          Size Time\n";
    for (rank, user, id, file, size, time) in LPQ_JOBS {
        s += &format!("{rank:<6} {user}@localhost+{id} A {id} {file} {size} {time}\n");
    }
    s
}

impl Samba {
    /// Start smbd and wait until its queue lists every job (at most ~60 s).
    /// `lpq cache time = 0` (every query re-reads the queue) unless
    /// `MSRAP_SAMBA_LPQ_CACHE_TIME` says otherwise (benchmarks use Samba's
    /// default, 30).
    pub fn start() -> Samba {
        require_samba();
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("msrap-samba-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        make_dirs(&dir);
        std::fs::write(dir.join("lpq.txt"), lpq_listing()).unwrap();
        let lpq = dir.join("lpq.sh");
        std::fs::write(
            &lpq,
            format!("#!/bin/sh\ncat '{}'\n", dir.join("lpq.txt").display()),
        )
        .unwrap();
        set_mode(&lpq, 0o755);
        let d = dir.display();
        let conf = format!(
            "{global}    load printers = no
    printcap name = /dev/null
    printing = lprng

[{SHARE}]
    path = {d}/spool
    printable = yes
    guest ok = yes
    printer name = {SHARE}
    printing = lprng
    lpq command = {lpq} %p
    print command = /bin/rm -f %s
    lprm command = /bin/true %p %j
    lppause command = /bin/true %p %j
    lpresume command = /bin/true %p %j
    queuepause command = /bin/true %p
    queueresume command = /bin/true %p
",
            global = global_section(&dir, port),
            lpq = lpq.display(),
        );
        let conf_path = dir.join("smb.conf");
        std::fs::write(&conf_path, conf).unwrap();
        seed_registry(&conf_path, &dir);
        let samba = Samba::launch(dir, port);
        samba.wait_ready();
        samba
    }

    /// smbd with `printing = cups` against the cupsd at `cups_server`
    /// (`HOST:PORT`, `cups server`): CUPS's printers are its printer shares
    /// (`load printers`, `[printers]`), each of `printers` with its registry
    /// key seeded as for the LPRng queue. Waits until `printers[0]`'s queue
    /// lists `jobs` jobs (at most ~60 s). `lpq cache time` as for [`Samba::start`].
    pub fn start_cups(cups_server: &str, printers: &[&str], jobs: usize) -> Samba {
        require_samba();
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("msrap-samba-cups-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        make_dirs(&dir);
        let conf = format!(
            "{global}    load printers = yes
    printing = cups
    printcap name = cups
    cups server = {cups_server}
    cups encrypt = no

[printers]
    path = {d}/spool
    printable = yes
    guest ok = yes
    browseable = yes
",
            global = global_section(&dir, port),
            d = dir.display(),
        );
        let conf_path = dir.join("smb.conf");
        std::fs::write(&conf_path, conf).unwrap();
        for p in printers {
            seed_printer(&conf_path, &dir, p);
        }
        let samba = Samba::launch(dir, port);
        let first = printers.first().copied().unwrap_or(SHARE);
        let start = Instant::now();
        loop {
            // The printer shares come from samba-bgqd, which rpcd_spoolss
            // starts: a RAP print call on IPC$ (smbclient's `queue`) wakes
            // spoolss up before the share exists.
            smbclient_queue(samba.addr, "IPC$", &samba.conf());
            let out = smbclient_queue(samba.addr, first, &samba.conf());
            if parse_queue(&out).len() >= jobs {
                return samba;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "Samba never listed {jobs} jobs of {first}; last output:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// Start smbd (its own session) on `dir/smb.conf`, `port`.
    fn launch(dir: PathBuf, port: u16) -> Samba {
        let conf_path = dir.join("smb.conf");
        let log = std::fs::File::create(dir.join("log/smbd.stdout")).unwrap();
        let child = Command::new("setsid")
            .arg(which("smbd").unwrap())
            .args(["-F", "--no-process-group", "-l"])
            .arg(dir.join("log"))
            .arg("-s")
            .arg(&conf_path)
            .env("TZ", "UTC")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start smbd");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        Samba { dir, addr, child }
    }
}

/// The private directories of a harness smbd under `dir`, with the modes smbd wants.
fn make_dirs(dir: &Path) {
    for sub in [
        "private",
        "lock",
        "state",
        "cache",
        "run",
        "ncalrpc",
        "log",
        "bind-dns",
        "usershares",
        "spool",
    ] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    set_mode(&dir.join("spool"), 0o1777);
    set_mode(dir, 0o755);
    set_mode(&dir.join("ncalrpc"), 0o755);
}

/// The `[global]` section every harness smbd shares (SMB1, guest access,
/// everything under `dir`), without the printing settings;
/// `lpq cache time = 0` unless `MSRAP_SAMBA_LPQ_CACHE_TIME` says otherwise.
fn global_section(dir: &Path, port: u16) -> String {
    let d = dir.display();
    format!(
        "[global]
    netbios name = MSRAPSAMBA
    workgroup = WORKGROUP
    server role = standalone server
    security = user
    interfaces = 127.0.0.1
    bind interfaces only = yes
    smb ports = {port}
    disable netbios = yes
    server min protocol = NT1
    map to guest = Bad User
    guest account = nobody
    restrict anonymous = 0
    passdb backend = tdbsam:{d}/private/passdb.tdb
    private dir = {d}/private
    lock directory = {d}/lock
    state directory = {d}/state
    cache directory = {d}/cache
    pid directory = {d}/run
    ncalrpc dir = {d}/ncalrpc
    binddns dir = {d}/bind-dns
    usershare path = {d}/usershares
    max log size = 0
    log level = 1
    disable spoolss = no
    lpq cache time = {lpq_cache}
    rpc start on demand helpers = yes
    client min protocol = NT1
    client max protocol = NT1
    client ipc min protocol = NT1
    client ipc max protocol = NT1
",
        lpq_cache = std::env::var("MSRAP_SAMBA_LPQ_CACHE_TIME").unwrap_or_else(|_| "0".into()),
    )
}

impl Samba {
    /// smbd's pid and samba-dcerpcd's (which runs spoolss in its own tree).
    pub fn pids(&self) -> Vec<u32> {
        let mut v = vec![self.child.id()];
        if let Ok(p) = std::fs::read_to_string(self.dir.join("run/samba-dcerpcd.pid")) {
            if let Ok(p) = p.trim().parse() {
                v.push(p);
            }
        }
        v
    }

    pub fn conf(&self) -> PathBuf {
        self.dir.join("smb.conf")
    }

    fn wait_ready(&self) {
        let start = Instant::now();
        while TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "smbd did not listen on {}; see {}/log",
                self.addr,
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        // samba-bgqd fills the queue asynchronously: poll until every job is listed.
        let start = Instant::now();
        loop {
            let out = self.smbclient_queue();
            if out.lines().filter(|l| !l.trim().is_empty()).count() >= LPQ_JOBS.len() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "Samba queue never listed the jobs; last output:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// `smbclient //127.0.0.1/rapq -c queue` against this server (SMB1).
    pub fn smbclient_queue(&self) -> String {
        smbclient_queue(self.addr, SHARE, &self.conf())
    }
}

/// Run Samba's smbclient with SMB1 forced, anonymous, `-c queue`.
pub fn smbclient_queue(addr: SocketAddr, share: &str, conf: &Path) -> String {
    require_smbclient();
    let out = Command::new("smbclient")
        .arg(format!("//{}/{share}", addr.ip()))
        .args(["-p", &addr.port().to_string(), "-N", "-s"])
        .arg(conf)
        .args(["-c", "queue"])
        .env("TZ", "UTC")
        .output()
        .expect("run smbclient");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A client-only smb.conf forcing SMB1 (smbclient 4.17 defaults to SMB2+).
pub fn client_conf(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("client.conf");
    std::fs::write(
        &p,
        "[global]\n    client min protocol = NT1\n    client max protocol = NT1\n    client ipc min protocol = NT1\n    client ipc max protocol = NT1\n",
    )
    .unwrap();
    p
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Samba 4.17 never writes the printer's registry key in this setup (bgqd
/// loads no shares and spoolss creates a bare key first), and spoolss then
/// finds no jobs: write the key as winreg_create_printer() would.
fn seed_registry(conf: &Path, dir: &Path) {
    seed_printer(conf, dir, SHARE);
}

/// [`seed_registry`] for printer share `share`.
fn seed_printer(conf: &Path, dir: &Path, share: &str) {
    let key =
        format!("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Print\\Printers\\{share}");
    let mut calls: Vec<Vec<String>> = vec![vec!["createkey".into(), key.clone()]];
    for (name, ty, value) in [
        ("Name", "sz", share),
        ("Share Name", "sz", share),
        ("Port", "sz", "Samba Printer Port"),
        ("Print Processor", "sz", "winprint"),
        ("Datatype", "sz", "RAW"),
        ("Description", "sz", ""),
        ("Attributes", "dword", "4168"),
        ("Priority", "dword", "1"),
        ("Default Priority", "dword", "1"),
        ("StartTime", "dword", "0"),
        ("UntilTime", "dword", "0"),
    ] {
        calls.push(vec![
            "setvalue".into(),
            key.clone(),
            name.into(),
            ty.into(),
            value.into(),
        ]);
    }
    let log = dir.join("log/registry.txt");
    for args in calls {
        let out = Command::new("net")
            .arg("-s")
            .arg(conf)
            .arg("registry")
            .args(&args)
            .output()
            .expect("run net registry");
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text += &String::from_utf8_lossy(&out.stderr);
        let _ = std::fs::write(&log, text);
    }
}

fn group_members(pgid: u32) -> Vec<u32> {
    let mut v = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // Fields after the ")" of comm: state ppid pgrp session ...
            let Some(rest) = stat.rsplit_once(')').map(|x| x.1) else {
                continue;
            };
            let f: Vec<&str> = rest.split_whitespace().collect();
            if f.get(3).and_then(|s| s.parse::<u32>().ok()) == Some(pgid) {
                v.push(pid);
            }
        }
    }
    v
}

fn kill(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args([sig, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

impl Drop for Samba {
    fn drop(&mut self) {
        // Every process in smbd's session (setsid: sid == pid) and in
        // samba-dcerpcd's (which calls setsid itself).
        let mut sessions = vec![self.child.id()];
        if let Ok(p) = std::fs::read_to_string(self.dir.join("run/samba-dcerpcd.pid")) {
            if let Ok(p) = p.trim().parse::<u32>() {
                let cmd = std::fs::read_to_string(format!("/proc/{p}/cmdline")).unwrap_or_default();
                if cmd.contains(&*self.dir.to_string_lossy()) {
                    sessions.push(p);
                }
            }
        }
        for &s in &sessions {
            for p in group_members(s) {
                kill(p, "-TERM");
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && sessions.iter().any(|&s| !group_members(s).is_empty()) {
            std::thread::sleep(Duration::from_millis(100));
        }
        for &s in &sessions {
            for p in group_members(s) {
                kill(p, "-KILL");
            }
        }
        let _ = self.child.wait();
        if std::env::var_os("MSRAP_KEEP_SAMBA").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Parse `smbclient -c queue` output: one `(job id, size, document)` per line.
pub fn parse_queue(out: &str) -> Vec<(u32, u32, String)> {
    out.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let id = it.next()?.parse().ok()?;
            let size = it.next()?.parse().ok()?;
            Some((id, size, it.collect::<Vec<_>>().join(" ")))
        })
        .collect()
}

/// Run Samba's `net rap printq ARGS` against `addr` (SMB1 forced by `conf`),
/// anonymous; stdout and stderr.
pub fn net_rap_printq(addr: SocketAddr, conf: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new("net")
        .args(["rap", "printq"])
        .args(args)
        .args(["-S", &addr.ip().to_string(), "-p", &addr.port().to_string()])
        .args(["-U%", "-s"])
        .arg(conf)
        .env("TZ", "UTC")
        .output()
        .expect("run net");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One queue as `net rap printq` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetQueue {
    pub name: String,
    pub jobs: u32,
    pub status: String,
    /// (user, job id, size, status) per job line.
    pub job_lines: Vec<(String, u32, u32, String)>,
}

/// Parse `net rap printq` output: a queue line
/// (`%-17.17s Queue %5d jobs                      %s`) followed by its job
/// lines (`     %-23.23s %5d %9d            %s`).
pub fn parse_printq(out: &str) -> Vec<NetQueue> {
    let mut v: Vec<NetQueue> = Vec::new();
    for line in out.lines() {
        let t: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("     ") {
            if let (Some(q), [user, id, size, status @ ..]) = (v.last_mut(), &t[..]) {
                if let (Ok(id), Ok(size)) = (id.parse(), size.parse()) {
                    q.job_lines
                        .push(((*user).to_owned(), id, size, status.join(" ")));
                }
            }
        } else if let [name, "Queue", n, "jobs", status @ ..] = &t[..] {
            if let Ok(n) = n.parse() {
                v.push(NetQueue {
                    name: (*name).to_owned(),
                    jobs: n,
                    status: status.join(" "),
                    job_lines: Vec::new(),
                });
            }
        }
    }
    v
}
