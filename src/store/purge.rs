//! Retention (RGPD minimisation): once a dossier's avis has been exported
//! for longer than the campaign's retention (`retention_months` in
//! `settings.json`, 12 months by default), its pièces and the content of
//! its request leave the store for good.
//!
//! What stays of a purged dossier: the exported avis (its draft without the
//! private notes), its status, the request's id and what the figures count
//! (diploma, session, dates, lateness, the measures' codes), the imported
//! bundle's marker (so that the same bundle is not imported again) and the
//! journal, which never held anything medical.
//!
//! Purged means unrecoverable from the store files:
//! - the sealed records are removed in one transaction (with the journal's
//!   `purge` events);
//! - every bundle file that held the dossier is rewritten with only the
//!   pièces other dossiers still need (`bundles/pieces/<hex>.age`, age to
//!   the doctor) or deleted;
//! - sled 0.34 only appends to its log and reuses segments when it sees
//!   fit, so removed values may stay on disk: the whole database is copied
//!   into a new one (`db.compact`), which then replaces `db`.
//!
//! Crash safety: a `pending` mark is written with the removals; the next
//! purge finishes the file deletions and the rewrite. The swap of the
//! database directories is finished (or undone) when the store opens:
//! `db.compact.ready` is written only once the copy is complete.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::iter;
use std::path::Path;

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::db::{self, Batch, T};
use super::fsutil;
use super::import::DocRow;
use super::opinions::{InboxLines, RequestRow, StatusRow, SummaryRow, INBOX};
use super::{Progress, Result, Store, StoreError};
use crate::domain::{DiplomaCode, Draft, MeasureCode, Status};

/// Retention when the campaign settings say nothing.
pub const DEFAULT_RETENTION_MONTHS: u32 = 12;
/// The key of the retention in `settings.json`.
pub const RETENTION_KEY: &str = "retention_months";
/// Meta record: the purged dossiers.
pub(crate) const PURGED: &str = "purged_dossiers";
/// Meta record: the purge's progress mark.
const STATE: &str = "purge_state";
/// Folder of the rewritten bundle files, under `bundles/`.
const PIECES_DIR: &str = "pieces";
const COMPACT_DIR: &str = "db.compact";
const COMPACT_READY: &str = "db.compact.ready";
const OLD_DIR: &str = "db.old";

/// What the store keeps of a purged dossier (nothing medical, no name).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PurgedRow {
    id: String,
    diploma: DiplomaCode,
    session: String,
    received_at: NaiveDate,
    late: bool,
    requested: Vec<MeasureCode>,
    sha256: String,
    bundle_id: String,
    issuer_name: String,
    issuer_signing_key: String,
    versions: Vec<u32>,
    exported_at: Option<DateTime<Utc>>,
    purged_at: DateTime<Utc>,
}

impl PurgedRow {
    /// The request row export needs to send the avis again (`--encore`):
    /// the request's bytes are gone.
    pub(crate) fn request_row(&self) -> RequestRow {
        RequestRow {
            id: self.id.clone(),
            raw: String::new(),
            sha256: self.sha256.clone(),
            bundle_id: self.bundle_id.clone(),
            issuer_name: self.issuer_name.clone(),
            issuer_signing_key: self.issuer_signing_key.clone(),
            versions: self.versions.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct PurgedIndex {
    dossiers: Vec<PurgedRow>,
}

impl PurgedIndex {
    /// Forgets `id` (a purged request the rectorat sent again, which is a
    /// live dossier once more); whether it was purged.
    pub(crate) fn forget(&mut self, id: &str) -> bool {
        let before = self.dossiers.len();
        self.dossiers.retain(|r| r.id != id);
        self.dossiers.len() != before
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct PurgeState {
    /// Removals committed, files or database not yet rewritten.
    pending: bool,
}

/// A purged dossier, as the figures and the lists see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PurgedDossier {
    pub id: String,
    pub diploma: DiplomaCode,
    pub session: String,
    pub received_at: NaiveDate,
    pub late: bool,
    pub requested: Vec<MeasureCode>,
    pub exported_at: Option<DateTime<Utc>>,
    pub purged_at: DateTime<Utc>,
}

impl From<&PurgedRow> for PurgedDossier {
    fn from(r: &PurgedRow) -> PurgedDossier {
        PurgedDossier {
            id: r.id.clone(),
            diploma: r.diploma.clone(),
            session: r.session.clone(),
            received_at: r.received_at,
            late: r.late,
            requested: r.requested.clone(),
            exported_at: r.exported_at,
            purged_at: r.purged_at,
        }
    }
}

/// A dossier past its retention.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDossier {
    pub id: String,
    pub exported_at: DateTime<Utc>,
    /// When its retention ended.
    pub due_since: DateTime<Utc>,
    /// Its pièces.
    pub documents: usize,
}

/// What a purge did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PurgeReport {
    /// The dossiers purged.
    pub purged: Vec<String>,
    /// Bundle files deleted or replaced by a rewritten one.
    pub files_removed: usize,
    /// Rewritten bundle files (pièces still needed by other dossiers).
    pub files_written: usize,
}

/// The end of the retention of an avis exported at `exported_at`.
pub fn retention_end(exported_at: DateTime<Utc>, months: u32) -> Option<DateTime<Utc>> {
    exported_at.checked_add_months(Months::new(months))
}

/// The retention of `settings.json` in the store directory.
fn read_retention(dir: &Path) -> Result<u32> {
    let bytes = match fs::read(dir.join("settings.json")) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(DEFAULT_RETENTION_MONTHS),
        Err(e) => {
            return Err(StoreError::Io {
                what: "lire les réglages de campagne",
                source: e,
            })
        }
    };
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Settings(e.to_string()))?;
    match value.get(RETENTION_KEY) {
        None | Some(serde_json::Value::Null) => Ok(DEFAULT_RETENTION_MONTHS),
        Some(v) => v
            .as_u64()
            .filter(|m| (1..=240).contains(m))
            .and_then(|m| u32::try_from(m).ok())
            .ok_or_else(|| {
                StoreError::Settings(format!(
                    "« {RETENTION_KEY} » doit être un nombre entier de mois entre 1 et 240"
                ))
            }),
    }
}

/// Finishes (or undoes) a rewrite of the database interrupted by a crash;
/// called when the store opens, before the database is.
pub(crate) fn recover(dir: &Path) -> Result<()> {
    let db_dir = dir.join("db");
    let compact = dir.join(COMPACT_DIR);
    let ready = dir.join(COMPACT_READY);
    let old = dir.join(OLD_DIR);
    let err = StoreError::io("terminer la purge interrompue");
    if ready.exists() {
        if compact.exists() {
            if db_dir.exists() {
                if old.exists() {
                    fs::remove_dir_all(&old).map_err(err)?;
                }
                fs::rename(&db_dir, &old)
                    .map_err(StoreError::io("terminer la purge interrompue"))?;
            }
            fs::rename(&compact, &db_dir)
                .map_err(StoreError::io("terminer la purge interrompue"))?;
        }
        fsutil::sync_dir(dir).map_err(StoreError::io("terminer la purge interrompue"))?;
        fs::remove_file(&ready).map_err(StoreError::io("terminer la purge interrompue"))?;
    } else if compact.exists() {
        // A copy that never completed: the database in place is intact.
        fs::remove_dir_all(&compact).map_err(err)?;
    }
    if old.exists() {
        fs::remove_dir_all(&old).map_err(StoreError::io("terminer la purge interrompue"))?;
    }
    Ok(())
}

/// Waits until no sled handle holds the database file `file` (sled
/// releases its lock from a background thread after the last handle).
fn wait_released(file: &Path) {
    use std::os::unix::io::AsRawFd;
    let Ok(f) = File::open(file) else {
        return;
    };
    for _ in 0..500 {
        // SAFETY: flock on a file descriptor we own.
        let got = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if got {
            // SAFETY: as above.
            unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_UN) };
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// sled's configuration of the store (as `db::Db::open`).
fn sled_config(path: &Path) -> sled::Config {
    sled::Config::new()
        .path(path)
        .cache_capacity(8 * 1024 * 1024)
        .mode(sled::Mode::LowSpace)
}

/// Copies every tree of `from` into a new database at `to`.
fn copy_database(from: &sled::Db, to: &Path) -> Result<()> {
    fsutil::private_dir(to).map_err(StoreError::io("réécrire la base du magasin"))?;
    let new = sled_config(to).open()?;
    for name in from.tree_names() {
        let src = from.open_tree(&name)?;
        let dst = new.open_tree(&name)?;
        for item in src.iter() {
            let (k, v) = item?;
            dst.insert(k, v)?;
        }
    }
    new.flush()?;
    drop(new);
    wait_released(&to.join("db"));
    Ok(())
}

/// The bundle files of the store, by name (`<id>` for a bundle as
/// received, `pieces/<hex>` for a rewritten one).
fn bundle_files(bundles: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (sub, prefix) in [
        (bundles.to_path_buf(), ""),
        (bundles.join(PIECES_DIR), "pieces/"),
    ] {
        let entries = match fs::read_dir(&sub) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(StoreError::Io {
                    what: "lire le dossier des lots",
                    source: e,
                })
            }
        };
        for entry in entries {
            let entry = entry.map_err(StoreError::io("lire le dossier des lots"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            if let Some(stem) = name.strip_suffix(".age") {
                out.push(format!("{prefix}{stem}"));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_rewritten(name: &str) -> bool {
    name.starts_with("pieces/")
}

impl Store {
    /// The retention of the campaign, in months after the export.
    pub fn retention_months(&self) -> Result<u32> {
        read_retention(&self.dir)
    }

    pub(crate) fn purged_index(&self) -> Result<PurgedIndex> {
        Ok(self
            .db
            .get(&self.secrets.keys, T::Meta, PURGED)?
            .unwrap_or_default())
    }

    /// The purged dossiers.
    pub fn purged_dossiers(&self) -> Result<Vec<PurgedDossier>> {
        Ok(self
            .purged_index()?
            .dossiers
            .iter()
            .map(PurgedDossier::from)
            .collect())
    }

    /// The purged dossier `id`, if it was purged.
    pub fn purged_dossier(&self, id: &str) -> Result<Option<PurgedDossier>> {
        Ok(self
            .purged_index()?
            .dossiers
            .iter()
            .find(|r| r.id == id)
            .map(PurgedDossier::from))
    }

    /// The request rows of the purged dossiers (for `export --encore`).
    pub(crate) fn purged_request_rows(&self) -> Result<Vec<RequestRow>> {
        Ok(self
            .purged_index()?
            .dossiers
            .iter()
            .map(PurgedRow::request_row)
            .collect())
    }

    /// The dossiers whose retention has ended at `now` (`avis purge
    /// --simulation` lists them; nothing is changed).
    /// The inbox lines: the legacy single record, or one record per request.
    fn inbox_lines(&self) -> Result<Vec<SummaryRow>> {
        let keys = &self.secrets.keys;
        if let Some(inbox) = self.db.get::<InboxLines>(keys, T::Summaries, INBOX)? {
            return Ok(inbox.lines);
        }
        self.db
            .scan::<SummaryRow>(keys, T::Summaries, &[INBOX])
            .map(|r| r.map(|(_, line)| line))
            .collect()
    }

    pub fn purge_due(&self, now: DateTime<Utc>) -> Result<Vec<DueDossier>> {
        let months = self.retention_months()?;
        let keys = &self.secrets.keys;
        let lines = self.inbox_lines()?;
        let mut due = Vec::new();
        for line in &lines {
            let Some(status) = self.db.get::<StatusRow>(keys, T::Statuses, &line.id)? else {
                continue;
            };
            let (Status::Exporte, Some(exported_at)) = (status.status, status.exported_at) else {
                continue;
            };
            let Some(end) = retention_end(exported_at, months) else {
                continue;
            };
            if end <= now {
                let documents = self.request_row(&line.id)?.parse()?.documents.len();
                due.push(DueDossier {
                    id: line.id.clone(),
                    exported_at,
                    due_since: end,
                    documents,
                });
            }
        }
        due.sort_by(|a, b| (a.due_since, &a.id).cmp(&(b.due_since, &b.id)));
        Ok(due)
    }

    /// Purges every dossier whose retention has ended at `now` (see the
    /// module's documentation); also finishes a purge a crash interrupted.
    /// `progress` counts the bundle files rewritten.
    pub fn purge(
        &mut self,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<PurgeReport> {
        let keys = &self.secrets.keys;
        let state: PurgeState = self.db.get(keys, T::Meta, STATE)?.unwrap_or_default();
        let due = self.purge_due(now)?;
        if due.is_empty() && !state.pending {
            return Ok(PurgeReport::default());
        }
        let purged_ids: BTreeSet<String> = due.iter().map(|d| d.id.clone()).collect();
        let mut report = PurgeReport {
            purged: purged_ids.iter().cloned().collect(),
            ..PurgeReport::default()
        };

        // Who needs which pièce once these dossiers are gone.
        let rows: Vec<RequestRow> = self.db.all(keys, T::Requests)?;
        let mut live_docs: BTreeSet<String> = BTreeSet::new();
        let mut purged_docs: BTreeSet<String> = BTreeSet::new();
        let mut purged_rows = Vec::new();
        for row in rows {
            let request = row.parse()?;
            let docs = request
                .documents
                .iter()
                .map(|d| d.sha256.to_ascii_lowercase());
            if purged_ids.contains(&row.id) {
                purged_docs.extend(docs);
                purged_rows.push((row, request));
            } else {
                live_docs.extend(docs);
            }
        }
        let mut located: BTreeMap<String, DocRow> = BTreeMap::new();
        for sha in &live_docs {
            if let Some(row) = self.db.get::<DocRow>(keys, T::Documents, sha)? {
                located.insert(sha.clone(), row);
            }
        }
        let mut purged_files: HashSet<String> = HashSet::new();
        for sha in purged_docs.difference(&live_docs) {
            if let Some(row) = self.db.get::<DocRow>(keys, T::Documents, sha)? {
                purged_files.insert(row.bundle_id);
            }
        }

        // Bundle files to rewrite: every bundle as received (it may hold
        // a purged request, in any of its versions) and every rewritten
        // one holding a purged pièce.
        let bundles = self.dir.join("bundles");
        let files = bundle_files(&bundles)?;
        let to_rewrite: Vec<&String> = if purged_ids.is_empty() {
            Vec::new()
        } else {
            files
                .iter()
                .filter(|f| !is_rewritten(f) || purged_files.contains(*f))
                .collect()
        };
        let mut batch = Batch::default();
        let total = to_rewrite.len() as u64;
        for (n, file) in to_rewrite.iter().enumerate() {
            let keep: Vec<(&String, &DocRow)> = located
                .iter()
                .filter(|(_, row)| &row.bundle_id == *file)
                .collect();
            if !keep.is_empty() {
                let moved = self.rewrite_bundle_file(&bundles, file, &keep)?;
                for (sha, row) in moved {
                    batch.put(keys, T::Documents, &sha, &row);
                    located.insert(sha, row);
                }
                report.files_written += 1;
            }
            progress(Progress {
                done: n as u64 + 1,
                total,
            });
        }

        // One transaction: the removals, what stays, the journal.
        let live_doc_keys: HashSet<Vec<u8>> = live_docs
            .iter()
            .map(|sha| keys.record_key(T::Documents.name(), sha).to_vec())
            .collect();
        for key in self.db.keys_of(T::Documents)? {
            if !live_doc_keys.contains(&key) {
                batch.remove_key(T::Documents, key);
            }
        }
        let mut index = self.purged_index()?;
        for (row, request) in &purged_rows {
            let id = &row.id;
            let status: Option<StatusRow> = self.db.get(keys, T::Statuses, id)?;
            batch.remove_key(
                T::Requests,
                keys.record_key(T::Requests.name(), id).to_vec(),
            );
            batch.remove_key(T::Alerts, keys.record_key(T::Alerts.name(), id).to_vec());
            if let Some(draft) = self.db.get::<Draft>(keys, T::Drafts, id)? {
                let kept = Draft {
                    private_notes: String::new(),
                    ..draft
                };
                batch.put(keys, T::Drafts, id, &kept);
                // `put` on drafts also writes a generation mark: drop it.
                batch.remove_key(T::Alerts, keys.record_key(T::Alerts.name(), id).to_vec());
            }
            index.dossiers.push(PurgedRow {
                id: id.clone(),
                diploma: request.exam.diploma.clone(),
                session: request.exam.session.clone(),
                received_at: request.received_at,
                late: request.late,
                requested: request
                    .requested_measures
                    .iter()
                    .map(|m| m.code.clone())
                    .collect(),
                sha256: row.sha256.clone(),
                bundle_id: row.bundle_id.clone(),
                issuer_name: row.issuer_name.clone(),
                issuer_signing_key: row.issuer_signing_key.clone(),
                versions: row.versions.clone(),
                exported_at: status.and_then(|s| s.exported_at),
                purged_at: now,
            });
            batch.event(
                "purge",
                Some(id),
                "dossier purgé après le délai de conservation : pièces et contenu de la demande supprimés, avis exporté conservé",
            );
        }
        if !purged_rows.is_empty() {
            match self.db.get::<InboxLines>(keys, T::Summaries, INBOX)? {
                // A store whose inbox is still the legacy single record.
                Some(mut inbox) => {
                    inbox.lines.retain(|l| !purged_ids.contains(&l.id));
                    batch.put(keys, T::Summaries, INBOX, &inbox);
                }
                None => {
                    for id in &purged_ids {
                        batch.remove_key(
                            T::Summaries,
                            keys.record_key(T::Summaries.name(), id).to_vec(),
                        );
                    }
                }
            }
            batch.put(keys, T::Meta, PURGED, &index);
        }
        batch.put(keys, T::Meta, STATE, &PurgeState { pending: true });
        self.db.write(keys, &batch, "purge")?;

        // Files no pièce points to any more.
        let referenced: HashSet<&String> = located.values().map(|r| &r.bundle_id).collect();
        for file in bundle_files(&bundles)? {
            if !referenced.contains(&file) {
                let path = bundles.join(format!("{file}.age"));
                fs::remove_file(&path).map_err(StoreError::io("supprimer un lot purgé"))?;
                report.files_removed += 1;
            }
        }
        fsutil::sync_dir(&bundles).map_err(StoreError::io("supprimer un lot purgé"))?;
        fsutil::test_point("purge:files");

        self.rewrite_database()?;
        let mut batch = Batch::default();
        batch.put(
            &self.secrets.keys,
            T::Meta,
            STATE,
            &PurgeState { pending: false },
        );
        self.db.write(&self.secrets.keys, &batch, "purge")?;
        Ok(report)
    }

    /// Writes the pièces `keep` of bundle file `file` into a new file of
    /// `bundles/pieces/`; returns their new locations.
    fn rewrite_bundle_file(
        &self,
        bundles: &Path,
        file: &str,
        keep: &[(&String, &DocRow)],
    ) -> Result<Vec<(String, DocRow)>> {
        let pieces = bundles.join(PIECES_DIR);
        fsutil::private_dir(&pieces).map_err(StoreError::io("réécrire un lot"))?;
        let source = File::open(bundles.join(format!("{file}.age")))
            .map_err(StoreError::io("lire un lot du magasin"))?;
        let decryptor = age::Decryptor::new(BufReader::new(source))
            .map_err(|_| StoreError::Corrupt("lot enregistré illisible"))?;
        let mut reader = decryptor
            .decrypt(iter::once(&self.secrets.identity as &dyn age::Identity))
            .map_err(|_| StoreError::Corrupt("lot enregistré indéchiffrable"))?;
        let name = hex::encode(&super::crypto::random_key()[..16]);
        let tmp = tempfile::Builder::new()
            .prefix(".avis-tmp-")
            .tempfile_in(&pieces)
            .map_err(StoreError::io("réécrire un lot"))?;
        let me = self.secrets.identity.to_public();
        let encryptor = age::Encryptor::with_recipients(iter::once(&me as &dyn age::Recipient))
            .map_err(|_| StoreError::Keys("chiffrement des pièces impossible".into()))?;
        let mut out = encryptor
            .wrap_output(BufWriter::new(tmp))
            .map_err(StoreError::io("réécrire un lot"))?;
        let mut sorted = keep.to_vec();
        sorted.sort_by_key(|(_, row)| row.offset);
        let mut moved = Vec::new();
        let mut offset = 0u64;
        for (sha, row) in sorted {
            reader
                .seek(SeekFrom::Start(row.offset))
                .map_err(|_| StoreError::Corrupt("lot enregistré tronqué"))?;
            let size =
                usize::try_from(row.size).map_err(|_| StoreError::Corrupt("taille de pièce"))?;
            let mut buf = Zeroizing::new(vec![0u8; size]);
            reader
                .read_exact(&mut buf)
                .map_err(|_| StoreError::Corrupt("lot enregistré tronqué"))?;
            if hex::encode(Sha256::digest(&buf[..])) != **sha {
                return Err(StoreError::Corrupt("pièce altérée"));
            }
            out.write_all(&buf)
                .map_err(StoreError::io("réécrire un lot"))?;
            moved.push((
                sha.to_string(),
                DocRow {
                    bundle_id: format!("{PIECES_DIR}/{name}"),
                    offset,
                    size: row.size,
                },
            ));
            offset += row.size;
        }
        let w = out.finish().map_err(StoreError::io("réécrire un lot"))?;
        let tmp = w.into_inner().map_err(|e| StoreError::Io {
            what: "réécrire un lot",
            source: e.into_error(),
        })?;
        tmp.as_file()
            .sync_all()
            .map_err(StoreError::io("réécrire un lot"))?;
        tmp.persist(pieces.join(format!("{name}.age")))
            .map_err(|e| StoreError::Io {
                what: "réécrire un lot",
                source: e.error,
            })?;
        fsutil::sync_dir(&pieces).map_err(StoreError::io("réécrire un lot"))?;
        Ok(moved)
    }

    /// Copies the database into a new one holding only the live records,
    /// then puts it in place of the old one (whose files are deleted).
    fn rewrite_database(&mut self) -> Result<()> {
        let dir = self.dir.clone();
        let compact = dir.join(COMPACT_DIR);
        if compact.exists() {
            fs::remove_dir_all(&compact).map_err(StoreError::io("réécrire la base du magasin"))?;
        }
        self.db.flush()?;
        copy_database(self.db.sled(), &compact)?;
        fsutil::test_point("purge:copied");
        fsutil::create_private(&dir.join(COMPACT_READY))
            .and_then(|f| f.sync_all())
            .and_then(|_| fsutil::sync_dir(&dir))
            .map_err(StoreError::io("réécrire la base du magasin"))?;
        // Close the old database: a throw-away one stands in meanwhile.
        let stand_in_dir = tempfile::Builder::new()
            .prefix(".avis-tmp-")
            .tempdir_in(&dir)
            .map_err(StoreError::io("réécrire la base du magasin"))?;
        let stand_in = db::Db::open(stand_in_dir.path())?;
        drop(std::mem::replace(&mut self.db, stand_in));
        wait_released(&dir.join("db").join("db"));
        fsutil::test_point("purge:closed");
        let swapped = recover(&dir);
        let reopened = db::Db::open(&dir.join("db"))?;
        drop(std::mem::replace(&mut self.db, reopened));
        swapped?;
        fsutil::tighten(&dir).map_err(StoreError::io("protéger les fichiers du magasin"))?;
        Ok(())
    }
}

/// Whether `needle` occurs in some file under `dir` (the tests' proof that
/// purged bytes are gone).
#[cfg(test)]
pub(crate) fn found_on_disk(dir: &Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, needle: &[u8], out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, needle, out);
            } else if let Ok(bytes) = fs::read(&path) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    out.push(path);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, needle, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Decision, MeasureOpinion, Opinion, Outcome, Validity, ValidityKind};
    use crate::store::{ExportOptions, ImportOptions, StoreOptions};

    fn read(path: &str) -> String {
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
    }

    /// The demo store with one avis exported, its draft holding a note.
    fn exported_demo(tmp: &Path, id: &str) -> Store {
        let store = Store::init_with_keys(
            &tmp.join("s"),
            &"démonstration".to_string().into(),
            "Dr Test",
            None,
            &read("keys/demo-doctor.agekey"),
            &read("keys/demo-doctor.minisign.key"),
            &StoreOptions {
                kdf_log_n: Some(10),
            },
        )
        .unwrap();
        store
            .trust_add(&read("keys/demo-rectorat.minisign.pub"), "Rectorat (démo)")
            .unwrap();
        store
            .import(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo.avis"),
                &ImportOptions::default(),
                &mut |_| {},
            )
            .unwrap();
        let request = store.request(id).unwrap().request;
        let opinion = Opinion {
            request_id: id.into(),
            request_version: request.version,
            request_sha256: None,
            outcome: Outcome::Favorable,
            measures: request
                .requested_measures
                .iter()
                .map(|m| MeasureOpinion {
                    code: m.code.clone(),
                    decision: Decision::Accorde,
                    granted: None,
                    detail: m.detail.clone(),
                    epreuves: Default::default(),
                    motivation: None,
                })
                .collect(),
            missing_documents: vec![],
            motivation: "Besoins constatés.".into(),
            validity: Validity {
                kind: ValidityKind::Session,
                until_session: request.exam.session.clone(),
            },
            doctor: None,
            decided_at: None,
            overrides: Vec::new(),
        };
        store
            .save_draft(
                id,
                &Draft {
                    opinion,
                    private_notes: "note privée du médecin".into(),
                    overrides: vec![],
                    written_against_older_version: false,
                    paper_documents: Vec::new(),
                },
            )
            .unwrap();
        store
            .validate(id, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())
            .unwrap();
        store
            .export(
                &tmp.join("out.avis"),
                &ExportOptions::default(),
                &mut |_| {},
            )
            .unwrap();
        store
    }

    #[test]
    fn purged_sealed_records_are_gone_from_the_database_files() {
        let tmp = tempfile::tempdir().unwrap();
        let id = "AMX-2027-000001";
        let mut store = exported_demo(tmp.path(), id);
        let keys = &store.secrets.keys;
        let sealed: Vec<Vec<u8>> = [T::Requests, T::Drafts]
            .iter()
            .map(|t| store.db.get_raw(keys, *t, id).unwrap().unwrap().to_vec())
            .collect();
        let db_dir = store.dir.join("db");
        for s in &sealed {
            // The control: sled wrote the sealed record into its files.
            assert!(!found_on_disk(&db_dir, s).is_empty());
        }
        let later = Utc::now().checked_add_months(Months::new(13)).unwrap();
        let report = store.purge(later, &mut |_| {}).unwrap();
        assert_eq!(report.purged, vec![id.to_string()]);
        for s in &sealed {
            assert!(
                found_on_disk(&store.dir, s).is_empty(),
                "enregistrement scellé resté sur le disque"
            );
        }
        let keys = &store.secrets.keys;
        assert!(store.db.get_raw(keys, T::Requests, id).unwrap().is_none());
        assert!(store.draft(id).unwrap().unwrap().private_notes.is_empty());
        // The journal still verifies and the store still writes.
        assert!(store.journal_verify().unwrap() > 0);
        store
            .apply_opinion(&store.draft(id).unwrap().unwrap().opinion)
            .unwrap_err();
        assert!(store.purge(later, &mut |_| {}).unwrap().purged.is_empty());
    }

    #[test]
    fn retention_ends_months_after_the_export() {
        let t = DateTime::parse_from_rfc3339("2026-01-31T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let end = retention_end(t, 1).unwrap();
        assert_eq!(end.to_rfc3339(), "2026-02-28T10:00:00+00:00");
        assert_eq!(
            retention_end(t, 12).unwrap().to_rfc3339(),
            "2027-01-31T10:00:00+00:00"
        );
    }

    #[test]
    fn retention_setting_is_read_and_checked() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(read_retention(tmp.path()).unwrap(), 12);
        fs::write(
            tmp.path().join("settings.json"),
            r#"{"retention_months": 6}"#,
        )
        .unwrap();
        assert_eq!(read_retention(tmp.path()).unwrap(), 6);
        fs::write(
            tmp.path().join("settings.json"),
            r#"{"retention_months": 0}"#,
        )
        .unwrap();
        assert!(matches!(
            read_retention(tmp.path()),
            Err(StoreError::Settings(_))
        ));
        fs::write(
            tmp.path().join("settings.json"),
            r#"{"retention_months": "x"}"#,
        )
        .unwrap();
        assert!(read_retention(tmp.path()).is_err());
    }

    #[test]
    fn recovery_finishes_a_swap_or_drops_an_incomplete_copy() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::create_dir_all(dir.join("db")).unwrap();
        fs::write(dir.join("db/x"), b"old").unwrap();
        // An incomplete copy is dropped, the database untouched.
        fs::create_dir_all(dir.join(COMPACT_DIR)).unwrap();
        recover(dir).unwrap();
        assert!(!dir.join(COMPACT_DIR).exists());
        assert_eq!(fs::read(dir.join("db/x")).unwrap(), b"old");
        // A complete copy replaces it, even after a crash between renames.
        fs::create_dir_all(dir.join(COMPACT_DIR)).unwrap();
        fs::write(dir.join(COMPACT_DIR).join("x"), b"new").unwrap();
        fs::write(dir.join(COMPACT_READY), b"").unwrap();
        fs::rename(dir.join("db"), dir.join(OLD_DIR)).unwrap();
        recover(dir).unwrap();
        assert_eq!(fs::read(dir.join("db/x")).unwrap(), b"new");
        assert!(!dir.join(OLD_DIR).exists() && !dir.join(COMPACT_READY).exists());
    }
}
