//! Generates a large synthetic assignment bundle for benchmarks.
//!
//! Usage: `cargo run --release --example generate_bundle -- OUT_DIR REQUESTS
//! DOCS_PER_REQUEST DOC_SIZE [DOCTOR_AGE_RECIPIENT]`
//!
//! Writes OUT_DIR/bundle.avis addressed to DOCTOR_AGE_RECIPIENT (default: a
//! fresh identity), also encrypted to OUT_DIR/reference.agekey so that the
//! reference `age -d` can decrypt the same file, and OUT_DIR/rectorat.pub
//! (the signer to trust). Synthetic data only.

use std::path::PathBuf;

use avis::bundle::{keys, SigningKey};
use avis::synth::{write_synthetic_bundle, SynthSpec};
use secrecy::ExposeSecret;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, requests, docs, size, doctor) = match args.as_slice() {
        [o, r, d, s] => (o, r, d, s, None),
        [o, r, d, s, to] => (o, r, d, s, Some(to)),
        _ => anyhow::bail!(
            "usage : generate_bundle DOSSIER REQUETES DOCS_PAR_REQUETE TAILLE_DOC [DESTINATAIRE_AGE]"
        ),
    };
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    let spec = SynthSpec {
        requests: requests.parse()?,
        documents_per_request: docs.parse()?,
        document_size: size.parse()?,
        seed: 42,
    };
    let reference = age::x25519::Identity::generate();
    std::fs::write(
        out.join("reference.agekey"),
        format!("{}\n", reference.to_string().expose_secret()),
    )?;
    let to = match doctor {
        Some(text) => keys::parse_recipient(text)?,
        None => reference.to_public(),
    };
    let (signer, pub_file) = SigningKey::generate()?;
    std::fs::write(out.join("rectorat.pub"), pub_file)?;
    let work = tempfile::tempdir_in(&out)?;
    let file = std::io::BufWriter::new(std::fs::File::create(out.join("bundle.avis"))?);
    let id = write_synthetic_bundle(
        &spec,
        work.path(),
        file,
        &signer,
        &to,
        &[reference.to_public()],
        1,
    )?;
    eprintln!("lot {id} écrit dans {}", out.join("bundle.avis").display());
    Ok(())
}
