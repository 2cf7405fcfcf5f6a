//! `avis show ID`: one request, its documents, checks and avis.

use super::ShowArgs;
use crate::cli::common::{open_store, print_out, sanitize, today};
use crate::cli::{Failure, GlobalArgs};

fn json_err(e: serde_json::Error) -> Failure {
    Failure(format!("sortie JSON impossible : {e}"))
}

/// Runs `avis show`.
pub fn run(global: &GlobalArgs, args: ShowArgs) -> Result<(), Failure> {
    let store = open_store(global)?;
    let record = store.request(&args.id)?;
    let draft = store.draft(&args.id)?;
    let status = store.status(&args.id)?;
    let findings = store.findings(&args.id, today(global))?;
    if args.json {
        // The request is embedded exactly as received.
        let raw = String::from_utf8(store.request_bytes(&args.id)?)
            .map_err(|_| Failure("demande illisible".into()))?;
        let opinion = match &draft {
            Some(d) => serde_json::to_string(&d.opinion).map_err(json_err)?,
            None => "null".to_string(),
        };
        let checks: Vec<serde_json::Value> = findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "rule": f.rule,
                    "severity": f.severity,
                    "message": f.message,
                    "measure": f.measure.as_ref().map(|m| m.code().to_string()),
                    "overridden": f.overridden,
                })
            })
            .collect();
        let text = format!(
            "{{\"request\":{},\"opinion\":{},\"status\":{},\"checks\":{},\"written_against_older_version\":{}}}",
            raw.trim(),
            opinion,
            serde_json::to_string(status.code()).map_err(json_err)?,
            serde_json::to_string(&checks).map_err(json_err)?,
            draft.as_ref().is_some_and(|d| d.written_against_older_version),
        );
        return print_out(&text);
    }
    let r = &record.request;
    let s = sanitize;
    let mut out = String::new();
    out.push_str(&format!(
        "Demande {} (version {}, reçue le {}{}) : {}\n",
        s(&r.id),
        r.version,
        r.received_at.format("%d/%m/%Y"),
        if r.late { ", hors délai" } else { "" },
        status.label()
    ));
    out.push_str(&format!(
        "Candidat : {}, né(e) le {}\n",
        s(&r.candidate.display_name()),
        r.candidate.birth_date.format("%d/%m/%Y")
    ));
    out.push_str(&format!(
        "Examen : {} ({}), session {}\n",
        s(if r.exam.label.is_empty() {
            r.exam.diploma.label()
        } else {
            &r.exam.label
        }),
        s(r.exam.diploma.code()),
        s(&r.exam.session)
    ));
    out.push_str(&format!("Procédure : {}\n", s(r.procedure.label())));
    if let Some(e) = &r.schooling.establishment {
        out.push_str(&format!(
            "Établissement : {} ({}), académie {}\n",
            s(&e.name),
            s(&e.city),
            s(&r.schooling.academy)
        ));
    }
    if !r.supports.is_empty() {
        out.push_str(&format!("Dispositifs : {}\n", s(&r.supports.join(", "))));
    }
    if !r.troubles.is_empty() {
        let t: Vec<&str> = r.troubles.iter().map(|t| t.label()).collect();
        out.push_str(&format!("Troubles : {}\n", s(&t.join(", "))));
    }
    out.push_str("Mesures demandées :\n");
    for m in &r.requested_measures {
        out.push_str(&format!(
            "  - {}{}\n",
            s(m.code.label()),
            m.detail
                .as_deref()
                .map(|d| format!(" : {}", s(d)))
                .unwrap_or_default()
        ));
    }
    if let Some(c) = &r.comments {
        out.push_str(&format!("Commentaires : {}\n", s(c)));
    }
    out.push_str("Pièces :\n");
    for d in &r.documents {
        out.push_str(&format!(
            "  - {} ({}{}{}) {}\n",
            s(&d.filename),
            s(d.category.label()),
            d.date
                .map(|x| format!(", {}", x.format("%d/%m/%Y")))
                .unwrap_or_default(),
            d.pages.map(|p| format!(", {p} p.")).unwrap_or_default(),
            s(d.sha256.get(..12).unwrap_or(&d.sha256))
        ));
    }
    for p in &r.previous_decisions {
        let m: Vec<&str> = p.measures.iter().map(|m| m.label()).collect();
        out.push_str(&format!(
            "Décision antérieure : session {}, {} : {}\n",
            s(&p.session),
            s(p.diploma.label()),
            s(&m.join(", "))
        ));
    }
    out.push_str(&format!(
        "Lot d'origine : {} ({})\n",
        s(&record.issuer_name),
        record.bundle_id
    ));
    if findings.is_empty() {
        out.push_str("Contrôles : aucun signalement\n");
    } else {
        out.push_str("Contrôles :\n");
        for f in &findings {
            out.push_str(&format!(
                "  - [{}{}] {} ({})\n",
                f.severity.label(),
                if f.overridden { ", levé" } else { "" },
                s(&f.message),
                s(&f.rule)
            ));
        }
    }
    match &draft {
        None => out.push_str("Avis : pas encore rédigé"),
        Some(d) => {
            let o = &d.opinion;
            out.push_str(&format!("Avis : {}\n", s(o.outcome.label())));
            if d.written_against_older_version {
                out.push_str("  Attention : rédigé sur une version antérieure de la demande\n");
            }
            for m in &o.measures {
                out.push_str(&format!(
                    "  - {} : {}{}{}\n",
                    s(m.code.label()),
                    s(m.decision.label()),
                    m.granted
                        .as_ref()
                        .map(|g| format!(" → {}", s(g.label())))
                        .unwrap_or_default(),
                    m.detail
                        .as_deref()
                        .map(|x| format!(" ({})", s(x)))
                        .unwrap_or_default()
                ));
            }
            if !o.missing_documents.is_empty() {
                out.push_str(&format!(
                    "  Pièces manquantes : {}\n",
                    s(&o.missing_documents.join(", "))
                ));
            }
            if !o.motivation.is_empty() {
                out.push_str(&format!("  Motivation : {}\n", s(&o.motivation)));
            }
            out.push_str(&format!(
                "  Validité : {} (jusqu'à la session {})",
                s(o.validity.kind.label()),
                s(&o.validity.until_session)
            ));
        }
    }
    print_out(out.trim_end())
}
