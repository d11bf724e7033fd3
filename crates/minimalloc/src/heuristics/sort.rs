//! A stable radix sort of `(key, item)` pairs, interruptible between passes.
//!
//! Sorting a million buffers by comparison reads each buffer many times from
//! memory and runs for a good fraction of a second without a chance to look
//! at the deadline. The keys are copied out once, and sorted a byte at a time
//! (least significant first, skipping bytes equal in every key), so each
//! pass is a short linear scan and the deadline is checked between passes.

use super::place::Watch;
use super::HeuristicError;

/// Sorts `pairs` by key, stably (equal keys keep their order).
pub(super) fn radix_sort(pairs: &mut Vec<(u64, u32)>, watch: &mut Watch) -> Result<(), HeuristicError> {
    let n = pairs.len();
    if n < 2 {
        return Ok(());
    }
    let mut counts = vec![[0usize; 256]; 8];
    for &(key, _) in pairs.iter() {
        for (byte, count) in counts.iter_mut().enumerate() {
            count[(key >> (8 * byte)) as usize & 0xFF] += 1;
        }
    }
    watch.tick(n as u64)?;
    let mut scratch: Vec<(u64, u32)> = vec![(0, 0); n];
    for (byte, count) in counts.iter().enumerate() {
        if count.contains(&n) {
            continue;
        }
        let mut next = [0usize; 256];
        let mut total = 0;
        for (slot, &c) in next.iter_mut().zip(count) {
            *slot = total;
            total += c;
        }
        let shift = 8 * byte;
        for &pair in pairs.iter() {
            let digit = (pair.0 >> shift) as usize & 0xFF;
            scratch[next[digit]] = pair;
            next[digit] += 1;
        }
        std::mem::swap(pairs, &mut scratch);
        watch.tick(n as u64)?;
    }
    Ok(())
}

/// Maps an `i64` to a `u64` of the same order.
#[inline]
pub(super) fn ordered(value: i64) -> u64 {
    (value as u64) ^ (1 << 63)
}

/// Reorders `items` stably by `key`, largest first when `descending`.
pub(super) fn sort_by(
    items: &mut Vec<u32>,
    key: impl Fn(usize) -> u64,
    descending: bool,
    watch: &mut Watch,
) -> Result<(), HeuristicError> {
    let flip = if descending { u64::MAX } else { 0 };
    let mut pairs: Vec<(u64, u32)> = items.iter().map(|&i| (key(i as usize) ^ flip, i)).collect();
    radix_sort(&mut pairs, watch)?;
    items.clear();
    items.extend(pairs.iter().map(|&(_, i)| i));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::Rng;
    use crate::heuristics::Limits;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let limits = Limits::default();
        let mut watch = Watch::new(&limits);
        let mut rng = Rng::new(5);
        for n in [0usize, 1, 2, 17, 1000, 5000] {
            for spread in [1u64, 3, 1 << 20, u64::MAX] {
                let mut pairs: Vec<(u64, u32)> = (0..n as u32)
                    .map(|i| {
                        let k = rng.next_u64() % spread.max(1);
                        (if spread == u64::MAX { rng.next_u64() } else { k }, i)
                    })
                    .collect();
                let mut expected = pairs.clone();
                expected.sort_by_key(|p| p.0);
                radix_sort(&mut pairs, &mut watch).unwrap();
                assert_eq!(pairs, expected);
            }
        }
        assert!(ordered(-5) < ordered(0) && ordered(0) < ordered(7) && ordered(i64::MIN) < ordered(i64::MAX));
    }
}
