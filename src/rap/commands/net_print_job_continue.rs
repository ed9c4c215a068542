//! NetPrintJobContinue (opcode 83): MS-RAP 2.5.7.6, 3.2.5.10.

use super::Command;
use crate::codes::RapOpcode;

crate::rap_params! {
    /// NetPrintJobContinue request parameters, ParamDesc `W`.
    pub struct PrintJobContinueRequest for NET_PRINT_JOB_CONTINUE {
        /// JobID.
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
    served: false,
};
