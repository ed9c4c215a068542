//! Sans-IO SMB1 layer (MS-CIFS): framing, messages, transactions.
//!
//! Bytes in, bytes out; no sockets, no clock, no tokio. Layers, bottom up:
//!
//! * [`nbss`]: stream framing: direct TCP (MS-SMB 2.1) and the NetBIOS
//!   session service (RFC 1002 §4.3, MS-CIFS 2.1.1.2).
//! * [`header`], [`message`], [`strings`]: the 32-byte SMB header
//!   (MS-CIFS 2.2.3.1), the `SMB_Parameters`/`SMB_Data` blocks (2.2.3.2,
//!   2.2.3.3) and `SMB_STRING`s (2.2.1.1).
//! * One module per command: [`negotiate`], [`session_setup`],
//!   [`tree_connect`], [`trans`], [`echo`], [`andx`].
//! * [`status`]: NTSTATUS vs DOS error class/code (MS-CIFS 2.2.2.4).
//! * [`server`]: the server connection state machine; [`refusal`]: the
//!   answer to SMB2/3 clients and to clients offering no SMB1 dialect we speak;
//!   [`client`]: request builders and response parsers for the client role.
//!
//! Records are parsed leniently into borrowed structs (`parse_*`), then
//! validated; every count and offset read from the wire is checked against
//! the message before it is used.

pub mod andx;
pub mod client;
pub mod echo;
mod error;
pub mod header;
pub mod message;
pub mod nbss;
pub mod negotiate;
pub mod refusal;
pub mod server;
pub mod session_setup;
pub mod status;
pub mod strings;
pub mod trans;
pub mod tree_connect;

pub use error::ParseError;
pub use header::{HeaderFlags, HeaderFlags2, SmbCommand, SmbHeader, HEADER_LEN, SMB_MAGIC};
pub use message::{parse_block, Block};
pub use nbss::{Frame, FrameDecoder, FrameError, Framing};
pub use server::{Connection, ConnectionError, Event, Limits, ServerConnection, ServerParams};
pub use status::{DosError, WireStatus};
