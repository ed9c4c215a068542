//! The two reply shapes of the LAN Manager commands, by the marshaling
//! rules of MS-RAP 2.5.11: one structure (a GetInfo: RAPOutParams =
//! TotalBytesAvailable) and an enumeration (RAPOutParams =
//! EntriesReturned, EntriesAvailable).

use super::{fit_params, put_params, Call, RapOutcome, RapResponse};
use crate::codes::RapStatus;
use crate::rap::descriptor::Descriptor;
use crate::rap::marshal::{Marshaled, Marshaler, Sink};
use crate::rap::response::{
    parse_entries, parse_response_params, parse_struct, DataValue, Entry, ResponseError,
};
use crate::rap::structs::{RapStruct, StructMeta, TakeStruct};

/// A GetInfo reply of the structure `s` within min(ReceiveBufferSize,
/// MaxDataCount): its fixed part does not fit → NERR_BufTooSmall and no
/// data (2.5.11); a string does not fit (ReceiveBufferSize <
/// TotalBytesAvailable) → ERROR_MORE_DATA with what fits (3.2.5.2, 3.2.5.3,
/// 3.2.5.16); else ERROR_SUCCESS. RAPOutParams: TotalBytesAvailable, the
/// bytes the whole structure needs.
pub(crate) fn get_info<'v, T: RapStruct<'v>, S>(
    cx: &Call<'_, S>,
    receive_buffer_size: u16,
    s: &'v T,
    out: &mut RapResponse,
) -> RapOutcome {
    let m = Marshaler::new(
        &mut out.data,
        receive_buffer_size,
        cx.input.max_data_count,
        cx.config.profile.layout,
        cx.config.code_page,
    )
    .take(s);
    let total = u16::try_from(m.total_bytes).unwrap_or(u16::MAX);
    let (status, converter) = one_structure_status(&m, out);
    put_params(out, status, converter, &[total]);
    fit_params(RapOutcome::Reply(status), cx.input, out)
}

/// The status and Converter of a one-structure reply (MS-RAP 2.5.11):
/// no fixed part fits → NERR_BufTooSmall, Converter 0 and no data; a
/// string does not fit (ReceiveBufferSize < TotalBytesAvailable, e.g.
/// 3.2.5.7 step 5) → ERROR_MORE_DATA with what fits; else ERROR_SUCCESS.
pub(crate) fn one_structure_status(m: &Marshaled, out: &mut RapResponse) -> (RapStatus, u16) {
    if m.entries_returned == 0 {
        out.data.clear();
        (RapStatus::NERR_BUF_TOO_SMALL, 0)
    } else if !m.complete {
        (RapStatus::ERROR_MORE_DATA, m.converter)
    } else {
        (RapStatus::ERROR_SUCCESS, m.converter)
    }
}

/// [`get_info`] as a [`TakeStruct`]: for code that picks the structure by
/// info level.
pub(crate) struct GetInfoReply<'x, 'c, S> {
    pub cx: &'x Call<'c, S>,
    pub rbs: u16,
    pub out: &'x mut RapResponse,
}

impl<S> TakeStruct for GetInfoReply<'_, '_, S> {
    type Output = RapOutcome;

    fn take<'v, T: RapStruct<'v>>(self, s: &'v T) -> RapOutcome {
        get_info(self.cx, self.rbs, s, self.out)
    }
}

/// A structure with no RAPOutParams (NetRemoteTOD, 2.5.9.1.2): as
/// [`get_info`] without TotalBytesAvailable.
pub(crate) fn single<'v, T: RapStruct<'v>, S>(
    cx: &Call<'_, S>,
    receive_buffer_size: u16,
    s: &'v T,
    out: &mut RapResponse,
) -> RapOutcome {
    let m = Marshaler::new(
        &mut out.data,
        receive_buffer_size,
        cx.input.max_data_count,
        cx.config.profile.layout,
        cx.config.code_page,
    )
    .take(s);
    let (status, converter) = one_structure_status(&m, out);
    put_params(out, status, converter, &[]);
    fit_params(RapOutcome::Reply(status), cx.input, out)
}

/// An enumeration of `count` entries of `fixed` bytes each, of which
/// `push(sink, n)` pushes the first `n` (the ones whose fixed part fits),
/// in order. `not_listed` more exist but cannot be listed (share names
/// longer than 12 bytes, <68>): they count in EntriesAvailable only.
///
/// Status (2.5.11, 3.2.5.1): no entry fits while some exist →
/// NERR_BufTooSmall, no data; fewer returned than listable, or a string
/// left out → ERROR_MORE_DATA; else ERROR_SUCCESS. RAPOutParams:
/// EntriesReturned, EntriesAvailable.
pub(crate) fn enumeration<S>(
    cx: &Call<'_, S>,
    receive_buffer_size: u16,
    count: usize,
    fixed: u16,
    not_listed: usize,
    mut push: impl FnMut(&mut Sink<'_>, usize),
    out: &mut RapResponse,
) -> RapOutcome {
    let mut m = Marshaler::new(
        &mut out.data,
        receive_buffer_size,
        cx.input.max_data_count,
        cx.config.profile.layout,
        cx.config.code_page,
    );
    let fit = m.plan_uniform(count, fixed);
    let m = m.marshal(|sink| push(sink, fit));
    let available = u16::try_from(count.saturating_add(not_listed)).unwrap_or(u16::MAX);
    let (status, converter) = if m.entries_returned == 0 && count > 0 {
        out.data.clear();
        (RapStatus::NERR_BUF_TOO_SMALL, 0)
    } else if m.entries_returned < m.entries_available || !m.complete {
        (RapStatus::ERROR_MORE_DATA, m.converter)
    } else {
        (RapStatus::ERROR_SUCCESS, m.converter)
    };
    put_params(out, status, converter, &[m.entries_returned, available]);
    fit_params(RapOutcome::Reply(status), cx.input, out)
}

/// An enumeration with nothing to list: `status`, EntriesReturned and
/// EntriesAvailable 0, no data.
pub(crate) fn empty_enumeration<S>(
    cx: &Call<'_, S>,
    status: RapStatus,
    out: &mut RapResponse,
) -> RapOutcome {
    out.clear();
    put_params(out, status, 0, &[0, 0]);
    fit_params(RapOutcome::Reply(status), cx.input, out)
}

/// A GetInfo-shaped response as the client reads it (MS-RAP 2.5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InfoResponse<'a> {
    pub status: RapStatus,
    pub converter: u16,
    /// TotalBytesAvailable, when the reply carried it.
    pub total_bytes_available: Option<u16>,
    /// The structure's values, when the status carries data and data came back.
    pub values: Option<Vec<DataValue<'a>>>,
}

/// Parse a response carrying one structure of `meta` (a GetInfo, or
/// NetRemoteTOD without TotalBytesAvailable).
pub(crate) fn parse_info<'a>(
    meta: &StructMeta,
    params: &'a [u8],
    data: &'a [u8],
) -> Result<InfoResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let total_bytes_available = p
        .out_params
        .get(..2)
        .and_then(|b| b.try_into().ok())
        .map(u16::from_le_bytes);
    let values = if p.status.carries_data() && !data.is_empty() {
        let mut values = Vec::with_capacity(meta.fields.len());
        parse_struct(
            Descriptor(meta.descriptor),
            data,
            0,
            p.converter,
            0,
            &mut values,
        )?;
        Some(values)
    } else {
        None
    };
    Ok(InfoResponse {
        status: p.status,
        converter: p.converter,
        total_bytes_available,
        values,
    })
}

/// An enumeration response as the client reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnumResponse<'a> {
    pub status: RapStatus,
    pub converter: u16,
    pub entries_returned: u16,
    pub entries_available: u16,
    /// EntriesReturned entries of `meta`, when the status carries data.
    pub entries: Vec<Entry<'a>>,
}

/// Parse an enumeration response of `meta` structures.
pub(crate) fn parse_enumeration<'a>(
    meta: &StructMeta,
    params: &'a [u8],
    data: &'a [u8],
) -> Result<EnumResponse<'a>, ResponseError> {
    let p = parse_response_params(params)?;
    let word = |at: usize| {
        p.out_params
            .get(at..at.saturating_add(2))
            .and_then(|b| b.try_into().ok())
            .map_or(0, u16::from_le_bytes)
    };
    let entries_returned = word(0);
    let entries_available = word(2);
    let entries = if p.status.carries_data() && entries_returned > 0 {
        parse_entries(
            Descriptor(meta.descriptor),
            None,
            data,
            usize::from(entries_returned),
            p.converter,
        )?
    } else {
        Vec::new()
    };
    Ok(EnumResponse {
        status: p.status,
        converter: p.converter,
        entries_returned,
        entries_available,
        entries,
    })
}
