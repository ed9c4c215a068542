//! Fuzz harness bodies, shared by `fuzz/` targets and the corpus replay test
//! (feature `fuzzing`: not part of users' builds).
//!
//! Each body panics (assertion) when the codec breaks an invariant; it must
//! never panic otherwise, whatever the input.

#[cfg(feature = "smb1")]
mod smb1_harness {
    use std::future::{ready, Future};
    use std::sync::Arc;

    use bytes::BytesMut;

    use crate::codes::NtStatus;
    use crate::smb1::client::{self, parse_response};
    use crate::smb1::nbss::{Frame, FrameDecoder, Framing};
    use crate::smb1::pipe::{
        PipeHandler, PipeOutcome, PipeReply, PipeTransaction, ShareCatalogue, ShareKind,
        LANMAN_PIPE,
    };
    use crate::smb1::print_file::{
        document_name, PrintFileHandler, PrintFileOpen, MAX_DOCUMENT_NAME,
    };
    use crate::smb1::session_setup::SessionSetupNt;
    use crate::smb1::{
        andx, echo, file, negotiate, parse_block, session_setup, trans, tree_connect, Connection,
        HeaderFlags2, ServerConnection, ServerParams, SmbCommand, SmbHeader, HEADER_LEN,
    };

    /// Serves `\PIPE\LANMAN` (any case) and a printer share `LASER`.
    /// Echoes parameters and data, ignoring the maxima (the server must
    /// cut); `EE EE` fails the transaction; `DA DA n n` returns n data bytes.
    #[derive(Debug, Default)]
    pub(super) struct FuzzService {
        /// Print files opened and not yet closed or aborted.
        live: std::sync::atomic::AtomicUsize,
    }

    impl FuzzService {
        fn live(&self) -> usize {
            self.live.load(std::sync::atomic::Ordering::Relaxed)
        }

        fn forget(&self) {
            let _ = self.live.fetch_update(
                std::sync::atomic::Ordering::Relaxed,
                std::sync::atomic::Ordering::Relaxed,
                |n| n.checked_sub(1),
            );
        }
    }

    impl PipeHandler for FuzzService {
        fn has_pipe(&self, name: &str) -> bool {
            name.eq_ignore_ascii_case(LANMAN_PIPE)
        }

        fn transact<'a>(
            &'a self,
            t: PipeTransaction<'a>,
            out: &'a mut PipeReply,
        ) -> impl Future<Output = PipeOutcome> + Send + 'a {
            out.clear();
            ready(match t.parameters {
                [0xEE, 0xEE, ..] => PipeOutcome::Fail(NtStatus::STATUS_INVALID_PARAMETER),
                [0xDA, 0xDA, lo, hi, ..] => {
                    out.data
                        .resize(usize::from(u16::from_le_bytes([*lo, *hi])), 0x5A);
                    PipeOutcome::Reply
                }
                p => {
                    out.params.extend_from_slice(p);
                    out.data.extend_from_slice(t.data);
                    PipeOutcome::Reply
                }
            })
        }
    }

    impl ShareCatalogue for FuzzService {
        fn share(&self, name: &str) -> Option<(String, ShareKind)> {
            name.eq_ignore_ascii_case("LASER")
                .then(|| ("LASER".into(), ShareKind::Printer))
        }
    }

    /// A print file of [`FuzzService`]: counts what it is given.
    #[derive(Debug)]
    pub(super) struct FuzzFile {
        end: u64,
    }

    /// Print files open at once over a whole fuzz session are bounded by
    /// the connection (`max_open_files`); each one's size by 1 MiB here.
    const FUZZ_MAX_FILE: u64 = 1 << 20;

    /// Print files on `LASER`: a name starting with `X` is refused; data
    /// starting with `0xDF`, or past 1 MiB, fails like a full disk.
    impl PrintFileHandler for FuzzService {
        type File = FuzzFile;

        fn open_print_file<'a>(
            &'a self,
            open: PrintFileOpen<'a>,
        ) -> impl Future<Output = Result<FuzzFile, NtStatus>> + Send + 'a {
            assert!(open.share.eq_ignore_ascii_case("LASER"));
            let name = document_name(open.name, |b| b.iter().map(|&c| char::from(c)).collect());
            assert!(!name.is_empty() && name.chars().count() <= MAX_DOCUMENT_NAME);
            ready(if name.starts_with('X') {
                Err(NtStatus::STATUS_ACCESS_DENIED)
            } else {
                self.live.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(FuzzFile { end: 0 })
            })
        }

        fn write_print_file<'a>(
            &'a self,
            file: &'a mut FuzzFile,
            offset: u64,
            data: &'a [u8],
        ) -> impl Future<Output = Result<u32, NtStatus>> + Send + 'a {
            assert!(!data.is_empty() && data.len() <= 0x1FFFF);
            let end = offset.saturating_add(data.len() as u64);
            ready(if data.first() == Some(&0xDF) || end > FUZZ_MAX_FILE {
                Err(NtStatus::STATUS_DISK_FULL)
            } else {
                file.end = file.end.max(end);
                Ok(data.len() as u32)
            })
        }

        fn close_print_file(
            &self,
            file: FuzzFile,
        ) -> impl Future<Output = Result<(), NtStatus>> + Send + '_ {
            assert!(file.end <= FUZZ_MAX_FILE);
            self.forget();
            ready(Ok(()))
        }

        fn abort_print_file(&self, file: FuzzFile) -> impl Future<Output = ()> + Send + '_ {
            assert!(file.end <= FUZZ_MAX_FILE);
            self.forget();
            ready(())
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
        // AndX responses (SESSION_SETUP, LOGOFF, TREE_CONNECT, OPEN_ANDX,
        // WRITE_ANDX, NT_CREATE_ANDX, with what they chain) parse whole.
        if r.block.word_count >= 2 && matches!(r.header.command.0, 0x73..=0x75 | 0x2D | 0x2F | 0xA2)
        {
            r.andx_blocks(64).expect("unparseable AndX response chain");
        }
    }

    /// A connection that has negotiated, logged on and connected IPC$ (UID
    /// 100, TID 1) and the printer share LASER (TID 2), with a print file
    /// open on it (FID 0x4000).
    pub(super) fn established(flags2: HeaderFlags2) -> Connection<FuzzService> {
        let params = Arc::new(ServerParams::default());
        let mut c = Connection::new(FuzzService::default(), params, [7; 8]);
        let mut out = Vec::new();
        let h = SmbHeader::request(SmbCommand::NEGOTIATE, flags2);
        let _ = c.handle_message_now(&client::negotiate_request(&h, &["NT LM 0.12"]), &mut out);
        let h = SmbHeader::request(SmbCommand::SESSION_SETUP_ANDX, flags2);
        let setup = SessionSetupNt {
            max_buffer_size: 1024,
            ..SessionSetupNt::default()
        };
        let _ = c.handle_message_now(
            &client::session_setup_and_tree_connect(&h, &setup, "\\\\S\\IPC$", "?????"),
            &mut out,
        );
        let h = SmbHeader {
            uid: 100,
            tid: 1,
            ..SmbHeader::request(SmbCommand::TREE_CONNECT_ANDX, flags2)
        };
        let _ = c.handle_message_now(&client::tree_connect(&h, "\\\\S\\LASER", "?????"), &mut out);
        let h = SmbHeader {
            uid: 100,
            tid: 2,
            ..SmbHeader::request(SmbCommand::NT_CREATE_ANDX, flags2)
        };
        let _ = c.handle_message_now(&client::nt_create_andx(&h, "doc.txt"), &mut out);
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
        if let Ok(r) = file::parse_nt_create_andx(msg, &b, unicode) {
            let _ = r.file_name.to_string_lossy();
        }
        let _ = file::NtCreateAndxResponse::parse(&b);
        let _ = file::parse_open_andx(msg, &b, unicode).map(|r| r.access());
        let _ = file::OpenAndxResponse::parse(&b);
        if let Ok(w) = file::parse_write_andx(msg, &b) {
            assert!(w.data.len() < msg.len());
        }
        let _ = file::parse_write_andx_response(&b);
        let _ = file::parse_write(&b);
        let _ = file::parse_close(&b);
        let _ = file::parse_flush(&b);
        let _ = file::parse_close_print_file(&b);
        let _ = file::parse_open_print_file(msg, &b, unicode);
        let _ = file::parse_write_print_file(&b);
        let _ = file::parse_one_word(&b, r.header.command);
        let _ = file::request_fid(r.header.command, &b);
        let _ = echo::parse_echo_request(&b);
        let _ = r.andx_blocks(usize::MAX);
        if let Ok(a) = andx::AndX::parse(&b) {
            if let Ok(Some(next)) = a.next(&b, msg.len()) {
                assert!(next > b.offset && next < msg.len());
                let _ = parse_block(msg, next);
            }
        }
    }

    /// Answers every outstanding pipe call (one poll each), then the frames
    /// that waited behind them.
    fn answer_calls(
        s: &mut ServerConnection<FuzzService>,
        out: &mut BytesMut,
    ) -> Result<(), crate::smb1::ConnectionError> {
        while let Some(call) = s.poll_call() {
            let outcome = call.run_now()?;
            s.answer(outcome, out)?;
        }
        Ok(())
    }

    /// Splits `data` at its first byte into chunk sizes, feeds a whole
    /// session, and checks every emitted frame. Pipe calls started by an
    /// even-numbered chunk are answered only after the next chunk arrived
    /// (that chunk waits in the frame buffer), the others at once.
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
            FuzzService::default(),
            Arc::new(ServerParams::default()),
            framing,
            [7; 8],
        );
        let mut out = BytesMut::new();
        let mut open = true;
        for (i, piece) in rest.chunks(chunk).enumerate() {
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
            // Print files are bounded per connection (`max_open_files`).
            assert!(s.connection().open_files() <= 16);
            if r.is_err() || (i % 2 == 1 && answer_calls(&mut s, &mut out).is_err()) {
                open = false;
                break;
            }
        }
        if open {
            let _ = answer_calls(&mut s, &mut out);
        }
        // No print file is lost: each one opened was closed, aborted, or is
        // handed back to the driver as the connection ends.
        let left = s.connection_mut().take_print_files();
        assert_eq!(s.connection().handler().live(), left.len());
        assert!(left.len() <= 2 * 16, "{} print files left", left.len());
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
    let _ = c.handle_message_now(data, &mut out);
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
    use crate::oem::OemCodePage;
    use crate::rap::dissect::dissect;
    use crate::rap::response::{parse_get_info_response, parse_job_enum_response};
    use crate::smb1::client::{PendingTransaction, ReplyStep};
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
    let requests: [&[u8]; 5] = [
        b"\x4D\x00WWrLh\x00WWzWWDDzzzzzzzzzzlz\x00\x03\x00\x03\x00\x00\x10",
        b"\x4C\x00zWrLeh\x00WWzWWDDzz\x00LASER\x00\x02\x00\x00\x10",
        b"\x68\x00WrLehDz\x00B16BBDz\x00\x01\x00\x00\x10\xFF\xFF\xFF\xFF\x00",
        // NetPrintQEnum level 2 with its AuxDesc (`net rap printq`): decode
        // follows each N into the PrintJobInfo1 structures.
        b"\x45\x00WrLeh\x00B13BWWWzzzzzWN\x00\x02\x00\xE0\xFFWB21BB16B10zWWzDDz\x00",
        // NetPrintQGetInfo level 4 with Samba's AuxDesc.
        b"\x46\x00zWrLh\x00zWWWWzzzzWNzzl\x00LASER\x00\x04\x00\x00\x10WWzWWDDzz\x00",
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
                for level in 0..6 {
                    let _ = parse_get_info_response(level, &r.params, &r.data, &cp);
                    let _ = parse_job_enum_response(level, &r.params, &r.data, &cp);
                    queue_parsers(level, &r.params, &r.data, &cp);
                }
                for level in [0, 1, 2, 10] {
                    lanman_parsers(level, &r.params, &r.data, &cp);
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

/// CUPS's side of the CUPS backend: arbitrary bytes as an IPP reply (the
/// first byte picks msrap's CUPS user, `root` or `msrap`) through the reply
/// parser and the mapping to JOB_INFO_2 / PRINTER_INFO_2 with RAP JobIDs;
/// the same bytes as text through the endpoint and URI parsers. Checks the
/// job list's invariants: JobIDs shown once each, sorted, each leading to
/// the job with that id, positions 1..n in every queue.
#[cfg(feature = "cups")]
pub fn ipp_reply(data: &[u8]) {
    use crate::spool::cups::client::{parse_reply, Endpoint};
    use crate::spool::cups::map::{self, CupsJob, CupsPrinter, JobList};
    use ipp::model::DelimiterTag;

    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let identity = if mode & 1 == 0 { "root" } else { "msrap" };
    let text = String::from_utf8_lossy(rest);
    let _ = Endpoint::parse(&text);
    let _ = map::last_segment(&text);
    let _ = map::without_userinfo(&text);
    if let Some(d) = map::percent_decode(&text) {
        assert_eq!(
            map::percent_decode(&map::percent_encode(&d)).as_deref(),
            Some(d.as_str())
        );
    }
    let Ok(reply) = parse_reply(bytes::Bytes::copy_from_slice(rest)) else {
        return;
    };
    let jobs: Vec<CupsJob> = reply
        .groups(DelimiterTag::JobAttributes)
        .filter_map(CupsJob::from_group)
        .collect();
    let printers: Vec<CupsPrinter> = reply
        .groups(DelimiterTag::PrinterAttributes)
        .filter_map(CupsPrinter::from_group)
        .collect();
    let list = JobList::from_cups(&jobs, identity, |name| {
        printers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.info.driver_name.as_deref())
    });
    assert_eq!(list.slots.len() + list.hidden, jobs.len());
    for pair in list.slots.windows(2) {
        if let [a, b] = pair {
            assert!(a.rap_id < b.rap_id, "JobIDs shown once each, sorted");
        }
    }
    for slot in &list.slots {
        assert_ne!(slot.rap_id, 0);
        assert_eq!(map::rap_job_id(slot.cups_id), Some(slot.rap_id));
        let job = list
            .queues
            .get(slot.queue)
            .and_then(|(_, q)| q.get(slot.index));
        assert_eq!(job.map(|j| j.job_id), Some(u32::from(slot.rap_id)));
    }
    for (_, q) in &list.queues {
        for (i, j) in q.iter().enumerate() {
            assert_eq!(j.position as usize, i + 1);
            assert!((1..=99).contains(&j.priority));
        }
    }
    let all = map::printers(&printers, &list, &crate::spool::ControlPolicy::default());
    for p in all.iter() {
        assert_eq!(p.info.jobs as usize, p.jobs.len());
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
        let mut line = Vec::new();
        let cp = crate::oem::OemCodePage::default();
        // The CLI's path: raw exchanges, `--opcode` read before dissection,
        // then the fast JSON writer, which must write exactly what
        // serde_json writes.
        let mut check = |raw: crate::decode::transactions::RawTransaction| {
            let opcode = raw.opcode();
            let t = raw.dissect(&cp);
            assert_eq!(opcode, t.rap.opcode, "opcode before and after dissection");
            line.clear();
            t.write_json(&mut line);
            let reference = serde_json::to_vec(&t).unwrap_or_default();
            assert_eq!(line, reference, "fast JSON writer differs from serde_json");
        };
        for event in events {
            tracker.on_event_raw(&event, &mut done);
            done.drain(..).for_each(&mut check);
        }
        tracker.finish_raw(&mut done);
        done.drain(..).for_each(&mut check);
    }
}

use std::sync::{Arc, OnceLock};

use crate::codes::{NtStatus, RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::commands::net_print_job_enum::{parse_job_enum_response, PrintJobEnumRequest};
use crate::rap::commands::net_print_job_get_info::{
    parse_get_info_response, PrintJobGetInfoRequest,
};
use crate::rap::descriptor::{job, Descriptor};
use crate::rap::marshal::{Marshaled, Marshaler};
use crate::rap::print_job::{MappingConfig, PrintJobInfo};
use crate::rap::profile::StringLayout;
use crate::rap::request::parse_rap_request;
use crate::rap::response::{
    parse_entries, parse_generic, parse_out_params, parse_response_params, parse_struct,
};
use crate::rap::structs::{Field, FieldMeta};
use crate::rap::{Profile, RapConfig, RapOutcome, RapResponse, RapServer, TransactionInput};
use crate::spool::{JobInfo2, MemorySpooler, Queue};

const GET_INFO_PARAM_DESC: &[u8] = PrintJobGetInfoRequest::PARAM_DESC;
const JOB_ENUM_PARAM_DESC: &[u8] = PrintJobEnumRequest::PARAM_DESC;

/// Code pages the harnesses pick from (one byte selects one).
pub const CODE_PAGES: [u16; 4] = [437, 850, 932, 1252];

fn code_page(sel: u8) -> OemCodePage {
    let n = CODE_PAGES
        .get(usize::from(sel) % CODE_PAGES.len())
        .copied()
        .unwrap_or(850);
    OemCodePage::new(n).unwrap_or_default()
}

fn sample() -> Arc<MemorySpooler> {
    static S: OnceLock<Arc<MemorySpooler>> = OnceLock::new();
    Arc::clone(S.get_or_init(|| Arc::new(crate::spool::sample::sample_spooler())))
}

fn le16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at.saturating_add(2)) {
        Some([x, y]) => u16::from_le_bytes([*x, *y]),
        _ => 0,
    }
}

/// `rap_request`: bytes 0–1 MaxParameterCount, 2–3 MaxDataCount, 4 flags
/// (bit 0 Windows profile, bits 1–2 code page), the rest the transaction
/// parameters, run through [`RapServer`] over the sample spooler.
///
/// Checks: a reply's parameters fit MaxParameterCount and carry its status;
/// its data fits MaxDataCount (and ReceiveBufferSize for a well-formed
/// GetInfo/Enum request) and is empty unless the status carries data; a
/// failed transaction leaves both blocks empty; a well-formed GetInfo or
/// Enum reply parses back with the client-side parser.
/// The job and queue control commands with a caller the policy allows, on
/// a spooler of their own (the shared sample must not change), with the
/// parameters as RAPInData too (NetPrintJobSetInfo reads it): whatever
/// they do, the reply is four bytes without data, and every queue stays
/// consistent (positions 1..n, cJobs = n).
fn control_request(
    config: &RapConfig,
    parameters: &[u8],
    max_parameter_count: u16,
    max_data_count: u16,
) {
    use crate::spool::{Caller, ControlPolicy, JobControlPolicy, Spooler};
    let opcode = parameters
        .first_chunk::<2>()
        .map(|b| u16::from_le_bytes(*b));
    if !matches!(opcode, Some(74 | 75 | 81 | 82 | 83 | 103 | 147)) {
        return;
    }
    let queues = crate::spool::sample::sample_queues()
        .into_iter()
        .map(|q| Queue {
            policy: ControlPolicy {
                jobs: JobControlPolicy::Anyone,
                operators: vec!["op".into()],
            },
            ..q
        })
        .collect();
    let server = RapServer::new(config.clone(), MemorySpooler::new(queues));
    let input = TransactionInput {
        parameters,
        data: parameters,
        max_parameter_count,
        max_data_count,
    };
    let mut out = RapResponse::default();
    let outcome =
        crate::rap::server::poll_once(server.transact(&Caller::guest("op"), &input, &mut out));
    match outcome {
        Some(RapOutcome::Reply(status)) => {
            // The control commands return no RAPOutParams; an error reply
            // to another ParamDesc carries that descriptor's out-params,
            // zero-filled (`error_reply`), within MaxParameterCount.
            let declared = crate::rap::commands::command(RapOpcode(opcode.unwrap_or(0)))
                .and_then(|c| c.params)
                .map(|m| m.param_desc);
            let sent = parse_rap_request(parameters)
                .ok()
                .map(|r| r.param_desc.as_bytes());
            if sent.is_some() && sent == declared {
                assert_eq!(out.params.len(), 4, "{out:?}");
            } else {
                assert!(out.params.len() >= 4, "{out:?}");
                assert!(out.params[4..].iter().all(|&b| b == 0), "{out:?}");
            }
            assert_eq!(le16(&out.params, 0), status.0);
            assert!(out.data.is_empty());
        }
        Some(RapOutcome::FailTransaction(s)) => {
            assert_eq!(s, NtStatus::STATUS_INVALID_PARAMETER);
        }
        None => panic!("the in-memory spooler waited"),
    }
    let printers = crate::rap::server::poll_once(server.spooler().enum_printers())
        .and_then(Result::ok)
        .unwrap_or_default();
    for p in printers.iter() {
        assert_eq!(p.info.jobs as usize, p.jobs.len());
    }
}

pub fn rap_request(data: &[u8]) {
    let (head, parameters) = data.split_at(data.len().min(5));
    let max_parameter_count = le16(head, 0);
    let max_data_count = le16(head, 2);
    let flags = head.get(4).copied().unwrap_or(0);
    let cp = code_page(flags >> 1);
    let config = RapConfig {
        profile: if flags & 1 == 1 {
            Profile::WINDOWS
        } else {
            Profile::SPEC
        },
        code_page: cp,
        ..RapConfig::default()
    };
    control_request(&config, parameters, max_parameter_count, max_data_count);
    let server = RapServer::with_spooler(config, sample());
    let input = TransactionInput {
        parameters,
        data: &[],
        max_parameter_count,
        max_data_count,
    };
    let mut out = RapResponse {
        params: vec![0xEE; 3],
        data: vec![0xEE; 5],
    };
    let outcome = server.handle_at(FUZZ_TIME, &input, &mut out);
    let status = match outcome {
        RapOutcome::FailTransaction(s) => {
            assert_eq!(s, NtStatus::STATUS_INVALID_PARAMETER);
            assert!(out.params.is_empty() && out.data.is_empty(), "{out:?}");
            return;
        }
        RapOutcome::Reply(s) => s,
    };
    assert!(out.params.len() >= 4, "{out:?}");
    assert!(out.params.len() <= usize::from(max_parameter_count));
    assert_eq!(le16(&out.params, 0), status.0);
    assert!(out.data.len() <= usize::from(max_data_count));
    if !status.carries_data() {
        assert!(out.data.is_empty(), "{status:?} with data");
    }
    let Ok(req) = parse_rap_request(parameters) else {
        return;
    };
    // Windows ignores whatever follows a complete GetInfo RAPParams (only
    // ParamDesc is validated, MS-RAP <5>/<6>): same reply without it.
    if flags & 1 == 1
        && req.opcode == RapOpcode::NET_PRINT_JOB_GET_INFO
        && req.param_desc.as_bytes() == GET_INFO_PARAM_DESC
        && req.rest.len() > 6
    {
        let cut = parameters.len() - (req.rest.len() - 6);
        let mut bare = RapResponse::default();
        let bare_outcome = server.handle(
            &TransactionInput {
                parameters: parameters.get(..cut).unwrap_or_default(),
                ..input
            },
            &mut bare,
        );
        assert_eq!(
            (bare_outcome, &bare),
            (outcome, &out),
            "trailing bytes changed the reply"
        );
    }
    let Ok(params) = req.params() else { return };
    let well_formed = params.trailing.is_empty()
        && params
            .aux_desc
            .is_none_or(|d| d.is_empty() || flags & 1 == 1);
    if req.opcode == RapOpcode::NET_PRINT_JOB_GET_INFO
        && req.param_desc.as_bytes() == GET_INFO_PARAM_DESC
        && well_formed
    {
        let Ok((r, _)) = PrintJobGetInfoRequest::parse(params.bytes) else {
            return;
        };
        assert!(out.data.len() <= usize::from(r.receive_buffer_size));
        if r.level > 3 {
            assert_eq!(status, RapStatus::ERROR_INVALID_LEVEL);
            return;
        }
        let parsed = parse_get_info_response(r.level, &out.params, &out.data, &cp);
        let parsed = parsed.unwrap_or_else(|e| panic!("own reply does not parse: {e}"));
        assert_eq!(parsed.info.is_some(), status.carries_data());
    } else if req.opcode == RapOpcode::NET_PRINT_JOB_ENUM
        && req.param_desc.as_bytes() == JOB_ENUM_PARAM_DESC
        && well_formed
    {
        let Ok((r, _)) = PrintJobEnumRequest::parse(params.bytes) else {
            return;
        };
        assert!(out.data.len() <= usize::from(r.receive_buffer_size));
        if r.level > 2 {
            assert_eq!(status, RapStatus::ERROR_INVALID_LEVEL);
            return;
        }
        let parsed = parse_job_enum_response(r.level, &out.params, &out.data, &cp);
        let parsed = parsed.unwrap_or_else(|e| panic!("own reply does not parse: {e}"));
        if status.carries_data() {
            assert_eq!(parsed.jobs.len(), usize::from(parsed.entries_returned));
        }
    } else if req.opcode == RapOpcode::NET_PRINT_Q_ENUM
        && req.param_desc.as_bytes() == b"WrLeh"
        && params.trailing.is_empty()
    {
        // NetPrintQEnum (any AuxDesc, nothing after it: bytes after the
        // AuxDesc are refused before the level is looked at, full
        // recognition first): our own reply parses, every queue with all
        // its jobs (2.5.11), within ReceiveBufferSize.
        use crate::rap::commands::net_print_q_enum::{parse_q_enum_response, PrintQEnumRequest};
        let Ok((r, _)) = PrintQEnumRequest::parse(params.bytes) else {
            return;
        };
        assert!(out.data.len() <= usize::from(r.receive_buffer_size));
        if r.level > 5 {
            assert_eq!(status, RapStatus::ERROR_INVALID_LEVEL);
            return;
        }
        if status.carries_data() {
            let parsed = parse_q_enum_response(r.level, &out.params, &out.data, &cp)
                .unwrap_or_else(|e| panic!("own reply does not parse: {e}"));
            assert_eq!(parsed.queues.len(), usize::from(parsed.entries_returned));
        }
    } else if req.opcode == RapOpcode::NET_PRINT_Q_GET_INFO && req.param_desc.as_bytes() == b"zWrLh"
    {
        use crate::rap::commands::net_print_q_get_info::{
            parse_q_get_info_response, PrintQGetInfoRequest,
        };
        let Ok((r, _)) = PrintQGetInfoRequest::parse(params.bytes) else {
            return;
        };
        assert!(out.data.len() <= usize::from(r.receive_buffer_size));
        if status.carries_data() {
            // 3.2.5.5: data only when everything fit.
            assert_eq!(status, RapStatus::ERROR_SUCCESS);
            let parsed = parse_q_get_info_response(r.level, &out.params, &out.data, &cp)
                .unwrap_or_else(|e| panic!("own reply does not parse: {e}"));
            assert_eq!(
                parsed.total_bytes_available,
                u16::try_from(out.data.len()).ok()
            );
        }
    } else if well_formed {
        lanman_reply_parses(&req, params.bytes, status, &out, &cp);
    }
}

/// The time `rap_request` serves at (NetRemoteTOD): 2024-01-15 12:34:56
/// UTC as a FILETIME.
pub const FUZZ_TIME: u64 = 0x65A5_2670 * 10_000_000 + 116_444_736_000_000_000;

/// A well-formed LAN Manager request's reply (MS-RAP 2.5.5, 2.5.6,
/// 2.5.9, 2.5.10): within ReceiveBufferSize, parsed back by the command's
/// client-side parser, with a structure exactly when the status carries one.
fn lanman_reply_parses(
    req: &crate::rap::RapRequest<'_>,
    rest: &[u8],
    status: RapStatus,
    out: &RapResponse,
    cp: &OemCodePage,
) {
    use crate::rap::commands::{
        net_remote_tod as tod, net_server_enum2 as se2, net_server_get_info as sgi,
        net_share_enum as she, net_share_get_info as shg, net_wksta_get_info as wgi,
    };
    let pd = req.param_desc.as_bytes();
    let own =
        |e: crate::rap::response::ResponseError| -> ! { panic!("own reply does not parse: {e}") };
    let data_ok = |rbs: u16| assert!(out.data.len() <= usize::from(rbs), "{out:?}");
    match req.opcode {
        RapOpcode::NET_SHARE_ENUM if pd == she::ShareEnumRequest::PARAM_DESC => {
            let Ok((r, _)) = she::ShareEnumRequest::parse(rest) else {
                return;
            };
            data_ok(r.receive_buffer_size);
            if r.level > 2 {
                return assert_eq!(status, RapStatus::ERROR_INVALID_LEVEL);
            }
            let p = she::parse_share_enum_response(r.level, &out.params, &out.data, cp)
                .unwrap_or_else(|e| own(e));
            assert!(p.entries_returned <= p.entries_available);
            if status.carries_data() {
                assert_eq!(p.shares.len(), usize::from(p.entries_returned));
            }
        }
        RapOpcode::NET_SHARE_GET_INFO if pd == shg::ShareGetInfoRequest::PARAM_DESC => {
            let Ok((r, _)) = shg::ShareGetInfoRequest::parse(rest) else {
                return;
            };
            data_ok(r.receive_buffer_size);
            if r.level <= 2 {
                let p = shg::parse_share_get_info_response(r.level, &out.params, &out.data, cp)
                    .unwrap_or_else(|e| own(e));
                assert_eq!(p.info.is_some(), status.carries_data());
            }
        }
        RapOpcode::NET_SERVER_GET_INFO if pd == sgi::ServerGetInfoRequest::PARAM_DESC => {
            let Ok((r, _)) = sgi::ServerGetInfoRequest::parse(rest) else {
                return;
            };
            data_ok(r.receive_buffer_size);
            if r.level > 1 {
                return assert_eq!(status, RapStatus::ERROR_INVALID_LEVEL);
            }
            let p = sgi::parse_server_get_info_response(r.level, &out.params, &out.data, cp)
                .unwrap_or_else(|e| own(e));
            assert_eq!(p.info.is_some(), status.carries_data());
        }
        RapOpcode::NET_WKSTA_GET_INFO if pd == wgi::WkstaGetInfoRequest::PARAM_DESC => {
            let Ok((r, _)) = wgi::WkstaGetInfoRequest::parse(rest) else {
                return;
            };
            data_ok(r.receive_buffer_size);
            if r.level != 10 {
                return assert_eq!(status, RapStatus::ERROR_INVALID_LEVEL);
            }
            let p = wgi::parse_wksta_get_info_response(&out.params, &out.data, cp)
                .unwrap_or_else(|e| own(e));
            assert_eq!(p.info.is_some(), status.carries_data());
        }
        RapOpcode::NET_REMOTE_TOD if pd == tod::RemoteTodRequest::PARAM_DESC => {
            let Ok((r, _)) = tod::RemoteTodRequest::parse(rest) else {
                return;
            };
            data_ok(r.receive_buffer_size);
            let p =
                tod::parse_remote_tod_response(&out.params, &out.data).unwrap_or_else(|e| own(e));
            assert_eq!(p.info.is_some(), status.carries_data());
            if let Some(i) = p.info {
                assert_eq!(Some(i), tod::time_of_day(FUZZ_TIME, 0));
            }
        }
        RapOpcode::NET_SERVER_ENUM2 => {
            let p = se2::parse_server_enum2_response(0, &out.params, &out.data, cp)
                .unwrap_or_else(|e| own(e));
            assert!(p.servers.is_empty() && out.data.is_empty(), "{out:?}");
        }
        RapOpcode::NET_SESSION_ENUM
        | RapOpcode::NET_GROUP_ENUM
        | RapOpcode::NET_USER_ENUM
        | RapOpcode::NET_SESSION_GET_INFO => {
            assert!(out.data.is_empty(), "{out:?}");
        }
        _ => {}
    }
}

/// Every client-side parser of the LAN Manager commands over one reply.
fn lanman_parsers(level: u16, params: &[u8], data: &[u8], cp: &OemCodePage) {
    use crate::rap::commands::{
        net_remote_tod as tod, net_server_enum2 as se2, net_server_get_info as sgi,
        net_session_enum as ses, net_share_enum as she, net_share_get_info as shg,
        net_wksta_get_info as wgi,
    };
    let _ = she::parse_share_enum_response(level, params, data, cp);
    let _ = shg::parse_share_get_info_response(level, params, data, cp);
    let _ = sgi::parse_server_get_info_response(level, params, data, cp);
    let _ = se2::parse_server_enum2_response(level, params, data, cp);
    let _ = ses::parse_session_enum_response(level, params, data, cp);
    let _ = wgi::parse_wksta_get_info_response(params, data, cp);
    let _ = tod::parse_remote_tod_response(params, data);
}

/// The client-side parsers of the print-queue and destination commands
/// (69, 70, 84, 85) on one response: they must return, never panic.
fn queue_parsers(level: u16, params: &[u8], data: &[u8], cp: &OemCodePage) {
    use crate::rap::commands::{
        net_print_dest_enum, net_print_dest_get_info, net_print_q_enum, net_print_q_get_info,
    };
    if let Ok(r) = net_print_q_enum::parse_q_enum_response(level, params, data, cp) {
        // Every queue was read whole, with as many jobs as its N says.
        assert!(r.queues.len() <= usize::from(r.entries_returned));
    }
    let _ = net_print_q_get_info::parse_q_get_info_response(level, params, data, cp);
    let _ = net_print_dest_enum::parse_dest_enum_response(level, params, data, cp);
    let _ = net_print_dest_get_info::parse_dest_get_info_response(level, params, data, cp);
}

/// `rap_response`: byte 0 level, byte 1 selector (code page, descriptor
/// choice), bytes 2–3 the length of the parameter block, then the
/// parameter block, then the data block. The tail of the data block, split
/// at NULs, also serves as ParamDesc/DataDesc/AuxDesc for the generic
/// parser. Every client-side parser must return, never panic.
pub fn rap_response(data: &[u8]) {
    let level = u16::from(data.first().copied().unwrap_or(0) % 6);
    let sel = data.get(1).copied().unwrap_or(0);
    let cp = code_page(sel);
    let plen = usize::from(le16(data, 2));
    let body = data.get(4..).unwrap_or_default();
    let (params, rest) = body.split_at(plen.min(body.len()));
    let _ = parse_response_params(params);
    let _ = crate::rap::commands::net_print_job_del::parse_status_response(params, rest);
    let _ = crate::rap::dissect::dissect_with_data(
        b"\x93\x00WWsTP\x00WB21BB16B10zWWzDDz\x00\x03\x00\x01\x00\x04\x00\x0b\x00",
        rest,
        Some((params, &[])),
        &cp,
    );
    let _ = parse_get_info_response(level, params, rest, &cp);
    let _ = parse_job_enum_response(level, params, rest, &cp);
    queue_parsers(level, params, rest, &cp);
    lanman_parsers(level, params, rest, &cp);
    lanman_parsers(level.saturating_mul(5), params, rest, &cp);
    for desc in [job::LEVEL_0, job::LEVEL_1, job::LEVEL_2, job::LEVEL_3] {
        let _ = parse_generic(
            Descriptor(GET_INFO_PARAM_DESC),
            Descriptor(desc),
            None,
            params,
            rest,
        );
        let _ = parse_generic(
            Descriptor(JOB_ENUM_PARAM_DESC),
            Descriptor(desc),
            None,
            params,
            rest,
        );
    }
    // Descriptors from the input: "param\0data\0aux\0" at the end of `rest`.
    let mut parts = rest.rsplit(|&b| b == 0).skip(1);
    let aux = parts.next().map(Descriptor);
    let dd = Descriptor(parts.next().unwrap_or_default());
    let pd = Descriptor(parts.next().unwrap_or_default());
    let _ = parse_generic(pd, dd, aux, params, rest);
    let _ = parse_generic(pd, dd, None, params, rest);
    let _ = parse_out_params(pd, params);
    let _ = dd.fixed_size();
    let _ = dd.validate_data();
    let _ = pd.validate_param();
    let _ = pd.out_param_size();
    let converter = le16(params, 2);
    let count = usize::from(sel >> 2);
    let _ = parse_entries(dd, aux, rest, count, converter);
    let mut values = Vec::new();
    let _ = parse_struct(dd, rest, usize::from(sel), converter, 0, &mut values);
}

/// Structured input of `rap_roundtrip`.
#[derive(Clone, Debug, arbitrary::Arbitrary)]
pub struct RoundTripInput {
    /// The job the spooler holds.
    pub job: JobInfo2,
    /// Level = `level % 6` (4 and 5 are invalid).
    pub level: u8,
    /// The JobID the request names; 0 means "the job's own id".
    pub job_id: u16,
    /// ReceiveBufferSize.
    pub receive_buffer_size: u16,
    /// MaxDataCount.
    pub max_data_count: u16,
    /// MaxParameterCount.
    pub max_parameter_count: u16,
    /// The Windows profile (else spec).
    pub windows: bool,
    /// Index into [`CODE_PAGES`].
    pub code_page: u8,
    /// The server's UTC offset.
    pub utc_offset_secs: i32,
}

/// A field as the client sees it after the round trip, or as the model
/// says it must see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// A number (`W`, `B`, `D`, `N`).
    Num(u64),
    /// A fixed-width string (`B`n) as read back.
    Fixed(String),
    /// A string pointer: `None` for offset 0.
    Str(Option<String>),
    /// A buffer pointer: `None` for offset 0.
    Buf(Option<Vec<u8>>),
}

/// What one GetInfo exchange produced, as the client sees it, or what the
/// model says it must produce. Compared with `assert_eq!`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoundTripView {
    /// The SMB transaction failed.
    Fail(NtStatus),
    /// A RAP reply.
    Reply {
        /// Win32ErrorCode.
        status: RapStatus,
        /// Converter (Windows layout: ReceiveBufferSize − bytes returned).
        converter: u16,
        /// Response parameter bytes.
        params_len: usize,
        /// TotalBytesAvailable.
        total_bytes_available: Option<u16>,
        /// Response data bytes.
        data_len: usize,
        /// The fields of the structure, by name.
        info: Option<Vec<(&'static str, Seen)>>,
    },
}

/// The encoded length of a `z` string plus its NUL.
fn z_len(cp: &OemCodePage, s: &str) -> usize {
    cp.encoded_len(s).saturating_add(1)
}

/// A string as the client decodes it after the server encoded it.
fn cp_round(cp: &OemCodePage, s: &str) -> String {
    let mut v = Vec::new();
    cp.encode_into(s, &mut v);
    cp.decode(&v).into_owned()
}

/// A `B`n field as the client decodes it: at most n−1 bytes, never a split character.
fn b_round(cp: &OemCodePage, s: &str, n: usize) -> String {
    let mut v = vec![0u8; n.saturating_sub(1)];
    let len = cp.encode_fixed(s, &mut v);
    v.truncate(len);
    cp.decode(&v).into_owned()
}

/// The count of a `B`n item (`B21` → 21, `B` → 1).
fn width(meta: &FieldMeta) -> usize {
    meta.item.get(1..).and_then(|n| n.parse().ok()).unwrap_or(1)
}

/// A parsed field as the client sees it.
fn seen(f: &Field<'_>) -> Seen {
    match *f {
        Field::Word(v) | Field::AuxCount(v) => Seen::Num(v.into()),
        Field::Byte(v) => Seen::Num(v.into()),
        Field::DWord(v) => Seen::Num(v.into()),
        Field::Fixed(s) => Seen::Fixed(s.to_owned()),
        Field::Str(s) => Seen::Str(s.map(str::to_owned)),
        Field::LenBuf(b) => Seen::Buf(b.map(<[u8]>::to_vec)),
    }
}

/// The model: the reply a GetInfo for `input` must produce, computed from
/// the JOB_INFO_2 mapping and the 2.5.11 rules over the declared fields,
/// without the marshaler.
pub fn rap_roundtrip_expected(input: &RoundTripInput) -> RoundTripView {
    let cp = code_page(input.code_page);
    let profile = if input.windows {
        Profile::WINDOWS
    } else {
        Profile::SPEC
    };
    let level = u16::from(input.level % 6);
    let mpc = usize::from(input.max_parameter_count);
    if mpc < 4 {
        return RoundTripView::Fail(NtStatus::STATUS_INVALID_PARAMETER);
    }
    // RAPOutParams (TotalBytesAvailable) are sent whole or not at all.
    let params_len = if mpc >= 6 { 6 } else { 4 };
    let requested = request_job_id(input);
    let error = |status: RapStatus| RoundTripView::Reply {
        status,
        converter: 0,
        params_len,
        total_bytes_available: (mpc >= 6).then_some(0),
        data_len: 0,
        info: None,
    };
    if level > 3 {
        return error(RapStatus::ERROR_INVALID_LEVEL);
    }
    if requested == 0 || u32::from(requested) != input.job.job_id {
        return error(RapStatus::ERROR_INVALID_PARAMETER);
    }
    let mapping = MappingConfig {
        profile,
        utc_offset_secs: input.utc_offset_secs,
    };
    let Some(mapped) = PrintJobInfo::from_job_info2(level, &input.job, &mapping) else {
        return error(RapStatus::ERROR_INVALID_LEVEL);
    };
    let meta = mapped.meta();
    let fixed = usize::from(meta.fixed_size);
    let limit = usize::from(input.receive_buffer_size.min(input.max_data_count));
    // First fit in field order in the room after the fixed part (the same
    // predicate for both layouts: forward from the fixed part, or top-down
    // from the end of the buffer).
    let mut room = limit.saturating_sub(fixed);
    let mut total = fixed;
    let mut all_fit = true;
    let mut info = Vec::new();
    for (f, m) in mapped.fields().iter().zip(meta.fields) {
        let v = match *f {
            Field::Fixed(s) => Seen::Fixed(b_round(&cp, s, width(m))),
            Field::Str(s) => Seen::Str(s.and_then(|s| {
                let n = z_len(&cp, s);
                total = total.saturating_add(n);
                if n <= room {
                    room -= n;
                    Some(cp_round(&cp, s))
                } else {
                    all_fit = false;
                    None
                }
            })),
            Field::LenBuf(b) => {
                assert!(b.is_none(), "JOB_INFO_2 has no DriverData");
                Seen::Buf(None)
            }
            ref other => seen(other),
        };
        info.push((m.name, v));
    }
    let tba = u16::try_from(total).unwrap_or(u16::MAX);
    if fixed > limit {
        return RoundTripView::Reply {
            status: RapStatus::NERR_BUF_TOO_SMALL,
            converter: 0,
            params_len,
            total_bytes_available: (mpc >= 6).then_some(tba),
            data_len: 0,
            info: None,
        };
    }
    if mpc < 6 {
        // The reply does not fit MaxParameterCount: NERR_BufTooSmall with
        // Win32ErrorCode and Converter only.
        return RoundTripView::Reply {
            status: RapStatus::NERR_BUF_TOO_SMALL,
            converter: 0,
            params_len,
            total_bytes_available: None,
            data_len: 0,
            info: None,
        };
    }
    let data_len = limit - room;
    let converter = if input.windows {
        u16::try_from(usize::from(input.receive_buffer_size) - data_len).unwrap_or(0)
    } else {
        0
    };
    RoundTripView::Reply {
        status: if all_fit {
            RapStatus::ERROR_SUCCESS
        } else {
            RapStatus::ERROR_MORE_DATA
        },
        converter,
        params_len: 6,
        total_bytes_available: Some(tba),
        data_len,
        info: Some(info),
    }
}

fn request_job_id(input: &RoundTripInput) -> u16 {
    if input.job_id == 0 {
        crate::rap::print_job::rap_job_id(input.job.job_id)
    } else {
        input.job_id
    }
}

/// Run one GetInfo for `input` through [`RapServer`] and parse the reply
/// back with [`parse_get_info_response`]. Also checks the hard limits
/// (data ≤ min(ReceiveBufferSize, MaxDataCount), params ≤ MaxParameterCount).
pub fn rap_roundtrip_actual(input: &RoundTripInput) -> RoundTripView {
    let cp = code_page(input.code_page);
    let config = RapConfig {
        profile: if input.windows {
            Profile::WINDOWS
        } else {
            Profile::SPEC
        },
        code_page: cp,
        utc_offset_secs: input.utc_offset_secs,
        ..RapConfig::default()
    };
    let spooler = MemorySpooler::new(vec![Queue {
        name: "Q".into(),
        jobs: vec![input.job.clone()],
        ..Queue::default()
    }]);
    let server = RapServer::new(config, spooler);
    let level = u16::from(input.level % 6);
    let mut parameters = Vec::new();
    PrintJobGetInfoRequest {
        job_id: request_job_id(input),
        level,
        receive_buffer_size: input.receive_buffer_size,
    }
    .encode(job::for_level(level).unwrap_or(b"W"), &mut parameters);
    let mut out = RapResponse::default();
    let outcome = server.handle(
        &TransactionInput {
            parameters: &parameters,
            data: &[],
            max_parameter_count: input.max_parameter_count,
            max_data_count: input.max_data_count,
        },
        &mut out,
    );
    let status = match outcome {
        RapOutcome::FailTransaction(s) => return RoundTripView::Fail(s),
        RapOutcome::Reply(s) => s,
    };
    let limit = input.receive_buffer_size.min(input.max_data_count);
    assert!(out.data.len() <= usize::from(limit), "data over the limit");
    assert!(out.params.len() <= usize::from(input.max_parameter_count));
    let parsed = parse_get_info_response(level.min(3), &out.params, &out.data, &cp)
        .unwrap_or_else(|e| panic!("own reply does not parse: {e}"));
    assert_eq!(parsed.status, status);
    RoundTripView::Reply {
        status,
        converter: parsed.converter,
        params_len: out.params.len(),
        total_bytes_available: parsed.total_bytes_available,
        data_len: out.data.len(),
        info: parsed.info.map(|i| {
            i.fields()
                .iter()
                .zip(i.meta().fields)
                .map(|(f, m)| (m.name, seen(f)))
                .collect()
        }),
    }
}

/// `rap_roundtrip`: encode a JOB_INFO_2 through the server, parse it back,
/// and compare with [`rap_roundtrip_expected`]; then the bytes of the one
/// marshaling engine against [`model_marshal`].
pub fn rap_roundtrip(input: RoundTripInput) {
    let expected = rap_roundtrip_expected(&input);
    let actual = rap_roundtrip_actual(&input);
    assert_eq!(actual, expected, "input: {input:?}");
    engine_matches_model(&input);
}

/// A plain model of MS-RAP 2.5.11 for one structure: the fixed part in
/// field order into a zeroed buffer, each string placed first-fit in field
/// order — forward after the fixed part, or top-down in a zeroed
/// ReceiveBufferSize buffer whose gap is then squeezed out — as simply as
/// it can be written (no reuse, no shortcuts), to check the engine against.
pub fn model_marshal(
    fields: &[Field<'_>],
    metas: &[FieldMeta],
    receive_buffer_size: u16,
    max_data_count: u16,
    layout: StringLayout,
    cp: &OemCodePage,
) -> (Vec<u8>, Marshaled) {
    let rbs = usize::from(receive_buffer_size);
    let limit = usize::from(receive_buffer_size.min(max_data_count));
    let fixed: usize = metas
        .iter()
        .map(|m| match m.ch() {
            b'B' => width(m),
            b'W' | b'N' | b'K' => 2,
            _ => 4,
        })
        .sum();
    let mut total = fixed;
    let mut variable: Vec<Vec<u8>> = Vec::new();
    for f in fields {
        match *f {
            Field::Str(Some(s)) => {
                let mut v = Vec::new();
                cp.encode_into(s, &mut v);
                v.push(0);
                total += v.len();
                variable.push(v);
            }
            Field::LenBuf(Some(b)) => {
                total += b.len();
                variable.push(b.to_vec());
            }
            _ => {}
        }
    }
    let report = |returned: u16, converter: u16, complete: bool| Marshaled {
        entries_returned: returned,
        entries_available: 1,
        converter,
        total_bytes: u32::try_from(total).unwrap_or(u32::MAX),
        complete,
    };
    if fixed > limit {
        return (Vec::new(), report(0, 0, false));
    }
    // Where each string goes (None: offset 0), first fit in field order.
    let mut room = limit - fixed;
    let mut used = 0usize;
    let mut places = Vec::new();
    for v in &variable {
        if v.len() <= room {
            room -= v.len();
            used += v.len();
            places.push(Some(used));
        } else {
            places.push(None);
        }
    }
    let complete = places.iter().all(Option::is_some);
    // The fixed part.
    let mut buf = vec![0u8; fixed];
    let mut at = 0;
    let mut strings = places.iter().zip(&variable);
    for (f, m) in fields.iter().zip(metas) {
        let n = match m.ch() {
            b'B' => width(m),
            b'W' | b'N' | b'K' => 2,
            _ => 4,
        };
        match *f {
            Field::Word(v) | Field::AuxCount(v) => {
                buf[at..at + 2].copy_from_slice(&v.to_le_bytes())
            }
            Field::Byte(v) => buf[at] = v,
            Field::DWord(v) => buf[at..at + 4].copy_from_slice(&v.to_le_bytes()),
            Field::Fixed(s) => {
                if n > 1 {
                    cp.encode_fixed(s, &mut buf[at..at + n - 1]);
                }
            }
            Field::Str(Some(_)) | Field::LenBuf(Some(_)) => {
                let (place, v) = strings.next().expect("one place per string");
                let low = match (place, layout) {
                    (None, _) => 0,
                    (Some(end), StringLayout::Forward) => fixed + end - v.len(),
                    (Some(end), StringLayout::WindowsTopDown) => rbs - end,
                };
                buf[at..at + 2].copy_from_slice(&(low as u16).to_le_bytes());
            }
            Field::Str(None) | Field::LenBuf(None) => {}
        }
        at += n;
    }
    match layout {
        StringLayout::Forward => {
            for (place, v) in places.iter().zip(&variable) {
                if place.is_some() {
                    buf.extend_from_slice(v);
                }
            }
            (buf, report(1, 0, complete))
        }
        StringLayout::WindowsTopDown => {
            let mut whole = vec![0u8; rbs];
            whole[..fixed].copy_from_slice(&buf);
            for (place, v) in places.iter().zip(&variable) {
                if let Some(end) = place {
                    whole[rbs - end..rbs - end + v.len()].copy_from_slice(v);
                }
            }
            let mut out = whole[..fixed].to_vec();
            out.extend_from_slice(&whole[rbs - used..]);
            let converter = (rbs - out.len()) as u16;
            (out, report(1, converter, complete))
        }
    }
}

/// The one marshaling engine writes exactly what [`model_marshal`] writes
/// for the mapped structure of `input`, in both layouts.
#[allow(clippy::indexing_slicing)]
pub fn engine_matches_model(input: &RoundTripInput) {
    let level = u16::from(input.level % 4);
    let cp = code_page(input.code_page);
    for layout in [StringLayout::Forward, StringLayout::WindowsTopDown] {
        let mapping = MappingConfig {
            profile: Profile::SPEC,
            utc_offset_secs: input.utc_offset_secs,
        };
        let Some(info) = PrintJobInfo::from_job_info2(level, &input.job, &mapping) else {
            panic!("level {level} has no mapping");
        };
        let mut engine = Vec::new();
        let mut m = Marshaler::new(
            &mut engine,
            input.receive_buffer_size,
            input.max_data_count,
            layout,
            cp,
        );
        m.plan_uniform(1, info.meta().fixed_size);
        let got = m.marshal(|sink| info.marshal(sink));
        let (model, want) = model_marshal(
            &info.fields(),
            info.meta().fields,
            input.receive_buffer_size,
            input.max_data_count,
            layout,
            &cp,
        );
        assert_eq!(got, want, "{layout:?} input: {input:?}");
        assert_eq!(engine, model, "{layout:?} input: {input:?}");
    }
}
