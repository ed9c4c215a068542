//! Replays the committed SMB1 fuzz corpora (and any saved artifacts) through
//! the harness bodies on stable, and holds the generator of the seeds.
#![cfg(all(feature = "smb1", feature = "fuzzing"))]

use std::fs;
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn replay(target: &str, f: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in [
        root.join("corpus").join(target),
        root.join("artifacts").join(target),
    ] {
        for p in files(&dir) {
            f(&fs::read(&p).unwrap());
            n += 1;
        }
    }
    n
}

#[test]
fn replay_smb1_message_corpus() {
    assert!(
        replay("smb1_message", msrap::fuzzing::smb1_message) > 0,
        "empty corpus"
    );
}

#[test]
fn replay_smb1_session_corpus() {
    assert!(
        replay("smb1_session", msrap::fuzzing::smb1_session) > 0,
        "empty corpus"
    );
}

/// Writes the seed corpora from the crate's own builders:
/// `cargo test --test fuzz_corpus_smb1 -- --ignored generate_seed_corpus`.
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
            client::negotiate_request(&h, &["PC NETWORK PROGRAM 1.0", "LANMAN2.1", "NT LM 0.12"]),
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
            TransactionRequestBuilder::lanman(&[0xDA, 0xDA, 0, 0x20], 4, 0xFFFF).primary(&h, 4, 0),
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
        }
        messages.clear();
    }
}
