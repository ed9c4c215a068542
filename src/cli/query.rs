//! `msrap query`: NetPrintJobEnum / NetPrintJobGetInfo, the job and queue
//! control commands, the print queues and the LAN Manager commands (shares,
//! server, workstation, time) against any SMB1 server.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{connect, runtime, CliError, ConnArgs};
use msrap::codes::{NtStatus, RapStatus};
use msrap::conform::LARGE;
use msrap::rap::commands::net_print_job_enum::PrintJobEnumRequest;
use msrap::rap::commands::net_print_job_get_info::PrintJobGetInfoRequest;
use msrap::rap::commands::net_remote_tod::RemoteTodRequest;
use msrap::rap::commands::net_server_get_info::ServerGetInfoRequest;
use msrap::rap::commands::net_share_enum::ShareEnumRequest;
use msrap::rap::commands::net_share_get_info::ShareGetInfoRequest;
use msrap::rap::commands::net_wksta_get_info::WkstaGetInfoRequest;
use msrap::rap::descriptor::job;
use msrap::rap::dissect::{dissect_with_data, iso8601, Dissection, Value};
use msrap::rap::lanman::{ServerInfo, ShareInfo, TimeOfDayInfo, WkstaInfo10};
use msrap::smb1::client::TransRequest;

// ---- job and queue control (81, 82, 83, 147; 74, 75, 103) ----
use msrap::rap::commands::net_print_job_continue::PrintJobContinueRequest;
use msrap::rap::commands::net_print_job_del::PrintJobDeleteRequest;
use msrap::rap::commands::net_print_job_pause::PrintJobPauseRequest;
use msrap::rap::commands::net_print_job_set_info::{PrintJobSetInfoRequest, PARAM_NUM_JOB_COMMENT};
use msrap::rap::commands::net_print_q_continue::PrintQContinueRequest;
use msrap::rap::commands::net_print_q_pause::PrintQPauseRequest;
use msrap::rap::commands::net_print_q_purge::PrintQPurgeRequest;

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
    // ---- print queues and destinations (opcodes 69, 70, 84, 85) ----
    /// Every print queue with, at levels 2 and 4, its jobs (NetPrintQEnum, opcode 69).
    Queues {
        /// Info level 0 to 5.
        #[arg(long, default_value_t = 2)]
        level: u16,
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
    /// One print queue (NetPrintQGetInfo, opcode 70).
    Queue {
        /// The queue name (Win9x's `QUEUE%user` form is accepted by servers).
        name: String,
        /// Info level 0 to 5.
        #[arg(long, default_value_t = 2)]
        level: u16,
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
    /// Every print destination (NetPrintDestEnum, opcode 84).
    Dests {
        /// Info level 0 to 3.
        #[arg(long, default_value_t = 1)]
        level: u16,
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
    /// One print destination (NetPrintDestGetInfo, opcode 85).
    Dest {
        /// The destination (printer) name.
        name: String,
        /// Info level 0 to 3.
        #[arg(long, default_value_t = 3)]
        level: u16,
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
    // ---- job and queue control ----
    /// Delete a job (NetPrintJobDel, opcode 81).
    Cancel(JobArgs),
    /// Pause a job (NetPrintJobPause, opcode 82).
    Pause(JobArgs),
    /// Resume a paused job (NetPrintJobContinue, opcode 83).
    Resume(JobArgs),
    /// Rename a job's document (NetPrintJobSetInfo level 1, ParamNum 11 JobComment, opcode 147).
    Rename {
        #[command(flatten)]
        job: JobArgs,
        /// The new document name.
        name: String,
    },
    /// Pause a queue (NetPrintQPause, opcode 74).
    PauseQueue {
        /// The print queue name.
        queue: String,
    },
    /// Resume a paused queue (NetPrintQContinue, opcode 75).
    ResumeQueue {
        /// The print queue name.
        queue: String,
    },
    /// Delete every job of a queue (NetPrintQPurge, opcode 103).
    Purge {
        /// The print queue name.
        queue: String,
    },
    // ---- LAN Manager commands ----
    /// List the server's shares (NetShareEnum, opcode 0).
    Shares {
        /// Info level 0, 1 or 2.
        #[arg(long, default_value_t = 1)]
        level: u16,
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
    /// One share's details (NetShareGetInfo, opcode 1).
    Share {
        /// The share name.
        name: String,
        /// Info level 0, 1 or 2.
        #[arg(long, default_value_t = 2)]
        level: u16,
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
    /// The server's name, version, type and comment (NetServerGetInfo, opcode 13).
    Server {
        /// Info level 0 or 1.
        #[arg(long, default_value_t = 1)]
        level: u16,
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
    /// The server's workstation details (NetWkstaGetInfo level 10, opcode 63).
    Wksta {
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
    /// The server's time of day (NetRemoteTOD, opcode 91).
    Time {
        /// ReceiveBufferSize (also MaxDataCount).
        #[arg(long, default_value_t = LARGE)]
        bufsize: u16,
    },
}

/// A job to control.
#[derive(Debug, Args)]
pub struct JobArgs {
    /// The RAP job id.
    pub id: u16,
    /// Enumerate this queue first on the same connection (Samba only knows
    /// RAP job ids on the connection that enumerated them).
    #[arg(long, value_name = "QUEUE")]
    pub enum_first: Option<String>,
}

/// A control request: parameters with the spec's DataDesc (null, or the
/// level-1 job structure for SetInfo), RAPInData, room for 8 bytes of
/// response parameters (so a server that pads shows it).
fn control_request(what: &What, cp: &msrap::oem::OemCodePage) -> Option<TransRequest> {
    let mut params = Vec::new();
    let mut data = Vec::new();
    match what {
        What::Cancel(j) => PrintJobDeleteRequest { job_id: j.id }.encode(b"", &mut params),
        What::Pause(j) => PrintJobPauseRequest { job_id: j.id }.encode(b"", &mut params),
        What::Resume(j) => PrintJobContinueRequest { job_id: j.id }.encode(b"", &mut params),
        What::Rename { job, name } => {
            cp.encode_into(name, &mut data);
            data.push(0);
            PrintJobSetInfoRequest {
                job_id: job.id,
                level: 1,
                buffer_size: u16::try_from(data.len()).unwrap_or(u16::MAX),
                param_num: PARAM_NUM_JOB_COMMENT,
            }
            .encode(job::LEVEL_1, &mut params)
        }
        What::PauseQueue { queue } => PrintQPauseRequest {
            queue: queue.as_bytes(),
        }
        .encode(b"", &mut params),
        What::ResumeQueue { queue } => PrintQContinueRequest {
            queue: queue.as_bytes(),
        }
        .encode(b"", &mut params),
        What::Purge { queue } => PrintQPurgeRequest {
            queue: queue.as_bytes(),
        }
        .encode(b"", &mut params),
        _ => return None,
    }
    Some(TransRequest {
        params,
        data,
        max_parameter_count: 8,
        max_data_count: 0,
    })
}

/// The queue to enumerate first, for a job control subcommand.
fn control_enum_first(what: &What) -> Option<&str> {
    match what {
        What::Cancel(j) | What::Pause(j) | What::Resume(j) | What::Rename { job: j, .. } => {
            j.enum_first.as_deref()
        }
        _ => None,
    }
}

/// The request of a LAN Manager subcommand, or `None` for the print ones.
fn lanman_request(what: &What) -> Option<TransRequest> {
    let mut p = Vec::new();
    let (max_parameter_count, bufsize) = match *what {
        What::Shares { level, bufsize } => {
            ShareEnumRequest {
                level,
                receive_buffer_size: bufsize,
            }
            .encode(share_data_desc(level), &mut p);
            (8, bufsize)
        }
        What::Share {
            ref name,
            level,
            bufsize,
        } => {
            ShareGetInfoRequest {
                net_name: name.as_bytes(),
                level,
                receive_buffer_size: bufsize,
            }
            .encode(share_data_desc(level), &mut p);
            (6, bufsize)
        }
        What::Server { level, bufsize } => {
            ServerGetInfoRequest {
                level,
                receive_buffer_size: bufsize,
            }
            .encode(
                ServerInfo::meta_for_level(level).map_or(b"", |m| m.descriptor),
                &mut p,
            );
            (6, bufsize)
        }
        What::Wksta { bufsize } => {
            WkstaGetInfoRequest {
                level: 10,
                receive_buffer_size: bufsize,
            }
            .encode(WkstaInfo10::DESCRIPTOR, &mut p);
            (6, bufsize)
        }
        What::Time { bufsize } => {
            RemoteTodRequest {
                receive_buffer_size: bufsize,
            }
            .encode(TimeOfDayInfo::DESCRIPTOR, &mut p);
            (4, bufsize)
        }
        What::Jobs { .. }
        | What::Job { .. }
        | What::Cancel(_)
        | What::Pause(_)
        | What::Resume(_)
        | What::Rename { .. }
        | What::PauseQueue { .. }
        | What::ResumeQueue { .. }
        | What::Purge { .. }
        | What::Queues { .. }
        | What::Queue { .. }
        | What::Dests { .. }
        | What::Dest { .. } => return None,
    };
    Some(TransRequest {
        params: p,
        data: vec![],
        max_parameter_count,
        max_data_count: bufsize,
    })
}

fn share_data_desc(level: u16) -> &'static [u8] {
    ShareInfo::meta_for_level(level).map_or(b"", |m| m.descriptor)
}

/// NetPrintQEnum / NetPrintQGetInfo / NetPrintDestEnum / NetPrintDestGetInfo
/// requests, with the AuxDesc MS-RAP gives (`WB21BB16B10zWWzDDz` at level 2,
/// PrintJobInfo2's at level 4, as servers answer).
fn queue_request(what: &What) -> Option<TransRequest> {
    use msrap::rap::commands::net_print_dest_enum::PrintDestEnumRequest;
    use msrap::rap::commands::net_print_dest_get_info::PrintDestGetInfoRequest;
    use msrap::rap::commands::net_print_q_enum::q_enum_request;
    use msrap::rap::commands::net_print_q_get_info::q_get_info_request;
    use msrap::rap::print_dest::PrintDestInfo;
    use msrap::rap::print_queue::aux_meta_for_level;
    let aux = |level: u16| aux_meta_for_level(level).map(|m| m.descriptor);
    let dest_desc =
        |level: u16| PrintDestInfo::meta_for_level(level).map_or(&b""[..], |m| m.descriptor);
    let (params, mpc, bufsize) = match *what {
        What::Queues { level, bufsize } => (q_enum_request(level, bufsize, aux(level)), 8, bufsize),
        What::Queue {
            ref name,
            level,
            bufsize,
        } => (
            q_get_info_request(name.as_bytes(), level, bufsize, aux(level)),
            6,
            bufsize,
        ),
        What::Dests { level, bufsize } => {
            let mut p = Vec::new();
            PrintDestEnumRequest {
                level,
                receive_buffer_size: bufsize,
            }
            .encode(dest_desc(level), &mut p);
            (p, 8, bufsize)
        }
        What::Dest {
            ref name,
            level,
            bufsize,
        } => {
            let mut p = Vec::new();
            PrintDestGetInfoRequest {
                name: name.as_bytes(),
                level,
                receive_buffer_size: bufsize,
            }
            .encode(dest_desc(level), &mut p);
            (p, 6, bufsize)
        }
        _ => return None,
    };
    Some(TransRequest {
        params,
        data: vec![],
        max_parameter_count: mpc,
        max_data_count: bufsize,
    })
}

pub fn run(a: QueryArgs) -> Result<ExitCode, CliError> {
    runtime()?.block_on(async move {
        let mut client = connect(&a.conn).await?;
        let req = match &a.what {
            w @ (What::Shares { .. }
            | What::Share { .. }
            | What::Server { .. }
            | What::Wksta { .. }
            | What::Time { .. }) => lanman_request(w).ok_or("no request")?,
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
            // ---- print queues and destinations ----
            other @ (What::Queues { .. }
            | What::Queue { .. }
            | What::Dests { .. }
            | What::Dest { .. }) => queue_request(other).ok_or("not a queue subcommand")?,
            // ---- job and queue control ----
            other => {
                if let Some(q) = control_enum_first(other) {
                    msrap::conform::enumerate(&mut client, q).await?;
                }
                control_request(other, &a.conn.code_page()?).ok_or("not a control subcommand")?
            }
        };
        let reply = client.transact(&req).await?;
        client.close().await;
        let d = dissect_with_data(
            &req.params,
            &req.data,
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
        Value::QueueStatus(s) => msrap::rap::print_queue::queue_status_name(*s)
            .map_or_else(|| s.to_string(), str::to_owned),
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
        eprintln!(
            "msrap: the server answered {}",
            super::rap_status_text(r.status)
        );
    }
}
