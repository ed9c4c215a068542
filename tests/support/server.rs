//! Our SMB1 server, in process on 127.0.0.1:0, for peer tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use msrap::rap::{RapServer, ServerConfig as RapConfig};
use msrap::server::{RapPipe, ServerConfig};
use msrap::spool::sample::sample_spooler;
use msrap::spool::MemorySpooler;

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// The sample queue, the given RAP settings, direct TCP.
    pub fn start(rap: RapConfig) -> TestServer {
        Self::start_with(rap, sample_spooler(), ServerConfig::default())
    }

    pub fn start_with(rap: RapConfig, spooler: MemorySpooler, config: ServerConfig) -> TestServer {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let service = Arc::new(RapPipe(RapServer::new(rap, spooler)));
                msrap::server::run(listener, config, service, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        TestServer {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
