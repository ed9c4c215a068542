//! NetPrintJobGetInfo (opcode 77), server side: MS-RAP 3.2.5.7.
//!
//! Processing is two-phase so that any spooler, synchronous or not, can
//! serve it without the codec blocking or depending on a runtime:
//! [`start`] validates the whole request and either answers at once or
//! returns a [`GetInfoCall`] asking for one job; the caller fetches
//! JOB_INFO_2 however it likes and calls [`GetInfoCall::finish`].

use super::{error_reply, fit_params, has_trailing, put_params, refuse, refuse_with};
use crate::codes::{RapStatus, Win32Error};
use crate::rap::descriptor::Descriptor;
use crate::rap::job_marshal::marshal_job_info;
use crate::rap::print_job::MappingConfig;
use crate::rap::request::{PrintJobGetInfoRequest, RapRequest, GET_INFO_PARAM_DESC};
use crate::rap::server::ServerConfig;
use crate::rap::{RapOutcome, RapResponse, TransactionInput};
use crate::spool::{JobInfo2, OpenPrinter, PRINTER_ACCESS_USE};

/// Outcome of the first phase.
#[derive(Debug)]
pub enum GetInfoStart {
    /// The request was answered without the spooler (bad ParamDesc, bad
    /// level...): `out` holds the reply.
    Done(RapOutcome),
    /// Fetch the job and call [`GetInfoCall::finish`].
    NeedJob(GetInfoCall),
}

/// A validated NetPrintJobGetInfo waiting for its JOB_INFO_2.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct GetInfoCall {
    pub request: PrintJobGetInfoRequest,
    /// MaxParameterCount of the transaction.
    pub max_parameter_count: u16,
    /// MaxDataCount of the transaction.
    pub max_data_count: u16,
}

/// Steps 1–2 of 3.2.5.7 after full recognition of the request.
pub fn start(
    req: &RapRequest<'_>,
    input: &TransactionInput<'_>,
    cfg: &ServerConfig,
    out: &mut RapResponse,
) -> GetInfoStart {
    out.clear();
    let profile = &cfg.profile;
    // Step 1: ParamDesc MUST be "WWrLh" (else ERROR_INVALID_PARAMETER, or
    // per <75> an SMB-level STATUS_INVALID_PARAMETER). DataDesc is never
    // checked (<5>; spec-facts D1).
    if req.param_desc.as_bytes() != GET_INFO_PARAM_DESC {
        return GetInfoStart::Done(refuse(profile.bad_param_desc, req.param_desc, input, out));
    }
    // ParamDesc is exactly `WWrLh`, so RAPParams are exactly JobID,
    // InfoLevel and ReceiveBufferSize (6 bytes); read them directly rather
    // than walking the descriptor (the generic walk, `RapRequest::params` +
    // `from_params`, gives the same result and costs ~1000 instructions).
    let Some((words, after)) = req.rest.split_first_chunk::<6>() else {
        return GetInfoStart::Done(refuse(profile.truncated_params, req.param_desc, input, out));
    };
    // 2.5.1: AuxDesc MUST NOT be present for this command. A lone NUL (an
    // empty AuxDesc) counts as absent (`has_trailing`).
    if let (Some(how), true) = (profile.trailing_bytes, has_trailing(after)) {
        return GetInfoStart::Done(refuse(how, req.param_desc, input, out));
    }
    let [j0, j1, l0, l1, r0, r1] = *words;
    let request = PrintJobGetInfoRequest {
        job_id: u16::from_le_bytes([j0, j1]),
        level: u16::from_le_bytes([l0, l1]),
        receive_buffer_size: u16::from_le_bytes([r0, r1]),
    };
    // Step 2: InfoLevel MUST be 0..=3.
    if request.level > 3 {
        return GetInfoStart::Done(refuse_with(
            RapStatus::ERROR_INVALID_LEVEL,
            Descriptor(GET_INFO_PARAM_DESC),
            input,
            out,
        ));
    }
    GetInfoStart::NeedJob(GetInfoCall {
        request,
        max_parameter_count: input.max_parameter_count,
        max_data_count: input.max_data_count,
    })
}

impl GetInfoCall {
    /// RpcGetJob's JobId: the 16-bit JobID zero-extended.
    pub fn job_id(&self) -> u32 {
        u32::from(self.request.job_id)
    }

    /// Step 3's RpcOpenPrinter arguments: the local machine name (a print
    /// server handle), "RAW", PRINTER_ACCESS_USE.
    pub fn open_printer<'c>(&self, cfg: &'c ServerConfig) -> OpenPrinter<'c> {
        OpenPrinter {
            printer_name: &cfg.machine_name,
            datatype: "RAW",
            access: PRINTER_ACCESS_USE,
        }
    }

    /// Steps 4–7: map JOB_INFO_2 (or the spooler's error) to the reply.
    pub fn finish(
        self,
        job: Result<&JobInfo2, Win32Error>,
        cfg: &ServerConfig,
        out: &mut RapResponse,
    ) -> RapOutcome {
        let input = TransactionInput {
            parameters: &[],
            data: &[],
            max_parameter_count: self.max_parameter_count,
            max_data_count: self.max_data_count,
        };
        let outcome = match job {
            // Step 6: a spooler failure is that Win32 error.
            Err(e) => {
                out.clear();
                put_params(out, e.to_rap_status(), 0, &[0]);
                RapOutcome::Reply(e.to_rap_status())
            }
            Ok(job) => self.marshal(job, cfg, out),
        };
        fit_params(outcome, &input, out)
    }

    fn marshal(&self, job: &JobInfo2, cfg: &ServerConfig, out: &mut RapResponse) -> RapOutcome {
        let level = self.request.level;
        let mapping = MappingConfig {
            profile: cfg.profile,
            utc_offset_secs: cfg.utc_offset_secs,
        };
        let rbs = self.request.receive_buffer_size;
        let limit = rbs.min(self.max_data_count);
        // Straight from JOB_INFO_2 (`job_marshal`): the same bytes as
        // `PrintJobInfo::from_job_info2` + the descriptor-driven `Marshaler`,
        // without the intermediate structures.
        let Some(m) = marshal_job_info(
            level,
            job,
            &mapping,
            rbs,
            limit,
            cfg.profile.layout,
            cfg.code_page,
            &mut out.data,
        ) else {
            return error_reply(
                RapStatus::ERROR_INVALID_LEVEL,
                Descriptor(GET_INFO_PARAM_DESC),
                out,
            );
        };
        let total = u16::try_from(m.total_bytes).unwrap_or(u16::MAX);
        let (status, converter) = if m.entries_returned == 0 {
            // 2.5.11: no fixed item fits.
            out.data.clear();
            (RapStatus::NERR_BUF_TOO_SMALL, 0)
        } else if !m.complete {
            // 3.2.5.7 step 5: ReceiveBufferSize < TotalBytesAvailable.
            (RapStatus::ERROR_MORE_DATA, m.converter)
        } else {
            (RapStatus::ERROR_SUCCESS, m.converter)
        };
        put_params(out, status, converter, &[total]);
        RapOutcome::Reply(status)
    }
}
