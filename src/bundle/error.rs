//! Typed bundle errors, each with a French message saying what is wrong and
//! what to do.
//!
//! Messages never quote the content of a bundle (candidate data); entry paths
//! may be quoted, always sanitised with [`clean_path`] first since they are
//! hostile input.

/// What to do when a bundle is refused: ask the sender for a new one.
const ASK_SENDER: &str = "demandez à l'expéditeur de vous renvoyer un lot";

/// Why a bundle was refused, or a key or bundle could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Reading or writing a file failed.
    #[error("lecture ou écriture impossible : {0} ; vérifiez le chemin, les droits et l'espace disque, puis recommencez")]
    Io(#[from] std::io::Error),

    // --- age layer ---
    /// The input is not an age file (binary or armored).
    #[error("ce fichier n'est pas un lot avis chiffré (format age non reconnu) ; vérifiez que vous avez choisi le bon fichier")]
    NotAgeFile,
    /// The file is encrypted with a passphrase, which a bundle never is.
    #[error("ce fichier est chiffré par phrase de passe, ce qu'un lot avis n'est jamais ; {ASK_SENDER}, chiffré pour votre clé")]
    PassphraseEncrypted,
    /// None of the reader's identities can decrypt the file.
    #[error("ce lot n'est pas chiffré pour votre clé ; vérifiez l'identité utilisée, ou {ASK_SENDER} chiffré pour votre destinataire age")]
    NotForThisKey,
    /// The age header could not be decrypted (corrupted header).
    #[error("l'en-tête de chiffrement du lot est endommagé ; {ASK_SENDER}")]
    DamagedHeader,
    /// The encrypted stream is truncated or was altered.
    #[error("le lot est incomplet ou a été modifié en transit (déchiffrement impossible) ; {ASK_SENDER}")]
    Damaged,

    // --- archive layer ---
    /// The decrypted content is not a valid tar archive.
    #[error("le contenu déchiffré n'est pas une archive tar valide ; {ASK_SENDER}")]
    MalformedArchive,
    /// The first entry is not `manifest.json`.
    #[error("la première entrée du lot doit être manifest.json ; ce lot ne suit pas le format avis, {ASK_SENDER}")]
    ManifestNotFirst,
    /// The second entry is not `manifest.json.minisig`.
    #[error(
        "la deuxième entrée du lot doit être la signature manifest.json.minisig ; {ASK_SENDER}"
    )]
    SignatureNotSecond,
    /// Too many entries in the archive.
    #[error("le lot contient plus de {limit} entrées, au-delà de la limite du format ; {ASK_SENDER} découpé en plusieurs lots")]
    TooManyEntries {
        /// The maximum.
        limit: usize,
    },
    /// An entry is bigger than the format allows.
    #[error("l'entrée « {path} » dépasse la taille maximale de {limit} octets ; {ASK_SENDER}")]
    EntryTooLarge {
        /// Sanitised path.
        path: String,
        /// The limit in bytes.
        limit: u64,
    },

    // --- signature layer ---
    /// The signature file cannot be parsed.
    #[error("la signature manifest.json.minisig est illisible ; {ASK_SENDER}")]
    MalformedSignature,
    /// No trusted key matches the signer.
    #[error("le lot est signé par une clé qui ne fait pas partie de vos clés de confiance ; vérifiez l'expéditeur, puis ajoutez sa clé publique si elle est légitime (avis trust add)")]
    UntrustedSigner,
    /// The signature does not match the manifest (edited after signing).
    #[error("la signature du lot ne correspond pas à son contenu : le manifeste a été modifié après signature ; n'utilisez pas ce lot et {ASK_SENDER}")]
    BadSignature,
    /// The manifest names a signing key other than the one that verified.
    #[error("le manifeste annonce une clé de signature différente de celle qui l'a signé ; n'utilisez pas ce lot et {ASK_SENDER}")]
    SignerMismatch,

    // --- manifest layer ---
    /// `manifest.json` is not valid JSON or lacks required fields.
    #[error("manifest.json est invalide ({reason}) ; {ASK_SENDER}")]
    InvalidManifest {
        /// What is wrong (no candidate data).
        reason: String,
    },
    /// `format` is not `avis-bundle`.
    #[error("ce fichier n'est pas un lot avis (champ « format » inattendu) ; vérifiez que vous avez choisi le bon fichier")]
    NotAvisBundle,
    /// Unknown format version.
    #[error("version de lot {found} non prise en charge (versions prises en charge : {supported}) ; mettez à jour avis ou demandez un lot en version {supported}")]
    UnsupportedVersion {
        /// The version found in the manifest.
        found: String,
        /// The versions this reader supports.
        supported: String,
    },
    /// The bundle kind is not the one expected.
    #[error("ce lot est de type « {found} » alors qu'un lot de type « {expected} » est attendu ; vérifiez que vous avez choisi le bon fichier")]
    WrongKind {
        /// Expected kind.
        expected: &'static str,
        /// Kind found.
        found: &'static str,
    },
    /// The manifest's recipient is not the reader.
    #[error("ce lot est destiné à une autre personne (le destinataire signé n'est pas votre clé) ; n'utilisez pas ce lot et signalez-le à l'expéditeur")]
    WrongRecipient,

    // --- entries ---
    /// A path that does not match the format's path rules.
    #[error("chemin d'entrée non autorisé : « {path} » ; {ASK_SENDER}")]
    InvalidPath {
        /// Sanitised path.
        path: String,
    },
    /// An absolute path.
    #[error("chemin absolu refusé : « {path} » ; ce lot est dangereux, ne l'utilisez pas et {ASK_SENDER}")]
    AbsolutePath {
        /// Sanitised path.
        path: String,
    },
    /// A path with a `..` component.
    #[error("chemin contenant « .. » refusé : « {path} » ; ce lot est dangereux, ne l'utilisez pas et {ASK_SENDER}")]
    ParentPath {
        /// Sanitised path.
        path: String,
    },
    /// A symbolic or hard link.
    #[error("lien (symbolique ou physique) refusé : « {path} » ; un lot ne contient que des fichiers, {ASK_SENDER}")]
    Link {
        /// Sanitised path.
        path: String,
    },
    /// A device, fifo or other special entry.
    #[error("entrée spéciale refusée (ni fichier ni dossier) : « {path} » ; {ASK_SENDER}")]
    SpecialEntry {
        /// Sanitised path.
        path: String,
    },
    /// An entry not listed in the manifest.
    #[error("l'entrée « {path} » ne figure pas au manifeste signé ; n'utilisez pas ce lot et {ASK_SENDER}")]
    UnlistedEntry {
        /// Sanitised path.
        path: String,
    },
    /// A manifest entry missing from the archive.
    #[error("l'entrée « {path} » annoncée par le manifeste manque dans le lot ; {ASK_SENDER}")]
    MissingEntry {
        /// Sanitised path.
        path: String,
    },
    /// The same path twice (in the archive or the manifest).
    #[error("l'entrée « {path} » apparaît deux fois ; n'utilisez pas ce lot et {ASK_SENDER}")]
    DuplicateEntry {
        /// Sanitised path.
        path: String,
    },
    /// Archive order differs from manifest order.
    #[error("l'entrée « {path} » n'est pas à la place annoncée par le manifeste ; {ASK_SENDER}")]
    OutOfOrder {
        /// Sanitised path.
        path: String,
    },
    /// Size differs from the manifest.
    #[error("la taille de l'entrée « {path} » ne correspond pas au manifeste signé ; n'utilisez pas ce lot et {ASK_SENDER}")]
    SizeMismatch {
        /// Sanitised path.
        path: String,
    },
    /// SHA-256 differs from the manifest (tampered entry).
    #[error("le contenu de l'entrée « {path} » ne correspond pas à l'empreinte du manifeste signé (pièce modifiée) ; n'utilisez pas ce lot et {ASK_SENDER}")]
    HashMismatch {
        /// Sanitised path.
        path: String,
    },
    /// `documents/<sha256>` whose name is not its declared hash.
    #[error("la pièce « {path} » ne porte pas le nom de son empreinte SHA-256 ; {ASK_SENDER}")]
    DocumentNameMismatch {
        /// Sanitised path.
        path: String,
    },
    /// A request/opinion record that is not a JSON object.
    #[error("l'entrée « {path} » n'est pas un JSON valide ; {ASK_SENDER}")]
    InvalidRecord {
        /// Sanitised path.
        path: String,
    },
    /// The document sink failed (disk full, permissions…).
    #[error("enregistrement d'une pièce impossible : {0} ; vérifiez l'espace disque et les droits du dossier, puis recommencez")]
    Sink(std::io::Error),

    // --- keys ---
    /// A minisign public key that cannot be parsed.
    #[error("clé publique minisign illisible ; fournissez le fichier .pub tel que « minisign -G » l'a écrit (ligne « untrusted comment: » puis ligne commençant par RW)")]
    InvalidPublicKey,
    /// A minisign secret key that cannot be parsed.
    #[error("clé secrète minisign illisible ; fournissez le fichier .key tel que « minisign -G » l'a écrit")]
    InvalidSecretKey,
    /// The secret key is password-protected and no password was given.
    #[error("cette clé secrète minisign est protégée par un mot de passe ; indiquez-le (saisie au terminal ou --passphrase-file)")]
    PasswordRequired,
    /// The password does not decrypt the secret key.
    #[error("mot de passe incorrect pour cette clé secrète minisign ; recommencez avec le bon mot de passe")]
    WrongPassword,
    /// An `age1…` recipient that cannot be parsed.
    #[error("destinataire age invalide ; un destinataire age est une ligne commençant par « age1 » (sortie de « age-keygen -y »)")]
    InvalidRecipient,
    /// An age identity file that cannot be parsed.
    #[error("fichier d'identité age invalide ; fournissez un fichier écrit par « age-keygen » (ligne commençant par AGE-SECRET-KEY-1)")]
    InvalidIdentity,
    /// No recipient to encrypt to.
    #[error("aucun destinataire age : indiquez au moins un destinataire pour chiffrer le lot")]
    NoRecipient,
    /// Signing failed.
    #[error("la signature du manifeste a échoué ; vérifiez la clé secrète minisign")]
    Signing,
    /// A file changed between hashing and writing.
    #[error("le fichier « {path} » a changé pendant la préparation du lot ; recommencez quand plus rien ne le modifie")]
    FileChanged {
        /// Sanitised path.
        path: String,
    },
}

/// Makes a hostile path safe to quote in a message: every control, bidi
/// control or line separator becomes `�` ([`crate::text::sanitize`]), and
/// the length is bounded.
pub fn clean_path(path: &str) -> String {
    const MAX: usize = 200;
    let safe = crate::text::sanitize(path);
    let mut out: String = safe.chars().take(MAX).collect();
    if safe.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// Same as [`clean_path`] on raw bytes (lossy UTF-8).
pub fn clean_path_bytes(path: &[u8]) -> String {
    clean_path(&String::from_utf8_lossy(path))
}
