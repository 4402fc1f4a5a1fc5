//! Getting the file onto disk safely: an exclusive lock so that one process owns the
//! file, whole-file replacement that leaves either the old or the new file after a
//! crash, and group commit so that concurrent writers share one replacement.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use plughss_plugin_api::store::StoreError;

/// The sidecar lock file of `path`: `<path>.lock`.
pub fn lock_path(path: &Path) -> PathBuf {
    sibling(path, ".lock")
}

/// The temporary file a new version is written to: `<path>.tmp`, in the same
/// directory so that the rename replacing `path` is atomic (POSIX rename(2)).
fn temp_path(path: &Path) -> PathBuf {
    sibling(path, ".tmp")
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Takes the exclusive lock of `path`'s sidecar lock file, held until the returned
/// file is dropped (or the process dies: the kernel releases it).
///
/// The lock is on a sidecar rather than on the CSV file because every write replaces
/// the CSV file by rename: a lock on it would stay on the old inode. It is a `flock`,
/// which belongs to this open file, so a second open in the same process is refused as
/// one in another process is.
pub fn lock(path: &Path) -> Result<File, StoreError> {
    let lock = lock_path(path);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&lock)
        .map_err(|e| StoreError::Unavailable(format!("cannot open lock file {}: {e}", lock.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StoreError::Unavailable(format!(
            "{} is in use: another process (or another store in this one) holds its lock {}; \
             two PlugHSS servers cannot share one CSV file",
            path.display(),
            lock.display()
        ))),
        Err(TryLockError::Error(e)) => {
            Err(StoreError::Unavailable(format!("cannot lock {}: {e}", lock.display())))
        }
    }
}

/// Replaces `path` with `bytes` so that a crash at any point leaves either the old
/// file or the new one, never a mix: write a temporary file beside it, fsync it,
/// rename it over `path`, fsync the directory (so the rename itself is durable).
/// `mode` is the permission of the new file (the CSV holds keys: 0600 by default).
pub fn replace(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let tmp = temp_path(path);
    let mut f = OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(&tmp)?;
    // The umask may have narrowed `mode` at creation, and an old temporary file keeps
    // its own; set it exactly.
    f.set_permissions(fs::Permissions::from_mode(mode))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, path)?;
    sync_dir(path)
}

fn sync_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

/// Group commit: writers wait until the file on disk holds their change; one of them
/// writes it for all that are waiting.
///
/// Every change bumps the table's version. A writer calls [`GroupCommit::wait`] with
/// the version of its change. If no write is in progress it becomes the leader: it
/// takes a snapshot of the whole table (every change so far, its own and others'),
/// writes it, and records the snapshot's version as durable. Writers that arrive while
/// a write is in progress wait for it; if it covered their version they return, else
/// the next of them leads. So N concurrent `reserve_sqn` calls cost about two file
/// writes, not N.
#[derive(Default)]
pub struct GroupCommit {
    state: Mutex<CommitState>,
    done: Condvar,
}

#[derive(Default)]
struct CommitState {
    /// The newest version known to be on disk.
    durable: u64,
    /// A leader is writing.
    writing: bool,
}

impl GroupCommit {
    /// A commit whose disk already holds `version`.
    pub fn new(version: u64) -> Self {
        GroupCommit {
            state: Mutex::new(CommitState { durable: version, writing: false }),
            done: Condvar::new(),
        }
    }

    /// Returns once a version at or after `version` is on disk. `write` writes the
    /// current table and returns the version it wrote. An error is returned to the
    /// leader that met it; waiters not covered by a successful write then lead a
    /// retry of their own.
    pub fn wait(
        &self,
        version: u64,
        write: impl FnOnce() -> Result<u64, StoreError>,
    ) -> Result<(), StoreError> {
        let mut st = self.lock();
        loop {
            if st.durable >= version {
                return Ok(());
            }
            if !st.writing {
                break;
            }
            st = self.done.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        st.writing = true;
        drop(st);
        // Clears `writing` and wakes the waiters however `write` ends, a panic included
        // (the ABI glue catches it; the waiters must not hang).
        let mut leader = Leader { commit: self, written: None };
        let result = write();
        if let Ok(v) = &result {
            leader.written = Some(*v);
        }
        drop(leader);
        result.map(drop)
    }

    fn lock(&self) -> MutexGuard<'_, CommitState> {
        // The state is two plain values, consistent at every point a panic could
        // unwind through; a poisoned lock is safe to keep using.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Leader<'a> {
    commit: &'a GroupCommit,
    written: Option<u64>,
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        let mut st = self.commit.lock();
        st.writing = false;
        if let Some(v) = self.written {
            st.durable = st.durable.max(v);
        }
        drop(st);
        self.commit.done.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    #[test]
    fn replace_writes_the_whole_file_with_the_mode_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("subs.csv");
        fs::write(&path, "old").unwrap();
        replace(&path, b"new contents", 0o600).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new contents");
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(!temp_path(&path).exists());
        assert_eq!(temp_path(&path).file_name().unwrap(), "subs.csv.tmp");
    }

    #[test]
    fn a_second_lock_fails_naming_the_file_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("subs.csv");
        let first = lock(&path).unwrap();
        let err = lock(&path).unwrap_err();
        match &err {
            StoreError::Unavailable(m) => {
                assert!(m.starts_with(&format!("{} is in use", path.display())), "{m}");
                assert!(m.contains("subs.csv.lock"), "{m}");
            }
            other => panic!("{other:?}"),
        }
        drop(first);
        lock(&path).unwrap();
    }

    #[test]
    fn concurrent_waiters_share_writes_and_all_return_durable() {
        let commit = Arc::new(GroupCommit::new(0));
        let version = Arc::new(AtomicU64::new(0));
        let writes = Arc::new(AtomicU64::new(0));
        std::thread::scope(|s| {
            for _ in 0..8 {
                let (commit, version, writes) = (commit.clone(), version.clone(), writes.clone());
                s.spawn(move || {
                    for _ in 0..50 {
                        let mine = version.fetch_add(1, Ordering::SeqCst) + 1;
                        commit
                            .wait(mine, || {
                                writes.fetch_add(1, Ordering::SeqCst);
                                let snapshot = version.load(Ordering::SeqCst);
                                std::thread::sleep(std::time::Duration::from_millis(1));
                                Ok(snapshot)
                            })
                            .unwrap();
                        assert!(commit.lock().durable >= mine);
                    }
                });
            }
        });
        let writes = writes.load(Ordering::SeqCst);
        assert!(writes < 400, "400 changes took {writes} writes: no sharing");
    }

    #[test]
    fn a_failed_write_is_reported_and_a_waiter_retries() {
        let commit = GroupCommit::new(0);
        let r = commit.wait(1, || Err(StoreError::Unavailable("disk full".into())));
        assert_eq!(r, Err(StoreError::Unavailable("disk full".into())));
        assert_eq!(commit.lock().durable, 0);
        assert!(!commit.lock().writing);
        commit.wait(1, || Ok(1)).unwrap();
        commit.wait(1, || panic!("already durable: no write")).unwrap();
    }
}
