//! Writing papers and exports next to the doctor's files: never replacing
//! a file (the CLI refuses, the TUI picks a free name like
//! `bilan-2027 (2).csv`), written whole (temporary file, sync, then a
//! link that fails if the name exists) and readable by the owner only.

use std::path::{Path, PathBuf};

/// Why a file could not be written (French, names the path only).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error("le fichier {0} existe déjà : il n'a pas été remplacé")]
    Exists(PathBuf),
    #[error("impossible d'écrire dans {dir} : {source}")]
    Io {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("aucun nom libre pour {0} dans ce dossier : faites de la place puis réessayez")]
    NoFreeName(String),
}

/// Writes `bytes` to `path` (0600) without ever replacing a file.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io = |source| WriteError::Io {
        dir: dir.to_path_buf(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".avis-tmp-")
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(io)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(WriteError::Exists(path.to_path_buf()))
        }
        Err(e) => Err(io(e.error)),
    }
}

/// The `n`-th candidate name: `stem.ext`, then `stem (2).ext`…
fn numbered(stem: &str, ext: &str, n: u32) -> String {
    if n <= 1 {
        format!("{stem}.{ext}")
    } else {
        format!("{stem} ({n}).{ext}")
    }
}

/// Writes `bytes` in `dir` as `stem.ext`, or `stem (2).ext`, `stem (3).ext`…
/// the first name that is free; returns the path written.
pub fn write_unique(
    dir: &Path,
    stem: &str,
    ext: &str,
    bytes: &[u8],
) -> Result<PathBuf, WriteError> {
    for n in 1..=999 {
        let path = dir.join(numbered(stem, ext, n));
        match write_new(&path, bytes) {
            Ok(()) => return Ok(path),
            Err(WriteError::Exists(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(WriteError::NoFreeName(numbered(stem, ext, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_replaces_and_picks_the_next_free_name() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_unique(dir.path(), "bilan-2027", "csv", b"un").unwrap();
        let second = write_unique(dir.path(), "bilan-2027", "csv", b"deux").unwrap();
        assert_eq!(first.file_name().unwrap(), "bilan-2027.csv");
        assert_eq!(second.file_name().unwrap(), "bilan-2027 (2).csv");
        assert_eq!(std::fs::read(&first).unwrap(), b"un");
        let err = write_new(&first, b"trois").unwrap_err();
        assert!(err.to_string().contains("existe déjà"));
        assert_eq!(std::fs::read(&first).unwrap(), b"un");
        let leftovers = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}
