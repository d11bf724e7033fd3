//! Pictures of a solution: `--svg`/`--html` after solving, and
//! `minimalloc plot` for a solution file made earlier.

use std::path::Path;

use minimalloc::render::{self, RenderOptions};
use minimalloc::{Problem, Solution};

use crate::args::PlotArgs;
use crate::output::{write_failure, Staged};
use crate::Failure;

/// A picture format: the library's `render::svg` or `render::html`.
type Renderer = fn(&Problem, &Solution, &RenderOptions) -> (String, render::RenderSummary);

/// Writes the SVG and/or HTML pictures that were asked for.
pub fn draw(
    problem: &Problem,
    solution: &Solution,
    svg: Option<&Path>,
    html: Option<&Path>,
    quiet: bool,
) -> Result<(), Failure> {
    let mut staged = Staged::default();
    stage(problem, solution, svg, html, quiet, &mut staged)?;
    staged.commit().map_err(|e| write_failure("the pictures", &e))
}

/// Renders the pictures into `staged` (see [`crate::output`]): they appear
/// only when it is committed, together with the other outputs of the run.
pub fn stage(
    problem: &Problem,
    solution: &Solution,
    svg: Option<&Path>,
    html: Option<&Path>,
    quiet: bool,
    staged: &mut Staged,
) -> Result<(), Failure> {
    let options = RenderOptions::default();
    let outputs: [(Option<&Path>, Renderer); 2] = [(svg, render::svg), (html, render::html)];
    for (path, render) in outputs {
        let Some(path) = path else { continue };
        let (text, summary) = render(problem, solution, &options);
        staged
            .add(path, |w| w.write_all(text.as_bytes()))
            .map_err(|e| write_failure(&format!("the picture to {}", path.display()), &e))?;
        if summary.merged > 0 && !quiet {
            eprintln!(
                "minimalloc: {}: {} segments too small to see were merged into {} grey blocks",
                path.display(),
                summary.merged,
                summary.blocks
            );
        }
    }
    Ok(())
}

/// Runs the plot command; returns the exit code.
pub fn run(args: &PlotArgs) -> Result<u8, Failure> {
    if args.svg.is_none() && args.html.is_none() {
        return Err(Failure::input("nothing to draw: give --svg=FILE and/or --html=FILE"));
    }
    let mut problem = crate::solve::read_input(&args.solution)?;
    let solution = problem.strip_solution().map_err(|e| {
        Failure::input(format!(
            "{}: not a solution file: {e} (every buffer needs an `offset`)",
            args.solution
        ))
    })?;
    problem.capacity = args.capacity.unwrap_or(0);
    // Drawn anyway (a picture shows what is wrong), but said.
    let judged = Problem { capacity: problem.capacity.max(solution.height), ..problem.clone() };
    if let Err(violation) = minimalloc::validate::validate(&judged, &solution) {
        eprintln!("minimalloc: warning: {}: not a valid solution: {violation}", args.solution);
    }
    draw(&problem, &solution, args.svg.as_deref(), args.html.as_deref(), false)?;
    Ok(0)
}
