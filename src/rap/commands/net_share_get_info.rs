//! NetShareGetInfo (opcode 1): MS-RAP 2.5.6.2, 3.2.5.2.

use super::{Command, Level};
use crate::codes::RapOpcode;
use crate::rap::lanman::{ShareInfo0, ShareInfo1, ShareInfo2};

crate::rap_params! {
    /// NetShareGetInfo request parameters (MS-RAP 2.5.6.2.1), ParamDesc `zWrLh`.
    pub struct ShareGetInfoRequest<'a> for NET_SHARE_GET_INFO {
        /// NetName: the share, OEM bytes without the NUL.
        net_name: z,
        /// InfoLevel: 0, 1 or 2.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        total_bytes_available: h,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_SHARE_GET_INFO,
    name: "NetShareGetInfo",
    spec: "MS-RAP 3.2.5.2",
    params: Some(&ShareGetInfoRequest::META),
    other_param_descs: &[],
    levels: &[
        Level {
            level: 0,
            data: &ShareInfo0::STRUCT_META,
            aux: None,
        },
        Level {
            level: 1,
            data: &ShareInfo1::STRUCT_META,
            aux: None,
        },
        Level {
            level: 2,
            data: &ShareInfo2::STRUCT_META,
            aux: None,
        },
    ],
    any_level_data_desc: None,
    served: false,
};
