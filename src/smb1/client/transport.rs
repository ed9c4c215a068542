//! How a RAP client (`msrap conform`, `query`, `bench`) reaches a server:
//! one `\PIPE\LANMAN` transaction at a time, over SMB1
//! ([`super::tcp::SmbClient`]) or in process ([`InProcess`]).

use std::future::Future;

use crate::codes::NtStatus;
use crate::smb1::pipe::{
    transact_now, Identity, PipeHandler, PipeOutcome, PipeReply, PipeTransaction, LANMAN_PIPE,
};

/// One `\PIPE\LANMAN` transaction to send (MS-CIFS 2.2.4.33.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransRequest {
    /// `Trans_Parameters`.
    pub params: Vec<u8>,
    /// `Trans_Data`.
    pub data: Vec<u8>,
    /// `MaxParameterCount`: the most response parameter bytes accepted.
    pub max_parameter_count: u16,
    /// `MaxDataCount`: the most response data bytes accepted.
    pub max_data_count: u16,
}

/// What came back: the SMB status and the reassembled blocks
/// (MS-CIFS 2.2.4.33.2).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TransReply {
    /// The reply's SMB status (the header's `Status`; a DOS pair is mapped
    /// to its NTSTATUS).
    pub smb_status: NtStatus,
    /// Response `Trans_Parameters`.
    pub params: Vec<u8>,
    /// Response `Trans_Data`.
    pub data: Vec<u8>,
}

/// A transport failure (connection lost, malformed SMB reply...).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// How a client reaches a server: one transaction at a time.
pub trait Transport {
    /// Sends `req` and waits for its (reassembled) reply.
    fn transact(
        &mut self,
        req: &TransRequest,
    ) -> impl Future<Output = Result<TransReply, TransportError>> + Send;
}

/// A [`PipeHandler`] called directly, without SMB messages: what the SMB
/// layer would hand it for a transaction on `\PIPE\LANMAN` from an
/// anonymous session on `IPC$`, and its answer as a [`TransReply`] (the
/// reply blocks as the handler wrote them, or the failure status with no
/// payload).
///
/// The handler must answer synchronously ([`transact_now`]); a handler
/// whose future is pending yields a [`TransportError`].
#[derive(Debug)]
pub struct InProcess<H> {
    /// The handler every transaction goes to.
    pub handler: H,
    identity: Identity,
    reply: PipeReply,
    system_time: u64,
}

impl<H: PipeHandler> InProcess<H> {
    /// A transport that calls `handler` directly.
    pub fn new(handler: H) -> Self {
        InProcess {
            handler,
            identity: Identity::anonymous(),
            reply: PipeReply::default(),
            system_time: 0,
        }
    }

    /// Send every transaction as `identity` (default: anonymous).
    pub fn with_identity(mut self, identity: Identity) -> Self {
        self.identity = identity;
        self
    }

    /// The time handed to the handler with every call (a FILETIME, as an
    /// SMB connection's driver sets it; 0, the default, is none).
    pub fn set_system_time(&mut self, filetime: u64) {
        self.system_time = filetime;
    }

    fn call(&mut self, req: &TransRequest) -> Result<TransReply, TransportError> {
        let t = PipeTransaction {
            pipe: LANMAN_PIPE,
            identity: &self.identity,
            share: "IPC$",
            setup: &[],
            parameters: &req.params,
            data: &req.data,
            max_parameter_count: req.max_parameter_count,
            max_data_count: req.max_data_count,
            system_time: self.system_time,
        };
        self.reply.clear();
        match transact_now(&self.handler, t, &mut self.reply) {
            Ok(PipeOutcome::Reply) => Ok(TransReply {
                smb_status: NtStatus::STATUS_SUCCESS,
                params: self.reply.params.clone(),
                data: self.reply.data.clone(),
            }),
            Ok(PipeOutcome::Fail(s)) => Ok(TransReply {
                smb_status: s,
                ..TransReply::default()
            }),
            Err(e) => Err(TransportError(e.to_string())),
        }
    }
}

impl<H: PipeHandler + Send> Transport for InProcess<H> {
    fn transact(
        &mut self,
        req: &TransRequest,
    ) -> impl Future<Output = Result<TransReply, TransportError>> + Send {
        let r = self.call(req);
        async move { r }
    }
}
