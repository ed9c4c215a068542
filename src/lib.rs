//! # msrap
//!
//! The print-job commands of the LAN Manager Remote Administration Protocol
//! ([MS-RAP]) carried in SMB1 `SMB_COM_TRANSACTION` on `\PIPE\LANMAN`.
//!
//! * [`rap`]: the sans-IO RAP codec: descriptors, requests, responses,
//!   marshaling (MS-RAP 2.5.11), NetPrintJobGetInfo processing (3.2.5.7).
//! * [`spool`]: JOB_INFO_2 ([MS-RPRN] 2.2.1.7.2), the [`spool::Spooler`] trait
//!   and an in-memory spooler.
//! * [`oem`]: OEM code pages for RAP's 8-bit strings.
//! * `smb1` (feature `smb1`): the sans-IO SMB1 layer, server and client
//!   roles; it serves named pipes through `smb1::pipe::PipeHandler` and
//!   knows nothing of RAP. With feature `client`, `smb1::client::tcp` adds
//!   the tokio client.
//! * `server`, `conform`, `decode` (features `server`, `client`, `decode`):
//!   tokio server, conformance harness, capture decoder.
//!
//! With `default-features = false` only the codec, the spooler trait and the
//! in-memory spooler are built: no tokio, no clap, no pcap crates.
#![forbid(unsafe_code)]
#![warn(missing_debug_implementations, missing_docs, unreachable_pub)]

pub mod codes;
pub mod oem;
pub mod rap;
pub mod spool;

#[cfg(feature = "smb1")]
pub mod smb1;

#[cfg(feature = "server")]
pub mod server;

#[cfg(feature = "decode")]
pub mod decode;

#[cfg(feature = "client")]
pub mod conform;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

/// The README's code blocks, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
