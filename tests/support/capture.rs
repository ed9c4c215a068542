//! Packet captures on loopback for the tshark tests and the committed
//! captures under `testdata/captures/`.
//!
//! * [`Capture`]: `tshark -i lo -f "tcp port N" -w FILE -F pcap` as a child,
//!   bounded in time and packets, started before the traffic and stopped
//!   (SIGINT, bounded wait) by the test.
//! * [`tshark_frames`]: read a capture back with `tshark -r … -T json -e …`.
//! * [`read_pcap`], [`smb_messages`], [`rap_calls`]: our own, independent
//!   reading of the same capture (classic pcap, Ethernet/IPv4/TCP, the SMB1
//!   framing of each server port), so that what tshark shows can be compared
//!   with what actually crossed the wire, frame by frame.
//! * [`Proxy`]: a loopback TCP forwarder that writes in small chunks with
//!   TCP_NODELAY (TCP-segmented SMB messages).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use msrap::smb1::client::parse_response;
use msrap::smb1::header::read_header;
use msrap::smb1::trans::{
    parse_transaction_request, parse_transaction_secondary, TransBlock, TransactionAssembler,
    TransactionReply,
};
use msrap::smb1::{parse_block, Frame, FrameDecoder, Framing, SmbCommand, HEADER_LEN};

use super::peers::require_tshark;

const INSTALL_HINT: &str =
    "run `bash scripts/install-peers.sh` (the README's test command `bash scripts/test.sh` does)";

/// A running `tshark -i lo` capture restricted to some TCP ports.
pub struct Capture {
    child: Option<Child>,
    pub path: PathBuf,
    stderr: mpsc::Receiver<String>,
    log: Vec<String>,
}

/// Longest a capture may run, and most packets it keeps (tshark's own stops).
pub const MAX_CAPTURE_SECS: u32 = 120;
pub const MAX_CAPTURE_PACKETS: u32 = 20_000;

impl Capture {
    /// Start capturing on `lo`, TCP to or from any of `ports`, into `path`
    /// (classic pcap); returns once tshark reports that it is capturing and
    /// the file header is on disk (at most 20 s).
    pub fn start(ports: &[u16], path: &Path) -> Capture {
        require_tshark();
        assert!(!ports.is_empty(), "a capture needs at least one port");
        let filter = ports
            .iter()
            .map(|p| format!("tcp port {p}"))
            .collect::<Vec<_>>()
            .join(" or ");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        let _ = std::fs::remove_file(path);
        let mut child = Command::new("tshark")
            .args(["-i", "lo", "-f", &filter, "-F", "pcap", "-q"])
            .args(["-a", &format!("duration:{MAX_CAPTURE_SECS}")])
            .args(["-c", &MAX_CAPTURE_PACKETS.to_string()])
            .arg("-w")
            .arg(path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start tshark ({e}): {INSTALL_HINT}"));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut c = Capture {
            child: Some(child),
            path: path.to_owned(),
            stderr: rx,
            log: Vec::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut capturing = false;
        loop {
            while let Ok(l) = c.stderr.try_recv() {
                capturing |= l.contains("Capturing on");
                c.log.push(l);
            }
            let header = std::fs::metadata(path).is_ok_and(|m| m.len() >= 24);
            if capturing && header {
                break;
            }
            if let Some(st) = c.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "tshark exited ({st}) before capturing on lo:\n{}",
                    c.log.join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "tshark did not start capturing within 20 s:\n{}",
                c.log.join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // dumpcap has opened lo with the filter before it writes the header.
        std::thread::sleep(Duration::from_millis(200));
        c
    }

    /// Stop the capture (SIGINT, at most 10 s, then SIGKILL) and return the file.
    pub fn stop(mut self) -> PathBuf {
        // Let the last segments (FIN/ACK) reach the capture.
        std::thread::sleep(Duration::from_millis(500));
        let mut child = self.child.take().unwrap();
        signal(child.id(), "-INT");
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                signal(child.id(), "-KILL");
                let _ = child.wait();
                panic!("tshark did not stop within 10 s of SIGINT");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(l) = self.stderr.recv_timeout(Duration::from_millis(200)) {
            self.log.push(l);
        }
        assert!(
            status.success() || status.code().is_none(),
            "tshark failed ({status}):\n{}",
            self.log.join("\n")
        );
        self.path.clone()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            signal(c.id(), "-INT");
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if c.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args([sig, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// The fields tshark shows for one frame: field name → every occurrence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TsharkFrame {
    pub number: u32,
    pub fields: BTreeMap<String, Vec<String>>,
}

impl TsharkFrame {
    pub fn get(&self, field: &str) -> &[String] {
        self.fields
            .get(field)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The single value of `field`, if shown.
    pub fn one(&self, field: &str) -> Option<&str> {
        self.get(field).first().map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        !self.get(field).is_empty()
    }
}

/// `tshark -r PCAP -d tcp.port==P,nbss … -T json -e frame.number -e FIELD…`,
/// every frame (optionally restricted by a display filter).
pub fn tshark_frames(
    pcap: &Path,
    nbss_ports: &[u16],
    fields: &[&str],
    display_filter: Option<&str>,
) -> Vec<TsharkFrame> {
    require_tshark();
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(pcap);
    for p in nbss_ports {
        cmd.args(["-d", &format!("tcp.port=={p},nbss")]);
    }
    if let Some(f) = display_filter {
        cmd.args(["-Y", f]);
    }
    cmd.args(["-T", "json", "-e", "frame.number"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark -r");
    assert!(
        out.status.success(),
        "tshark -r {} failed: {}",
        pcap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "tshark JSON: {e}: {}",
            String::from_utf8_lossy(&out.stdout[..out.stdout.len().min(500)])
        )
    });
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let layers = p["_source"]["layers"].as_object().unwrap();
            let mut f = TsharkFrame::default();
            for (k, vals) in layers {
                let vals: Vec<String> = vals
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_owned())
                    .collect();
                if k == "frame.number" {
                    f.number = vals[0].parse().unwrap();
                } else {
                    f.fields.insert(k.clone(), vals);
                }
            }
            f
        })
        .collect()
}

/// Frame numbers tshark marks `[Malformed Packet]` (`-Y _ws.malformed`).
pub fn tshark_malformed(pcap: &Path, nbss_ports: &[u16]) -> Vec<u32> {
    tshark_frames(pcap, nbss_ports, &[], Some("_ws.malformed"))
        .iter()
        .map(|f| f.number)
        .collect()
}

/// `tshark -r PCAP -d … -O lanman -Y 'frame.number==N'`: the text tree of
/// the LANMAN layer of one frame (for messages).
pub fn tshark_lanman_text(pcap: &Path, nbss_ports: &[u16], frame: u32) -> String {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(pcap);
    for p in nbss_ports {
        cmd.args(["-d", &format!("tcp.port=={p},nbss")]);
    }
    cmd.args(["-Y", &format!("frame.number=={frame}"), "-O", "lanman"]);
    let out = cmd.output().expect("run tshark -r");
    let text = String::from_utf8_lossy(&out.stdout);
    let start = text.find("SMB Pipe Protocol").unwrap_or(0);
    text[start..].to_owned()
}

// ---------------------------------------------------------------------------
// Our own reading of the capture.

/// One TCP segment of a capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// 1-based, as tshark numbers frames.
    pub frame: u32,
    pub src: u16,
    pub dst: u16,
    pub seq: u32,
    pub syn: bool,
    pub payload: Vec<u8>,
}

/// Every IPv4/TCP segment of a classic pcap file (Ethernet or Linux
/// cooked link type), in file order. Other frames are counted and skipped.
pub fn read_pcap(path: &Path) -> Vec<Segment> {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(b.len() >= 24, "{}: no pcap header", path.display());
    let magic = u32::from_le_bytes(b[0..4].try_into().unwrap());
    let le = match magic {
        0xA1B2_C3D4 | 0xA1B2_3C4D => true,
        0xD4C3_B2A1 | 0x4D3C_B2A1 => false,
        m => panic!("{}: not a classic pcap file (magic {m:#x})", path.display()),
    };
    let u32_at = |o: usize| {
        let a: [u8; 4] = b[o..o + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    let linktype = u32_at(20);
    let mut out = Vec::new();
    let mut off = 24;
    let mut frame = 0;
    while off + 16 <= b.len() {
        let incl = u32_at(off + 8) as usize;
        let pkt = &b[off + 16..(off + 16 + incl).min(b.len())];
        off += 16 + incl;
        frame += 1;
        let ip = match linktype {
            1 if pkt.len() >= 14 && pkt[12..14] == [0x08, 0x00] => &pkt[14..],
            113 if pkt.len() >= 16 && pkt[14..16] == [0x08, 0x00] => &pkt[16..],
            _ => continue,
        };
        if ip.len() < 20 || ip[0] >> 4 != 4 || ip[9] != 6 {
            continue;
        }
        let ihl = usize::from(ip[0] & 0x0F) * 4;
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]])).min(ip.len());
        let tcp = &ip[ihl..total];
        if tcp.len() < 20 {
            continue;
        }
        let doff = usize::from(tcp[12] >> 4) * 4;
        out.push(Segment {
            frame,
            src: u16::from_be_bytes([tcp[0], tcp[1]]),
            dst: u16::from_be_bytes([tcp[2], tcp[3]]),
            seq: u32::from_be_bytes(tcp[4..8].try_into().unwrap()),
            syn: tcp[13] & 0x02 != 0,
            payload: tcp[doff.min(tcp.len())..].to_vec(),
        });
    }
    out
}

/// What one SMB-level frame of the stream was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireItem {
    Smb(Vec<u8>),
    SessionRequest,
    SessionResponse(u8),
}

/// One framed message, attributed to the capture frame that completed it
/// (where tshark shows its reassembled PDU).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireMsg {
    pub frame: u32,
    /// The client's port: identifies the connection.
    pub client_port: u16,
    pub server_port: u16,
    pub to_server: bool,
    pub item: WireItem,
}

/// Reassemble each TCP direction (by sequence number) and frame it with the
/// framing of its server port. Panics on a sequence gap (lost segment) or a
/// framing error.
pub fn smb_messages(segments: &[Segment], servers: &[(u16, Framing)]) -> Vec<WireMsg> {
    struct Dir {
        next: Option<u32>,
        dec: FrameDecoder,
    }
    let mut dirs: BTreeMap<(u16, u16), Dir> = BTreeMap::new();
    let mut out = Vec::new();
    for s in segments {
        let (server_port, framing, to_server) =
            if let Some(&(p, f)) = servers.iter().find(|(p, _)| *p == s.dst) {
                (p, f, true)
            } else if let Some(&(p, f)) = servers.iter().find(|(p, _)| *p == s.src) {
                (p, f, false)
            } else {
                continue;
            };
        let client_port = if to_server { s.src } else { s.dst };
        let d = dirs.entry((s.src, s.dst)).or_insert_with(|| Dir {
            next: None,
            dec: FrameDecoder::new(framing),
        });
        if s.syn {
            d.next = Some(s.seq.wrapping_add(1));
            d.dec = FrameDecoder::new(framing);
            continue;
        }
        if s.payload.is_empty() {
            continue;
        }
        let next = *d.next.get_or_insert(s.seq);
        let skip = next.wrapping_sub(s.seq) as usize;
        if (skip as i32) < 0 {
            panic!(
                "frame {}: {} bytes missing from the capture before this segment",
                s.frame,
                s.seq.wrapping_sub(next)
            );
        }
        if skip >= s.payload.len() {
            continue; // retransmission
        }
        d.dec.extend_from_slice(&s.payload[skip..]);
        d.next = Some(s.seq.wrapping_add(s.payload.len() as u32));
        while let Some(f) = d
            .dec
            .decode()
            .unwrap_or_else(|e| panic!("frame {}: framing: {e}", s.frame))
        {
            let item = match f {
                Frame::Message(m) => WireItem::Smb(m.to_vec()),
                Frame::SessionRequest(_) => WireItem::SessionRequest,
                Frame::SessionResponse(t, _) => WireItem::SessionResponse(t),
            };
            out.push(WireMsg {
                frame: s.frame,
                client_port,
                server_port,
                to_server,
                item,
            });
        }
    }
    out
}

/// One `\PIPE\LANMAN` transaction as it crossed the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RapCall {
    pub client_port: u16,
    pub server_port: u16,
    pub mid: u16,
    /// The frame of the primary request.
    pub primary_frame: u32,
    /// The frame completing the request (the last secondary, if any).
    pub request_frame: u32,
    /// Frames of TRANSACTION_SECONDARY requests.
    pub secondary_frames: Vec<u32>,
    pub params: Vec<u8>,
    pub max_parameter_count: u16,
    pub max_data_count: u16,
    pub interim_frame: Option<u32>,
    /// Frames of the final response parts, in order.
    pub response_frames: Vec<u32>,
    /// Raw status of the final response's SMB header.
    pub smb_status: u32,
    /// `None` when the final response had no transaction words (SMB error).
    pub reply_params: Option<Vec<u8>>,
    pub reply_data: Vec<u8>,
}

impl RapCall {
    pub fn opcode(&self) -> u16 {
        u16::from_le_bytes([self.params[0], self.params[1]])
    }

    /// ParamDesc, DataDesc and what follows them.
    pub fn descriptors(&self) -> (String, String, &[u8]) {
        let rest = &self.params[2..];
        let i = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        let pd = String::from_utf8_lossy(&rest[..i]).into_owned();
        let rest = rest.get(i + 1..).unwrap_or_default();
        let j = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        let dd = String::from_utf8_lossy(&rest[..j]).into_owned();
        (pd, dd, rest.get(j + 1..).unwrap_or_default())
    }

    /// The frame of the (first) response part, which carries all the
    /// RAP parameters (parameters are sent before data).
    pub fn response_frame(&self) -> Option<u32> {
        self.response_frames.first().copied()
    }

    /// (status, converter) of a RAP reply with at least 4 parameter bytes.
    pub fn status_converter(&self) -> Option<(u16, u16)> {
        let p = self.reply_params.as_ref()?;
        (p.len() >= 4).then(|| {
            (
                u16::from_le_bytes([p[0], p[1]]),
                u16::from_le_bytes([p[2], p[3]]),
            )
        })
    }
}

/// Every `\PIPE\LANMAN` transaction in `msgs`, requests reassembled from
/// secondaries and responses from their parts, in request order.
pub fn rap_calls(msgs: &[WireMsg]) -> Vec<RapCall> {
    struct Pending {
        call: RapCall,
        request: TransactionAssembler,
        asm: TransactionAssembler,
        complete: bool,
    }
    let mut calls: Vec<Pending> = Vec::new();
    for m in msgs {
        let WireItem::Smb(msg) = &m.item else {
            continue;
        };
        let h = read_header(msg).unwrap_or_else(|e| panic!("frame {}: SMB header: {e}", m.frame));
        if h.command != SmbCommand::TRANSACTION && h.command != SmbCommand::TRANSACTION_SECONDARY {
            continue;
        }
        let block = parse_block(msg, HEADER_LEN)
            .unwrap_or_else(|e| panic!("frame {}: SMB block: {e}", m.frame));
        fn find<'a>(calls: &'a mut [Pending], m: &WireMsg, mid: u16) -> Option<&'a mut Pending> {
            calls.iter_mut().rev().find(|c| {
                c.call.client_port == m.client_port
                    && c.call.server_port == m.server_port
                    && c.call.mid == mid
            })
        }
        if m.to_server && h.command == SmbCommand::TRANSACTION {
            let t = parse_transaction_request(msg, &block, h.is_unicode())
                .unwrap_or_else(|e| panic!("frame {}: TRANSACTION request: {e}", m.frame));
            let name = t.name.to_string_lossy();
            assert!(
                name.eq_ignore_ascii_case("\\PIPE\\LANMAN"),
                "frame {}: transaction on {name:?}",
                m.frame
            );
            let mut request = TransactionAssembler::new();
            request.push(&t).unwrap();
            calls.push(Pending {
                complete: request.is_block_complete(TransBlock::Parameters),
                call: RapCall {
                    client_port: m.client_port,
                    server_port: m.server_port,
                    mid: h.mid,
                    primary_frame: m.frame,
                    request_frame: m.frame,
                    max_parameter_count: t.max_parameter_count,
                    max_data_count: t.max_data_count,
                    ..RapCall::default()
                },
                request,
                asm: TransactionAssembler::new(),
            });
        } else if m.to_server {
            let s = parse_transaction_secondary(msg, &block)
                .unwrap_or_else(|e| panic!("frame {}: TRANSACTION_SECONDARY: {e}", m.frame));
            let p = find(&mut calls, m, h.mid)
                .unwrap_or_else(|| panic!("frame {}: secondary without a primary", m.frame));
            p.request.push(&s).unwrap();
            p.call.secondary_frames.push(m.frame);
            p.call.request_frame = m.frame;
            p.complete = p.request.is_block_complete(TransBlock::Parameters);
        } else {
            let r = parse_response(msg).unwrap();
            let p = find(&mut calls, m, h.mid)
                .unwrap_or_else(|| panic!("frame {}: response without a request", m.frame));
            match r.transaction() {
                Ok(TransactionReply::Interim) if h.status == 0 && !p.complete => {
                    p.call.interim_frame = Some(m.frame);
                }
                Ok(TransactionReply::Interim) | Err(_) => {
                    p.call.response_frames.push(m.frame);
                    p.call.smb_status = h.status;
                    p.call.reply_params = None;
                }
                Ok(TransactionReply::Part(part)) => {
                    p.call.response_frames.push(m.frame);
                    p.call.smb_status = h.status;
                    if p.asm.push(&part).unwrap() {
                        let (params, data) = p.asm.take();
                        p.call.reply_params = Some(params);
                        p.call.reply_data = data;
                    }
                }
            }
        }
    }
    calls
        .into_iter()
        .map(|mut p| {
            p.call.params = p.request.into_blocks().0;
            p.call
        })
        .collect()
}

/// Read a capture and list its RAP transactions.
pub fn wire_calls(pcap: &Path, servers: &[(u16, Framing)]) -> Vec<RapCall> {
    rap_calls(&smb_messages(&read_pcap(pcap), servers))
}

// ---------------------------------------------------------------------------
// Plumbing for the captures.

/// A loopback TCP forwarder: accepts on `listen`, connects each client to
/// `upstream`, and copies both ways, writing at most `chunk` bytes per
/// write() with TCP_NODELAY and a short pause between writes, so that each
/// chunk leaves as its own TCP segment.
pub struct Proxy {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    pub fn start(listen: SocketAddr, upstream: SocketAddr, chunk: usize) -> Proxy {
        let l = TcpListener::bind(listen).unwrap_or_else(|e| panic!("bind {listen}: {e}"));
        l.set_nonblocking(true).unwrap();
        let addr = l.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut pumps = Vec::new();
            while !s.load(Ordering::Relaxed) {
                match l.accept() {
                    Ok((c, _)) => {
                        c.set_nonblocking(false).unwrap();
                        let u = TcpStream::connect(upstream).unwrap();
                        for x in [&c, &u] {
                            x.set_nodelay(true).unwrap();
                            x.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                        }
                        let (c2, u2) = (c.try_clone().unwrap(), u.try_clone().unwrap());
                        pumps.push(std::thread::spawn(move || pump(c, u, chunk)));
                        pumps.push(std::thread::spawn(move || pump(u2, c2, chunk)));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            for p in pumps {
                let _ = p.join();
            }
        });
        Proxy {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, chunk: usize) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for c in buf[..n].chunks(chunk.max(1)) {
            if to.write_all(c).is_err() {
                return;
            }
            if n > chunk {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
