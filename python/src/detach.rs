//! Running long searches without holding the GIL, while staying responsive to
//! Ctrl-C.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// How often the waiting thread looks for pending signals (Ctrl-C).
const SIGNAL_POLL: Duration = Duration::from_millis(20);

/// Runs `work` on a worker thread with the GIL released, so other Python
/// threads run meanwhile (and can, for example, cancel the search).
///
/// While waiting, the calling thread checks for Python signals every 20 ms:
/// on `KeyboardInterrupt` (or any exception a signal handler raises) it calls
/// `cancel` (and again every 20 ms, in case `work` had not yet started and
/// cleared it), waits for `work` to stop, and returns that exception. A panic in
/// `work` becomes a `RuntimeError`.
pub fn run_detached<T, W, C>(py: Python<'_>, cancel: C, work: W) -> PyResult<T>
where
    T: Send,
    W: FnOnce() -> T + Send,
    C: Fn() + Sync,
{
    py.detach(|| {
        std::thread::scope(|scope| {
            let (sender, receiver) = mpsc::channel();
            let handle = std::thread::Builder::new()
                .name("minimalloc-python".into())
                .spawn_scoped(scope, move || {
                    let _ = sender.send(work());
                })
                .map_err(|e| PyRuntimeError::new_err(format!("cannot start a solver thread: {e}")))?;
            let mut interrupted: Option<PyErr> = None;
            loop {
                match receiver.recv_timeout(SIGNAL_POLL) {
                    Ok(value) => {
                        let _ = handle.join();
                        return match interrupted {
                            Some(err) => Err(err),
                            None => Ok(value),
                        };
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if interrupted.is_some() {
                            // Again at every poll: a search that had not
                            // started yet when Ctrl-C came clears the request
                            // as it starts (a new solve forgets an old
                            // cancel), and would then run to its end.
                            cancel();
                        } else if let Err(err) = Python::attach(|py| py.check_signals()) {
                            cancel();
                            interrupted = Some(err);
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        // The worker ended without sending: it panicked.
                        let message = match handle.join() {
                            Err(panic) => panic
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_else(|| "unknown panic".into()),
                            Ok(()) => "the worker stopped without a result".into(),
                        };
                        return Err(PyRuntimeError::new_err(format!(
                            "minimalloc: internal error: {message}"
                        )));
                    }
                }
            }
        })
    })
}
