//! # minimalloc
//!
//! A static memory allocator for machine-learning compilers, and a faithful,
//! faster successor to Google's MiniMalloc (Moffitt, ASPLOS 2023).
//!
//! A compiler knows every buffer of a program ahead of time: when it is live
//! (`[lower, upper)` in abstract time) and how large it is. It must give each
//! buffer an offset so that buffers live at the same time never overlap in
//! memory and everything fits within a capacity. This crate solves that
//! problem exactly with MiniMalloc's search.
//!
//! The data flows one way, one module per stage:
//!
//! 1. [`csv`] reads a [`Problem`] (MiniMalloc CSV) and later writes the solution;
//! 2. [`problem`] holds the model: [`Buffer`], [`Gap`], [`Problem`], [`Solution`];
//! 3. [`sweep`] cuts time into sections and partitions and finds overlaps;
//! 4. [`search`] runs the exact depth-first search ([`Solver`]), or
//!    [`heuristics`] place buffers the way production compilers do, and
//!    [`allocate`] combines them (`auto`);
//! 5. [`validate`] checks a solution and says which rule it breaks;
//! 6. [`render`] draws it (SVG, HTML).
//!
//! [`bound`] proves lower bounds on the height (the max load, and with gaps
//! the chain bound); [`generate`] makes instances for tests and benchmarks.
//!
//! ```
//! use minimalloc::{csv, search::{Solver, SolverParams}, validate};
//!
//! let text = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n";
//! let mut problem = csv::from_csv(text)?;
//! problem.capacity = 12;
//! let mut solver = Solver::new(SolverParams::default());
//! let solution = solver.solve(&problem)?;
//! assert_eq!(solution.offsets, vec![8, 8, 4, 4, 0]);
//! assert!(validate::validate(&problem, &solution).is_ok());
//! print!("{}", csv::to_csv(&problem, Some(&solution)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod allocate;
pub mod bound;
pub mod csv;
pub mod generate;
pub mod heuristics;
pub mod problem;
pub mod render;
pub mod search;
pub mod sweep;
pub mod validate;

pub use problem::{
    Buffer, Gap, Interval, Lifespan, ModelError, Offset, Problem, Solution, TimeValue, Window,
};
pub use search::{SolveError, Solver, SolverParams};
