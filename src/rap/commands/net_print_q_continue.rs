//! NetPrintQContinue (opcode 75): not in MS-RAP. The form and the mapping
//! are Samba's `api_WPrintQueueCtrl` (ParamDesc `z`, the queue name;
//! RpcOpenPrinter(queue, PRINTER_ACCESS_ADMINISTER) then
//! RpcSetPrinter(PRINTER_CONTROL_RESUME); a four-byte reply) and the CIFS printing
//! draft's DosPrintQContinue; the rest follows MS-RAP's job control commands
//! (3.2.5.8): only the queue's operators may control the queue,
//! and the spooler's Win32 error (or ERROR_SUCCESS) is the status of a
//! reply with no data.

use super::{Call, Command, RapOutcome, RapResponse};
use crate::codes::RapOpcode;
use crate::spool::{PrinterControl, Spooler};

pub use super::net_print_job_del::{parse_status_response, StatusResponse};

crate::rap_params! {
    /// NetPrintQContinueRequest parameters (Samba `z`; not in MS-RAP).
    pub struct PrintQContinueRequest<'a> for NET_PRINT_Q_CONTINUE {
        /// The queue name, OEM bytes without the NUL.
        queue ("print_queue_name"): z,
    }
}

/// The row.
pub const COMMAND: Command = Command {
    opcode: RapOpcode::NET_PRINT_Q_CONTINUE,
    name: "NetPrintQContinue",
    spec: "Samba api_WPrintQueueCtrl (not in MS-RAP)",
    params: Some(&PrintQContinueRequest::META),
    other_param_descs: &[],
    levels: &[],
    any_level_data_desc: None,
    served: true,
};

/// RpcSetPrinter(queue, PRINTER_CONTROL_RESUME).
pub(crate) async fn serve<S: Spooler>(cx: &Call<'_, S>, out: &mut RapResponse) -> RapOutcome {
    out.clear();
    let r: PrintQContinueRequest<'_> = match cx.recognize(out) {
        Ok(r) => r,
        Err(o) => return o,
    };
    super::net_print_q_pause::control_queue(cx, r.queue, PrinterControl::Resume, out).await
}
