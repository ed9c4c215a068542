//! NetPrintJobSetInfo (opcode 147): MS-RAP 2.5.7.3, 3.2.5.6.

use super::Command;
use crate::codes::RapOpcode;

crate::rap_params! {
    /// NetPrintJobSetInfo request parameters (MS-RAP 2.5.7.3.1), ParamDesc
    /// `WWsTP`; the new value is in the transaction Data (RAPInData).
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

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_JOB_SET_INFO,
    name: "NetPrintJobSetInfo",
    spec: "MS-RAP 3.2.5.6",
    params: Some(&PrintJobSetInfoRequest::META),
    other_param_descs: &[],
    levels: &[],
    any_level_data_desc: None,
    served: false,
};
