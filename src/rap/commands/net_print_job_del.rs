//! NetPrintJobDel (opcode 81): MS-RAP 2.5.7.7, 3.2.5.8.

use super::Command;
use crate::codes::RapOpcode;

crate::rap_params! {
    /// NetPrintJobDelete request parameters, ParamDesc `W`.
    pub struct PrintJobDeleteRequest for NET_PRINT_JOB_DEL {
        /// JobID.
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
    served: false,
};
