//! Hostile input: lying lengths, truncation, bad offsets, reassembly
//! overflow, zero maxima (CVE-2002-0724), unterminated names
//! (CVE-2006-3942), AndX loops, resource caps; and over TCP, 1000 idle
//! connections plus slow senders while a well-behaved client is served.
#![cfg(feature = "smb1")]

mod support;

use std::sync::Arc;

use bytes::BytesMut;
use msrap::codes::NtStatus;
use msrap::smb1::client::{self, parse_response, TransactionRequestBuilder};
use msrap::smb1::message::MessageBuilder;
use msrap::smb1::nbss::{FrameError, Framing};
use msrap::smb1::refusal::Refusal;
use msrap::smb1::trans::TransactionReply;
use msrap::smb1::{
    ConnectionError, HeaderFlags2, Limits, ParseError, ServerConnection, ServerParams, SmbCommand,
    SmbHeader, WireStatus,
};
use pretty_assertions::assert_eq;
use support::smb1::*;

fn status_of(msg: &[u8]) -> WireStatus {
    parse_response(msg).unwrap().header.wire_status()
}

fn nt(s: NtStatus) -> WireStatus {
    WireStatus::Nt(s)
}

fn stream() -> ServerConnection<ToyService> {
    ServerConnection::new(ToyService, params(), Framing::DirectTcp, CHALLENGE)
}

// ---- framing and headers ----

/// smbclient 4.17's default SMB2 NEGOTIATE (dialects 2.0.2 to 3.1.1), framed.
fn smbclient_smb2_negotiate() -> Vec<u8> {
    let hex = "000000e2fe534d42400000000000000000001f0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000024000500010000007f0000005c75231b33bc704098464d414da65f0570000000040000000202100200030203110300000100260000000000010020000100a91920e8f1707db5c90679650621da340a8e2ed2e8bcc3307afdac382dacd04e000002000a0000000000040002000100040003000000000000000800080000000000030002000100000005001200000000003100320037002e0030002e0030002e003100";
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

#[test]
fn smb2_negotiate_is_refused_with_status_not_supported_then_closed() {
    for framing in [Framing::DirectTcp, Framing::NetBios] {
        let mut s = ServerConnection::new(ToyService, params(), framing, CHALLENGE);
        let mut out = BytesMut::new();
        if framing == Framing::NetBios {
            s.receive(&msrap::smb1::nbss::session_request("MSRAP", "C"), &mut out)
                .unwrap();
            out.clear();
        }
        let r = s.receive(&smbclient_smb2_negotiate(), &mut out);
        assert_eq!(
            r,
            Err(ConnectionError::Refused(Refusal::Smb2Negotiate {
                dialects: vec![0x0202, 0x0210, 0x0300, 0x0302, 0x0311]
            }))
        );
        // Samba 4.17's answer when it shares no SMB2 dialect with the client.
        let mut want = vec![0, 0, 0, 73, 0xFE, b'S', b'M', b'B', 64, 0, 0, 0];
        want.extend_from_slice(&[0xBB, 0, 0, 0xC0, 0, 0, 1, 0, 1, 0, 0, 0]);
        want.resize(4 + 64, 0);
        want.extend_from_slice(&[9, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(&out[..], &want[..], "{framing:?}");
    }
    // Byte by byte: nothing until the whole message is in.
    let mut s = stream();
    let mut out = BytesMut::new();
    let msg = smbclient_smb2_negotiate();
    for b in &msg[..msg.len() - 1] {
        assert_eq!(s.receive(&[*b], &mut out), Ok(0));
    }
    assert!(matches!(
        s.receive(&msg[msg.len() - 1..], &mut out),
        Err(ConnectionError::Refused(Refusal::Smb2Negotiate { .. }))
    ));
    assert_eq!(out.len(), 77);
}

#[test]
fn other_smb2_messages_close_without_an_answer() {
    let mut msg = smbclient_smb2_negotiate();
    msg[4 + 12] = 3; // TREE_CONNECT
    let mut out = BytesMut::new();
    assert_eq!(
        stream().receive(&msg, &mut out),
        Err(ConnectionError::Refused(Refusal::Smb2Message {
            command: 3
        }))
    );
    assert!(out.is_empty());
}

#[test]
fn smb1_negotiate_without_a_dialect_we_speak_gets_0xffff_then_closes() {
    let mut s = stream();
    let h = SmbHeader::request(SmbCommand::NEGOTIATE, HeaderFlags2::NT_STATUS);
    let mut framed = BytesMut::new();
    msrap::smb1::nbss::encode_message(
        Framing::DirectTcp,
        &client::negotiate_request(&h, &["SMB 2.002", "SMB 2.???"]),
        &mut framed,
    )
    .unwrap();
    let mut out = BytesMut::new();
    assert_eq!(
        s.receive(&framed, &mut out),
        Err(ConnectionError::Refused(Refusal::NoCommonDialect {
            dialects: vec!["SMB 2.002".into(), "SMB 2.???".into()]
        }))
    );
    let resp = parse_response(&out[4..]).unwrap();
    assert_eq!(
        (
            resp.block.word_count,
            resp.block.words,
            resp.block.byte_count
        ),
        (1, &[0xFF, 0xFF][..], 0)
    );
}

#[test]
fn oversize_frame_closes_before_buffering() {
    let mut s = stream();
    let mut out = BytesMut::new();
    let r = s.receive(&[0, 0x02, 0, 0, 0xFF, b'S'], &mut out);
    assert_eq!(
        r,
        Err(ConnectionError::Frame(FrameError::TooLong {
            len: 0x20000,
            max: 0x1FFFF
        }))
    );
    let mut s = stream();
    assert!(matches!(
        s.receive(&[0, 0xFF, 0xFF, 0xFF], &mut out),
        Err(ConnectionError::Frame(FrameError::TooLong { .. }))
    ));
    assert!(out.is_empty());
}

#[test]
fn non_smb_payload_and_bad_types() {
    let mut out = BytesMut::new();
    assert_eq!(
        stream().receive(&[0, 0, 0, 8, 0xFE, b'S', b'M', b'B'], &mut out),
        Err(ConnectionError::Frame(FrameError::NotSmb))
    );
    assert_eq!(
        stream().receive(&[0x85, 0, 0, 0], &mut out),
        Err(ConnectionError::Frame(FrameError::UnexpectedType(0x85)))
    );
    let mut nb = ServerConnection::new(ToyService, params(), Framing::NetBios, CHALLENGE);
    assert_eq!(
        nb.receive(&[0, 0, 0, 4, 0xFF, b'S', b'M', b'B'], &mut out),
        Err(ConnectionError::ExpectedSessionRequest)
    );
}

#[test]
fn truncated_header_closes_the_connection() {
    let mut out = BytesMut::new();
    let r = stream().receive(
        &[0, 0, 0, 10, 0xFF, b'S', b'M', b'B', 0x72, 0, 0, 0, 0, 0],
        &mut out,
    );
    assert_eq!(
        r,
        Err(ConnectionError::Malformed(ParseError::Truncated(
            "SMB header"
        )))
    );
}

#[test]
fn anything_but_negotiate_first_closes() {
    let mut p = Pair::nt_unicode();
    let h = p.header(SmbCommand::TRANSACTION);
    let m = TransactionRequestBuilder::lanman(b"x", 1, 1).primary(&h, 1, 0);
    let mut out = Vec::new();
    assert_eq!(
        p.server.handle_message(&m, &mut out),
        Err(ConnectionError::NotNegotiated(SmbCommand::TRANSACTION))
    );
}

fn raw_message(p: &mut Pair, command: SmbCommand, after_header: &[u8]) -> Vec<u8> {
    let h = p.header(command);
    let mut m = Vec::new();
    h.write(&mut m);
    m.extend_from_slice(after_header);
    m
}

#[test]
fn word_count_and_byte_count_lies() {
    let mut p = Pair::ready();
    for (cmd, body) in [
        (SmbCommand::TRANSACTION, &[14u8, 0, 0, 0, 0][..]), // WordCount 14, 4 bytes of words
        (SmbCommand::TRANSACTION, &[0, 0xE8, 0x03, 1, 2][..]), // ByteCount 1000, 2 bytes
        (SmbCommand::ECHO, &[1, 1, 0][..]),                 // no ByteCount
        (SmbCommand::TREE_DISCONNECT, &[][..]),             // no WordCount
        (SmbCommand::SESSION_SETUP_ANDX, &[0xFF][..]),
    ] {
        let m = raw_message(&mut p, cmd, body);
        let r = p.send1(&m);
        assert_eq!(
            status_of(&r),
            nt(NtStatus::STATUS_INVALID_SMB),
            "{cmd:?} {body:?}"
        );
    }
    // A WordCount that is well-formed but wrong for the command.
    let m = raw_message(&mut p, SmbCommand::TRANSACTION, &[2, 0, 0, 0, 0, 0, 0]);
    assert_eq!(status_of(&p.send1(&m)), nt(NtStatus::STATUS_INVALID_SMB));
    let m = raw_message(&mut p, SmbCommand::TREE_CONNECT_ANDX, &[1, 0, 0, 0, 0]);
    assert_eq!(status_of(&p.send1(&m)), nt(NtStatus::STATUS_INVALID_SMB));
    // Password length past the block.
    let m = raw_message(
        &mut p,
        SmbCommand::TREE_CONNECT_ANDX,
        &[4, 0xFF, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 0, 0],
    );
    assert_eq!(
        status_of(&p.send1(&m)),
        nt(NtStatus::STATUS_INVALID_PARAMETER)
    );
}

/// A TRANSACTION with hand-set words; OEM name `\PIPE\LANMAN` unless `name` given.
fn trans_words(p: &mut Pair, words: [u16; 13], name: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut h = p.header(SmbCommand::TRANSACTION);
    h.flags2.remove(HeaderFlags2::UNICODE);
    let mut w = Vec::new();
    // TotalP, TotalD, MaxP, MaxD, (MaxSetup,Res1), Flags, Timeout lo, hi, Res2, PC, PO, DC, DO
    for v in words {
        w.extend_from_slice(&v.to_le_bytes());
    }
    w.extend_from_slice(&[0, 0]); // SetupCount 0, Reserved3 — 14th word
    let mut b = MessageBuilder::new(&h);
    b.begin_block(&w);
    b.bytes(name);
    b.bytes(tail);
    b.end_block();
    b.finish()
}

const NAME: &[u8] = b"\\PIPE\\LANMAN\0";

#[test]
fn offsets_outside_the_message() {
    let mut p = Pair::ready();
    let end = (32 + 1 + 28 + 2 + NAME.len()) as u16;
    for words in [
        [4, 0, 10, 10, 0, 0, 0, 0, 0, 4, 0xFFFF, 0, 0],
        [0xFFFF, 0, 10, 10, 0, 0, 0, 0, 0, 0xFFFF, 0xFFFF, 0, 0],
        [4, 0, 10, 10, 0, 0, 0, 0, 0, 4, end, 0, 0], // runs 2 bytes past the end
        [0, 4, 10, 10, 0, 0, 0, 0, 0, 0, 0, 4, end + 1], // data runs past the end
        [2, 0, 10, 10, 0, 0, 0, 0, 0, 4, end, 0, 0], // ParameterCount > Total
    ] {
        let m = trans_words(&mut p, words, NAME, &[1, 2]);
        assert_eq!(
            status_of(&p.send1(&m)),
            nt(NtStatus::STATUS_INVALID_PARAMETER),
            "{words:?}"
        );
    }
    // In-bounds offsets anywhere in the message are honoured (no padding assumed).
    let m = trans_words(
        &mut p,
        [2, 0, 10, 10, 0, 0, 0, 0, 0, 2, end, 0, 0],
        NAME,
        &[7, 8],
    );
    assert_eq!(reassemble(&p.send(&m)), (0, vec![7, 8], vec![]));
}

#[test]
fn unterminated_transaction_name_cve_2006_3942() {
    let mut p = Pair::ready();
    let m = trans_words(
        &mut p,
        [0, 0, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        b"\\PIPE\\LANMAN",
        &[],
    );
    assert_eq!(
        status_of(&p.send1(&m)),
        nt(NtStatus::STATUS_INVALID_PARAMETER)
    );
    // Unicode: odd number of name bytes, no terminator.
    let h = p.header(SmbCommand::TRANSACTION);
    let mut m = TransactionRequestBuilder::lanman(&[], 1, 1).primary(&h, 0, 0);
    m.truncate(m.len() - 3); // drop the terminator and one byte
    let bc = (m.len() - 63) as u16;
    m[61..63].copy_from_slice(&bc.to_le_bytes());
    assert_eq!(
        status_of(&p.send1(&m)),
        nt(NtStatus::STATUS_INVALID_PARAMETER)
    );
    // Empty bytes block: no name at all.
    let m = trans_words(&mut p, [0; 13], b"", &[]);
    assert_eq!(
        status_of(&p.send1(&m)),
        nt(NtStatus::STATUS_INVALID_PARAMETER)
    );
}

#[test]
fn zero_max_counts_cve_2002_0724() {
    let mut p = Pair::ready();
    for (max_p, max_d) in [(0, 0), (0, 0x400), (6, 0)] {
        let r = p.transact(&[0xDA, 0xDA, 0x00, 0x01], max_p, max_d);
        let (status, params, data) = reassemble(&r);
        assert_eq!(status, NtStatus::STATUS_BUFFER_OVERFLOW.0);
        assert!(params.len() <= usize::from(max_p) && data.len() <= usize::from(max_d));
    }
    // Zero maxima with an empty request.
    let r = p.transact(&[], 0, 0);
    assert_eq!(reassemble(&r), (0, vec![], vec![]));
}

fn start_partial(p: &mut Pair, total: u16, first: &[u8]) -> SmbHeader {
    let h = p.header(SmbCommand::TRANSACTION);
    let params = vec![0x11u8; usize::from(total)];
    let mut b = TransactionRequestBuilder::lanman(&params, 100, 100);
    let mut m = b.primary(&h, first.len(), 0);
    let _ = &mut b;
    // copy `first` into the parameter bytes
    let at = m.len() - first.len();
    m[at..].copy_from_slice(first);
    let r = p.send1(&m);
    assert!(matches!(
        parse_response(&r).unwrap().transaction(),
        Ok(TransactionReply::Interim)
    ));
    h
}

fn secondary(h: &SmbHeader, total_p: u16, disp: u16, count: u16, offset: Option<u16>) -> Vec<u8> {
    let mut sh = *h;
    sh.command = SmbCommand::TRANSACTION_SECONDARY;
    let poff = offset.unwrap_or(51);
    let mut w = Vec::new();
    for v in [total_p, 0, count, poff, disp, 0, 0, 0] {
        w.extend_from_slice(&v.to_le_bytes());
    }
    let mut b = MessageBuilder::new(&sh);
    b.begin_block(&w);
    b.bytes(&vec![0x22; usize::from(count)]);
    b.end_block();
    b.finish()
}

#[test]
fn secondary_displacement_overflow_and_overrun() {
    let mut p = Pair::ready();
    for (disp, count) in [(0xFFFF, 10), (95, 10), (0xFFF0, 0x20)] {
        let h = start_partial(&mut p, 100, &[1; 10]);
        let r = p.send1(&secondary(&h, 100, disp, count, None));
        let resp = parse_response(&r).unwrap();
        assert_eq!(
            resp.header.wire_status(),
            nt(NtStatus::STATUS_INVALID_PARAMETER)
        );
        assert_eq!(
            (resp.header.command, resp.header.mid),
            (SmbCommand::TRANSACTION, h.mid)
        );
        assert_eq!(p.server.pending_transactions(), (0, 0));
    }
    // Received bytes may not exceed the total (overlap at displacement 0).
    let h = start_partial(&mut p, 15, &[1; 10]);
    let r = p.send1(&secondary(&h, 15, 0, 10, None));
    assert_eq!(status_of(&r), nt(NtStatus::STATUS_INVALID_PARAMETER));
    // A secondary may shrink the total, never grow it.
    let h = start_partial(&mut p, 20, &[1; 10]);
    let r = p.send(&secondary(&h, 0xFFFF, 10, 20, None));
    assert_eq!(status_of(&r[0]), nt(NtStatus::STATUS_INVALID_PARAMETER));
    let h = start_partial(&mut p, 20, &[1; 10]);
    let r = p.send(&secondary(&h, 12, 10, 2, None));
    let (status, params, _) = reassemble(&r);
    assert_eq!((status, params.len()), (0, 12));
    // Secondary parameter offset outside the message.
    let h = start_partial(&mut p, 20, &[1; 10]);
    let r = p.send1(&secondary(&h, 20, 10, 10, Some(0xFFF0)));
    assert_eq!(status_of(&r), nt(NtStatus::STATUS_INVALID_PARAMETER));
    // A secondary matching nothing is dropped silently.
    let stray = secondary(&p.header(SmbCommand::TRANSACTION), 20, 0, 2, None);
    assert!(p.send(&stray).is_empty());
}

#[test]
fn pending_transaction_caps() {
    let mut p = Pair::ready();
    let mut heads = Vec::new();
    for _ in 0..8 {
        heads.push(start_partial(&mut p, 100, &[1; 10]));
    }
    assert_eq!(p.server.pending_transactions(), (8, 800));
    let h = p.header(SmbCommand::TRANSACTION);
    let r = p.send1(&TransactionRequestBuilder::lanman(&[0; 100], 1, 1).primary(&h, 10, 0));
    assert_eq!(status_of(&r), nt(NtStatus::STATUS_INSUFFICIENT_RESOURCES));
    // TREE_DISCONNECT frees them.
    let h = p.header(SmbCommand::TREE_DISCONNECT);
    p.send1(&client::tree_disconnect(&h));
    assert_eq!(p.server.pending_transactions(), (0, 0));

    // Byte budget.
    let limits = Limits {
        max_pending_bytes: 150,
        ..Limits::default()
    };
    let mut p = Pair::with_params(
        p.flags2,
        Arc::new(ServerParams {
            limits,
            ..(*params()).clone()
        }),
    );
    p.negotiate();
    p.login_with_buffer(16644);
    p.tree("IPC$");
    start_partial(&mut p, 100, &[1; 10]);
    let h = p.header(SmbCommand::TRANSACTION);
    let r = p.send1(&TransactionRequestBuilder::lanman(&[0; 100], 1, 1).primary(&h, 10, 0));
    assert_eq!(status_of(&r), nt(NtStatus::STATUS_INSUFFICIENT_RESOURCES));
    // Totals above the per-transaction cap.
    let h = p.header(SmbCommand::TRANSACTION);
    let data = vec![0u8; 0xFFFF];
    let r = p.send1(
        &TransactionRequestBuilder {
            data: &data,
            ..TransactionRequestBuilder::lanman(&[0; 10], 1, 1)
        }
        .primary(&h, 10, 0),
    );
    assert_eq!(status_of(&r), nt(NtStatus::STATUS_INVALID_PARAMETER));
    // Same MID twice while pending.
    let mut p = Pair::ready();
    let h = start_partial(&mut p, 100, &[1; 10]);
    let m = TransactionRequestBuilder::lanman(&[0; 100], 1, 1).primary(&h, 10, 0);
    assert_eq!(
        status_of(&p.send1(&m)),
        nt(NtStatus::STATUS_INVALID_PARAMETER)
    );
}

#[test]
fn session_and_tree_caps() {
    let mut p = Pair::nt_unicode();
    p.negotiate();
    for _ in 0..16 {
        p.uid = 0;
        let r = p.login_with_buffer(4356);
        assert_eq!(status_of(&r), nt(NtStatus::STATUS_SUCCESS));
    }
    p.uid = 0;
    let r = p.login_with_buffer(4356);
    assert_eq!(status_of(&r), nt(NtStatus::STATUS_TOO_MANY_SESSIONS));
    p.uid = 100;
    for _ in 0..32 {
        assert_eq!(status_of(&p.tree("IPC$")), nt(NtStatus::STATUS_SUCCESS));
    }
    assert_eq!(
        status_of(&p.tree("IPC$")),
        nt(NtStatus::STATUS_INSUFFICIENT_RESOURCES)
    );
    assert_eq!(p.server.trees().count(), 32);
}

#[test]
fn andx_loops_and_backward_offsets() {
    // SESSION_SETUP whose AndX points at itself.
    let mut p = Pair::nt_unicode();
    p.negotiate();
    let h = p.header(SmbCommand::SESSION_SETUP_ANDX);
    let mut m = client::session_setup(&h, &anonymous(4356));
    m[33] = 0x73;
    m[35..37].copy_from_slice(&32u16.to_le_bytes());
    let r = p.send1(&m);
    assert_eq!(status_of(&r), nt(NtStatus::STATUS_INVALID_SMB));
    // Offset beyond the message.
    let h = p.header(SmbCommand::SESSION_SETUP_ANDX);
    let mut m = client::session_setup(&h, &anonymous(4356));
    m[33] = 0x75;
    m[35..37].copy_from_slice(&0xFFF0u16.to_le_bytes());
    assert_eq!(status_of(&p.send1(&m)), nt(NtStatus::STATUS_INVALID_SMB));

    // A long forward chain of LOGOFF blocks: stops at max_andx_chain.
    let mut p = Pair::ready();
    let h = p.header(SmbCommand::LOGOFF_ANDX);
    let mut b = MessageBuilder::new(&h);
    for _ in 0..200 {
        b.link_next(SmbCommand::SESSION_SETUP_ANDX);
        let setup = anonymous(4356);
        setup.write(&mut b, true);
    }
    let mut m = b.finish();
    m[4] = SmbCommand::SESSION_SETUP_ANDX.0;
    let r = p.send1(&m);
    let resp = parse_response(&r).unwrap();
    assert_eq!(resp.header.wire_status(), nt(NtStatus::STATUS_INVALID_SMB));
    assert_eq!(resp.andx_blocks(1000).unwrap().len(), 8);
    // Non-AndX command chained: rejected after the first block, as a
    // command not implemented there (a real NTSTATUS error).
    let h = p.header(SmbCommand::TREE_CONNECT_ANDX);
    let mut b = MessageBuilder::new(&h);
    msrap::smb1::tree_connect::write_tree_connect_request(&mut b, "\\\\SRV\\IPC$", "?????", true);
    b.link_next(SmbCommand::TRANSACTION);
    b.begin_block(&[]);
    b.end_block();
    let r = p.send1(&b.finish());
    assert_eq!(status_of(&r), nt(NtStatus::STATUS_NOT_IMPLEMENTED));
}

/// Deterministic garbage and bit-flipped valid messages through the whole
/// session: no panic, bounded output.
#[test]
fn random_garbage_does_not_panic() {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut base = Pair::ready();
    let valid = {
        let h = base.header(SmbCommand::TRANSACTION);
        TransactionRequestBuilder::lanman(&[0x4D, 0, 1, 2, 3], 10, 10)
            .build(&h, 4096)
            .remove(0)
    };
    for i in 0..20_000 {
        let mut m = valid.clone();
        for _ in 0..(rnd() % 6) {
            let at = (rnd() as usize) % m.len();
            m[at] = rnd() as u8;
        }
        if i % 3 == 0 {
            m.truncate((rnd() as usize) % m.len());
        }
        let mut out = Vec::new();
        let _ = base.server.handle_message_now(&m, &mut out);
        assert!(out.len() <= 16 && out.iter().all(|r| r.len() <= 0xFFFF));
    }
}

// ---- over TCP ----

#[cfg(feature = "server")]
mod tcp {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    use std::time::{Duration, Instant};

    use msrap::server::ServerConfig;
    use msrap::smb1::client::{self, parse_response, TransactionRequestBuilder};
    use msrap::smb1::nbss::Framing;
    use msrap::smb1::{HeaderFlags2, SmbCommand, SmbHeader};
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpStream;

    use super::support::server::{TcpClient, TestServer};
    use super::support::smb1::{anonymous, reassemble};

    /// NEGOTIATE, SESSION_SETUP + TREE_CONNECT and one transaction from
    /// `local`, each answer checked; returns the longest wait for one step
    /// (the connect included).
    async fn timed_session(local: IpAddr, addr: SocketAddr) -> Duration {
        let t = Instant::now();
        let mut c = TcpClient::connect_from(local, addr, Framing::DirectTcp).await;
        let mut worst = t.elapsed();
        let f2 = HeaderFlags2::NT_STATUS | HeaderFlags2::UNICODE;
        let h = SmbHeader {
            mid: 1,
            ..SmbHeader::request(SmbCommand::NEGOTIATE, f2)
        };
        let t = Instant::now();
        let r = c
            .call(&client::negotiate_request(&h, &["NT LM 0.12"]), 1)
            .await;
        worst = worst.max(t.elapsed());
        assert_eq!(parse_response(&r[0]).unwrap().block.word_count, 17);
        let h = SmbHeader {
            mid: 2,
            ..SmbHeader::request(SmbCommand::SESSION_SETUP_ANDX, f2)
        };
        let t = Instant::now();
        let r = c
            .call(
                &client::session_setup_and_tree_connect(
                    &h,
                    &anonymous(16644),
                    "\\\\X\\IPC$",
                    "?????",
                ),
                1,
            )
            .await;
        worst = worst.max(t.elapsed());
        let resp = parse_response(&r[0]).unwrap().header;
        assert_eq!(resp.status, 0);
        let h = SmbHeader {
            mid: 3,
            uid: resp.uid,
            tid: resp.tid,
            ..SmbHeader::request(SmbCommand::TRANSACTION, f2)
        };
        let t = Instant::now();
        let r = c
            .call(
                &TransactionRequestBuilder::lanman(b"hello", 10, 10).primary(&h, 5, 0),
                1,
            )
            .await;
        worst = worst.max(t.elapsed());
        assert_eq!(reassemble(&r), (0, b"hello".to_vec(), vec![]));
        worst
    }

    async fn well_behaved_session(addr: SocketAddr) {
        timed_session(IpAddr::V4(Ipv4Addr::LOCALHOST), addr).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn thousand_idle_connections_and_slow_senders() {
        let started = Instant::now();
        let idle_timeout = Duration::from_secs(3);
        let server = TestServer::toy({
            let mut c = ServerConfig::default();
            c.max_connections = 1100;
            c.idle_timeout = idle_timeout;
            c
        });
        let addr = server.addr;

        let mut idle = Vec::new();
        for _ in 0..1000 {
            idle.push(TcpStream::connect(addr).await.unwrap());
        }
        // Slowloris: declares a maximal frame and dribbles a byte every 200 ms.
        let slowloris = tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            let t0 = Instant::now();
            let mut bytes = vec![0u8, 1, 0xFF, 0xFF, 0xFF, b'S', b'M', b'B'];
            bytes.extend(std::iter::repeat_n(0u8, 100));
            for b in bytes {
                use tokio::io::AsyncWriteExt;
                if s.write_all(&[b]).await.is_err() {
                    return t0.elapsed();
                }
                let mut probe = [0u8; 1];
                if let Ok(Ok(0)) =
                    tokio::time::timeout(Duration::from_millis(200), s.read(&mut probe)).await
                {
                    return t0.elapsed();
                }
            }
            panic!("slow sender was never disconnected");
        });
        // A byte-at-a-time sender of a real request is still served.
        let trickle = tokio::spawn(async move {
            let mut c = TcpClient::connect(addr, Framing::DirectTcp).await;
            let h = SmbHeader::request(SmbCommand::NEGOTIATE, HeaderFlags2::NT_STATUS);
            let mut framed = bytes::BytesMut::new();
            msrap::smb1::nbss::encode_message(
                Framing::DirectTcp,
                &client::negotiate_request(&h, &["NT LM 0.12"]),
                &mut framed,
            )
            .unwrap();
            for b in framed.iter() {
                c.send_raw(&[*b]).await;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let r = c.recv().await;
            assert_eq!(parse_response(&r).unwrap().block.word_count, 17);
        });
        // Meanwhile a well-behaved client gets prompt answers.
        let t = Instant::now();
        for _ in 0..5 {
            well_behaved_session(addr).await;
        }
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "served in {:?}",
            t.elapsed()
        );
        trickle.await.unwrap();
        let cut_after = slowloris.await.unwrap();
        assert!(
            cut_after >= idle_timeout - Duration::from_millis(500) && cut_after < idle_timeout * 3,
            "{cut_after:?}"
        );
        // Idle connections are closed by the server.
        let mut buf = [0u8; 1];
        let n = tokio::time::timeout(Duration::from_secs(6), idle[0].read(&mut buf))
            .await
            .unwrap();
        assert!(matches!(n, Ok(0) | Err(_)));
        drop(idle);
        server.stop();
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    /// Issue 12, point 1, with the default settings: ten times
    /// `max_connections` idle sockets from one address, a slowloris and a
    /// byte-at-a-time sender (each from an address of its own), while a good
    /// client (from a fourth address, then from the flood's own) gets every
    /// answer right, each within a second.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn connection_exhaustion_with_default_settings() {
        let config = ServerConfig::default();
        let server = TestServer::toy(config.clone());
        let addr = server.addr;
        let ip = |last: u8| IpAddr::V4(Ipv4Addr::new(127, 0, 0, last));
        let started = Instant::now();

        // The flood: connects and sends nothing, holding every socket.
        let flood_n = 10 * config.max_connections;
        let flood = tokio::spawn(async move {
            let mut held = Vec::with_capacity(flood_n);
            for _ in 0..flood_n {
                held.push(TcpStream::connect(addr).await.unwrap());
            }
            (held, Instant::now())
        });
        // Slowloris: a valid frame header declaring a big NEGOTIATE, then a
        // byte every 200 ms; the handshake deadline must cut it.
        let slowloris = tokio::spawn(async move {
            let mut c = TcpClient::connect_from(ip(4), addr, Framing::DirectTcp).await;
            let t0 = Instant::now();
            let mut bytes = vec![0u8, 0, 0x40, 0x00, 0xFF, b'S', b'M', b'B', 0x72];
            bytes.extend(std::iter::repeat_n(0u8, 200));
            for b in bytes {
                use tokio::io::AsyncWriteExt;
                if c.stream.write_all(&[b]).await.is_err() {
                    return t0.elapsed();
                }
                let mut probe = [0u8; 1];
                if let Ok(Ok(0) | Err(_)) =
                    tokio::time::timeout(Duration::from_millis(200), c.stream.read(&mut probe))
                        .await
                {
                    return t0.elapsed();
                }
            }
            panic!("the slow sender was never disconnected");
        });
        // A byte-at-a-time sender of a whole session is served.
        let trickle = tokio::spawn(async move {
            let mut c = TcpClient::connect_from(ip(3), addr, Framing::DirectTcp).await;
            let f2 = HeaderFlags2::NT_STATUS | HeaderFlags2::UNICODE;
            let dribble = async |c: &mut TcpClient, msg: &[u8]| {
                let mut framed = bytes::BytesMut::new();
                msrap::smb1::nbss::encode_message(Framing::DirectTcp, msg, &mut framed).unwrap();
                for b in framed.iter() {
                    c.send_raw(&[*b]).await;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                c.recv().await
            };
            let h = SmbHeader {
                mid: 1,
                ..SmbHeader::request(SmbCommand::NEGOTIATE, f2)
            };
            let r = dribble(&mut c, &client::negotiate_request(&h, &["NT LM 0.12"])).await;
            assert_eq!(parse_response(&r).unwrap().block.word_count, 17);
            let h = SmbHeader {
                mid: 2,
                ..SmbHeader::request(SmbCommand::SESSION_SETUP_ANDX, f2)
            };
            let setup = client::session_setup_and_tree_connect(
                &h,
                &anonymous(16644),
                "\\\\X\\IPC$",
                "?????",
            );
            let r = dribble(&mut c, &setup).await;
            let resp = parse_response(&r).unwrap().header;
            assert_eq!(resp.status, 0);
            let h = SmbHeader {
                mid: 3,
                uid: resp.uid,
                tid: resp.tid,
                ..SmbHeader::request(SmbCommand::TRANSACTION, f2)
            };
            let r = dribble(
                &mut c,
                &TransactionRequestBuilder::lanman(b"slow", 10, 10).primary(&h, 4, 0),
            )
            .await;
            assert_eq!(reassemble(&[r]), (0, b"slow".to_vec(), vec![]));
        });

        // The good client from its own address, as long as the attack lasts
        // (bounded: the slowloris is cut within the handshake timeout).
        let mut worst = Duration::ZERO;
        let mut sessions = 0;
        while !(flood.is_finished() && slowloris.is_finished() && trickle.is_finished())
            && started.elapsed() < Duration::from_secs(60)
        {
            worst = worst.max(timed_session(ip(2), addr).await);
            sessions += 1;
        }
        // `flood_done`: when the last flood connection was accepted.
        let (held, flood_done) = flood.await.unwrap();
        // The flood's sockets beyond the per-source cap were closed by the
        // server to make room (give the evicted tasks a moment to exit).
        tokio::time::sleep(Duration::from_millis(200)).await;
        let held: Vec<std::net::TcpStream> =
            held.into_iter().map(|s| s.into_std().unwrap()).collect();
        // Still open: a read would block (closed: EOF or a reset).
        let open = |held: &[std::net::TcpStream]| {
            held.iter()
                .filter(|s| {
                    use std::io::Read;
                    let mut b = [0u8; 1];
                    let mut r: &std::net::TcpStream = s;
                    matches!(r.read(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
                })
                .count()
        };
        let still_open = open(&held);
        assert!(
            still_open <= config.max_connections_per_source,
            "{still_open} of the flood's {flood_n} connections are still open"
        );
        // A good client from the flood's own address is served too: it
        // displaces one of that address's idle connections.
        for _ in 0..5 {
            worst = worst.max(timed_session(ip(1), addr).await);
            sessions += 1;
        }
        eprintln!("good client: {sessions} sessions, slowest step {worst:?}; flood sockets still open after it: {still_open}");
        assert!(
            worst < Duration::from_secs(1),
            "slowest answer {worst:?} over {sessions} sessions"
        );
        trickle.await.unwrap();
        let cut_after = slowloris.await.unwrap();
        assert!(
            cut_after >= config.handshake_timeout - Duration::from_millis(500)
                && cut_after < config.handshake_timeout + Duration::from_secs(3),
            "slowloris cut after {cut_after:?}"
        );
        // Within the handshake timeout every flood connection is closed.
        tokio::time::sleep_until(
            (flood_done + config.handshake_timeout + Duration::from_secs(1)).into(),
        )
        .await;
        assert_eq!(open(&held), 0);
        server.stop();
    }
}
