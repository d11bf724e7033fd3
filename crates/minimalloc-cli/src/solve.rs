//! The default command: read a problem, solve it, write the solution.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use minimalloc::allocate::{Algorithm, Allocator, Status};
use minimalloc::csv::{self, CsvFormat};
use minimalloc::search::{SearchMode, SearchStats, SolveError, Solver, SolverParams};
use minimalloc::validate::validate;
use minimalloc::{Problem, Solution};

use crate::args::{OutputFormat, SolveArgs};
use crate::output::{write_atomically, write_failure, Staged};
use crate::Failure;

/// How long reading the input may go on past the time limit.
const READ_GRACE: Duration = Duration::from_millis(50);

/// Reads the input problem (`-`: standard input); errors name the file.
pub fn read_input(input: &str) -> Result<Problem, Failure> {
    read_input_until(input, None)
}

/// [`read_input`], giving up (exit code 3) once `deadline` passes: a time
/// limit counts from the start of the run, reading included. With a
/// deadline, the reading runs on a thread of its own, so that a read that
/// blocks (a pipe that stays silent) cannot hold the run past it.
pub fn read_input_until(input: &str, deadline: Option<Instant>) -> Result<Problem, Failure> {
    let Some(deadline) = deadline else { return read_input_checked(input, None) };
    let (sender, receiver) = std::sync::mpsc::channel();
    let owned = input.to_string();
    let spawned = std::thread::Builder::new().name("minimalloc-read".into()).spawn(move || {
        let _ = sender.send(read_input_checked(&owned, Some(deadline)));
    });
    if spawned.is_err() {
        return read_input_checked(input, Some(deadline));
    }
    // A little past the deadline: the reader itself stops at it, between
    // chunks; this only catches a read that blocks.
    let wait = deadline.saturating_duration_since(Instant::now()) + Duration::from_millis(20);
    match receiver.recv_timeout(wait) {
        Ok(result) => result,
        // Still blocked: left behind (the process ends soon).
        Err(_) => Err(read_timeout(input)),
    }
}

fn read_timeout(input: &str) -> Failure {
    Failure { code: 3, message: format!("{input}: timed out while reading the input") }
}

/// Reads the input, checking `deadline` between chunks.
fn read_input_checked(input: &str, deadline: Option<Instant>) -> Result<Problem, Failure> {
    let result = if input == "-" {
        csv::read_problem(UntilDeadline { inner: std::io::stdin().lock(), deadline }, "<stdin>")
    } else {
        match std::fs::File::open(input) {
            Ok(file) => csv::read_problem(UntilDeadline { inner: file, deadline }, input),
            // The library's error names the file as for any other problem.
            Err(_) => csv::read_problem_file(Path::new(input)),
        }
    };
    result.map_err(|e| match e.kind() {
        csv::CsvErrorKind::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => read_timeout(input),
        _ => Failure::input(e.to_string()),
    })
}

/// A reader that fails with [`std::io::ErrorKind::TimedOut`] once its
/// deadline has passed (checked at every read of a chunk, a few kilobytes).
struct UntilDeadline<R> {
    inner: R,
    deadline: Option<Instant>,
}

impl<R: std::io::Read> std::io::Read for UntilDeadline<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "time limit reached"));
        }
        self.inner.read(buf)
    }
}

/// The solver settings the flags ask for.
pub fn solver_params(args: &SolveArgs) -> SolverParams {
    let mut params = SolverParams {
        timeout: args.timeout,
        canonical_only: args.canonical_only,
        section_inference: args.section_inference,
        dynamic_ordering: args.dynamic_ordering,
        check_dominance: args.check_dominance,
        unallocated_floor: args.unallocated_floor,
        static_preordering: args.static_preordering,
        dynamic_decomposition: args.dynamic_decomposition,
        monotonic_floor: args.monotonic_floor,
        hatless_pruning: args.hatless_pruning,
        minimize_capacity: args.minimize_capacity,
        preordering_heuristics: args
            .preordering_heuristics
            .split(',')
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect(),
        search: SearchMode::Reference,
    };
    params.search = args.search.unwrap_or(params.default_search());
    params
}

/// What the run produced, for the summary line and `--stats`.
struct Report {
    status: &'static str,
    algorithm: &'static str,
    produced_by: Option<&'static str>,
    height: Option<i64>,
    lower_bound: i64,
    proved_lower_bound: i64,
    capacity: Option<i64>,
    /// The searches' counters, as the library reports them.
    stats: SearchStats,
    elapsed: f64,
    buffers: usize,
}

impl Report {
    fn json(&self) -> String {
        let value = serde_json::json!({
            "status": self.status,
            "algorithm": self.algorithm,
            "produced_by": self.produced_by,
            "height": self.height,
            "lower_bound": self.lower_bound,
            "proved_lower_bound": self.proved_lower_bound,
            "gap_percent": self.height.map(|h| gap_percent(h, self.proved_lower_bound)),
            "capacity": self.capacity,
            "backtracks": self.stats.backtracks,
            "nodes": self.stats.nodes,
            "probes": self.stats.probes,
            "elapsed_seconds": self.elapsed,
            "buffers": self.buffers,
        });
        format!("{value:#}\n")
    }

    fn summary(&self) -> String {
        let height = match self.height {
            Some(h) if self.lower_bound > 0 => {
                format!(
                    "height {h} (lower bound {}, ratio {:.4})",
                    self.lower_bound,
                    h as f64 / self.lower_bound as f64
                )
            }
            Some(h) => format!("height {h} (lower bound {})", self.lower_bound),
            None => format!("no height (lower bound {})", self.lower_bound),
        };
        let by = self.produced_by.map(|p| format!(" by {p}")).unwrap_or_default();
        format!(
            "minimalloc: {}{by}: {} buffers, {height}, {:.3} s, {} backtracks",
            self.status, self.buffers, self.elapsed, self.stats.backtracks
        )
    }
}

/// Runs the solve command; returns the exit code.
pub fn run(args: &SolveArgs) -> Result<u8, Failure> {
    let input = args
        .input
        .as_deref()
        .or(args.input_path.as_deref())
        .ok_or_else(|| Failure::input("no input: give a CSV file (or - for standard input), e.g. `minimalloc --capacity=12 --input=problem.csv`"))?;
    let params = solver_params(args);
    if params.preordering_heuristics.is_empty() {
        return Err(Failure::input("--preordering_heuristics needs at least one heuristic, e.g. WAT"));
    }
    if let Some(capacity) = args.capacity {
        if capacity < 0 {
            return Err(Failure::input(format!("--capacity must be non-negative, got {capacity}")));
        }
    }
    // The time limit counts from here, reading the input included. Reading
    // may run a little past it (less than the 100 ms a timeout may take),
    // so that a small input is always read and the outcome is a timeout
    // reported with its figures.
    let start = Instant::now();
    let read_deadline = args.timeout.and_then(|t| start.checked_add(t.saturating_add(READ_GRACE)));
    let mut problem = match read_input_until(input, read_deadline) {
        Ok(problem) => problem,
        Err(failure) => {
            // Out of time while reading is a timeout like any other: the
            // stats say so (with nothing known of the problem).
            if let (3, Some(path)) = (failure.code, &args.stats) {
                let value = serde_json::json!({
                    "status": "timeout",
                    "algorithm": args.algorithm.map(|a| a.name()),
                    "height": None::<i64>,
                    "capacity": args.capacity,
                    "elapsed_seconds": start.elapsed().as_secs_f64(),
                    "buffers": None::<usize>,
                });
                write_stats(path, &format!("{value:#}\n"))?;
            }
            return Err(failure);
        }
    };
    let mut params = params;
    params.timeout = args.timeout.map(|t| t.saturating_sub(start.elapsed()));
    let lower_bound = minimalloc::bound::lower_bound(&problem);
    // Like the reference, a capacity means the exact search (same answers);
    // without one, `auto` minimizes the peak.
    let algorithm =
        args.algorithm.unwrap_or(if args.capacity.is_some() { Algorithm::Exact } else { Algorithm::Auto });
    let mut report = Report {
        status: "solved",
        algorithm: algorithm.name(),
        produced_by: None,
        height: None,
        lower_bound,
        proved_lower_bound: lower_bound,
        capacity: args.capacity,
        stats: SearchStats::default(),
        elapsed: 0.0,
        buffers: problem.buffers.len(),
    };
    let code = if algorithm == Algorithm::Exact && args.capacity.is_some() {
        run_reference(args, params, &mut problem, &mut report, start)?
    } else {
        run_allocator(args, params, algorithm, &mut problem, &mut report, start)?
    };
    if code == crate::interrupt::EXIT_CODE && crate::interrupt::interrupted() {
        return Ok(interrupted());
    }
    if let Some(path) = &args.stats {
        write_stats(path, &report.json())?;
    }
    if !args.quiet {
        eprintln!("{}", report.summary());
    }
    Ok(code)
}

/// Writes the `--stats` JSON.
fn write_stats(path: &Path, json: &str) -> Result<(), Failure> {
    write_atomically(path, |w| w.write_all(json.as_bytes()))
        .map_err(|e| Failure::input(format!("cannot write stats to {}: {e}", path.display())))
}

/// The reference's path: the exact search at the given capacity (or its
/// bisection with `--minimize_capacity`). Returns the exit code.
fn run_reference(
    args: &SolveArgs,
    params: SolverParams,
    problem: &mut Problem,
    report: &mut Report,
    start: Instant,
) -> Result<u8, Failure> {
    problem.capacity = args.capacity.unwrap_or(0);
    let mut solver = Solver::new(params);
    crate::interrupt::watch_solver(solver.cancel_handle());
    if crate::interrupt::interrupted() {
        return Ok(crate::interrupt::EXIT_CODE);
    }
    let progress = crate::progress::Progress::start(solver.cancel_handle(), report.lower_bound, args.quiet);
    let result = solver.solve(problem);
    progress.finish();
    report.elapsed = start.elapsed().as_secs_f64();
    if crate::interrupt::interrupted() {
        return Ok(crate::interrupt::EXIT_CODE);
    }
    report.stats = solver.stats();
    Ok(match result {
        Ok(solution) => {
            report.height = Some(solution.height);
            report.produced_by = Some("exact");
            finish_solved(args, problem, &solution)?;
            0
        }
        Err(SolveError::Infeasible { capacity }) => {
            report.status = "infeasible";
            eprintln!(
                "minimalloc: infeasible: the {} buffers cannot fit in capacity {capacity}",
                problem.buffers.len()
            );
            if args.explain {
                explain(&mut solver, problem);
            }
            1
        }
        Err(SolveError::Timeout(t)) => {
            report.status = "timeout";
            // The limit asked for (the search had what reading left of it).
            let limit = args.timeout.unwrap_or(t);
            eprintln!("minimalloc: timed out after {:.3} s without a solution", limit.as_secs_f64());
            3
        }
        // Only Ctrl-C cancels; `run` reports it.
        Err(SolveError::Cancelled) => {
            report.status = "cancelled";
            crate::interrupt::EXIT_CODE
        }
        Err(e @ SolveError::TooLarge { .. }) => {
            report.status = "too-large";
            eprintln!("minimalloc: {e} (for example --algorithm=auto)");
            3
        }
        Err(other) => return Err(Failure::input(other.to_string())),
    })
}

/// How long `auto` lets the exact search run when no `--timeout` is given.
const AUTO_DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Every other algorithm, through the library's allocator. Returns the exit
/// code.
fn run_allocator(
    args: &SolveArgs,
    mut params: SolverParams,
    algorithm: Algorithm,
    problem: &mut Problem,
    report: &mut Report,
    start: Instant,
) -> Result<u8, Failure> {
    if params.timeout.is_none() && algorithm == Algorithm::Auto {
        params.timeout = Some(AUTO_DEFAULT_TIMEOUT);
    }
    let mut allocator = Allocator::new(params);
    crate::interrupt::watch_solver(allocator.cancel_handle());
    if crate::interrupt::interrupted() {
        return Ok(crate::interrupt::EXIT_CODE);
    }
    let progress =
        crate::progress::Progress::start(allocator.cancel_handle(), report.lower_bound, args.quiet);
    let allocation = allocator.allocate(problem, args.capacity, algorithm);
    progress.finish();
    report.elapsed = start.elapsed().as_secs_f64();
    if crate::interrupt::interrupted() {
        return Ok(crate::interrupt::EXIT_CODE);
    }
    report.stats = allocation.stats;
    report.status = allocation.status.name();
    report.produced_by = allocation.produced_by;
    report.proved_lower_bound = allocation.proved_lower_bound;
    report.height = allocation.solution.as_ref().map(|s| s.height);
    if !args.quiet {
        for note in &allocation.notes {
            eprintln!("minimalloc: note: {note}");
        }
    }
    // The solution is checked against the capacity it was asked to meet, or
    // its own height when minimizing.
    problem.capacity = args.capacity.or(report.height).unwrap_or(0);
    Ok(match (allocation.status, &allocation.solution) {
        (Status::Solved, Some(solution)) => {
            finish_solved(args, problem, solution)?;
            0
        }
        (Status::TimeoutFallback, Some(solution)) => {
            eprintln!(
                "minimalloc: warning: the exact search did not finish (out of time, or skipped as \
                 noted); keeping the best heuristic solution ({}), height {} (proved lower bound {}, \
                 gap {:.2}%)",
                allocation.produced_by.unwrap_or("?"),
                solution.height,
                allocation.proved_lower_bound,
                gap_percent(solution.height, allocation.proved_lower_bound)
            );
            finish_solved(args, problem, solution)?;
            0
        }
        (Status::Unfit, Some(solution)) => {
            eprintln!(
                "minimalloc: {} reached height {} above the capacity {}: no solution written (not a proof \
                 of infeasibility; try --algorithm=exact)",
                allocation.produced_by.unwrap_or(algorithm.name()),
                solution.height,
                args.capacity.unwrap_or(0)
            );
            1
        }
        (Status::Unfit, None) => {
            eprintln!(
                "minimalloc: {} could not place the buffers (see the note above): no solution written \
                 (not a proof of infeasibility; try --algorithm=exact)",
                allocation.produced_by.unwrap_or(algorithm.name()),
            );
            1
        }
        (Status::Infeasible, _) => {
            eprintln!("minimalloc: infeasible: the {} buffers cannot fit", problem.buffers.len());
            1
        }
        (Status::Invalid, _) => {
            return Err(Failure::input(allocation.notes.join("; ")));
        }
        (Status::Unrepresentable, _) => {
            return Err(Failure::input(
                "no placement of these buffers has a height that fits in 64 bits (offset + size would \
                 overflow); give --capacity to get a proof of infeasibility",
            ));
        }
        (Status::TooLarge, _) => {
            if algorithm == Algorithm::Auto {
                eprintln!(
                    "minimalloc: the problem is too large for the exact search, and no heuristic could place it \
                     (see the notes above)"
                );
            } else {
                eprintln!("minimalloc: the problem is too large for the exact search; try --algorithm=auto or a heuristic");
            }
            3
        }
        // Only Ctrl-C cancels; `run` reports it.
        (Status::Cancelled, _) => crate::interrupt::EXIT_CODE,
        _ => {
            eprintln!("minimalloc: timed out without a solution");
            3
        }
    })
}

/// `100 * (height - bound) / bound`.
fn gap_percent(height: i64, bound: i64) -> f64 {
    if bound <= 0 {
        return 0.0;
    }
    100.0 * (height as f64 - bound as f64) / bound as f64
}

/// Reports an interruption; returns its exit code.
fn interrupted() -> u8 {
    eprintln!("minimalloc: interrupted; nothing was written");
    crate::interrupt::EXIT_CODE
}

/// Validates, prints and writes a solution.
fn finish_solved(args: &SolveArgs, problem: &Problem, solution: &Solution) -> Result<(), Failure> {
    if args.validate {
        match validate(problem, solution) {
            Ok(()) => {
                if !args.quiet {
                    eprintln!("minimalloc: validation PASS, height {}", solution.height);
                }
            }
            Err(violation) => {
                return Err(Failure {
                    code: 4,
                    message: format!("validation FAIL ({}): {violation}", violation.code()),
                })
            }
        }
    }
    if args.print_solution {
        // As `print!`, but a closed pipe (`| head`) is no reason to fail.
        let mut stdout = std::io::stdout().lock();
        let _ =
            stdout.write_all(crate::tikz::tikz(problem, solution).as_bytes()).and_then(|()| stdout.flush());
    }
    // The solution and its pictures appear together or not at all.
    let mut staged = Staged::default();
    crate::plot::stage(
        problem,
        solution,
        args.svg.as_deref(),
        args.html.as_deref(),
        args.quiet,
        &mut staged,
    )?;
    let format = match args.output_format {
        OutputFormat::Standard => CsvFormat::Standard,
        OutputFormat::Legacy => CsvFormat::Legacy,
    };
    let path = match args.output.as_deref() {
        Some(path) => Some(path),
        // As the reference: with --print_solution and no --output, standard
        // output holds the picture alone.
        None if args.print_solution => None,
        None => Some(Path::new("-")),
    };
    if let Some(path) = path {
        staged
            .add(path, |w| csv::write_csv(w, problem, Some(solution), format))
            .map_err(|e| write_failure(&format!("the solution to {}", path.display()), &e))?;
    }
    staged.commit().map_err(|e| write_failure("the solution", &e))
}

/// Prints an irreducible infeasible subset of buffers on standard error.
fn explain(solver: &mut Solver, problem: &Problem) {
    if !minimalloc::search::infeasible_is_proof(problem, solver.params()) {
        // Its "infeasible" may be wrong here, so would a subset built on it.
        eprintln!(
            "minimalloc: no explanation: with gap windows the reference's search proves nothing \
             (run with --search=fast for a proof and an explanation)"
        );
        return;
    }
    match solver.irreducible_infeasible_subset(problem) {
        Ok(subset) => {
            let load: i64 = subset.iter().map(|&i| problem.buffers[i].size).fold(0, i64::saturating_add);
            eprintln!(
                "minimalloc: these {} buffers cannot fit together in capacity {} (removing any one of them makes the rest fit):",
                subset.len(),
                problem.capacity
            );
            eprintln!("id,lower,upper,size");
            for &i in &subset {
                let b = &problem.buffers[i];
                eprintln!("{},{},{},{}", b.id, b.lifespan.lower, b.lifespan.upper, b.size);
            }
            eprintln!("minimalloc: their sizes add up to {load}");
        }
        Err(e) => eprintln!("minimalloc: could not compute an infeasible subset: {e}"),
    }
}
