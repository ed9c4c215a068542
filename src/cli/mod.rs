//! Subcommands of the `msrap` binary.

pub mod bench;
pub mod conform;
pub mod decode;
pub mod query;
pub mod serve;

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use msrap::codes::RapStatus;
use msrap::oem::OemCodePage;
use msrap::smb1::client::tcp::{ClientConfig, SmbClient};
use msrap::smb1::Framing;

/// Errors a subcommand reports before exiting with status 2.
pub type CliError = Box<dyn std::error::Error + Send + Sync>;

/// Logs to stderr, filtered by `RUST_LOG` (default `msrap=info`), in
/// colour only when [`use_colour`] says so.
pub fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("msrap=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(use_colour(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        ))
        .try_init();
}

/// Whether to write ANSI colour codes to stderr: only to a terminal, and
/// never when `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn use_colour(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// A RAP status as messages show it: the conventional spelling
/// ([`RapStatus::display_name`], `NERR_BufTooSmall`) and the number, the
/// same spelling as the command's normal output.
pub fn rap_status_text(s: RapStatus) -> String {
    match s.display_name() {
        Some(name) => format!("{name} ({})", s.0),
        None => format!("status {}", s.0),
    }
}

/// The host's current offset from UTC in seconds (east positive).
pub fn host_utc_offset_secs() -> i32 {
    use chrono::Offset;
    chrono::Local::now().offset().fix().local_minus_utc()
}

/// A tokio runtime for a subcommand.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// How to reach a server (query, conform, bench).
#[derive(Clone, Debug, Args)]
pub struct ConnArgs {
    /// The server, HOST:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    pub server: String,
    /// NetBIOS session service framing (send a session request first, as on port 139).
    #[arg(long, global = true)]
    pub netbios: bool,
    /// Share to connect the tree to.
    #[arg(long, default_value = "IPC$", global = true)]
    pub share: String,
    /// OEM code page of RAP strings.
    #[arg(long, default_value_t = msrap::oem::DEFAULT_CODE_PAGE, global = true)]
    pub codepage: u16,
    /// Seconds to wait for any answer.
    #[arg(long, default_value_t = 10, global = true)]
    pub timeout: u64,
    /// Log on as this user name, without a password (a guest session);
    /// default: anonymous (a null session).
    #[arg(long, default_value = "", global = true)]
    pub user: String,
}

impl ConnArgs {
    pub fn code_page(&self) -> Result<OemCodePage, CliError> {
        Ok(OemCodePage::new(self.codepage)?)
    }

    pub fn client_config(&self) -> ClientConfig {
        {
            let mut c = ClientConfig::default();
            c.framing = if self.netbios {
                Framing::NetBios
            } else {
                Framing::DirectTcp
            };
            c.share = self.share.clone();
            c.timeout = Duration::from_secs(self.timeout.max(1));
            c.user = self.user.clone();
            c
        }
    }
}

/// Resolve HOST:PORT.
pub async fn resolve(server: &str) -> Result<SocketAddr, CliError> {
    tokio::net::lookup_host(server)
        .await
        .map_err(|e| format!("cannot resolve {server}: {e}"))?
        .next()
        .ok_or_else(|| format!("{server} resolves to no address").into())
}

/// Connect, negotiate, anonymous session, tree connect.
pub async fn connect(c: &ConnArgs) -> Result<SmbClient, CliError> {
    let addr = resolve(&c.server).await?;
    Ok(SmbClient::connect(addr, c.client_config()).await?)
}

/// Write a line to stdout; a closed pipe (`msrap ... | head`) ends the
/// program quietly instead of panicking like `println!`.
pub fn out(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_fmt(line)
        .and_then(|()| stdout.write_all(b"\n"))
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("msrap: writing output: {e}");
        std::process::exit(2);
    }
}

/// `println!` through [`out`].
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::out(format_args!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some(OsStr::new(""))));
        assert!(!use_colour(true, Some(OsStr::new("1"))));
        assert!(!use_colour(false, None));
        assert!(!use_colour(false, Some(OsStr::new("1"))));
    }

    #[test]
    fn status_text_uses_the_conventional_spelling() {
        assert_eq!(
            rap_status_text(RapStatus::NERR_BUF_TOO_SMALL),
            "NERR_BufTooSmall (2123)"
        );
        assert_eq!(
            rap_status_text(RapStatus::ERROR_MORE_DATA),
            "ERROR_MORE_DATA (234)"
        );
        assert_eq!(rap_status_text(RapStatus(7)), "status 7");
    }
}
