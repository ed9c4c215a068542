//! [`TestServer`]: our tokio SMB1 server (`msrap::server::run`) on a
//! loopback port, in its own thread and runtime, started and stopped by the
//! test; usable from plain and from async tests. [`TcpClient`]: a minimal
//! async SMB1 client over TCP.

use std::io;
use std::net::SocketAddr;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use bytes::BytesMut;
use msrap::rap::{RapConfig, RapServer};
use msrap::server::ServerConfig;
use msrap::smb1::nbss::{encode_message, Frame, FrameDecoder, Framing};
use msrap::smb1::{PipeHandler, PrintFileHandler, ShareCatalogue};
use msrap::spool::sample::sample_spooler;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use super::smb1::ToyService;

/// How long [`TestServer::stop`] waits for `run` to return.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Our server on 127.0.0.1: `handler`'s pipes and shares, `config`'s
/// framing, limits and timeouts. Stopped by [`TestServer::stop`] or on drop;
/// either way the server must shut down cleanly (`run` returns `Ok` within
/// 10 s), or the test fails.
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: mpsc::Receiver<io::Result<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Our RAP server over the sample queues with these RAP settings;
    /// default server settings.
    pub fn rap(rap: RapConfig) -> TestServer {
        TestServer::start(ServerConfig::default(), rap_handler(rap))
    }

    /// The toy pipe handler of [`super::smb1`] (echo, `OP_FAIL`, `OP_BIG`)
    /// with these server settings.
    pub fn toy(config: ServerConfig) -> TestServer {
        TestServer::start(config, Arc::new(ToyService))
    }

    /// `handler` with `config` on 127.0.0.1, a free port.
    pub fn start<H>(config: ServerConfig, handler: Arc<H>) -> TestServer
    where
        H: PipeHandler + ShareCatalogue + PrintFileHandler + Send + Sync + 'static,
    {
        TestServer::start_on(([127, 0, 0, 1], 0).into(), config, handler)
    }

    /// `handler` with `config` on a fixed address (reproducible captures);
    /// fails at once when the port is in use.
    pub fn start_on<H>(addr: SocketAddr, config: ServerConfig, handler: Arc<H>) -> TestServer
    where
        H: PipeHandler + ShareCatalogue + PrintFileHandler + Send + Sync + 'static,
    {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        // msrap serve's listener: its backlog.
        let listener = {
            let _in_runtime = rt.enter();
            msrap::server::bind(addr)
                .unwrap_or_else(|e| panic!("bind {addr} (is the port in use?): {e}"))
        };
        let addr = listener.local_addr().unwrap();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (done_tx, done) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let result = rt.block_on(async move {
                msrap::server::run(listener, config, handler, async {
                    let _ = stop_rx.await;
                })
                .await
            });
            let _ = done_tx.send(result);
        });
        TestServer {
            addr,
            stop: Some(stop_tx),
            done,
            thread: Some(thread),
        }
    }

    /// Shuts the server down (open connections are closed) and waits until
    /// `run` returned; panics unless it returned `Ok` within 10 s.
    pub fn stop(mut self) {
        if let Err(e) = self.shutdown() {
            panic!("{e}");
        }
    }

    fn shutdown(&mut self) -> Result<(), String> {
        let Some(stop) = self.stop.take() else {
            return Ok(());
        };
        let _ = stop.send(());
        let result = match self.done.recv_timeout(STOP_TIMEOUT) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("server on {} failed: {e}", self.addr)),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "server on {} did not stop within {STOP_TIMEOUT:?}",
                self.addr
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(format!("server thread on {} panicked", self.addr))
            }
        };
        if result.is_ok() {
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
        result
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let result = self.shutdown();
        if !std::thread::panicking() {
            if let Err(e) = result {
                panic!("{e}");
            }
        }
    }
}

/// Our RAP server over the sample queues, as a pipe handler.
pub fn rap_handler(rap: RapConfig) -> Arc<RapServer<msrap::spool::MemorySpooler>> {
    Arc::new(RapServer::new(rap, sample_spooler()))
}

/// A minimal async SMB1 client over TCP.
pub struct TcpClient {
    pub stream: TcpStream,
    pub decoder: FrameDecoder,
    pub framing: Framing,
}

impl TcpClient {
    pub async fn connect(addr: SocketAddr, framing: Framing) -> TcpClient {
        let stream = TcpStream::connect(addr).await.unwrap();
        TcpClient {
            stream,
            decoder: FrameDecoder::new(framing),
            framing,
        }
    }

    /// Connects from `local` (a loopback address such as 127.0.0.2: a
    /// second client machine as far as the server can tell).
    pub async fn connect_from(
        local: std::net::IpAddr,
        addr: SocketAddr,
        framing: Framing,
    ) -> TcpClient {
        let socket = match local {
            std::net::IpAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            std::net::IpAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        }
        .unwrap();
        socket.bind(SocketAddr::new(local, 0)).unwrap();
        TcpClient {
            stream: socket.connect(addr).await.unwrap(),
            decoder: FrameDecoder::new(framing),
            framing,
        }
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    pub async fn send(&mut self, msg: &[u8]) {
        let mut out = BytesMut::new();
        encode_message(self.framing, msg, &mut out).unwrap();
        self.send_raw(&out).await;
    }

    /// The next frame, or `None` on EOF; panics after 10 s.
    pub async fn recv_frame(&mut self) -> Option<Frame> {
        let mut buf = [0u8; 4096];
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Some(f) = self.decoder.decode().unwrap() {
                    return Some(f);
                }
                match self.stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => self.decoder.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await
        .expect("timed out waiting for a frame")
    }

    pub async fn recv(&mut self) -> Vec<u8> {
        match self.recv_frame().await {
            Some(Frame::Message(m)) => m.to_vec(),
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// Sends and collects responses until `n` arrived.
    pub async fn call(&mut self, msg: &[u8], n: usize) -> Vec<Vec<u8>> {
        self.send(msg).await;
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(self.recv().await);
        }
        v
    }
}
