//! NetPrintQGetInfo (opcode 70): MS-RAP 2.5.7.2, 3.2.5.5.
//!
//! The queue named in the request, found among the spooler's queues as
//! NetPrintQEnum would list them, marshaled whole (with its jobs at levels
//! 2 and 4) or not at all: ReceiveBufferSize < TotalBytesAvailable is
//! NERR_BufTooSmall (3.2.5.5), unlike NetPrintJobGetInfo's ERROR_MORE_DATA.

use super::net_print_q_enum::{descriptors, queues_from_entries, PrintQueue, LEVELS};
use super::{put_params, Call, Command, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::marshal::Marshaler;
use crate::rap::print_job::MappingConfig;
use crate::rap::print_queue::{entry_size, print_q_name, push_queue, PrintQueueInfo};
use crate::rap::response::{parse_entries, parse_response_params, ResponseError};
use crate::spool::{Printer, Spooler};

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
    levels: LEVELS,
    any_level_data_desc: None,
    served: true,
};

/// The queue a PrintQueueName names: Win9x sends `QUEUE%user` (Samba strips
/// from the `%`, SPEC_NOTES PQ4), so the name ends at the first `%`.
pub(crate) fn requested_name(name: &str) -> &str {
    name.split('%').next().unwrap_or(name)
}

/// The queue whose PrintQName equals `name`, ASCII case-insensitively (queue
/// names are share names). The whole name is compared, also at the levels
/// whose `B13` field carries only 12 bytes of it.
pub fn find<'p>(printers: &'p [Printer], name: &str) -> Option<&'p Printer> {
    printers
        .iter()
        .find(|p| print_q_name(p).eq_ignore_ascii_case(name))
}

/// MS-RAP 3.2.5.5, after full recognition of the request.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // ParamDesc MUST be "zWrLh" (<72>: Windows fails the SMB transaction).
    let (r, aux): (PrintQGetInfoRequest<'_>, _) = match cx.recognize_aux(out) {
        Ok(x) => x,
        Err(o) => return o,
    };
    if COMMAND.level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            PrintQGetInfoRequest::PARAM_DESC,
            out,
        );
    }
    // 2.5.7.2.1: at levels 0 and 3 the AuxDesc MUST NOT be present.
    if aux.is_some() && matches!(r.level, 0 | 3) {
        if let Some(o) = cx.refuse_aux(out) {
            return o;
        }
    }
    let outcome = match cx.spooler.enum_printers().await {
        Err(e) => {
            put_params(out, e.to_rap_status(), 0, &[0]);
            RapOutcome::Reply(e.to_rap_status())
        }
        Ok(printers) => {
            let name = cx.config.code_page.decode(r.queue);
            match find(&printers, requested_name(&name)) {
                None => {
                    put_params(out, RapStatus::NERR_Q_NOT_FOUND, 0, &[0]);
                    RapOutcome::Reply(RapStatus::NERR_Q_NOT_FOUND)
                }
                Some(p) => reply(cx, r.level, r.receive_buffer_size, p, out),
            }
        }
    };
    super::fit_params(outcome, cx.input, out)
}

fn reply<S>(
    cx: &Call<'_, S>,
    level: u16,
    receive_buffer_size: u16,
    p: &Printer,
    out: &mut RapResponse,
) -> RapOutcome {
    let mapping = MappingConfig {
        profile: cx.config.profile,
        utc_offset_secs: cx.config.utc_offset_secs,
    };
    let mut m = Marshaler::new(
        &mut out.data,
        receive_buffer_size,
        cx.input.max_data_count,
        cx.config.profile.layout,
        cx.config.code_page,
    );
    m.plan([entry_size(level, p).unwrap_or(0)]);
    let m = m.marshal(|sink| {
        push_queue(level, p, &mapping, sink);
    });
    let total = u16::try_from(m.total_bytes).unwrap_or(u16::MAX);
    // 3.2.5.5: ReceiveBufferSize (here min(ReceiveBufferSize, MaxDataCount),
    // 2.5.11) < TotalBytesAvailable → NERR_BufTooSmall, and then no data
    // (2.5.2: RAPOutData only with ERROR_SUCCESS / ERROR_MORE_DATA).
    if m.entries_returned == 0 || !m.complete {
        out.data.clear();
        put_params(out, RapStatus::NERR_BUF_TOO_SMALL, 0, &[total]);
        return RapOutcome::Reply(RapStatus::NERR_BUF_TOO_SMALL);
    }
    put_params(out, RapStatus::ERROR_SUCCESS, m.converter, &[total]);
    RapOutcome::Reply(RapStatus::ERROR_SUCCESS)
}

/// A NetPrintQGetInfo response (MS-RAP 2.5.7.2.2), typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintQGetInfoResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// TotalBytesAvailable, when the reply carried it.
    pub total_bytes_available: Option<u16>,
    /// The queue (with its jobs at levels 2 and 4), when data came back.
    pub queue: Option<PrintQueue<'a>>,
}

/// Parse a NetPrintQGetInfo response for a request of `level`.
pub fn parse_q_get_info_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<PrintQGetInfoResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let total_bytes_available = p
        .out_params
        .get(..2)
        .and_then(|b| b.try_into().ok())
        .map(u16::from_le_bytes);
    let queue = if p.status.carries_data() && !data.is_empty() {
        let (dd, ad) = descriptors(level)?;
        let entries = parse_entries(dd, ad, data, 1, p.converter)?;
        queues_from_entries(level, entries, code_page)?
            .into_iter()
            .next()
    } else {
        None
    };
    Ok(PrintQGetInfoResponse {
        status: p.status,
        converter: p.converter,
        total_bytes_available,
        queue,
    })
}

/// Build a NetPrintQGetInfo request (parameters) for `queue` at `level` with
/// the level's DataDesc and, when `aux_desc` is given, that AuxDesc.
pub fn q_get_info_request(
    queue: &[u8],
    level: u16,
    receive_buffer_size: u16,
    aux_desc: Option<&[u8]>,
) -> Vec<u8> {
    let mut v = Vec::new();
    PrintQGetInfoRequest {
        queue,
        level,
        receive_buffer_size,
    }
    .encode(
        PrintQueueInfo::meta_for_level(level).map_or(&b""[..], |m| m.descriptor),
        &mut v,
    );
    if let Some(a) = aux_desc {
        v.extend_from_slice(a);
        v.push(0);
    }
    v
}
