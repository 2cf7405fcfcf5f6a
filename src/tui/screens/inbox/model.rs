//! The inbox model: rows with their cleaned display strings and a folded
//! search haystack computed once, the current filter and sort, and the view
//! (indices into the rows) recomputed on each change. Stays fast for tens of
//! thousands of rows: filtering is a substring test per row, and only the
//! visible rows are drawn.

use crate::domain::checks::CampaignSettings;
use crate::domain::{DiplomaCode, Status};
use crate::store::RequestSummary;

use crate::tui::clean::clean;

/// Sort orders of the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Received,
    Deadline,
    Name,
    Status,
}

impl SortKey {
    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Received => "réception",
            SortKey::Deadline => "échéance (premières épreuves)",
            SortKey::Name => "nom",
            SortKey::Status => "statut",
        }
    }

    fn next(self) -> SortKey {
        match self {
            SortKey::Received => SortKey::Deadline,
            SortKey::Deadline => SortKey::Name,
            SortKey::Name => SortKey::Status,
            SortKey::Status => SortKey::Received,
        }
    }
}

/// One line of the inbox, with what the screen and the filter need.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxRow {
    pub summary: RequestSummary,
    /// Cleaned display strings.
    pub id: String,
    pub candidate: String,
    pub diploma: String,
    /// Abbreviated diploma, for narrow terminals.
    pub diploma_short: String,
    pub session: String,
    /// Lowercase, accent-free text searched by `/`.
    pub haystack: String,
    /// The candidate's name folded the same way (sorting by name).
    pub name_key: String,
    /// The first exam day of the diploma and session (default campaign
    /// settings), the échéance the doctor works towards.
    pub first_exam: Option<chrono::NaiveDate>,
}

impl InboxRow {
    /// Builds a row from a summary (cleaning every untrusted string once).
    pub fn new(summary: RequestSummary) -> InboxRow {
        Self::with_settings(summary, &CampaignSettings::default())
    }

    /// Same, with the campaign settings giving the exam dates.
    pub fn with_settings(summary: RequestSummary, settings: &CampaignSettings) -> InboxRow {
        let mut hay = String::new();
        hay.push_str(&summary.id);
        hay.push(' ');
        hay.push_str(&summary.candidate);
        hay.push(' ');
        hay.push_str(summary.diploma.code());
        hay.push(' ');
        hay.push_str(summary.diploma.label());
        hay.push(' ');
        hay.push_str(&summary.session);
        for t in &summary.troubles {
            hay.push(' ');
            hay.push_str(t.code());
            hay.push(' ');
            hay.push_str(t.label());
        }
        for m in &summary.measures {
            hay.push(' ');
            hay.push_str(m.code());
            hay.push(' ');
            hay.push_str(m.label());
        }
        InboxRow {
            id: clean(&summary.id),
            candidate: clean(&summary.candidate),
            diploma: clean(summary.diploma.label()),
            diploma_short: clean(short_diploma(&summary.diploma)),
            session: clean(&summary.session),
            haystack: fold(&hay),
            name_key: fold(&summary.candidate),
            first_exam: settings.first_exam(&summary.diploma, &summary.session),
            summary,
        }
    }
}

/// A short name of a diploma ("Bac gén.", "DNB"…) for narrow screens.
pub fn short_diploma(d: &DiplomaCode) -> &str {
    match d {
        DiplomaCode::Dnb => "DNB",
        DiplomaCode::Cfg => "CFG",
        DiplomaCode::BacGeneral => "Bac général",
        DiplomaCode::BacTechno => "Bac techno",
        DiplomaCode::BacPro => "Bac pro",
        DiplomaCode::Cap => "CAP",
        DiplomaCode::Bep => "BEP",
        DiplomaCode::Bp => "BP",
        DiplomaCode::Bma => "BMA",
        DiplomaCode::Mc => "MC",
        DiplomaCode::Bts => "BTS",
        DiplomaCode::Dcg => "DCG",
        DiplomaCode::Dscg => "DSCG",
        DiplomaCode::Capa => "CAPA",
        DiplomaCode::Bepa => "BEPA",
        DiplomaCode::Bpa => "BPA",
        DiplomaCode::BpAgricole => "BP agri.",
        DiplomaCode::BacTechnoStav => "Bac STAV",
        DiplomaCode::BacProAgricole => "Bac pro agri.",
        DiplomaCode::Btsa => "BTSA",
        DiplomaCode::Cs => "CS agricole",
        DiplomaCode::Other(code) => code.as_str(),
    }
}

/// Lowercase and strip the accents of French text, for matching.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        // Most of the text (ids, codes, labels) is ASCII.
        if c.is_ascii() {
            out.push(if c == '_' {
                ' '
            } else {
                c.to_ascii_lowercase()
            });
            continue;
        }
        for l in c.to_lowercase() {
            let base = match l {
                'à' | 'â' | 'ä' | 'á' | 'ã' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'î' | 'ï' | 'í' | 'ì' => 'i',
                'ô' | 'ö' | 'ó' | 'ò' | 'õ' => 'o',
                'ù' | 'û' | 'ü' | 'ú' => 'u',
                'ç' => 'c',
                'ÿ' => 'y',
                'ñ' => 'n',
                'œ' => {
                    out.push('o');
                    'e'
                }
                'æ' => {
                    out.push('a');
                    'e'
                }
                '_' => ' ',
                other => other,
            };
            out.push(base);
        }
    }
    out
}

/// The inbox state.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxState {
    pub rows: Vec<InboxRow>,
    /// Indices into `rows`, filtered and sorted.
    pub view: Vec<usize>,
    /// Index into `view`.
    pub selected: usize,
    /// First visible index into `view`.
    pub offset: usize,
    pub sort: SortKey,
    pub descending: bool,
    pub status_filter: Option<Status>,
    /// Only the requests "à revoir" (key 5).
    pub review_only: bool,
    pub query: String,
    pub editing_filter: bool,
    /// Whether summaries were received at least once.
    pub loaded: bool,
    /// The store's campaign settings (exam dates for the échéance).
    pub settings: CampaignSettings,
}

impl Default for InboxState {
    fn default() -> Self {
        InboxState {
            rows: Vec::new(),
            view: Vec::new(),
            selected: 0,
            offset: 0,
            sort: SortKey::Received,
            descending: false,
            status_filter: None,
            review_only: false,
            query: String::new(),
            editing_filter: false,
            loaded: false,
            settings: CampaignSettings::default(),
        }
    }
}

impl InboxState {
    /// Replaces the rows, keeping the selected request if it still exists.
    pub fn set_summaries(&mut self, summaries: Vec<RequestSummary>) {
        let keep = self.selected_id().map(str::to_string);
        let settings = &self.settings;
        self.rows = summaries
            .into_iter()
            .map(|s| InboxRow::with_settings(s, settings))
            .collect();
        self.loaded = true;
        self.refresh(keep.as_deref());
    }

    /// The selected row, if any.
    pub fn selected_row(&self) -> Option<&InboxRow> {
        self.view.get(self.selected).and_then(|&i| self.rows.get(i))
    }

    /// The selected request's id (raw, as the store knows it).
    pub fn selected_id(&self) -> Option<&str> {
        self.selected_row().map(|r| r.summary.id.as_str())
    }

    /// Number of requests per status, in the order à traiter, brouillon,
    /// validé, exporté.
    pub fn counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for r in &self.rows {
            c[status_index(r.summary.status)] += 1;
        }
        c
    }

    /// Number of requests "à revoir".
    pub fn review_count(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.summary.review.is_some())
            .count()
    }

    /// Recomputes the view after a change of filter, sort or rows.
    pub fn refresh(&mut self, keep: Option<&str>) {
        let terms: Vec<String> = fold(&self.query)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let status = self.status_filter;
        let review_only = self.review_only;
        self.view = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| status.is_none_or(|s| r.summary.status == s))
            .filter(|(_, r)| !review_only || r.summary.review.is_some())
            .filter(|(_, r)| terms.iter().all(|t| r.haystack.contains(t.as_str())))
            .map(|(i, _)| i)
            .collect();
        let rows = &self.rows;
        let key = self.sort;
        self.view.sort_by(|&a, &b| {
            let (ra, rb) = (&rows[a], &rows[b]);
            let (a, b) = (&ra.summary, &rb.summary);
            let ord = match key {
                SortKey::Received => a.received_at.cmp(&b.received_at),
                // Soonest exams first, unknown dates last; late ones first.
                SortKey::Deadline => (ra.first_exam.is_none(), ra.first_exam)
                    .cmp(&(rb.first_exam.is_none(), rb.first_exam))
                    .then(b.late.cmp(&a.late))
                    .then(a.received_at.cmp(&b.received_at)),
                SortKey::Name => ra.name_key.cmp(&rb.name_key),
                SortKey::Status => a.status.cmp(&b.status),
            };
            ord.then_with(|| a.id.cmp(&b.id))
        });
        if self.descending {
            self.view.reverse();
        }
        self.selected = keep
            .and_then(|id| {
                self.view
                    .iter()
                    .position(|&i| self.rows[i].summary.id == id)
            })
            .unwrap_or(0);
        self.offset = 0;
    }

    /// Moves the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            self.selected = 0;
            return;
        }
        let last = self.view.len() - 1;
        let target = (self.selected as isize)
            .saturating_add(delta)
            .clamp(0, last as isize);
        self.selected = target as usize;
    }

    /// Next sort key (the direction resets to ascending).
    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.descending = false;
        let keep = self.selected_id().map(str::to_string);
        self.refresh(keep.as_deref());
    }

    /// Reverses the order.
    pub fn reverse(&mut self) {
        self.descending = !self.descending;
        let keep = self.selected_id().map(str::to_string);
        self.refresh(keep.as_deref());
    }

    /// Sets the status of one request (after a save or a validation).
    pub fn set_status(&mut self, id: &str, status: Status) {
        if let Some(r) = self.rows.iter_mut().find(|r| r.summary.id == id) {
            r.summary.status = status;
        }
    }

    /// Keeps the selection visible in a window of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = visible_offset(self.offset, self.selected, height);
    }
}

/// First visible row so that `selected` is inside a window of `height` rows
/// starting near `offset`.
pub fn visible_offset(offset: usize, selected: usize, height: usize) -> usize {
    let height = height.max(1);
    if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    }
}

/// Position of a status in [`InboxState::counts`].
pub fn status_index(status: Status) -> usize {
    match status {
        Status::ATraiter => 0,
        Status::Brouillon => 1,
        Status::Valide => 2,
        Status::Exporte => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_lowers_strips_french_accents_and_ligatures() {
        assert_eq!(fold("ÉTIENNE Jules"), "etienne jules");
        assert_eq!(fold("Cœur Æsop Ça"), "coeur aesop ca");
        assert_eq!(fold("tiers_temps BTS-2027"), "tiers temps bts-2027");
        assert_eq!(fold("ÀÂÄÎÏÔÖÙÛÜŸÑ"), "aaaiioouuuyn");
    }

    #[test]
    fn sorting_by_name_ignores_case_and_accents() {
        let mut inbox = InboxState::default();
        let mut lines = crate::tui::sample::summaries(3);
        lines[0].candidate = "ZOLA Émile".into();
        lines[1].candidate = "éluard Paul".into();
        lines[2].candidate = "DUMAS Alexandre".into();
        inbox.set_summaries(lines);
        inbox.sort = SortKey::Name;
        inbox.refresh(None);
        let names: Vec<&str> = inbox
            .view
            .iter()
            .map(|&i| inbox.rows[i].summary.candidate.as_str())
            .collect();
        assert_eq!(names, ["DUMAS Alexandre", "éluard Paul", "ZOLA Émile"]);
    }
}
