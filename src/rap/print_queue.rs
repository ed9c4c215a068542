//! PrintQueue0–5 (MS-RAP 2.5.7.8.1–2.5.7.8.4), the structures of
//! NetPrintQEnum and NetPrintQGetInfo, and the PRQ_* queue status values.
//!
//! Levels 2 and 4 are PrintQueue1 and PrintQueue3 whose PrintJobCount is an
//! AUXCOUNT (`N`): each is followed by that many PrintJobInfo1 (level 2) or
//! PrintJobInfo2 (level 4) auxiliary structures (MS-RAP 2.5.7.1.1, 2.5.11).

/// PRQ_ACTIVE: the queue is active (MS-RAP 2.5.7.8.2).
pub const PRQ_ACTIVE: u16 = 0;
/// PRQ_PAUSE: the queue is paused.
pub const PRQ_PAUSE: u16 = 1;
/// PRQ_ERROR: the queue has an error.
pub const PRQ_ERROR: u16 = 2;
/// PRQ_PENDING: the queue is being deleted.
pub const PRQ_PENDING: u16 = 3;

crate::rap_struct! {
    /// PrintQueue0 (MS-RAP 2.5.7.8.1), `B13`.
    pub struct PrintQueue0<'a> {
        /// PrintQName: at most 12 OEM bytes.
        print_q_name: B 13,
    }
}

crate::rap_struct! {
    /// PrintQueue1 (MS-RAP 2.5.7.8.2), `B13BWWWzzzzzWW`: NetPrintQEnum /
    /// NetPrintQGetInfo level 1.
    pub struct PrintQueue1<'a> {
        /// PrintQName: at most 12 OEM bytes.
        print_q_name: B 13,
        _: B,
        /// Priority: 1 (highest) to 9.
        priority: W,
        /// StartTime: minutes after midnight from which jobs print.
        start_time: W,
        /// UntilTime: minutes after midnight until which jobs print.
        until_time: W,
        /// SeparatorPageFilename.
        separator_page_filename: z,
        /// PrintProcessorDllName.
        print_processor_dll_name: z,
        /// PrintDestinationsName.
        print_destinations_name: z,
        /// PrintParameterString.
        print_parameter_string: z,
        /// CommentString.
        comment_string: z,
        /// PrintQStatus (PRQ_*).
        print_q_status: W [QueueStatus],
        /// PrintJobCount.
        print_job_count: W,
    }
}

crate::rap_struct! {
    /// PrintQueue1 as NetPrintQEnum / NetPrintQGetInfo level 2 sends it,
    /// `B13BWWWzzzzzWN`: PrintJobCount PrintJobInfo1 structures follow.
    pub struct PrintQueue2<'a> {
        /// PrintQName: at most 12 OEM bytes.
        print_q_name: B 13,
        _: B,
        /// Priority: 1 (highest) to 9.
        priority: W,
        /// StartTime: minutes after midnight.
        start_time: W,
        /// UntilTime: minutes after midnight.
        until_time: W,
        /// SeparatorPageFilename.
        separator_page_filename: z,
        /// PrintProcessorDllName.
        print_processor_dll_name: z,
        /// PrintDestinationsName.
        print_destinations_name: z,
        /// PrintParameterString.
        print_parameter_string: z,
        /// CommentString.
        comment_string: z,
        /// PrintQStatus (PRQ_*).
        print_q_status: W [QueueStatus],
        /// PrintJobCount: the number of PrintJobInfo1 structures that follow.
        print_job_count: N,
    }
}

crate::rap_struct! {
    /// PrintQueue3 (MS-RAP 2.5.7.8.3), `zWWWWzzzzWWzzl`: level 3.
    pub struct PrintQueue3<'a> {
        /// PrintQueueName.
        print_queue_name: z,
        /// Priority: 1 (highest) to 9.
        priority: W,
        /// StartTime: minutes after midnight.
        start_time: W,
        /// UntilTime: minutes after midnight.
        until_time: W,
        _: W,
        /// SeparatorPageFilename.
        separator_page_filename: z,
        /// PrintProcessorDllName.
        print_processor_dll_name: z,
        /// PrintParameterString.
        print_parameter_string: z,
        /// CommentString.
        comment_string: z,
        /// PrintQStatus (PRQ_*).
        print_q_status: W [QueueStatus],
        /// PrintJobCount.
        print_job_count: W,
        /// Printers.
        printers: z,
        /// DriverName.
        driver_name: z,
        /// PrintDriverData: a buffer whose first two bytes are its length.
        print_driver_data: l,
    }
}

crate::rap_struct! {
    /// PrintQueue3 as level 4 sends it, `zWWWWzzzzWNzzl`: PrintJobCount
    /// PrintJobInfo2 structures follow.
    pub struct PrintQueue4<'a> {
        /// PrintQueueName.
        print_queue_name: z,
        /// Priority: 1 (highest) to 9.
        priority: W,
        /// StartTime: minutes after midnight.
        start_time: W,
        /// UntilTime: minutes after midnight.
        until_time: W,
        _: W,
        /// SeparatorPageFilename.
        separator_page_filename: z,
        /// PrintProcessorDllName.
        print_processor_dll_name: z,
        /// PrintParameterString.
        print_parameter_string: z,
        /// CommentString.
        comment_string: z,
        /// PrintQStatus (PRQ_*).
        print_q_status: W [QueueStatus],
        /// PrintJobCount: the number of PrintJobInfo2 structures that follow.
        print_job_count: N,
        /// Printers.
        printers: z,
        /// DriverName.
        driver_name: z,
        /// PrintDriverData: a buffer whose first two bytes are its length.
        print_driver_data: l,
    }
}

crate::rap_struct! {
    /// PrintQueue5 (MS-RAP 2.5.7.8.4), `z`: level 5.
    pub struct PrintQueue5<'a> {
        /// PrintQueueName.
        print_queue_name: z,
    }
}

crate::rap_levels! {
    /// One PrintQueue structure of any level (without its auxiliary jobs).
    pub enum PrintQueueInfo<'a> {
        0 => Level0(PrintQueue0<'a>),
        1 => Level1(PrintQueue1<'a>),
        2 => Level2(PrintQueue2<'a>),
        3 => Level3(PrintQueue3<'a>),
        4 => Level4(PrintQueue4<'a>),
        5 => Level5(PrintQueue5<'a>),
    }
}

// ---------------------------------------------------------------------------
// PRINTER_INFO_2 → PrintQueue0–5 (MS-RAP 3.2.5.4, 3.2.5.4.1).

use std::borrow::Cow;

use super::marshal::{oem_string_len, Sink};
use super::print_job::{queue_name, MappingConfig, PrintJobInfo1, PrintJobInfo2};
use super::structs::RapStruct;
use crate::oem::OemCodePage;
use crate::spool::{Printer, PrinterStatus};

/// The most OEM bytes of a `B13` PrintQName (2.5.7.8: a 13-byte field with
/// its NUL).
pub const MAX_B13_NAME: usize = 12;

/// PRINTER_INFO_2.Status → PrintQStatus (MS-RAP 3.2.5.4.1): PAUSED →
/// PRQ_PAUSE, ERROR → PRQ_ERROR, PENDING_DELETION → PRQ_PENDING, every
/// other bit → PRQ_ACTIVE. The table gives no precedence when several are
/// set; msrap's (SPEC_NOTES PQ3): PENDING_DELETION, then PAUSED, then ERROR.
pub fn queue_status(status: PrinterStatus) -> u16 {
    if status.contains(PrinterStatus::PENDING_DELETION) {
        PRQ_PENDING
    } else if status.contains(PrinterStatus::PAUSED) {
        PRQ_PAUSE
    } else if status.contains(PrinterStatus::ERROR) {
        PRQ_ERROR
    } else {
        PRQ_ACTIVE
    }
}

/// The name of a PrintQStatus value (`ACTIVE`, `PAUSE`, `ERROR`,
/// `PENDING`: PRQ_* without the prefix), `None` for another value.
pub fn queue_status_name(v: u16) -> Option<&'static str> {
    Some(match v {
        PRQ_ACTIVE => "ACTIVE",
        PRQ_PAUSE => "PAUSE",
        PRQ_ERROR => "ERROR",
        PRQ_PENDING => "PENDING",
        _ => return None,
    })
}

/// PrintQName: pPrinterName after its last backslash, all of it when it has
/// none (3.2.5.4); the queue's share name when pPrinterName is NULL.
pub fn print_q_name(p: &Printer) -> &str {
    queue_name(p.info.printer_name.as_deref().unwrap_or(&p.name))
}

/// Whether the queue's name fits the 13-byte `B13` PrintQName of levels 0–2
/// (at most 12 OEM bytes). 2.5.7.8: a longer name MUST NOT be enumerated.
pub fn fits_b13(p: &Printer, cp: &OemCodePage) -> bool {
    oem_string_len(cp, print_q_name(p)).0 <= MAX_B13_NAME
}

/// StartTime / UntilTime: minutes after midnight, < 1440 (2.5.7.8.2);
/// PRINTER_INFO_2 counts "within a 24-hour boundary", so a larger value is
/// reduced modulo a day.
fn minutes(v: u32) -> u16 {
    u16::try_from(v % 1440).unwrap_or(0)
}

fn sat16(v: u32) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

/// A `z` field: a NULL source string is marshaled as an empty string (2.5.11).
fn z(s: &Option<String>) -> Option<Cow<'_, str>> {
    Some(Cow::Borrowed(s.as_deref().unwrap_or("")))
}

/// The jobs a level-2/4 reply carries after the queue: all of them, at most
/// 65535 (PrintJobCount is 16 bits).
pub(crate) fn aux_jobs(p: &Printer) -> &[crate::spool::JobInfo2] {
    let n = p.jobs.len().min(usize::from(u16::MAX));
    p.jobs.get(..n).unwrap_or_default()
}

impl<'a> PrintQueue0<'a> {
    /// PRINTER_INFO_2 → PrintQueue0 (3.2.5.4 InfoLevel0). A name longer than
    /// 12 OEM bytes is cut to 12 when marshaled (2.5.7.8.1 SHOULD truncate).
    pub fn from_printer(p: &'a Printer) -> PrintQueue0<'a> {
        PrintQueue0 {
            print_q_name: Cow::Borrowed(print_q_name(p)),
        }
    }
}

impl<'a> PrintQueue1<'a> {
    /// PRINTER_INFO_2 → PrintQueue1 (3.2.5.4 InfoLevel1).
    pub fn from_printer(p: &'a Printer) -> PrintQueue1<'a> {
        let i = &p.info;
        PrintQueue1 {
            print_q_name: Cow::Borrowed(print_q_name(p)),
            priority: sat16(i.priority),
            start_time: minutes(i.start_time),
            until_time: minutes(i.until_time),
            separator_page_filename: z(&i.sep_file),
            print_processor_dll_name: z(&i.print_processor),
            print_destinations_name: z(&i.port_name),
            print_parameter_string: z(&i.parameters),
            comment_string: z(&i.comment),
            print_q_status: queue_status(i.status),
            print_job_count: sat16(i.jobs),
        }
    }
}

impl<'a> PrintQueue2<'a> {
    /// PRINTER_INFO_2 → PrintQueue1 with its AUXCOUNT (3.2.5.4 InfoLevel2):
    /// PrintJobCount is the number of PrintJobInfo1 structures that follow
    /// (the queue's jobs, at most 65535).
    pub fn from_printer(p: &'a Printer) -> PrintQueue2<'a> {
        let q = PrintQueue1::from_printer(p);
        PrintQueue2 {
            print_q_name: q.print_q_name,
            priority: q.priority,
            start_time: q.start_time,
            until_time: q.until_time,
            separator_page_filename: q.separator_page_filename,
            print_processor_dll_name: q.print_processor_dll_name,
            print_destinations_name: q.print_destinations_name,
            print_parameter_string: q.print_parameter_string,
            comment_string: q.comment_string,
            print_q_status: q.print_q_status,
            print_job_count: sat16(u32::try_from(aux_jobs(p).len()).unwrap_or(u32::MAX)),
        }
    }
}

impl<'a> PrintQueue3<'a> {
    /// PRINTER_INFO_2 → PrintQueue3 (3.2.5.4 InfoLevel3). PrintDriverData is
    /// NULL: both pointer halves 0.
    pub fn from_printer(p: &'a Printer) -> PrintQueue3<'a> {
        let i = &p.info;
        PrintQueue3 {
            print_queue_name: Some(Cow::Borrowed(print_q_name(p))),
            priority: sat16(i.priority),
            start_time: minutes(i.start_time),
            until_time: minutes(i.until_time),
            separator_page_filename: z(&i.sep_file),
            print_processor_dll_name: z(&i.print_processor),
            print_parameter_string: z(&i.parameters),
            comment_string: z(&i.comment),
            print_q_status: queue_status(i.status),
            print_job_count: sat16(i.jobs),
            printers: z(&i.port_name),
            driver_name: z(&i.driver_name),
            print_driver_data: None,
        }
    }
}

impl<'a> PrintQueue4<'a> {
    /// PRINTER_INFO_2 → PrintQueue3 with its AUXCOUNT (3.2.5.4 InfoLevel4):
    /// PrintJobCount PrintJobInfo2 structures follow.
    pub fn from_printer(p: &'a Printer) -> PrintQueue4<'a> {
        let q = PrintQueue3::from_printer(p);
        PrintQueue4 {
            print_queue_name: q.print_queue_name,
            priority: q.priority,
            start_time: q.start_time,
            until_time: q.until_time,
            separator_page_filename: q.separator_page_filename,
            print_processor_dll_name: q.print_processor_dll_name,
            print_parameter_string: q.print_parameter_string,
            comment_string: q.comment_string,
            print_q_status: q.print_q_status,
            print_job_count: sat16(u32::try_from(aux_jobs(p).len()).unwrap_or(u32::MAX)),
            printers: q.printers,
            driver_name: q.driver_name,
            print_driver_data: q.print_driver_data,
        }
    }
}

impl<'a> PrintQueue5<'a> {
    /// PRINTER_INFO_2 → PrintQueue5 (3.2.5.4).
    pub fn from_printer(p: &'a Printer) -> PrintQueue5<'a> {
        PrintQueue5 {
            print_queue_name: Some(Cow::Borrowed(print_q_name(p))),
        }
    }
}

/// The declaration of a level's auxiliary structure: PrintJobInfo1 at level
/// 2, PrintJobInfo2 at level 4 (MS-RAP 2.5.7.1.2, 2.5.7.2.2).
pub fn aux_meta_for_level(level: u16) -> Option<&'static super::structs::StructMeta> {
    match level {
        2 => Some(PrintJobInfo1::META),
        4 => Some(PrintJobInfo2::META),
        _ => None,
    }
}

/// The fixed bytes one queue needs at `level` with all its auxiliary
/// structures (2.5.11: copied together or not at all). `None` for a level
/// without a structure.
pub(crate) fn entry_size(level: u16, p: &Printer) -> Option<usize> {
    let fixed = usize::from(PrintQueueInfo::meta_for_level(level)?.fixed_size);
    let aux = aux_meta_for_level(level).map_or(0, |m| usize::from(m.fixed_size));
    let n = if aux == 0 { 0 } else { aux_jobs(p).len() };
    Some(fixed.saturating_add(aux.saturating_mul(n)))
}

/// Marshal one queue at `level` 0..=5 as the next entry of `sink`: the
/// PrintQueue structure, then (levels 2 and 4) each job's PrintJobInfo1 /
/// PrintJobInfo2 (3.2.5.4 InfoLevel2/4, mapped as 3.2.5.7). Returns false
/// for another level.
pub(crate) fn push_queue(
    level: u16,
    p: &Printer,
    mapping: &MappingConfig,
    sink: &mut Sink<'_>,
) -> bool {
    match level {
        0 => sink.push(&PrintQueue0::from_printer(p)),
        1 => sink.push(&PrintQueue1::from_printer(p)),
        2 => {
            sink.push(&PrintQueue2::from_printer(p));
            for j in aux_jobs(p) {
                sink.push(&PrintJobInfo1::from_job_info2(j, mapping));
            }
        }
        3 => sink.push(&PrintQueue3::from_printer(p)),
        4 => {
            sink.push(&PrintQueue4::from_printer(p));
            for j in aux_jobs(p) {
                sink.push(&PrintJobInfo2::from_job_info2(j, mapping));
            }
        }
        5 => sink.push(&PrintQueue5::from_printer(p)),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spool::PrinterInfo2;

    #[test]
    fn status_mapping_3_2_5_4_1() {
        let m = |bits: u32| queue_status(PrinterStatus::from_bits_retain(bits));
        assert_eq!(m(0), PRQ_ACTIVE);
        assert_eq!(m(0x1), PRQ_PAUSE);
        assert_eq!(m(0x2), PRQ_ERROR);
        assert_eq!(m(0x4), PRQ_PENDING);
        // Every other bit → PRQ_ACTIVE (PAPER_OUT, OFFLINE, PRINTING, ...).
        assert_eq!(m(0x10 | 0x80 | 0x400 | 0x0200_0000), PRQ_ACTIVE);
        // Precedence: PENDING_DELETION, PAUSED, ERROR.
        assert_eq!(m(0x1 | 0x2), PRQ_PAUSE);
        assert_eq!(m(0x1 | 0x4), PRQ_PENDING);
        assert_eq!(m(0x2 | 0x4), PRQ_PENDING);
        assert_eq!(m(u32::MAX), PRQ_PENDING);
    }

    #[test]
    fn names_and_sizes() {
        let p = |name: &str, printer: Option<&str>| Printer {
            name: name.into(),
            info: PrinterInfo2 {
                printer_name: printer.map(str::to_owned),
                ..PrinterInfo2::default()
            },
            ..Printer::default()
        };
        assert_eq!(print_q_name(&p("LASER", Some("\\\\SRV\\LASER"))), "LASER");
        assert_eq!(print_q_name(&p("SHARE", Some("Other"))), "Other");
        assert_eq!(print_q_name(&p("SHARE", None)), "SHARE");
        let cp = OemCodePage::default();
        assert!(fits_b13(&p("TWELVECHARSQ", None), &cp));
        assert!(!fits_b13(&p("THIRTEENCHARS", None), &cp));
        // "É" is one byte in code page 850.
        assert!(fits_b13(&p("ÉLEVENCHARS", None), &cp));
        assert_eq!(PrintQueue1::FIXED_SIZE, 44);
        assert_eq!(PrintQueue3::FIXED_SIZE, 44);
        assert_eq!(entry_size(2, &p("Q", None)), Some(44));
        assert_eq!(entry_size(9, &p("Q", None)), None);
        assert_eq!(minutes(1440), 0);
        assert_eq!(minutes(1500), 60);
    }
}
