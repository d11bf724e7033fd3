//! `minimalloc generate`: write a generated instance.

use std::path::Path;

use minimalloc::csv::{self, CsvFormat};
use minimalloc::generate;

use crate::args::{CutChoice, Family, GenerateArgs};
use crate::output::write_atomically;
use crate::Failure;

/// Runs the generate command; returns the exit code.
pub fn run(args: &GenerateArgs) -> Result<u8, Failure> {
    if !(0.0..1.0).contains(&args.thin) {
        return Err(Failure::input(format!("--thin must be in [0, 1), got {}", args.thin)));
    }
    if !(0.0..=1.0).contains(&args.gaps) {
        return Err(Failure::input(format!("--gaps must be in [0, 1], got {}", args.gaps)));
    }
    if args.capacity < 1 {
        return Err(Failure::input(format!("--capacity must be positive, got {}", args.capacity)));
    }
    if args.family != Family::Guillotine && (args.horizon.is_some() || args.cuts.is_some()) {
        return Err(Failure::input("--horizon and --cuts apply to the guillotine family only"));
    }
    let horizon = args.horizon.unwrap_or(args.capacity);
    if horizon < 1 {
        return Err(Failure::input(format!("--horizon must be positive, got {horizon}")));
    }
    let cuts = match args.cuts.unwrap_or(CutChoice::Area) {
        CutChoice::Area => generate::Cuts::ByArea,
        CutChoice::Uniform => generate::Cuts::Uniform,
    };
    let mut problem = match args.family {
        Family::Guillotine => {
            generate::guillotine_with(args.buffers, args.seed, horizon, args.capacity, cuts)
        }
        Family::Ml => generate::ml(args.buffers, args.seed),
        Family::Random => generate::random(args.buffers, args.seed, (args.buffers as i64).max(8), 1 << 16),
    };
    if args.thin > 0.0 {
        problem = generate::thin(&problem, args.thin, args.seed);
    }
    if args.gaps > 0.0 {
        problem = generate::gaps(&problem, args.gaps, args.seed);
    }
    let path = args.output.as_deref().unwrap_or(Path::new("-"));
    write_atomically(path, |w| csv::write_csv(w, &problem, None, CsvFormat::Standard))
        .map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))?;
    Ok(0)
}
