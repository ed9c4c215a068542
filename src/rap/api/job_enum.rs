//! NetPrintJobEnum (opcode 76, ParamDesc `zWrLeh`), server side.
//!
//! Not in MS-RAP (spec-facts D14); the form Samba's smbclient sends for
//! `queue`. Levels 0–2 (as Samba). Marshaled by the same 2.5.11 rules as
//! GetInfo: fixed parts first, as many entries as fit; response parameters
//! Win32ErrorCode, Converter, EntriesReturned (`e`), EntriesAvailable (`h`).

use super::{error_reply, fit_params, has_trailing, put_params, refuse, refuse_with};
use crate::codes::{RapStatus, Win32Error};
use crate::rap::descriptor::{job, Descriptor};
use crate::rap::marshal::Marshaler;
use crate::rap::print_job::{MappingConfig, PrintJobInfo};
use crate::rap::request::{PrintJobEnumRequest, RapRequest, JOB_ENUM_PARAM_DESC};
use crate::rap::server::ServerConfig;
use crate::rap::{RapOutcome, RapResponse, TransactionInput};
use crate::spool::{JobInfo2, OpenPrinter, PRINTER_ACCESS_USE};

/// Outcome of the first phase.
#[derive(Debug)]
pub enum JobEnumStart {
    Done(RapOutcome),
    /// Enumerate the jobs of the queue and call [`JobEnumCall::finish`].
    NeedJobs(JobEnumCall),
}

/// A validated NetPrintJobEnum waiting for the queue's jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobEnumCall {
    /// The queue name, decoded from the OEM code page.
    pub queue: String,
    pub level: u16,
    pub receive_buffer_size: u16,
    pub max_parameter_count: u16,
    pub max_data_count: u16,
}

const ENUM_OUT: usize = 2;

pub fn start(
    req: &RapRequest<'_>,
    input: &TransactionInput<'_>,
    cfg: &ServerConfig,
    out: &mut RapResponse,
) -> JobEnumStart {
    out.clear();
    let profile = &cfg.profile;
    if req.param_desc.as_bytes() != JOB_ENUM_PARAM_DESC {
        return JobEnumStart::Done(refuse(profile.bad_param_desc, req.param_desc, input, out));
    }
    let parsed = req
        .params()
        .and_then(|p| PrintJobEnumRequest::from_params(&p).map(|r| (p, r)));
    let Ok((params, r)) = parsed else {
        return JobEnumStart::Done(refuse(profile.truncated_params, req.param_desc, input, out));
    };
    if let (Some(how), true) = (
        profile.trailing_bytes,
        has_trailing(req.rest.get(params.bytes.len()..).unwrap_or_default()),
    ) {
        return JobEnumStart::Done(refuse(how, req.param_desc, input, out));
    }
    if r.level > 2 {
        return JobEnumStart::Done(refuse_with(
            RapStatus::ERROR_INVALID_LEVEL,
            Descriptor(JOB_ENUM_PARAM_DESC),
            input,
            out,
        ));
    }
    JobEnumStart::NeedJobs(JobEnumCall {
        queue: cfg.code_page.decode(r.queue).into_owned(),
        level: r.level,
        receive_buffer_size: r.receive_buffer_size,
        max_parameter_count: input.max_parameter_count,
        max_data_count: input.max_data_count,
    })
}

impl JobEnumCall {
    /// RpcOpenPrinter on the queue, "RAW", PRINTER_ACCESS_USE.
    pub fn open_printer(&self) -> OpenPrinter<'_> {
        OpenPrinter {
            printer_name: &self.queue,
            datatype: "RAW",
            access: PRINTER_ACCESS_USE,
        }
    }

    pub fn finish(
        &self,
        jobs: Result<&[JobInfo2], Win32Error>,
        cfg: &ServerConfig,
        out: &mut RapResponse,
    ) -> RapOutcome {
        let input = TransactionInput {
            parameters: &[],
            data: &[],
            max_parameter_count: self.max_parameter_count,
            max_data_count: self.max_data_count,
        };
        let outcome = match jobs {
            Err(e) => {
                out.clear();
                put_params(out, e.to_rap_status(), 0, &[0; ENUM_OUT]);
                RapOutcome::Reply(e.to_rap_status())
            }
            Ok(jobs) => self.marshal(jobs, cfg, out),
        };
        fit_params(outcome, &input, out)
    }

    fn marshal(&self, jobs: &[JobInfo2], cfg: &ServerConfig, out: &mut RapResponse) -> RapOutcome {
        let Some(desc) = job::for_level(self.level) else {
            return error_reply(
                RapStatus::ERROR_INVALID_LEVEL,
                Descriptor(JOB_ENUM_PARAM_DESC),
                out,
            );
        };
        let jobs = jobs
            .get(..jobs.len().min(usize::from(u16::MAX)))
            .unwrap_or(jobs);
        let mapping = MappingConfig {
            profile: cfg.profile,
            utc_offset_secs: cfg.utc_offset_secs,
        };
        let rbs = self.receive_buffer_size;
        let limit = rbs.min(self.max_data_count);
        let result = Marshaler::new(
            &mut out.data,
            Descriptor(desc),
            jobs.len(),
            rbs,
            limit,
            cfg.profile.layout,
            cfg.code_page,
        )
        .and_then(|mut m| {
            for j in jobs.iter().take(m.entries_fitting()) {
                if let Some(info) = PrintJobInfo::from_job_info2(self.level, j, &mapping) {
                    m.entry(info.fields().as_slice())?;
                }
            }
            Ok(m.finish())
        });
        let Ok(m) = result else {
            return error_reply(
                RapStatus(Win32Error::ERROR_GEN_FAILURE.0 as u16),
                Descriptor(JOB_ENUM_PARAM_DESC),
                out,
            );
        };
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
}
