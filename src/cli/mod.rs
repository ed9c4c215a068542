//! Subcommands of the `msrap` binary.

pub mod bench;
pub mod conform;
pub mod decode;
pub mod query;
pub mod serve;

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use msrap::oem::OemCodePage;
use msrap::smb1::client::tcp::{ClientConfig, SmbClient};
use msrap::smb1::Framing;

/// Errors a subcommand reports before exiting with status 2.
pub type CliError = Box<dyn std::error::Error + Send + Sync>;

/// Logs to stderr, filtered by `RUST_LOG` (default `msrap=info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("msrap=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
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
        ClientConfig {
            framing: if self.netbios {
                Framing::NetBios
            } else {
                Framing::DirectTcp
            },
            share: self.share.clone(),
            timeout: Duration::from_secs(self.timeout.max(1)),
            user: self.user.clone(),
            ..ClientConfig::default()
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
