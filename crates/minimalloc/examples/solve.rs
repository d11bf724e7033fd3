//! Solves a MiniMalloc CSV file with the library and prints the solution.
//!
//! ```text
//! cargo run --release -p minimalloc --example solve -- examples/input.12.csv 12
//! ```

use std::path::Path;
use std::process::ExitCode;

use minimalloc::{csv, validate, Solver, SolverParams};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(capacity)) = (args.get(1), args.get(2).and_then(|c| c.parse().ok())) else {
        eprintln!("usage: solve FILE.csv CAPACITY");
        return ExitCode::from(2);
    };
    let mut problem = match csv::read_problem_file(Path::new(path)) {
        Ok(problem) => problem,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    problem.capacity = capacity;
    let mut solver = Solver::new(SolverParams::default());
    match solver.solve(&problem) {
        Ok(solution) => {
            assert!(validate::validate(&problem, &solution).is_ok());
            print!("{}", csv::to_csv(&problem, Some(&solution)));
            eprintln!("height {}, {} backtracks", solution.height, solver.backtracks());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
