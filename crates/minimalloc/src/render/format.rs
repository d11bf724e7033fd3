//! Text helpers for the renderers: XML escaping, compact numbers, human
//! units for addresses and tick positions.

use std::fmt::{self, Write as _};

/// Writes `text` with the five XML special characters escaped. Characters
/// that XML 1.0 does not allow at all (most control characters) become
/// U+FFFD so that the output stays well formed whatever the ids contain.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// [`escape_into`] into a new string.
#[cfg(test)]
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// A coordinate written with at most two decimals and no trailing zeros
/// (`12`, `12.5`, `12.34`), to keep large pictures small.
#[derive(Clone, Copy)]
pub(crate) struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = if self.0.is_finite() { self.0 } else { 0.0 };
        let scaled = (v * 100.0).round();
        if scaled == 0.0 {
            return f.write_str("0");
        }
        let whole = (scaled / 100.0).trunc();
        let frac = (scaled - whole * 100.0).abs() as i64;
        if scaled < 0.0 && whole == 0.0 {
            f.write_char('-')?;
        }
        write!(f, "{}", whole as i64)?;
        match frac {
            0 => Ok(()),
            f2 if f2 % 10 == 0 => write!(f, ".{}", f2 / 10),
            f2 => write!(f, ".{f2:02}"),
        }
    }
}

const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// The unit (power of 1024) in which `value` reads best, and its divisor.
fn unit_of(value: i128) -> (usize, f64) {
    let mut unit = 0;
    let mut divisor: i128 = 1;
    while unit + 1 < UNITS.len() && value.abs() >= divisor * 1024 {
        unit += 1;
        divisor *= 1024;
    }
    (unit, divisor as f64)
}

/// An amount of memory in base-1024 units with two decimals, as in titles:
/// `512 B`, `1.00 MiB`, `2.50 GiB`.
pub(crate) fn bytes(value: i128) -> String {
    let (unit, divisor) = unit_of(value);
    if unit == 0 {
        format!("{value} B")
    } else {
        format!("{:.2} {}", value as f64 / divisor, UNITS[unit])
    }
}

/// An amount of memory for an axis tick: base-1024 units, at most three
/// decimals, trailing zeros removed (`768 KiB`, `1.25 MiB`, `0`).
pub(crate) fn bytes_tick(value: i128) -> String {
    if value == 0 {
        return "0".to_string();
    }
    let (unit, divisor) = unit_of(value);
    if unit == 0 {
        return format!("{value} B");
    }
    let text = format!("{:.3}", value as f64 / divisor);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {}", UNITS[unit])
}

/// Ticks for memory addresses in `[lo, hi]`: the smallest power of two step
/// giving at most `max_ticks` intervals, so labels stay round in base 1024.
pub(crate) fn address_ticks(lo: i128, hi: i128, max_ticks: i128) -> Vec<i128> {
    let span = (hi - lo).max(1);
    let mut step: i128 = 1;
    while span / step > max_ticks.max(1) {
        step *= 2;
    }
    ticks_with_step(lo, hi, step)
}

/// Ticks for time in `[lo, hi]`: steps of 1, 2 or 5 times a power of ten,
/// the smallest giving at most `max_ticks` intervals.
pub(crate) fn time_ticks(lo: i128, hi: i128, max_ticks: i128) -> Vec<i128> {
    let span = (hi - lo).max(1);
    let mut power: i128 = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * power;
            if span / step <= max_ticks.max(1) {
                return ticks_with_step(lo, hi, step);
            }
        }
        power *= 10;
    }
}

fn ticks_with_step(lo: i128, hi: i128, step: i128) -> Vec<i128> {
    let first = lo.div_euclid(step) * step + if lo.rem_euclid(step) == 0 { 0 } else { step };
    let mut out = Vec::new();
    let mut t = first;
    while t <= hi {
        out.push(t);
        t += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml_specials_and_control_characters() {
        assert_eq!(escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(escape("x\u{1}y"), "x\u{FFFD}y");
        assert_eq!(escape("plain·ü"), "plain·ü");
    }

    #[test]
    fn numbers_are_compact() {
        let s = |v: f64| Num(v).to_string();
        assert_eq!(s(12.0), "12");
        assert_eq!(s(12.5), "12.5");
        assert_eq!(s(12.345), "12.35");
        assert_eq!(s(0.004), "0");
        assert_eq!(s(-0.25), "-0.25");
        assert_eq!(s(-3.5), "-3.5");
        assert_eq!(s(0.05), "0.05");
        assert_eq!(s(f64::NAN), "0");
    }

    #[test]
    fn human_units() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1 << 20), "1.00 MiB");
        assert_eq!(bytes(3 << 29), "1.50 GiB");
        assert_eq!(bytes_tick(0), "0");
        assert_eq!(bytes_tick(768 << 10), "768 KiB");
        assert_eq!(bytes_tick(5 << 18), "1.25 MiB");
        assert_eq!(bytes_tick(12), "12 B");
        assert_eq!(bytes_tick(i64::MAX as i128), "8 EiB");
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(address_ticks(0, 1 << 20, 8), (0..=8).map(|i| i << 17).collect::<Vec<_>>());
        assert_eq!(address_ticks(0, 12, 8), vec![0, 2, 4, 6, 8, 10, 12]);
        assert_eq!(time_ticks(0, 21936, 10), (0..=10).map(|i| i * 2000).collect::<Vec<_>>());
        assert_eq!(time_ticks(3, 9, 10), vec![3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(time_ticks(-7, 7, 3), vec![-5, 0, 5]);
    }
}
