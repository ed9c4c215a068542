//! Samba's smbclient (SMB1 forced, anonymous) lists our queues with
//! `-c queue` (NetPrintJobEnum, sent on the printer share's tree), exactly
//! as it lists Samba's own.
#![cfg(feature = "server")]

mod support;

use msrap::oem::OemCodePage;
use msrap::rap::ServerConfig as RapConfig;
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
