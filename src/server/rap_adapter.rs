//! TEMPORARY adapter, to be replaced when the new RAP server implements
//! [`PipeHandler`] and [`ShareCatalogue`] itself.
//!
//! Serves the current synchronous [`RapService`] through the SMB1 layer's
//! pipe and share interfaces: `\PIPE\LANMAN` (any case) is its only pipe,
//! its print queues are printer shares, and each transaction is one
//! synchronous [`RapService::call`] whose future is ready at once.

use std::future::{ready, Future};

use crate::rap::{RapOutcome, RapResponse, RapService, TransactionInput};
use crate::smb1::pipe::{
    PipeHandler, PipeOutcome, PipeReply, PipeTransaction, ShareCatalogue, ShareKind, LANMAN_PIPE,
};

/// A [`RapService`] as the SMB1 server's pipe handler and share catalogue
/// (temporary: see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct RapPipe<S>(pub S);

impl<S: RapService> PipeHandler for RapPipe<S> {
    /// `\PIPE\LANMAN`, compared case-insensitively (as Samba's `strequal`).
    fn has_pipe(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(LANMAN_PIPE)
    }

    /// One synchronous [`RapService::call`]: the transaction's blocks and
    /// maxima in, `out`'s buffers lent to the service (no copy), its
    /// outcome mapped (`Reply(_)` → [`PipeOutcome::Reply`],
    /// `FailTransaction(s)` → [`PipeOutcome::Fail`]).
    fn transact<'a>(
        &'a self,
        t: PipeTransaction<'a>,
        out: &'a mut PipeReply,
    ) -> impl Future<Output = PipeOutcome> + Send + 'a {
        let input = TransactionInput {
            parameters: t.parameters,
            data: t.data,
            max_parameter_count: t.max_parameter_count,
            max_data_count: t.max_data_count,
        };
        let mut rap = RapResponse {
            params: std::mem::take(&mut out.params),
            data: std::mem::take(&mut out.data),
        };
        rap.clear();
        let outcome = self.0.call(&input, &mut rap);
        out.params = rap.params;
        out.data = rap.data;
        ready(match outcome {
            RapOutcome::Reply(_) => PipeOutcome::Reply,
            RapOutcome::FailTransaction(status) => PipeOutcome::Fail(status),
        })
    }
}

impl<S: RapService> ShareCatalogue for RapPipe<S> {
    /// The service's print queues ([`RapService::print_shares`]), matched
    /// case-insensitively, as printer shares.
    fn share(&self, name: &str) -> Option<(String, ShareKind)> {
        self.0
            .print_shares()
            .into_iter()
            .find(|s| s.eq_ignore_ascii_case(name))
            .map(|s| (s, ShareKind::Printer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{NtStatus, RapStatus};
    use crate::smb1::pipe::{transact_now, Identity};

    struct Fixed;
    impl RapService for Fixed {
        fn call(&self, input: &TransactionInput<'_>, out: &mut RapResponse) -> RapOutcome {
            assert!(out.params.is_empty() && out.data.is_empty());
            if input.parameters == b"fail" {
                return RapOutcome::FailTransaction(NtStatus::STATUS_INVALID_PARAMETER);
            }
            out.params.extend_from_slice(input.parameters);
            out.data
                .extend_from_slice(&input.max_data_count.to_le_bytes());
            RapOutcome::Reply(RapStatus::ERROR_MORE_DATA)
        }
        fn print_shares(&self) -> Vec<String> {
            vec!["Laser".into()]
        }
    }

    #[test]
    fn adapter_maps_pipe_shares_and_outcomes() {
        let a = RapPipe(Fixed);
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
        };
        let mut out = PipeReply::default();
        assert_eq!(transact_now(&a, t(b"ok"), &mut out), Ok(PipeOutcome::Reply));
        assert_eq!(
            (out.params.as_slice(), out.data.as_slice()),
            (&b"ok"[..], &[0x34, 0x12][..])
        );
        out.params.extend_from_slice(b"stale");
        assert_eq!(
            transact_now(&a, t(b"fail"), &mut out),
            Ok(PipeOutcome::Fail(NtStatus::STATUS_INVALID_PARAMETER))
        );
    }
}
