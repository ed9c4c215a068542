//! `msrap serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::CliError;
use msrap::oem::OemCodePage;
use msrap::rap::{Profile, RapConfig, RapServer};
use msrap::server::{run as serve, PrintServer, ServerConfig, SpoolConfig, SpoolDir};
use msrap::spool::cups::{self, CupsConfig, CupsSpooler};
use msrap::spool::{
    jobs_file, sample, ControlPolicy, JobControlPolicy, MemorySpooler, PrinterStatus, Spooler,
};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:1445")]
    pub listen: SocketAddr,
    /// NetBIOS session service framing (expect a session request first, as on port 139).
    #[arg(long)]
    pub netbios: bool,
    /// Print queues and jobs from a TOML file (see README); default: the built-in sample queue.
    #[arg(long, value_name = "FILE")]
    pub jobs: Option<PathBuf>,
    /// Behaviour profile: `spec` (the letter of MS-RAP) or `windows` (its product-behaviour notes).
    #[arg(long, default_value = "spec", value_parser = parse_profile)]
    pub profile: Profile,
    /// OEM code page of RAP strings (437, 850, 858, 866, 932, 936, 949, 950, 125x...).
    #[arg(long, default_value_t = msrap::oem::DEFAULT_CODE_PAGE)]
    pub codepage: u16,
    /// The server's offset from UTC in minutes, east positive, for TimeSubmitted; default: the host's.
    #[arg(long, value_name = "MIN", allow_hyphen_values = true)]
    pub utc_offset: Option<i32>,
    /// Connections served at once (1 to 1000000). At the limit a newcomer is
    /// not kept waiting: the connection idle longest without an SMB session
    /// (else idle longest overall) is closed to make room.
    #[arg(long, default_value_t = 256, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_CONNECTIONS))]
    pub max_connections: usize,
    /// Connections served at once from one address (an IPv6 /64); at this
    /// cap a newcomer makes room among that address's own connections.
    /// Default: half of --max-connections.
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_CONNECTIONS))]
    pub max_connections_per_source: Option<usize>,
    /// Close a connection that has no SMB session (NEGOTIATE and
    /// SESSION_SETUP done) this many seconds after it was accepted (1 to 3600).
    #[arg(long, default_value_t = 10, value_name = "S", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub handshake_timeout: u64,
    /// Close a connection idle for this many seconds (1 to 31536000, a year).
    #[arg(long, default_value_t = 120, value_name = "S", value_parser = clap::value_parser!(u64).range(1..=MAX_IDLE_TIMEOUT_SECS))]
    pub idle_timeout: u64,
    /// The machine name: the SMB server name and RpcOpenPrinter's server name.
    #[arg(long, default_value = "MSRAP")]
    pub machine_name: String,
    /// Who may pause, resume, delete or rename a job, for queues whose jobs
    /// file sets no `control`: `owner` (the session's user is the job's
    /// user, or an operator; anonymous sessions never), `anyone`, or
    /// `operators`.
    #[arg(long, default_value = "owner", value_parser = parse_control)]
    pub control: JobControlPolicy,
    /// A queue operator (repeatable), for queues whose jobs file sets no
    /// `operators`: controls every job and the queue itself (pause, resume,
    /// purge), which nobody else may.
    #[arg(long = "operator", value_name = "USER")]
    pub operators: Vec<String>,
    /// The workgroup (or domain): the SMB DomainName and the LanGroup of
    /// NetWkstaGetInfo.
    #[arg(long, default_value = "WORKGROUP")]
    pub workgroup: String,
    /// The server comment NetServerGetInfo level 1 reports.
    #[arg(long, default_value = "msrap")]
    pub comment: String,
    /// Serve CUPS's printers instead of a jobs file: `ipp://HOST[:PORT]`
    /// (plain HTTP, meant for loopback) or the path of CUPS's Unix socket.
    /// Every CUPS printer is a print share and RAP queue, under --control
    /// and --operator.
    #[arg(long, value_name = "URL", conflicts_with = "jobs")]
    pub cups: Option<String>,
    /// The CUPS user msrap presents (requesting-user-name) on every
    /// request: an existing account (root, or a member of CUPS's
    /// SystemGroup, sees every job's owner and name). The SMB user is
    /// recorded in each job msrap submits, never sent as the CUPS user.
    #[arg(long, value_name = "NAME", default_value = "root", requires = "cups")]
    pub cups_user: String,
    /// How long a CUPS answer (Get-Jobs, CUPS-Get-Printers) is reused, in
    /// milliseconds (0 to 3600000): CUPS sees at most one such request per
    /// interval, however many clients poll.
    #[arg(long, value_name = "MS", default_value_t = 1000, requires = "cups", value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    pub cups_cache_ms: u64,
    /// The longest an exchange with CUPS may take, in milliseconds (1 to
    /// 600000); a CUPS that is down or slower answers RAP with
    /// ERROR_NOT_READY (21).
    #[arg(long, value_name = "MS", default_value_t = 5000, requires = "cups", value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub cups_timeout_ms: u64,
    /// Where print files are spooled while they arrive, and where queues
    /// with `keep_data` keep them (created mode 0700 if missing; must
    /// belong to this user; spool files a previous run left are removed at
    /// start); default: msrap-spool in the system's temporary directory.
    #[arg(long, value_name = "DIR")]
    pub spool_dir: Option<PathBuf>,
    /// The largest print job accepted, in bytes (K, M, G, T suffixes:
    /// powers of 1024); beyond, the write fails as on a full disk
    /// (STATUS_DISK_FULL) and the job and its file are dropped.
    #[arg(long, value_name = "BYTES", default_value = "256M", value_parser = parse_size)]
    pub max_job_size: u64,
    /// The most bytes all print jobs being received may hold together
    /// (same suffixes); beyond, as for --max-job-size.
    #[arg(long, value_name = "BYTES", default_value = "1G", value_parser = parse_size)]
    pub max_spool: u64,
    /// The most print files open at once over all connections (each
    /// gathers up to 256 KiB of writes in memory); one more open fails
    /// with STATUS_INSUFF_SERVER_RESOURCES (ERRDOS/ERRnomem).
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=65535))]
    pub max_print_files: usize,
}

/// A byte count: digits, optionally followed by K, M, G or T (powers of
/// 1024, case-insensitive, an optional trailing `B` or `iB`); at least 1.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix("ib"))
        .or_else(|| t.strip_suffix(['B', 'b']))
        .unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => {
                    return Err(format!(
                        "{s:?} is not a size (bytes, or a number with K, M, G or T)"
                    ))
                }
            };
            (t.get(..i).unwrap_or_default(), shift)
        }
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size (bytes, or a number with K, M, G or T)"))?;
    let bytes = n
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))?;
    if bytes == 0 {
        return Err("a limit of 0 bytes would refuse every print job (the least is 1)".into());
    }
    Ok(bytes)
}

fn parse_control(s: &str) -> Result<JobControlPolicy, String> {
    match s.to_ascii_lowercase().as_str() {
        "owner" => Ok(JobControlPolicy::Owner),
        "anyone" => Ok(JobControlPolicy::Anyone),
        "operators" => Ok(JobControlPolicy::Operators),
        _ => Err(format!(
            "unknown control policy {s:?} (use owner, anyone or operators)"
        )),
    }
}

/// Upper bound of `--max-connections`: far beyond any file-descriptor limit,
/// far below what the connection semaphore can count.
const MAX_CONNECTIONS: u64 = 1_000_000;
/// Upper bound of `--idle-timeout`: one year (a deadline must stay a
/// representable instant).
const MAX_IDLE_TIMEOUT_SECS: u64 = 365 * 24 * 3600;

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::by_name(s).ok_or_else(|| format!("unknown profile {s:?} (use spec or windows)"))
}

pub fn run(a: ServeArgs) -> Result<ExitCode, CliError> {
    let code_page = OemCodePage::new(a.codepage)?;
    if let Some(bad) = a.operators.iter().find(|o| o.trim().is_empty()) {
        return Err(format!("--operator {bad:?} is not a user name").into());
    }
    let defaults = ControlPolicy {
        jobs: a.control,
        operators: a.operators.clone(),
    };
    let utc_offset_secs = match a.utc_offset {
        Some(min) => min
            .checked_mul(60)
            .filter(|s| s.abs() <= 18 * 3600)
            .ok_or("--utc-offset must be within ±1080 minutes")?,
        None => super::host_utc_offset_secs(),
    };
    let mut rap_config = RapConfig::default();
    rap_config.profile = a.profile;
    rap_config.code_page = code_page;
    rap_config.utc_offset_secs = utc_offset_secs;
    rap_config.machine_name = a.machine_name.clone();
    rap_config.workgroup = a.workgroup.clone();
    rap_config.server_comment = a.comment.clone();
    let config = server_config(&a)?;
    // Print files go to the spool directory whichever spooler takes them.
    let spool = spool_dir(&a)?;
    if let Some(url) = a.cups.clone() {
        let spooler = cups_spooler(&a, &url, defaults)?;
        return super::runtime()?.block_on(async move {
            let queues = match spooler.refresh().await {
                Ok(names) if names.is_empty() => "none (CUPS has no printer)".to_owned(),
                Ok(names) => names.join(", "),
                Err(e) => {
                    tracing::warn!(
                        "CUPS at {url} did not answer ({e:?}): serving; its queues appear once it answers"
                    );
                    "none yet (CUPS did not answer)".to_owned()
                }
            };
            let queues = format!(
                "CUPS {} as {:?} (cache {} ms, timeout {} ms): {queues}",
                url,
                spooler.user(),
                a.cups_cache_ms,
                a.cups_timeout_ms
            );
            listen(&a, config, RapServer::new(rap_config, spooler), spool, queues).await
        });
    }
    let spooler = match &a.jobs {
        Some(path) => jobs_file::load_jobs_file_with(path, &defaults)?,
        // The sample queues set no policy of their own.
        None => MemorySpooler::new(
            sample::sample_queues()
                .into_iter()
                .map(|q| msrap::spool::Queue {
                    policy: defaults.clone(),
                    ..q
                })
                .collect(),
        ),
    };
    // Queues with `keep_data` keep their print files' data under the spool directory.
    let spooler = spooler
        .with_data_dir(spool.dir())
        .with_clock(msrap::server::print::system_clock);
    let queues = describe(&spooler);
    if let (Some(path), true) = (&a.jobs, spooler.queues().is_empty()) {
        tracing::warn!(
            "{}: no [[queue]] in this jobs file: only IPC$ is served, every print request will fail",
            path.display()
        );
    }
    let rap = RapServer::new(rap_config, spooler);
    super::runtime()?.block_on(listen(&a, config, rap, spool, queues))
}

/// The spool directory `--spool-dir` names (or the default), opened, with
/// what a previous run left removed.
fn spool_dir(a: &ServeArgs) -> Result<SpoolDir, CliError> {
    let mut config = SpoolConfig::default();
    config.dir = a.spool_dir.clone().unwrap_or_else(SpoolConfig::default_dir);
    config.max_job_size = a.max_job_size;
    config.max_spool = a.max_spool;
    config.max_open_jobs = a.max_print_files;
    let spool = SpoolDir::open(config)?;
    if spool.leftovers_removed() > 0 {
        tracing::info!(
            "{}: removed {} spool file(s) a previous run left behind",
            spool.dir().display(),
            spool.leftovers_removed()
        );
    }
    Ok(spool)
}

/// The CUPS spooler `--cups URL` and its settings describe.
fn cups_spooler(a: &ServeArgs, url: &str, policy: ControlPolicy) -> Result<CupsSpooler, CliError> {
    let endpoint = cups::client::Endpoint::parse(url).map_err(|e| format!("--cups {e}"))?;
    if a.cups_user.trim().is_empty() || a.cups_user.contains(char::is_control) {
        return Err(format!("--cups-user {:?} is not a user name", a.cups_user).into());
    }
    let mut config = CupsConfig::new(endpoint);
    config.user = a.cups_user.clone();
    config.cache = Duration::from_millis(a.cups_cache_ms);
    config.timeout = Duration::from_millis(a.cups_timeout_ms);
    config.policy = policy;
    Ok(CupsSpooler::new(config)?)
}

/// The connection settings of `a`, checked.
fn server_config(a: &ServeArgs) -> Result<ServerConfig, CliError> {
    let max_connections_per_source = match a.max_connections_per_source {
        Some(n) if n > a.max_connections => {
            return Err(format!(
                "--max-connections-per-source {n} is more than --max-connections {}",
                a.max_connections
            )
            .into())
        }
        Some(n) => n,
        None => a.max_connections.div_ceil(2),
    };
    Ok({
        let mut c = ServerConfig::default();
        c.netbios = a.netbios;
        c.max_connections = a.max_connections;
        c.max_connections_per_source = max_connections_per_source;
        c.handshake_timeout = Duration::from_secs(a.handshake_timeout);
        c.idle_timeout = Duration::from_secs(a.idle_timeout);
        c.server_name = a.machine_name.clone();
        c.domain = a.workgroup.clone();
        c
    })
}

/// Listen and serve `rap`, and print files spooled in `spool` for its
/// spooler, until Ctrl-C or SIGTERM.
async fn listen<S: Spooler + 'static>(
    a: &ServeArgs,
    config: ServerConfig,
    rap: RapServer<S>,
    spool: SpoolDir,
    queues: String,
) -> Result<ExitCode, CliError> {
    let listener =
        msrap::server::bind(a.listen).map_err(|e| format!("cannot listen on {}: {e}", a.listen))?;
    let local = listener.local_addr()?;
    eprintln!(
        "msrap: serving SMB1 on {local} ({}), profile {}, code page {}, UTC offset {} min; queues: {queues}",
        if a.netbios { "NetBIOS session service" } else { "direct TCP" },
        a.profile.name,
        rap.config().code_page.number(),
        rap.config().utc_offset_secs / 60,
    );
    eprintln!(
        "msrap: print files spooled in {} (at most {} bytes a job, {} in all, {} files open at once)",
        spool.dir().display(),
        a.max_job_size,
        a.max_spool,
        a.max_print_files,
    );
    // The RAP server is the `\PIPE\LANMAN` pipe handler, its queues the
    // printer shares; print files go to the same spooler.
    serve(
        listener,
        config,
        Arc::new(PrintServer::new(rap, spool)),
        shutdown_signal(),
    )
    .await?;
    eprintln!("msrap: stopped");
    Ok(ExitCode::SUCCESS)
}

/// One line per queue: name, jobs, state, who controls it.
fn describe(s: &MemorySpooler) -> String {
    let snapshot = s.snapshot();
    if snapshot.is_empty() {
        return "none".into();
    }
    snapshot
        .iter()
        .map(|p| {
            let n = p.jobs.len();
            let control = match p.policy.jobs {
                JobControlPolicy::Owner => "owner",
                JobControlPolicy::Anyone => "anyone",
                JobControlPolicy::Operators => "operators",
            };
            let data = match s.queue_data_dir(&p.name) {
                Some(dir) => format!(", print data kept in {}", dir.display()),
                None => String::new(),
            };
            format!(
                "{} ({n} job{}{}, printer {:?}, port {:?}, control {control}, operators [{}]{data})",
                p.name,
                if n == 1 { "" } else { "s" },
                if p.info.status.contains(PrinterStatus::PAUSED) {
                    ", paused"
                } else {
                    ""
                },
                p.info.printer_name.as_deref().unwrap_or(""),
                p.info.port_name.as_deref().unwrap_or(""),
                p.policy.operators.join(", "),
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
