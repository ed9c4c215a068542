//! Codec benchmarks: NetPrintJobGetInfo end to end (request bytes →
//! RapServer::handle over the in-memory sample spooler → params/data in a
//! reused RapResponse) for levels 0–3 in both string layouts, parsing
//! a level-3 reply on the client side, and NetShareEnum level 1 end to end
//! (the sample queues and IPC$); NetPrintQEnum level 2 (`net rap
//! printq`'s request) over one queue with five jobs.
//!
//! `cargo bench --bench codec --no-default-features`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use msrap::oem::OemCodePage;
use msrap::rap::commands::net_print_job_get_info::{
    parse_get_info_response, PrintJobGetInfoRequest,
};
use msrap::rap::commands::net_share_enum::ShareEnumRequest;
use msrap::rap::descriptor::job;
use msrap::rap::{Profile, RapConfig, RapResponse, RapServer, TransactionInput};
use msrap::spool::sample::sample_spooler;

fn request(level: u16) -> Vec<u8> {
    let mut v = Vec::new();
    PrintJobGetInfoRequest {
        job_id: 3,
        level,
        receive_buffer_size: 0x400,
    }
    .encode(job::for_level(level).unwrap(), &mut v);
    v
}

fn get_info(c: &mut Criterion) {
    let mut g = c.benchmark_group("get_info");
    for (name, profile) in [("spec", Profile::SPEC), ("windows", Profile::WINDOWS)] {
        let server = RapServer::new(
            {
                let mut c = RapConfig::default();
                c.profile = profile;
                c
            },
            sample_spooler(),
        );
        for level in 0..4u16 {
            let req = request(level);
            let mut out = RapResponse::default();
            g.bench_function(format!("level{level}/{name}"), |b| {
                b.iter(|| {
                    let input = TransactionInput {
                        parameters: black_box(&req),
                        data: &[],
                        max_parameter_count: 6,
                        max_data_count: 0x400,
                    };
                    black_box(server.handle(&input, &mut out));
                })
            });
        }
    }
    g.finish();
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_get_info_response");
    let cp = OemCodePage::default();
    for (name, profile) in [("spec", Profile::SPEC), ("windows", Profile::WINDOWS)] {
        let server = RapServer::new(
            {
                let mut c = RapConfig::default();
                c.profile = profile;
                c
            },
            sample_spooler(),
        );
        let mut out = RapResponse::default();
        server.handle(
            &TransactionInput {
                parameters: &request(3),
                data: &[],
                max_parameter_count: 6,
                max_data_count: 0x400,
            },
            &mut out,
        );
        g.bench_function(format!("level3/{name}"), |b| {
            b.iter(|| {
                black_box(
                    parse_get_info_response(3, black_box(&out.params), black_box(&out.data), &cp)
                        .unwrap(),
                );
            })
        });
    }
    g.finish();
}

fn share_enum(c: &mut Criterion) {
    let mut g = c.benchmark_group("share_enum");
    let mut req = Vec::new();
    ShareEnumRequest {
        level: 1,
        receive_buffer_size: 0x1000,
    }
    .encode(b"B13BWz", &mut req);
    for (name, profile) in [("spec", Profile::SPEC), ("windows", Profile::WINDOWS)] {
        let server = RapServer::new(RapConfig::with_profile(profile), sample_spooler());
        let mut out = RapResponse::default();
        g.bench_function(format!("level1/{name}"), |b| {
            b.iter(|| {
                let input = TransactionInput {
                    parameters: black_box(&req),
                    data: &[],
                    max_parameter_count: 8,
                    max_data_count: 0x1000,
                };
                black_box(server.handle(&input, &mut out));
            })
        });
    }
    g.finish();
}

/// One queue (LASER) with its five jobs: `net rap printq`'s request,
/// NetPrintQEnum level 2, AuxDesc `WB21BB16B10zWWzDDz`, buffer 0xFFE0.
fn q_enum(c: &mut Criterion) {
    use msrap::rap::commands::net_print_q_enum::{q_enum_request, SPEC_AUX_DESC};
    use msrap::spool::sample::sample_queues;
    use msrap::spool::MemorySpooler;
    let mut g = c.benchmark_group("q_enum");
    let req = q_enum_request(2, 0xFFE0, Some(SPEC_AUX_DESC));
    for (name, profile) in [("spec", Profile::SPEC), ("windows", Profile::WINDOWS)] {
        let server = RapServer::new(
            {
                let mut c = RapConfig::default();
                c.profile = profile;
                c
            },
            MemorySpooler::new(sample_queues().into_iter().take(1).collect()),
        );
        let mut out = RapResponse::default();
        g.bench_function(format!("level2-5jobs/{name}"), |b| {
            b.iter(|| {
                let input = TransactionInput {
                    parameters: black_box(&req),
                    data: &[],
                    max_parameter_count: 8,
                    max_data_count: 0xFFE0,
                };
                black_box(server.handle(&input, &mut out));
            })
        });
    }
    g.finish();
}

criterion_group!(benches, get_info, parse, share_enum, q_enum);
criterion_main!(benches);
