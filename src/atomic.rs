//! The one atomic file write of avis: a private temporary file (0600) in
//! the target's directory, written, synced, then renamed over the target (or
//! beside nothing, when an existing file must never be replaced), and the
//! directory synced. A crash at any instant leaves the old file or the new
//! one; on error the old file is untouched and the temporary file removed.
//!
//! Test points (see [`crate::testhooks`]): `<point>:writing` (before the
//! first byte), `<point>:written` (synced, not yet renamed) and
//! `<point>:renamed`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::testhooks::point as test_point;

/// Prefix of the temporary files (swept by nobody: a crash leaves at most
/// one hidden file beside the target).
pub const TEMP_PREFIX: &str = ".avis-tmp-";

/// Writes `path` atomically with what `f` writes, replacing it if it exists.
pub fn write_atomically<F, E>(path: &Path, f: F) -> Result<(), E>
where
    F: FnOnce(&mut dyn Write) -> Result<(), E>,
    E: From<io::Error>,
{
    write_atomically_at(path, "write", f)
}

/// [`write_atomically`] with the test points named `point`.
pub fn write_atomically_at<F, E>(path: &Path, point: &str, f: F) -> Result<(), E>
where
    F: FnOnce(&mut dyn Write) -> Result<(), E>,
    E: From<io::Error>,
{
    stage(path, point, f)?.commit(Replace::Yes)?;
    Ok(())
}

/// Whether [`Staged::commit`] may replace an existing target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    Yes,
    /// An existing target is kept and the commit fails with
    /// [`io::ErrorKind::AlreadyExists`].
    No,
}

/// A complete, synced temporary file waiting to become `target`. Dropped
/// without [`Staged::commit`], it is removed.
pub struct Staged {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
    dir: PathBuf,
    point: String,
}

/// Writes what `f` writes into a private temporary file beside `path`,
/// synced, not yet renamed.
pub fn stage<F, E>(path: &Path, point: &str, f: F) -> Result<Staged, E>
where
    F: FnOnce(&mut dyn Write) -> Result<(), E>,
    E: From<io::Error>,
{
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let temp = builder.tempfile_in(&dir)?;
    fill(temp, path, dir, point, f)
}

/// [`stage`] with a temporary file of a given name (new, 0600), so that a
/// caller can record it before writing and find it again after a crash.
pub fn stage_at<F, E>(path: &Path, temp: &Path, point: &str, f: F) -> Result<Staged, E>
where
    F: FnOnce(&mut dyn Write) -> Result<(), E>,
    E: From<io::Error>,
{
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(temp)?;
    let temp = tempfile::NamedTempFile::from_parts(file, tempfile::TempPath::try_from_path(temp)?);
    fill(temp, path, dir, point, f)
}

fn fill<F, E>(
    mut temp: tempfile::NamedTempFile,
    path: &Path,
    dir: PathBuf,
    point: &str,
    f: F,
) -> Result<Staged, E>
where
    F: FnOnce(&mut dyn Write) -> Result<(), E>,
    E: From<io::Error>,
{
    test_point(&format!("{point}:writing"));
    {
        let mut writer = io::BufWriter::new(temp.as_file_mut());
        f(&mut writer)?;
        writer.flush()?;
    }
    temp.as_file().sync_all()?;
    test_point(&format!("{point}:written"));
    Ok(Staged {
        temp,
        target: path.to_path_buf(),
        dir,
        point: point.to_string(),
    })
}

impl Staged {
    /// Where the temporary file is (to find it again after a crash).
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// Renames the temporary file to its target and syncs the directory.
    pub fn commit(self, replace: Replace) -> io::Result<()> {
        match replace {
            Replace::Yes => self.temp.persist(&self.target).map(|_| ()),
            Replace::No => self.temp.persist_noclobber(&self.target).map(|_| ()),
        }
        .map_err(|e| e.error)?;
        sync_dir(&self.dir)?;
        test_point(&format!("{}:renamed", self.point));
        Ok(())
    }
}

/// Flushes a directory's entries to disk (after a rename).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.bin");
        write_atomically(&target, |w| w.write_all(b"hello")).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let result: io::Result<()> = write_atomically(&target, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn no_replace_keeps_the_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.bin");
        std::fs::write(&target, b"first").unwrap();
        let staged = stage(&target, "t", |w| w.write_all(b"second")).unwrap();
        let err = staged.commit(Replace::No).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let staged = stage(&target, "t", |w| w.write_all(b"second")).unwrap();
        staged.commit(Replace::Yes).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"second");
    }
}
