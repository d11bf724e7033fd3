//! Static preordering: the order in which the search first considers buffers.
//!
//! Before searching a partition, its buffers are sorted by a *preordering
//! heuristic*: a string of letters, each naming a key compared in descending
//! order, the first difference deciding (ties fall back to the buffer index,
//! ascending). The letters are those of the reference:
//!
//! | letter | key |
//! |---|---|
//! | `A` | area (size × lifespan length) |
//! | `C` | number of sections spanned |
//! | `L` | lower end of the lifespan |
//! | `O` | number of overlapping buffers |
//! | `T` | largest total of unplaced sizes in any section the buffer spans |
//! | `U` | upper end of the lifespan |
//! | `W` | width (lifespan length) |
//! | `Z` | size |
//!
//! The default list is `WAT,TAW,TWA`; with several, the search runs them in
//! turn with a growing node limit (see [`crate::search`]).

use std::cmp::Ordering;
use std::fmt;

/// The keys a [`PreorderingComparator`] may compare, for one buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PreorderData {
    /// Size × lifespan length.
    pub area: i128,
    /// Start of the lifespan.
    pub lower: i64,
    /// How many buffers it overlaps.
    pub overlaps: u64,
    /// How many sections it spans (from first to last, gaps included).
    pub sections: i64,
    /// Its size.
    pub size: i64,
    /// The largest total of unplaced sizes in the sections it spans.
    pub total: i64,
    /// End of the lifespan.
    pub upper: i64,
    /// Lifespan length.
    pub width: i128,
    /// Index into the problem's buffers.
    pub buffer_idx: usize,
}

/// A preordering heuristic string is not made of the known letters.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("preordering heuristic {heuristic:?}: unknown letter {letter:?} (expected letters among A, C, L, O, T, U, W, Z)")]
pub struct BadHeuristic {
    /// The whole heuristic string.
    pub heuristic: String,
    /// The first unknown letter.
    pub letter: char,
}

/// Compares [`PreorderData`] by the keys its heuristic string names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PreorderingComparator {
    heuristic: String,
}

impl PreorderingComparator {
    /// A comparator for `heuristic`, which must use only the letters
    /// `ACLOTUWZ` (an empty string orders by buffer index alone).
    pub fn new(heuristic: &str) -> Result<Self, BadHeuristic> {
        if let Some(letter) = heuristic.chars().find(|c| !"ACLOTUWZ".contains(*c)) {
            return Err(BadHeuristic { heuristic: heuristic.to_string(), letter });
        }
        Ok(PreorderingComparator { heuristic: heuristic.to_string() })
    }

    /// As the reference's constructor: letters outside `ACLOTUWZ` are kept
    /// but ignored when comparing (for code written against the reference;
    /// [`Self::new`] rejects them).
    pub fn lenient(heuristic: &str) -> Self {
        PreorderingComparator { heuristic: heuristic.to_string() }
    }

    /// The heuristic string.
    pub fn heuristic(&self) -> &str {
        &self.heuristic
    }

    /// Orders `a` before `b` when its first differing key is larger; ties go
    /// to the smaller buffer index.
    pub fn compare(&self, a: &PreorderData, b: &PreorderData) -> Ordering {
        for letter in self.heuristic.bytes() {
            let ord = match letter {
                b'A' => b.area.cmp(&a.area),
                b'C' => b.sections.cmp(&a.sections),
                b'L' => b.lower.cmp(&a.lower),
                b'O' => b.overlaps.cmp(&a.overlaps),
                b'T' => b.total.cmp(&a.total),
                b'U' => b.upper.cmp(&a.upper),
                b'W' => b.width.cmp(&a.width),
                b'Z' => b.size.cmp(&a.size),
                _ => Ordering::Equal,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        a.buffer_idx.cmp(&b.buffer_idx)
    }

    /// Whether `a` goes strictly before `b` (the reference's `operator()`).
    pub fn less(&self, a: &PreorderData, b: &PreorderData) -> bool {
        self.compare(a, b) == Ordering::Less
    }
}

impl fmt::Display for PreorderingComparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "preorder heuristic {}", self.heuristic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(idx: usize, area: i128, total: i64, width: i128) -> PreorderData {
        PreorderData { area, total, width, buffer_idx: idx, ..PreorderData::default() }
    }

    #[test]
    fn keys_descend_and_index_breaks_ties() {
        let c = PreorderingComparator::new("WAT").unwrap();
        let a = data(0, 10, 5, 2);
        let b = data(1, 20, 5, 2);
        assert!(c.less(&b, &a), "larger area first");
        let wide = data(2, 1, 1, 9);
        assert!(c.less(&wide, &b), "width decides before area");
        assert!(c.less(&a, &data(3, 10, 5, 2)), "ties: smaller index first");
        let t = PreorderingComparator::new("TAW").unwrap();
        assert!(t.less(&data(4, 1, 9, 1), &b));
    }

    #[test]
    fn unknown_letters_are_rejected() {
        let err = PreorderingComparator::new("WAX").unwrap_err();
        assert_eq!(err.letter, 'X');
        assert!(PreorderingComparator::new("").is_ok());
    }
}
