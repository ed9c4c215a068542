//! NetRemoteTOD (opcode 91): MS-RAP 2.5.10, 3.2.5.16.

use super::Command;
use crate::codes::RapOpcode;

crate::rap_params! {
    /// NetRemoteTOD request parameters (MS-RAP 2.5.10.1), ParamDesc `rL`.
    pub struct RemoteTodRequest for NET_REMOTE_TOD {
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_REMOTE_TOD,
    name: "NetRemoteTOD",
    spec: "MS-RAP 3.2.5.16",
    params: Some(&RemoteTodRequest::META),
    other_param_descs: &[],
    levels: &[],
    any_level_data_desc: None,
    served: false,
};
