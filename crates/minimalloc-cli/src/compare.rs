//! `minimalloc compare`: every algorithm on every file, side by side.

use std::time::{Duration, Instant};

use minimalloc::allocate::{Algorithm, Allocator, Status};
use minimalloc::search::{estimated_bytes_for, SolverParams, MAX_SEARCH_BYTES};

use crate::args::{CompareArgs, CompareFormat};
use crate::Failure;

/// One algorithm on one file.
struct Row {
    file: String,
    buffers: usize,
    algorithm: &'static str,
    status: &'static str,
    height: Option<i64>,
    lower_bound: i64,
    seconds: f64,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        self.height.filter(|_| self.lower_bound > 0).map(|h| h as f64 / self.lower_bound as f64)
    }
}

/// Runs the compare command; returns the exit code.
pub fn run(args: &CompareArgs) -> Result<u8, Failure> {
    let algorithms: Vec<Algorithm> = match &args.algorithms {
        Some(list) => list
            .split(',')
            .filter(|a| !a.is_empty())
            .map(|a| a.parse::<Algorithm>().map_err(Failure::input))
            .collect::<Result<_, _>>()?,
        None => Algorithm::all(),
    };
    let timeout = args.timeout.unwrap_or(Duration::from_secs(10));
    let mut rows = Vec::new();
    for file in &args.files {
        let problem = crate::solve::read_input(file)?;
        let name =
            std::path::Path::new(file).file_name().map_or(file.clone(), |n| n.to_string_lossy().into_owned());
        let lower_bound = minimalloc::bound::lower_bound(&problem);
        let too_big = estimated_bytes_for(&problem, args.search) > MAX_SEARCH_BYTES;
        for &algorithm in &algorithms {
            let mut row = Row {
                file: name.clone(),
                buffers: problem.buffers.len(),
                algorithm: algorithm.name(),
                status: "skipped",
                height: None,
                lower_bound,
                seconds: 0.0,
            };
            if algorithm == Algorithm::Exact && too_big {
                rows.push(row);
                continue;
            }
            let mut allocator = Allocator::new(SolverParams {
                timeout: Some(timeout),
                search: args.search,
                ..SolverParams::default()
            });
            crate::interrupt::watch_solver(allocator.cancel_handle());
            let start = Instant::now();
            let allocation = allocator.allocate(&problem, args.capacity, algorithm);
            row.seconds = start.elapsed().as_secs_f64();
            if crate::interrupt::interrupted() {
                return Ok(crate::interrupt::EXIT_CODE);
            }
            row.status = allocation.status.name();
            row.height = allocation.solution.as_ref().map(|s| s.height);
            if allocation.status == Status::Infeasible {
                row.height = None;
            }
            rows.push(row);
        }
    }
    print!("{}", format(&rows, args.format));
    Ok(0)
}

fn format(rows: &[Row], format: CompareFormat) -> String {
    let height = |r: &Row| r.height.map_or("-".to_string(), |h| h.to_string());
    let ratio = |r: &Row| r.ratio().map_or("-".to_string(), |x| format!("{x:.4}"));
    let header = ["file", "buffers", "algorithm", "status", "height", "lower_bound", "ratio", "seconds"];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.file.clone(),
                r.buffers.to_string(),
                r.algorithm.to_string(),
                r.status.to_string(),
                height(r),
                r.lower_bound.to_string(),
                ratio(r),
                format!("{:.3}", r.seconds),
            ]
        })
        .collect();
    match format {
        CompareFormat::Csv => {
            let mut out = header.join(",") + "\n";
            for c in &cells {
                out += &(c.join(",") + "\n");
            }
            out
        }
        CompareFormat::Markdown => {
            let mut out = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
            for c in &cells {
                out += &format!("| {} |\n", c.join(" | "));
            }
            out
        }
        CompareFormat::Json => {
            let values: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "file": r.file, "buffers": r.buffers, "algorithm": r.algorithm, "status": r.status,
                        "height": r.height, "lower_bound": r.lower_bound, "ratio": r.ratio(), "seconds": r.seconds,
                    })
                })
                .collect();
            format!("{:#}\n", serde_json::Value::Array(values))
        }
        CompareFormat::Table => {
            let mut widths = header.map(str::len);
            for c in &cells {
                for (w, cell) in widths.iter_mut().zip(c) {
                    *w = (*w).max(cell.len());
                }
            }
            let line = |c: &[String]| {
                c.iter()
                    .zip(&widths)
                    .map(|(cell, w)| format!("{cell:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
                    + "\n"
            };
            let mut out = line(&header.map(String::from));
            for c in &cells {
                out += &line(c);
            }
            out
        }
    }
}
