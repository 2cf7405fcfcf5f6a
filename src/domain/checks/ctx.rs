//! What a check sees of a request, its draft, the settings and the
//! review day, and the comparisons with that day that bound how long an
//! evaluation stays true.

use std::cell::Cell;

use chrono::{Days, Months, NaiveDate};

use super::settings::older_than_years;
use super::{words, CampaignSettings, MeasureState};
use crate::domain::catalogue::{DocumentCategory, MeasureCode};
use crate::domain::opinion::{Decision, Draft, MeasureOpinion, Opinion, Outcome};
use crate::domain::request::{Request, RequestedMeasure};

/// Everything a check sees. The review day is private to this module: a
/// check reads it only through the comparisons below, each of which
/// records the first later day on which its answer would change (the
/// evaluation's horizon, see [`super::evaluate_with_horizon`]).
pub(crate) struct Ctx<'a> {
    pub request: &'a Request,
    pub draft: Option<&'a Draft>,
    pub settings: &'a CampaignSettings,
    today: NaiveDate,
    /// The first day after `today` on which a comparison made so far
    /// would answer otherwise; `None`: none would.
    horizon: Cell<Option<NaiveDate>>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        request: &'a Request,
        draft: Option<&'a Draft>,
        today: NaiveDate,
        settings: &'a CampaignSettings,
    ) -> Ctx<'a> {
        Ctx {
            request,
            draft,
            settings,
            today,
            horizon: Cell::new(None),
        }
    }

    /// The first day after the review day on which a comparison made so
    /// far would answer otherwise (`None`: never).
    pub fn horizon(&self) -> Option<NaiveDate> {
        self.horizon.get()
    }

    /// Notes that an answer changes on `day` (`None`: never).
    fn changes_on(&self, day: Option<NaiveDate>) {
        if let Some(day) = day {
            if self.horizon.get().is_none_or(|h| day < h) {
                self.horizon.set(Some(day));
            }
        }
    }

    /// The review day is after `date`. Once true it stays true; false, it
    /// turns true the day after `date`.
    pub fn is_past(&self, date: NaiveDate) -> bool {
        let past = self.today > date;
        if !past {
            self.changes_on(date.succ_opt());
        }
        past
    }

    /// `date` is the review day or before it (a pièce dated so is not from
    /// the future). False, it turns true on `date`.
    pub fn has_come(&self, date: NaiveDate) -> bool {
        let come = date <= self.today;
        if !come {
            self.changes_on(Some(date));
        }
        come
    }

    /// `date` is more than `years` years before the review day (see
    /// [`older_than_years`]). False, it turns true on the first day it is.
    pub fn older_than_years(&self, date: NaiveDate, years: u32) -> bool {
        let older = older_than_years(date, self.today, years);
        if !older {
            self.changes_on(first_day_older(date, years, self.today));
        }
        older
    }
    pub fn opinion(&self) -> Option<&'a Opinion> {
        self.draft.map(|d| &d.opinion)
    }

    /// Every pièce of the dossier: joined to the request, then received on
    /// paper (recorded in the draft), as (category, date).
    pub fn documents(&self) -> Vec<(&'a DocumentCategory, Option<NaiveDate>)> {
        let joined = self.request.documents.iter().map(|d| (&d.category, d.date));
        let paper = self
            .draft
            .into_iter()
            .flat_map(|d| d.paper_documents.iter())
            .map(|p| (&p.category, Some(p.date)));
        joined.chain(paper).collect()
    }

    /// Whether a pièce of `category` is in the dossier (joined or on paper).
    pub fn has_document(&self, category: &DocumentCategory) -> bool {
        self.documents().iter().any(|(c, _)| *c == category)
    }

    pub fn requested(&self, code: &MeasureCode) -> Option<&'a RequestedMeasure> {
        self.request
            .requested_measures
            .iter()
            .find(|r| &r.code == code)
    }

    pub fn is_requested(&self, code: &MeasureCode) -> bool {
        self.requested(code).is_some()
    }

    /// The entries advising `code`.
    pub fn grants(&self, code: &MeasureCode) -> Vec<&'a MeasureOpinion> {
        self.opinion()
            .map(|o| o.measures.iter().filter(|m| m.grants(code)).collect())
            .unwrap_or_default()
    }

    pub fn is_advised(&self, code: &MeasureCode) -> bool {
        !self.grants(code).is_empty()
    }

    pub fn state(&self, code: &MeasureCode) -> MeasureState<'a> {
        if let Some(entry) = self.grants(code).into_iter().next() {
            return MeasureState::Advised(entry);
        }
        if !self.is_requested(code) {
            return MeasureState::Absent;
        }
        match self.opinion().and_then(|o| o.entry_for(code)) {
            Some(e) if matches!(e.decision, Decision::Refuse | Decision::Modifie) => {
                MeasureState::Resolved
            }
            _ => MeasureState::Requested,
        }
    }

    /// Requested codes, then codes the avis advises that were not
    /// requested, each once.
    pub fn codes(&self) -> Vec<&'a MeasureCode> {
        let mut codes: Vec<&'a MeasureCode> = Vec::new();
        for r in &self.request.requested_measures {
            if !codes.contains(&&r.code) {
                codes.push(&r.code);
            }
        }
        if let Some(o) = self.opinion() {
            for m in &o.measures {
                if let Some(g) = m.granted_code() {
                    if !codes.contains(&g) {
                        codes.push(g);
                    }
                }
            }
        }
        codes
    }

    /// Whether the avis is `incomplet` and its missing pièces mention one of
    /// `needles` (folded substrings: `"orthophon"`, `"bilan_orthophonique"`).
    pub fn incomplet_lists(&self, needles: &[&str]) -> bool {
        let Some(o) = self.opinion() else {
            return false;
        };
        o.outcome == Outcome::Incomplet
            && o.missing_documents.iter().any(|doc| {
                let folded = words::fold(doc);
                needles.iter().any(|n| folded.contains(&words::fold(n)))
            })
    }
}

/// The first day after `today` on which `date` is more than `years` years
/// old, `None` if never. [`older_than_years`] only grows with the day (the
/// limit, the day less whole months, never goes back), so the first such
/// day is searched near `date` plus `years` years, where month ends make
/// it move by a few days, checking that the day before is not yet one; an
/// answer that cannot be found so is the next day (checked again then).
fn first_day_older(date: NaiveDate, years: u32, today: NaiveDate) -> Option<NaiveDate> {
    let tomorrow = today.succ_opt()?;
    let Some(near) = date.checked_add_months(Months::new(years.saturating_mul(12))) else {
        return Some(tomorrow);
    };
    let start = near
        .checked_sub_days(Days::new(7))
        .map_or(tomorrow, |s| s.max(tomorrow));
    if start > tomorrow {
        match start.pred_opt() {
            Some(before) if !older_than_years(date, before, years) => {}
            _ => return Some(tomorrow),
        }
    }
    let mut day = start;
    for _ in 0..16 {
        if older_than_years(date, day, years) {
            return Some(day);
        }
        day = day.succ_opt()?;
    }
    Some(tomorrow)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{evaluate, evaluate_with_horizon, CampaignSettings, Finding};
    use super::first_day_older;
    use crate::domain::opinion::Draft;
    use crate::domain::paper::PaperDocument;
    use crate::domain::request::{Procedure, Request};
    use crate::domain::{DiplomaCode, DocumentCategory, TroubleCode};
    use chrono::{Days, NaiveDate};
    use proptest::prelude::*;

    fn plus(day: NaiveDate, n: i64) -> NaiveDate {
        day + chrono::Duration::days(n)
    }

    /// Every day from `today` to the day before the horizon (at most
    /// `days` of them) gives the findings of `today`; returns the horizon.
    fn same_until_horizon(
        req: &Request,
        draft: Option<&Draft>,
        today: NaiveDate,
        settings: &CampaignSettings,
        days: i64,
    ) -> Option<NaiveDate> {
        let (findings, horizon) = evaluate_with_horizon(req, draft, today, settings);
        assert_eq!(findings, evaluate(req, draft, today, settings));
        if let Some(h) = horizon {
            assert!(h > today, "horizon {h} not after {today}");
        }
        for n in 1..days {
            let day = plus(today, n);
            if horizon.is_some_and(|h| day >= h) {
                break;
            }
            let later: Vec<Finding> = evaluate(req, draft, day, settings);
            assert_eq!(
                later, findings,
                "{day} differs from {today} (horizon {horizon:?})"
            );
        }
        horizon
    }

    fn any_case() -> impl Strategy<Value = (Request, Option<Draft>, NaiveDate, CampaignSettings)> {
        let dates = proptest::collection::vec(
            (
                proptest::sample::select(vec![
                    DocumentCategory::BilanOrthophonique,
                    DocumentCategory::BilanErgotherapie,
                    DocumentCategory::PointEvolution,
                    DocumentCategory::CertificatMedical,
                    DocumentCategory::FichePedagogique,
                ]),
                proptest::option::weighted(0.9, -1200i64..500),
                any::<bool>(),
            ),
            0..5,
        );
        (
            proptest::sample::select(DiplomaCode::KNOWN),
            prop_oneof![
                Just(Procedure::Complete),
                Just(Procedure::Simplifiee),
                Just(Procedure::Urgence)
            ],
            proptest::collection::vec(proptest::sample::select(TroubleCode::KNOWN), 0..3),
            proptest::sample::select(vec!["2026", "2027", "2028", "x"]),
            proptest::option::of(proptest::sample::select(vec!["2026", "2027"])),
            dates,
            (-400i64..100, any::<bool>(), 0i64..400),
            (0u32..4, 0u32..3, 0u32..40, any::<bool>()),
        )
            .prop_map(
                |(diploma, procedure, troubles, session, anticipated, docs, when, s)| {
                    let (received, incomplet, offset) = when;
                    let today = plus(today(), offset);
                    let mut b = request()
                        .diploma(diploma.code())
                        .procedure(procedure)
                        .session(session)
                        .received(plus(today, received))
                        .measure("temps_majore_tiers")
                        .measure("ordinateur");
                    if let Some(a) = anticipated {
                        b = b.anticipated(a);
                    }
                    for t in troubles {
                        b = b.trouble(t.clone());
                    }
                    let mut paper = Vec::new();
                    for (category, age, on_paper) in docs {
                        match (age, on_paper) {
                            (Some(age), true) => paper.push(PaperDocument {
                                category: category.clone(),
                                date: plus(today, age),
                                note: String::new(),
                            }),
                            (age, _) => b = b.doc(category.clone(), age.map(|a| plus(today, a))),
                        }
                    }
                    let req = b.build();
                    let draft = (incomplet || !paper.is_empty()).then(|| {
                        let mut d = if incomplet {
                            draft(&req).incomplet(&["certificat médical"]).build()
                        } else {
                            draft(&req).build()
                        };
                        d.paper_documents = paper;
                        d
                    });
                    let settings = CampaignSettings {
                        bilan_max_age_years: s.0,
                        point_evolution_max_age_years: s.1,
                        no_accommodation_days: s.2,
                        medical_file_max_age_years: if s.3 { 1 } else { 0 },
                        ..CampaignSettings::default()
                    };
                    (req, draft, today, settings)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The brute-force proof: on every day before the horizon (two
        /// years at most), the findings are those of the review day.
        #[test]
        fn findings_do_not_change_before_the_horizon(case in any_case()) {
            let (req, draft, today, settings) = case;
            same_until_horizon(&req, draft.as_ref(), today, &settings, 730);
        }
    }

    #[test]
    fn first_day_older_is_the_first_day_the_answer_flips() {
        let start = d(2023, 1, 1);
        for n in 0..1600 {
            let date = plus(start, n);
            for years in 0..4 {
                let today = plus(date, 300);
                let found = first_day_older(date, years, today);
                let mut day = today;
                let expected = loop {
                    day = day.succ_opt().unwrap();
                    if super::older_than_years(date, day, years) {
                        break day;
                    }
                };
                if super::older_than_years(date, today, years) {
                    continue;
                }
                assert_eq!(found, Some(expected), "{date} + {years} ans");
            }
        }
        assert_eq!(
            first_day_older(NaiveDate::MAX, 1, d(2026, 1, 1)),
            Some(d(2026, 1, 2))
        );
    }

    /// Typical dossiers are kept for months, and the horizon is the very
    /// day their findings change (not one chosen early for safety).
    #[test]
    fn the_horizon_of_typical_requests_is_the_day_they_change() {
        let settings = CampaignSettings::default();
        let dys = request()
            .trouble(TroubleCode::DyslexieDysorthographie)
            .doc(DocumentCategory::BilanOrthophonique, Some(d(2025, 1, 10)))
            .doc(DocumentCategory::CertificatMedical, Some(d(2026, 9, 1)))
            .measure("temps_majore_tiers")
            .build();
        // The bilan turns two years old after 10 January 2027.
        let h = same_until_horizon(&dys, None, today(), &settings, 400);
        assert_eq!(h, Some(d(2027, 1, 11)));
        let h = h.unwrap();
        assert_ne!(
            evaluate(&dys, None, h, &settings),
            evaluate(&dys, None, today(), &settings)
        );

        // Nothing dated: only the exams of June 2027 (two weeks before
        // their first day, then their first day) change the findings.
        let plain = request().measure("temps_majore_tiers").build();
        let first = settings
            .first_exam(&DiplomaCode::BacGeneral, "2027")
            .unwrap();
        let h = same_until_horizon(&plain, None, today(), &settings, 400).unwrap();
        assert_eq!(h, first.checked_sub_days(Days::new(13)).unwrap());
        assert_ne!(
            evaluate(&plain, None, h, &settings),
            evaluate(&plain, None, today(), &settings)
        );
        let h2 = same_until_horizon(&plain, None, h, &settings, 400).unwrap();
        assert_eq!(h2, first.succ_opt().unwrap());

        // An unknown session and no dates: valid on every later day.
        let timeless = request().session("x").build();
        assert_eq!(
            same_until_horizon(&timeless, None, today(), &settings, 400),
            None
        );
    }
}
