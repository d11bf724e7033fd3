//! Ctrl-C (SIGINT): stop within 100 ms, write nothing, exit with code 130.
//!
//! The handler cancels the running search (which then returns promptly) and
//! records the interruption; the main thread turns that into exit code 130.
//! If the main thread is busy elsewhere (reading a large file, say) and does
//! not finish within 50 ms, the handler removes any half-written output and
//! exits itself.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use minimalloc::search::CancelHandle;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static SOLVER: Mutex<Option<CancelHandle>> = Mutex::new(None);
static PENDING_OUTPUTS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The exit code of an interrupted run.
pub const EXIT_CODE: u8 = 130;

/// Installs the handler (once, at start-up).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        if let Ok(guard) = SOLVER.lock() {
            if let Some(handle) = guard.as_ref() {
                handle.cancel();
            }
        }
        std::thread::sleep(Duration::from_millis(50));
        // The main thread has not exited by itself: clean up and leave.
        if let Ok(guard) = PENDING_OUTPUTS.lock() {
            for path in guard.iter() {
                let _ = std::fs::remove_file(path);
            }
        }
        eprintln!("minimalloc: interrupted; nothing was written");
        std::process::exit(EXIT_CODE.into());
    });
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Lets Ctrl-C cancel this solver (until the next call).
pub fn watch_solver(handle: CancelHandle) {
    if let Ok(mut guard) = SOLVER.lock() {
        *guard = Some(handle);
    }
}

/// Records a temporary output file for the handler to remove if the run is
/// interrupted before it is put in place.
pub fn pending_output(path: &Path) {
    if let Ok(mut guard) = PENDING_OUTPUTS.lock() {
        guard.push(path.to_path_buf());
    }
}

/// Forgets the temporary output files (put in place, or removed).
pub fn clear_pending_outputs() {
    if let Ok(mut guard) = PENDING_OUTPUTS.lock() {
        guard.clear();
    }
}
