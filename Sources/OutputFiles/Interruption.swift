import Foundation

/// Temporary output files that a signal must not leave behind.
///
/// A cancelled CI job sends SIGINT, then SIGTERM: without this, the temporary file beside an
/// output being written (``OutputFiles/stage(_:to:creatingDirectories:)``, up to hundreds of
/// megabytes) stayed behind, one per cancelled run, filling a self-hosted runner's disk.
public enum Interruption {
    /// The signals that end a run early: Ctrl-C, a runner's cancellation, a closed terminal.
    static let signals = [SIGINT, SIGTERM, SIGHUP]

    /// From now on, SIGINT, SIGTERM and SIGHUP remove the temporary files being written, then end
    /// the process as the signal would have (its status says which signal).
    ///
    /// Call it first in `main`, before any other thread starts: the signals are blocked in this
    /// thread, so in every thread started after it, and one thread waits for them with
    /// `sigwait`, where removing files is safe (a signal handler may do almost nothing).
    /// Child processes start with an empty signal mask (Foundation's `Process` sets one; the
    /// credential helper's `posix_spawn` asks for it).
    ///
    /// A signal ScanGate was started ignoring (`nohup`, a shell's background job) stays ignored.
    public static func removeTemporaryFilesOnSignal() {
        let handled = signals.filter { !isIgnored($0) }
        guard !handled.isEmpty else { return }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signal in handled { sigaddset(&blocked, signal) }
        guard pthread_sigmask(SIG_BLOCK, &blocked, nil) == 0 else { return }
        let waiter = Thread {
            var waited = sigset_t()
            sigemptyset(&waited)
            for signal in handled { sigaddset(&waited, signal) }
            var received: Int32 = 0
            while sigwait(&waited, &received) != 0 {}
            PendingTemporaryFiles.removeAllAndHold()
            // As the signal would have: the default action, taken in this thread.
            Foundation.signal(received, SIG_DFL)
            var this = sigset_t()
            sigemptyset(&this)
            sigaddset(&this, received)
            pthread_sigmask(SIG_UNBLOCK, &this, nil)
            raise(received)
            Foundation.exit(128 + received)
        }
        waiter.start()
    }
}

extension Interruption {
    /// Whether `signal`'s disposition is `SIG_IGN`.
    static func isIgnored(_ signal: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(signal, nil, &current) == 0 else { return false }
        // SIG_IGN is the handler address 1 (`((__sighandler_t) 1)`), not imported as a constant.
        #if os(Linux)
            return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 1
        #else
            return unsafeBitCast(current.__sigaction_u.__sa_handler, to: Int.self) == 1
        #endif
    }
}

/// The temporary files being written now, by path.
enum PendingTemporaryFiles {
    private static let lock = NSLock()
    /// Read and written only with `lock` held.
    nonisolated(unsafe) private static var paths = Set<String>()

    /// Opens `path` with `open`, registered under the lock when it opened: a signal between
    /// the two would otherwise find a file not yet registered.
    /// `errno` is `open`'s.
    static func opening(_ path: String, with open: () -> Int32) -> Int32 {
        lock.lock()
        let descriptor = open()
        let error = errno
        if descriptor >= 0 { paths.insert(path) }
        lock.unlock()
        errno = error
        return descriptor
    }

    static func remove(_ path: String) { lock.withLock { _ = paths.remove(path) } }

    /// Unlinks every one, keeping the lock: the process ends next, and no other thread may
    /// start a temporary file meanwhile (it waits for the lock).
    static func removeAllAndHold() {
        lock.lock()
        for path in paths { unlink(path) }
    }
}
