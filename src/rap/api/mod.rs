//! One module per RAP command (mini-redis `cmd/` style), plus the reply
//! helpers they share.

pub mod get_info;
pub mod job_enum;

use super::descriptor::Descriptor;
use super::profile::RejectAs;
use super::{RapOutcome, RapResponse, TransactionInput};
use crate::codes::{NtStatus, RapStatus};

/// Write response parameters: Win32ErrorCode, Converter, then the
/// RAPOutParams words (MS-RAP 2.5.2).
pub(crate) fn put_params(out: &mut RapResponse, status: RapStatus, converter: u16, words: &[u16]) {
    out.params.clear();
    out.params.extend_from_slice(&status.0.to_le_bytes());
    out.params.extend_from_slice(&converter.to_le_bytes());
    for w in words {
        out.params.extend_from_slice(&w.to_le_bytes());
    }
}

/// An error reply: no data; RAPOutParams as the request's ParamDesc calls
/// for them, zero-filled (so that a client parsing the reply with its own
/// descriptor finds every field), when that descriptor is well formed.
pub(crate) fn error_reply(
    status: RapStatus,
    param_desc: Descriptor<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    out.clear();
    put_params(out, status, 0, &[]);
    if param_desc.validate_param().is_ok() {
        if let Ok(n) = param_desc.out_param_size() {
            out.params.resize(4usize.saturating_add(usize::from(n)), 0);
        }
    }
    RapOutcome::Reply(status)
}

/// Reject a request the way the profile says.
pub(crate) fn reject(
    how: RejectAs,
    param_desc: Descriptor<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    match how {
        RejectAs::Rap(status) => error_reply(status, param_desc, out),
        RejectAs::Smb(status) => {
            out.clear();
            RapOutcome::FailTransaction(status)
        }
    }
}

/// Make a finished reply respect MaxParameterCount (MS-CIFS 2.2.4.33.1):
/// fewer than 4 bytes cannot carry Win32ErrorCode and Converter, so the SMB
/// transaction fails with STATUS_INVALID_PARAMETER; otherwise a reply whose
/// RAPOutParams do not all fit keeps only Win32ErrorCode and Converter (never
/// half a field), and a reply that carried data becomes NERR_BufTooSmall
/// with no data (without its RAPOutParams the client cannot use it).
pub(crate) fn fit_params(
    outcome: RapOutcome,
    input: &TransactionInput<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    let RapOutcome::Reply(status) = outcome else {
        return outcome;
    };
    let max = usize::from(input.max_parameter_count);
    if out.params.len() <= max {
        return outcome;
    }
    if max < 4 {
        out.clear();
        return RapOutcome::FailTransaction(NtStatus::STATUS_INVALID_PARAMETER);
    }
    out.params.truncate(4);
    if status.carries_data() {
        out.data.clear();
        put_params(out, RapStatus::NERR_BUF_TOO_SMALL, 0, &[]);
        return RapOutcome::Reply(RapStatus::NERR_BUF_TOO_SMALL);
    }
    outcome
}

/// Whether the bytes after RAPParams hold anything: a lone NUL (an empty
/// AuxDesc, which smbclient sends) describes no auxiliary structure and
/// counts as nothing.
pub(crate) fn has_trailing(after: &[u8]) -> bool {
    !(after.is_empty() || after == [0])
}

/// Answer a request that is not well formed, as the profile says, within
/// MaxParameterCount.
pub(crate) fn refuse(
    how: RejectAs,
    param_desc: Descriptor<'_>,
    input: &TransactionInput<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    fit_params(reject(how, param_desc, out), input, out)
}

/// A RAP error reply (see [`error_reply`]) within MaxParameterCount.
pub(crate) fn refuse_with(
    status: RapStatus,
    param_desc: Descriptor<'_>,
    input: &TransactionInput<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    fit_params(error_reply(status, param_desc, out), input, out)
}
