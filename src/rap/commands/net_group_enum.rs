//! NetGroupEnum (opcode 47, ParamDesc `WrLeh`): LAN Manager; not in MS-RAP.
//!
//! msrap has no group database: the list is empty (Samba 4.17 answers a
//! guest or anonymous caller the same: status 0, no entries). Levels 0
//! (`group_info_0`, `B21`) and 1 (`group_info_1`, `B21Bz`).

use super::reply::empty_enumeration;
use super::{Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::rap::lanman::{GroupInfo0, GroupInfo1};
use crate::spool::Spooler;

crate::rap_params! {
    /// NetGroupEnum request parameters (LAN Manager `WrLeh`).
    pub struct GroupEnumRequest for NET_GROUP_ENUM {
        /// InfoLevel: 0 or 1.
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
    opcode: RapOpcode::NET_GROUP_ENUM,
    name: "NetGroupEnum",
    spec: "LAN Manager NetGroupEnum; Samba api_RNetGroupEnum (not in MS-RAP)",
    params: Some(&GroupEnumRequest::META),
    other_param_descs: &[],
    levels: &[
        Level {
            level: 0,
            data: &GroupInfo0::STRUCT_META,
            aux: None,
        },
        Level {
            level: 1,
            data: &GroupInfo1::STRUCT_META,
            aux: None,
        },
    ],
    any_level_data_desc: None,
    served: true,
};

/// Validate the request, then list no group.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: GroupEnumRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if COMMAND.level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            GroupEnumRequest::PARAM_DESC,
            out,
        );
    }
    empty_enumeration(cx, RapStatus::ERROR_SUCCESS, out)
}
