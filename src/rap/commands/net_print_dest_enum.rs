//! NetPrintDestEnum (opcode 84, ParamDesc `WrLeh`).
//!
//! Not in MS-RAP (spec-facts §3.1): Samba's `api_WPrintDestEnum`, LAN
//! Manager's DosPrintDestEnum. Levels 0–3 ([`crate::rap::print_dest`]);
//! marshaled by the 2.5.11 rules of the other enumerations.

use super::{put_params, Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::descriptor::Descriptor;
use crate::rap::marshal::{oem_string_len, Marshaler};
use crate::rap::print_dest::{
    with_printer, PrintDest0, PrintDest1, PrintDest2, PrintDest3, PrintDestInfo, MAX_B9_NAME,
};
use crate::rap::print_queue::print_q_name;
use crate::rap::response::{parse_entries, parse_response_params, ResponseError};
use crate::spool::{Printer, Spooler};

crate::rap_params! {
    /// NetPrintDestEnum request parameters (Samba, LAN Manager), ParamDesc `WrLeh`.
    pub struct PrintDestEnumRequest for NET_PRINT_DEST_ENUM {
        /// InfoLevel: 0 to 3.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        entries_returned: e,
        entries_available: h,
    }
}

/// The levels of NetPrintDestEnum and NetPrintDestGetInfo.
pub const LEVELS: &[Level] = &[
    Level {
        level: 0,
        data: &PrintDest0::STRUCT_META,
        aux: None,
    },
    Level {
        level: 1,
        data: &PrintDest1::STRUCT_META,
        aux: None,
    },
    Level {
        level: 2,
        data: &PrintDest2::STRUCT_META,
        aux: None,
    },
    Level {
        level: 3,
        data: &PrintDest3::STRUCT_META,
        aux: None,
    },
];

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_DEST_ENUM,
    name: "NetPrintDestEnum",
    spec: "Samba api_WPrintDestEnum (not in MS-RAP)",
    params: Some(&PrintDestEnumRequest::META),
    other_param_descs: &[],
    levels: LEVELS,
    any_level_data_desc: None,
    served: true,
};

/// Whether a destination is enumerated at `level`: at levels 0 and 1 (a `B9`
/// name) only names of at most 8 OEM bytes, as for queues (2.5.7.8).
pub fn enumerated(level: u16, p: &Printer, cp: &OemCodePage) -> bool {
    level > 1 || oem_string_len(cp, print_q_name(p)).0 <= MAX_B9_NAME
}

/// Enumerate the destinations (one per queue of the spooler's snapshot).
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: PrintDestEnumRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let Some(meta) = PrintDestInfo::meta_for_level(r.level) else {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            PrintDestEnumRequest::PARAM_DESC,
            out,
        );
    };
    let outcome = match cx.spooler.enum_printers().await {
        Err(e) => {
            put_params(out, e.to_rap_status(), 0, &[0, 0]);
            RapOutcome::Reply(e.to_rap_status())
        }
        Ok(printers) => {
            let cp = cx.config.code_page;
            let listed = || {
                printers
                    .iter()
                    .filter(move |p| enumerated(r.level, p, &cp))
                    .take(usize::from(u16::MAX))
            };
            let mut m = Marshaler::new(
                &mut out.data,
                r.receive_buffer_size,
                cx.input.max_data_count,
                cx.config.profile.layout,
                cp,
            );
            let fit = m.plan_uniform(listed().count(), meta.fixed_size);
            let m = m.marshal(|sink| {
                for p in listed().take(fit) {
                    with_printer(r.level, p, &mut *sink);
                }
            });
            let status = if m.entries_returned == 0 && m.entries_available > 0 {
                out.data.clear();
                RapStatus::NERR_BUF_TOO_SMALL
            } else if m.entries_returned < m.entries_available || !m.complete {
                RapStatus::ERROR_MORE_DATA
            } else {
                RapStatus::ERROR_SUCCESS
            };
            let converter = if status == RapStatus::NERR_BUF_TOO_SMALL {
                0
            } else {
                m.converter
            };
            put_params(
                out,
                status,
                converter,
                &[m.entries_returned, m.entries_available],
            );
            RapOutcome::Reply(status)
        }
    };
    super::fit_params(outcome, cx.input, out)
}

/// A NetPrintDestEnum response, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintDestEnumResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// EntriesReturned.
    pub entries_returned: u16,
    /// EntriesAvailable.
    pub entries_available: u16,
    /// The destinations returned.
    pub destinations: Vec<PrintDestInfo<'a>>,
}

/// Parse a NetPrintDestEnum response for a request of `level`.
pub fn parse_dest_enum_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<PrintDestEnumResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let word = |at: usize| {
        p.out_params
            .get(at..at.saturating_add(2))
            .and_then(|b| b.try_into().ok())
            .map_or(0, u16::from_le_bytes)
    };
    let entries_returned = word(0);
    let entries_available = word(2);
    let mut destinations = Vec::new();
    if p.status.carries_data() && entries_returned > 0 {
        let meta =
            PrintDestInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
        for e in parse_entries(
            Descriptor(meta.descriptor),
            None,
            data,
            usize::from(entries_returned),
            p.converter,
        )? {
            destinations.push(PrintDestInfo::from_values(level, &e.values, code_page)?);
        }
    }
    Ok(PrintDestEnumResponse {
        status: p.status,
        converter: p.converter,
        entries_returned,
        entries_available,
        destinations,
    })
}
