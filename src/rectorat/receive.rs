//! Gathering the avis (`avis rectorat recevoir`): each opinions bundle is
//! verified against the registry (signed by a registered doctor, encrypted
//! to the DIEC), its avis checked against the ledger (sent to that doctor),
//! then added to the workspace. Receiving a bundle twice changes nothing; an
//! avis sent again replaces the earlier one, and the replacement is said.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::wire::OpinionExtras;
use super::workspace::{Receipt, ReceivedAvis, Workspace};
use super::{shown, RectoratError, Result};
use crate::bundle::{read_bundle, BundleKind, MemorySink, ReadOptions, TrustedKey};
use crate::domain::Opinion;

/// What became of one bundle.
#[derive(Debug, Clone, PartialEq)]
pub enum BundleOutcome {
    Added {
        path: PathBuf,
        doctor: String,
        opinions: usize,
        /// Requests whose earlier avis was replaced: (id, its exported_at).
        replaced: Vec<(String, DateTime<Utc>)>,
        /// Requests whose avis already held is newer (kept).
        kept_newer: Vec<String>,
    },
    AlreadyReceived {
        path: PathBuf,
        bundle_id: String,
        received_at: DateTime<Utc>,
    },
    Refused {
        path: PathBuf,
        message: String,
    },
}

impl Workspace {
    /// Receives each bundle in turn; a refused one changes nothing and the
    /// others are still added. The state is saved once at the end.
    pub fn receive(
        &mut self,
        bundles: &[PathBuf],
        now: DateTime<Utc>,
    ) -> Result<Vec<BundleOutcome>> {
        let mut outcomes = Vec::with_capacity(bundles.len());
        let mut changed = false;
        for path in bundles {
            let outcome = match self.receive_one(path, now) {
                Ok(outcome) => outcome,
                Err(e) => BundleOutcome::Refused {
                    path: path.clone(),
                    message: e.to_string(),
                },
            };
            changed |= matches!(outcome, BundleOutcome::Added { .. });
            outcomes.push(outcome);
        }
        if changed {
            self.save()?;
        }
        Ok(outcomes)
    }

    fn receive_one(&mut self, path: &Path, now: DateTime<Utc>) -> Result<BundleOutcome> {
        let file = std::fs::File::open(path).map_err(|e| {
            RectoratError::Refused(format!(
                "impossible d'ouvrir le lot « {} » : {e} ; vérifiez le chemin",
                shown(path)
            ))
        })?;
        let trusted: Vec<TrustedKey> = self
            .state
            .doctors
            .iter()
            .map(|d| TrustedKey {
                name: d.label(),
                public_key: d.signing_key.clone(),
            })
            .collect();
        if trusted.is_empty() {
            return Err(RectoratError::Refused(
                "aucun médecin inscrit : inscrivez d'abord les médecins (« avis rectorat medecin ajouter »)".into(),
            ));
        }
        let identities = [self.identity().clone()];
        let verified = read_bundle(
            std::io::BufReader::new(file),
            &ReadOptions {
                identities: &identities,
                trusted: &trusted,
                expected_kind: BundleKind::Opinions,
            },
            &mut MemorySink::default(),
        )?;
        let manifest = &verified.manifest;
        if let Some(receipt) = self
            .state
            .receipts
            .iter()
            .find(|r| r.bundle_id == manifest.bundle_id)
        {
            return Ok(BundleOutcome::AlreadyReceived {
                path: path.to_path_buf(),
                bundle_id: receipt.bundle_id.clone(),
                received_at: receipt.received_at,
            });
        }
        let doctor = self
            .state
            .doctors
            .iter()
            .position(|d| manifest.issuer.signing_key.as_deref() == Some(d.signing_key.as_str()))
            .or_else(|| trusted.iter().position(|t| t.name == verified.signer_name))
            .ok_or(RectoratError::Corrupt("signataire introuvable"))?;
        let label = self.state.doctors[doctor].label();
        // Check everything before changing anything (all or nothing per bundle).
        let mut accepted = Vec::new();
        for (id, bytes) in &verified.records {
            let opinion: Opinion = serde_json::from_slice(bytes).map_err(|_| {
                RectoratError::Refused(format!(
                    "l'avis « {id} » est signé mais illisible par cette version d'avis ; rien n'a été ajouté de ce lot ; mettez à jour avis ou signalez-le au médecin"
                ))
            })?;
            OpinionExtras::parse(bytes).map_err(|_| {
                RectoratError::Refused(format!(
                    "l'avis « {id} » a des champs « overrides » ou « replaces » illisibles ; rien n'a été ajouté de ce lot ; signalez-le au médecin"
                ))
            })?;
            if opinion.request_id != *id {
                return Err(RectoratError::Refused(format!(
                    "l'avis « {id} » porte l'identifiant d'une autre demande ; le lot est incohérent, rien n'en a été ajouté ; signalez-le au médecin"
                )));
            }
            let sent_to_them = self
                .state
                .requests
                .get(id)
                .is_some_and(|r| r.doctor == doctor || r.earlier_doctors.contains(&doctor));
            if !sent_to_them {
                return Err(RectoratError::Refused(format!(
                    "le lot de {label} contient un avis sur la demande « {id} », qui ne lui a pas été envoyée ; rien n'a été ajouté de ce lot ; vérifiez avec le médecin"
                )));
            }
            let text = String::from_utf8(bytes.clone()).map_err(|_| {
                RectoratError::Refused(format!("l'avis « {id} » n'est pas en UTF-8"))
            })?;
            accepted.push((id.clone(), text));
        }
        let mut replaced = Vec::new();
        let mut kept_newer = Vec::new();
        for (id, json) in accepted {
            if let Some(existing) = self.state.avis.get(&id) {
                let newer_held = existing.doctor == doctor && existing.sequence > manifest.sequence
                    || existing.exported_at > manifest.created_at;
                if newer_held {
                    kept_newer.push(id);
                    continue;
                }
            }
            let earlier = self
                .state
                .avis
                .get(&id)
                .map(|e| (e.bundle_id.clone(), e.exported_at));
            if let Some((_, at)) = &earlier {
                replaced.push((id.clone(), *at));
            }
            self.state.avis.insert(
                id,
                ReceivedAvis {
                    doctor,
                    bundle_id: manifest.bundle_id.clone(),
                    sequence: manifest.sequence,
                    exported_at: manifest.created_at,
                    received_at: now,
                    json,
                    replaced: earlier,
                },
            );
        }
        self.state.receipts.push(Receipt {
            bundle_id: manifest.bundle_id.clone(),
            doctor,
            sequence: manifest.sequence,
            created_at: manifest.created_at,
            received_at: now,
            opinions: verified.records.len(),
        });
        Ok(BundleOutcome::Added {
            path: path.to_path_buf(),
            doctor: label,
            opinions: verified.records.len(),
            replaced,
            kept_newer,
        })
    }
}
