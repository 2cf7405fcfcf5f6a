//! The doctor's activity figures (`avis bilan`, the figures screen):
//! counts only, computed from the facts of each dossier; no name, no
//! identifier, no medical content ever reaches them.
//!
//! [`compute`] is pure; [`gather`] reads the facts from a store.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::{Decision, DiplomaCode, MeasureCode, Outcome, Status};

mod gather;
mod output;

pub use gather::facts;
pub use output::{to_csv, to_json, to_text};

/// What the figures need of one dossier (nothing that names the candidate
/// or their health).
#[derive(Debug, Clone, PartialEq)]
pub struct DossierFacts {
    pub diploma: DiplomaCode,
    /// The exam session (`"2027"`).
    pub session: String,
    pub received_at: NaiveDate,
    /// Received after the deadline (hors délai).
    pub late: bool,
    pub status: Status,
    /// The measures requested.
    pub requested: Vec<MeasureCode>,
    /// The avis, once validated or exported.
    pub opinion: Option<OpinionFacts>,
    /// The blocking checks the doctor lifted (rule identifiers).
    pub override_rules: Vec<String>,
}

/// What the figures need of an avis.
#[derive(Debug, Clone, PartialEq)]
pub struct OpinionFacts {
    pub outcome: Outcome,
    /// The day the avis was decided.
    pub decided_on: Option<NaiveDate>,
    /// Each measure entry's code and decision.
    pub decisions: Vec<(MeasureCode, Decision)>,
}

/// Which dossiers the figures count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    /// Every dossier of the store.
    All,
    /// The dossiers of one exam session (« saison » `AAAA`).
    Season(String),
    /// The dossiers received from `from` to `to`, both included.
    Range { from: NaiveDate, to: NaiveDate },
}

impl Period {
    /// Whether the dossier belongs to the period.
    pub fn contains(&self, facts: &DossierFacts) -> bool {
        match self {
            Period::All => true,
            Period::Season(year) => facts.session.trim() == year.trim(),
            Period::Range { from, to } => facts.received_at >= *from && facts.received_at <= *to,
        }
    }

    /// The period in French.
    pub fn label(&self) -> String {
        match self {
            Period::All => "tous les dossiers".into(),
            Period::Season(year) => format!("session {year}"),
            Period::Range { from, to } => format!(
                "reçus du {} au {}",
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y")
            ),
        }
    }
}

impl Period {
    /// The stem of the CSV file of these figures (`bilan-2027`,
    /// `bilan-tous`, `bilan-2026-09-01-au-2026-12-31`).
    pub fn file_stem(&self) -> String {
        match self {
            Period::All => "bilan-tous".into(),
            Period::Season(year) => {
                let safe: String = year
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .take(8)
                    .collect();
                format!("bilan-{safe}")
            }
            Period::Range { from, to } => format!(
                "bilan-{}-au-{}",
                from.format("%Y-%m-%d"),
                to.format("%Y-%m-%d")
            ),
        }
    }
}

/// The exam sessions the dossiers belong to, oldest first.
pub fn seasons(facts: &[DossierFacts]) -> Vec<String> {
    let mut out: Vec<String> = facts.iter().map(|f| f.session.trim().to_string()).collect();
    out.sort();
    out.dedup();
    out.retain(|s| !s.is_empty());
    out
}

/// A labelled count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub code: String,
    pub label: String,
    pub count: u64,
}

/// How often one measure was requested, and what the avis said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MeasureFigures {
    pub code: String,
    pub label: String,
    pub requested: u64,
    pub granted: u64,
    pub modified: u64,
    pub refused: u64,
    /// Added by the doctor without being requested.
    pub added: u64,
}

/// The figures of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub period: String,
    /// Dossiers received in the period.
    pub received: u64,
    /// Of which with a validated or exported avis.
    pub reviewed: u64,
    /// Of which exported to the rectorat.
    pub exported: u64,
    /// Of which received after the deadline.
    pub late: u64,
    /// Outcomes of the reviewed dossiers, in catalogue order.
    pub outcomes: Vec<Count>,
    /// Per measure, in catalogue order (only measures that occur).
    pub measures: Vec<MeasureFigures>,
    /// Dossiers received per diploma, in catalogue order.
    pub diplomas: Vec<Count>,
    /// Median number of days from reception to avis (reviewed dossiers).
    pub median_days_to_avis: Option<f64>,
    /// Lifted blocking checks per rule (reviewed dossiers), by rule.
    pub overrides: Vec<Count>,
}

/// A sort key putting known codes in catalogue order, unknown ones after.
fn catalogue_rank<T: PartialEq>(known: &[T], value: &T) -> usize {
    known.iter().position(|k| k == value).unwrap_or(known.len())
}

/// The median of `values` (mean of the two middle ones for an even count).
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0
    })
}

/// The figures line of `code`, created empty the first time.
fn measure_entry<'m>(
    measures: &'m mut BTreeMap<(usize, String), MeasureFigures>,
    code: &MeasureCode,
) -> &'m mut MeasureFigures {
    measures
        .entry((
            catalogue_rank(MeasureCode::KNOWN, code),
            code.code().to_string(),
        ))
        .or_insert_with(|| MeasureFigures {
            code: code.code().to_string(),
            label: code.label().to_string(),
            ..MeasureFigures::default()
        })
}

/// The figures of the dossiers of `period`.
pub fn compute(dossiers: &[DossierFacts], period: &Period) -> Figures {
    let mut received = 0;
    let mut reviewed = 0;
    let mut exported = 0;
    let mut late = 0;
    let mut outcomes: BTreeMap<(usize, String), (String, u64)> = BTreeMap::new();
    let mut measures: BTreeMap<(usize, String), MeasureFigures> = BTreeMap::new();
    let mut diplomas: BTreeMap<(usize, String), (String, u64)> = BTreeMap::new();
    let mut overrides: BTreeMap<String, u64> = BTreeMap::new();
    let mut delays = Vec::new();
    for d in dossiers.iter().filter(|d| period.contains(d)) {
        received += 1;
        late += u64::from(d.late);
        exported += u64::from(d.status == Status::Exporte);
        diplomas
            .entry((
                catalogue_rank(DiplomaCode::KNOWN, &d.diploma),
                d.diploma.code().to_string(),
            ))
            .or_insert_with(|| (d.diploma.label().to_string(), 0))
            .1 += 1;
        for code in &d.requested {
            measure_entry(&mut measures, code).requested += 1;
        }
        let Some(opinion) = d.opinion.as_ref() else {
            continue;
        };
        if !matches!(d.status, Status::Valide | Status::Exporte) {
            continue;
        }
        reviewed += 1;
        outcomes
            .entry((
                catalogue_rank(Outcome::KNOWN, &opinion.outcome),
                opinion.outcome.code().to_string(),
            ))
            .or_insert_with(|| (opinion.outcome.label().to_string(), 0))
            .1 += 1;
        for (code, decision) in &opinion.decisions {
            let m = measure_entry(&mut measures, code);
            match decision {
                Decision::Accorde => m.granted += 1,
                Decision::Modifie => m.modified += 1,
                Decision::Refuse => m.refused += 1,
                Decision::Ajoute => m.added += 1,
                Decision::Other(_) => {}
            }
        }
        if let Some(day) = opinion.decided_on {
            delays.push((day - d.received_at).num_days());
        }
        for rule in &d.override_rules {
            *overrides.entry(rule.clone()).or_default() += 1;
        }
    }
    let counts = |map: BTreeMap<(usize, String), (String, u64)>| -> Vec<Count> {
        map.into_iter()
            .map(|((_, code), (label, count))| Count { code, label, count })
            .collect()
    };
    Figures {
        period: period.label(),
        received,
        reviewed,
        exported,
        late,
        outcomes: counts(outcomes),
        measures: measures.into_values().collect(),
        diplomas: counts(diplomas),
        median_days_to_avis: median(&mut delays),
        overrides: overrides
            .into_iter()
            .map(|(rule, count)| Count {
                label: rule.clone(),
                code: rule,
                count,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn dossier(received: &str, status: Status, opinion: Option<OpinionFacts>) -> DossierFacts {
        DossierFacts {
            diploma: DiplomaCode::BacGeneral,
            session: "2027".into(),
            received_at: day(received),
            late: false,
            status,
            requested: vec![MeasureCode::TempsMajoreTiers, MeasureCode::Ordinateur],
            opinion,
            override_rules: vec![],
        }
    }

    fn opinion(decided: &str, outcome: Outcome) -> OpinionFacts {
        OpinionFacts {
            outcome,
            decided_on: Some(day(decided)),
            decisions: vec![
                (MeasureCode::TempsMajoreTiers, Decision::Accorde),
                (MeasureCode::Ordinateur, Decision::Refuse),
                (MeasureCode::Pauses, Decision::Ajoute),
            ],
        }
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 10]), Some(3.5));
    }

    #[test]
    fn counts_of_a_small_season() {
        let mut late = dossier("2026-10-01", Status::ATraiter, None);
        late.late = true;
        late.diploma = DiplomaCode::Btsa;
        let mut other_session = dossier("2026-10-01", Status::ATraiter, None);
        other_session.session = "2028".into();
        let mut with_override = dossier(
            "2026-10-01",
            Status::Valide,
            Some(opinion("2026-10-11", Outcome::Partiel)),
        );
        with_override.override_rules = vec!["temps_majore_exceptionnel_motive".into()];
        let dossiers = vec![
            dossier(
                "2026-10-01",
                Status::Exporte,
                Some(opinion("2026-10-03", Outcome::Partiel)),
            ),
            with_override,
            // A draft does not count as reviewed.
            dossier(
                "2026-10-01",
                Status::Brouillon,
                Some(opinion("2026-10-30", Outcome::Favorable)),
            ),
            late,
            other_session,
        ];
        let f = compute(&dossiers, &Period::Season("2027".into()));
        assert_eq!((f.received, f.reviewed, f.exported, f.late), (4, 2, 1, 1));
        assert_eq!(f.outcomes.len(), 1);
        assert_eq!(
            (f.outcomes[0].code.as_str(), f.outcomes[0].count),
            ("partiel", 2)
        );
        let tiers = &f.measures[f
            .measures
            .iter()
            .position(|m| m.code == "temps_majore_tiers")
            .unwrap()];
        assert_eq!((tiers.requested, tiers.granted, tiers.refused), (4, 2, 0));
        let pauses = f.measures.iter().find(|m| m.code == "pauses").unwrap();
        assert_eq!((pauses.requested, pauses.added), (0, 2));
        assert_eq!(f.median_days_to_avis, Some(6.0));
        assert_eq!(f.overrides[0].count, 1);
        assert_eq!(f.diplomas[0].code, "bac_general");
        assert_eq!(f.diplomas[1].code, "btsa");
        let range = Period::Range {
            from: day("2026-10-02"),
            to: day("2026-12-31"),
        };
        assert_eq!(compute(&dossiers, &range).received, 0);
        assert_eq!(compute(&dossiers, &Period::All).received, 5);
    }
}
