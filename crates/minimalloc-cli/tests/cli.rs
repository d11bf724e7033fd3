//! End-to-end tests of the `minimalloc` binary: flags, exit codes, files.
//!
//! Every test works in its own temporary folder. Solutions written by the
//! tool are read back and checked with the library (`minimalloc::csv` and
//! `minimalloc::validate`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

// ---------------------------------------------------------------------------
// The reference README example
// ---------------------------------------------------------------------------

const EXAMPLE: &str = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n";

const EXAMPLE_SOLUTION: &str =
    "id,lower,upper,size,offset\nb1,0,3,4,8\nb2,3,9,4,8\nb3,0,9,4,4\nb4,9,21,4,4\nb5,0,21,4,0\n";

const EXAMPLE_LEGACY_SOLUTION: &str =
    "id,start,end,size,offset\nb1,0,2,4,8\nb2,3,8,4,8\nb3,0,8,4,4\nb4,9,20,4,4\nb5,0,20,4,0\n";

/// What a pre-existing output file holds before a run that must not touch it.
const SENTINEL: &[u8] = b"do not touch\r\nthis file\x00\xff\n";

/// The solver switches, spelled as the reference spells them.
const SWITCHES: &[&str] = &[
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
];

/// Switches that, turned off, leave the search without its pruning.
const NO_PRUNING: &[&str] = &[
    "--canonical_only=false",
    "--section_inference=false",
    "--check_dominance=false",
    "--unallocated_floor=false",
    "--dynamic_decomposition=false",
    "--monotonic_floor=false",
    "--hatless_pruning=false",
];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// No run of the tool should take longer than this.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// The outcome of one run of the tool.
#[derive(Debug)]
struct Run {
    /// The exit code; `None` if killed by a signal.
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn stdout_text(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }

    fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "exit code; stderr:\n{}\nstdout:\n{}",
            self.stderr,
            String::from_utf8_lossy(&self.stdout)
        );
        assert_no_panic(self);
        self
    }
}

fn assert_no_panic(run: &Run) {
    assert!(!run.stderr.contains("panicked"), "the tool panicked:\n{}", run.stderr);
    assert_ne!(run.code, Some(101), "exit code 101 is Rust's panic code; stderr:\n{}", run.stderr);
}

/// Runs the tool in `dir` with `args`, feeding `stdin`, and kills it after
/// `limit` (failing the test) if it has not finished by then.
fn run_with(dir: &Path, args: &[&str], stdin: Option<&[u8]>, limit: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_minimalloc"))
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the minimalloc binary starts");
    let feeder = stdin.map(|bytes| {
        let bytes = bytes.to_vec();
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The tool may stop reading early (for example on an error).
        thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the tool") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("minimalloc {args:?} did not finish within {limit:?}");
        }
        thread::sleep(Duration::from_millis(5));
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    let stdout = out_reader.join().expect("stdout reader");
    let stderr = String::from_utf8_lossy(&err_reader.join().expect("stderr reader")).into_owned();
    Run { code: status.code(), stdout, stderr }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_with(dir, args, None, RUN_LIMIT)
}

fn run_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    run_with(dir, args, Some(stdin), RUN_LIMIT)
}

/// A temporary folder holding `input.csv` with `content`.
fn dir_with_input(content: &[u8]) -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("temp dir");
    let input = dir.path().join("input.csv");
    fs::write(&input, content).expect("write input");
    (dir, input)
}

fn path_arg(flag: &str, path: &Path) -> String {
    format!("{flag}={}", path.display())
}

/// The names of the entries of a folder.
fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Checks that `output` is a valid solution of `input` within `capacity`:
/// the same buffers in the same order, each with an offset. Returns the
/// solution's height.
fn check_solution(input: &str, output: &str, capacity: i64) -> i64 {
    let expected = minimalloc::csv::from_csv(input).expect("the input parses");
    let mut problem = minimalloc::csv::from_csv(output)
        .unwrap_or_else(|e| panic!("the output does not parse: {e}\n{output}"));
    let solution =
        problem.strip_solution().unwrap_or_else(|e| panic!("the output lacks an offset: {e}\n{output}"));
    assert_eq!(problem.buffers, expected.buffers, "the output describes other buffers:\n{output}");
    problem.capacity = capacity;
    if let Err(violation) = minimalloc::validate::validate(&problem, &solution) {
        panic!("invalid solution ({violation}):\n{output}");
    }
    solution.height
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).expect("the stats file exists");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("stats are not JSON ({e}):\n{text}"))
}

/// The ids of the rows (`id,lower,upper,size`) printed by `--explain`.
fn explained_ids(stderr: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let numeric = fields.len() == 4 && fields[1..].iter().all(|f| f.parse::<i64>().is_ok());
            numeric.then(|| fields[0].to_string())
        })
        .collect()
}

/// A pseudo-random instance of 60 buffers that all overlap heavily.
fn hard_instance() -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let mut text = String::from("id,lower,upper,size\n");
    for i in 0..60 {
        let lower = next() % 10;
        let upper = lower + 10 + next() % 20;
        let size = 1 + next() % 16;
        writeln!(text, "h{i},{lower},{upper},{size}").expect("write to string");
    }
    text
}

// ---------------------------------------------------------------------------
// 1. The reference example
// ---------------------------------------------------------------------------

#[test]
fn readme_example_with_files() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let output = dir.path().join("out.csv");
    let r = run(dir.path(), &["--capacity=12", &path_arg("--input", &input), &path_arg("--output", &output)]);
    r.assert_code(0);
    assert_eq!(fs::read_to_string(&output).expect("output written"), EXAMPLE_SOLUTION);
    assert!(r.stdout.is_empty(), "nothing on stdout when --output is given: {:?}", r.stdout_text());
    assert_eq!(entries(dir.path()), names(&["input.csv", "out.csv"]), "no stray files");
}

#[test]
fn a_repeated_flag_takes_its_last_value_as_abseil_does() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let r = run(dir.path(), &["--capacity=4", "--capacity=12", "--input=input.csv"]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), EXAMPLE_SOLUTION);
    run(dir.path(), &["--capacity=12", "--capacity=4", "--input=input.csv"]).assert_code(1);
}

#[test]
fn a_failing_output_leaves_every_other_output_untouched() {
    // The pictures and the solution appear together or not at all: an
    // unwritable solution path leaves an existing picture as it was.
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let svg = dir.path().join("picture.svg");
    fs::write(&svg, SENTINEL).unwrap();
    let r = run(
        dir.path(),
        &["--capacity=12", "--input=input.csv", "--svg=picture.svg", "--output=no-such-folder/out.csv"],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("no-such-folder/out.csv"), "{}", r.stderr);
    assert_eq!(fs::read(&svg).unwrap(), SENTINEL);
    assert_eq!(entries(dir.path()), names(&["input.csv", "picture.svg"]), "no stray files");
    // And the other way round.
    let output = dir.path().join("out.csv");
    fs::write(&output, SENTINEL).unwrap();
    let r = run(
        dir.path(),
        &["--capacity=12", "--input=input.csv", "--svg=no-such-folder/p.svg", "--output=out.csv"],
    );
    r.assert_code(2);
    assert_eq!(fs::read(&output).unwrap(), SENTINEL);
}

#[test]
fn plotting_an_invalid_solution_warns() {
    let (dir, _) = dir_with_input(b"id,lower,upper,size,offset\na,0,2,4,0\nb,1,3,4,2\n");
    let r = run(dir.path(), &["plot", "input.csv", "--svg=p.svg"]);
    r.assert_code(0);
    assert!(r.stderr.contains("not a valid solution") && r.stderr.contains("overlap"), "{}", r.stderr);
    assert!(dir.path().join("p.svg").exists(), "drawn anyway");
}

#[test]
fn no_explanation_built_on_a_search_that_proves_nothing() {
    // An audit finding: with gap windows the reference's search may call a
    // feasible problem infeasible (as the reference does); `--explain`
    // then printed a "subset" built on those wrong verdicts.
    let text = "id,lower,upper,size,alignment,gaps\nb0,8,14,5,4,9-11@3:4\nb1,2,10,2,4,\nb2,4,10,1,4,8-9\n\
                b3,2,3,4,4,\nb4,1,7,3,1,3-5\nb5,0,2,4,4,\nb6,2,10,1,1,\n";
    let (dir, _) = dir_with_input(text.as_bytes());
    let r = run(dir.path(), &["--capacity=10", "--search=reference", "--explain", "input.csv"]);
    r.assert_code(1);
    assert!(r.stderr.contains("no explanation"), "{}", r.stderr);
    // The fast search finds the placement the reference's misses.
    run(dir.path(), &["--capacity=10", "--explain", "--validate", "input.csv"]).assert_code(0);
}

#[cfg(target_os = "linux")]
#[test]
fn a_failing_device_output_leaves_the_pictures_unwritten() {
    // A review finding: the pictures were put in place before the device
    // write failed.
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let r = run(dir.path(), &["--capacity=12", "--input=input.csv", "--svg=p.svg", "--output=/dev/full"]);
    r.assert_code(2);
    assert_eq!(entries(dir.path()), names(&["input.csv"]), "no picture, no stray file");
}

#[cfg(unix)]
#[test]
fn output_to_a_named_pipe_is_written_once() {
    // A review finding: the pipe was opened twice, and the second open waited
    // for a reader that had already left.
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let fifo = dir.path().join("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs").success());
    let reader = {
        let fifo = fifo.clone();
        thread::spawn(move || fs::read_to_string(fifo).expect("the pipe reads"))
    };
    let r = run_with(
        dir.path(),
        &["--capacity=12", "--input=input.csv", "--output=pipe"],
        None,
        Duration::from_secs(20),
    );
    r.assert_code(0);
    assert_eq!(reader.join().expect("reader"), EXAMPLE_SOLUTION);
}

#[test]
fn a_silent_standard_input_times_out_in_time() {
    let dir = TempDir::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_minimalloc"))
        .args(["--capacity=12", "--timeout=0.2s", "--stats=stats.json", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the minimalloc binary starts");
    let _open_but_silent = child.stdin.take();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting") {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still reading after 10 s");
        thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), Some(3));
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    assert_eq!(read_json(&dir.path().join("stats.json"))["status"], "timeout");
}

#[test]
fn readme_example_with_relative_paths() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    run(dir.path(), &["--capacity=12", "--input=input.csv", "--output=out.csv"]).assert_code(0);
    assert_eq!(fs::read_to_string(dir.path().join("out.csv")).unwrap(), EXAMPLE_SOLUTION);
}

#[test]
fn readme_example_from_stdin_to_stdout() {
    let dir = TempDir::new().unwrap();
    let r = run_stdin(dir.path(), &["--capacity=12", "-"], EXAMPLE.as_bytes());
    r.assert_code(0);
    assert_eq!(r.stdout_text(), EXAMPLE_SOLUTION);
    let r = run_stdin(dir.path(), &["--capacity=12", "--input=-"], EXAMPLE.as_bytes());
    r.assert_code(0);
    assert_eq!(r.stdout_text(), EXAMPLE_SOLUTION);
    assert!(entries(dir.path()).is_empty(), "nothing written to the folder");
}

#[test]
fn readme_example_positional_path_to_stdout() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let r = run(dir.path(), &["--capacity=12", input.to_str().unwrap()]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), EXAMPLE_SOLUTION);
    let r = run(dir.path(), &["--capacity=12", "--output=-", "input.csv"]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), EXAMPLE_SOLUTION);
}

#[test]
fn readme_example_with_reference_flags() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let output = dir.path().join("o.csv");
    let r = run(
        dir.path(),
        &[
            "--capacity=12",
            &path_arg("--input", &input),
            &path_arg("--output", &output),
            "--timeout=10s",
            "--validate",
            "--canonical_only=false",
            "--preordering_heuristics=WAT,TAW",
            "--print_solution",
        ],
    );
    r.assert_code(0);
    let written = fs::read_to_string(&output).expect("output written");
    assert_eq!(check_solution(EXAMPLE, &written, 12), 12);
    // --print_solution: a TikZ picture on stdout, one label per buffer.
    let picture = r.stdout_text();
    assert!(picture.contains("\\begin{tikzpicture}") && picture.contains("\\end{document}"), "{picture}");
    for id in ["b1", "b2", "b3", "b4", "b5"] {
        assert!(picture.contains(&format!("{{{id}}}")), "no label for {id}:\n{picture}");
    }
}

#[test]
fn summary_goes_to_stderr_and_quiet_silences_it() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let r = run(dir.path(), &["--capacity=12", "input.csv"]);
    r.assert_code(0);
    assert!(r.stderr.contains("12"), "the summary names the height: {}", r.stderr);
    let r = run(dir.path(), &["--capacity=12", "--quiet", "input.csv"]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), EXAMPLE_SOLUTION);
    assert_eq!(r.stderr, "", "--quiet prints nothing but errors");
}

// ---------------------------------------------------------------------------
// 2. Infeasible
// ---------------------------------------------------------------------------

#[test]
fn infeasible_exits_1_and_writes_nothing() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let output = dir.path().join("out.csv");
    let r = run(dir.path(), &["--capacity=11", &path_arg("--input", &input), &path_arg("--output", &output)]);
    r.assert_code(1);
    assert!(!output.exists(), "no output file is created for an infeasible problem");
    assert_eq!(entries(dir.path()), names(&["input.csv"]), "no stray files");
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("infeasible"), "{}", r.stderr);
}

#[test]
fn infeasible_leaves_existing_output_untouched() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let output = dir.path().join("out.csv");
    fs::write(&output, SENTINEL).unwrap();
    let r = run(dir.path(), &["--capacity=11", &path_arg("--input", &input), &path_arg("--output", &output)]);
    r.assert_code(1);
    assert_eq!(fs::read(&output).unwrap(), SENTINEL);
    assert_eq!(entries(dir.path()), names(&["input.csv", "out.csv"]), "no stray files");
}

#[test]
fn infeasible_explain_lists_an_irreducible_subset() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let r = run(dir.path(), &["--capacity=11", "--explain", input.to_str().unwrap()]);
    r.assert_code(1);
    assert!(r.stdout.is_empty(), "the explanation goes to stderr");
    // b2, b3 and b5 are all live during [3, 9) and need 12 > 11; without any
    // one of them the rest fits. b1 would make the set reducible (b1, b3, b5
    // alone do not fit either), and b4 is in no infeasible subset.
    let ids = explained_ids(&r.stderr);
    assert_eq!(ids, names(&["b2", "b3", "b5"]), "stderr:\n{}", r.stderr);
    // Without --explain, no subset is listed.
    let r = run(dir.path(), &["--capacity=11", input.to_str().unwrap()]);
    r.assert_code(1);
    assert!(explained_ids(&r.stderr).is_empty(), "stderr:\n{}", r.stderr);
}

#[test]
fn zero_capacity_is_infeasible_unless_there_are_no_buffers() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    run(dir.path(), &["--capacity=0", "input.csv"]).assert_code(1);
    fs::write(dir.path().join("empty.csv"), "id,lower,upper,size\n").unwrap();
    let r = run(dir.path(), &["--capacity=0", "empty.csv"]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), "id,lower,upper,size,offset\n");
}

// ---------------------------------------------------------------------------
// 3. --stats
// ---------------------------------------------------------------------------

#[test]
fn stats_of_a_solved_run() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let stats = dir.path().join("stats.json");
    let output = dir.path().join("out.csv");
    run(
        dir.path(),
        &[
            "--capacity=12",
            &path_arg("--input", &input),
            &path_arg("--output", &output),
            &path_arg("--stats", &stats),
        ],
    )
    .assert_code(0);
    let json = read_json(&stats);
    assert_eq!(json["status"], "solved", "{json}");
    assert_eq!(json["height"], 12, "{json}");
    assert_eq!(json["lower_bound"], 12, "{json}");
    assert_eq!(json["buffers"], 5, "{json}");
    assert_eq!(json["capacity"], 12, "{json}");
    assert!(json["backtracks"].is_u64(), "{json}");
    assert_eq!(json["probes"], 1, "one capacity searched: {json}");
    let elapsed = json["elapsed_seconds"].as_f64().expect("elapsed_seconds is a number");
    assert!((0.0..60.0).contains(&elapsed), "{json}");
    assert_eq!(fs::read_to_string(&output).unwrap(), EXAMPLE_SOLUTION);
}

#[test]
fn stats_of_an_infeasible_run() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let stats = dir.path().join("stats.json");
    run(dir.path(), &["--capacity=11", input.to_str().unwrap(), &path_arg("--stats", &stats)]).assert_code(1);
    let json = read_json(&stats);
    assert_eq!(json["status"], "infeasible", "{json}");
    assert!(json["height"].is_null(), "no height without a solution: {json}");
    assert_eq!(json["lower_bound"], 12, "{json}");
    assert_eq!(json["buffers"], 5, "{json}");
    assert_eq!(json["capacity"], 11, "{json}");
    assert!(json["backtracks"].is_u64(), "{json}");
    assert!(json["elapsed_seconds"].as_f64().is_some_and(|s| s >= 0.0), "{json}");
}

#[test]
fn stats_when_minimizing() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let stats = dir.path().join("stats.json");
    run(dir.path(), &[input.to_str().unwrap(), &path_arg("--stats", &stats)]).assert_code(0);
    let json = read_json(&stats);
    assert_eq!(json["status"], "solved", "{json}");
    assert_eq!(json["height"], 12, "{json}");
    assert_eq!(json["lower_bound"], 12, "{json}");
    assert_eq!(json["buffers"], 5, "{json}");
    assert_eq!(json["probes"], 0, "a heuristic reached the bound, no search: {json}");
}

// ---------------------------------------------------------------------------
// 4. No --capacity: minimize the peak
// ---------------------------------------------------------------------------

#[test]
fn without_capacity_the_peak_is_minimized() {
    let (dir, input) = dir_with_input(EXAMPLE.as_bytes());
    let output = dir.path().join("out.csv");
    run(dir.path(), &[&path_arg("--input", &input), &path_arg("--output", &output)]).assert_code(0);
    let written = fs::read_to_string(&output).unwrap();
    assert_eq!(check_solution(EXAMPLE, &written, 12), 12, "the optimum is the max load, 12");
}

#[test]
fn without_capacity_a_fragmented_problem_gets_its_optimum() {
    // Whatever height the minimization reaches must be at least the lower
    // bound, valid, and optimal: one less must be proved infeasible.
    let text = "id,lower,upper,size\na,0,2,3\nb,0,3,2\nc,0,1,4\nd,1,3,5\ne,2,4,3\n";
    let (dir, _) = dir_with_input(text.as_bytes());
    let r = run(dir.path(), &["input.csv"]);
    r.assert_code(0);
    let height = check_solution(text, &r.stdout_text(), i64::MAX);
    let lower_bound = minimalloc::csv::from_csv(text).unwrap().lower_bound();
    assert!(height >= lower_bound);
    // No lower capacity admits a solution.
    run(dir.path(), &["input.csv", &format!("--capacity={}", height - 1)]).assert_code(1);
    run(dir.path(), &["input.csv", &format!("--capacity={height}")]).assert_code(0);
}

#[test]
fn minimize_capacity_flag_finds_the_lowest_capacity() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let r = run(dir.path(), &["--capacity=20", "--minimize_capacity", "input.csv"]);
    r.assert_code(0);
    assert_eq!(check_solution(EXAMPLE, &r.stdout_text(), 12), 12);
}

#[test]

fn without_capacity_alignment_can_push_the_peak_above_the_sum_of_sizes() {
    // Two buffers of size 3 live together, each at a multiple of 2: one at
    // 0, the other at 4, so the peak is 7 > 3 + 3.
    let text = "id,lower,upper,size,alignment\na,0,1,3,2\nb,0,1,3,2\n";
    let (dir, _) = dir_with_input(text.as_bytes());
    let r = run(dir.path(), &["input.csv"]);
    r.assert_code(0);
    assert_eq!(check_solution(text, &r.stdout_text(), 7), 7);
}

#[test]

fn without_capacity_a_fixed_offset_above_the_sum_of_sizes_is_kept() {
    // A buffer fixed at offset 100: the peak is 104, far above its size.
    let text = "id,lower,upper,size,offset\na,0,4,4,100\n";
    let (dir, _) = dir_with_input(text.as_bytes());
    let r = run(dir.path(), &["input.csv"]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), "id,lower,upper,size,offset\na,0,4,4,100\n");
}

#[test]

fn without_capacity_huge_sizes_fail_cleanly() {
    // Two buffers of size i64::MAX live together: no 64-bit peak fits them.
    let text = "id,lower,upper,size\na,0,4,9223372036854775807\nb,0,4,9223372036854775807\n";
    let (dir, _) = dir_with_input(text.as_bytes());
    let output = dir.path().join("out.csv");
    fs::write(&output, SENTINEL).unwrap();
    let r = run_with(dir.path(), &["input.csv", "--output=out.csv"], None, Duration::from_secs(30));
    assert_no_panic(&r);
    assert!(matches!(r.code, Some(1) | Some(2)), "infeasible (1) or unusable input (2), got {r:?}");
    assert_eq!(fs::read(&output).unwrap(), SENTINEL);
}

// ---------------------------------------------------------------------------
// 5. Bad input: exit 2, a precise message, nothing written
// ---------------------------------------------------------------------------

/// One bad input and what its error message must name.
struct Bad<'a> {
    content: &'a [u8],
    /// The line number of the error, if it concerns a line.
    line: Option<u64>,
    /// The column name, quoted in the message, if it concerns a column.
    column: Option<&'a str>,
    /// The offending text, quoted in the message, if there is one.
    text: Option<&'a str>,
}

impl<'a> Bad<'a> {
    fn new(content: &'a str, line: u64, column: Option<&'a str>, text: Option<&'a str>) -> Self {
        Bad { content: content.as_bytes(), line: Some(line), column, text }
    }
}

/// Runs the tool on a bad input with an existing output file; checks exit
/// code 2, no panic, the message, and that the output file is unchanged.
fn assert_bad_input(bad: &Bad<'_>) {
    let (dir, input) = dir_with_input(bad.content);
    let output = dir.path().join("out.csv");
    fs::write(&output, SENTINEL).unwrap();
    let r =
        run(dir.path(), &["--capacity=100", &path_arg("--input", &input), &path_arg("--output", &output)]);
    let shown = String::from_utf8_lossy(bad.content);
    assert_eq!(r.code, Some(2), "input {shown:?}: exit code; stderr:\n{}", r.stderr);
    assert_no_panic(&r);
    let path = input.display().to_string();
    match bad.line {
        Some(line) => assert!(
            r.stderr.contains(&format!("{path}:{line}")),
            "input {shown:?}: the message names {path}:{line}:\n{}",
            r.stderr
        ),
        None => assert!(r.stderr.contains(&path), "input {shown:?}: the message names {path}:\n{}", r.stderr),
    }
    if let Some(column) = bad.column {
        assert!(
            r.stderr.contains(&format!("\"{column}\"")),
            "input {shown:?}: the message names column {column:?}:\n{}",
            r.stderr
        );
    }
    if let Some(text) = bad.text {
        assert!(
            r.stderr.contains(&format!("\"{text}\"")),
            "input {shown:?}: the message quotes {text:?}:\n{}",
            r.stderr
        );
    }
    assert!(r.stdout.is_empty(), "input {shown:?}: nothing on stdout");
    assert_eq!(fs::read(&output).unwrap(), SENTINEL, "input {shown:?}: the output file is untouched");
    assert_eq!(entries(dir.path()), names(&["input.csv", "out.csv"]), "input {shown:?}: no stray files");
}

/// Runs the tool with bad flags on a good input with an existing output file.
fn assert_bad_usage(args: &[&str], mentions: &[&str]) {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let output = dir.path().join("out.csv");
    fs::write(&output, SENTINEL).unwrap();
    let mut all = vec!["--output=out.csv"];
    all.extend_from_slice(args);
    let r = run(dir.path(), &all);
    assert_eq!(r.code, Some(2), "{args:?}: exit code; stderr:\n{}", r.stderr);
    assert_no_panic(&r);
    for m in mentions {
        assert!(r.stderr.contains(m), "{args:?}: the message mentions {m:?}:\n{}", r.stderr);
    }
    assert!(r.stdout.is_empty(), "{args:?}: nothing on stdout");
    assert_eq!(fs::read(&output).unwrap(), SENTINEL, "{args:?}: the output file is untouched");
    assert_eq!(entries(dir.path()), names(&["input.csv", "out.csv"]), "{args:?}: no stray files");
}

#[test]
fn bad_missing_required_column() {
    assert_bad_input(&Bad::new("id,lower,size\na,0,4\n", 1, Some("upper"), None));
    assert_bad_input(&Bad::new("lower,upper,size\n0,4,4\n", 1, Some("id"), None));
    assert_bad_input(&Bad::new("id,upper,size\na,4,4\n", 1, Some("lower"), None));
    assert_bad_input(&Bad::new("id,lower,upper\na,0,4\n", 1, Some("size"), None));
    // A header after blank lines is on its own line.
    assert_bad_input(&Bad::new("\n\nid,lower,upper\na,0,4\n", 3, Some("size"), None));
}

#[test]
fn bad_duplicate_column() {
    assert_bad_input(&Bad::new("id,lower,upper,size,buffer\na,0,4,4,x\n", 1, Some("buffer"), None));
    assert_bad_input(&Bad::new("id,lower,upper,size,size\na,0,4,4,4\n", 1, Some("size"), None));
    assert_bad_input(&Bad::new("id,lower,upper,end,size\na,0,4,3,4\n", 1, Some("end"), None));
    assert_bad_input(&Bad::new("id,start,lower,upper,size\na,0,0,4,4\n", 1, Some("lower"), None));
}

#[test]
fn bad_wrong_number_of_fields() {
    assert_bad_input(&Bad::new("id,lower,upper,size\na,0,4,4\nb,0,4\n", 3, None, None));
    assert_bad_input(&Bad::new("id,lower,upper,size\na,0,4,4,7\n", 2, None, None));
    assert_bad_input(&Bad::new("id,lower,upper,size\r\na,0,4,4\r\nb,1\r\n", 3, None, None));
}

#[test]
fn bad_malformed_integer() {
    assert_bad_input(&Bad::new("id,lower,upper,size\na,0,4,4x\n", 2, Some("size"), Some("4x")));
    assert_bad_input(&Bad::new("id,lower,upper,size\na,0,4,4\nb,zero,4,4\n", 3, Some("lower"), Some("zero")));
    assert_bad_input(&Bad::new("id,lower,upper,size\na,0,1.5,4\n", 2, Some("upper"), Some("1.5")));
    assert_bad_input(&Bad::new("id,lower,upper,size\na,,4,4\n", 2, Some("lower"), Some("")));
    assert_bad_input(&Bad::new(
        "id,lower,upper,size,alignment\na,0,4,4,x\n",
        2,
        Some("alignment"),
        Some("x"),
    ));
    assert_bad_input(&Bad::new("id,lower,upper,size,offset\na,0,4,4,o\n", 2, Some("offset"), Some("o")));
    assert_bad_input(&Bad::new("id,lower,upper,size,hint\na,0,4,4,h\n", 2, Some("hint"), Some("h")));
}

#[test]
fn bad_malformed_gap() {
    for gap in ["1:2", "1-", "-2", "a-b", "1-2@3", "1-2@a:b", "1-2@1:", "1-2-3"] {
        let content = format!("id,lower,upper,size,gaps\na,0,4,4,{gap}\n");
        assert_bad_input(&Bad::new(&content, 2, Some("gaps"), Some(gap)));
    }
    // The bad one of several gaps is named.
    assert_bad_input(&Bad::new("id,lower,upper,size,gaps\na,0,9,4,1-2 x 4-5\n", 2, Some("gaps"), Some("x")));
}

#[test]
fn bad_integer_overflow() {
    let big = "99999999999999999999";
    assert_bad_input(&Bad::new(&format!("id,lower,upper,size\na,0,{big},4\n"), 2, Some("upper"), Some(big)));
    assert_bad_input(&Bad::new(&format!("id,lower,upper,size\na,0,4,{big}\n"), 2, Some("size"), Some(big)));
    assert_bad_input(&Bad::new(
        "id,lower,upper,size\na,-99999999999999999999,4,4\n",
        2,
        Some("lower"),
        Some("-99999999999999999999"),
    ));
    // An inclusive end of i64::MAX has no exclusive upper.
    let max = "9223372036854775807";
    assert_bad_input(&Bad::new(&format!("id,start,end,size\na,0,{max},4\n"), 2, Some("end"), Some(max)));
    let gap = format!("0-{big}");
    assert_bad_input(&Bad::new(
        &format!("id,lower,upper,size,gaps\na,0,4,4,{gap}\n"),
        2,
        Some("gaps"),
        Some(&gap),
    ));
}

#[test]
fn bad_size_not_positive() {
    assert_bad_input(&Bad::new("id,lower,upper,size\na,0,4,0\n", 2, Some("size"), Some("0")));
    assert_bad_input(&Bad::new("id,lower,upper,size\na,0,4,4\nb,0,4,-3\n", 3, Some("size"), Some("-3")));
}

#[test]
fn bad_empty_or_reversed_lifespan() {
    assert_bad_input(&Bad::new("id,lower,upper,size\na,4,4,1\n", 2, Some("upper"), Some("4")));
    assert_bad_input(&Bad::new("id,lower,upper,size\na,5,4,1\n", 2, Some("upper"), Some("4")));
    // Inclusive end: [5, 4) is reversed; [5, 5] is one step and fine.
    assert_bad_input(&Bad::new("id,start,end,size\na,5,3,1\n", 2, Some("end"), Some("3")));
}

#[test]
fn bad_alignment_below_one() {
    assert_bad_input(&Bad::new(
        "id,lower,upper,size,alignment\na,0,4,4,0\n",
        2,
        Some("alignment"),
        Some("0"),
    ));
    assert_bad_input(&Bad::new(
        "id,lower,upper,size,alignment\na,0,4,4,1\nb,0,4,4,-2\n",
        3,
        Some("alignment"),
        Some("-2"),
    ));
}

#[test]
fn bad_gap_outside_lifespan() {
    for gap in ["3-6", "-1-2", "4-5", "0-5"] {
        let content = format!("id,lower,upper,size,gaps\na,0,4,4,{gap}\n");
        assert_bad_input(&Bad::new(&content, 2, Some("gaps"), Some(gap)));
    }
}

#[test]
fn bad_window_outside_size() {
    for gap in ["1-2@0:5", "1-2@-1:2", "1-2@3:1"] {
        let content = format!("id,lower,upper,size,gaps\na,0,4,4,{gap}\n");
        assert_bad_input(&Bad::new(&content, 2, Some("gaps"), Some(gap)));
    }
}

#[test]
fn bad_empty_input() {
    assert_bad_input(&Bad { content: b"", line: None, column: None, text: None });
    assert_bad_input(&Bad { content: b"\n\n", line: None, column: None, text: None });
    assert_bad_input(&Bad { content: b"\xef\xbb\xbf", line: None, column: None, text: None });
}

#[test]
fn bad_empty_input_on_stdin() {
    let dir = TempDir::new().unwrap();
    let r = run_stdin(dir.path(), &["--capacity=12", "-"], b"");
    r.assert_code(2);
    assert!(r.stderr.contains("<stdin>"), "{}", r.stderr);
    let r = run_stdin(dir.path(), &["--capacity=12", "-"], b"id,lower,upper,size\na,0,4,x\n");
    r.assert_code(2);
    assert!(r.stderr.contains("<stdin>:2") && r.stderr.contains("\"size\""), "{}", r.stderr);
}

#[test]
fn bad_invalid_utf8() {
    assert_bad_input(&Bad {
        content: b"id,lower,upper,size\n\xff\xfe,0,4,4\n",
        line: Some(2),
        column: Some("id"),
        text: None,
    });
    assert_bad_input(&Bad {
        content: b"id,lower,upper,size\na,0,4,4\nb,0,\xc3,4\n",
        line: Some(3),
        column: Some("upper"),
        text: None,
    });
    assert_bad_input(&Bad {
        content: b"id,lo\xffwer,upper,size\na,0,4,4\n",
        line: Some(1),
        column: None,
        text: None,
    });
    // Even in a column that is otherwise ignored.
    assert_bad_input(&Bad {
        content: b"id,lower,upper,size,note\na,0,4,4,\xe9t\xe9\n",
        line: Some(2),
        column: Some("note"),
        text: None,
    });
}

#[test]
fn bad_duplicate_ids() {
    assert_bad_input(&Bad::new("id,lower,upper,size\na,0,4,4\nb,0,4,4\na,1,3,4\n", 4, Some("id"), Some("a")));
    assert_bad_input(&Bad::new("buffer,lower,upper,size\nx,0,4,4\nx,5,6,4\n", 3, Some("buffer"), Some("x")));
}

#[test]
fn bad_nonexistent_input_file() {
    let dir = TempDir::new().unwrap();
    let output = dir.path().join("out.csv");
    fs::write(&output, SENTINEL).unwrap();
    let missing = dir.path().join("missing.csv");
    let r =
        run(dir.path(), &["--capacity=12", &path_arg("--input", &missing), &path_arg("--output", &output)]);
    r.assert_code(2);
    assert!(r.stderr.contains(&missing.display().to_string()), "{}", r.stderr);
    assert_eq!(fs::read(&output).unwrap(), SENTINEL);
    assert_eq!(entries(dir.path()), names(&["out.csv"]));
    // A folder is not a file either.
    fs::create_dir(dir.path().join("folder")).unwrap();
    let r = run(dir.path(), &["--capacity=12", "folder", "--output=out.csv"]);
    r.assert_code(2);
    assert!(r.stderr.contains("folder"), "{}", r.stderr);
    assert_eq!(fs::read(&output).unwrap(), SENTINEL);
}

#[test]
fn bad_no_input() {
    assert_bad_usage(&["--capacity=12"], &["input"]);
}

#[test]
fn bad_negative_capacity() {
    assert_bad_usage(&["--capacity=-1", "input.csv"], &["capacity", "-1"]);
    assert_bad_usage(&["-capacity=-12", "input.csv"], &["capacity"]);
}

#[test]
fn bad_malformed_capacity() {
    assert_bad_usage(&["--capacity=abc", "input.csv"], &["capacity", "abc"]);
    assert_bad_usage(&["--capacity=99999999999999999999", "input.csv"], &["capacity"]);
}

#[test]
fn bad_unknown_flag() {
    assert_bad_usage(&["--capacity=12", "--frobnicate", "input.csv"], &["--frobnicate"]);
    assert_bad_usage(&["--capacity=12", "--frobnicate=1", "input.csv"], &["frobnicate"]);
    assert_bad_usage(&["--capacity=12", "--novalidatee", "input.csv"], &["novalidatee"]);
}

#[test]
fn bad_timeout_value() {
    for value in ["abc", "10x", "-1s", "s"] {
        let flag = format!("--timeout={value}");
        assert_bad_usage(&["--capacity=12", &flag, "input.csv"], &["timeout"]);
    }
}

#[test]
fn bad_preordering_heuristics_letter() {
    assert_bad_usage(&["--capacity=12", "--preordering_heuristics=WAX", "input.csv"], &["WAX", "X"]);
    assert_bad_usage(&["--capacity=12", "--preordering_heuristics=WAT,T?A", "input.csv"], &["?"]);
    assert_bad_usage(&["--capacity=12", "--preordering_heuristics=wat", "input.csv"], &["wat"]);
    assert_bad_usage(
        &["--capacity=12", "--preordering_heuristics=", "input.csv"],
        &["preordering_heuristics"],
    );
}

#[test]
fn bad_boolean_and_output_format_values() {
    assert_bad_usage(&["--capacity=12", "--validate=maybe", "input.csv"], &["maybe"]);
    assert_bad_usage(&["--capacity=12", "--output_format=fancy", "input.csv"], &["fancy"]);
}

// ---------------------------------------------------------------------------
// 6. Odd but valid files
// ---------------------------------------------------------------------------

/// Solves `content` at capacity 12 and checks the output is exactly the
/// example's solution.
fn assert_solves_like_example(content: &[u8]) {
    let (dir, _) = dir_with_input(content);
    let r = run(dir.path(), &["--capacity=12", "--output=out.csv", "input.csv"]);
    let shown = String::from_utf8_lossy(content);
    assert_eq!(r.code, Some(0), "input {shown:?}; stderr:\n{}", r.stderr);
    assert_no_panic(&r);
    let written = fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(written, EXAMPLE_SOLUTION, "input {shown:?}");
    assert_eq!(check_solution(EXAMPLE, &written, 12), 12);
}

#[test]
fn accepts_utf8_bom() {
    assert_solves_like_example(format!("\u{feff}{EXAMPLE}").as_bytes());
}

#[test]
fn accepts_crlf_line_ends() {
    assert_solves_like_example(EXAMPLE.replace('\n', "\r\n").as_bytes());
    assert_solves_like_example(format!("\u{feff}{}", EXAMPLE.replace('\n', "\r\n")).as_bytes());
}

#[test]
fn accepts_trailing_blank_lines_and_no_final_newline() {
    assert_solves_like_example(format!("{EXAMPLE}\n").as_bytes());
    assert_solves_like_example(format!("{EXAMPLE}\r\n").as_bytes());
    assert_solves_like_example(format!("{EXAMPLE}   \n").as_bytes());
    assert_solves_like_example(EXAMPLE.trim_end().as_bytes());
}

#[test]
fn accepts_reordered_columns() {
    let text = "size,upper,id,lower\n4,3,b1,0\n4,9,b2,3\n4,9,b3,0\n4,21,b4,9\n4,21,b5,0\n";
    assert_solves_like_example(text.as_bytes());
}

#[test]
fn accepts_start_end_aliases_with_inclusive_end() {
    let (dir, _) = dir_with_input(b"buffer_id,start,end,size\nx,0,2,4\n");
    let r = run(dir.path(), &["--capacity=4", "input.csv"]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), "id,lower,upper,size,offset\nx,0,3,4,0\n", "end 2 means upper 3");
    // Two buffers meeting at an inclusive end overlap at that time.
    let (dir, _) = dir_with_input(b"buffer_id,start,end,size\nx,0,2,4\ny,2,5,4\n");
    run(dir.path(), &["--capacity=4", "input.csv"]).assert_code(1);
    assert_solves_like_example(
        b"buffer_id,start,end,size\nb1,0,2,4\nb2,3,8,4\nb3,0,8,4\nb4,9,20,4\nb5,0,20,4\n",
    );
    assert_solves_like_example(b"id,begin,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n");
}

#[test]
fn accepts_inclusive_gap_ends_with_end_column() {
    let (dir, _) = dir_with_input(b"id,start,end,size,gaps\nx,0,9,4,2-3\n");
    let r = run(dir.path(), &["--capacity=4", "input.csv"]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), "id,lower,upper,size,gaps,offset\nx,0,10,4,2-4,0\n");
}

#[test]
fn accepts_buffer_alias() {
    let text = "buffer,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n";
    assert_solves_like_example(text.as_bytes());
}

#[test]
fn accepts_and_drops_unknown_columns() {
    let text =
        "id,lower,upper,size,color\nb1,0,3,4,red\nb2,3,9,4,\nb3,0,9,4,blue\nb4,9,21,4,x\nb5,0,21,4,y\n";
    assert_solves_like_example(text.as_bytes());
}

#[test]
fn accepts_header_only() {
    let (dir, _) = dir_with_input(b"id,lower,upper,size\n");
    let r = run(dir.path(), &["--capacity=12", "input.csv"]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), "id,lower,upper,size,offset\n");
}

#[test]
fn keeps_optional_columns_and_honours_them() {
    let text = "id,lower,upper,size,alignment,gaps\na,0,10,3,4,2-4@0:1\nb,0,10,3,4,\nc,3,4,2,1,\n";
    let (dir, _) = dir_with_input(text.as_bytes());
    let r = run(dir.path(), &["--capacity=12", "--validate", "input.csv"]);
    r.assert_code(0);
    let out = r.stdout_text();
    assert!(out.starts_with("id,lower,upper,size,alignment,gaps,offset\n"), "{out}");
    check_solution(text, &out, 12);
}

// ---------------------------------------------------------------------------
// 7. Legacy output and flag spellings
// ---------------------------------------------------------------------------

#[test]
fn legacy_output_format() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let r = run(dir.path(), &["--capacity=12", "--output_format=legacy", "--output=out.csv", "input.csv"]);
    r.assert_code(0);
    let written = fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(written, EXAMPLE_LEGACY_SOLUTION);
    // It reads back as the same problem and solution.
    assert_eq!(check_solution(EXAMPLE, &written, 12), 12);
    // Gap ends are inclusive too.
    let text = "id,lower,upper,size,gaps\na,0,10,4,2-4@1:3\n";
    let (dir, _) = dir_with_input(text.as_bytes());
    let r = run(dir.path(), &["--capacity=4", "--output_format=legacy", "input.csv"]);
    r.assert_code(0);
    assert_eq!(r.stdout_text(), "id,start,end,size,gaps,offset\na,0,9,4,2-3@1:3,0\n");
    check_solution(text, &r.stdout_text(), 4);
}

#[test]
fn abseil_flag_spellings() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let spellings: &[&[&str]] = &[
        &["-capacity=12", "-input=input.csv"],
        &["--capacity", "12", "--input", "input.csv"],
        &["--capacity=12", "--canonical-only=false", "input.csv"],
        &["--capacity=12", "--novalidate", "input.csv"],
        &["--capacity=12", "--validate=true", "input.csv"],
        &["--capacity=12", "--validate=false", "input.csv"],
        &["--capacity=12", "-validate", "input.csv"],
        &["--capacity=12", "--nocanonical_only", "input.csv"],
        &["--capacity=12", "--preordering-heuristics=TWA", "input.csv"],
        &["--capacity=12", "--timeout=1.5s", "input.csv"],
        &["--capacity=12", "--timeout=250ms", "input.csv"],
        &["--capacity=12", "--timeout=2m", "input.csv"],
        &["--capacity=12", "--timeout=inf", "input.csv"],
        &["--capacity=12", "--timeout=10", "input.csv"],
        &["--capacity=12", "-output_format=standard", "input.csv"],
    ];
    for args in spellings {
        let r = run(dir.path(), args);
        assert_eq!(r.code, Some(0), "{args:?}; stderr:\n{}", r.stderr);
        assert_no_panic(&r);
        assert_eq!(check_solution(EXAMPLE, &r.stdout_text(), 12), 12, "{args:?}");
    }
    // Spellings that do not change the search give exactly the reference's offsets.
    for args in [&["-capacity=12", "-input=input.csv"][..], &["--capacity=12", "--novalidate", "input.csv"]] {
        assert_eq!(run(dir.path(), args).stdout_text(), EXAMPLE_SOLUTION, "{args:?}");
    }
    let r =
        run(dir.path(), &["-capacity=12", "-input=input.csv", "-output=out.csv", "-output_format=legacy"]);
    r.assert_code(0);
    assert_eq!(fs::read_to_string(dir.path().join("out.csv")).unwrap(), EXAMPLE_LEGACY_SOLUTION);
}

#[test]
fn every_solver_switch_in_every_spelling() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    for name in SWITCHES {
        let dashed = name.replace('_', "-");
        for flag in [
            format!("--{name}=true"),
            format!("--{name}=false"),
            format!("--{dashed}=true"),
            format!("--{dashed}=false"),
            format!("--{name}"),
            format!("--no{name}"),
            format!("-{name}=false"),
        ] {
            let r = run(dir.path(), &["--capacity=12", &flag, "input.csv"]);
            assert_eq!(r.code, Some(0), "{flag}; stderr:\n{}", r.stderr);
            assert_no_panic(&r);
            assert_eq!(check_solution(EXAMPLE, &r.stdout_text(), 12), 12, "{flag}");
        }
    }
}

#[test]
fn switches_take_effect() {
    // The same hard instance: with pruning it is refuted at once, without it
    // the search runs until the time limit. So the switches do reach the
    // solver.
    let text = hard_instance();
    let capacity = minimalloc::csv::from_csv(&text).unwrap().lower_bound() - 1;
    let (dir, _) = dir_with_input(text.as_bytes());
    let cap = format!("--capacity={capacity}");
    run(dir.path(), &[&cap, "--timeout=60s", "input.csv"]).assert_code(1);
    let mut args = vec![cap.as_str(), "--timeout=100ms", "input.csv"];
    args.extend_from_slice(NO_PRUNING);
    run(dir.path(), &args).assert_code(3);
}

// ---------------------------------------------------------------------------
// 8. Timeout
// ---------------------------------------------------------------------------

#[test]
fn zero_timeout_on_a_hard_instance_times_out() {
    let text = hard_instance();
    let capacity = minimalloc::csv::from_csv(&text).unwrap().lower_bound() - 1;
    let (dir, _) = dir_with_input(text.as_bytes());
    let output = dir.path().join("out.csv");
    let stats = dir.path().join("stats.json");
    let cap = format!("--capacity={capacity}");
    let mut args = vec![cap.as_str(), "--timeout=0s", "--stats=stats.json", "--output=out.csv", "input.csv"];
    args.extend_from_slice(NO_PRUNING);
    let r = run(dir.path(), &args);
    r.assert_code(3);
    assert!(!output.exists(), "no output after a timeout");
    let json = read_json(&stats);
    assert_eq!(json["status"], "timeout", "{json}");
    assert!(json["height"].is_null(), "{json}");
    assert_eq!(json["buffers"], 60, "{json}");
    assert_eq!(json["capacity"], capacity, "{json}");
}

#[test]
fn short_timeout_is_honoured_and_leaves_output_untouched() {
    let text = hard_instance();
    let capacity = minimalloc::csv::from_csv(&text).unwrap().lower_bound() - 1;
    let (dir, _) = dir_with_input(text.as_bytes());
    let output = dir.path().join("out.csv");
    fs::write(&output, SENTINEL).unwrap();
    let cap = format!("--capacity={capacity}");
    let mut args =
        vec![cap.as_str(), "--timeout=300ms", "--stats=stats.json", "--output=out.csv", "input.csv"];
    args.extend_from_slice(NO_PRUNING);
    let start = Instant::now();
    let r = run_with(dir.path(), &args, None, Duration::from_secs(60));
    let took = start.elapsed();
    r.assert_code(3);
    assert!(took >= Duration::from_millis(300), "stopped before the time limit: {took:?}");
    assert!(took < Duration::from_secs(30), "the time limit was not honoured: {took:?}");
    assert_eq!(fs::read(&output).unwrap(), SENTINEL);
    let json = read_json(&dir.path().join("stats.json"));
    assert_eq!(json["status"], "timeout", "{json}");
    let elapsed = json["elapsed_seconds"].as_f64().unwrap();
    assert!((0.29..30.0).contains(&elapsed), "{json}");
    assert_eq!(entries(dir.path()), names(&["input.csv", "out.csv", "stats.json"]), "no stray files");
}

// ---------------------------------------------------------------------------
// Writing the output file
// ---------------------------------------------------------------------------

#[test]
fn existing_output_is_replaced_on_success() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let output = dir.path().join("out.csv");
    fs::write(&output, SENTINEL).unwrap();
    run(dir.path(), &["--capacity=12", "--output=out.csv", "input.csv"]).assert_code(0);
    assert_eq!(fs::read_to_string(&output).unwrap(), EXAMPLE_SOLUTION);
    assert_eq!(entries(dir.path()), names(&["input.csv", "out.csv"]), "no stray files");
}

#[test]
fn unwritable_output_is_bad_usage() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let r = run(dir.path(), &["--capacity=12", "--output=no/such/folder/out.csv", "input.csv"]);
    r.assert_code(2);
    assert!(r.stderr.contains("no/such/folder/out.csv"), "{}", r.stderr);
    assert_eq!(entries(dir.path()), names(&["input.csv"]));
}

#[cfg(unix)]
#[test]

fn output_through_a_symlink_writes_the_target() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let target = dir.path().join("real.csv");
    fs::write(&target, SENTINEL).unwrap();
    std::os::unix::fs::symlink("real.csv", dir.path().join("out.csv")).unwrap();
    run(dir.path(), &["--capacity=12", "--output=out.csv", "input.csv"]).assert_code(0);
    let link = fs::symlink_metadata(dir.path().join("out.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "out.csv is still a symlink");
    assert_eq!(fs::read_to_string(&target).unwrap(), EXAMPLE_SOLUTION, "the solution went to the target");
}

#[cfg(unix)]
#[test]

fn output_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let output = dir.path().join("out.csv");
    fs::write(&output, SENTINEL).unwrap();
    fs::set_permissions(&output, fs::Permissions::from_mode(0o644)).unwrap();
    run(dir.path(), &["--capacity=12", "--output=out.csv", "input.csv"]).assert_code(0);
    assert_eq!(fs::read_to_string(&output).unwrap(), EXAMPLE_SOLUTION);
    let mode = fs::metadata(&output).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "an existing output file keeps its mode, got {mode:o}");
}

// ---------------------------------------------------------------------------
// The two searches
// ---------------------------------------------------------------------------

/// Writes `minimalloc generate guillotine` output into `dir/name`.
fn generate_guillotine(dir: &Path, name: &str, buffers: &str, seed: &str, thin: &str) {
    let out = format!("--output={name}");
    run(dir, &["generate", "guillotine", "--buffers", buffers, "--seed", seed, "--thin", thin, &out])
        .assert_code(0);
}

#[test]
fn both_searches_solve_a_tight_instance_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    generate_guillotine(dir.path(), "g.csv", "80", "3", "0");
    for search in ["--search=fast", "--search=reference"] {
        let r = run(
            dir.path(),
            &["--capacity=1048576", "--validate", search, "--stats=s.json", "--output=o.csv", "g.csv"],
        );
        r.assert_code(0);
        assert!(r.stderr.contains("validation PASS"), "{search}: {}", r.stderr);
        let json = read_json(&dir.path().join("s.json"));
        assert_eq!(json["status"], "solved", "{search}: {json}");
        assert_eq!(json["height"], 1048576, "{search}: zero slack, {json}");
    }
}

#[test]
fn uniform_cuts_on_a_short_horizon_give_a_tight_instance_the_fast_search_solves() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        &[
            "generate",
            "guillotine",
            "--buffers=120",
            "--seed=4",
            "--cuts=uniform",
            "--horizon=300",
            "--output=u.csv",
        ],
    )
    .assert_code(0);
    let text = fs::read_to_string(dir.path().join("u.csv")).unwrap();
    let rows: Vec<Vec<i64>> =
        text.lines().skip(1).map(|l| l.split(',').map(|f| f.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 120);
    assert!(rows.iter().all(|r| r[1] >= 0 && r[2] <= 300), "lifespans inside the horizon");
    let area: i64 = rows.iter().map(|r| (r[2] - r[1]) * r[3]).sum();
    assert_eq!(area, 300 * 1048576, "the pieces tile the rectangle");
    let r = run(dir.path(), &["--capacity=1048576", "--validate", "--output=o.csv", "u.csv"]);
    r.assert_code(0);
    assert!(r.stderr.contains("validation PASS"), "{}", r.stderr);
    // A bad horizon is refused and writes nothing.
    run(dir.path(), &["generate", "guillotine", "--horizon=-3", "--output=bad.csv"]).assert_code(2);
    assert!(!dir.path().join("bad.csv").exists());
    // The guillotine's own flags are refused for other families.
    let r = run(dir.path(), &["generate", "ml", "--cuts=uniform", "--output=bad.csv"]);
    r.assert_code(2);
    assert!(r.stderr.contains("guillotine family only"), "{}", r.stderr);
    assert!(!dir.path().join("bad.csv").exists());
}

#[test]
fn fast_search_gives_the_same_answer_every_run() {
    // Two searches race on two threads; the winner is chosen by node counts,
    // never by timing, so repeated runs write the same file.
    let dir = tempfile::tempdir().unwrap();
    generate_guillotine(dir.path(), "t.csv", "150", "5", "0.12");
    let mut outputs = Vec::new();
    for i in 0..3 {
        let out = format!("--output=o{i}.csv");
        run(dir.path(), &["--capacity=1048576", "--search=fast", "--timeout=60s", &out, "t.csv"])
            .assert_code(0);
        outputs.push(fs::read(dir.path().join(format!("o{i}.csv"))).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[1], outputs[2]);
}

#[test]
fn fast_search_proves_infeasibility() {
    // One below the max-load bound: infeasible, and the fast search says so
    // (exit 1), as the reference's does.
    let text = hard_instance();
    let capacity = minimalloc::csv::from_csv(&text).unwrap().lower_bound() - 1;
    let (dir, _) = dir_with_input(text.as_bytes());
    let cap = format!("--capacity={capacity}");
    let r = run(dir.path(), &[&cap, "--search=fast", "--stats=s.json", "input.csv"]);
    r.assert_code(1);
    assert_eq!(read_json(&dir.path().join("s.json"))["status"], "infeasible");
}

#[test]
fn unknown_search_is_a_usage_error() {
    let (dir, _) = dir_with_input(EXAMPLE.as_bytes());
    let r = run(dir.path(), &["--capacity=12", "--search=quick", "input.csv"]);
    r.assert_code(2);
    assert!(r.stderr.contains("quick") && r.stderr.contains("reference or fast"), "{}", r.stderr);
}
