//! `msrap bench`: a NetPrintJobGetInfo (or, with `--enum-jobs`,
//! NetPrintJobEnum) load generator.
//!
//! Each connection enumerates first when `--queue` is given (Samba needs
//! it), then sends GetInfo (or the enumeration) in a loop until the
//! duration ends. Every answer
//! is checked against the first one of its connection; latency goes into a
//! log-linear histogram (bounded memory, about 1.6% resolution).
//! With `--server-pid`, the server's CPU time (the process, its live
//! descendants, and the children it already reaped) is read from /proc
//! before and after, for CPU seconds per 1000 requests.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use super::{connect, runtime, CliError, ConnArgs};
use msrap::codes::NtStatus;
use msrap::conform::{enumerate, get_info_params};
use msrap::rap::commands::net_print_job_enum::PrintJobEnumRequest;
use msrap::rap::descriptor::job;
use msrap::smb1::client::TransRequest;

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Concurrent connections.
    #[arg(long, default_value_t = 1)]
    pub connections: usize,
    /// Seconds to run.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Info level of the GetInfo requests.
    #[arg(long, default_value_t = 2)]
    pub level: u16,
    /// Enumerate this queue first on each connection and query its first job.
    #[arg(long)]
    pub queue: Option<String>,
    /// The job to query (default: the first job of --queue, else 3).
    #[arg(long)]
    pub job: Option<u16>,
    /// Send NetPrintJobEnum on --queue (at --level 0, 1 or 2) instead of
    /// NetPrintJobGetInfo.
    #[arg(long, requires = "queue")]
    pub enum_jobs: bool,
    /// ReceiveBufferSize / MaxDataCount of each request.
    #[arg(long, default_value_t = 4096)]
    pub bufsize: u16,
    /// The server's process id, to report its CPU seconds per 1000 requests
    /// (with its descendants; repeat for servers that work in several process trees).
    #[arg(long = "server-pid")]
    pub server_pids: Vec<u32>,
    /// A JSON object on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Log-linear latency histogram over microseconds: 64 linear sub-buckets
/// per power of two.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    max: u64,
    total: u64,
}

const SUB: u64 = 64;

impl Histogram {
    pub fn new() -> Histogram {
        Histogram {
            counts: vec![0; (64 * SUB) as usize],
            max: 0,
            total: 0,
        }
    }

    fn index(v: u64) -> usize {
        if v < SUB {
            return v as usize;
        }
        let exp = 63 - u64::from(v.leading_zeros()); // ≥ 6
        let shift = exp - 6;
        let mantissa = (v >> shift) - SUB; // 0..64
        ((exp - 5) * SUB + mantissa) as usize
    }

    fn value(i: usize) -> u64 {
        let i = i as u64;
        if i < SUB {
            return i;
        }
        let exp = i / SUB + 5;
        let mantissa = i % SUB;
        (SUB + mantissa) << (exp - 6)
    }

    pub fn record(&mut self, micros: u64) {
        if let Some(c) = self.counts.get_mut(Self::index(micros)) {
            *c += 1;
        }
        self.max = self.max.max(micros);
        self.total += 1;
    }

    pub fn merge(&mut self, o: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.max = self.max.max(o.max);
        self.total += o.total;
    }

    /// The value at quantile `q` (0..=1), in microseconds.
    pub fn quantile(&self, q: f64) -> u64 {
        let want = ((self.total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                // The bucket's upper bound, never above the largest value seen.
                return Self::value(i + 1).saturating_sub(1).min(self.max);
            }
        }
        self.max
    }
}

/// CPU seconds used so far by the processes `roots`, their live
/// descendants (each counted once) and the children the roots reaped.
fn cpu_seconds(roots: &[u32]) -> Option<f64> {
    let tick = 100.0; // USER_HZ on Linux
    let mut procs = Vec::new();
    for e in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        let num = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        // After ")": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
        procs.push((p, num(1) as u32, num(11) + num(12), num(13) + num(14)));
    }
    let mut tree: Vec<u32> = roots
        .iter()
        .copied()
        .filter(|r| procs.iter().any(|x| x.0 == *r))
        .collect();
    if tree.is_empty() {
        return None;
    }
    let mut i = 0;
    while let Some(&parent) = tree.get(i) {
        for &(p, ppid, _, _) in &procs {
            if ppid == parent && !tree.contains(&p) {
                tree.push(p);
            }
        }
        i += 1;
    }
    let own: u64 = procs
        .iter()
        .filter(|x| tree.contains(&x.0))
        .map(|x| x.2)
        .sum();
    let reaped: u64 = procs
        .iter()
        .filter(|x| roots.contains(&x.0))
        .map(|x| x.3)
        .sum();
    Some((own + reaped) as f64 / tick)
}

struct ConnResult {
    hist: Histogram,
    ok: u64,
    wrong: u64,
    failed: u64,
    error: Option<String>,
}

/// Run one connection until the deadline; the client is returned still
/// connected so that the server's CPU can be read before anything closes.
async fn one_connection(
    a: &BenchArgs,
    deadline: Instant,
) -> (ConnResult, Option<msrap::smb1::client::tcp::SmbClient>) {
    let mut r = ConnResult {
        hist: Histogram::new(),
        ok: 0,
        wrong: 0,
        failed: 0,
        error: None,
    };
    let mut client = match connect(&a.conn).await {
        Ok(c) => c,
        Err(e) => {
            r.error = Some(e.to_string());
            return (r, None);
        }
    };
    let mut job_id = a.job.unwrap_or(3);
    if let Some(q) = &a.queue {
        match enumerate(&mut client, q).await {
            Ok(ids) if a.job.is_none() => job_id = ids.first().copied().unwrap_or(job_id),
            Ok(_) => {}
            Err(e) => {
                r.error = Some(e);
                return (r, Some(client));
            }
        }
    }
    let req = match (&a.queue, a.enum_jobs) {
        (Some(q), true) => {
            let mut params = Vec::new();
            PrintJobEnumRequest {
                queue: q.as_bytes(),
                level: a.level,
                receive_buffer_size: a.bufsize,
            }
            .encode(job::for_level(a.level).unwrap_or(b"W"), &mut params);
            TransRequest {
                params,
                data: vec![],
                max_parameter_count: 8,
                max_data_count: a.bufsize,
            }
        }
        _ => TransRequest {
            params: get_info_params(
                job_id,
                a.level,
                a.bufsize,
                job::for_level(a.level).unwrap_or(b"W"),
            ),
            data: vec![],
            max_parameter_count: 6,
            max_data_count: a.bufsize,
        },
    };
    let mut first: Option<(Vec<u8>, Vec<u8>)> = None;
    while Instant::now() < deadline {
        let t = Instant::now();
        match client.transact(&req).await {
            Ok(rep) => {
                r.hist.record(t.elapsed().as_micros() as u64);
                let good = rep.smb_status == NtStatus::STATUS_SUCCESS
                    && rep.params.first() == Some(&0)
                    && rep.params.get(1) == Some(&0);
                match &first {
                    _ if !good => r.wrong += 1,
                    None => {
                        first = Some((rep.params, rep.data));
                        r.ok += 1;
                    }
                    Some((p, d)) if *p == rep.params && *d == rep.data => r.ok += 1,
                    Some(_) => r.wrong += 1,
                }
            }
            Err(e) => {
                r.failed += 1;
                r.error = Some(e.to_string());
                return (r, None);
            }
        }
    }
    (r, Some(client))
}

pub fn run(a: BenchArgs) -> Result<ExitCode, CliError> {
    let n = a.connections.max(1);
    let rt = runtime()?;
    let a = std::sync::Arc::new(a);
    let server_cpu = |pids: &[u32]| {
        if pids.is_empty() {
            None
        } else {
            cpu_seconds(pids)
        }
    };
    // One connection first, outside the measurement: a server that cannot
    // be reached is an error (exit 2, the connect error), as for `query`
    // and `conform`, not a run of zero requests.
    rt.block_on(async {
        let probe = connect(&a.conn).await?;
        probe.close().await;
        Ok::<_, CliError>(())
    })?;
    let cpu_before = server_cpu(&a.server_pids);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.duration.max(1));
    let (results, cpu_after, elapsed) = rt.block_on(async {
        // Every connection stops at the deadline and waits; the server's CPU
        // is read while all connections are still open (a forking server's
        // children have not exited yet), then they close.
        let stopped = std::sync::Arc::new(tokio::sync::Barrier::new(n + 1));
        let measured = std::sync::Arc::new(tokio::sync::Barrier::new(n + 1));
        let mut tasks = Vec::with_capacity(n);
        for _ in 0..n {
            let (a, stopped, measured) = (a.clone(), stopped.clone(), measured.clone());
            tasks.push(tokio::spawn(async move {
                let (r, client) = one_connection(&a, deadline).await;
                stopped.wait().await;
                measured.wait().await;
                if let Some(c) = client {
                    c.close().await;
                }
                r
            }));
        }
        stopped.wait().await;
        let elapsed = started.elapsed();
        let cpu_after = server_cpu(&a.server_pids);
        measured.wait().await;
        let mut results = Vec::with_capacity(n);
        for t in tasks {
            if let Ok(r) = t.await {
                results.push(r);
            }
        }
        (results, cpu_after, elapsed)
    });
    let mut hist = Histogram::new();
    let (mut ok, mut wrong, mut failed) = (0, 0, 0);
    let mut errors = Vec::new();
    for r in &results {
        hist.merge(&r.hist);
        ok += r.ok;
        wrong += r.wrong;
        failed += r.failed;
        if let Some(e) = &r.error {
            errors.push(e.clone());
        }
    }
    let total = ok + wrong;
    let secs = elapsed.as_secs_f64();
    let rps = total as f64 / secs;
    let cpu = match (cpu_before, cpu_after) {
        (Some(b), Some(a)) if total > 0 => Some((a - b) / total as f64 * 1000.0),
        _ => None,
    };
    if a.json {
        crate::outln!(
            "{}",
            serde_json::json!({
                "server": a.conn.server, "connections": n, "duration_s": secs, "level": a.level,
                "requests": total, "ok": ok, "wrong": wrong, "failed": failed, "requests_per_s": rps,
                "latency_us": {"p50": hist.quantile(0.5), "p99": hist.quantile(0.99), "max": hist.max},
                "server_cpu_s_per_1000": cpu, "errors": errors,
            })
        );
    } else {
        crate::outln!(
            "{} connections, {:.1} s, level {}: {total} requests, {rps:.0} req/s",
            n,
            secs,
            a.level
        );
        crate::outln!(
            "latency p50 {} µs, p99 {} µs, max {} µs",
            hist.quantile(0.5),
            hist.quantile(0.99),
            hist.max
        );
        crate::outln!("wrong answers {wrong}, failed requests {failed}");
        if let Some(c) = cpu {
            crate::outln!("server CPU {:.4} s per 1000 requests", c);
        }
        for e in errors.iter().take(5) {
            eprintln!("msrap: {e}");
        }
    }
    Ok(if wrong == 0 && failed == 0 && total > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::Histogram;

    #[test]
    fn histogram_quantiles() {
        let mut h = Histogram::new();
        for v in 1..=10_000u64 {
            h.record(v);
        }
        let p50 = h.quantile(0.5);
        assert!((4900..=5100).contains(&p50), "{p50}");
        assert_eq!(h.quantile(1.0), 10_000);
        assert_eq!(Histogram::value(Histogram::index(63)), 63);
        for v in [64u64, 100, 1000, 123_456, u32::MAX as u64] {
            let b = Histogram::value(Histogram::index(v));
            assert!(b <= v && v - b <= v / 64, "{v} -> {b}");
        }
    }
}
