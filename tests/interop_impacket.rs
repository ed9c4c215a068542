//! impacket (a real, independent SMB1 client) against `msrap serve`'s
//! server over TCP on 127.0.0.1: NetPrintJobGetInfo for every sample job at
//! every level with large, exact, small and zero buffers; bad ParamDesc, bad
//! level, unknown job.
#![cfg(feature = "server")]

mod support;

use msrap::codes::{NtStatus, RapStatus};
use msrap::oem::OemCodePage;
use msrap::rap::commands::net_print_job_get_info::parse_get_info_response;
use msrap::rap::descriptor::job;
use msrap::rap::print_job::{PrintJobInfo, RapJobStatus};
use msrap::rap::{RapConfig, RapOutcome, RapResponse, RapServer, TransactionInput};
use msrap::spool::sample::sample_spooler;
use pretty_assertions::assert_eq;
use support::peers::{impacket_batch, Reply, Request};
use support::server::TestServer;
use support::to_hex;

const JOBS: [u16; 6] = [3, 4, 5, 6, 7, 9];

fn get_info(job_id: u16, level: u16, rbs: u16) -> Vec<u8> {
    let mut v = Vec::new();
    msrap::rap::commands::net_print_job_get_info::PrintJobGetInfoRequest {
        job_id,
        level,
        receive_buffer_size: rbs,
    }
    .encode(job::for_level(level).unwrap_or(b"W"), &mut v);
    v
}

/// What the codec answers in process for the same request.
fn in_process(rap: &RapServer<msrap::spool::MemorySpooler>, req: &Request) -> Reply {
    let mut out = RapResponse::default();
    let input = TransactionInput {
        parameters: &req.params,
        data: &[],
        max_parameter_count: req.max_param,
        max_data_count: req.max_data,
    };
    match rap.handle(&input, &mut out) {
        RapOutcome::Reply(_) => Reply {
            smb_status: 0,
            params: out.params,
            data: out.data,
        },
        RapOutcome::FailTransaction(s) => Reply {
            smb_status: s.0,
            params: vec![],
            data: vec![],
        },
    }
}

#[test]
fn impacket_getinfo_every_job_level_and_buffer() {
    let mut config = RapConfig::default();
    config.utc_offset_secs = 0;
    let server = TestServer::rap(config.clone());
    let rap = RapServer::new(config, sample_spooler());
    // Large buffer first, to learn TotalBytesAvailable for the "exact" size.
    let mut reqs = Vec::new();
    for job in JOBS {
        for level in 0..4 {
            reqs.push(Request::new(get_info(job, level, 4096), 6, 4096));
        }
    }
    let large = impacket_batch(server.addr, "IPC$", &reqs);
    let mut second = Vec::new();
    for (req, rep) in reqs.iter().zip(&large) {
        assert_eq!(
            *rep,
            in_process(&rap, req),
            "large buffer: SMB path and codec agree"
        );
        let p = msrap::rap::response::parse_response_params(&rep.params).unwrap();
        assert_eq!(p.status, RapStatus::ERROR_SUCCESS);
        let total = u16::from_le_bytes([rep.params[4], rep.params[5]]);
        assert_eq!(usize::from(total), rep.data.len());
        let jl = &req.params[req.params.len() - 6..];
        let (job, level) = (
            u16::from_le_bytes([jl[0], jl[1]]),
            u16::from_le_bytes([jl[2], jl[3]]),
        );
        let fixed = msrap::rap::Descriptor(job::for_level(level).unwrap())
            .fixed_size()
            .unwrap();
        for rbs in [total, fixed + 1, fixed - 1, 0] {
            second.push(Request::new(get_info(job, level, rbs), 6, rbs));
        }
    }
    let replies = impacket_batch(server.addr, "IPC$", &second);
    for (req, rep) in second.iter().zip(&replies) {
        assert_eq!(
            *rep,
            in_process(&rap, req),
            "request {}",
            to_hex(&req.params)
        );
        let rbs = req.max_data;
        let jl = &req.params[req.params.len() - 6..];
        let level = u16::from_le_bytes([jl[2], jl[3]]);
        let fixed = msrap::rap::Descriptor(job::for_level(level).unwrap())
            .fixed_size()
            .unwrap();
        let r = parse_get_info_response(level, &rep.params, &rep.data, &OemCodePage::default())
            .unwrap();
        let total = r.total_bytes_available.unwrap();
        let want = if rbs < fixed {
            RapStatus::NERR_BUF_TOO_SMALL
        } else if rbs < total {
            RapStatus::ERROR_MORE_DATA
        } else {
            RapStatus::ERROR_SUCCESS
        };
        assert_eq!(r.status, want, "rbs {rbs} level {level} total {total}");
        assert!(rep.data.len() <= usize::from(rbs));
    }
    // Spot-check decoded fields: job 3 level 2 (spec-facts T4) and the non-ASCII job 6 level 3.
    let r = parse_get_info_response(2, &large[2].params, &large[2].data, &OemCodePage::default())
        .unwrap();
    let PrintJobInfo::Level2(i) = r.info.unwrap() else {
        panic!("level 2")
    };
    assert_eq!(
        (
            i.job_id,
            i.user_name.as_deref(),
            i.job_status,
            i.time_submitted,
            i.job_size,
            i.document_name.as_deref()
        ),
        (
            3,
            Some("alice"),
            RapJobStatus(3),
            0x65A5_2670,
            1234,
            Some("report.txt")
        )
    );
    let r = parse_get_info_response(
        3,
        &large[15].params,
        &large[15].data,
        &OemCodePage::default(),
    )
    .unwrap();
    let PrintJobInfo::Level3(i) = r.info.unwrap() else {
        panic!("level 3")
    };
    assert_eq!(i.job_id, 6);
    assert_eq!(
        i.document_name.as_deref(),
        Some("Übersicht ? café.pdf"),
        "cp850 has no en dash"
    );
    assert_eq!(
        i.job_status,
        RapJobStatus(0x10),
        "ERROR|PAPEROUT → QUEUED + PRJ_QS_ERROR"
    );
    assert_eq!(i.queue_name.as_deref(), Some("LASER"));
    assert_eq!(i.printer_name.as_deref(), Some("\\\\SRV\\LASER"));
}

#[test]
fn impacket_error_cases() {
    let server = TestServer::rap(RapConfig::default());
    let mut bad_desc = Vec::new();
    bad_desc.extend_from_slice(b"\x4D\x00WrLh\x00WWzWWDDzz\x00\x02\x00\x00\x04");
    let reqs = [
        Request::new(bad_desc.clone(), 6, 1024),
        Request::new(get_info(3, 4, 1024), 6, 1024),
        Request::new(get_info(3, 0xFFFF, 1024), 6, 1024),
        Request::new(get_info(0x7777, 2, 1024), 6, 1024),
        Request::new(get_info(0, 2, 1024), 6, 1024),
    ];
    let replies = impacket_batch(server.addr, "IPC$", &reqs);
    let statuses: Vec<(u32, Vec<u8>, usize)> = replies
        .iter()
        .map(|r| (r.smb_status, r.params.clone(), r.data.len()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (0, vec![0x57, 0, 0, 0, 0, 0], 0),
            (0, vec![0x7C, 0, 0, 0, 0, 0], 0),
            (0, vec![0x7C, 0, 0, 0, 0, 0], 0),
            (0, vec![0x57, 0, 0, 0, 0, 0], 0),
            (0, vec![0x57, 0, 0, 0, 0, 0], 0),
        ]
    );
    // Windows profile: a bad ParamDesc fails the SMB transaction (<75>).
    let server = TestServer::rap({
        let mut c = RapConfig::default();
        c.profile = msrap::rap::Profile::WINDOWS;
        c
    });
    let replies = impacket_batch(server.addr, "IPC$", &[Request::new(bad_desc, 6, 1024)]);
    assert_eq!(replies[0].smb_status, NtStatus::STATUS_INVALID_PARAMETER.0);
    assert_eq!(replies[0].params, Vec::<u8>::new());
}
