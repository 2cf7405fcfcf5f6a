//! The rectorat's workspace, a directory:
//!
//! - `espace.json`: public facts (format, the DIEC's name, its public keys);
//! - `rectorat.pub`: the minisign public key file to give the doctors;
//! - `cles/`: the DIEC's age identity, minisign signing key and data key,
//!   under the passphrase, written and opened by the store's key code
//!   exactly as a doctor's are;
//! - `etat.scelle`: the registry of doctors, their sequences, the ledger of
//!   what was sent to whom and the avis received, one JSON document sealed
//!   (XChaCha20-Poly1305) under the data key, replaced atomically;
//! - `store.lock`: held while a program uses the workspace.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::registry::{check_new, NewDoctor, RegisteredDoctor};
use super::{shown, RectoratError, Result};
use crate::bundle::SigningKey;
use crate::store::{fsutil, keys, StoreOptions};

const MARKER_FILE: &str = "espace.json";
const KEYS_DIR: &str = "cles";
const STATE_FILE: &str = "etat.scelle";
const PUBLIC_KEY_FILE: &str = "rectorat.pub";
const MARKER_FORMAT: &str = "avis-espace-rectorat";
const STATE_SLOT: (&str, &[u8]) = ("rectorat", b"etat v1");

/// `espace.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Marker {
    format: String,
    version: u32,
    name: String,
    age_recipient: String,
    signing_key: String,
    created_at: DateTime<Utc>,
}

/// A request as the ledger remembers it: what the workbook joins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentRequest {
    pub id: String,
    pub version: u32,
    /// SHA-256 of the request bytes sent.
    pub sha256: String,
    /// Index in the registry of the doctor it was last sent to.
    pub doctor: usize,
    /// Doctors it was sent to before (reassignment), oldest first.
    #[serde(default)]
    pub earlier_doctors: Vec<usize>,
    pub bundle_id: String,
    pub sent_at: DateTime<Utc>,
    pub candidate: String,
    pub birth_date: NaiveDate,
    pub diploma: String,
    pub diploma_label: String,
    pub session: String,
    pub uai: String,
    pub establishment: String,
    pub city: String,
    pub received_at: NaiveDate,
}

/// An assignment bundle sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sending {
    pub bundle_id: String,
    pub doctor: usize,
    pub sequence: u64,
    pub sent_at: DateTime<Utc>,
    pub requests: usize,
    pub file: String,
}

/// An opinions bundle received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub bundle_id: String,
    pub doctor: usize,
    pub sequence: u64,
    pub created_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub opinions: usize,
}

/// The current avis of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedAvis {
    pub doctor: usize,
    pub bundle_id: String,
    pub sequence: u64,
    pub exported_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// The opinion JSON exactly as received.
    pub json: String,
    /// The earlier avis this one replaced, when it replaced one:
    /// (bundle_id, exported_at).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced: Option<(String, DateTime<Utc>)>,
}

/// Everything the workspace keeps, sealed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct State {
    pub doctors: Vec<RegisteredDoctor>,
    pub requests: BTreeMap<String, SentRequest>,
    pub sendings: Vec<Sending>,
    pub receipts: Vec<Receipt>,
    pub avis: BTreeMap<String, ReceivedAvis>,
    /// SHA-256 of the workbook files last written, by path.
    #[serde(default)]
    pub workbook_hashes: BTreeMap<String, String>,
}

/// An open workspace: keys unlocked, state in memory, lock held.
pub struct Workspace {
    dir: PathBuf,
    marker: Marker,
    secrets: keys::Secrets,
    pub(crate) state: State,
    _lock: fsutil::StoreLock,
}

/// What `envoyer` did.
#[derive(Debug, Clone, PartialEq)]
pub struct SendSummary {
    /// Per bundle: doctor label, sequence, requests, file written.
    pub bundles: Vec<(String, u64, usize, PathBuf)>,
    pub documents: usize,
}

impl Workspace {
    /// Whether `dir` holds a workspace.
    pub fn exists(dir: &Path) -> bool {
        dir.join(MARKER_FILE).is_file()
    }

    /// Creates a workspace in `dir` (new or empty) for the DIEC `name`.
    pub fn create(
        dir: &Path,
        passphrase: &SecretString,
        name: &str,
        options: &StoreOptions,
    ) -> Result<Workspace> {
        let name = name.trim();
        if name.is_empty() {
            return Err(RectoratError::Refused(
                "nom du rectorat vide : indiquez-le avec --nom \"Rectorat de … - DIEC\"".into(),
            ));
        }
        if dir.exists() {
            let empty = dir.is_dir()
                && fs::read_dir(dir)
                    .map_err(RectoratError::io("lire le dossier de l'espace"))?
                    .next()
                    .is_none();
            if !empty {
                return Err(RectoratError::NotEmpty(shown(dir)));
            }
        }
        fsutil::private_umask();
        fsutil::private_dir(dir).map_err(RectoratError::io("créer le dossier de l'espace"))?;
        let lock = fsutil::try_lock(dir)
            .map_err(RectoratError::io("verrouiller l'espace"))?
            .ok_or(RectoratError::Busy)?;
        let key_dir = dir.join(KEYS_DIR);
        keys::create(
            &key_dir,
            passphrase,
            name,
            None,
            keys::KeyMaterial::generate()?,
            options,
        )?;
        let profile = keys::read_profile(&key_dir)?;
        let secrets = keys::unlock(&key_dir, passphrase, &profile)?;
        let marker = Marker {
            format: MARKER_FORMAT.into(),
            version: 1,
            name: name.to_owned(),
            age_recipient: profile.age_recipient.clone(),
            signing_key: profile.signing_key.clone(),
            created_at: Utc::now(),
        };
        let mut workspace = Workspace {
            dir: dir.to_path_buf(),
            marker,
            secrets,
            state: State::default(),
            _lock: lock,
        };
        workspace.save()?;
        fsutil::write_atomic(
            &dir.join(PUBLIC_KEY_FILE),
            profile.signing_key_file.as_bytes(),
        )
        .map_err(RectoratError::io("écrire la clé publique"))?;
        let marker_json = serde_json::to_vec_pretty(&workspace.marker)
            .map_err(|_| RectoratError::Corrupt("espace.json"))?;
        // The marker last: its presence marks a complete workspace.
        fsutil::write_atomic(&dir.join(MARKER_FILE), &marker_json)
            .map_err(RectoratError::io("écrire espace.json"))?;
        Ok(workspace)
    }

    /// Opens the workspace in `dir` with the passphrase.
    pub fn open(dir: &Path, passphrase: &SecretString) -> Result<Workspace> {
        if !Workspace::exists(dir) {
            return Err(RectoratError::NotInitialized(shown(dir)));
        }
        fsutil::private_umask();
        let lock = fsutil::try_lock(dir)
            .map_err(RectoratError::io("verrouiller l'espace"))?
            .ok_or(RectoratError::Busy)?;
        let marker: Marker = fs::read(dir.join(MARKER_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(|m: &Marker| m.format == MARKER_FORMAT && m.version == 1)
            .ok_or(RectoratError::Corrupt("espace.json illisible"))?;
        let key_dir = dir.join(KEYS_DIR);
        let profile = keys::read_profile(&key_dir)?;
        let secrets = keys::unlock(&key_dir, passphrase, &profile)?;
        if !profile.is_authentic(&secrets.keys)? || profile.age_recipient != marker.age_recipient {
            return Err(RectoratError::Corrupt(
                "clés et espace.json ne correspondent pas",
            ));
        }
        let sealed =
            fs::read(dir.join(STATE_FILE)).map_err(RectoratError::io("lire l'état de l'espace"))?;
        let plain = secrets
            .keys
            .open(STATE_SLOT.0, STATE_SLOT.1, &sealed)
            .ok_or(RectoratError::Corrupt("état indéchiffrable ou altéré"))?;
        let state: State =
            serde_json::from_slice(&plain).map_err(|_| RectoratError::Corrupt("état illisible"))?;
        Ok(Workspace {
            dir: dir.to_path_buf(),
            marker,
            secrets,
            state,
            _lock: lock,
        })
    }

    /// Writes the state, sealed, atomically.
    pub(crate) fn save(&mut self) -> Result<()> {
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(&self.state).map_err(|_| RectoratError::Corrupt("état"))?,
        );
        let sealed = self
            .secrets
            .keys
            .seal(STATE_SLOT.0, STATE_SLOT.1, &plain)
            .map_err(|_| RectoratError::Corrupt("état impossible à chiffrer"))?;
        fsutil::write_atomic(&self.dir.join(STATE_FILE), &sealed)
            .map_err(RectoratError::io("enregistrer l'état de l'espace"))
    }

    /// The workspace directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The DIEC's name, as manifests carry it.
    pub fn name(&self) -> &str {
        &self.marker.name
    }

    /// The DIEC's age recipient (where doctors' avis are encrypted to).
    pub fn age_recipient(&self) -> &str {
        &self.marker.age_recipient
    }

    /// The DIEC's minisign public key (base64 line).
    pub fn signing_key(&self) -> &str {
        &self.marker.signing_key
    }

    /// The path of the public key file to give doctors.
    pub fn public_key_file(&self) -> PathBuf {
        self.dir.join(PUBLIC_KEY_FILE)
    }

    pub(crate) fn signer(&self) -> Result<SigningKey> {
        Ok(SigningKey::from_file_contents(
            &self.secrets.signing_key_text,
            None,
        )?)
    }

    pub(crate) fn identity(&self) -> &age::x25519::Identity {
        &self.secrets.identity
    }

    /// The registry of doctors.
    pub fn doctors(&self) -> &[RegisteredDoctor] {
        &self.state.doctors
    }

    /// Adds a doctor to the registry and saves.
    pub fn add_doctor(&mut self, doctor: NewDoctor) -> Result<RegisteredDoctor> {
        let doctor = NewDoctor {
            name: doctor.name.trim().to_owned(),
            rpps: doctor.rpps.map(|r| r.trim().to_owned()),
            age_recipient: doctor.age_recipient.trim().to_owned(),
            signing_key: doctor.signing_key.trim().to_owned(),
            last_sequence: doctor.last_sequence,
        };
        check_new(&doctor, &self.state.doctors)?;
        let registered = RegisteredDoctor {
            name: doctor.name,
            rpps: doctor.rpps,
            age_recipient: doctor.age_recipient,
            signing_key: doctor.signing_key,
            added_at: Utc::now(),
            last_sequence: doctor.last_sequence,
        };
        self.state.doctors.push(registered.clone());
        self.save()?;
        Ok(registered)
    }

    /// The requests sent, by id.
    pub fn sent_requests(&self) -> &BTreeMap<String, SentRequest> {
        &self.state.requests
    }

    /// The current avis, by request id.
    pub fn received_avis(&self) -> &BTreeMap<String, ReceivedAvis> {
        &self.state.avis
    }

    /// The assignment bundles sent.
    pub fn sendings(&self) -> &[Sending] {
        &self.state.sendings
    }

    /// The opinions bundles received.
    pub fn receipts(&self) -> &[Receipt] {
        &self.state.receipts
    }
}

impl Workspace {
    /// The campaign settings of `settings.json` in the workspace (same
    /// format as the doctor's store), or the defaults.
    pub fn settings(&self) -> Result<crate::domain::checks::CampaignSettings> {
        match fs::read(self.dir.join("settings.json")) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                RectoratError::Refused(format!(
                    "réglages de campagne illisibles (settings.json de l'espace) : {e} ; corrigez ou supprimez ce fichier"
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
            Err(e) => Err(RectoratError::io("lire settings.json")(e)),
        }
    }
}
