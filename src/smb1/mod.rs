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
//! * [`pipe`]: what the server serves: named pipes ([`PipeHandler`], MS-CIFS
//!   3.3.5.57) and shares ([`ShareCatalogue`], 3.3.5.45). This layer knows
//!   no pipe protocol; RAP is one handler.
//! * [`print_file`], [`file`](mod@file): print files on printer shares
//!   ([`PrintFileHandler`], MS-CIFS 3.3.5.54–56 and the general file
//!   commands clients print with); this layer knows nothing of spooling.
//! * [`server`]: the server connection state machine (pipe calls go out as
//!   events and their answers come back in); [`refusal`]: why an SMB2/3
//!   client or one offering no SMB1 dialect we speak was refused
//!   ([`refusal::Refusal`]; the server writes the answer);
//!   [`client`]: the client role: request builders, response parsers,
//!   transaction replies, the [`client::Transport`] trait and, with the
//!   `client` feature, the tokio client [`client::tcp`].
//!
//! Records are parsed leniently into borrowed structs (`parse_*`), then
//! validated; every count and offset read from the wire is checked against
//! the message before it is used.

pub mod andx;
pub mod client;
pub mod echo;
mod error;
pub mod file;
pub mod header;
pub mod message;
pub mod nbss;
pub mod negotiate;
pub mod pipe;
pub mod print_file;
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
pub use pipe::{
    Identity, PipeHandler, PipeOutcome, PipeReply, PipeTransaction, ShareCatalogue, ShareKind,
};
pub use print_file::{NoPrintFiles, PrintFileHandler, PrintFileOpen};
pub use server::{
    Call, Connection, ConnectionError, Event, Limits, Outcome, PipeCall, PrintFileCall,
    PrintFileCallKind, PrintFileOutcome, ServerConnection, ServerParams,
};
pub use status::{DosError, WireStatus};
