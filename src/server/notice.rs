//! What the operator is told when a connection ends: one line at the
//! default level for a client that was refused (with its address and what
//! to change), debug for the rest.

use std::net::SocketAddr;

use crate::smb1::ConnectionError;

/// Log why the connection from `peer` is being closed.
pub(super) fn connection_closed(peer: SocketAddr, e: &ConnectionError) {
    match e {
        ConnectionError::Refused(r) => tracing::warn!("client {peer}: {r}; {}", r.advice()),
        _ => tracing::debug!(error = %e, "closing connection"),
    }
}
