//! Heap allocations per NetPrintJobGetInfo request (levels 0–3, both string
//! layouts), after a warm-up, with the output buffer reused; per
//! client-side parse of the level-3 reply; per NetShareEnum level-1
//! request (the sample queues and IPC$); and per NetPrintQEnum level 2 over
//! one queue with five jobs (`net rap printq`'s request).
//!
//! `cargo run --release --example alloc_count --no-default-features`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use msrap::oem::OemCodePage;
use msrap::rap::commands::net_print_job_get_info::{
    parse_get_info_response, PrintJobGetInfoRequest,
};
use msrap::rap::commands::net_share_enum::ShareEnumRequest;
use msrap::rap::descriptor::job;
use msrap::rap::{Profile, RapConfig, RapResponse, RapServer, TransactionInput};
use msrap::spool::sample::sample_spooler;

/// Counts allocations (and reallocations) and passes everything to `System`.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees carry over; the counter is atomic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const N: u64 = 100_000;

fn count(mut f: impl FnMut()) -> f64 {
    for _ in 0..1_000 {
        f();
    }
    let before = ALLOCS.load(Ordering::Relaxed);
    for _ in 0..N {
        f();
    }
    (ALLOCS.load(Ordering::Relaxed) - before) as f64 / N as f64
}

fn main() {
    let cp = OemCodePage::default();
    println!("| level | layout | allocations/request | allocations/parse |");
    println!("| --- | --- | --- | --- |");
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
            let mut req = Vec::new();
            PrintJobGetInfoRequest {
                job_id: 3,
                level,
                receive_buffer_size: 0x400,
            }
            .encode(job::for_level(level).unwrap(), &mut req);
            let mut out = RapResponse::default();
            let input = TransactionInput {
                parameters: &req,
                data: &[],
                max_parameter_count: 6,
                max_data_count: 0x400,
            };
            let per_request = count(|| {
                std::hint::black_box(server.handle(std::hint::black_box(&input), &mut out));
            });
            let per_parse = count(|| {
                let r = parse_get_info_response(level, &out.params, &out.data, &cp).unwrap();
                std::hint::black_box(r);
            });
            println!("| {level} | {name} | {per_request} | {per_parse} |");
        }
    }
    println!();
    println!("| NetShareEnum level 1 | layout | allocations/request |");
    println!("| --- | --- | --- |");
    for (name, profile) in [("spec", Profile::SPEC), ("windows", Profile::WINDOWS)] {
        let server = RapServer::new(RapConfig::with_profile(profile), sample_spooler());
        let mut req = Vec::new();
        ShareEnumRequest {
            level: 1,
            receive_buffer_size: 0x1000,
        }
        .encode(b"B13BWz", &mut req);
        let mut out = RapResponse::default();
        let input = TransactionInput {
            parameters: &req,
            data: &[],
            max_parameter_count: 8,
            max_data_count: 0x1000,
        };
        let per_request = count(|| {
            std::hint::black_box(server.handle(std::hint::black_box(&input), &mut out));
        });
        assert_eq!(out.params.get(..2), Some(&[0u8, 0][..]), "ERROR_SUCCESS");
        println!("| 1 | {name} | {per_request} |");
    }
    println!();
    println!("| NetPrintQEnum level 2, 5 jobs | layout | allocations/request |");
    println!("| --- | --- | --- |");
    let req = msrap::rap::commands::net_print_q_enum::q_enum_request(
        2,
        0xFFE0,
        Some(msrap::rap::commands::net_print_q_enum::SPEC_AUX_DESC),
    );
    for (name, profile) in [("spec", Profile::SPEC), ("windows", Profile::WINDOWS)] {
        let server = RapServer::new(
            {
                let mut c = RapConfig::default();
                c.profile = profile;
                c
            },
            msrap::spool::MemorySpooler::new(
                msrap::spool::sample::sample_queues()
                    .into_iter()
                    .take(1)
                    .collect(),
            ),
        );
        let mut out = RapResponse::default();
        let input = TransactionInput {
            parameters: &req,
            data: &[],
            max_parameter_count: 8,
            max_data_count: 0xFFE0,
        };
        let per_request = count(|| {
            std::hint::black_box(server.handle(std::hint::black_box(&input), &mut out));
        });
        assert_eq!(&out.params[..2], &[0, 0], "ERROR_SUCCESS");
        println!("| q_enum | {name} | {per_request} |");
    }
}
