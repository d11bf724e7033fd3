//! Benchmarks of the exact search.
//!
//! `cargo bench -p minimalloc` times the default search on the files of
//! `MINIMALLOC_BENCH_DIR` (each `NAME.CAPACITY.csv`, e.g. the challenging set
//! `../shared/benchmarks/challenging`) when it is set, and on generated
//! guillotine instances of 150, 300 and 450 buffers otherwise. Each iteration
//! solves from scratch (sweep included), as a user's call would.

use std::path::PathBuf;

use minimalloc::{csv, generate, Problem, Solver, SolverParams};

fn main() {
    divan::main();
}

/// A named problem (benchmarks are labelled by the name).
struct Instance {
    name: String,
    problem: Problem,
}

impl std::fmt::Display for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// The instances: files from `MINIMALLOC_BENCH_DIR`, or generated ones.
fn instances() -> Vec<Instance> {
    if let Some(dir) = std::env::var_os("MINIMALLOC_BENCH_DIR") {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|x| x == "csv"));
        files.sort();
        return files
            .iter()
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?.to_string();
                let capacity: i64 = name.split('.').nth(1)?.parse().ok()?;
                let mut problem = csv::read_problem_file(path).ok()?;
                problem.capacity = capacity;
                Some(Instance { name, problem })
            })
            .collect();
    }
    // Seeds whose instances the default search solves in well under a second.
    [(150, 2), (300, 2), (450, 2)]
        .into_iter()
        .map(|(n, seed)| Instance {
            name: format!("guillotine-{n}-seed{seed}"),
            problem: generate::guillotine(n, seed, 1 << 20, 1 << 20),
        })
        .collect()
}

#[divan::bench(args = instances(), sample_count = 5, sample_size = 1)]
fn solve(instance: &Instance) -> u64 {
    let mut solver = Solver::new(SolverParams::default());
    let solution = solver.solve(&instance.problem).expect("a feasible benchmark instance");
    divan::black_box(solution.height);
    solver.backtracks()
}
