//! NetPrintJobGetInfo (opcode 77): MS-RAP 2.5.7.4, 3.2.5.7.

use super::{put_params, Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::marshal::Marshaler;
use crate::rap::print_job::{
    with_job_info2, MappingConfig, PrintJobInfo, PrintJobInfo0, PrintJobInfo1, PrintJobInfo2,
    PrintJobInfo3,
};
use crate::rap::response::{parse_response_params, parse_struct, ResponseError};
use crate::spool::{JobInfo2, OpenPrinter, Spooler, PRINTER_ACCESS_USE};

crate::rap_params! {
    /// NetPrintJobGetInfo request parameters (MS-RAP 2.5.7.4.1), ParamDesc `WWrLh`.
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct PrintJobGetInfoRequest for NET_PRINT_JOB_GET_INFO {
        /// JobID: the job to query.
        job_id: W,
        /// InfoLevel: 0, 1, 2 or 3.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize: the most response Data bytes the client accepts.
        receive_buffer_size: L,
        total_bytes_available: h,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_JOB_GET_INFO,
    name: "NetPrintJobGetInfo",
    spec: "MS-RAP 3.2.5.7",
    params: Some(&PrintJobGetInfoRequest::META),
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
        Level {
            level: 3,
            data: &PrintJobInfo3::STRUCT_META,
            aux: None,
        },
    ],
    // MS-RAP 2.5.7.4.1 literally requires the level-3 string for every level.
    any_level_data_desc: Some(PrintJobInfo3::DESCRIPTOR),
    served: true,
};

/// MS-RAP 3.2.5.7, after full recognition of the request.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // Step 1: ParamDesc MUST be "WWrLh" (else ERROR_INVALID_PARAMETER, or
    // per <75> an SMB-level STATUS_INVALID_PARAMETER). DataDesc is never
    // checked (<5>; spec-facts D1).
    let r: PrintJobGetInfoRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    // Step 2: InfoLevel MUST be 0..=3.
    if PrintJobInfo::meta_for_level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            PrintJobGetInfoRequest::PARAM_DESC,
            out,
        );
    }
    // Step 3: RpcOpenPrinter on the local machine (a print server handle),
    // "RAW", PRINTER_ACCESS_USE; RpcGetJob(level 2) with the JobID
    // zero-extended.
    let open = OpenPrinter {
        printer_name: &cx.config.machine_name,
        datatype: "RAW",
        access: PRINTER_ACCESS_USE,
    };
    let job = cx.spooler.get_job(&open, u32::from(r.job_id)).await;
    let outcome = match job {
        // Step 6: a spooler failure is that Win32 error.
        Err(e) => {
            put_params(out, e.to_rap_status(), 0, &[0]);
            RapOutcome::Reply(e.to_rap_status())
        }
        // Steps 4–5 and 7.
        Ok(job) => {
            let mapping = MappingConfig {
                profile: cx.config.profile,
                utc_offset_secs: cx.config.utc_offset_secs,
            };
            reply(r.level, &job, &mapping, r.receive_buffer_size, cx, out)
        }
    };
    super::fit_params(outcome, cx.input, out)
}

fn reply<S>(
    level: u16,
    job: &JobInfo2,
    mapping: &MappingConfig,
    receive_buffer_size: u16,
    cx: &Call<'_, S>,
    out: &mut RapResponse,
) -> RapOutcome {
    let m = Marshaler::new(
        &mut out.data,
        receive_buffer_size,
        cx.input.max_data_count,
        cx.config.profile.layout,
        cx.config.code_page,
    );
    let Some(m) = with_job_info2(level, job, mapping, m) else {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            PrintJobGetInfoRequest::PARAM_DESC,
            out,
        );
    };
    let total = u16::try_from(m.total_bytes).unwrap_or(u16::MAX);
    let (status, converter) = super::reply::one_structure_status(&m, out);
    put_params(out, status, converter, &[total]);
    RapOutcome::Reply(status)
}

/// A NetPrintJobGetInfo response (MS-RAP 2.5.7.4.2), typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintJobGetInfoResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// TotalBytesAvailable, when the reply carried it.
    pub total_bytes_available: Option<u16>,
    /// The structure, when the status carries data and data came back.
    pub info: Option<PrintJobInfo<'a>>,
}

/// Parse a NetPrintJobGetInfo response for a request of `level`, decoding
/// strings with `code_page`.
pub fn parse_get_info_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<PrintJobGetInfoResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let total_bytes_available = p
        .out_params
        .get(..2)
        .and_then(|b| b.try_into().ok())
        .map(u16::from_le_bytes);
    let info = if p.status.carries_data() && !data.is_empty() {
        let meta = PrintJobInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
        let mut values = Vec::with_capacity(meta.fields.len());
        parse_struct(
            crate::rap::descriptor::Descriptor(meta.descriptor),
            data,
            0,
            p.converter,
            0,
            &mut values,
        )?;
        Some(PrintJobInfo::from_values(level, &values, code_page)?)
    } else {
        None
    };
    Ok(PrintJobGetInfoResponse {
        status: p.status,
        converter: p.converter,
        total_bytes_available,
        info,
    })
}
