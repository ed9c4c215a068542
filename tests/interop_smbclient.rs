//! Samba's smbclient (SMB1 forced, anonymous) lists our queues with
//! `-c queue` (NetPrintJobEnum, sent on the printer share's tree), exactly
//! as it lists Samba's own.
#![cfg(feature = "server")]

mod support;

use msrap::oem::OemCodePage;
use msrap::rap::RapConfig;
use msrap::spool::sample::sample_queues;
use pretty_assertions::assert_eq;
use support::samba::{client_conf, parse_queue, smbclient_queue, Samba, LPQ_JOBS};
use support::server::TestServer;

/// What smbclient prints for a queue: RAP id, size, document (OEM bytes as
/// smbclient writes them, read back lossily).
fn expected(queue: &str) -> Vec<(u32, u32, String)> {
    let cp = OemCodePage::default();
    let q = sample_queues()
        .into_iter()
        .find(|q| q.name == queue)
        .unwrap();
    q.jobs
        .iter()
        .map(|j| {
            let mut doc = Vec::new();
            cp.encode_into(j.document.as_deref().unwrap_or(""), &mut doc);
            (j.job_id, j.size, String::from_utf8_lossy(&doc).into_owned())
        })
        .collect()
}

#[test]
fn smbclient_lists_our_sample_queues() {
    support::peers::require_smbclient();
    let server = TestServer::rap(RapConfig::default());
    let dir = std::env::temp_dir().join(format!("msrap-smbclient-{}", std::process::id()));
    let conf = client_conf(&dir);
    for queue in ["LASER", "COLOR"] {
        let out = smbclient_queue(server.addr, queue, &conf);
        assert_eq!(
            parse_queue(&out),
            expected(queue),
            "smbclient output for {queue}:\n{out}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn smbclient_output_has_the_same_shape_against_samba_and_us() {
    let samba = Samba::start();
    let theirs = parse_queue(&samba.smbclient_queue());
    assert_eq!(theirs.len(), LPQ_JOBS.len());
    let server = TestServer::rap(RapConfig::default());
    let dir = std::env::temp_dir().join(format!("msrap-smbclient-shape-{}", std::process::id()));
    let ours = parse_queue(&smbclient_queue(server.addr, "LASER", &client_conf(&dir)));
    // Same documents and sizes in the same order for the jobs both queues share.
    let pick = |rows: &[(u32, u32, String)]| {
        rows.iter()
            .map(|r| (r.1, r.2.clone()))
            .take(3)
            .collect::<Vec<_>>()
    };
    assert_eq!(pick(&ours), pick(&theirs));
    let _ = std::fs::remove_dir_all(dir);
}

/// smbclient 4.17 with its default protocols (SMB2_02 to SMB3_11) against
/// `msrap serve`: it is answered as by a server with no SMB2 dialect in
/// common, says so, and the server logs one line naming the client and the
/// fix (issue #12 point 2).
#[cfg(feature = "cli")]
#[test]
fn smbclient_with_default_protocols_is_told_the_protocol_is_not_supported() {
    support::peers::require_smbclient();
    let server = support::cli::Serve::start(&[]);
    let dir = std::env::temp_dir().join(format!("msrap-smbclient-smb2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Nothing but defaults (and not the host's /etc/samba/smb.conf).
    let conf = dir.join("defaults.conf");
    std::fs::write(&conf, "[global]\n").unwrap();
    let out = std::process::Command::new("smbclient")
        .args([
            "-L",
            "127.0.0.1",
            "-p",
            &server.addr.port().to_string(),
            "-N",
            "-s",
        ])
        .arg(&conf)
        .output()
        .expect("run smbclient");
    let _ = std::fs::remove_dir_all(&dir);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        said,
        "protocol negotiation failed: NT_STATUS_NOT_SUPPORTED\n"
    );
    assert_eq!(out.status.code(), Some(1));
    let log = server.wait_for_stderr("refused");
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("refused")).collect();
    assert_eq!(lines.len(), 1, "{log}");
    let (_, line) = lines[0].split_once(" WARN ").expect("a WARN line");
    let peer = line
        .strip_prefix("connection{peer=")
        .and_then(|l| l.split_once('}'))
        .map(|(p, _)| p)
        .expect("the connection span");
    assert!(peer.starts_with("127.0.0.1:"), "{line}");
    assert_eq!(
        line,
        format!(
            "connection{{peer={peer}}}: msrap::server::notice: client {peer}: SMB2/3 client \
             (NEGOTIATE offering SMB 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1) refused with \
             STATUS_NOT_SUPPORTED; this server speaks SMB1 (NT LM 0.12) only: set \
             `client min protocol = NT1` in the client's smb.conf (smbclient, Samba) or \
             enable SMB1 on the client"
        )
    );
}
