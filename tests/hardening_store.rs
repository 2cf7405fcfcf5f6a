//! The store detects tampering and bad inputs: an edited profile is a
//! damaged store; a newer format says so; wrong passphrases are counted
//! where deleting a file cannot reset them, with a growing delay; a
//! passphrase file must be a regular file, only its first line counts; a
//! read-only store can be listed and shown; a store whose passphrase was
//! wrapped with age's calibrated scrypt factor (before it was fixed) still
//! opens, and is rewrapped at the fixed factor on a passphrase change.

#[path = "common/store_support.rs"]
mod store_support;

#[path = "common/hardening_support.rs"]
mod hardening_support;

use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use avis::store::{Store, StoreOptions};
use hardening_support::*;
use store_support::*;

const DAMAGED: &str = "le magasin est endommagé";

fn profile(t: &TestStore) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(t.store.join("profile.json")).unwrap()).unwrap()
}

fn write_profile(t: &TestStore, v: &serde_json::Value) {
    std::fs::write(
        t.store.join("profile.json"),
        serde_json::to_vec_pretty(v).unwrap(),
    )
    .unwrap();
}

#[test]
fn a_changed_profile_is_a_damaged_store() {
    let t = TestStore::init();
    let original = std::fs::read(t.store.join("profile.json")).unwrap();
    let keys_before = t.json(&["keys", "show", "--json"]);
    let p = profile(&t);
    assert!(p["mac"].as_str().is_some_and(|m| m.len() == 64), "{p}");

    // One flipped bit in the signing key (what `keys show` prints).
    let mut v = p.clone();
    let key = v["signing_key"].as_str().unwrap().to_string();
    let mut bytes = key.into_bytes();
    bytes[10] ^= 0x01;
    v["signing_key"] = String::from_utf8(bytes).unwrap().into();
    write_profile(&t, &v);
    assert_refused(&t.avis(&["keys", "show"]), DAMAGED);

    // An edited name (the export's issuer).
    let mut v = p.clone();
    v["doctor"]["name"] = "Dr Usurpateur".into();
    write_profile(&t, &v);
    assert_refused(&t.avis(&["list"]), DAMAGED);

    // The MAC removed, and the profile made to look older.
    let mut v = p.clone();
    v.as_object_mut().unwrap().remove("mac");
    v["version"] = 1.into();
    write_profile(&t, &v);
    assert_refused(&t.avis(&["list"]), DAMAGED);

    std::fs::write(t.store.join("profile.json"), &original).unwrap();
    assert_eq!(t.json(&["keys", "show", "--json"]), keys_before);
}

#[test]
fn a_newer_store_format_says_so() {
    let t = TestStore::init();
    let mut v = profile(&t);
    v["version"] = 99.into();
    write_profile(&t, &v);
    let out = t.avis(&["list"]);
    assert_refused(&out, "version plus récente d'avis");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("endommagé"));
}

fn wrong(t: &TestStore) -> std::process::Output {
    let file = t.path("mauvaise");
    std::fs::write(&file, "pas la bonne phrase\n").unwrap();
    t.command()
        .env("AVIS_PASSPHRASE_FILE", &file)
        .args(["list"])
        .output()
        .unwrap()
}

#[test]
fn failed_unlocks_are_counted_in_the_database_with_a_growing_delay() {
    let t = TestStore::init();
    let before: Vec<String> = top_level(&t.store);
    for _ in 0..3 {
        assert_refused(&wrong(&t), "phrase de passe incorrecte");
    }
    // Deleting every file that is not the database does not reset it.
    for name in top_level(&t.store) {
        if !before.contains(&name) || name == "unlock-failures" || name == "store.lock" {
            let _ = std::fs::remove_file(t.store.join(name));
        }
    }
    // The fourth attempt, even with the right passphrase, waits first.
    let start = Instant::now();
    assert_success(&t.avis(&["list"]));
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "no delay after three failures: {:?}",
        start.elapsed()
    );
    let journal = t.json(&["journal", "list", "--json"]);
    let failed: Vec<&serde_json::Value> = journal
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "unlock_failed")
        .collect();
    assert_eq!(failed.len(), 1, "{journal}");
    assert!(failed[0]["detail"]
        .as_str()
        .unwrap()
        .starts_with("3 tentative"));
    // Journalled, the counter starts again: no delay now.
    let start = Instant::now();
    assert_success(&t.avis(&["list"]));
    assert!(start.elapsed() < Duration::from_secs(2));
    // In human output the kinds are in French, in JSON the codes stay.
    let text = stdout(&t.avis(&["journal", "list"]));
    assert!(text.contains("échec de déverrouillage"), "{text}");
    assert!(!text.contains("unlock_failed"), "{text}");
}

fn top_level(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn with_passphrase_file(t: &TestStore, file: &Path) -> std::process::Output {
    let mut child = t
        .command()
        .env("AVIS_PASSPHRASE_FILE", file)
        .args(["list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("avis blocked on the passphrase file {}", file.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_passphrase_file_is_a_regular_file_and_only_its_first_line_counts() {
    let t = TestStore::init();
    // /dev/zero would be read until memory runs out.
    let out = with_passphrase_file(&t, Path::new("/dev/zero"));
    assert_refused(&out, "n'est pas un fichier ordinaire");
    // A FIFO without writer would block forever.
    let fifo = t.path("tube");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let out = with_passphrase_file(&t, &fifo);
    assert_refused(&out, "n'est pas un fichier ordinaire");
    // Anything after a good first line is ignored, even non-UTF-8.
    let file = t.path("phrase-et-binaire");
    let mut bytes = format!("{PASSPHRASE}\n").into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe, 0x00, 0xc3]);
    std::fs::write(&file, bytes).unwrap();
    assert_success(&with_passphrase_file(&t, &file));
    // A huge first line is refused, not read whole.
    let big = t.path("enorme");
    std::fs::write(&big, vec![b'a'; 1 << 20]).unwrap();
    assert_refused(&with_passphrase_file(&t, &big), "dépasse");
}

/// Makes the store read-only: its tmpfs remounted read-only (as root,
/// where permissions do not stop writes), or its permissions; undone when
/// dropped (the tmpfs is then unmounted).
struct ReadOnly {
    mount: Option<std::path::PathBuf>,
    store: std::path::PathBuf,
}

impl ReadOnly {
    fn make(store: &Path, mount: Option<&Path>) -> ReadOnly {
        let ok = match mount {
            Some(m) => Command::new("mount")
                .args(["-o", "remount,ro"])
                .arg(m)
                .status()
                .unwrap()
                .success(),
            None => Command::new("chmod")
                .args(["-R", "a-w"])
                .arg(store)
                .status()
                .unwrap()
                .success(),
        };
        assert!(ok, "cannot make the store read-only");
        ReadOnly {
            mount: mount.map(Path::to_path_buf),
            store: store.to_path_buf(),
        }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        match &self.mount {
            Some(m) => {
                let _ = Command::new("umount").arg(m).status();
            }
            None => {
                let _ = Command::new("chmod")
                    .args(["-R", "u+w"])
                    .arg(&self.store)
                    .status();
            }
        }
    }
}

#[test]
fn a_read_only_store_can_be_listed_and_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("disque");
    std::fs::create_dir_all(&disk).unwrap();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs"])
            .arg(&disk)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cannot mount a tmpfs as root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let passphrase_file = tmp.path().join("phrase");
    std::fs::write(&passphrase_file, format!("{PASSPHRASE}\n")).unwrap();
    let t = TestStore {
        store: disk.join("magasin"),
        passphrase_file,
        tmp,
    };
    assert_success(&t.avis(&["init", "--name", "Dr Claire Martin"]));
    let f = Filled::in_store(t);
    let list = f.json(&["list", "--json"]);
    let show = f.json(&["show", VALID_ID, "--json"]);
    let opinion = f.opinion_file(TODO_ID, "Lenteur de lecture objectivée au bilan.");
    let ro = ReadOnly::make(&f.t.store, root.then_some(disk.as_path()));
    assert_eq!(f.json(&["list", "--json"]), list);
    assert_eq!(f.json(&["show", VALID_ID, "--json"]), show);
    let out = f.avis(&["opinion", "apply", opinion.to_str().unwrap()]);
    assert_refused(&out, "lecture seule");
    drop(ro);
}

/// The scrypt work factor of an age file encrypted to a passphrase.
fn scrypt_factor(file: &Path) -> u8 {
    let bytes = std::fs::read(file).unwrap();
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]).into_owned();
    let line = text
        .lines()
        .find(|l| l.starts_with("-> scrypt "))
        .unwrap()
        .to_string();
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn a_store_wrapped_with_the_old_calibrated_factor_still_opens() {
    let t = TestStore::init();
    let identity = t.store.join("identity.age");
    assert_eq!(
        scrypt_factor(&identity),
        10,
        "test stores use the low factor"
    );
    // Rewrap the identity as stores were made before the factor was fixed:
    // age's own calibration (2^20 on the reference machine).
    let mut text = Vec::new();
    {
        let wrapped = std::fs::read(&identity).unwrap();
        let decryptor = age::Decryptor::new(&wrapped[..]).unwrap();
        let id = age::scrypt::Identity::new(PASSPHRASE.to_string().into());
        decryptor
            .decrypt(std::iter::once(&id as &dyn age::Identity))
            .unwrap()
            .read_to_end(&mut text)
            .unwrap();
    }
    let calibrated = age::scrypt::Recipient::new(PASSPHRASE.to_string().into());
    let old = age::encrypt(&calibrated, &text).unwrap();
    std::fs::write(&identity, &old).unwrap();
    let old_factor = scrypt_factor(&identity);
    assert!(old_factor >= 12, "calibrated factor {old_factor}");

    // It opens: the factor is read from the file.
    let store = Store::open(
        &t.store,
        &PASSPHRASE.to_string().into(),
        &StoreOptions::default(),
    )
    .unwrap();
    // A passphrase change rewraps it at the project's fixed factor.
    let new = "une nouvelle phrase de passe".to_string();
    store
        .change_passphrase(
            &PASSPHRASE.to_string().into(),
            &new.clone().into(),
            &StoreOptions::default(),
        )
        .unwrap();
    drop(store);
    assert_eq!(scrypt_factor(&identity), 18);
    let reopened = Store::open(&t.store, &new.into(), &StoreOptions::default()).unwrap();
    assert_eq!(reopened.doctor().name, "Dr Claire Martin");
}

#[test]
fn hostile_paths_quoted_in_messages_lose_their_bidi_controls() {
    use avis::bundle::error::clean_path;
    let hostile = "requests/\u{202e}fdp.exe\u{2066}x\u{1b}[31m\u{2028}y.json";
    let clean = clean_path(hostile);
    assert!(!clean.chars().any(avis::text::is_dangerous), "{clean:?}");
    assert!(clean.contains("fdp.exe"), "{clean:?}");
    assert!(clean_path(&"a".repeat(500)).ends_with('…'));
}
