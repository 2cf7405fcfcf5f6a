//! Generates a large synthetic assignment bundle for benchmarks.
//!
//! Usage: `cargo run --release --example generate_bundle -- OUT_DIR REQUESTS DOCS_PER_REQUEST DOC_SIZE`
//!
//! Writes OUT_DIR/bundle.avis, OUT_DIR/doctor.agekey (the recipient's
//! identity), OUT_DIR/rectorat.pub (the signer to trust). Synthetic data only.

use std::path::PathBuf;

use avis::bundle::SigningKey;
use avis::synth::{write_synthetic_bundle, SynthSpec};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out, requests, docs, size] = args.as_slice() else {
        anyhow::bail!("usage : generate_bundle DOSSIER REQUETES DOCS_PAR_REQUETE TAILLE_DOC");
    };
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    let spec = SynthSpec {
        requests: requests.parse()?,
        documents_per_request: docs.parse()?,
        document_size: size.parse()?,
        seed: 42,
    };
    let identity = age::x25519::Identity::generate();
    let (signer, pub_file) = SigningKey::generate()?;
    {
        use secrecy::ExposeSecret;
        std::fs::write(
            out.join("doctor.agekey"),
            format!("{}\n", identity.to_string().expose_secret()),
        )?;
    }
    std::fs::write(out.join("rectorat.pub"), pub_file)?;
    let work = tempfile::tempdir_in(&out)?;
    let file = std::io::BufWriter::new(std::fs::File::create(out.join("bundle.avis"))?);
    let id = write_synthetic_bundle(&spec, work.path(), file, &signer, &identity.to_public(), 1)?;
    eprintln!("lot {id} écrit dans {}", out.join("bundle.avis").display());
    Ok(())
}
