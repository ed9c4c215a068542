//! NetPrintJobPause (opcode 82): MS-RAP 2.5.7.5, 3.2.5.9.

use super::Command;
use crate::codes::RapOpcode;

crate::rap_params! {
    /// NetPrintJobPause request parameters, ParamDesc `W`.
    pub struct PrintJobPauseRequest for NET_PRINT_JOB_PAUSE {
        /// JobID.
        job_id: W,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_JOB_PAUSE,
    name: "NetPrintJobPause",
    spec: "MS-RAP 3.2.5.9",
    params: Some(&PrintJobPauseRequest::META),
    other_param_descs: &[],
    levels: &[],
    any_level_data_desc: None,
    served: false,
};
