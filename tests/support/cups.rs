//! A private cupsd on 127.0.0.1, started and stopped by a test (Debian 12's
//! cups 2.4.2, run as root, nothing system-wide touched): its own
//! configuration, spool, state, logs, a Unix socket and backends under one
//! temporary directory.
//!
//! Queues: `Q` (raw, `file:///dev/null`: a job prints at once unless
//! held), `SLOW` (the `slow` backend: a job stays "processing" for
//! [`SLOW_SECS`]), `CAPTURE` (the `capture` backend: each job's data is
//! written to `out/JOBID`). Two policies: [`Policy::Open`] (everything
//! allowed, job names and owners visible to anyone: the recipe's) and
//! [`Policy::Stock`] (Debian's default policy: `@OWNER` limits, private
//! job values, admin operations need authentication).

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::peers::which;
use super::samba::free_port;

const INSTALL_HINT: &str =
    "run `bash scripts/install-peers.sh` (the README's test command `bash scripts/test.sh` does)";

/// How long the `slow` backend keeps a job processing.
pub const SLOW_SECS: u32 = 60;

/// Fails the test unless cupsd and the CUPS client tools are installed.
pub fn require_cups() {
    for tool in [
        "cupsd",
        "lpadmin",
        "lp",
        "lpstat",
        "cupsdisable",
        "cancel",
        "ipptool",
    ] {
        assert!(
            which(tool).is_some(),
            "CUPS's {tool} is not installed: {INSTALL_HINT}"
        );
    }
}

/// Which `<Policy default>` cupsd runs with.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Everything allowed to anyone, job names and owners visible.
    Open,
    /// Debian 12's stock default policy (`Require user @OWNER @SYSTEM` on
    /// job operations, private job values, `AuthType Default` on admin).
    Stock,
}

pub struct Cupsd {
    pub dir: PathBuf,
    pub port: u16,
    pub policy: Policy,
    child: Option<Child>,
}

/// One job as `ipptool` Get-Jobs (`which-jobs=all`) reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobRow {
    pub id: u32,
    pub state: String,
    pub reasons: String,
    pub name: String,
    pub user: String,
    pub accounting_user: String,
    pub printer: String,
}

impl Cupsd {
    /// A cupsd with the open policy and the three queues.
    pub fn start() -> Cupsd {
        Cupsd::start_with(Policy::Open)
    }

    pub fn start_with(policy: Policy) -> Cupsd {
        require_cups();
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("msrap-cupsd-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in [
            "conf",
            "spool/tmp",
            "state",
            "cache",
            "log",
            "serverbin/backend",
            "out",
        ] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        set_mode(&dir, 0o755);
        set_mode(&dir.join("out"), 0o1777);
        // ServerBin: CUPS's own filters and helpers, our backends.
        for d in [
            "filter", "daemon", "cgi-bin", "driver", "monitor", "notifier",
        ] {
            let _ = std::os::unix::fs::symlink(
                Path::new("/usr/lib/cups").join(d),
                dir.join("serverbin").join(d),
            );
        }
        for sub in ["serverbin", "serverbin/backend"] {
            set_mode(&dir.join(sub), 0o755);
        }
        write_exec(
            &dir.join("serverbin/backend/slow"),
            &format!(
                "#!/bin/sh\n\
                 [ $# -eq 0 ] && {{ echo 'direct slow \"Unknown\" \"Slow test backend\"'; exit 0; }}\n\
                 echo \"INFO: slow backend sleeping {SLOW_SECS}\" >&2\n\
                 if [ -n \"$6\" ]; then cat \"$6\" >/dev/null; else cat >/dev/null; fi\n\
                 echo 'PAGE: 1 1' >&2\n\
                 sleep {SLOW_SECS}\n\
                 exit 0\n"
            ),
        );
        write_exec(
            &dir.join("serverbin/backend/capture"),
            "#!/bin/sh\n\
             [ $# -eq 0 ] && { echo 'direct capture \"Unknown\" \"Capture test backend\"'; exit 0; }\n\
             out=${DEVICE_URI#capture:}\n\
             if [ -n \"$6\" ]; then cat \"$6\" > \"$out/$1\"; else cat > \"$out/$1\"; fi\n\
             exit 0\n",
        );
        let cupsd = Cupsd {
            dir,
            port,
            policy,
            child: None,
        };
        cupsd.write_config();
        let mut cupsd = cupsd;
        cupsd.spawn();
        cupsd.add_queues();
        cupsd
    }

    fn write_config(&self) {
        let d = self.dir.display();
        std::fs::write(
            self.dir.join("conf/cups-files.conf"),
            format!(
                "ServerRoot {d}/conf\nRequestRoot {d}/spool\nTempDir {d}/spool/tmp\n\
                 StateDir {d}/state\nCacheDir {d}/cache\nErrorLog {d}/log/error_log\n\
                 AccessLog {d}/log/access_log\nPageLog {d}/log/page_log\n\
                 Printcap {d}/state/printcap\nFileDevice Yes\nServerBin {d}/serverbin\n"
            ),
        )
        .unwrap();
        let policy = match self.policy {
            Policy::Open => "<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
",
            Policy::Stock => "<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit Create-Job Print-Job Print-URI Validate-Job>
    Order deny,allow
  </Limit>
  <Limit Send-Document Send-URI Hold-Job Release-Job Restart-Job Purge-Jobs Set-Job-Attributes Create-Job-Subscription Renew-Subscription Cancel-Subscription Get-Notifications Reprocess-Job Cancel-Current-Job Suspend-Current-Job Resume-Job Cancel-My-Jobs Close-Job CUPS-Move-Job CUPS-Get-Document>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class CUPS-Delete-Class CUPS-Set-Default CUPS-Get-Devices>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Pause-Printer Resume-Printer Enable-Printer Disable-Printer Pause-Printer-After-Current-Job Hold-New-Jobs Release-Held-New-Jobs Deactivate-Printer Activate-Printer Restart-Printer Shutdown-Printer Startup-Printer Promote-Job Schedule-Job-After Cancel-Jobs CUPS-Accept-Jobs CUPS-Reject-Jobs>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Cancel-Job CUPS-Authenticate-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
",
        };
        std::fs::write(
            self.dir.join("conf/cupsd.conf"),
            format!(
                "LogLevel debug\nAccessLogLevel all\nListen 127.0.0.1:{port}\nListen {d}/cups.sock\n\
                 Browsing No\nBrowseLocalProtocols none\nDefaultAuthType Basic\nWebInterface No\n\
                 PreserveJobHistory Yes\nMaxJobs 0\n\
                 <Location />\n  Order allow,deny\n  Allow from 127.0.0.1\n  Allow from @LOCAL\n</Location>\n{policy}",
                port = self.port
            ),
        )
        .unwrap();
        let check = Command::new(which("cupsd").unwrap())
            .args(["-t", "-c"])
            .arg(self.dir.join("conf/cupsd.conf"))
            .arg("-s")
            .arg(self.dir.join("conf/cups-files.conf"))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "cupsd -t: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }

    /// Start cupsd (on the directory as it is: a restart keeps the state)
    /// and wait until it answers (at most 20 s).
    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("log/stdout"))
            .unwrap();
        let child = Command::new(which("cupsd").unwrap())
            .arg("-f")
            .arg("-c")
            .arg(self.dir.join("conf/cupsd.conf"))
            .arg("-s")
            .arg(self.dir.join("conf/cups-files.conf"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start cupsd");
        self.child = Some(child);
        let start = Instant::now();
        loop {
            let up = TcpStream::connect_timeout(&self.addr(), Duration::from_millis(200)).is_ok()
                && self.tool("lpstat", &["-r"]).status.success();
            if up {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("cupsd exited ({status}); see {}/log", self.dir.display());
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "cupsd did not come up; see {}/log",
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// (Re)create the queues (lpadmin over the Unix socket: admin over TCP
    /// needs authentication under the stock policy).
    pub fn add_queues(&self) {
        let out = self.dir.join("out");
        for (q, uri) in [
            ("Q", "file:///dev/null".to_owned()),
            ("SLOW", "slow:/".to_owned()),
            ("CAPTURE", format!("capture:{}", out.display())),
        ] {
            let o = self.admin("lpadmin", &["-p", q, "-E", "-v", &uri]);
            assert!(
                o.status.success(),
                "lpadmin -p {q}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }

    pub fn addr(&self) -> SocketAddr {
        ([127, 0, 0, 1], self.port).into()
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `ipp://127.0.0.1:PORT`, what `msrap serve --cups` takes.
    pub fn url(&self) -> String {
        format!("ipp://{}", self.host())
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.join("cups.sock")
    }

    /// Run a CUPS client tool against this cupsd over TCP (`-h HOST`).
    pub fn tool(&self, tool: &str, args: &[&str]) -> Output {
        Command::new(which(tool).unwrap_or_else(|| tool.into()))
            .arg("-h")
            .arg(self.host())
            .args(args)
            .env("CUPS_SERVER", self.host())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {tool}: {e}"))
    }

    /// Run a CUPS client tool over the Unix socket (as root: PeerCred).
    pub fn admin(&self, tool: &str, args: &[&str]) -> Output {
        let sock = self.socket();
        Command::new(which(tool).unwrap_or_else(|| tool.into()))
            .arg("-h")
            .arg(&sock)
            .args(args)
            .env("CUPS_SERVER", &sock)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {tool}: {e}"))
    }

    /// `lp ARGS FILE` (a small text file): the CUPS job id.
    pub fn lp(&self, args: &[&str]) -> u32 {
        let file = self.dir.join("doc.txt");
        if !file.exists() {
            std::fs::write(&file, "hello from the msrap tests\n").unwrap();
        }
        let mut all: Vec<&str> = args.to_vec();
        let f = file.to_string_lossy().into_owned();
        all.push(&f);
        let o = self.tool("lp", &all);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "lp {args:?}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        // "request id is Q-7 (1 file(s))"
        out.split_whitespace()
            .find_map(|w| w.rsplit_once('-').and_then(|(_, n)| n.parse().ok()))
            .unwrap_or_else(|| panic!("lp printed {out:?}"))
    }

    /// Every job CUPS knows (`which-jobs=all`), via ipptool as root.
    pub fn jobs(&self) -> Vec<JobRow> {
        let test = self.dir.join("get-jobs.test");
        std::fs::write(
            &test,
            "{\n OPERATION Get-Jobs\n GROUP operation-attributes-tag\n \
             ATTR charset attributes-charset utf-8\n \
             ATTR naturalLanguage attributes-natural-language en\n \
             ATTR uri printer-uri $uri\n \
             ATTR name requesting-user-name root\n \
             ATTR keyword which-jobs all\n \
             ATTR keyword requested-attributes job-id,job-state,job-state-reasons,job-name,job-originating-user-name,job-accounting-user-id,job-printer-uri\n \
             STATUS successful-ok\n}\n",
        )
        .unwrap();
        let o = Command::new(which("ipptool").unwrap())
            .arg("-tv")
            .arg(format!("ipp://{}/", self.host()))
            .arg(&test)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(o.status.success(), "ipptool Get-Jobs: {text}");
        let mut rows = Vec::new();
        let mut cur = JobRow::default();
        // The reply's attributes follow "status-code = ..."; jobs are
        // separated by "-- separator --".
        let reply = text.split("status-code =").nth(1).unwrap_or("");
        for line in reply.lines() {
            let line = line.trim();
            if line.starts_with("-- separator --") {
                rows.push(std::mem::take(&mut cur));
                continue;
            }
            let Some((k, v)) = line.split_once(" = ") else {
                continue;
            };
            let name = k.split_whitespace().next().unwrap_or("");
            let v = v.to_owned();
            match name {
                "job-id" => cur.id = v.parse().unwrap_or(0),
                "job-state" => cur.state = v,
                "job-state-reasons" => cur.reasons = v,
                "job-name" => cur.name = v,
                "job-originating-user-name" => cur.user = v,
                "job-accounting-user-id" => cur.accounting_user = v,
                "job-printer-uri" => cur.printer = v.rsplit('/').next().unwrap_or("").to_owned(),
                _ => {}
            }
        }
        if cur.id != 0 {
            rows.push(cur);
        }
        rows
    }

    /// The job with CUPS id `id`.
    pub fn job(&self, id: u32) -> JobRow {
        self.jobs()
            .into_iter()
            .find(|j| j.id == id)
            .unwrap_or_else(|| panic!("CUPS has no job {id}"))
    }

    /// Wait (at most 20 s) until job `id` is in `state`.
    pub fn wait_state(&self, id: u32, state: &str) -> JobRow {
        let start = Instant::now();
        loop {
            let j = self.job(id);
            if j.state == state {
                return j;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "job {id} stayed {j:?}, expected {state}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The access log so far.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log/access_log")).unwrap_or_default()
    }

    /// How many requests for IPP operation `op` (`Get-Jobs`) the access log
    /// shows from `from_line` on.
    pub fn count_requests(&self, op: &str, from_line: usize) -> usize {
        self.access_log()
            .lines()
            .skip(from_line)
            .filter(|l| l.split_whitespace().nth_back(1) == Some(op))
            .count()
    }

    pub fn access_log_lines(&self) -> usize {
        self.access_log().lines().count()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether cupsd is still running (it has not crashed).
    pub fn running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Kill cupsd at once (SIGKILL) and wait for it.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start cupsd again on the same directory and port, and make sure the
    /// queues exist (a killed cupsd may not have saved them).
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
        self.add_queues();
    }

    /// Stop cupsd cleanly (it saves its job cache), set the next job-id
    /// it will give, and start it again: jobs from then on are numbered
    /// from `next` (the RAP JobID wrap-around at 65535 without 65535 jobs).
    pub fn restart_with_next_job_id(&mut self, next: u32) {
        self.stop();
        let path = self.dir.join("cache/job.cache");
        let cache = std::fs::read_to_string(&path).unwrap();
        let edited: Vec<String> = cache
            .lines()
            .map(|l| {
                if l.starts_with("NextJobId ") {
                    format!("NextJobId {next}")
                } else {
                    l.to_owned()
                }
            })
            .collect();
        assert!(
            edited.iter().any(|l| l.starts_with("NextJobId ")),
            "{cache}"
        );
        std::fs::write(&path, edited.join("\n") + "\n").unwrap();
        self.spawn();
        self.add_queues();
    }

    /// Stop cupsd (SIGTERM, then SIGKILL after 10 s).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let start = Instant::now();
            while matches!(c.try_wait(), Ok(None)) {
                if start.elapsed() > Duration::from_secs(10) {
                    let _ = c.kill();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.wait();
        }
    }

    /// What cupsd wrote to its error log (for failure messages).
    pub fn error_log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("log/error_log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Cupsd {
    fn drop(&mut self) {
        self.stop();
        if std::env::var_os("MSRAP_KEEP_CUPSD").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn write_exec(p: &Path, text: &str) {
    std::fs::write(p, text).unwrap();
    set_mode(p, 0o755);
}
