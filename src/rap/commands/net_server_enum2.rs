//! NetServerEnum2 (opcode 104): MS-RAP 2.5.5.2, 3.2.5.12.
//!
//! ServerList (3.2.1.1) is the browser service's list (MS-BRWS). msrap runs
//! no browser, so the list is empty for every ServerType and domain, and
//! the server MUST answer ERROR_NO_BROWSER_SERVERS_FOUND with no entries.

use super::reply::{empty_enumeration, parse_enumeration};
use super::{Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::lanman::{ServerInfo, ServerInfo0, ServerInfo1};
use crate::rap::response::ResponseError;
use crate::spool::Spooler;

crate::rap_params! {
    /// NetServerEnum2 request parameters (MS-RAP 2.5.5.2.1), ParamDesc
    /// `WrLehDz` (`WrLehDO` without a domain: [`ServerEnum2NoDomainRequest`]).
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

crate::rap_params! {
    /// NetServerEnum2 request parameters without a domain (MS-RAP
    /// 2.5.5.2.1), ParamDesc `WrLehDO`: the server's own domain.
    pub struct ServerEnum2NoDomainRequest for NET_SERVER_ENUM2 {
        /// InfoLevel: 0 or 1.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        entries_returned: e,
        entries_available: h,
        /// ServerType: SV_TYPE_* bits to match.
        server_type: D,
        domain: O,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_SERVER_ENUM2,
    name: "NetServerEnum2",
    spec: "MS-RAP 3.2.5.12",
    params: Some(&ServerEnum2Request::META),
    other_param_descs: &[ServerEnum2NoDomainRequest::PARAM_DESC],
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

/// The longest Domain a request may name (MS-RAP 2.4: 15 characters).
pub const MAX_DOMAIN: usize = 15;

/// MS-RAP 3.2.5.12, after full recognition of the request.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // ParamDesc MUST be "WrLehDz" or "WrLehDO" (else
    // ERROR_INVALID_PARAMETER; <83>).
    let no_domain = cx.req.param_desc.as_bytes() == ServerEnum2NoDomainRequest::PARAM_DESC;
    let (level, domain, param_desc) = if no_domain {
        match cx.recognize::<ServerEnum2NoDomainRequest>(out) {
            Ok(r) => (r.level, &[][..], ServerEnum2NoDomainRequest::PARAM_DESC),
            Err(o) => return o,
        }
    } else {
        match cx.recognize::<ServerEnum2Request<'_>>(out) {
            Ok(r) => (r.level, r.domain, ServerEnum2Request::PARAM_DESC),
            Err(o) => return o,
        }
    };
    // InfoLevel MUST be 0 or 1.
    if COMMAND.level(level).is_none() {
        return cx.error(RapStatus::ERROR_INVALID_LEVEL, param_desc, out);
    }
    // 2.4: a Domain longer than 15 characters MUST fail the request with
    // ERROR_INVALID_PARAMETER.
    if domain.len() > MAX_DOMAIN {
        return cx.error(RapStatus::ERROR_INVALID_PARAMETER, param_desc, out);
    }
    // Whatever ServerType and domain ask for (servers, SV_TYPE_DOMAIN_ENUM
    // domains, SV_TYPE_LOCAL_LIST_ONLY), the list is empty: "MUST return an
    // empty server list and set ERROR_NO_BROWSER_SERVERS_FOUND".
    empty_enumeration(cx, RapStatus::ERROR_NO_BROWSER_SERVERS_FOUND, out)
}

/// A NetServerEnum2 response (MS-RAP 2.5.5.2.2), typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerEnum2Response<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// EntriesReturned.
    pub entries_returned: u16,
    /// EntriesAvailable.
    pub entries_available: u16,
    /// The servers returned.
    pub servers: Vec<ServerInfo<'a>>,
}

/// Parse a NetServerEnum2 response for a request of `level`.
pub fn parse_server_enum2_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<ServerEnum2Response<'a>, ResponseError> {
    let meta = ServerInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
    let e = parse_enumeration(meta, params, data)?;
    let servers = e
        .entries
        .iter()
        .map(|v| ServerInfo::from_values(level, &v.values, code_page))
        .collect::<Result<_, _>>()?;
    Ok(ServerEnum2Response {
        status: e.status,
        converter: e.converter,
        entries_returned: e.entries_returned,
        entries_available: e.entries_available,
        servers,
    })
}
