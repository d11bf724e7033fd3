//! The reference's `--print_solution`: a LaTeX/TikZ picture of the solution.

use std::fmt::Write as _;

use minimalloc::{Problem, Solution};

/// Width and height of the picture in centimetres (the reference's values).
const WIDTH: f32 = 17.0;
const HEIGHT: f32 = 8.5;

/// Formats a float as C++ streams do by default (6 significant digits,
/// trailing zeros dropped).
fn num(x: f32) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_finite() { "0".into() } else { format!("{x}") };
    }
    let exponent = x.abs().log10().floor() as i32;
    if !(-5..6).contains(&exponent) {
        return format!("{x:e}");
    }
    let decimals = (5 - exponent).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The standalone LaTeX document, one rectangle per active stretch of each
/// buffer, with its id in the middle.
pub fn tikz(problem: &Problem, solution: &Solution) -> String {
    let mut out = String::new();
    out.push_str("\n\\documentclass[tikz]{standalone}\n\\usepackage{tikz}\n\\usepackage{pgfplots}\n");
    out.push_str("\\begin{document}\n\\begin{tikzpicture}\n");
    let min_time = problem.buffers.iter().map(|b| b.lifespan.lower).min().unwrap_or(0);
    let max_time = problem.buffers.iter().map(|b| b.lifespan.upper).max().unwrap_or(0).max(0);
    let span = (max_time as f64 - min_time as f64).max(1.0) as f32;
    let scale_x = WIDTH / span;
    let scale_y = HEIGHT / (problem.capacity.max(solution.height).max(1) as f32);
    for (buffer, &offset) in problem.buffers.iter().zip(&solution.offsets) {
        for i in 0..=buffer.gaps.len() {
            let left = if i == 0 { buffer.lifespan.lower } else { buffer.gaps[i - 1].lifespan.upper };
            let right =
                if i == buffer.gaps.len() { buffer.lifespan.upper } else { buffer.gaps[i].lifespan.lower };
            if left == right {
                continue;
            }
            let x = scale_x * (left - min_time) as f32;
            let y = scale_y * offset as f32;
            let w = scale_x * (right - left) as f32;
            let h = scale_y * buffer.size as f32;
            let _ = writeln!(
                out,
                "\\fill[lightgray,draw=darkgray] ({},{}) rectangle ({},{});  % height = {}, ID = {}",
                num(x),
                num(y),
                num(x + w),
                num(y + h),
                num(h),
                buffer.id
            );
            let _ = writeln!(out, "\\node at ({},{}) {{{}}};", num(x + w / 2.0), num(y + h / 2.0), buffer.id);
        }
    }
    let w = scale_x * span;
    let h = scale_y * problem.capacity.max(solution.height) as f32;
    let _ = writeln!(out, "\\fill[draw=black,fill opacity=0,thick] (0,0) rectangle ({},{});", num(w), num(h));
    out.push_str("\\end{tikzpicture}\n\\end{document}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use minimalloc::Buffer;

    #[test]
    fn numbers_print_like_cpp_streams() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(8.5), "8.5");
        assert_eq!(num(17.0), "17");
        assert_eq!(num(1.0 / 3.0), "0.333333");
    }

    #[test]
    fn one_rectangle_and_label_per_buffer() {
        let problem =
            Problem { buffers: vec![Buffer::new("a", 0, 2, 4), Buffer::new("b", 2, 4, 4)], capacity: 4 };
        let solution = Solution { offsets: vec![0, 0], height: 4 };
        let text = tikz(&problem, &solution);
        assert_eq!(text.matches("rectangle").count(), 3, "two buffers and the frame");
        assert!(text.contains("ID = a") && text.contains("{b};"));
    }
}
