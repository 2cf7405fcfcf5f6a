//! Helpers shared by the subcommands: passphrase, store path, review date,
//! JSON output and terminal hygiene for untrusted text.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};

use super::{Failure, GlobalArgs};
use crate::store::{Store, StoreOptions};

/// Shortest passphrase accepted when a store is created.
pub const MIN_PASSPHRASE_CHARS: usize = crate::passphrase::MIN_CHARS;

/// The store directory: `--store`, `AVIS_STORE`, or the platform data directory.
pub fn store_dir(global: &GlobalArgs) -> Result<PathBuf, Failure> {
    if let Some(dir) = &global.store {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("fr", "avis", "avis")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            Failure(
                "impossible de trouver le dossier de données de votre session : \
                 indiquez le dossier du magasin avec --store"
                    .into(),
            )
        })
}

/// The review date of the checks: `--date`/`AVIS_DATE`, or today.
pub fn today(global: &GlobalArgs) -> NaiveDate {
    global
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// Reads the passphrase from `--passphrase-file` (first line), or asks it
/// on the terminal without echo (twice when `confirm`, for a new store).
pub fn read_passphrase(global: &GlobalArgs, confirm: bool) -> Result<SecretString, Failure> {
    let passphrase = match &global.passphrase_file {
        Some(path) => passphrase_from_file(path, "--passphrase-file")?,
        None => {
            let first = ask("Phrase de passe : ")?;
            if confirm {
                let second = ask("Confirmez la phrase de passe : ")?;
                if first.expose_secret() != second.expose_secret() {
                    return Err(Failure(
                        "les deux phrases de passe saisies diffèrent : rien n'a été créé ; recommencez"
                            .into(),
                    ));
                }
            }
            first
        }
    };
    if confirm {
        check_strength(&passphrase)?;
    }
    Ok(passphrase)
}

/// The current passphrase, for a command that changes it: from
/// `--passphrase-file`, or asked as « Phrase de passe actuelle ».
pub fn read_current_passphrase(global: &GlobalArgs) -> Result<SecretString, Failure> {
    match &global.passphrase_file {
        Some(path) => passphrase_from_file(path, "--passphrase-file"),
        None => ask("Phrase de passe actuelle : "),
    }
}

/// A new passphrase: the first line of `file` (`--nouvelle-phrase-file`), or
/// asked twice on the terminal without echo; too short ones are refused.
pub fn read_new_passphrase(file: Option<&Path>) -> Result<SecretString, Failure> {
    let passphrase = match file {
        Some(path) => passphrase_from_file(path, "--nouvelle-phrase-file")?,
        None => {
            let first = ask("Nouvelle phrase de passe : ")?;
            let second = ask("Confirmez la nouvelle phrase de passe : ")?;
            if first.expose_secret() != second.expose_secret() {
                return Err(Failure(
                    "les deux nouvelles phrases de passe saisies diffèrent : rien n'a été modifié ; recommencez"
                        .into(),
                ));
            }
            first
        }
    };
    check_strength(&passphrase)?;
    Ok(passphrase)
}

fn check_strength(passphrase: &SecretString) -> Result<(), Failure> {
    crate::passphrase::check_strength(passphrase.expose_secret()).map_err(Failure)
}

/// The first line of a passphrase file ([`crate::passphrase::read_file`]).
fn passphrase_from_file(path: &Path, flag: &'static str) -> Result<SecretString, Failure> {
    crate::passphrase::read_file(path, flag).map_err(|e| Failure(e.to_string()))
}

fn ask(prompt: &str) -> Result<SecretString, Failure> {
    let answer = rpassword::prompt_password(prompt).map_err(|_| {
        Failure(
            "impossible de demander la phrase de passe : aucun terminal ; \
             lancez avis dans un terminal ou utilisez --passphrase-file"
                .into(),
        )
    })?;
    let answer = answer.trim_end_matches(['\r', '\n']).to_string();
    if answer.is_empty() {
        return Err(Failure(
            "phrase de passe vide : tapez votre phrase de passe".into(),
        ));
    }
    Ok(SecretString::from(answer))
}

/// Store options for a new passphrase (a new store, a changed passphrase):
/// the project's fixed scrypt cost; in a test build only,
/// `AVIS_TEST_KDF_LOG_N` lowers it ([`crate::testhooks`]).
pub fn init_options() -> StoreOptions {
    crate::passphrase::new_store_options()
}

/// Unlocks the store named by the global options.
pub fn open_store(global: &GlobalArgs) -> Result<Store, Failure> {
    let dir = store_dir(global)?;
    if !Store::exists(&dir) {
        return Err(Failure(
            crate::store::StoreError::NotInitialized(dir).to_string(),
        ));
    }
    let passphrase = read_passphrase(global, false)?;
    Ok(Store::open(&dir, &passphrase, &StoreOptions::default())?)
}

/// Unlocks the store named by the global options and keeps the passphrase
/// (for a backup encrypted to it).
pub fn open_store_keeping_passphrase(
    global: &GlobalArgs,
) -> Result<(Store, SecretString), Failure> {
    let dir = store_dir(global)?;
    if !Store::exists(&dir) {
        return Err(Failure(
            crate::store::StoreError::NotInitialized(dir).to_string(),
        ));
    }
    let passphrase = read_passphrase(global, false)?;
    let store = Store::open(&dir, &passphrase, &StoreOptions::default())?;
    Ok((store, passphrase))
}

/// Prints a JSON value on stdout (a closed pipe is not an error).
pub fn print_json(value: &serde_json::Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure(e.to_string()))?;
    print_out(&text)
}

/// Prints a line on stdout (a closed pipe is not an error).
pub fn print_out(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(format!("écriture impossible sur la sortie : {e}"))),
    }
}

/// Untrusted text made safe for a terminal (one line): see [`crate::text::sanitize`].
pub fn sanitize(text: &str) -> String {
    crate::text::sanitize(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_strips_escapes_and_bidi() {
        assert!(!sanitize("a\u{1b}[31mb\u{202E}c\nd").contains(['\u{1b}', '\u{202E}', '\n']));
        assert_eq!(sanitize("Léa Durand"), "Léa Durand");
    }
}
