//! NetShareEnum (opcode 0): MS-RAP 2.5.6.1, 3.2.5.1.

use super::{Command, Level};
use crate::codes::RapOpcode;
use crate::rap::lanman::{ShareInfo0, ShareInfo1, ShareInfo2};

crate::rap_params! {
    /// NetShareEnum request parameters (MS-RAP 2.5.6.1.1), ParamDesc `WrLeh`.
    pub struct ShareEnumRequest for NET_SHARE_ENUM {
        /// InfoLevel: 0, 1 or 2.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        entries_returned: e,
        entries_available: h,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_SHARE_ENUM,
    name: "NetShareEnum",
    spec: "MS-RAP 3.2.5.1",
    params: Some(&ShareEnumRequest::META),
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
