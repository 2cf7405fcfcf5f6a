//! The worker's side of the file chooser and of the key files: listing a
//! folder (hidden entries left out), the usual places (Téléchargements,
//! removable media, the last folder used), reading a rectorat key file,
//! and a file name not yet taken. Never called on the render path.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::worker::{FolderEntry, KeyCandidate, Listing, Place};

/// A `.pub` file is a few lines.
const MAX_KEY_FILE: u64 = 16 * 1024;

/// Entries listed at most in one folder.
const MAX_ENTRIES: usize = 5000;

/// The usual places that exist: the last folder used, the downloads,
/// removable media, the home folder.
pub fn places(last: Option<&Path>) -> Vec<Place> {
    let mut out = Vec::new();
    let mut add = |label: String, path: PathBuf| {
        if path.is_dir() && !out.iter().any(|p: &Place| p.path == path) {
            out.push(Place { label, path });
        }
    };
    if let Some(last) = last {
        add("Dernier dossier utilisé".into(), last.to_path_buf());
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if let Some(home) = &home {
        add("Téléchargements".into(), home.join("Téléchargements"));
        add("Téléchargements".into(), home.join("Downloads"));
    }
    let user = std::env::var("USER").ok().or_else(|| {
        home.as_ref()
            .and_then(|h| h.file_name())
            .map(|n| n.to_string_lossy().into_owned())
    });
    if let Some(user) = user.filter(|u| !u.is_empty() && !u.contains('/')) {
        for base in [
            Path::new("/media").join(&user),
            Path::new("/run/media").join(&user),
        ] {
            if let Ok(rd) = std::fs::read_dir(&base) {
                let mut media: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
                media.sort();
                for m in media {
                    let name = m
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    add(format!("Support amovible {name}"), m);
                }
            }
        }
    }
    if let Some(home) = home {
        add("Dossier personnel".into(), home);
    }
    out
}

/// The folder `dir` (or the first usual place, or the current folder) and
/// its entries.
pub fn listing(dir: Option<PathBuf>, last: Option<PathBuf>) -> Listing {
    let places = places(last.as_deref());
    let dir = dir
        .or_else(|| places.first().map(|p| p.path.clone()))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    let entries = entries(&dir);
    Listing {
        dir,
        entries,
        places,
    }
}

fn entries(dir: &Path) -> Result<Vec<FolderEntry>, super::failure::WorkerFailure> {
    let rd = std::fs::read_dir(dir).map_err(|source| crate::store::StoreError::Io {
        what: "lire ce dossier",
        source,
    })?;
    let mut out = Vec::new();
    for entry in rd.flatten().take(MAX_ENTRIES) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Follows links: a link to a folder is a folder.
        let dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        out.push(FolderEntry { name, dir });
    }
    Ok(out)
}

/// Reads a rectorat's minisign public key file and its fingerprint.
pub fn read_key_file(path: &Path) -> Result<KeyCandidate, String> {
    let unreadable = |source: std::io::Error| {
        crate::store::StoreError::Io {
            what: "lire le fichier de clé du rectorat",
            source,
        }
        .to_string()
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    if !file.metadata().map_err(unreadable)?.is_file() {
        return Err(
            "ce n'est pas un fichier ordinaire : choisissez le fichier .pub reçu du rectorat"
                .into(),
        );
    }
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err("ce fichier est trop grand pour une clé publique : choisissez le fichier .pub reçu du rectorat".into());
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| "ce fichier n'est pas une clé publique minisign (texte illisible) : choisissez le fichier .pub reçu du rectorat".to_string())?;
    let signing_key = crate::store::parse_pub_file(&text).map_err(|e| e.to_string())?;
    let fingerprint = crate::store::fingerprint(&signing_key).map_err(|e| e.to_string())?;
    Ok(KeyCandidate {
        text,
        signing_key,
        fingerprint,
    })
}

/// `dir/name`, or `dir/stem-2.ext`, `-3`… when taken: never an existing file.
pub fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s, format!(".{e}")),
        None => (name, String::new()),
    };
    (2u32..)
        .map(|n| dir.join(format!("{stem}-{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hidden_entries_are_left_out_and_names_not_taken() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".cache"), b"").unwrap();
        std::fs::write(dir.path().join("lot.avis"), b"").unwrap();
        std::fs::create_dir(dir.path().join("Sous-dossier")).unwrap();
        let l = listing(Some(dir.path().to_path_buf()), None);
        let mut names: Vec<_> = l
            .entries
            .unwrap()
            .into_iter()
            .map(|e| (e.name, e.dir))
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec![("Sous-dossier".into(), true), ("lot.avis".into(), false)]
        );
        assert_eq!(
            free_name(dir.path(), "lot.avis"),
            dir.path().join("lot-2.avis")
        );
        assert_eq!(
            free_name(dir.path(), "autre.avis"),
            dir.path().join("autre.avis")
        );
    }

    #[test]
    fn a_key_file_that_is_not_one_is_refused_in_french() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("faux.pub");
        std::fs::write(&p, b"pas une cle\n").unwrap();
        assert!(read_key_file(&p).is_err());
        assert!(read_key_file(dir.path()).is_err());
    }
}
