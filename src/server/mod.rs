//! tokio edge of the SMB1 server (`msrap serve`).
//!
//! A thin driver around the sans-IO [`crate::smb1::ServerConnection`]
//! (mini-redis layout): [`run`] takes a pre-bound listener, a
//! [`ServerConfig`], the RAP service and a shutdown future. Sockets, the
//! connection limit (a semaphore), idle timeouts and tracing live here;
//! protocol logic does not.

mod connection;
mod listener;
mod notice;
mod shutdown;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc, Semaphore};

use crate::codes::NtStatus;
use crate::rap::{RapOutcome, RapResponse, RapService, TransactionInput};
use crate::smb1::{Framing, Limits, ServerParams};

pub use shutdown::Shutdown;

/// Server settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// NetBIOS session service framing (port 139: a session request comes
    /// first); otherwise direct TCP (port 445).
    pub netbios: bool,
    /// Connections served at once; more wait in the accept backlog.
    pub max_connections: usize,
    /// A connection that completes no SMB message for this long is closed
    /// (a byte-at-a-time sender does not keep it alive).
    pub idle_timeout: Duration,
    /// Per-connection caps.
    pub limits: Limits,
    pub server_name: String,
    pub domain: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            netbios: false,
            max_connections: 256,
            idle_timeout: Duration::from_secs(120),
            limits: Limits::default(),
            server_name: "MSRAP".into(),
            domain: "WORKGROUP".into(),
        }
    }
}

impl ServerConfig {
    pub fn framing(&self) -> Framing {
        if self.netbios {
            Framing::NetBios
        } else {
            Framing::DirectTcp
        }
    }

    /// The sans-IO server parameters for this configuration.
    pub fn params(&self) -> ServerParams {
        ServerParams {
            server_name: self.server_name.clone(),
            domain: self.domain.clone(),
            limits: self.limits.clone(),
            ..ServerParams::default()
        }
    }
}

/// A RAP service shared by all connections.
pub type SharedService = Arc<dyn RapService + Send + Sync>;

/// Adapter so the sans-IO connection can own a handle to a shared service.
#[derive(Clone)]
pub struct ServiceHandle(pub SharedService);

impl std::fmt::Debug for ServiceHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServiceHandle")
    }
}

impl RapService for ServiceHandle {
    fn call(&self, input: &TransactionInput<'_>, out: &mut RapResponse) -> RapOutcome {
        self.0.call(input, out)
    }

    fn print_shares(&self) -> Vec<String> {
        self.0.print_shares()
    }
}

/// A service for which the RAP subsystem is unavailable: every transaction
/// fails with STATUS_NOT_IMPLEMENTED (MS-CIFS 3.3.5.57).
#[derive(Copy, Clone, Debug, Default)]
pub struct NoRap;

impl RapService for NoRap {
    fn call(&self, _: &TransactionInput<'_>, _: &mut RapResponse) -> RapOutcome {
        RapOutcome::FailTransaction(NtStatus::STATUS_NOT_IMPLEMENTED)
    }
}

/// Serves SMB1 on `listener` until `shutdown` completes, then stops
/// accepting, tells every connection to finish and waits for them.
///
/// Returns an error only if accepting fails for good.
pub async fn run(
    listener: TcpListener,
    config: ServerConfig,
    service: SharedService,
    shutdown: impl Future,
) -> io::Result<()> {
    let (notify_shutdown, _) = broadcast::channel(1);
    let (shutdown_complete_tx, mut shutdown_complete_rx) = mpsc::channel::<()>(1);
    let mut server = listener::Listener {
        limit: Arc::new(Semaphore::new(config.max_connections.max(1))),
        params: Arc::new(config.params()),
        config: Arc::new(config),
        listener,
        service,
        notify_shutdown,
        shutdown_complete_tx,
    };
    let result = tokio::select! {
        res = server.run() => res,
        _ = shutdown => {
            tracing::info!("shutting down");
            Ok(())
        }
    };
    let listener::Listener {
        notify_shutdown,
        shutdown_complete_tx,
        ..
    } = server;
    drop(notify_shutdown);
    drop(shutdown_complete_tx);
    let _ = shutdown_complete_rx.recv().await;
    result
}
