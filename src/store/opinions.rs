//! Requests as stored, the trust list, drafts, statuses and validation:
//! `a_traiter → brouillon → valide → exporte`; editing a validated or
//! exported avis returns it to `brouillon`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::db::{decode, Batch, T};
use super::keys::fingerprint;
use super::{RequestRecord, RequestSummary, Result, Store, StoreError, TrustedSigner};
use crate::domain::checks::{self, Finding, Severity};
use crate::domain::{
    CheckOverride, DiplomaCode, Draft, MeasureCode, Opinion, Procedure, Request, Status,
    TroubleCode,
};

/// A request record: the exact bytes received and where they came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RequestRow {
    pub id: String,
    /// The exact bytes received (valid UTF-8 JSON).
    pub raw: String,
    pub sha256: String,
    pub bundle_id: String,
    pub issuer_name: String,
    pub issuer_signing_key: String,
    pub versions: Vec<u32>,
}

impl RequestRow {
    pub(crate) fn parse(&self) -> Result<Request> {
        serde_json::from_str(&self.raw).map_err(|_| StoreError::Corrupt("demande illisible"))
    }
}

/// The inbox line of a request, sealed apart from it (written with it) so
/// that the inbox needs neither the whole request nor its parsing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SummaryRow {
    pub id: String,
    pub candidate: String,
    pub diploma: DiplomaCode,
    pub session: String,
    pub procedure: Procedure,
    pub late: bool,
    pub received_at: NaiveDate,
    pub troubles: Vec<TroubleCode>,
    pub measures: Vec<MeasureCode>,
    /// The alert count made when the import wrote the request (one it did
    /// not hold, without a draft): trusted while the request has no
    /// generation mark (nothing written for it since), under the same
    /// campaign settings, on the days it holds for. Absent from older lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<ImportedAlerts>,
}

/// See [`SummaryRow::alerts`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ImportedAlerts {
    /// The first 16 hex digits of the settings' fingerprint (see
    /// `Store::settings_fingerprint`: settings, rules, avis version).
    pub settings: String,
    pub count: usize,
    /// The review day it was made on, and the first later day it may not
    /// hold on (`None`: it holds on every later day).
    pub from: NaiveDate,
    #[serde(default)]
    pub until: Option<NaiveDate>,
    /// The count from `until` on, made with it: the day that horizon
    /// passes needs no new check. Absent from older lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<NextCount>,
}

/// The count that follows another from its horizon on, and the first
/// later day it may not hold on (`None`: it holds on every later day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NextCount {
    pub count: usize,
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

impl ImportedAlerts {
    fn counted(&self) -> Counted {
        Counted {
            count: self.count,
            until: self.until,
            then: self.then,
        }
    }
}

/// Whether a count made on `from`, with that horizon, holds on `day`.
fn holds_on(from: NaiveDate, until: Option<NaiveDate>, day: NaiveDate) -> bool {
    from <= day && until.is_none_or(|u| day < u)
}

/// The count of `day` among a count made on `from` (holding until its
/// horizon) and the one that follows it, if either holds then.
fn count_on(counted: &Counted, from: NaiveDate, day: NaiveDate) -> Option<usize> {
    if holds_on(from, counted.until, day) {
        return Some(counted.count);
    }
    let (until, then) = (counted.until?, counted.then?);
    holds_on(until, then.until, day).then_some(then.count)
}

impl SummaryRow {
    /// The line of `request`.
    pub(crate) fn of(request: &Request) -> SummaryRow {
        SummaryRow {
            id: request.id.clone(),
            candidate: request.candidate.display_name(),
            diploma: request.exam.diploma.clone(),
            session: request.exam.session.clone(),
            procedure: request.procedure.clone(),
            late: request.late,
            received_at: request.received_at,
            troubles: request.troubles.clone(),
            measures: request
                .requested_measures
                .iter()
                .map(|m| m.code.clone())
                .collect(),
            alerts: None,
        }
    }

    fn into_summary(
        self,
        status: Status,
        alerts: usize,
        review: Option<ReviewChanges>,
    ) -> RequestSummary {
        RequestSummary {
            id: self.id,
            candidate: self.candidate,
            diploma: self.diploma,
            session: self.session,
            procedure: self.procedure,
            late: self.late,
            received_at: self.received_at,
            status,
            alerts,
            alerts_pending: false,
            troubles: self.troubles,
            measures: self.measures,
            review,
        }
    }
}

/// Every request's inbox line in one sealed record: the layout of stores
/// imported before the lines were one record per request (the next import
/// moves them, see `import`); still read while it exists.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct InboxLines {
    pub lines: Vec<SummaryRow>,
}

/// Name of the legacy [`InboxLines`] record in [`T::Summaries`], whose
/// other records are one [`SummaryRow`] per request, named by its id.
pub(crate) const INBOX: &str = "inbox";

/// What changed in a request since the doctor's draft was written: an
/// import brought a newer version of a request already drafted. The draft
/// is kept and the request is "à revoir" until a draft is saved on the
/// current version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewChanges {
    /// The version the draft was written against, and the current one.
    pub from_version: u32,
    pub to_version: u32,
    /// Pièces the newer versions name that the draft's did not.
    pub new_documents: usize,
    /// Measure codes requested now and not before, no longer requested,
    /// or requested with another detail.
    pub added_measures: Vec<MeasureCode>,
    pub removed_measures: Vec<MeasureCode>,
    pub changed_measures: Vec<MeasureCode>,
}

impl ReviewChanges {
    /// The changes from `old` to `new`, added to those already pending.
    pub(crate) fn between(
        pending: Option<ReviewChanges>,
        old: &Request,
        new: &Request,
    ) -> ReviewChanges {
        let mut out = pending.unwrap_or(ReviewChanges {
            from_version: old.version,
            ..ReviewChanges::default()
        });
        out.to_version = new.version;
        out.new_documents += new
            .documents
            .iter()
            .filter(|d| {
                !old.documents
                    .iter()
                    .any(|o| o.sha256.eq_ignore_ascii_case(&d.sha256))
            })
            .count();
        let find = |r: &Request, code: &MeasureCode| {
            r.requested_measures
                .iter()
                .find(|m| m.code == *code)
                .map(|m| m.detail.clone())
        };
        for m in &new.requested_measures {
            match find(old, &m.code) {
                None => {
                    if let Some(i) = out.removed_measures.iter().position(|c| *c == m.code) {
                        // Removed by an earlier version, back now.
                        out.removed_measures.remove(i);
                        push_unique(&mut out.changed_measures, &m.code);
                    } else {
                        push_unique(&mut out.added_measures, &m.code);
                    }
                }
                Some(detail) if detail != m.detail => {
                    if !out.added_measures.contains(&m.code) {
                        push_unique(&mut out.changed_measures, &m.code);
                    }
                }
                Some(_) => {}
            }
        }
        for m in &old.requested_measures {
            if find(new, &m.code).is_none() {
                if let Some(i) = out.added_measures.iter().position(|c| *c == m.code) {
                    // Added by an earlier version, gone again.
                    out.added_measures.remove(i);
                } else {
                    out.changed_measures.retain(|c| *c != m.code);
                    push_unique(&mut out.removed_measures, &m.code);
                }
            }
        }
        out
    }
}

fn push_unique(list: &mut Vec<MeasureCode>, code: &MeasureCode) {
    if !list.contains(code) {
        list.push(code.clone());
    }
}

/// The record of [`T::Reviews`]: `None` once the draft follows the
/// current version again.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ReviewRow {
    pub changes: Option<ReviewChanges>,
}

/// The generation mark of a request's checks: rewritten (sealed afresh,
/// so with new bytes) whenever the request is updated or its draft written
/// (see `Batch::put`); absent for a request as first imported, and never
/// removed. Its sealed bytes identify the version of the inputs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct AlertsRow {}

/// Alert counts (checks that fire and are not `info`) cached for one set
/// of campaign settings, each for the days it holds on; an entry counts
/// only while the request's generation mark is the one it was computed
/// under. The counts the import made are in the inbox lines instead
/// ([`SummaryRow::alerts`]); this record holds those made by a listing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct AlertsCache {
    /// Older binaries' one day: written empty, so that they count again.
    #[serde(default)]
    day: Option<NaiveDate>,
    /// The fingerprint of the settings the checks used (see
    /// `Store::settings_fingerprint`).
    #[serde(default)]
    settings: String,
    /// Older binaries' counts of that day: ignored, written empty.
    #[serde(default)]
    counts: LegacyCounts,
    /// id → count and the days it holds on.
    #[serde(default)]
    held: HashMap<String, CachedCount>,
}

/// One request's cached count: generation mark, count, review day it was
/// made on, first later day it may not hold on (`None`: never), and the
/// count from that day on (absent from records written before it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CachedCount(
    String,
    usize,
    NaiveDate,
    Option<NaiveDate>,
    #[serde(default)] Option<NextCount>,
);

impl CachedCount {
    fn counted(&self) -> Counted {
        Counted {
            count: self.1,
            until: self.3,
            then: self.4,
        }
    }
}

/// The `counts` map of the cache as older binaries wrote it (id → mark
/// and count, for one day): skipped when read, written empty.
#[derive(Debug, Clone, Copy, Default)]
struct LegacyCounts;

impl Serialize for LegacyCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        s.serialize_map(Some(0))?.end()
    }
}

impl<'de> Deserialize<'de> for LegacyCounts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| LegacyCounts)
    }
}

/// Evaluations of the checks made for alert counts so far in this process
/// (test builds only): the scale tests count which requests a listing
/// checks again.
#[cfg(any(test, feature = "test-hooks"))]
pub(crate) static COUNT_EVALUATIONS: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(0);

/// Counts one evaluation (see [`COUNT_EVALUATIONS`]); nothing in the doctor's build.
fn count_evaluation() {
    #[cfg(any(test, feature = "test-hooks"))]
    COUNT_EVALUATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// What the import needs to count the alerts of the requests it adds
/// (see [`Store::new_request_line`]).
pub(crate) struct ImportCounts {
    today: NaiveDate,
    /// The first 16 hex digits of the settings' fingerprint.
    settings: String,
    /// Whether the store holds any draft (else none is looked up).
    drafts: bool,
}

/// A record key as the fixed-size array [`crate::store::crypto::Keys::record_key`] makes.
fn key16(key: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    let n = key.len().min(16);
    out[..n].copy_from_slice(&key[..n]);
    out
}

/// An alert count, the first later day it may differ (`None`: never),
/// and the count from that day on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counted {
    count: usize,
    until: Option<NaiveDate>,
    then: Option<NextCount>,
}

/// What [`Store::summaries_then`] hands the lines to before the checks run.
type EarlyLines<'a> = &'a mut dyn FnMut(&[RequestSummary]);

/// The inbox order of the store: received date, then id.
///
/// An order of indices is sorted, then applied: sorting the lines
/// themselves moved each (a few hundred bytes) at every merge step, a
/// tenth of a cached listing at 100,000 requests.
fn sort_inbox(lines: &mut Vec<RequestSummary>) {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&lines[a], &lines[b]);
        (a.received_at, a.id.as_str()).cmp(&(b.received_at, b.id.as_str()))
    });
    let mut taken: Vec<Option<RequestSummary>> = lines.drain(..).map(Some).collect();
    lines.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

/// From this many counts to make (and an eighth of the inbox), the alert
/// counts are made by one scan of the requests (see `count_alerts`).
const SCAN_FROM: usize = 256;
/// Requests handed at once to a worker of that scan (about 1 MiB of
/// sealed records; four chunks wait at most).
const SCAN_CHUNK: usize = 512;

/// Sealed records (key, value) read by that scan.
type Chunk = Vec<(sled::IVec, sled::IVec)>;

/// Name of the [`AlertsCache`] record in [`T::Meta`].
const ALERTS_CACHE: &str = "alerts_cache";

/// A short token of a sealed record's bytes (its random nonce).
fn mark_of(sealed: &[u8]) -> String {
    hex::encode(&sealed[..sealed.len().min(25)])
}

/// The status of a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StatusRow {
    pub status: Status,
    #[serde(default)]
    pub exported_at: Option<DateTime<Utc>>,
}

impl StatusRow {
    /// A draft being written (never exported as it stands).
    pub(crate) fn draft() -> StatusRow {
        StatusRow {
            status: Status::Brouillon,
            exported_at: None,
        }
    }
}

/// A trusted signer as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TrustRow {
    pub name: String,
    pub signing_key: String,
    pub added_at: DateTime<Utc>,
}

impl TrustRow {
    fn to_signer(&self) -> TrustedSigner {
        TrustedSigner {
            name: self.name.clone(),
            signing_key: self.signing_key.clone(),
            fingerprint: fingerprint(&self.signing_key).unwrap_or_default(),
            added_at: self.added_at,
        }
    }
}

/// Extracts the key line of a minisign `.pub` file (or a bare key line).
pub fn parse_pub_file(text: &str) -> Result<String> {
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("untrusted comment:") {
            continue;
        }
        return match minisign::PublicKey::from_base64(line) {
            Ok(pk) => Ok(pk.to_base64()),
            Err(e) => Err(StoreError::BadPublicKey(e.to_string())),
        };
    }
    Err(StoreError::BadPublicKey("aucune ligne de clé".into()))
}

impl Store {
    /// Trusts a rectorat's minisign public key (contents of a `.pub` file).
    pub fn trust_add(&self, pub_file: &str, name: &str) -> Result<TrustedSigner> {
        let signing_key = parse_pub_file(pub_file)?;
        let keys = &self.secrets.keys;
        let row = TrustRow {
            name: name.trim().to_string(),
            signing_key: signing_key.clone(),
            added_at: Utc::now(),
        };
        let mut batch = Batch::default();
        batch.put(keys, T::Trust, &signing_key, &row);
        batch.event(
            "trust",
            None,
            format!("clé de signature acceptée ({})", fingerprint(&signing_key)?),
        );
        self.db.write(keys, &batch, "trust")?;
        Ok(row.to_signer())
    }

    /// No longer trusts the rectorat key `signing_key` (journaled); its
    /// bundles already imported stay.
    pub fn trust_remove(&self, signing_key: &str) -> Result<()> {
        let keys = &self.secrets.keys;
        if self
            .db
            .get::<TrustRow>(keys, T::Trust, signing_key)?
            .is_none()
        {
            return Err(StoreError::BadPublicKey(
                "cette clé n'est pas dans les clés acceptées".into(),
            ));
        }
        let mut batch = Batch::default();
        batch.remove_key(
            T::Trust,
            keys.record_key(T::Trust.name(), signing_key).to_vec(),
        );
        batch.event(
            "trust",
            None,
            format!("clé de signature retirée ({})", fingerprint(signing_key)?),
        );
        self.db.write(keys, &batch, "trust")
    }

    /// The trusted signers.
    pub fn trusted(&self) -> Result<Vec<TrustedSigner>> {
        let mut rows: Vec<TrustRow> = self.db.all(&self.secrets.keys, T::Trust)?;
        rows.sort_by_key(|r| r.added_at);
        Ok(rows.iter().map(TrustRow::to_signer).collect())
    }

    pub(crate) fn request_row(&self, id: &str) -> Result<RequestRow> {
        self.db
            .get(&self.secrets.keys, T::Requests, id)?
            .ok_or_else(|| StoreError::UnknownRequest(id.to_string()))
    }

    /// The exact bytes of a request as received (the avis binds their sha256).
    pub fn request_bytes(&self, id: &str) -> Result<Vec<u8>> {
        Ok(self.request_row(id)?.raw.into_bytes())
    }

    /// Every request's inbox line; checks evaluated on `today`.
    ///
    /// Reads the inbox lines (with the counts the import made), the
    /// statuses, and the alert counts cached; only the requests with no
    /// count holding on `today` (changed since, past its horizon, other
    /// settings) are parsed and checked, on both cores.
    pub fn summaries(&self, today: NaiveDate) -> Result<Vec<RequestSummary>> {
        self.summaries_with(today, None)
    }

    /// Like [`Store::summaries`]; when alert counts must be recomputed
    /// (past their horizon, after changes), first hands `early` the
    /// lines at once, the counts not yet known flagged `alerts_pending`
    /// (with the last count known, or 0), so that the inbox shows before
    /// the checks run.
    pub fn summaries_then(
        &self,
        today: NaiveDate,
        early: &mut dyn FnMut(&[RequestSummary]),
    ) -> Result<Vec<RequestSummary>> {
        self.summaries_with(today, Some(early))
    }

    /// [`Store::summaries_then`], the early lines made only when asked for
    /// (`avis list` does not: 100,000 lines copied and sorted for nothing).
    fn summaries_with(
        &self,
        today: NaiveDate,
        early: Option<EarlyLines<'_>>,
    ) -> Result<Vec<RequestSummary>> {
        let keys = &self.secrets.keys;
        // The cached counts (one large record) are opened on a thread of
        // their own while the lines are read.
        let (lines, stored) = std::thread::scope(|scope| {
            let stored = scope.spawn(|| self.db.get::<AlertsCache>(keys, T::Meta, ALERTS_CACHE));
            let lines = self.inbox_records();
            (lines, stored.join())
        });
        let stored = stored.map_err(|_| StoreError::Corrupt("lecture interrompue"))??;
        let lines = match lines? {
            Some(lines) => lines,
            // A store imported before the inbox lines existed (or empty).
            None => return self.summaries_from_requests(today),
        };
        let settings = self.settings_fingerprint();
        let short = &settings[..settings.len().min(16)];
        // A cache made under other settings only gives the last counts
        // known, shown while the new ones are made.
        let (cache, previous) = match stored {
            Some(c) if c.settings == settings => (c, None),
            other => (AlertsCache::default(), other),
        };
        let mut held = cache.held;
        // Statuses, reviews and marks in three sequential scans (much
        // faster than a lookup per request at 100,000 requests), by record key.
        let mut statuses = HashMap::new();
        for item in self.db.scan::<StatusRow>(keys, T::Statuses, &[]) {
            let (key, row) = item?;
            statuses.insert(key16(&key), row.status);
        }
        let mut reviews = HashMap::new();
        for item in self.db.scan::<ReviewRow>(keys, T::Reviews, &[]) {
            let (key, row) = item?;
            if let Some(changes) = row.changes {
                reviews.insert(key16(&key), changes);
            }
        }
        // The marks are read before the requests and drafts are, so a
        // count is never filed under a newer mark than its inputs.
        let mut marks = HashMap::new();
        for item in self.db.scan_raw(T::Alerts) {
            let (key, sealed) = item?;
            marks.insert(key16(&key), mark_of(&sealed));
        }
        let mut out = Vec::with_capacity(lines.len());
        let mut stale = Vec::new();
        // The cached counts of the requests listed under their current mark.
        let mut kept: HashMap<String, CachedCount> = HashMap::with_capacity(held.len());
        // A record key costs an HMAC (43 % of a cached listing when computed
        // three times per line): none is computed for a table left empty
        // (a store just imported has no statuses, reviews nor marks).
        for mut line in lines {
            let status = if statuses.is_empty() {
                None
            } else {
                statuses
                    .get(&keys.record_key(T::Statuses.name(), &line.id))
                    .copied()
            }
            .unwrap_or(Status::ATraiter);
            let review = if reviews.is_empty() {
                None
            } else {
                reviews.remove(&keys.record_key(T::Reviews.name(), &line.id))
            };
            // An absent mark is the first generation, as imported.
            let mark = if marks.is_empty() {
                None
            } else {
                marks.remove(&keys.record_key(T::Alerts.name(), &line.id))
            }
            .unwrap_or_default();
            let imported = line
                .alerts
                .take()
                .filter(|i| mark.is_empty() && i.settings == short);
            let cached = if held.is_empty() {
                None
            } else {
                held.remove(&line.id).filter(|c| c.0 == mark)
            };
            let alerts = cached
                .as_ref()
                .and_then(|c| count_on(&c.counted(), c.2, today))
                .or_else(|| {
                    imported
                        .as_ref()
                        .and_then(|i| count_on(&i.counted(), i.from, today))
                });
            let mut summary = match alerts {
                Some(count) => line.into_summary(status, count, review),
                None => {
                    let last = cached
                        .as_ref()
                        .map(|c| c.1)
                        .or(imported.as_ref().map(|i| i.count))
                        .or_else(|| {
                            previous
                                .as_ref()
                                .and_then(|p| p.held.get(&line.id))
                                .filter(|c| c.0 == mark)
                                .map(|c| c.1)
                        })
                        .unwrap_or(0);
                    stale.push((out.len(), mark));
                    line.into_summary(status, last, review)
                }
            };
            if let Some(c) = cached {
                kept.insert(summary.id.clone(), c);
            }
            summary.alerts_pending = alerts.is_none();
            out.push(summary);
        }
        if !stale.is_empty() {
            if let Some(early) = early {
                let mut lines = out.clone();
                sort_inbox(&mut lines);
                early(&lines);
            }
            let counts = self.count_alerts(&out, &stale, today)?;
            for ((index, mark), counted) in stale.into_iter().zip(counts) {
                out[index].alerts = counted.count;
                out[index].alerts_pending = false;
                kept.insert(
                    out[index].id.clone(),
                    CachedCount(mark, counted.count, today, counted.until, counted.then),
                );
            }
            // Entries of requests no longer listed, or since changed, go.
            let cache = AlertsCache {
                settings,
                held: kept,
                ..AlertsCache::default()
            };
            self.db.put_cache(keys, T::Meta, ALERTS_CACHE, &cache)?;
        }
        sort_inbox(&mut out);
        Ok(out)
    }

    /// The inbox lines as stored (legacy single record, else one record per
    /// request), `None` when there are none.
    fn inbox_records(&self) -> Result<Option<Vec<SummaryRow>>> {
        let keys = &self.secrets.keys;
        if let Some(inbox) = self.db.get::<InboxLines>(keys, T::Summaries, INBOX)? {
            return Ok(Some(inbox.lines));
        }
        let lines: Vec<SummaryRow> = self.db.all_parallel(keys, T::Summaries, &[INBOX])?;
        Ok((!lines.is_empty()).then_some(lines))
    }

    /// The alert counts of `out[index]` for each stale entry, computed on
    /// two threads when there are many.
    fn count_alerts(
        &self,
        out: &[RequestSummary],
        stale: &[(usize, String)],
        today: NaiveDate,
    ) -> Result<Vec<Counted>> {
        // Many counts to make (the first listing of a day): one sequential
        // scan of the requests instead of a lookup each, which at 100,000
        // requests reads sled's pages in random order through its small cache.
        if stale.len() >= SCAN_FROM && stale.len() * 8 >= out.len() {
            return self.count_alerts_by_scan(out, stale, today);
        }
        let count = |part: &[(usize, String)]| -> Result<Vec<Counted>> {
            part.iter()
                .map(|(index, _)| self.alerts_of(&out[*index].id, today))
                .collect()
        };
        if stale.len() < 256 {
            return count(stale);
        }
        let (first, second) = stale.split_at(stale.len() / 2);
        let (a, b) = std::thread::scope(|scope| {
            let other = scope.spawn(|| count(second));
            let mine = count(first);
            (mine, other.join())
        });
        let mut counts = a?;
        counts.extend(b.map_err(|_| StoreError::Corrupt("calcul des alertes interrompu"))??);
        Ok(counts)
    }

    /// Like [`Store::count_alerts`], by a sequential scan of the drafts and
    /// then of the requests, in chunks opened and checked on two threads.
    fn count_alerts_by_scan(
        &self,
        out: &[RequestSummary],
        stale: &[(usize, String)],
        today: NaiveDate,
    ) -> Result<Vec<Counted>> {
        let keys = &self.secrets.keys;
        let wanted: HashMap<&str, usize> = stale
            .iter()
            .enumerate()
            .map(|(n, (index, _))| (out[*index].id.as_str(), n))
            .collect();
        let mut drafts = HashMap::new();
        for item in self.db.scan::<Draft>(keys, T::Drafts, &[]) {
            let (key, draft) = item?;
            drafts.insert(key16(&key), draft);
        }
        let work = |part: &[(sled::IVec, sled::IVec)]| -> Result<Vec<(usize, Counted)>> {
            let mut found = Vec::new();
            for (key, sealed) in part {
                let row: RequestRow = decode(keys, T::Requests, key, sealed)?;
                let Some(&n) = wanted.get(row.id.as_str()) else {
                    continue;
                };
                let request = row.parse()?;
                let draft = if drafts.is_empty() {
                    None
                } else {
                    drafts.get(&keys.record_key(T::Drafts.name(), &row.id))
                };
                found.push((n, self.count_of(&request, draft, today)));
            }
            Ok(found)
        };
        // This thread reads the sealed records in key order and hands them
        // in chunks to two workers that open and check them meanwhile.
        let (send, receive) = std::sync::mpsc::sync_channel::<Chunk>(4);
        let receive = std::sync::Mutex::new(receive);
        let worker = || -> Result<Vec<(usize, Counted)>> {
            let mut found = Vec::new();
            loop {
                let next = match receive.lock() {
                    Ok(receiver) => receiver.recv(),
                    Err(_) => return Err(StoreError::Corrupt("calcul des alertes interrompu")),
                };
                match next {
                    Ok(chunk) => found.extend(work(&chunk)?),
                    Err(_) => return Ok(found),
                }
            }
        };
        let (read, results) = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2).map(|_| scope.spawn(worker)).collect();
            let read = (|| -> Result<()> {
                let mut chunk = Vec::with_capacity(SCAN_CHUNK);
                for item in self.db.scan_raw(T::Requests) {
                    chunk.push(item?);
                    if chunk.len() == SCAN_CHUNK {
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(SCAN_CHUNK));
                        if send.send(full).is_err() {
                            // Both workers stopped on an error: they say which.
                            return Ok(());
                        }
                    }
                }
                if !chunk.is_empty() {
                    let _ = send.send(chunk);
                }
                Ok(())
            })();
            drop(send);
            let results: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
            (read, results)
        });
        let mut counts: Vec<Option<Counted>> = vec![None; stale.len()];
        for result in results {
            let found =
                result.map_err(|_| StoreError::Corrupt("calcul des alertes interrompu"))??;
            for (n, count) in found {
                counts[n] = Some(count);
            }
        }
        read?;
        stale
            .iter()
            .zip(counts)
            .map(|((index, _), count)| {
                count.ok_or_else(|| StoreError::UnknownRequest(out[*index].id.clone()))
            })
            .collect()
    }

    /// The alert count of a request as stored, on `today`.
    fn alerts_of(&self, id: &str, today: NaiveDate) -> Result<Counted> {
        let request = self.request_row(id)?.parse()?;
        let draft = self.draft(id)?;
        Ok(self.count_of(&request, draft.as_ref(), today))
    }

    /// The number of checks that fire and are not `info` on `today`, the
    /// first later day it may differ (`None`: never), and the count from
    /// that day on (checked again on that day, so that the day the horizon
    /// passes, often the same for every request of an exam, is counted
    /// already).
    fn count_of(&self, request: &Request, draft: Option<&Draft>, today: NaiveDate) -> Counted {
        count_evaluation();
        let (count, until) = self.alerts_on(request, draft, today);
        let then = until.map(|day| {
            let (count, until) = self.alerts_on(request, draft, day);
            NextCount { count, until }
        });
        Counted { count, until, then }
    }

    /// The number of checks that fire and are not `info` on `day`, and the
    /// first later day it may differ.
    fn alerts_on(
        &self,
        request: &Request,
        draft: Option<&Draft>,
        day: NaiveDate,
    ) -> (usize, Option<NaiveDate>) {
        let (findings, until) = checks::evaluate_with_horizon(request, draft, day, &self.settings);
        let count = findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .count();
        (count, until)
    }

    /// What the import needs to count the alerts of the requests it adds,
    /// on `today` (default: the local date).
    pub(crate) fn import_counts(&self, today: Option<NaiveDate>) -> Result<ImportCounts> {
        let drafts = match self.db.scan_raw(T::Drafts).next() {
            None => false,
            Some(item) => item.map(|_| true)?,
        };
        let settings = self.settings_fingerprint();
        Ok(ImportCounts {
            today: today.unwrap_or_else(|| chrono::Local::now().date_naive()),
            settings: settings[..settings.len().min(16)].to_string(),
            drafts,
        })
    }

    /// The inbox line of a request the import adds (one the store did not
    /// hold), with its alert count when it has no draft: the first listing
    /// after the import need not open and check it again.
    pub(crate) fn new_request_line(
        &self,
        counts: &ImportCounts,
        request: &Request,
    ) -> Result<SummaryRow> {
        let mut line = SummaryRow::of(request);
        if counts.drafts
            && self
                .db
                .get_raw(&self.secrets.keys, T::Drafts, &request.id)?
                .is_some()
        {
            return Ok(line);
        }
        let counted = self.count_of(request, None, counts.today);
        line.alerts = Some(ImportedAlerts {
            settings: counts.settings.clone(),
            count: counted.count,
            from: counts.today,
            until: counted.until,
            then: counted.then,
        });
        Ok(line)
    }

    /// A fingerprint of what the cached counts depend on besides the
    /// request, its draft and the day: the campaign settings, the rule
    /// table and the version of avis (whose checks may differ). Settings
    /// that cannot be written out get a fingerprint of their own, matching
    /// nothing cached.
    fn settings_fingerprint(&self) -> String {
        let Ok(mut bytes) = serde_json::to_vec(&self.settings) else {
            return hex::encode(&super::crypto::random_key()[..]);
        };
        bytes.extend_from_slice(env!("CARGO_PKG_VERSION").as_bytes());
        for rule in checks::rules() {
            bytes.push(0);
            bytes.extend_from_slice(rule.id.as_bytes());
        }
        super::crypto::sha256_hex(&bytes)
    }

    /// The inbox built from the whole requests (stores without lines).
    fn summaries_from_requests(&self, today: NaiveDate) -> Result<Vec<RequestSummary>> {
        let rows: Vec<RequestRow> = self.db.all(&self.secrets.keys, T::Requests)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let request = row.parse()?;
            let draft = self.draft(&row.id)?;
            let status = self
                .db
                .get::<StatusRow>(&self.secrets.keys, T::Statuses, &row.id)?
                .map_or(Status::ATraiter, |s| s.status);
            count_evaluation();
            let (alerts, _) = self.alerts_on(&request, draft.as_ref(), today);
            let review = self.review(&row.id)?;
            out.push(SummaryRow::of(&request).into_summary(status, alerts, review));
        }
        sort_inbox(&mut out);
        Ok(out)
    }

    /// One request.
    pub fn request(&self, id: &str) -> Result<RequestRecord> {
        let row = self.request_row(id)?;
        Ok(RequestRecord {
            request: row.parse()?,
            sha256: row.sha256,
            bundle_id: row.bundle_id,
            issuer_name: row.issuer_name,
            versions: row.versions,
        })
    }

    /// What changed since the request's draft was written, when an import
    /// brought a newer version of it ("à revoir").
    pub fn review(&self, id: &str) -> Result<Option<ReviewChanges>> {
        Ok(self
            .db
            .get::<ReviewRow>(&self.secrets.keys, T::Reviews, id)?
            .and_then(|r| r.changes))
    }

    /// The draft avis of a request, if any.
    pub fn draft(&self, id: &str) -> Result<Option<Draft>> {
        self.db.get(&self.secrets.keys, T::Drafts, id)
    }

    /// The status of a request.
    pub fn status(&self, id: &str) -> Result<Status> {
        let row: Option<StatusRow> = self.db.get(&self.secrets.keys, T::Statuses, id)?;
        match row {
            Some(r) => Ok(r.status),
            None => {
                self.request_row(id)?;
                Ok(Status::ATraiter)
            }
        }
    }

    fn evaluate(&self, request: &Request, draft: Option<&Draft>, today: NaiveDate) -> Vec<Finding> {
        checks::evaluate(request, draft, today, &self.settings)
    }

    /// Saves a draft (status becomes `brouillon`; a validated avis returns to it).
    pub fn save_draft(&self, id: &str, draft: &Draft) -> Result<()> {
        let row = self.request_row(id)?;
        if draft.opinion.request_id != id {
            return Err(StoreError::OpinionMismatch {
                id: id.to_string(),
                why: format!(
                    "il porte l'identifiant {} : enregistrez-le sur la bonne demande",
                    draft.opinion.request_id
                ),
            });
        }
        let current = row.versions.last().copied().unwrap_or(0);
        let mut draft = draft.clone();
        draft.written_against_older_version = draft.opinion.request_version < current;
        let before = self.status(id)?;
        let old = self.draft(id)?;
        if old.as_ref() == Some(&draft) {
            // Unchanged (an autosave with nothing new): the status stays.
            return Ok(());
        }
        let had_draft = old.is_some();
        let keys = &self.secrets.keys;
        let mut batch = Batch::default();
        batch.put(keys, T::Drafts, id, &draft);
        batch.put(keys, T::Statuses, id, &StatusRow::draft());
        if !draft.written_against_older_version && self.review(id)?.is_some() {
            // The draft follows the current version: reviewed.
            batch.put(keys, T::Reviews, id, &ReviewRow { changes: None });
        }
        match before {
            Status::Brouillon if had_draft => {}
            Status::Valide => batch.event(
                "edit",
                Some(id),
                "avis validé modifié : retour en brouillon",
            ),
            Status::Exporte => batch.event(
                "edit",
                Some(id),
                "avis exporté modifié : retour en brouillon",
            ),
            _ => batch.event("edit", Some(id), "brouillon d'avis enregistré"),
        }
        fsutil_point("draft:before_write");
        self.db.write(keys, &batch, "draft")
    }

    /// Sets a draft from an avis object (`avis opinion apply`): fills
    /// `request_sha256`, `doctor` and `decided_at` when left out; keeps the
    /// private notes and overrides of an existing draft.
    pub fn apply_opinion(&self, opinion: &Opinion) -> Result<()> {
        let id = opinion.request_id.clone();
        let row = self.request_row(&id)?;
        let mut opinion = opinion.clone();
        match &opinion.request_sha256 {
            Some(sha) if !sha.eq_ignore_ascii_case(&row.sha256) => {
                return Err(StoreError::OpinionMismatch {
                    id,
                    why: "request_sha256 ne correspond pas aux octets de la demande reçue ; retirez ce champ ou corrigez-le".into(),
                })
            }
            Some(_) => {}
            None => opinion.request_sha256 = Some(row.sha256.clone()),
        }
        if opinion.doctor.is_none() {
            opinion.doctor = Some(self.doctor());
        }
        if opinion.decided_at.is_none() {
            opinion.decided_at = Some(Utc::now());
        }
        let old = self.draft(&id)?;
        let draft = Draft {
            opinion,
            private_notes: old
                .as_ref()
                .map(|d| d.private_notes.clone())
                .unwrap_or_default(),
            overrides: old
                .as_ref()
                .map(|d| d.overrides.clone())
                .unwrap_or_default(),
            written_against_older_version: false,
            paper_documents: old.map(|d| d.paper_documents).unwrap_or_default(),
        };
        self.save_draft(&id, &draft)
    }

    /// The checks of a request with its current draft, on `today`.
    pub fn findings(&self, id: &str, today: NaiveDate) -> Result<Vec<Finding>> {
        let request = self.request_row(id)?.parse()?;
        let draft = self.draft(id)?;
        Ok(self.evaluate(&request, draft.as_ref(), today))
    }

    /// Marks the avis ready to sign, after the checks.
    pub fn validate(&self, id: &str, today: NaiveDate) -> Result<()> {
        let row = self.request_row(id)?;
        let request = row.parse()?;
        let mut draft = self
            .draft(id)?
            .ok_or_else(|| StoreError::NoDraft(id.to_string()))?;
        match self.status(id)? {
            Status::Valide | Status::Exporte => return Ok(()),
            _ => {}
        }
        if draft.written_against_older_version || draft.opinion.request_version != request.version {
            return Err(StoreError::WrittenAgainstOlderVersion(id.to_string()));
        }
        let problems = draft.opinion.completeness_problems(&request);
        if !problems.is_empty() {
            return Err(StoreError::Incomplete {
                id: id.to_string(),
                problems,
            });
        }
        let findings = self.evaluate(&request, Some(&draft), today);
        let blocking = checks::blocking_messages(&findings);
        if !blocking.is_empty() {
            return Err(StoreError::Blocked {
                id: id.to_string(),
                rules: blocking,
            });
        }
        // The lifted checks travel with the avis (bundle-format.md).
        draft.opinion.overrides = checks::exported_overrides(&draft, &findings);
        draft.opinion.request_sha256 = Some(row.sha256.clone());
        draft.opinion.doctor = Some(self.doctor());
        draft.opinion.decided_at = Some(Utc::now());
        let keys = &self.secrets.keys;
        let mut batch = Batch::default();
        batch.put(keys, T::Drafts, id, &draft);
        batch.put(
            keys,
            T::Statuses,
            id,
            &StatusRow {
                status: Status::Valide,
                exported_at: None,
            },
        );
        batch.event("validate", Some(id), "avis validé");
        self.db.write(keys, &batch, "validate")
    }

    /// Returns a validated avis to `brouillon`.
    pub fn unvalidate(&self, id: &str) -> Result<()> {
        if self.status(id)? != Status::Valide {
            return Ok(());
        }
        let keys = &self.secrets.keys;
        let mut batch = Batch::default();
        batch.put(keys, T::Statuses, id, &StatusRow::draft());
        batch.event(
            "unvalidate",
            Some(id),
            "validation retirée : retour en brouillon",
        );
        self.db.write(keys, &batch, "validate")
    }

    /// Overrides a `bloquant` check of a request's draft with a written
    /// reason (kept in the draft; the journal records the rule, not the reason).
    pub fn override_check(
        &self,
        id: &str,
        rule: &str,
        measure: Option<MeasureCode>,
        reason: &str,
    ) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(StoreError::OpinionMismatch {
                id: id.to_string(),
                why: "lever un contrôle demande un motif écrit : ajoutez --motif".into(),
            });
        }
        if let Some(r) = checks::rule(rule).filter(|r| !r.overridable) {
            return Err(StoreError::OpinionMismatch {
                id: id.to_string(),
                why: format!(
                    "le contrôle « {} » ne se lève pas : le texte concerné partirait tel quel au rectorat ; corrigez l'avis",
                    r.title
                ),
            });
        }
        let mut draft = self
            .draft(id)?
            .ok_or_else(|| StoreError::NoDraft(id.to_string()))?;
        draft
            .overrides
            .retain(|o| !(o.rule == rule && o.measure == measure));
        draft.overrides.push(CheckOverride {
            rule: rule.to_string(),
            measure,
            reason: reason.trim().to_string(),
        });
        let before = self.status(id)?;
        let keys = &self.secrets.keys;
        let mut batch = Batch::default();
        batch.put(keys, T::Drafts, id, &draft);
        if before != Status::Brouillon {
            batch.put(keys, T::Statuses, id, &StatusRow::draft());
        }
        batch.event(
            "override",
            Some(id),
            "contrôle bloquant levé avec motif écrit",
        );
        self.db.write(keys, &batch, "draft")
    }
}

fn fsutil_point(point: &str) {
    super::fsutil::test_point(point);
}

#[cfg(test)]
mod tests {
    use super::super::db::encode;
    use super::*;

    /// The cache record as binaries before the horizons wrote it.
    #[derive(Debug, Serialize, Deserialize)]
    struct OldAlertsCache {
        day: Option<NaiveDate>,
        settings: String,
        counts: HashMap<String, (String, usize)>,
    }

    #[test]
    fn a_cache_record_of_either_shape_is_read_by_both() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let old = OldAlertsCache {
            day: Some(day),
            settings: "ab".into(),
            counts: [("SYN-1".to_string(), ("mark".to_string(), 3))].into(),
        };
        // An older record: read, its counts of one day dropped.
        let read: AlertsCache = serde_json::from_slice(&encode(&old).unwrap()).unwrap();
        assert_eq!(read.settings, "ab");
        assert!(read.held.is_empty());
        // A new record, read by an older binary: no day, so it counts again.
        let new = AlertsCache {
            settings: "ab".into(),
            held: [(
                "SYN-1".to_string(),
                CachedCount(
                    "mark".into(),
                    2,
                    day,
                    day.succ_opt(),
                    Some(NextCount {
                        count: 1,
                        until: None,
                    }),
                ),
            )]
            .into(),
            ..AlertsCache::default()
        };
        let bytes = encode(&new).unwrap();
        let seen: OldAlertsCache = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(seen.day, None);
        assert!(seen.counts.is_empty());
        let again: AlertsCache = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(again.held, new.held);
        // An entry written before the following count existed: read, none.
        let four = r#"{"settings":"ab","held":{"SYN-1":["mark",2,"2026-11-26","2026-11-27"]}}"#;
        let read: AlertsCache = serde_json::from_str(four).unwrap();
        assert_eq!(
            read.held["SYN-1"],
            CachedCount("mark".into(), 2, day, day.succ_opt(), None)
        );
    }

    #[test]
    fn a_count_and_the_one_that_follows_it_hold_each_on_their_days() {
        let d = |n| NaiveDate::from_ymd_opt(2026, 11, n).unwrap();
        let counted = Counted {
            count: 3,
            until: Some(d(12)),
            then: Some(NextCount {
                count: 5,
                until: Some(d(20)),
            }),
        };
        assert_eq!(count_on(&counted, d(10), d(9)), None, "before it was made");
        assert_eq!(count_on(&counted, d(10), d(11)), Some(3));
        assert_eq!(count_on(&counted, d(10), d(12)), Some(5), "its horizon");
        assert_eq!(count_on(&counted, d(10), d(19)), Some(5));
        assert_eq!(count_on(&counted, d(10), d(20)), None, "the next one's");
        let alone = Counted {
            then: None,
            ..counted
        };
        assert_eq!(count_on(&alone, d(10), d(12)), None);
        let forever = Counted {
            until: None,
            then: None,
            ..counted
        };
        assert_eq!(count_on(&forever, d(10), d(26)), Some(3));
    }

    #[test]
    fn an_inbox_line_without_a_count_is_read_and_a_count_holds_on_its_days() {
        let line = r#"{"id":"X","candidate":"A B","diploma":"bts","session":"2027","procedure":"complete","late":false,"received_at":"2026-10-01","troubles":[],"measures":[]}"#;
        let row: SummaryRow = serde_json::from_str(line).unwrap();
        assert!(row.alerts.is_none());
        assert!(!String::from_utf8(encode(&row).unwrap())
            .unwrap()
            .contains("alerts"));
        let d = |n| NaiveDate::from_ymd_opt(2026, 11, n).unwrap();
        assert!(holds_on(d(10), Some(d(12)), d(10)));
        assert!(holds_on(d(10), Some(d(12)), d(11)));
        assert!(!holds_on(d(10), Some(d(12)), d(12)));
        assert!(!holds_on(d(10), Some(d(12)), d(9)));
        assert!(holds_on(d(10), None, d(30)));
    }
}
