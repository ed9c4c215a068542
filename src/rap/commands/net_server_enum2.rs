//! NetServerEnum2 (opcode 104): MS-RAP 2.5.5.2, 3.2.5.11.

use super::{Command, Level};
use crate::codes::RapOpcode;
use crate::rap::lanman::{ServerInfo0, ServerInfo1};

crate::rap_params! {
    /// NetServerEnum2 request parameters (MS-RAP 2.5.5.2.1), ParamDesc
    /// `WrLehDz` (`WrLehDO` without a domain).
    pub struct ServerEnum2Request<'a> for NET_SERVER_ENUM2 {
        /// InfoLevel: 0 or 1.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        entries_returned: e,
        entries_available: h,
        /// ServerType: SV_TYPE_* bits to match.
        server_type: D,
        /// Domain, OEM bytes without the NUL.
        domain: z,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_SERVER_ENUM2,
    name: "NetServerEnum2",
    spec: "MS-RAP 3.2.5.11",
    params: Some(&ServerEnum2Request::META),
    other_param_descs: &[b"WrLehDO"],
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
