//! Print files at the edge: the spool directory the data of SMB print files
//! goes to, and [`PrintServer`], which serves RAP, the printer shares and
//! their print files over any [`Spooler`].
//!
//! A print file's life ([`PrintFileHandler`] over a [`Spooler`]):
//!
//! 1. open: a spool file `msrap-<pid>-<n>.spool` is created in the spool
//!    directory (named by msrap only: the client's name never reaches a
//!    path, a command or a log line unescaped) and the spooler's
//!    [`Spooler::start_job`] creates the job, SPOOLING, owned by the
//!    session's user, named after the client's file ([`document_name`]);
//! 2. writes go to the spool file, bounded per job (`max_job_size`)
//!    and over every job being received (`max_spool`): past a limit the
//!    write fails with STATUS_DISK_FULL (ERRHRD/ERRdiskfull, what Windows
//!    answers for a full disk), the job is aborted and its file removed;
//!    [`Spooler::job_progress`] reports the size as data arrives. Writes
//!    that follow one another are gathered, up to [`WRITE_BEHIND`] bytes,
//!    and written together on the blocking pool (the runtime's threads
//!    never block on the disk): one hand-off per 256 KiB instead of one per
//!    SMB write. A disk error is then the answer to a later write or to
//!    the close, and aborts the job: never data lost with a success;
//!    [`Spooler::job_data`] hears of each prefix on disk while the client
//!    writes in order;
//! 3. close: the gathered tail is written, [`Spooler::finish_job`] takes
//!    the data, then the spool file is removed, whatever the spooler did
//!    with it;
//! 4. abort (the tree, session or connection went away first):
//!    [`Spooler::abort_job`] and the file is removed. A file dropped without
//!    either (its connection's task was cancelled) does the same from a
//!    spawned task; what a crash leaves is removed at the next start
//!    ([`SpoolDir::open`]).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::codes::{NtStatus, Win32Error};
use crate::rap::RapServer;
use crate::smb1::pipe::{PipeHandler, PipeOutcome, PipeReply, PipeTransaction, ShareCatalogue};
use crate::smb1::print_file::{document_name, PrintFileHandler, PrintFileOpen};
use crate::smb1::ShareKind;
use crate::spool::{Caller, JobData, Spooler};

/// Default per-job limit (`--max-job-size`): 256 MiB.
pub const DEFAULT_MAX_JOB_SIZE: u64 = 256 << 20;
/// Default limit over every job being received (`--max-spool`): 1 GiB.
pub const DEFAULT_MAX_SPOOL: u64 = 1 << 30;
/// Default number of print files open at once over all connections.
pub const DEFAULT_MAX_OPEN_JOBS: usize = 256;
/// A spooling job's size is reported to the spooler each time it has grown
/// by this much (and in full when the file is closed).
pub const PROGRESS_STEP: u64 = 256 * 1024;
/// Writes that follow one another are gathered in memory up to this many
/// bytes a print file before they go to disk together (see the module
/// documentation).
pub const WRITE_BEHIND: usize = 256 * 1024;

const SPOOL_PREFIX: &str = "msrap-";
const SPOOL_SUFFIX: &str = ".spool";

/// The system clock as JOB_INFO_2.Submitted (UTC, milliseconds kept): what
/// `msrap serve` gives its in-memory spooler ([`MemorySpooler::with_clock`]).
///
/// [`MemorySpooler::with_clock`]: crate::spool::MemorySpooler::with_clock
pub fn system_clock() -> crate::spool::SystemTime {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut t = i64::try_from(d.as_secs())
        .ok()
        .and_then(crate::spool::SystemTime::from_unix)
        .unwrap_or_default();
    t.milliseconds = u16::try_from(d.subsec_millis()).unwrap_or(0);
    t
}

/// Where and how much print data may be spooled. Set fields on
/// [`SpoolConfig::default`] (the struct is `#[non_exhaustive]`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpoolConfig {
    /// The spool directory (created if missing, mode 0700).
    pub dir: PathBuf,
    /// The most bytes one job may hold (its highest offset written).
    pub max_job_size: u64,
    /// The most bytes every job being received may hold together.
    pub max_spool: u64,
    /// Print files open at once; beyond: STATUS_INSUFF_SERVER_RESOURCES.
    pub max_open_jobs: usize,
}

impl SpoolConfig {
    /// The default spool directory: `msrap-spool` in the system's
    /// temporary directory.
    pub fn default_dir() -> PathBuf {
        std::env::temp_dir().join("msrap-spool")
    }
}

impl Default for SpoolConfig {
    fn default() -> Self {
        SpoolConfig {
            dir: SpoolConfig::default_dir(),
            max_job_size: DEFAULT_MAX_JOB_SIZE,
            max_spool: DEFAULT_MAX_SPOOL,
            max_open_jobs: DEFAULT_MAX_OPEN_JOBS,
        }
    }
}

/// An open spool directory, with the byte and file counts of the jobs being
/// received.
///
/// Several msrap processes may share one directory (the default one is
/// shared by every msrap of the machine's user): each spool file is locked
/// (`flock`) by the process writing it for as long as it is open, and what
/// [`open`](Self::open) removes at start are the spool files nobody holds
/// a lock on, the leftovers of a process that died.
#[derive(Debug)]
pub struct SpoolDir {
    config: SpoolConfig,
    used: AtomicU64,
    open: AtomicUsize,
    next: AtomicU64,
    pid: u32,
    leftovers: usize,
}

impl SpoolDir {
    /// Opens the spool directory (creating it, mode 0700, if needed; one
    /// that exists must belong to this process's user), then removes the
    /// spool files a previous run left (`msrap-*.spool` that no running
    /// msrap holds locked: a crash, a kill). Their jobs died with that
    /// process; a spooler that keeps jobs across restarts must drop the ones
    /// it never got ([`Spooler::finish_job`] never came). Nothing else in
    /// the directory is touched.
    pub fn open(config: SpoolConfig) -> io::Result<SpoolDir> {
        let dir = &config.dir;
        create_private_dir(dir)
            .map_err(|e| annotate(e, dir, "cannot create the spool directory"))?;
        check_owner(dir)?;
        let mut leftovers = 0;
        let entries = std::fs::read_dir(dir)
            .map_err(|e| annotate(e, dir, "cannot read the spool directory"))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with(SPOOL_PREFIX)
                && name.ends_with(SPOOL_SUFFIX)
                && entry.file_type().is_ok_and(|t| t.is_file())
                && remove_if_unlocked(&entry.path())
            {
                leftovers += 1;
            }
        }
        Ok(SpoolDir {
            config,
            used: AtomicU64::new(0),
            open: AtomicUsize::new(0),
            next: AtomicU64::new(1),
            pid: std::process::id(),
            leftovers,
        })
    }

    /// The settings.
    pub fn config(&self) -> &SpoolConfig {
        &self.config
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.config.dir
    }

    /// How many spool files of a previous run [`open`](Self::open) removed.
    pub fn leftovers_removed(&self) -> usize {
        self.leftovers
    }

    /// Bytes held by the jobs being received.
    pub fn bytes_in_use(&self) -> u64 {
        self.used.load(Ordering::Acquire)
    }

    /// Print files open now.
    pub fn open_files(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    fn acquire_slot(&self) -> bool {
        let max = self.config.max_open_jobs;
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .is_ok()
    }

    fn release_slot(&self) {
        let _ = self
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// Reserves `bytes` more under `max_spool`.
    fn reserve(&self, bytes: u64) -> bool {
        let max = self.config.max_spool;
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                u.checked_add(bytes).filter(|&t| t <= max)
            })
            .is_ok()
    }

    fn release(&self, bytes: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                Some(u.saturating_sub(bytes))
            });
    }

    /// A new, empty spool file (mode 0600), named by msrap, locked for as
    /// long as it is open. A file another process's start-up removed
    /// between its creation and its lock is detected and replaced.
    async fn create_file(&self) -> io::Result<(PathBuf, std::fs::File)> {
        let mut last = io::Error::other("no spool file could be created");
        for _ in 0..4 {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            let path = self
                .config
                .dir
                .join(format!("{SPOOL_PREFIX}{}-{n}{SPOOL_SUFFIX}", self.pid));
            let mut options = tokio::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            options.mode(0o600);
            let file = options.open(&path).await?.into_std().await;
            // Non-blocking calls on a local file: no need for a blocking thread.
            let locked = file.try_lock().map(|()| file).map_err(io::Error::from);
            match locked {
                Ok(file) if same_file(&path, &file) => return Ok((path, file)),
                Ok(_) => last = io::Error::other("a spool file was removed as it was created"),
                Err(e) => {
                    let _ = tokio::fs::remove_file(&path).await;
                    last = e;
                }
            }
        }
        Err(last)
    }
}

/// Removes a spool file unless a running msrap holds it locked; true when
/// it was removed.
fn remove_if_unlocked(path: &Path) -> bool {
    let Ok(file) = std::fs::OpenOptions::new().write(true).open(path) else {
        return false;
    };
    match file.try_lock() {
        // Held while removed: a process that created it a moment ago and
        // locks it now sees it gone (`same_file`) and makes another.
        Ok(()) => std::fs::remove_file(path).is_ok(),
        Err(_) => false,
    }
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn same_file(path: &Path, file: &std::fs::File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(path), file.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(path: &Path, _: &std::fs::File) -> bool {
    path.exists()
}

/// A spool directory must belong to the user msrap runs as (a directory
/// of the same name another user made in a shared temporary directory
/// would let that user read the print data): a file created in it must
/// have the directory's owner.
#[cfg(unix)]
fn check_owner(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let probe = dir.join(format!(".msrap-probe-{}", std::process::id()));
    let _ = std::fs::remove_file(&probe);
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|f| f.metadata());
    let _ = std::fs::remove_file(&probe);
    let mine = created.map_err(|e| annotate(e, dir, "cannot write in the spool directory"))?;
    let meta =
        std::fs::metadata(dir).map_err(|e| annotate(e, dir, "cannot read the spool directory"))?;
    if meta.uid() != mine.uid() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "spool directory {} belongs to another user (uid {}); give msrap a --spool-dir of its own",
                dir.display(),
                meta.uid()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner(_: &Path) -> io::Result<()> {
    Ok(())
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

fn annotate(e: io::Error, dir: &Path, what: &str) -> io::Error {
    io::Error::new(e.kind(), format!("{what} {}: {e}", dir.display()))
}

/// The SMB status for a spool file's I/O error.
fn io_status(e: &io::Error) -> NtStatus {
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded | io::ErrorKind::FileTooLarge => {
            NtStatus::STATUS_DISK_FULL
        }
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            NtStatus::STATUS_ACCESS_DENIED
        }
        _ => NtStatus::STATUS_UNSUCCESSFUL,
    }
}

/// The SMB status for a spooler's Win32 error.
pub fn spooler_status(e: Win32Error) -> NtStatus {
    match e {
        Win32Error::ERROR_ACCESS_DENIED => NtStatus::STATUS_ACCESS_DENIED,
        // The share's queue is gone from the spooler.
        Win32Error::ERROR_INVALID_PRINTER_NAME => NtStatus::STATUS_BAD_NETWORK_NAME,
        Win32Error::ERROR_PRINTQ_FULL => NtStatus::STATUS_PRINT_QUEUE_FULL,
        Win32Error::ERROR_DISK_FULL => NtStatus::STATUS_DISK_FULL,
        Win32Error::ERROR_NOT_SUPPORTED => NtStatus::STATUS_NOT_SUPPORTED,
        // ERROR_NOT_READY: a remote spooler that does not answer.
        Win32Error(21) => NtStatus::STATUS_DEVICE_NOT_READY,
        _ => NtStatus::STATUS_UNSUCCESSFUL,
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum State {
    /// Receiving data; the job exists.
    Open,
    /// A limit or an I/O error ended it: the job is aborted, the file gone.
    Failed(NtStatus),
    /// Closed or aborted.
    Done,
}

/// A print file being received: its spool file and its job.
#[derive(Debug)]
pub struct SpoolFile<S: Spooler + 'static> {
    spooler: Arc<S>,
    spool: Arc<SpoolDir>,
    job_id: u32,
    queue: String,
    path: PathBuf,
    /// The spool file; away on the blocking pool while it is written.
    file: Option<std::fs::File>,
    /// Where the last write ended.
    pos: u64,
    /// Data written by the client, not yet on disk: it ends at `pos`.
    gathered: Vec<u8>,
    /// The highest offset written: what the job holds (and reserves).
    extent: u64,
    /// The size last reported to the spooler.
    reported: u64,
    /// Every write so far began where the last one ended (the spooler
    /// has been told of each prefix, [`Spooler::job_data`]).
    in_order: bool,
    state: State,
}

impl<S: Spooler + 'static> SpoolFile<S> {
    /// The job's id.
    pub fn job_id(&self) -> u32 {
        self.job_id
    }

    /// The spool file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn write(&mut self, offset: u64, data: &[u8]) -> Result<u32, NtStatus> {
        if let State::Failed(s) = self.state {
            return Err(s);
        }
        let len = u32::try_from(data.len()).map_err(|_| NtStatus::STATUS_INVALID_PARAMETER)?;
        let max_job = self.spool.config.max_job_size;
        let end = match offset.checked_add(u64::from(len)) {
            Some(end) if end <= max_job => end,
            _ => {
                return Err(self
                    .fail(NtStatus::STATUS_DISK_FULL, "larger than --max-job-size")
                    .await)
            }
        };
        let grow = end.saturating_sub(self.extent);
        if grow > 0 {
            if !self.spool.reserve(grow) {
                return Err(self
                    .fail(
                        NtStatus::STATUS_DISK_FULL,
                        "the spool is full (--max-spool)",
                    )
                    .await);
            }
            self.extent = end;
        }
        if self.in_order && offset != self.pos {
            // Before the data changes: what the spooler took is void.
            self.in_order = false;
            self.spooler
                .job_data(self.job_id, &self.path, JobData::OutOfOrder)
                .await;
        }
        let follows = offset == self.pos && !self.gathered.is_empty();
        if !(follows && self.gathered.len().saturating_add(data.len()) <= WRITE_BEHIND) {
            self.write_gathered().await?;
        }
        if data.len() >= WRITE_BEHIND {
            // Too large to gather: straight to disk.
            self.write_out(offset, data.to_vec()).await?;
        } else {
            self.gathered.extend_from_slice(data);
        }
        self.pos = end;
        if self.extent.saturating_sub(self.reported) >= PROGRESS_STEP {
            self.reported = self.extent;
            self.spooler.job_progress(self.job_id, self.extent).await;
        }
        Ok(len)
    }

    /// Writes the gathered data to disk.
    async fn write_gathered(&mut self) -> Result<(), NtStatus> {
        if self.gathered.is_empty() {
            return Ok(());
        }
        let data = std::mem::take(&mut self.gathered);
        let at = self.pos.saturating_sub(data.len() as u64);
        let mut data = self.write_out(at, data).await?;
        // The buffer is kept for the next data.
        data.clear();
        self.gathered = data;
        Ok(())
    }

    /// Writes `data` at `offset` on the blocking pool; then, while the
    /// client writes in order, tells the spooler what is on disk. A
    /// failure aborts the job. Gives the buffer back.
    async fn write_out(&mut self, offset: u64, data: Vec<u8>) -> Result<Vec<u8>, NtStatus> {
        let Some(mut file) = self.file.take() else {
            return Err(NtStatus::STATUS_INVALID_HANDLE);
        };
        let done = tokio::task::spawn_blocking(move || {
            use std::io::{Seek, Write};
            let r = file
                .seek(io::SeekFrom::Start(offset))
                .and_then(|_| file.write_all(&data));
            (file, data, r)
        })
        .await;
        let (file, data, r) = match done {
            Ok(d) => d,
            Err(e) => {
                return Err(self
                    .fail(
                        NtStatus::STATUS_INSUFF_SERVER_RESOURCES,
                        &format!("the spool file's writer failed: {e}"),
                    )
                    .await)
            }
        };
        self.file = Some(file);
        if let Err(e) = r {
            tracing::warn!(job_id = self.job_id, queue = %self.queue, "spool file: {e}");
            return Err(self
                .fail(io_status(&e), "the spool file could not be written")
                .await);
        }
        if self.in_order {
            let on_disk = offset.saturating_add(data.len() as u64);
            self.spooler
                .job_data(self.job_id, &self.path, JobData::Prefix(on_disk))
                .await;
        }
        Ok(data)
    }

    /// FLUSH: the gathered data goes to disk before the answer.
    async fn flush(&mut self) -> Result<(), NtStatus> {
        match self.state {
            State::Failed(s) => Err(s),
            State::Done => Err(NtStatus::STATUS_INVALID_HANDLE),
            State::Open => self.write_gathered().await,
        }
    }

    /// Ends the job after a failed write: aborted, file removed.
    async fn fail(&mut self, status: NtStatus, why: &str) -> NtStatus {
        tracing::warn!(
            job_id = self.job_id,
            queue = %self.queue,
            bytes = self.extent,
            "print job aborted: {why}"
        );
        self.discard().await;
        self.state = State::Failed(status);
        status
    }

    /// Aborts the job and removes the file.
    async fn discard(&mut self) {
        self.file = None;
        self.gathered = Vec::new();
        self.state = State::Done;
        self.spooler.abort_job(self.job_id).await;
        remove_quietly(&self.path).await;
        self.spool.release(std::mem::take(&mut self.extent));
    }

    async fn close(mut self) -> Result<(), NtStatus> {
        match self.state {
            State::Failed(s) => return Err(s),
            State::Done => return Err(NtStatus::STATUS_INVALID_HANDLE),
            State::Open => {}
        }
        // The gathered tail goes to disk before the spooler takes the file.
        self.write_gathered().await?;
        self.file = None;
        self.state = State::Done;
        let r = self
            .spooler
            .finish_job(self.job_id, &self.path, self.extent)
            .await;
        remove_quietly(&self.path).await;
        self.spool.release(std::mem::take(&mut self.extent));
        match r {
            Ok(()) => {
                tracing::info!(job_id = self.job_id, queue = %self.queue, bytes = self.pos.max(self.reported), "print job queued");
                Ok(())
            }
            // The job was deleted while its data arrived.
            Err(Win32Error::ERROR_INVALID_PARAMETER) => Err(NtStatus::STATUS_PRINT_CANCELLED),
            Err(e) => {
                tracing::warn!(job_id = self.job_id, queue = %self.queue, "the spooler refused the job: {e:?}");
                Err(spooler_status(e))
            }
        }
    }

    async fn abort(mut self) {
        if self.state == State::Open {
            tracing::info!(job_id = self.job_id, queue = %self.queue, bytes = self.extent, "print job abandoned by the client: aborted");
            self.discard().await;
        }
    }
}

async fn remove_quietly(path: &Path) {
    if let Err(e) = tokio::fs::remove_file(path).await {
        if e.kind() != io::ErrorKind::NotFound {
            tracing::warn!(path = %path.display(), "cannot remove a spool file: {e}");
        }
    }
}

impl<S: Spooler + 'static> Drop for SpoolFile<S> {
    fn drop(&mut self) {
        self.spool.release_slot();
        if self.state != State::Open {
            return;
        }
        // Neither closed nor aborted: the connection's task was cancelled.
        self.spool.release(std::mem::take(&mut self.extent));
        self.file = None;
        let (spooler, id, path) = (Arc::clone(&self.spooler), self.job_id, self.path.clone());
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move {
                    spooler.abort_job(id).await;
                    remove_quietly(&path).await;
                });
            }
            Err(_) => {
                // No runtime (process teardown): what can be done now is
                // done; a leftover file goes at the next start.
                let _ = crate::rap::server::poll_once(spooler.abort_job(id));
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// What `msrap serve` serves: the RAP server (the `\PIPE\LANMAN` handler,
/// whose spooler's queues are the printer shares) and the print files
/// clients write to those shares, spooled in a [`SpoolDir`] and handed to
/// the same spooler.
#[derive(Debug)]
pub struct PrintServer<S> {
    rap: RapServer<S>,
    spool: Arc<SpoolDir>,
}

impl<S: Spooler + 'static> PrintServer<S> {
    /// `rap` with print files spooled in `spool`.
    pub fn new(rap: RapServer<S>, spool: SpoolDir) -> Self {
        PrintServer {
            rap,
            spool: Arc::new(spool),
        }
    }

    /// The RAP server.
    pub fn rap(&self) -> &RapServer<S> {
        &self.rap
    }

    /// The spool directory.
    pub fn spool(&self) -> &SpoolDir {
        &self.spool
    }

    async fn open(&self, open: PrintFileOpen<'_>) -> Result<SpoolFile<S>, NtStatus> {
        if !self.spool.acquire_slot() {
            tracing::warn!(
                "print file refused: {} print files are open (the most msrap receives at once)",
                self.spool.config.max_open_jobs
            );
            return Err(NtStatus::STATUS_INSUFF_SERVER_RESOURCES);
        }
        let (path, file) = match self.spool.create_file().await {
            Ok(f) => f,
            Err(e) => {
                self.spool.release_slot();
                tracing::warn!(dir = %self.spool.dir().display(), "cannot create a spool file: {e}");
                return Err(io_status(&e));
            }
        };
        let code_page = &self.rap.config().code_page;
        let document = document_name(open.name, |b| code_page.decode(b).into_owned());
        let caller = Caller {
            user: &open.identity.user,
            anonymous: open.identity.anonymous,
            authenticated: open.identity.authenticated,
        };
        let spooler = self.rap.spooler();
        let job_id = match spooler.start_job(&caller, open.share, &document).await {
            Ok(id) => id,
            Err(e) => {
                drop(file);
                remove_quietly(&path).await;
                self.spool.release_slot();
                tracing::info!(queue = open.share, "the spooler refused a print job: {e:?}");
                return Err(spooler_status(e));
            }
        };
        tracing::info!(
            job_id,
            queue = open.share,
            user = ?open.identity.user,
            document = ?document,
            "print job started"
        );
        Ok(SpoolFile {
            spooler: Arc::clone(spooler),
            spool: Arc::clone(&self.spool),
            job_id,
            queue: open.share.to_owned(),
            path,
            file: Some(file),
            pos: 0,
            gathered: Vec::new(),
            extent: 0,
            reported: 0,
            in_order: true,
            state: State::Open,
        })
    }
}

impl<S: Spooler + 'static> PipeHandler for PrintServer<S> {
    fn has_pipe(&self, name: &str) -> bool {
        PipeHandler::has_pipe(&self.rap, name)
    }

    fn transact<'a>(
        &'a self,
        t: PipeTransaction<'a>,
        out: &'a mut PipeReply,
    ) -> impl std::future::Future<Output = PipeOutcome> + Send + 'a {
        PipeHandler::transact(&self.rap, t, out)
    }
}

impl<S: Spooler + 'static> ShareCatalogue for PrintServer<S> {
    fn share(&self, name: &str) -> Option<(String, ShareKind)> {
        ShareCatalogue::share(&self.rap, name)
    }
}

impl<S: Spooler + 'static> PrintFileHandler for PrintServer<S> {
    type File = SpoolFile<S>;

    fn open_print_file<'a>(
        &'a self,
        open: PrintFileOpen<'a>,
    ) -> impl std::future::Future<Output = Result<Self::File, NtStatus>> + Send + 'a {
        self.open(open)
    }

    fn write_print_file<'a>(
        &'a self,
        file: &'a mut Self::File,
        offset: u64,
        data: &'a [u8],
    ) -> impl std::future::Future<Output = Result<u32, NtStatus>> + Send + 'a {
        file.write(offset, data)
    }

    fn flush_print_file<'a>(
        &'a self,
        file: &'a mut Self::File,
    ) -> impl std::future::Future<Output = Result<(), NtStatus>> + Send + 'a {
        file.flush()
    }

    fn close_print_file(
        &self,
        file: Self::File,
    ) -> impl std::future::Future<Output = Result<(), NtStatus>> + Send + '_ {
        file.close()
    }

    fn abort_print_file(
        &self,
        file: Self::File,
    ) -> impl std::future::Future<Output = ()> + Send + '_ {
        file.abort()
    }
}
