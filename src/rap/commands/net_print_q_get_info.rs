//! NetPrintQGetInfo (opcode 70): MS-RAP 2.5.7.2, 3.2.5.5.

use super::{Command, Level};
use crate::codes::RapOpcode;
use crate::rap::print_job::{PrintJobInfo1, PrintJobInfo2};
use crate::rap::print_queue::{
    PrintQueue0, PrintQueue1, PrintQueue2, PrintQueue3, PrintQueue4, PrintQueue5,
};

crate::rap_params! {
    /// NetPrintQGetInfo request parameters (MS-RAP 2.5.7.2.1), ParamDesc `zWrLh`.
    pub struct PrintQGetInfoRequest<'a> for NET_PRINT_Q_GET_INFO {
        /// PrintQueueName, OEM bytes without the NUL.
        queue ("print_queue_name"): z,
        /// InfoLevel: 0 to 5.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        total_bytes_available: h,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_Q_GET_INFO,
    name: "NetPrintQGetInfo",
    spec: "MS-RAP 3.2.5.5",
    params: Some(&PrintQGetInfoRequest::META),
    other_param_descs: &[],
    levels: &[
        Level {
            level: 0,
            data: &PrintQueue0::STRUCT_META,
            aux: None,
        },
        Level {
            level: 1,
            data: &PrintQueue1::STRUCT_META,
            aux: None,
        },
        Level {
            level: 2,
            data: &PrintQueue2::STRUCT_META,
            aux: Some(&PrintJobInfo1::STRUCT_META),
        },
        Level {
            level: 3,
            data: &PrintQueue3::STRUCT_META,
            aux: None,
        },
        Level {
            level: 4,
            data: &PrintQueue4::STRUCT_META,
            aux: Some(&PrintJobInfo2::STRUCT_META),
        },
        Level {
            level: 5,
            data: &PrintQueue5::STRUCT_META,
            aux: None,
        },
    ],
    any_level_data_desc: None,
    served: false,
};
