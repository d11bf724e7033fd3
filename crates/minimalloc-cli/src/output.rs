//! Writing files atomically: a run that fails half-way never leaves a partial
//! file and never clobbers an existing one.
//!
//! The text goes to a temporary file in the destination's folder, which is
//! renamed over the destination once everything was written and flushed. A
//! symbolic link is written through (its target is replaced, the link stays);
//! an existing file keeps its permissions, a new one gets the usual
//! `0666 & !umask`. Destinations that are not regular files (`/dev/null`, a
//! pipe) are written directly, as renaming over them would replace them.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes what `fill` produces to `path` (see the module documentation);
/// `-` means standard output.
pub fn write_atomically(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    if path.as_os_str() == "-" {
        let stdout = io::stdout();
        let mut lock = io::BufWriter::new(stdout.lock());
        fill(&mut lock)?;
        return lock.flush();
    }
    let existing = fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        if existing.as_ref().is_some_and(|m| m.is_dir()) {
            return Err(io::Error::new(io::ErrorKind::IsADirectory, "is a directory"));
        }
        let mut writer = io::BufWriter::new(fs::OpenOptions::new().write(true).open(path)?);
        fill(&mut writer)?;
        return writer.flush();
    }
    // Write through a symbolic link to the file it names.
    let target: PathBuf = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".minimalloc-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(&dir)?;
    if let Some(meta) = &existing {
        temp.as_file().set_permissions(meta.permissions())?;
    }
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
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
