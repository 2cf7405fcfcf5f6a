//! Builders for the checks' tests: a plain request (bac général, session
//! 2027, procédure complète, received 3 October 2026, reviewed 26 November
//! 2026) that each test changes in a few calls.

use chrono::NaiveDate;

use super::{evaluate, CampaignSettings, Finding};
use crate::domain::opinion::{Decision, Draft, Epreuves, MeasureOpinion, Outcome};
use crate::domain::request::{
    Candidate, DocumentRef, Exam, PreviousDecision, Procedure, Request, RequestedMeasure, Schooling,
};
use crate::domain::{CheckOverride, DiplomaCode, DocumentCategory, MeasureCode, TroubleCode};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The review day of every test: 26 November 2026.
pub fn today() -> NaiveDate {
    d(2026, 11, 26)
}

/// Evaluates with the default settings on [`today`].
pub fn eval(req: &Request, draft: Option<&Draft>) -> Vec<Finding> {
    evaluate(req, draft, today(), &CampaignSettings::default())
}

/// Evaluates on another day.
pub fn eval_on(req: &Request, draft: Option<&Draft>, day: NaiveDate) -> Vec<Finding> {
    evaluate(req, draft, day, &CampaignSettings::default())
}

/// The findings of `rule`.
pub fn fired<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

pub struct RequestBuilder(Request);

pub fn request() -> RequestBuilder {
    RequestBuilder(Request {
        id: "AMX-2026-000123".into(),
        version: 1,
        received_at: d(2026, 10, 3),
        late: false,
        procedure: Procedure::Complete,
        candidate: Candidate {
            last_name: "Durand".into(),
            first_name: "Léa".into(),
            birth_date: d(2009, 4, 17),
            email: None,
            legal_representative: None,
        },
        exam: Exam {
            diploma: DiplomaCode::BacGeneral,
            label: String::new(),
            level: None,
            track: None,
            session: "2027".into(),
            anticipated_session: None,
        },
        schooling: Schooling {
            kind: "public_ou_prive_sous_contrat".into(),
            academy: "Aix-Marseille".into(),
            establishment: None,
        },
        supports: vec![],
        troubles: vec![],
        requested_measures: vec![],
        comments: None,
        documents: vec![],
        previous_decisions: vec![],
    })
}

impl RequestBuilder {
    pub fn diploma(mut self, code: &str) -> Self {
        self.0.exam.diploma = DiplomaCode::from_code(code);
        self
    }
    pub fn session(mut self, s: &str) -> Self {
        self.0.exam.session = s.into();
        self
    }
    pub fn anticipated(mut self, s: &str) -> Self {
        self.0.exam.anticipated_session = Some(s.into());
        self
    }
    pub fn procedure(mut self, p: Procedure) -> Self {
        self.0.procedure = p;
        self
    }
    pub fn received(mut self, day: NaiveDate) -> Self {
        self.0.received_at = day;
        self
    }
    pub fn late(mut self) -> Self {
        self.0.late = true;
        self
    }
    pub fn school(mut self, kind: &str) -> Self {
        self.0.schooling.kind = kind.into();
        self
    }
    pub fn support(mut self, s: &str) -> Self {
        self.0.supports.push(s.into());
        self
    }
    pub fn trouble(mut self, t: TroubleCode) -> Self {
        self.0.troubles.push(t);
        self
    }
    pub fn measure(mut self, code: &str) -> Self {
        self.0.requested_measures.push(RequestedMeasure {
            code: MeasureCode::from_code(code),
            detail: None,
        });
        self
    }
    pub fn measure_detail(mut self, code: &str, detail: &str) -> Self {
        self.0.requested_measures.push(RequestedMeasure {
            code: MeasureCode::from_code(code),
            detail: Some(detail.into()),
        });
        self
    }
    pub fn doc(mut self, category: DocumentCategory, date: Option<NaiveDate>) -> Self {
        let n = self.0.documents.len();
        self.0.documents.push(DocumentRef {
            sha256: format!("{n:064x}"),
            filename: format!("piece-{n}.pdf"),
            media_type: "application/pdf".into(),
            category,
            date,
            pages: Some(2),
        });
        self
    }
    pub fn previous(mut self, session: &str, diploma: &str, measures: &[&str]) -> Self {
        self.0.previous_decisions.push(PreviousDecision {
            session: session.into(),
            diploma: DiplomaCode::from_code(diploma),
            measures: measures.iter().map(|m| MeasureCode::from_code(m)).collect(),
        });
        self
    }
    pub fn build(self) -> Request {
        self.0
    }
}

/// One avis entry, to adjust with [`EntryExt`].
pub fn op(code: &str, decision: Decision) -> MeasureOpinion {
    MeasureOpinion {
        code: MeasureCode::from_code(code),
        decision,
        granted: None,
        detail: None,
        epreuves: Epreuves::Toutes,
        motivation: None,
    }
}

pub trait EntryExt {
    fn granted(self, code: &str) -> Self;
    fn detail(self, s: &str) -> Self;
    fn motivation(self, s: &str) -> Self;
    fn epreuves(self, e: Epreuves) -> Self;
}

impl EntryExt for MeasureOpinion {
    fn granted(mut self, code: &str) -> Self {
        self.granted = Some(MeasureCode::from_code(code));
        self
    }
    fn detail(mut self, s: &str) -> Self {
        self.detail = Some(s.into());
        self
    }
    fn motivation(mut self, s: &str) -> Self {
        self.motivation = Some(s.into());
        self
    }
    fn epreuves(mut self, e: Epreuves) -> Self {
        self.epreuves = e;
        self
    }
}

pub struct DraftBuilder(Draft);

pub fn draft(req: &Request) -> DraftBuilder {
    DraftBuilder(Draft::new_for(req))
}

impl DraftBuilder {
    pub fn entry(mut self, e: MeasureOpinion) -> Self {
        self.0.opinion.measures.push(e);
        self
    }
    pub fn accorde(self, code: &str) -> Self {
        self.entry(op(code, Decision::Accorde))
    }
    pub fn refuse(self, code: &str) -> Self {
        self.entry(op(code, Decision::Refuse))
    }
    pub fn modifie(self, code: &str, granted: &str) -> Self {
        self.entry(op(code, Decision::Modifie).granted(granted))
    }
    pub fn ajoute(self, code: &str) -> Self {
        self.entry(op(code, Decision::Ajoute))
    }
    pub fn motivation(mut self, s: &str) -> Self {
        self.0.opinion.motivation = s.into();
        self
    }
    pub fn incomplet(mut self, missing: &[&str]) -> Self {
        self.0.opinion.outcome = Outcome::Incomplet;
        self.0.opinion.missing_documents = missing.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn override_rule(mut self, rule: &str, measure: Option<&str>) -> Self {
        self.0.overrides.push(CheckOverride {
            rule: rule.into(),
            measure: measure.map(MeasureCode::from_code),
            reason: "Motivation écrite du médecin.".into(),
        });
        self
    }
    pub fn build(self) -> Draft {
        self.0
    }
}
