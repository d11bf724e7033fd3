//! The pictures: `--svg`, `--html` and `minimalloc plot`.
//!
//! The HTML test loads the page in headless Chromium (`CHROMIUM` or
//! `/usr/bin/chromium`; `.ci/run` installs Debian's `chromium`) and checks the
//! screenshot is not blank. Without Chromium it says it was skipped.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn minimalloc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_minimalloc")).args(args).output().expect("minimalloc runs")
}

/// A generated 150-buffer instance, solved, with its pictures.
fn solved_with_pictures(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let input = dir.join("g.csv");
    let out = minimalloc(&[
        "generate",
        "guillotine",
        "--buffers",
        "150",
        "--seed",
        "2",
        "--output",
        input.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (solution, svg, html) = (dir.join("solution.csv"), dir.join("a.svg"), dir.join("a.html"));
    let out = minimalloc(&[
        "--capacity=1048576",
        &format!("--input={}", input.display()),
        &format!("--output={}", solution.display()),
        &format!("--svg={}", svg.display()),
        &format!("--html={}", html.display()),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (solution, svg, html)
}

#[test]
fn svg_has_one_rect_per_segment_and_is_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let (_, svg, _) = solved_with_pictures(dir.path());
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") || text.starts_with("<?xml"), "{}", &text[..80.min(text.len())]);
    assert_eq!(text.matches("class=\"seg\"").count(), 150, "one rect per buffer (no gaps)");
    // Tags balance.
    let opens = text.matches("<g").count() - text.matches("<g/").count();
    assert_eq!(opens, text.matches("</g>").count());
    assert_eq!(text.matches("<svg").count(), text.matches("</svg>").count());
    assert!(text.contains("ratio"), "the title gives height / lower bound");
}

#[test]
fn plot_draws_a_solution_file_made_earlier() {
    let dir = tempfile::tempdir().unwrap();
    let (solution, svg, _) = solved_with_pictures(dir.path());
    let replot = dir.path().join("replot.svg");
    let out = minimalloc(&["plot", solution.to_str().unwrap(), &format!("--svg={}", replot.display())]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let count = |p: &Path| std::fs::read_to_string(p).unwrap().matches("class=\"seg\"").count();
    assert_eq!(count(&replot), count(&svg));
    // An input without offsets is not a solution.
    let input = dir.path().join("g.csv");
    let out = minimalloc(&["plot", input.to_str().unwrap(), "--svg=x.svg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("offset"));
}

fn chromium() -> Option<PathBuf> {
    let path =
        std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.is_file().then_some(path)
}

/// Takes a screenshot of `page` and returns how many distinct colours it has.
fn screenshot_colours(chromium: &Path, page: &Path, dir: &Path) -> usize {
    let shot = dir.join(format!("{}.png", page.file_stem().unwrap().to_string_lossy()));
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1280,800",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(shot.is_file(), "no screenshot: {}", String::from_utf8_lossy(&status.stderr));
    let decoder = png::Decoder::new(std::fs::File::open(&shot).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    let mut colours: Vec<&[u8]> = bytes.chunks(channels).collect();
    colours.sort_unstable();
    colours.dedup();
    colours.len()
}

#[test]
fn html_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        // The stderr handle itself: the harness does not capture it.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED HTML screenshot test: no Chromium at /usr/bin/chromium (set CHROMIUM); `.ci/run` installs it"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_, _, html) = solved_with_pictures(dir.path());
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(!text.contains("src=\"http"), "self-contained: no external resources");
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!doctype html><html><body></body></html>").unwrap();
    let page_colours = screenshot_colours(&chromium, &html, dir.path());
    let blank_colours = screenshot_colours(&chromium, &blank, dir.path());
    assert!(blank_colours <= 2, "a blank page has one colour, got {blank_colours}");
    assert!(page_colours > 20, "the picture has many colours, got {page_colours}");
}
