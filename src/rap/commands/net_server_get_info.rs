//! NetServerGetInfo (opcode 13): MS-RAP 2.5.5.3, 3.2.5.12.

use super::{Command, Level};
use crate::codes::RapOpcode;
use crate::rap::lanman::{ServerInfo0, ServerInfo1};

crate::rap_params! {
    /// NetServerGetInfo request parameters (MS-RAP 2.5.5.3.1), ParamDesc `WrLh`.
    pub struct ServerGetInfoRequest for NET_SERVER_GET_INFO {
        /// InfoLevel: 0 or 1.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        total_bytes_available: h,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_SERVER_GET_INFO,
    name: "NetServerGetInfo",
    spec: "MS-RAP 3.2.5.12",
    params: Some(&ServerGetInfoRequest::META),
    other_param_descs: &[],
    levels: &[
        Level {
            level: 0,
            data: &ServerInfo0::STRUCT_META,
            aux: None,
        },
        Level {
            level: 1,
            data: &ServerInfo1::STRUCT_META,
            aux: None,
        },
    ],
    any_level_data_desc: None,
    served: false,
};
