//! NetSessionEnum (opcode 6, ParamDesc `WrLeh`): LAN Manager; not in
//! MS-RAP.
//!
//! The RAP server answers for every connection, and no connection's
//! sessions are visible to it: it lists none (as Samba 4.17 answers a
//! guest or anonymous caller). Levels 0, 1, 2 and 10 (`session_info_*`).

use super::reply::{empty_enumeration, parse_enumeration};
use super::{Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::lanman::{SessionInfo, SessionInfo0, SessionInfo1, SessionInfo10, SessionInfo2};
use crate::rap::response::ResponseError;
use crate::spool::Spooler;

crate::rap_params! {
    /// NetSessionEnum request parameters (LAN Manager `WrLeh`).
    pub struct SessionEnumRequest for NET_SESSION_ENUM {
        /// InfoLevel: 0, 1, 2 or 10.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        entries_returned: e,
        entries_available: h,
    }
}

/// The levels of `session_info` (NetSessionEnum and NetSessionGetInfo).
pub const SESSION_LEVELS: &[Level] = &[
    Level {
        level: 0,
        data: &SessionInfo0::STRUCT_META,
        aux: None,
    },
    Level {
        level: 1,
        data: &SessionInfo1::STRUCT_META,
        aux: None,
    },
    Level {
        level: 2,
        data: &SessionInfo2::STRUCT_META,
        aux: None,
    },
    Level {
        level: 10,
        data: &SessionInfo10::STRUCT_META,
        aux: None,
    },
];

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_SESSION_ENUM,
    name: "NetSessionEnum",
    spec: "LAN Manager NetSessionEnum; Samba api_RNetSessionEnum (not in MS-RAP)",
    params: Some(&SessionEnumRequest::META),
    other_param_descs: &[],
    levels: SESSION_LEVELS,
    any_level_data_desc: None,
    served: true,
};

/// Validate the request, then list no session.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: SessionEnumRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if COMMAND.level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            SessionEnumRequest::PARAM_DESC,
            out,
        );
    }
    empty_enumeration(cx, RapStatus::ERROR_SUCCESS, out)
}

/// A NetSessionEnum response, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionEnumResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// EntriesReturned.
    pub entries_returned: u16,
    /// EntriesAvailable.
    pub entries_available: u16,
    /// The sessions returned.
    pub sessions: Vec<SessionInfo<'a>>,
}

/// Parse a NetSessionEnum response for a request of `level`.
pub fn parse_session_enum_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<SessionEnumResponse<'a>, ResponseError> {
    let meta = SessionInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
    let e = parse_enumeration(meta, params, data)?;
    let sessions = e
        .entries
        .iter()
        .map(|v| SessionInfo::from_values(level, &v.values, code_page))
        .collect::<Result<_, _>>()?;
    Ok(SessionEnumResponse {
        status: e.status,
        converter: e.converter,
        entries_returned: e.entries_returned,
        entries_available: e.entries_available,
        sessions,
    })
}
