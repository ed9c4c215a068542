//! NetPrintJobSetInfo (opcode 147): MS-RAP 2.5.7.3, 3.2.5.6.

use super::{fit_params, put_params, Call, Command, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::spool::Spooler;

pub use super::net_print_job_del::{parse_status_response, StatusResponse};

crate::rap_params! {
    /// NetPrintJobSetInfo request parameters (MS-RAP 2.5.7.3.1), ParamDesc
    /// `WWsTP`; the new value is in the transaction Data (RAPInData).
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct PrintJobSetInfoRequest for NET_PRINT_JOB_SET_INFO {
        /// JobID.
        job_id: W,
        /// InfoLevel: 1 or 3.
        level ("info_level"): W,
        _: s,
        /// BufferSize: the size of RAPInData.
        buffer_size: T,
        /// ParamNum: which field (11 = JobComment).
        param_num: P,
    }
}

/// ParamNum JobComment (MS-RAP 2.5.7.3.1): the document name; the only
/// one 3.2.5.6 defines.
pub const PARAM_NUM_JOB_COMMENT: u16 = 0x000B;

/// The fields ParamNum 1, 2, … names (MS-RAP 2.5.7.3.1's table), as decode
/// shows the new value (`new_<name>`), each with its value's type in
/// RAPInData (`W`, `D` or `z`).
pub const PARAM_NUMS: [(&str, u8); 11] = [
    ("job_num", b'W'),
    ("user_name", b'z'),
    ("notify_name", b'z'),
    ("data_type", b'z'),
    ("parameters_string", b'z'),
    ("job_position", b'W'),
    ("job_status", b'W'),
    ("job_status_string", b'z'),
    ("time_submitted", b'D'),
    ("job_size", b'D'),
    ("job_comment", b'z'),
];

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_JOB_SET_INFO,
    name: "NetPrintJobSetInfo",
    spec: "MS-RAP 3.2.5.6",
    params: Some(&PrintJobSetInfoRequest::META),
    other_param_descs: &[],
    levels: &[],
    any_level_data_desc: None,
    served: true,
};

/// MS-RAP 3.2.5.6, after full recognition of the request parameters.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // Step 1: ParamDesc MUST be "WWsTP" (else ERROR_INVALID_PARAMETER, or
    // per <73> an SMB-level STATUS_INVALID_PARAMETER). DataDesc is not read
    // (<5>): the value is a string in RAPInData whatever it says.
    let r: PrintJobSetInfoRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let refuse = |status: RapStatus, out: &mut RapResponse| {
        cx.error(status, PrintJobSetInfoRequest::PARAM_DESC, out)
    };
    // Step 2: InfoLevel MUST be 1 or 3.
    if r.level != 1 && r.level != 3 {
        return refuse(RapStatus::ERROR_INVALID_LEVEL, out);
    }
    // Step 3: only level 1 with ParamNum JobComment is supported (SHOULD;
    // <74>: Windows answers level 3 with ERROR_NOT_SUPPORTED).
    if r.level != 1 || r.param_num != PARAM_NUM_JOB_COMMENT {
        return refuse(RapStatus::ERROR_NOT_SUPPORTED, out);
    }
    // RAPInData MUST be a null-terminated ASCII (OEM) string: the new
    // document name is what precedes its first NUL. No NUL inside the data
    // is not a string: ERROR_INVALID_PARAMETER. BufferSize is not compared
    // with the data's length (SPEC_NOTES §6).
    let Some(end) = cx.input.data.iter().position(|&b| b == 0) else {
        return refuse(RapStatus::ERROR_INVALID_PARAMETER, out);
    };
    let document = cx
        .config
        .code_page
        .decode(cx.input.data.get(..end).unwrap_or_default());
    // Step 4: RpcOpenPrinter(local machine, "RAW", PRINTER_ACCESS_USE),
    // RpcGetJob level 1, pDocument := RAPInData, RpcSetJob level 1 with
    // Command 0: one spooler call, under the queue's control policy.
    let status = match cx
        .spooler
        .set_job_document(cx.caller, u32::from(r.job_id), &document)
        .await
    {
        Ok(()) => RapStatus::ERROR_SUCCESS,
        // Step 5: any other error is the corresponding Win32 error.
        Err(e) => e.to_rap_status(),
    };
    // 2.5.7.3.2: RAPOutParams and RAPOutData are empty.
    put_params(out, status, 0, &[]);
    fit_params(RapOutcome::Reply(status), cx.input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_num_job_comment_names_the_job_comment() {
        let i = usize::from(PARAM_NUM_JOB_COMMENT) - 1;
        assert_eq!(PARAM_NUMS[i], ("job_comment", b'z'));
    }
}
