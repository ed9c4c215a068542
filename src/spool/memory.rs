//! An in-memory spooler that answers like RpcGetJob / RpcEnumJobs
//! ([MS-RPRN] 3.1.4.3.2, 3.1.4.3.3).

use std::future::{ready, Future};
use std::sync::{Arc, PoisonError, RwLock};

use super::{
    ControlPolicy, JobInfo2, JobRef, Jobs, OpenPrinter, Printer, PrinterInfo2, Printers, Spooler,
    Win32Error,
};

/// One print queue as configured: its name, PRINTER_INFO_2, control
/// policy and jobs, in queue order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Queue {
    /// Share / queue name (what clients TREE_CONNECT to and NetPrintJobEnum names).
    pub name: String,
    /// The jobs, in queue order.
    pub jobs: Vec<JobInfo2>,
    /// PRINTER_INFO_2 (cJobs is kept equal to the number of jobs).
    pub printer: PrinterInfo2,
    /// Who may control the jobs and the queue.
    pub policy: ControlPolicy,
}

/// In-memory spooler. Job ids are server-wide, as with Windows'
/// print-server handle (MS-RAP 3.2.5.7 opens the *server*). Readers take a
/// snapshot of every queue (a pointer copy under a read lock) and never
/// wait for a writer's work; a change builds a new snapshot.
#[derive(Debug, Default)]
pub struct MemorySpooler {
    state: RwLock<Printers>,
}

impl Clone for MemorySpooler {
    fn clone(&self) -> Self {
        MemorySpooler {
            state: RwLock::new(self.snapshot()),
        }
    }
}

impl MemorySpooler {
    /// A spooler serving these queues.
    pub fn new(queues: Vec<Queue>) -> Self {
        let printers: Vec<Printer> = queues
            .into_iter()
            .map(|q| {
                let mut info = q.printer;
                info.jobs = u32::try_from(q.jobs.len()).unwrap_or(u32::MAX);
                if info.printer_name.is_none() {
                    info.printer_name = Some(q.name.clone());
                }
                if info.share_name.is_none() {
                    info.share_name = Some(q.name.clone());
                }
                Printer {
                    name: q.name,
                    info,
                    jobs: q.jobs.into(),
                    policy: q.policy,
                }
            })
            .collect();
        MemorySpooler {
            state: RwLock::new(printers.into()),
        }
    }

    /// Every queue, as of now.
    pub fn snapshot(&self) -> Printers {
        Arc::clone(&self.state.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The queues: name and jobs, as of now.
    pub fn queues(&self) -> Vec<(String, Jobs)> {
        self.snapshot()
            .iter()
            .map(|p| (p.name.clone(), Arc::clone(&p.jobs)))
            .collect()
    }

    /// The job with this id in any queue.
    pub fn find_job(&self, job_id: u32) -> Option<JobRef> {
        self.snapshot().iter().find_map(|q| {
            let i = q.jobs.iter().position(|j| j.job_id == job_id)?;
            JobRef::new(Arc::clone(&q.jobs), i)
        })
    }

    /// The jobs of the queue with this name (ASCII case-insensitive, as
    /// share names are).
    pub fn find_queue(&self, name: &str) -> Option<Jobs> {
        self.snapshot()
            .iter()
            .find(|q| q.name.eq_ignore_ascii_case(name))
            .map(|q| Arc::clone(&q.jobs))
    }
}

impl Spooler for MemorySpooler {
    fn get_job(
        &self,
        _open: &OpenPrinter<'_>,
        job_id: u32,
    ) -> impl Future<Output = Result<JobRef, Win32Error>> + Send {
        // RpcGetJob: JobId 0 is never valid; an unknown id is ERROR_INVALID_PARAMETER.
        ready(match job_id {
            0 => Err(Win32Error::ERROR_INVALID_PARAMETER),
            id => self.find_job(id).ok_or(Win32Error::ERROR_INVALID_PARAMETER),
        })
    }

    fn enum_jobs(
        &self,
        open: &OpenPrinter<'_>,
    ) -> impl Future<Output = Result<Jobs, Win32Error>> + Send {
        ready(
            self.find_queue(open.printer_name)
                .ok_or(Win32Error::ERROR_INVALID_PRINTER_NAME),
        )
    }

    fn enum_printers(&self) -> impl Future<Output = Result<Printers, Win32Error>> + Send {
        ready(Ok(self.snapshot()))
    }

    fn queue_names(&self) -> Vec<String> {
        self.snapshot().iter().map(|q| q.name.clone()).collect()
    }
}

impl From<Vec<Queue>> for MemorySpooler {
    fn from(queues: Vec<Queue>) -> Self {
        MemorySpooler::new(queues)
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

    /// Poll a ready future (the in-memory spooler never waits).
    fn now<T>(f: impl Future<Output = T>) -> T {
        let mut f = std::pin::pin!(f);
        match f
            .as_mut()
            .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
        {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the in-memory spooler waited"),
        }
    }

    #[test]
    fn behaves_like_rpc_get_job() {
        let s = crate::spool::sample::sample_spooler();
        assert_eq!(
            now(s.get_job(&open("SRV"), 0)).unwrap_err(),
            Win32Error::ERROR_INVALID_PARAMETER
        );
        assert_eq!(
            now(s.get_job(&open("SRV"), 0x7777)).unwrap_err(),
            Win32Error::ERROR_INVALID_PARAMETER
        );
        assert_eq!(
            now(s.get_job(&open("SRV"), 3))
                .unwrap()
                .user_name
                .as_deref(),
            Some("alice")
        );
        // Handed out without a copy: the job is the one in the queue's snapshot.
        let queue = s.find_queue("LASER").unwrap();
        assert!(std::ptr::eq(
            &*now(s.get_job(&open("SRV"), 3)).unwrap(),
            &queue[0]
        ));
        assert_eq!(
            now(s.enum_jobs(&open("nope"))).unwrap_err(),
            Win32Error::ERROR_INVALID_PRINTER_NAME
        );
        assert_eq!(now(s.enum_jobs(&open("laser"))).unwrap().len(), 5);
    }
}
