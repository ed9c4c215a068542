//! The RAP command table: one file per command, one row per command.
//!
//! A command's file declares its request parameters
//! ([`rap_params!`](crate::rap_params)), its row ([`Command`]: opcode,
//! name, the structures it returns by info level) and, when msrap serves
//! it, `serve`: what it asks the [`Spooler`] and how it builds the reply.
//! [`COMMANDS`] lists every row; the server dispatches on it, `msrap decode`
//! names and dissects by it, [`RapOpcode::command_name`] reads it, and the
//! client tools build their requests from the declarations it points to.
//! ARCHITECTURE.md has the checklist for adding one.

use super::descriptor::Descriptor;
use super::params::{ParamsMeta, RequestParams};
use super::profile::RejectAs;
use super::request::RapRequest;
use super::server::RapConfig;
use super::structs::StructMeta;
use super::{RapOutcome, RapResponse, TransactionInput};
use crate::codes::{NtStatus, RapOpcode, RapStatus};
use crate::spool::Caller;
use crate::spool::Spooler;

pub mod net_group_enum;
pub mod net_print_dest_enum;
pub mod net_print_dest_get_info;
pub mod net_print_job_continue;
pub mod net_print_job_del;
pub mod net_print_job_enum;
pub mod net_print_job_get_info;
pub mod net_print_job_pause;
pub mod net_print_job_set_info;
pub mod net_print_q_continue;
pub mod net_print_q_enum;
pub mod net_print_q_get_info;
pub mod net_print_q_pause;
pub mod net_print_q_purge;
pub mod net_remote_tod;
pub mod net_server_enum2;
pub mod net_server_get_info;
pub mod net_session_enum;
pub mod net_session_get_info;
pub mod net_share_enum;
pub mod net_share_get_info;
pub mod net_user_enum;
pub mod net_wksta_get_info;
pub(crate) mod reply;

/// One info level of a command: the structure it returns, and the
/// auxiliary structure that follows each one (MS-RAP 2.5.11, `N`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Level {
    /// The InfoLevel value.
    pub level: u16,
    /// The structure (its DataDesc is what the request should carry).
    pub data: &'static StructMeta,
    /// The auxiliary structure (the AuxDesc), if any.
    pub aux: Option<&'static StructMeta>,
}

/// One row of the command table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Command {
    /// RAPOpcode (MS-RAP 2.5.4).
    pub opcode: RapOpcode,
    /// The command's name (`NetPrintJobGetInfo`).
    pub name: &'static str,
    /// Where its processing is specified: an MS-RAP section, or the source
    /// for commands MS-RAP lacks.
    pub spec: &'static str,
    /// The declared request parameters, when msrap knows them.
    pub params: Option<&'static ParamsMeta>,
    /// Other ParamDescs real clients send for it; decode names their values
    /// with the same names.
    pub other_param_descs: &'static [&'static [u8]],
    /// The structures it returns, by info level.
    pub levels: &'static [Level],
    /// A DataDesc accepted at every level besides the level's own
    /// (NetPrintJobGetInfo: the literal level-3 string of MS-RAP 2.5.7.4.1).
    pub any_level_data_desc: Option<&'static [u8]>,
    /// Whether `msrap serve` implements it.
    pub served: bool,
}

impl Command {
    /// A command known by name only.
    pub const fn named(opcode: u16, name: &'static str) -> Command {
        Command {
            opcode: RapOpcode(opcode),
            name,
            spec: "",
            params: None,
            other_param_descs: &[],
            levels: &[],
            any_level_data_desc: None,
            served: false,
        }
    }

    /// Every ParamDesc decode knows for it: the declared one first.
    pub fn param_descs(&self) -> impl Iterator<Item = &'static [u8]> + '_ {
        self.params
            .map(|p| p.param_desc)
            .into_iter()
            .chain(self.other_param_descs.iter().copied())
    }

    /// The level's row.
    pub fn level(&self, level: u16) -> Option<&'static Level> {
        self.levels.iter().find(|l| l.level == level)
    }

    /// The structure (of any level, or an auxiliary one) with this descriptor.
    pub fn structure(&self, desc: &[u8]) -> Option<&'static StructMeta> {
        self.levels
            .iter()
            .flat_map(|l| std::iter::once(l.data).chain(l.aux))
            .find(|m| m.descriptor == desc)
    }
}

macro_rules! table {
    (
        served: [$($served:ident),* $(,)?]
        rows: [$($row:expr),* $(,)?]
    ) => {
        /// Every command msrap knows, by opcode.
        pub static COMMANDS: &[Command] = &[$($row),*];

        /// Serve one recognised request: the row's `serve`, or
        /// ERROR_NOT_SUPPORTED (50) for an opcode msrap does not serve, as
        /// Samba answers.
        pub(crate) async fn dispatch<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
            $(
                if cx.req.opcode == $served::COMMAND.opcode {
                    return $served::serve(cx, out).await;
                }
            )*
            refuse_with(RapStatus::ERROR_NOT_SUPPORTED, cx.req.param_desc, cx.input, out)
        }
    };
}

table! {
    served: [
        net_print_job_enum,
        net_print_job_get_info,
        net_print_q_enum,
        net_print_q_get_info,
        net_print_dest_enum,
        net_print_dest_get_info,
        net_print_job_del,
        net_print_job_pause,
        net_print_job_continue,
        net_print_job_set_info,
        net_print_q_pause,
        net_print_q_continue,
        net_print_q_purge,
        net_share_enum,
        net_share_get_info,
        net_session_enum,
        net_session_get_info,
        net_server_get_info,
        net_group_enum,
        net_user_enum,
        net_wksta_get_info,
        net_remote_tod,
        net_server_enum2,
    ]
    rows: [
        net_share_enum::COMMAND,
        net_share_get_info::COMMAND,
        net_session_enum::COMMAND,
        net_session_get_info::COMMAND,
        net_server_get_info::COMMAND,
        net_group_enum::COMMAND,
        Command::named(52, "NetGroupGetUsers"),
        net_user_enum::COMMAND,
        Command::named(56, "NetUserGetInfo"),
        Command::named(59, "NetUserGetGroups"),
        net_wksta_get_info::COMMAND,
        net_print_q_enum::COMMAND,
        net_print_q_get_info::COMMAND,
        Command::named(71, "NetPrintQSetInfo"),
        Command::named(72, "NetPrintQAdd"),
        Command::named(73, "NetPrintQDel"),
        net_print_q_pause::COMMAND,
        net_print_q_continue::COMMAND,
        net_print_job_enum::COMMAND,
        net_print_job_get_info::COMMAND,
        Command::named(78, "NetPrintJobSetInfoOld"),
        net_print_job_del::COMMAND,
        net_print_job_pause::COMMAND,
        net_print_job_continue::COMMAND,
        net_print_dest_enum::COMMAND,
        net_print_dest_get_info::COMMAND,
        Command::named(86, "NetPrintDestControl"),
        net_remote_tod::COMMAND,
        net_print_q_purge::COMMAND,
        net_server_enum2::COMMAND,
        Command::named(105, "NetAccessGetUserPerms"),
        Command::named(115, "NetUserPasswordSet2"),
        Command::named(131, "NetUserEnum2"),
        Command::named(132, "NetWkstaUserLogon"),
        Command::named(133, "NetWkstaUserLogoff"),
        net_print_job_set_info::COMMAND,
        Command::named(205, "NetPrintDriverEnum"),
        Command::named(206, "NetPrintQProcessorEnum"),
        Command::named(207, "NetPrintPortEnum"),
        Command::named(208, "NetWriteUpdateLog"),
        Command::named(215, "NetServerEnum3"),
    ]
}

/// The row of an opcode.
pub fn command(opcode: RapOpcode) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.opcode == opcode)
}

/// One request being served: the recognised request and what it needs.
#[derive(Debug)]
pub(crate) struct Call<'c, S> {
    /// The request.
    pub req: RapRequest<'c>,
    /// The transaction it came in.
    pub input: &'c TransactionInput<'c>,
    /// Server settings.
    pub config: &'c RapConfig,
    /// The spooler.
    pub spooler: &'c S,
    /// Who asks (the job and queue control commands check it;
    /// NetWkstaGetInfo names it).
    pub caller: &'c Caller<'c>,
    /// When the request is served, as a FILETIME (100 ns since 1601-01-01
    /// UTC), from the caller's clock; 0 when it supplied none. The RAP
    /// layer reads no clock itself (NetRemoteTOD uses this).
    pub system_time: u64,
}

impl<'c, S> Call<'c, S> {
    /// Full recognition of the request parameters (before any processing):
    /// ParamDesc exactly the declared one, RAPParams complete, nothing but
    /// an empty AuxDesc after them. Otherwise the reply the profile
    /// prescribes (<71>–<81>: Windows fails the SMB transaction).
    pub(crate) fn recognize<P: RequestParams<'c>>(
        &self,
        out: &mut RapResponse,
    ) -> Result<P, RapOutcome> {
        let profile = &self.config.profile;
        if self.req.param_desc.as_bytes() != P::META.param_desc {
            return Err(refuse(
                profile.bad_param_desc,
                self.req.param_desc,
                self.input,
                out,
            ));
        }
        let (params, after) = P::parse(self.req.rest).map_err(|_| {
            refuse(
                profile.truncated_params,
                self.req.param_desc,
                self.input,
                out,
            )
        })?;
        // 2.5.1: an AuxDesc MUST NOT be present for a command that defines
        // none. A lone NUL (an empty AuxDesc, which smbclient sends) counts
        // as absent.
        if let (Some(how), true) = (profile.trailing_bytes, has_trailing(after)) {
            return Err(refuse(how, self.req.param_desc, self.input, out));
        }
        Ok(params)
    }

    /// Full recognition for a command that defines an AuxDesc (NetPrintQEnum,
    /// NetPrintQGetInfo: MS-RAP 2.5.7.1.1, 2.5.7.2.1): as [`Self::recognize`],
    /// except that after RAPParams one NUL-terminated AuxDesc is legitimate.
    /// Its content is not validated (<19>, <24>: Windows validates by the
    /// level's own descriptors; D15: `WB21BB16B10zWWzDDz` and `WWzWWDDzz`
    /// both occur at level 4). An unterminated AuxDesc, or bytes after its
    /// NUL, are trailing bytes, answered as the profile prescribes. Returns
    /// the AuxDesc when one is present and not empty.
    pub(crate) fn recognize_aux<P: RequestParams<'c>>(
        &self,
        out: &mut RapResponse,
    ) -> Result<(P, Option<&'c [u8]>), RapOutcome> {
        let profile = &self.config.profile;
        if self.req.param_desc.as_bytes() != P::META.param_desc {
            return Err(refuse(
                profile.bad_param_desc,
                self.req.param_desc,
                self.input,
                out,
            ));
        }
        let (params, after) = P::parse(self.req.rest).map_err(|_| {
            refuse(
                profile.truncated_params,
                self.req.param_desc,
                self.input,
                out,
            )
        })?;
        let nul = after.iter().position(|&b| b == 0);
        let well_formed = match nul {
            None => after.is_empty(),
            Some(n) => n.saturating_add(1) == after.len(),
        };
        if let (Some(how), false) = (profile.trailing_bytes, well_formed) {
            return Err(refuse(how, self.req.param_desc, self.input, out));
        }
        let aux = nul.and_then(|n| after.get(..n)).filter(|a| !a.is_empty());
        Ok((params, aux))
    }

    /// Bytes after RAPParams that the command at this level does not allow
    /// (an AuxDesc where the spec says it MUST NOT be present): the
    /// profile's answer to trailing bytes, or `None` to go on.
    pub(crate) fn refuse_aux(&self, out: &mut RapResponse) -> Option<RapOutcome> {
        self.config
            .profile
            .trailing_bytes
            .map(|how| refuse(how, self.req.param_desc, self.input, out))
    }

    /// A RAP error reply for this command's ParamDesc, within MaxParameterCount.
    pub(crate) fn error(
        &self,
        status: RapStatus,
        param_desc: &'static [u8],
        out: &mut RapResponse,
    ) -> RapOutcome {
        refuse_with(status, Descriptor(param_desc), self.input, out)
    }
}

/// Write response parameters: Win32ErrorCode, Converter, then the
/// RAPOutParams words (MS-RAP 2.5.2).
pub(crate) fn put_params(out: &mut RapResponse, status: RapStatus, converter: u16, words: &[u16]) {
    out.params.clear();
    out.params.extend_from_slice(&status.0.to_le_bytes());
    out.params.extend_from_slice(&converter.to_le_bytes());
    for w in words {
        out.params.extend_from_slice(&w.to_le_bytes());
    }
}

/// An error reply: no data; RAPOutParams as the request's ParamDesc calls
/// for them, zero-filled (so that a client parsing the reply with its own
/// descriptor finds every field), when that descriptor is well formed.
pub(crate) fn error_reply(
    status: RapStatus,
    param_desc: Descriptor<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    out.clear();
    put_params(out, status, 0, &[]);
    if param_desc.validate_param().is_ok() {
        if let Ok(n) = param_desc.out_param_size() {
            out.params.resize(4usize.saturating_add(usize::from(n)), 0);
        }
    }
    RapOutcome::Reply(status)
}

/// Reject a request the way the profile says.
pub(crate) fn reject(
    how: RejectAs,
    param_desc: Descriptor<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    match how {
        RejectAs::Rap(status) => error_reply(status, param_desc, out),
        RejectAs::Smb(status) => {
            out.clear();
            RapOutcome::FailTransaction(status)
        }
    }
}

/// Make a finished reply respect MaxParameterCount (MS-CIFS 2.2.4.33.1):
/// fewer than 4 bytes cannot carry Win32ErrorCode and Converter, so the SMB
/// transaction fails with STATUS_INVALID_PARAMETER; otherwise a reply whose
/// RAPOutParams do not all fit keeps only Win32ErrorCode and Converter (never
/// half a field), and a reply that carried data becomes NERR_BufTooSmall
/// with no data (without its RAPOutParams the client cannot use it).
pub(crate) fn fit_params(
    outcome: RapOutcome,
    input: &TransactionInput<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    let RapOutcome::Reply(status) = outcome else {
        return outcome;
    };
    let max = usize::from(input.max_parameter_count);
    if out.params.len() <= max {
        return outcome;
    }
    if max < 4 {
        out.clear();
        return RapOutcome::FailTransaction(NtStatus::STATUS_INVALID_PARAMETER);
    }
    out.params.truncate(4);
    if status.carries_data() {
        out.data.clear();
        put_params(out, RapStatus::NERR_BUF_TOO_SMALL, 0, &[]);
        return RapOutcome::Reply(RapStatus::NERR_BUF_TOO_SMALL);
    }
    outcome
}

/// Whether the bytes after RAPParams hold anything: a lone NUL (an empty
/// AuxDesc, which smbclient sends) describes no auxiliary structure and
/// counts as nothing.
pub(crate) fn has_trailing(after: &[u8]) -> bool {
    !(after.is_empty() || after == [0])
}

/// Answer a request that is not well formed, as the profile says, within
/// MaxParameterCount.
pub(crate) fn refuse(
    how: RejectAs,
    param_desc: Descriptor<'_>,
    input: &TransactionInput<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    fit_params(reject(how, param_desc, out), input, out)
}

/// A RAP error reply (see [`error_reply`]) within MaxParameterCount.
pub(crate) fn refuse_with(
    status: RapStatus,
    param_desc: Descriptor<'_>,
    input: &TransactionInput<'_>,
    out: &mut RapResponse,
) -> RapOutcome {
    fit_params(error_reply(status, param_desc, out), input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_opcode_in_opcode_order() {
        for w in COMMANDS.windows(2) {
            assert!(w[0].opcode.0 < w[1].opcode.0, "{:?} {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn declared_param_descs_are_valid_and_levels_consistent() {
        for c in COMMANDS {
            for p in c.param_descs() {
                assert_eq!(Descriptor(p).validate_param(), Ok(()), "{}", c.name);
            }
            for l in c.levels {
                for m in std::iter::once(l.data).chain(l.aux) {
                    let joined: String = m.fields.iter().map(|f| f.item).collect();
                    assert_eq!(joined.as_bytes(), m.descriptor, "{}", m.name);
                    assert_eq!(
                        Descriptor(m.descriptor).validate_data(),
                        Ok(m.fixed_size),
                        "{}",
                        m.name
                    );
                }
            }
        }
    }
}
