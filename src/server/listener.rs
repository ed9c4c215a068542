//! Accept loop: every connection is accepted at once and given a slot by
//! the admission table (which may close another to make room), with accept
//! back-off.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;
use tracing::Instrument;

use super::admission::{Admission, Admitted, Limit};
use super::connection::Handler;
use super::shutdown::Shutdown;
use super::ServerConfig;
use crate::smb1::{PipeHandler, PrintFileHandler, ServerParams, ShareCatalogue};

/// At most one warning per this many milliseconds that a limit was hit.
const LIMIT_WARNING_EVERY_MS: u64 = 10_000;

pub(super) struct Listener<H> {
    pub(super) listener: TcpListener,
    pub(super) admission: Arc<Admission>,
    /// The zero of the admission table's clock.
    pub(super) clock: Instant,
    pub(super) config: Arc<ServerConfig>,
    pub(super) params: Arc<ServerParams>,
    pub(super) handler: Arc<H>,
    pub(super) notify_shutdown: broadcast::Sender<()>,
    pub(super) shutdown_complete_tx: mpsc::Sender<()>,
}

/// Milliseconds since `clock`.
pub(super) fn millis_since(clock: Instant) -> u64 {
    u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl<H: PipeHandler + ShareCatalogue + PrintFileHandler + Send + Sync + 'static> Listener<H> {
    pub(super) async fn run(&mut self) -> io::Result<()> {
        tracing::info!(addr = ?self.listener.local_addr().ok(), "listening");
        // Evictions since the last warning, and when that was.
        let mut evictions = 0u64;
        let mut last_warning = None;
        loop {
            let (socket, peer) = self.accept().await;
            let now = millis_since(self.clock);
            let slot = match self.admission.admit(peer.ip(), now) {
                Admitted::Yes { slot, evicted } => {
                    if let Some((_, limit)) = evicted {
                        evictions += 1;
                        tracing::debug!(%peer, ?limit, "closed the longest-idle connection to make room");
                        if warn_due(&mut last_warning, now) {
                            tracing::warn!(
                                "{}: closed {evictions} idle connection(s) to make room for new clients (latest for {peer})",
                                limit_text(limit, &self.config),
                            );
                            evictions = 0;
                        }
                    }
                    slot
                }
                Admitted::No(limit) => {
                    tracing::debug!(%peer, ?limit, "refused: every candidate connection is waiting for the pipe handler");
                    if warn_due(&mut last_warning, now) {
                        tracing::warn!(
                            "{}: refused a connection from {peer}, every other connection is busy",
                            limit_text(limit, &self.config),
                        );
                    }
                    drop(socket);
                    continue;
                }
            };
            let handler = Handler {
                socket,
                peer,
                slot,
                admission: Arc::clone(&self.admission),
                clock: self.clock,
                config: Arc::clone(&self.config),
                params: Arc::clone(&self.params),
                handler: Arc::clone(&self.handler),
                shutdown: Shutdown::new(self.notify_shutdown.subscribe()),
                _shutdown_complete: self.shutdown_complete_tx.clone(),
            };
            let span = tracing::info_span!("connection", %peer);
            tokio::spawn(
                async move {
                    if let Err(e) = handler.run().await {
                        tracing::debug!(error = %e, "connection ended with an I/O error");
                    }
                }
                .instrument(span),
            );
        }
    }

    /// Accepts, backing off exponentially (1 ms to 1 s) on errors such as
    /// EMFILE instead of spinning or giving up.
    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        let mut backoff = Duration::from_millis(1);
        loop {
            match self.listener.accept().await {
                Ok(pair) => return pair,
                Err(e) => {
                    tracing::warn!(error = %e, ?backoff, "accept failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                }
            }
        }
    }
}

/// Whether a limit warning may be logged at `now` (and records it).
fn warn_due(last: &mut Option<u64>, now: u64) -> bool {
    if last.is_some_and(|prev| now.saturating_sub(prev) < LIMIT_WARNING_EVERY_MS) {
        return false;
    }
    *last = Some(now);
    true
}

fn limit_text(limit: Limit, config: &ServerConfig) -> String {
    match limit {
        Limit::Total => format!(
            "connection limit reached (--max-connections {})",
            config.max_connections
        ),
        Limit::PerSource => format!(
            "per-source connection limit reached (--max-connections-per-source {})",
            config
                .max_connections_per_source
                .min(config.max_connections)
        ),
    }
}
