//! The RAP server: dispatch by opcode, synchronous and two-phase.

use super::api::get_info::{self, GetInfoCall, GetInfoStart};
use super::api::job_enum::{self, JobEnumCall, JobEnumStart};
use super::api::{refuse, refuse_with};
use super::descriptor::Descriptor;
use super::profile::Profile;
use super::request::{parse_rap_request, RequestError};
use super::{RapOutcome, RapResponse, RapService, TransactionInput};
use crate::codes::{NtStatus, RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::spool::Spooler;

/// Server-side settings of the RAP codec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    pub profile: Profile,
    /// OEM code page of RAP strings.
    pub code_page: OemCodePage,
    /// Offset from UTC in seconds, east positive (TimeSubmitted is local time).
    pub utc_offset_secs: i32,
    /// The local machine name: RpcOpenPrinter's pPrinterName for
    /// NetPrintJobGetInfo (3.2.5.7 step 3).
    pub machine_name: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            profile: Profile::SPEC,
            code_page: OemCodePage::default(),
            utc_offset_secs: 0,
            machine_name: "MSRAP".to_owned(),
        }
    }
}

/// The first phase of any RAP request.
#[derive(Debug)]
pub enum RapStep {
    /// Answered: `out` holds the reply.
    Done(RapOutcome),
    /// NetPrintJobGetInfo needs one job.
    NeedJob(GetInfoCall),
    /// NetPrintJobEnum needs a queue's jobs.
    NeedJobs(JobEnumCall),
}

/// Validate a request and answer it as far as possible without the
/// spooler. Unknown opcodes get ERROR_NOT_SUPPORTED (50), as Samba answers
/// them; a parameter block without an opcode, or MaxParameterCount < 4,
/// fails the SMB transaction with STATUS_INVALID_PARAMETER.
pub fn start(input: &TransactionInput<'_>, cfg: &ServerConfig, out: &mut RapResponse) -> RapStep {
    out.clear();
    if input.max_parameter_count < 4 {
        return RapStep::Done(RapOutcome::FailTransaction(
            NtStatus::STATUS_INVALID_PARAMETER,
        ));
    }
    let req = match parse_rap_request(input.parameters) {
        Ok(r) => r,
        Err(RequestError::NoOpcode(_)) => {
            return RapStep::Done(RapOutcome::FailTransaction(
                NtStatus::STATUS_INVALID_PARAMETER,
            ))
        }
        // A descriptor that does not end inside the message: the request
        // cannot be recognised, so it is rejected as a bad ParamDesc would be.
        // When ParamDesc itself is complete (DataDesc was cut), the reply
        // still carries its RAPOutParams, as every error reply does.
        Err(_) => {
            let param_desc = input
                .parameters
                .get(2..)
                .and_then(|p| p.split(|&b| b == 0).next().filter(|d| d.len() < p.len()))
                .map_or(Descriptor(b""), Descriptor);
            return RapStep::Done(refuse(cfg.profile.bad_param_desc, param_desc, input, out));
        }
    };
    match req.opcode {
        RapOpcode::NET_PRINT_JOB_GET_INFO => match get_info::start(&req, input, cfg, out) {
            GetInfoStart::Done(o) => RapStep::Done(o),
            GetInfoStart::NeedJob(c) => RapStep::NeedJob(c),
        },
        RapOpcode::NET_PRINT_JOB_ENUM => match job_enum::start(&req, input, cfg, out) {
            JobEnumStart::Done(o) => RapStep::Done(o),
            JobEnumStart::NeedJobs(c) => RapStep::NeedJobs(c),
        },
        _ => RapStep::Done(refuse_with(
            RapStatus::ERROR_NOT_SUPPORTED,
            req.param_desc,
            input,
            out,
        )),
    }
}

/// A RAP server over a synchronous [`Spooler`].
#[derive(Debug, Clone)]
pub struct RapServer<S> {
    pub config: ServerConfig,
    pub spooler: S,
}

impl<S: Spooler> RapServer<S> {
    pub fn new(config: ServerConfig, spooler: S) -> Self {
        RapServer { config, spooler }
    }

    /// Answer one request.
    pub fn handle(&self, input: &TransactionInput<'_>, out: &mut RapResponse) -> RapOutcome {
        match start(input, &self.config, out) {
            RapStep::Done(o) => o,
            RapStep::NeedJob(call) => {
                let open = call.open_printer(&self.config);
                match self.spooler.get_job(&open, call.job_id()) {
                    Ok(job) => call.finish(Ok(&job), &self.config, out),
                    Err(e) => call.finish(Err(e), &self.config, out),
                }
            }
            RapStep::NeedJobs(call) => match self.spooler.enum_jobs(&call.open_printer()) {
                Ok(jobs) => call.finish(Ok(&jobs), &self.config, out),
                Err(e) => call.finish(Err(e), &self.config, out),
            },
        }
    }
}

impl<S: Spooler> RapService for RapServer<S> {
    fn call(&self, input: &TransactionInput<'_>, out: &mut RapResponse) -> RapOutcome {
        self.handle(input, out)
    }

    fn print_shares(&self) -> Vec<String> {
        self.spooler.queue_names()
    }
}
