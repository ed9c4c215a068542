//! Replays the committed RAP fuzz corpora (`fuzz/corpus/rap_*`) through the
//! harness bodies in `msrap::fuzzing`, on stable, as part of `cargo test`.
#![cfg(feature = "fuzzing")]

use std::fs;
use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn replay(target: &str, body: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let mut failed = Vec::new();
    let files = corpus(target);
    for (path, bytes) in &files {
        if std::panic::catch_unwind(|| body(bytes)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: {} of {} failed: {failed:#?}",
        failed.len(),
        files.len()
    );
}

#[test]
fn replay_rap_request_corpus() {
    replay("rap_request", msrap::fuzzing::rap_request);
}

#[test]
fn replay_rap_response_corpus() {
    replay("rap_response", msrap::fuzzing::rap_response);
}

/// Built from the file bytes the way libFuzzer's `fuzz_target!(|input: T|)`
/// does: `Unstructured::new(bytes)` then `arbitrary_take_rest`; inputs it
/// cannot build are skipped, as libFuzzer skips them.
#[cfg(feature = "arbitrary")]
#[test]
fn replay_rap_roundtrip_corpus() {
    use arbitrary::{Arbitrary, Unstructured};
    use msrap::fuzzing::RoundTripInput;
    replay("rap_roundtrip", |bytes| {
        if let Ok(input) = RoundTripInput::arbitrary_take_rest(Unstructured::new(bytes)) {
            msrap::fuzzing::rap_roundtrip(input);
        }
    });
}
