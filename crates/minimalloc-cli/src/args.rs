//! Command-line flags, spelled as the reference spells them.
//!
//! The reference parses flags with Abseil, which accepts `--name=value`,
//! `--name value`, `-name=value`, `--name` / `--noname` for booleans. Clap does
//! not know the single-dash and `--no` forms, nor dashes in place of
//! underscores, so [`normalize`] rewrites them first.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Boolean flags (they take an optional `=true|false`).
pub const BOOL_FLAGS: &[&str] = &[
    "validate",
    "print_solution",
    "canonical_only",
    "section_inference",
    "dynamic_ordering",
    "check_dominance",
    "unallocated_floor",
    "static_preordering",
    "dynamic_decomposition",
    "monotonic_floor",
    "hatless_pruning",
    "minimize_capacity",
    "explain",
    "quiet",
];

/// Flags that take a value.
pub const VALUE_FLAGS: &[&str] = &[
    "capacity",
    "input",
    "output",
    "timeout",
    "preordering_heuristics",
    "stats",
    "output_format",
    "svg",
    "html",
    "algorithm",
    "format",
    "buffers",
    "seed",
    "thin",
    "gaps",
    "cuts",
    "horizon",
    "search",
    "algorithms",
];

/// Rewrites Abseil-style arguments into the form clap parses: `-name` becomes
/// `--name`, dashes in long names become underscores, `--noname` becomes
/// `--name=false`. Everything after a bare `--` is left alone.
pub fn normalize(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut passthrough = false;
    for (i, arg) in args.into_iter().enumerate() {
        if i == 0 || passthrough || arg == "-" || !arg.starts_with('-') {
            out.push(arg);
            continue;
        }
        if arg == "--" {
            passthrough = true;
            out.push(arg);
            continue;
        }
        let body = arg.trim_start_matches('-');
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let name = name.replace('-', "_");
        let known = |n: &str| BOOL_FLAGS.contains(&n) || VALUE_FLAGS.contains(&n);
        if known(&name) {
            out.push(match value {
                Some(v) => format!("--{name}={v}"),
                None => format!("--{name}"),
            });
        } else if let Some(flag) = name.strip_prefix("no").filter(|n| BOOL_FLAGS.contains(n)) {
            out.push(format!("--{flag}=false"));
        } else {
            out.push(arg);
        }
    }
    out
}

/// `minimalloc`: place buffers in memory so that none overlap.
#[derive(Debug, Parser)]
#[command(
    name = "minimalloc",
    version,
    about = "Static memory allocation for ML compilers: a faster, drop-in MiniMalloc",
    long_about = "Reads buffers (MiniMalloc CSV: id,lower,upper,size[,alignment,hint,gaps,offset]), \
gives each an offset so that buffers live at the same time never overlap, and writes the \
solution as CSV with an `offset` column.\n\nExit codes: 0 solved, 1 infeasible (or a chosen heuristic \
does not fit), 2 bad input or usage, 3 timed out (or too large for the exact search), 4 internal error \
(a solution failed validation), 130 interrupted.",
    args_conflicts_with_subcommands = true,
    // As Abseil's flags: a flag given twice takes its last value.
    args_override_self = true
)]
pub struct Cli {
    /// The solve command's flags (when no subcommand is given).
    #[command(flatten)]
    pub solve: SolveArgs,
    /// A subcommand.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands beyond solving one file.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Solve every CSV file in the given folders (or files) and print one
    /// line of figures per file: buffers, backtracks, nodes, seconds, nodes
    /// per second, height.
    Bench(BenchArgs),
    /// Write a generated instance as CSV: `guillotine` (a rectangle cut into
    /// pieces, feasible with zero slack at its capacity; `--thin F` removes a
    /// fraction), `ml` (an activation trace with skip connections), `random`.
    Generate(GenerateArgs),
    /// Run every algorithm (or those of `--algorithms`) on each file and
    /// print height, height / lower bound and time side by side.
    Compare(CompareArgs),
    /// Draw a solution file made earlier (by minimalloc or by the reference:
    /// a CSV with an `offset` column) as SVG and/or HTML.
    Plot(PlotArgs),
}

/// Output formats of `minimalloc compare`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    /// Aligned columns.
    #[default]
    Table,
    /// Comma-separated values.
    Csv,
    /// A Markdown table.
    Markdown,
    /// A JSON array.
    Json,
}

/// Flags of `minimalloc compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// CSV files.
    #[arg(required = true)]
    pub files: Vec<String>,
    /// The capacity (default: minimize the peak).
    #[arg(long = "capacity")]
    pub capacity: Option<i64>,
    /// Time limit per file and algorithm (default 10 s).
    #[arg(long = "timeout", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Comma-separated algorithms (default: all).
    #[arg(long = "algorithms")]
    pub algorithms: Option<String>,
    /// Output format.
    #[arg(long = "format", value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// The exact search of `exact` and `auto`: `fast` (default) or
    /// `reference`.
    #[arg(long = "search", default_value = "fast")]
    pub search: minimalloc::search::SearchMode,
}

/// Flags of `minimalloc plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The solution CSV (every buffer with an `offset`), or `-`.
    pub solution: String,
    /// Where to write the SVG picture.
    #[arg(long = "svg", value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Where to write the interactive HTML page.
    #[arg(long = "html", value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// The capacity line to draw (default: none).
    #[arg(long = "capacity", value_name = "N")]
    pub capacity: Option<i64>,
}

/// Instance families of `minimalloc generate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Family {
    /// A rectangle cut into pieces.
    Guillotine,
    /// An activation trace with skip connections.
    Ml,
    /// Random lifespans and sizes.
    Random,
}

/// Which piece a guillotine cut splits (see `minimalloc::generate::Cuts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CutChoice {
    /// The largest of three pieces drawn at random.
    Area,
    /// Any piece, uniformly.
    Uniform,
}

/// Flags of `minimalloc generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The family.
    #[arg(value_enum)]
    pub family: Family,
    /// How many buffers.
    #[arg(long = "buffers", default_value_t = 100)]
    pub buffers: usize,
    /// The random seed.
    #[arg(long = "seed", default_value_t = 0)]
    pub seed: u64,
    /// Remove this fraction of the buffers (0 to 1).
    #[arg(long = "thin", default_value_t = 0.0)]
    pub thin: f64,
    /// Give this fraction of the buffers a gap, 60% of them with a window
    /// (0 to 1; only buffers live for 3 steps or more).
    #[arg(long = "gaps", default_value_t = 0.0)]
    pub gaps: f64,
    /// The capacity (height of the rectangle) for `guillotine`.
    #[arg(long = "capacity", default_value_t = 1 << 20)]
    pub capacity: i64,
    /// The time horizon (width of the rectangle) for `guillotine`; default:
    /// the capacity.
    #[arg(long = "horizon")]
    pub horizon: Option<i64>,
    /// Which piece each cut of `guillotine` splits: `area` (the largest of
    /// three drawn at random) or `uniform` (any piece).
    /// (default: `area`).
    #[arg(long = "cuts", value_enum)]
    pub cuts: Option<CutChoice>,
    /// Where to write the CSV (default: standard output).
    #[arg(long = "output")]
    pub output: Option<PathBuf>,
}

/// Flags of `minimalloc bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Folders or CSV files. A capacity is taken from a file name like
    /// `A.1048576.csv`, else from `--capacity`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The capacity for files whose name carries none.
    #[arg(long = "capacity")]
    pub capacity: Option<i64>,
    /// Time limit per file.
    #[arg(long = "timeout", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Which search to time: `reference` (default: its node rate is what
    /// the figures compare) or `fast`.
    #[arg(long = "search", default_value = "reference")]
    pub search: minimalloc::search::SearchMode,
}

/// Output file layouts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// `id,lower,upper,size[,...],offset` (half-open lifespans).
    #[default]
    Standard,
    /// The reference's older `id,start,end,size,...` form (inclusive end).
    Legacy,
}

/// Flags of the default (solve) command. Spelled as the reference's.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The input CSV file, or `-` for standard input (same as `--input`).
    #[arg(value_name = "INPUT")]
    pub input_path: Option<String>,
    /// The input CSV file, or `-` for standard input.
    #[arg(long = "input", value_name = "FILE", conflicts_with = "input_path")]
    pub input: Option<String>,
    /// Where to write the solution (default: standard output). Written
    /// atomically: a failed run leaves an existing file untouched.
    #[arg(long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The memory capacity. Without it, the smallest peak is searched for.
    #[arg(long = "capacity", value_name = "N")]
    pub capacity: Option<i64>,
    /// Time limit, as `10s`, `1.5s`, `250ms`, `2m`, `1h30m`, `inf`, or a plain
    /// number of seconds.
    #[arg(long = "timeout", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Check the solution before writing it.
    #[arg(long = "validate", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub validate: bool,
    /// Print the solution as a LaTeX/TikZ picture on standard output.
    #[arg(long = "print_solution", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub print_solution: bool,
    /// Explores canonical solutions only.
    #[arg(long = "canonical_only", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub canonical_only: bool,
    /// Prunes with per-section lower bounds.
    #[arg(long = "section_inference", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub section_inference: bool,
    /// Orders buffers dynamically by minimum offset.
    #[arg(long = "dynamic_ordering", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub dynamic_ordering: bool,
    /// Skips placements that leave a fillable gap.
    #[arg(long = "check_dominance", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub check_dominance: bool,
    /// Uses minimum offsets of unplaced buffers as section floors.
    #[arg(long = "unallocated_floor", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub unallocated_floor: bool,
    /// Sorts buffers by the preordering heuristic first.
    #[arg(long = "static_preordering", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub static_preordering: bool,
    /// Splits the problem when placed buffers disconnect it.
    #[arg(long = "dynamic_decomposition", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub dynamic_decomposition: bool,
    /// Requires section floors to rise monotonically.
    #[arg(long = "monotonic_floor", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub monotonic_floor: bool,
    /// Stops after a buffer with nothing above it.
    #[arg(long = "hatless_pruning", num_args = 0..=1, require_equals = true, default_value = "true",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub hatless_pruning: bool,
    /// Finds the smallest capacity (up to `--capacity`) that admits a solution.
    #[arg(long = "minimize_capacity", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub minimize_capacity: bool,
    /// Static preordering heuristics, comma separated (letters A C L O T U W Z).
    #[arg(long = "preordering_heuristics", value_name = "LIST", default_value = "WAT,TAW,TWA")]
    pub preordering_heuristics: String,
    /// Write figures of the run as JSON to this file.
    #[arg(long = "stats", value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// When infeasible, print an irreducible infeasible subset of buffers.
    #[arg(long = "explain", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub explain: bool,
    /// The algorithm: `exact` (the MiniMalloc search), `auto` (heuristics,
    /// then the exact search within the time limit, 10 s by default), or a
    /// heuristic: `greedy-size`, `xla`, `xla-spatial`, `xla-temporal`,
    /// `greedy-conflicts`, `first-fit`. Default: `exact` with `--capacity`
    /// (the reference's behaviour), `auto` without.
    #[arg(long = "algorithm", value_name = "NAME")]
    pub algorithm: Option<minimalloc::allocate::Algorithm>,
    /// The exact search: `fast` (the reference's search for a tenth of the
    /// time limit, at most 1 s, then bottom-left on a skyline, stronger on
    /// tight problems) or `reference` (the C++ reference's search alone,
    /// node for node: identical output and backtrack counts). Default:
    /// `fast`, or `reference` when a technique switch is turned off or
    /// `--preordering_heuristics` differs from `WAT,TAW,TWA` (they tune the
    /// reference's search).
    #[arg(long = "search", value_name = "NAME")]
    pub search: Option<minimalloc::search::SearchMode>,
    /// Draw the solution as an SVG picture into this file.
    #[arg(long = "svg", value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Draw the solution as a self-contained interactive HTML page into this
    /// file (hover for details, wheel to zoom, drag to pan).
    #[arg(long = "html", value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// The layout of the output file.
    #[arg(long = "output_format", value_enum, default_value_t = OutputFormat::Standard)]
    pub output_format: OutputFormat,
    /// Print nothing on standard error but errors.
    #[arg(long = "quiet", short = 'q', num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub quiet: bool,
}

/// Parses a duration as Abseil does (`1h2m3.5s`, `250ms`, `10us`, `5ns`,
/// `0`, `inf`), and also a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("invalid duration {text:?}: expected e.g. 10s, 1.5s, 250ms, 2m, 1h30m, inf");
    if t == "inf" || t == "+inf" {
        return Ok(Duration::MAX);
    }
    if let Ok(seconds) = t.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).map_err(|_| bad());
    }
    let mut rest = t.strip_prefix('+').unwrap_or(t);
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        let value: f64 = rest[..number_len].parse().map_err(|_| bad())?;
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Vec<String> {
        normalize(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn abseil_spellings_become_clap_spellings() {
        assert_eq!(
            norm(&["mm", "-capacity=12", "--canonical-only=false", "--novalidate", "--input", "f.csv", "-"]),
            vec![
                "mm",
                "--capacity=12",
                "--canonical_only=false",
                "--validate=false",
                "--input",
                "f.csv",
                "-"
            ]
        );
        assert_eq!(norm(&["mm", "--", "-capacity"]), vec!["mm", "--", "-capacity"]);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("inf"), Ok(Duration::MAX));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("10x").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
