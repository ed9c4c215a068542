//! NetPrintQEnum (opcode 69): MS-RAP 2.5.7.1, 3.2.5.4.
//!
//! Every shared queue of the spooler's snapshot (RpcEnumPrinters level 2,
//! and RpcEnumJobs level 2 for levels 2 and 4), mapped from PRINTER_INFO_2
//! ([`crate::rap::print_queue`]) and marshaled by 2.5.11: a queue with all
//! its jobs is one entry, copied whole or not at all.

use super::{put_params, Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::oem::OemCodePage;
use crate::rap::descriptor::Descriptor;
use crate::rap::marshal::Marshaler;
use crate::rap::print_job::{MappingConfig, PrintJobInfo, PrintJobInfo1, PrintJobInfo2};
use crate::rap::print_queue::{
    aux_meta_for_level, entry_size, fits_b13, push_queue, PrintQueue0, PrintQueue1, PrintQueue2,
    PrintQueue3, PrintQueue4, PrintQueue5, PrintQueueInfo,
};
use crate::rap::response::{parse_entries, parse_response_params, Entry, ResponseError};
use crate::spool::{Printer, Spooler};

crate::rap_params! {
    /// NetPrintQEnum request parameters (MS-RAP 2.5.7.1.1), ParamDesc `WrLeh`.
    pub struct PrintQEnumRequest for NET_PRINT_Q_ENUM {
        /// InfoLevel: 0 to 5.
        level ("info_level"): W,
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
        entries_returned: e,
        entries_available: h,
    }
}

/// The AuxDesc MS-RAP 2.5.7.1.1 gives for every NetPrintQEnum request
/// (and 2.5.7.2.1 for NetPrintQGetInfo level 2): PrintJobInfo1's.
pub const SPEC_AUX_DESC: &[u8] = PrintJobInfo1::DESCRIPTOR;

/// The levels of NetPrintQEnum and NetPrintQGetInfo.
pub const LEVELS: &[Level] = &[
    Level {
        level: 0,
        data: &PrintQueue0::STRUCT_META,
        aux: None,
    },
    Level {
        level: 1,
        data: &PrintQueue1::STRUCT_META,
        aux: None,
    },
    Level {
        level: 2,
        data: &PrintQueue2::STRUCT_META,
        aux: Some(&PrintJobInfo1::STRUCT_META),
    },
    Level {
        level: 3,
        data: &PrintQueue3::STRUCT_META,
        aux: None,
    },
    Level {
        level: 4,
        data: &PrintQueue4::STRUCT_META,
        aux: Some(&PrintJobInfo2::STRUCT_META),
    },
    Level {
        level: 5,
        data: &PrintQueue5::STRUCT_META,
        aux: None,
    },
];

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_Q_ENUM,
    name: "NetPrintQEnum",
    spec: "MS-RAP 3.2.5.4",
    params: Some(&PrintQEnumRequest::META),
    other_param_descs: &[],
    levels: LEVELS,
    any_level_data_desc: None,
    served: true,
};

const ENUM_OUT: usize = 2;

/// Whether a queue is enumerated at `level`: at levels 0–2 (a `B13`
/// PrintQName) only names of at most 12 OEM bytes (2.5.7.8: a longer name
/// MUST NOT be included); at levels 3–5 (a `z` name) every queue.
pub fn enumerated(level: u16, p: &Printer, cp: &OemCodePage) -> bool {
    level > 2 || fits_b13(p, cp)
}

/// MS-RAP 3.2.5.4, after full recognition of the request.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // ParamDesc MUST be "WrLeh" (<71>: Windows fails the SMB transaction).
    // The AuxDesc is allowed and not validated (SPEC_NOTES PQ1).
    let r: PrintQEnumRequest = match cx.recognize_aux(out) {
        Ok((r, _aux)) => r,
        Err(o) => return o,
    };
    // Levels 0–5, else ERROR_INVALID_LEVEL (MUST).
    if COMMAND.level(r.level).is_none() {
        return cx.error(
            RapStatus::ERROR_INVALID_LEVEL,
            PrintQEnumRequest::PARAM_DESC,
            out,
        );
    }
    // RpcOpenPrinter(local machine) + RpcEnumPrinters(PRINTER_ENUM_SHARED,
    // level 2), with each queue's jobs (RpcEnumJobs level 2): one snapshot.
    let outcome = match cx.spooler.enum_printers().await {
        Err(e) => {
            put_params(out, e.to_rap_status(), 0, &[0; ENUM_OUT]);
            RapOutcome::Reply(e.to_rap_status())
        }
        Ok(printers) => reply(cx, r.level, r.receive_buffer_size, &printers, out),
    };
    super::fit_params(outcome, cx.input, out)
}

fn reply<S>(
    cx: &Call<'_, S>,
    level: u16,
    receive_buffer_size: u16,
    printers: &[Printer],
    out: &mut RapResponse,
) -> RapOutcome {
    let cp = cx.config.code_page;
    let mapping = MappingConfig {
        profile: cx.config.profile,
        utc_offset_secs: cx.config.utc_offset_secs,
    };
    let listed = || {
        printers
            .iter()
            .filter(move |p| enumerated(level, p, &cp))
            .take(usize::from(u16::MAX))
    };
    let mut m = Marshaler::new(
        &mut out.data,
        receive_buffer_size,
        cx.input.max_data_count,
        cx.config.profile.layout,
        cp,
    );
    // 2.5.11: a queue with all its auxiliary structures is one entry.
    let fit = m.plan(listed().map(|p| entry_size(level, p).unwrap_or(0)));
    let m = m.marshal(|sink| {
        for p in listed().take(fit) {
            push_queue(level, p, &mapping, sink);
        }
    });
    let status = if m.entries_returned == 0 && m.entries_available > 0 {
        // 2.5.11: not even the first queue (with its jobs) fits.
        out.data.clear();
        RapStatus::NERR_BUF_TOO_SMALL
    } else if m.entries_returned < m.entries_available || !m.complete {
        // 3.2.5.4: EntriesReturned < EntriesAvailable; 2.5.11: a string that
        // did not fit (SPEC_NOTES PQ2).
        RapStatus::ERROR_MORE_DATA
    } else {
        RapStatus::ERROR_SUCCESS
    };
    let converter = if status == RapStatus::NERR_BUF_TOO_SMALL {
        0
    } else {
        m.converter
    };
    put_params(
        out,
        status,
        converter,
        &[m.entries_returned, m.entries_available],
    );
    RapOutcome::Reply(status)
}

/// One print queue as a client reads it: the PrintQueue structure and, at
/// levels 2 and 4, the jobs that follow it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintQueue<'a> {
    /// PrintQueue0–5.
    pub info: PrintQueueInfo<'a>,
    /// PrintJobInfo1 (level 2) or PrintJobInfo2 (level 4); empty otherwise.
    pub jobs: Vec<PrintJobInfo<'a>>,
}

impl PrintQueue<'_> {
    /// Detach from the buffer it borrows.
    pub fn into_owned(self) -> PrintQueue<'static> {
        PrintQueue {
            info: self.info.into_owned(),
            jobs: self
                .jobs
                .into_iter()
                .map(PrintJobInfo::into_owned)
                .collect(),
        }
    }
}

/// A NetPrintQEnum response (MS-RAP 2.5.7.1.2), typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintQEnumResponse<'a> {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// EntriesReturned.
    pub entries_returned: u16,
    /// EntriesAvailable.
    pub entries_available: u16,
    /// The queues returned.
    pub queues: Vec<PrintQueue<'a>>,
}

/// Build typed queues from generically parsed entries of `level`.
pub(crate) fn queues_from_entries<'a>(
    level: u16,
    entries: Vec<Entry<'a>>,
    cp: &OemCodePage,
) -> Result<Vec<PrintQueue<'a>>, ResponseError> {
    let job_level = match level {
        2 => Some(1),
        4 => Some(2),
        _ => None,
    };
    let mut queues = Vec::with_capacity(entries.len());
    for e in entries {
        let info = PrintQueueInfo::from_values(level, &e.values, cp)?;
        let mut jobs = Vec::with_capacity(e.aux.len());
        if let Some(jl) = job_level {
            for a in &e.aux {
                jobs.push(PrintJobInfo::from_values(jl, a, cp)?);
            }
        }
        queues.push(PrintQueue { info, jobs });
    }
    Ok(queues)
}

/// The DataDesc and AuxDesc a reply of `level` is read with.
pub(crate) fn descriptors(
    level: u16,
) -> Result<(Descriptor<'static>, Option<Descriptor<'static>>), ResponseError> {
    let meta = PrintQueueInfo::meta_for_level(level).ok_or(ResponseError::UnknownLevel(level))?;
    Ok((
        Descriptor(meta.descriptor),
        aux_meta_for_level(level).map(|m| Descriptor(m.descriptor)),
    ))
}

/// Parse a NetPrintQEnum response for a request of `level`, decoding
/// strings with `code_page`. Every count and pointer is checked against the
/// data (typed errors, never a panic).
pub fn parse_q_enum_response<'a>(
    level: u16,
    params: &'a [u8],
    data: &'a [u8],
    code_page: &OemCodePage,
) -> Result<PrintQEnumResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let word = |at: usize| {
        p.out_params
            .get(at..at.saturating_add(2))
            .and_then(|b| b.try_into().ok())
            .map_or(0, u16::from_le_bytes)
    };
    let entries_returned = word(0);
    let entries_available = word(2);
    let mut queues = Vec::new();
    if p.status.carries_data() && entries_returned > 0 {
        let (dd, ad) = descriptors(level)?;
        let entries = parse_entries(dd, ad, data, usize::from(entries_returned), p.converter)?;
        queues = queues_from_entries(level, entries, code_page)?;
    }
    Ok(PrintQEnumResponse {
        status: p.status,
        converter: p.converter,
        entries_returned,
        entries_available,
        queues,
    })
}

/// Build a NetPrintQEnum request (parameters) for `level` with the level's
/// DataDesc and, when `aux_desc` is given, that AuxDesc.
pub fn q_enum_request(level: u16, receive_buffer_size: u16, aux_desc: Option<&[u8]>) -> Vec<u8> {
    let mut v = Vec::new();
    PrintQEnumRequest {
        level,
        receive_buffer_size,
    }
    .encode(
        PrintQueueInfo::meta_for_level(level).map_or(&b""[..], |m| m.descriptor),
        &mut v,
    );
    if let Some(a) = aux_desc {
        v.extend_from_slice(a);
        v.push(0);
    }
    v
}
