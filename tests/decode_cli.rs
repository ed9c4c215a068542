//! The `msrap decode` command itself (the binary), on the captures in
//! testdata/captures: its JSON lines are exactly the library's serde JSON of
//! the same transactions (the CLI writes them with the fast writer on a
//! second thread), its text output is snapshot-tested, and the options
//! (`--opcode`, `--summary`, `-` for stdin, `--codepage`) and errors behave.
#![cfg(all(feature = "decode", feature = "cli"))]

mod support;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use pretty_assertions::assert_eq;
use support::decode::{capture_path as path, decode_transactions as library, CAPTURES};

fn msrap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn port_args(ports: &[u16]) -> Vec<String> {
    ports
        .iter()
        .flat_map(|p| ["--port".to_string(), p.to_string()])
        .collect()
}

fn decode(name: &str, ports: &[u16], extra: &[&str]) -> Output {
    let file = path(name);
    let mut args: Vec<String> = vec!["decode".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(port_args(ports));
    args.push(file.display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = msrap(&args);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn json_lines_are_the_library_serde_json_byte_for_byte() {
    let mut total = 0;
    for (name, ports) in CAPTURES {
        let out = decode(name, ports, &["--json"]);
        let want: String = library(name, ports)
            .iter()
            .map(|t| serde_json::to_string(t).unwrap() + "\n")
            .collect();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), want, "{name}");
        total += want.lines().count();
    }
    assert!(total >= 30, "{total} transactions");
}

#[test]
fn text_output_snapshots() {
    for (name, ports) in CAPTURES {
        let out = decode(name, ports, &[]);
        insta::assert_snapshot!(
            format!("decode-text-{name}"),
            String::from_utf8(out.stdout).unwrap()
        );
    }
}

#[test]
fn opcode_filter_and_summary() {
    let all = library("samba-impacket", &[24458]);
    let enums = all
        .iter()
        .filter(|t| t.rap.opcode.is_some_and(|o| o.0 == 76))
        .count();
    assert!(enums > 0 && enums < all.len(), "{enums} of {}", all.len());
    let out = decode(
        "samba-impacket",
        &[24458],
        &["--json", "--opcode", "76", "--summary"],
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), enums);
    assert!(lines.iter().all(|l| l["opcode"] == 76));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!("{enums} RAP transactions; ")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("  command NetPrintJobEnum: {enums}\n")),
        "{stderr}"
    );
}

#[test]
fn standard_input_gives_the_same_output_as_the_file() {
    let from_file = decode("secondaries", &[24453], &["--json"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args(["decode", "--json", "--port", "24453", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(path("secondaries")).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, from_file.stdout);
}

#[test]
fn missing_file_and_bad_codepage_are_errors() {
    let out = msrap(&["decode", "/nonexistent/capture.pcap"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/capture.pcap"), "{err}");

    let out = msrap(&["decode", "--codepage", "1", "-"]);
    assert!(!out.status.success());

    let not_a_capture = std::env::temp_dir().join(format!("msrap-not-pcap-{}", std::process::id()));
    std::fs::write(&not_a_capture, b"this is not a capture file at all").unwrap();
    let out = msrap(&["decode", not_a_capture.to_str().unwrap()]);
    std::fs::remove_file(&not_a_capture).ok();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // `msrap decode ... | head -1`: the reader goes away after one line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_msrap"))
        .args(["decode", "--port", "24459"])
        .arg(path("samba-smbclient"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

// ---- issue #12 point 3: heuristics and damaged captures ----

#[test]
fn without_port_the_committed_captures_decode_exactly_as_with_it() {
    for (name, ports) in CAPTURES {
        for extra in [&[][..], &["--json"][..]] {
            let named = decode(name, ports, extra);
            let found = decode(name, &[], extra);
            assert!(!named.stdout.is_empty(), "{name}");
            assert_eq!(
                String::from_utf8(found.stdout).unwrap(),
                String::from_utf8(named.stdout).unwrap(),
                "{name} {extra:?}"
            );
        }
    }
}

#[test]
fn no_heuristics_decodes_only_the_named_ports() {
    let out = decode("getinfo-direct", &[], &["--no-heuristics", "--summary"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("0 RAP transactions; 34 packets, "),
        "{stderr}"
    );
    assert!(!stderr.contains("recognised"), "{stderr}");
    let out = decode("getinfo-direct", &[], &["--summary"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.ends_with(
            "  transport anomalies: 0\n  SMB1 recognised by its framing on TCP port 24451\n"
        ),
        "{stderr}"
    );
}

/// `getinfo-direct.pcap` cut at byte 3000 (inside frame 19's record, which
/// starts at byte 2805), optionally followed by garbage bytes.
fn damaged(tag: &str, garbage: Option<u8>) -> std::path::PathBuf {
    let mut bytes = std::fs::read(path("getinfo-direct")).unwrap();
    bytes.truncate(3000);
    if let Some(b) = garbage {
        bytes.extend(std::iter::repeat_n(b, 2000));
    }
    let p = std::env::temp_dir().join(format!("msrap-{tag}-{}.pcap", std::process::id()));
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_damaged_capture_is_decoded_up_to_the_damage_then_exits_2_naming_the_offset() {
    let file = damaged("garbage", Some(0xEE));
    let out = msrap(&["decode", "--summary", file.to_str().unwrap()]);
    std::fs::remove_file(&file).ok();
    assert_eq!(out.status.code(), Some(2));
    // The four GetInfo transactions before the damage are printed (the
    // fourth with a garbage response: frame 19 is whole, filled with 0xEE).
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout
            .matches("\n  request  NetPrintJobGetInfo (77)")
            .count(),
        4,
        "{stdout}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("  transport anomalies: 1\n    implausible_record_length: 1\n"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!(
            "msrap: {}: the capture is damaged at byte 3098: the record there declares a \
             4008636142-byte packet, more than the 262144 bytes a capture can hold \
             (the 19 frames before it were decoded)\n",
            file.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_capture_cut_short_is_decoded_up_to_the_cut_then_exits_2_naming_the_offset() {
    let file = damaged("cut", None);
    let out = msrap(&["decode", "--json", file.to_str().unwrap()]);
    std::fs::remove_file(&file).ok();
    assert_eq!(out.status.code(), Some(2));
    let lines = String::from_utf8(out.stdout).unwrap();
    assert_eq!(lines.lines().count(), 4, "{lines}");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "msrap: {}: the capture is cut short: the record at byte 2805 is incomplete \
             (the 18 frames before it were decoded)\n",
            file.display()
        )
    );
}
