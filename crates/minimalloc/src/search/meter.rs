//! The node meter both depth-first searches share: it counts nodes and
//! backtracks and says when a search must stop.
//!
//! A search calls [`Meter::tick`] once per node. The tick is cheap: a
//! decrement of the node budget of the current run, one relaxed load of the
//! cancel flag, and a countdown; only every `interval` nodes does it publish
//! the counts for progress reports, read the clock, and read the node limit a
//! racing search may have set (see `race` in the parent module).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::dfs::Status;
use super::Shared;

/// Counters and limits of one search.
pub(crate) struct Meter<'a> {
    shared: &'a Shared,
    deadline: Option<Instant>,
    /// Stop (as if cancelled) once this many nodes are counted: set by a
    /// search racing this one when it finishes first.
    stop_at: Option<&'a AtomicU64>,
    /// Nodes the current run may still visit.
    pub(crate) budget: u64,
    /// Nodes visited.
    pub(crate) nodes: u64,
    /// Backtracks made.
    pub(crate) backtracks: u64,
    /// Nodes of a sibling search that count towards `stop_at` too (the
    /// skyline search's other direction).
    pub(crate) other_nodes: u64,
    /// Nodes and backtracks already added to `shared`.
    published: (u64, u64),
    countdown: u32,
    interval: u32,
}

impl<'a> Meter<'a> {
    /// A meter that reads the clock at the first node, then every `interval`
    /// nodes (at least 1).
    pub(crate) fn new(shared: &'a Shared, deadline: Option<Instant>, interval: u32) -> Self {
        let interval = interval.max(1);
        Meter {
            shared,
            deadline,
            stop_at: None,
            budget: u64::MAX,
            nodes: 0,
            backtracks: 0,
            other_nodes: 0,
            published: (0, 0),
            // The first node checks at once (a deadline already past).
            countdown: 1,
            interval,
        }
    }

    /// Makes the search stop once it (with `other_nodes`) has counted
    /// `limit` nodes, read every `interval` nodes.
    pub(crate) fn stop_at(&mut self, limit: Option<&'a AtomicU64>) {
        self.stop_at = limit;
    }

    /// Adds the counts since the last call to the shared progress counters.
    pub(crate) fn publish(&mut self) {
        self.shared.publish(&mut self.published, self.nodes, self.backtracks);
    }

    /// Counts a node: `Aborted` when the run's budget is spent, `Cancelled`
    /// when the user or a faster racer stopped the search, `Timeout` past
    /// the deadline.
    #[inline]
    pub(crate) fn tick(&mut self) -> Option<Status> {
        if self.budget == 0 {
            return Some(Status::Aborted);
        }
        self.budget -= 1;
        self.nodes += 1;
        self.pulse()
    }

    /// Counts work that is not a node (a child that failed its checks, which
    /// may have raised and undone a wide stretch): like [`Self::tick`] it
    /// reads the cancel flag, and the clock every `interval` calls, but it
    /// spends no budget and counts no node, so that a long run of failures
    /// still stops on time.
    #[inline]
    pub(crate) fn pulse(&mut self) -> Option<Status> {
        if self.shared.cancelled.load(Ordering::Relaxed) {
            return Some(Status::Cancelled);
        }
        self.countdown -= 1;
        if self.countdown == 0 {
            return self.checkpoint();
        }
        None
    }

    /// The rarer part of [`Self::tick`]: progress, clock, racer's limit.
    #[cold]
    fn checkpoint(&mut self) -> Option<Status> {
        self.countdown = self.interval;
        self.publish();
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Some(Status::Timeout);
        }
        let counted = self.nodes.saturating_add(self.other_nodes);
        if self.stop_at.is_some_and(|limit| counted >= limit.load(Ordering::Relaxed)) {
            return Some(Status::Cancelled);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_budget_aborts() {
        let shared = Shared::default();
        let mut meter = Meter::new(&shared, None, 4);
        meter.budget = 2;
        assert_eq!(meter.tick(), None);
        assert_eq!(meter.tick(), None);
        assert_eq!(meter.tick(), Some(Status::Aborted));
        assert_eq!(meter.nodes, 2);
    }

    #[test]
    fn a_cancel_stops_at_the_next_node() {
        let shared = Shared::default();
        let mut meter = Meter::new(&shared, None, 1000);
        assert_eq!(meter.tick(), None);
        shared.cancelled.store(true, Ordering::Relaxed);
        assert_eq!(meter.tick(), Some(Status::Cancelled));
    }

    #[test]
    fn the_racers_limit_and_the_clock_are_read_every_interval() {
        let shared = Shared::default();
        let limit = AtomicU64::new(5);
        let mut meter = Meter::new(&shared, None, 4);
        meter.stop_at(Some(&limit));
        meter.other_nodes = 3;
        // The first node checks (1 + 3 < 5); the next check, four nodes on,
        // sees 5 + 3 >= 5.
        for _ in 0..4 {
            assert_eq!(meter.tick(), None);
        }
        assert_eq!(meter.tick(), Some(Status::Cancelled));
        assert_eq!(shared.nodes.load(Ordering::Relaxed), 5, "the counts are published at the checkpoint");
        let past = Instant::now();
        let mut meter = Meter::new(&shared, Some(past), 1000);
        assert_eq!(meter.tick(), Some(Status::Timeout));
    }

    #[test]
    fn pulses_read_the_clock_without_counting_nodes() {
        let shared = Shared::default();
        let past = Instant::now();
        let mut meter = Meter::new(&shared, Some(past), 3);
        meter.budget = 1;
        assert_eq!(meter.pulse(), Some(Status::Timeout), "the first call checks");
        for _ in 0..2 {
            assert_eq!(meter.pulse(), None);
        }
        assert_eq!(meter.pulse(), Some(Status::Timeout), "and every third after");
        assert_eq!((meter.nodes, meter.budget), (0, 1));
    }
}
