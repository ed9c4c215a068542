//! A tokio SMB1 client for RAP (feature `client`): NEGOTIATE NT LM 0.12, an
//! anonymous session, TREE_CONNECT to IPC$ (or a share), and `\PIPE\LANMAN`
//! transactions with arbitrary RAP parameter bytes, MaxParameterCount and
//! MaxDataCount.
//!
//! A thin driver around the sans-IO client role of [`crate::smb1::client`];
//! responses are hostile input: frames are bounded by the decoder, every
//! count and offset is checked there, reassembly is bounded by the
//! TotalParameterCount and TotalDataCount of the first part, and every
//! wait has a timeout.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{
    logoff, malformed, negotiate_request, parse_response, reply_status, session_setup,
    tree_connect, tree_disconnect, ClientError, PendingTransaction, ReplyStep, TransReply,
    TransRequest, TransactionRequestBuilder, Transport, TransportError,
};
use crate::codes::NtStatus;
use crate::smb1::nbss::{encode_message, packet_type, session_request};
use crate::smb1::negotiate::NtNegotiateResponse;
use crate::smb1::session_setup::SessionSetupNt;
use crate::smb1::{Frame, FrameDecoder, Framing, HeaderFlags2, SmbCommand, SmbHeader};

/// Client settings.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Direct TCP (port 445) or NetBIOS (port 139, session request first).
    pub framing: Framing,
    /// Share to connect the tree to; `IPC$` by default.
    pub share: String,
    /// Timeout of every network wait.
    pub timeout: Duration,
    /// Our MaxBufferSize in SESSION_SETUP.
    pub max_buffer_size: u16,
    /// Ask for Unicode strings (FLAGS2_UNICODE).
    pub unicode: bool,
    /// The account name SESSION_SETUP_ANDX sends, without a password (a
    /// guest session as that user); empty: a null session (anonymous).
    pub user: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            framing: Framing::DirectTcp,
            share: "IPC$".into(),
            timeout: Duration::from_secs(10),
            max_buffer_size: 16644,
            unicode: true,
            user: String::new(),
        }
    }
}

/// An SMB1 connection with a session and a tree.
#[derive(Debug)]
pub struct SmbClient {
    stream: TcpStream,
    decoder: FrameDecoder,
    config: ClientConfig,
    header: SmbHeader,
    server_max_buffer: usize,
    read_buf: Vec<u8>,
}

impl SmbClient {
    /// Connect, negotiate, set up an anonymous session and connect the tree.
    pub async fn connect(addr: SocketAddr, config: ClientConfig) -> Result<SmbClient, ClientError> {
        let stream = tokio::time::timeout(config.timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| ClientError::Timeout("TCP connect"))?
            .map_err(|source| ClientError::Connect { addr, source })?;
        let _ = stream.set_nodelay(true);
        let mut flags2 =
            HeaderFlags2::NT_STATUS | HeaderFlags2::LONG_NAMES | HeaderFlags2::IS_LONG_NAME;
        if config.unicode {
            flags2 |= HeaderFlags2::UNICODE;
        }
        let mut c = SmbClient {
            stream,
            decoder: FrameDecoder::new(config.framing),
            header: SmbHeader {
                pid_low: std::process::id() as u16,
                ..SmbHeader::request(SmbCommand::NEGOTIATE, flags2)
            },
            config,
            server_max_buffer: 4356,
            read_buf: vec![0; 16 * 1024],
        };
        if c.config.framing == Framing::NetBios {
            c.stream
                .write_all(&session_request("*SMBSERVER", "MSRAP"))
                .await?;
            match c.recv_frame("NetBIOS session response").await? {
                Frame::SessionResponse(packet_type::POSITIVE_RESPONSE, _) => {}
                Frame::SessionResponse(t, _) => return Err(ClientError::SessionRefused(t)),
                _ => return Err(malformed("NetBIOS session response", "an SMB message")),
            }
        }
        // NEGOTIATE
        let h = c.next_header(SmbCommand::NEGOTIATE);
        let reply = c
            .exchange(&negotiate_request(&h, &["NT LM 0.12"]), "NEGOTIATE")
            .await?;
        let r = parse_response(&reply).map_err(|e| malformed("NEGOTIATE response", e))?;
        let neg =
            NtNegotiateResponse::parse(&r.block).map_err(|e| malformed("NEGOTIATE response", e))?;
        if neg.dialect_index != 0 {
            return Err(ClientError::Status {
                what: "NEGOTIATE",
                status: format!("server refused NT LM 0.12 (index {})", neg.dialect_index),
            });
        }
        c.server_max_buffer = usize::try_from(neg.max_buffer_size)
            .unwrap_or(usize::MAX)
            .clamp(1024, 0x1_0000);
        // SESSION_SETUP_ANDX: anonymous, or a user name without a password.
        let h = c.next_header(SmbCommand::SESSION_SETUP_ANDX);
        let setup = SessionSetupNt {
            max_buffer_size: c.config.max_buffer_size,
            max_mpx_count: 1,
            vc_number: 0,
            session_key: neg.session_key,
            oem_password: &[],
            unicode_password: &[],
            capabilities: 0x0000_0044, // NT status, Unicode
            account_name: &c.config.user,
            primary_domain: "",
            native_os: "Unix",
            native_lanman: "msrap",
        };
        let reply = c
            .exchange(&session_setup(&h, &setup), "SESSION_SETUP_ANDX")
            .await?;
        let r = parse_response(&reply).map_err(|e| malformed("SESSION_SETUP_ANDX response", e))?;
        c.check(&r.header, "SESSION_SETUP_ANDX")?;
        c.header.uid = r.header.uid;
        // TREE_CONNECT_ANDX
        let path = format!("\\\\{}\\{}", addr.ip(), c.config.share);
        let service = if c.config.share.eq_ignore_ascii_case("IPC$") {
            "IPC"
        } else {
            "?????"
        };
        let h = c.next_header(SmbCommand::TREE_CONNECT_ANDX);
        let reply = c
            .exchange(&tree_connect(&h, &path, service), "TREE_CONNECT_ANDX")
            .await?;
        let r = parse_response(&reply).map_err(|e| malformed("TREE_CONNECT_ANDX response", e))?;
        c.check(&r.header, "TREE_CONNECT_ANDX")?;
        c.header.tid = r.header.tid;
        Ok(c)
    }

    fn check(&self, h: &SmbHeader, what: &'static str) -> Result<(), ClientError> {
        let s = reply_status(h);
        if s == NtStatus::STATUS_SUCCESS {
            Ok(())
        } else {
            Err(ClientError::Status {
                what,
                status: format!("{s:?}"),
            })
        }
    }

    fn next_header(&mut self, command: SmbCommand) -> SmbHeader {
        self.header.mid = self.header.mid.wrapping_add(1);
        if self.header.mid == 0xFFFF {
            self.header.mid = 1; // 0xFFFF is reserved for oplock breaks
        }
        SmbHeader {
            command,
            ..self.header
        }
    }

    async fn send(&mut self, msg: &[u8]) -> Result<(), ClientError> {
        let mut out = BytesMut::with_capacity(msg.len() + 4);
        encode_message(self.config.framing, msg, &mut out)?;
        tokio::time::timeout(self.config.timeout, self.stream.write_all(&out))
            .await
            .map_err(|_| ClientError::Timeout("send"))??;
        Ok(())
    }

    async fn recv_frame(&mut self, what: &'static str) -> Result<Frame, ClientError> {
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        loop {
            if let Some(f) = self.decoder.decode()? {
                return Ok(f);
            }
            let n = tokio::time::timeout_at(deadline, self.stream.read(&mut self.read_buf))
                .await
                .map_err(|_| ClientError::Timeout(what))??;
            if n == 0 {
                return Err(ClientError::Closed(what));
            }
            self.decoder
                .extend_from_slice(self.read_buf.get(..n).unwrap_or_default());
        }
    }

    async fn recv_message(&mut self, what: &'static str) -> Result<Vec<u8>, ClientError> {
        loop {
            match self.recv_frame(what).await? {
                Frame::Message(m) => return Ok(m.to_vec()),
                _ => continue,
            }
        }
    }

    async fn exchange(&mut self, msg: &[u8], what: &'static str) -> Result<Vec<u8>, ClientError> {
        self.send(msg).await?;
        self.recv_message(what).await
    }

    /// One `\PIPE\LANMAN` transaction; secondaries when the request is
    /// larger than the server's buffer, multi-part responses reassembled.
    pub async fn transact(&mut self, req: &TransRequest) -> Result<TransReply, ClientError> {
        let h = self.next_header(SmbCommand::TRANSACTION);
        let mut builder = TransactionRequestBuilder::lanman(
            &req.params,
            req.max_parameter_count,
            req.max_data_count,
        );
        builder.data = &req.data;
        builder.align = 4;
        let parts = builder.build(&h, self.server_max_buffer);
        let mut parts = parts.into_iter();
        let first = parts
            .next()
            .ok_or_else(|| malformed("request", "nothing to send"))?;
        self.send(&first).await?;
        let mut pending_secondaries: Vec<Vec<u8>> = parts.collect();
        let mut pending = PendingTransaction::new(h.mid, !pending_secondaries.is_empty());
        loop {
            let msg = self.recv_message("TRANSACTION response").await?;
            match pending.on_message(&msg)? {
                ReplyStep::Ignore => {}
                ReplyStep::SendSecondaries => {
                    for s in std::mem::take(&mut pending_secondaries) {
                        self.send(&s).await?;
                    }
                }
                ReplyStep::Done(r) => return Ok(r),
            }
        }
    }

    /// Tree disconnect and logoff, then close (errors ignored).
    pub async fn close(mut self) {
        let h = self.next_header(SmbCommand::TREE_DISCONNECT);
        let _ = self.exchange(&tree_disconnect(&h), "TREE_DISCONNECT").await;
        let h = self.next_header(SmbCommand::LOGOFF_ANDX);
        let _ = self.exchange(&logoff(&h), "LOGOFF_ANDX").await;
        let _ = self.stream.shutdown().await;
    }
}

impl Transport for SmbClient {
    async fn transact(&mut self, req: &TransRequest) -> Result<TransReply, TransportError> {
        SmbClient::transact(self, req)
            .await
            .map_err(|e| TransportError(e.to_string()))
    }
}
