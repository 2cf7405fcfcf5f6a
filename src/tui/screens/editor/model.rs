//! The avis editor's model: the draft being written, which part has the
//! focus, the catalogue picker, the one-line detail input, the two text
//! areas (exported motivation, private notes), and the debounced save.

use std::time::Instant;

use super::text::TextField;

use crate::domain::{
    CheckOverride, Decision, DocumentCategory, Draft, Epreuves, MeasureCode, MeasureOpinion,
    Opinion, Outcome, Status, Validity, ValidityKind,
};
use crate::store::RequestRecord;
use crate::tui::worker::CommandId;

use crate::tui::screens::inbox::fold;

/// Functional motivation templates (no diagnosis: the motivation is exported).
pub const TEMPLATES: &[&str] = &[
    "Les aménagements retenus compensent la lenteur d'exécution constatée en situation d'écrit.",
    "Les aménagements retenus permettent au candidat de composer dans des conditions équitables, sans excéder ce que la compensation exige.",
    "La mesure demandée n'est pas retenue : une aide technique utilisée pendant la scolarité répond au même besoin.",
    "Le dossier ne permet pas de se prononcer en l'état : les pièces listées sont nécessaires à l'examen de la demande.",
];

/// Which part of the editor receives the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorFocus {
    Measures,
    Motivation,
    Notes,
    Missing,
}

impl EditorFocus {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            EditorFocus::Measures => "Mesures",
            EditorFocus::Motivation => "Motivation exportée",
            EditorFocus::Notes => "Notes privées",
            EditorFocus::Missing => "Pièces manquantes",
        }
    }
}

/// Where the draft stands with respect to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing to save.
    Saved,
    /// Edited, saving soon.
    Pending,
    /// Sent to the worker.
    Saving,
    /// The last save failed (message).
    Failed(String),
}

/// What the catalogue picker is choosing for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerPurpose {
    /// A measure the doctor adds (`ajoute`).
    Add,
    /// What is advised instead of the requested measure at this row.
    Modify(usize),
}

/// The searchable catalogue picker.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub purpose: PickerPurpose,
    pub query: String,
    pub selected: usize,
}

impl Picker {
    /// An empty picker for `purpose`.
    pub fn new(purpose: PickerPurpose) -> Picker {
        Picker {
            purpose,
            query: String::new(),
            selected: 0,
        }
    }

    /// Catalogue measures matching the query.
    pub fn matches(&self) -> Vec<&'static MeasureCode> {
        let q = fold(&self.query);
        let terms: Vec<&str> = q.split_whitespace().collect();
        MeasureCode::KNOWN
            .iter()
            .filter(|m| {
                let hay = fold(&format!("{} {}", m.code(), m.label()));
                terms.iter().all(|t| hay.contains(t))
            })
            .collect()
    }
}

/// What a one-line input is for.
#[derive(Debug, Clone, PartialEq)]
pub enum LinePurpose {
    /// The detail of the measure at this row (restriction, software, épreuves).
    Detail(usize),
    /// The exported motivation of the measure at this row.
    MeasureMotivation(usize),
    /// The last session the avis holds for.
    UntilSession,
    /// The written reason to override a `bloquant` check.
    Override {
        rule: String,
        measure: Option<MeasureCode>,
    },
}

/// A one-line input.
#[derive(Debug, Clone, PartialEq)]
pub struct LineEdit {
    pub purpose: LinePurpose,
    pub text: String,
}

/// What a list with a preview chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChooserPurpose {
    /// A motivation template, inserted into the motivation.
    Template,
    /// The épreuves of the measure at this row.
    Epreuves(usize),
}

/// A short list to choose from, with a preview of the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chooser {
    pub purpose: ChooserPurpose,
    pub selected: usize,
}

/// The épreuves offered by the chooser, in order.
pub const EPREUVES: [Epreuves; 5] = [
    Epreuves::Toutes,
    Epreuves::Ecrites,
    Epreuves::Orales,
    Epreuves::Pratiques,
    Epreuves::Precisees,
];

/// What the épreuves choice means, for the preview.
pub fn epreuves_preview(e: &Epreuves) -> &'static str {
    match e {
        Epreuves::Toutes => "La mesure vaut pour toutes les épreuves de l'examen.",
        Epreuves::Ecrites => "La mesure ne vaut que pour les épreuves écrites.",
        Epreuves::Orales => "La mesure ne vaut que pour les épreuves orales.",
        Epreuves::Pratiques => "La mesure ne vaut que pour les épreuves pratiques.",
        _ => "La mesure ne vaut que pour les épreuves que vous nommerez ensuite (une saisie s'ouvre).",
    }
}

/// The state of the decisions, for `u` (undo).
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionSnap {
    pub opinion: Opinion,
    pub outcome_override: Option<Outcome>,
    pub selected: usize,
}

/// One line of the measures list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureRow {
    /// The n-th requested measure.
    Requested(usize),
    /// An index into the draft's measures (an `ajoute`).
    Added(usize),
}

/// The editor.
#[derive(Debug, Clone)]
pub struct Editor {
    pub id: String,
    pub draft: Draft,
    /// Requested measures (code, detail), in request order.
    pub requested: Vec<(MeasureCode, Option<String>)>,
    pub session: String,
    pub status: Status,
    pub focus: EditorFocus,
    pub selected: usize,
    pub missing_selected: usize,
    pub motivation: TextField,
    pub notes: TextField,
    pub outcome_override: Option<Outcome>,
    pub picker: Option<Picker>,
    pub line: Option<LineEdit>,
    pub chooser: Option<Chooser>,
    /// The decisions before each change, latest last (`u` undoes).
    pub history: Vec<DecisionSnap>,
    /// When the avis was sent to the rectorat, if it was.
    pub exported_on: Option<chrono::NaiveDate>,
    /// The doctor confirmed reopening the exported avis.
    pub reopen_confirmed: bool,
    /// A change waiting for the confirmation to reopen the exported avis.
    pub confirm_reopen: Option<Box<super::Msg>>,
    pub dirty_since: Option<Instant>,
    pub save: SaveState,
    /// The last save sent to the worker: a reply settles the save state
    /// only if it answers that one or a later command (an earlier save's
    /// reply while a later one is on its way settles nothing).
    pub last_save: Option<CommandId>,
    /// Last feedback (validation refused, saved…), with whether it is an error.
    pub message: Option<(String, bool)>,
}

/// A fresh draft for a request that has none.
pub fn new_draft(record: &RequestRecord) -> Draft {
    Draft {
        opinion: Opinion {
            request_id: record.request.id.clone(),
            request_version: record.request.version,
            request_sha256: Some(record.sha256.clone()),
            outcome: Outcome::Favorable,
            measures: Vec::new(),
            missing_documents: Vec::new(),
            motivation: String::new(),
            validity: Validity {
                kind: ValidityKind::Session,
                until_session: record.request.exam.session.clone(),
            },
            doctor: None,
            decided_at: None,
            overrides: Vec::new(),
        },
        private_notes: String::new(),
        overrides: Vec::new(),
        written_against_older_version: false,
        paper_documents: Vec::new(),
    }
}

impl Editor {
    /// Whether a `Saved` reply to command `to` settles the last save sent:
    /// the worker carries out commands in order, so a reply to that save
    /// or to a later command (an override) says it is done.
    pub fn answers_last_save(&self, to: Option<CommandId>) -> bool {
        to.is_none_or(|to| self.last_save.is_none_or(|last| to >= last))
    }

    /// Whether a failure replying to `to` is the last save's own.
    pub fn is_last_save(&self, to: Option<CommandId>) -> bool {
        to.is_none_or(|to| self.last_save == Some(to))
    }

    /// Shows `text` in the editor's message line.
    pub fn note(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), false));
    }

    /// Shows `text` in the editor's message line as a problem.
    pub fn warn(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), true));
    }

    /// Opens the editor on a request and its draft (a new one if none).
    pub fn new(record: &RequestRecord, draft: Option<&Draft>, status: Status) -> Editor {
        let draft = draft.cloned().unwrap_or_else(|| new_draft(record));
        let requested = record
            .request
            .requested_measures
            .iter()
            .map(|m| (m.code.clone(), m.detail.clone()))
            .collect();
        // A draft may come from `avis opinion apply` (a file): cleaned too.
        let motivation = TextField::new(
            &draft.opinion.motivation,
            "Motivation fonctionnelle, exportée vers le rectorat (sans diagnostic)",
        );
        let notes = TextField::new(
            &draft.private_notes,
            "Notes personnelles : jamais exportées",
        );
        let mut editor = Editor {
            id: record.request.id.clone(),
            requested,
            session: record.request.exam.session.clone(),
            status,
            focus: EditorFocus::Measures,
            selected: 0,
            missing_selected: 0,
            motivation,
            notes,
            outcome_override: None,
            picker: None,
            line: None,
            chooser: None,
            history: Vec::new(),
            exported_on: None,
            reopen_confirmed: false,
            confirm_reopen: None,
            dirty_since: None,
            last_save: None,
            save: SaveState::Saved,
            message: None,
            draft,
        };
        if editor.draft.opinion.outcome != editor.computed_outcome() {
            editor.outcome_override = Some(editor.draft.opinion.outcome.clone());
        }
        editor
    }

    /// Lines of the measures list: requested ones, then added ones.
    pub fn rows(&self) -> Vec<MeasureRow> {
        let mut rows: Vec<MeasureRow> = (0..self.requested.len())
            .map(MeasureRow::Requested)
            .collect();
        rows.extend(
            self.draft
                .opinion
                .measures
                .iter()
                .enumerate()
                .filter(|(_, m)| m.decision == Decision::Ajoute)
                .map(|(i, _)| MeasureRow::Added(i)),
        );
        rows
    }

    /// Index into the draft's measures of the opinion on a row, if decided.
    pub fn opinion_index(&self, row: MeasureRow) -> Option<usize> {
        match row {
            MeasureRow::Added(i) => Some(i),
            MeasureRow::Requested(n) => {
                let code = &self.requested.get(n)?.0;
                self.draft
                    .opinion
                    .measures
                    .iter()
                    .position(|m| &m.code == code && m.decision != Decision::Ajoute)
            }
        }
    }

    /// The opinion on a row, if decided.
    pub fn opinion(&self, row: MeasureRow) -> Option<&MeasureOpinion> {
        self.opinion_index(row)
            .and_then(|i| self.draft.opinion.measures.get(i))
    }

    /// The selected row, if any.
    pub fn selected_row(&self) -> Option<MeasureRow> {
        self.rows().get(self.selected).copied()
    }

    /// Requested measures still without a decision.
    pub fn undecided(&self) -> usize {
        (0..self.requested.len())
            .filter(|&n| self.opinion(MeasureRow::Requested(n)).is_none())
            .count()
    }

    /// The outcome the decisions imply.
    pub fn computed_outcome(&self) -> Outcome {
        if !self.draft.opinion.missing_documents.is_empty() {
            return Outcome::Incomplet;
        }
        let decided: Vec<&Decision> = (0..self.requested.len())
            .filter_map(|n| self.opinion(MeasureRow::Requested(n)))
            .map(|m| &m.decision)
            .collect();
        if decided.is_empty() || decided.iter().all(|d| **d == Decision::Accorde) {
            Outcome::Favorable
        } else if decided.iter().all(|d| **d == Decision::Refuse) {
            Outcome::Defavorable
        } else {
            Outcome::Partiel
        }
    }

    /// The outcome in effect (override, or computed).
    pub fn outcome(&self) -> Outcome {
        self.outcome_override
            .clone()
            .unwrap_or_else(|| self.computed_outcome())
    }

    /// Marks the draft edited at `now`.
    pub fn touch(&mut self, now: Instant) {
        self.draft.opinion.outcome = self.outcome();
        if self.dirty_since.is_none() {
            self.dirty_since = Some(now);
        }
        self.save = SaveState::Pending;
    }

    /// The draft with the text areas' contents.
    pub fn current_draft(&self) -> Draft {
        let mut d = self.draft.clone();
        d.opinion.motivation = self.motivation.text();
        d.private_notes = self.notes.text();
        d.opinion.outcome = self.outcome();
        d
    }

    /// Sets the decision of the selected row.
    pub fn decide(&mut self, decision: Decision, granted: Option<MeasureCode>) -> bool {
        let Some(row) = self.selected_row() else {
            return false;
        };
        match row {
            MeasureRow::Added(_) => false,
            MeasureRow::Requested(n) => {
                let Some((code, detail)) = self.requested.get(n).cloned() else {
                    return false;
                };
                let granted = if decision == Decision::Modifie {
                    granted
                } else {
                    None
                };
                match self.opinion_index(row) {
                    Some(i) => {
                        let m = &mut self.draft.opinion.measures[i];
                        m.decision = decision;
                        if granted.is_some() || m.decision != Decision::Modifie {
                            m.granted = granted;
                        }
                    }
                    None => self.draft.opinion.measures.push(MeasureOpinion {
                        code,
                        decision,
                        granted,
                        detail: if code_needs_detail(&self.requested[n].0) {
                            detail
                        } else {
                            None
                        },
                        epreuves: Epreuves::Toutes,
                        motivation: None,
                    }),
                }
                true
            }
        }
    }

    /// Adds a measure the doctor advises though it was not requested.
    pub fn add(&mut self, code: MeasureCode) {
        self.draft.opinion.measures.push(MeasureOpinion {
            code,
            decision: Decision::Ajoute,
            granted: None,
            detail: None,
            epreuves: Epreuves::Toutes,
            motivation: None,
        });
        self.selected = self.rows().len().saturating_sub(1);
    }

    /// Removes the decision on the selected row (an added measure disappears).
    pub fn remove_selected(&mut self) -> bool {
        let Some(row) = self.selected_row() else {
            return false;
        };
        let Some(i) = self.opinion_index(row) else {
            return false;
        };
        self.draft.opinion.measures.remove(i);
        let len = self.rows().len();
        if self.selected >= len {
            self.selected = len.saturating_sub(1);
        }
        true
    }

    /// Sets the épreuves of the opinion on `row`.
    pub fn set_epreuves(&mut self, row: usize, e: Epreuves) -> bool {
        let Some(i) = self.rows().get(row).and_then(|r| self.opinion_index(*r)) else {
            return false;
        };
        self.draft.opinion.measures[i].epreuves = e;
        true
    }

    /// Remembers the decisions before a change (for `u`).
    pub fn remember(&mut self) {
        self.history.push(DecisionSnap {
            opinion: self.draft.opinion.clone(),
            outcome_override: self.outcome_override.clone(),
            selected: self.selected,
        });
        if self.history.len() > 200 {
            self.history.remove(0);
        }
    }

    /// Undoes the last change of the decisions; the motivation text and
    /// the notes are left as typed.
    pub fn undo_decision(&mut self) -> bool {
        let Some(snap) = self.history.pop() else {
            return false;
        };
        let motivation = std::mem::take(&mut self.draft.opinion.motivation);
        self.draft.opinion = snap.opinion;
        self.draft.opinion.motivation = motivation;
        self.outcome_override = snap.outcome_override;
        self.selected = snap.selected.min(self.rows().len().saturating_sub(1));
        true
    }

    /// Sets the detail of the opinion on `row`.
    pub fn set_detail(&mut self, row: usize, text: &str) -> bool {
        let Some(r) = self.rows().get(row).copied() else {
            return false;
        };
        let Some(i) = self.opinion_index(r) else {
            return false;
        };
        let t = text.trim();
        self.draft.opinion.measures[i].detail = (!t.is_empty()).then(|| t.to_string());
        true
    }

    /// Sets the exported motivation of the opinion on `row`.
    pub fn set_measure_motivation(&mut self, row: usize, text: &str) -> bool {
        let Some(r) = self.rows().get(row).copied() else {
            return false;
        };
        let Some(i) = self.opinion_index(r) else {
            return false;
        };
        let t = text.trim();
        self.draft.opinion.measures[i].motivation = (!t.is_empty()).then(|| t.to_string());
        true
    }

    /// Next outcome override: automatic → favorable → partiel → défavorable → incomplet → automatic.
    pub fn cycle_outcome(&mut self) {
        self.outcome_override = match &self.outcome_override {
            None => Some(Outcome::Favorable),
            Some(Outcome::Favorable) => Some(Outcome::Partiel),
            Some(Outcome::Partiel) => Some(Outcome::Defavorable),
            Some(Outcome::Defavorable) => Some(Outcome::Incomplet),
            Some(_) => None,
        };
    }

    /// Toggles the validity between this session and the whole cycle.
    pub fn toggle_validity(&mut self) {
        let v = &mut self.draft.opinion.validity;
        v.kind = match v.kind {
            ValidityKind::Session => ValidityKind::Cycle,
            _ => ValidityKind::Session,
        };
        if v.until_session.is_empty() {
            v.until_session = self.session.clone();
        }
    }

    /// Toggles the selected category in the missing pièces checklist.
    pub fn toggle_missing(&mut self) {
        let Some(cat) = DocumentCategory::KNOWN.get(self.missing_selected) else {
            return;
        };
        let list = &mut self.draft.opinion.missing_documents;
        if let Some(pos) = list.iter().position(|c| c == cat.code()) {
            list.remove(pos);
        } else {
            list.push(cat.code().to_string());
        }
    }

    /// Whether the checklist holds a category.
    pub fn is_missing(&self, cat: &DocumentCategory) -> bool {
        self.draft
            .opinion
            .missing_documents
            .iter()
            .any(|c| c == cat.code())
    }

    /// Records an override in the editor's copy of the draft, as the store
    /// does, so that the next save keeps it.
    pub fn add_override(&mut self, rule: &str, measure: Option<MeasureCode>, reason: &str) {
        self.draft
            .overrides
            .retain(|o| !(o.rule == rule && o.measure == measure));
        self.draft.overrides.push(CheckOverride {
            rule: rule.to_string(),
            measure,
            reason: reason.trim().to_string(),
        });
    }

    /// Inserts template `i` at the cursor of the motivation.
    pub fn insert_template(&mut self, i: usize) -> bool {
        let Some(t) = TEMPLATES.get(i) else {
            return false;
        };
        if !self.motivation.is_empty() {
            self.motivation.insert_newline();
        }
        self.motivation.insert_str(t)
    }
}

fn code_needs_detail(code: &MeasureCode) -> bool {
    code.needs_detail()
}
