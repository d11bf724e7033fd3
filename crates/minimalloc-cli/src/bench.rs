//! `minimalloc bench`: solve a set of files and print figures per file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use minimalloc::search::{Solver, SolverParams};

use crate::args::BenchArgs;
use crate::Failure;

/// The capacity in a file name such as `A.1048576.csv`.
fn capacity_from_name(path: &Path) -> Option<i64> {
    let stem = path.file_stem()?.to_str()?;
    stem.rsplit('.').next()?.parse().ok()
}

fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| Failure::input(format!("cannot read folder {}: {e}", path.display())))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "csv"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Runs the bench command; returns the exit code.
pub fn run(args: &BenchArgs) -> Result<u8, Failure> {
    let files = collect(&args.paths)?;
    println!("file\tbuffers\tbacktracks\tnodes\tseconds\tnodes_per_second\theight\tstatus");
    let (mut total_seconds, mut worst) = (0f64, 0u8);
    for file in files {
        let Some(capacity) = capacity_from_name(&file).or(args.capacity) else {
            eprintln!("minimalloc: skipping {}: no capacity in its name and no --capacity", file.display());
            continue;
        };
        let start = Instant::now();
        let mut problem = crate::solve::read_input(&file.to_string_lossy())?;
        problem.capacity = capacity;
        let mut solver = Solver::new(SolverParams {
            timeout: args.timeout,
            search: args.search,
            ..SolverParams::default()
        });
        let result = solver.solve(&problem);
        let seconds = start.elapsed().as_secs_f64();
        total_seconds += seconds;
        let stats = solver.stats();
        let (height, status) = match &result {
            Ok(s) => (s.height.to_string(), "solved"),
            Err(e) => {
                worst = worst.max(1);
                (
                    "-".to_string(),
                    match e {
                        minimalloc::SolveError::Infeasible { .. } => "infeasible",
                        minimalloc::SolveError::Timeout(_) => "timeout",
                        _ => "error",
                    },
                )
            }
        };
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        println!(
            "{name}\t{}\t{}\t{}\t{seconds:.4}\t{:.0}\t{height}\t{status}",
            problem.buffers.len(),
            stats.backtracks,
            stats.nodes,
            stats.nodes as f64 / seconds.max(1e-9)
        );
    }
    println!("total\t\t\t\t{total_seconds:.4}");
    Ok(worst)
}
