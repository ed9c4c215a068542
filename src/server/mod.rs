//! tokio edge of the SMB1 server (`msrap serve`).
//!
//! A thin driver around the sans-IO [`crate::smb1::ServerConnection`]
//! (mini-redis layout): [`run`] takes a pre-bound listener, a
//! [`ServerConfig`], the handler (pipes, shares and print files), and a
//! shutdown future. Sockets, who holds a connection slot (the limits and
//! eviction, `admission`), timeouts, awaiting the handler's answers and
//! tracing live here; protocol logic does not. [`print`](mod@print) is the edge's
//! print-file handler: the spool directory and [`PrintServer`], RAP plus
//! print files over a spooler.
//!
//! Each connection is one task. While a call waits for the handler (a
//! pipe transaction, a print file's write...), that task awaits the
//! handler's future and reads nothing more from its socket (TCP flow
//! control holds the client back; frames already read wait in the
//! connection's frame buffer); every other connection is served meanwhile.
//! When a connection ends, the print files it left open are aborted.

mod admission;
mod connection;
mod listener;
mod notice;
pub mod print;
mod shutdown;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{broadcast, mpsc};

use crate::smb1::{Framing, Limits, PipeHandler, PrintFileHandler, ServerParams, ShareCatalogue};

pub use print::{PrintServer, SpoolConfig, SpoolDir};

/// Server settings.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// NetBIOS session service framing (port 139: a session request comes
    /// first); otherwise direct TCP (port 445).
    pub netbios: bool,
    /// Connections served at once. A newcomer is never left waiting: at
    /// the limit the connection idle longest among those without an SMB
    /// session (else the one idle longest overall; never one waiting for
    /// the pipe handler) is closed to make room.
    pub max_connections: usize,
    /// Connections served at once from one source address (an IPv6 /64);
    /// at this cap a newcomer makes room among its own source's
    /// connections only, so one address cannot push others out. At most
    /// `max_connections`.
    pub max_connections_per_source: usize,
    /// A connection without an SMB session this long after it was accepted
    /// (NEGOTIATE and SESSION_SETUP not done) is closed, however busy it
    /// keeps the socket.
    pub handshake_timeout: Duration,
    /// A connection that completes no SMB message for this long is closed
    /// (a byte-at-a-time sender does not keep it alive). Time spent waiting
    /// for the pipe handler does not count: the client is not idle then.
    pub idle_timeout: Duration,
    /// How long one pipe call may take; a handler that has not answered by
    /// then gets its call abandoned and the connection closed (SMB1 has no
    /// way to cancel one transaction; the client sees the connection drop).
    /// `None`: wait as long as the handler takes (shutdown still ends the
    /// wait).
    pub handler_timeout: Option<Duration>,
    /// Per-connection caps.
    pub limits: Limits,
    /// NetBIOS/host name ([`ServerParams::server_name`]).
    pub server_name: String,
    /// Workgroup or domain ([`ServerParams::domain`]).
    pub domain: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            netbios: false,
            max_connections: 256,
            max_connections_per_source: 128,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            handler_timeout: Some(Duration::from_secs(60)),
            limits: Limits::default(),
            server_name: "MSRAP".into(),
            domain: "WORKGROUP".into(),
        }
    }
}

impl ServerConfig {
    /// The stream framing `netbios` selects.
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

/// The accept backlog [`bind`] asks for (the kernel caps it, on Linux at
/// `net.core.somaxconn`, 4096 by default). Connections are accepted as fast
/// as they come and never wait for a slot, but a flood of connects can
/// outrun the accept loop for a moment; a SYN that finds the backlog full
/// is dropped and the client retries a second later, so a deep backlog
/// keeps a well-behaved client's connect prompt during a flood.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds a listener for [`run`] on `addr` with [`LISTEN_BACKLOG`] (and
/// `SO_REUSEADDR`, as tokio's `TcpListener::bind`). Call it inside a tokio
/// runtime.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves SMB1 on `listener` until `shutdown` completes, then stops
/// accepting, tells every connection to finish and waits for them.
///
/// Transactions go to `handler` (its pipes), TREE_CONNECT asks it for
/// shares besides `IPC$`, print files on its printer shares go to it too;
/// each handler future is awaited inside its connection's task.
///
/// Returns an error only if accepting fails for good.
pub async fn run<H>(
    listener: TcpListener,
    config: ServerConfig,
    handler: Arc<H>,
    shutdown: impl Future,
) -> io::Result<()>
where
    H: PipeHandler + ShareCatalogue + PrintFileHandler + Send + Sync + 'static,
{
    let (notify_shutdown, _) = broadcast::channel(1);
    let (shutdown_complete_tx, mut shutdown_complete_rx) = mpsc::channel::<()>(1);
    let mut server = listener::Listener {
        admission: Arc::new(admission::Admission::new(
            config.max_connections,
            config.max_connections_per_source,
        )),
        clock: tokio::time::Instant::now(),
        params: Arc::new(config.params()),
        config: Arc::new(config),
        listener,
        handler,
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
