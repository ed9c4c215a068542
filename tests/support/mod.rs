//! The one test support tree, shared by every integration test
//! (`mod support;`; each test uses what it needs, hence `dead_code`).
//!
//! * here: [`hex`] (hex text → bytes), [`to_hex`] (bytes → hex text),
//!   [`block_on`] (a current-thread tokio runtime for async code);
//! * [`corpus`]: the fuzz corpus replayer; [`cli`]: running the `msrap` binary;
//! * [`peers`]: the real peers (impacket, Samba, tshark), required, never
//!   skipped; [`samba`]: a real smbd started by the test; [`cups`]: a real
//!   cupsd started by the test (queues, backends, two policies);
//! * [`smb1`]: a toy pipe handler and an in-memory client of the sans-IO
//!   SMB1 server; [`server`]: `TestServer` (our tokio server on a loopback
//!   port) and an async TCP client;
//! * [`capture`]: loopback captures and their reading, for the tshark tests;
//! * [`decode`]: pcap/pcapng and packet writers for the decoder tests.
#![allow(dead_code)]

pub mod corpus;
#[cfg(feature = "cups")]
pub mod cups;
pub mod peers;
pub mod samba;

#[cfg(feature = "smb1")]
pub mod capture;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "smb1")]
pub mod smb1;

#[cfg(feature = "server")]
pub mod server;

#[cfg(feature = "decode")]
pub mod decode;

/// Bytes from hex text: bytes one or more to a token (`"03 00 61 6C"`,
/// `"0300616c"`), any case, over any number of lines; a hexdump line's
/// leading 4-digit offset column (`"0010  03 00 …"`) is dropped. Panics on
/// anything else.
pub fn hex(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let body = match line.split_once("  ") {
            Some((offset, rest))
                if offset.len() == 4 && offset.bytes().all(|c| c.is_ascii_hexdigit()) =>
            {
                rest
            }
            _ => line,
        };
        for token in body.split_whitespace() {
            assert!(
                token.len() % 2 == 0 && token.bytes().all(|c| c.is_ascii_hexdigit()),
                "not hex bytes: {token:?} in {text:?}"
            );
            out.extend(
                (0..token.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&token[i..i + 2], 16).unwrap()),
            );
        }
    }
    out
}

/// Bytes as upper-case hex, one space apart (`"4D 00 57"`): the form of the
/// expectations, and what [`hex`] and Python's `bytes.fromhex` read back.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `f` to completion on a new current-thread tokio runtime (I/O and
/// timers enabled). Futures that are always ready need no runtime:
/// `msrap::rap::server::poll_once`.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}
