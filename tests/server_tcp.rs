//! The tokio server over TCP on 127.0.0.1:0: direct TCP and NetBIOS
//! framing, graceful shutdown, and interop with a real SMB1 client
//! (impacket, `tests/peers/impacket_rap.py`).
#![cfg(feature = "server")]

#[path = "support/peers.rs"]
mod peers;
mod smb1_support;

use std::process::Command;
use std::time::{Duration, Instant};

use msrap::server::ServerConfig;
use msrap::smb1::client::{self, parse_response, TransactionRequestBuilder};
use msrap::smb1::nbss::{session_request, Frame, Framing, POSITIVE_SESSION_RESPONSE};
use msrap::smb1::{HeaderFlags2, SmbCommand, SmbHeader};
use pretty_assertions::assert_eq;
use smb1_support::tcp::{TcpClient, TestServer};
use smb1_support::{anonymous, reassemble};

async fn session(c: &mut TcpClient) -> (u16, u16) {
    let f2 = HeaderFlags2::NT_STATUS | HeaderFlags2::UNICODE;
    let h = SmbHeader {
        mid: 1,
        ..SmbHeader::request(SmbCommand::NEGOTIATE, f2)
    };
    let r = c
        .call(&client::negotiate_request(&h, &["NT LM 0.12"]), 1)
        .await;
    assert_eq!(parse_response(&r[0]).unwrap().block.word_count, 17);
    let h = SmbHeader {
        mid: 2,
        ..SmbHeader::request(SmbCommand::SESSION_SETUP_ANDX, f2)
    };
    let r = c
        .call(
            &client::session_setup_and_tree_connect(&h, &anonymous(1024), "\\\\S\\IPC$", "IPC"),
            1,
        )
        .await;
    let h = parse_response(&r[0]).unwrap().header;
    assert_eq!(h.status, 0);
    (h.uid, h.tid)
}

async fn big_transaction(c: &mut TcpClient, uid: u16, tid: u16) {
    let h = SmbHeader {
        mid: 3,
        uid,
        tid,
        ..SmbHeader::request(SmbCommand::TRANSACTION, HeaderFlags2::NT_STATUS)
    };
    // 3000 data bytes with a 1024-byte client buffer: several response parts.
    c.send(
        &TransactionRequestBuilder::lanman(&[0xDA, 0xDA, 0xB8, 0x0B], 4, 0xFFFF).primary(&h, 4, 0),
    )
    .await;
    let mut parts = Vec::new();
    loop {
        parts.push(c.recv().await);
        let (_, p, d) = std::panic::catch_unwind(|| reassemble(&parts)).unwrap_or_default();
        if d.len() == 3000 {
            assert_eq!(p, vec![0, 0, 0, 0]);
            assert_eq!(d, (0..3000).map(|i| i as u8).collect::<Vec<_>>());
            break;
        }
    }
    assert!(parts.len() >= 3);
}

#[tokio::test]
async fn direct_tcp_session() {
    let server = TestServer::start(ServerConfig::default()).await;
    let mut c = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    let (uid, tid) = session(&mut c).await;
    big_transaction(&mut c, uid, tid).await;
    server.stop().await;
}

#[tokio::test]
async fn netbios_session() {
    let server = TestServer::start(ServerConfig {
        netbios: true,
        ..ServerConfig::default()
    })
    .await;
    let mut c = TcpClient::connect(server.addr, Framing::NetBios).await;
    c.send_raw(&session_request("MSRAP", "CLIENT")).await;
    // keep-alives are skipped
    c.send_raw(&[0x85, 0, 0, 0]).await;
    match c.recv_frame().await {
        Some(Frame::SessionResponse(t, p)) => {
            assert_eq!((t, p.len()), (POSITIVE_SESSION_RESPONSE[0], 0))
        }
        other => panic!("{other:?}"),
    }
    let (uid, tid) = session(&mut c).await;
    big_transaction(&mut c, uid, tid).await;
    server.stop().await;
}

#[tokio::test]
async fn netbios_requires_session_request_first() {
    let server = TestServer::start(ServerConfig {
        netbios: true,
        ..ServerConfig::default()
    })
    .await;
    let mut c = TcpClient::connect(server.addr, Framing::NetBios).await;
    let h = SmbHeader::request(SmbCommand::NEGOTIATE, HeaderFlags2::empty());
    c.send(&client::negotiate_request(&h, &["NT LM 0.12"]))
        .await;
    assert_eq!(c.recv_frame().await, None, "server must close");
    server.stop().await;
}

#[tokio::test]
async fn graceful_shutdown_closes_open_connections() {
    let server = TestServer::start(ServerConfig::default()).await;
    let mut c = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    session(&mut c).await;
    let t = Instant::now();
    server.stop().await;
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(c.recv_frame().await, None);
}

/// Runs `tests/peers/impacket_rap.py` against the server; a missing
/// impacket fails the test.
fn impacket_probe(netbios: bool) {
    peers::require_impacket();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let server = TestServer::start(ServerConfig {
            netbios,
            ..ServerConfig::default()
        })
        .await;
        let port = server.addr.port().to_string();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/impacket_rap.py");
        let mut args = vec![script.to_string(), port];
        if netbios {
            args.push("--netbios".into());
        }
        let run =
            tokio::task::spawn_blocking(move || Command::new(peers::python()).args(&args).output());
        let out = tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("impacket probe timed out")
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "probe failed: {}\n{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            lines,
            vec![
                r#"{"status": 0, "params": "68656c6c6f", "data": "776f726c64"}"#,
                &format!(
                    r#"{{"status": 0, "params": "00000000", "data": "{}"}}"#,
                    (0..0x1000)
                        .map(|i| format!("{:02x}", i as u8))
                        .collect::<String>()
                ),
                r#"{"status": 3221225485, "params": "", "data": ""}"#,
            ]
        );
        server.stop().await;
    });
}

#[test]
fn impacket_interop_direct_tcp() {
    impacket_probe(false);
}

#[test]
fn impacket_interop_netbios() {
    impacket_probe(true);
}
