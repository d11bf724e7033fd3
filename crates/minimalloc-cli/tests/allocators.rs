//! `--algorithm`, `auto`, `compare` and `generate` from the command line.

use std::path::Path;
use std::process::Command;

use minimalloc::csv;
use minimalloc::validate::validate;

fn minimalloc(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_minimalloc"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("minimalloc runs")
}

fn generate(dir: &Path, args: &[&str], name: &str) {
    let mut all = vec!["generate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", name]);
    let out = minimalloc(dir, &all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Reads a solution file and checks it against `capacity`.
fn check_solution(path: &Path, capacity: i64) -> i64 {
    let text = std::fs::read_to_string(path).unwrap();
    let mut problem = csv::from_csv(&text).unwrap();
    let solution = problem.strip_solution().unwrap();
    problem.capacity = capacity;
    assert_eq!(validate(&problem, &solution), Ok(()));
    solution.height
}

#[test]
fn generate_is_deterministic_and_guillotine_fits_its_capacity() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["guillotine", "--buffers", "120", "--seed", "4", "--capacity", "4096"], "a.csv");
    generate(dir.path(), &["guillotine", "--buffers", "120", "--seed", "4", "--capacity", "4096"], "b.csv");
    assert_eq!(
        std::fs::read(dir.path().join("a.csv")).unwrap(),
        std::fs::read(dir.path().join("b.csv")).unwrap()
    );
    let problem = csv::read_problem_file(&dir.path().join("a.csv")).unwrap();
    assert_eq!(problem.buffers.len(), 120);
    assert_eq!(problem.max_load(), 4096, "zero slack");
    generate(dir.path(), &["guillotine", "--buffers", "200", "--seed", "1", "--thin", "0.2"], "t.csv");
    let thinned = csv::read_problem_file(&dir.path().join("t.csv")).unwrap();
    assert!(thinned.buffers.len() < 200);
    let out = minimalloc(dir.path(), &["generate", "guillotine", "--thin", "1.5"]);
    assert_eq!(out.status.code(), Some(2));
    generate(dir.path(), &["random", "--buffers", "60", "--seed", "2", "--gaps", "0.7"], "g.csv");
    let gapped = csv::read_problem_file(&dir.path().join("g.csv")).unwrap();
    assert!(gapped.buffers.iter().any(|b| b.gaps.iter().any(|g| g.window.is_some())));
    assert!(gapped.buffers.iter().any(|b| b.gaps.iter().any(|g| g.window.is_none())));
    let out = minimalloc(dir.path(), &["generate", "random", "--gaps", "-0.1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_algorithm_writes_a_valid_solution() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["ml", "--buffers", "400", "--seed", "3"], "ml.csv");
    for algorithm in [
        "auto",
        "exact",
        "greedy-size",
        "xla",
        "xla-spatial",
        "xla-temporal",
        "greedy-conflicts",
        "first-fit",
    ] {
        let out_name = format!("{algorithm}.out.csv");
        let out = minimalloc(
            dir.path(),
            &[
                "ml.csv",
                &format!("--algorithm={algorithm}"),
                &format!("--output={out_name}"),
                "--timeout=20s",
                "--stats=s.json",
            ],
        );
        assert!(out.status.success(), "{algorithm}: {}", String::from_utf8_lossy(&out.stderr));
        let height = check_solution(&dir.path().join(&out_name), i64::MAX);
        let stats: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).unwrap()).unwrap();
        assert_eq!(stats["height"].as_i64(), Some(height), "{algorithm}");
        assert_eq!(stats["algorithm"].as_str(), Some(algorithm));
        assert!(stats["proved_lower_bound"].as_i64().unwrap() <= height);
    }
    let out = minimalloc(dir.path(), &["ml.csv", "--algorithm=best-fit"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("greedy-size"), "lists the valid names");
}

#[test]
fn auto_is_never_worse_than_a_heuristic_and_reaches_the_bound_on_a_tight_instance() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["guillotine", "--buffers", "40", "--seed", "9", "--capacity", "1024"], "g.csv");
    let run = |algorithm: &str| {
        let out_name = format!("{algorithm}.csv");
        let out = minimalloc(
            dir.path(),
            &["g.csv", &format!("--algorithm={algorithm}"), &format!("--output={out_name}")],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        check_solution(&dir.path().join(out_name), i64::MAX)
    };
    let auto = run("auto");
    assert_eq!(auto, 1024, "the rectangle is the optimum");
    for heuristic in ["greedy-size", "xla", "greedy-conflicts", "first-fit"] {
        assert!(auto <= run(heuristic), "{heuristic}");
    }
}

#[test]
fn a_heuristic_that_does_not_fit_is_not_a_proof() {
    let dir = tempfile::tempdir().unwrap();
    // First fit by start time puts a at 0 and b at 1; c then cannot go
    // below 2 and reaches 4, though b at 0, a at 1 and c at 1 reach 3.
    std::fs::write(dir.path().join("p.csv"), "id,lower,upper,size\na,0,2,1\nb,0,4,1\nc,2,4,2\n").unwrap();
    let out = minimalloc(dir.path(), &["p.csv", "--capacity=3", "--algorithm=first-fit", "--output=o.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a proof"));
    assert!(!dir.path().join("o.csv").exists());
    let out = minimalloc(dir.path(), &["p.csv", "--capacity=3", "--algorithm=auto", "--output=o2.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(check_solution(&dir.path().join("o2.csv"), 3), 3);
}

#[test]
fn compare_prints_every_format() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["random", "--buffers", "60", "--seed", "2"], "r.csv");
    let out = minimalloc(dir.path(), &["compare", "r.csv", "--format=csv", "--timeout=5s"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("file,buffers,algorithm,status,height,lower_bound,ratio,seconds"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 8, "auto, exact and six heuristics");
    for row in &rows {
        let (height, bound): (i64, i64) = (row[4].parse().unwrap(), row[5].parse().unwrap());
        assert!(height >= bound, "{row:?}");
    }
    let out =
        minimalloc(dir.path(), &["compare", "r.csv", "--format=json", "--algorithms=greedy-size,first-fit"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(2));
    let out = minimalloc(dir.path(), &["compare", "r.csv", "--format=markdown", "--algorithms=xla"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("| file | buffers |"));
    let out = minimalloc(dir.path(), &["compare", "r.csv", "--format=table", "--algorithms=xla"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("file"));
}

#[test]
fn gap_instances_are_minimized_with_a_proof_and_refused_below_it() {
    // A generated instance with gaps and windows: minimizing ends at a
    // proved optimum, one unit less is infeasible, the optimum itself fits.
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["random", "--buffers", "33", "--seed", "2", "--gaps", "0.7"], "g.csv");
    let problem = csv::read_problem_file(&dir.path().join("g.csv")).unwrap();
    assert!(problem.buffers.iter().any(|b| !b.gaps.is_empty()));
    let out = minimalloc(dir.path(), &["--input=g.csv", "--output=o.csv", "--timeout=20s", "--stats=s.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).unwrap()).unwrap();
    let height = stats["height"].as_i64().unwrap();
    assert_eq!(stats["proved_lower_bound"].as_i64(), Some(height), "optimal and proved");
    assert!(stats["lower_bound"].as_i64().unwrap() >= problem.max_load());
    assert_eq!(check_solution(&dir.path().join("o.csv"), height), height);
    let below = format!("--capacity={}", height - 1);
    let out = minimalloc(dir.path(), &["--input=g.csv", "--output=b.csv", "--timeout=20s", &below]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.path().join("b.csv").exists(), "nothing written when infeasible");
    let at = format!("--capacity={height}");
    let out = minimalloc(dir.path(), &["--input=g.csv", "--output=a.csv", "--timeout=20s", &at]);
    assert_eq!(out.status.code(), Some(0));
    assert!(check_solution(&dir.path().join("a.csv"), height) <= height);
}
