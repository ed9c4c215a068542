//! NetWkstaGetInfo (opcode 63): MS-RAP 2.5.10.1, 3.2.5.16.

use std::borrow::Cow;

use super::reply::{get_info, parse_info};
use super::{Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::lanman::WkstaInfo10;
use crate::rap::response::ResponseError;
use crate::rap::structs::RapStruct;
use crate::spool::Spooler;

crate::rap_params! {
    /// NetWkstaGetInfo request parameters (MS-RAP 2.5.10.1.1), ParamDesc `WrLh`.
    pub struct WkstaGetInfoRequest for NET_WKSTA_GET_INFO {
        /// InfoLevel: 10.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        total_bytes_available: h,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_WKSTA_GET_INFO,
    name: "NetWkstaGetInfo",
    spec: "MS-RAP 3.2.5.16",
    params: Some(&WkstaGetInfoRequest::META),
    other_param_descs: &[],
    levels: &[Level {
        level: 10,
        data: &WkstaInfo10::STRUCT_META,
        aux: None,
    }],
    any_level_data_desc: None,
    served: true,
};

/// MS-RAP 3.2.5.16, after full recognition of the request.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // ParamDesc MUST be "WrLh" (else ERROR_INVALID_PARAMETER; <89>).
    let r: WkstaGetInfoRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    // InfoLevel MUST be 10.
    if COMMAND.level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            WkstaGetInfoRequest::PARAM_DESC,
            out,
        );
    }
    // 2.5.10.4.1: ComputerName and LanGroup MUST be set; UserName and
    // LogonDomain SHOULD be: the caller's account (empty for a null
    // session) and the server's workgroup, where msrap's accounts live;
    // OtherDomains: none (empty). Pointers are never NULL (2.5.11).
    let config = cx.config;
    let info = WkstaInfo10 {
        computer_name: Some(Cow::Borrowed(&config.machine_name)),
        user_name: Some(Cow::Borrowed(cx.caller.user)),
        lan_group: Some(Cow::Borrowed(&config.workgroup)),
        ver_major: config.version.0,
        ver_minor: config.version.1,
        logon_domain: Some(Cow::Borrowed(&config.workgroup)),
        other_domains: Some(Cow::Borrowed("")),
    };
    // ReceiveBufferSize < TotalBytesAvailable → ERROR_MORE_DATA.
    get_info(cx, r.receive_buffer_size, &info, out)
}

/// A NetWkstaGetInfo response (MS-RAP 2.5.10.1.2), typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WkstaGetInfoResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// TotalBytesAvailable, when the reply carried it.
    pub total_bytes_available: Option<u16>,
    /// The structure, when the status carries data and data came back.
    pub info: Option<WkstaInfo10<'a>>,
}

/// Parse a NetWkstaGetInfo level-10 response.
pub fn parse_wksta_get_info_response<'a>(
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<WkstaGetInfoResponse<'a>, ResponseError> {
    let r = parse_info(WkstaInfo10::META, params, data)?;
    Ok(WkstaGetInfoResponse {
        status: r.status,
        converter: r.converter,
        total_bytes_available: r.total_bytes_available,
        info: r
            .values
            .map(|v| WkstaInfo10::from_values(&v, code_page))
            .transpose()?,
    })
}
