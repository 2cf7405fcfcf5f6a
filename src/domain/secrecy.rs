//! The secrecy lexicon: what, in a text that leaves the doctor, names a
//! trouble, a diagnosis, a treatment, a care setting, a medical examination
//! or a test score (secret médical). The avis is read by the rectorat, the
//! family (AMEX puts it in the candidate's space, seed 000) and the school
//! (seed 004): it must say needs, not diagnoses.
//!
//! The lexicon is data ([`LEXICON`]): each term with its kind and the
//! functional wording to write instead. Matching is on whole words, without
//! regard to case, accents or a plural `s`; test scores are also matched as
//! patterns (a number followed by `ET` or `DS`). [`scan`] reports each term
//! found once.

use super::checks::words::fold;

/// What a term names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeakKind {
    /// A trouble or a diagnosis.
    Diagnostic,
    /// A treatment or a medicine.
    Traitement,
    /// A care setting, a carer or a follow-up.
    Soin,
    /// A medical examination, a bilan or a test.
    Examen,
    /// A test score or its unit.
    Score,
}

impl LeakKind {
    /// The French label.
    pub fn label(self) -> &'static str {
        match self {
            LeakKind::Diagnostic => "trouble ou diagnostic",
            LeakKind::Traitement => "traitement",
            LeakKind::Soin => "lieu ou professionnel de soin",
            LeakKind::Examen => "examen ou bilan médical",
            LeakKind::Score => "score de test",
        }
    }
}

/// One term found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// The lexicon's form of the term (not the candidate's text).
    pub term: String,
    pub kind: LeakKind,
    /// Functional wording to write instead.
    pub instead: &'static str,
}

// Functional wordings, by need.
const ECRIT: &str = "lenteur et fatigabilité à l'écrit, besoin d'un outil de compensation";
const LECTURE: &str = "lenteur de lecture, besoin que les sujets soient lus ou numériques";
const CALCUL: &str = "difficulté à mobiliser les faits numériques, besoin d'une calculatrice";
const GESTE: &str = "lenteur du geste d'écriture, besoin d'un ordinateur";
const ORAL: &str = "difficulté d'expression orale, besoin de communiquer par écrit";
const ATTENTION: &str =
    "difficulté à maintenir l'attention, besoin d'un environnement calme et de pauses";
const CADRE: &str =
    "besoin d'un cadre prévisible, d'un environnement calme et de consignes écrites";
const VUE: &str =
    "besoin d'un sujet adapté (agrandi, contrasté, numérique) et d'un éclairage adapté";
const AUDITION: &str = "besoin de consignes écrites, de lecture labiale ou d'un interprète";
const MOTEUR: &str = "limitation des gestes ou des déplacements, besoin d'une installation adaptée";
const SANTE: &str = "besoin de pauses pour des soins ou des contrôles, fatigabilité";
const CALME: &str = "besoin d'un environnement calme et de pauses, fatigabilité";
const GENERAL: &str = "le besoin observé (lenteur d'exécution, fatigabilité, aide nécessaire)";
const EXAMEN: &str =
    "les constats fonctionnels (lenteur d'exécution, fatigabilité, besoin observé) sans nommer l'examen";
const SCORE: &str =
    "le retentissement observé (lenteur importante, besoin de temps) sans chiffre de test";
const SOIN: &str = "besoin de pauses pour des soins, absences pour raisons de santé";
const TRAITEMENT: &str = "besoin de pauses ou d'une collation, fatigabilité";

use LeakKind::{Diagnostic as D, Examen as E, Score as S, Soin as C, Traitement as T};

/// The lexicon: term (matched as whole words, accent-, case- and
/// plural-insensitive), kind, functional wording to write instead.
pub const LEXICON: &[(&str, LeakKind, &str)] = &[
    // Troubles des apprentissages and neurodevelopment.
    ("dyslexie", D, LECTURE),
    ("dyslexique", D, LECTURE),
    ("dysorthographie", D, ECRIT),
    ("dysorthographique", D, ECRIT),
    ("dyscalculie", D, CALCUL),
    ("dyscalculique", D, CALCUL),
    ("dyspraxie", D, GESTE),
    ("dyspraxique", D, GESTE),
    ("dysgraphie", D, GESTE),
    ("dysgraphique", D, GESTE),
    ("dysphasie", D, ORAL),
    ("dysphasique", D, ORAL),
    ("dysexécutif", D, ATTENTION),
    ("dysexécutive", D, ATTENTION),
    ("dys", D, ECRIT),
    ("TDC", D, GESTE),
    ("TSLO", D, ORAL),
    ("TSLE", D, LECTURE),
    ("TSLA", D, ECRIT),
    ("TND", D, GENERAL),
    ("TDAH", D, ATTENTION),
    ("TDA", D, ATTENTION),
    ("hyperactivité", D, ATTENTION),
    ("hyperactif", D, ATTENTION),
    ("hyperactive", D, ATTENTION),
    ("déficit de l'attention", D, ATTENTION),
    ("déficit attentionnel", D, ATTENTION),
    ("autisme", D, CADRE),
    ("autiste", D, CADRE),
    ("autistique", D, CADRE),
    ("TSA", D, CADRE),
    ("TED", D, CADRE),
    ("Asperger", D, CADRE),
    ("haut potentiel", D, GENERAL),
    ("HPI", D, GENERAL),
    ("déficience", D, GENERAL),
    ("déficient", D, GENERAL),
    ("déficiente", D, GENERAL),
    ("retard mental", D, GENERAL),
    ("trisomie", D, GENERAL),
    ("X fragile", D, GENERAL),
    // Catalogue trouble labels and their usual synonyms.
    ("trouble", D, GENERAL),
    ("maladie", D, SANTE),
    ("syndrome", D, GENERAL),
    ("pathologie", D, GENERAL),
    ("diagnostic", D, GENERAL),
    ("diagnostiqué", D, GENERAL),
    ("diagnostiquée", D, GENERAL),
    ("handicap psychique", D, CALME),
    ("handicap moteur", D, MOTEUR),
    ("handicap visuel", D, VUE),
    ("handicap auditif", D, AUDITION),
    ("handicap mental", D, GENERAL),
    ("handicap cognitif", D, GENERAL),
    ("lésion", D, GENERAL),
    ("séquelle", D, GENERAL),
    // Vision and hearing.
    ("malvoyance", D, VUE),
    ("malvoyant", D, VUE),
    ("malvoyante", D, VUE),
    ("non voyant", D, VUE),
    ("non voyante", D, VUE),
    ("aveugle", D, VUE),
    ("cécité", D, VUE),
    ("amblyopie", D, VUE),
    ("glaucome", D, VUE),
    ("cataracte", D, VUE),
    ("rétinopathie", D, VUE),
    ("nystagmus", D, VUE),
    ("daltonisme", D, VUE),
    ("acuité visuelle", E, VUE),
    ("champ visuel", E, VUE),
    ("surdité", D, AUDITION),
    ("sourd", D, AUDITION),
    ("sourde", D, AUDITION),
    ("malentendant", D, AUDITION),
    ("malentendante", D, AUDITION),
    ("hypoacousie", D, AUDITION),
    ("implant cochléaire", T, AUDITION),
    ("acouphène", D, AUDITION),
    // Speech.
    ("bégaiement", D, ORAL),
    ("bègue", D, ORAL),
    ("bredouillement", D, ORAL),
    ("aphasie", D, ORAL),
    ("mutisme", D, ORAL),
    // Motor.
    ("hémiparésie", D, MOTEUR),
    ("hémiplégie", D, MOTEUR),
    ("hémiplégique", D, MOTEUR),
    ("tétraplégie", D, MOTEUR),
    ("tétraplégique", D, MOTEUR),
    ("paraplégie", D, MOTEUR),
    ("paraplégique", D, MOTEUR),
    ("paralysie", D, MOTEUR),
    ("myopathie", D, MOTEUR),
    ("dystrophie", D, MOTEUR),
    ("sclérose", D, MOTEUR),
    ("IMC", D, MOTEUR),
    ("infirmité motrice", D, MOTEUR),
    ("spina bifida", D, MOTEUR),
    ("amputation", D, MOTEUR),
    ("amputé", D, MOTEUR),
    ("fracture", D, MOTEUR),
    ("entorse", D, MOTEUR),
    ("plâtre", T, MOTEUR),
    ("scoliose", D, MOTEUR),
    ("arthrite", D, MOTEUR),
    ("polyarthrite", D, MOTEUR),
    ("tendinite", D, MOTEUR),
    ("lombalgie", D, MOTEUR),
    ("AVC", D, MOTEUR),
    ("traumatisme crânien", D, MOTEUR),
    // Chronic and invalidating health troubles.
    ("diabète", D, SANTE),
    ("diabétique", D, SANTE),
    ("insulinodépendant", D, SANTE),
    ("hypoglycémie", D, SANTE),
    ("glycémie", E, SANTE),
    ("glycémique", E, SANTE),
    ("épilepsie", D, SANTE),
    ("épileptique", D, SANTE),
    ("mucoviscidose", D, SANTE),
    ("drépanocytose", D, SANTE),
    ("hémophilie", D, SANTE),
    ("cancer", D, SANTE),
    ("leucémie", D, SANTE),
    ("lymphome", D, SANTE),
    ("tumeur", D, SANTE),
    ("Crohn", D, SANTE),
    ("rectocolite", D, SANTE),
    ("MICI", D, SANTE),
    ("lupus", D, SANTE),
    ("migraine", D, SANTE),
    ("asthme", D, SANTE),
    ("asthmatique", D, SANTE),
    ("allergie", D, SANTE),
    ("insuffisance rénale", D, SANTE),
    ("insuffisance cardiaque", D, SANTE),
    ("cardiopathie", D, SANTE),
    ("VIH", D, SANTE),
    ("hépatite", D, SANTE),
    ("endométriose", D, SANTE),
    ("fibromyalgie", D, SANTE),
    ("narcolepsie", D, SANTE),
    ("apnée du sommeil", D, SANTE),
    ("obésité", D, SANTE),
    ("Ehlers Danlos", D, SANTE),
    ("neurofibromatose", D, SANTE),
    // Psychic troubles.
    ("psychique", D, CALME),
    ("dépression", D, CALME),
    ("dépressif", D, CALME),
    ("dépressive", D, CALME),
    ("anxiété généralisée", D, CALME),
    ("anxiété sociale", D, CALME),
    ("crise d'angoisse", D, CALME),
    ("attaque de panique", D, CALME),
    ("phobie", D, CALME),
    ("phobique", D, CALME),
    ("schizophrénie", D, CALME),
    ("schizophrène", D, CALME),
    ("psychose", D, CALME),
    ("psychotique", D, CALME),
    ("bipolaire", D, CALME),
    ("anorexie", D, CALME),
    ("anorexique", D, CALME),
    ("boulimie", D, CALME),
    ("TOC", D, CALME),
    ("stress post traumatique", D, CALME),
    ("TSPT", D, CALME),
    ("burn out", D, CALME),
    ("scarification", D, CALME),
    ("tentative de suicide", D, CALME),
    // Examinations, bilans and tests.
    ("bilan orthophonique", E, EXAMEN),
    ("bilan neuropsychologique", E, EXAMEN),
    ("bilan psychométrique", E, EXAMEN),
    ("bilan psychomoteur", E, EXAMEN),
    ("bilan d'ergothérapie", E, EXAMEN),
    ("bilan ergothérapique", E, EXAMEN),
    ("bilan ophtalmologique", E, EXAMEN),
    ("bilan orthoptique", E, EXAMEN),
    ("bilan sanguin", E, EXAMEN),
    ("bilan auditif", E, EXAMEN),
    ("orthophonique", E, EXAMEN),
    ("neuropsychologique", E, EXAMEN),
    ("psychométrique", E, EXAMEN),
    ("ergothérapique", E, EXAMEN),
    ("examen neurologique", E, EXAMEN),
    ("IRM", E, EXAMEN),
    ("EEG", E, EXAMEN),
    ("électroencéphalogramme", E, EXAMEN),
    ("ECG", E, EXAMEN),
    ("électrocardiogramme", E, EXAMEN),
    ("scanner cérébral", E, EXAMEN),
    ("audiogramme", E, EXAMEN),
    ("audiométrie", E, EXAMEN),
    ("radiographie", E, EXAMEN),
    ("WISC", E, SCORE),
    ("WAIS", E, SCORE),
    ("WPPSI", E, SCORE),
    ("NEMI", E, SCORE),
    ("K ABC", E, SCORE),
    ("NEPSY", E, SCORE),
    ("BALE", E, SCORE),
    ("EVALEO", E, SCORE),
    ("Exalang", E, SCORE),
    ("BELEC", E, SCORE),
    ("ODEDYS", E, SCORE),
    ("Alouette", E, SCORE),
    ("Conners", E, SCORE),
    ("QI", S, SCORE),
    ("QIT", S, SCORE),
    ("ICV", S, SCORE),
    ("IRP", S, SCORE),
    ("IMT", S, SCORE),
    ("IVT", S, SCORE),
    ("quotient intellectuel", S, SCORE),
    ("écart type", S, SCORE),
    ("déviation standard", S, SCORE),
    ("percentile", S, SCORE),
    ("centile", S, SCORE),
    ("note standard", S, SCORE),
    ("âge lexique", S, SCORE),
    ("âge de lecture", S, SCORE),
    ("z score", S, SCORE),
    // Care settings, carers and follow-up.
    ("orthophonie", C, SOIN),
    ("orthophoniste", C, SOIN),
    ("ergothérapie", C, SOIN),
    ("ergothérapeute", C, SOIN),
    ("psychomotricité", C, SOIN),
    ("psychomotricien", C, SOIN),
    ("psychomotricienne", C, SOIN),
    ("orthoptie", C, SOIN),
    ("orthoptiste", C, SOIN),
    ("kinésithérapie", C, SOIN),
    ("kinésithérapeute", C, SOIN),
    ("kiné", C, SOIN),
    ("psychologue", C, SOIN),
    ("psychologique", C, SOIN),
    ("psychothérapie", C, SOIN),
    ("psychiatre", C, SOIN),
    ("psychiatrie", C, SOIN),
    ("psychiatrique", C, SOIN),
    ("pédopsychiatre", C, SOIN),
    ("pédopsychiatrie", C, SOIN),
    ("neuropsychologue", C, SOIN),
    ("neurologue", C, SOIN),
    ("neuropédiatre", C, SOIN),
    ("ophtalmologue", C, SOIN),
    ("ophtalmologiste", C, SOIN),
    ("ORL", C, SOIN),
    ("cardiologue", C, SOIN),
    ("endocrinologue", C, SOIN),
    ("diabétologue", C, SOIN),
    ("oncologue", C, SOIN),
    ("CMP", C, SOIN),
    ("CMPP", C, SOIN),
    ("CAMSP", C, SOIN),
    ("SESSAD", C, SOIN),
    ("IME", C, SOIN),
    ("ITEP", C, SOIN),
    ("hôpital", C, SOIN),
    ("hospitalisation", C, SOIN),
    ("hospitalisé", C, SOIN),
    ("hospitalisée", C, SOIN),
    ("rééducation", C, SOIN),
    ("suivi médical", C, SOIN),
    ("suivi psychologique", C, SOIN),
    ("suivi orthophonique", C, SOIN),
    // Treatments and medicines.
    ("traitement médicamenteux", T, TRAITEMENT),
    ("sous traitement", T, TRAITEMENT),
    ("médicament", T, TRAITEMENT),
    ("médication", T, TRAITEMENT),
    ("effet secondaire", T, TRAITEMENT),
    ("Ritaline", T, TRAITEMENT),
    ("méthylphénidate", T, TRAITEMENT),
    ("Concerta", T, TRAITEMENT),
    ("Medikinet", T, TRAITEMENT),
    ("Quasym", T, TRAITEMENT),
    ("insuline", T, TRAITEMENT),
    ("pompe à insuline", T, TRAITEMENT),
    ("antiépileptique", T, TRAITEMENT),
    ("anticonvulsivant", T, TRAITEMENT),
    ("neuroleptique", T, TRAITEMENT),
    ("antidépresseur", T, TRAITEMENT),
    ("anxiolytique", T, TRAITEMENT),
    ("antipsychotique", T, TRAITEMENT),
    ("psychotrope", T, TRAITEMENT),
    ("benzodiazépine", T, TRAITEMENT),
    ("corticoïde", T, TRAITEMENT),
    ("cortisone", T, TRAITEMENT),
    ("chimiothérapie", T, TRAITEMENT),
    ("radiothérapie", T, TRAITEMENT),
    ("dialyse", T, TRAITEMENT),
    ("greffe", T, TRAITEMENT),
];

/// Word forms (lower case, accents kept) that look like a term once folded
/// but are not one: "troublé" (upset) folds to "trouble".
const NOT_TERMS: &[&str] = &["troublé", "troublée", "troublés", "troublées"];

/// The functional wording proposed for a configured extra term.
const EXTRA_INSTEAD: &str = GENERAL;

/// A word of a text: its lower-case form (accents kept), its matching key
/// (folded, plural `s` dropped) and whether it was written in capitals.
struct Token {
    lower: String,
    key: String,
    upper: bool,
}

/// The matching key of a folded word: a final `s` is dropped from words of
/// more than three letters (plural-insensitive matching).
fn key_of(folded: &str) -> String {
    if folded.chars().count() > 3 && folded.ends_with('s') {
        folded[..folded.len() - 1].to_string()
    } else {
        folded.to_string()
    }
}

fn tokens(text: &str) -> Vec<Token> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| Token {
            lower: w.to_lowercase(),
            key: key_of(&fold(w)),
            upper: w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase),
        })
        .collect()
}

/// The matching keys of a term or an allowed phrase.
fn keys(phrase: &str) -> Vec<String> {
    tokens(phrase).into_iter().map(|t| t.key).collect()
}

/// Where `phrase` (keys) occurs among `toks`: the start of each occurrence.
fn occurrences(toks: &[Token], phrase: &[String]) -> Vec<usize> {
    if phrase.is_empty() || toks.len() < phrase.len() {
        return Vec::new();
    }
    (0..=toks.len() - phrase.len())
        .filter(|&i| {
            toks[i..i + phrase.len()]
                .iter()
                .zip(phrase)
                .all(|(t, p)| &t.key == p)
        })
        .collect()
}

/// Whether a token is a score written as a number followed by `ET`/`DS`
/// (`-1,5 ET`, `2DS`): the unit is in capitals, so "1 et 2" is not one.
fn score_at(toks: &[Token], i: usize) -> bool {
    let t = &toks[i];
    let unit = |s: &str| s == "et" || s == "ds";
    // "2ET" in one word.
    if t.upper {
        let digits = t.lower.trim_end_matches(|c: char| c.is_alphabetic());
        let tail = &t.lower[digits.len()..];
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && unit(tail) {
            return true;
        }
    }
    // "1,5 ET": a number, then the unit in capitals.
    i > 0 && t.upper && unit(&t.lower) && toks[i - 1].lower.chars().all(|c| c.is_ascii_digit())
}

/// The terms of the lexicon (and of `extra`) that `text` names, each once,
/// in the order of the lexicon. Words within one of the `allowed` phrases
/// (a measure's label, the name of a pièce in the missing-pièces list) do
/// not count.
pub fn scan_with(text: &str, allowed: &[&str], extra: &[&str]) -> Vec<Leak> {
    let toks = tokens(text);
    if toks.is_empty() {
        return Vec::new();
    }
    let mut free = vec![true; toks.len()];
    for phrase in allowed {
        let k = keys(phrase);
        for start in occurrences(&toks, &k) {
            free[start..start + k.len()]
                .iter_mut()
                .for_each(|f| *f = false);
        }
    }
    let mut leaks: Vec<Leak> = Vec::new();
    let mut found = |term: &str, kind, instead| {
        if !leaks.iter().any(|l| l.term == term) {
            leaks.push(Leak {
                term: term.to_string(),
                kind,
                instead,
            });
        }
    };
    for (term, kind, instead) in LEXICON {
        let k = keys(term);
        let hit = occurrences(&toks, &k).into_iter().any(|start| {
            let span = start..start + k.len();
            free[span.clone()].iter().any(|f| *f)
                && !(k.len() == 1 && NOT_TERMS.contains(&toks[start].lower.as_str()))
        });
        if hit {
            found(term, *kind, instead);
        }
    }
    if (0..toks.len()).any(|i| free[i] && score_at(&toks, i)) {
        found("ET (écart-type)", LeakKind::Score, SCORE);
    }
    for term in extra {
        let k = keys(term);
        let hit = occurrences(&toks, &k)
            .into_iter()
            .any(|start| free[start..start + k.len()].iter().any(|f| *f));
        if hit {
            // The configured term is the campaign's, not the candidate's.
            found(term.trim(), LeakKind::Diagnostic, EXTRA_INSTEAD);
        }
    }
    leaks
}

/// The terms of the lexicon that `text` names (see [`scan_with`]).
pub fn scan(text: &str) -> Vec<Leak> {
    scan_with(text, &[], &[])
}

/// One French sentence about the leaks of a text: which words, and what to
/// write instead. Empty for no leak.
pub fn advice(leaks: &[Leak]) -> String {
    let Some(first) = leaks.first() else {
        return String::new();
    };
    let named: Vec<String> = leaks
        .iter()
        .take(4)
        .map(|l| format!("« {} » ({})", l.term, l.kind.label()))
        .collect();
    let more = if leaks.len() > 4 { ", …" } else { "" };
    format!(
        "nomme {}{more}. Écrivez plutôt le besoin, par exemple « {} »",
        named.join(", "),
        first.instead
    )
}

#[cfg(test)]
mod tests;
