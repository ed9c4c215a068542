//! `msrap conform`: the conformance suite against any SMB1 server.

use std::process::ExitCode;

use clap::Args;

use super::{connect, runtime, CliError, ConnArgs};
use msrap::conform::{
    self, build_context, diff_replies, run, summary, Context, ExpectProfile, Verdict,
};

#[derive(Debug, Args)]
pub struct ConformArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Discover job ids with NetPrintJobEnum on this queue (same connection).
    #[arg(long)]
    pub queue: Option<String>,
    /// A job id to test (repeatable); default: the first job of --queue.
    #[arg(long = "job")]
    pub jobs: Vec<u16>,
    /// Whose behaviour the expectations describe: spec, windows or samba.
    #[arg(long, default_value = "spec", value_parser = parse_profile)]
    pub profile: ExpectProfile,
    /// One JSON object per case on stdout, then a summary object.
    #[arg(long)]
    pub json: bool,
    /// Differential mode: run every case on this server too and diff the answers field by field.
    #[arg(long, value_name = "HOST:PORT")]
    pub reference: Option<String>,
}

fn parse_profile(s: &str) -> Result<ExpectProfile, String> {
    ExpectProfile::by_name(s)
        .ok_or_else(|| format!("unknown profile {s:?} (use spec, windows or samba)"))
}

async fn setup(
    conn: &ConnArgs,
    queue: &Option<String>,
    jobs: &[u16],
) -> Result<(msrap::smb1::client::tcp::SmbClient, Vec<Context>), CliError> {
    let mut client = connect(conn).await?;
    let known = match queue {
        Some(q) => conform::enumerate(&mut client, q).await?,
        None => Vec::new(),
    };
    let ids: Vec<u16> = if jobs.is_empty() {
        known.first().copied().into_iter().collect()
    } else {
        jobs.to_vec()
    };
    if ids.is_empty() {
        return Err("no job to test: give --job ID, or --queue Q to enumerate one".into());
    }
    let mut ctxs = Vec::new();
    for id in ids {
        ctxs.push(build_context(&mut client, id, &known, queue.clone(), conn.code_page()?).await?);
    }
    Ok((client, ctxs))
}

pub fn run_cmd(a: ConformArgs) -> Result<ExitCode, CliError> {
    runtime()?.block_on(async move {
        let (mut client, ctxs) = setup(&a.conn, &a.queue, &a.jobs).await?;
        if let Some(reference) = &a.reference {
            let ref_conn = ConnArgs { server: reference.clone(), ..a.conn.clone() };
            let (mut other, other_ctxs) = setup(&ref_conn, &a.queue, &[]).await?;
            let mut differing = 0usize;
            for (ctx, octx) in ctxs.iter().zip(other_ctxs.iter().cycle()) {
                let ours = conform::catalogue(ctx);
                let theirs = conform::catalogue(octx);
                for (c, oc) in ours.iter().zip(theirs.iter()) {
                    let x = client.transact(&c.request).await;
                    let y = other.transact(&oc.request).await;
                    let d = match (x, y) {
                        (Ok(x), Ok(y)) => diff_replies(c.level, &x, &y, &ctx.code_page),
                        (x, y) => vec![format!("transport: {:?} / {:?}", x.err().map(|e| e.to_string()), y.err().map(|e| e.to_string()))],
                    };
                    if d.is_empty() {
                        crate::outln!("SAME {}", c.id);
                    } else {
                        differing += 1;
                        crate::outln!("DIFF {} [{} {}]", c.id, c.section, c.clause);
                        for line in d {
                            crate::outln!("     {line}");
                        }
                    }
                }
            }
            crate::outln!("{differing} cases differ between {} and {reference}", a.conn.server);
            return Ok(if differing == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
        let mut all = Vec::new();
        for ctx in &ctxs {
            let results = run(&mut client, ctx, a.profile).await;
            for r in &results {
                if a.json {
                    let (verdict, detail) = match &r.verdict {
                        Verdict::Pass => ("pass", Vec::new()),
                        Verdict::Fail(d) => ("fail", d.clone()),
                        Verdict::Skip(why) => ("skip", vec![why.clone()]),
                    };
                    crate::outln!(
                        "{}",
                        serde_json::json!({"job": ctx.job_id, "id": r.id, "section": r.section, "clause": r.clause,
                                           "verdict": verdict, "detail": detail})
                    );
                } else {
                    match &r.verdict {
                        Verdict::Pass => crate::outln!("PASS {}", r.id),
                        Verdict::Skip(why) => crate::outln!("SKIP {} ({why})", r.id),
                        Verdict::Fail(d) => {
                            crate::outln!("FAIL {} [{} {}]", r.id, r.section, r.clause);
                            for line in d {
                                crate::outln!("     {line}");
                            }
                        }
                    }
                }
            }
            all.extend(results);
        }
        client.close().await;
        let s = summary(&all);
        let failed: usize = s.iter().map(|x| x.2).sum();
        if a.json {
            let rows: Vec<_> = s.iter().map(|(sec, p, f, k)| serde_json::json!({"section": sec, "pass": p, "fail": f, "skip": k})).collect();
            crate::outln!("{}", serde_json::json!({"profile": a.profile.name(), "server": a.conn.server, "summary": rows}));
        } else {
            crate::outln!("\nprofile {} against {}:", a.profile.name(), a.conn.server);
            for (sec, p, f, k) in &s {
                crate::outln!("  {sec:<10} {p:>4} pass {f:>4} fail {k:>4} skip");
            }
        }
        Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    })
}
