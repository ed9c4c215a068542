//! The fuzz corpus replayer: a fuzz target's inputs through its harness
//! body (`msrap::fuzzing::*`) on stable, as part of `cargo test`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Where `target`'s inputs are, under `fuzz/`: the committed corpus (must
/// exist), the committed crash regressions, and the crash artifacts a local
/// `cargo fuzz run` left (not committed); the last two may be absent.
fn dirs(target: &str) -> [(PathBuf, bool); 3] {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    [
        (fuzz.join("corpus").join(target), true),
        (fuzz.join("regressions").join(target), false),
        (fuzz.join("artifacts").join(target), false),
    ]
}

/// Every input file of `target` (corpus, regressions, artifacts), sorted
/// within each directory.
pub fn inputs(target: &str) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for (dir, required) in dirs(target) {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("{}: {e}", dir.display()),
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        all.extend(files);
    }
    all
}

/// Runs `body` over every input of `target` and returns how many it ran.
/// An input whose body panics does not stop the others; then this panics,
/// naming every failing file.
pub fn replay(target: &str, body: impl Fn(&[u8])) -> usize {
    let mut ran = 0;
    let mut failed = Vec::new();
    for path in inputs(target) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if catch_unwind(AssertUnwindSafe(|| body(&bytes))).is_err() {
            failed.push(path.display().to_string());
        }
        ran += 1;
    }
    assert!(
        failed.is_empty(),
        "{target}: {} of {ran} inputs failed: {failed:#?}",
        failed.len()
    );
    ran
}
