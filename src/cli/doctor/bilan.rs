//! `avis bilan`: the activity figures of a season or a date range (counts
//! only: no name, no identifier, nothing medical).

use chrono::NaiveDate;
use clap::Args;

use crate::cli::common::{open_store, print_json, today};
use crate::cli::{Failure, GlobalArgs};
use crate::figures::{self, Period};

/// `avis bilan`.
#[derive(Debug, Args)]
pub struct BilanArgs {
    /// Sortie JSON stable.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Sortie CSV (séparateur « ; », UTF-8 avec BOM, pour un tableur).
    #[arg(long)]
    pub csv: bool,
    /// Les demandes de la session AAAA.
    #[arg(long, value_name = "AAAA", conflicts_with_all = ["du", "au"])]
    pub saison: Option<String>,
    /// Les demandes reçues à partir de cette date (AAAA-MM-JJ).
    #[arg(long, value_name = "DATE", requires = "au")]
    pub du: Option<NaiveDate>,
    /// Les demandes reçues jusqu'à cette date incluse (AAAA-MM-JJ).
    #[arg(long, value_name = "DATE", requires = "du")]
    pub au: Option<NaiveDate>,
}

fn period(args: &BilanArgs) -> Result<Period, Failure> {
    if let Some(year) = &args.saison {
        let year = year.trim();
        if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
            return Err(Failure(
                "--saison attend une année sur quatre chiffres (par exemple --saison 2027)".into(),
            ));
        }
        return Ok(Period::Season(year.to_string()));
    }
    match (args.du, args.au) {
        (Some(from), Some(to)) if from > to => Err(Failure(format!(
            "période vide : --du {} est après --au {} ; inversez les dates",
            from.format("%d/%m/%Y"),
            to.format("%d/%m/%Y")
        ))),
        (Some(from), Some(to)) => Ok(Period::Range { from, to }),
        _ => Ok(Period::All),
    }
}

/// Runs `avis bilan`.
pub fn run(global: &GlobalArgs, args: BilanArgs) -> Result<(), Failure> {
    let period = period(&args)?;
    let store = open_store(global)?;
    let facts = figures::facts(&store, today(global))?;
    let figures = figures::compute(&facts, &period);
    if args.json {
        return print_json(&figures::to_json(&figures));
    }
    if args.csv {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        return match out
            .write_all(figures::to_csv(&figures).as_bytes())
            .and_then(|_| out.flush())
        {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Failure(format!("écriture impossible sur la sortie : {e}"))),
        };
    }
    crate::cli::common::print_out(&figures::to_text(&figures))
}
