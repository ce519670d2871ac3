//! Two small requests to the operating system that keep the window quick and lean on a
//! cheap PC. Both are Linux-only here (the only system this project can build and test
//! on); elsewhere they do nothing and the app behaves the same, a little less lean.

/// Large memory blocks are always given back to the system when freed. Without this,
/// glibc raises its threshold for that after the first large block is freed, and the
/// next ones (a sign-in's 19 MB of Argon2 memory, a report's rows) stay counted against
/// Saathi for as long as the window is open. Windows already gives large blocks back.
pub fn give_back_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called at the start of `main`, before any other thread exists; it only
    // sets an allocator tunable.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Lowers the priority of the calling thread, for background work (the start-up
/// integrity check and the daily local snapshot) that must not slow the window's first
/// screen on a 2-core PC: it still gets all the processor the window does not use.
pub fn background_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid has no preconditions; on Linux setpriority with a thread id changes
    // only that thread's nice value.
    unsafe {
        let tid = libc::gettid();
        if let Ok(tid) = libc::id_t::try_from(tid) {
            libc::setpriority(libc::PRIO_PROCESS, tid, 10);
        }
    }
}
