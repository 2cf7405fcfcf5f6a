//! Export: every validated, not yet exported avis, signed with the doctor's
//! key into one opinions bundle per issuing rectorat, encrypted to the
//! rectorat's `issuer.age_recipient` (from the signed assignment manifest)
//! and to the doctor, written atomically; then the avis are marked `exporte`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::db::{Batch, T};
use super::fsutil;
use super::opinions::{RequestRow, StatusRow};
use super::{ExportOptions, ExportedFile, Progress, Result, Store, StoreError};
use crate::bundle::{self, BundleContent, BundleHeader, BundleKind, OutEntry, Party, SigningKey};
use crate::domain::{Draft, Status};

/// The last opinions-bundle sequence sent to one rectorat.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ExportSequence {
    last: u64,
}

/// One opinions bundle to write.
struct Group {
    issuer_name: String,
    issuer_signing_key: String,
    issuer_age_recipient: String,
    items: Vec<(RequestRow, Draft)>,
}

/// A file-name-safe form of an (untrusted) rectorat name.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "rectorat".into()
    } else {
        out
    }
}

/// `FILE` with a suffix naming the rectorat: `avis.age` → `avis-<slug>.age`.
fn suffixed(out: &Path, suffix: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "avis".into());
    let name = match out.extension() {
        Some(ext) => format!("{stem}-{suffix}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{suffix}"),
    };
    out.with_file_name(name)
}

impl Store {
    /// Signs and encrypts every validated, not yet exported avis.
    pub fn export(
        &self,
        out: &Path,
        options: &ExportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<ExportedFile>> {
        let keys = &self.secrets.keys;
        let again: BTreeSet<&str> = options.again.iter().map(String::as_str).collect();
        for id in &again {
            match self.status(id)? {
                Status::Valide | Status::Exporte => {}
                _ => return Err(StoreError::NotValidated(id.to_string())),
            }
        }
        let mut rows: Vec<RequestRow> = self.db.all(keys, T::Requests)?;
        // Purged dossiers keep their avis: `--encore` may send it again.
        rows.extend(self.purged_request_rows()?);
        let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
        for row in rows {
            let status = self.status(&row.id)?;
            let wanted = status == Status::Valide
                || (status == Status::Exporte && again.contains(row.id.as_str()));
            if !wanted {
                continue;
            }
            let draft = self
                .draft(&row.id)?
                .ok_or_else(|| StoreError::NoDraft(row.id.clone()))?;
            let origin = self.bundle_row(&row.bundle_id)?;
            let key = (
                origin.issuer_signing_key.clone(),
                origin.issuer_age_recipient.clone(),
            );
            groups
                .entry(key)
                .or_insert_with(|| Group {
                    issuer_name: origin.issuer_name.clone(),
                    issuer_signing_key: origin.issuer_signing_key.clone(),
                    issuer_age_recipient: origin.issuer_age_recipient.clone(),
                    items: Vec::new(),
                })
                .items
                .push((row, draft));
        }
        if groups.is_empty() {
            return Err(StoreError::NothingToExport);
        }

        let signer = SigningKey::from_file_contents(&self.secrets.signing_key_text, None)
            .map_err(|e| StoreError::Keys(e.to_string()))?;
        let me = self.secrets.identity.to_public();
        let doctor = self.doctor();
        let total: u64 = groups.values().map(|g| g.items.len() as u64).sum();
        let mut done = 0u64;
        let several = groups.len() > 1;
        let mut used_names = BTreeSet::new();
        let mut written = Vec::new();
        let mut batch = Batch::default();
        for group in groups.values() {
            let rectorat = age::x25519::Recipient::from_str(&group.issuer_age_recipient)
                .map_err(|_| StoreError::Corrupt("destinataire du rectorat illisible"))?;
            let seq_name = format!("export_sequence:{}", group.issuer_signing_key);
            let sequence = self
                .db
                .get::<ExportSequence>(keys, T::Meta, &seq_name)?
                .map_or(1, |s| s.last + 1);
            let mut in_reply_to = BTreeSet::new();
            let mut entries = Vec::new();
            for (row, draft) in &group.items {
                in_reply_to.insert(row.bundle_id.clone());
                let json = serde_json::to_vec_pretty(&draft.opinion)
                    .map_err(|_| StoreError::Corrupt("avis illisible"))?;
                entries.push(OutEntry {
                    path: format!("opinions/{}.json", row.id),
                    content: BundleContent::Bytes(json),
                });
            }
            let header = BundleHeader {
                kind: BundleKind::Opinions,
                sequence,
                issuer: Party {
                    name: doctor.name.clone(),
                    signing_key: Some(self.profile.signing_key.clone()),
                    age_recipient: me.to_string(),
                },
                recipient: Party {
                    name: group.issuer_name.clone(),
                    signing_key: Some(group.issuer_signing_key.clone()),
                    age_recipient: group.issuer_age_recipient.clone(),
                },
                in_reply_to: in_reply_to.into_iter().collect(),
            };
            let path = if several {
                let base = slug(&group.issuer_name);
                let mut name = base.clone();
                let mut n = 2;
                while !used_names.insert(name.clone()) {
                    name = format!("{base}-{n}");
                    n += 1;
                }
                suffixed(out, &name)
            } else {
                out.to_path_buf()
            };
            let bundle_id = write_file(&path, header, entries, &signer, &[rectorat, me.clone()])?;
            batch.put(keys, T::Meta, &seq_name, &ExportSequence { last: sequence });
            let now = Utc::now();
            for (row, _) in &group.items {
                batch.put(
                    keys,
                    T::Statuses,
                    &row.id,
                    &StatusRow {
                        status: Status::Exporte,
                        exported_at: Some(now),
                    },
                );
                batch.event(
                    "export",
                    Some(&row.id),
                    format!("avis exporté dans le lot {bundle_id} (séquence {sequence})"),
                );
            }
            done += group.items.len() as u64;
            progress(Progress { done, total });
            written.push(ExportedFile {
                path,
                issuer_name: group.issuer_name.clone(),
                opinions: group.items.len(),
            });
        }
        fsutil::test_point("export:written");
        self.db.write(keys, &batch, "export")?;
        Ok(written)
    }
}

/// Writes one bundle atomically; returns its bundle id.
fn write_file(
    path: &Path,
    header: BundleHeader,
    entries: Vec<OutEntry>,
    signer: &SigningKey,
    recipients: &[age::x25519::Recipient],
) -> Result<String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".avis-export-")
        .tempfile_in(&dir)
        .map_err(StoreError::io("créer le fichier d'export"))?;
    let mut w = BufWriter::new(tmp);
    let bundle_id = bundle::write_bundle(&mut w, header, entries, signer, recipients)?;
    w.flush()
        .map_err(StoreError::io("écrire le fichier d'export"))?;
    let tmp = w.into_inner().map_err(|e| StoreError::Io {
        what: "écrire le fichier d'export",
        source: e.into_error(),
    })?;
    tmp.as_file()
        .sync_all()
        .map_err(StoreError::io("écrire le fichier d'export"))?;
    tmp.persist(path).map_err(|e| StoreError::Io {
        what: "enregistrer le fichier d'export",
        source: e.error,
    })?;
    fsutil::sync_dir(&dir).map_err(StoreError::io("enregistrer le fichier d'export"))?;
    Ok(bundle_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe() {
        assert_eq!(
            slug("Rectorat d'Aix-Marseille - DIEC"),
            "rectorat-d-aix-marseille-diec"
        );
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("é"), "rectorat");
        assert_eq!(
            suffixed(Path::new("/tmp/avis.age"), "lyon"),
            PathBuf::from("/tmp/avis-lyon.age")
        );
    }
}
