//! An in-memory spooler that answers like RpcGetJob / RpcEnumJobs
//! ([MS-RPRN] 3.1.4.3.2, 3.1.4.3.3) and changes its queues like RpcSetJob
//! (3.1.4.3.1) and RpcSetPrinter (3.1.4.2.5), under each queue's
//! [`ControlPolicy`].

use std::future::{ready, Future};
use std::sync::{Arc, PoisonError, RwLock};

use super::{
    Caller, ControlPolicy, JobControl, JobInfo2, JobRef, JobStatus, Jobs, OpenPrinter, Printer,
    PrinterControl, PrinterInfo2, PrinterStatus, Printers, Spooler, Win32Error,
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
/// wait for a writer's work; a change builds a new snapshot under the write
/// lock and swaps it in whole, so every reader sees either the state before
/// a change or the state after it, never a half-made one.
///
/// A poisoned lock is recovered, never a panic: a writer only replaces the
/// snapshot once its new one is complete, so a writer that panicked left
/// the last complete snapshot in place.
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

/// Where a job is: its queue's index and its index in that queue.
fn locate(printers: &[Printer], job_id: u32) -> Option<(usize, usize)> {
    printers.iter().enumerate().find_map(|(q, p)| {
        p.jobs
            .iter()
            .position(|j| j.job_id == job_id)
            .map(|i| (q, i))
    })
}

/// Positions 1..=n in queue order, and cJobs = n.
fn renumber(printer: &mut Printer, mut jobs: Vec<JobInfo2>) {
    for (i, j) in jobs.iter_mut().enumerate() {
        j.position = u32::try_from(i).map_or(u32::MAX, |i| i.saturating_add(1));
    }
    printer.info.jobs = u32::try_from(jobs.len()).unwrap_or(u32::MAX);
    printer.jobs = jobs.into();
}

impl MemorySpooler {
    /// Change one queue, copy-on-write, under the write lock: `pick` finds
    /// the queue in the current snapshot (or refuses), `change` edits a copy
    /// of it (or refuses, leaving everything as it was); the new snapshot
    /// replaces the old one only when both succeed.
    fn modify<A>(
        &self,
        pick: impl FnOnce(&[Printer]) -> Result<(usize, A), Win32Error>,
        change: impl FnOnce(&mut Printer, A) -> Result<(), Win32Error>,
    ) -> Result<(), Win32Error> {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let (index, found) = pick(&state)?;
        let mut printer = state
            .get(index)
            .cloned()
            .ok_or(Win32Error::ERROR_INVALID_PARAMETER)?;
        change(&mut printer, found)?;
        let mut next: Vec<Printer> = state.to_vec();
        if let Some(slot) = next.get_mut(index) {
            *slot = printer;
        }
        *state = next.into();
        Ok(())
    }

    /// RpcSetJob on the job `job_id` (any queue): the policy check, then
    /// `edit` on a copy of the queue's jobs and the job's index.
    fn change_job(
        &self,
        caller: &Caller<'_>,
        job_id: u32,
        edit: impl FnOnce(&mut Vec<JobInfo2>, usize),
    ) -> Result<(), Win32Error> {
        self.modify(
            |printers| {
                // [MS-RPRN] 3.1.4.3.1: JobId MUST NOT be zero and MUST name
                // a job in the list; otherwise ERROR_INVALID_PARAMETER.
                match job_id {
                    0 => None,
                    id => locate(printers, id),
                }
                .ok_or(Win32Error::ERROR_INVALID_PARAMETER)
            },
            |printer, at| {
                let owner = printer.jobs.get(at).and_then(|j| j.user_name.as_deref());
                if !printer.policy.may_control_job(caller, owner) {
                    return Err(Win32Error::ERROR_ACCESS_DENIED);
                }
                let mut jobs = printer.jobs.to_vec();
                if at >= jobs.len() {
                    return Err(Win32Error::ERROR_INVALID_PARAMETER);
                }
                edit(&mut jobs, at);
                renumber(printer, jobs);
                Ok(())
            },
        )
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

    fn set_job(
        &self,
        caller: &Caller<'_>,
        job_id: u32,
        control: JobControl,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        ready(self.change_job(caller, job_id, |jobs, i| match control {
            JobControl::Pause => {
                if let Some(j) = jobs.get_mut(i) {
                    j.status.insert(JobStatus::PAUSED);
                }
            }
            JobControl::Resume => {
                if let Some(j) = jobs.get_mut(i) {
                    j.status.remove(JobStatus::PAUSED);
                }
            }
            // Both delete the job and everything that represents it.
            JobControl::Cancel | JobControl::Delete => {
                jobs.remove(i);
            }
        }))
    }

    fn set_job_document(
        &self,
        caller: &Caller<'_>,
        job_id: u32,
        document: &str,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        ready(self.change_job(caller, job_id, |jobs, i| {
            if let Some(j) = jobs.get_mut(i) {
                j.document = Some(document.to_owned());
            }
        }))
    }

    fn set_printer(
        &self,
        caller: &Caller<'_>,
        queue: &str,
        control: PrinterControl,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        ready(self.modify(
            |printers| {
                printers
                    .iter()
                    .position(|p| p.name.eq_ignore_ascii_case(queue))
                    .map(|q| (q, ()))
                    .ok_or(Win32Error::ERROR_INVALID_PRINTER_NAME)
            },
            |printer, ()| {
                if !printer.policy.may_control_queue(caller) {
                    return Err(Win32Error::ERROR_ACCESS_DENIED);
                }
                match control {
                    PrinterControl::Pause => printer.info.status.insert(PrinterStatus::PAUSED),
                    PrinterControl::Resume => printer.info.status.remove(PrinterStatus::PAUSED),
                    PrinterControl::Purge => renumber(printer, Vec::new()),
                }
                Ok(())
            },
        ))
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

    fn policy(jobs: crate::spool::JobControlPolicy, operators: &[&str]) -> ControlPolicy {
        ControlPolicy {
            jobs,
            operators: operators.iter().map(|o| (*o).to_owned()).collect(),
        }
    }

    fn job(id: u32, user: &str) -> JobInfo2 {
        JobInfo2 {
            job_id: id,
            user_name: Some(user.into()),
            document: Some(format!("doc{id}")),
            ..JobInfo2::default()
        }
    }

    fn spooler(p: ControlPolicy) -> MemorySpooler {
        MemorySpooler::new(vec![
            Queue {
                name: "LASER".into(),
                jobs: vec![job(3, "alice"), job(4, "bob"), job(5, "alice")],
                policy: p.clone(),
                ..Queue::default()
            },
            Queue {
                name: "COLOR".into(),
                jobs: vec![job(9, "dave")],
                policy: p,
                ..Queue::default()
            },
        ])
    }

    fn ids_and_positions(s: &MemorySpooler, q: &str) -> Vec<(u32, u32)> {
        s.find_queue(q)
            .unwrap()
            .iter()
            .map(|j| (j.job_id, j.position))
            .collect()
    }

    const ALICE: Caller<'static> = Caller {
        user: "alice",
        anonymous: false,
        authenticated: false,
    };

    #[test]
    fn job_control_changes_state() {
        let s = spooler(policy(crate::spool::JobControlPolicy::Anyone, &[]));
        let any = Caller::ANONYMOUS;
        now(s.set_job(&any, 4, JobControl::Pause)).unwrap();
        assert_eq!(s.find_job(4).unwrap().status, JobStatus::PAUSED);
        // Pausing a paused job and resuming a running one change nothing.
        now(s.set_job(&any, 4, JobControl::Pause)).unwrap();
        assert_eq!(s.find_job(4).unwrap().status, JobStatus::PAUSED);
        now(s.set_job(&any, 4, JobControl::Resume)).unwrap();
        assert_eq!(s.find_job(4).unwrap().status, JobStatus::empty());
        now(s.set_job(&any, 4, JobControl::Resume)).unwrap();
        assert_eq!(s.find_job(4).unwrap().status, JobStatus::empty());
        now(s.set_job_document(&any, 5, "renamed.txt")).unwrap();
        assert_eq!(
            s.find_job(5).unwrap().document.as_deref(),
            Some("renamed.txt")
        );
        now(s.set_job(&any, 3, JobControl::Delete)).unwrap();
        assert!(s.find_job(3).is_none());
        assert_eq!(ids_and_positions(&s, "LASER"), [(4, 1), (5, 2)]);
        now(s.set_job(&any, 5, JobControl::Cancel)).unwrap();
        assert_eq!(ids_and_positions(&s, "LASER"), [(4, 1)]);
        let snap = now(s.enum_printers()).unwrap();
        assert_eq!(snap[0].info.jobs, 1, "cJobs follows");
        assert_eq!(snap[1].info.jobs, 1, "the other queue is untouched");
        // Gone from every listing and from GetJob.
        assert_eq!(
            now(s.get_job(&open("SRV"), 3)).unwrap_err(),
            Win32Error::ERROR_INVALID_PARAMETER
        );
        for (id, err) in [
            (0, Win32Error::ERROR_INVALID_PARAMETER),
            (3, Win32Error::ERROR_INVALID_PARAMETER),
        ] {
            assert_eq!(
                now(s.set_job(&any, id, JobControl::Pause)).unwrap_err(),
                err
            );
            assert_eq!(now(s.set_job_document(&any, id, "x")).unwrap_err(), err);
        }
    }

    #[test]
    fn queue_control_changes_state_for_operators_only() {
        let s = spooler(policy(crate::spool::JobControlPolicy::Anyone, &["Op"]));
        let op = Caller::guest("op");
        for who in [Caller::ANONYMOUS, ALICE, Caller::guest("")] {
            for c in [
                PrinterControl::Pause,
                PrinterControl::Resume,
                PrinterControl::Purge,
            ] {
                assert_eq!(
                    now(s.set_printer(&who, "LASER", c)).unwrap_err(),
                    Win32Error::ERROR_ACCESS_DENIED,
                    "{who:?} {c:?}"
                );
            }
        }
        assert_eq!(
            now(s.set_printer(&op, "NOPE", PrinterControl::Pause)).unwrap_err(),
            Win32Error::ERROR_INVALID_PRINTER_NAME
        );
        now(s.set_printer(&op, "laser", PrinterControl::Pause)).unwrap();
        assert_eq!(
            now(s.enum_printers()).unwrap()[0].info.status,
            PrinterStatus::PAUSED
        );
        now(s.set_printer(&op, "LASER", PrinterControl::Resume)).unwrap();
        assert_eq!(
            now(s.enum_printers()).unwrap()[0].info.status,
            PrinterStatus::empty()
        );
        now(s.set_printer(&op, "LASER", PrinterControl::Purge)).unwrap();
        assert!(s.find_queue("LASER").unwrap().is_empty());
        assert_eq!(now(s.enum_printers()).unwrap()[0].info.jobs, 0);
        assert!(s.find_job(3).is_none());
        assert_eq!(
            ids_and_positions(&s, "COLOR"),
            [(9, 0)],
            "other queue untouched"
        );
    }

    #[test]
    fn job_control_follows_the_policy() {
        use crate::spool::JobControlPolicy::{Anyone, Operators, Owner};
        let bob = Caller::guest("BOB");
        let op = Caller::guest("op");
        for (p, who, allowed) in [
            (policy(Owner, &["op"]), ALICE, true),
            (policy(Owner, &["op"]), bob, false),
            (policy(Owner, &["op"]), op, true),
            (policy(Owner, &["op"]), Caller::ANONYMOUS, false),
            (policy(Owner, &[]), Caller::guest(""), false),
            (policy(Anyone, &[]), Caller::ANONYMOUS, true),
            (policy(Operators, &["op"]), ALICE, false),
            (policy(Operators, &["op"]), op, true),
            (policy(Operators, &[]), Caller::ANONYMOUS, false),
        ] {
            let s = spooler(p.clone());
            let r = now(s.set_job(&who, 3, JobControl::Pause));
            let d = now(s.set_job_document(&who, 3, "new"));
            let del = now(s.set_job(&who, 3, JobControl::Delete));
            if allowed {
                assert_eq!((r, d, del), (Ok(()), Ok(()), Ok(())), "{p:?} {who:?}");
                assert!(s.find_job(3).is_none());
            } else {
                let denied = Err(Win32Error::ERROR_ACCESS_DENIED);
                assert_eq!((r, d, del), (denied, denied, denied), "{p:?} {who:?}");
                // Refused: nothing changed.
                let j = s.find_job(3).unwrap();
                assert_eq!(
                    (j.status, j.document.as_deref()),
                    (JobStatus::empty(), Some("doc3"))
                );
            }
        }
        // Owner policy: a job without a user name belongs to nobody.
        let s = MemorySpooler::new(vec![Queue {
            name: "Q".into(),
            jobs: vec![JobInfo2 {
                job_id: 1,
                ..JobInfo2::default()
            }],
            ..Queue::default()
        }]);
        assert_eq!(
            now(s.set_job(&Caller::guest(""), 1, JobControl::Delete)),
            Err(Win32Error::ERROR_ACCESS_DENIED)
        );
    }

    #[test]
    fn poisoned_lock_is_recovered_with_the_last_complete_snapshot() {
        let s = Arc::new(spooler(policy(crate::spool::JobControlPolicy::Anyone, &[])));
        let t = Arc::clone(&s);
        let _ = std::thread::spawn(move || {
            let _guard = t.state.write().unwrap();
            panic!("a writer dies holding the lock");
        })
        .join();
        assert!(s.state.is_poisoned());
        now(s.set_job(&Caller::ANONYMOUS, 4, JobControl::Delete)).unwrap();
        assert_eq!(ids_and_positions(&s, "LASER"), [(3, 1), (5, 2)]);
    }

    /// Several threads control jobs and queues while others read: every
    /// snapshot a reader sees is consistent (positions 1..n, cJobs = n, ids
    /// unique), and the end state is what the writers did.
    #[test]
    fn concurrent_control_and_reads_stay_consistent() {
        use crate::spool::JobControlPolicy::Anyone;
        let jobs: Vec<JobInfo2> = (1..=400)
            .map(|i| JobInfo2 {
                position: (i - 1) % 200 + 1,
                ..job(i, "u")
            })
            .collect();
        let s = Arc::new(MemorySpooler::new(vec![
            Queue {
                name: "A".into(),
                jobs: jobs[..200].to_vec(),
                policy: policy(Anyone, &["op"]),
                ..Queue::default()
            },
            Queue {
                name: "B".into(),
                jobs: jobs[200..].to_vec(),
                policy: policy(Anyone, &["op"]),
                ..Queue::default()
            },
        ]));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let (s, stop) = (Arc::clone(&s), Arc::clone(&stop));
                std::thread::spawn(move || {
                    let mut seen = 0usize;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) || seen == 0 {
                        for p in now(s.enum_printers()).unwrap().iter() {
                            assert_eq!(p.info.jobs as usize, p.jobs.len());
                            for (i, j) in p.jobs.iter().enumerate() {
                                assert_eq!(j.position as usize, i + 1, "{}", p.name);
                            }
                            let mut ids: Vec<u32> = p.jobs.iter().map(|j| j.job_id).collect();
                            ids.dedup();
                            assert_eq!(ids.len(), p.jobs.len());
                        }
                        seen += 1;
                    }
                    seen
                })
            })
            .collect();
        let writers: Vec<_> = (0..4u32)
            .map(|w| {
                let s = Arc::clone(&s);
                std::thread::spawn(move || {
                    let who = Caller::guest("op");
                    // Writer w deletes the ids ≡ w (mod 4) among 1..=300 and
                    // pauses, then resumes, the rest of its share.
                    for id in (1..=400u32).filter(|i| i % 4 == w) {
                        if id <= 300 {
                            now(s.set_job(&who, id, JobControl::Delete)).unwrap();
                        } else {
                            now(s.set_job(&who, id, JobControl::Pause)).unwrap();
                            now(s.set_job_document(&who, id, "x")).unwrap();
                            if id % 8 == w {
                                now(s.set_job(&who, id, JobControl::Resume)).unwrap();
                            }
                        }
                        if id % 50 == 0 {
                            now(s.set_printer(&who, "B", PrinterControl::Pause)).unwrap();
                        }
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for r in readers {
            assert!(r.join().unwrap() > 0);
        }
        assert!(s.find_queue("A").unwrap().is_empty());
        let b = s.find_queue("B").unwrap();
        assert_eq!(
            b.iter().map(|j| j.job_id).collect::<Vec<_>>(),
            (301..=400).collect::<Vec<_>>()
        );
        for j in b.iter() {
            let paused = j.job_id % 8 != j.job_id % 4;
            assert_eq!(j.status.contains(JobStatus::PAUSED), paused, "{}", j.job_id);
            assert_eq!(j.document.as_deref(), Some("x"));
        }
        assert_eq!(
            now(s.enum_printers()).unwrap()[1].info.status,
            PrinterStatus::PAUSED
        );
    }
}
