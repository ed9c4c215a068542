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
use super::{RapOutcome, RapResponse, TransactionInput};
use crate::codes::{NtStatus, RapStatus};
use crate::oem::OemCodePage;
use crate::spool::{Caller, Spooler};

/// Server-side settings of the RAP codec.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RapConfig {
    /// Behaviour profile: the letter of MS-RAP or Windows' product behaviour.
    pub profile: Profile,
    /// OEM code page of RAP strings.
    pub code_page: OemCodePage,
    /// Offset from UTC in seconds, east positive (TimeSubmitted is local time).
    pub utc_offset_secs: i32,
    /// The local machine name: RpcOpenPrinter's pPrinterName for
    /// NetPrintJobGetInfo (3.2.5.7 step 3), NetServerInfo0/1.ServerName
    /// (MS-RAP 3.2.5.3) and NetWkstaInfo10.ComputerName (2.5.10.4.1).
    pub machine_name: String,
    /// The workgroup (or domain) the server belongs to:
    /// NetWkstaInfo10.LanGroup and LogonDomain (2.5.10.4.1), the domain
    /// NetServerEnum2 lists when the request names none (2.5.5.2.1).
    pub workgroup: String,
    /// NetServerInfo1.ServerComment (2.5.5.4.2).
    pub server_comment: String,
    /// NetServerInfo1 MajorVersion / MinorVersion (2.5.5.4.2) and
    /// NetWkstaInfo10 VerMajor / VerMinor (2.5.10.4.1).
    pub version: (u8, u8),
    /// NetServerInfo1.ServerType: SV_TYPE_* bits (2.5.5.2.1).
    pub server_type: u32,
}

/// The version msrap reports by default: 6.1, what Samba 4.17 reports
/// (SAMBA_MAJOR/MINOR_NBT_ANNOUNCE_VERSION), so clients treat msrap as
/// they treat Samba.
pub const DEFAULT_VERSION: (u8, u8) = (6, 1);

/// The SV_TYPE_* bits msrap reports by default: a workstation and server
/// sharing print queues, on Unix, NT-class (the bits Samba 4.17 sets,
/// except SV_TYPE_DFS: msrap serves no DFS tree).
pub const DEFAULT_SERVER_TYPE: u32 = super::lanman::SV_TYPE_WORKSTATION
    | super::lanman::SV_TYPE_SERVER
    | super::lanman::SV_TYPE_PRINTQ_SERVER
    | super::lanman::SV_TYPE_SERVER_UNIX
    | super::lanman::SV_TYPE_NT
    | super::lanman::SV_TYPE_SERVER_NT;

impl Default for RapConfig {
    fn default() -> Self {
        RapConfig {
            profile: Profile::SPEC,
            code_page: OemCodePage::default(),
            utc_offset_secs: 0,
            machine_name: "MSRAP".to_owned(),
            workgroup: "WORKGROUP".to_owned(),
            server_comment: "msrap".to_owned(),
            version: DEFAULT_VERSION,
            server_type: DEFAULT_SERVER_TYPE,
        }
    }
}

impl RapConfig {
    /// The default settings with this profile.
    pub fn with_profile(profile: Profile) -> Self {
        RapConfig {
            profile,
            ..RapConfig::default()
        }
    }
}

/// A RAP server over a [`Spooler`]. Cloning shares the spooler.
#[derive(Debug)]
pub struct RapServer<S> {
    config: RapConfig,
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
    pub fn new(config: RapConfig, spooler: S) -> Self {
        RapServer::with_spooler(config, Arc::new(spooler))
    }

    /// A server over a spooler shared with others.
    pub fn with_spooler(config: RapConfig, spooler: Arc<S>) -> Self {
        RapServer { config, spooler }
    }

    /// The settings.
    pub fn config(&self) -> &RapConfig {
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
        self.transact_at(0, caller, input, out).await
    }

    /// [`Self::transact`] at the time `system_time`, a FILETIME (100 ns
    /// since 1601-01-01 UTC) from the caller's clock: what NetRemoteTOD
    /// answers (0: no clock, NetRemoteTOD answers ERROR_NOT_SUPPORTED).
    pub async fn transact_at(
        &self,
        system_time: u64,
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
            system_time,
        };
        dispatch(&call, out).await
    }

    /// [`Self::transact`] for a spooler that answers at once, without a
    /// runtime, as an anonymous caller. A spooler that is not ready gets
    /// the RAP status ERROR_NOT_READY (21) instead of a wait.
    pub fn handle(&self, input: &TransactionInput<'_>, out: &mut RapResponse) -> RapOutcome {
        self.handle_at(0, input, out)
    }

    /// [`Self::handle`] at the time `system_time` (see [`Self::transact_at`]).
    pub fn handle_at(
        &self,
        system_time: u64,
        input: &TransactionInput<'_>,
        out: &mut RapResponse,
    ) -> RapOutcome {
        match poll_once(self.transact_at(system_time, &Caller::ANONYMOUS, input, out)) {
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

/// RAP is one named-pipe handler of the SMB1 layer: `\PIPE\LANMAN`
/// (compared case-insensitively, as Samba's `strequal`; MS-RAP spells it in
/// capitals), answered by [`RapServer::transact`].
#[cfg(feature = "smb1")]
impl<S: Spooler> crate::smb1::PipeHandler for RapServer<S> {
    fn has_pipe(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(crate::smb1::pipe::LANMAN_PIPE)
    }

    async fn transact<'a>(
        &'a self,
        t: crate::smb1::PipeTransaction<'a>,
        out: &'a mut crate::smb1::PipeReply,
    ) -> crate::smb1::PipeOutcome {
        let input = TransactionInput {
            parameters: t.parameters,
            data: t.data,
            max_parameter_count: t.max_parameter_count,
            max_data_count: t.max_data_count,
        };
        let caller = Caller {
            user: &t.identity.user,
            anonymous: t.identity.anonymous,
            authenticated: t.identity.authenticated,
        };
        // The connection's reply buffers, lent to the RAP reply (no copy).
        let mut rap = RapResponse {
            params: std::mem::take(&mut out.params),
            data: std::mem::take(&mut out.data),
        };
        let outcome = self
            .transact_at(t.system_time, &caller, &input, &mut rap)
            .await;
        out.params = rap.params;
        out.data = rap.data;
        match outcome {
            RapOutcome::Reply(_) => crate::smb1::PipeOutcome::Reply,
            RapOutcome::FailTransaction(status) => crate::smb1::PipeOutcome::Fail(status),
        }
    }
}

/// A bare RAP server takes no print files: an open on one of its printer
/// shares is refused (STATUS_NOT_SUPPORTED). `msrap serve` wraps it in
/// `server::PrintServer`, which spools them.
#[cfg(feature = "smb1")]
impl<S: Spooler> crate::smb1::PrintFileHandler for RapServer<S> {
    type File = std::convert::Infallible;
}

/// The spooler's print queues are the printer shares TREE_CONNECT accepts
/// (ASCII case-insensitive, answered with the queue's own spelling).
#[cfg(feature = "smb1")]
impl<S: Spooler> crate::smb1::ShareCatalogue for RapServer<S> {
    fn share(&self, name: &str) -> Option<(String, crate::smb1::ShareKind)> {
        self.spooler
            .queue_names()
            .into_iter()
            .find(|s| s.eq_ignore_ascii_case(name))
            .map(|s| (s, crate::smb1::ShareKind::Printer))
    }
}

#[cfg(all(test, feature = "smb1"))]
mod tests {
    use super::*;
    use crate::smb1::pipe::{
        transact_now, Identity, PipeHandler, PipeOutcome, PipeReply, PipeTransaction,
        ShareCatalogue, ShareKind, LANMAN_PIPE,
    };
    use crate::spool::{MemorySpooler, Queue};

    #[test]
    fn rap_is_the_lanman_pipe_and_the_queues_are_its_shares() {
        let a = RapServer::new(
            RapConfig::default(),
            MemorySpooler::new(vec![Queue {
                name: "Laser".into(),
                jobs: Vec::new(),
                ..Queue::default()
            }]),
        );
        assert!(a.has_pipe("\\pipe\\LanMan") && !a.has_pipe("\\PIPE\\spoolss"));
        assert_eq!(a.share("LASER"), Some(("Laser".into(), ShareKind::Printer)));
        assert_eq!(a.share("IPC$"), None);
        let id = Identity::anonymous();
        let t = |parameters| PipeTransaction {
            pipe: LANMAN_PIPE,
            identity: &id,
            share: "IPC$",
            setup: &[],
            parameters,
            data: &[],
            max_parameter_count: 6,
            max_data_count: 0x1234,
            system_time: 0,
        };
        let mut out = PipeReply::default();
        // An unknown opcode: ERROR_NOT_SUPPORTED with its RAPOutParams.
        assert_eq!(
            transact_now(&a, t(b"\x34\x12WrLh\x00\x00\x01\x00\x00\x10"), &mut out),
            Ok(PipeOutcome::Reply)
        );
        assert_eq!(out.params, b"\x32\x00\x00\x00\x00\x00");
        assert!(out.data.is_empty());
        // No opcode: the SMB transaction fails.
        out.params.extend_from_slice(b"stale");
        assert_eq!(
            transact_now(&a, t(b"\x01"), &mut out),
            Ok(PipeOutcome::Fail(NtStatus::STATUS_INVALID_PARAMETER))
        );
        assert!(out.params.is_empty());
    }
}
