//! Capture decoding (`msrap decode`): the capture and transport layers.
//!
//! ```text
//! pcap / pcapng  ──capture──▶ Packet { frame_number, timestamp, link_type, data }
//!   ──link──▶ IPv4 / IPv6 ──ip──▶ (fragments reassembled) TCP segment
//!   ──tcp──▶ per flow and direction, in-order bytes (gaps reported)
//!   ──stream──▶ NetBIOS session framing ──▶ TransportEvent::Smb1 { bytes, first_frame, last_frame, … }
//! ```
//!
//! Everything is streaming with bounded memory: the capture reader uses one
//! circular buffer; flows, out-of-order data, partial messages and IP
//! fragments are capped ([`DecoderConfig`]). Anything unexpected becomes an
//! [`Anomaly`] event and is counted in [`DecoderStats`]; nothing is fatal
//! once the capture header has been read.
//!
//! Entry points: [`TransportEvents`] (pull iterator over a `Read`),
//! [`decode_capture`] (callback), or [`CaptureReader`] plus [`Decoder::feed`]
//! for custom loops.
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

pub mod capture;
mod decoder;
mod event;
mod ip;
pub mod json;
mod link;
mod stream;
mod tcp;
pub mod transactions;

pub use capture::{
    CaptureError, CaptureFormat, CaptureItem, CaptureReader, LinkType, Packet, ReaderOptions,
    Timestamp,
};
pub use decoder::{
    decode_capture, Decoder, DecoderConfig, TransportEvents, PORT_MICROSOFT_DS, PORT_NETBIOS_SSN,
};
pub use event::{
    Anomaly, AnomalyKind, CloseReason, DecoderStats, Direction, FlowId, SessionPacketType,
    Smb1Message, TransportEvent,
};
pub use stream::FramerConfig;
pub use tcp::ReassemblyLimits;
