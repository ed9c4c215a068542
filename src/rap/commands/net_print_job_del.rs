//! NetPrintJobDel (opcode 81): MS-RAP 2.5.7.7, 3.2.5.8; and what the job
//! control commands 81, 82 and 83 share (3.2.5.8–3.2.5.10 differ only in
//! RpcSetJob's Command).

use super::{fit_params, put_params, Call, Command, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::rap::response::{parse_response_params, ResponseError};
use crate::spool::{JobControl, Spooler};

crate::rap_params! {
    /// NetPrintJobDeleteRequest parameters (MS-RAP 2.5.7.7.1), ParamDesc `W`.
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct PrintJobDeleteRequest for NET_PRINT_JOB_DEL {
        /// JobID: the job to delete.
        job_id: W,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_JOB_DEL,
    name: "NetPrintJobDelete",
    spec: "MS-RAP 3.2.5.8",
    params: Some(&PrintJobDeleteRequest::META),
    other_param_descs: &[],
    levels: &[],
    any_level_data_desc: None,
    served: true,
};

/// MS-RAP 3.2.5.8: RpcSetJob(JobID, NULL, JOB_CONTROL_DELETE).
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: PrintJobDeleteRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    control_job(cx, r.job_id, JobControl::Delete, out).await
}

/// MS-RAP 3.2.5.8–3.2.5.10 after recognition: RpcOpenPrinter(the local
/// machine, "RAW", JOB_ACCESS_ADMINISTER) then RpcSetJob(JobID
/// zero-extended, no JOB_CONTAINER, `control`) on behalf of the session's
/// user; the spooler's Win32 error, or ERROR_SUCCESS. The response has no
/// RAPOutParams and no data (2.5.7.5.2, 2.5.7.6.2, 2.5.7.7.2): four bytes
/// of parameters, as in the example of 4.3. DataDesc is never read (the
/// spec gives null; smbtorture sends "W"; Windows validates ParamDesc
/// only, <5>).
pub(crate) async fn control_job<S: Spooler>(
    cx: &Call<'_, S>,
    job_id: u16,
    control: JobControl,
    out: &mut RapResponse,
) -> RapOutcome {
    let status = match cx
        .spooler
        .set_job(cx.caller, u32::from(job_id), control)
        .await
    {
        Ok(()) => RapStatus::ERROR_SUCCESS,
        Err(e) => e.to_rap_status(),
    };
    out.clear();
    put_params(out, status, 0, &[]);
    fit_params(RapOutcome::Reply(status), cx.input, out)
}

/// The response to a command that returns only a status (NetPrintJobDel,
/// Pause, Continue, SetInfo; NetPrintQPause, Continue, Purge), typed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StatusResponse {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter (meaningless without data; servers send 0).
    pub converter: u16,
    /// Bytes after Converter: none per the spec; a server that pads (for
    /// smbclient ≥ 4.20's 8-byte minimum) sends some.
    pub extra_params: usize,
    /// Bytes of response data: none per the spec.
    pub data_len: usize,
}

/// Parse the response to a status-only command.
pub fn parse_status_response(params: &[u8], data: &[u8]) -> Result<StatusResponse, ResponseError> {
    let p = parse_response_params(params)?;
    Ok(StatusResponse {
        status: p.status,
        converter: p.converter,
        extra_params: p.out_params.len(),
        data_len: data.len(),
    })
}
