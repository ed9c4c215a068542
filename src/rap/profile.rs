//! Behaviour profiles: every place where the letter of MS-RAP and a real
//! implementation part ways, as one table of data.
//!
//! The embedder picks a [`Profile`]; the codec consults its fields and has no
//! other profile-dependent branches.

use crate::codes::{NtStatus, RapStatus};
use crate::spool::JobStatus;

/// How strings are laid out in RAPOutData (MS-RAP 2.5.11, spec-facts §6, D8).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum StringLayout {
    /// Strings forward after the fixed part, in field order; Converter 0
    /// (the letter of 2.5.11; also Samba).
    Forward,
    /// Windows: strings top-down from the end of a ReceiveBufferSize buffer,
    /// the gap squeezed out, Converter = ReceiveBufferSize − bytes returned
    /// (MS-RAP 4.1, 4.2).
    WindowsTopDown,
}

/// What to answer for a request that is not well formed for its command
/// (wrong ParamDesc, RAPParams cut short, undescribed trailing bytes).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum RejectAs {
    /// A RAP reply with this Win32ErrorCode.
    Rap(RapStatus),
    /// Fail the SMB transaction with this status, no RAP payload.
    Smb(NtStatus),
}

/// The queue state of a RAP JobStatus, in the order a precedence table lists them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct StatusRule {
    /// The JOB_STATUS bit ([MS-RPRN] 2.2.3.12).
    pub bit: JobStatus,
    /// The PRJ_QS_* value it maps to (MS-RAP 3.2.5.7.1).
    pub queue_state: u16,
}

/// A behaviour profile.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The name [`Profile::by_name`] finds it by (`spec`, `windows`).
    pub name: &'static str,
    /// ParamDesc not exactly the command's (3.2.5.7 step 1; <75>).
    pub bad_param_desc: RejectAs,
    /// RAPParams shorter than ParamDesc says (no clause; E16).
    pub truncated_params: RejectAs,
    /// Bytes after RAPParams for a command with no AuxDesc (2.5.1: AuxDesc
    /// MUST NOT be present). `None` = ignore them.
    pub trailing_bytes: Option<RejectAs>,
    /// String layout of RAPOutData.
    pub layout: StringLayout,
    /// JOB_STATUS → PRJ_QS_* queue state, first match wins (3.2.5.7.1 gives
    /// no precedence; D11).
    pub status_precedence: &'static [StatusRule],
    /// Whether JOB_STATUS_ERROR adds PRJ_QS_ERROR (0x10) (3.2.5.7.1).
    pub error_bit: bool,
}

/// Queue-state precedence used by both built-in profiles: PAUSED, then
/// PRINTING, then SPOOLING; nothing set = QUEUED (spec-facts §7.2 recommendation).
pub const PRECEDENCE: &[StatusRule] = &[
    StatusRule {
        bit: JobStatus::PAUSED,
        queue_state: crate::rap::print_job::PRJ_QS_PAUSED,
    },
    StatusRule {
        bit: JobStatus::PRINTING,
        queue_state: crate::rap::print_job::PRJ_QS_PRINTING,
    },
    StatusRule {
        bit: JobStatus::SPOOLING,
        queue_state: crate::rap::print_job::PRJ_QS_SPOOLING,
    },
];

impl Profile {
    /// The letter of MS-RAP (the default).
    pub const SPEC: Profile = Profile {
        name: "spec",
        bad_param_desc: RejectAs::Rap(RapStatus::ERROR_INVALID_PARAMETER),
        truncated_params: RejectAs::Rap(RapStatus::ERROR_INVALID_PARAMETER),
        trailing_bytes: Some(RejectAs::Rap(RapStatus::ERROR_INVALID_PARAMETER)),
        layout: StringLayout::Forward,
        status_precedence: PRECEDENCE,
        error_bit: true,
    };

    /// Windows' product behaviour (MS-RAP Appendix A): <75> a bad ParamDesc
    /// fails the SMB transaction; <5>/<6> only ParamDesc is validated, so
    /// trailing bytes are ignored; strings laid out top-down (4.1, 4.2).
    pub const WINDOWS: Profile = Profile {
        name: "windows",
        bad_param_desc: RejectAs::Smb(NtStatus::STATUS_INVALID_PARAMETER),
        truncated_params: RejectAs::Smb(NtStatus::STATUS_INVALID_PARAMETER),
        trailing_bytes: None,
        layout: StringLayout::WindowsTopDown,
        status_precedence: PRECEDENCE,
        error_bit: true,
    };

    /// All built-in profiles.
    pub const ALL: &'static [Profile] = &[Profile::SPEC, Profile::WINDOWS];

    /// A built-in profile by name (`spec`, `windows`).
    pub fn by_name(name: &str) -> Option<Profile> {
        Profile::ALL
            .iter()
            .copied()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::SPEC
    }
}
