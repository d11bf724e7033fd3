//! `--print_solution` end to end: with `--output`, standard output is exactly
//! the picture the reference's `PrintSolution` prints.

use std::fs;
use std::process::Command;

const EXAMPLE: &str = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n";

/// The reference's text for its README example (offsets 8, 8, 4, 4, 0 at
/// capacity 12), worked out from its `PrintSolution` in `src/main.cc`.
const README_PICTURE: &str = "
\\documentclass[tikz]{standalone}
\\usepackage{tikz}
\\usepackage{pgfplots}
\\begin{document}
\\begin{tikzpicture}
\\fill[lightgray,draw=darkgray] (0,5.66667) rectangle (2.42857,8.5);  % height = 2.83333, ID = b1
\\node at (1.21429,7.08333) {b1};
\\fill[lightgray,draw=darkgray] (2.42857,5.66667) rectangle (7.28571,8.5);  % height = 2.83333, ID = b2
\\node at (4.85714,7.08333) {b2};
\\fill[lightgray,draw=darkgray] (0,2.83333) rectangle (7.28571,5.66667);  % height = 2.83333, ID = b3
\\node at (3.64286,4.25) {b3};
\\fill[lightgray,draw=darkgray] (7.28571,2.83333) rectangle (17,5.66667);  % height = 2.83333, ID = b4
\\node at (12.1429,4.25) {b4};
\\fill[lightgray,draw=darkgray] (0,0) rectangle (17,2.83333);  % height = 2.83333, ID = b5
\\node at (8.5,1.41667) {b5};
\\fill[draw=black,fill opacity=0,thick] (0,0) rectangle (17,8.5);
\\end{tikzpicture}
\\end{document}
";

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
