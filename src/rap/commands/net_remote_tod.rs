//! NetRemoteTOD (opcode 91): MS-RAP 2.5.9.1, 3.2.5.11.
//!
//! The RAP layer has no clock: the time comes with the call (the SMB
//! connection's system time, which its driver sets from the host clock
//! before each request). Without one, the command is not supported here.

use super::reply::{parse_info, single};
use super::{Call, Command, Level, RapOutcome, RapResponse};
use crate::codes::{RapOpcode, RapStatus};
use crate::rap::lanman::TimeOfDayInfo;
use crate::rap::response::ResponseError;
use crate::rap::structs::RapStruct;
use crate::spool::{Spooler, SystemTime};

crate::rap_params! {
    /// NetRemoteTOD request parameters (MS-RAP 2.5.9.1.1), ParamDesc `rL`.
    pub struct RemoteTodRequest for NET_REMOTE_TOD {
        _: r,
        /// ReceiveBufferSize.
        receive_buffer_size: L,
    }
}

/// The row. NetRemoteTOD has no InfoLevel: its one structure is listed as
/// level 0.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_REMOTE_TOD,
    name: "NetRemoteTOD",
    spec: "MS-RAP 3.2.5.11",
    params: Some(&RemoteTodRequest::META),
    other_param_descs: &[],
    levels: &[Level {
        level: 0,
        data: &TimeOfDayInfo::STRUCT_META,
        aux: None,
    }],
    any_level_data_desc: None,
    served: true,
};

/// FILETIME of 1970-01-01 00:00:00 UTC (100 ns intervals since 1601).
const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;

/// ClockFrequency: the resolution of the time the reply carries, in
/// 0.0001 s (hundredths of a second: 100). Windows sends 310 (<50>, its
/// 31 ms timer), Samba 10000.
pub const CLOCK_FREQUENCY: u16 = 100;

/// TimeOfDayInfo for the FILETIME `system_time` (UTC) on a server
/// `utc_offset_secs` east of UTC: the UTC seconds, the local broken-down
/// time, TimeZone in minutes west positive. TimeSinceBoot is 0: the RAP
/// layer does not know the host's uptime. `None` when the time is 0 (no
/// clock) or outside what TimeSinceJan11970 can hold.
pub fn time_of_day(system_time: u64, utc_offset_secs: i32) -> Option<TimeOfDayInfo> {
    let since_epoch = system_time.checked_sub(FILETIME_UNIX_EPOCH)?;
    let secs = u32::try_from(since_epoch / 10_000_000).ok()?;
    let hundreds = u8::try_from(since_epoch % 10_000_000 / 100_000).ok()?;
    let local = SystemTime::from_unix(i64::from(secs).checked_add(i64::from(utc_offset_secs))?)?;
    let time_zone = i16::try_from(-(utc_offset_secs / 60)).ok()?;
    let byte = |v: u16| u8::try_from(v).ok();
    Some(TimeOfDayInfo {
        time_since_jan_1_1970: secs,
        time_since_boot: 0,
        hours: byte(local.hour)?,
        minutes: byte(local.minute)?,
        seconds: byte(local.second)?,
        hundreds,
        time_zone: u16::from_le_bytes(time_zone.to_le_bytes()),
        clock_frequency: CLOCK_FREQUENCY,
        day: byte(local.day)?,
        month: byte(local.month)?,
        year: local.year,
        weekday: byte(local.day_of_week)?,
    })
}

/// MS-RAP 3.2.5.11, after full recognition of the request.
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    // ParamDesc MUST be "rL" (else ERROR_INVALID_PARAMETER; <82>).
    let r: RemoteTodRequest = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    // TimeOfDayInfo with the current time, by the 2.5.11 rules (fewer
    // than 21 bytes of room → NERR_BufTooSmall). No clock: "any other
    // error" → its Win32 code, ERROR_NOT_SUPPORTED.
    match time_of_day(cx.system_time, cx.config.utc_offset_secs) {
        Some(tod) => single(cx, r.receive_buffer_size, &tod, out),
        None => cx.error(
            RapStatus::ERROR_NOT_SUPPORTED,
            RemoteTodRequest::PARAM_DESC,
            out,
        ),
    }
}

/// A NetRemoteTOD response (MS-RAP 2.5.9.1.2), typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteTodResponse {
    /// Win32ErrorCode.
    pub status: RapStatus,
    /// Converter.
    pub converter: u16,
    /// The time, when the status carries data and data came back.
    pub info: Option<TimeOfDayInfo>,
}

/// Parse a NetRemoteTOD response.
pub fn parse_remote_tod_response(
    params: &[u8],
    data: &[u8],
) -> Result<RemoteTodResponse, ResponseError> {
    let r = parse_info(TimeOfDayInfo::META, params, data)?;
    Ok(RemoteTodResponse {
        status: r.status,
        converter: r.converter,
        info: r
            .values
            .map(|v| TimeOfDayInfo::from_values(&v, &crate::oem::OemCodePage::default()))
            .transpose()?,
    })
}
