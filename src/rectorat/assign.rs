//! Assignment from a spreadsheet (`avis rectorat envoyer`): a CSV of
//! request id → doctor as LibreOffice and Excel write it (`;` or `,`,
//! UTF-8 with or without BOM, a header line), checked line by line; then
//! one signed bundle per doctor with its next sequence. Any problem is
//! reported with its line number and nothing is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::pack::{document_file, load_request, write_assignment, Addressing, LoadedRequest};
use super::registry::fold;
use super::workspace::{SendSummary, Sending, SentRequest, Workspace};
use super::{shown, RectoratError, Result};
use crate::text::sanitize;

/// One line of the spreadsheet.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentLine {
    /// 1-based line number in the file.
    pub line: u64,
    pub request_id: String,
    pub doctor: String,
}

/// Header names of the request column (folded).
const REQUEST_HEADERS: [&str; 6] = [
    "demande",
    "id",
    "identifiant",
    "numero de demande",
    "n° de demande",
    "request_id",
];
/// Header names of the doctor column (folded).
const DOCTOR_HEADERS: [&str; 4] = ["medecin", "rpps", "medecin designe", "doctor"];

/// Parses the spreadsheet: `;` or `,` (whichever the header line uses),
/// UTF-8 with or without BOM; columns found by their header (« demande »
/// and « médecin », other columns ignored). Returns the lines read and the
/// problems found, each line-numbered.
pub fn parse_assignments(bytes: &[u8]) -> (Vec<AssignmentLine>, Vec<String>) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        return (
            Vec::new(),
            vec![format!(
                "ligne {line} : le fichier n'est pas en UTF-8 ; dans le tableur, enregistrez-le en « CSV (UTF-8) »"
            )],
        );
    }
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let semicolons = first_line.iter().filter(|b| **b == b';').count();
    let commas = first_line.iter().filter(|b| **b == b',').count();
    let delimiter = if semicolons >= commas { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut problems = Vec::new();
    let mut columns: Option<(usize, usize)> = None;
    let mut lines = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        // The record starts after the blank lines the reader skips.
        let mut start = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let line = line_at(bytes, start as u64);
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => {
                problems.push(format!(
                    "ligne {line} : ligne illisible (guillemet non fermé ?) ; corrigez-la dans le tableur"
                ));
                break;
            }
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some((req_col, doc_col)) = columns else {
            let folded: Vec<String> = record.iter().map(fold).collect();
            let find = |names: &[&str]| folded.iter().position(|h| names.contains(&h.as_str()));
            match (find(&REQUEST_HEADERS), find(&DOCTOR_HEADERS)) {
                (Some(r), Some(d)) => columns = Some((r, d)),
                _ => {
                    problems.push(format!(
                        "ligne {line} : la première ligne doit nommer les colonnes « demande » et « médecin » (RPPS ou nom du médecin inscrit) ; ajoutez cette ligne d'en-tête"
                    ));
                    return (Vec::new(), problems);
                }
            }
            continue;
        };
        let cell = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
        let (request_id, doctor) = (cell(req_col), cell(doc_col));
        if request_id.is_empty() {
            problems.push(format!(
                "ligne {line} : l'identifiant de la demande est vide"
            ));
            continue;
        }
        if doctor.is_empty() {
            problems.push(format!(
                "ligne {line} : aucun médecin pour la demande « {} » ; indiquez son RPPS ou son nom",
                sanitize(&request_id)
            ));
            continue;
        }
        lines.push(AssignmentLine {
            line,
            request_id,
            doctor,
        });
    }
    if columns.is_none() && problems.is_empty() {
        problems.push(
            "ligne 1 : le fichier est vide ; il faut une ligne d'en-tête « demande;médecin » puis une ligne par demande"
                .into(),
        );
    }
    if lines.is_empty() && problems.is_empty() {
        problems.push("le fichier ne contient aucune affectation après la ligne d'en-tête".into());
    }
    (lines, problems)
}

/// The line number a problem starts with (« ligne N : … »).
fn problem_line(problem: &str) -> u64 {
    problem
        .strip_prefix("ligne ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The 1-based line of byte offset `at` (the csv crate's own line count
/// does not follow blank lines).
fn line_at(bytes: &[u8], at: u64) -> u64 {
    let end = usize::try_from(at).unwrap_or(usize::MAX).min(bytes.len());
    bytes[..end].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

impl Workspace {
    /// `avis rectorat envoyer`: checks every line of the spreadsheet
    /// against the registry, the ledger and the requests folder, then
    /// writes one bundle per doctor into `out_dir` with its next sequence
    /// and records the sending. On any problem nothing is written.
    pub fn send(
        &mut self,
        spreadsheet: &[u8],
        requests_dir: &Path,
        out_dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<SendSummary> {
        let (lines, mut problems) = parse_assignments(spreadsheet);
        let mut seen: BTreeMap<String, u64> = BTreeMap::new();
        // doctor index → requests, in spreadsheet order
        let mut per_doctor: BTreeMap<usize, Vec<LoadedRequest>> = BTreeMap::new();
        for line in &lines {
            let n = line.line;
            let id = sanitize(&line.request_id);
            if let Some(first) = seen.get(&line.request_id) {
                problems.push(format!(
                    "ligne {n} : la demande « {id} » est déjà affectée ligne {first} ; gardez une seule ligne par demande"
                ));
                continue;
            }
            seen.insert(line.request_id.clone(), n);
            let matches: Vec<usize> = (0..self.state.doctors.len())
                .filter(|i| self.state.doctors[*i].is_named_by(&line.doctor))
                .collect();
            let doctor = match matches.as_slice() {
                [one] => Some(*one),
                [] => {
                    problems.push(format!(
                        "ligne {n} : médecin inconnu « {} » ; inscrivez-le (« avis rectorat medecin ajouter ») ou corrigez son RPPS ou son nom (« avis rectorat medecin liste »)",
                        sanitize(&line.doctor)
                    ));
                    None
                }
                _ => {
                    problems.push(format!(
                        "ligne {n} : plusieurs médecins inscrits portent le nom « {} » ; indiquez son RPPS",
                        sanitize(&line.doctor)
                    ));
                    None
                }
            };
            let loaded = match load_request(requests_dir, &line.request_id) {
                Ok(loaded) => Some(loaded),
                Err(why) => {
                    problems.push(format!("ligne {n} : {why}"));
                    None
                }
            };
            let (Some(doctor), Some(loaded)) = (doctor, loaded) else {
                continue;
            };
            let mut missing = false;
            for doc in &loaded.request.documents {
                if let Err(why) = document_file(requests_dir, &doc.sha256) {
                    problems.push(format!("ligne {n} : {why}"));
                    missing = true;
                }
            }
            if missing {
                continue;
            }
            if let Some(earlier) = self.state.requests.get(&line.request_id) {
                if loaded.request.version <= earlier.version {
                    let to = &self.state.doctors[earlier.doctor];
                    problems.push(format!(
                        "ligne {n} : la demande « {id} » (version {}) a déjà été envoyée le {} à {} ; seule une version plus récente peut être renvoyée",
                        earlier.version,
                        earlier.sent_at.format("%d/%m/%Y"),
                        to.label()
                    ));
                    continue;
                }
            }
            per_doctor.entry(doctor).or_default().push(loaded);
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| problem_line(p));
            return Err(RectoratError::Assignments(problems));
        }
        self.write_bundles(per_doctor, requests_dir, out_dir, now)
    }

    fn write_bundles(
        &mut self,
        per_doctor: BTreeMap<usize, Vec<LoadedRequest>>,
        requests_dir: &Path,
        out_dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<SendSummary> {
        crate::store::fsutil::private_dir(out_dir).map_err(RectoratError::io(format!(
            "créer le dossier « {} »",
            shown(out_dir)
        )))?;
        let signer = self.signer()?;
        let mut staged = Vec::new();
        let mut all_documents = BTreeSet::new();
        let mut new_state = self.state.clone();
        for (doctor, requests) in &per_doctor {
            let registered = &self.state.doctors[*doctor];
            let sequence = registered.last_sequence + 1;
            let mut documents = BTreeMap::new();
            for r in requests {
                for doc in &r.request.documents {
                    let path =
                        document_file(requests_dir, &doc.sha256).map_err(RectoratError::Refused)?;
                    documents.insert(doc.sha256.clone(), path);
                }
            }
            all_documents.extend(documents.keys().cloned());
            let documents: Vec<(String, PathBuf)> = documents.into_iter().collect();
            let addressing = Addressing {
                issuer_name: self.name().to_owned(),
                reply_to: self.age_recipient().to_owned(),
                recipient_name: registered.name.clone(),
                to: registered.age_recipient.clone(),
                sequence,
            };
            let mut temp = tempfile::Builder::new()
                .prefix(".avis-envoi-")
                .tempfile_in(out_dir)
                .map_err(RectoratError::io(format!(
                    "écrire dans « {} »",
                    shown(out_dir)
                )))?;
            let bundle_id = {
                let mut w = std::io::BufWriter::new(temp.as_file_mut());
                let id = write_assignment(&mut w, &addressing, requests, &documents, &signer)?;
                std::io::Write::flush(&mut w).map_err(RectoratError::io("écrire le lot"))?;
                id
            };
            temp.as_file()
                .sync_all()
                .map_err(RectoratError::io("écrire le lot"))?;
            let file_name = format!(
                "lot-{}-{}-{sequence:04}.avis",
                now.format("%Y%m%d"),
                slug(registered)
            );
            new_state.doctors[*doctor].last_sequence = sequence;
            for r in requests {
                let req = &r.request;
                let earlier_doctors = new_state
                    .requests
                    .get(&req.id)
                    .map(|e| {
                        let mut v = e.earlier_doctors.clone();
                        if e.doctor != *doctor {
                            v.push(e.doctor);
                        }
                        v
                    })
                    .unwrap_or_default();
                let establishment = req.schooling.establishment.clone().unwrap_or(
                    crate::domain::request::Establishment {
                        uai: String::new(),
                        name: String::new(),
                        city: String::new(),
                    },
                );
                new_state.requests.insert(
                    req.id.clone(),
                    SentRequest {
                        id: req.id.clone(),
                        version: req.version,
                        sha256: crate::store::crypto::sha256_hex(&r.bytes),
                        doctor: *doctor,
                        earlier_doctors,
                        bundle_id: bundle_id.clone(),
                        sent_at: now,
                        candidate: req.candidate.display_name(),
                        birth_date: req.candidate.birth_date,
                        diploma: req.exam.diploma.code().to_owned(),
                        diploma_label: req.exam.label.clone(),
                        session: req.exam.session.clone(),
                        uai: establishment.uai,
                        establishment: establishment.name,
                        city: establishment.city,
                        received_at: req.received_at,
                    },
                );
            }
            new_state.sendings.push(Sending {
                bundle_id,
                doctor: *doctor,
                sequence,
                sent_at: now,
                requests: requests.len(),
                file: file_name.clone(),
            });
            staged.push((
                registered.label(),
                sequence,
                requests.len(),
                file_name,
                temp,
            ));
        }
        // Final names must be free: no user file is ever overwritten.
        for (_, _, _, name, _) in &staged {
            let target = out_dir.join(name);
            if target.exists() {
                return Err(RectoratError::Refused(format!(
                    "le fichier « {} » existe déjà : rien n'a été envoyé ; déplacez-le ou choisissez un autre dossier avec --sortie",
                    shown(&target)
                )));
            }
        }
        // The ledger first (sequences taken), then the files: a crash in
        // between leaves a gap in the sequences, never a replay.
        let old_state = std::mem::replace(&mut self.state, new_state);
        if let Err(e) = self.save() {
            self.state = old_state;
            return Err(e);
        }
        let mut bundles = Vec::new();
        for (label, sequence, count, name, temp) in staged {
            let target = out_dir.join(&name);
            temp.persist_noclobber(&target).map_err(|e| {
                RectoratError::io(format!(
                    "nommer le lot « {} » (les lots déjà nommés sont enregistrés comme envoyés)",
                    shown(&target)
                ))(e.error)
            })?;
            bundles.push((label, sequence, count, target));
        }
        let _ = crate::store::fsutil::sync_dir(out_dir);
        Ok(SendSummary {
            bundles,
            documents: all_documents.len(),
        })
    }
}

/// A file-name-safe short form of the doctor (RPPS, or folded name).
fn slug(doctor: &super::RegisteredDoctor) -> String {
    if let Some(rpps) = &doctor.rpps {
        return rpps.clone();
    }
    let s: String = fold(&doctor.name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-').chars().take(40).collect::<String>();
    if s.is_empty() {
        "medecin".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_with_bom_and_comma_without() {
        let (a, problems) = parse_assignments(
            "\u{feff}Demande;Médecin\r\nAMX-1;10001234567\r\n\r\nAMX-2;Dr B\r\n".as_bytes(),
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[1].line, a[1].request_id.as_str(), a[1].doctor.as_str()),
            (4, "AMX-2", "Dr B")
        );
        let b = parse_assignments(b"nom,demande,medecin\nx,AMX-3,\"Dr C, fils\"\n").0;
        assert_eq!(
            (b[0].request_id.as_str(), b[0].doctor.as_str()),
            ("AMX-3", "Dr C, fils")
        );
    }

    #[test]
    fn problems_carry_line_numbers() {
        let e = parse_assignments(b"demande;medecin\nAMX-1;\n;Dr A\n").1;
        assert!(e[0].starts_with("ligne 2 :"), "{e:?}");
        assert!(e[1].starts_with("ligne 3 :"), "{e:?}");
        let e = parse_assignments(b"a;b\nAMX-1;Dr A\n").1;
        assert!(e[0].starts_with("ligne 1 :") && e[0].contains("« demande »"));
        let e = parse_assignments(b"demande;medecin\n\xff;x\n").1;
        assert!(
            e[0].starts_with("ligne 2 :") && e[0].contains("UTF-8"),
            "{e:?}"
        );
    }
}
