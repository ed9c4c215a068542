//! NetShareGetInfo (opcode 1): MS-RAP 2.5.6.2, 3.2.5.2.

use super::net_share_enum::Shares;
use super::reply::{parse_info, GetInfoReply};
use super::{fit_params, put_params, Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::lanman::{ShareInfo, ShareInfo0, ShareInfo1, ShareInfo2};
use crate::rap::response::ResponseError;
use crate::spool::Spooler;

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
    served: true,
};

/// MS-RAP 3.2.5.2, after full recognition of the request.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // ParamDesc MUST be "zWrLh" (else ERROR_INVALID_PARAMETER; <69>).
    let r: ShareGetInfoRequest<'_> = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    // InfoLevel MUST be 0, 1 or 2.
    if COMMAND.level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            ShareGetInfoRequest::PARAM_DESC,
            out,
        );
    }
    // A NULL (empty) NetName MUST be ERROR_INVALID_PARAMETER.
    if r.net_name.is_empty() {
        return cx.error(
            RapStatus::ERROR_INVALID_PARAMETER,
            ShareGetInfoRequest::PARAM_DESC,
            out,
        );
    }
    let shares = match Shares::of(cx.spooler).await {
        Ok(s) => s,
        Err(e) => {
            let status = e.to_rap_status();
            put_params(out, status, 0, &[0]);
            return fit_params(RapOutcome::Reply(status), cx.input, out);
        }
    };
    // NetrShareGetInfo: share names compare case-insensitively; an unknown
    // one is NERR_NetNameNotFound (MS-SRVS 3.1.4.10).
    let name = cx.config.code_page.decode(r.net_name);
    let Some(share) = shares.iter().find(|s| s.name.eq_ignore_ascii_case(&name)) else {
        return cx.error(
            RapStatus::NERR_NET_NAME_NOT_FOUND,
            ShareGetInfoRequest::PARAM_DESC,
            out,
        );
    };
    // The mapping of 3.2.5.1 (a name longer than 12 bytes is cut to fit
    // the B13 field), marshaled by 2.5.11; ReceiveBufferSize <
    // TotalBytesAvailable → ERROR_MORE_DATA.
    let reply = GetInfoReply {
        cx,
        rbs: r.receive_buffer_size,
        out: &mut *out,
    };
    match share.with_info(r.level, reply) {
        Some(o) => o,
        None => cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            ShareGetInfoRequest::PARAM_DESC,
            out,
        ),
    }
}

/// A NetShareGetInfo response (MS-RAP 2.5.6.2.2), typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareGetInfoResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// TotalBytesAvailable, when the reply carried it.
    pub total_bytes_available: Option<u16>,
    /// The structure, when the status carries data and data came back.
    pub info: Option<ShareInfo<'a>>,
}

/// Parse a NetShareGetInfo response for a request of `level`.
pub fn parse_share_get_info_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<ShareGetInfoResponse<'a>, ResponseError> {
    let meta = ShareInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
    let r = parse_info(meta, params, data)?;
    Ok(ShareGetInfoResponse {
        status: r.status,
        converter: r.converter,
        total_bytes_available: r.total_bytes_available,
        info: r
            .values
            .map(|v| ShareInfo::from_values(level, &v, code_page))
            .transpose()?,
    })
}
