//! The `msrap` command-line tool.
fn main() {}
