//! Export: every validated, not yet exported avis, signed with the doctor's
//! key into one opinions bundle per issuing rectorat, encrypted to the
//! rectorat's `issuer.age_recipient` (from the signed assignment manifest)
//! and to the doctor; then the avis are marked `exporte`.
//!
//! Exactly once, whatever instant the program is killed at: the bundle's
//! sequence is reserved and the export recorded as pending (with its
//! temporary file) before the file is written; once written and synced, its
//! SHA-256 is recorded; then the file is renamed into place (never over an
//! existing file unless asked) and the avis marked `exporte` in one step.
//! At the next start, a pending export whose file exists with the recorded
//! hash is adopted (the avis are marked `exporte`), any other is removed
//! (its temporary file deleted, its avis still `valide`); a reserved
//! sequence is never used twice.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::db::{Batch, T};
use super::opinions::{RequestRow, StatusRow};
use super::{ExportOptions, ExportedFile, Progress, Result, Store, StoreError};
use crate::atomic::{self, Replace};
use crate::bundle::{self, BundleContent, BundleHeader, BundleKind, OutEntry, Party, SigningKey};
use crate::domain::{Draft, Status};

/// Meta record of the exports under way.
const PENDING: &str = "export_pending";
/// Meta record of the folder the doctor chose for exports.
const FOLDER: &str = "export_folder";
/// The last folder a file was chosen in (the TUI's file chooser).
const LAST_FOLDER: &str = "last_folder";

/// The last opinions-bundle sequence sent to one rectorat (or reserved).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ExportSequence {
    last: u64,
}

/// One export under way (see the module documentation).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    sequence: u64,
    path: PathBuf,
    temp: PathBuf,
    /// Set once the temporary file is complete and synced.
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    bundle_id: Option<String>,
    ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct PendingList {
    items: Vec<Pending>,
}

/// The last sending of one avis (for `replaces` when it is sent again).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LastExport {
    bundle_id: String,
    exported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Folder {
    path: PathBuf,
}

fn last_export_name(id: &str) -> String {
    format!("last_export:{id}")
}

fn sequence_name(issuer_signing_key: &str) -> String {
    format!("export_sequence:{issuer_signing_key}")
}

/// One opinions bundle to write.
struct Group {
    issuer_name: String,
    issuer_signing_key: String,
    issuer_age_recipient: String,
    items: Vec<(RequestRow, Draft)>,
}

/// Where an export goes.
#[derive(Clone, Copy)]
enum Target<'a> {
    /// This file (with a suffix per rectorat when several).
    File(&'a Path),
    /// The default name of each bundle in this folder.
    Folder(&'a Path),
}

/// The default file name of an opinions bundle: `avis-2026-12-01-n3.avis`
/// (the date and the bundle's sequence), with the rectorat's name when one
/// export makes several files.
pub fn export_file_name(date: NaiveDate, sequence: u64, rectorat: Option<&str>) -> String {
    match rectorat {
        Some(name) => format!(
            "avis-{}-n{sequence}-{}.avis",
            date.format("%Y-%m-%d"),
            slug(name)
        ),
        None => format!("avis-{}-n{sequence}.avis", date.format("%Y-%m-%d")),
    }
}

/// SHA-256 of what goes through.
struct HashingWriter<'a> {
    inner: &'a mut dyn Write,
    hasher: Sha256,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn file_sha256(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher).ok()?;
    Some(hex::encode(hasher.finalize()))
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The opinion JSON as exported: the avis, its lifted checks
/// (`overrides`), the sending it replaces (`replaces`), `decided_at` in
/// whole seconds.
fn opinion_json(draft: &Draft, replaces: Option<&LastExport>) -> Result<Vec<u8>> {
    let mut value =
        serde_json::to_value(&draft.opinion).map_err(|_| StoreError::Encode("avis à exporter"))?;
    if let Some(map) = value.as_object_mut() {
        if let Some(at) = draft.opinion.decided_at {
            map.insert(
                "decided_at".into(),
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into(),
            );
        }
        if !draft.overrides.is_empty() {
            let overrides = serde_json::to_value(&draft.overrides)
                .map_err(|_| StoreError::Encode("avis à exporter"))?;
            map.insert("overrides".into(), overrides);
        }
        if let Some(last) = replaces {
            map.insert(
                "replaces".into(),
                serde_json::json!({
                    "bundle_id": last.bundle_id,
                    "exported_at": last
                        .exported_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                }),
            );
        }
    }
    serde_json::to_vec_pretty(&value).map_err(|_| StoreError::Encode("avis à exporter"))
}

impl Store {
    /// Signs and encrypts every validated, not yet exported avis into
    /// `out` (one file per rectorat if several: `out` gets a suffix). An
    /// existing file is never replaced unless `options.replace`.
    pub fn export(
        &self,
        out: &Path,
        options: &ExportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<ExportedFile>> {
        self.export_to(Target::File(out), options, progress)
    }

    /// [`Store::export`] into `dir` under the default names
    /// ([`export_file_name`], today's date and each bundle's sequence).
    pub fn export_to_folder(
        &self,
        dir: &Path,
        options: &ExportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<ExportedFile>> {
        self.export_to(Target::Folder(dir), options, progress)
    }

    /// The folder the doctor chose for exports, if any.
    pub fn export_folder(&self) -> Result<Option<PathBuf>> {
        Ok(self
            .db
            .get::<Folder>(&self.secrets.keys, T::Meta, FOLDER)?
            .map(|f| f.path))
    }

    /// Remembers the folder of the exports (in the store, sealed).
    pub fn set_export_folder(&self, dir: &Path) -> Result<()> {
        let path = dir
            .canonicalize()
            .map_err(StoreError::io("trouver le dossier des exports"))?;
        if !path.is_dir() {
            return Err(StoreError::Io {
                what: "utiliser le dossier des exports",
                source: io::Error::from(io::ErrorKind::NotADirectory),
            });
        }
        let mut batch = Batch::default();
        batch.put(&self.secrets.keys, T::Meta, FOLDER, &Folder { path });
        self.db.write(&self.secrets.keys, &batch, "settings")
    }

    /// The last folder the doctor chose a file or folder in (the TUI's file
    /// chooser), if any.
    pub fn last_folder(&self) -> Result<Option<PathBuf>> {
        Ok(self
            .db
            .get::<Folder>(&self.secrets.keys, T::Meta, LAST_FOLDER)?
            .map(|f| f.path))
    }

    /// Remembers the last folder used in the file chooser (sealed, like
    /// every setting).
    pub fn set_last_folder(&self, dir: &Path) -> Result<()> {
        let mut batch = Batch::default();
        batch.put(
            &self.secrets.keys,
            T::Meta,
            LAST_FOLDER,
            &Folder {
                path: dir.to_path_buf(),
            },
        );
        self.db.write(&self.secrets.keys, &batch, "settings")
    }

    /// Where the next export would be written in the remembered folder
    /// (the first rectorat's bundle when there are several), or `None`
    /// before a folder is chosen.
    pub fn default_export_path(&self, date: NaiveDate) -> Result<Option<PathBuf>> {
        let Some(dir) = self.export_folder()? else {
            return Ok(None);
        };
        let groups = self.export_groups(&BTreeSet::new())?;
        let sequence = match groups.values().next() {
            Some(g) => self.next_sequence(&g.issuer_signing_key)?,
            None => 1,
        };
        let rectorat = (groups.len() > 1)
            .then(|| groups.values().next().map(|g| g.issuer_name.as_str()))
            .flatten();
        Ok(Some(dir.join(export_file_name(date, sequence, rectorat))))
    }

    fn next_sequence(&self, issuer_signing_key: &str) -> Result<u64> {
        let last = self
            .db
            .get::<ExportSequence>(
                &self.secrets.keys,
                T::Meta,
                &sequence_name(issuer_signing_key),
            )?
            .map_or(0, |s| s.last);
        last.checked_add(1)
            .ok_or(StoreError::Corrupt("séquence d'export épuisée"))
    }

    /// The avis to export, by rectorat.
    fn export_groups(&self, again: &BTreeSet<&str>) -> Result<BTreeMap<(String, String), Group>> {
        let keys = &self.secrets.keys;
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
        Ok(groups)
    }

    fn export_to(
        &self,
        target: Target<'_>,
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
        let groups = self.export_groups(&again)?;
        if groups.is_empty() {
            return Err(StoreError::NothingToExport);
        }
        let signer = SigningKey::from_file_contents(&self.secrets.signing_key_text, None)
            .map_err(|e| StoreError::Keys(e.to_string()))?;
        let me = self.secrets.identity.to_public();
        let doctor = self.doctor();
        let today = chrono::Local::now().date_naive();
        let several = groups.len() > 1;

        // Plan: sequence, final path and temporary file of each bundle.
        let mut used_names = BTreeSet::new();
        let mut plans = Vec::new();
        for group in groups.values() {
            let sequence = self.next_sequence(&group.issuer_signing_key)?;
            let path = match target {
                Target::File(out) if several => {
                    let base = slug(&group.issuer_name);
                    let mut name = base.clone();
                    let mut n = 2;
                    while !used_names.insert(name.clone()) {
                        name = format!("{base}-{n}");
                        n += 1;
                    }
                    suffixed(out, &name)
                }
                Target::File(out) => out.to_path_buf(),
                Target::Folder(dir) => {
                    let rectorat = several.then_some(group.issuer_name.as_str());
                    let mut name = export_file_name(today, sequence, rectorat);
                    let mut n = 2;
                    while !used_names.insert(name.clone()) {
                        name = format!("{}-{n}.avis", name.trim_end_matches(".avis"));
                        n += 1;
                    }
                    dir.join(name)
                }
            };
            if !options.replace && std::fs::symlink_metadata(&path).is_ok() {
                return Err(StoreError::ExportFileExists(path));
            }
            let temp = parent_dir(&path).join(format!(
                "{}export-{sequence}-{}",
                atomic::TEMP_PREFIX,
                hex::encode(&super::crypto::random_key()[..6])
            ));
            plans.push(Pending {
                sequence,
                path,
                temp,
                sha256: None,
                bundle_id: None,
                ids: group.items.iter().map(|(row, _)| row.id.clone()).collect(),
            });
        }

        // 1. Reserve the sequences and record the exports as pending.
        let mut batch = Batch::default();
        for (group, plan) in groups.values().zip(&plans) {
            batch.put(
                keys,
                T::Meta,
                &sequence_name(&group.issuer_signing_key),
                &ExportSequence {
                    last: plan.sequence,
                },
            );
        }
        batch.put(
            keys,
            T::Meta,
            PENDING,
            &PendingList {
                items: plans.clone(),
            },
        );
        self.db.write(keys, &batch, "export:reserve")?;

        // 2. Write and sync each file beside its final name.
        let mut staged = Vec::new();
        let written = (|| -> Result<()> {
            for (group, plan) in groups.values().zip(plans.iter_mut()) {
                let rectorat = age::x25519::Recipient::from_str(&group.issuer_age_recipient)
                    .map_err(|_| StoreError::Corrupt("destinataire du rectorat illisible"))?;
                let mut in_reply_to = BTreeSet::new();
                let mut entries = Vec::new();
                for (row, draft) in &group.items {
                    in_reply_to.insert(row.bundle_id.clone());
                    let last = if again.contains(row.id.as_str()) {
                        self.db
                            .get::<LastExport>(keys, T::Meta, &last_export_name(&row.id))?
                    } else {
                        None
                    };
                    entries.push(OutEntry {
                        path: format!("opinions/{}.json", row.id),
                        content: BundleContent::Bytes(opinion_json(draft, last.as_ref())?),
                    });
                }
                let header = BundleHeader {
                    kind: BundleKind::Opinions,
                    sequence: plan.sequence,
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
                let mut bundle_id = String::new();
                let mut sha = String::new();
                let file = atomic::stage_at(&plan.path, &plan.temp, "export", |w| {
                    let mut hashing = HashingWriter {
                        inner: w,
                        hasher: Sha256::new(),
                    };
                    bundle_id = bundle::write_bundle(
                        &mut hashing,
                        header,
                        entries,
                        &signer,
                        &[rectorat, me.clone()],
                    )
                    .map_err(WriteError::Bundle)?;
                    sha = hex::encode(hashing.hasher.finalize());
                    Ok::<(), WriteError>(())
                })?;
                plan.sha256 = Some(sha);
                plan.bundle_id = Some(bundle_id);
                staged.push(file);
            }
            Ok(())
        })();
        if let Err(e) = written {
            drop(staged);
            self.settle_exports()?;
            return Err(e);
        }

        // 3. Record their hashes: from now on a file found at its final
        //    name with this hash is this export.
        let mut batch = Batch::default();
        batch.put(
            keys,
            T::Meta,
            PENDING,
            &PendingList {
                items: plans.clone(),
            },
        );
        if let Err(e) = self.db.write(keys, &batch, "export:recorded") {
            drop(staged);
            let _ = self.settle_exports();
            return Err(e);
        }

        // 4. Rename each into place, then mark the avis in one step.
        let replace = if options.replace {
            Replace::Yes
        } else {
            Replace::No
        };
        let mut failure = None;
        for (file, plan) in staged.into_iter().zip(&plans) {
            if failure.is_some() {
                continue; // dropped: its temporary file is removed
            }
            if let Err(e) = file.commit(replace) {
                failure = Some(if e.kind() == io::ErrorKind::AlreadyExists {
                    StoreError::ExportFileExists(plan.path.clone())
                } else {
                    StoreError::Io {
                        what: "enregistrer le fichier d'export",
                        source: e,
                    }
                });
            }
        }
        let adopted = self.settle_exports()?;
        if let Some(e) = failure {
            return Err(e);
        }
        let total: u64 = groups.values().map(|g| g.items.len() as u64).sum();
        progress(Progress { done: total, total });
        Ok(groups
            .values()
            .zip(&plans)
            .filter(|(_, plan)| adopted.contains(&plan.path))
            .map(|(group, plan)| ExportedFile {
                path: plan.path.clone(),
                issuer_name: group.issuer_name.clone(),
                opinions: group.items.len(),
            })
            .collect())
    }

    /// Ends the exports left pending (see the module documentation):
    /// adopts those whose file is in place with its recorded hash (their
    /// avis become `exporte`), removes the others. Returns the paths of the
    /// adopted files. Called at every opening and at the end of an export.
    pub(crate) fn settle_exports(&self) -> Result<Vec<PathBuf>> {
        let keys = &self.secrets.keys;
        let list: PendingList = self.db.get(keys, T::Meta, PENDING)?.unwrap_or_default();
        if list.items.is_empty() {
            return Ok(Vec::new());
        }
        let mut batch = Batch::default();
        let mut adopted = Vec::new();
        let now = Utc::now();
        for p in &list.items {
            let in_place = !p.temp.exists()
                && p.sha256.is_some()
                && file_sha256(&p.path).as_deref() == p.sha256.as_deref();
            let bundle_id = match &p.bundle_id {
                Some(id) if in_place => id.clone(),
                _ => String::new(),
            };
            if in_place {
                for id in &p.ids {
                    batch.put(
                        keys,
                        T::Statuses,
                        id,
                        &StatusRow {
                            status: Status::Exporte,
                            exported_at: Some(now),
                        },
                    );
                    batch.put(
                        keys,
                        T::Meta,
                        &last_export_name(id),
                        &LastExport {
                            bundle_id: bundle_id.clone(),
                            exported_at: now,
                        },
                    );
                    batch.event(
                        "export",
                        Some(id),
                        format!(
                            "avis exporté dans le lot {bundle_id} (séquence {})",
                            p.sequence
                        ),
                    );
                }
                adopted.push(p.path.clone());
            } else {
                match std::fs::remove_file(&p.temp) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(StoreError::Io {
                            what: "effacer un export interrompu",
                            source: e,
                        })
                    }
                }
                batch.event(
                    "export_aborted",
                    None,
                    format!(
                        "export interrompu avant d'être écrit : séquence {} non utilisée, {} avis toujours à exporter",
                        p.sequence,
                        p.ids.len()
                    ),
                );
            }
        }
        batch.put(keys, T::Meta, PENDING, &PendingList::default());
        self.db.write(keys, &batch, "export")?;
        Ok(adopted)
    }
}

/// What can go wrong while the export file is written.
enum WriteError {
    Io(io::Error),
    Bundle(crate::bundle::BundleError),
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

impl From<WriteError> for StoreError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Io(source) => StoreError::Io {
                what: "écrire le fichier d'export",
                source,
            },
            // A full disk keeps its own message.
            WriteError::Bundle(b) if super::fsutil::is_storage_full(&b) => StoreError::Bundle(b),
            WriteError::Bundle(_) => StoreError::Encode("lot d'avis"),
        }
    }
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
