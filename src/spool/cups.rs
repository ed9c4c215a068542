//! CUPS as the spooler behind RAP: every CUPS printer is a print share and
//! RAP queue; RAP's calls become IPP operations ([RFC 8011]; CUPS's
//! CUPS-Get-Printers), through the async [`IppClient`] only.
//!
//! | [`Spooler`] call | IPP |
//! |---|---|
//! | `enum_jobs`, `get_job` | Get-Jobs on the server (`which-jobs=not-completed`), cached |
//! | `enum_printers`, `queue_names` | CUPS-Get-Printers + Get-Jobs, cached |
//! | `set_job` Pause / Resume / Cancel, Delete | Hold-Job / Release-Job / Cancel-Job |
//! | `set_job_document` | Set-Job-Attributes `job-name` |
//! | `set_printer` Pause / Resume / Purge | Pause-Printer / Resume-Printer / Purge-Jobs |
//! | `start_job` | Create-Job |
//! | `job_data` | Send-Document, streamed from the spool file while the client writes it in order; abandoned (never completed) when it writes out of order |
//! | `finish_job` | the streamed Send-Document's end and answer, or Send-Document of the whole file |
//! | `abort_job` | Cancel-Job `purge-job` (a streaming Send-Document is abandoned first) |
//!
//! **Identity.** msrap presents one configured CUPS user
//! ([`CupsConfig::user`]) as requesting-user-name on every request, never
//! the SMB session's user: that name may have no Unix account, and cupsd
//! 2.4.2 (Debian 12) crashes on such names under `@OWNER` policies. msrap
//! enforces the queue's [`ControlPolicy`] itself, as the in-memory spooler
//! does; the SMB user who submits a job is recorded in the job's
//! `job-accounting-user-id` and is that job's user ([`map::CupsJob::user`]).
//!
//! **Job ids** are a pure function of CUPS's job-id ([`map::rap_job_id`]),
//! so they are stable for a job's life, across connections and restarts,
//! and identical in every msrap in front of the same CUPS.
//!
//! **Caching.** Get-Jobs (one request for every queue) and
//! CUPS-Get-Printers answers are kept for [`CupsConfig::cache`]; one
//! request at a time refreshes them while every other caller waits for
//! that answer, so any number of clients polling cost CUPS at most one
//! request per interval. Failures are kept as long, so a CUPS that is down
//! costs each client one error, at once. Every call is bounded by
//! [`CupsConfig::timeout`]: CUPS down or slow gives ERROR_NOT_READY (21),
//! never a hang, and the next refresh after CUPS returns serves again.
//! A control operation forgets the cached jobs, so the caller's next
//! listing shows its change.

pub mod client;
pub mod map;

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use ipp::model::{DelimiterTag, Operation};
use ipp::value::IppValue;

use self::client::{add, CupsError, Endpoint, Feed, IppClient, Reply, To};
use self::map::{CupsJob, CupsPrinter, JobList, Target};
use super::{
    Caller, ControlPolicy, JobControl, JobData, JobRef, Jobs, OpenPrinter, PrinterControl,
    Printers, Spooler, Win32Error,
};

/// Settings of a [`CupsSpooler`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CupsConfig {
    /// Where CUPS listens.
    pub endpoint: Endpoint,
    /// The CUPS user msrap presents (requesting-user-name): a user with a
    /// Unix account; a member of CUPS's SystemGroup (root, lpadmin) sees
    /// every job's name and owner and may control every job and queue.
    pub user: String,
    /// How long a Get-Jobs or CUPS-Get-Printers answer is reused.
    pub cache: Duration,
    /// The longest one exchange with CUPS may take.
    pub timeout: Duration,
    /// Who may control the jobs and the queues (every CUPS queue).
    pub policy: ControlPolicy,
}

impl CupsConfig {
    /// Defaults: user `root`, 1 s cache, 5 s timeout, the default policy.
    pub fn new(endpoint: Endpoint) -> CupsConfig {
        CupsConfig {
            endpoint,
            user: "root".to_owned(),
            cache: Duration::from_millis(1000),
            timeout: Duration::from_millis(5000),
            policy: ControlPolicy::default(),
        }
    }
}

/// How long the printer list is trusted for telling whether a queue name
/// exists (NetPrintJobEnum, job control), at least the cache time: a queue
/// added since is found at once (an unknown name refreshes the list), a
/// queue deleted since reads as empty for at most this long.
const NAMES_TTL: Duration = Duration::from_secs(30);

/// The CUPS spooler. Cloning shares it.
#[derive(Clone, Debug)]
pub struct CupsSpooler {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: IppClient,
    policy: ControlPolicy,
    cache: Duration,
    printers: Cached<PrinterList>,
    jobs: Cached<JobList>,
    /// The last [`Printers`] built, with the sequence numbers of the
    /// printer list and job list it was built from.
    combined: Mutex<Option<(u64, u64, Printers)>>,
    /// Jobs being received by this process, by RAP JobID.
    inflight: Mutex<HashMap<u16, InFlight>>,
    /// A background refresh of the printer list is under way.
    refreshing: AtomicBool,
    /// The last listing succeeded (for logging changes only).
    answering: AtomicBool,
    endpoint: Endpoint,
    empty: Jobs,
}

#[derive(Debug)]
struct InFlight {
    cups_id: u32,
    bytes: u64,
    /// Send-Document under way while the data arrives (none once the
    /// client wrote out of order: the file then goes whole, at the end).
    upload: Option<Upload>,
}

impl InFlight {
    fn new(cups_id: u32) -> InFlight {
        InFlight {
            cups_id,
            bytes: 0,
            upload: None,
        }
    }
}

/// A Send-Document streaming a spool file while it grows
/// ([`IppClient::send_growing_file`]), in a task of its own.
#[derive(Debug)]
struct Upload {
    feed: tokio::sync::watch::Sender<Feed>,
    task: tokio::task::JoinHandle<Result<Reply, CupsError>>,
    /// The body's last byte went to CUPS: it may have the document.
    body_sent: Arc<AtomicBool>,
}

impl Drop for Upload {
    /// An upload nobody waits for is abandoned: the request never
    /// completes, so cupsd keeps no partial document.
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// CUPS's printers, as CUPS-Get-Printers listed them.
#[derive(Debug, Default)]
struct PrinterList {
    printers: Vec<CupsPrinter>,
}

impl PrinterList {
    fn find(&self, name: &str) -> Option<&CupsPrinter> {
        self.printers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

impl CupsSpooler {
    /// A spooler for the CUPS at `config.endpoint`. Nothing is sent yet;
    /// [`CupsSpooler::refresh`] fetches the printer list.
    pub fn new(config: CupsConfig) -> Result<CupsSpooler, String> {
        if config.user.trim().is_empty() {
            return Err("the CUPS user must be a user name".into());
        }
        let client = IppClient::new(&config.endpoint, &config.user, config.timeout)?;
        Ok(CupsSpooler {
            inner: Arc::new(Inner {
                client,
                policy: config.policy,
                cache: config.cache,
                printers: Cached::default(),
                jobs: Cached::default(),
                combined: Mutex::new(None),
                inflight: Mutex::new(HashMap::new()),
                refreshing: AtomicBool::new(false),
                answering: AtomicBool::new(true),
                endpoint: config.endpoint,
                empty: Arc::from([]),
            }),
        })
    }

    /// Fetch the printer list and the jobs now (start-up): the queue
    /// names, or why CUPS could not be asked.
    pub async fn refresh(&self) -> Result<Vec<String>, Win32Error> {
        self.inner.printers.invalidate();
        self.inner.jobs.invalidate();
        let p = self.inner.printers(Duration::ZERO).await?;
        self.inner.jobs(Duration::ZERO).await?;
        Ok(p.printers.iter().map(|p| p.name.clone()).collect())
    }

    /// The identity presented to CUPS.
    pub fn user(&self) -> &str {
        self.inner.client.user()
    }
}

impl Inner {
    /// Bound a call by twice the exchange time limit (a refresh under way,
    /// then one of its own): ERROR_NOT_READY after that.
    async fn bounded<T>(
        &self,
        f: impl Future<Output = Result<T, Win32Error>>,
    ) -> Result<T, Win32Error> {
        let limit = self
            .client
            .timeout()
            .saturating_mul(2)
            .saturating_add(Duration::from_millis(100));
        tokio::time::timeout(limit, f)
            .await
            .unwrap_or(Err(Win32Error::ERROR_NOT_READY))
    }

    /// The job list for a read (at most one cache interval old): the kept
    /// one without awaiting anything when it is fresh (the common case,
    /// no timer), else a bounded refresh.
    async fn current_jobs(&self) -> Result<Arc<JobList>, Win32Error> {
        match self.jobs.fresh(self.cache) {
            Some(kept) => kept,
            None => self.bounded(self.jobs(self.cache)).await,
        }
    }

    /// The printer list, at most `fresh` old.
    async fn printers(&self, fresh: Duration) -> Result<Arc<PrinterList>, Win32Error> {
        self.printers.get(fresh, || self.fetch_printers()).await
    }

    /// The job list, at most `fresh` old.
    async fn jobs(&self, fresh: Duration) -> Result<Arc<JobList>, Win32Error> {
        self.jobs.get(fresh, || self.fetch_jobs()).await
    }

    fn names_ttl(&self) -> Duration {
        NAMES_TTL.max(self.cache)
    }

    /// The printer named `name` (ASCII case-insensitive), from a list at
    /// most [`NAMES_TTL`] old, or a fresh one when that list does not
    /// know the name.
    async fn printer(&self, name: &str) -> Result<CupsPrinter, Win32Error> {
        let list = match self.printers.fresh(self.names_ttl()) {
            Some(kept) => kept?,
            None => self.printers(self.names_ttl()).await?,
        };
        if let Some(p) = list.find(name) {
            return Ok(p.clone());
        }
        let list = self.printers(self.cache).await?;
        list.find(name)
            .cloned()
            .ok_or(Win32Error::ERROR_INVALID_PRINTER_NAME)
    }

    async fn fetch_printers(&self) -> Result<PrinterList, Win32Error> {
        let c = &self.client;
        let req = c
            .get_printers_request()
            .map_err(|e| e.win32(Target::Printer))?;
        let printers = match c.send("/", req).await {
            Ok(reply) => reply
                .groups(DelimiterTag::PrinterAttributes)
                .filter_map(CupsPrinter::from_group)
                .collect(),
            // CUPS answers client-error-not-found when it has no printer.
            Err(CupsError::Status { status: 0x0406, .. }) => Vec::new(),
            Err(e) => {
                self.note_failure("CUPS-Get-Printers", &e);
                return Err(e.win32(Target::Printer));
            }
        };
        self.note_success();
        tracing::debug!(printers = printers.len(), "CUPS-Get-Printers");
        Ok(PrinterList { printers })
    }

    async fn fetch_jobs(&self) -> Result<JobList, Win32Error> {
        let c = &self.client;
        let err = |e: CupsError| e.win32(Target::Printer);
        let req = c.get_jobs_request().map_err(err)?;
        let reply = c.send("/", req).await.map_err(|e| {
            self.note_failure("Get-Jobs", &e);
            err(e)
        })?;
        let jobs: Vec<CupsJob> = reply
            .groups(DelimiterTag::JobAttributes)
            .filter_map(CupsJob::from_group)
            .collect();
        let printers = self.printers.last();
        let mut list = JobList::from_cups(&jobs, c.user(), |name| {
            printers
                .as_ref()
                .and_then(|p| p.find(name))
                .and_then(|p| p.info.driver_name.as_deref())
        });
        self.overlay_inflight(&mut list);
        self.note_success();
        tracing::debug!(jobs = list.slots.len(), hidden = list.hidden, "Get-Jobs");
        Ok(list)
    }

    /// A listing failed: a warning when CUPS answered until now, then
    /// quieter (one failure per cache interval while it stays down).
    fn note_failure(&self, what: &str, e: &CupsError) {
        if self.answering.swap(false, Ordering::AcqRel) {
            tracing::warn!("{what}: {e}; RAP answers ERROR_NOT_READY until CUPS answers");
        } else {
            tracing::debug!("{what}: {e}");
        }
    }

    /// A listing succeeded: said once after failures.
    fn note_success(&self) {
        if !self.answering.swap(true, Ordering::AcqRel) {
            tracing::info!("CUPS at {} answers", self.endpoint);
        }
    }

    /// Jobs this process is receiving: JOB_INFO_2.Size is what has arrived.
    fn overlay_inflight(&self, list: &mut JobList) {
        let inflight = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
        if inflight.is_empty() {
            return;
        }
        for slot in &list.slots {
            let Some(f) = inflight
                .get(&slot.rap_id)
                .filter(|f| f.cups_id == slot.cups_id)
            else {
                continue;
            };
            let Some((_, jobs)) = list.queues.get_mut(slot.queue) else {
                continue;
            };
            let mut v = jobs.to_vec();
            if let Some(j) = v.get_mut(slot.index) {
                j.size = u32::try_from(f.bytes).unwrap_or(u32::MAX);
                j.status |= super::JobStatus::SPOOLING;
            }
            *jobs = v.into();
        }
    }

    /// Every queue with its jobs, at most one cache interval old.
    async fn snapshot(&self) -> Result<Printers, Win32Error> {
        let (pseq, plist) = self
            .printers
            .get_seq(self.cache, || self.fetch_printers())
            .await?;
        let (jseq, jlist) = self.jobs.get_seq(self.cache, || self.fetch_jobs()).await?;
        let mut combined = self.combined.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((p, j, printers)) = &*combined {
            if (*p, *j) == (pseq, jseq) {
                return Ok(Arc::clone(printers));
            }
        }
        let printers = map::printers(&plist.printers, &jlist, &self.policy);
        *combined = Some((pseq, jseq, Arc::clone(&printers)));
        Ok(printers)
    }

    /// The job shown as RAP JobID `job_id`, its CUPS job-id and whether
    /// `caller` may control it ([MS-RPRN] 3.1.4.3.1: JobId 0 or unknown
    /// is ERROR_INVALID_PARAMETER).
    async fn controllable(
        &self,
        caller: &Caller<'_>,
        job_id: u32,
    ) -> Result<map::JobSlot, Win32Error> {
        let jobs = self.jobs(self.cache).await?;
        let slot = *jobs
            .slot(job_id)
            .ok_or(Win32Error::ERROR_INVALID_PARAMETER)?;
        let owner = jobs
            .queues
            .get(slot.queue)
            .and_then(|(_, j)| j.get(slot.index))
            .and_then(|j| j.user_name.as_deref());
        if !self.policy.may_control_job(caller, owner) {
            return Err(Win32Error::ERROR_ACCESS_DENIED);
        }
        Ok(slot)
    }

    /// One job operation on CUPS job `cups_id`, with `extra` attributes
    /// added; the cached jobs are forgotten afterwards, whatever the outcome.
    async fn job_op(
        &self,
        op: Operation,
        cups_id: u32,
        extra: impl FnOnce(&mut ipp::request::IppRequestResponse) -> Result<(), CupsError>,
    ) -> Result<(), CupsError> {
        let mut req = self.client.request(op, To::Job(cups_id))?;
        extra(&mut req)?;
        let r = self.client.send("/jobs/", req).await;
        self.jobs.invalidate();
        if let Err(e) = &r {
            tracing::info!(?op, cups_id, "{e}");
        }
        r.map(|_| ())
    }

    /// Cancel-Job with `purge-job`: nothing of the job stays in CUPS.
    async fn purge(&self, cups_id: u32) -> Result<(), CupsError> {
        self.job_op(Operation::CancelJob, cups_id, |r| {
            add(
                r,
                DelimiterTag::OperationAttributes,
                "purge-job",
                Ok(IppValue::Boolean(true)),
            )
        })
        .await
    }

    /// A Send-Document request for CUPS job `cups_id`: the last document,
    /// printer-ready (what SMB clients send is RAW data).
    fn send_document(&self, cups_id: u32) -> Result<ipp::request::IppRequestResponse, CupsError> {
        let mut req = self
            .client
            .request(Operation::SendDocument, To::Job(cups_id))?;
        add(
            &mut req,
            DelimiterTag::OperationAttributes,
            "document-format",
            IppValue::new_mime_media_type("application/vnd.cups-raw"),
        )?;
        add(
            &mut req,
            DelimiterTag::OperationAttributes,
            "last-document",
            Ok(IppValue::Boolean(true)),
        )?;
        Ok(req)
    }

    /// Starts streaming `file` (its first `bytes` final) to CUPS job
    /// `cups_id`, in a task of its own; `None` outside a runtime.
    fn start_upload(&self, cups_id: u32, file: &Path, bytes: u64) -> Option<Upload> {
        let rt = tokio::runtime::Handle::try_current().ok()?;
        let req = self.send_document(cups_id).ok()?;
        let (feed, rx) = tokio::sync::watch::channel(Feed {
            bytes,
            complete: false,
        });
        let client = self.client.clone();
        let file = file.to_path_buf();
        let body_sent = Arc::new(AtomicBool::new(false));
        let sent = Arc::clone(&body_sent);
        let task = rt.spawn(async move {
            client
                .send_growing_file("/jobs/", req, &file, rx, sent)
                .await
        });
        Some(Upload {
            feed,
            task,
            body_sent,
        })
    }

    fn inflight(&self) -> std::sync::MutexGuard<'_, HashMap<u16, InFlight>> {
        self.inflight.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Spooler for CupsSpooler {
    fn get_job(
        &self,
        _open: &OpenPrinter<'_>,
        job_id: u32,
    ) -> impl Future<Output = Result<JobRef, Win32Error>> + Send {
        let s = &self.inner;
        async move {
            let jobs = s.current_jobs().await?;
            let slot = jobs
                .slot(job_id)
                .ok_or(Win32Error::ERROR_INVALID_PARAMETER)?;
            let (_, queue) = jobs
                .queues
                .get(slot.queue)
                .ok_or(Win32Error::ERROR_INVALID_PARAMETER)?;
            JobRef::new(Arc::clone(queue), slot.index).ok_or(Win32Error::ERROR_INVALID_PARAMETER)
        }
    }

    fn enum_jobs(
        &self,
        open: &OpenPrinter<'_>,
    ) -> impl Future<Output = Result<Jobs, Win32Error>> + Send {
        let s = &self.inner;
        let name = open.printer_name;
        async move {
            let jobs = s.current_jobs().await?;
            if let Some(q) = jobs.queue(name) {
                return Ok(Arc::clone(q));
            }
            // No job: the queue exists, or not.
            s.bounded(s.printer(name)).await?;
            Ok(Arc::clone(&s.empty))
        }
    }

    fn enum_printers(&self) -> impl Future<Output = Result<Printers, Win32Error>> + Send {
        let s = &self.inner;
        s.bounded(s.snapshot())
    }

    fn set_job(
        &self,
        caller: &Caller<'_>,
        job_id: u32,
        control: JobControl,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        let s = &self.inner;
        let caller = *caller;
        s.bounded(async move {
            let slot = s.controllable(&caller, job_id).await?;
            let err = |e: CupsError| e.win32(Target::Job);
            match control {
                // Holding a held job changes nothing.
                JobControl::Pause if slot.held => Ok(()),
                JobControl::Pause => s
                    .job_op(Operation::HoldJob, slot.cups_id, |_| Ok(()))
                    .await
                    .map_err(err),
                // Only a held job is released; one still being received is
                // not (its hold ends with its last document).
                JobControl::Resume if !slot.held => Ok(()),
                JobControl::Resume => {
                    match s
                        .job_op(Operation::ReleaseJob, slot.cups_id, |_| Ok(()))
                        .await
                    {
                        // Released meanwhile ("Job #N is not held"): done.
                        Err(e) if e.ipp_status() == Some(0x0404) => Ok(()),
                        r => r.map_err(err),
                    }
                }
                JobControl::Cancel | JobControl::Delete => s
                    .job_op(Operation::CancelJob, slot.cups_id, |_| Ok(()))
                    .await
                    .map_err(err),
            }
        })
    }

    fn set_job_document(
        &self,
        caller: &Caller<'_>,
        job_id: u32,
        document: &str,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        let s = &self.inner;
        let caller = *caller;
        let name = map::truncate(document, 255).to_owned();
        s.bounded(async move {
            let slot = s.controllable(&caller, job_id).await?;
            s.job_op(Operation::SetJobAttributes, slot.cups_id, |r| {
                add(
                    r,
                    DelimiterTag::JobAttributes,
                    "job-name",
                    IppValue::new_name_without_language(name),
                )
            })
            .await
            .map_err(|e| e.win32(Target::Job))
        })
    }

    fn set_printer(
        &self,
        caller: &Caller<'_>,
        queue: &str,
        control: PrinterControl,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        let s = &self.inner;
        let caller = *caller;
        s.bounded(async move {
            let printer = s.printer(queue).await?;
            if !s.policy.may_control_queue(&caller) {
                return Err(Win32Error::ERROR_ACCESS_DENIED);
            }
            let op = match control {
                PrinterControl::Pause => Operation::PausePrinter,
                PrinterControl::Resume => Operation::ResumePrinter,
                PrinterControl::Purge => Operation::PurgeJobs,
            };
            let err = |e: CupsError| e.win32(Target::Printer);
            let req = s
                .client
                .request(op, To::Printer(&printer.name))
                .map_err(err)?;
            let r = s.client.send("/admin/", req).await;
            s.printers.invalidate();
            s.jobs.invalidate();
            r.map(|_| ()).map_err(|e| {
                tracing::info!(?op, printer = %printer.name, "{e}");
                err(e)
            })
        })
    }

    fn start_job(
        &self,
        caller: &Caller<'_>,
        queue: &str,
        document: &str,
    ) -> impl Future<Output = Result<u32, Win32Error>> + Send {
        let s = &self.inner;
        let smb_user = (!caller.anonymous && !caller.user.is_empty())
            .then(|| map::truncate(caller.user, 255).to_owned());
        let name = map::truncate(document, 255).to_owned();
        s.bounded(async move {
            let printer = s.printer(queue).await?;
            let err = |e: CupsError| e.win32(Target::Printer);
            let mut req = s
                .client
                .request(Operation::CreateJob, To::Printer(&printer.name))
                .map_err(err)?;
            add(
                &mut req,
                DelimiterTag::OperationAttributes,
                "job-name",
                IppValue::new_name_without_language(name),
            )
            .map_err(err)?;
            if let Some(user) = smb_user {
                add(
                    &mut req,
                    DelimiterTag::JobAttributes,
                    "job-accounting-user-id",
                    IppValue::new_name_without_language(user),
                )
                .map_err(err)?;
            }
            let path = format!("/printers/{}", map::percent_encode(&printer.name));
            let reply = s.client.send(&path, req).await.map_err(err)?;
            s.jobs.invalidate();
            let cups_id = reply
                .groups(DelimiterTag::JobAttributes)
                .find_map(|g| match g.get("job-id")?.value() {
                    IppValue::Integer(i) => u32::try_from(*i).ok(),
                    _ => None,
                })
                .ok_or(Win32Error::ERROR_BAD_NET_RESP)?;
            let Some(rap) = map::rap_job_id(cups_id) else {
                return Err(Win32Error::ERROR_BAD_NET_RESP);
            };
            let clash = {
                let mut inflight = s.inflight();
                match inflight.get(&rap) {
                    Some(_) => true,
                    None => {
                        inflight.insert(rap, InFlight::new(cups_id));
                        false
                    }
                }
            };
            if clash {
                // Another job this process is receiving has this RAP JobID
                // (65535 jobs were created meanwhile): refuse this one.
                let _ = s.purge(cups_id).await;
                return Err(Win32Error::ERROR_NOT_READY);
            }
            Ok(u32::from(rap))
        })
    }

    fn job_progress(&self, job_id: u32, bytes: u64) -> impl Future<Output = ()> + Send {
        if let Ok(rap) = u16::try_from(job_id) {
            if let Some(f) = self.inner.inflight().get_mut(&rap) {
                f.bytes = bytes;
            }
        }
        std::future::ready(())
    }

    /// The streamed upload's data is complete: wait for CUPS's answer to
    /// it. Without one (the client wrote out of order, or the stream
    /// failed before its last byte was sent, so CUPS kept nothing), the
    /// file goes whole in a new Send-Document. Failure purges the job.
    fn finish_job(
        &self,
        job_id: u32,
        file: &Path,
        size: u64,
    ) -> impl Future<Output = Result<(), Win32Error>> + Send {
        let s = &self.inner;
        let file = file.to_path_buf();
        async move {
            let mut f = u16::try_from(job_id)
                .ok()
                .and_then(|rap| s.inflight().remove(&rap))
                .ok_or(Win32Error::ERROR_INVALID_PARAMETER)?;
            let err = |e: CupsError| e.win32(Target::Job);
            let limit = s.client.file_limit(size);
            let mut streamed = None;
            if let Some(mut up) = f.upload.take() {
                up.feed.send_replace(Feed {
                    bytes: size,
                    complete: true,
                });
                streamed = match tokio::time::timeout(limit, &mut up.task).await {
                    Ok(Ok(Ok(reply))) => Some(Ok(reply)),
                    // Failed before the body ended: CUPS has no document.
                    Ok(Ok(Err(e))) if !up.body_sent.load(Ordering::Acquire) => {
                        tracing::info!(
                            cups_id = f.cups_id,
                            "streamed Send-Document: {e}; sending the file whole"
                        );
                        None
                    }
                    Ok(Ok(Err(e))) => Some(Err(e)),
                    Ok(Err(join)) => Some(Err(CupsError::Request(join.to_string()))),
                    Err(_) => Some(Err(CupsError::Unreachable(format!(
                        "no reply within {} ms",
                        limit.as_millis()
                    )))),
                };
            }
            let sent = match streamed {
                Some(r) => r,
                None => match s.send_document(f.cups_id) {
                    Ok(req) => s.client.send_file("/jobs/", req, &file, size).await,
                    Err(e) => Err(e),
                },
            };
            s.jobs.invalidate();
            match sent {
                Ok(_) => Ok(()),
                Err(e) => {
                    tracing::warn!(cups_id = f.cups_id, "Send-Document: {e}");
                    // No half job stays in CUPS.
                    let _ = tokio::time::timeout(s.client.timeout(), s.purge(f.cups_id)).await;
                    Err(err(e))
                }
            }
        }
    }

    /// Streams the job's data to CUPS while it arrives: Send-Document
    /// starts with the first bytes, and is abandoned when the client
    /// writes out of order.
    fn job_data(&self, job_id: u32, file: &Path, data: JobData) -> impl Future<Output = ()> + Send {
        let s = &self.inner;
        if let Ok(rap) = u16::try_from(job_id) {
            let mut inflight = s.inflight();
            if let Some(f) = inflight.get_mut(&rap) {
                match data {
                    // Dropped: abandoned. No prefix follows (the trait's
                    // contract), so none starts another.
                    JobData::OutOfOrder => f.upload = None,
                    JobData::Prefix(bytes) => match &f.upload {
                        Some(up) => {
                            up.feed.send_modify(|feed| feed.bytes = bytes);
                        }
                        None => f.upload = s.start_upload(f.cups_id, file, bytes),
                    },
                }
            }
        }
        std::future::ready(())
    }

    fn abort_job(&self, job_id: u32) -> impl Future<Output = ()> + Send {
        let s = &self.inner;
        async move {
            let f = u16::try_from(job_id)
                .ok()
                .and_then(|rap| s.inflight().remove(&rap));
            if let Some(f) = f {
                let _ = s
                    .bounded(async { s.purge(f.cups_id).await.map_err(|e| e.win32(Target::Job)) })
                    .await;
            }
        }
    }

    /// The printers of the last list (TREE_CONNECT cannot wait for CUPS);
    /// when it is older than the cache time, a refresh starts in the
    /// background, so a printer added to CUPS becomes a share within one
    /// more TREE_CONNECT.
    fn queue_names(&self) -> Vec<String> {
        let s = &self.inner;
        if s.printers.age().is_none_or(|a| a > s.cache) {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                if !s.refreshing.swap(true, Ordering::AcqRel) {
                    let inner = Arc::clone(s);
                    rt.spawn(async move {
                        let _ = inner.bounded(inner.printers(inner.cache)).await;
                        inner.refreshing.store(false, Ordering::Release);
                    });
                }
            }
        }
        s.printers
            .last()
            .map(|l| l.printers.iter().map(|p| p.name.clone()).collect())
            .unwrap_or_default()
    }
}

/// An answer from CUPS kept for reuse: one value (or failure) at a time,
/// refreshed by one caller at a time while the others wait for it.
#[derive(Debug)]
struct Cached<T> {
    slot: RwLock<Option<Fetched<T>>>,
    /// The last successful answer, kept through failures and invalidations.
    last_ok: RwLock<Option<Arc<T>>>,
    /// Held while a refresh is under way.
    gate: tokio::sync::Mutex<()>,
    /// Bumped by [`Cached::invalidate`]: answers fetched under an older
    /// epoch are not reused.
    epoch: AtomicU64,
    /// Numbers the answers.
    seq: AtomicU64,
}

#[derive(Debug)]
struct Fetched<T> {
    at: Instant,
    epoch: u64,
    seq: u64,
    value: Result<Arc<T>, Win32Error>,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Cached {
            slot: RwLock::new(None),
            last_ok: RwLock::new(None),
            gate: tokio::sync::Mutex::new(()),
            epoch: AtomicU64::new(0),
            seq: AtomicU64::new(0),
        }
    }
}

impl<T> Cached<T> {
    /// The kept answer if it satisfies `ok` (given its time) and was
    /// fetched in the current epoch.
    fn kept(&self, ok: impl Fn(Instant) -> bool) -> Option<(u64, Result<Arc<T>, Win32Error>)> {
        let slot = self.slot.read().unwrap_or_else(PoisonError::into_inner);
        let f = slot.as_ref()?;
        (f.epoch == self.epoch.load(Ordering::Acquire) && ok(f.at))
            .then(|| (f.seq, f.value.clone()))
    }

    /// The kept answer (or failure) if it is at most `fresh` old.
    fn fresh(&self, fresh: Duration) -> Option<Result<Arc<T>, Win32Error>> {
        self.kept(|at| at.elapsed() <= fresh).map(|(_, v)| v)
    }

    /// The answer, at most `fresh` old (or fetched while this caller
    /// waited for another's refresh), with its sequence number.
    async fn get_seq<F, Fut>(&self, fresh: Duration, fetch: F) -> Result<(u64, Arc<T>), Win32Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Win32Error>>,
    {
        let young = |at: Instant| at.elapsed() <= fresh;
        if let Some((seq, v)) = self.kept(young) {
            return v.map(|v| (seq, v));
        }
        let asked = Instant::now();
        let _gate = self.gate.lock().await;
        if let Some((seq, v)) = self.kept(|at| at >= asked || young(at)) {
            return v.map(|v| (seq, v));
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let value = fetch().await.map(Arc::new);
        let seq = self.seq.fetch_add(1, Ordering::AcqRel).wrapping_add(1);
        if let Ok(v) = &value {
            *self.last_ok.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(v));
        }
        *self.slot.write().unwrap_or_else(PoisonError::into_inner) = Some(Fetched {
            at: Instant::now(),
            epoch,
            seq,
            value: value.clone(),
        });
        value.map(|v| (seq, v))
    }

    async fn get<F, Fut>(&self, fresh: Duration, fetch: F) -> Result<Arc<T>, Win32Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Win32Error>>,
    {
        self.get_seq(fresh, fetch).await.map(|(_, v)| v)
    }

    /// Forget the kept answer (a change was made): the next caller fetches.
    fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// The last successful answer, however old or invalidated.
    fn last(&self) -> Option<Arc<T>> {
        self.last_ok
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How old the kept answer is.
    fn age(&self) -> Option<Duration> {
        let slot = self.slot.read().unwrap_or_else(PoisonError::into_inner);
        slot.as_ref().map(|f| f.at.elapsed())
    }
}
