//! `--print_solution` end to end: with `--output`, standard output is exactly
//! the picture the reference's `PrintSolution` prints.

use std::fs;
use std::process::Command;

const EXAMPLE: &str = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n";

/// The reference's text for its README example (offsets 8, 8, 4, 4, 0 at
/// capacity 12), worked out from its `PrintSolution` in `src/main.cc`.
const README_PICTURE: &str = include_str!("data/readme-picture.tex");

#[test]
fn readme_example_prints_the_references_picture() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("input.12.csv");
    let output = dir.path().join("output.12.csv");
    fs::write(&input, EXAMPLE).expect("input written");
    let run = Command::new(env!("CARGO_BIN_EXE_minimalloc"))
        .arg("--capacity=12")
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", output.display()))
        .arg("--search=reference")
        .arg("--print_solution")
        .output()
        .expect("minimalloc runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let written = fs::read_to_string(&output).expect("output written");
    assert_eq!(
        written,
        "id,lower,upper,size,offset\nb1,0,3,4,8\nb2,3,9,4,8\nb3,0,9,4,4\nb4,9,21,4,4\nb5,0,21,4,0\n"
    );
    assert_eq!(String::from_utf8(run.stdout).expect("UTF-8"), README_PICTURE);
}

#[test]
fn without_output_standard_output_holds_the_picture_alone() {
    // As the reference: its CSV goes only to --output.
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("input.12.csv");
    fs::write(&input, EXAMPLE).expect("input written");
    let run = Command::new(env!("CARGO_BIN_EXE_minimalloc"))
        .arg("--capacity=12")
        .arg(format!("--input={}", input.display()))
        .arg("--print_solution")
        .output()
        .expect("minimalloc runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(String::from_utf8_lossy(&run.stdout), README_PICTURE);
}
