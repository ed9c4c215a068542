//! Real clients against `msrap serve`'s server for the LAN Manager
//! commands: Samba's `net rap share`, `net rap server name` and
//! `smbclient -L` (its RAP fallback after the srvsvc attempt fails), a
//! scripted Windows 9x session (impacket: NetShareEnum, NetWkstaGetInfo and
//! NetServerGetInfo right after TREE_CONNECT IPC$, DOS error codes and OEM
//! strings), impacket's NT_CREATE_ANDX getting a real error in both status
//! forms, and the empty enumerations printing what Samba's print.
#![cfg(feature = "server")]

mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use msrap::codes::RapStatus;
use msrap::oem::OemCodePage;
use msrap::rap::commands::net_server_get_info::parse_server_get_info_response;
use msrap::rap::commands::net_share_enum::parse_share_enum_response;
use msrap::rap::commands::net_wksta_get_info::parse_wksta_get_info_response;
use msrap::rap::lanman::{ServerInfo, ShareInfo};
use msrap::rap::RapConfig;
use msrap::server::ServerConfig;
use msrap::spool::{MemorySpooler, PrinterInfo2, Queue, Spooler};
use pretty_assertions::assert_eq;
use support::samba::{client_conf, Samba};
use support::server::TestServer;

const MACHINE: &str = "PRINTHOST";

/// Three queues: two with remarks, one whose name NetShareInfo cannot
/// carry (17 bytes), which every RAP listing leaves out.
fn queues() -> Vec<Queue> {
    let q = |name: &str, comment: Option<&str>| Queue {
        name: name.into(),
        printer: PrinterInfo2 {
            comment: comment.map(Into::into),
            ..PrinterInfo2::default()
        },
        ..Queue::default()
    };
    vec![
        q("LASER", Some("Laser printer, 2nd floor")),
        q("ACCOUNTING-FLOOR2", Some("too long for RAP")),
        q("COLOR", None),
    ]
}

fn start() -> TestServer {
    TestServer::start(
        {
            let mut c = ServerConfig::default();
            c.server_name = MACHINE.into();
            c
        },
        std::sync::Arc::new(msrap::rap::RapServer::new(
            {
                let mut c = RapConfig::default();
                c.machine_name = MACHINE.into();
                c
            },
            MemorySpooler::new(queues()),
        )),
    )
}

/// The shares a RAP client must see: the spooler's queues whose names fit
/// 12 bytes, with their PRINTER_INFO_2 comments, then IPC$.
fn expected_shares() -> Vec<(String, &'static str, String)> {
    let spooler = MemorySpooler::new(queues());
    let printers = msrap::rap::server::poll_once(spooler.enum_printers())
        .unwrap()
        .unwrap();
    printers
        .iter()
        .filter(|p| p.name.len() <= 12)
        .map(|p| {
            (
                p.name.clone(),
                "Print",
                p.info.comment.clone().unwrap_or_default(),
            )
        })
        .chain([("IPC$".to_owned(), "IPC", "Remote IPC".to_owned())])
        .collect()
}

fn tools_available() {
    support::peers::require_samba();
}

/// `net rap ARGS -s CONF -I 127.0.0.1 -p PORT -U%`: stdout, exit code.
fn net(addr: SocketAddr, conf: &Path, args: &[&str]) -> (String, i32) {
    let out = Command::new("net")
        .args(args)
        .arg("-s")
        .arg(conf)
        .args(["-I", &addr.ip().to_string(), "-p", &addr.port().to_string()])
        .arg("-U%")
        .output()
        .expect("run net");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("msrap-{name}-{}", std::process::id()))
}

#[test]
fn net_rap_share_and_server_name() {
    tools_available();
    let server = start();
    let dir = tmp("net-rap");
    let conf = client_conf(&dir);
    let want = expected_shares();

    // `net rap share`: one name per line; the exit code is the count.
    let (out, code) = net(server.addr, &conf, &["rap", "share"]);
    let names: Vec<&str> = out.lines().collect();
    assert_eq!(
        names,
        want.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        "{out}"
    );
    assert_eq!(usize::try_from(code).unwrap(), want.len());

    // `net rap share --long`: "%-12s %-8.8s %-50s" rows under a header.
    let (out, _) = net(server.addr, &conf, &["rap", "share", "--long"]);
    let rows: Vec<(String, String, String)> = out
        .lines()
        .skip_while(|l| !l.starts_with("----------"))
        .skip(1)
        .map(|l| {
            let (name, rest) = l.split_at(13.min(l.len()));
            let (ty, remark) = rest.split_at(9.min(rest.len()));
            (
                name.trim_end().to_owned(),
                ty.trim_end().to_owned(),
                remark.trim_end().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        want.iter()
            .map(|(n, t, r)| (n.clone(), (*t).to_owned(), r.clone()))
            .collect::<Vec<_>>(),
        "{out}"
    );

    // `net rap server name`: NetServerGetInfo level 1's ServerName.
    let (out, code) = net(server.addr, &conf, &["rap", "server", "name"]);
    assert_eq!(out, format!("Server name = {MACHINE}\n"));
    assert_eq!(code, 0);
    let _ = std::fs::remove_dir_all(dir);
}

/// `smbclient -L`: the srvsvc attempt (NT_CREATE_ANDX of `\srvsvc`) gets a
/// real error, smbclient falls back to RAP NetShareEnum and lists the
/// print queues and IPC$.
#[test]
fn smbclient_dash_l_lists_the_print_shares_through_rap() {
    tools_available();
    let server = start();
    let dir = tmp("smbclient-L");
    let conf = client_conf(&dir);
    let out = Command::new("smbclient")
        .arg("-L")
        .arg(format!("//{}", server.addr.ip()))
        .args(["-p", &server.addr.port().to_string(), "-N", "-s"])
        .arg(&conf)
        .output()
        .expect("run smbclient");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    // "\t%-15s %-10.10s%s" rows under the header.
    let rows: Vec<(String, String, String)> = stdout
        .lines()
        .skip_while(|l| !l.contains("---------"))
        .skip(1)
        .take_while(|l| l.starts_with('\t'))
        .map(|l| {
            let l = l.trim_start_matches('\t');
            let (name, rest) = l.split_at(16.min(l.len()));
            let (ty, remark) = rest.split_at(10.min(rest.len()));
            (
                name.trim_end().to_owned(),
                ty.trim_end().to_owned(),
                remark.to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = expected_shares()
        .into_iter()
        .map(|(n, t, r)| (n, if t == "Print" { "Printer" } else { t }.to_owned(), r))
        .collect();
    assert_eq!(rows, want, "{all}");
    assert!(!all.contains("INVALID_NETWORK_RESPONSE"), "{all}");
    assert!(!all.contains("Error returning browse list"), "{all}");
    let _ = std::fs::remove_dir_all(dir);
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn lanman_session(addr: SocketAddr, args: &[&str]) -> Vec<serde_json::Value> {
    support::peers::require_impacket();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/lanman_session.py");
    // The python install-peers.sh gave impacket (its venv), as every
    // impacket peer runs.
    let out = Command::new(support::peers::python())
        .arg(script)
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "impacket peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Windows 95/98/ME send NetShareEnum, NetWkstaGetInfo and
/// NetServerGetInfo right after TREE_CONNECT IPC$ (and retry until they
/// get answers): each is answered with SMB status 0, RAP status 0 and data
/// that parses as the level's structure.
#[test]
fn win9x_style_session_gets_share_wksta_and_server_info() {
    let server = start();
    let r = lanman_session(server.addr, &["win9x"]);
    let cp = OemCodePage::default();
    let calls: Vec<&str> = r.iter().map(|v| v["call"].as_str().unwrap()).collect();
    assert_eq!(
        calls,
        ["NetShareEnum", "NetWkstaGetInfo", "NetServerGetInfo"]
    );
    for v in &r {
        // SMB success, answered in the client's form: no FLAGS2_NT_STATUS
        // (0x4000) or UNICODE (0x8000) in the reply.
        assert_eq!(v["smb_status"], 0, "{v}");
        assert_eq!(v["flags2"].as_u64().unwrap() & 0xC000, 0, "{v}");
    }
    let field = |i: usize, k: &str| unhex(r[i][k].as_str().unwrap());

    let (p, d) = (field(0, "params"), field(0, "data"));
    let shares = parse_share_enum_response(1, &p, &d, &cp).unwrap();
    assert_eq!(shares.status, RapStatus::ERROR_SUCCESS);
    let got: Vec<(String, String, String)> = shares
        .shares
        .iter()
        .map(|s| match s {
            ShareInfo::Level1(i) => (
                i.net_name.to_string(),
                if i.share_type == 1 { "Print" } else { "IPC" }.to_owned(),
                i.remark.as_deref().unwrap_or_default().to_owned(),
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    let want: Vec<(String, String, String)> = expected_shares()
        .into_iter()
        .map(|(n, t, r)| (n, t.to_owned(), r))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        (shares.entries_returned, shares.entries_available),
        (3, 4),
        "the 17-byte queue name counts in EntriesAvailable only"
    );

    let (p, d) = (field(1, "params"), field(1, "data"));
    let wksta = parse_wksta_get_info_response(&p, &d, &cp).unwrap();
    assert_eq!(wksta.status, RapStatus::ERROR_SUCCESS);
    let i = wksta.info.unwrap();
    assert_eq!(i.computer_name.as_deref(), Some(MACHINE));
    assert_eq!(i.lan_group.as_deref(), Some("WORKGROUP"));
    assert_eq!(
        wksta.total_bytes_available,
        Some(u16::try_from(d.len()).unwrap())
    );

    let (p, d) = (field(2, "params"), field(2, "data"));
    let srv = parse_server_get_info_response(1, &p, &d, &cp).unwrap();
    assert_eq!(srv.status, RapStatus::ERROR_SUCCESS);
    let Some(ServerInfo::Level1(i)) = srv.info else {
        panic!("{srv:?}")
    };
    assert_eq!(&*i.server_name, MACHINE);
    assert_eq!((i.major_version, i.minor_version), (6, 1));
    assert_eq!(i.server_comment.as_deref(), Some("msrap"));
}

/// impacket's NT_CREATE_ANDX (what `smbclient -L` sends first): a real
/// error in the form the client asked for, which impacket names.
#[test]
fn impacket_nt_create_andx_gets_a_real_error_in_both_forms() {
    let server = start();
    let r = lanman_session(server.addr, &["ntcreate"]);
    assert_eq!(r.len(), 2);
    // NT status codes: STATUS_NOT_IMPLEMENTED, not 0x00160002.
    assert_eq!(r[0]["nt_status"], true);
    assert_eq!(r[0]["error_code"], 0xC000_0002u32);
    let m = r[0]["message"].as_str().unwrap();
    assert!(m.contains("STATUS_NOT_IMPLEMENTED"), "{m}");
    assert!(!m.contains("unknown error code"), "{m}");
    // DOS codes: ERRDOS/ERRbadfunc.
    assert_eq!(r[1]["nt_status"], false);
    assert_eq!(
        (r[1]["error_class"].clone(), r[1]["error_code"].clone()),
        (1.into(), 1.into())
    );
    let m = r[1]["message"].as_str().unwrap();
    assert!(m.contains("ERRbadfunc"), "{m}");
}

/// `net rap server domain`, `net rap domain`, `net rap session`, `net rap
/// user` and `net rap group` print what they print against Samba 4.17 (no
/// browser list, no sessions, users or groups visible to a guest).
#[test]
fn empty_lists_print_as_against_samba() {
    tools_available();
    let samba = Samba::start();
    let server = start();
    let dir = tmp("net-rap-empty");
    let conf = client_conf(&dir);
    for args in [
        &["rap", "server", "domain"][..],
        &["rap", "domain"],
        &["rap", "session"],
        &["rap", "user"],
        &["rap", "group"],
    ] {
        let ours = net(server.addr, &conf, args);
        let theirs = net(samba.addr, &samba.conf(), args);
        assert_eq!(ours, theirs, "net {}", args.join(" "));
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// `msrap query shares / share / server / wksta / time` against our server.
#[test]
fn msrap_query_lanman_subcommands() {
    let server = start();
    let query = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_msrap"))
            .args(["query", "--server", &server.addr.to_string()])
            .args(args)
            .output()
            .expect("run msrap");
        assert!(
            out.status.success(),
            "msrap query {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let field = |out: &str, name: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.trim_start().strip_prefix(name))
            .filter(|rest| rest.starts_with(' ') || rest.is_empty())
            .map(|rest| rest.trim().to_owned())
            .collect()
    };
    let out = query(&["shares"]);
    assert!(
        out.starts_with("NetShareEnum: ERROR_SUCCESS (status 0)\n"),
        "{out}"
    );
    let want = expected_shares();
    assert_eq!(
        field(&out, "net_name"),
        want.iter().map(|s| s.0.clone()).collect::<Vec<_>>()
    );
    assert_eq!(
        field(&out, "remark"),
        want.iter().map(|s| s.2.clone()).collect::<Vec<_>>()
    );
    let out = query(&["share", "laser", "--level", "1"]);
    assert_eq!(field(&out, "net_name"), ["LASER"]);
    assert_eq!(field(&out, "type"), ["1"]);
    let out = query(&["server"]);
    assert_eq!(field(&out, "server_name"), [MACHINE]);
    assert_eq!(field(&out, "server_comment"), ["msrap"]);
    let out = query(&["wksta"]);
    assert_eq!(field(&out, "computer_name"), [MACHINE]);
    assert_eq!(field(&out, "lan_group"), ["WORKGROUP"]);
    let out = query(&["--json", "time"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["command"], "NetRemoteTOD");
    assert_eq!(v["status"], 0);
    assert!(
        (1..=12).contains(&v["data"]["month"].as_u64().unwrap()),
        "{v}"
    );
    assert_eq!(v["data"]["clock_frequency"], 100);
}
