//! A minimal async SMB1 test client over TCP.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use msrap::server::{self, ServerConfig};
use msrap::smb1::nbss::{encode_message, Frame, FrameDecoder, Framing};
use msrap::smb1::{PipeHandler, ShareCatalogue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::ToyService;

pub struct TestServer {
    pub addr: SocketAddr,
    pub stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start(config: ServerConfig) -> TestServer {
        TestServer::start_with(config, Arc::new(ToyService)).await
    }

    /// A server whose pipes and shares are `handler`'s.
    pub async fn start_with<H>(config: ServerConfig, handler: Arc<H>) -> TestServer
    where
        H: PipeHandler + ShareCatalogue + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(listener, config, handler, async move {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            stop: Some(tx),
            task,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }
}

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
