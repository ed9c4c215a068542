//! NetShareEnum (opcode 0): MS-RAP 2.5.6.1, 3.2.5.1.
//!
//! The shares are the spooler's print queues (STYPE_PRINTQ, remark =
//! PRINTER_INFO_2.pComment) and `IPC$` (STYPE_IPC, remark "Remote IPC"),
//! which the SMB layer always serves: what NetrShareEnum would return on a
//! print server (MS-SRVS 3.1.4.8).

use super::reply::{enumeration, parse_enumeration};
use super::{fit_params, put_params, Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus, Win32Error};
use crate::oem::OemCodePage;
use crate::rap::lanman::{ShareInfo, ShareInfo0, ShareInfo1, ShareInfo2, STYPE_IPC, STYPE_PRINTQ};
use crate::rap::marshal::{oem_string_len, Sink};
use crate::rap::response::ResponseError;
use crate::spool::{Printers, Spooler};
use std::borrow::Cow;

crate::rap_params! {
    /// NetShareEnum request parameters (MS-RAP 2.5.6.1.1), ParamDesc `WrLeh`.
    pub struct ShareEnumRequest for NET_SHARE_ENUM {
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
    opcode: RapOpcode::NET_SHARE_ENUM,
    name: "NetShareEnum",
    spec: "MS-RAP 3.2.5.1",
    params: Some(&ShareEnumRequest::META),
    other_param_descs: &[],
    levels: &[
        Level {
            level: 0,
            data: &ShareInfo0::STRUCT_META,
            aux: None,
        },
        Level {
            level: 1,
            data: &ShareInfo1::STRUCT_META,
            aux: None,
        },
        Level {
            level: 2,
            data: &ShareInfo2::STRUCT_META,
            aux: None,
        },
    ],
    any_level_data_desc: None,
    served: true,
};

/// `IPC$`'s remark (what Windows sends, MS-RAP 4.1).
pub const IPC_REMARK: &str = "Remote IPC";

/// The longest NetworkName a NetShareInfo structure carries (B13: 12 OEM
/// bytes and the NUL).
pub const MAX_NET_NAME: usize = 12;

/// One share as NetShareEnum and NetShareGetInfo show it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Share<'a> {
    /// The share name.
    pub name: &'a str,
    /// STYPE_*.
    pub share_type: u16,
    /// The remark (a missing pComment is an empty string, 2.5.11).
    pub remark: &'a str,
    /// The local path: the printer's name for a queue, empty for `IPC$`.
    pub path: &'a str,
}

impl<'a> Share<'a> {
    /// `IPC$`.
    pub const IPC: Share<'static> = Share {
        name: "IPC$",
        share_type: STYPE_IPC,
        remark: IPC_REMARK,
        path: "",
    };

    /// The structure of `level` (0, 1, 2) for this share, taken by `k`.
    /// Level 2: Permissions 0 (SHOULD, 2.5.6.3.3), MaxUses 0xFFFF (no
    /// limit), CurrentUses 0 (msrap does not count other connections'
    /// trees), Password empty (SHOULD).
    pub fn with_info<K: crate::rap::structs::TakeStruct>(
        &self,
        level: u16,
        k: K,
    ) -> Option<K::Output> {
        Some(match level {
            0 => k.take(&ShareInfo0 {
                net_name: Cow::Borrowed(self.name),
            }),
            1 => k.take(&ShareInfo1 {
                net_name: Cow::Borrowed(self.name),
                share_type: self.share_type,
                remark: Some(Cow::Borrowed(self.remark)),
            }),
            2 => k.take(&ShareInfo2 {
                net_name: Cow::Borrowed(self.name),
                share_type: self.share_type,
                remark: Some(Cow::Borrowed(self.remark)),
                permissions: 0,
                max_uses: 0xFFFF,
                current_uses: 0,
                path: Some(Cow::Borrowed(self.path)),
                password: Cow::Borrowed(""),
            }),
            _ => return None,
        })
    }
}

/// The shares of a server: its print queues, then `IPC$`.
#[derive(Debug)]
pub enum Shares {
    /// The spooler's printers (RpcEnumPrinters level 2).
    Printers(Printers),
    /// Only the queue names (a spooler without `enum_printers`).
    Names(Vec<String>),
}

impl Shares {
    /// Ask the spooler. A spooler that cannot enumerate printers
    /// (ERROR_NOT_SUPPORTED) still names its queues for TREE_CONNECT: they
    /// are listed without remarks.
    pub async fn of<S: Spooler>(spooler: &S) -> Result<Shares, Win32Error> {
        match spooler.enum_printers().await {
            Ok(p) => Ok(Shares::Printers(p)),
            Err(Win32Error::ERROR_NOT_SUPPORTED) => Ok(Shares::Names(spooler.queue_names())),
            Err(e) => Err(e),
        }
    }

    /// Every share, in order.
    pub fn iter(&self) -> impl Iterator<Item = Share<'_>> + '_ {
        let printers = match self {
            Shares::Printers(p) => &p[..],
            Shares::Names(_) => &[],
        };
        let names = match self {
            Shares::Names(n) => &n[..],
            Shares::Printers(_) => &[],
        };
        printers
            .iter()
            .map(|p| Share {
                name: &p.name,
                share_type: STYPE_PRINTQ,
                remark: p.info.comment.as_deref().unwrap_or(""),
                path: p.info.printer_name.as_deref().unwrap_or(&p.name),
            })
            .chain(names.iter().map(|n| Share {
                name: n.as_str(),
                share_type: STYPE_PRINTQ,
                remark: "",
                path: n.as_str(),
            }))
            .chain(std::iter::once(Share::IPC))
    }
}

/// Whether a NetShareInfo structure can carry `name` (2.5.6.3.1: a name
/// longer than the field MUST NOT be included in the enumeration).
pub(crate) fn listable(cp: &OemCodePage, name: &str) -> bool {
    oem_string_len(cp, name).0 <= MAX_NET_NAME
}

/// MS-RAP 3.2.5.1, after full recognition of the request.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // ParamDesc MUST be "WrLeh" (else ERROR_INVALID_PARAMETER; <67>
    // Windows fails the transaction); DataDesc is not checked (<5>).
    let r: ShareEnumRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let Some(level) = COMMAND.level(r.level) else {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            ShareEnumRequest::PARAM_DESC,
            out,
        );
    };
    let shares = match Shares::of(cx.spooler).await {
        Ok(s) => s,
        Err(e) => {
            let status = e.to_rap_status();
            put_params(out, status, 0, &[0, 0]);
            return fit_params(RapOutcome::Reply(status), cx.input, out);
        }
    };
    // <68>: names longer than 12 bytes are skipped but counted in
    // EntriesAvailable, and do not by themselves make ERROR_MORE_DATA.
    let cp = &cx.config.code_page;
    let mut count = 0usize;
    let mut skipped = 0usize;
    for s in shares.iter() {
        if listable(cp, s.name) {
            count = count.saturating_add(1);
        } else {
            skipped = skipped.saturating_add(1);
        }
    }
    enumeration(
        cx,
        r.receive_buffer_size,
        count,
        level.data.fixed_size,
        skipped,
        |sink: &mut Sink<'_>, fit| {
            for s in shares.iter().filter(|s| listable(cp, s.name)).take(fit) {
                s.with_info(r.level, &mut *sink);
            }
        },
        out,
    )
}

/// A NetShareEnum response, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareEnumResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// EntriesReturned.
    pub entries_returned: u16,
    /// EntriesAvailable.
    pub entries_available: u16,
    /// The shares returned.
    pub shares: Vec<ShareInfo<'a>>,
}

/// Parse a NetShareEnum response (`WrLeh`) for a request of `level`.
pub fn parse_share_enum_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<ShareEnumResponse<'a>, ResponseError> {
    let meta = ShareInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
    let e = parse_enumeration(meta, params, data)?;
    let shares = e
        .entries
        .iter()
        .map(|v| ShareInfo::from_values(level, &v.values, code_page))
        .collect::<Result<_, _>>()?;
    Ok(ShareEnumResponse {
        status: e.status,
        converter: e.converter,
        entries_returned: e.entries_returned,
        entries_available: e.entries_available,
        shares,
    })
}
