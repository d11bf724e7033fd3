//! A progress line on standard error for long runs: elapsed time, nodes,
//! backtracks, best height and lower bound. Shown only when standard error is
//! a terminal, after the first second, and never with `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use minimalloc::search::CancelHandle;

/// A running progress display; dropping it (or [`Progress::finish`]) clears it.
pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts watching `handle` (no display unless stderr is a terminal).
    /// The elapsed time shown counts from this call, which the CLI makes
    /// right before the search starts.
    pub fn start(handle: CancelHandle, lower_bound: i64, quiet: bool) -> Self {
        let start = Instant::now();
        let done = Arc::new(AtomicBool::new(false));
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { done, thread: None };
        }
        let flag = done.clone();
        let thread = std::thread::spawn(move || {
            let mut bar: Option<ProgressBar> = None;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let elapsed = start.elapsed();
                if elapsed < Duration::from_secs(1) {
                    continue;
                }
                // indicatif's own `{elapsed}` would count from the bar's
                // creation, a second late: the time is formatted here.
                let bar = bar.get_or_insert_with(|| {
                    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                    bar.set_style(
                        ProgressStyle::with_template("{spinner} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    bar
                });
                bar.set_message(line(
                    elapsed,
                    handle.nodes(),
                    handle.backtracks(),
                    handle.best_height(),
                    lower_bound,
                ));
                bar.tick();
            }
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
        });
        Progress { done, thread: Some(thread) }
    }

    /// Stops and clears the display.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The progress text after `elapsed` (shown as `HH:MM:SS`, like indicatif's
/// `{elapsed_precise}`).
fn line(
    elapsed: Duration,
    nodes: u64,
    backtracks: u64,
    best_height: Option<i64>,
    lower_bound: i64,
) -> String {
    let seconds = elapsed.as_secs();
    let best = best_height.map_or("-".to_string(), |h| h.to_string());
    format!(
        "{:02}:{:02}:{:02} {nodes} nodes, {backtracks} backtracks, best height {best}, lower bound {lower_bound}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_counts_from_the_start_of_the_run() {
        assert_eq!(
            line(Duration::from_millis(1_900), 12, 3, None, 7),
            "00:00:01 12 nodes, 3 backtracks, best height -, lower bound 7"
        );
        assert_eq!(
            line(Duration::from_secs(3 * 3600 + 25 * 60 + 9), 0, 0, Some(42), 40),
            "03:25:09 0 nodes, 0 backtracks, best height 42, lower bound 40"
        );
    }

    #[test]
    fn no_display_when_quiet() {
        let progress = Progress::start(CancelHandle::default(), 0, true);
        assert!(progress.thread.is_none());
        progress.finish();
    }
}
