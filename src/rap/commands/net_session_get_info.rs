//! NetSessionGetInfo (opcode 7, ParamDesc `zWrLh`): LAN Manager; not in
//! MS-RAP.
//!
//! NetSessionEnum lists no session (see there), so no client name names
//! one: NERR_ClientNameNotFound (2312), what LAN Manager answers for a
//! computer without a session. Samba 4.17 does not serve the command (50).

use super::net_session_enum::SESSION_LEVELS;
use super::{Call, Command, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::spool::Spooler;

crate::rap_params! {
    /// NetSessionGetInfo request parameters (LAN Manager `zWrLh`).
    pub struct SessionGetInfoRequest<'a> for NET_SESSION_GET_INFO {
        /// The client computer, OEM bytes without the NUL (`\\NAME`).
        client_name: z,
        /// InfoLevel: 0, 1, 2 or 10.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        total_bytes_available: h,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_SESSION_GET_INFO,
    name: "NetSessionGetInfo",
    spec: "LAN Manager NetSessionGetInfo (not in MS-RAP; not served by Samba)",
    params: Some(&SessionGetInfoRequest::META),
    other_param_descs: &[],
    levels: SESSION_LEVELS,
    any_level_data_desc: None,
    served: true,
};

/// Validate the request; no session matches.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: SessionGetInfoRequest<'_> = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let status = if COMMAND.level(r.level).is_none() {
        RapStatus::ERROR_INVALID_LEVEL
    } else {
        RapStatus::NERR_CLIENT_NAME_NOT_FOUND
    };
    cx.error(status, SessionGetInfoRequest::PARAM_DESC, out)
}
