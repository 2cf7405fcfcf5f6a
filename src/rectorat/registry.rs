//! The registry of doctors: who they are (name, RPPS), where their bundles
//! go (age recipient), which key signs their avis (minisign), and the last
//! sequence sent to each, kept and incremented by the workspace.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{RectoratError, Result};
use crate::bundle::keys::{parse_public_key, parse_public_key_file, parse_recipient};
use crate::text::sanitize;

/// A doctor of the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisteredDoctor {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpps: Option<String>,
    pub age_recipient: String,
    /// minisign public key (base64 line).
    pub signing_key: String,
    pub added_at: DateTime<Utc>,
    /// The sequence of the last assignment bundle sent (0: none yet).
    pub last_sequence: u64,
}

impl RegisteredDoctor {
    /// How messages and tables name the doctor: « Dr X (RPPS n) ».
    pub fn label(&self) -> String {
        match &self.rpps {
            Some(rpps) => format!("{} (RPPS {rpps})", sanitize(&self.name)),
            None => sanitize(&self.name).into_owned(),
        }
    }

    /// Whether a cell of the assignment spreadsheet names this doctor: its
    /// RPPS, or its name (without regard to case, accents or spacing).
    pub fn is_named_by(&self, cell: &str) -> bool {
        let cell = cell.trim();
        if self.rpps.as_deref() == Some(cell) {
            return true;
        }
        !cell.is_empty() && fold(cell) == fold(&self.name)
    }

    /// Short fingerprint of the signing key, to read over the phone.
    pub fn fingerprint(&self) -> String {
        crate::store::fingerprint(&self.signing_key).unwrap_or_default()
    }
}

/// Lowercase, accents removed, spaces collapsed: how names are compared.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push(match c {
                'à' | 'â' | 'ä' | 'á' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'î' | 'ï' | 'í' => 'i',
                'ô' | 'ö' | 'ó' => 'o',
                'ù' | 'û' | 'ü' | 'ú' => 'u',
                'ç' => 'c',
                'ÿ' => 'y',
                '’' => '\'',
                other => other,
            });
        }
    }
    out
}

/// What `rectorat medecin ajouter` gives.
#[derive(Debug, Clone, Default)]
pub struct NewDoctor {
    pub name: String,
    pub rpps: Option<String>,
    pub age_recipient: String,
    pub signing_key: String,
    /// The last sequence already sent by hand (`rectorat pack`), if any.
    pub last_sequence: u64,
}

/// What a doctor's key file gives: name, RPPS, age recipient (when the
/// file has them) and the minisign public key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFile {
    pub name: Option<String>,
    pub rpps: Option<String>,
    pub age_recipient: Option<String>,
    pub signing_key: String,
}

/// The doctor's keys from the output of `avis keys show --json`
/// (`age_recipient`, `signing_key`, and `name`/`rpps` when present), or
/// from a minisign public key file (then `age_recipient` comes separately).
pub fn keys_from_file(text: &str) -> Result<KeyFile> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(trimmed).map_err(|e| {
            RectoratError::Refused(format!(
                "le fichier de clés n'est pas un JSON lisible (ligne {}) ; fournissez la sortie de « avis keys show --json » du médecin",
                e.line()
            ))
        })?;
        let field = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let signing = field("signing_key").ok_or_else(|| {
            RectoratError::Refused(
                "le fichier de clés ne contient pas « signing_key » ; fournissez la sortie de « avis keys show --json » du médecin".into(),
            )
        })?;
        let name = field("name").or_else(|| {
            value
                .get("doctor")
                .and_then(|d| d.get("name"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        let rpps = field("rpps").or_else(|| {
            value
                .get("doctor")
                .and_then(|d| d.get("rpps"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        return Ok(KeyFile {
            name,
            rpps,
            age_recipient: field("age_recipient"),
            signing_key: signing,
        });
    }
    let signing = parse_public_key_file(trimmed)?;
    Ok(KeyFile {
        name: None,
        rpps: None,
        age_recipient: None,
        signing_key: signing,
    })
}

/// Checks a new doctor's fields; French refusals.
pub fn check_new(doctor: &NewDoctor, registry: &[RegisteredDoctor]) -> Result<()> {
    if doctor.name.trim().is_empty() {
        return Err(RectoratError::Refused(
            "nom du médecin vide : indiquez-le avec --nom \"Dr Prénom Nom\"".into(),
        ));
    }
    if let Some(r) = &doctor.rpps {
        if r.is_empty() || !r.chars().all(|c| c.is_ascii_digit()) {
            return Err(RectoratError::Refused(
                "numéro RPPS invalide : il ne contient que des chiffres (11 en général)".into(),
            ));
        }
    }
    parse_recipient(&doctor.age_recipient).map_err(|e| {
        RectoratError::Refused(format!("clé de chiffrement (age) du médecin : {e}"))
    })?;
    parse_public_key(&doctor.signing_key)?;
    for other in registry {
        if other.signing_key == doctor.signing_key || other.age_recipient == doctor.age_recipient {
            return Err(RectoratError::Refused(format!(
                "ces clés sont déjà inscrites pour {} : rien n'a été ajouté",
                other.label()
            )));
        }
        if doctor.rpps.is_some() && other.rpps == doctor.rpps {
            return Err(RectoratError::Refused(format!(
                "le RPPS est déjà inscrit pour {} : rien n'a été ajouté",
                other.label()
            )));
        }
        if doctor.rpps.is_none() && other.rpps.is_none() && fold(&other.name) == fold(&doctor.name)
        {
            return Err(RectoratError::Refused(format!(
                "un médecin du même nom est déjà inscrit ({}) : indiquez son RPPS avec --rpps pour les distinguer",
                other.label()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doctor(name: &str, rpps: Option<&str>) -> RegisteredDoctor {
        RegisteredDoctor {
            name: name.into(),
            rpps: rpps.map(Into::into),
            age_recipient: String::new(),
            signing_key: String::new(),
            added_at: Utc::now(),
            last_sequence: 0,
        }
    }

    #[test]
    fn a_cell_names_a_doctor_by_rpps_or_folded_name() {
        let d = doctor("Dr Hélène  Martin", Some("10001234567"));
        assert!(d.is_named_by("10001234567"));
        assert!(d.is_named_by(" dr helene martin "));
        assert!(!d.is_named_by("Dr Martin"));
        assert!(!d.is_named_by(""));
    }

    #[test]
    fn keys_come_from_keys_show_json_or_a_pub_file() {
        let (_, public) = crate::bundle::SigningKey::generate().unwrap();
        let file = keys_from_file(&public).unwrap();
        assert!(file.name.is_none() && file.age_recipient.is_none());
        assert!(file.signing_key.starts_with("RW"));
        let key = file.signing_key;
        let json = format!(
            "{{\"age_recipient\": \"age1x\", \"signing_key\": \"{key}\", \"doctor\": {{\"name\": \"Dr A\"}}}}"
        );
        let file = keys_from_file(&json).unwrap();
        assert_eq!(file.name.as_deref(), Some("Dr A"));
        assert_eq!(file.age_recipient.as_deref(), Some("age1x"));
        assert_eq!(file.signing_key, key);
        assert!(keys_from_file("{\"age_recipient\": 1}").is_err());
    }
}
