//! The tokio server over TCP on 127.0.0.1:0: direct TCP and NetBIOS
//! framing, graceful shutdown, interop with a real SMB1 client (impacket,
//! `tests/peers/impacket_rap.py`), and a pipe handler that answers later.
#![cfg(feature = "server")]

mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use msrap::server::ServerConfig;
use msrap::smb1::client::{self, parse_response, TransactionRequestBuilder};
use msrap::smb1::nbss::{session_request, Frame, Framing, POSITIVE_SESSION_RESPONSE};
use msrap::smb1::pipe::{
    PipeHandler, PipeOutcome, PipeReply, PipeTransaction, ShareCatalogue, ShareKind, LANMAN_PIPE,
};
use msrap::smb1::{HeaderFlags2, SmbCommand, SmbHeader};
use pretty_assertions::assert_eq;
use support::server::{TcpClient, TestServer};
use support::smb1::{anonymous, reassemble};

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
    let server = TestServer::toy(ServerConfig::default());
    let mut c = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    let (uid, tid) = session(&mut c).await;
    big_transaction(&mut c, uid, tid).await;
    server.stop();
}

#[tokio::test]
async fn netbios_session() {
    let server = TestServer::toy({
        let mut c = ServerConfig::default();
        c.netbios = true;
        c
    });
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
    server.stop();
}

#[tokio::test]
async fn netbios_requires_session_request_first() {
    let server = TestServer::toy({
        let mut c = ServerConfig::default();
        c.netbios = true;
        c
    });
    let mut c = TcpClient::connect(server.addr, Framing::NetBios).await;
    let h = SmbHeader::request(SmbCommand::NEGOTIATE, HeaderFlags2::empty());
    c.send(&client::negotiate_request(&h, &["NT LM 0.12"]))
        .await;
    assert_eq!(c.recv_frame().await, None, "server must close");
    server.stop();
}

#[tokio::test]
async fn graceful_shutdown_closes_open_connections() {
    let server = TestServer::toy(ServerConfig::default());
    let mut c = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    session(&mut c).await;
    let t = Instant::now();
    server.stop();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(c.recv_frame().await, None);
}

/// Runs `tests/peers/impacket_rap.py` against the server; fails when
/// python3 or impacket is missing.
fn impacket_probe(netbios: bool) {
    support::peers::require_impacket();
    support::block_on(async {
        let server = TestServer::toy({
            let mut c = ServerConfig::default();
            c.netbios = netbios;
            c
        });
        let port = server.addr.port().to_string();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/impacket_rap.py");
        let mut args = vec![script.to_string(), port];
        if netbios {
            args.push("--netbios".into());
        }
        let run = tokio::task::spawn_blocking(move || {
            Command::new(support::peers::python()).args(&args).output()
        });
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
        server.stop();
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

// ---- a pipe handler that answers later ----

/// Serves `\PIPE\LANMAN`; echoes the parameters back, after `delay` when
/// they start with `slow` (the future sleeps: an async handler).
struct SlowPipe {
    delay: Duration,
}

impl PipeHandler for SlowPipe {
    fn has_pipe(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(LANMAN_PIPE)
    }

    // An `async fn` implements the trait's `impl Future + Send` method.
    async fn transact<'a>(&'a self, t: PipeTransaction<'a>, out: &'a mut PipeReply) -> PipeOutcome {
        if t.parameters.starts_with(b"slow") {
            tokio::time::sleep(self.delay).await;
        }
        out.params.extend_from_slice(t.parameters);
        PipeOutcome::Reply
    }
}

impl ShareCatalogue for SlowPipe {
    fn share(&self, _: &str) -> Option<(String, ShareKind)> {
        None
    }
}

impl msrap::smb1::PrintFileHandler for SlowPipe {
    type File = std::convert::Infallible;
}

fn ids(command: SmbCommand, mid: u16, (uid, tid): (u16, u16)) -> SmbHeader {
    SmbHeader {
        mid,
        uid,
        tid,
        ..SmbHeader::request(command, HeaderFlags2::NT_STATUS)
    }
}

fn lanman(params: &[u8], mid: u16, s: (u16, u16)) -> Vec<u8> {
    TransactionRequestBuilder::lanman(params, 100, 100).primary(
        &ids(SmbCommand::TRANSACTION, mid, s),
        params.len(),
        0,
    )
}

fn mid_of(msg: &[u8]) -> u16 {
    parse_response(msg).unwrap().header.mid
}

/// While one connection's pipe call waits for a slow (async) handler, other
/// connections are served promptly; on the waiting connection, requests
/// pipelined behind the slow one are answered after it, in request order.
#[tokio::test]
async fn slow_pipe_handler_blocks_only_its_own_connection_in_order() {
    let delay = Duration::from_millis(500);
    let server = TestServer::start(ServerConfig::default(), Arc::new(SlowPipe { delay }));

    let mut a = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    let sa = session(&mut a).await;
    // Pipelined without waiting: the slow transaction, an ECHO, a fast transaction.
    let sent = Instant::now();
    a.send(&lanman(b"slow call", 3, sa)).await;
    a.send(&client::echo(&ids(SmbCommand::ECHO, 4, sa), 1, b"ping"))
        .await;
    a.send(&lanman(b"fast", 5, sa)).await;

    // Meanwhile another connection is served, each answer within a second.
    let mut b = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    let t = Instant::now();
    let sb = session(&mut b).await;
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "session took {:?}",
        t.elapsed()
    );
    for mid in 3..6 {
        let t = Instant::now();
        let r = b.call(&lanman(b"other", mid, sb), 1).await;
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "answer took {:?}",
            t.elapsed()
        );
        assert_eq!(reassemble(&r), (0, b"other".to_vec(), vec![]));
        let t = Instant::now();
        let r = b
            .call(
                &client::echo(&ids(SmbCommand::ECHO, 100 + mid, sb), 1, b"x"),
                1,
            )
            .await;
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "echo took {:?}",
            t.elapsed()
        );
        assert_eq!(mid_of(&r[0]), 100 + mid);
    }
    let b_done = sent.elapsed();

    // The waiting connection: the slow answer first, then the others, in order.
    let first = a.recv().await;
    let first_at = sent.elapsed();
    let rest = [a.recv().await, a.recv().await];
    assert_eq!(
        [mid_of(&first), mid_of(&rest[0]), mid_of(&rest[1])],
        [3, 4, 5]
    );
    assert_eq!(reassemble(&[first]), (0, b"slow call".to_vec(), vec![]));
    assert_eq!(reassemble(&rest[1..]), (0, b"fast".to_vec(), vec![]));
    assert!(first_at >= delay, "answered after {first_at:?}");
    assert!(
        b_done < first_at,
        "the other connection finished at {b_done:?}, the slow answer came at {first_at:?}"
    );
    server.stop();
}

/// Waiting for the handler is not client idleness: an idle timeout shorter
/// than the handler's delay does not close the connection. The handler
/// timeout does.
#[tokio::test]
async fn idle_timeout_waits_for_the_handler_but_the_handler_timeout_does_not() {
    let slow = Arc::new(SlowPipe {
        delay: Duration::from_millis(600),
    });
    let server = TestServer::start(
        {
            let mut c = ServerConfig::default();
            c.idle_timeout = Duration::from_millis(300);
            c
        },
        Arc::clone(&slow),
    );
    let mut c = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    let s = session(&mut c).await;
    let r = c.call(&lanman(b"slow", 3, s), 1).await;
    assert_eq!(reassemble(&r), (0, b"slow".to_vec(), vec![]));
    // Idle again now: the idle timeout applies as usual.
    assert_eq!(c.recv_frame().await, None);
    server.stop();

    let server = TestServer::start(
        {
            let mut c = ServerConfig::default();
            c.handler_timeout = Some(Duration::from_millis(150));
            c
        },
        slow,
    );
    let mut c = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    let s = session(&mut c).await;
    let t = Instant::now();
    c.send(&lanman(b"slow", 3, s)).await;
    assert_eq!(c.recv_frame().await, None, "closed by the handler timeout");
    assert!(
        t.elapsed() < Duration::from_millis(600),
        "{:?}",
        t.elapsed()
    );
    server.stop();
}

/// Shutdown ends a connection whose pipe call is still waiting.
#[tokio::test]
async fn shutdown_interrupts_a_waiting_pipe_call() {
    let server = TestServer::start(
        ServerConfig::default(),
        Arc::new(SlowPipe {
            delay: Duration::from_secs(30),
        }),
    );
    let mut c = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    let s = session(&mut c).await;
    c.send(&lanman(b"slow", 3, s)).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t = Instant::now();
    server.stop();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(c.recv_frame().await, None);
}

/// A spooler that answers NetPrintJobGetInfo for job 3 only after `delay`
/// (an asynchronous backend: the future sleeps); everything else at once.
struct SlowSpooler {
    inner: msrap::spool::MemorySpooler,
    delay: Duration,
}

impl msrap::spool::Spooler for SlowSpooler {
    async fn get_job(
        &self,
        open: &msrap::spool::OpenPrinter<'_>,
        job_id: u32,
    ) -> Result<msrap::spool::JobRef, msrap::codes::Win32Error> {
        if job_id == 3 {
            tokio::time::sleep(self.delay).await;
        }
        self.inner.get_job(open, job_id).await
    }

    fn queue_names(&self) -> Vec<String> {
        self.inner.queue_names()
    }
}

fn get_info(job_id: u16, mid: u16, s: (u16, u16)) -> Vec<u8> {
    let mut p = Vec::new();
    msrap::rap::commands::net_print_job_get_info::PrintJobGetInfoRequest {
        job_id,
        level: 0,
        receive_buffer_size: 0x400,
    }
    .encode(b"W", &mut p);
    let h = ids(SmbCommand::TRANSACTION, mid, s);
    TransactionRequestBuilder::lanman(&p, 6, 0x400).primary(&h, p.len(), 0)
}

/// The same through the RAP server and an asynchronous spooler: while one
/// connection's NetPrintJobGetInfo waits for the spooler, another
/// connection's requests are answered at once, and the waiting connection's
/// pipelined request comes back after the slow one.
#[tokio::test]
async fn slow_spooler_blocks_only_its_own_connection_in_order() {
    let delay = Duration::from_millis(500);
    let rap = msrap::rap::RapServer::new(
        msrap::rap::RapConfig::default(),
        SlowSpooler {
            inner: msrap::spool::sample::sample_spooler(),
            delay,
        },
    );
    let server = TestServer::start(ServerConfig::default(), Arc::new(rap));
    let mut a = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    let sa = session(&mut a).await;
    let sent = Instant::now();
    a.send(&get_info(3, 3, sa)).await;
    a.send(&get_info(4, 4, sa)).await;

    let mut b = TcpClient::connect(server.addr, Framing::DirectTcp).await;
    let sb = session(&mut b).await;
    for mid in 3..6 {
        let t = Instant::now();
        let r = b.call(&get_info(4, mid, sb), 1).await;
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "answer took {:?}",
            t.elapsed()
        );
        // ERROR_SUCCESS, Converter 0, TotalBytesAvailable 2; JobID 4.
        assert_eq!(reassemble(&r), (0, vec![0, 0, 0, 0, 2, 0], vec![4, 0]));
    }
    let b_done = sent.elapsed();

    let first = a.recv().await;
    let first_at = sent.elapsed();
    let second = a.recv().await;
    assert_eq!([mid_of(&first), mid_of(&second)], [3, 4]);
    assert_eq!(
        reassemble(&[first]),
        (0, vec![0, 0, 0, 0, 2, 0], vec![3, 0])
    );
    assert_eq!(
        reassemble(&[second]),
        (0, vec![0, 0, 0, 0, 2, 0], vec![4, 0])
    );
    assert!(first_at >= delay, "answered after {first_at:?}");
    assert!(
        b_done < first_at,
        "the other connection finished at {b_done:?}, the slow answer came at {first_at:?}"
    );
    server.stop();
}
