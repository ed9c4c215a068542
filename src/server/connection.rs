//! One TCP connection: socket I/O, idle timeout, shutdown, tracing around
//! the sans-IO [`ServerConnection`].

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

use super::shutdown::Shutdown;
use super::{ServerConfig, ServiceHandle, SharedService};
use crate::smb1::{ServerConnection, ServerParams};

/// Read chunk size; also bounds what one read can add to the frame buffer.
const READ_CHUNK: usize = 16 * 1024;

pub(super) struct Handler {
    pub(super) socket: TcpStream,
    pub(super) peer: SocketAddr,
    pub(super) config: Arc<ServerConfig>,
    pub(super) params: Arc<ServerParams>,
    pub(super) service: SharedService,
    pub(super) shutdown: Shutdown,
    pub(super) _shutdown_complete: mpsc::Sender<()>,
}

impl Handler {
    pub(super) async fn run(mut self) -> io::Result<()> {
        tracing::debug!(peer = %self.peer, "accepted");
        let mut conn = ServerConnection::new(
            ServiceHandle(Arc::clone(&self.service)),
            Arc::clone(&self.params),
            self.config.framing(),
            challenge(),
        );
        let mut buf = vec![0u8; READ_CHUNK];
        let mut out = BytesMut::new();
        let idle = self.config.idle_timeout;
        let mut deadline = Instant::now() + idle;
        loop {
            let n = tokio::select! {
                r = self.socket.read(&mut buf) => r?,
                _ = sleep_until(deadline) => {
                    tracing::debug!("idle timeout");
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
            let result = conn.receive(buf.get(..n).unwrap_or(&[]), &mut out);
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
            // Only whole messages count as activity.
            if matches!(result, Ok(frames) if frames > 0) {
                deadline = Instant::now() + idle;
            }
            if !out.is_empty() {
                tokio::select! {
                    r = self.socket.write_all(&out) => r?,
                    _ = sleep_until(deadline) => {
                        tracing::debug!("write timeout");
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
