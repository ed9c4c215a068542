//! An in-memory spooler that answers like RpcGetJob / RpcEnumJobs
//! ([MS-RPRN] 3.1.4.3.2, 3.1.4.3.3).

use std::borrow::Cow;

use super::{JobInfo2, OpenPrinter, Spooler, Win32Error};

/// One print queue and its jobs, in queue order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Queue {
    /// Share / queue name (what clients TREE_CONNECT to and NetPrintJobEnum names).
    pub name: String,
    pub jobs: Vec<JobInfo2>,
}

/// Immutable in-memory job store. Job ids are server-wide, as with
/// Windows' print-server handle (MS-RAP 3.2.5.7 opens the *server*).
#[derive(Clone, Debug, Default)]
pub struct MemorySpooler {
    queues: Vec<Queue>,
}

impl MemorySpooler {
    pub fn new(queues: Vec<Queue>) -> Self {
        MemorySpooler { queues }
    }

    pub fn queues(&self) -> &[Queue] {
        &self.queues
    }

    /// The job with this id in any queue.
    pub fn find_job(&self, job_id: u32) -> Option<&JobInfo2> {
        self.queues
            .iter()
            .flat_map(|q| q.jobs.iter())
            .find(|j| j.job_id == job_id)
    }

    /// The queue with this name (ASCII case-insensitive, as share names are).
    pub fn find_queue(&self, name: &str) -> Option<&Queue> {
        self.queues
            .iter()
            .find(|q| q.name.eq_ignore_ascii_case(name))
    }
}

impl Spooler for MemorySpooler {
    fn get_job(
        &self,
        _open: &OpenPrinter<'_>,
        job_id: u32,
    ) -> Result<Cow<'_, JobInfo2>, Win32Error> {
        // RpcGetJob: JobId 0 is never valid; an unknown id is ERROR_INVALID_PARAMETER.
        if job_id == 0 {
            return Err(Win32Error::ERROR_INVALID_PARAMETER);
        }
        self.find_job(job_id)
            .map(Cow::Borrowed)
            .ok_or(Win32Error::ERROR_INVALID_PARAMETER)
    }

    fn enum_jobs(&self, open: &OpenPrinter<'_>) -> Result<Cow<'_, [JobInfo2]>, Win32Error> {
        self.find_queue(open.printer_name)
            .map(|q| Cow::Borrowed(q.jobs.as_slice()))
            .ok_or(Win32Error::ERROR_INVALID_PRINTER_NAME)
    }

    fn queue_names(&self) -> Vec<String> {
        self.queues.iter().map(|q| q.name.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spool::PRINTER_ACCESS_USE;

    fn open(name: &str) -> OpenPrinter<'_> {
        OpenPrinter {
            printer_name: name,
            datatype: "RAW",
            access: PRINTER_ACCESS_USE,
        }
    }

    #[test]
    fn behaves_like_rpc_get_job() {
        let s = crate::spool::sample::sample_spooler();
        assert_eq!(
            s.get_job(&open("SRV"), 0).unwrap_err(),
            Win32Error::ERROR_INVALID_PARAMETER
        );
        assert_eq!(
            s.get_job(&open("SRV"), 0x7777).unwrap_err(),
            Win32Error::ERROR_INVALID_PARAMETER
        );
        assert_eq!(
            s.get_job(&open("SRV"), 3).unwrap().user_name.as_deref(),
            Some("alice")
        );
        assert!(matches!(
            s.get_job(&open("SRV"), 3).unwrap(),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            s.enum_jobs(&open("nope")).unwrap_err(),
            Win32Error::ERROR_INVALID_PRINTER_NAME
        );
        assert_eq!(s.enum_jobs(&open("laser")).unwrap().len(), 5);
    }
}
