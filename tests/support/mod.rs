//! Shared helpers for the interop tests (real peers on 127.0.0.1).
#![allow(dead_code)]

#[cfg(feature = "smb1")]
pub mod capture;
#[cfg(feature = "cli")]
pub mod cli;
pub mod peers;
pub mod samba;
#[cfg(feature = "server")]
pub mod server;
