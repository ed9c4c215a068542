//! PrintDest0–3, the structures of NetPrintDestEnum (84) and
//! NetPrintDestGetInfo (85). Not in MS-RAP: the descriptors are LAN
//! Manager's as Samba's `check_printdest_info` and Wireshark know them
//! (levels 0 `B9`, 1 `B9B21WWzW`, 2 `z`, 3 `zzzWWzzzWW`); field names
//! after the LAN Manager `PRDINFO` members.
//!
//! msrap's destinations are its printers, one per queue, in queue order,
//! named by the queue's PrintQName ([`print_q_name`]); the job fields
//! describe the job that is printing, if any (SPEC_NOTES PQ5).

use std::borrow::Cow;

use super::print_job::rap_job_id;
use super::print_queue::print_q_name;
use super::structs::TakeStruct;
use crate::spool::{JobInfo2, JobStatus, Printer};

/// The most OEM bytes of a `B9` destination name.
pub const MAX_B9_NAME: usize = 8;

crate::rap_struct! {
    /// PrintDest0 (LAN Manager PRDINFO level 0), `B9`.
    pub struct PrintDest0<'a> {
        /// szName: at most 8 OEM bytes.
        name: B 9,
    }
}

crate::rap_struct! {
    /// PrintDest1 (LAN Manager PRDINFO level 1), `B9B21WWzW`.
    pub struct PrintDest1<'a> {
        /// szName: at most 8 OEM bytes.
        name: B 9,
        /// szUserName: the user of the job printing, at most 20 OEM bytes.
        user_name: B 21,
        /// uJobId: the job printing, 0 for none.
        job_id: W,
        /// fsStatus.
        status: W,
        /// pszStatus.
        status_string: z,
        /// time: minutes the current job has been printing.
        time: W,
    }
}

crate::rap_struct! {
    /// PrintDest2 (LAN Manager PRDINFO level 2), `z`.
    pub struct PrintDest2<'a> {
        /// pszPrinterName.
        printer_name: z,
    }
}

crate::rap_struct! {
    /// PrintDest3 (LAN Manager PRDINFO level 3), `zzzWWzzzWW`.
    pub struct PrintDest3<'a> {
        /// pszPrinterName.
        printer_name: z,
        /// pszUserName: the user of the job printing.
        user_name: z,
        /// pszLogAddr: the logical address (the port).
        log_addr: z,
        /// uJobId: the job printing, 0 for none.
        job_id: W,
        /// fsStatus.
        status: W,
        /// pszStatus.
        status_string: z,
        /// pszComment.
        comment: z,
        /// pszDrivers.
        drivers: z,
        /// time: minutes the current job has been printing.
        time: W,
        _: W,
    }
}

crate::rap_levels! {
    /// One PrintDest structure of any level.
    pub enum PrintDestInfo<'a> {
        0 => Level0(PrintDest0<'a>),
        1 => Level1(PrintDest1<'a>),
        2 => Level2(PrintDest2<'a>),
        3 => Level3(PrintDest3<'a>),
    }
}

/// The job the destination is printing: the first with JOB_STATUS_PRINTING.
pub(crate) fn printing_job(p: &Printer) -> Option<&JobInfo2> {
    p.jobs
        .iter()
        .find(|j| j.status.contains(JobStatus::PRINTING))
}

/// fsStatus: the LAN Manager PRD status is not modelled; 0, as Samba sends.
const PRD_STATUS: u16 = 0;

/// Minutes the printing job has printed (JOB_INFO_2.Time is milliseconds),
/// saturated to 16 bits.
fn minutes_printing(j: Option<&JobInfo2>) -> u16 {
    j.map_or(0, |j| u16::try_from(j.time / 60_000).unwrap_or(u16::MAX))
}

fn user(j: Option<&JobInfo2>) -> &str {
    j.and_then(|j| j.user_name.as_deref()).unwrap_or("")
}

fn status_text(j: Option<&JobInfo2>) -> &str {
    j.and_then(|j| j.status_text.as_deref()).unwrap_or("")
}

impl<'a> PrintDest0<'a> {
    /// The destination of queue `p`.
    pub fn from_printer(p: &'a Printer) -> PrintDest0<'a> {
        PrintDest0 {
            name: Cow::Borrowed(print_q_name(p)),
        }
    }
}

impl<'a> PrintDest1<'a> {
    /// The destination of queue `p`.
    pub fn from_printer(p: &'a Printer) -> PrintDest1<'a> {
        let j = printing_job(p);
        PrintDest1 {
            name: Cow::Borrowed(print_q_name(p)),
            user_name: Cow::Borrowed(user(j)),
            job_id: j.map_or(0, |j| rap_job_id(j.job_id)),
            status: PRD_STATUS,
            status_string: Some(Cow::Borrowed(status_text(j))),
            time: minutes_printing(j),
        }
    }
}

impl<'a> PrintDest2<'a> {
    /// The destination of queue `p`.
    pub fn from_printer(p: &'a Printer) -> PrintDest2<'a> {
        PrintDest2 {
            printer_name: Some(Cow::Borrowed(print_q_name(p))),
        }
    }
}

impl<'a> PrintDest3<'a> {
    /// The destination of queue `p`.
    pub fn from_printer(p: &'a Printer) -> PrintDest3<'a> {
        let j = printing_job(p);
        let s = |v: &'a Option<String>| Some(Cow::Borrowed(v.as_deref().unwrap_or("")));
        PrintDest3 {
            printer_name: Some(Cow::Borrowed(print_q_name(p))),
            user_name: Some(Cow::Borrowed(user(j))),
            log_addr: s(&p.info.port_name),
            job_id: j.map_or(0, |j| rap_job_id(j.job_id)),
            status: PRD_STATUS,
            status_string: Some(Cow::Borrowed(status_text(j))),
            comment: s(&p.info.comment),
            drivers: s(&p.info.driver_name),
            time: minutes_printing(j),
        }
    }
}

/// Map queue `p` to PrintDest of `level` 0..=3 and hand it to `k`; `None`
/// for another level.
pub(crate) fn with_printer<K: TakeStruct>(level: u16, p: &Printer, k: K) -> Option<K::Output> {
    Some(match level {
        0 => k.take(&PrintDest0::from_printer(p)),
        1 => k.take(&PrintDest1::from_printer(p)),
        2 => k.take(&PrintDest2::from_printer(p)),
        3 => k.take(&PrintDest3::from_printer(p)),
        _ => return None,
    })
}
