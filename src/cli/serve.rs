//! `msrap serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::CliError;
use msrap::oem::OemCodePage;
use msrap::rap::{Profile, RapServer, ServerConfig as RapConfig};
use msrap::server::{run as serve, ServerConfig};
use msrap::spool::{jobs_file, sample, MemorySpooler};

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
    /// Connections served at once.
    #[arg(long, default_value_t = 256)]
    pub max_connections: usize,
    /// Close a connection idle for this many seconds.
    #[arg(long, default_value_t = 120, value_name = "S")]
    pub idle_timeout: u64,
    /// The machine name: the SMB server name and RpcOpenPrinter's server name.
    #[arg(long, default_value = "MSRAP")]
    pub machine_name: String,
    /// The workgroup (or domain): the SMB DomainName and the LanGroup of
    /// NetWkstaGetInfo.
    #[arg(long, default_value = "WORKGROUP")]
    pub workgroup: String,
    /// The server comment NetServerGetInfo level 1 reports.
    #[arg(long, default_value = "msrap")]
    pub comment: String,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::by_name(s).ok_or_else(|| format!("unknown profile {s:?} (use spec or windows)"))
}

pub fn run(a: ServeArgs) -> Result<ExitCode, CliError> {
    let code_page = OemCodePage::new(a.codepage)?;
    let spooler = match &a.jobs {
        Some(path) => jobs_file::load_jobs_file(path)?,
        None => sample::sample_spooler(),
    };
    let utc_offset_secs = match a.utc_offset {
        Some(min) => min
            .checked_mul(60)
            .filter(|s| s.abs() <= 18 * 3600)
            .ok_or("--utc-offset must be within ±1080 minutes")?,
        None => super::host_utc_offset_secs(),
    };
    let queues = describe(&spooler);
    let rap = RapServer::new(
        RapConfig {
            profile: a.profile,
            code_page,
            utc_offset_secs,
            machine_name: a.machine_name.clone(),
            workgroup: a.workgroup.clone(),
            server_comment: a.comment.clone(),
            ..RapConfig::default()
        },
        spooler,
    );
    let config = ServerConfig {
        netbios: a.netbios,
        max_connections: a.max_connections,
        idle_timeout: Duration::from_secs(a.idle_timeout),
        server_name: a.machine_name.clone(),
        domain: a.workgroup.clone(),
        ..ServerConfig::default()
    };
    super::runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.listen).await.map_err(|e| format!("cannot listen on {}: {e}", a.listen))?;
        let local = listener.local_addr()?;
        eprintln!(
            "msrap: serving SMB1 on {local} ({}), profile {}, code page {}, UTC offset {} min; queues: {queues}",
            if a.netbios { "NetBIOS session service" } else { "direct TCP" },
            a.profile.name,
            code_page.number(),
            utc_offset_secs / 60,
        );
        // The RAP server is the `\PIPE\LANMAN` pipe handler, its queues the printer shares.
        serve(listener, config, Arc::new(rap), shutdown_signal()).await?;
        eprintln!("msrap: stopped");
        Ok::<_, CliError>(ExitCode::SUCCESS)
    })
}

fn describe(s: &MemorySpooler) -> String {
    s.queues()
        .into_iter()
        .map(|(name, jobs)| {
            format!(
                "{} ({} job{})",
                name,
                jobs.len(),
                if jobs.len() == 1 { "" } else { "s" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
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
