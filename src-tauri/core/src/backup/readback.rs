//! Reading the backup back from the stick while the rest of it is still being written.
//!
//! The writer hands the device the file in steps (see [`step_for`]). Once a step has been
//! written to the device (Linux: `sync_file_range` waited on) its pages are dropped from
//! the OS's cache and the step is published here; the checking thread reads only
//! published bytes, so what it reads comes from the device, not from memory. The file's
//! last part is published after the final `sync_all`. Where the OS has no such call
//! nothing is published before the final sync and the read-back simply follows the write.
use std::fs::File;
use std::io::Read;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How often the device is asked to write what it has been given, for a file of about
/// `bytes`: in about 32 steps, of 64 KiB to 16 MiB. A small centre (and so every test's)
/// is written in many steps too, through the same code as a large one.
pub(crate) fn step_for(bytes: u64) -> u64 {
    (bytes / 32).clamp(64 << 10, 16 << 20)
}

#[derive(Default)]
struct State {
    /// Bytes of the file known to be on the device, readable by the check.
    durable: u64,
    /// Set once the writer has stopped: `true` when the whole file is durable.
    end: Option<bool>,
    /// Plain bytes the check has compared so far.
    verified: u64,
}

/// What the writer and the checking thread tell each other.
#[derive(Default)]
pub(crate) struct Written {
    state: Mutex<State>,
    changed: Condvar,
}

impl Written {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The first `n` bytes are on the device.
    pub(crate) fn durable_to(&self, n: u64) {
        let mut s = self.lock();
        s.durable = s.durable.max(n);
        self.changed.notify_all();
    }

    /// The writer has stopped (first call counts): `ok` when the whole file, `len`
    /// bytes, is on the device.
    pub(crate) fn finish(&self, ok: bool, len: u64) {
        let mut s = self.lock();
        if s.end.is_none() {
            if ok {
                s.durable = s.durable.max(len);
            }
            s.end = Some(ok);
        }
        self.changed.notify_all();
    }

    pub(crate) fn verified(&self, n: u64) {
        self.lock().verified = n;
        self.changed.notify_all();
    }

    /// The bytes compared so far, after waiting at most `timeout` for news.
    pub(crate) fn wait_verified(&self, timeout: Duration) -> u64 {
        let s = self.lock();
        let (s, _) = self.changed.wait_timeout(s, timeout).unwrap_or_else(|p| p.into_inner());
        s.verified
    }
}

/// Marks the writer stopped (not finished) if it leaves without saying so, so the check
/// never waits for bytes that will not come.
pub(crate) struct StopGuard<'a>(pub(crate) &'a Written);

impl Drop for StopGuard<'_> {
    fn drop(&mut self) {
        self.0.finish(false, 0);
    }
}

/// The backup file as the checking thread sees it: only the bytes already on the device.
pub(crate) struct Durable<'a> {
    pub(crate) file: File,
    pub(crate) pos: u64,
    pub(crate) written: &'a Written,
}

impl Read for Durable<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut s = self.written.lock();
        loop {
            if s.durable > self.pos {
                let n = usize::try_from(s.durable - self.pos).unwrap_or(usize::MAX).min(buf.len());
                drop(s);
                let k = self.file.read(&mut buf[..n])?;
                self.pos += k as u64;
                return Ok(k);
            }
            match s.end {
                Some(true) => return Ok(0),
                Some(false) => return Err(std::io::Error::other("the backup file was not finished")),
                None => s = self.written.changed.wait(s).unwrap_or_else(|p| p.into_inner()),
            }
        }
    }
}

/// Waits until `[offset, offset + len)` of `file` has been written to the device, then
/// drops those pages from the OS's cache (so reading them goes to the device). Returns
/// whether that happened (never, where the OS has no such call).
pub(crate) fn settle_range(file: &File, offset: u64, len: u64) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let (Ok(off), Ok(n)) = (i64::try_from(offset), i64::try_from(len)) else { return false };
        let flags = libc::SYNC_FILE_RANGE_WAIT_BEFORE | libc::SYNC_FILE_RANGE_WRITE | libc::SYNC_FILE_RANGE_WAIT_AFTER;
        // SAFETY: a valid open descriptor; both calls only act on that file's cached pages.
        unsafe {
            if libc::sync_file_range(file.as_raw_fd(), off, n, flags) != 0 {
                return false;
            }
            libc::posix_fadvise(file.as_raw_fd(), off, n, libc::POSIX_FADV_DONTNEED) == 0
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, offset, len);
        false
    }
}

/// Asks the OS to start writing a range of `file` to the device now, without waiting.
pub(crate) fn start_writeback(file: &File, offset: u64, len: u64) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else { return };
        // SAFETY: a valid open descriptor; with SYNC_FILE_RANGE_WRITE alone the call only
        // queues the range for writing.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, offset, len);
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// The check reads only what has been published, waits for the rest, and stops with
    /// an error (never hangs) when the writer stops early.
    #[test]
    fn the_check_follows_the_writer_and_never_waits_for_bytes_that_will_not_come() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
        for stop_early in [false, true] {
            let mut file = File::create(&path).unwrap();
            let shared = Written::default();
            let got = std::thread::scope(|s| {
                let reader = s.spawn(|| {
                    let mut r = Durable { file: File::open(&path).unwrap(), pos: 0, written: &shared };
                    let mut got = Vec::new();
                    r.read_to_end(&mut got).map(|_| got)
                });
                {
                    // The writer, leaving early (as on an error) or at the end.
                    let _stopped = StopGuard(&shared);
                    for (i, part) in data.chunks(30_000).enumerate() {
                        if stop_early && i == 3 {
                            break;
                        }
                        file.write_all(part).unwrap();
                        std::thread::sleep(Duration::from_millis(5));
                        shared.durable_to((i * 30_000 + part.len()) as u64);
                    }
                    if !stop_early {
                        shared.finish(true, data.len() as u64);
                    }
                }
                reader.join().unwrap()
            });
            match (stop_early, got) {
                (false, Ok(got)) => assert_eq!(got, data),
                (true, Err(e)) => assert!(e.to_string().contains("not finished"), "{e}"),
                (stop, other) => panic!("stop early {stop}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_settled_range_is_written_and_dropped_from_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = File::create(dir.path().join("f")).unwrap();
        file.write_all(&[7u8; 100_000]).unwrap();
        start_writeback(&file, 0, 100_000);
        assert_eq!(settle_range(&file, 0, 100_000), cfg!(target_os = "linux"));
    }
}
