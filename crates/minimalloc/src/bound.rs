//! Lower bounds on the height of every solution, beyond the max load.
//!
//! The simplest: a buffer with a fixed offset ends where it ends, so the
//! height is at least the highest such top ([`fixed_top`]).
//!
//! The max load ([`Problem::lower_bound`]) adds up what is active at one
//! moment. With gaps and windows it can be far too low: a buffer whose window
//! is narrow at the busiest moment still keeps its whole height apart from the
//! buffers it meets at full size at another moment, because the rule of the
//! model (see [`Buffer::effective_size`](crate::Buffer::effective_size)) is
//! that of two conflicting buffers one lies entirely above the other, by at
//! least their effective size.
//!
//! The **chain bound** uses that rule directly. Take a set `K` of buffers
//! that pairwise conflict (a clique of the conflict graph). In any solution
//! their offsets are totally ordered, `x₁ ≤ x₂ ≤ … ≤ xₖ`, each at least the
//! effective size `e(i, next)` above the one below, and the last one ends at
//! `xₖ + sizeₖ`. So with `m(i)` the smallest effective size of `i` towards
//! any other member, the height is at least
//!
//! ```text
//!     Σ m(i)  +  min (size(i) - m(i))        over i in K
//! ```
//!
//! (every member but the top one adds at least `m(i)`; the top one adds its
//! size instead). Without gaps this is the load of the moment, nothing new.
//! With gaps the cliques are found by starting from the buffers active at
//! each moment and adding, greedily, buffers that conflict with all of them
//! although they are not active then (a buffer in a gap at that moment, say).
//!
//! Finding the best clique is NP-hard; the bound spends a fixed budget of
//! work (effective-size lookups, and reading the buffers in scans of them
//! all), the busiest moments first, and is valid whatever
//! it finds.

use std::collections::HashMap;

use crate::problem::{Problem, TimeValue};

/// How much work [`lower_bound`] spends at most: effective-size lookups,
/// plus one unit per buffer read when scanning them all.
pub const DEFAULT_BUDGET: u64 = 1_000_000;

/// The best lower bound this module knows: the largest of the max load (and
/// largest buffer), the highest top of a fixed buffer, and the [chain
/// bound](chain_bound) within [`DEFAULT_BUDGET`] units of work. A problem that fails
/// [`Problem::check`] gets the max load only.
pub fn lower_bound(problem: &Problem) -> i64 {
    let max_load = problem.lower_bound();
    if problem.check().is_err() {
        return max_load;
    }
    max_load.max(fixed_top(problem)).max(chain_bound(problem, DEFAULT_BUDGET))
}

/// The highest `offset + size` of a buffer with a fixed offset (0 without
/// any): every solution reaches it. (A compiler that pins every buffer, as
/// IREE's traces do, leaves exactly one solution.)
pub fn fixed_top(problem: &Problem) -> i64 {
    problem.buffers.iter().filter_map(|b| b.offset.map(|o| o.saturating_add(b.size))).max().unwrap_or(0)
}

/// The chain bound over cliques grown from the busiest moments, spending at
/// most `budget` units of work (see [`DEFAULT_BUDGET`]); 0 when no buffer has gaps (the
/// bound then equals the max load).
pub fn chain_bound(problem: &Problem, budget: u64) -> i64 {
    if problem.buffers.iter().all(|b| b.gaps.is_empty()) {
        return 0;
    }
    let mut cliques = Cliques::new(problem, budget);
    let mut best = 0i64;
    for time in busiest_moments(problem) {
        // Finding the moment's members reads every buffer: that costs budget
        // too, or many small moments would take quadratic time.
        if cliques.charge(problem.buffers.len() as u64).is_err() {
            break;
        }
        let members: Vec<usize> =
            (0..problem.buffers.len()).filter(|&i| active_at(problem, i, time)).collect();
        match cliques.grow(members) {
            Some(bound) => best = best.max(bound),
            None => break,
        }
    }
    best
}

/// The moments at which some active segment starts, busiest first (by the
/// total width of what is active then).
fn busiest_moments(problem: &Problem) -> Vec<TimeValue> {
    let events = problem.load_changes();
    let mut moments: Vec<(i128, TimeValue)> = Vec::new();
    let mut load = 0i128;
    for (k, &(time, delta)) in events.iter().enumerate() {
        load += delta;
        let last_at_time = events.get(k + 1).is_none_or(|next| next.0 != time);
        if last_at_time && delta > 0 {
            moments.push((load, time));
        }
    }
    moments.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    moments.into_iter().map(|(_, time)| time).collect()
}

/// Whether buffer `i` uses some space at `time`.
fn active_at(problem: &Problem, i: usize, time: TimeValue) -> bool {
    problem.buffers[i]
        .segments()
        .iter()
        .any(|(span, window)| span.lower <= time && time < span.upper && !window.is_empty())
}

/// Effective sizes looked up once each, within a budget.
struct Cliques<'a> {
    problem: &'a Problem,
    sizes: Vec<i64>,
    memo: HashMap<(u32, u32), Option<i64>>,
    budget: u64,
}

/// The chain bound of a clique given, per member, its size and its smallest
/// effective size towards the others (see the module documentation).
fn chain(members: impl Iterator<Item = (i64, i64)>) -> i64 {
    let (mut count, mut sum, mut top, mut single) = (0usize, 0i128, i128::MAX, 0i64);
    for (size, least) in members {
        count += 1;
        sum += least as i128;
        top = top.min(size as i128 - least as i128);
        single = size;
    }
    match count {
        0 => 0,
        1 => single,
        _ => (sum + top).clamp(0, i64::MAX as i128) as i64,
    }
}

impl<'a> Cliques<'a> {
    fn new(problem: &'a Problem, budget: u64) -> Self {
        let sizes = problem.buffers.iter().map(|b| b.size).collect();
        Cliques { problem, sizes, memo: HashMap::new(), budget }
    }

    /// Spends `units` of the budget; `Err` (spending nothing) when fewer are
    /// left.
    fn charge(&mut self, units: u64) -> Result<(), ()> {
        self.budget = self.budget.checked_sub(units).ok_or(())?;
        Ok(())
    }

    /// The effective size of `i` below `j`; `Err` once the budget is spent.
    fn effective(&mut self, i: usize, j: usize) -> Result<Option<i64>, ()> {
        self.charge(1)?;
        let problem = self.problem;
        Ok(*self
            .memo
            .entry((i as u32, j as u32))
            .or_insert_with(|| problem.buffers[i].effective_size(&problem.buffers[j])))
    }

    /// The best chain bound met while growing the clique `members` greedily;
    /// `None` when the budget runs out first (or could not even pair up the
    /// members).
    fn grow(&mut self, mut members: Vec<usize>) -> Option<i64> {
        let k = members.len() as u64;
        if k * k.saturating_sub(1) > self.budget {
            return None;
        }
        // least[x]: the smallest effective size of members[x] towards the
        // others. Members active at one moment always conflict.
        let mut least = vec![i64::MAX; members.len()];
        for a in 0..members.len() {
            for b in (0..members.len()).filter(|&b| b != a) {
                let e = self.effective(members[a], members[b]).ok()?.unwrap_or(i64::MIN);
                least[a] = least[a].min(e);
            }
        }
        let sizes = std::mem::take(&mut self.sizes);
        let mut best = chain(members.iter().zip(&least).map(|(&i, &m)| (sizes[i], m)));
        let mut inside = vec![false; sizes.len()];
        members.iter().for_each(|&i| inside[i] = true);
        // Only a buffer live somewhere in [latest start, earliest end) of
        // the members can meet them all.
        let lifespan = |i: usize| self.problem.buffers[i].lifespan;
        let mut window = members.iter().fold((i64::MIN, i64::MAX), |(lo, hi), &i| {
            (lo.max(lifespan(i).lower), hi.min(lifespan(i).upper))
        });
        let (mut grown, mut pick_least) = (Vec::new(), Vec::new());
        let outcome = loop {
            // The outsider conflicting with every member whose joining gives
            // the highest bound (a scan of every buffer, paid for).
            if self.charge(sizes.len() as u64).is_err() {
                self.sizes = sizes;
                return None;
            }
            let mut pick: Option<(i64, usize, i64)> = None;
            'candidates: for c in 0..sizes.len() {
                if inside[c] || lifespan(c).lower >= window.1 || lifespan(c).upper <= window.0 {
                    continue;
                }
                grown.clone_from(&least);
                let mut own = i64::MAX;
                for (x, &j) in members.iter().enumerate() {
                    let (Ok(up), Ok(down)) = (self.effective(c, j), self.effective(j, c)) else {
                        self.sizes = sizes;
                        return None;
                    };
                    let (Some(up), Some(down)) = (up, down) else { continue 'candidates };
                    own = own.min(up);
                    grown[x] = grown[x].min(down);
                }
                let value =
                    chain(members.iter().zip(&grown).map(|(&i, &m)| (sizes[i], m)).chain([(sizes[c], own)]));
                if pick.is_none_or(|p| value > p.0) {
                    pick = Some((value, c, own));
                    pick_least.clone_from(&grown);
                }
            }
            let Some((value, c, own)) = pick else { break Some(best) };
            best = best.max(value);
            inside[c] = true;
            members.push(c);
            window = (window.0.max(lifespan(c).lower), window.1.min(lifespan(c).upper));
            std::mem::swap(&mut least, &mut pick_least);
            least.push(own);
        };
        self.sizes = sizes;
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Gap, Interval, Window};

    fn gap(lower: TimeValue, upper: TimeValue, window: Option<(i64, i64)>) -> Gap {
        Gap { lifespan: Interval::new(lower, upper), window: window.map(|(a, b)| Window::new(a, b)) }
    }

    /// a (4 high) and b (3) with lifespans `a_until` and `b_from` apart, and
    /// c (5), live over `[0, 3)` but in a gap during `[1, 2)`.
    fn with_c_in_a_gap(a_until: TimeValue, b_from: TimeValue) -> Problem {
        let mut c = Buffer::new("c", 0, 3, 5);
        c.gaps = vec![gap(1, 2, None)];
        Problem {
            buffers: vec![Buffer::new("a", 0, a_until, 4), Buffer::new("b", b_from, 3, 3), c],
            capacity: 100,
        }
    }

    #[test]
    fn reading_the_buffers_is_paid_for() {
        // Many short buffers one after the other, each with a gap: every
        // moment has one member, so lookups cost nothing, but each moment
        // reads all the buffers. That reading is charged to the budget, so
        // the work stays bounded (it once took minutes on 50,000 buffers).
        let n = 2000;
        let buffers = (0..n)
            .map(|i| {
                let mut b = Buffer::new(i.to_string(), 3 * i, 3 * i + 3, 10 + i % 7);
                b.gaps = vec![gap(3 * i + 1, 3 * i + 2, None)];
                b
            })
            .collect();
        let problem = Problem { buffers, capacity: 100 };
        let n = n as u64;
        assert_eq!(chain_bound(&problem, n - 1), 0, "too little budget to read the buffers once");
        // One moment's reading and one scan for outsiders: its lone member.
        assert!(chain_bound(&problem, 2 * n) >= 10);
        assert_eq!(chain_bound(&problem, DEFAULT_BUDGET), 16, "the largest buffer");
    }

    #[test]
    fn no_gaps_adds_nothing() {
        let problem =
            Problem { buffers: vec![Buffer::new("a", 0, 2, 3), Buffer::new("b", 1, 3, 4)], capacity: 10 };
        assert_eq!(chain_bound(&problem, DEFAULT_BUDGET), 0);
        assert_eq!(lower_bound(&problem), 7);
    }

    #[test]
    fn a_buffer_in_a_gap_still_keeps_its_place_in_the_stack() {
        // c is in a gap at time 1, where a and b are, but meets both at full
        // size at times 0 and 2: the three are stacked whatever the order.
        let problem = with_c_in_a_gap(3, 0);
        assert_eq!(problem.lower_bound(), 12);
        // Here the max load already sees all three at time 0.
        assert_eq!(lower_bound(&problem), 12);
        // Split the moments: a at 0..2, b at 1..3, c meets a at 0 and b at 2.
        let problem = with_c_in_a_gap(2, 1);
        // Loads: 9 at time 0, 7 at time 1, 8 at time 2; but a, b and c
        // pairwise conflict, so they are stacked: 4 + 3 + 5.
        assert_eq!(problem.lower_bound(), 9);
        assert_eq!(chain_bound(&problem, DEFAULT_BUDGET), 12);
    }

    #[test]
    fn a_fixed_buffer_sets_a_floor_for_the_height() {
        let mut pinned = Buffer::new("p", 0, 2, 3);
        pinned.offset = Some(20);
        let problem = Problem { buffers: vec![Buffer::new("a", 0, 2, 4), pinned], capacity: 100 };
        assert_eq!(problem.lower_bound(), 7);
        assert_eq!(fixed_top(&problem), 23);
        assert_eq!(lower_bound(&problem), 23);
    }

    #[test]
    fn a_low_window_lets_a_short_buffer_nest_below() {
        // At time 1 only b's top unit is in use, and a lives only then: a may
        // sit under b's window (effective size -3), so the chain gives less
        // than the largest buffer, which stays the bound.
        let mut b = Buffer::new("b", 0, 2, 10);
        b.gaps = vec![gap(1, 2, Some((9, 10)))];
        let problem = Problem { buffers: vec![Buffer::new("a", 1, 2, 6), b], capacity: 100 };
        assert!(chain_bound(&problem, DEFAULT_BUDGET) <= 10);
        assert_eq!(lower_bound(&problem), 10);
    }

    #[test]
    fn the_bound_stops_at_the_budget_and_stays_valid() {
        let problem = with_c_in_a_gap(2, 1);
        for budget in 0..40 {
            assert!(chain_bound(&problem, budget) <= 12);
        }
        assert_eq!(chain_bound(&problem, 0), 0);
    }
}
