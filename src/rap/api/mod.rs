//! One module per RAP command (mini-redis `cmd/` style), plus the reply
//! helpers they share.

pub mod get_info;
pub mod job_enum;

use super::descriptor::Descriptor;
use super::profile::RejectAs;
use super::request::{RapParams, RapRequest, RequestError};
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
/// RAPOutParams do not fit is cut to MaxParameterCount, and a reply that
/// carried data becomes NERR_BufTooSmall with no data (the client cannot
/// learn what it needs, so it must not get a partial answer).
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
    out.params.truncate(max);
    if status.carries_data() {
        out.data.clear();
        if let Some(s) = out.params.get_mut(0..4) {
            s.copy_from_slice(&[0x4B, 0x08, 0, 0]);
        }
        return RapOutcome::Reply(RapStatus::NERR_BUF_TOO_SMALL);
    }
    outcome
}

/// Split RAPParams off a request like [`RapRequest::params`], except that
/// bytes after them that are not a NUL-terminated AuxDesc are returned as
/// `trailing` instead of an error, so that the profile's trailing-bytes rule
/// (not the truncated-params rule) decides about them.
pub(crate) fn split_params<'a>(req: &RapRequest<'a>) -> Result<RapParams<'a>, RequestError> {
    match req.params() {
        Err(RequestError::TrailingBytes(n)) => {
            let (bytes, trailing) = req.rest.split_at(req.rest.len().saturating_sub(n));
            Ok(RapParams {
                desc: req.param_desc,
                bytes,
                aux_desc: None,
                trailing,
            })
        }
        r => r,
    }
}

/// Whether bytes follow RAPParams beyond an empty AuxDesc. A lone NUL (an
/// empty AuxDesc, which smbclient sends) describes no auxiliary structure
/// and is treated as absent.
pub(crate) fn has_trailing(params: &super::request::RapParams<'_>) -> bool {
    !params.trailing.is_empty() || params.aux_desc.is_some_and(|d| !d.is_empty())
}
