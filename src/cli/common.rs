//! Helpers shared by the subcommands: passphrase, store path, atomic writes.
