//! NetWkstaGetInfo (opcode 63): MS-RAP 2.5.9.1, 3.2.5.15.

use super::{Command, Level};
use crate::codes::RapOpcode;
use crate::rap::lanman::WkstaInfo10;

crate::rap_params! {
    /// NetWkstaGetInfo request parameters (MS-RAP 2.5.9.1.1), ParamDesc `WrLh`.
    pub struct WkstaGetInfoRequest for NET_WKSTA_GET_INFO {
        /// InfoLevel: 10.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        total_bytes_available: h,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_WKSTA_GET_INFO,
    name: "NetWkstaGetInfo",
    spec: "MS-RAP 3.2.5.15",
    params: Some(&WkstaGetInfoRequest::META),
    other_param_descs: &[],
    levels: &[Level {
        level: 10,
        data: &WkstaInfo10::STRUCT_META,
        aux: None,
    }],
    any_level_data_desc: None,
    served: false,
};
