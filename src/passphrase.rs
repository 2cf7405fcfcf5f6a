//! The one reader of a passphrase file, for the command line and the TUI:
//! a regular file only (never a pipe, a FIFO or a device such as
//! `/dev/zero`, which would block or never end), at most [`MAX_LINE`] bytes
//! read, and only its first line counts (what follows may be anything).

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::path::Path;

use secrecy::SecretString;
use zeroize::Zeroizing;

/// Longest first line accepted, in bytes.
pub const MAX_LINE: usize = 4096;

/// Why a passphrase file cannot be used; the French message names `flag`
/// (the option or variable that gave the file).
#[derive(Debug, thiserror::Error)]
pub enum PassphraseFileError {
    #[error("impossible de lire le fichier de phrase de passe {path} ({source}) : vérifiez le chemin donné à {flag}")]
    Unreadable {
        path: String,
        flag: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{path} n'est pas un fichier ordinaire (tube, périphérique ou dossier) : écrivez la phrase de passe dans un fichier texte et donnez son chemin à {flag}")]
    NotARegularFile { path: String, flag: &'static str },
    #[error("la première ligne du fichier de phrase de passe dépasse {MAX_LINE} octets : ce n'est pas le bon fichier ; vérifiez le chemin donné à {flag}")]
    TooLong { flag: &'static str },
    #[error("la première ligne du fichier de phrase de passe n'est pas du texte UTF-8 : enregistrez-le en UTF-8")]
    NotUtf8,
    #[error(
        "la première ligne du fichier de phrase de passe est vide : écrivez-y la phrase de passe"
    )]
    Empty,
}

/// The first line of the passphrase file `path` (without its line end).
pub fn read_file(path: &Path, flag: &'static str) -> Result<SecretString, PassphraseFileError> {
    let shown = || crate::text::sanitize(&path.to_string_lossy()).into_owned();
    let unreadable = |source| PassphraseFileError::Unreadable {
        path: shown(),
        flag,
        source,
    };
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO without O_NONBLOCK waits for a writer.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(unreadable)?;
    if !file.metadata().map_err(unreadable)?.is_file() {
        return Err(PassphraseFileError::NotARegularFile {
            path: shown(),
            flag,
        });
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_LINE + 2));
    file.take(MAX_LINE as u64 + 2)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    let line = match bytes.iter().position(|&b| b == b'\n') {
        Some(end) => &bytes[..end],
        None if bytes.len() > MAX_LINE => return Err(PassphraseFileError::TooLong { flag }),
        None => &bytes[..],
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() > MAX_LINE {
        return Err(PassphraseFileError::TooLong { flag });
    }
    let text = std::str::from_utf8(line).map_err(|_| PassphraseFileError::NotUtf8)?;
    if text.is_empty() {
        return Err(PassphraseFileError::Empty);
    }
    Ok(SecretString::from(text.to_string()))
}

/// Shortest passphrase accepted when a store is created or its passphrase
/// changed.
pub const MIN_CHARS: usize = 8;

/// The rule of a new passphrase (`avis init`, `avis keys passphrase`, the
/// TUI's welcome screen): at least [`MIN_CHARS`] characters. `Err` is the
/// French message.
pub fn check_strength(passphrase: &str) -> Result<(), String> {
    if passphrase.chars().count() < MIN_CHARS {
        return Err(format!(
            "phrase de passe trop courte : choisissez-en une d'au moins {MIN_CHARS} caractères (une phrase de plusieurs mots est idéale)"
        ));
    }
    Ok(())
}

/// How strong a new passphrase looks, for the indication shown while it is
/// typed: 0 refused (too short), 1 faible, 2 correcte, 3 solide.
pub fn strength(passphrase: &str) -> u8 {
    let chars = passphrase.chars().count();
    if chars < MIN_CHARS {
        return 0;
    }
    let words = passphrase.split_whitespace().count();
    let classes = [
        passphrase.chars().any(|c| c.is_lowercase()),
        passphrase.chars().any(|c| c.is_uppercase()),
        passphrase.chars().any(|c| c.is_ascii_digit()),
        passphrase.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    if chars >= 20 || (words >= 4 && chars >= 16) {
        3
    } else if chars >= 12 || classes >= 3 {
        2
    } else {
        1
    }
}

/// The French word of a [`strength`].
pub fn strength_label(level: u8) -> &'static str {
    match level {
        0 => "trop courte",
        1 => "faible",
        2 => "correcte",
        _ => "solide",
    }
}

/// Store options for a new passphrase (a new store, a changed passphrase):
/// the project's fixed scrypt cost; in a test build only,
/// `AVIS_TEST_KDF_LOG_N` lowers it ([`crate::testhooks`]).
pub fn new_store_options() -> crate::store::StoreOptions {
    crate::store::StoreOptions {
        kdf_log_n: crate::testhooks::var("AVIS_TEST_KDF_LOG_N").and_then(|v| v.parse().ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn read(bytes: &[u8]) -> Result<String, PassphraseFileError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("phrase");
        std::fs::write(&path, bytes).unwrap();
        read_file(&path, "--passphrase-file").map(|p| p.expose_secret().to_string())
    }

    #[test]
    fn strength_follows_the_rule() {
        assert!(check_strength("court").is_err());
        assert!(check_strength("huit car").is_ok());
        assert_eq!(strength("1234567"), 0);
        assert_eq!(strength("abcdefgh"), 1);
        assert_eq!(strength("le chat dort sur le toit"), 3);
    }

    #[test]
    fn only_the_first_line_counts() {
        assert_eq!(read(b"phrase de passe\n").unwrap(), "phrase de passe");
        assert_eq!(read(b"sans fin de ligne").unwrap(), "sans fin de ligne");
        assert_eq!(read(b"windows\r\nsuite").unwrap(), "windows");
        // Non-UTF-8 after a good first line does not matter.
        assert_eq!(read(b"bonne ligne\n\xff\xfe\x00").unwrap(), "bonne ligne");
        assert!(matches!(
            read(b"\xffmauvaise\n"),
            Err(PassphraseFileError::NotUtf8)
        ));
        assert!(matches!(read(b"\nx"), Err(PassphraseFileError::Empty)));
    }

    #[test]
    fn size_is_bounded() {
        let mut long = vec![b'a'; MAX_LINE];
        assert_eq!(read(&long).unwrap().len(), MAX_LINE);
        long.push(b'a');
        assert!(matches!(
            read(&long),
            Err(PassphraseFileError::TooLong { .. })
        ));
        let mut big = vec![b'a'; 10 * MAX_LINE];
        big.push(b'\n');
        assert!(matches!(
            read(&big),
            Err(PassphraseFileError::TooLong { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_directories_are_refused_at_once() {
        let err = read_file(Path::new("/dev/zero"), "--passphrase-file").unwrap_err();
        assert!(
            matches!(err, PassphraseFileError::NotARegularFile { .. }),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("tube");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // No writer: this would block forever without O_NONBLOCK.
        let err = read_file(&fifo, "--passphrase-file").unwrap_err();
        assert!(
            matches!(err, PassphraseFileError::NotARegularFile { .. }),
            "{err}"
        );
        let err = read_file(dir.path(), "--passphrase-file").unwrap_err();
        assert!(
            err.to_string().contains("n'est pas un fichier ordinaire"),
            "{err}"
        );
    }
}
