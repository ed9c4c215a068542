//! NetPrintJobEnum (opcode 76, ParamDesc `zWrLeh`).
//!
//! Not in MS-RAP (spec-facts D14); the form Samba's smbclient sends for
//! `queue`. Levels 0–2 (as Samba). Marshaled by the same 2.5.11 rules as
//! GetInfo: fixed parts first, as many entries as fit; response parameters
//! Win32ErrorCode, Converter, EntriesReturned (`e`), EntriesAvailable (`h`).

use super::{put_params, Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::descriptor::Descriptor;
use crate::rap::marshal::Marshaler;
use crate::rap::print_job::{
    with_job_info2, MappingConfig, PrintJobInfo, PrintJobInfo0, PrintJobInfo1, PrintJobInfo2,
};
use crate::rap::response::{parse_entries, parse_response_params, ResponseError};
use crate::spool::{OpenPrinter, Spooler, PRINTER_ACCESS_USE};

crate::rap_params! {
    /// NetPrintJobEnum request parameters (Samba `zWrLeh`; not in MS-RAP, D14).
    pub struct PrintJobEnumRequest<'a> for NET_PRINT_JOB_ENUM {
        /// The queue name, OEM bytes without the NUL.
        queue ("print_queue_name"): z,
        /// InfoLevel: 0, 1 or 2.
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
    opcode: RapOpcode::NET_PRINT_JOB_ENUM,
    name: "NetPrintJobEnum",
    spec: "Samba api_WPrintJobEnumerate (not in MS-RAP)",
    params: Some(&PrintJobEnumRequest::META),
    other_param_descs: &[],
    levels: &[
        Level {
            level: 0,
            data: &PrintJobInfo0::STRUCT_META,
            aux: None,
        },
        Level {
            level: 1,
            data: &PrintJobInfo1::STRUCT_META,
            aux: None,
        },
        Level {
            level: 2,
            data: &PrintJobInfo2::STRUCT_META,
            aux: None,
        },
    ],
    any_level_data_desc: None,
    served: true,
};

const ENUM_OUT: usize = 2;

/// Enumerate a queue's jobs (RpcEnumJobs level 2) and marshal them.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: PrintJobEnumRequest<'_> = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if COMMAND.level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            PrintJobEnumRequest::PARAM_DESC,
            out,
        );
    }
    let queue = cx.config.code_page.decode(r.queue);
    let open = OpenPrinter {
        printer_name: &queue,
        datatype: "RAW",
        access: PRINTER_ACCESS_USE,
    };
    let outcome = match cx.spooler.enum_jobs(&open).await {
        Err(e) => {
            put_params(out, e.to_rap_status(), 0, &[0; ENUM_OUT]);
            RapOutcome::Reply(e.to_rap_status())
        }
        Ok(jobs) => {
            let mapping = MappingConfig {
                profile: cx.config.profile,
                utc_offset_secs: cx.config.utc_offset_secs,
            };
            let fixed = PrintJobInfo::meta_for_level(r.level).map_or(0, |m| m.fixed_size);
            let jobs = jobs
                .get(..jobs.len().min(usize::from(u16::MAX)))
                .unwrap_or(&jobs);
            let mut m = Marshaler::new(
                &mut out.data,
                r.receive_buffer_size,
                cx.input.max_data_count,
                cx.config.profile.layout,
                cx.config.code_page,
            );
            let fit = m.plan_uniform(jobs.len(), fixed);
            let m = m.marshal(|sink| {
                for j in jobs.iter().take(fit) {
                    with_job_info2(r.level, j, &mapping, &mut *sink);
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

/// A NetPrintJobEnum response, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintJobEnumResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// EntriesReturned.
    pub entries_returned: u16,
    /// EntriesAvailable.
    pub entries_available: u16,
    /// The jobs returned.
    pub jobs: Vec<PrintJobInfo<'a>>,
}

/// Parse a NetPrintJobEnum response (`zWrLeh`) for a request of `level`.
pub fn parse_job_enum_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<PrintJobEnumResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let word = |at: usize| {
        p.out_params
            .get(at..at + 2)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u16::from_le_bytes)
    };
    let entries_returned = word(0);
    let entries_available = word(2);
    let mut jobs = Vec::new();
    if p.status.carries_data() && entries_returned > 0 {
        let meta = PrintJobInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
        for e in parse_entries(
            Descriptor(meta.descriptor),
            None,
            data,
            usize::from(entries_returned),
            p.converter,
        )? {
            jobs.push(PrintJobInfo::from_values(level, &e.values, code_page)?);
        }
    }
    Ok(PrintJobEnumResponse {
        status: p.status,
        converter: p.converter,
        entries_returned,
        entries_available,
        jobs,
    })
}
