//! NetPrintQPause (opcode 74): not in MS-RAP. The form and the mapping
//! are Samba's `api_WPrintQueueCtrl` (ParamDesc `z`, the queue name;
//! RpcOpenPrinter(queue, PRINTER_ACCESS_ADMINISTER) then
//! RpcSetPrinter(PRINTER_CONTROL_PAUSE); a four-byte reply) and the CIFS printing
//! draft's DosPrintQPause; the rest follows MS-RAP's job control commands
//! (3.2.5.8): only the queue's operators may control the queue,
//! and the spooler's Win32 error (or ERROR_SUCCESS) is the status of a
//! reply with no data.

use super::{Call, Command, RapOutcome, RapResponse};
use crate::codes::RapOpcode;
use crate::spool::{PrinterControl, Spooler};

pub use super::net_print_job_del::{parse_status_response, StatusResponse};

crate::rap_params! {
    /// NetPrintQPauseRequest parameters (Samba `z`; not in MS-RAP).
    pub struct PrintQPauseRequest<'a> for NET_PRINT_Q_PAUSE {
        /// The queue name, OEM bytes without the NUL.
        queue ("print_queue_name"): z,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_Q_PAUSE,
    name: "NetPrintQPause",
    spec: "Samba api_WPrintQueueCtrl (not in MS-RAP)",
    params: Some(&PrintQPauseRequest::META),
    other_param_descs: &[],
    levels: &[],
    any_level_data_desc: None,
    served: true,
};

/// RpcSetPrinter(queue, PRINTER_CONTROL_PAUSE).
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: PrintQPauseRequest<'_> = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    control_queue(cx, r.queue, PrinterControl::Pause, out).await
}

/// The queue control commands 74, 75 and 103 after recognition:
/// RpcOpenPrinter(the queue, PRINTER_ACCESS_ADMINISTER) then
/// RpcSetPrinter(`control`) on behalf of the session's user, who must be
/// one of the queue's operators; the spooler's Win32 error
/// (ERROR_INVALID_PRINTER_NAME for an unknown queue, ERROR_ACCESS_DENIED)
/// or ERROR_SUCCESS, in a four-byte reply with no data. DataDesc is not
/// read (Samba requires it empty; MS-RAP's own commands ignore it, <5>).
pub(crate) async fn control_queue<S: Spooler>(
    cx: &Call<'_, S>,
    queue: &[u8],
    control: PrinterControl,
    out: &mut RapResponse,
) -> RapOutcome {
    use crate::codes::RapStatus;
    let queue = cx.config.code_page.decode(queue);
    let status = match cx.spooler.set_printer(cx.caller, &queue, control).await {
        Ok(()) => RapStatus::ERROR_SUCCESS,
        Err(e) => e.to_rap_status(),
    };
    out.clear();
    super::put_params(out, status, 0, &[]);
    super::fit_params(RapOutcome::Reply(status), cx.input, out)
}
