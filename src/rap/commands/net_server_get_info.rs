//! NetServerGetInfo (opcode 13): MS-RAP 2.5.5.1, 3.2.5.3.
//!
//! NetrServerGetInfo level 101 of the local machine (MS-SRVS 3.1.4.17)
//! comes from the server's settings: ServerName = `machine_name`, the
//! version, SV_TYPE_* bits and comment of [`RapConfig`].

use std::borrow::Cow;

use super::reply::{parse_info, GetInfoReply};
use super::{Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::lanman::{ServerInfo, ServerInfo0, ServerInfo1};
use crate::rap::response::ResponseError;
use crate::rap::structs::TakeStruct;
use crate::rap::RapConfig;
use crate::spool::Spooler;

crate::rap_params! {
    /// NetServerGetInfo request parameters (MS-RAP 2.5.5.1.1), ParamDesc `WrLh`.
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
    spec: "MS-RAP 3.2.5.3",
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
    served: true,
};

/// This server's NetServerInfo of `level` (0 or 1), taken by `k`
/// (SERVER_INFO_101 → NetServerInfo0/1, 3.2.5.3). A name longer than 15
/// bytes is cut to fit the B16 field.
pub(crate) fn with_server_info<K: TakeStruct>(
    config: &RapConfig,
    level: u16,
    k: K,
) -> Option<K::Output> {
    Some(match level {
        0 => k.take(&ServerInfo0 {
            server_name: Cow::Borrowed(&config.machine_name),
        }),
        1 => k.take(&ServerInfo1 {
            server_name: Cow::Borrowed(&config.machine_name),
            major_version: config.version.0,
            minor_version: config.version.1,
            server_type: config.server_type,
            server_comment: Some(Cow::Borrowed(&config.server_comment)),
        }),
        _ => return None,
    })
}

/// MS-RAP 3.2.5.3, after full recognition of the request.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // ParamDesc MUST be "WrLh" (else ERROR_INVALID_PARAMETER; <70>).
    let r: ServerGetInfoRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let reply = GetInfoReply {
        cx,
        rbs: r.receive_buffer_size,
        out: &mut *out,
    };
    // InfoLevel MUST be 0 or 1; ReceiveBufferSize < TotalBytesAvailable →
    // ERROR_MORE_DATA.
    match with_server_info(cx.config, r.level, reply) {
        Some(o) => o,
        None => cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            ServerGetInfoRequest::PARAM_DESC,
            out,
        ),
    }
}

/// A NetServerGetInfo response (MS-RAP 2.5.5.1.2), typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerGetInfoResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// TotalBytesAvailable, when the reply carried it.
    pub total_bytes_available: Option<u16>,
    /// The structure, when the status carries data and data came back.
    pub info: Option<ServerInfo<'a>>,
}

/// Parse a NetServerGetInfo response for a request of `level`.
pub fn parse_server_get_info_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<ServerGetInfoResponse<'a>, ResponseError> {
    let meta = ServerInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
    let r = parse_info(meta, params, data)?;
    Ok(ServerGetInfoResponse {
        status: r.status,
        converter: r.converter,
        total_bytes_available: r.total_bytes_available,
        info: r
            .values
            .map(|v| ServerInfo::from_values(level, &v, code_page))
            .transpose()?,
    })
}
