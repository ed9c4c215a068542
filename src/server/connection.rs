//! One TCP connection: socket I/O, the handshake, idle and handler
//! timeouts, eviction, shutdown, tracing around the sans-IO
//! [`ServerConnection`], the handler's futures awaited when the connection
//! reports a call (a pipe transaction, a print file's open, write, close or
//! abort), and the print files still open when the connection ends aborted.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};
use tracing::Instrument;

use super::admission::{Admission, Slot};
use super::listener::millis_since;
use super::shutdown::Shutdown;
use super::ServerConfig;
use crate::smb1::{PipeHandler, PrintFileHandler, ServerConnection, ServerParams, ShareCatalogue};

/// Read chunk size; also bounds what one read can add to the frame buffer.
const READ_CHUNK: usize = 16 * 1024;

pub(super) struct Handler<H> {
    pub(super) socket: TcpStream,
    pub(super) peer: SocketAddr,
    /// This connection's slot in `admission`, given back on drop.
    pub(super) slot: Arc<Slot>,
    pub(super) admission: Arc<Admission>,
    /// The zero of the admission table's clock.
    pub(super) clock: Instant,
    pub(super) config: Arc<ServerConfig>,
    pub(super) params: Arc<ServerParams>,
    pub(super) handler: Arc<H>,
    pub(super) shutdown: Shutdown,
    pub(super) _shutdown_complete: mpsc::Sender<()>,
}

/// How long the print files left open by a connection that ended may take
/// to abort, all together.
const ABORT_TIMEOUT: Duration = Duration::from_secs(30);

impl<H: PipeHandler + ShareCatalogue + PrintFileHandler + Send + Sync + 'static> Handler<H> {
    pub(super) async fn run(mut self) -> io::Result<()> {
        tracing::debug!(peer = %self.peer, "accepted");
        let mut conn = ServerConnection::new(
            Arc::clone(&self.handler),
            Arc::clone(&self.params),
            self.config.framing(),
            challenge(),
        );
        let result = self.serve(&mut conn).await;
        // Whatever ended the connection, no print file survives it: each
        // open one is aborted (its job removed, its spool file deleted).
        let files = conn.connection_mut().take_print_files();
        if !files.is_empty() {
            tracing::debug!(files = files.len(), "aborting the print files left open");
            let handler = &self.handler;
            let aborts = async {
                for f in files {
                    handler.abort_print_file(f).await;
                }
            };
            if tokio::time::timeout(ABORT_TIMEOUT, aborts).await.is_err() {
                tracing::warn!("aborting the print files of a closed connection timed out");
            }
        }
        result
    }

    async fn serve(&mut self, conn: &mut ServerConnection<Arc<H>>) -> io::Result<()> {
        let mut buf = vec![0u8; READ_CHUNK];
        let mut out = BytesMut::new();
        let idle = self.config.idle_timeout;
        let mut deadline = Instant::now() + idle;
        // Until the client has a session; then never again (a client that
        // logs off is bounded by the idle timeout and eviction).
        let mut handshake = Some(Instant::now() + self.config.handshake_timeout);
        loop {
            // A call is outstanding: wait for the handler, not for the
            // client (nothing more is read meanwhile; the idle timeout does
            // not run, the handler timeout does).
            let result = if let Some(call) = conn.poll_call() {
                let header = call.header().copied().unwrap_or_default();
                let span = tracing::debug_span!(
                    "call",
                    what = call.describe(),
                    uid = header.uid,
                    tid = header.tid,
                    mid = header.mid,
                );
                let limit = self.config.handler_timeout.map(|t| Instant::now() + t);
                self.slot.set_busy(true);
                let outcome = tokio::select! {
                    o = call.run().instrument(span.clone()) => o,
                    _ = sleep_until_opt(limit) => {
                        span.in_scope(|| tracing::warn!("the handler timed out; closing the connection"));
                        return Ok(());
                    }
                    _ = self.shutdown.recv() => {
                        tracing::debug!("shutdown while a call was outstanding");
                        return Ok(());
                    }
                };
                // The answer is activity: the client waited, it was not idle.
                self.slot.touch(millis_since(self.clock));
                self.slot.set_busy(false);
                // Frames that waited behind the call are processed next.
                conn.connection_mut().set_system_time(filetime_now());
                let r = conn.answer(outcome, &mut out);
                deadline = Instant::now() + idle;
                r.map(|_| ())
            } else {
                let n = tokio::select! {
                    r = self.socket.read(&mut buf) => r?,
                    _ = sleep_until(deadline) => {
                        tracing::debug!("idle timeout");
                        return Ok(());
                    }
                    _ = sleep_until_opt(handshake) => {
                        tracing::debug!("no session within the handshake timeout");
                        return Ok(());
                    }
                    _ = self.slot.evicted() => {
                        tracing::debug!("evicted to make room for a new connection");
                        return Ok(());
                    }
                    _ = self.shutdown.recv() => {
                        tracing::debug!("shutdown");
                        return Ok(());
                    }
                };
                if n == 0 {
                    tracing::debug!("peer closed");
                    return Ok(());
                }
                conn.connection_mut().set_system_time(filetime_now());
                let r = conn.receive(buf.get(..n).unwrap_or(&[]), &mut out);
                // Only whole messages count as activity.
                if matches!(r, Ok(frames) if frames > 0) {
                    deadline = Instant::now() + idle;
                    self.slot.touch(millis_since(self.clock));
                }
                r.map(|_| ())
            };
            let session = conn.connection().sessions().next().is_some();
            self.slot.set_session(session);
            if session {
                handshake = None;
            }
            log_events(conn);
            if !out.is_empty() {
                tokio::select! {
                    r = self.socket.write_all(&out) => r?,
                    _ = sleep_until(deadline) => {
                        tracing::debug!("write timeout");
                        return Ok(());
                    }
                    _ = self.slot.evicted() => {
                        tracing::debug!("evicted while writing");
                        return Ok(());
                    }
                }
                out.clear();
            }
            if let Err(e) = result {
                super::notice::connection_closed(self.peer, &e);
                let _ = self.socket.shutdown().await;
                return Ok(());
            }
        }
    }
}

impl<H> Drop for Handler<H> {
    /// Gives the slot back however the connection ends.
    fn drop(&mut self) {
        self.admission.release(&self.slot);
    }
}

/// Sleeps until `at`, or forever.
async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One debug line per handled request, in a span with its identifiers.
fn log_events<H: PipeHandler + ShareCatalogue + PrintFileHandler>(
    conn: &mut ServerConnection<Arc<H>>,
) {
    for e in conn.connection_mut().take_events() {
        let span = tracing::debug_span!(
            "request",
            command = ?e.command,
            uid = e.uid,
            tid = e.tid,
            pid = e.pid,
            mid = e.mid,
            opcode = e.rap_opcode,
        );
        let _g = span.enter();
        tracing::debug!(status = ?e.status, params = e.response_bytes.0, data = e.response_bytes.1, "handled");
    }
}

/// Current time as a FILETIME (100 ns intervals since 1601-01-01 UTC).
fn filetime_now() -> u64 {
    const EPOCH_DIFF_SECS: u64 = 11_644_473_600;
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    d.as_secs()
        .saturating_add(EPOCH_DIFF_SECS)
        .saturating_mul(10_000_000)
        .saturating_add(u64::from(d.subsec_nanos() / 100))
}

/// An 8-byte challenge, unpredictable per process (std's randomly keyed
/// SipHash over a counter). Not a CSPRNG: fine while challenges are not
/// verified; real authentication must switch to an OS random source.
fn challenge() -> [u8; 8] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    RandomState::new().hash_one(n).to_le_bytes()
}
