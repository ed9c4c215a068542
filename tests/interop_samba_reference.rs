//! Sanity check of the test harness itself: a real Samba smbd with the fake
//! queue answers Samba's own smbclient `queue` (NetPrintJobEnum) over SMB1.
mod support;

use pretty_assertions::assert_eq;
use support::samba::{parse_queue, Samba, LPQ_JOBS};

#[test]
fn samba_lists_the_fake_queue_to_smbclient() {
    let samba = Samba::start();
    let out = samba.smbclient_queue();
    // smbclient prints "<RAP job id> <size> <document>" per job; Samba numbers RAP
    // ids 1.. in queue order on each connection.
    let want: Vec<(u32, u32, String)> = LPQ_JOBS
        .iter()
        .enumerate()
        .map(|(i, j)| (i as u32 + 1, j.4, j.3.to_string()))
        .collect();
    assert_eq!(parse_queue(&out), want, "smbclient output:\n{out}");
}
