//! NetPrintJobContinue (opcode 83): MS-RAP 2.5.7.6, 3.2.5.10.

use super::net_print_job_del::control_job;
use super::{Call, Command, RapOutcome, RapResponse};
use crate::codes::RapOpcode;
use crate::spool::{JobControl, Spooler};

pub use super::net_print_job_del::{parse_status_response, StatusResponse};

crate::rap_params! {
    /// NetPrintJobContinueRequest parameters (MS-RAP 2.5.7.6.1), ParamDesc `W`.
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct PrintJobContinueRequest for NET_PRINT_JOB_CONTINUE {
        /// JobID: the job to continue.
        job_id: W,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_JOB_CONTINUE,
    name: "NetPrintJobContinue",
    spec: "MS-RAP 3.2.5.10",
    params: Some(&PrintJobContinueRequest::META),
    other_param_descs: &[],
    levels: &[],
    any_level_data_desc: None,
    served: true,
};

/// MS-RAP 3.2.5.10: RpcSetJob(JobID, NULL, JOB_CONTROL_RESUME), as
/// [`control_job`] describes.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: PrintJobContinueRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    control_job(cx, r.job_id, JobControl::Resume, out).await
}
