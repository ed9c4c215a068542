//! A toy pipe handler and an in-memory client driving the sans-IO SMB1
//! server (no sockets).

use std::future::{ready, Future};
use std::sync::Arc;

use msrap::codes::NtStatus;
use msrap::smb1::client::{self, parse_response, Response, TransactionRequestBuilder};
use msrap::smb1::pipe::{
    PipeHandler, PipeOutcome, PipeReply, PipeTransaction, ShareCatalogue, ShareKind, LANMAN_PIPE,
};
use msrap::smb1::session_setup::SessionSetupNt;
use msrap::smb1::trans::{TransactionAssembler, TransactionReply};
use msrap::smb1::{Connection, HeaderFlags2, ServerParams, SmbCommand, SmbHeader};

/// Parameters starting with this opcode make the service fail the transaction.
pub const OP_FAIL: [u8; 2] = [0xEE, 0xEE];
/// `DA DA nn nn`: reply with 4 parameter bytes and `nnnn` data bytes (0, 1, 2, …).
pub const OP_BIG: [u8; 2] = [0xDA, 0xDA];

/// The toy service's answer to one transaction, synchronously.
pub fn toy_answer(t: &PipeTransaction<'_>, out: &mut PipeReply) -> PipeOutcome {
    out.clear();
    match t.parameters {
        [0xEE, 0xEE, ..] => PipeOutcome::Fail(NtStatus::STATUS_INVALID_PARAMETER),
        [0xDA, 0xDA, lo, hi, ..] => {
            let n = usize::from(u16::from_le_bytes([*lo, *hi]));
            out.params.extend_from_slice(&[0, 0, 0, 0]);
            out.data.extend((0..n).map(|i| i as u8));
            PipeOutcome::Reply
        }
        p => {
            out.params.extend_from_slice(p);
            out.data.extend_from_slice(t.data);
            PipeOutcome::Reply
        }
    }
}

/// Serves `\PIPE\LANMAN` (any case) and the printer share `Laser`; echoes
/// the request parameters and data back; see [`OP_FAIL`], [`OP_BIG`].
#[derive(Clone, Debug, Default)]
pub struct ToyService;

impl PipeHandler for ToyService {
    fn has_pipe(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(LANMAN_PIPE)
    }

    fn transact<'a>(
        &'a self,
        t: PipeTransaction<'a>,
        out: &'a mut PipeReply,
    ) -> impl Future<Output = PipeOutcome> + Send + 'a {
        ready(toy_answer(&t, out))
    }
}

impl ShareCatalogue for ToyService {
    fn share(&self, name: &str) -> Option<(String, ShareKind)> {
        name.eq_ignore_ascii_case("Laser")
            .then(|| ("Laser".to_owned(), ShareKind::Printer))
    }
}

pub const CHALLENGE: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];
pub const PID: u16 = 0x74B2;

pub fn params() -> Arc<ServerParams> {
    Arc::new(ServerParams {
        server_name: "SRV".into(),
        domain: "WG".into(),
        ..ServerParams::default()
    })
}

/// An in-memory client talking to a sans-IO server connection.
pub struct Pair {
    pub server: Connection<ToyService>,
    pub flags2: HeaderFlags2,
    pub uid: u16,
    pub tid: u16,
    pub mid: u16,
}

impl Pair {
    pub fn new(flags2: HeaderFlags2) -> Pair {
        Pair::with_params(flags2, params())
    }

    pub fn with_params(flags2: HeaderFlags2, params: Arc<ServerParams>) -> Pair {
        let mut server = Connection::new(ToyService, params, CHALLENGE);
        server.set_system_time(0x01DA_47A3_6B9E_8000);
        Pair {
            server,
            flags2,
            uid: 0,
            tid: 0,
            mid: 0,
        }
    }

    /// NT status + Unicode, as Windows and impacket (after negotiate) send.
    pub fn nt_unicode() -> Pair {
        Pair::new(HeaderFlags2::NT_STATUS | HeaderFlags2::UNICODE | HeaderFlags2::LONG_NAMES)
    }

    pub fn header(&mut self, command: SmbCommand) -> SmbHeader {
        self.mid = self.mid.wrapping_add(1);
        SmbHeader {
            uid: self.uid,
            tid: self.tid,
            pid_low: PID,
            mid: self.mid,
            ..SmbHeader::request(command, self.flags2)
        }
    }

    pub fn send(&mut self, msg: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        self.server
            .handle_message_now(msg, &mut out)
            .expect("connection must stay open");
        out
    }

    /// Sends and expects exactly one response.
    pub fn send1(&mut self, msg: &[u8]) -> Vec<u8> {
        let mut r = self.send(msg);
        assert_eq!(r.len(), 1, "expected one response");
        r.remove(0)
    }

    pub fn negotiate(&mut self) -> Vec<u8> {
        let h = self.header(SmbCommand::NEGOTIATE);
        let m = client::negotiate_request(
            &h,
            &[
                "PC NETWORK PROGRAM 1.0",
                "LANMAN1.0",
                "LM1.2X002",
                "LANMAN2.1",
                "NT LM 0.12",
            ],
        );
        self.send1(&m)
    }

    pub fn login_with_buffer(&mut self, max_buffer_size: u16) -> Vec<u8> {
        let h = self.header(SmbCommand::SESSION_SETUP_ANDX);
        let m = client::session_setup(&h, &anonymous(max_buffer_size));
        let r = self.send1(&m);
        self.uid = parse_response(&r).unwrap().header.uid;
        r
    }

    pub fn tree(&mut self, share: &str) -> Vec<u8> {
        let h = self.header(SmbCommand::TREE_CONNECT_ANDX);
        let m = client::tree_connect(&h, &format!("\\\\SRV\\{share}"), "?????");
        let r = self.send1(&m);
        let resp = parse_response(&r).unwrap();
        if resp.header.status == 0 {
            self.tid = resp.header.tid;
        }
        r
    }

    /// NEGOTIATE, anonymous SESSION_SETUP and TREE_CONNECT to IPC$.
    pub fn ready() -> Pair {
        let mut p = Pair::nt_unicode();
        p.negotiate();
        p.login_with_buffer(16644);
        p.tree("IPC$");
        p
    }

    /// A `\PIPE\LANMAN` transaction; returns the response messages.
    pub fn transact(&mut self, params: &[u8], max_p: u16, max_d: u16) -> Vec<Vec<u8>> {
        let h = self.header(SmbCommand::TRANSACTION);
        let m =
            TransactionRequestBuilder::lanman(params, max_p, max_d).primary(&h, params.len(), 0);
        self.send(&m)
    }
}

pub fn anonymous(max_buffer_size: u16) -> SessionSetupNt<'static> {
    SessionSetupNt {
        max_buffer_size,
        max_mpx_count: 2,
        vc_number: 1,
        capabilities: 0x44, // CAP_UNICODE | CAP_STATUS32
        native_os: "Unix",
        native_lanman: "test",
        ..SessionSetupNt::default()
    }
}

/// Reassembles TRANSACTION response messages into (status, params, data).
pub fn reassemble(msgs: &[Vec<u8>]) -> (u32, Vec<u8>, Vec<u8>) {
    let mut asm = TransactionAssembler::new();
    for m in msgs {
        let r: Response<'_> = parse_response(m).unwrap();
        match r.transaction().unwrap() {
            TransactionReply::Interim => return (r.header.status, vec![], vec![]),
            TransactionReply::Part(part) => {
                if asm.push(&part).unwrap() {
                    let (p, d) = asm.take();
                    return (r.header.status, p, d);
                }
            }
        }
    }
    panic!("incomplete transaction response");
}
