//! `msrap decode`: RAP transactions out of pcap/pcapng captures.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CliError;
use msrap::decode::transactions::{
    RapTransaction, RawTransaction, Summary, TimestampIso, TransactionTracker,
};
use msrap::decode::{AnomalyKind, DecoderConfig, TransportEvent, TransportEvents};
use msrap::oem::OemCodePage;
use msrap::rap::dissect::{Fields, Iso8601, Value};
use msrap::smb1::SmbCommand;

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// A pcap or pcapng file, or `-` for standard input.
    pub input: PathBuf,
    /// One JSON object per transaction per line (schema in the README).
    #[arg(long)]
    pub json: bool,
    /// Only transactions with this RAP opcode (repeatable).
    #[arg(long = "opcode", value_name = "N")]
    pub opcodes: Vec<u16>,
    /// Transactions per command, status counts and anomaly counts on stderr at the end.
    #[arg(long)]
    pub summary: bool,
    /// Also treat this TCP port as an SMB server port (139 and 445 always are; repeatable).
    #[arg(long = "port", value_name = "N")]
    pub ports: Vec<u16>,
    /// Only decode SMB on ports 139, 445 and --port: do not recognise SMB1
    /// on other TCP ports by its framing.
    #[arg(long)]
    pub no_heuristics: bool,
    /// OEM code page of RAP strings.
    #[arg(long, default_value_t = msrap::oem::DEFAULT_CODE_PAGE)]
    pub codepage: u16,
}

pub fn run(a: DecodeArgs) -> Result<ExitCode, CliError> {
    let code_page = OemCodePage::new(a.codepage)?;
    let mut config = DecoderConfig::default();
    for p in &a.ports {
        config = config.with_port(*p);
    }
    config.heuristics = !a.no_heuristics;
    // Only TRANSACTION and TRANSACTION_SECONDARY matter here.
    config.smb1_commands = Some(BTreeSet::from([
        SmbCommand::TRANSACTION.0,
        SmbCommand::TRANSACTION_SECONDARY.0,
    ]));
    let (reader, len): (Box<dyn Read + Send>, Option<u64>) = if a.input.as_os_str() == "-" {
        (
            Box::new(std::io::BufReader::with_capacity(
                256 * 1024,
                std::io::stdin(),
            )),
            None,
        )
    } else {
        let f = std::fs::File::open(&a.input).map_err(|e| format!("{}: {e}", a.input.display()))?;
        let len = f.metadata().ok().map(|m| m.len());
        // No BufReader: the capture reader asks for its whole free buffer
        // (hundreds of KiB) per read, so another buffer would only add a copy.
        (Box::new(f), len)
    };
    let mut events =
        TransportEvents::new(reader, config).map_err(|e| format!("{}: {e}", a.input.display()))?;
    let bar = match len {
        Some(n) if std::io::stderr().is_terminal() && n > 8 << 20 => {
            let b = indicatif::ProgressBar::new(n);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            Some(b)
        }
        _ => None,
    };
    // Two stages, so that a second core is used: this thread reads the
    // capture, reassembles and pairs; the output thread dissects RAP and
    // writes text or JSON, in order. Batches are bounded in count and bytes
    // and the channel in batches, so memory stays bounded.
    let mut tracker = TransactionTracker::new(code_page);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RawTransaction>>(OUTPUT_QUEUE_BATCHES);
    let output = Output {
        json: a.json,
        opcodes: a.opcodes,
        code_page,
    };
    let writer = std::thread::Builder::new()
        .name("decode-output".into())
        .spawn(move || output.run(rx))
        .map_err(|e| format!("cannot start the output thread: {e}"))?;
    let mut batch = Vec::with_capacity(BATCH_TRANSACTIONS);
    let mut batch_bytes = 0usize;
    let mut sent_ok = true;
    let mut since = 0u32;
    let send = |batch: &mut Vec<RawTransaction>, batch_bytes: &mut usize| -> bool {
        *batch_bytes = 0;
        let full = std::mem::replace(batch, Vec::with_capacity(BATCH_TRANSACTIONS));
        // A send error means the output thread stopped (its error is reported below).
        tx.send(full).is_ok()
    };
    let mut before = 0usize;
    // Damage to the capture file itself: reading stopped there.
    let mut damage: Option<AnomalyKind> = None;
    while let Some(e) = events.next() {
        if let TransportEvent::Anomaly(an) = &e {
            if an.kind.stops_reading() {
                damage.get_or_insert_with(|| an.kind.clone());
            }
        }
        tracker.on_event_raw(&e, &mut batch);
        if batch.len() > before {
            batch_bytes = batch
                .get(before..)
                .unwrap_or_default()
                .iter()
                .fold(batch_bytes, |n, t| n.saturating_add(t.payload_len()));
            if batch.len() >= BATCH_TRANSACTIONS || batch_bytes >= BATCH_BYTES {
                sent_ok = send(&mut batch, &mut batch_bytes);
                if !sent_ok {
                    break;
                }
            }
            before = batch.len();
        }
        since += 1;
        if since >= 4096 {
            since = 0;
            if let Some(b) = &bar {
                b.set_position(events.bytes_consumed());
            }
        }
    }
    if sent_ok {
        tracker.finish_raw(&mut batch);
        send(&mut batch, &mut batch_bytes);
    }
    drop(tx);
    let (n, summary) = writer
        .join()
        .map_err(|_| "the output thread panicked".to_string())??;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let stats = events.stats().clone();
    if a.summary {
        eprintln!(
            "{n} RAP transactions; {} packets, {} bytes",
            stats.packets, stats.bytes
        );
        for (k, v) in &summary.by_command {
            eprintln!("  command {k}: {v}");
        }
        for (k, v) in &summary.by_status {
            eprintln!("  status {k}: {v}");
        }
        for (k, v) in &summary.by_anomaly {
            eprintln!("  anomaly {k}: {v}");
        }
        eprintln!("  transport anomalies: {}", stats.anomaly_total());
        for (k, v) in &stats.anomalies {
            eprintln!("    {k}: {v}");
        }
        if !stats.recognised_ports.is_empty() {
            let ports: Vec<String> = stats.recognised_ports.iter().map(u16::to_string).collect();
            eprintln!(
                "  SMB1 recognised by its framing on TCP port {}",
                ports.join(", ")
            );
        }
    }
    if let Some(kind) = damage {
        // As tshark: what could be decoded is out, but the input is damaged.
        let name = if a.input.as_os_str() == "-" {
            "standard input".to_string()
        } else {
            a.input.display().to_string()
        };
        eprintln!(
            "msrap: {name}: {kind} (the {} frames before it were decoded)",
            stats.packets
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// Transactions per batch handed to the output thread.
const BATCH_TRANSACTIONS: usize = 256;
/// Transaction bytes after which a batch is handed over early.
const BATCH_BYTES: usize = 256 * 1024;
/// Batches in flight between the threads.
const OUTPUT_QUEUE_BATCHES: usize = 4;

/// The output stage: RAP dissection, `--opcode` filter, summary counts, text or JSON.
struct Output {
    json: bool,
    opcodes: Vec<u16>,
    code_page: OemCodePage,
}

impl Output {
    /// Write every transaction received; returns how many were shown and their summary.
    fn run(
        self,
        rx: std::sync::mpsc::Receiver<Vec<RawTransaction>>,
    ) -> Result<(u64, Summary), CliError> {
        let mut summary = Summary::default();
        let mut n = 0u64;
        // A large buffer: one write per 64 KiB, not one per line.
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
        let mut line = Vec::with_capacity(4096);
        for batch in rx {
            for raw in batch {
                // `--opcode` before dissecting: the opcode is the first parameter word.
                if !self.opcodes.is_empty()
                    && !raw.opcode().is_some_and(|o| self.opcodes.contains(&o.0))
                {
                    continue;
                }
                let t = raw.dissect(&self.code_page);
                n += 1;
                summary.add(&t);
                let written = if self.json {
                    line.clear();
                    t.write_json(&mut line);
                    line.push(b'\n');
                    out.write_all(&line)
                } else {
                    print_text(&mut out, n, &t)
                };
                written.or_else(quiet_pipe)?;
            }
        }
        out.flush().or_else(quiet_pipe)?;
        Ok((n, summary))
    }
}

/// One value as text: numbers, quoted strings, hex bytes, `null`, status names, times.
fn write_value(w: &mut impl Write, v: &Value) -> std::io::Result<()> {
    match v {
        Value::Int(n) => write!(w, "{n}"),
        Value::Str(s) => write!(w, "{s:?}"),
        Value::Bytes(b) => b.iter().try_for_each(|x| write!(w, "{x:02x}")),
        Value::Null => w.write_all(b"null"),
        Value::JobStatus(s) => write!(w, "{s}"),
        Value::QueueStatus(s) => match msrap::rap::print_queue::queue_status_name(*s) {
            Some(n) => w.write_all(n.as_bytes()),
            None => write!(w, "{s}"),
        },
        Value::Time(t) => w.write_all(Iso8601::new(*t).as_str().as_bytes()),
    }
}

/// `name=value` pairs separated by spaces (pads left out).
fn write_fields(w: &mut impl Write, f: &Fields) -> std::io::Result<()> {
    let mut first = true;
    for (k, v) in f.iter().filter(|(k, _)| k != "pad") {
        if !first {
            w.write_all(b" ")?;
        }
        first = false;
        w.write_all(k.as_bytes())?;
        w.write_all(b"=")?;
        write_value(w, v)?;
    }
    Ok(())
}

/// A closed pipe (`msrap decode ... | head`) ends the program quietly.
fn quiet_pipe(e: std::io::Error) -> Result<(), std::io::Error> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    Err(e)
}

fn print_text(w: &mut impl Write, n: u64, t: &RapTransaction) -> std::io::Result<()> {
    write!(w, "#{n} ")?;
    match (t.frame_request, t.frame_response) {
        (Some(a), Some(b)) => write!(w, "frames {a}→{b}"),
        (Some(a), None) => write!(w, "frame {a}→?"),
        (None, Some(b)) => write!(w, "frame ?→{b}"),
        (None, None) => w.write_all(b"frames ?"),
    }?;
    writeln!(
        w,
        " {} {} → {} (uid {} tid {} pid {} mid {})",
        TimestampIso::new(&t.time),
        t.flow.client,
        t.flow.server,
        t.uid,
        t.tid,
        t.pid,
        t.mid
    )?;
    let d = &t.rap;
    write!(
        w,
        "  request  {} ({}) \"{}\" \"{}\"",
        d.command.unwrap_or("unknown command"),
        d.opcode.map_or(-1, |o| i64::from(o.0)),
        d.param_desc,
        d.data_desc,
    )?;
    if let Some(a) = &d.aux_desc {
        write!(w, " aux \"{a}\"")?;
    }
    w.write_all(b": ")?;
    write_fields(w, &d.params)?;
    w.write_all(b"\n")?;
    match (&d.response, t.smb_status) {
        (Some(r), _) => {
            write!(
                w,
                "  response {} ({}), Converter {}{}",
                r.status.display_name().unwrap_or("unknown status"),
                r.status.0,
                r.converter,
                if r.params.is_empty() { "" } else { ": " },
            )?;
            write_fields(w, &r.params)?;
            w.write_all(b"\n")?;
            for (i, e) in r.entries.iter().enumerate() {
                write!(w, "    [{i}] ")?;
                write_fields(w, e)?;
                w.write_all(b"\n")?;
                for (j, a) in r
                    .aux
                    .get(i)
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .enumerate()
                {
                    write!(w, "      [{i}.{j}] ")?;
                    write_fields(w, a)?;
                    w.write_all(b"\n")?;
                }
            }
        }
        (None, Some(s)) => writeln!(w, "  response SMB {s:?}, no RAP payload")?,
        (None, None) => writeln!(w, "  response none")?,
    }
    for a in &t.anomalies {
        writeln!(w, "  anomaly: {a}")?;
    }
    Ok(())
}
