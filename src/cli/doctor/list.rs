//! `avis list`: the requests of the store.

use std::io::Write;

use serde::Serialize;

use super::JsonFlag;
use crate::cli::common::{open_store, print_out, today};
use crate::cli::{Failure, GlobalArgs};
use crate::store::{RequestSummary, ReviewChanges};

/// One line of `avis list --json`; fields in alphabetical order, the order
/// `serde_json::Value` objects print in (the output stays the same).
#[derive(Serialize)]
struct JsonLine<'a> {
    alerts: usize,
    candidate: &'a str,
    diploma: &'a str,
    id: &'a str,
    late: bool,
    procedure: &'a str,
    received_at: String,
    review: Option<JsonReview<'a>>,
    session: &'a str,
    status: &'a str,
}

/// The `review` object of a [`JsonLine`], fields in alphabetical order.
#[derive(Serialize)]
struct JsonReview<'a> {
    added_measures: Vec<&'a str>,
    changed_measures: Vec<&'a str>,
    from_version: u32,
    new_documents: usize,
    removed_measures: Vec<&'a str>,
    to_version: u32,
}

impl<'a> JsonLine<'a> {
    fn of(s: &'a RequestSummary) -> JsonLine<'a> {
        JsonLine {
            alerts: s.alerts,
            candidate: &s.candidate,
            diploma: s.diploma.code(),
            id: &s.id,
            late: s.late,
            procedure: s.procedure.code(),
            received_at: s.received_at.format("%Y-%m-%d").to_string(),
            review: s.review.as_ref().map(JsonReview::of),
            session: &s.session,
            status: s.status.code(),
        }
    }
}

impl<'a> JsonReview<'a> {
    fn of(r: &'a ReviewChanges) -> JsonReview<'a> {
        let codes = |list: &'a [crate::domain::MeasureCode]| -> Vec<&'a str> {
            list.iter().map(|m| m.code()).collect()
        };
        JsonReview {
            added_measures: codes(&r.added_measures),
            changed_measures: codes(&r.changed_measures),
            from_version: r.from_version,
            new_documents: r.new_documents,
            removed_measures: codes(&r.removed_measures),
            to_version: r.to_version,
        }
    }
}

/// Writes the lines as a pretty-printed JSON array, then a newline,
/// streamed (no whole document in memory).
fn write_json(out: &mut impl Write, summaries: &[RequestSummary]) -> std::io::Result<()> {
    /// The lines serialized one at a time.
    struct Lines<'a>(&'a [RequestSummary]);
    impl Serialize for Lines<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(JsonLine::of))
        }
    }
    serde_json::to_writer_pretty(&mut *out, &Lines(summaries))?;
    writeln!(out)?;
    out.flush()
}

/// Runs `avis list`.
pub fn run(global: &GlobalArgs, flag: JsonFlag) -> Result<(), Failure> {
    let store = open_store(global)?;
    let summaries = store.summaries(today(global))?;
    if flag.json {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        return match write_json(&mut out, &summaries) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Failure(format!("écriture impossible sur la sortie : {e}"))),
        };
    }
    if summaries.is_empty() {
        return print_out(
            "Aucune demande dans le magasin : importez un lot du rectorat avec « avis import LOT ».",
        );
    }
    let mut text = String::with_capacity(summaries.len() * 160);
    for s in &summaries {
        use std::fmt::Write as _;
        // Written in place (no line built apart): 100,000 lines are listed.
        let _ = write!(
            text,
            "{:<18} {:<28} {:<22} {:<6} {:<22} {} {:<10} ",
            crate::text::sanitize(&s.id),
            crate::text::sanitize(&s.candidate),
            crate::text::sanitize(s.diploma.label()),
            crate::text::sanitize(&s.session),
            crate::text::sanitize(s.procedure.label()),
            s.received_at.format("%d/%m/%Y"),
            s.status.label(),
        );
        if s.alerts > 0 {
            let _ = write!(text, "{} alerte(s)", s.alerts);
        }
        if s.late {
            text.push_str(" (hors délai)");
        }
        if s.review.is_some() {
            text.push_str(" (à revoir : nouvelle version)");
        }
        text.push('\n');
    }
    text.push_str(&format!("{} demande(s)", summaries.len()));
    print_out(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DiplomaCode, MeasureCode, Procedure, Status};

    /// The output as it was built before (one `serde_json::Value`).
    fn as_values(summaries: &[RequestSummary]) -> String {
        let items: Vec<serde_json::Value> = summaries
            .iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id,
                    "candidate": s.candidate,
                    "diploma": s.diploma.code(),
                    "session": s.session,
                    "procedure": s.procedure.code(),
                    "late": s.late,
                    "received_at": s.received_at.format("%Y-%m-%d").to_string(),
                    "status": s.status.code(),
                    "alerts": s.alerts,
                    "review": s.review.as_ref().map(|r| serde_json::json!({
                        "from_version": r.from_version,
                        "to_version": r.to_version,
                        "new_documents": r.new_documents,
                        "added_measures": r.added_measures.iter().map(|m| m.code()).collect::<Vec<_>>(),
                        "removed_measures": r.removed_measures.iter().map(|m| m.code()).collect::<Vec<_>>(),
                        "changed_measures": r.changed_measures.iter().map(|m| m.code()).collect::<Vec<_>>(),
                    })),
                })
            })
            .collect();
        serde_json::to_string_pretty(&serde_json::Value::Array(items)).unwrap() + "\n"
    }

    fn streamed(summaries: &[RequestSummary]) -> String {
        let mut out = Vec::new();
        write_json(&mut out, summaries).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn streamed_json_is_the_value_output_byte_for_byte() {
        let line = |id: &str, review: Option<ReviewChanges>| RequestSummary {
            id: id.to_string(),
            candidate: "DUPONT \"Zoé\" \u{202e}\n".to_string(),
            diploma: DiplomaCode::from_code("BAC_GENERAL"),
            session: "2026".to_string(),
            procedure: Procedure::from_code("complete"),
            late: review.is_some(),
            received_at: chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            status: Status::Brouillon,
            alerts: 3,
            alerts_pending: false,
            troubles: Vec::new(),
            measures: Vec::new(),
            review,
        };
        let review = ReviewChanges {
            from_version: 1,
            to_version: 3,
            new_documents: 2,
            added_measures: vec![MeasureCode::from_code("TT_33"), MeasureCode::from_code("X")],
            removed_measures: Vec::new(),
            changed_measures: vec![MeasureCode::from_code("SALLE")],
        };
        for summaries in [
            Vec::new(),
            vec![line("R-1", None)],
            vec![
                line("R-1", None),
                line("R-2", Some(review)),
                line("R-3", None),
            ],
        ] {
            assert_eq!(streamed(&summaries), as_values(&summaries));
        }
    }
}
