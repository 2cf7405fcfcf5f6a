//! The `avis` binary: parse the command line, run it, turn errors into a
//! French message and an exit status (0 success, 1 refused, 2 usage).

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    avis::hardening::harden_process();
    let cli = match avis::cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            let (text, status) = avis::cli::parse_error_output(&e);
            if status == 0 {
                let _ = std::io::stdout().write_all(text.as_bytes());
            } else {
                let _ = std::io::stderr().write_all(text.as_bytes());
            }
            return ExitCode::from(status as u8);
        }
    };
    match avis::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(avis::cli::Failure(message)) => {
            // Messages may quote a file name or a bundle's text.
            eprintln!("avis : {}", avis::text::sanitize_multiline(&message));
            ExitCode::FAILURE
        }
    }
}
