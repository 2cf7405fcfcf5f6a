//! The doctor's encrypted local store on sled: profile and keys (under the
//! passphrase), sealed records, requests, documents, drafts, journal,
//! transactional import and export.
//!
//! Layout of a store directory (0700, every file 0600):
//! - `profile.json`: format version, the doctor's name and RPPS, public keys
//!   (nothing medical);
//! - `identity.age`: the doctor's age identity file, encrypted with the
//!   passphrase exactly as `age -p` does it (`age -d identity.age` opens it);
//! - `signing.key.age`: the doctor's minisign secret key file (without
//!   password, as `minisign -G -W` writes it), age-encrypted to the doctor's
//!   own recipient;
//! - `datakey.age`: the random 32-byte data key, age-encrypted likewise;
//! - `db/`: sled (page cache bounded to 8 MiB); every value sealed with XChaCha20-Poly1305 under a subkey
//!   of the data key, with the tree name and record key as associated data;
//!   record keys are keyed hashes (no identifiers in clear);
//! - `bundles/<bundle_id>.age`: the imported assignment bundles as received
//!   (binary age), which are the encrypted document store;
//! - `bundles/pieces/<hex>.age`: after a retention purge (`purge`), the
//!   pièces still needed, rewritten out of the bundles as received (age to
//!   the doctor);
//! - `settings.json` (optional): campaign settings of the checks;
//! - `store.lock`: held while a program uses the store;
//! - `unlock-failures` (only after a wrong passphrase): a plain counter,
//!   journalled and removed at the next successful unlock.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::domain::{DiplomaCode, Doctor, MeasureCode, Procedure, Request, Status, TroubleCode};

mod backup;
pub(crate) mod crypto;
mod db;
mod export;
pub(crate) mod fsutil;
mod import;
mod journal;
pub(crate) mod keys;
mod opinions;
mod paper;
mod purge;
mod recovery;
mod stage;

pub use backup::{BackupSummary, RestoreSummary};
pub use export::export_file_name;
pub use journal::event_kind_label;
pub use keys::fingerprint;
pub use opinions::{parse_pub_file, ReviewChanges};
pub use purge::{
    retention_end, DueDossier, PurgeReport, PurgedDossier, DEFAULT_RETENTION_MONTHS, RETENTION_KEY,
};

/// Store errors, with French messages (what went wrong, what to do).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("aucun magasin dans {0} : créez-le avec « avis init --name \"Dr …\" », ou indiquez le bon dossier avec --store")]
    NotInitialized(PathBuf),
    #[error("un magasin existe déjà dans {0} : rien n'a été modifié ; utilisez-le, ou choisissez un autre dossier avec --store")]
    AlreadyInitialized(PathBuf),
    #[error("phrase de passe incorrecte : rien n'a été modifié ; vérifiez-la (majuscules, disposition du clavier) et recommencez")]
    WrongPassphrase,
    #[error("Le magasin est déjà ouvert par un autre programme avis (interface ou commande). Dans l'interface, tout se fait aussi : i importer un lot, e exporter, S sauvegarder, K clés du rectorat ; sinon fermez-la (q) puis recommencez.")]
    Busy,
    #[error("{}", io_message(what, source))]
    Io {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", db_message(.0))]
    Db(#[from] sled::Error),
    #[error("le magasin est endommagé ({0}) : conservez ce dossier tel quel et restaurez votre sauvegarde dans un nouveau dossier (« avis restaurer FICHIER --store NOUVEAU_DOSSIER »)")]
    Corrupt(&'static str),
    #[error("impossible de préparer un enregistrement ({0}) : rien n'a été enregistré ; relancez avis et, si cela se reproduit, signalez-le")]
    Encode(&'static str),
    #[error("clés du médecin inutilisables : {0}")]
    Keys(String),
    #[error("clé publique minisign illisible : {0} ; demandez au rectorat son fichier .pub")]
    BadPublicKey(String),
    #[error("{}", bundle_message(.0))]
    Bundle(#[from] crate::bundle::BundleError),
    #[error("lot refusé comme rejeu : sa séquence {sequence} n'est pas supérieure à la dernière importée de cet émetteur ({last}) ; si vous voulez vraiment l'importer, ajoutez --accepter-ancien")]
    Replay { sequence: u64, last: u64 },
    #[error(
        "lot refusé, rien n'a été importé : la demande {0} est illisible ; signalez-le au rectorat"
    )]
    BadRequest(String),
    #[error("lot refusé, rien n'a été importé : la demande {0} cite une pièce qui n'est ni dans ce lot ni dans un lot déjà importé ; signalez-le au rectorat")]
    PhantomDocument(String),
    #[error("lot refusé, rien n'a été importé : la demande {id} arrive en version {version}, déjà reçue avec un contenu différent (une demande modifiée doit porter une nouvelle version) ; signalez-le au rectorat")]
    SameVersionChanged { id: String, version: u32 },
    #[error("aucune demande {0} dans le magasin : vérifiez l'identifiant avec « avis list »")]
    UnknownRequest(String),
    #[error("la demande {0} n'a pas encore d'avis : rédigez-le d'abord (« avis opinion apply » ou l'interface)")]
    NoDraft(String),
    #[error("avis {id} incomplet : {}", .problems.join(" ; "))]
    Incomplete { id: String, problems: Vec<String> },
    #[error("avis {id} non validé, à corriger : {} (un contrôle qui le permet peut aussi être levé avec un motif écrit, voir « avis show »)", .rules.join(" "))]
    Blocked {
        id: String,
        /// The French messages of the blocking findings (no rule id).
        rules: Vec<String>,
    },
    #[error("l'avis {0} a été rédigé sur une version antérieure de la demande : relisez-le et enregistrez-le sur la version actuelle avant de le valider")]
    WrittenAgainstOlderVersion(String),
    #[error("avis {id} refusé : {why}")]
    OpinionMismatch { id: String, why: String },
    #[error("aucun avis validé à exporter : validez d'abord des avis (« avis opinion validate »), ou utilisez --encore pour renvoyer un avis déjà exporté")]
    NothingToExport,
    #[error("le fichier {} existe déjà : il n'a pas été remplacé et rien n'a été exporté ; choisissez un autre nom ou un autre dossier (en ligne de commande, --remplacer le remplace)", crate::text::sanitize(&.0.to_string_lossy()))]
    ExportFileExists(PathBuf),
    #[error("l'avis {0} n'est ni validé ni exporté : validez-le avant de l'exporter")]
    NotValidated(String),
    #[error("journal altéré à l'événement {seq} : {why} ; conservez le dossier du magasin tel quel et signalez-le")]
    JournalBroken { seq: u64, why: &'static str },
    #[error("pièce {0} absente du magasin : réimportez le lot qui la contient")]
    DocumentMissing(String),
    #[error(
        "réglages de campagne illisibles (settings.json) : {0} ; corrigez ou supprimez ce fichier"
    )]
    Settings(String),
    #[error("le dossier {0} n'est pas vide : rien n'a été restauré ; indiquez avec --store un dossier neuf ou vide (la restauration ne remplace jamais un magasin existant)")]
    RestoreTargetNotEmpty(PathBuf),
    #[error("ce fichier n'est pas une sauvegarde avis lisible ({0}) : rien n'a été restauré ; vérifiez que vous avez choisi le bon fichier (celui écrit par « avis sauvegarde »)")]
    NotABackup(&'static str),
    #[error("la sauvegarde doit être écrite hors du dossier du magasin : choisissez un autre emplacement (clé USB, disque externe)")]
    BackupInsideStore,
    #[error("la nouvelle phrase de passe est identique à l'actuelle : rien n'a été modifié ; choisissez-en une autre")]
    SamePassphrase,
    #[error("ce magasin a été créé par une version plus récente d'avis (format {found}, cette version lit jusqu'au format {supported}) : rien n'a été modifié ; mettez avis à jour pour l'ouvrir")]
    NewerFormat { found: u32, supported: u32 },
    #[error("le magasin est en lecture seule (dossier ou disque protégé en écriture) : il peut être consulté (« avis list », « avis show ») mais rien n'y a été modifié ; ouvrez-le depuis un emplacement modifiable pour travailler")]
    ReadOnly,
}

/// The message of a full disk, whatever was being written.
pub const DISK_FULL_MESSAGE: &str =
    "Le disque est plein : libérez de l'espace puis recommencez. Rien n'a été modifié.";

fn io_message(what: &str, source: &std::io::Error) -> String {
    if fsutil::is_storage_full(source) {
        DISK_FULL_MESSAGE.to_string()
    } else {
        format!("impossible de {what} : {source}")
    }
}

fn db_message(e: &sled::Error) -> String {
    match e {
        sled::Error::Io(io) if fsutil::is_storage_full(io) => DISK_FULL_MESSAGE.to_string(),
        sled::Error::Corruption { .. } => "le magasin est endommagé (base de données illisible) : conservez ce dossier tel quel et restaurez votre sauvegarde dans un nouveau dossier (« avis restaurer FICHIER --store NOUVEAU_DOSSIER »)".to_string(),
        _ => format!("erreur de la base du magasin : {e} ; fermez les autres programmes avis et recommencez, ou restaurez votre sauvegarde (« avis restaurer »)"),
    }
}

fn bundle_message(e: &crate::bundle::BundleError) -> String {
    if fsutil::is_storage_full(e) {
        DISK_FULL_MESSAGE.to_string()
    } else {
        format!("lot refusé, rien n'a été importé : {e}")
    }
}

/// Result alias of the store.
pub type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    pub(crate) fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
        move |source| StoreError::Io { what, source }
    }
}

/// Options fixed when a store is created or opened.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// A low scrypt work factor (log2 N) for test stores: honoured only in a
    /// build with test hooks ([`crate::testhooks`]); elsewhere every
    /// passphrase wrap uses the project's fixed factor (2^18, as the age CLI).
    pub kdf_log_n: Option<u8>,
}

/// The doctor's public keys (`avis keys show`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicKeys {
    pub age_recipient: String,
    pub signing_key: String,
    pub signing_key_file: String,
}

/// A rectorat signing key the doctor trusts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrustedSigner {
    pub name: String,
    pub signing_key: String,
    /// Short fingerprint to read over the phone.
    pub fingerprint: String,
    pub added_at: DateTime<Utc>,
}

/// Import options.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Accept a bundle whose sequence is not above the last one (`--accepter-ancien`).
    pub accept_older: bool,
    /// The review day on which the import counts the alerts of the requests
    /// it adds, for the inbox (`--date`; default: the local date).
    pub today: Option<chrono::NaiveDate>,
}

/// Progress of a long operation, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    Imported {
        bundle_id: String,
        requests: usize,
        documents: usize,
        /// Requests that replaced an older version.
        updated: usize,
        /// Requests received again as they were.
        unchanged: usize,
        /// Updated requests whose draft was kept and marked « à revoir ».
        to_review: usize,
    },
    AlreadyImported {
        bundle_id: String,
    },
}

/// Records looked up one by one so far in this process (builds with test
/// hooks only): the scale tests count the work of a listing with it.
#[cfg(any(test, feature = "test-hooks"))]
pub fn point_reads() -> u64 {
    db::POINT_READS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Evaluations of the checks made for the inbox's alert counts so far in
/// this process (builds with test hooks only): the scale tests check which
/// requests a listing checks again.
#[cfg(any(test, feature = "test-hooks"))]
pub fn alert_evaluations() -> u64 {
    opinions::COUNT_EVALUATIONS.load(std::sync::atomic::Ordering::Relaxed)
}

/// One line of the inbox (`avis list`).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSummary {
    pub id: String,
    /// "NOM Prénom".
    pub candidate: String,
    pub diploma: DiplomaCode,
    pub session: String,
    pub procedure: Procedure,
    pub late: bool,
    pub received_at: NaiveDate,
    pub status: Status,
    /// Checks that fire and are not `info`.
    pub alerts: usize,
    /// Only in the early lines of [`Store::summaries_then`]: `alerts` is
    /// the last count known (or 0), being recomputed.
    pub alerts_pending: bool,
    pub troubles: Vec<TroubleCode>,
    pub measures: Vec<MeasureCode>,
    /// "À revoir": a newer version came after the draft was written, and
    /// what changed.
    pub review: Option<ReviewChanges>,
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    pub request: Request,
    /// SHA-256 (hex) of the exact bytes received.
    pub sha256: String,
    /// Bundle it came in, and the issuer's name.
    pub bundle_id: String,
    pub issuer_name: String,
    /// Versions received so far, oldest first.
    pub versions: Vec<u32>,
}

/// One journal event (no medical content).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JournalEvent {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// `import`, `edit`, `validate`, `unvalidate`, `override`, `export`, `unlock_failed`…
    pub kind: String,
    pub request_id: Option<String>,
    /// French, short, never medical.
    pub detail: String,
}

/// Export options.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Export these again even if already exported (`--encore`).
    pub again: Vec<String>,
    /// Replace an existing file of the same name (`--remplacer`); without
    /// it an existing file is never touched and the export refused.
    pub replace: bool,
}

/// One written opinions bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedFile {
    pub path: std::path::PathBuf,
    pub issuer_name: String,
    pub opinions: usize,
}

/// An unlocked store. Dropping it closes the database, forgets the keys and
/// releases the lock; it can be moved to a worker thread.
pub struct Store {
    dir: PathBuf,
    db: db::Db,
    secrets: keys::Secrets,
    profile: keys::Profile,
    settings: crate::domain::checks::CampaignSettings,
    _lock: Option<fsutil::StoreLock>,
    /// For a read-only store: the private copy of its database in use.
    _copy: Option<tempfile::TempDir>,
}

/// Raw database counter of the wrong passphrases since the last unlock.
const FAILED_UNLOCKS: &str = "unlock_failures";

/// How long an unlock waits after `failures` wrong passphrases in a row:
/// nothing for the first three, then 2 s, 4 s, 8 s… up to one minute.
pub fn unlock_delay(failures: u64) -> std::time::Duration {
    let secs = match failures {
        0..=2 => 0,
        n => 1u64 << (n - 2).min(6),
    };
    std::time::Duration::from_secs(secs.min(60))
}

impl Store {
    /// Creates the store and the doctor's keys under `passphrase`.
    pub fn init(
        dir: &Path,
        passphrase: &SecretString,
        name: &str,
        rpps: Option<&str>,
        options: &StoreOptions,
    ) -> Result<Store> {
        let material = keys::KeyMaterial::generate()?;
        keys::create(dir, passphrase, name, rpps, material, options)?;
        Store::open(dir, passphrase, options)
    }

    /// Creates a store with given keys (the demo's throw-away store):
    /// `identity_file_text` is an age identity file (`AGE-SECRET-KEY-1…`),
    /// `minisign_secret_key_text` an unencrypted minisign secret key file.
    pub fn init_with_keys(
        dir: &Path,
        passphrase: &SecretString,
        name: &str,
        rpps: Option<&str>,
        identity_file_text: &str,
        minisign_secret_key_text: &str,
        options: &StoreOptions,
    ) -> Result<Store> {
        let material = keys::KeyMaterial::from_texts(identity_file_text, minisign_secret_key_text)?;
        keys::create(dir, passphrase, name, rpps, material, options)?;
        Store::open(dir, passphrase, options)
    }

    /// Whether `dir` holds a store (its profile exists).
    pub fn exists(dir: &Path) -> bool {
        dir.join(keys::PROFILE_FILE).is_file()
    }

    /// Unlocks an existing store. After three wrong passphrases in a row,
    /// each attempt waits first ([`unlock_delay`]; the counter is kept in
    /// the database, where deleting a file cannot reset it). A store on a
    /// read-only disk or folder opens on a private copy of its database:
    /// it can be listed and shown, and every change is refused
    /// ([`StoreError::ReadOnly`]).
    pub fn open(dir: &Path, passphrase: &SecretString, _options: &StoreOptions) -> Result<Store> {
        if !Store::exists(dir) {
            return Err(StoreError::NotInitialized(dir.to_path_buf()));
        }
        fsutil::private_umask();
        let profile = keys::read_profile(dir)?;
        let (lock, copy) = match fsutil::try_lock(dir) {
            Ok(Some(lock)) => (Some(lock), None),
            Ok(None) => return Err(StoreError::Busy),
            Err(e) if fsutil::is_read_only(&e) => {
                let lock = fsutil::try_lock_shared(dir)
                    .map_err(StoreError::io("verrouiller le magasin"))?;
                if lock.is_none() && dir.join("store.lock").exists() {
                    return Err(StoreError::Busy);
                }
                let copy = fsutil::copy_for_reading(&dir.join("db"))
                    .map_err(StoreError::io("lire le magasin en lecture seule"))?;
                (lock, Some(copy))
            }
            Err(e) => return Err(StoreError::io("verrouiller le magasin")(e)),
        };
        let db = match &copy {
            Some(copy) => {
                let mut db = db::Db::open(copy.path())?;
                db.set_read_only();
                db
            }
            None => {
                // A purge's database swap interrupted by a crash is finished
                // (or undone) before the database opens.
                purge::recover(dir)?;
                db::Db::open(&dir.join("db"))?
            }
        };
        let failures = db
            .raw_counter(FAILED_UNLOCKS)?
            .saturating_add(keys::legacy_failed_unlocks(dir));
        std::thread::sleep(unlock_delay(failures));
        let secrets = match keys::unlock(dir, passphrase, &profile) {
            Err(StoreError::WrongPassphrase) => {
                // Best effort on a read-only store: the message matters.
                let _ = db.set_raw_counter(FAILED_UNLOCKS, failures.saturating_add(1));
                return Err(StoreError::WrongPassphrase);
            }
            other => other?,
        };
        db.recover_staged(&secrets.keys)?;
        let settings = read_settings(dir)?;
        let read_only = copy.is_some();
        let mut store = Store {
            dir: dir.to_path_buf(),
            db,
            secrets,
            profile,
            settings,
            _lock: lock,
            _copy: copy,
        };
        store.authenticate_profile(read_only)?;
        if !read_only {
            store.sweep_bundles()?;
            store.settle_exports()?;
            store.journal_failed_unlocks(failures)?;
            fsutil::tighten(dir).map_err(StoreError::io("protéger les fichiers du magasin"))?;
            backup::sweep_restore_copies(dir);
        }
        fsutil::test_point("open");
        Ok(store)
    }

    /// Whether this store was opened read-only (list and show only).
    pub fn is_read_only(&self) -> bool {
        self._copy.is_some()
    }

    /// Checks the profile against the database's record of it: a profile
    /// of version 1 (before profiles were authenticated) is sealed now, once;
    /// afterwards an unauthenticated profile is a damaged store.
    fn authenticate_profile(&mut self, read_only: bool) -> Result<()> {
        const SEALED: &str = "profile_sealed";
        let keys = &self.secrets.keys;
        let sealed = self
            .db
            .get::<bool>(keys, db::T::Meta, SEALED)?
            .unwrap_or(false);
        if self.profile.version >= 2 {
            // unlock() checked the MAC.
            if !sealed && !read_only {
                let mut batch = db::Batch::default();
                batch.put(keys, db::T::Meta, SEALED, &true);
                self.db.write(keys, &batch, "profile")?;
            }
            return Ok(());
        }
        if sealed {
            return Err(StoreError::Corrupt("profil modifié"));
        }
        if read_only {
            return Ok(());
        }
        // The sealed profile first, then the mark: a crash in between
        // leaves a sealed profile, marked at the next opening.
        let mut profile = self.profile.clone();
        profile.seal(keys)?;
        keys::write_profile(&self.dir, &profile)?;
        let mut batch = db::Batch::default();
        batch.put(keys, db::T::Meta, SEALED, &true);
        self.db.write(keys, &batch, "profile")?;
        self.profile = profile;
        Ok(())
    }

    /// Closes the store: flushes, forgets the keys, releases the lock.
    pub fn lock(self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The doctor's public keys.
    pub fn public_keys(&self) -> PublicKeys {
        PublicKeys {
            age_recipient: self.profile.age_recipient.clone(),
            signing_key: self.profile.signing_key.clone(),
            signing_key_file: self.profile.signing_key_file.clone(),
        }
    }

    /// The doctor's name and RPPS.
    pub fn doctor(&self) -> Doctor {
        self.profile.doctor.clone()
    }

    /// The campaign settings the checks use (`settings.json`, or defaults).
    pub fn settings(&self) -> &crate::domain::checks::CampaignSettings {
        &self.settings
    }

    /// A document's bytes, decrypted into memory.
    pub fn document(&self, sha256: &str) -> Result<Zeroizing<Vec<u8>>> {
        import::read_document(self, sha256)
    }
}

fn read_settings(dir: &Path) -> Result<crate::domain::checks::CampaignSettings> {
    let path = dir.join("settings.json");
    match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| StoreError::Settings(e.to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
        Err(e) => Err(StoreError::Io {
            what: "lire les réglages de campagne",
            source: e,
        }),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn store_can_move_to_a_worker_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<super::Store>();
    }
}
