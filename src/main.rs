//! The `msrap` command-line tool.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// MS-RAP print-job commands over SMB1: server, decoder, client and conformance suite.
#[derive(Debug, Parser)]
#[command(name = "msrap", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve print queues over SMB1: RAP on `\PIPE\LANMAN`, and the files clients print.
    Serve(Box<cli::serve::ServeArgs>),
    /// Ask any SMB1 server for a queue's jobs or one job's details.
    Query(cli::query::QueryArgs),
    /// Run the conformance suite against any SMB1 server, clause by clause.
    Conform(cli::conform::ConformArgs),
    /// Load-test a server with NetPrintJobGetInfo (or NetPrintJobEnum, --enum-jobs).
    Bench(cli::bench::BenchArgs),
    /// Decode RAP transactions out of pcap/pcapng captures.
    Decode(cli::decode::DecodeArgs),
}

fn main() -> ExitCode {
    let args = Args::parse();
    cli::init_logging();
    let result = match args.command {
        Command::Serve(a) => cli::serve::run(*a),
        Command::Query(a) => cli::query::run(a),
        Command::Conform(a) => cli::conform::run_cmd(a),
        Command::Bench(a) => cli::bench::run(a),
        Command::Decode(a) => cli::decode::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("msrap: {e:#}");
            ExitCode::from(2)
        }
    }
}
