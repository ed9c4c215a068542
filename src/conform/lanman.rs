//! Conformance cases of the LAN Manager commands: NetShareEnum (3.2.5.1),
//! NetShareGetInfo (3.2.5.2), NetServerGetInfo (3.2.5.3), NetRemoteTOD
//! (3.2.5.11), NetServerEnum2 (3.2.5.12), NetWkstaGetInfo (3.2.5.16), and
//! the LAN Manager enumerations MS-RAP lacks (NetSessionEnum 6,
//! NetSessionGetInfo 7, NetGroupEnum 47, NetUserEnum 53: msrap's choices).
//!
//! Expectations hold for any server: names and counts are checked against
//! what the reply itself says (every entry parses as the level's structure,
//! EntriesReturned entries came back, TotalBytesAvailable is the data
//! returned when all of it was), against the queue the suite enumerated
//! (NetShareGetInfo) and against `IPC$`, which every server shares.

use super::cases::{Case, Expect};
use super::{check_smb_limits, Context, TransReply, TransRequest, LARGE};
use crate::codes::{NtStatus, RapStatus};
use crate::rap::commands::net_group_enum::GroupEnumRequest;
use crate::rap::commands::net_remote_tod::{parse_remote_tod_response, RemoteTodRequest};
use crate::rap::commands::net_server_enum2::{
    parse_server_enum2_response, ServerEnum2NoDomainRequest, ServerEnum2Request,
};
use crate::rap::commands::net_server_get_info::{
    parse_server_get_info_response, ServerGetInfoRequest,
};
use crate::rap::commands::net_session_enum::SessionEnumRequest;
use crate::rap::commands::net_session_get_info::SessionGetInfoRequest;
use crate::rap::commands::net_share_enum::{parse_share_enum_response, ShareEnumRequest};
use crate::rap::commands::net_share_get_info::{
    parse_share_get_info_response, ShareGetInfoRequest,
};
use crate::rap::commands::net_user_enum::UserEnumRequest;
use crate::rap::commands::net_wksta_get_info::{
    parse_wksta_get_info_response, WkstaGetInfoRequest,
};
use crate::rap::lanman::{
    ServerInfo, ServerInfo1, ShareInfo, ShareInfo1, TimeOfDayInfo, WkstaInfo10, STYPE_IPC,
    STYPE_PRINTQ, SV_TYPE_ALL, SV_TYPE_DOMAIN_ENUM,
};
use crate::rap::response::{parse_response_params, parse_struct, DataValue};
use crate::rap::structs::{RapStruct, StructMeta};
use crate::rap::Descriptor;

/// What a LAN Manager case expects of a RAP reply.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// SMB success, a RAP reply with this status, RAPOutParams as `out`
    /// says, data as `data` says.
    Status {
        /// Win32ErrorCode.
        status: RapStatus,
        /// What the RAPOutParams must be.
        out: Out,
        /// What the data block must be.
        data: Shape,
    },
    /// NetServerEnum2 (3.2.5.12): an empty list MUST be
    /// ERROR_NO_BROWSER_SERVERS_FOUND; a list is ERROR_SUCCESS or
    /// ERROR_MORE_DATA with EntriesReturned NetServerInfo of the level.
    BrowseList {
        /// The level of NetServerInfo requested (0 or 1, MS-RAP 2.5.5.4).
        level: u16,
    },
}

/// What the RAPOutParams must be.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Out {
    /// Not checked.
    Any,
    /// None at all: the parameter block is Win32ErrorCode and Converter.
    Absent,
    /// TotalBytesAvailable equals the data returned (all of it fit).
    TbaIsDataLen,
    /// TotalBytesAvailable exceeds the data returned (ERROR_MORE_DATA).
    TbaAboveDataLen,
    /// EntriesReturned (this many, when given) ≤ EntriesAvailable.
    Entries(Option<u16>),
}

/// What the data block must hold.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Nothing.
    None,
    /// EntriesReturned NetShareInfo of the level: names of at most 12
    /// bytes, types STYPE_*; `IPC$` (STYPE_IPC) among them when all came.
    Shares(u16),
    /// One NetShareInfo of the level for the suite's queue (STYPE_PRINTQ).
    Queue(u16),
    /// One NetShareInfo of the level for `IPC$` (STYPE_IPC).
    Ipc(u16),
    /// One NetServerInfo of the level (a GetInfo): a name; level 1: a
    /// comment.
    Server(u16),
    /// EntriesReturned NetServerInfo of the level (an enumeration).
    Servers(u16),
    /// One NetWkstaInfo10: ComputerName and LanGroup set.
    Wksta,
    /// One TimeOfDayInfo, every field in its range (2.5.9.2.1).
    Tod,
    /// Exactly the fixed part of this structure, every pointer 0 (2.5.11:
    /// no string fit).
    FixedOnly(&'static StructMeta),
}

const S_1: &str = "3.2.5.1";
const S_2: &str = "3.2.5.2";
const S_3: &str = "3.2.5.3";
const S_11: &str = "3.2.5.11";
const S_12: &str = "3.2.5.12";
const S_16: &str = "3.2.5.16";
const LM_6: &str = "LM NetSessionEnum";
const LM_7: &str = "LM NetSessionGetInfo";
const LM_47: &str = "LM NetGroupEnum";
const LM_53: &str = "LM NetUserEnum";

use RapStatus as R;

fn want(status: RapStatus, out: Out, data: Shape) -> Expect {
    Expect::Lanman(Want::Status { status, out, data })
}

fn err(status: RapStatus) -> Expect {
    want(status, Out::Any, Shape::None)
}

/// What Samba answers for a request it does not serve: 50, four bytes.
fn samba_50() -> Expect {
    want(R::ERROR_NOT_SUPPORTED, Out::Absent, Shape::None)
}

const SMB_INVALID: Expect = Expect::Smb(NtStatus::STATUS_INVALID_PARAMETER);

/// A request: opcode, ParamDesc, DataDesc, RAPParams.
fn raw(opcode: u16, param_desc: &[u8], data_desc: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut v = opcode.to_le_bytes().to_vec();
    v.extend_from_slice(param_desc);
    v.push(0);
    v.extend_from_slice(data_desc);
    v.push(0);
    v.extend_from_slice(rest);
    v
}

fn share_desc(level: u16) -> &'static [u8] {
    match level {
        0 => b"B13",
        1 => b"B13BWz",
        _ => b"B13BWzWWWzB9B",
    }
}

struct B {
    cases: Vec<Case>,
}

impl B {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id: &str,
        section: &'static str,
        clause: &'static str,
        params: Vec<u8>,
        max_parameter_count: u16,
        rbs: u16,
        max_data_count: u16,
        expect: [Expect; 3],
    ) {
        self.cases.push(Case {
            id: format!("{section}/{id}"),
            section,
            clause,
            level: None,
            limit: rbs.min(max_data_count),
            request: TransRequest {
                params,
                data: Vec::new(),
                max_parameter_count,
                max_data_count,
            },
            expect,
        });
    }
}

fn share_enum(level: u16, rbs: u16, data_desc: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    ShareEnumRequest {
        level,
        receive_buffer_size: rbs,
    }
    .encode(data_desc, &mut v);
    v
}

fn share_get_info(name: &[u8], level: u16, rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    ShareGetInfoRequest {
        net_name: name,
        level,
        receive_buffer_size: rbs,
    }
    .encode(share_desc(level), &mut v);
    v
}

fn server_get_info(level: u16, rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    ServerGetInfoRequest {
        level,
        receive_buffer_size: rbs,
    }
    .encode(if level == 0 { b"B16" } else { b"B16BBDz" }, &mut v);
    v
}

fn wksta(level: u16, rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    WkstaGetInfoRequest {
        level,
        receive_buffer_size: rbs,
    }
    .encode(WkstaInfo10::DESCRIPTOR, &mut v);
    v
}

fn tod(rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    RemoteTodRequest {
        receive_buffer_size: rbs,
    }
    .encode(TimeOfDayInfo::DESCRIPTOR, &mut v);
    v
}

/// The LAN Manager cases.
pub fn catalogue(ctx: &Context) -> Vec<Case> {
    let mut b = B { cases: Vec::new() };
    let ok_entries = |level| want(R::ERROR_SUCCESS, Out::Entries(None), Shape::Shares(level));

    // ---- 3.2.5.1 NetShareEnum ----
    for level in 0..3u16 {
        b.push(
            &format!("level-{level}"),
            S_1,
            "levels 0, 1, 2: as many NetShareInfo as fit, IPC$ among them (STYPE_IPC)",
            share_enum(level, LARGE, share_desc(level)),
            8,
            LARGE,
            LARGE,
            [ok_entries(level), ok_entries(level), ok_entries(level)],
        );
    }
    b.push(
        "level-3",
        S_1,
        "InfoLevel not 0, 1, 2 → ERROR_INVALID_LEVEL",
        share_enum(3, LARGE, b"B13"),
        8,
        LARGE,
        LARGE,
        [
            err(R::ERROR_INVALID_LEVEL),
            err(R::ERROR_INVALID_LEVEL),
            samba_50(),
        ],
    );
    b.push(
        "paramdesc-WrLe",
        S_1,
        "ParamDesc not \"WrLeh\" → ERROR_INVALID_PARAMETER (<67>: Windows fails the transaction)",
        raw(0, b"WrLe", b"B13BWz", &[1, 0, 0, 0x10]),
        8,
        LARGE,
        LARGE,
        [err(R::ERROR_INVALID_PARAMETER), SMB_INVALID, samba_50()],
    );
    b.push(
        "paramdesc-WrLehh",
        S_1,
        "ParamDesc longer than \"WrLeh\" → ERROR_INVALID_PARAMETER (Samba compares a prefix)",
        raw(0, b"WrLehh", b"B13BWz", &[1, 0, 0, 0x10]),
        8,
        LARGE,
        LARGE,
        [
            err(R::ERROR_INVALID_PARAMETER),
            SMB_INVALID,
            want(R::ERROR_SUCCESS, Out::Any, Shape::Shares(1)),
        ],
    );
    b.push(
        "datadesc-of-level-0",
        S_1,
        "DataDesc is not validated (<5>): level 1 with \"B13\" is level 1",
        share_enum(1, LARGE, b"B13"),
        8,
        LARGE,
        LARGE,
        [ok_entries(1), ok_entries(1), samba_50()],
    );
    let one = want(R::ERROR_MORE_DATA, Out::Entries(Some(1)), Shape::Shares(1));
    let none_samba = want(R::ERROR_MORE_DATA, Out::Entries(Some(0)), Shape::None);
    b.push(
        "rbs-one-entry",
        S_1,
        "ReceiveBufferSize for one fixed part: that entry, ERROR_MORE_DATA (2.5.11, SHOULD)",
        share_enum(1, ShareInfo1::FIXED_SIZE + 1, b"B13BWz"),
        8,
        ShareInfo1::FIXED_SIZE + 1,
        LARGE,
        [one, one, none_samba],
    );
    b.push(
        "mdc-one-entry",
        S_1,
        "MaxDataCount caps the reply as ReceiveBufferSize does",
        share_enum(1, LARGE, b"B13BWz"),
        8,
        LARGE,
        ShareInfo1::FIXED_SIZE + 1,
        [one, one, err(R::NERR_BUF_TOO_SMALL)],
    );
    b.push(
        "rbs-no-entry",
        S_1,
        "no fixed part fits → NERR_BufTooSmall, no data (2.5.11)",
        share_enum(1, ShareInfo1::FIXED_SIZE - 1, b"B13BWz"),
        8,
        ShareInfo1::FIXED_SIZE - 1,
        LARGE,
        [
            want(R::NERR_BUF_TOO_SMALL, Out::Entries(Some(0)), Shape::None),
            want(R::NERR_BUF_TOO_SMALL, Out::Entries(Some(0)), Shape::None),
            none_samba,
        ],
    );

    // ---- 3.2.5.2 NetShareGetInfo ----
    let queue = ctx.queue.clone().unwrap_or_default();
    for level in 0..3u16 {
        let ok = want(R::ERROR_SUCCESS, Out::TbaIsDataLen, Shape::Queue(level));
        b.push(
            &format!("queue-level-{level}"),
            S_2,
            "the queue's NetShareInfo of the level (STYPE_PRINTQ); TotalBytesAvailable = bytes returned",
            share_get_info(queue.as_bytes(), level, LARGE),
            6,
            LARGE,
            LARGE,
            [ok, ok, samba_50()],
        );
    }
    let ipc = want(R::ERROR_SUCCESS, Out::TbaIsDataLen, Shape::Ipc(2));
    b.push(
        "ipc-level-2",
        S_2,
        "IPC$ (STYPE_IPC), name compared case-insensitively",
        share_get_info(b"ipc$", 2, LARGE),
        6,
        LARGE,
        LARGE,
        [ipc, ipc, samba_50()],
    );
    b.push(
        "unknown-share",
        S_2,
        "a share that does not exist → NERR_NetNameNotFound (NetrShareGetInfo's error)",
        share_get_info(b"NOSUCHSHARE", 1, LARGE),
        6,
        LARGE,
        LARGE,
        [
            err(R::NERR_NET_NAME_NOT_FOUND),
            err(R::NERR_NET_NAME_NOT_FOUND),
            samba_50(),
        ],
    );
    b.push(
        "empty-name",
        S_2,
        "NetName NULL (empty) → ERROR_INVALID_PARAMETER",
        share_get_info(b"", 1, LARGE),
        6,
        LARGE,
        LARGE,
        [
            err(R::ERROR_INVALID_PARAMETER),
            err(R::ERROR_INVALID_PARAMETER),
            samba_50(),
        ],
    );
    b.push(
        "level-3",
        S_2,
        "InfoLevel not 0, 1, 2 → ERROR_INVALID_LEVEL",
        share_get_info(queue.as_bytes(), 3, LARGE),
        6,
        LARGE,
        LARGE,
        [
            err(R::ERROR_INVALID_LEVEL),
            err(R::ERROR_INVALID_LEVEL),
            samba_50(),
        ],
    );
    let more = want(
        R::ERROR_MORE_DATA,
        Out::TbaAboveDataLen,
        Shape::FixedOnly(ShareInfo1::META),
    );
    b.push(
        "rbs-fixed",
        S_2,
        "ReceiveBufferSize < TotalBytesAvailable → ERROR_MORE_DATA; the remark does not fit (offset 0)",
        share_get_info(queue.as_bytes(), 1, ShareInfo1::FIXED_SIZE),
        6,
        ShareInfo1::FIXED_SIZE,
        LARGE,
        [more, more, samba_50()],
    );
    b.push(
        "rbs-fixed-1",
        S_2,
        "no room for the fixed part → NERR_BufTooSmall, no data (2.5.11)",
        share_get_info(queue.as_bytes(), 1, ShareInfo1::FIXED_SIZE - 1),
        6,
        ShareInfo1::FIXED_SIZE - 1,
        LARGE,
        [
            err(R::NERR_BUF_TOO_SMALL),
            err(R::NERR_BUF_TOO_SMALL),
            samba_50(),
        ],
    );
    b.push(
        "paramdesc-zWrL",
        S_2,
        "ParamDesc not \"zWrLh\" → ERROR_INVALID_PARAMETER (<69>: Windows fails the transaction)",
        raw(
            1,
            b"zWrL",
            b"B13BWz",
            &[b'I', b'P', b'C', b'$', 0, 1, 0, 0, 0x10],
        ),
        6,
        LARGE,
        LARGE,
        [err(R::ERROR_INVALID_PARAMETER), SMB_INVALID, samba_50()],
    );

    // ---- 3.2.5.3 NetServerGetInfo ----
    for level in 0..2u16 {
        let ok = want(R::ERROR_SUCCESS, Out::TbaIsDataLen, Shape::Server(level));
        b.push(
            &format!("level-{level}"),
            S_3,
            "NetServerInfo of the level from SERVER_INFO_101; TotalBytesAvailable = bytes returned",
            server_get_info(level, LARGE),
            6,
            LARGE,
            LARGE,
            [ok, ok, ok],
        );
    }
    b.push(
        "level-2",
        S_3,
        "InfoLevel not 0 or 1 → ERROR_INVALID_LEVEL",
        server_get_info(2, LARGE),
        6,
        LARGE,
        LARGE,
        [
            err(R::ERROR_INVALID_LEVEL),
            err(R::ERROR_INVALID_LEVEL),
            samba_50(),
        ],
    );
    let more = want(
        R::ERROR_MORE_DATA,
        Out::TbaAboveDataLen,
        Shape::FixedOnly(ServerInfo1::META),
    );
    b.push(
        "rbs-fixed",
        S_3,
        "ReceiveBufferSize < TotalBytesAvailable → ERROR_MORE_DATA; the comment does not fit (offset 0)",
        server_get_info(1, ServerInfo1::FIXED_SIZE),
        6,
        ServerInfo1::FIXED_SIZE,
        ServerInfo1::FIXED_SIZE,
        [
            more,
            more,
            want(
                R::ERROR_SUCCESS,
                Out::TbaIsDataLen,
                Shape::FixedOnly(ServerInfo1::META),
            ),
        ],
    );
    b.push(
        "rbs-fixed-1",
        S_3,
        "no room for the fixed part → NERR_BufTooSmall, no data (2.5.11)",
        server_get_info(1, ServerInfo1::FIXED_SIZE - 1),
        6,
        ServerInfo1::FIXED_SIZE - 1,
        LARGE,
        [
            err(R::NERR_BUF_TOO_SMALL),
            err(R::NERR_BUF_TOO_SMALL),
            want(R::ERROR_SUCCESS, Out::TbaIsDataLen, Shape::Server(1)),
        ],
    );
    b.push(
        "paramdesc-WrL",
        S_3,
        "ParamDesc not \"WrLh\" → ERROR_INVALID_PARAMETER (<70>: Windows fails the transaction)",
        raw(13, b"WrL", b"B16BBDz", &[1, 0, 0, 0x10]),
        6,
        LARGE,
        LARGE,
        [err(R::ERROR_INVALID_PARAMETER), SMB_INVALID, samba_50()],
    );

    // ---- 3.2.5.11 NetRemoteTOD ----
    let tod_ok = want(R::ERROR_SUCCESS, Out::Absent, Shape::Tod);
    b.push(
        "time",
        S_11,
        "TimeOfDayInfo with the current time, every field in range; no RAPOutParams",
        tod(LARGE),
        6,
        LARGE,
        LARGE,
        [tod_ok, tod_ok, tod_ok],
    );
    b.push(
        "rbs-20",
        S_11,
        "no room for TimeOfDayInfo's 21 bytes → NERR_BufTooSmall (2.5.11)",
        tod(TimeOfDayInfo::FIXED_SIZE - 1),
        6,
        TimeOfDayInfo::FIXED_SIZE - 1,
        LARGE,
        [
            err(R::NERR_BUF_TOO_SMALL),
            err(R::NERR_BUF_TOO_SMALL),
            tod_ok,
        ],
    );
    b.push(
        "paramdesc-rLh",
        S_11,
        "ParamDesc not \"rL\" → ERROR_INVALID_PARAMETER (<82>: Windows fails the transaction)",
        raw(91, b"rLh", TimeOfDayInfo::DESCRIPTOR, &[0, 0x10]),
        6,
        LARGE,
        LARGE,
        [err(R::ERROR_INVALID_PARAMETER), SMB_INVALID, tod_ok],
    );

    // ---- 3.2.5.12 NetServerEnum2 ----
    let samba_empty = want(R::ERROR_SUCCESS, Out::Entries(Some(0)), Shape::None);
    let mut all = Vec::new();
    ServerEnum2NoDomainRequest {
        level: 1,
        receive_buffer_size: LARGE,
        server_type: SV_TYPE_ALL,
    }
    .encode(b"B16BBDz", &mut all);
    b.push(
        "servers-WrLehDO",
        S_12,
        "SV_TYPE_ALL without a domain: the servers, or none and ERROR_NO_BROWSER_SERVERS_FOUND",
        all,
        8,
        LARGE,
        LARGE,
        [
            Expect::Lanman(Want::BrowseList { level: 1 }),
            Expect::Lanman(Want::BrowseList { level: 1 }),
            samba_empty,
        ],
    );
    let mut domains = Vec::new();
    ServerEnum2Request {
        level: 0,
        receive_buffer_size: LARGE,
        server_type: SV_TYPE_DOMAIN_ENUM,
        domain: b"",
    }
    .encode(b"B16", &mut domains);
    b.push(
        "domains-WrLehDz",
        S_12,
        "SV_TYPE_DOMAIN_ENUM, empty domain: the domains, or none and ERROR_NO_BROWSER_SERVERS_FOUND",
        domains,
        8,
        LARGE,
        LARGE,
        [
            Expect::Lanman(Want::BrowseList { level: 0 }),
            Expect::Lanman(Want::BrowseList { level: 0 }),
            samba_empty,
        ],
    );
    let mut level2 = Vec::new();
    ServerEnum2NoDomainRequest {
        level: 2,
        receive_buffer_size: LARGE,
        server_type: SV_TYPE_ALL,
    }
    .encode(b"B16", &mut level2);
    b.push(
        "level-2",
        S_12,
        "InfoLevel not 0 or 1 → ERROR_INVALID_LEVEL",
        level2,
        8,
        LARGE,
        LARGE,
        [
            err(R::ERROR_INVALID_LEVEL),
            err(R::ERROR_INVALID_LEVEL),
            samba_50(),
        ],
    );
    let mut long = Vec::new();
    ServerEnum2Request {
        level: 1,
        receive_buffer_size: LARGE,
        server_type: SV_TYPE_ALL,
        domain: b"0123456789ABCDEF",
    }
    .encode(b"B16BBDz", &mut long);
    b.push(
        "domain-16",
        S_12,
        "2.4: a Domain over 15 characters → ERROR_INVALID_PARAMETER",
        long,
        8,
        LARGE,
        LARGE,
        [
            err(R::ERROR_INVALID_PARAMETER),
            err(R::ERROR_INVALID_PARAMETER),
            samba_empty,
        ],
    );
    b.push(
        "paramdesc-WrLeh",
        S_12,
        "ParamDesc neither \"WrLehDz\" nor \"WrLehDO\" → ERROR_INVALID_PARAMETER (<83>)",
        raw(104, b"WrLeh", b"B16", &[0, 0, 0, 0x10]),
        8,
        LARGE,
        LARGE,
        [err(R::ERROR_INVALID_PARAMETER), SMB_INVALID, samba_50()],
    );

    // ---- 3.2.5.16 NetWkstaGetInfo ----
    let ok = want(R::ERROR_SUCCESS, Out::TbaIsDataLen, Shape::Wksta);
    b.push(
        "level-10",
        S_16,
        "NetWkstaInfo10: ComputerName and LanGroup set; TotalBytesAvailable = bytes returned",
        wksta(10, LARGE),
        6,
        LARGE,
        LARGE,
        [ok, ok, ok],
    );
    b.push(
        "level-1",
        S_16,
        "InfoLevel not 10 → ERROR_INVALID_LEVEL",
        wksta(1, LARGE),
        6,
        LARGE,
        LARGE,
        [
            err(R::ERROR_INVALID_LEVEL),
            err(R::ERROR_INVALID_LEVEL),
            samba_50(),
        ],
    );
    let more = want(
        R::ERROR_MORE_DATA,
        Out::TbaAboveDataLen,
        Shape::FixedOnly(WkstaInfo10::META),
    );
    b.push(
        "rbs-fixed",
        S_16,
        "ReceiveBufferSize < TotalBytesAvailable → ERROR_MORE_DATA; no string fits (offset 0)",
        wksta(10, WkstaInfo10::FIXED_SIZE),
        6,
        WkstaInfo10::FIXED_SIZE,
        LARGE,
        [more, more, ok],
    );
    b.push(
        "paramdesc-WrLhh",
        S_16,
        "ParamDesc not \"WrLh\" → ERROR_INVALID_PARAMETER (<89>: Windows fails the transaction)",
        raw(63, b"WrLhh", WkstaInfo10::DESCRIPTOR, &[10, 0, 0, 0x10]),
        6,
        LARGE,
        LARGE,
        [err(R::ERROR_INVALID_PARAMETER), SMB_INVALID, samba_50()],
    );

    // ---- LAN Manager enumerations MS-RAP does not define ----
    let empty = want(R::ERROR_SUCCESS, Out::Entries(Some(0)), Shape::None);
    let session_enum = |level: u16, desc: &[u8]| {
        let mut v = Vec::new();
        SessionEnumRequest {
            level,
            receive_buffer_size: LARGE,
        }
        .encode(desc, &mut v);
        v
    };
    b.push(
        "level-2",
        LM_6,
        "msrap lists no session (Samba: none for a guest)",
        session_enum(2, b"zzWWWDDDz"),
        8,
        LARGE,
        LARGE,
        [empty, empty, empty],
    );
    b.push(
        "level-10",
        LM_6,
        "levels 0, 1, 2, 10 (Samba: level 2 only)",
        session_enum(10, b"zzDD"),
        8,
        LARGE,
        LARGE,
        [empty, empty, samba_50()],
    );
    let mut v = Vec::new();
    SessionGetInfoRequest {
        client_name: b"\\\\CLIENT",
        level: 2,
        receive_buffer_size: LARGE,
    }
    .encode(b"zzWWWDDDz", &mut v);
    b.push(
        "level-2",
        LM_7,
        "no session has that client name → NERR_ClientNameNotFound (Samba: not served)",
        v,
        6,
        LARGE,
        LARGE,
        [
            err(R::NERR_CLIENT_NAME_NOT_FOUND),
            err(R::NERR_CLIENT_NAME_NOT_FOUND),
            samba_50(),
        ],
    );
    for (level, desc, samba) in [(0u16, &b"B21"[..], empty), (1, b"B21Bz", samba_50())] {
        let mut v = Vec::new();
        GroupEnumRequest {
            level,
            receive_buffer_size: LARGE,
        }
        .encode(desc, &mut v);
        b.push(
            &format!("level-{level}"),
            LM_47,
            "msrap has no groups: an empty list (Samba: level 0 only)",
            v,
            8,
            LARGE,
            LARGE,
            [empty, empty, samba],
        );
    }
    for (level, desc, samba) in [
        (0u16, &b"B21"[..], empty),
        (1, b"B21BB16DWzzWz", samba_50()),
    ] {
        let mut v = Vec::new();
        UserEnumRequest {
            level,
            receive_buffer_size: LARGE,
        }
        .encode(desc, &mut v);
        b.push(
            &format!("level-{level}"),
            LM_53,
            "msrap has no user accounts: an empty list (Samba: level 0 only)",
            v,
            8,
            LARGE,
            LARGE,
            [empty, empty, samba],
        );
    }
    b.cases
}

fn word(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?)
        .and_then(|s| s.try_into().ok())
        .map(u16::from_le_bytes)
}

/// Check a reply against a LAN Manager expectation; every difference.
pub fn check(ctx: &Context, case: &Case, want: &Want, reply: &TransReply) -> Vec<String> {
    let mut d = Vec::new();
    if reply.smb_status != NtStatus::STATUS_SUCCESS {
        d.push(format!(
            "smb_status: expected STATUS_SUCCESS and a RAP reply, got {:?}",
            reply.smb_status
        ));
        return d;
    }
    let p = match parse_response_params(&reply.params) {
        Ok(p) => p,
        Err(e) => {
            d.push(format!("params: {e}"));
            return d;
        }
    };
    // The SMB limits; ReceiveBufferSize (2.5.11) is what the shapes check
    // (Samba sizes replies by MaxDataCount alone).
    check_smb_limits(&case.request, reply, &mut d);
    let (status, out, data) = match *want {
        Want::Status { status, out, data } => (status, out, data),
        Want::BrowseList { level } => {
            let returned = word(p.out_params, 0).unwrap_or(0);
            let available = word(p.out_params, 2).unwrap_or(0);
            let status = if available == 0 {
                R::ERROR_NO_BROWSER_SERVERS_FOUND
            } else if returned < available {
                R::ERROR_MORE_DATA
            } else {
                R::ERROR_SUCCESS
            };
            let shape = if available == 0 {
                Shape::None
            } else {
                Shape::Servers(level)
            };
            (status, Out::Entries(None), shape)
        }
    };
    if p.status != status {
        d.push(format!("status: expected {status}, got {}", p.status));
    }
    let data_len = reply.data.len();
    let tba = word(p.out_params, 0);
    match out {
        Out::Any => {}
        Out::Absent => {
            if reply.params.len() != 4 {
                d.push(format!(
                    "params: expected 4 bytes (no RAPOutParams), got {}",
                    reply.params.len()
                ));
            }
        }
        Out::TbaIsDataLen => {
            if tba.map(usize::from) != Some(data_len) {
                d.push(format!(
                    "TotalBytesAvailable: expected the {data_len} bytes returned, got {tba:?}"
                ));
            }
        }
        Out::TbaAboveDataLen => {
            if tba.is_none_or(|t| usize::from(t) <= data_len) {
                d.push(format!(
                    "TotalBytesAvailable: expected more than the {data_len} bytes returned, got {tba:?}"
                ));
            }
        }
        Out::Entries(n) => {
            let returned = tba;
            let available = word(p.out_params, 2);
            match (returned, available) {
                (Some(r), Some(a)) => {
                    if n.is_some_and(|n| n != r) {
                        d.push(format!(
                            "EntriesReturned: expected {}, got {r}",
                            n.unwrap_or(0)
                        ));
                    }
                    if r > a {
                        d.push(format!("EntriesReturned {r} > EntriesAvailable {a}"));
                    }
                }
                _ => d.push(format!(
                    "params: expected EntriesReturned and EntriesAvailable, got {} bytes",
                    reply.params.len()
                )),
            }
        }
    }
    check_shape(ctx, data, &p, reply, &mut d);
    d
}

fn check_shape(
    ctx: &Context,
    shape: Shape,
    p: &crate::rap::response::ResponseParams<'_>,
    reply: &TransReply,
    d: &mut Vec<String>,
) {
    let cp = &ctx.code_page;
    let (params, data) = (&reply.params[..], &reply.data[..]);
    match shape {
        Shape::None => {
            if !data.is_empty() {
                d.push(format!("data: expected none, got {} bytes", data.len()));
            }
        }
        Shape::Shares(level) => match parse_share_enum_response(level, params, data, cp) {
            Err(e) => d.push(format!("data: {e}")),
            Ok(r) => {
                if r.shares.len() != usize::from(r.entries_returned) {
                    d.push(format!(
                        "data: {} structures for EntriesReturned {}",
                        r.shares.len(),
                        r.entries_returned
                    ));
                }
                let mut ipc = false;
                for s in &r.shares {
                    let (name, ty) = share_name_type(s);
                    if name.is_empty() || name.len() > 12 {
                        d.push(format!("share name {name:?}: 1 to 12 bytes expected"));
                    }
                    if ty.is_some_and(|t| t > 3) {
                        d.push(format!("share {name}: type {ty:?} is no STYPE_*"));
                    }
                    ipc |= name.eq_ignore_ascii_case("IPC$") && ty.is_none_or(|t| t == STYPE_IPC);
                }
                if r.entries_returned == r.entries_available && !ipc {
                    d.push("IPC$ (STYPE_IPC) is not listed".into());
                }
            }
        },
        Shape::Queue(level) | Shape::Ipc(level) => {
            let (want_name, want_type) = match shape {
                Shape::Queue(_) => (ctx.queue.clone().unwrap_or_default(), STYPE_PRINTQ),
                _ => ("IPC$".to_owned(), STYPE_IPC),
            };
            match parse_share_get_info_response(level, params, data, cp) {
                Err(e) => d.push(format!("data: {e}")),
                Ok(r) => match r.info {
                    None => d.push("data: no structure".into()),
                    Some(s) => {
                        let (name, ty) = share_name_type(&s);
                        if !name.eq_ignore_ascii_case(&want_name) {
                            d.push(format!("NetworkName: expected {want_name:?}, got {name:?}"));
                        }
                        if ty.is_some_and(|t| t != want_type) {
                            d.push(format!("Type: expected {want_type}, got {ty:?}"));
                        }
                    }
                },
            }
        }
        Shape::Server(level) | Shape::Servers(level) => {
            let infos = if shape == Shape::Servers(level) {
                parse_server_enum2_response(level, params, data, cp).map(|r| r.servers)
            } else {
                parse_server_get_info_response(level, params, data, cp)
                    .map(|r| r.info.into_iter().collect())
            };
            match infos {
                Err(e) => d.push(format!("data: {e}")),
                Ok(v) if v.is_empty() => d.push("data: no structure".into()),
                Ok(v) => {
                    for s in v {
                        let name = match &s {
                            ServerInfo::Level0(i) => &i.server_name,
                            ServerInfo::Level1(i) => &i.server_name,
                        };
                        if name.is_empty() || name.len() > 15 {
                            d.push(format!("ServerName {name:?}: 1 to 15 bytes expected"));
                        }
                        if let ServerInfo::Level1(i) = &s {
                            if i.server_comment.is_none() {
                                d.push("ServerComment: offset 0 with room for it".into());
                            }
                        }
                    }
                }
            }
        }
        Shape::Wksta => match parse_wksta_get_info_response(params, data, cp) {
            Err(e) => d.push(format!("data: {e}")),
            Ok(r) => match r.info {
                None => d.push("data: no structure".into()),
                Some(i) => {
                    if i.computer_name.as_deref().is_none_or(str::is_empty) {
                        d.push("ComputerName: MUST be set".into());
                    }
                    if i.lan_group.as_deref().is_none_or(str::is_empty) {
                        d.push("LanGroup: MUST be set".into());
                    }
                }
            },
        },
        Shape::Tod => match parse_remote_tod_response(params, data) {
            Err(e) => d.push(format!("data: {e}")),
            Ok(r) => match r.info {
                None => d.push("data: no TimeOfDayInfo".into()),
                Some(t) => {
                    if data.len() != usize::from(TimeOfDayInfo::FIXED_SIZE) {
                        d.push(format!("data: {} bytes, TimeOfDayInfo is 21", data.len()));
                    }
                    let ranges = [
                        ("Hours", u16::from(t.hours), 0, 23),
                        ("Minutes", t.minutes.into(), 0, 59),
                        ("Seconds", t.seconds.into(), 0, 59),
                        ("Hundreds", t.hundreds.into(), 0, 99),
                        ("Day", t.day.into(), 1, 31),
                        ("Month", t.month.into(), 1, 12),
                        ("Weekday", t.weekday.into(), 0, 6),
                        ("Year", t.year, 1980, 2107),
                    ];
                    for (name, v, lo, hi) in ranges {
                        if v < lo || v > hi {
                            d.push(format!("{name} {v} outside {lo}..={hi}"));
                        }
                    }
                    if t.time_since_jan_1_1970 < 315_532_800 {
                        d.push(format!(
                            "TimeSinceJan11970 {} is before 1980",
                            t.time_since_jan_1_1970
                        ));
                    }
                }
            },
        },
        Shape::FixedOnly(meta) => {
            if data.len() != usize::from(meta.fixed_size) {
                d.push(format!(
                    "data: expected the {}-byte fixed part only, got {} bytes",
                    meta.fixed_size,
                    data.len()
                ));
                return;
            }
            let mut values = Vec::new();
            match parse_struct(
                Descriptor(meta.descriptor),
                data,
                0,
                p.converter,
                0,
                &mut values,
            ) {
                Err(e) => d.push(format!("data: {e}")),
                Ok(_) => {
                    for (v, f) in values.iter().zip(meta.fields) {
                        if matches!(v, DataValue::Str(Some(_))) {
                            d.push(format!("{}: a string with no room for it", f.name));
                        }
                    }
                }
            }
        }
    }
}

/// A share's name and, from level 1 on, its type.
fn share_name_type(s: &ShareInfo<'_>) -> (String, Option<u16>) {
    match s {
        ShareInfo::Level0(i) => (i.net_name.to_string(), None),
        ShareInfo::Level1(i) => (i.net_name.to_string(), Some(i.share_type)),
        ShareInfo::Level2(i) => (i.net_name.to_string(), Some(i.share_type)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_requests_parse() {
        let ctx = Context {
            job_id: 1,
            unknown_job_id: 2,
            queue: Some("LASER".into()),
            queue_reference: None,
            references: Default::default(),
            code_page: crate::oem::OemCodePage::default(),
        };
        let cases = catalogue(&ctx);
        let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        for c in &cases {
            assert!(
                crate::rap::parse_rap_request(&c.request.params).is_ok(),
                "{}",
                c.id
            );
        }
    }
}
