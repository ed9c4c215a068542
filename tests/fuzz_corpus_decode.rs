//! Replays the `decode_capture` fuzz corpus and any crash artifacts on stable.
#![cfg(all(feature = "decode", feature = "fuzzing"))]

use std::path::Path;

#[test]
fn replay_decode_capture_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in [
        "corpus/decode_capture",
        "artifacts/decode_capture",
        "regressions/decode_capture",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            let data = std::fs::read(&p).unwrap();
            msrap::fuzzing::decode_capture(&data);
            n += 1;
        }
    }
    assert!(n >= 4, "seed corpus missing ({n} files)");
}
