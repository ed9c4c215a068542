//! Unit tests of the pipe-call API: calls go out as events, answers come
//! back in, later frames wait behind an outstanding call.

use std::future::{pending, Future};
use std::sync::Mutex;

use super::*;
use crate::smb1::client::{self, parse_response, TransactionRequestBuilder};
use crate::smb1::pipe::LANMAN_PIPE;
use crate::smb1::session_setup::SessionSetupNt;
use crate::smb1::trans::TransactionReply;

/// Serves `\PIPE\LANMAN` and the printer share `LASER`; records every call.
/// Parameters `PP` make its future pend forever (for the synchronous
/// drivers' error); anything else is echoed back.
#[derive(Debug, Default)]
struct Recorder {
    calls: Mutex<Vec<Recorded>>,
}

/// Pipe, identity, share, parameters, data.
type Recorded = (String, Identity, String, Vec<u8>, Vec<u8>);

impl PipeHandler for Recorder {
    fn has_pipe(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(LANMAN_PIPE)
    }

    fn transact<'a>(
        &'a self,
        t: PipeTransaction<'a>,
        out: &'a mut PipeReply,
    ) -> impl Future<Output = PipeOutcome> + Send + 'a {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push((
                t.pipe.to_owned(),
                t.identity.clone(),
                t.share.to_owned(),
                t.parameters.to_vec(),
                t.data.to_vec(),
            ));
        }
        let wait = t.parameters == b"PP";
        out.params.extend_from_slice(t.parameters);
        out.data.extend_from_slice(t.data);
        async move {
            if wait {
                pending::<()>().await;
            }
            PipeOutcome::Reply
        }
    }
}

impl ShareCatalogue for Recorder {
    fn share(&self, name: &str) -> Option<(String, ShareKind)> {
        name.eq_ignore_ascii_case("laser")
            .then(|| ("LASER".to_owned(), ShareKind::Printer))
    }
}

const F2: HeaderFlags2 = HeaderFlags2::NT_STATUS.union(HeaderFlags2::UNICODE);

fn frame(msg: &[u8]) -> Vec<u8> {
    let mut b = BytesMut::new();
    encode_message(Framing::DirectTcp, msg, &mut b).unwrap();
    b.to_vec()
}

/// The SMB messages in `out` (framed), emptied.
fn messages(out: &mut BytesMut) -> Vec<Vec<u8>> {
    let mut d = FrameDecoder::new(Framing::DirectTcp);
    d.extend_from_slice(out);
    out.clear();
    let mut v = Vec::new();
    while let Some(Frame::Message(m)) = d.decode().unwrap() {
        v.push(m.to_vec());
    }
    assert_eq!(d.buffered(), 0);
    v
}

fn mids(msgs: &[Vec<u8>]) -> Vec<u16> {
    msgs.iter()
        .map(|m| parse_response(m).unwrap().header.mid)
        .collect()
}

fn status(msg: &[u8]) -> NtStatus {
    parse_response(msg)
        .unwrap()
        .header
        .wire_status()
        .to_nt_status()
}

struct Client {
    server: ServerConnection<Recorder>,
    header: SmbHeader,
}

impl Client {
    /// Negotiated, logged on as `account` (empty: anonymous), tree on `share`.
    fn new(account: &str, share: &str) -> Client {
        let mut server = ServerConnection::new(
            Recorder::default(),
            Arc::new(ServerParams::default()),
            Framing::DirectTcp,
            [1; 8],
        );
        let mut out = BytesMut::new();
        let h = SmbHeader::request(SmbCommand::NEGOTIATE, F2);
        server
            .receive(
                &frame(&client::negotiate_request(&h, &["NT LM 0.12"])),
                &mut out,
            )
            .unwrap();
        let h = SmbHeader::request(SmbCommand::SESSION_SETUP_ANDX, F2);
        let setup = SessionSetupNt {
            max_buffer_size: 16644,
            account_name: account,
            primary_domain: if account.is_empty() { "" } else { "WG" },
            oem_password: if account.is_empty() { &[] } else { &[1; 24] },
            ..SessionSetupNt::default()
        };
        let path = format!("\\\\S\\{share}");
        out.clear();
        server
            .receive(
                &frame(&client::session_setup_and_tree_connect(
                    &h, &setup, &path, "?????",
                )),
                &mut out,
            )
            .unwrap();
        let r = messages(&mut out);
        let resp = parse_response(&r[0]).unwrap().header;
        assert_eq!(resp.status, 0);
        Client {
            server,
            header: SmbHeader {
                uid: resp.uid,
                tid: resp.tid,
                ..SmbHeader::request(SmbCommand::TRANSACTION, F2)
            },
        }
    }

    fn header(&self, command: SmbCommand, mid: u16) -> SmbHeader {
        SmbHeader {
            command,
            mid,
            ..self.header
        }
    }

    fn transaction(&self, mid: u16, params: &[u8], flags: u16) -> Vec<u8> {
        let b = TransactionRequestBuilder {
            data: b"dd",
            flags,
            ..TransactionRequestBuilder::lanman(params, 100, 100)
        };
        frame(&b.primary(&self.header(SmbCommand::TRANSACTION, mid), params.len(), 2))
    }

    fn echo(&self, mid: u16) -> Vec<u8> {
        frame(&client::echo(
            &self.header(SmbCommand::ECHO, mid),
            1,
            b"ping",
        ))
    }

    fn calls(&self) -> Vec<Recorded> {
        self.server
            .connection()
            .handler()
            .calls
            .lock()
            .unwrap()
            .clone()
    }
}

#[test]
fn pending_call_blocks_later_frames_and_the_answer_releases_them() {
    let mut c = Client::new("", "IPC$");
    let mut out = BytesMut::new();
    // A transaction, an ECHO and a second transaction in one read.
    let mut bytes = c.transaction(10, b"first", 0);
    bytes.extend(c.echo(11));
    bytes.extend(c.transaction(12, b"second", 0));
    assert_eq!(c.server.receive(&bytes, &mut out), Ok(1));
    assert!(out.is_empty(), "nothing is sent before the answer");
    assert!(!c.server.wants_input());
    let waiting = c.server.buffered();
    assert!(waiting > 0, "the ECHO and the second transaction wait");
    // Input that arrives meanwhile is buffered, not processed.
    let late = c.echo(13);
    assert_eq!(c.server.receive(&late, &mut out), Ok(0));
    assert_eq!(c.server.buffered(), waiting + late.len());
    // A raw Connection refuses another message while the call is outstanding.
    let mut scratch = Vec::new();
    assert_eq!(
        c.server
            .connection_mut()
            .handle_message(&late[4..], &mut scratch),
        Err(ConnectionError::CallOutstanding)
    );
    {
        let call = c.server.poll_call().unwrap();
        assert_eq!(
            (call.header.mid, call.one_way, call.reply.params.len()),
            (10, false, 0)
        );
        let t = call.transaction;
        assert_eq!(
            (t.pipe, t.share, t.parameters, t.data),
            (LANMAN_PIPE, "IPC$", &b"first"[..], &b"dd"[..])
        );
        assert_eq!(*t.identity, Identity::anonymous());
        assert_eq!((t.max_parameter_count, t.max_data_count), (100, 100));
        // The handler runs whenever the caller likes; here, once, now.
        assert_eq!(call.transact_now(), Ok(PipeOutcome::Reply));
    }
    // The call is still outstanding until answered.
    assert!(c.server.connection().has_call());
    // The answer goes out, then the ECHO, then processing stops at the
    // second transaction.
    assert_eq!(c.server.answer(PipeOutcome::Reply, &mut out), Ok(2));
    let r = messages(&mut out);
    assert_eq!(mids(&r), [10, 11]);
    let reply = parse_response(&r[0]).unwrap();
    let Ok(TransactionReply::Part(p)) = reply.transaction() else {
        panic!("not a TRANSACTION response")
    };
    assert_eq!((p.parameters, p.data), (&b"first"[..], &b"dd"[..]));
    let call = c.server.poll_call().unwrap();
    assert_eq!(call.header.mid, 12);
    assert!(
        call.reply.params.is_empty(),
        "reply buffers are cleared per call"
    );
    assert_eq!(
        c.server
            .answer(PipeOutcome::Fail(NtStatus::STATUS_ACCESS_DENIED), &mut out),
        Ok(1)
    );
    let r = messages(&mut out);
    assert_eq!(mids(&r), [12, 13]);
    assert_eq!(status(&r[0]), NtStatus::STATUS_ACCESS_DENIED);
    assert!(c.server.wants_input() && c.server.buffered() == 0);
    // The answered calls are logged in order.
    let events = c.server.connection_mut().take_events();
    let tail: Vec<_> = events
        .iter()
        .rev()
        .take(4)
        .rev()
        .map(|e| (e.mid, e.status, e.rap_opcode))
        .collect();
    assert_eq!(
        tail,
        [
            (
                10,
                NtStatus::STATUS_SUCCESS,
                Some(u16::from_le_bytes(*b"fi"))
            ),
            (11, NtStatus::STATUS_SUCCESS, None),
            (
                12,
                NtStatus::STATUS_ACCESS_DENIED,
                Some(u16::from_le_bytes(*b"se"))
            ),
            (13, NtStatus::STATUS_SUCCESS, None),
        ]
    );
    // No call: answer is a caller error.
    assert_eq!(
        c.server.answer(PipeOutcome::Reply, &mut out),
        Err(ConnectionError::NoCall)
    );
}

#[test]
fn input_while_blocked_is_bounded_to_one_maximal_frame() {
    let mut c = Client::new("", "IPC$");
    let mut out = BytesMut::new();
    c.server
        .receive(&c.transaction(1, b"x", 0), &mut out)
        .unwrap();
    assert!(c.server.connection().has_call());
    let max = ServerParams::default().limits.max_message_len + 4;
    assert_eq!(c.server.receive(&vec![0; max], &mut out), Ok(0));
    assert_eq!(
        c.server.receive(&[0], &mut out),
        Err(ConnectionError::Backlog)
    );
    assert_eq!(c.server.buffered(), max);
}

#[test]
fn one_way_transaction_calls_the_handler_and_sends_nothing() {
    let mut c = Client::new("", "IPC$");
    let mut out = BytesMut::new();
    let mut bytes = c.transaction(5, b"oneway", trans_flags::NO_RESPONSE);
    bytes.extend(c.echo(6));
    c.server.receive(&bytes, &mut out).unwrap();
    let call = c.server.poll_call().unwrap();
    assert!(call.one_way);
    let outcome = call.transact_now().unwrap();
    assert_eq!(c.server.answer(outcome, &mut out), Ok(1));
    // Only the ECHO is answered.
    assert_eq!(mids(&messages(&mut out)), [6]);
    assert_eq!(c.calls().len(), 1);
    assert_eq!(c.calls()[0].3, b"oneway");
    // A one-way failure sends nothing either.
    c.server
        .receive(
            &c.transaction(7, b"oneway", trans_flags::NO_RESPONSE),
            &mut out,
        )
        .unwrap();
    c.server
        .answer(PipeOutcome::Fail(NtStatus::STATUS_ACCESS_DENIED), &mut out)
        .unwrap();
    assert!(out.is_empty());
}

#[test]
fn disconnect_tid_flag_removes_the_tree_after_the_answer() {
    let mut c = Client::new("", "IPC$");
    let mut out = BytesMut::new();
    let mut bytes = c.transaction(5, b"bye", trans_flags::DISCONNECT_TID);
    bytes.extend(c.transaction(6, b"after", 0));
    c.server.receive(&bytes, &mut out).unwrap();
    assert_eq!(
        c.server.connection().trees().count(),
        1,
        "not before the answer"
    );
    let outcome = c.server.poll_call().unwrap().transact_now().unwrap();
    c.server.answer(outcome, &mut out).unwrap();
    assert_eq!(c.server.connection().trees().count(), 0);
    let r = messages(&mut out);
    assert_eq!(mids(&r), [5, 6]);
    assert_eq!(status(&r[0]), NtStatus::STATUS_SUCCESS);
    assert_eq!(status(&r[1]), NtStatus::STATUS_SMB_BAD_TID);
    assert!(!c.server.connection().has_call());
}

#[test]
fn secondaries_complete_into_one_call() {
    let mut c = Client::new("alice", "laser");
    let mut out = BytesMut::new();
    let params: Vec<u8> = (0..40).collect();
    let data: Vec<u8> = (100..130).collect();
    let b = TransactionRequestBuilder {
        data: &data,
        ..TransactionRequestBuilder::lanman(&params, 100, 100)
    };
    let h = c.header(SmbCommand::TRANSACTION, 9);
    let mut sh = h;
    sh.command = SmbCommand::TRANSACTION_SECONDARY;
    c.server
        .receive(&frame(&b.primary(&h, 15, 0)), &mut out)
        .unwrap();
    // Interim response; no call yet.
    let r = messages(&mut out);
    assert_eq!(mids(&r), [9]);
    assert!(matches!(
        parse_response(&r[0]).unwrap().transaction(),
        Ok(TransactionReply::Interim)
    ));
    assert!(c.server.poll_call().is_none());
    assert_eq!(c.server.connection().pending_transactions(), (1, 70));
    let mut rest = frame(&b.secondary(&sh, 15, 25, 0, 10));
    rest.extend(frame(&b.secondary(&sh, 40, 0, 10, 20)));
    rest.extend(c.echo(10));
    c.server.receive(&rest, &mut out).unwrap();
    assert!(out.is_empty());
    assert_eq!(c.server.connection().pending_transactions(), (0, 0));
    let call = c.server.poll_call().unwrap();
    assert_eq!(call.header.mid, 9);
    let t = call.transaction;
    assert_eq!((t.parameters, t.data), (&params[..], &data[..]));
    // The session's identity and the tree's canonical share name.
    assert_eq!(
        (t.identity.user.as_str(), t.identity.domain.as_str()),
        ("alice", "WG")
    );
    assert!(!t.identity.anonymous && !t.identity.authenticated);
    assert_eq!(t.share, "LASER");
    let outcome = call.transact_now().unwrap();
    c.server.answer(outcome, &mut out).unwrap();
    assert_eq!(mids(&messages(&mut out)), [9, 10]);
}

#[test]
fn synchronous_drivers_answer_at_once_and_report_a_pending_handler() {
    let mut c = Client::new("", "IPC$");
    let mut out = BytesMut::new();
    let mut bytes = c.transaction(1, b"a", 0);
    bytes.extend(c.transaction(2, b"b", 0));
    bytes.extend(c.echo(3));
    assert_eq!(c.server.receive_now(&bytes, &mut out), Ok(3));
    assert_eq!(mids(&messages(&mut out)), [1, 2, 3]);
    // A handler that is not ready: a typed error, the call stays outstanding.
    assert_eq!(
        c.server.receive_now(&c.transaction(4, b"PP", 0), &mut out),
        Err(ConnectionError::HandlerPending(HandlerPending))
    );
    assert!(c.server.connection().has_call());
    // Answered by other means, the connection goes on.
    c.server.answer(PipeOutcome::Reply, &mut out).unwrap();
    assert_eq!(mids(&messages(&mut out)), [4]);

    // Connection::handle_message_now.
    let ready_req = TransactionRequestBuilder::lanman(b"x", 10, 10).primary(
        &c.header(SmbCommand::TRANSACTION, 5),
        1,
        0,
    );
    let pending_req = TransactionRequestBuilder::lanman(b"PP", 10, 10).primary(
        &c.header(SmbCommand::TRANSACTION, 6),
        2,
        0,
    );
    let conn = c.server.connection_mut();
    let mut msgs = Vec::new();
    conn.handle_message_now(&ready_req, &mut msgs).unwrap();
    assert_eq!(mids(&msgs), [5]);
    assert_eq!(
        conn.handle_message_now(&pending_req, &mut msgs),
        Err(ConnectionError::HandlerPending(HandlerPending))
    );
    assert!(conn.has_call());
}

#[test]
fn unknown_pipes_never_reach_the_handler() {
    let mut c = Client::new("", "IPC$");
    let mut out = BytesMut::new();
    let h = c.header(SmbCommand::TRANSACTION, 3);
    let m = TransactionRequestBuilder {
        name: "\\PIPE\\srvsvc",
        ..TransactionRequestBuilder::lanman(b"x", 10, 10)
    }
    .primary(&h, 1, 0);
    c.server.receive(&frame(&m), &mut out).unwrap();
    assert!(c.server.poll_call().is_none());
    let r = messages(&mut out);
    assert_eq!(status(&r[0]), NtStatus::STATUS_OBJECT_NAME_NOT_FOUND);
    assert!(c.calls().is_empty());
    // Nor do they on a share the catalogue does not know.
    let mut c = Client::new("", "IPC$");
    let h = c.header(SmbCommand::TREE_CONNECT_ANDX, 4);
    c.server
        .receive(
            &frame(&client::tree_connect(&h, "\\\\S\\NOPE", "?????")),
            &mut out,
        )
        .unwrap();
    assert_eq!(
        status(&messages(&mut out)[0]),
        NtStatus::STATUS_BAD_NETWORK_NAME
    );
}

/// The four Status bytes of a response message (MS-CIFS 2.2.3.1).
fn status_bytes(msg: &[u8]) -> [u8; 4] {
    msg.get(5..9)
        .and_then(|b| b.try_into().ok())
        .unwrap_or_default()
}

#[test]
fn unsupported_command_status_in_the_form_the_client_asked_for() {
    // NT form: STATUS_NOT_IMPLEMENTED (error severity) for a defined command
    // (NT_CREATE_ANDX) and for a code that is no command (0x99): never
    // 0x00160002, which reads as a success.
    for code in [
        SmbCommand::NT_CREATE_ANDX,
        SmbCommand(0x99),
        SmbCommand(0xFE),
    ] {
        assert_eq!(
            unsupported_command(code, true),
            NtStatus::STATUS_NOT_IMPLEMENTED
        );
    }
    // DOS form: ERRDOS/ERRbadfunc for a defined command, ERRSRV/ERRbadcmd
    // for a code 2.2.2.1 marks unused or reserved.
    for (code, want) in [
        (SmbCommand::NT_CREATE_ANDX, [1, 0, 1, 0]),
        (SmbCommand::TRANSACTION2, [1, 0, 1, 0]),
        (SmbCommand(0x00), [1, 0, 1, 0]),
        (SmbCommand(0xDA), [1, 0, 1, 0]),
        (SmbCommand(0x15), [2, 0, 0x16, 0]),
        (SmbCommand(0x99), [2, 0, 0x16, 0]),
        (SmbCommand(0x65), [2, 0, 0x16, 0]),
        (SmbCommand(0xD0), [2, 0, 0x16, 0]),
        (SmbCommand(0xFE), [2, 0, 0x16, 0]),
        (SmbCommand(0xFF), [2, 0, 0x16, 0]),
    ] {
        let s = unsupported_command(code, false);
        assert_eq!(wire_status_bytes(s, false), want, "{code}");
    }
    // Through the connection: NT_CREATE_ANDX of `\srvsvc` (what smbclient
    // -L sends first), in both forms.
    let mut c = Client::new("", "IPC$");
    let mut out = BytesMut::new();
    let h = c.header(SmbCommand::NT_CREATE_ANDX, 7);
    c.server
        .receive(&frame(&client::tree_disconnect(&h)), &mut out)
        .unwrap();
    let r = messages(&mut out);
    assert_eq!(status_bytes(&r[0]), [0x02, 0x00, 0x00, 0xC0]);
    let flags2 = u16::from_le_bytes([r[0][10], r[0][11]]);
    assert_ne!(flags2 & HeaderFlags2::NT_STATUS.bits(), 0);
    assert_eq!(
        r[0].get(32..),
        Some(&[0u8, 0, 0][..]),
        "WordCount 0, ByteCount 0"
    );
    c.header.flags2.remove(HeaderFlags2::NT_STATUS);
    let h = c.header(SmbCommand::NT_CREATE_ANDX, 8);
    c.server
        .receive(&frame(&client::tree_disconnect(&h)), &mut out)
        .unwrap();
    let r = messages(&mut out);
    assert_eq!(status_bytes(&r[0]), [0x01, 0x00, 0x01, 0x00]);
    let h = c.header(SmbCommand(0x99), 9);
    c.server
        .receive(&frame(&client::tree_disconnect(&h)), &mut out)
        .unwrap();
    let r = messages(&mut out);
    assert_eq!(status_bytes(&r[0]), [0x02, 0x00, 0x16, 0x00]);
}

fn wire_status_bytes(s: NtStatus, nt: bool) -> [u8; 4] {
    crate::smb1::status::wire_status(s, nt).to_le_bytes()
}
