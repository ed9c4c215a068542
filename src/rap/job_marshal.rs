//! PrintJobInfo0–3 marshaled straight from JOB_INFO_2: the
//! NetPrintJobGetInfo hot path (MS-RAP 3.2.5.7 steps 4–5, 2.5.11).
//!
//! The same bytes and [`Marshaled`] report as mapping with
//! [`PrintJobInfo::from_job_info2`](super::print_job::PrintJobInfo::from_job_info2)
//! and running the generic, descriptor-driven [`Marshaler`](super::marshal::Marshaler)
//! over [`fields`](super::print_job::PrintJobInfo::fields), which stays the
//! reference (and serves NetPrintJobEnum and any other DataDesc):
//! `tests/proptest_codec.rs` checks both agree for arbitrary jobs, levels,
//! ReceiveBufferSize, MaxDataCount, layouts and code pages. What this path
//! leaves out is the interpretation: no descriptor walk, no intermediate
//! structure, no per-field dispatch: the fixed part is written in descriptor
//! order into a stack array and the strings are placed in one pass.
//!
//! Placement is the same greedy rule in both layouts: each string, in field
//! order, takes the next `len + 1` bytes if they still fit below the limit,
//! else it gets offset 0 and the reply is incomplete. Forward layout puts
//! them after the fixed part in that order (Converter 0); Windows' top-down
//! layout puts each below the previous one under ReceiveBufferSize, so after
//! squeezing the gap they appear in reverse order, and Converter is
//! ReceiveBufferSize minus the bytes returned.

use super::descriptor::job;
use super::marshal::{oem_string_len, write_oem_string, Marshaled};
use super::print_job::{queue_name, rap_job_id, time_submitted, MappingConfig, RapJobStatus};
use super::profile::StringLayout;
use crate::oem::OemCodePage;
use crate::spool::JobInfo2;

/// The most `z` fields of a level (PrintJobInfo3: 13).
const MAX_STRINGS: usize = 13;

/// A `z` field waiting for its place: where its pointer goes in the fixed
/// part, and its text.
#[derive(Copy, Clone)]
struct Pending<'j> {
    at: usize,
    text: &'j str,
    /// Bytes of the encoded text plus the NUL.
    len: usize,
    /// ASCII without NUL: its own encoding in every supported code page.
    plain: bool,
}

/// Writes one fixed part in descriptor order.
struct Fixed<'j> {
    buf: [u8; 80],
    at: usize,
    strings: [Pending<'j>; MAX_STRINGS],
    n: usize,
    cp: OemCodePage,
}

impl<'j> Fixed<'j> {
    fn new(cp: OemCodePage) -> Self {
        Fixed {
            buf: [0; 80],
            at: 0,
            strings: [Pending {
                at: 0,
                text: "",
                len: 0,
                plain: true,
            }; MAX_STRINGS],
            n: 0,
            cp,
        }
    }

    /// `W`.
    fn word(&mut self, v: u16) {
        if let Some(s) = self.buf.get_mut(self.at..self.at.saturating_add(2)) {
            s.copy_from_slice(&v.to_le_bytes());
        }
        self.at = self.at.saturating_add(2);
    }

    /// `D`.
    fn dword(&mut self, v: u32) {
        if let Some(s) = self.buf.get_mut(self.at..self.at.saturating_add(4)) {
            s.copy_from_slice(&v.to_le_bytes());
        }
        self.at = self.at.saturating_add(4);
    }

    /// `B`n: at most n − 1 OEM bytes, NUL-padded (a bare `B` is a 0 byte).
    fn bytes(&mut self, s: &str, n: usize) {
        if n > 1 {
            let end = self.at.saturating_add(n - 1);
            if let Some(slot) = self.buf.get_mut(self.at..end) {
                self.cp.encode_fixed(s, slot);
            }
        }
        self.at = self.at.saturating_add(n);
    }

    /// `z`: a NULL source string is sent as an empty string (2.5.11).
    fn z(&mut self, s: Option<&'j str>) {
        let text = s.unwrap_or("");
        let (enc, plain) = oem_string_len(&self.cp, text);
        if let Some(slot) = self.strings.get_mut(self.n) {
            *slot = Pending {
                at: self.at,
                text,
                len: enc.saturating_add(1),
                plain,
            };
            self.n = self.n.saturating_add(1);
        }
        self.at = self.at.saturating_add(4);
    }

    /// `l` with no buffer: both pointer halves 0 ("not present").
    fn absent_buffer(&mut self) {
        self.at = self.at.saturating_add(4);
    }
}

/// Marshal JOB_INFO_2 as PrintJobInfo of `level` 0..=3 into `out` (cleared)
/// with at most `limit` data bytes (min(ReceiveBufferSize, MaxDataCount)).
/// `None` for another level.
#[allow(clippy::too_many_arguments)]
pub fn marshal_job_info(
    level: u16,
    job: &JobInfo2,
    mapping: &MappingConfig,
    receive_buffer_size: u16,
    limit: u16,
    layout: StringLayout,
    cp: OemCodePage,
    out: &mut Vec<u8>,
) -> Option<Marshaled> {
    // Fixed-part sizes of PrintJobInfo0..3 (2.5.7.8.5–2.5.7.8.8).
    let fixed_size = usize::from(job::FIXED_SIZES.get(usize::from(level))?.1);
    let job_id = rap_job_id(job.job_id);
    let mut f = Fixed::new(cp);
    let position = u16::try_from(job.position).unwrap_or(u16::MAX);
    match level {
        0 => f.word(job_id),
        1 => {
            // WB21BB16B10zWWzDDz
            f.word(job_id);
            f.bytes(job.user_name.as_deref().unwrap_or(""), 21);
            f.bytes("", 1);
            f.bytes(job.notify_name.as_deref().unwrap_or(""), 16);
            f.bytes(job.datatype.as_deref().unwrap_or(""), 10);
            f.z(job.parameters.as_deref());
            f.word(position);
            f.word(RapJobStatus::from_job_status(job.status, &mapping.profile).0);
            f.z(job.status_text.as_deref());
            f.dword(time_submitted(job, mapping.utc_offset_secs));
            f.dword(job.size);
            // <76>: the document name as the comment.
            f.z(job.document.as_deref());
        }
        _ => {
            // WWzWWDDzz, then for level 3 zzzzzzzzlz
            f.word(job_id);
            f.word(u16::try_from(job.priority).unwrap_or(u16::MAX));
            f.z(job.user_name.as_deref());
            f.word(position);
            f.word(RapJobStatus::from_job_status(job.status, &mapping.profile).0);
            f.dword(time_submitted(job, mapping.utc_offset_secs));
            f.dword(job.size);
            f.z(job.document.as_deref()); // comment: <77>, <78>
            f.z(job.document.as_deref());
            if level == 3 {
                f.z(job.notify_name.as_deref());
                f.z(job.datatype.as_deref());
                f.z(job.parameters.as_deref());
                f.z(job.status_text.as_deref());
                f.z(Some(queue_name(job.printer_name.as_deref().unwrap_or(""))));
                f.z(job.print_processor.as_deref());
                f.z(job.parameters.as_deref());
                f.z(job.driver_name.as_deref());
                // DriverData is not available from JOB_INFO_2.
                f.absent_buffer();
                f.z(job.printer_name.as_deref());
            }
        }
    }
    debug_assert_eq!(f.at, fixed_size);

    let limit = usize::from(limit.min(receive_buffer_size));
    let write = fixed_size <= limit;
    let strings = f.strings.get(..f.n).unwrap_or_default();
    let mut total = fixed_size;
    let mut used = 0usize;
    let mut complete = write;
    // Room for variable data below the limit.
    let room = limit.saturating_sub(fixed_size);
    let mut placed = [false; MAX_STRINGS];
    for (i, s) in strings.iter().enumerate() {
        total = total.saturating_add(s.len);
        if !write {
            continue;
        }
        if s.len <= room.saturating_sub(used) {
            used = used.saturating_add(s.len);
            let ptr = match layout {
                StringLayout::Forward => fixed_size.saturating_add(used).saturating_sub(s.len),
                StringLayout::WindowsTopDown => {
                    usize::from(receive_buffer_size).saturating_sub(used)
                }
            };
            if let Some(p) = f.buf.get_mut(s.at..s.at.saturating_add(2)) {
                p.copy_from_slice(&u16::try_from(ptr).unwrap_or(0).to_le_bytes());
            }
            if let Some(p) = placed.get_mut(i) {
                *p = true;
            }
        } else {
            complete = false;
        }
    }

    out.clear();
    let mut converter = 0;
    if write {
        out.reserve(fixed_size.saturating_add(used));
        out.extend_from_slice(f.buf.get(..fixed_size).unwrap_or_default());
        let mut put = |s: &Pending<'_>| {
            if s.plain {
                out.extend_from_slice(s.text.as_bytes());
                out.push(0);
            } else {
                let start = out.len();
                out.resize(start.saturating_add(s.len), 0);
                let end = start.saturating_add(s.len.saturating_sub(1));
                if let Some(slot) = out.get_mut(start..end) {
                    write_oem_string(&cp, s.text, false, slot);
                }
            }
        };
        let chosen = strings
            .iter()
            .zip(placed)
            .filter(|(_, p)| *p)
            .map(|(s, _)| s);
        match layout {
            StringLayout::Forward => chosen.for_each(&mut put),
            StringLayout::WindowsTopDown => {
                // Placed top-down: after the squeeze the last one is first.
                let mut list = [None; MAX_STRINGS];
                let mut k = 0;
                for s in chosen {
                    if let Some(slot) = list.get_mut(k) {
                        *slot = Some(s);
                    }
                    k = k.saturating_add(1);
                }
                for s in list.iter().take(k).rev().flatten() {
                    put(s);
                }
                converter = usize::from(receive_buffer_size)
                    .checked_sub(out.len())
                    .and_then(|c| u16::try_from(c).ok())
                    .unwrap_or(0);
            }
        }
    }
    Some(Marshaled {
        entries_returned: u16::from(write),
        entries_available: 1,
        converter,
        total_bytes: u32::try_from(total).unwrap_or(u32::MAX),
        complete,
    })
}
