//! The RAP server: full recognition of a request, then dispatch on the
//! command table ([`COMMANDS`](super::commands::COMMANDS)) to the
//! command's `serve`, which awaits the [`Spooler`].
//!
//! [`RapServer::transact`] is the path for every spooler: it awaits the
//! spooler's futures, so a remote spooler (CUPS) never blocks the caller's
//! thread. [`RapServer::handle`] is the synchronous shortcut for spoolers
//! that answer at once (the in-memory one): it polls once, with no runtime.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::commands::{dispatch, refuse, Call};
use super::descriptor::Descriptor;
use super::profile::Profile;
use super::request::{parse_rap_request, RequestError};
use super::{RapOutcome, RapResponse, RapService, TransactionInput};
use crate::codes::{NtStatus, RapStatus};
use crate::oem::OemCodePage;
use crate::spool::Spooler;

/// Server-side settings of the RAP codec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Behaviour profile: the letter of MS-RAP or Windows' product behaviour.
    pub profile: Profile,
    /// OEM code page of RAP strings.
    pub code_page: OemCodePage,
    /// Offset from UTC in seconds, east positive (TimeSubmitted is local time).
    pub utc_offset_secs: i32,
    /// The local machine name: RpcOpenPrinter's pPrinterName for
    /// NetPrintJobGetInfo (3.2.5.7 step 3).
    pub machine_name: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            profile: Profile::SPEC,
            code_page: OemCodePage::default(),
            utc_offset_secs: 0,
            machine_name: "MSRAP".to_owned(),
        }
    }
}

impl ServerConfig {
    /// The default settings with this profile.
    pub fn with_profile(profile: Profile) -> Self {
        ServerConfig {
            profile,
            ..ServerConfig::default()
        }
    }
}

/// Who sent a request: the identity the SMB session established.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Caller<'a> {
    /// The account name (empty for a null session).
    pub user: &'a str,
    /// A null session.
    pub anonymous: bool,
    /// Whether the credentials were verified.
    pub authenticated: bool,
}

impl<'a> Caller<'a> {
    /// An anonymous (null-session) caller.
    pub const ANONYMOUS: Caller<'static> = Caller {
        user: "",
        anonymous: true,
        authenticated: false,
    };

    /// A caller named `user`, not authenticated (a guest).
    pub fn guest(user: &'a str) -> Caller<'a> {
        Caller {
            user,
            anonymous: user.is_empty(),
            authenticated: false,
        }
    }
}

/// A RAP server over a [`Spooler`]. Cloning shares the spooler.
#[derive(Debug)]
pub struct RapServer<S> {
    config: ServerConfig,
    spooler: Arc<S>,
}

impl<S> Clone for RapServer<S> {
    fn clone(&self) -> Self {
        RapServer {
            config: self.config.clone(),
            spooler: Arc::clone(&self.spooler),
        }
    }
}

impl<S: Spooler> RapServer<S> {
    /// A server over `spooler`.
    pub fn new(config: ServerConfig, spooler: S) -> Self {
        RapServer::with_spooler(config, Arc::new(spooler))
    }

    /// A server over a spooler shared with others.
    pub fn with_spooler(config: ServerConfig, spooler: Arc<S>) -> Self {
        RapServer { config, spooler }
    }

    /// The settings.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The spooler.
    pub fn spooler(&self) -> &Arc<S> {
        &self.spooler
    }

    /// Answer one request: fill `out` (cleared first) and say what to send.
    ///
    /// Unknown opcodes get ERROR_NOT_SUPPORTED (50), as Samba answers them;
    /// a parameter block without an opcode, or MaxParameterCount < 4, fails
    /// the SMB transaction with STATUS_INVALID_PARAMETER.
    pub async fn transact(
        &self,
        caller: &Caller<'_>,
        input: &TransactionInput<'_>,
        out: &mut RapResponse,
    ) -> RapOutcome {
        out.clear();
        if input.max_parameter_count < 4 {
            return RapOutcome::FailTransaction(NtStatus::STATUS_INVALID_PARAMETER);
        }
        let req = match parse_rap_request(input.parameters) {
            Ok(r) => r,
            Err(RequestError::NoOpcode(_)) => {
                return RapOutcome::FailTransaction(NtStatus::STATUS_INVALID_PARAMETER)
            }
            // A descriptor that does not end inside the message: the request
            // cannot be recognised, so it is rejected as a bad ParamDesc would
            // be. When ParamDesc itself is complete (DataDesc was cut), the
            // reply still carries its RAPOutParams, as every error reply does.
            Err(_) => {
                let param_desc = input
                    .parameters
                    .get(2..)
                    .and_then(|p| p.split(|&b| b == 0).next().filter(|d| d.len() < p.len()))
                    .map_or(Descriptor(b""), Descriptor);
                return refuse(self.config.profile.bad_param_desc, param_desc, input, out);
            }
        };
        let call = Call {
            req,
            input,
            config: &self.config,
            spooler: &*self.spooler,
            caller,
        };
        dispatch(&call, out).await
    }

    /// [`Self::transact`] for a spooler that answers at once, without a
    /// runtime, as an anonymous caller. A spooler that is not ready gets
    /// the RAP status ERROR_NOT_READY (21) instead of a wait.
    pub fn handle(&self, input: &TransactionInput<'_>, out: &mut RapResponse) -> RapOutcome {
        match poll_once(self.transact(&Caller::ANONYMOUS, input, out)) {
            Some(o) => o,
            None => {
                out.clear();
                super::commands::put_params(out, RapStatus::ERROR_NOT_READY, 0, &[]);
                RapOutcome::Reply(RapStatus::ERROR_NOT_READY)
            }
        }
    }
}

/// Poll a future once, with no runtime: its output if it was ready.
#[inline(always)]
pub fn poll_once<F: Future>(f: F) -> Option<F::Output> {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

impl<S: Spooler> RapService for RapServer<S> {
    fn call(&self, input: &TransactionInput<'_>, out: &mut RapResponse) -> RapOutcome {
        self.handle(input, out)
    }

    fn print_shares(&self) -> Vec<String> {
        self.spooler.queue_names()
    }
}
