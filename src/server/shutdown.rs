//! Graceful shutdown signal for connection tasks (mini-redis style).

use tokio::sync::broadcast;

/// Listens for the server's shutdown broadcast; a closed channel (the
/// sender dropped) counts as shutdown.
#[derive(Debug)]
pub(crate) struct Shutdown {
    is_shutdown: bool,
    notify: broadcast::Receiver<()>,
}

impl Shutdown {
    pub(crate) fn new(notify: broadcast::Receiver<()>) -> Shutdown {
        Shutdown {
            is_shutdown: false,
            notify,
        }
    }

    /// Resolves once shutdown has been signalled.
    pub(crate) async fn recv(&mut self) {
        if self.is_shutdown {
            return;
        }
        let _ = self.notify.recv().await;
        self.is_shutdown = true;
    }
}
