//! The `minimalloc` command-line tool: a thin layer over the `minimalloc`
//! library that parses flags, reads and writes files, and maps outcomes to
//! exit codes (0 solved, 1 infeasible, 2 bad input or usage, 3 timed out,
//! 4 internal error, 130 interrupted).

mod args;
mod bench;
mod compare;
mod generate;
mod interrupt;
mod output;
mod plot;
mod progress;
mod solve;
mod tikz;

use std::process::ExitCode;

use clap::Parser;

/// A failure that ends the run, with its exit code.
#[derive(Debug)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
    /// What to tell the user.
    pub message: String,
}

impl Failure {
    /// Bad input or usage (exit code 2).
    pub fn input(message: impl Into<String>) -> Self {
        Failure { code: 2, message: message.into() }
    }
}

fn main() -> ExitCode {
    interrupt::install();
    let argv = args::normalize(std::env::args());
    let cli = match args::Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // A panic is a bug: say so in one line (the word "panicked" included,
    // which the tests look for), and end with the internal-error code
    // rather than Rust's 101. Output files are written atomically, so none
    // is left half-written.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("minimalloc: internal error (a bug; please report it with the input): {info}");
    }));
    let run = std::panic::AssertUnwindSafe(|| match &cli.command {
        Some(args::Command::Bench(bench_args)) => bench::run(bench_args),
        Some(args::Command::Generate(generate_args)) => generate::run(generate_args),
        Some(args::Command::Plot(plot_args)) => plot::run(plot_args),
        Some(args::Command::Compare(compare_args)) => compare::run(compare_args),
        None => solve::run(&cli.solve),
    });
    let Ok(result) = std::panic::catch_unwind(run) else {
        return ExitCode::from(4);
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("minimalloc: error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
