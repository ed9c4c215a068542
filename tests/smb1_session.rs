//! The sans-IO SMB1 server driven by an in-memory client, no sockets:
//! NEGOTIATE → SESSION_SETUP → TREE_CONNECT → TRANSACTION → TREE_DISCONNECT
//! → LOGOFF, secondaries, multi-part responses, errors in NT and DOS form,
//! AndX chains, and the MS-RAP/MS-CIFS example frames (spec-facts T3/T4).
#![cfg(feature = "smb1")]

mod support;

use msrap::codes::NtStatus;
use msrap::smb1::client::{self, parse_response, TransactionRequestBuilder};
use msrap::smb1::nbss::{Frame, FrameDecoder, Framing};
use msrap::smb1::pipe::{
    PipeHandler, PipeOutcome, PipeReply, PipeTransaction, ShareCatalogue, ShareKind,
};
use msrap::smb1::server::reply_header;
use msrap::smb1::status::dos_error;
use msrap::smb1::trans::{
    parse_transaction_request, write_transaction_responses, TransactionReply,
};
use msrap::smb1::{parse_block, DosError, HeaderFlags2, SmbCommand, WireStatus};
use pretty_assertions::assert_eq;
use support::smb1::*;
use support::{hex, to_hex};

const RAP_L0: [u8; 16] = [
    0x4D, 0, b'W', b'W', b'r', b'L', b'h', 0, b'W', 0, 3, 0, 0, 0, 0, 4,
];

fn status_of(msg: &[u8]) -> WireStatus {
    parse_response(msg).unwrap().header.wire_status()
}

#[test]
fn negotiate_nt_lm_012_exact_bytes() {
    let mut p = Pair::nt_unicode();
    let r = p.negotiate();
    assert_eq!(
        to_hex(&r),
        to_hex(&hex(
            "FF 53 4D 42 72 00 00 00 00 98 01 C0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 B2 74 00 00 01 00
             11 04 00 03 32 00 01 00 04 41 00 00 00 00 01 00 00 00 00 00 44 00 00 00 00 80 9E 6B A3 47 DA 01
             00 00 08 16 00 01 02 03 04 05 06 07 08 57 00 47 00 00 00 53 00 52 00 56 00 00 00"
        ))
    );
    // DialectIndex 4 = "NT LM 0.12"; SecurityMode 3 = user level + challenge/response,
    // Capabilities 0x44 = CAP_UNICODE | CAP_STATUS32 (no extended security).
}

#[test]
fn negotiate_lanman_and_core() {
    let mut p = Pair::new(HeaderFlags2::empty());
    let h = p.header(SmbCommand::NEGOTIATE);
    let r = p.send1(&client::negotiate_request(
        &h,
        &[
            "PC NETWORK PROGRAM 1.0",
            "LANMAN1.0",
            "LM1.2X002",
            "LANMAN2.1",
        ],
    ));
    let resp = parse_response(&r).unwrap();
    assert_eq!(resp.block.word_count, 13);
    assert_eq!(&resp.block.words[..4], &[3, 0, 3, 0]); // DialectIndex 3 (LANMAN2.1), SecurityMode 3
    assert_eq!(&resp.block.words[22..24], &[8, 0]); // EncryptionKeyLength
    assert_eq!(resp.block.bytes, b"\x01\x02\x03\x04\x05\x06\x07\x08WG\0");

    let mut p = Pair::new(HeaderFlags2::empty());
    let h = p.header(SmbCommand::NEGOTIATE);
    let r = p.send1(&client::negotiate_request(
        &h,
        &["PC NETWORK PROGRAM 1.0", "MICROSOFT NETWORKS 3.0"],
    ));
    let resp = parse_response(&r).unwrap();
    assert_eq!(
        (
            resp.block.word_count,
            resp.block.words,
            resp.block.byte_count
        ),
        (1, &[0xFF, 0xFF][..], 0)
    );
    assert_eq!(p.server.dialect(), None);
}

#[test]
fn second_negotiate_is_an_error() {
    let mut p = Pair::nt_unicode();
    p.negotiate();
    let r = p.negotiate();
    assert_eq!(status_of(&r), WireStatus::Nt(NtStatus::STATUS_INVALID_SMB));
}

#[test]
fn session_setup_and_tree_connect_exact_bytes() {
    let mut p = Pair::nt_unicode();
    p.negotiate();
    let r = p.login_with_buffer(16644);
    assert_eq!(
        to_hex(&r),
        to_hex(&hex(
            "FF 53 4D 42 73 00 00 00 00 98 01 C0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 B2 74 64 00 02 00
             03 FF 00 00 00 00 00 1D 00 00 55 00 6E 00 69 00 78 00 00 00 6D 00 73 00 72 00 61 00 70 00 00 00
             57 00 47 00 00 00"
        ))
    );
    let r = p.tree("IPC$");
    assert_eq!(
        to_hex(&r),
        to_hex(&hex(
            "FF 53 4D 42 75 00 00 00 00 98 01 C0 00 00 00 00 00 00 00 00 00 00 00 00 01 00 B2 74 64 00 03 00
             03 FF 00 00 00 01 00 07 00 49 50 43 00 00 00 00"
        ))
    );
    assert_eq!((p.uid, p.tid), (100, 1));
}

#[test]
fn oem_client_full_session() {
    let mut p = Pair::new(HeaderFlags2::empty());
    p.negotiate();
    let r = p.login_with_buffer(4356);
    assert_eq!(
        to_hex(&r),
        to_hex(&hex(
            "FF 53 4D 42 73 00 00 00 00 98 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 B2 74 64 00 02 00
             03 FF 00 00 00 00 00 0E 00 55 6E 69 78 00 6D 73 72 61 70 00 57 47 00"
        ))
    );
    p.tree("ipc$");
    let r = p.transact(&RAP_L0, 0xFFFF, 0x400);
    assert_eq!(reassemble(&r), (0, RAP_L0.to_vec(), vec![]));
    // TREE_DISCONNECT, then the TID is gone: ERRSRV/ERRinvtid in DOS form.
    let h = p.header(SmbCommand::TREE_DISCONNECT);
    let r = p.send1(&client::tree_disconnect(&h));
    assert_eq!(parse_response(&r).unwrap().header.status, 0);
    let r = p.transact(&RAP_L0, 100, 100);
    assert_eq!(status_of(&r[0]), WireStatus::Dos(DosError::new(2, 5)));
    // LOGOFF, then the UID is gone: ERRSRV/ERRbaduid.
    let h = p.header(SmbCommand::LOGOFF_ANDX);
    let r = p.send1(&client::logoff(&h));
    let resp = parse_response(&r).unwrap();
    assert_eq!(
        (resp.header.status, resp.block.words),
        (0, &[0xFF, 0, 0, 0][..])
    );
    let r = p.transact(&RAP_L0, 100, 100);
    assert_eq!(status_of(&r[0]), WireStatus::Dos(DosError::new(2, 91)));
}

#[test]
fn full_session_unicode() {
    let mut p = Pair::ready();
    // Unicode name, reply echoes parameters and data.
    let h = p.header(SmbCommand::TRANSACTION);
    let m = TransactionRequestBuilder {
        data: b"in-data",
        align: 4,
        ..TransactionRequestBuilder::lanman(&RAP_L0, 100, 100)
    }
    .primary(&h, 16, 7);
    let r = p.send(&m);
    assert_eq!(r.len(), 1);
    assert_eq!(reassemble(&r), (0, RAP_L0.to_vec(), b"in-data".to_vec()));
    let events = p.server.take_events();
    let last = events.last().unwrap();
    assert_eq!(
        (last.command, last.rap_opcode, last.response_bytes),
        (SmbCommand::TRANSACTION, Some(0x4D), (16, 7))
    );

    let h = p.header(SmbCommand::TREE_DISCONNECT);
    let r = p.send1(&client::tree_disconnect(&h));
    assert_eq!(status_of(&r), WireStatus::Nt(NtStatus::STATUS_SUCCESS));
    let r = p.transact(&RAP_L0, 100, 100);
    assert_eq!(
        status_of(&r[0]),
        WireStatus::Nt(NtStatus::STATUS_SMB_BAD_TID)
    );
    let h = p.header(SmbCommand::LOGOFF_ANDX);
    let r = p.send1(&client::logoff(&h));
    assert_eq!(status_of(&r), WireStatus::Nt(NtStatus::STATUS_SUCCESS));
    let r = p.tree("IPC$");
    assert_eq!(status_of(&r), WireStatus::Nt(NtStatus::STATUS_SMB_BAD_UID));
}

#[test]
fn pipe_name_is_case_insensitive() {
    let mut p = Pair::ready();
    let h = p.header(SmbCommand::TRANSACTION);
    let m = TransactionRequestBuilder {
        name: "\\pipe\\lanman",
        ..TransactionRequestBuilder::lanman(&RAP_L0, 100, 0)
    }
    .primary(&h, 16, 0);
    assert_eq!(reassemble(&p.send(&m)).1, RAP_L0.to_vec());
}

#[test]
fn unknown_pipe_and_mailslot() {
    let mut p = Pair::ready();
    for name in ["\\PIPE\\srvsvc", "\\PIPE\\", "\\MAILSLOT\\BROWSE", ""] {
        let h = p.header(SmbCommand::TRANSACTION);
        let m = TransactionRequestBuilder {
            name,
            ..TransactionRequestBuilder::lanman(&RAP_L0, 100, 0)
        }
        .primary(&h, 16, 0);
        let r = p.send1(&m);
        assert_eq!(
            status_of(&r),
            WireStatus::Nt(NtStatus::STATUS_OBJECT_NAME_NOT_FOUND),
            "{name}"
        );
    }
    // One-way (NO_RESPONSE) to a mailslot: no reply at all.
    let h = p.header(SmbCommand::TRANSACTION);
    let m = TransactionRequestBuilder {
        name: "\\MAILSLOT\\BROWSE",
        flags: 2,
        ..TransactionRequestBuilder::lanman(&RAP_L0, 0, 0)
    }
    .primary(&h, 16, 0);
    assert!(p.send(&m).is_empty());
    // DOS form: ERRDOS/ERRbadfile.
    let mut p = Pair::new(HeaderFlags2::UNICODE);
    p.negotiate();
    p.login_with_buffer(4356);
    p.tree("IPC$");
    let h = p.header(SmbCommand::TRANSACTION);
    let m = TransactionRequestBuilder {
        name: "\\PIPE\\spoolss",
        ..TransactionRequestBuilder::lanman(&RAP_L0, 100, 0)
    }
    .primary(&h, 16, 0);
    assert_eq!(to_hex(&p.send1(&m)[5..9]), "01 00 02 00");
}

#[test]
fn fail_transaction_status_nt_and_dos() {
    let mut p = Pair::ready();
    let r = p.transact(&[0xEE, 0xEE, 1, 2], 100, 100);
    assert_eq!(r.len(), 1);
    let resp = parse_response(&r[0]).unwrap();
    assert_eq!(
        resp.header.wire_status(),
        WireStatus::Nt(NtStatus::STATUS_INVALID_PARAMETER)
    );
    assert_eq!((resp.block.word_count, resp.block.byte_count), (0, 0));
    assert_eq!(resp.header.command, SmbCommand::TRANSACTION);

    let mut p = Pair::new(HeaderFlags2::empty());
    p.negotiate();
    p.login_with_buffer(4356);
    p.tree("IPC$");
    let r = p.transact(&[0xEE, 0xEE], 100, 100);
    assert_eq!(status_of(&r[0]), WireStatus::Dos(DosError::new(1, 87)));
}

#[test]
fn bad_share_and_print_share() {
    let mut p = Pair::nt_unicode();
    p.negotiate();
    p.login_with_buffer(16644);
    let r = p.tree("NOSUCH");
    assert_eq!(
        status_of(&r),
        WireStatus::Nt(NtStatus::STATUS_BAD_NETWORK_NAME)
    );
    let r = p.tree("LASER"); // configured as "Laser": case-insensitive
    let resp = parse_response(&r).unwrap();
    assert_eq!(resp.header.status, 0);
    assert!(resp.block.bytes.starts_with(b"LPT1:\0"));
    // `\PIPE\LANMAN` is served on a print tree too: smbclient sends its
    // NetPrintJobEnum on the printer share, and Samba answers it there.
    let on_print_tree = p.transact(&RAP_L0, 100, 100);
    p.tree("IPC$");
    let on_ipc = p.transact(&RAP_L0, 100, 100);
    assert_eq!(
        status_of(&on_print_tree[0]),
        WireStatus::Nt(NtStatus::STATUS_SUCCESS)
    );
    assert_eq!(
        on_print_tree[0].get(32..),
        on_ipc[0].get(32..),
        "same reply body on both trees"
    );
    // Wrong service for IPC$.
    let h = p.header(SmbCommand::TREE_CONNECT_ANDX);
    let r = p.send1(&client::tree_connect(&h, "\\\\SRV\\IPC$", "A:"));
    assert_eq!(
        status_of(&r),
        WireStatus::Nt(NtStatus::STATUS_BAD_DEVICE_TYPE)
    );

    let mut p = Pair::new(HeaderFlags2::empty());
    p.negotiate();
    p.login_with_buffer(16644);
    let r = p.tree("NOSUCH");
    assert_eq!(to_hex(&r[5..9]), "02 00 06 00"); // ERRSRV/ERRinvnetname
}

#[test]
fn unknown_command_nt_and_dos() {
    let mut p = Pair::ready();
    // NT form: a real NTSTATUS error, never STATUS_SMB_BAD_COMMAND
    // (0x00160002), which has success severity (MS-CIFS 3.3.5.2).
    let h = p.header(SmbCommand::NT_CREATE_ANDX);
    let r = p.send1(&client::tree_disconnect(&h));
    assert_eq!(
        status_of(&r),
        WireStatus::Nt(NtStatus::STATUS_NOT_IMPLEMENTED)
    );
    assert_eq!(to_hex(&r[5..9]), "02 00 00 C0");
    let h = p.header(SmbCommand(0x99));
    let r = p.send1(&client::tree_disconnect(&h));
    assert_eq!(to_hex(&r[5..9]), "02 00 00 C0");
    // DOS form: ERRDOS/ERRbadfunc for a defined command, ERRSRV/ERRbadcmd
    // for a code that is none.
    p.flags2 = HeaderFlags2::empty();
    let h = p.header(SmbCommand::NT_CREATE_ANDX);
    let r = p.send1(&client::tree_disconnect(&h));
    assert_eq!(to_hex(&r[5..9]), "01 00 01 00"); // ERRDOS/ERRbadfunc (1)
    let h = p.header(SmbCommand(0x99));
    let r = p.send1(&client::tree_disconnect(&h));
    assert_eq!(to_hex(&r[5..9]), "02 00 16 00"); // ERRSRV/ERRbadcmd (22)
}

#[test]
fn echo_repeats_and_is_bounded() {
    let mut p = Pair::ready();
    let h = p.header(SmbCommand::ECHO);
    let r = p.send(&client::echo(&h, 3, b"ping"));
    assert_eq!(r.len(), 3);
    for (i, m) in r.iter().enumerate() {
        let resp = parse_response(m).unwrap();
        assert_eq!(
            (resp.block.words, resp.block.bytes),
            (&[(i + 1) as u8, 0][..], &b"ping"[..])
        );
    }
    let h = p.header(SmbCommand::ECHO);
    assert_eq!(p.send(&client::echo(&h, 0xFFFF, b"x")).len(), 16);
    let h = p.header(SmbCommand::ECHO);
    assert!(p.send(&client::echo(&h, 0, b"x")).is_empty());
}

#[test]
fn secondary_transaction_with_interim_response() {
    // spec-facts E24: T3 level 3 parameters split 20 + 14.
    let params = hex("4D 00 57 57 72 4C 68 00 57 57 7A 57 57 44 44 7A 7A 7A 7A 7A 7A 7A 7A 7A 7A 6C 7A 00 03 00 03 00 00 04");
    let mut p = Pair::ready();
    let h = p.header(SmbCommand::TRANSACTION);
    let b = TransactionRequestBuilder {
        data: b"0123456789",
        ..TransactionRequestBuilder::lanman(&params, 100, 100)
    };
    let r = p.send1(&b.primary(&h, 20, 0));
    let resp = parse_response(&r).unwrap();
    assert_eq!(
        (
            resp.header.status,
            resp.block.word_count,
            resp.block.byte_count
        ),
        (0, 0, 0)
    );
    assert!(matches!(resp.transaction(), Ok(TransactionReply::Interim)));
    assert_eq!(p.server.pending_transactions(), (1, 44));
    let mut sh = h;
    sh.command = SmbCommand::TRANSACTION_SECONDARY;
    // data second half first, then params, then the first data half
    assert!(p.send(&b.secondary(&sh, 34, 0, 5, 5)).is_empty());
    assert!(p.send(&b.secondary(&sh, 20, 14, 0, 0)).is_empty());
    let r = p.send(&b.secondary(&sh, 34, 0, 0, 5));
    assert_eq!(reassemble(&r), (0, params.clone(), b"0123456789".to_vec()));
    let resp = parse_response(&r[0]).unwrap();
    assert_eq!(
        (resp.header.command, resp.header.mid),
        (SmbCommand::TRANSACTION, h.mid)
    );
    assert_eq!(p.server.pending_transactions(), (0, 0));
}

#[test]
fn builder_split_request_round_trip() {
    let params: Vec<u8> = (0..=255).cycle().take(3000).collect();
    let data: Vec<u8> = (0..=255).rev().cycle().take(2000).collect();
    let mut p = Pair::ready();
    let h = p.header(SmbCommand::TRANSACTION);
    let msgs = TransactionRequestBuilder {
        data: &data,
        align: 4,
        ..TransactionRequestBuilder::lanman(&params, 0xFFFF, 0xFFFF)
    }
    .build(&h, 1024);
    assert!(msgs.len() >= 5 && msgs.iter().all(|m| m.len() <= 1024));
    let mut replies = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let r = p.send(m);
        if i == 0 {
            assert!(matches!(
                parse_response(&r[0]).unwrap().transaction(),
                Ok(TransactionReply::Interim)
            ));
        } else {
            replies.extend(r);
        }
    }
    assert_eq!(reassemble(&replies), (0, params, data));
}

#[test]
fn multi_part_response_respects_client_max_buffer() {
    let mut p = Pair::nt_unicode();
    p.negotiate();
    p.login_with_buffer(300);
    p.tree("IPC$");
    let r = p.transact(&[0xDA, 0xDA, 0xE8, 0x03], 100, 0xFFFF); // 1000 data bytes
    assert!(r.len() >= 4, "{} parts", r.len());
    let mut expect_disp = 0u16;
    for m in &r {
        assert!(m.len() <= 300);
        let resp = parse_response(m).unwrap();
        let TransactionReply::Part(part) = resp.transaction().unwrap() else {
            panic!("interim")
        };
        assert_eq!(part.words.parameter_offset, 56);
        assert_eq!(part.words.data_displacement, expect_disp);
        if part.words.data_count > 0 {
            assert_eq!(part.words.data_offset % 4, 0);
        }
        expect_disp += part.words.data_count;
        assert_eq!(
            (
                part.words.total_parameter_count,
                part.words.total_data_count
            ),
            (4, 1000)
        );
    }
    let (status, params, data) = reassemble(&r);
    assert_eq!((status, params), (0, vec![0, 0, 0, 0]));
    assert_eq!(data, (0..1000).map(|i| i as u8).collect::<Vec<_>>());
}

#[test]
fn reply_larger_than_max_counts_is_cut_with_buffer_overflow() {
    let mut p = Pair::ready();
    let r = p.transact(&RAP_L0, 6, 0);
    let (status, params, data) = reassemble(&r);
    assert_eq!(status, NtStatus::STATUS_BUFFER_OVERFLOW.0);
    assert_eq!((params, data), (RAP_L0[..6].to_vec(), vec![]));
    let r = p.transact(&[0xDA, 0xDA, 0x10, 0], 4, 0);
    assert_eq!(
        reassemble(&r),
        (NtStatus::STATUS_BUFFER_OVERFLOW.0, vec![0, 0, 0, 0], vec![])
    );
    assert_eq!(
        dos_error(NtStatus::STATUS_BUFFER_OVERFLOW),
        DosError::new(1, 234)
    );
}

#[test]
fn andx_session_setup_plus_tree_connect() {
    let mut p = Pair::nt_unicode();
    p.negotiate();
    let h = p.header(SmbCommand::SESSION_SETUP_ANDX);
    let r = p.send1(&client::session_setup_and_tree_connect(
        &h,
        &anonymous(16644),
        "\\\\SRV\\IPC$",
        "?????",
    ));
    let resp = parse_response(&r).unwrap();
    assert_eq!(
        (resp.header.status, resp.header.uid, resp.header.tid),
        (0, 100, 1)
    );
    let blocks = resp.andx_blocks(8).unwrap();
    let cmds: Vec<_> = blocks.iter().map(|(c, b)| (*c, b.word_count)).collect();
    assert_eq!(
        cmds,
        vec![
            (SmbCommand::SESSION_SETUP_ANDX, 3),
            (SmbCommand::TREE_CONNECT_ANDX, 3)
        ]
    );
    assert_eq!(blocks[0].1.words[0], 0x75);
    assert!(blocks[1].1.bytes.starts_with(b"IPC\0"));
    p.uid = resp.header.uid;
    p.tid = resp.header.tid;
    assert_eq!(reassemble(&p.transact(&RAP_L0, 100, 0)).1, RAP_L0.to_vec());

    // Chain whose tree connect fails: session block, then an empty block; status in the header.
    let mut p = Pair::nt_unicode();
    p.negotiate();
    let h = p.header(SmbCommand::SESSION_SETUP_ANDX);
    let r = p.send1(&client::session_setup_and_tree_connect(
        &h,
        &anonymous(16644),
        "\\\\SRV\\NOPE",
        "?????",
    ));
    let resp = parse_response(&r).unwrap();
    assert_eq!(
        resp.header.wire_status(),
        WireStatus::Nt(NtStatus::STATUS_BAD_NETWORK_NAME)
    );
    assert_eq!(resp.header.uid, 100);
    let blocks = resp.andx_blocks(8).unwrap();
    assert_eq!(blocks.len(), 2);
    assert_eq!((blocks[1].1.word_count, blocks[1].1.byte_count), (0, 0));
}

#[test]
fn lanman_ten_word_session_setup_with_password_is_guest() {
    let mut p = Pair::new(HeaderFlags2::empty());
    let h = p.header(SmbCommand::NEGOTIATE);
    p.send1(&client::negotiate_request(&h, &["LANMAN2.1"]));
    let h = p.header(SmbCommand::SESSION_SETUP_ANDX);
    let setup = msrap::smb1::session_setup::SessionSetupNt {
        oem_password: &[0x55; 24],
        account_name: "alice",
        ..anonymous(4356)
    };
    let r = p.send1(&client::session_setup_lanman(&h, &setup));
    let resp = parse_response(&r).unwrap();
    assert_eq!((resp.header.status, resp.block.words[4]), (0, 1)); // Action: SMB_SETUP_GUEST
    let s = p.server.sessions().next().unwrap();
    assert_eq!(s.credentials.account_name, "alice");
    assert_eq!(s.credentials.oem_password.len(), 24);
}

// ---- spec-facts T3 / T4 ----

const T3_L0: &str = "
0000  00 00 00 6A FF 53 4D 42 25 00 00 00 00 00 00 80
0010  00 00 00 00 00 00 00 00 00 00 00 00 02 08 B2 74
0020  01 08 81 6D 0E 10 00 00 00 06 00 00 04 00 00 00
0030  00 00 00 00 00 00 00 10 00 5A 00 00 00 00 00 00
0040  00 2B 00 00 5C 00 50 00 49 00 50 00 45 00 5C 00
0050  4C 00 41 00 4E 00 4D 00 41 00 4E 00 00 00 4D 00
0060  57 57 72 4C 68 00 57 00 03 00 00 00 00 04";

const T3_L3: &str = "
0000  00 00 00 7C FF 53 4D 42 25 00 00 00 00 00 00 80
0010  00 00 00 00 00 00 00 00 00 00 00 00 02 08 B2 74
0020  01 08 81 6D 0E 22 00 00 00 06 00 00 04 00 00 00
0030  00 00 00 00 00 00 00 22 00 5A 00 00 00 00 00 00
0040  00 3D 00 00 5C 00 50 00 49 00 50 00 45 00 5C 00
0050  4C 00 41 00 4E 00 4D 00 41 00 4E 00 00 00 4D 00
0060  57 57 72 4C 68 00 57 57 7A 57 57 44 44 7A 7A 7A
0070  7A 7A 7A 7A 7A 7A 7A 6C 7A 00 03 00 03 00 00 04";

const T3_L0_OEM: &str = "
0000  00 00 00 5C FF 53 4D 42 25 00 00 00 00 00 00 00
0010  00 00 00 00 00 00 00 00 00 00 00 00 02 08 B2 74
0020  01 08 81 6D 0E 10 00 00 00 06 00 00 04 00 00 00
0030  00 00 00 00 00 00 00 10 00 4C 00 00 00 00 00 00
0040  00 1D 00 5C 50 49 50 45 5C 4C 41 4E 4D 41 4E 00
0050  4D 00 57 57 72 4C 68 00 57 00 03 00 00 00 00 04";

fn t3_message(dump: &str) -> Vec<u8> {
    let framed = hex(dump);
    let mut d = FrameDecoder::new(Framing::DirectTcp);
    d.extend_from_slice(&framed);
    match d.decode().unwrap() {
        Some(Frame::Message(m)) => m.to_vec(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn t3_frames_parse_to_the_expected_transaction_fields() {
    for (dump, rap, unicode, poff) in [
        (T3_L0, &RAP_L0[..], true, 90),
        (T3_L0_OEM, &RAP_L0[..], false, 76),
        (
            T3_L3,
            &hex("4D 00 57 57 72 4C 68 00 57 57 7A 57 57 44 44 7A 7A 7A 7A 7A 7A 7A 7A 7A 7A 6C 7A 00 03 00 03 00 00 04")[..],
            true,
            90,
        ),
    ] {
        let msg = t3_message(dump);
        let resp = parse_response(&msg).unwrap();
        let h = resp.header;
        assert_eq!((h.command, h.tid, h.pid_low, h.uid, h.mid), (SmbCommand::TRANSACTION, 0x0802, 0x74B2, 0x0801, 0x6D81));
        assert_eq!(h.is_unicode(), unicode);
        let t = parse_transaction_request(&msg, &parse_block(&msg, 32).unwrap(), unicode).unwrap();
        assert_eq!((t.max_parameter_count, t.max_data_count, t.timeout, t.setup_count), (6, 0x400, 0, 0));
        assert_eq!((t.parameter_offset, t.total_parameter_count as usize), (poff, rap.len()));
        assert_eq!(t.parameters, rap);
        assert!(t.data.is_empty() && !t.is_partial());
        assert_eq!(t.name.to_string_lossy(), "\\PIPE\\LANMAN");
    }
}

#[test]
fn t3_builder_reproduces_the_example_frames() {
    for (dump, flags2) in [
        (T3_L0, HeaderFlags2::UNICODE),
        (T3_L0_OEM, HeaderFlags2::empty()),
    ] {
        let want = t3_message(dump);
        let mut h = msrap::smb1::header::read_header(&want).unwrap();
        h.flags2 = flags2;
        let got = TransactionRequestBuilder::lanman(&RAP_L0, 6, 0x400).primary(&h, 16, 0);
        assert_eq!(to_hex(&got), to_hex(&want));
    }
}

#[test]
fn t3_through_the_server_and_t4_response_layout() {
    // The T4 Windows-style response frame for a level-2 GetInfo.
    let t4 = hex("
0000  00 00 00 78 FF 53 4D 42 25 00 00 00 00 80 00 80
0010  00 00 00 00 00 00 00 00 00 00 00 00 02 08 B2 74
0020  01 08 81 6D 0A 06 00 38 00 00 00 06 00 38 00 00
0030  00 38 00 40 00 00 00 00 00 41 00 00 00 00 C8 03
0040  38 00 00 00 03 00 01 00 FA 03 00 00 01 00 03 00
0050  70 26 A5 65 D2 04 00 00 EF 03 00 00 E4 03 00 00
0060  72 65 70 6F 72 74 2E 74 78 74 00 72 65 70 6F 72
0070  74 2E 74 78 74 00 61 6C 69 63 65 00");
    let req = t3_message(T3_L0);
    let h = reply_header(&parse_response(&req).unwrap().header);
    let parts = write_transaction_responses(&h, &t4[60..66], &t4[68..], 16644);
    assert_eq!(parts.len(), 1);
    assert_eq!(to_hex(&parts[0]), to_hex(&t4[4..]));

    // And through the server: a service that answers with exactly those blocks.
    struct T4Service(Vec<u8>, Vec<u8>);
    impl PipeHandler for T4Service {
        fn has_pipe(&self, name: &str) -> bool {
            name.eq_ignore_ascii_case("\\PIPE\\LANMAN")
        }
        fn transact<'a>(
            &'a self,
            i: PipeTransaction<'a>,
            out: &'a mut PipeReply,
        ) -> impl std::future::Future<Output = PipeOutcome> + Send + 'a {
            assert_eq!((i.max_parameter_count, i.max_data_count), (6, 0x400));
            out.clear();
            out.params.extend_from_slice(&self.0);
            out.data.extend_from_slice(&self.1);
            std::future::ready(PipeOutcome::Reply)
        }
    }
    impl ShareCatalogue for T4Service {
        fn share(&self, _: &str) -> Option<(String, ShareKind)> {
            None
        }
    }
    let mut server = msrap::smb1::Connection::new(
        T4Service(t4[60..66].to_vec(), t4[68..].to_vec()),
        params(),
        CHALLENGE,
    );
    let mut out = Vec::new();
    let hdr = msrap::smb1::SmbHeader {
        flags2: HeaderFlags2::UNICODE,
        ..msrap::smb1::SmbHeader::request(SmbCommand::NEGOTIATE, HeaderFlags2::empty())
    };
    server
        .handle_message_now(&client::negotiate_request(&hdr, &["NT LM 0.12"]), &mut out)
        .unwrap();
    let mut ss = hdr;
    ss.command = SmbCommand::SESSION_SETUP_ANDX;
    server
        .handle_message_now(
            &client::session_setup_and_tree_connect(&ss, &anonymous(16644), "\\\\SRV\\IPC$", "IPC"),
            &mut out,
        )
        .unwrap();
    let last = out.last().unwrap().clone();
    let resp = parse_response(&last).unwrap();
    // Patch the example's UID/TID to the ones this server allocated.
    let mut req = req;
    req[24..26].copy_from_slice(&resp.header.tid.to_le_bytes());
    req[28..30].copy_from_slice(&resp.header.uid.to_le_bytes());
    out.clear();
    server.handle_message_now(&req, &mut out).unwrap();
    let mut want = t4[4..].to_vec();
    want[24..26].copy_from_slice(&resp.header.tid.to_le_bytes());
    want[28..30].copy_from_slice(&resp.header.uid.to_le_bytes());
    assert_eq!(out.len(), 1);
    assert_eq!(to_hex(&out[0]), to_hex(&want));
}
