//! Accept loop with a connection limit and accept back-off.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc, Semaphore};
use tracing::Instrument;

use super::connection::Handler;
use super::shutdown::Shutdown;
use super::ServerConfig;
use crate::smb1::{PipeHandler, PrintFileHandler, ServerParams, ShareCatalogue};

pub(super) struct Listener<H> {
    pub(super) listener: TcpListener,
    pub(super) limit: Arc<Semaphore>,
    pub(super) config: Arc<ServerConfig>,
    pub(super) params: Arc<ServerParams>,
    pub(super) handler: Arc<H>,
    pub(super) notify_shutdown: broadcast::Sender<()>,
    pub(super) shutdown_complete_tx: mpsc::Sender<()>,
}

impl<H: PipeHandler + ShareCatalogue + PrintFileHandler + Send + Sync + 'static> Listener<H> {
    pub(super) async fn run(&mut self) -> io::Result<()> {
        tracing::info!(addr = ?self.listener.local_addr().ok(), "listening");
        loop {
            // Wait for a free slot before accepting: excess clients queue in
            // the kernel backlog instead of costing us memory.
            let permit = Arc::clone(&self.limit)
                .acquire_owned()
                .await
                .map_err(|_| io::Error::other("connection semaphore closed"))?;
            let (socket, peer) = self.accept().await;
            let handler = Handler {
                socket,
                peer,
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
                    drop(permit);
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
