//! Replays the committed `client_response` fuzz corpus on stable, and holds
//! the generator of its seeds (real replies of our server to GetInfo, Enum
//! and error requests, multi-part replies included).
#![cfg(all(feature = "client", feature = "fuzzing"))]

use std::fs;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/client_response")
}

#[test]
fn replay_client_response_corpus() {
    let mut n = 0;
    for dir in [
        corpus_dir(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/artifacts/client_response"),
    ] {
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for p in files {
            msrap::fuzzing::client_response(&fs::read(&p).unwrap());
            n += 1;
        }
    }
    assert!(n > 0, "empty corpus");
}

/// The seed generator: our server's replies (needs the `server` feature).
#[cfg(feature = "server")]
mod seeds {
    use std::fs;
    use std::sync::Arc;

    use bytes::BytesMut;
    use msrap::rap::{Profile, RapServer, ServerConfig as RapConfig};
    use msrap::smb1::client::{self, parse_response, TransactionRequestBuilder};
    use msrap::smb1::nbss::{encode_message, Frame, FrameDecoder, Framing};
    use msrap::smb1::session_setup::SessionSetupNt;
    use msrap::smb1::{HeaderFlags2, ServerConnection, ServerParams, SmbCommand, SmbHeader};
    use msrap::spool::sample::sample_spooler;

    use super::corpus_dir;

    /// Drive a sans-IO server connection (our RAP server through the temporary
    /// pipe adapter) and return, per transaction, the bytes it sent back (framed).
    fn replies(
        profile: Profile,
        max_buffer: u16,
        transactions: &[(Vec<u8>, u16, u16)],
    ) -> Vec<Vec<u8>> {
        let rap = RapServer::new(
            RapConfig {
                profile,
                ..RapConfig::default()
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

    /// Regenerate the seeds: `cargo test --all-features --test fuzz_corpus_client -- --ignored`.
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
