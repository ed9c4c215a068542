//! Exact-byte vectors for the LAN Manager commands: NetShareEnum (0),
//! NetShareGetInfo (1), NetSessionEnum (6), NetSessionGetInfo (7),
//! NetServerGetInfo (13), NetGroupEnum (47), NetUserEnum (53),
//! NetWkstaGetInfo (63), NetRemoteTOD (91) and NetServerEnum2 (104), in
//! both string layouts, with large, small and too-small buffers, bad levels
//! and bad ParamDescs (MS-RAP 2.5.5, 2.5.6, 2.5.9, 2.5.10, 2.5.11, 3.2.5.1–3,
//! 3.2.5.11, 3.2.5.12, 3.2.5.16).

use msrap::codes::{NtStatus, RapStatus};
use msrap::oem::OemCodePage;
use msrap::rap::commands::net_group_enum::GroupEnumRequest;
use msrap::rap::commands::net_remote_tod::{
    parse_remote_tod_response, time_of_day, RemoteTodRequest,
};
use msrap::rap::commands::net_server_enum2::{ServerEnum2NoDomainRequest, ServerEnum2Request};
use msrap::rap::commands::net_server_get_info::{
    parse_server_get_info_response, ServerGetInfoRequest,
};
use msrap::rap::commands::net_session_enum::SessionEnumRequest;
use msrap::rap::commands::net_session_get_info::SessionGetInfoRequest;
use msrap::rap::commands::net_share_enum::{parse_share_enum_response, ShareEnumRequest};
use msrap::rap::commands::net_share_get_info::{
    parse_share_get_info_response, ShareGetInfoRequest,
};
use msrap::rap::commands::net_user_enum::UserEnumRequest;
use msrap::rap::commands::net_wksta_get_info::{
    parse_wksta_get_info_response, WkstaGetInfoRequest,
};
use msrap::rap::lanman::{ServerInfo, ShareInfo, TimeOfDayInfo};
use msrap::rap::server::poll_once;
use msrap::rap::{Profile, RapConfig, RapOutcome, RapResponse, RapServer, TransactionInput};
use msrap::spool::{Caller, MemorySpooler, PrinterInfo2, Queue};
use pretty_assertions::assert_eq;

/// "03 00 61 6C" into bytes.
fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// `LASER` (comment "Laser printer"), a queue whose name is too long for
/// NetShareInfo (17 bytes), `COLOR` (no comment).
fn spooler() -> MemorySpooler {
    MemorySpooler::new(vec![
        Queue {
            name: "LASER".into(),
            printer: PrinterInfo2 {
                comment: Some("Laser printer".into()),
                ..PrinterInfo2::default()
            },
            ..Queue::default()
        },
        Queue {
            name: "ACCOUNTING-FLOOR2".into(),
            ..Queue::default()
        },
        Queue {
            name: "COLOR".into(),
            ..Queue::default()
        },
    ])
}

fn server(profile: Profile) -> RapServer<MemorySpooler> {
    RapServer::new(RapConfig::with_profile(profile), spooler())
}

/// One request answered in process (MaxParameterCount 8).
fn call(profile: Profile, params: &[u8], max_data: u16) -> (RapOutcome, RapResponse) {
    call_at(&server(profile), 0, params, max_data)
}

fn call_at(
    s: &RapServer<MemorySpooler>,
    system_time: u64,
    params: &[u8],
    max_data: u16,
) -> (RapOutcome, RapResponse) {
    let mut out = RapResponse::default();
    let input = TransactionInput {
        parameters: params,
        data: &[],
        max_parameter_count: 8,
        max_data_count: max_data,
    };
    let o = s.handle_at(system_time, &input, &mut out);
    (o, out)
}

fn share_enum(level: u16, rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    let desc: &[u8] = match level {
        0 => b"B13",
        1 => b"B13BWz",
        _ => b"B13BWzWWWzB9B",
    };
    ShareEnumRequest {
        level,
        receive_buffer_size: rbs,
    }
    .encode(desc, &mut v);
    v
}

fn share_get_info(name: &str, level: u16, rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    ShareGetInfoRequest {
        net_name: name.as_bytes(),
        level,
        receive_buffer_size: rbs,
    }
    .encode(b"B13BWz", &mut v);
    v
}

/// A NetShareInfo NetworkName field: the name NUL-padded to 13 bytes.
fn name13(name: &str) -> Vec<u8> {
    let mut v = name.as_bytes().to_vec();
    v.resize(13, 0);
    v
}

#[test]
fn share_enum_level1_spec_layout() {
    let (o, out) = call(Profile::SPEC, &share_enum(1, 4096), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    // Returned 3 (LASER, COLOR, IPC$); available 4: the 17-byte name is
    // skipped but counted (<68>), and is no reason for ERROR_MORE_DATA.
    assert_eq!(out.params, hex("00 00 00 00 03 00 04 00"));
    let mut want = Vec::new();
    for (name, ty, remark_at) in [("LASER", 1u8, 60u8), ("COLOR", 1, 74), ("IPC$", 3, 75)] {
        want.extend(name13(name));
        want.extend([0, ty, 0, remark_at, 0, 0, 0]);
    }
    want.extend(b"Laser printer\0\0Remote IPC\0");
    assert_eq!(out.data, want);
    assert_eq!(out.data.len(), 86);
    let r = parse_share_enum_response(1, &out.params, &out.data, &OemCodePage::default()).unwrap();
    let names: Vec<_> = r
        .shares
        .iter()
        .map(|s| match s {
            ShareInfo::Level1(i) => (i.net_name.to_string(), i.share_type, i.remark.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            ("LASER".into(), 1, Some("Laser printer".into())),
            ("COLOR".into(), 1, Some("".into())),
            ("IPC$".into(), 3, Some("Remote IPC".into())),
        ]
    );
}

#[test]
fn share_enum_level1_windows_layout() {
    let (o, out) = call(Profile::WINDOWS, &share_enum(1, 4096), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    // Converter = 4096 − 86 = 0x0FAA; strings top-down under 4096 (MS-RAP 4.1).
    assert_eq!(out.params, hex("00 00 AA 0F 03 00 04 00"));
    let mut want = Vec::new();
    for (name, ty, low) in [
        ("LASER", 1u8, 0xF2u8),
        ("COLOR", 1, 0xF1),
        ("IPC$", 3, 0xE6),
    ] {
        want.extend(name13(name));
        want.extend([0, ty, 0, low, 0x0F, 0, 0]);
    }
    want.extend(b"Remote IPC\0\0Laser printer\0");
    assert_eq!(out.data, want);
    let r = parse_share_enum_response(1, &out.params, &out.data, &OemCodePage::default()).unwrap();
    let spec = {
        let (_, s) = call(Profile::SPEC, &share_enum(1, 4096), 4096);
        parse_share_enum_response(1, &s.params, &s.data, &OemCodePage::default())
            .unwrap()
            .shares
            .into_iter()
            .map(ShareInfo::into_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        r.shares
            .into_iter()
            .map(ShareInfo::into_owned)
            .collect::<Vec<_>>(),
        spec,
        "same shares in both layouts"
    );
}

#[test]
fn share_enum_levels_0_and_2() {
    let (_, out) = call(Profile::SPEC, &share_enum(0, 4096), 4096);
    assert_eq!(out.params, hex("00 00 00 00 03 00 04 00"));
    assert_eq!(
        out.data,
        [name13("LASER"), name13("COLOR"), name13("IPC$")].concat()
    );

    let (_, out) = call(Profile::SPEC, &share_enum(2, 4096), 4096);
    assert_eq!(out.params, hex("00 00 00 00 03 00 04 00"));
    // Remark then path per share, after the three 40-byte fixed parts:
    // "Laser printer\0"@120 "LASER\0"@134 "\0"@140 "COLOR\0"@141
    // "Remote IPC\0"@147 "\0"@158. Permissions 0, MaxUses 0xFFFF,
    // CurrentUses 0, Password empty.
    let mut want = Vec::new();
    for (name, ty, remark, path) in [
        ("LASER", 1u8, 120u8, 134u8),
        ("COLOR", 1, 140, 141),
        ("IPC$", 3, 147, 158),
    ] {
        want.extend(name13(name));
        want.extend([0, ty, 0, remark, 0, 0, 0]);
        want.extend([0, 0, 0xFF, 0xFF, 0, 0, path, 0, 0, 0]);
        want.extend([0; 10]);
    }
    want.extend(b"Laser printer\0LASER\0\0COLOR\0Remote IPC\0\0");
    assert_eq!(out.data, want);
}

#[test]
fn share_enum_small_buffers() {
    // Two fixed parts fit (40 of 45 bytes); "Laser printer" does not fit
    // in the 5 left (offset 0), COLOR's empty remark does.
    let (o, out) = call(Profile::SPEC, &share_enum(1, 45), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_MORE_DATA));
    assert_eq!(out.params, hex("EA 00 00 00 02 00 04 00"));
    let mut want = Vec::new();
    want.extend(name13("LASER"));
    want.extend([0, 1, 0, 0, 0, 0, 0]);
    want.extend(name13("COLOR"));
    want.extend([0, 1, 0, 40, 0, 0, 0]);
    want.push(0);
    assert_eq!(out.data, want);
    // MaxDataCount caps as ReceiveBufferSize does.
    let (_, capped) = call(Profile::SPEC, &share_enum(1, 4096), 45);
    assert_eq!(capped, out);
    // No fixed part fits: NERR_BufTooSmall, no data.
    let (o, out) = call(Profile::SPEC, &share_enum(1, 19), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::NERR_BUF_TOO_SMALL));
    assert_eq!(out.params, hex("4B 08 00 00 00 00 04 00"));
    assert!(out.data.is_empty());
}

#[test]
fn share_enum_bad_level_and_param_desc() {
    let (o, out) = call(Profile::SPEC, &share_enum(3, 4096), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_INVALID_LEVEL));
    assert_eq!(out.params, hex("7C 00 00 00 00 00 00 00"));
    let mut bad = share_enum(1, 4096);
    bad[2] = b'X'; // "XrLeh"
    let (o, out) = call(Profile::SPEC, &bad, 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_INVALID_PARAMETER));
    // "XrLeh" is no valid ParamDesc: no RAPOutParams can be derived from it.
    assert_eq!(out.params, hex("57 00 00 00"));
    let (o, out) = call(Profile::WINDOWS, &bad, 4096);
    assert_eq!(
        o,
        RapOutcome::FailTransaction(NtStatus::STATUS_INVALID_PARAMETER)
    );
    assert!(out.params.is_empty() && out.data.is_empty());
}

#[test]
fn share_get_info_levels_buffers_and_errors() {
    let cp = OemCodePage::default();
    // Case-insensitive; TotalBytesAvailable 34 = 20 + "Laser printer\0".
    let (o, out) = call(Profile::SPEC, &share_get_info("laser", 1, 4096), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    assert_eq!(out.params, hex("00 00 00 00 22 00"));
    assert_eq!(
        out.data,
        [
            name13("LASER"),
            vec![0, 1, 0, 20, 0, 0, 0],
            b"Laser printer\0".to_vec()
        ]
        .concat()
    );
    let r = parse_share_get_info_response(1, &out.params, &out.data, &cp).unwrap();
    assert_eq!(r.total_bytes_available, Some(34));
    assert!(matches!(r.info, Some(ShareInfo::Level1(ref i)) if i.net_name == "LASER"));
    // Windows layout: the string at the top of the 4096-byte buffer.
    let (_, out) = call(Profile::WINDOWS, &share_get_info("LASER", 1, 4096), 4096);
    assert_eq!(out.params, hex("00 00 DE 0F 22 00"));
    assert_eq!(&out.data[16..20], &hex("F2 0F 00 00")[..]);
    // ReceiveBufferSize < TotalBytesAvailable: ERROR_MORE_DATA, offset 0.
    let (o, out) = call(Profile::SPEC, &share_get_info("LASER", 1, 25), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_MORE_DATA));
    assert_eq!(out.params, hex("EA 00 00 00 22 00"));
    assert_eq!(
        out.data,
        [name13("LASER"), vec![0, 1, 0, 0, 0, 0, 0]].concat()
    );
    // The fixed part does not fit: NERR_BufTooSmall, no data.
    let (o, out) = call(Profile::SPEC, &share_get_info("LASER", 1, 19), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::NERR_BUF_TOO_SMALL));
    assert_eq!(out.params, hex("4B 08 00 00 22 00"));
    assert!(out.data.is_empty());
    // IPC$ at level 2.
    let (_, out) = call(Profile::SPEC, &share_get_info("ipc$", 2, 4096), 4096);
    assert_eq!(out.params, hex("00 00 00 00 34 00"));
    let mut want = name13("IPC$");
    want.extend([0, 3, 0, 40, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 51, 0, 0, 0]);
    want.extend([0; 10]);
    want.extend(b"Remote IPC\0\0");
    assert_eq!(out.data, want);
    // A name longer than 12 bytes: found, cut to fit the field (3.2.5.1).
    let (_, out) = call(
        Profile::SPEC,
        &{
            let mut v = Vec::new();
            ShareGetInfoRequest {
                net_name: b"accounting-floor2",
                level: 0,
                receive_buffer_size: 100,
            }
            .encode(b"B13", &mut v);
            v
        },
        100,
    );
    assert_eq!(out.params, hex("00 00 00 00 0D 00"));
    assert_eq!(out.data, name13("ACCOUNTING-F"));
    // Unknown share, NULL NetName, bad level.
    for (req, status) in [
        (share_get_info("nope", 1, 4096), "06 09"),
        (share_get_info("", 1, 4096), "57 00"),
        (share_get_info("LASER", 3, 4096), "7C 00"),
    ] {
        let (_, out) = call(Profile::SPEC, &req, 4096);
        assert_eq!(out.params, hex(&format!("{status} 00 00 00 00")));
        assert!(out.data.is_empty());
    }
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

#[test]
fn server_get_info_levels_0_and_1() {
    let mut server_name = b"MSRAP".to_vec();
    server_name.resize(16, 0);
    let (o, out) = call(Profile::SPEC, &server_get_info(0, 4096), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    assert_eq!(out.params, hex("00 00 00 00 10 00"));
    assert_eq!(out.data, server_name);
    // Version 6.1; SV_TYPE_WORKSTATION | SERVER | PRINTQ_SERVER |
    // SERVER_UNIX | NT | SERVER_NT = 0x00009A03; comment "msrap" at 26.
    let (_, out) = call(Profile::SPEC, &server_get_info(1, 4096), 4096);
    assert_eq!(out.params, hex("00 00 00 00 20 00"));
    let want = [
        server_name.clone(),
        hex("06 01 03 9A 00 00 1A 00 00 00"),
        b"msrap\0".to_vec(),
    ]
    .concat();
    assert_eq!(out.data, want);
    let r =
        parse_server_get_info_response(1, &out.params, &out.data, &OemCodePage::default()).unwrap();
    let Some(ServerInfo::Level1(i)) = r.info else {
        panic!("{r:?}")
    };
    assert_eq!(
        (
            &*i.server_name,
            i.major_version,
            i.minor_version,
            i.server_type
        ),
        ("MSRAP", 6, 1, 0x9A03)
    );
    assert_eq!(i.server_comment.as_deref(), Some("msrap"));
    // Windows: Converter 4096 − 32.
    let (_, out) = call(Profile::WINDOWS, &server_get_info(1, 4096), 4096);
    assert_eq!(out.params, hex("00 00 E0 0F 20 00"));
    assert_eq!(&out.data[22..26], &hex("FA 0F 00 00")[..]);
    // Room for the fixed part only; none at all; bad level.
    let (_, out) = call(Profile::SPEC, &server_get_info(1, 26), 4096);
    assert_eq!(out.params, hex("EA 00 00 00 20 00"));
    assert_eq!(
        out.data,
        [server_name, hex("06 01 03 9A 00 00 00 00 00 00")].concat()
    );
    let (_, out) = call(Profile::SPEC, &server_get_info(1, 25), 4096);
    assert_eq!(out.params, hex("4B 08 00 00 20 00"));
    assert!(out.data.is_empty());
    let (_, out) = call(Profile::SPEC, &server_get_info(2, 4096), 4096);
    assert_eq!(out.params, hex("7C 00 00 00 00 00"));
}

#[test]
fn server_get_info_uses_the_configured_identity() {
    let s = RapServer::new(
        {
            let mut c = RapConfig::default();
            c.machine_name = "PRINTSRV-WITH-A-LONG-NAME".into();
            c.server_comment = "Print server".into();
            c.version = (4, 0);
            c.server_type = 0x0000_0203;
            c
        },
        spooler(),
    );
    let (_, out) = call_at(&s, 0, &server_get_info(1, 4096), 4096);
    // ServerName cut to 15 bytes and the NUL.
    assert_eq!(&out.data[..16], b"PRINTSRV-WITH-A\0");
    assert_eq!(
        &out.data[16..],
        &[
            hex("04 00 03 02 00 00 1A 00 00 00"),
            b"Print server\0".to_vec()
        ]
        .concat()[..]
    );
}

fn wksta(level: u16, rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    WkstaGetInfoRequest {
        level,
        receive_buffer_size: rbs,
    }
    .encode(b"zzzBBzz", &mut v);
    v
}

#[test]
fn wksta_get_info_level_10() {
    // Anonymous caller: UserName "". Strings after the 22 fixed bytes:
    // "MSRAP\0"@22 "\0"@28 "WORKGROUP\0"@29 "WORKGROUP\0"@39 "\0"@49.
    let (o, out) = call(Profile::SPEC, &wksta(10, 4096), 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    assert_eq!(out.params, hex("00 00 00 00 32 00"));
    let want = [
        hex("16 00 00 00 1C 00 00 00 1D 00 00 00 06 01 27 00 00 00 31 00 00 00"),
        b"MSRAP\0\0WORKGROUP\0WORKGROUP\0\0".to_vec(),
    ]
    .concat();
    assert_eq!(out.data, want);
    // A named caller: its account is UserName.
    let s = server(Profile::SPEC);
    let mut out = RapResponse::default();
    let req = wksta(10, 4096);
    let input = TransactionInput {
        parameters: &req,
        data: &[],
        max_parameter_count: 6,
        max_data_count: 4096,
    };
    let o = poll_once(s.transact(&Caller::guest("alice"), &input, &mut out)).unwrap();
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    let r = parse_wksta_get_info_response(&out.params, &out.data, &OemCodePage::default()).unwrap();
    let i = r.info.unwrap();
    assert_eq!(
        (
            i.computer_name.as_deref(),
            i.user_name.as_deref(),
            i.lan_group.as_deref(),
            i.ver_major,
            i.ver_minor,
            i.logon_domain.as_deref(),
            i.other_domains.as_deref()
        ),
        (
            Some("MSRAP"),
            Some("alice"),
            Some("WORKGROUP"),
            6,
            1,
            Some("WORKGROUP"),
            Some("")
        )
    );
    assert_eq!(r.total_bytes_available, Some(55));
    // Only level 10; a buffer for the fixed part only.
    let (_, out) = call(Profile::SPEC, &wksta(1, 4096), 4096);
    assert_eq!(out.params, hex("7C 00 00 00 00 00"));
    let (_, out) = call(Profile::SPEC, &wksta(10, 22), 4096);
    assert_eq!(out.params, hex("EA 00 00 00 32 00"));
    assert_eq!(
        out.data,
        hex("00 00 00 00 00 00 00 00 00 00 00 00 06 01 00 00 00 00 00 00 00 00")
    );
}

/// 2024-01-15 12:34:56.78 UTC as a FILETIME.
const T: u64 = (0x65A5_2670 * 10_000_000 + 7_800_000) + 116_444_736_000_000_000;

fn tod(rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    RemoteTodRequest {
        receive_buffer_size: rbs,
    }
    .encode(b"DDBBBBWWBBWB", &mut v);
    v
}

#[test]
fn remote_tod() {
    let s = RapServer::new(
        {
            let mut c = RapConfig::default();
            c.utc_offset_secs = 3600;
            c
        },
        spooler(),
    );
    // UTC seconds; local 13:34:56.78 (UTC+1: TimeZone −60); ClockFrequency
    // 100 (hundredths); 15 January 2024, a Monday. No RAPOutParams.
    let (o, out) = call_at(&s, T, &tod(100), 100);
    assert_eq!(o, RapOutcome::Reply(RapStatus::ERROR_SUCCESS));
    assert_eq!(out.params, hex("00 00 00 00"));
    assert_eq!(
        out.data,
        hex("70 26 A5 65 00 00 00 00 0D 22 38 4E C4 FF 64 00 0F 01 E8 07 01")
    );
    let r = parse_remote_tod_response(&out.params, &out.data).unwrap();
    assert_eq!(r.info, time_of_day(T, 3600));
    assert_eq!(
        r.info.map(|i| (i.hours, i.time_zone as i16, i.year)),
        Some((13, -60, 2024))
    );
    // Both layouts: no strings, same bytes.
    let w = RapServer::new(
        {
            let mut c = RapConfig::with_profile(Profile::WINDOWS);
            c.utc_offset_secs = 3600;
            c
        },
        spooler(),
    );
    assert_eq!(call_at(&w, T, &tod(100), 100).1.data, out.data);
    // 20 bytes of room: NERR_BufTooSmall.
    let (_, out) = call_at(&s, T, &tod(20), 100);
    assert_eq!(out.params, hex("4B 08 00 00"));
    assert!(out.data.is_empty());
    // No clock: ERROR_NOT_SUPPORTED.
    let (_, out) = call_at(&s, 0, &tod(100), 100);
    assert_eq!(out.params, hex("32 00 00 00"));
    // West of UTC: TimeZone positive, the local date before UTC's.
    let i = time_of_day(T, -13 * 3600).unwrap();
    assert_eq!(
        (i.time_zone, i.day, i.hours, i.minutes, i.weekday),
        (780, 14, 23, 34, 0),
        "2024-01-15 12:34:56 UTC at UTC−13: Sunday the 14th, 23:34"
    );
    assert_eq!(TimeOfDayInfo::FIXED_SIZE, 21);
}

#[test]
fn server_enum2_lists_no_server() {
    let mut with_domain = Vec::new();
    ServerEnum2Request {
        level: 1,
        receive_buffer_size: 4096,
        server_type: 0xFFFF_FFFF,
        domain: b"WORKGROUP",
    }
    .encode(b"B16BBDz", &mut with_domain);
    let mut no_domain = Vec::new();
    ServerEnum2NoDomainRequest {
        level: 0,
        receive_buffer_size: 4096,
        server_type: 0x8000_0000,
    }
    .encode(b"B16", &mut no_domain);
    // MS-RAP 4.2's request (WrLehDO, SV_TYPE_ALL).
    let example =
        hex("68 00 57 72 4C 65 68 44 4F 00 42 31 36 42 42 44 7A 00 01 00 00 18 FF FF FF FF");
    for req in [with_domain, no_domain, example] {
        for p in [Profile::SPEC, Profile::WINDOWS] {
            let (o, out) = call(p, &req, 4096);
            assert_eq!(
                o,
                RapOutcome::Reply(RapStatus::ERROR_NO_BROWSER_SERVERS_FOUND)
            );
            assert_eq!(out.params, hex("E6 17 00 00 00 00 00 00"));
            assert!(out.data.is_empty());
        }
    }
    // Level 2; a Domain of 16 characters (2.4: at most 15).
    let mut bad_level = Vec::new();
    ServerEnum2NoDomainRequest {
        level: 2,
        receive_buffer_size: 4096,
        server_type: 0xFFFF_FFFF,
    }
    .encode(b"B16", &mut bad_level);
    assert_eq!(
        call(Profile::SPEC, &bad_level, 4096).1.params,
        hex("7C 00 00 00 00 00 00 00")
    );
    let mut long = Vec::new();
    ServerEnum2Request {
        level: 0,
        receive_buffer_size: 4096,
        server_type: 0xFFFF_FFFF,
        domain: b"0123456789ABCDEF",
    }
    .encode(b"B16", &mut long);
    assert_eq!(
        call(Profile::SPEC, &long, 4096).1.params,
        hex("57 00 00 00 00 00 00 00")
    );
    // A ParamDesc that is neither form.
    let mut other = hex("68 00 57 72 4C 65 68 00 42 31 36 00 00 00 00 10");
    assert_eq!(
        call(Profile::SPEC, &other, 4096).1.params,
        hex("57 00 00 00 00 00 00 00")
    );
    other[2] = b'x';
    assert_eq!(
        call(Profile::WINDOWS, &other, 4096).0,
        RapOutcome::FailTransaction(NtStatus::STATUS_INVALID_PARAMETER)
    );
}

#[test]
fn empty_enumerations_sessions_groups_users() {
    let enum_req = |opcode: u8, level: u16, desc: &[u8]| {
        let mut v = vec![opcode, 0];
        v.extend(b"WrLeh\0");
        v.extend(desc);
        v.push(0);
        v.extend(level.to_le_bytes());
        v.extend(4096u16.to_le_bytes());
        v
    };
    for (opcode, levels, bad) in [
        (6u8, &[0u16, 1, 2, 10][..], 3u16),
        (47, &[0, 1], 2),
        (53, &[0, 1, 10], 2),
    ] {
        for &level in levels {
            let (o, out) = call(Profile::SPEC, &enum_req(opcode, level, b""), 4096);
            assert_eq!(
                o,
                RapOutcome::Reply(RapStatus::ERROR_SUCCESS),
                "{opcode}/{level}"
            );
            assert_eq!(out.params, hex("00 00 00 00 00 00 00 00"));
            assert!(out.data.is_empty());
        }
        let (_, out) = call(Profile::SPEC, &enum_req(opcode, bad, b""), 4096);
        assert_eq!(out.params, hex("7C 00 00 00 00 00 00 00"), "{opcode}/{bad}");
    }
    // The declared encoders produce the same requests.
    let mut v = Vec::new();
    SessionEnumRequest {
        level: 2,
        receive_buffer_size: 4096,
    }
    .encode(b"zzWWWDDDz", &mut v);
    assert_eq!(v, enum_req(6, 2, b"zzWWWDDDz"));
    let mut v = Vec::new();
    GroupEnumRequest {
        level: 0,
        receive_buffer_size: 4096,
    }
    .encode(b"B21", &mut v);
    assert_eq!(v, enum_req(47, 0, b"B21"));
    let mut v = Vec::new();
    UserEnumRequest {
        level: 0,
        receive_buffer_size: 4096,
    }
    .encode(b"B21", &mut v);
    assert_eq!(v, enum_req(53, 0, b"B21"));
    // NetSessionGetInfo: no session has that client name.
    let mut v = Vec::new();
    SessionGetInfoRequest {
        client_name: b"\\\\CLIENT",
        level: 2,
        receive_buffer_size: 4096,
    }
    .encode(b"zzWWWDDDz", &mut v);
    let (o, out) = call(Profile::SPEC, &v, 4096);
    assert_eq!(o, RapOutcome::Reply(RapStatus::NERR_CLIENT_NAME_NOT_FOUND));
    assert_eq!(out.params, hex("08 09 00 00 00 00"));
    let mut v = Vec::new();
    SessionGetInfoRequest {
        client_name: b"\\\\CLIENT",
        level: 5,
        receive_buffer_size: 4096,
    }
    .encode(b"z", &mut v);
    assert_eq!(
        call(Profile::SPEC, &v, 4096).1.params,
        hex("7C 00 00 00 00 00")
    );
}

/// NetRemoteTOD over the SMB1 pipe path: the connection's system time
/// reaches the RAP layer with the call.
#[cfg(feature = "smb1")]
#[test]
fn remote_tod_gets_the_connections_time() {
    use msrap::smb1::pipe::{transact_now, Identity, PipeReply, PipeTransaction, LANMAN_PIPE};
    let s = server(Profile::SPEC);
    let id = Identity::anonymous();
    let req = tod(100);
    let mut out = PipeReply::default();
    let t = PipeTransaction {
        pipe: LANMAN_PIPE,
        identity: &id,
        share: "IPC$",
        setup: &[],
        parameters: &req,
        data: &[],
        max_parameter_count: 4,
        max_data_count: 100,
        system_time: T,
    };
    transact_now(&s, t, &mut out).unwrap();
    assert_eq!(out.params, hex("00 00 00 00"));
    assert_eq!(&out.data[..4], &hex("70 26 A5 65")[..]);
}
