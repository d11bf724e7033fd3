//! Draws a solution of a MiniMalloc CSV file as SVG and as an HTML page.
//!
//! ```text
//! cargo run --release -p minimalloc --example render -- FILE.csv CAPACITY OUT.svg OUT.html [first-fit]
//! ```
//!
//! When every buffer of the file has an `offset`, those offsets are drawn.
//! Otherwise the default [`Solver`] places the buffers within CAPACITY (for
//! at most 30 seconds); when it fails, or with `first-fit`, a quick greedy
//! placement (largest buffers first, each at the lowest offset that fits
//! beside the buffers already placed) is drawn instead, whatever its height.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use minimalloc::render::{self, RenderOptions};
use minimalloc::{csv, validate, Problem, Solution, Solver, SolverParams};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(capacity), Some(svg_path), Some(html_path)) =
        (args.get(1), args.get(2).and_then(|c| c.parse::<i64>().ok()), args.get(3), args.get(4))
    else {
        eprintln!("usage: render FILE.csv CAPACITY OUT.svg OUT.html [first-fit]");
        return ExitCode::from(2);
    };
    let quick = args.get(5).is_some_and(|a| a == "first-fit");
    let mut problem = match csv::read_problem_file(Path::new(path)) {
        Ok(problem) => problem,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    problem.capacity = capacity;
    let (solution, how) = match problem.strip_solution() {
        Ok(solution) => (solution, "offsets from the file"),
        Err(_) if quick => (first_fit(&problem), "first-fit placement"),
        Err(_) => {
            let params = SolverParams { timeout: Some(Duration::from_secs(30)), ..SolverParams::default() };
            match Solver::new(params).solve(&problem) {
                Ok(solution) => (solution, "MiniMalloc search"),
                Err(e) => {
                    eprintln!("search: {e}; drawing a first-fit placement instead");
                    (first_fit(&problem), "first-fit placement")
                }
            }
        }
    };
    // Capacity 0 means no limit here: check only that buffers do not collide.
    let limit = Problem { capacity: if capacity > 0 { capacity } else { i64::MAX }, ..problem.clone() };
    if let Err(e) = validate::validate(&limit, &solution) {
        eprintln!("note: the solution is not valid: {e}");
    }
    let name = Path::new(path).file_name().map_or(path.clone(), |n| n.to_string_lossy().into_owned());
    let options = RenderOptions { title: Some(format!("{name} ({how})")), ..RenderOptions::default() };
    let (svg, summary) = render::svg(&problem, &solution, &options);
    let (html, _) = render::html(&problem, &solution, &options);
    for (out, text) in [(svg_path, &svg), (html_path, &html)] {
        if let Err(e) = std::fs::write(out, text) {
            eprintln!("{out}: {e}");
            return ExitCode::from(1);
        }
    }
    eprintln!(
        "height {} (lower bound {}), {} rectangles, {} segments merged into {} blocks; svg {} bytes, html {} bytes",
        solution.height,
        problem.lower_bound(),
        summary.rects,
        summary.merged,
        summary.blocks,
        svg.len(),
        html.len()
    );
    ExitCode::SUCCESS
}

/// Largest buffers first, each at the lowest aligned offset where it does
/// not overlap a buffer already placed that is live at the same time (gaps
/// are ignored: the placement is valid, if not the lowest).
fn first_fit(problem: &Problem) -> Solution {
    let buffers = &problem.buffers;
    let mut order: Vec<usize> = (0..buffers.len()).collect();
    order.sort_by_key(|&i| {
        (std::cmp::Reverse(buffers[i].size), std::cmp::Reverse(buffers[i].lifespan.len()), i)
    });
    let mut offsets = vec![0i64; buffers.len()];
    let mut placed: Vec<usize> = Vec::with_capacity(buffers.len());
    let mut busy: Vec<(i64, i64)> = Vec::new();
    for &i in &order {
        let b = &buffers[i];
        busy.clear();
        busy.extend(
            placed
                .iter()
                .filter(|&&j| buffers[j].lifespan.intersects(&b.lifespan))
                .map(|&j| (offsets[j], offsets[j] + buffers[j].size)),
        );
        busy.sort_unstable();
        let align = |o: i64| {
            o.div_euclid(b.alignment) * b.alignment + if o % b.alignment == 0 { 0 } else { b.alignment }
        };
        let mut candidate = 0i64;
        for &(lo, hi) in &busy {
            if candidate + b.size <= lo {
                break;
            }
            candidate = candidate.max(align(hi));
        }
        offsets[i] = candidate;
        placed.push(i);
    }
    Solution::from_offsets(problem, offsets)
}
