//! msrap's IPP client for CUPS: the `ipp` crate's request model and parser
//! over one pooled reqwest client (plain HTTP to a loopback address, or
//! CUPS's Unix socket), every exchange bounded in time and size.
//!
//! `ipp`'s own `AsyncIppClient::send` builds a new HTTP client per call and
//! cannot reach a Unix socket, so requests are encoded with
//! [`IppRequestResponse::to_bytes`], posted here, and the reply parsed with
//! `ipp::parser::IppParser` once it has been read (at most
//! [`MAX_REPLY`] bytes). Operations without a builder in `ipp` 8.0
//! (Hold-Job, Release-Job, Pause-Printer, Resume-Printer, Get-Jobs with
//! `which-jobs` and `requested-attributes`) are built attribute by
//! attribute, as every request here is ([RFC 8011] 4.1.4: operation
//! attributes in order: charset, natural language, target,
//! requesting-user-name).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ipp::attribute::{IppAttribute, IppAttributeGroup, IppAttributes};
use ipp::model::{DelimiterTag, IppVersion, Operation};
use ipp::parser::IppParser;
use ipp::reader::IppReader;
use ipp::request::IppRequestResponse;
use ipp::value::IppValue;

use super::map::{ipp_error, percent_encode, truncate, Target};
use crate::codes::Win32Error;

/// The largest reply read from CUPS (Get-Jobs over a very long queue):
/// 32 MiB. A larger one is an error, not an allocation.
pub const MAX_REPLY: usize = 32 << 20;

/// Where CUPS listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Plain HTTP (`ipp://HOST[:PORT]` or `http://HOST[:PORT]`; port 631
    /// when none is given): the base URL, `http://HOST:PORT`.
    Tcp(String),
    /// CUPS's Unix socket (`/run/cups/cups.sock`).
    Unix(PathBuf),
}

impl Endpoint {
    /// `ipp://HOST[:PORT]`, `http://HOST[:PORT]` (a path after it is
    /// ignored), or an absolute path to a Unix socket. `ipps://` and
    /// `https://` are refused: this client speaks no TLS (CUPS is reached
    /// on the same machine).
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        if s.starts_with('/') {
            return Ok(Endpoint::Unix(PathBuf::from(s)));
        }
        let (scheme, rest) = s
            .split_once("://")
            .ok_or_else(|| format!("{s:?}: expected ipp://HOST[:PORT] or a socket path"))?;
        match scheme.to_ascii_lowercase().as_str() {
            "ipp" | "http" => {}
            "ipps" | "https" => {
                return Err(format!(
                    "{s:?}: TLS is not supported; use ipp:// to a loopback CUPS or its Unix socket"
                ))
            }
            _ => return Err(format!("{s:?}: unknown scheme {scheme:?} (use ipp://)")),
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.is_empty()
            || authority.contains('@')
            || authority.contains(char::is_whitespace)
        {
            return Err(format!("{s:?}: expected ipp://HOST[:PORT]"));
        }
        // A port after the host (not inside an IPv6 literal's brackets).
        let has_port = match authority.rfind(':') {
            Some(i) => !authority.get(i..).unwrap_or("").contains(']'),
            None => false,
        };
        if has_port {
            let port = authority.rsplit(':').next().unwrap_or("");
            if port.parse::<u16>().is_err() {
                return Err(format!("{s:?}: bad port {port:?}"));
            }
            Ok(Endpoint::Tcp(format!("http://{authority}")))
        } else {
            Ok(Endpoint::Tcp(format!("http://{authority}:631")))
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Tcp(base) => f.write_str(base),
            Endpoint::Unix(p) => write!(f, "unix:{}", p.display()),
        }
    }
}

/// Why an exchange with CUPS failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CupsError {
    /// No answer: connection refused or reset, or no reply in time.
    #[error("CUPS did not answer: {0}")]
    Unreachable(String),
    /// An answer that is not an IPP reply (HTTP error, too large, unparseable).
    #[error("CUPS answered badly: {0}")]
    BadReply(String),
    /// An IPP status that is not success.
    #[error("CUPS refused: IPP status {status:#06x} {message}")]
    Status {
        /// The IPP status code.
        status: u16,
        /// status-message, if any.
        message: String,
    },
    /// The request could not be built (a value IPP cannot carry).
    #[error("cannot build the request: {0}")]
    Request(String),
}

impl CupsError {
    /// The Win32 error the spooler returns ([`ipp_error`] for IPP
    /// statuses): ERROR_NOT_READY (21) when CUPS does not answer,
    /// ERROR_BAD_NET_RESP (58) when its answer is not IPP,
    /// ERROR_INVALID_PARAMETER when the request cannot be built.
    pub fn win32(&self, target: Target) -> Win32Error {
        match self {
            CupsError::Unreachable(_) => Win32Error::ERROR_NOT_READY,
            CupsError::BadReply(_) => Win32Error::ERROR_BAD_NET_RESP,
            CupsError::Status { status, .. } => ipp_error(*status, target),
            CupsError::Request(_) => Win32Error::ERROR_INVALID_PARAMETER,
        }
    }

    /// The IPP status, if CUPS answered with one.
    pub fn ipp_status(&self) -> Option<u16> {
        match self {
            CupsError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A successful IPP reply: its status and attribute groups.
#[derive(Debug)]
pub struct Reply {
    /// The IPP status code (a success code).
    pub status: u16,
    /// Every attribute group.
    pub attributes: IppAttributes,
}

impl Reply {
    /// The groups with this tag (one per job or printer), in order.
    pub fn groups(&self, tag: DelimiterTag) -> impl Iterator<Item = &IppAttributeGroup> {
        self.attributes.groups_of(tag)
    }
}

/// What an IPP request is addressed to.
#[derive(Copy, Clone, Debug)]
pub enum To<'a> {
    /// The whole server (`printer-uri ipp://localhost/`): Get-Jobs over
    /// every printer, CUPS-Get-Printers.
    Server,
    /// A printer (`printer-uri ipp://localhost/printers/NAME`).
    Printer(&'a str),
    /// A job (`job-uri ipp://localhost/jobs/ID`).
    Job(u32),
}

/// The IPP client: one HTTP client (its connection pool), the endpoint,
/// the identity presented to CUPS and the time limit of every exchange.
#[derive(Debug, Clone)]
pub struct IppClient {
    http: reqwest::Client,
    base: String,
    user: String,
    timeout: Duration,
}

/// Idle pooled connections are dropped after this long, before CUPS's own
/// KeepAliveTimeout (30 s by default) closes them under a request.
const POOL_IDLE: Duration = Duration::from_secs(20);

impl IppClient {
    /// A client for `endpoint`, presenting itself as `user`
    /// (requesting-user-name), each exchange limited to `timeout`.
    pub fn new(endpoint: &Endpoint, user: &str, timeout: Duration) -> Result<IppClient, String> {
        let mut b = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(timeout)
            .pool_idle_timeout(POOL_IDLE)
            .tcp_nodelay(true)
            .user_agent(concat!("msrap/", env!("CARGO_PKG_VERSION")));
        let base = match endpoint {
            Endpoint::Tcp(base) => base.clone(),
            Endpoint::Unix(path) => {
                b = unix_socket(b, path);
                // Over CUPS's own socket, cupsd authenticates the user by
                // the peer's credentials (SO_PEERCRED: msrap's uid must be
                // that user's, or root's), so admin operations work under
                // policies that require authentication.
                if let Ok(v) = reqwest::header::HeaderValue::from_str(&format!("PeerCred {user}")) {
                    let mut h = reqwest::header::HeaderMap::new();
                    h.insert(reqwest::header::AUTHORIZATION, v);
                    b = b.default_headers(h);
                }
                "http://localhost".to_owned()
            }
        };
        let http = b.build().map_err(|e| format!("HTTP client: {e}"))?;
        Ok(IppClient {
            http,
            base,
            user: user.to_owned(),
            timeout,
        })
    }

    /// The identity presented to CUPS (requesting-user-name).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The time limit of one exchange.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A request for `op` on `to`: charset, natural language, the target
    /// (printer-uri or job-uri) and requesting-user-name.
    pub fn request(&self, op: Operation, to: To<'_>) -> Result<IppRequestResponse, CupsError> {
        let mut r = IppRequestResponse::new(IppVersion::v1_1(), op, None)
            .map_err(|e| CupsError::Request(e.to_string()))?;
        let (name, uri) = match to {
            To::Server => ("printer-uri", "ipp://localhost/".to_owned()),
            To::Printer(p) => (
                "printer-uri",
                format!("ipp://localhost/printers/{}", percent_encode(p)),
            ),
            To::Job(id) => ("job-uri", format!("ipp://localhost/jobs/{id}")),
        };
        add(
            &mut r,
            DelimiterTag::OperationAttributes,
            name,
            IppValue::new_uri(uri),
        )?;
        add(
            &mut r,
            DelimiterTag::OperationAttributes,
            "requesting-user-name",
            IppValue::new_name_without_language(truncate(&self.user, 255)),
        )?;
        Ok(r)
    }

    /// Get-Jobs on every printer: the jobs not completed
    /// (`which-jobs=not-completed`), the attributes of
    /// [`map::JOB_ATTRIBUTES`](super::map::JOB_ATTRIBUTES). Post to `/`.
    pub fn get_jobs_request(&self) -> Result<IppRequestResponse, CupsError> {
        let mut req = self.request(Operation::GetJobs, To::Server)?;
        add(
            &mut req,
            DelimiterTag::OperationAttributes,
            "which-jobs",
            IppValue::new_keyword("not-completed"),
        )?;
        add(
            &mut req,
            DelimiterTag::OperationAttributes,
            "requested-attributes",
            keywords(super::map::JOB_ATTRIBUTES),
        )?;
        Ok(req)
    }

    /// CUPS-Get-Printers with the attributes of
    /// [`map::PRINTER_ATTRIBUTES`](super::map::PRINTER_ATTRIBUTES). Post to `/`.
    pub fn get_printers_request(&self) -> Result<IppRequestResponse, CupsError> {
        let mut req = self.request(Operation::CupsGetPrinters, To::Server)?;
        add(
            &mut req,
            DelimiterTag::OperationAttributes,
            "requested-attributes",
            keywords(super::map::PRINTER_ATTRIBUTES),
        )?;
        Ok(req)
    }

    /// Post `request` to `path` (`/`, `/jobs/`, `/printers/NAME`,
    /// `/admin/`) and read the reply: an IPP success, or the error.
    pub async fn send(&self, path: &str, request: IppRequestResponse) -> Result<Reply, CupsError> {
        self.post(path, reqwest::Body::from(request.to_bytes()), self.timeout)
            .await
    }

    /// Post `request` followed by the contents of `file` (`size` bytes),
    /// streamed, never held in memory whole: Send-Document, Print-Job.
    /// The time limit grows with the size ([`IppClient::file_limit`]).
    pub async fn send_file(
        &self,
        path: &str,
        request: IppRequestResponse,
        file: &Path,
        size: u64,
    ) -> Result<Reply, CupsError> {
        // A file whose every byte is final: the growing file's engine,
        // fed once.
        let (_feed, rx) = tokio::sync::watch::channel(Feed {
            bytes: size,
            complete: true,
        });
        let body = self
            .file_body(request, file, rx, Arc::new(AtomicBool::new(false)))
            .await?;
        self.post(path, body, self.file_limit(size)).await
    }

    /// Post `request` followed by the spool file `file` as it grows:
    /// bytes are sent once `feed` says they are final, and the body ends
    /// when it says the file is complete (Send-Document while the print
    /// file still arrives). Not bounded in time: the data comes at the SMB
    /// client's pace; the caller bounds the wait for the reply and drops
    /// the future to abandon the request, which then never completes (no
    /// final chunk is sent, and cupsd discards the partial document).
    pub async fn send_growing_file(
        &self,
        path: &str,
        request: IppRequestResponse,
        file: &Path,
        feed: tokio::sync::watch::Receiver<Feed>,
        body_sent: Arc<AtomicBool>,
    ) -> Result<Reply, CupsError> {
        let body = self.file_body(request, file, feed, body_sent).await?;
        self.post(path, body, None).await
    }

    /// The longest an exchange sending a `size`-byte file may take: the
    /// timeout and one more second per MiB.
    pub fn file_limit(&self, size: u64) -> Duration {
        self.timeout.saturating_add(Duration::from_secs(size >> 20))
    }

    /// `request`'s bytes, then `file`'s as `feed` makes them final
    /// ([`follow`]).
    async fn file_body(
        &self,
        request: IppRequestResponse,
        file: &Path,
        feed: tokio::sync::watch::Receiver<Feed>,
        body_sent: Arc<AtomicBool>,
    ) -> Result<reqwest::Body, CupsError> {
        use futures_util::StreamExt;
        let f = tokio::fs::File::open(file)
            .await
            .map_err(|e| CupsError::Request(format!("{}: {e}", file.display())))?
            .into_std()
            .await;
        let head = futures_util::stream::once(std::future::ready(Ok::<Bytes, std::io::Error>(
            request.to_bytes(),
        )));
        Ok(reqwest::Body::wrap_stream(
            head.chain(follow(f, feed, body_sent)),
        ))
    }

    async fn post(
        &self,
        path: &str,
        body: reqwest::Body,
        limit: impl Into<Option<Duration>>,
    ) -> Result<Reply, CupsError> {
        let url = format!("{}{path}", self.base);
        let exchange = async {
            let mut resp = self
                .http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/ipp")
                .body(body)
                .send()
                .await
                .map_err(|e| CupsError::Unreachable(error_chain(&e)))?;
            match resp.status().as_u16() {
                200..=299 => {}
                // Authentication required (CUPS's `AuthType` on the
                // operation, e.g. admin over TCP) or refused: the IPP
                // statuses that mean the same.
                401 => {
                    return Err(CupsError::Status {
                        status: 0x0402,
                        message: format!("HTTP {}", resp.status()),
                    })
                }
                403 => {
                    return Err(CupsError::Status {
                        status: 0x0401,
                        message: format!("HTTP {}", resp.status()),
                    })
                }
                _ => return Err(CupsError::BadReply(format!("HTTP {}", resp.status()))),
            }
            if resp.content_length().is_some_and(|n| n > MAX_REPLY as u64) {
                return Err(CupsError::BadReply("reply too large".into()));
            }
            let mut buf = Vec::new();
            while let Some(chunk) = resp
                .chunk()
                .await
                .map_err(|e| CupsError::Unreachable(error_chain(&e)))?
            {
                if buf.len().saturating_add(chunk.len()) > MAX_REPLY {
                    return Err(CupsError::BadReply("reply too large".into()));
                }
                buf.extend_from_slice(&chunk);
            }
            parse_reply(Bytes::from(buf))
        };
        let Some(limit) = limit.into() else {
            return exchange.await;
        };
        match tokio::time::timeout(limit, exchange).await {
            Ok(r) => r,
            Err(_) => Err(CupsError::Unreachable(format!(
                "no reply within {} ms",
                limit.as_millis()
            ))),
        }
    }
}

/// How much of a growing spool file may be sent
/// ([`IppClient::send_growing_file`]).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Feed {
    /// Its first this many bytes are final.
    pub bytes: u64,
    /// It is complete: `bytes` is its size.
    pub complete: bool,
}

/// The most read from a growing file at once (the SMB edge announces its
/// data in steps of about this size): one blocking-pool read and one HTTP
/// chunk each.
const FOLLOW_CHUNK: u64 = 256 * 1024;

/// The file's bytes as `feed` makes them final, read on the blocking pool
/// straight into the buffers sent. Ends when the file is complete and sent
/// (then sets `body_sent`); fails (abandoning the request) if the feed's
/// sender goes away first or the file is shorter than the feed says.
fn follow(
    file: std::fs::File,
    feed: tokio::sync::watch::Receiver<Feed>,
    body_sent: Arc<AtomicBool>,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send {
    futures_util::stream::try_unfold((file, feed, 0u64), move |(file, mut feed, sent)| {
        let body_sent = Arc::clone(&body_sent);
        async move {
            loop {
                let now = *feed.borrow_and_update();
                let ready = now.bytes.saturating_sub(sent);
                if ready > 0 {
                    let want = ready.min(FOLLOW_CHUNK);
                    let (file, buf) = tokio::task::spawn_blocking(move || {
                        use std::io::Read;
                        let mut buf = Vec::new();
                        let r = (&file).take(want).read_to_end(&mut buf);
                        r.map(|_| (file, buf))
                    })
                    .await
                    .map_err(std::io::Error::other)??;
                    let n = buf.len() as u64;
                    if n < want {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "the spool file is shorter than its data",
                        ));
                    }
                    return Ok(Some((
                        Bytes::from(buf),
                        (file, feed, sent.saturating_add(n)),
                    )));
                }
                if now.complete {
                    body_sent.store(true, Ordering::Release);
                    return Ok(None);
                }
                if feed.changed().await.is_err() {
                    return Err(std::io::Error::other("the print file was abandoned"));
                }
            }
        }
    })
}

#[cfg(unix)]
fn unix_socket(b: reqwest::ClientBuilder, path: &Path) -> reqwest::ClientBuilder {
    b.unix_socket(path.to_path_buf())
}

#[cfg(not(unix))]
fn unix_socket(b: reqwest::ClientBuilder, _path: &Path) -> reqwest::ClientBuilder {
    b
}

/// An error and its sources, one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// An IPP reply read whole: its status and attributes, or the error (a
/// parse failure is [`CupsError::BadReply`], a status that is not
/// success [`CupsError::Status`]).
pub fn parse_reply(bytes: Bytes) -> Result<Reply, CupsError> {
    check_encoding(&bytes).map_err(CupsError::BadReply)?;
    let parsed = IppParser::new(IppReader::new(std::io::Cursor::new(bytes)))
        .parse()
        .map_err(|e| CupsError::BadReply(e.to_string()))?;
    // The status is a 16-bit code ([RFC 8010] 3.1.1), read as i16 by `ipp`.
    let status = u16::from_ne_bytes(parsed.header().operation_or_status.to_ne_bytes());
    let attributes = parsed.attributes().clone();
    if status > 0x00FF {
        let message = attributes
            .groups_of(DelimiterTag::OperationAttributes)
            .find_map(|g| g.get("status-message"))
            .map(|a| a.value().to_string())
            .unwrap_or_default();
        return Err(CupsError::Status { status, message });
    }
    Ok(Reply { status, attributes })
}

/// Walk an IPP message's attributes (RFC 8010 3.1.1-3.1.7) and check
/// every length against the bytes there. Needed before `ipp`'s parser
/// (8.0): it slices a textWithLanguage / nameWithLanguage value (3.9) by
/// the lengths inside it without a check, and panics when they lie (found
/// by the `ipp_reply` fuzz body, kept as
/// `fuzz/regressions/ipp_reply/fuzz_0002_name_with_language_length`).
fn check_encoding(b: &[u8]) -> Result<(), String> {
    let be16 = |at: usize| -> Result<usize, String> {
        b.get(at..at.saturating_add(2))
            .and_then(|s| s.first_chunk::<2>())
            .map(|w| usize::from(u16::from_be_bytes(*w)))
            .ok_or_else(|| format!("IPP message cut at byte {at}"))
    };
    // version-number (2), status-code (2), request-id (4).
    let mut at = 8usize;
    while let Some(&tag) = b.get(at) {
        at += 1;
        match tag {
            // end-of-attributes-tag: the document data follows.
            0x03 => return Ok(()),
            // The other delimiter tags start an attribute group.
            0x00..=0x0F => {}
            _ => {
                let name_len = be16(at)?;
                at = at.saturating_add(2).saturating_add(name_len);
                let value_len = be16(at)?;
                at = at.saturating_add(2);
                let value = b
                    .get(at..at.saturating_add(value_len))
                    .ok_or_else(|| format!("IPP value of {value_len} bytes cut at byte {at}"))?;
                if matches!(tag, 0x35 | 0x36) {
                    // language length, language, text length, text: exactly the value.
                    let lang = value
                        .first_chunk::<2>()
                        .map(|w| usize::from(u16::from_be_bytes(*w)));
                    let text = lang.and_then(|l| {
                        value
                            .get(2 + l..4 + l)
                            .and_then(|s| s.first_chunk::<2>())
                            .map(|w| usize::from(u16::from_be_bytes(*w)))
                            .map(|t| (l, t))
                    });
                    if !matches!(text, Some((l, t)) if 4 + l + t == value.len()) {
                        return Err(format!(
                            "IPP {} value at byte {at} does not add up to its {value_len} bytes",
                            if tag == 0x35 {
                                "textWithLanguage"
                            } else {
                                "nameWithLanguage"
                            }
                        ));
                    }
                }
                at = at.saturating_add(value_len);
            }
        }
    }
    Ok(())
}

/// Add attribute `name` = `value` to group `tag`.
pub fn add(
    r: &mut IppRequestResponse,
    tag: DelimiterTag,
    name: &str,
    value: Result<IppValue, ipp::parser::IppParseError>,
) -> Result<(), CupsError> {
    let value = value.map_err(|e| CupsError::Request(format!("{name}: {e}")))?;
    let attr = IppAttribute::with_name(name, value)
        .map_err(|e| CupsError::Request(format!("{name}: {e}")))?;
    r.attributes_mut().add(tag, attr);
    Ok(())
}

/// A 1setOf keyword value (`requested-attributes`).
pub fn keywords(words: &[&str]) -> Result<IppValue, ipp::parser::IppParseError> {
    words
        .iter()
        .map(|w| IppValue::new_keyword(*w))
        .collect::<Result<Vec<_>, _>>()
        .map(IppValue::Array)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let t = |s: &str| Endpoint::parse(s);
        assert_eq!(
            t("ipp://127.0.0.1:631"),
            Ok(Endpoint::Tcp("http://127.0.0.1:631".into()))
        );
        assert_eq!(
            t("ipp://127.0.0.1"),
            Ok(Endpoint::Tcp("http://127.0.0.1:631".into()))
        );
        assert_eq!(
            t("http://localhost:8631/ignored"),
            Ok(Endpoint::Tcp("http://localhost:8631".into()))
        );
        assert_eq!(
            t("ipp://[::1]:631"),
            Ok(Endpoint::Tcp("http://[::1]:631".into()))
        );
        assert_eq!(
            t("ipp://[::1]"),
            Ok(Endpoint::Tcp("http://[::1]:631".into()))
        );
        assert_eq!(
            t("/run/cups/cups.sock"),
            Ok(Endpoint::Unix("/run/cups/cups.sock".into()))
        );
        for bad in [
            "ipps://h",
            "https://h",
            "lpd://h",
            "127.0.0.1:631",
            "ipp://",
            "ipp://u:p@h",
            "ipp://h:99999",
            "ipp://h:x",
            "ipp://a b",
        ] {
            assert!(t(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn requests_carry_target_and_identity_in_order() {
        let c = IppClient::new(
            &Endpoint::Tcp("http://127.0.0.1:1".into()),
            "root",
            Duration::from_secs(1),
        )
        .unwrap();
        let r = c.request(Operation::HoldJob, To::Job(7)).unwrap();
        let b = r.to_bytes();
        // version 1.1, Hold-Job (0x000C), request-id 1, operation attributes.
        assert_eq!(&b[..9], &[1, 1, 0, 0x0C, 0, 0, 0, 1, 1]);
        let names: Vec<String> = r
            .attributes()
            .groups_of(DelimiterTag::OperationAttributes)
            .flat_map(|g| g.attributes().iter().map(|a| a.name().to_string()))
            .collect();
        assert_eq!(
            names,
            [
                "attributes-charset",
                "attributes-natural-language",
                "job-uri",
                "requesting-user-name"
            ]
        );
        let r = c
            .request(Operation::PausePrinter, To::Printer("Q A"))
            .unwrap();
        let uri = r
            .attributes()
            .groups_of(DelimiterTag::OperationAttributes)
            .find_map(|g| g.get("printer-uri"))
            .unwrap()
            .value()
            .to_string();
        assert_eq!(uri, "ipp://localhost/printers/Q%20A");
    }

    #[test]
    fn replies_parse_and_statuses_map() {
        // A reply: version 1.1, status 0x0406, request 1, charset, end.
        let mut b = vec![1, 1, 0x04, 0x06, 0, 0, 0, 1, 0x01];
        b.extend([0x47, 0, 18]);
        b.extend(b"attributes-charset");
        b.extend([0, 5]);
        b.extend(b"utf-8");
        b.push(0x03);
        let e = parse_reply(Bytes::from(b.clone())).unwrap_err();
        assert_eq!(e.ipp_status(), Some(0x0406));
        assert_eq!(e.win32(Target::Job), Win32Error::ERROR_INVALID_PARAMETER);
        b[2] = 0;
        b[3] = 0;
        assert_eq!(parse_reply(Bytes::from(b.clone())).unwrap().status, 0);
        // Cut short: not IPP.
        let e = parse_reply(Bytes::from(b[..12].to_vec())).unwrap_err();
        assert_eq!(e.win32(Target::Job), Win32Error::ERROR_BAD_NET_RESP);
        assert_eq!(
            CupsError::Unreachable("x".into()).win32(Target::Printer),
            Win32Error::ERROR_NOT_READY
        );
    }

    #[test]
    fn a_with_language_value_whose_lengths_lie_is_a_bad_reply_not_a_panic() {
        // A job group with job-name as nameWithLanguage: "en" + "doc".
        let reply = |text_len: u8| {
            let mut b = vec![1, 1, 0, 0, 0, 0, 0, 1, 0x02, 0x36, 0, 8];
            b.extend(b"job-name");
            b.extend([0, 9, 0, 2]);
            b.extend(b"en");
            b.extend([0, text_len]);
            b.extend(b"doc");
            b.push(0x03);
            Bytes::from(b)
        };
        let ok = parse_reply(reply(3)).unwrap();
        assert_eq!(ok.status, 0);
        match parse_reply(reply(0xF0)).unwrap_err() {
            CupsError::BadReply(m) => assert_eq!(
                m,
                "IPP nameWithLanguage value at byte 22 does not add up to its 9 bytes"
            ),
            e => panic!("{e:?}"),
        }
        // A value longer than the message.
        let mut cut = reply(3).to_vec();
        cut.truncate(26);
        match parse_reply(Bytes::from(cut)).unwrap_err() {
            CupsError::BadReply(m) => assert_eq!(m, "IPP value of 9 bytes cut at byte 22"),
            e => panic!("{e:?}"),
        }
    }
}
