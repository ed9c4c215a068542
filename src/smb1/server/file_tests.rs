//! Unit tests of the print-file calls: opens, writes and closes go out as
//! calls and come back as answers, inside AndX chains too; FIDs are bound
//! to their tree and session; what a TREE_DISCONNECT leaves open is
//! aborted before the client hears of the disconnect.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use super::*;
use crate::smb1::client::{self, parse_response};
use crate::smb1::file::{parse_write_andx_response, NtCreateAndxResponse};
use crate::smb1::session_setup::SessionSetupNt;

/// A printer share `LASER` whose print files are kept in memory; every
/// operation is recorded. A file named `slow` answers each operation on
/// the second poll (an asynchronous handler).
#[derive(Debug, Default)]
struct Printer {
    log: Mutex<Vec<String>>,
}

#[derive(Debug)]
struct Doc {
    name: String,
    user: String,
    data: Vec<u8>,
    slow: bool,
}

impl Printer {
    fn note(&self, s: String) {
        self.log.lock().unwrap().push(s);
    }
}

/// Ready on the second poll.
struct Later<T>(Option<T>, bool);

impl<T: Unpin> Future for Later<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if self.1 {
            self.1 = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.0.take().unwrap())
    }
}

fn later<T: Unpin>(v: T, slow: bool) -> Later<T> {
    Later(Some(v), slow)
}

impl PipeHandler for Printer {
    fn has_pipe(&self, _: &str) -> bool {
        false
    }

    fn transact<'a>(
        &'a self,
        _: PipeTransaction<'a>,
        _: &'a mut PipeReply,
    ) -> impl Future<Output = PipeOutcome> + Send + 'a {
        std::future::ready(PipeOutcome::Fail(NtStatus::STATUS_NOT_SUPPORTED))
    }
}

impl ShareCatalogue for Printer {
    fn share(&self, name: &str) -> Option<(String, ShareKind)> {
        name.eq_ignore_ascii_case("laser")
            .then(|| ("LASER".to_owned(), ShareKind::Printer))
    }
}

impl PrintFileHandler for Printer {
    type File = Doc;

    fn open_print_file<'a>(
        &'a self,
        open: PrintFileOpen<'a>,
    ) -> impl Future<Output = Result<Doc, NtStatus>> + Send + 'a {
        let name = open.name.to_string_lossy();
        self.note(format!(
            "open {name} by {:?} on {}",
            open.identity.user, open.share
        ));
        let slow = name == "slow";
        later(
            Ok(Doc {
                name,
                user: open.identity.user.clone(),
                data: Vec::new(),
                slow,
            }),
            slow,
        )
    }

    fn write_print_file<'a>(
        &'a self,
        file: &'a mut Doc,
        offset: u64,
        data: &'a [u8],
    ) -> impl Future<Output = Result<u32, NtStatus>> + Send + 'a {
        self.note(format!("write {} {offset} {}", file.name, data.len()));
        let at = usize::try_from(offset).unwrap();
        if file.data.len() < at + data.len() {
            file.data.resize(at + data.len(), 0);
        }
        file.data[at..at + data.len()].copy_from_slice(data);
        later(Ok(data.len() as u32), file.slow)
    }

    /// A file named `full` cannot be flushed (STATUS_DISK_FULL).
    fn flush_print_file<'a>(
        &'a self,
        file: &'a mut Doc,
    ) -> impl Future<Output = Result<(), NtStatus>> + Send + 'a {
        self.note(format!("flush {}", file.name));
        let r = if file.name == "full" {
            Err(NtStatus::STATUS_DISK_FULL)
        } else {
            Ok(())
        };
        later(r, file.slow)
    }

    fn close_print_file(
        &self,
        file: Doc,
    ) -> impl Future<Output = Result<(), NtStatus>> + Send + '_ {
        self.note(format!(
            "close {} of {} {:?}",
            file.name,
            file.user,
            String::from_utf8_lossy(&file.data)
        ));
        later(Ok(()), file.slow)
    }

    fn abort_print_file(&self, file: Doc) -> impl Future<Output = ()> + Send + '_ {
        self.note(format!("abort {}", file.name));
        later((), file.slow)
    }
}

const F2: HeaderFlags2 = HeaderFlags2::NT_STATUS.union(HeaderFlags2::UNICODE);

struct Pc {
    conn: Connection<Printer>,
    uid: u16,
    tid: u16,
    mid: u16,
}

impl Pc {
    fn new(user: &str) -> Pc {
        let mut conn = Connection::new(
            Printer::default(),
            Arc::new(ServerParams::default()),
            [1; 8],
        );
        let mut out = Vec::new();
        let h = SmbHeader::request(SmbCommand::NEGOTIATE, F2);
        conn.handle_message_now(&client::negotiate_request(&h, &["NT LM 0.12"]), &mut out)
            .unwrap();
        let setup = SessionSetupNt {
            max_buffer_size: 16644,
            account_name: user,
            oem_password: &[1; 24],
            ..SessionSetupNt::default()
        };
        let h = SmbHeader::request(SmbCommand::SESSION_SETUP_ANDX, F2);
        out.clear();
        conn.handle_message_now(
            &client::session_setup_and_tree_connect(&h, &setup, "\\\\S\\LASER", "?????"),
            &mut out,
        )
        .unwrap();
        let h = parse_response(&out[0]).unwrap().header;
        assert_eq!(h.status, 0);
        Pc {
            conn,
            uid: h.uid,
            tid: h.tid,
            mid: 0,
        }
    }

    fn h(&mut self, command: SmbCommand) -> SmbHeader {
        self.mid += 1;
        SmbHeader {
            uid: self.uid,
            tid: self.tid,
            mid: self.mid,
            ..SmbHeader::request(command, F2)
        }
    }

    /// Handles `msg` and answers its calls at once: the responses.
    fn send(&mut self, msg: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        self.conn.handle_message_now(msg, &mut out).unwrap();
        out
    }

    fn log(&self) -> Vec<String> {
        self.conn.handler().log.lock().unwrap().clone()
    }
}

fn status(msg: &[u8]) -> u32 {
    parse_response(msg).unwrap().header.status
}

#[test]
fn a_chain_opens_writes_and_closes_one_print_file() {
    let mut pc = Pc::new("alice");
    let h = pc.h(SmbCommand::NT_CREATE_ANDX);
    // The chained WRITE_ANDX and CLOSE name FID 0xFFFF: they use the FID
    // the create opened (3.3.5.2.4).
    let r = pc.send(&client::nt_create_write_close(&h, "\\docs\\a.ps", b"%!PS"));
    assert_eq!(r.len(), 1);
    let resp = parse_response(&r[0]).unwrap();
    assert_eq!(resp.header.status, 0);
    let blocks = resp.andx_blocks(8).unwrap();
    let commands: Vec<_> = blocks.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        commands,
        [
            SmbCommand::NT_CREATE_ANDX,
            SmbCommand::WRITE_ANDX,
            SmbCommand::CLOSE
        ]
    );
    assert_eq!(
        NtCreateAndxResponse::parse(&blocks[0].1).unwrap().fid,
        0x4000
    );
    assert_eq!(parse_write_andx_response(&blocks[1].1).unwrap(), 4);
    assert_eq!(
        pc.log(),
        [
            "open \\docs\\a.ps by \"alice\" on LASER",
            "write \\docs\\a.ps 0 4",
            "close \\docs\\a.ps of alice \"%!PS\""
        ]
    );
    assert_eq!(pc.conn.open_files(), 0);
}

#[test]
fn an_asynchronous_handler_suspends_the_chain_until_answered() {
    let mut pc = Pc::new("bob");
    let h = pc.h(SmbCommand::NT_CREATE_ANDX);
    let mut out = Vec::new();
    pc.conn
        .handle_message(&client::nt_create_write_close(&h, "slow", b"xyz"), &mut out)
        .unwrap();
    assert!(out.is_empty());
    let mut steps = Vec::new();
    while let Some(call) = pc.conn.poll_call() {
        let Call::PrintFile(c) = call else {
            panic!("a print-file call")
        };
        steps.push(c.kind().name());
        // The first poll pends: nothing may be answered or handled meanwhile.
        let mut fut = Box::pin(Call::PrintFile(c).run());
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        let Poll::Ready(outcome) = fut.as_mut().poll(&mut cx) else {
            panic!("ready on the second poll")
        };
        drop(fut);
        assert_eq!(
            pc.conn
                .handle_message(&client::echo(&h, 1, b"x"), &mut Vec::new()),
            Err(ConnectionError::CallOutstanding)
        );
        pc.conn.answer(outcome, &mut out).unwrap();
    }
    assert_eq!(
        steps,
        ["print file open", "print file write", "print file close"]
    );
    assert_eq!(out.len(), 1);
    assert_eq!(status(&out[0]), 0);
    assert_eq!(pc.log().last().unwrap(), "close slow of bob \"xyz\"");
}

#[test]
fn fids_belong_to_their_tree_and_session_and_are_bounded() {
    let mut pc = Pc::new("carol");
    let h = pc.h(SmbCommand::NT_CREATE_ANDX);
    let r = pc.send(&client::nt_create_andx(&h, "one"));
    let fid = NtCreateAndxResponse::parse(&parse_response(&r[0]).unwrap().block)
        .unwrap()
        .fid;
    // Another UID on the same connection cannot use it (3.3.5.37).
    let h = pc.h(SmbCommand::SESSION_SETUP_ANDX);
    let setup = SessionSetupNt {
        account_name: "mallory",
        oem_password: &[1; 24],
        ..SessionSetupNt::default()
    };
    let r = pc.send(&client::session_setup(&SmbHeader { uid: 0, ..h }, &setup));
    let other = parse_response(&r[0]).unwrap().header.uid;
    assert_ne!(other, pc.uid);
    let h = SmbHeader {
        uid: other,
        ..pc.h(SmbCommand::WRITE_ANDX)
    };
    let r = pc.send(&client::write_andx(&h, fid, 0, b"x"));
    assert_eq!(status(&r[0]), NtStatus::STATUS_INVALID_HANDLE.0);
    let h = pc.h(SmbCommand::WRITE_ANDX);
    let r = pc.send(&client::write_andx(&h, fid, 0, b"ok"));
    assert_eq!(status(&r[0]), 0);
    // At most max_open_files (16) print files per connection.
    for i in 1..16 {
        let h = pc.h(SmbCommand::NT_CREATE_ANDX);
        let r = pc.send(&client::nt_create_andx(&h, &format!("f{i}")));
        assert_eq!(status(&r[0]), 0, "open {i}");
    }
    let h = pc.h(SmbCommand::NT_CREATE_ANDX);
    let r = pc.send(&client::nt_create_andx(&h, "seventeenth"));
    assert_eq!(status(&r[0]), NtStatus::STATUS_TOO_MANY_OPENED_FILES.0);
    assert_eq!(pc.conn.open_files(), 16);
    // The driver takes what is left when the connection ends.
    let left = pc.conn.take_print_files();
    assert_eq!(left.len(), 16);
    assert_eq!(left[0].data, b"ok");
}

#[test]
fn tree_disconnect_answers_after_the_aborts() {
    let mut pc = Pc::new("dave");
    for name in ["x", "y"] {
        let h = pc.h(SmbCommand::NT_CREATE_ANDX);
        pc.send(&client::nt_create_andx(&h, name));
    }
    let h = pc.h(SmbCommand::TREE_DISCONNECT);
    let mut out = Vec::new();
    pc.conn
        .handle_message(&client::tree_disconnect(&h), &mut out)
        .unwrap();
    // The response waits for the two aborts.
    assert!(out.is_empty());
    for _ in 0..2 {
        let call = pc.conn.poll_call().unwrap();
        assert!(call.header().is_none());
        assert_eq!(call.describe(), "print file abort");
        let outcome = call.run_now().unwrap();
        pc.conn.answer(outcome, &mut out).unwrap();
    }
    assert!(pc.conn.poll_call().is_none());
    assert_eq!(out.len(), 1);
    assert_eq!(parse_response(&out[0]).unwrap().header.mid, h.mid);
    assert_eq!(pc.log()[2..], ["abort x", "abort y"]);
}

#[test]
fn an_outcome_of_another_kind_leaves_the_call_outstanding() {
    let mut pc = Pc::new("erin");
    let h = pc.h(SmbCommand::NT_CREATE_ANDX);
    let mut out = Vec::new();
    pc.conn
        .handle_message(&client::nt_create_andx(&h, "p"), &mut out)
        .unwrap();
    assert_eq!(
        pc.conn.answer(PipeOutcome::Reply, &mut out),
        Err(ConnectionError::NoCall)
    );
    assert_eq!(
        pc.conn.answer(PrintFileOutcome::Written(Ok(1)), &mut out),
        Err(ConnectionError::NoCall)
    );
    assert!(out.is_empty());
    pc.conn.answer_now(&mut out).unwrap();
    assert_eq!(status(&out[0]), 0);
    assert_eq!(pc.conn.open_files(), 1);
}

/// FLUSH (MS-CIFS 3.3.5.8) asks the handler to commit the file before it
/// is answered; FID 0xFFFF flushes every file the request's PID opened on
/// its session and tree, in FID order, and the first error is the answer
/// (no more files are flushed); an unknown FID is STATUS_INVALID_HANDLE;
/// no file to flush is success at once.
#[test]
fn flush_commits_through_the_handler_before_the_answer() {
    let mut pc = Pc::new("erin");
    let h = pc.h(SmbCommand::FLUSH);
    let r = pc.send(&client::fid_request(&h, 0xFFFF));
    assert_eq!(status(&r[0]), 0);
    assert!(pc.log().is_empty());
    let mut fids = Vec::new();
    for (name, pid) in [("a", 7), ("other-pid", 8), ("b", 7)] {
        let h = SmbHeader {
            pid_low: pid,
            ..pc.h(SmbCommand::NT_CREATE_ANDX)
        };
        let r = pc.send(&client::nt_create_andx(&h, name));
        fids.push(
            NtCreateAndxResponse::parse(&parse_response(&r[0]).unwrap().block)
                .unwrap()
                .fid,
        );
    }
    let h = pc.h(SmbCommand::FLUSH);
    let r = pc.send(&client::fid_request(&h, fids[1]));
    // WordCount 0, ByteCount 0 (2.2.4.6.2).
    let resp = parse_response(&r[0]).unwrap();
    assert_eq!((resp.header.status, resp.block.word_count), (0, 0));
    let h = SmbHeader {
        pid_low: 7,
        ..pc.h(SmbCommand::FLUSH)
    };
    let r = pc.send(&client::fid_request(&h, 0xFFFF));
    assert_eq!(status(&r[0]), 0);
    assert_eq!(pc.log()[3..], ["flush other-pid", "flush a", "flush b"]);
    let h = pc.h(SmbCommand::FLUSH);
    let r = pc.send(&client::fid_request(&h, 0x1234));
    assert_eq!(status(&r[0]), NtStatus::STATUS_INVALID_HANDLE.0);
    // The first failure is the answer; the files after it are not flushed.
    let h = SmbHeader {
        pid_low: 9,
        ..pc.h(SmbCommand::NT_CREATE_ANDX)
    };
    pc.send(&client::nt_create_andx(&h, "full"));
    let h = SmbHeader {
        pid_low: 9,
        ..pc.h(SmbCommand::NT_CREATE_ANDX)
    };
    pc.send(&client::nt_create_andx(&h, "after"));
    let h = SmbHeader {
        pid_low: 9,
        ..pc.h(SmbCommand::FLUSH)
    };
    let r = pc.send(&client::fid_request(&h, 0xFFFF));
    assert_eq!(status(&r[0]), NtStatus::STATUS_DISK_FULL.0);
    assert_eq!(pc.log().last().unwrap(), "flush full");
    // The files stay open.
    assert_eq!(pc.conn.open_files(), 5);
}
