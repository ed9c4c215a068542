//! NetPrintDestGetInfo (opcode 85, ParamDesc `zWrLh`).
//!
//! Not in MS-RAP: Samba's `api_WPrintDestGetInfo`, LAN Manager's
//! DosPrintDestGetInfo. The destination is found by its whole name
//! (ASCII case-insensitively); none → NERR_DestNotFound (2152), as Samba
//! answers. Buffer rules as NetPrintJobGetInfo (2.5.11: the fixed part does
//! not fit → NERR_BufTooSmall; a string does not fit → ERROR_MORE_DATA).

use super::net_print_dest_enum::LEVELS;
use super::net_print_q_get_info::find;
use super::{put_params, Call, Command, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::descriptor::Descriptor;
use crate::rap::marshal::Marshaler;
use crate::rap::print_dest::{with_printer, PrintDestInfo};
use crate::rap::response::{parse_response_params, parse_struct, ResponseError};
use crate::spool::Spooler;

crate::rap_params! {
    /// NetPrintDestGetInfo request parameters (Samba, LAN Manager), ParamDesc `zWrLh`.
    pub struct PrintDestGetInfoRequest<'a> for NET_PRINT_DEST_GET_INFO {
        /// The destination (printer) name, OEM bytes without the NUL.
        name ("printer_name"): z,
        /// InfoLevel: 0 to 3.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        total_bytes_available: h,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_DEST_GET_INFO,
    name: "NetPrintDestGetInfo",
    spec: "Samba api_WPrintDestGetInfo (not in MS-RAP)",
    params: Some(&PrintDestGetInfoRequest::META),
    other_param_descs: &[],
    levels: LEVELS,
    any_level_data_desc: None,
    served: true,
};

/// One destination's details.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: PrintDestGetInfoRequest<'_> = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if PrintDestInfo::meta_for_level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            PrintDestGetInfoRequest::PARAM_DESC,
            out,
        );
    }
    let outcome = match cx.spooler.enum_printers().await {
        Err(e) => {
            put_params(out, e.to_rap_status(), 0, &[0]);
            RapOutcome::Reply(e.to_rap_status())
        }
        Ok(printers) => {
            let name = cx.config.code_page.decode(r.name);
            match find(&printers, &name) {
                None => {
                    put_params(out, RapStatus::NERR_DEST_NOT_FOUND, 0, &[0]);
                    RapOutcome::Reply(RapStatus::NERR_DEST_NOT_FOUND)
                }
                Some(p) => {
                    let m = Marshaler::new(
                        &mut out.data,
                        r.receive_buffer_size,
                        cx.input.max_data_count,
                        cx.config.profile.layout,
                        cx.config.code_page,
                    );
                    match with_printer(r.level, p, m) {
                        None => {
                            put_params(out, RapStatus::ERROR_INVALID_LEVEL, 0, &[0]);
                            RapOutcome::Reply(RapStatus::ERROR_INVALID_LEVEL)
                        }
                        Some(m) => {
                            let total = u16::try_from(m.total_bytes).unwrap_or(u16::MAX);
                            let (status, converter) = super::reply::one_structure_status(&m, out);
                            put_params(out, status, converter, &[total]);
                            RapOutcome::Reply(status)
                        }
                    }
                }
            }
        }
    };
    super::fit_params(outcome, cx.input, out)
}

/// A NetPrintDestGetInfo response, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintDestGetInfoResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// TotalBytesAvailable, when the reply carried it.
    pub total_bytes_available: Option<u16>,
    /// The destination, when data came back.
    pub destination: Option<PrintDestInfo<'a>>,
}

/// Parse a NetPrintDestGetInfo response for a request of `level`.
pub fn parse_dest_get_info_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<PrintDestGetInfoResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let total_bytes_available = p
        .out_params
        .get(..2)
        .and_then(|b| b.try_into().ok())
        .map(u16::from_le_bytes);
    let destination = if p.status.carries_data() && !data.is_empty() {
        let meta =
            PrintDestInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
        let mut values = Vec::with_capacity(meta.fields.len());
        parse_struct(
            Descriptor(meta.descriptor),
            data,
            0,
            p.converter,
            0,
            &mut values,
        )?;
        Some(PrintDestInfo::from_values(level, &values, code_page)?)
    } else {
        None
    };
    Ok(PrintDestGetInfoResponse {
        status: p.status,
        converter: p.converter,
        total_bytes_available,
        destination,
    })
}
