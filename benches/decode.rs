//! Decoder output benchmarks: one transaction as a JSON line, with the
//! hand-written writer `msrap decode --json` uses and with `serde_json` on
//! the `Serialize` impl (the reference), over every transaction of
//! `testdata/captures/windows-layout.pcap`; and the RAP dissection itself.
//!
//! `cargo bench --bench decode --features decode`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use msrap::decode::transactions::{RapTransaction, RawTransaction, TransactionTracker};
use msrap::decode::{DecoderConfig, TransportEvents};
use msrap::oem::OemCodePage;

fn raw() -> Vec<RawTransaction> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/captures/windows-layout.pcap"
    );
    let file = std::fs::File::open(path).unwrap();
    let mut tracker = TransactionTracker::new(OemCodePage::default());
    let mut out = Vec::new();
    for e in TransportEvents::new(file, DecoderConfig::default().with_port(24455)).unwrap() {
        tracker.on_event_raw(&e, &mut out);
    }
    tracker.finish_raw(&mut out);
    out
}

fn json(c: &mut Criterion) {
    let cp = OemCodePage::default();
    let all: Vec<RapTransaction> = raw().into_iter().map(|r| r.dissect(&cp)).collect();
    let mut g = c.benchmark_group("json_line_per_transaction");
    let mut line = Vec::with_capacity(4096);
    g.bench_function("write_json", |b| {
        b.iter(|| {
            for t in &all {
                line.clear();
                black_box(t).write_json(&mut line);
                black_box(&line);
            }
        })
    });
    g.bench_function("serde_json", |b| {
        b.iter(|| {
            for t in &all {
                line.clear();
                serde_json::to_writer(&mut line, black_box(t)).unwrap();
                black_box(&line);
            }
        })
    });
    g.finish();
}

fn dissect(c: &mut Criterion) {
    let cp = OemCodePage::default();
    let all = raw();
    c.bench_function("dissect_transactions", |b| {
        b.iter(|| {
            for r in &all {
                black_box(r.clone().dissect(&cp));
            }
        })
    });
}

criterion_group!(benches, json, dissect);
criterion_main!(benches);
