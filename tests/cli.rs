//! The `msrap` binary's settings, exit codes and logs (issue #12, points 4
//! and 5): bad settings are refused with a message, a client command that
//! cannot reach its server exits 2 with the connect error whichever command
//! it is, logs carry colour only on a terminal without `NO_COLOR`, and RAP
//! status names are spelled the same on stdout and stderr.
#![cfg(all(feature = "cli", feature = "server"))]

mod support;

use std::process::Command;

use pretty_assertions::assert_eq;
use support::cli::{msrap, Serve};
use support::samba::free_port;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("msrap-cli-{}-{name}", std::process::id()));
    std::fs::write(&p, contents).unwrap();
    p
}

// ---- point 4: settings ----

#[test]
fn serve_refuses_a_zero_idle_timeout_and_zero_connections() {
    let out = msrap(&["serve", "--idle-timeout", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).lines().next(),
        Some("error: invalid value '0' for '--idle-timeout <S>': 0 is not in 1..=31536000")
    );
    let out = msrap(&["serve", "--max-connections", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).lines().next(),
        Some(
            "error: invalid value '0' for '--max-connections <MAX_CONNECTIONS>': 0 is not in 1..=1000000"
        )
    );
    // Values that would overflow a deadline or the connection semaphore.
    let out = msrap(&["serve", "--idle-timeout", "18446744073709551615"]);
    assert_eq!(out.status.code(), Some(2));
    let out = msrap(&["serve", "--max-connections", "18446744073709551615"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn serve_refuses_spool_limits_it_cannot_honour() {
    for (flag, value, why) in [
        (
            "--max-job-size",
            "0",
            "a limit of 0 bytes would refuse every print job (the least is 1)",
        ),
        (
            "--max-spool",
            "12Q",
            "\"12Q\" is not a size (bytes, or a number with K, M, G or T)",
        ),
        ("--max-job-size", "16777216T", "\"16777216T\" is too large"),
        (
            "--max-spool",
            "5X",
            "\"5X\" is not a size (bytes, or a number with K, M, G or T)",
        ),
    ] {
        let out = msrap(&["serve", flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert_eq!(
            text(&out.stderr).lines().next(),
            Some(format!("error: invalid value '{value}' for '{flag} <BYTES>': {why}").as_str())
        );
    }
    // A spool directory that cannot be made: a file is in its place.
    let file = temp_file("msrap-not-a-dir", "");
    let out = msrap(&["serve", "--spool-dir", file.to_str().unwrap()]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot create the spool directory"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn serve_refuses_admission_settings_it_cannot_honour() {
    let out = msrap(&["serve", "--handshake-timeout", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).lines().next(),
        Some("error: invalid value '0' for '--handshake-timeout <S>': 0 is not in 1..=3600")
    );
    let out = msrap(&["serve", "--max-connections-per-source", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let out = msrap(&[
        "serve",
        "--max-connections",
        "10",
        "--max-connections-per-source",
        "11",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "msrap: --max-connections-per-source 11 is more than --max-connections 10\n"
    );
}

#[test]
fn serve_refuses_two_queues_whose_names_differ_only_in_case() {
    let jobs = temp_file(
        "dup.toml",
        "[[queue]]\nname = \"LASER\"\n[[queue.job]]\njob_id = 3\n\n[[queue]]\nname = \"laser\"\n[[queue.job]]\njob_id = 4\n",
    );
    let out = msrap(&["serve", "--jobs", jobs.to_str().unwrap()]);
    std::fs::remove_file(&jobs).ok();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!(
            "msrap: {}:6: queue name \"laser\" is already used at line 1 (\"LASER\"; share names ignore case)\n",
            jobs.display()
        )
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn serve_warns_about_a_jobs_file_without_queues() {
    let jobs = temp_file("empty.toml", "# no queues yet\n");
    let server = Serve::start(&["--jobs", jobs.to_str().unwrap()]);
    let stderr = server.stop();
    std::fs::remove_file(&jobs).ok();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.iter().any(|l| l.ends_with(&format!(
            " WARN msrap::cli::serve: {}: no [[queue]] in this jobs file: only IPC$ is served, every print request will fail",
            jobs.display()
        ))),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("msrap: serving SMB1 on ") && l.ends_with("; queues: none")),
        "{stderr}"
    );
}

#[test]
fn query_conform_and_bench_exit_2_with_the_connect_error_when_no_server_runs() {
    // A port nobody listens on.
    let server = format!("127.0.0.1:{}", free_port());
    let want = format!("msrap: connect to {server}: Connection refused (os error 111)\n");
    for args in [
        vec!["query", "--server", &server, "jobs", "LASER"],
        vec!["conform", "--server", &server, "--queue", "LASER"],
        vec!["bench", "--server", &server, "--duration", "1"],
        vec!["bench", "--server", &server, "--duration", "1", "--json"],
    ] {
        let out = msrap(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stderr), want, "{args:?}");
        assert_eq!(text(&out.stdout), "", "{args:?}");
    }
}

// ---- point 5: logs ----

#[test]
fn serve_logs_without_colour_to_a_file() {
    let server = Serve::start(&[]);
    let stderr = server.stop();
    assert!(
        stderr.contains(" INFO msrap::server::listener: listening addr="),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "ANSI escape in a log file: {stderr:?}"
    );
}

/// `msrap serve` on a pseudo-terminal (util-linux `script`), stopped by
/// SIGINT after a second: its log lines as the terminal received them.
fn serve_on_a_terminal(no_color: Option<&str>) -> String {
    let port = free_port();
    let cmd = format!(
        "timeout -s INT 1 {} serve --listen 127.0.0.1:{port}",
        env!("CARGO_BIN_EXE_msrap")
    );
    let mut script = Command::new("script");
    script
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR");
    if let Some(v) = no_color {
        script.env("NO_COLOR", v);
    }
    let out = script.output().expect("run script (util-linux)");
    text(&out.stdout)
}

#[test]
fn serve_logs_in_colour_only_on_a_terminal_and_never_with_no_color() {
    let tty = serve_on_a_terminal(None);
    assert!(tty.contains("listening"), "{tty:?}");
    assert!(
        tty.contains("\u{1b}[32m INFO\u{1b}[0m"),
        "no colour on a terminal: {tty:?}"
    );
    for v in ["1", "true"] {
        let tty = serve_on_a_terminal(Some(v));
        assert!(
            tty.contains(" INFO msrap::server::listener: listening"),
            "{tty:?}"
        );
        assert!(!tty.contains('\u{1b}'), "colour with NO_COLOR={v}: {tty:?}");
    }
}

#[test]
fn status_names_are_spelled_the_same_on_stdout_and_stderr() {
    let server = Serve::start(&[]);
    let addr = server.addr.to_string();
    let out = msrap(&[
        "query",
        "--server",
        &addr,
        "job",
        "3",
        "--level",
        "2",
        "--bufsize",
        "10",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "NetPrintJobGetInfo: NERR_BufTooSmall (status 2123)\n  total_bytes_available: 56\n"
    );
    assert_eq!(
        text(&out.stderr),
        "msrap: the server answered NERR_BufTooSmall (2123)\n"
    );
}
