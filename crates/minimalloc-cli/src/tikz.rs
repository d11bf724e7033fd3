//! The reference's `--print_solution`: a LaTeX/TikZ picture of the solution.
//!
//! The text is the reference's `PrintSolution` (`src/main.cc` of
//! google/minimalloc) byte for byte: the same lines, the same `float`
//! arithmetic (`f32` here, each step rounded as C++ rounds it) and the same
//! number formatting (a `float` sent to a default `std::ostream`, that is
//! `printf("%g")`). Like the reference, every active stretch of a buffer is a
//! rectangle followed by a `\node` with the buffer's id in its middle.
//!
//! Where the reference prints something that is not valid LaTeX, this module
//! deliberately differs:
//!
//! * ids in the `\node` labels are escaped (`conv_1` becomes `conv\_1`,
//!   `a&b` becomes `a\&b`); ids without LaTeX special characters print as in
//!   the reference. In the `% ... ID = ` comment the id stays as written,
//!   except that line breaks and other control characters become spaces (a
//!   line break would end the comment).
//! * time differences are computed in 128 bits, so lifespans near the ends
//!   of the 64-bit range (the reference's `int64_t` subtraction overflows)
//!   give a correct picture rather than negative widths;
//! * a zero time span or a capacity of zero (the reference divides by zero
//!   and prints `inf`/`nan` coordinates) scale by 1 instead; a capacity below
//!   the solution's height (never passed by the CLI) scales by the height.

use std::fmt::Write as _;

use minimalloc::{Problem, Solution};

/// Width and height of the picture in centimetres (the reference's `kWidth`
/// and `kHeight`).
const WIDTH: f32 = 17.0;
const HEIGHT: f32 = 8.5;

/// Formats a `float` as a default C++ `std::ostream` does: `printf("%g")`,
/// that is 6 significant digits, trailing zeros dropped, scientific notation
/// (`1e+06`, `1.5e-05`) when the decimal exponent is below -4 or above 5.
fn num(x: f32) -> String {
    // The stream prints the float promoted to double (exactly the same value).
    let v = f64::from(x);
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // The exponent is the one after rounding to 6 significant digits
    // (999999.5 prints as 1e+06), as C specifies for %g. Rust rounds the exact
    // binary value half to even, as glibc does.
    let scientific = format!("{v:.5e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    fn strip_zeros(s: &str) -> &str {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            s
        }
    }
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_zeros(mantissa), exponent.unsigned_abs())
    } else {
        let decimals = (5 - exponent) as usize;
        strip_zeros(&format!("{v:.decimals$}")).to_string()
    }
}

/// `a - b` without overflow, as the reference's `float` conversion of the
/// (there possibly overflowing) `int64_t` difference: one rounding to the
/// nearest `f32`.
fn diff(a: i64, b: i64) -> f32 {
    (i128::from(a) - i128::from(b)) as f32
}

/// Escapes an id for the text of a `\node`: LaTeX's special characters become
/// commands printing them, control characters become spaces.
fn latex_text(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '$' | '&' | '#' | '%' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An id for the end of a `%` comment line: as written, but without line
/// breaks (or other control characters), which would end the comment.
fn comment_text(id: &str) -> String {
    id.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The standalone LaTeX document, one rectangle per active stretch of each
/// buffer, with its id in the middle, as the reference prints it.
pub fn tikz(problem: &Problem, solution: &Solution) -> String {
    let mut out = String::new();
    out.push_str("\n\\documentclass[tikz]{standalone}\n\\usepackage{tikz}\n\\usepackage{pgfplots}\n");
    out.push_str("\\begin{document}\n\\begin{tikzpicture}\n");
    // The reference starts from these values (so with no buffers the span is
    // negative, and the frame still comes out 17 wide).
    let min_time = problem.buffers.iter().map(|b| b.lifespan.lower).fold(i64::MAX, i64::min);
    let max_time = problem.buffers.iter().map(|b| b.lifespan.upper).fold(0, i64::max);
    let span = diff(max_time, min_time);
    let span = if span == 0.0 { 1.0 } else { span };
    let scale_x = WIDTH / span;
    let capacity = match problem.capacity.max(solution.height) {
        c if c <= 0 => 1,
        c => c,
    };
    let scale_y = HEIGHT / capacity as f32;
    for (buffer, &offset) in problem.buffers.iter().zip(&solution.offsets) {
        for i in 0..=buffer.gaps.len() {
            let left = if i == 0 { buffer.lifespan.lower } else { buffer.gaps[i - 1].lifespan.upper };
            let right =
                if i == buffer.gaps.len() { buffer.lifespan.upper } else { buffer.gaps[i].lifespan.lower };
            if left == right {
                continue;
            }
            let x = scale_x * diff(left, min_time);
            let y = scale_y * offset as f32;
            let w = scale_x * diff(right, left);
            let h = scale_y * buffer.size as f32;
            let _ = writeln!(
                out,
                "\\fill[lightgray,draw=darkgray] ({},{}) rectangle ({},{});  % height = {}, ID = {}",
                num(x),
                num(y),
                num(x + w),
                num(y + h),
                num(h),
                comment_text(&buffer.id)
            );
            let _ = writeln!(
                out,
                "\\node at ({},{}) {{{}}};",
                num(x + w / 2.0),
                num(y + h / 2.0),
                latex_text(&buffer.id)
            );
        }
    }
    let w = scale_x * diff(max_time, min_time);
    let h = scale_y * capacity as f32;
    let _ = writeln!(out, "\\fill[draw=black,fill opacity=0,thick] (0,0) rectangle ({},{});", num(w), num(h));
    out.push_str("\\end{tikzpicture}\n\\end{document}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use minimalloc::{Buffer, Gap, Interval};

    /// What the reference's `PrintSolution` prints for its README example
    /// (capacity 12, offsets 8, 8, 4, 4, 0), worked out from its code:
    /// `scale_x = 17/21`, `scale_y = 8.5/12` in `float`, each coordinate
    /// printed with 6 significant digits.
    const README_PICTURE: &str = include_str!("../tests/data/readme-picture.tex");

    fn readme_example() -> (Problem, Solution) {
        let buffers = vec![
            Buffer::new("b1", 0, 3, 4),
            Buffer::new("b2", 3, 9, 4),
            Buffer::new("b3", 0, 9, 4),
            Buffer::new("b4", 9, 21, 4),
            Buffer::new("b5", 0, 21, 4),
        ];
        (Problem { buffers, capacity: 12 }, Solution { offsets: vec![8, 8, 4, 4, 0], height: 12 })
    }

    #[test]
    fn readme_example_is_the_references_text() {
        let (problem, solution) = readme_example();
        assert_eq!(tikz(&problem, &solution), README_PICTURE);
    }

    #[test]
    fn numbers_print_like_cpp_streams() {
        let cases: &[(f32, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (8.5, "8.5"),
            (17.0, "17"),
            (1.0 / 3.0, "0.333333"),
            (2.0 / 3.0, "0.666667"),
            (12.142_857, "12.1429"),
            (100_000.0, "100000"),
            (123_456.7, "123457"),
            (999_999.5, "1e+06"),
            (1_234_567.0, "1.23457e+06"),
            (1_234_565.0, "1.23456e+06"), // a tie, rounded to even
            (1e30, "1e+30"),
            (0.0001, "0.0001"),
            (0.000_012_34, "1.234e-05"),
            (1e-30, "1e-30"),
            (-3.5, "-3.5"),
            (f32::INFINITY, "inf"),
            (f32::NEG_INFINITY, "-inf"),
        ];
        for &(x, text) in cases {
            assert_eq!(num(x), text, "{x:e}");
        }
    }

    #[test]
    fn gaps_split_a_buffer_into_stretches() {
        let mut buffer = Buffer::new("a", 0, 10, 2);
        buffer.gaps = vec![
            Gap { lifespan: Interval::new(0, 2), window: None },
            Gap { lifespan: Interval::new(4, 6), window: None },
        ];
        let problem = Problem { buffers: vec![buffer], capacity: 4 };
        let solution = Solution { offsets: vec![2], height: 4 };
        let text = tikz(&problem, &solution);
        // [0, 2) is a gap from the start: no stretch; then [2, 4) and [6, 10).
        assert_eq!(text.matches("\\fill[lightgray").count(), 2, "{text}");
        assert!(text.contains("(3.4,4.25) rectangle (6.8,8.5);"), "{text}");
        assert!(text.contains("(10.2,4.25) rectangle (17,8.5);"), "{text}");
    }

    #[test]
    fn ids_are_escaped_in_labels_only() {
        let problem = Problem {
            buffers: vec![Buffer::new("conv_1", 0, 2, 4), Buffer::new("a&b%#$~^\\{x}<|>\nz", 2, 4, 4)],
            capacity: 4,
        };
        let solution = Solution { offsets: vec![0, 0], height: 4 };
        let text = tikz(&problem, &solution);
        assert!(text.contains("% height = 8.5, ID = conv_1\n"), "{text}");
        assert!(text.contains("\\node at (4.25,4.25) {conv\\_1};\n"), "{text}");
        assert!(text.contains("ID = a&b%#$~^\\{x}<|> z\n"), "{text}");
        assert!(
            text.contains(
                "{a\\&b\\%\\#\\$\\textasciitilde{}\\textasciicircum{}\\textbackslash{}\\{x\\}\
                 \\textless{}\\textbar{}\\textgreater{} z};\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn extreme_lifespans_do_not_overflow() {
        let problem = Problem {
            buffers: vec![Buffer::new("a", i64::MIN, i64::MAX, 1), Buffer::new("b", i64::MIN, 0, 1)],
            capacity: 2,
        };
        let solution = Solution { offsets: vec![0, 1], height: 2 };
        let text = tikz(&problem, &solution);
        assert!(text.contains("(0,0) rectangle (17,4.25);"), "{text}");
        assert!(text.contains("(0,4.25) rectangle (8.5,8.5);"), "{text}");
        assert!(text.contains("rectangle (17,8.5);\n\\end{tikzpicture}"), "{text}");
        assert!(!text.contains('-') && !text.contains("nan") && !text.contains("inf"), "{text}");
    }

    #[test]
    fn degenerate_problems_give_finite_pictures() {
        // No buffers: the reference's frame is 17 wide (from its starting
        // values); a capacity of 0 scales by 1 instead of dividing by 0.
        let text = tikz(&Problem { buffers: vec![], capacity: 0 }, &Solution { offsets: vec![], height: 0 });
        assert!(text.ends_with("(0,0) rectangle (17,8.5);\n\\end{tikzpicture}\n\\end{document}\n"), "{text}");
        let text = tikz(&Problem { buffers: vec![], capacity: 12 }, &Solution { offsets: vec![], height: 0 });
        assert!(text.contains("(0,0) rectangle (17,8.5);"), "{text}");
        // Empty lifespans only: no rectangles, and no division by a zero span.
        let problem = Problem { buffers: vec![Buffer::new("a", 5, 5, 4)], capacity: 4 };
        let text = tikz(&problem, &Solution { offsets: vec![0], height: 4 });
        assert!(!text.contains("lightgray") && !text.contains("nan") && !text.contains("inf"), "{text}");
    }
}
