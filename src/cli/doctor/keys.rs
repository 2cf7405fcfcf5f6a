//! `avis keys show`: the doctor's public keys; `avis keys passphrase`
//! changes the passphrase (see `passphrase.rs`).

use super::{KeysArgs, KeysCommand};
use crate::cli::common::{open_store, print_json, print_out};
use crate::cli::{Failure, GlobalArgs};
use crate::store::fingerprint;

/// Runs `avis keys`.
pub fn run(global: &GlobalArgs, args: KeysArgs) -> Result<(), Failure> {
    let flag = match args.command {
        KeysCommand::Show(flag) => flag,
        KeysCommand::Passphrase(args) => return super::passphrase::run(global, args),
    };
    let store = open_store(global)?;
    let keys = store.public_keys();
    let fp = fingerprint(&keys.signing_key)?;
    if flag.json {
        print_json(&serde_json::json!({
            "age_recipient": keys.age_recipient,
            "signing_key": keys.signing_key,
            "signing_key_file": keys.signing_key_file,
            "fingerprint": fp,
        }))
    } else {
        print_out(&format!(
            "Clé de chiffrement (age) : {}\nClé de signature (minisign) : {}\nEmpreinte : {fp}\n\nFichier de clé publique minisign à transmettre au rectorat :\n{}",
            keys.age_recipient,
            keys.signing_key,
            keys.signing_key_file.trim_end()
        ))
    }
}
