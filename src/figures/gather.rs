//! The facts of every dossier of a store, for the figures.

use chrono::NaiveDate;

use super::{DossierFacts, OpinionFacts};
use crate::domain::{Draft, Status};
use crate::store::{Result, Store};

fn opinion_facts(status: Status, draft: Option<&Draft>) -> Option<OpinionFacts> {
    if !matches!(status, Status::Valide | Status::Exporte) {
        return None;
    }
    let opinion = &draft?.opinion;
    Some(OpinionFacts {
        outcome: opinion.outcome.clone(),
        decided_on: opinion.decided_at.map(|t| t.date_naive()),
        decisions: opinion
            .measures
            .iter()
            .map(|m| (m.code.clone(), m.decision.clone()))
            .collect(),
    })
}

fn override_rules(draft: Option<&Draft>) -> Vec<String> {
    draft
        .map(|d| d.overrides.iter().map(|o| o.rule.clone()).collect())
        .unwrap_or_default()
}

/// The facts of every dossier of `store`, purged ones included (the
/// inbox's checks are evaluated on `today`).
pub fn facts(store: &Store, today: NaiveDate) -> Result<Vec<DossierFacts>> {
    let mut out = Vec::new();
    for s in store.summaries(today)? {
        let draft = store.draft(&s.id)?;
        out.push(DossierFacts {
            diploma: s.diploma,
            session: s.session,
            received_at: s.received_at,
            late: s.late,
            status: s.status,
            requested: s.measures,
            opinion: opinion_facts(s.status, draft.as_ref()),
            override_rules: override_rules(draft.as_ref()),
        });
    }
    for p in store.purged_dossiers()? {
        let draft = store.draft(&p.id)?;
        let status = store.status(&p.id)?;
        out.push(DossierFacts {
            diploma: p.diploma,
            session: p.session,
            received_at: p.received_at,
            late: p.late,
            status,
            requested: p.requested,
            opinion: opinion_facts(status, draft.as_ref()),
            override_rules: override_rules(draft.as_ref()),
        });
    }
    Ok(out)
}
