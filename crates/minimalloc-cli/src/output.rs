//! Writing files atomically: a run that fails half-way never leaves a partial
//! file and never clobbers an existing one, and the files of one run (the
//! solution, its pictures) appear together or not at all.
//!
//! Each text goes to a temporary file in its destination's folder; once every
//! one of them was written and flushed, they are renamed over their
//! destinations ([`Staged::commit`]). A failure or a Ctrl-C before that
//! leaves every destination as it was, and the temporary files are removed.
//! A symbolic link is written through (its target is replaced, the link
//! stays); an existing file keeps its permissions, a new one gets the usual
//! `0666 & !umask`. Destinations that are not regular files (`/dev/null`, a
//! pipe) and standard output (`-`) are kept in memory and written directly
//! at the commit, as renaming over them would replace them.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::Failure;

/// Writes what `fill` produces to `path` (see the module documentation);
/// `-` means standard output.
pub fn write_atomically(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut staged = Staged::default();
    staged.add(path, fill)?;
    staged.commit()
}

/// Outputs written but not yet in place (see the module documentation).
#[derive(Default)]
pub struct Staged {
    /// Temporary files and the paths they will be renamed to.
    files: Vec<(tempfile::NamedTempFile, PathBuf)>,
    /// Texts for standard output (`None`) or a file that is not a regular
    /// file (opened once, at once: a pipe's reader would take a second open
    /// for the end of the text), written at the commit.
    direct: Vec<(Option<fs::File>, Vec<u8>)>,
}

impl Staged {
    /// Writes what `fill` produces into a temporary file beside `path` (or
    /// into memory, for standard output and special files).
    pub fn add(
        &mut self,
        path: &Path,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        if path.as_os_str() == "-" {
            let mut text = Vec::new();
            fill(&mut text)?;
            self.direct.push((None, text));
            return Ok(());
        }
        let existing = fs::metadata(path).ok();
        if let Some(meta) = existing.as_ref().filter(|m| !m.is_file()) {
            if meta.is_dir() {
                return Err(io::Error::new(io::ErrorKind::IsADirectory, "is a directory"));
            }
            // Opened now, so that a failure leaves the other outputs alone.
            let file = fs::OpenOptions::new().write(true).open(path)?;
            let mut text = Vec::new();
            fill(&mut text)?;
            self.direct.push((Some(file), text));
            return Ok(());
        }
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
        // Removed by the Ctrl-C handler if this run is cut short.
        crate::interrupt::pending_output(temp.path());
        {
            let mut writer = io::BufWriter::new(temp.as_file_mut());
            fill(&mut writer)?;
            writer.flush()?;
        }
        temp.as_file().sync_all()?;
        self.files.push((temp, target));
        Ok(())
    }

    /// Puts every staged output in place, unless the run was interrupted
    /// (then nothing is, and the error is [`io::ErrorKind::Interrupted`]).
    pub fn commit(self) -> io::Result<()> {
        let result = self.put_in_place();
        crate::interrupt::clear_pending_outputs();
        result
    }

    fn put_in_place(self) -> io::Result<()> {
        if crate::interrupt::interrupted() {
            return Err(interrupted());
        }
        // Standard output and special files first: they are the ones that
        // can fail now (a closed pipe, a full device), and then no file is
        // put in place. Renames in one folder hardly fail.
        for (file, text) in self.direct {
            match file {
                None => {
                    let mut stdout = io::stdout().lock();
                    stdout.write_all(&text)?;
                    stdout.flush()?;
                }
                Some(mut file) => {
                    file.write_all(&text)?;
                    file.flush()?;
                }
            }
        }
        for (temp, target) in self.files {
            temp.persist(&target).map_err(|e| e.error)?;
        }
        Ok(())
    }
}

/// The failure to write `what`: exit code 130 if Ctrl-C abandoned it, else
/// 2.
pub fn write_failure(what: &str, e: &io::Error) -> Failure {
    if e.kind() == io::ErrorKind::Interrupted && crate::interrupt::interrupted() {
        Failure { code: crate::interrupt::EXIT_CODE, message: "interrupted; nothing was written".into() }
    } else {
        Failure::input(format!("cannot write {what}: {e}"))
    }
}

/// The error of an output abandoned because of Ctrl-C.
pub fn interrupted() -> io::Error {
    io::Error::new(io::ErrorKind::Interrupted, "interrupted")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_files_appear_together_at_the_commit() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        fs::write(&a, "old").expect("write");
        let mut staged = Staged::default();
        staged.add(&a, |w| w.write_all(b"new a")).expect("staged");
        staged.add(&b, |w| w.write_all(b"new b")).expect("staged");
        assert_eq!(fs::read_to_string(&a).expect("read"), "old", "nothing in place before the commit");
        assert!(!b.exists());
        staged.commit().expect("committed");
        assert_eq!(fs::read_to_string(&a).expect("read"), "new a");
        assert_eq!(fs::read_to_string(&b).expect("read"), "new b");
        let names: Vec<_> =
            fs::read_dir(dir.path()).expect("list").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    }

    #[test]
    fn a_failing_output_leaves_the_staged_ones_untouched() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let a = dir.path().join("a.txt");
        fs::write(&a, "old").expect("write");
        let mut staged = Staged::default();
        staged.add(&a, |w| w.write_all(b"new a")).expect("staged");
        let missing = dir.path().join("no-such-folder").join("b.txt");
        assert!(staged.add(&missing, |w| w.write_all(b"b")).is_err());
        drop(staged);
        assert_eq!(fs::read_to_string(&a).expect("read"), "old");
        let names: Vec<_> = fs::read_dir(dir.path()).expect("list").collect();
        assert_eq!(names.len(), 1, "the temporary file is removed");
    }
}
