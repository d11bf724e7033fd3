//! Writing files atomically: a run that fails half-way never leaves a partial
//! file and never clobbers an existing one.

use std::io::{self, Write};
use std::path::Path;

/// Writes what `fill` produces to `path` through a temporary file in the same
/// folder, renamed over `path` only once everything was written and flushed.
/// `-` means standard output.
pub fn write_atomically(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    if path.as_os_str() == "-" {
        let stdout = io::stdout();
        let mut lock = io::BufWriter::new(stdout.lock());
        fill(&mut lock)?;
        return lock.flush();
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new().prefix(".minimalloc-").suffix(".tmp").tempfile_in(dir)?;
    crate::interrupt::pending_output(Some(temp.path().to_path_buf()));
    let write_temp = || {
        {
            let mut writer = io::BufWriter::new(temp.as_file_mut());
            fill(&mut writer)?;
            writer.flush()?;
        }
        temp.as_file().sync_all()?;
        if crate::interrupt::interrupted() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        Ok(())
    };
    let result = write_temp();
    crate::interrupt::pending_output(None);
    result?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
