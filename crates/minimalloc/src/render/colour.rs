//! Colours for buffers: a palette of twelve distinguishable colours, given
//! greedily so that buffers drawn next to each other differ.

use std::collections::{BTreeSet, BinaryHeap};

use crate::problem::Problem;

/// Twelve colours that stay distinguishable next to each other (Tableau's
/// palette without its grey, which is kept for merged blocks, plus three of
/// its lighter companions).
pub(crate) const PALETTE: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#a0cbe8", "#8cd17d", "#d37295",
];

/// Whether dark text reads better than white on palette colour `index`.
pub(crate) fn wants_dark_text(index: u8) -> bool {
    let hex = PALETTE[index as usize % PALETTE.len()];
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0) as f64;
    let luminance = 0.299 * channel(1) + 0.587 * channel(3) + 0.114 * channel(5);
    luminance > 150.0
}

/// A palette index per buffer. Buffers are visited in time order; each one
/// avoids the colours of its nearest live neighbours below and above in
/// memory and of the buffers that ended exactly when it starts over the same
/// addresses, starting its choice from a hash of its index so that colours
/// vary. Buffers without an offset get colour 0.
pub(crate) fn assign(problem: &Problem, offsets: &[i64]) -> Vec<u8> {
    let n = problem.buffers.len();
    let mut colours = vec![0u8; n];
    let mut starts: Vec<usize> = (0..n.min(offsets.len())).collect();
    starts.sort_by_key(|&i| (problem.buffers[i].lifespan.lower, offsets[i], i));
    let top = |i: usize| offsets[i] as i128 + problem.buffers[i].size as i128;
    // Live buffers ordered by offset; a min-heap of (upper, index) to retire them.
    let mut live: BTreeSet<(i64, usize)> = BTreeSet::new();
    let mut ends: BinaryHeap<std::cmp::Reverse<(i64, usize)>> = BinaryHeap::new();
    let mut just_ended: Vec<(i64, usize)> = Vec::new();
    let mut forbidden = [false; PALETTE.len()];
    for &i in &starts {
        let buffer = &problem.buffers[i];
        let t = buffer.lifespan.lower;
        just_ended.retain(|&(_, j)| problem.buffers[j].lifespan.upper == t);
        while let Some(&std::cmp::Reverse((upper, j))) = ends.peek() {
            if upper > t {
                break;
            }
            ends.pop();
            live.remove(&(offsets[j], j));
            if upper == t {
                just_ended.push((offsets[j], j));
            }
        }
        forbidden.fill(false);
        let key = (offsets[i], i);
        if let Some(&(_, j)) = live.range(..key).next_back() {
            forbidden[colours[j] as usize] = true;
        }
        if let Some(&(_, j)) = live.range(key..).next() {
            forbidden[colours[j] as usize] = true;
        }
        for &(offset, j) in just_ended.iter().take(64) {
            if (offset as i128) < top(i) && top(j) > offsets[i] as i128 {
                forbidden[colours[j] as usize] = true;
            }
        }
        let start = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60;
        colours[i] = (0..PALETTE.len())
            .map(|k| ((start as usize + k) % PALETTE.len()) as u8)
            .find(|&c| !forbidden[c as usize])
            .unwrap_or(0);
        live.insert(key);
        ends.push(std::cmp::Reverse((buffer.lifespan.upper, i)));
    }
    colours
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Buffer;

    #[test]
    fn neighbours_get_different_colours() {
        // A stack of buffers live together, and one that follows each in time.
        let mut buffers: Vec<Buffer> = (0..30).map(|i| Buffer::new(format!("s{i}"), 0, 10, 4)).collect();
        buffers.extend((0..30).map(|i| Buffer::new(format!("f{i}"), 10, 20, 4)));
        let offsets: Vec<i64> = (0..60).map(|i| (i % 30) * 4).collect();
        let problem = Problem { buffers, capacity: 120 };
        let colours = assign(&problem, &offsets);
        for i in 0..29 {
            assert_ne!(colours[i], colours[i + 1], "stacked neighbours {i}");
            assert_ne!(colours[30 + i], colours[31 + i], "stacked neighbours {}", 30 + i);
            assert_ne!(colours[i], colours[30 + i], "neighbours in time {i}");
        }
        assert!(colours.iter().collect::<BTreeSet<_>>().len() > 3, "colours vary");
    }

    #[test]
    fn text_contrast() {
        assert!(!wants_dark_text(0), "white on blue");
        assert!(wants_dark_text(5), "dark on yellow");
    }
}
