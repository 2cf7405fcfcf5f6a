//! The table of the workbook: every request sent, one row for the request
//! (its outcome, global motivation, missing pièces, lifted checks) and one
//! row per measure, with French headers, French labels beside the codes,
//! and the candidate, diploma, session and establishment joined from the
//! assignment. Written as `.xlsx` and CSV by [`super::workbook`].

use chrono::{NaiveDate, NaiveDateTime};

use super::wire::{overrides_text, replaces_text, OpinionExtras};
use super::workspace::Workspace;
use crate::domain::{DiplomaCode, DocumentCategory, MeasureCode, Opinion};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    /// UTC, whole seconds.
    DateTime(NaiveDateTime),
}

/// The column headers, in order.
pub const HEADERS: [&str; 37] = [
    "Demande",
    "Version",
    "Ligne",
    "État",
    "Candidat",
    "Date de naissance",
    "Diplôme (code)",
    "Diplôme",
    "Session",
    "UAI",
    "Établissement",
    "Commune",
    "Médecin",
    "RPPS",
    "Envoyée le",
    "Avis global (code)",
    "Avis global",
    "Mesure (code)",
    "Mesure",
    "Décision (code)",
    "Décision",
    "Mesure accordée (code)",
    "Mesure accordée",
    "Précisions",
    "Épreuves (code)",
    "Épreuves",
    "Motivation",
    "Pièces manquantes",
    "Contrôles levés",
    "Validité (code)",
    "Validité",
    "Jusqu'à la session",
    "Décidé le (UTC)",
    "Reçu le (UTC)",
    "Remplace",
    "Version avisée",
    "Lot d'avis",
];

/// The column of a header.
pub fn column(header: &str) -> Option<usize> {
    HEADERS.iter().position(|h| *h == header)
}

/// `Ligne` of a request row and of a measure row.
pub const REQUEST_ROW: &str = "Demande";
pub const MEASURE_ROW: &str = "Mesure";
/// `État` of a request with and without an avis.
pub const RECEIVED: &str = "Avis reçu";
pub const PENDING: &str = "En attente d'avis";

fn text(s: impl Into<String>) -> Cell {
    let s = s.into();
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s)
    }
}

fn whole_seconds(at: &chrono::DateTime<chrono::Utc>) -> NaiveDateTime {
    let naive = at.naive_utc();
    naive.with_nanosecond_zero()
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> NaiveDateTime;
}

impl NoNanos for NaiveDateTime {
    fn with_nanosecond_zero(self) -> NaiveDateTime {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

/// A missing pièce: its category's label if it is a known code.
fn missing_label(item: &str) -> String {
    let category = DocumentCategory::from_code(item.trim());
    if category.is_known() {
        category.label().to_owned()
    } else {
        item.to_owned()
    }
}

/// Every row, ordered by request id (request row first, then its measures).
pub fn rows(ws: &Workspace) -> Vec<Vec<Cell>> {
    let doctors = ws.doctors();
    let mut out = Vec::new();
    for (id, sent) in ws.sent_requests() {
        let avis = ws.received_avis().get(id);
        let parsed = avis.and_then(|a| {
            let opinion: Opinion = serde_json::from_str(&a.json).ok()?;
            let extras = OpinionExtras::parse(a.json.as_bytes()).unwrap_or_default();
            Some((a, opinion, extras))
        });
        let doctor_index = avis.map(|a| a.doctor).unwrap_or(sent.doctor);
        let doctor = doctors.get(doctor_index);
        let diploma = DiplomaCode::from_code(&sent.diploma);
        let diploma_label = if diploma.is_known() || sent.diploma_label.is_empty() {
            diploma.label().to_owned()
        } else {
            sent.diploma_label.clone()
        };
        let mut base = vec![Cell::Empty; HEADERS.len()];
        base[0] = text(id.clone());
        base[1] = Cell::Number(f64::from(sent.version));
        base[3] = text(if parsed.is_some() { RECEIVED } else { PENDING });
        base[4] = text(sent.candidate.clone());
        base[5] = Cell::Date(sent.birth_date);
        base[6] = text(sent.diploma.clone());
        base[7] = text(diploma_label);
        base[8] = text(sent.session.clone());
        base[9] = text(sent.uai.clone());
        base[10] = text(sent.establishment.clone());
        base[11] = text(sent.city.clone());
        base[12] = text(doctor.map(|d| d.name.clone()).unwrap_or_default());
        base[13] = text(doctor.and_then(|d| d.rpps.clone()).unwrap_or_default());
        base[14] = Cell::Date(sent.sent_at.date_naive());
        let Some((avis, opinion, extras)) = parsed else {
            let mut row = base;
            row[2] = text(REQUEST_ROW);
            out.push(row);
            continue;
        };
        base[15] = text(opinion.outcome.code());
        base[16] = text(opinion.outcome.label());
        base[29] = text(opinion.validity.kind.code());
        base[30] = text(opinion.validity.kind.label());
        base[31] = text(opinion.validity.until_session.clone());
        base[32] = opinion
            .decided_at
            .as_ref()
            .map(|d| Cell::DateTime(whole_seconds(d)))
            .unwrap_or(Cell::Empty);
        base[33] = Cell::DateTime(whole_seconds(&avis.received_at));
        let replaced_at = extras
            .replaces
            .as_ref()
            .map(|r| r.exported_at)
            .or(avis.replaced.as_ref().map(|(_, at)| *at));
        base[34] = text(replaced_at.map(|at| replaces_text(&at)).unwrap_or_default());
        base[35] = Cell::Number(f64::from(opinion.request_version));
        base[36] = text(avis.bundle_id.clone());

        let measures: Vec<&MeasureCode> = opinion.measures.iter().map(|m| &m.code).collect();
        let mut request_row = base.clone();
        request_row[2] = text(REQUEST_ROW);
        request_row[26] = text(opinion.motivation.clone());
        request_row[27] = text(
            opinion
                .missing_documents
                .iter()
                .map(|m| missing_label(m))
                .collect::<Vec<_>>()
                .join("; "),
        );
        request_row[28] =
            text(overrides_text(extras.overrides.iter().filter(|o| {
                o.measure.as_ref().is_none_or(|m| !measures.contains(&m))
            })));
        out.push(request_row);
        for m in &opinion.measures {
            let mut row = base.clone();
            row[2] = text(MEASURE_ROW);
            row[17] = text(m.code.code());
            row[18] = text(m.code.label());
            row[19] = text(m.decision.code());
            row[20] = text(m.decision.label());
            if let Some(g) = &m.granted {
                row[21] = text(g.code());
                row[22] = text(g.label());
            }
            row[23] = text(m.detail.clone().unwrap_or_default());
            row[24] = text(m.epreuves.code());
            row[25] = text(m.epreuves.label());
            row[26] = text(m.motivation.clone().unwrap_or_default());
            row[28] = text(overrides_text(
                extras
                    .overrides
                    .iter()
                    .filter(|o| o.measure.as_ref() == Some(&m.code)),
            ));
            out.push(row);
        }
    }
    out
}
