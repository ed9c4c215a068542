//! NetUserEnum (opcode 53, ParamDesc `WrLeh`): LAN Manager; not in MS-RAP.
//!
//! msrap keeps no user accounts (every non-anonymous session is a guest):
//! the list is empty (Samba 4.17 answers a guest or anonymous caller the
//! same: status 0, no entries). Levels 0 (`user_info_0`, `B21`), 1
//! (`user_info_1`, `B21BB16DWzzWz`) and 10 (`user_info_10`, `B21Bzzz`).

use super::reply::empty_enumeration;
use super::{Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::rap::lanman::{UserInfo0, UserInfo1, UserInfo10};
use crate::spool::Spooler;

crate::rap_params! {
    /// NetUserEnum request parameters (LAN Manager `WrLeh`).
    pub struct UserEnumRequest for NET_USER_ENUM {
        /// InfoLevel: 0, 1 or 10.
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
    opcode: RapOpcode::NET_USER_ENUM,
    name: "NetUserEnum",
    spec: "LAN Manager NetUserEnum; Samba api_RNetUserEnum (not in MS-RAP)",
    params: Some(&UserEnumRequest::META),
    other_param_descs: &[],
    levels: &[
        Level {
            level: 0,
            data: &UserInfo0::STRUCT_META,
            aux: None,
        },
        Level {
            level: 1,
            data: &UserInfo1::STRUCT_META,
            aux: None,
        },
        Level {
            level: 10,
            data: &UserInfo10::STRUCT_META,
            aux: None,
        },
    ],
    any_level_data_desc: None,
    served: true,
};

/// Validate the request, then list no user.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: UserEnumRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if COMMAND.level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            UserEnumRequest::PARAM_DESC,
            out,
        );
    }
    empty_enumeration(cx, RapStatus::ERROR_SUCCESS, out)
}
