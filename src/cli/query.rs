//! `msrap query`: NetPrintJobEnum / NetPrintJobGetInfo against any SMB1 server.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{connect, runtime, CliError, ConnArgs};
use msrap::codes::{NtStatus, RapStatus};
use msrap::conform::LARGE;
use msrap::rap::commands::net_print_job_enum::PrintJobEnumRequest;
use msrap::rap::commands::net_print_job_get_info::PrintJobGetInfoRequest;
use msrap::rap::descriptor::job;
use msrap::rap::dissect::{dissect, iso8601, Dissection, Value};
use msrap::smb1::client::TransRequest;

#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// One JSON object on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, Subcommand)]
pub enum What {
    /// List a queue's jobs (NetPrintJobEnum, opcode 76).
    Jobs {
        /// The print queue (share) name.
        queue: String,
        /// Info level 0, 1 or 2.
        #[arg(long, default_value_t = 2)]
        level: u16,
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
    /// One job's details (NetPrintJobGetInfo, opcode 77).
    Job {
        /// The RAP job id.
        id: u16,
        /// Info level 0, 1, 2 or 3.
        #[arg(long, default_value_t = 3)]
        level: u16,
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
        /// Enumerate this queue first on the same connection (Samba only knows
        /// RAP job ids on the connection that enumerated them).
        #[arg(long, value_name = "QUEUE")]
        enum_first: Option<String>,
    },
}

pub fn run(a: QueryArgs) -> Result<ExitCode, CliError> {
    runtime()?.block_on(async move {
        let mut client = connect(&a.conn).await?;
        let req = match &a.what {
            What::Jobs {
                queue,
                level,
                bufsize,
            } => {
                let mut p = Vec::new();
                PrintJobEnumRequest {
                    queue: queue.as_bytes(),
                    level: *level,
                    receive_buffer_size: *bufsize,
                }
                .encode(job::for_level(*level).unwrap_or(b""), &mut p);
                TransRequest {
                    params: p,
                    data: vec![],
                    max_parameter_count: 8,
                    max_data_count: *bufsize,
                }
            }
            What::Job {
                id,
                level,
                bufsize,
                enum_first,
            } => {
                if let Some(q) = enum_first {
                    msrap::conform::enumerate(&mut client, q).await?;
                }
                let mut p = Vec::new();
                PrintJobGetInfoRequest {
                    job_id: *id,
                    level: *level,
                    receive_buffer_size: *bufsize,
                }
                .encode(job::for_level(*level).unwrap_or(b""), &mut p);
                TransRequest {
                    params: p,
                    data: vec![],
                    max_parameter_count: 6,
                    max_data_count: *bufsize,
                }
            }
        };
        let reply = client.transact(&req).await?;
        client.close().await;
        let d = dissect(
            &req.params,
            Some((&reply.params, &reply.data)),
            &a.conn.code_page()?,
        );
        let status = d.response.as_ref().map(|r| r.status);
        let ok = reply.smb_status == NtStatus::STATUS_SUCCESS
            && status.is_some_and(|s| s.carries_data());
        if a.json {
            let mut m = d.to_json();
            m.insert("smb_status".into(), serde_json::json!(reply.smb_status.0));
            m.insert(
                "smb_status_name".into(),
                serde_json::json!(reply.smb_status.name()),
            );
            crate::outln!("{}", serde_json::Value::Object(m));
        } else {
            print_text(&d, reply.smb_status);
        }
        Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}

fn show(v: &Value) -> String {
    match v {
        Value::Int(n) => n.to_string(),
        Value::Str(s) => s.clone(),
        Value::Bytes(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        Value::Null => "-".into(),
        Value::JobStatus(s) => s.to_string(),
        Value::Time(t) => iso8601(*t),
    }
}

fn print_text(d: &Dissection, smb: NtStatus) {
    if smb != NtStatus::STATUS_SUCCESS {
        crate::outln!("SMB error: {smb}");
    }
    let Some(r) = &d.response else {
        return;
    };
    crate::outln!(
        "{}: {} (status {}){}",
        d.command.unwrap_or("RAP"),
        r.status.display_name().unwrap_or("unknown status"),
        r.status.0,
        if r.converter != 0 {
            format!(", Converter {}", r.converter)
        } else {
            String::new()
        }
    );
    for (k, v) in &r.params {
        crate::outln!("  {k}: {}", show(v));
    }
    for (i, e) in r.entries.iter().enumerate() {
        if r.is_array {
            crate::outln!("entry {}:", i + 1);
        }
        for (k, v) in e {
            if k != "pad" {
                crate::outln!("  {k:<24} {}", show(v));
            }
        }
        // Auxiliary structures (the jobs of a queue at levels 2 and 4).
        for (j, a) in r
            .aux
            .get(i)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            crate::outln!("  aux {}:", j + 1);
            for (k, v) in a {
                if k != "pad" {
                    crate::outln!("    {k:<22} {}", show(v));
                }
            }
        }
    }
    for a in &d.anomalies {
        crate::outln!("  anomaly: {a}");
    }
    if r.status != RapStatus::ERROR_SUCCESS && r.status != RapStatus::ERROR_MORE_DATA {
        eprintln!("msrap: the server answered {}", r.status);
    }
}
