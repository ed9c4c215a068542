//! The committed fuzz corpora (`fuzz/corpus/<target>/`), the crash
//! regressions (`fuzz/regressions/<target>/`) and any local crash artifacts
//! replayed through the harness bodies in `msrap::fuzzing` on stable, as
//! part of `cargo test`; and the generators of the SMB1 and client seeds.
//!
//! Each replay prints how many inputs it ran and checks that it ran every
//! input file and at least the pinned number of them (the committed count),
//! so that an emptied or lost corpus fails.
#![cfg(feature = "fuzzing")]

mod support;

use support::corpus;

/// Replays `target`'s inputs through `body`: every input file ran, and at
/// least `pinned` of them.
fn assert_replayed(target: &str, pinned: usize, body: impl Fn(&[u8])) -> usize {
    let found = corpus::inputs(target).len();
    let ran = corpus::replay(target, body);
    println!("{target}: replayed {ran} inputs");
    assert_eq!(ran, found, "{target}: ran {ran} of {found} input files");
    assert!(
        ran >= pinned,
        "{target}: {ran} inputs, fewer than the {pinned} committed; \
         if the corpus was minimised on purpose, lower the pin"
    );
    ran
}

#[test]
fn replay_rap_request_corpus() {
    assert_replayed("rap_request", 1059, msrap::fuzzing::rap_request);
}

#[test]
fn replay_rap_response_corpus() {
    assert_replayed("rap_response", 1278, msrap::fuzzing::rap_response);
}

/// Built from the file bytes the way libFuzzer's `fuzz_target!(|input: T|)`
/// does: `Unstructured::new(bytes)` then `arbitrary_take_rest`; inputs it
/// cannot build would be skipped, as libFuzzer skips them: none may be.
#[test]
fn replay_rap_roundtrip_corpus() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use arbitrary::{Arbitrary, Unstructured};
    use msrap::fuzzing::RoundTripInput;
    let built = AtomicUsize::new(0);
    let ran = assert_replayed("rap_roundtrip", 1420, |bytes| {
        if let Ok(input) = RoundTripInput::arbitrary_take_rest(Unstructured::new(bytes)) {
            built.fetch_add(1, Ordering::Relaxed);
            msrap::fuzzing::rap_roundtrip(input);
        }
    });
    let built = built.into_inner();
    println!("rap_roundtrip: {built} of {ran} inputs built a RoundTripInput");
    assert_eq!(
        built, ran,
        "rap_roundtrip: inputs that build no RoundTripInput"
    );
}

#[cfg(feature = "smb1")]
#[test]
fn replay_smb1_message_corpus() {
    assert_replayed("smb1_message", 677, msrap::fuzzing::smb1_message);
}

#[cfg(feature = "smb1")]
#[test]
fn replay_smb1_session_corpus() {
    assert_replayed("smb1_session", 1176, msrap::fuzzing::smb1_session);
}

#[cfg(feature = "client")]
#[test]
fn replay_client_response_corpus() {
    assert_replayed("client_response", 450, msrap::fuzzing::client_response);
}

/// Seeds: real cupsd replies (`cups_backend::generate_ipp_reply_seeds`).
#[cfg(feature = "cups")]
#[test]
fn replay_ipp_reply_corpus() {
    assert_replayed("ipp_reply", 541, msrap::fuzzing::ipp_reply);
}

/// The corpus and the three committed regressions (`fuzz/regressions/decode_capture/`).
#[cfg(feature = "decode")]
#[test]
fn replay_decode_capture_corpus() {
    assert_replayed("decode_capture", 2427 + 3, msrap::fuzzing::decode_capture);
}

#[cfg(feature = "smb1")]
mod smb1_seeds {
    use std::fs;
    use std::path::Path;

    /// Writes the seed corpora from the crate's own builders:
    /// `cargo test --all-features --test fuzz_corpus -- --ignored generate_seed_corpus`.
    #[test]
    #[ignore]
    fn generate_seed_corpus() {
        use bytes::BytesMut;
        use msrap::smb1::client::{self, TransactionRequestBuilder};
        use msrap::smb1::nbss::{encode_message, session_request, Framing};
        use msrap::smb1::session_setup::SessionSetupNt;
        use msrap::smb1::{HeaderFlags2, SmbCommand, SmbHeader};

        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        let mut messages: Vec<(&str, Vec<u8>)> = Vec::new();
        let u = HeaderFlags2::UNICODE | HeaderFlags2::NT_STATUS | HeaderFlags2::LONG_NAMES;
        let ids = |cmd, f2| SmbHeader {
            uid: 100,
            tid: 1,
            pid_low: 0x74B2,
            mid: 9,
            ..SmbHeader::request(cmd, f2)
        };
        let setup = SessionSetupNt {
            max_buffer_size: 1024,
            native_os: "Unix",
            ..SessionSetupNt::default()
        };
        for (tag, f2) in [("u", u), ("o", HeaderFlags2::empty())] {
            let h = ids(SmbCommand::NEGOTIATE, f2);
            messages.push((
                "negotiate",
                client::negotiate_request(
                    &h,
                    &["PC NETWORK PROGRAM 1.0", "LANMAN2.1", "NT LM 0.12"],
                ),
            ));
            let h = ids(SmbCommand::SESSION_SETUP_ANDX, f2);
            messages.push(("session_setup", client::session_setup(&h, &setup)));
            messages.push((
                "session_setup_lanman",
                client::session_setup_lanman(&h, &setup),
            ));
            messages.push((
                "andx_chain",
                client::session_setup_and_tree_connect(&h, &setup, "\\\\S\\IPC$", "?????"),
            ));
            let h = ids(SmbCommand::TREE_CONNECT_ANDX, f2);
            messages.push((
                "tree_connect",
                client::tree_connect(&h, "\\\\S\\LASER", "LPT1:"),
            ));
            let h = ids(SmbCommand::TRANSACTION, f2);
            let rap = [
                0x4D, 0, b'W', b'W', b'r', b'L', b'h', 0, b'W', 0, 3, 0, 0, 0, 0, 4,
            ];
            let b = TransactionRequestBuilder {
                data: b"data",
                ..TransactionRequestBuilder::lanman(&rap, 6, 0x400)
            };
            messages.push(("trans", b.primary(&h, 16, 4)));
            messages.push(("trans_partial", b.primary(&h, 8, 0)));
            let mut sh = h;
            sh.command = SmbCommand::TRANSACTION_SECONDARY;
            messages.push(("trans_secondary", b.secondary(&sh, 8, 8, 0, 4)));
            messages.push((
                "trans_big",
                TransactionRequestBuilder::lanman(&[0xDA, 0xDA, 0, 0x20], 4, 0xFFFF)
                    .primary(&h, 4, 0),
            ));
            messages.push((
                "trans_fail",
                TransactionRequestBuilder::lanman(&[0xEE, 0xEE], 4, 4).primary(&h, 2, 0),
            ));
            messages.push(("echo", client::echo(&ids(SmbCommand::ECHO, f2), 2, b"ping")));
            messages.push((
                "tree_disconnect",
                client::tree_disconnect(&ids(SmbCommand::TREE_DISCONNECT, f2)),
            ));
            messages.push(("logoff", client::logoff(&ids(SmbCommand::LOGOFF_ANDX, f2))));
            // Print files: `established` has the printer share LASER on
            // TID 2 with a print file open as FID 0x4000.
            let p = |cmd| SmbHeader {
                tid: 2,
                ..ids(cmd, f2)
            };
            messages.push((
                "nt_create_print",
                client::nt_create_andx(&p(SmbCommand::NT_CREATE_ANDX), "\\doc\\report.txt"),
            ));
            messages.push((
                "nt_create_refused",
                client::nt_create_andx(&p(SmbCommand::NT_CREATE_ANDX), "Xrefused"),
            ));
            messages.push((
                "nt_create_ipc",
                client::nt_create_andx(&ids(SmbCommand::NT_CREATE_ANDX, f2), "\\srvsvc"),
            ));
            messages.push((
                "open_andx_print",
                client::open_andx(&p(SmbCommand::OPEN_ANDX), 0x0001, 0x0011, "LPT.TXT"),
            ));
            messages.push((
                "open_print_file",
                client::open_print_file(&p(SmbCommand::OPEN_PRINT_FILE), 0, 1, "DOSJOB"),
            ));
            messages.push((
                "write_andx",
                client::write_andx(&p(SmbCommand::WRITE_ANDX), 0x4000, 0x10, b"%!PS-Adobe"),
            ));
            messages.push((
                "write_andx_disk_full",
                client::write_andx(&p(SmbCommand::WRITE_ANDX), 0x4000, 0, &[0xDF; 8]),
            ));
            messages.push((
                "write_core",
                client::write(&p(SmbCommand::WRITE), 0x4000, 3, b"core"),
            ));
            messages.push((
                "write_print_file",
                client::write_print_file(&p(SmbCommand::WRITE_PRINT_FILE), 0x4000, b"\x1bE"),
            ));
            messages.push(("close", client::close(&p(SmbCommand::CLOSE), 0x4000)));
            messages.push((
                "close_print_file",
                client::fid_request(&p(SmbCommand::CLOSE_PRINT_FILE), 0x4000),
            ));
            messages.push(("flush", client::fid_request(&p(SmbCommand::FLUSH), 0xFFFF)));
            messages.push((
                "read_print_file",
                client::fid_request(&p(SmbCommand::READ), 0x4000),
            ));
            messages.push((
                "nt_create_write_close",
                client::nt_create_write_close(
                    &p(SmbCommand::NT_CREATE_ANDX),
                    "chain.ps",
                    b"chained data",
                ),
            ));
            for (name, m) in &messages {
                fs::write(root.join("smb1_message").join(format!("{name}_{tag}")), m).unwrap();
            }
            // Sessions: negotiate, chain, transaction(s), disconnect, logoff; both framings.
            for (mode, framing) in [
                (0x08u8, Framing::DirectTcp),
                (0x09, Framing::NetBios),
                (0x00, Framing::DirectTcp),
            ] {
                let mut s = BytesMut::new();
                s.extend_from_slice(&[mode]);
                if framing == Framing::NetBios {
                    s.extend_from_slice(&session_request("MSRAP", "FUZZ"));
                }
                let mut h = SmbHeader {
                    pid_low: 0x74B2,
                    ..SmbHeader::request(SmbCommand::NEGOTIATE, f2)
                };
                encode_message(
                    framing,
                    &client::negotiate_request(&h, &["NT LM 0.12"]),
                    &mut s,
                )
                .unwrap();
                h.command = SmbCommand::SESSION_SETUP_ANDX;
                encode_message(
                    framing,
                    &client::session_setup_and_tree_connect(&h, &setup, "\\\\S\\IPC$", "IPC"),
                    &mut s,
                )
                .unwrap();
                let mut t = SmbHeader {
                    uid: 100,
                    tid: 1,
                    mid: 5,
                    ..h
                };
                t.command = SmbCommand::TRANSACTION;
                for m in b.build(&t, 60) {
                    encode_message(framing, &m, &mut s).unwrap();
                }
                t.mid = 6;
                encode_message(
                    framing,
                    &TransactionRequestBuilder::lanman(&[0xDA, 0xDA, 0, 0x10], 4, 0xFFFF)
                        .primary(&t, 4, 0),
                    &mut s,
                )
                .unwrap();
                t.command = SmbCommand::TREE_DISCONNECT;
                encode_message(framing, &client::tree_disconnect(&t), &mut s).unwrap();
                t.command = SmbCommand::LOGOFF_ANDX;
                encode_message(framing, &client::logoff(&t), &mut s).unwrap();
                fs::write(
                    root.join("smb1_session")
                        .join(format!("session_{tag}_{mode:02x}")),
                    &s,
                )
                .unwrap();

                // A print session: LASER, a file opened, written and
                // closed three ways, a chained one, one left open at
                // TREE_DISCONNECT and one at LOGOFF.
                let mut s = BytesMut::new();
                s.extend_from_slice(&[mode]);
                if framing == Framing::NetBios {
                    s.extend_from_slice(&session_request("MSRAP", "FUZZ"));
                }
                let mut h = SmbHeader {
                    pid_low: 0x74B2,
                    ..SmbHeader::request(SmbCommand::NEGOTIATE, f2)
                };
                let mut push = |m: Vec<u8>| encode_message(framing, &m, &mut s).unwrap();
                push(client::negotiate_request(&h, &["LANMAN2.1", "NT LM 0.12"]));
                h.command = SmbCommand::SESSION_SETUP_ANDX;
                push(client::session_setup_and_tree_connect(
                    &h,
                    &setup,
                    "\\\\S\\LASER",
                    "?????",
                ));
                let p = |command, mid| SmbHeader {
                    uid: 100,
                    tid: 1,
                    mid,
                    command,
                    ..h
                };
                push(client::nt_create_andx(
                    &p(SmbCommand::NT_CREATE_ANDX, 3),
                    "a.txt",
                ));
                push(client::write_andx(
                    &p(SmbCommand::WRITE_ANDX, 4),
                    0x4000,
                    0,
                    b"first ",
                ));
                push(client::write_andx(
                    &p(SmbCommand::WRITE_ANDX, 5),
                    0x4000,
                    6,
                    b"second",
                ));
                push(client::close(&p(SmbCommand::CLOSE, 6), 0x4000));
                push(client::open_andx(
                    &p(SmbCommand::OPEN_ANDX, 7),
                    1,
                    1,
                    "b.txt",
                ));
                push(client::write(
                    &p(SmbCommand::WRITE, 8),
                    0x4001,
                    0,
                    b"core write",
                ));
                push(client::close(&p(SmbCommand::CLOSE, 9), 0x4001));
                push(client::open_print_file(
                    &p(SmbCommand::OPEN_PRINT_FILE, 10),
                    2,
                    0,
                    "C",
                ));
                push(client::write_print_file(
                    &p(SmbCommand::WRITE_PRINT_FILE, 11),
                    0x4002,
                    b"\x1b&l0O",
                ));
                push(client::fid_request(
                    &p(SmbCommand::CLOSE_PRINT_FILE, 12),
                    0x4002,
                ));
                push(client::nt_create_write_close(
                    &p(SmbCommand::NT_CREATE_ANDX, 13),
                    "d",
                    b"chain",
                ));
                push(client::nt_create_andx(
                    &p(SmbCommand::NT_CREATE_ANDX, 14),
                    "left-open",
                ));
                push(client::write_andx(
                    &p(SmbCommand::WRITE_ANDX, 15),
                    0x4004,
                    0,
                    b"abandoned",
                ));
                push(client::tree_disconnect(&p(SmbCommand::TREE_DISCONNECT, 16)));
                push(client::tree_connect(
                    &p(SmbCommand::TREE_CONNECT_ANDX, 17),
                    "\\\\S\\LASER",
                    "LPT1:",
                ));
                let q = |command, mid| SmbHeader {
                    tid: 2,
                    ..p(command, mid)
                };
                push(client::open_print_file(
                    &q(SmbCommand::OPEN_PRINT_FILE, 18),
                    0,
                    1,
                    "E",
                ));
                push(client::write_print_file(
                    &q(SmbCommand::WRITE_PRINT_FILE, 19),
                    0x4005,
                    &[0xDF, 1],
                ));
                push(client::nt_create_andx(
                    &q(SmbCommand::NT_CREATE_ANDX, 20),
                    "F",
                ));
                push(client::logoff(&q(SmbCommand::LOGOFF_ANDX, 21)));
                fs::write(
                    root.join("smb1_session")
                        .join(format!("print_session_{tag}_{mode:02x}")),
                    &s,
                )
                .unwrap();
            }
            messages.clear();
        }
    }
}

/// The `client_response` seed generator: our server's replies (needs the
/// `server` feature).
#[cfg(all(feature = "client", feature = "server"))]
mod client_seeds {
    use std::fs;
    use std::sync::Arc;

    use bytes::BytesMut;
    use msrap::rap::{Profile, RapConfig, RapServer};
    use msrap::smb1::client::{self, parse_response, TransactionRequestBuilder};
    use msrap::smb1::nbss::{encode_message, Frame, FrameDecoder, Framing};
    use msrap::smb1::session_setup::SessionSetupNt;
    use msrap::smb1::{HeaderFlags2, ServerConnection, ServerParams, SmbCommand, SmbHeader};
    use msrap::spool::sample::sample_spooler;

    fn corpus_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/client_response")
    }

    /// Drive a sans-IO server connection (our RAP server through the temporary
    /// pipe adapter) and return, per transaction, the bytes it sent back (framed).
    fn replies(
        profile: Profile,
        max_buffer: u16,
        transactions: &[(Vec<u8>, u16, u16)],
    ) -> Vec<Vec<u8>> {
        let rap = RapServer::new(
            {
                let mut c = RapConfig::default();
                c.profile = profile;
                c
            },
            sample_spooler(),
        );
        let mut conn = ServerConnection::new(
            rap,
            Arc::new(ServerParams::default()),
            Framing::DirectTcp,
            [7; 8],
        );
        let flags2 = HeaderFlags2::NT_STATUS | HeaderFlags2::UNICODE | HeaderFlags2::LONG_NAMES;
        let mut h = SmbHeader::request(SmbCommand::NEGOTIATE, flags2);
        let mut exchange = |msg: Vec<u8>| -> Vec<u8> {
            let mut framed = BytesMut::new();
            encode_message(Framing::DirectTcp, &msg, &mut framed).unwrap();
            let mut out = BytesMut::new();
            conn.receive_now(&framed, &mut out).unwrap();
            out.to_vec()
        };
        let first_msg = |bytes: &[u8]| -> Vec<u8> {
            let mut d = FrameDecoder::new(Framing::DirectTcp);
            d.extend_from_slice(bytes);
            match d.decode().unwrap() {
                Some(Frame::Message(m)) => m.to_vec(),
                other => panic!("{other:?}"),
            }
        };
        exchange(client::negotiate_request(&h, &["NT LM 0.12"]));
        h.command = SmbCommand::SESSION_SETUP_ANDX;
        let setup = SessionSetupNt {
            max_buffer_size: max_buffer,
            max_mpx_count: 1,
            vc_number: 0,
            session_key: 0,
            oem_password: &[],
            unicode_password: &[],
            capabilities: 0x44,
            account_name: "",
            primary_domain: "",
            native_os: "",
            native_lanman: "",
        };
        let r = exchange(client::session_setup(&h, &setup));
        h.uid = parse_response(&first_msg(&r)).unwrap().header.uid;
        h.command = SmbCommand::TREE_CONNECT_ANDX;
        let r = exchange(client::tree_connect(&h, "\\\\SRV\\IPC$", "IPC"));
        h.tid = parse_response(&first_msg(&r)).unwrap().header.tid;
        h.command = SmbCommand::TRANSACTION;
        let mut out = Vec::new();
        for (i, (params, mpc, mdc)) in transactions.iter().enumerate() {
            h.mid = 10 + i as u16;
            let b = TransactionRequestBuilder::lanman(params, *mpc, *mdc);
            out.push(exchange(b.primary(&h, params.len(), 0)));
        }
        out
    }

    /// Regenerate the seeds: `cargo test --all-features --test fuzz_corpus -- --ignored generate_client_response_seeds`.
    #[test]
    #[ignore]
    fn generate_client_response_seeds() {
        let gi = |job: u16, level: u16, rbs: u16| {
            let mut v = Vec::new();
            msrap::rap::commands::net_print_job_get_info::PrintJobGetInfoRequest {
                job_id: job,
                level,
                receive_buffer_size: rbs,
            }
            .encode(
                msrap::rap::descriptor::job::for_level(level).unwrap_or(b"W"),
                &mut v,
            );
            v
        };
        let en = b"\x4C\x00zWrLeh\x00WWzWWDDzz\x00LASER\x00\x02\x00\x00\x10".to_vec();
        let txs = vec![
            (gi(3, 3, 4096), 6, 4096),
            (gi(6, 1, 4096), 6, 4096),
            (gi(3, 2, 40), 6, 40),
            (gi(3, 2, 1), 6, 1),
            (gi(3, 9, 4096), 6, 4096),
            (b"\x4D\x00WrLh\x00W\x00\x02\x00\x00\x04".to_vec(), 6, 1024),
            (en.clone(), 8, 4096),
            (gi(3, 3, 4096), 2, 4096),
        ];
        let dir = corpus_dir();
        fs::create_dir_all(&dir).unwrap();
        let mut n = 0;
        for (profile, max_buffer) in [
            (Profile::SPEC, 16644u16),
            (Profile::WINDOWS, 16644),
            (Profile::SPEC, 200),
        ] {
            for bytes in replies(profile, max_buffer, &txs) {
                let mut seed = vec![0u8];
                seed.extend_from_slice(&bytes);
                fs::write(dir.join(format!("seed-{n:02}")), seed).unwrap();
                n += 1;
            }
        }
    }
}
