//! Fuzz harness bodies, shared by `fuzz/` targets and the corpus replay test.

#[cfg(feature = "smb1")]
mod smb1_harness {
    use std::sync::Arc;

    use bytes::BytesMut;

    use crate::codes::{NtStatus, RapStatus};
    use crate::rap::{RapOutcome, RapResponse, RapService, TransactionInput};
    use crate::smb1::client::{self, parse_response};
    use crate::smb1::nbss::{Frame, FrameDecoder, Framing};
    use crate::smb1::session_setup::SessionSetupNt;
    use crate::smb1::{
        andx, echo, negotiate, parse_block, session_setup, trans, tree_connect, Connection,
        HeaderFlags2, ServerConnection, ServerParams, SmbCommand, SmbHeader, HEADER_LEN,
    };

    /// Echoes parameters and data, ignoring the maxima (the server must cut);
    /// `EE EE` fails the transaction; `DA DA n n` returns n data bytes.
    #[derive(Debug)]
    pub(super) struct FuzzService;

    impl RapService for FuzzService {
        fn call(&self, input: &TransactionInput<'_>, out: &mut RapResponse) -> RapOutcome {
            out.clear();
            match input.parameters {
                [0xEE, 0xEE, ..] => RapOutcome::FailTransaction(NtStatus::STATUS_INVALID_PARAMETER),
                [0xDA, 0xDA, lo, hi, ..] => {
                    out.data
                        .resize(usize::from(u16::from_le_bytes([*lo, *hi])), 0x5A);
                    RapOutcome::Reply(RapStatus::ERROR_SUCCESS)
                }
                p => {
                    out.params.extend_from_slice(p);
                    out.data.extend_from_slice(input.data);
                    RapOutcome::Reply(RapStatus::ERROR_SUCCESS)
                }
            }
        }

        fn print_shares(&self) -> Vec<String> {
            vec!["LASER".into()]
        }
    }

    /// Every response the server emits must itself parse, and respect sizes.
    pub(super) fn check_response(msg: &[u8]) {
        assert!(msg.len() <= 0xFFFF, "response of {} bytes", msg.len());
        let r = parse_response(msg).expect("server emitted an unparseable response");
        assert!(r.header.is_reply());
        if r.header.command == SmbCommand::TRANSACTION && r.block.word_count > 0 {
            r.transaction().expect("unparseable TRANSACTION response");
        }
        if r.block.word_count >= 2 && matches!(r.header.command.0, 0x73..=0x75) {
            r.andx_blocks(64).expect("unparseable AndX response chain");
        }
    }

    /// A connection that has negotiated, logged on and connected IPC$ (UID 100, TID 1).
    pub(super) fn established(flags2: HeaderFlags2) -> Connection<FuzzService> {
        let params = Arc::new(ServerParams::default());
        let mut c = Connection::new(FuzzService, params, [7; 8]);
        let mut out = Vec::new();
        let h = SmbHeader::request(SmbCommand::NEGOTIATE, flags2);
        let _ = c.handle_message(&client::negotiate_request(&h, &["NT LM 0.12"]), &mut out);
        let h = SmbHeader::request(SmbCommand::SESSION_SETUP_ANDX, flags2);
        let setup = SessionSetupNt {
            max_buffer_size: 1024,
            ..SessionSetupNt::default()
        };
        let _ = c.handle_message(
            &client::session_setup_and_tree_connect(&h, &setup, "\\\\S\\IPC$", "?????"),
            &mut out,
        );
        c
    }

    /// Runs every record parser over one message.
    pub(super) fn parse_all(msg: &[u8]) {
        let Ok(r) = parse_response(msg) else { return };
        let unicode = r.header.is_unicode();
        let b = r.block;
        assert!(b.end() <= msg.len() && b.offset == HEADER_LEN);
        let _ = negotiate::parse_negotiate_request(&b);
        let _ = negotiate::NtNegotiateResponse::parse(&b);
        let _ = session_setup::parse_session_setup_request(msg, &b, unicode);
        let _ = tree_connect::parse_tree_connect_request(msg, &b, unicode).map(|t| t.share_name());
        if let Ok(t) = trans::parse_transaction_request(msg, &b, unicode) {
            assert!(t.parameters.len() == usize::from(t.parameter_count));
            assert!(t.data.len() == usize::from(t.data_count));
            assert!(
                t.parameter_count <= t.total_parameter_count && t.data_count <= t.total_data_count
            );
        }
        let _ = trans::parse_transaction_secondary(msg, &b);
        let _ = trans::parse_transaction_response(msg, &b);
        let _ = echo::parse_echo_request(&b);
        let _ = r.andx_blocks(usize::MAX);
        if let Ok(a) = andx::AndX::parse(&b) {
            if let Ok(Some(next)) = a.next(&b, msg.len()) {
                assert!(next > b.offset && next < msg.len());
                let _ = parse_block(msg, next);
            }
        }
    }

    /// Splits `data` at its first byte into chunk sizes, feeds a whole
    /// session, and checks every emitted frame.
    pub(super) fn session(data: &[u8]) {
        let Some((&mode, rest)) = data.split_first() else {
            return;
        };
        let framing = if mode & 1 == 1 {
            Framing::NetBios
        } else {
            Framing::DirectTcp
        };
        let chunk = usize::from(mode >> 1).max(1);
        let mut s = ServerConnection::new(
            FuzzService,
            Arc::new(ServerParams::default()),
            framing,
            [7; 8],
        );
        let mut out = BytesMut::new();
        for piece in rest.chunks(chunk) {
            let before = s.buffered();
            let r = s.receive(piece, &mut out);
            assert!(s.buffered() <= before + piece.len());
            assert!(
                s.buffered() <= 4 + 0x1FFFF,
                "frame buffer grew to {}",
                s.buffered()
            );
            let (pending, bytes) = s.connection().pending_transactions();
            assert!(pending <= 8 && bytes <= 256 * 1024);
            if r.is_err() {
                break;
            }
        }
        let mut d = FrameDecoder::new(framing);
        d.extend_from_slice(&out);
        while let Ok(Some(f)) = d.decode() {
            if let Frame::Message(m) = f {
                check_response(&m);
            }
        }
        assert_eq!(d.buffered(), 0, "server emitted a partial frame");
    }
}

/// One SMB message: every record parser, then the message through an
/// established server connection (Unicode+NT status, and OEM+DOS errors).
#[cfg(feature = "smb1")]
pub fn smb1_message(data: &[u8]) {
    smb1_harness::parse_all(data);
    let flags2 = if data.get(10).is_some_and(|b| b & 1 == 1) {
        crate::smb1::HeaderFlags2::empty()
    } else {
        crate::smb1::HeaderFlags2::UNICODE | crate::smb1::HeaderFlags2::NT_STATUS
    };
    let mut c = smb1_harness::established(flags2);
    let mut out = Vec::new();
    let _ = c.handle_message(data, &mut out);
    let total: usize = out.iter().map(Vec::len).sum();
    assert!(
        total <= 256 * 1024,
        "{total} response bytes for one message"
    );
    for m in &out {
        smb1_harness::check_response(m);
    }
}

/// A whole sans-IO server session: framed bytes in, framed bytes out. The
/// first input byte picks the framing (bit 0) and the feed chunk size.
#[cfg(feature = "smb1")]
pub fn smb1_session(data: &[u8]) {
    smb1_harness::session(data);
}

/// Client role (`msrap query` / `conform` / `bench`): arbitrary server bytes
/// into the framing decoder, the pending-transaction reply handling and every
/// RAP response parser. Must never panic, whatever the server sends.
#[cfg(feature = "client")]
pub fn client_response(data: &[u8]) {
    use crate::client::{PendingTransaction, ReplyStep};
    use crate::oem::OemCodePage;
    use crate::rap::dissect::dissect;
    use crate::rap::response::{parse_get_info_response, parse_job_enum_response};
    use crate::smb1::nbss::{Frame, FrameDecoder, Framing};

    // First byte: framing and whether secondaries wait for an interim response.
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let framing = if mode & 1 == 0 {
        Framing::DirectTcp
    } else {
        Framing::NetBios
    };
    let mut decoder = FrameDecoder::new(framing);
    decoder.extend_from_slice(rest);
    // The MID of the first message is "ours", so reassembly is reachable.
    let mid = rest
        .get(4 + 30..4 + 32)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    let mut pending = PendingTransaction::new(mid, mode & 2 != 0);
    let cp = OemCodePage::default();
    let requests: [&[u8]; 3] = [
        b"\x4D\x00WWrLh\x00WWzWWDDzzzzzzzzzzlz\x00\x03\x00\x03\x00\x00\x10",
        b"\x4C\x00zWrLeh\x00WWzWWDDzz\x00LASER\x00\x02\x00\x00\x10",
        b"\x68\x00WrLehDz\x00B16BBDz\x00\x01\x00\x00\x10\xFF\xFF\xFF\xFF\x00",
    ];
    for _ in 0..64 {
        let msg = match decoder.decode() {
            Ok(Some(Frame::Message(m))) => m,
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => return,
        };
        match pending.on_message(&msg) {
            Ok(ReplyStep::Done(r)) => {
                assert!(r.params.len() <= 0xFFFF && r.data.len() <= 0xFFFF);
                for level in 0..5 {
                    let _ = parse_get_info_response(level, &r.params, &r.data, &cp);
                    let _ = parse_job_enum_response(level, &r.params, &r.data, &cp);
                }
                for req in requests {
                    let d = dissect(req, Some((&r.params, &r.data)), &cp);
                    #[cfg(feature = "json")]
                    let _ = d.to_json();
                    let _ = d;
                }
                pending = PendingTransaction::new(mid, false);
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

/// Capture bytes in (pcap or pcapng) → the whole transport pipeline to the
/// end. Small caps so that eviction, window skips and buffer growth are
/// reached by small inputs. Asserts nothing: it must not panic or hang.
#[cfg(feature = "decode")]
pub fn decode_capture(data: &[u8]) {
    use crate::decode::{DecoderConfig, ReaderOptions, ReassemblyLimits, TransportEvents};
    let config = DecoderConfig {
        max_flows: 8,
        max_buffered_bytes: 64 * 1024,
        reassembly: ReassemblyLimits {
            max_ooo_bytes: 8 * 1024,
            max_ooo_segments: 8,
            overlap_window: 64,
        },
        max_fragment_datagrams: 4,
        fragment_timeout_packets: 64,
        ..DecoderConfig::default()
    }
    .with_port(1445);
    // The ports of the committed real-peer captures (testdata/captures), which seed the corpus.
    let config = (24451..=24459).fold(config, |c, p| c.with_port(p));
    let options = ReaderOptions {
        initial_buffer: 4096,
        max_buffer: 64 * 1024,
    };
    if let Ok(events) = TransportEvents::with_options(data, config, options) {
        // The whole decoder: transport, SMB transactions, RAP dissection, JSON.
        let mut tracker = crate::decode::transactions::TransactionTracker::new(
            crate::oem::OemCodePage::default(),
        );
        let mut done = Vec::new();
        for event in events {
            tracker.on_event(&event, &mut done);
            for t in done.drain(..) {
                std::hint::black_box(serde_json::to_vec(&t).ok());
            }
        }
        tracker.finish(&mut done);
        for t in done.drain(..) {
            std::hint::black_box(serde_json::to_vec(&t).ok());
        }
    }
}
