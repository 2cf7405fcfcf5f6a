//! The `avis` binary: parse the command line, run it, turn errors into a
//! French message and an exit status (0 success, 1 refused, 2 usage).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    avis::hardening::harden_process();
    let cli = avis::cli::Cli::parse();
    match avis::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(avis::cli::Failure(message)) => {
            eprintln!("avis : {message}");
            ExitCode::FAILURE
        }
    }
}
