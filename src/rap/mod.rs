//! The sans-IO RAP codec ([MS-RAP]).
//!
//! Bytes in, bytes out: the SMB layer hands over the transaction parameter
//! and data blocks with `MaxParameterCount` / `MaxDataCount`
//! (MS-CIFS 3.3.5.57.1) and gets back the response parameter and data
//! blocks, or an instruction to fail the SMB transaction.

use crate::codes::{NtStatus, RapStatus};

/// What the SMB layer hands the RAP subsystem for one `\PIPE\LANMAN`
/// transaction (MS-CIFS 3.3.5.57.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TransactionInput<'a> {
    /// `Trans_Parameters`: the whole RAP request (MS-RAP 2.5.1).
    pub parameters: &'a [u8],
    /// `Trans_Data`: RAPInData (only NetPrintJobSetInfo uses it).
    pub data: &'a [u8],
    /// Upper bound on response parameter bytes.
    pub max_parameter_count: u16,
    /// Upper bound on response data bytes.
    pub max_data_count: u16,
}

/// The RAP response blocks, reused across requests (clear, then fill).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RapResponse {
    /// Response `Trans_Parameters`: Win32ErrorCode, Converter, RAPOutParams (MS-RAP 2.5.2).
    pub params: Vec<u8>,
    /// Response `Trans_Data`: RAPOutData.
    pub data: Vec<u8>,
}

impl RapResponse {
    /// Empty both blocks, keeping their capacity.
    pub fn clear(&mut self) {
        self.params.clear();
        self.data.clear();
    }
}

/// What to send for one RAP request.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RapOutcome {
    /// Send a RAP reply: the [`RapResponse`] holds its parameter and data
    /// blocks; the status is the Win32ErrorCode written in them.
    Reply(RapStatus),
    /// Fail the whole SMB transaction with this status and no RAP payload
    /// (e.g. MS-RAP <75>: Windows' answer to a bad ParamDesc).
    FailTransaction(NtStatus),
}

pub mod commands;
pub mod descriptor;
pub mod dissect;
pub mod lanman;
pub mod marshal;
pub mod params;
pub mod print_dest;
pub mod print_job;
pub mod print_queue;
pub mod profile;
pub mod request;
pub mod response;
pub mod server;
pub mod structs;

pub use descriptor::Descriptor;
pub use print_job::{
    PrintJobInfo, PrintJobInfo0, PrintJobInfo1, PrintJobInfo2, PrintJobInfo3, RapJobStatus,
};
pub use profile::{Profile, StringLayout};
pub use request::{parse_rap_request, RapRequest};
pub use server::{RapConfig, RapServer};
