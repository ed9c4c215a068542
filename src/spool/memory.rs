//! An in-memory spooler that answers like RpcGetJob / RpcEnumJobs
//! ([MS-RPRN] 3.1.4.3.2, 3.1.4.3.3).

use std::future::{ready, Future};

use super::{JobInfo2, JobRef, Jobs, OpenPrinter, Spooler, Win32Error};

/// One print queue and its jobs, in queue order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Queue {
    /// Share / queue name (what clients TREE_CONNECT to and NetPrintJobEnum names).
    pub name: String,
    /// The jobs, in queue order.
    pub jobs: Vec<JobInfo2>,
}

/// A queue as the spooler keeps it: its jobs as a shared snapshot.
#[derive(Clone, Debug)]
struct Stored {
    name: String,
    jobs: Jobs,
}

/// Immutable in-memory job store. Job ids are server-wide, as with
/// Windows' print-server handle (MS-RAP 3.2.5.7 opens the *server*).
#[derive(Clone, Debug, Default)]
pub struct MemorySpooler {
    queues: Vec<Stored>,
}

impl MemorySpooler {
    /// A spooler serving these queues.
    pub fn new(queues: Vec<Queue>) -> Self {
        MemorySpooler {
            queues: queues
                .into_iter()
                .map(|q| Stored {
                    name: q.name,
                    jobs: q.jobs.into(),
                })
                .collect(),
        }
    }

    /// The queues: name and jobs.
    pub fn queues(&self) -> impl ExactSizeIterator<Item = (&str, &[JobInfo2])> + '_ {
        self.queues.iter().map(|q| (q.name.as_str(), &*q.jobs))
    }

    /// The job with this id in any queue.
    pub fn find_job(&self, job_id: u32) -> Option<JobRef> {
        self.queues.iter().find_map(|q| {
            let i = q.jobs.iter().position(|j| j.job_id == job_id)?;
            JobRef::new(q.jobs.clone(), i)
        })
    }

    /// The jobs of the queue with this name (ASCII case-insensitive, as
    /// share names are).
    pub fn find_queue(&self, name: &str) -> Option<Jobs> {
        self.queues
            .iter()
            .find(|q| q.name.eq_ignore_ascii_case(name))
            .map(|q| q.jobs.clone())
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

    fn queue_names(&self) -> Vec<String> {
        self.queues.iter().map(|q| q.name.clone()).collect()
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
