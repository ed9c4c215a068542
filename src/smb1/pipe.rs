//! Named pipes served over SMB_COM_TRANSACTION, and the shares a client may
//! connect to: the interfaces between the SMB1 layer and what it serves.
//!
//! The SMB1 server ([`super::server`]) knows nothing of RAP or of any other
//! pipe protocol. A complete transaction on a named pipe (MS-CIFS 3.3.5.57,
//! after any TRANSACTION_SECONDARY requests are reassembled, 3.3.5.2.5) is
//! handed to a [`PipeHandler`]; TREE_CONNECT_ANDX (3.3.5.45) asks a
//! [`ShareCatalogue`] which shares exist besides `IPC$`.
//!
//! A handler answers through a future, so it may answer later (an async
//! spooler, a remote service). The sans-IO connection does not poll it: it
//! reports the call ([`super::server::Connection::poll_call`]) and takes the
//! outcome when it arrives ([`super::server::Connection::answer`]), in the
//! style of quinn-proto (events out, results in). The tokio server awaits
//! the future; synchronous callers use [`transact_now`] (poll once).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::codes::NtStatus;

/// The pipe RAP uses (MS-CIFS 3.2.4.42 names it; MS-RAP 2.1). The SMB layer
/// does not treat it specially: it is served only if a [`PipeHandler`]
/// says so.
pub const LANMAN_PIPE: &str = "\\PIPE\\LANMAN";

/// The identity of the SMB1 session that sent a request (MS-CIFS 3.3.1.5),
/// as SESSION_SETUP_ANDX established it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Identity {
    /// Account name as sent (empty for a null session).
    pub user: String,
    /// Primary domain as sent.
    pub domain: String,
    /// Null session: empty account name and passwords.
    pub anonymous: bool,
    /// Whether the credentials were verified (always false until
    /// authentication exists: such sessions are guests).
    pub authenticated: bool,
}

impl Identity {
    /// A null session (MS-CIFS 3.3.5.43: empty account name and passwords).
    pub fn anonymous() -> Identity {
        Identity {
            anonymous: true,
            ..Identity::default()
        }
    }

    /// A session whose credentials were not verified (a guest).
    pub fn guest(user: impl Into<String>, domain: impl Into<String>) -> Identity {
        Identity {
            user: user.into(),
            domain: domain.into(),
            anonymous: false,
            authenticated: false,
        }
    }
}

/// One complete transaction on a named pipe (MS-CIFS 3.3.5.57), after
/// reassembly.
#[derive(Copy, Clone, Debug)]
pub struct PipeTransaction<'a> {
    /// The `Name` as sent, e.g. `\PIPE\LANMAN`.
    pub pipe: &'a str,
    /// Who sent it.
    pub identity: &'a Identity,
    /// The tree's share name (`IPC$` or a printer share).
    pub share: &'a str,
    /// `Setup` words, as bytes (none for RAP).
    pub setup: &'a [u8],
    /// `Trans_Parameters`, reassembled.
    pub parameters: &'a [u8],
    /// `Trans_Data`, reassembled.
    pub data: &'a [u8],
    /// Most response parameter bytes the client accepts (MS-CIFS 2.2.4.33.1).
    pub max_parameter_count: u16,
    /// Most response data bytes the client accepts.
    pub max_data_count: u16,
    /// When the transaction is handed over: the connection's system time
    /// (a FILETIME, 100 ns since 1601-01-01 UTC, as its driver last set
    /// it; 0 if never), for handlers that report the time.
    pub system_time: u64,
}

/// Reply buffers, owned by the connection and reused across transactions
/// (cleared before each call).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipeReply {
    /// Response `Trans_Parameters`.
    pub params: Vec<u8>,
    /// Response `Trans_Data`.
    pub data: Vec<u8>,
}

impl PipeReply {
    /// Empties both buffers, keeping their capacity.
    pub fn clear(&mut self) {
        self.params.clear();
        self.data.clear();
    }
}

/// What to send for one pipe transaction.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PipeOutcome {
    /// Send the [`PipeReply`] as the TRANSACTION response (MS-CIFS 2.2.4.33.2).
    Reply,
    /// Fail the SMB transaction with this status, no payload.
    Fail(NtStatus),
}

/// Named pipes served over TRANSACTION.
///
/// An unknown pipe is answered by the SMB layer with
/// STATUS_OBJECT_NAME_NOT_FOUND (DOS: ERRDOS/ERRbadfile), as Windows answers
/// an open of a pipe that does not exist.
pub trait PipeHandler {
    /// Whether a transaction on this pipe name is served here (the handler
    /// decides case sensitivity; RAP accepts `\PIPE\LANMAN` in any case).
    fn has_pipe(&self, name: &str) -> bool;

    /// Answer one transaction: fill `out` and say what to send. May complete
    /// later: the future is polled by the tokio edge, or once by
    /// synchronous callers ([`transact_now`]). An implementation may be an
    /// `async fn` (its future must be `Send`); a synchronous one returns
    /// `std::future::ready(outcome)`.
    fn transact<'a>(
        &'a self,
        t: PipeTransaction<'a>,
        out: &'a mut PipeReply,
    ) -> impl Future<Output = PipeOutcome> + Send + 'a;
}

/// What a share is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShareKind {
    /// The interprocess-communication share (service `IPC`).
    Ipc,
    /// A print queue (service `LPT1:`).
    Printer,
}

/// Shares TREE_CONNECT_ANDX may connect to besides `IPC$` (which the SMB
/// layer always serves).
pub trait ShareCatalogue {
    /// The share named `name` (ASCII case-insensitive): its canonical name
    /// and kind, or `None` (STATUS_BAD_NETWORK_NAME).
    fn share(&self, name: &str) -> Option<(String, ShareKind)>;
}

impl<T: PipeHandler + ?Sized> PipeHandler for &T {
    fn has_pipe(&self, name: &str) -> bool {
        (**self).has_pipe(name)
    }

    fn transact<'a>(
        &'a self,
        t: PipeTransaction<'a>,
        out: &'a mut PipeReply,
    ) -> impl Future<Output = PipeOutcome> + Send + 'a {
        (**self).transact(t, out)
    }
}

impl<T: PipeHandler + ?Sized> PipeHandler for Arc<T> {
    fn has_pipe(&self, name: &str) -> bool {
        (**self).has_pipe(name)
    }

    fn transact<'a>(
        &'a self,
        t: PipeTransaction<'a>,
        out: &'a mut PipeReply,
    ) -> impl Future<Output = PipeOutcome> + Send + 'a {
        (**self).transact(t, out)
    }
}

impl<T: ShareCatalogue + ?Sized> ShareCatalogue for &T {
    fn share(&self, name: &str) -> Option<(String, ShareKind)> {
        (**self).share(name)
    }
}

impl<T: ShareCatalogue + ?Sized> ShareCatalogue for Arc<T> {
    fn share(&self, name: &str) -> Option<(String, ShareKind)> {
        (**self).share(name)
    }
}

/// A handler's future was not ready when polled once: [`transact_now`] (and
/// the synchronous drivers built on it) serve only handlers that answer
/// immediately.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the pipe handler did not answer synchronously (its future is pending)")]
pub struct HandlerPending;

/// Runs `handler.transact(t, out)` synchronously: polls its future once
/// with a no-op waker. For handlers whose futures complete immediately (the
/// fuzz harnesses, in-process tests, the in-process conformance transport);
/// a future that is still pending is dropped and reported as
/// [`HandlerPending`].
pub fn transact_now<H: PipeHandler + ?Sized>(
    handler: &H,
    t: PipeTransaction<'_>,
    out: &mut PipeReply,
) -> Result<PipeOutcome, HandlerPending> {
    let mut future = pin!(handler.transact(t, out));
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(outcome) => Ok(outcome),
        Poll::Pending => Err(HandlerPending),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;
    impl PipeHandler for Echo {
        fn has_pipe(&self, name: &str) -> bool {
            name.eq_ignore_ascii_case(LANMAN_PIPE)
        }
        fn transact<'a>(
            &'a self,
            t: PipeTransaction<'a>,
            out: &'a mut PipeReply,
        ) -> impl Future<Output = PipeOutcome> + Send + 'a {
            out.params.extend_from_slice(t.parameters);
            std::future::ready(PipeOutcome::Reply)
        }
    }

    /// Pending on the first poll, ready on the second.
    struct Slow;
    impl PipeHandler for Slow {
        fn has_pipe(&self, _: &str) -> bool {
            true
        }
        fn transact<'a>(
            &'a self,
            _: PipeTransaction<'a>,
            _: &'a mut PipeReply,
        ) -> impl Future<Output = PipeOutcome> + Send + 'a {
            let mut polled = false;
            std::future::poll_fn(move |cx| {
                if polled {
                    Poll::Ready(PipeOutcome::Fail(NtStatus::STATUS_NOT_SUPPORTED))
                } else {
                    polled = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
        }
    }

    fn transaction<'a>(identity: &'a Identity, parameters: &'a [u8]) -> PipeTransaction<'a> {
        PipeTransaction {
            pipe: LANMAN_PIPE,
            identity,
            share: "IPC$",
            setup: &[],
            parameters,
            data: &[],
            max_parameter_count: 10,
            max_data_count: 10,
            system_time: 0,
        }
    }

    #[test]
    fn transact_now_polls_once() {
        let id = Identity::anonymous();
        let mut out = PipeReply::default();
        assert_eq!(
            transact_now(&Echo, transaction(&id, b"abc"), &mut out),
            Ok(PipeOutcome::Reply)
        );
        assert_eq!(out.params, b"abc");
        assert_eq!(
            transact_now(&Slow, transaction(&id, b""), &mut out),
            Err(HandlerPending)
        );
    }

    #[test]
    fn forwarding_impls() {
        let id = Identity::guest("alice", "WG");
        assert!(!id.anonymous && !id.authenticated);
        let arc = Arc::new(Echo);
        let by_ref = &Echo;
        assert!(arc.has_pipe("\\pipe\\lanman") && by_ref.has_pipe("\\PIPE\\LANMAN"));
        assert!(!arc.has_pipe("\\PIPE\\srvsvc"));
        let mut out = PipeReply::default();
        assert_eq!(
            transact_now(&arc, transaction(&id, b"x"), &mut out),
            Ok(PipeOutcome::Reply)
        );
        assert_eq!(
            transact_now(&&arc, transaction(&id, b"y"), &mut out),
            Ok(PipeOutcome::Reply)
        );
        assert_eq!(out.params, b"xy");
        struct Shares;
        impl ShareCatalogue for Shares {
            fn share(&self, name: &str) -> Option<(String, ShareKind)> {
                name.eq_ignore_ascii_case("laser")
                    .then(|| ("LASER".into(), ShareKind::Printer))
            }
        }
        let s = Arc::new(Shares);
        assert_eq!(s.share("Laser"), Some(("LASER".into(), ShareKind::Printer)));
        assert_eq!(ShareCatalogue::share(&&*s, "nope"), None);
    }
}
