//! `cosmos.base.query.v1beta1` pagination, one paginator for every list query, over a state
//! prefix: [`paginate_prefix`] pages raw entries, [`paginate_prefix_with`] pages what a
//! `select` function makes of each entry (decoding it, loading what it points to, or dropping it
//! as a filter).
//!
//! A request is key-based (`key` = where to resume, as a previous page's `next_key` returned it)
//! or offset-based, never both; `limit` defaults to [`DEFAULT_LIMIT`] and is capped at
//! [`MAX_LIMIT`]; `reverse` walks from the end; `count_total` (honoured, as in the SDK, only
//! when no `key` is given) fills `total`.
//!
//! Pages are read lazily: a forward page scans from its resume key and stops after the entry
//! that follows it, so it reads `offset + limit + 1` kept entries (plus those `select` drops),
//! never the whole prefix. Two requests read more, as in the SDK: `count_total` counts every
//! kept entry, and `reverse` (state has no descending scan) reads the prefix up to its resume
//! key before walking it backwards.

use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};

use crate::error::{AppError, AppResult, SdkCode};
use crate::state::{KeyValue, KvIter, StateRead};

/// Page size when the request names none.
pub const DEFAULT_LIMIT: u64 = 100;
/// The largest page served; a larger `limit` gets this many.
pub const MAX_LIMIT: u64 = 1_000;

/// A checked page request.
struct Page {
    key: Vec<u8>,
    offset: u64,
    limit: usize,
    reverse: bool,
    count_total: bool,
}

impl Page {
    /// Checks `request` (`sdk/18` when it names both an offset and a key) and caps its limit.
    fn new(request: Option<&PageRequest>) -> AppResult<Self> {
        let request = request.cloned().unwrap_or_default();
        if !request.key.is_empty() && request.offset > 0 {
            return Err(AppError::sdk(
                SdkCode::InvalidRequest,
                "paginate: invalid request, either offset or key is expected, got both",
            ));
        }
        let limit = match request.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        Ok(Self {
            count_total: request.count_total && request.key.is_empty(),
            key: request.key,
            offset: request.offset,
            // limit ≤ MAX_LIMIT fits usize.
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            reverse: request.reverse,
        })
    }

    /// The entries under `prefix` in page order, from the resume point on.
    fn entries<'a>(&self, state: &'a dyn StateRead, prefix: &[u8]) -> KvIter<'a> {
        if !self.reverse {
            return state.scan_from(prefix, Some(&[prefix, &self.key].concat()));
        }
        let resume = [prefix, &self.key].concat();
        let mut upto: Vec<KeyValue> = state
            .scan_prefix(prefix)
            .take_while(|(key, _)| self.key.is_empty() || *key <= resume)
            .collect();
        upto.reverse();
        Box::new(upto.into_iter())
    }
}

/// One page of `(key suffix, value)` pairs under `prefix` (keys in requests and `next_key` are
/// suffixes after `prefix`), and the page response.
pub fn paginate_prefix(
    state: &dyn StateRead,
    prefix: &[u8],
    request: Option<&PageRequest>,
) -> AppResult<(Vec<KeyValue>, PageResponse)> {
    paginate_prefix_with(state, prefix, request, |suffix, value| {
        Ok(Some((suffix.to_vec(), value)))
    })
}

/// One page of what `select` makes of the entries under `prefix`, and the page response.
///
/// `select` gets each entry's key suffix (after `prefix`) and value and returns the item, or
/// `None` to leave the entry out (a filter: offsets, limits and `total` count kept entries
/// only); its error ends the query. `next_key` is the suffix of the first kept entry after the
/// page, empty when there is none.
pub fn paginate_prefix_with<T>(
    state: &dyn StateRead,
    prefix: &[u8],
    request: Option<&PageRequest>,
    mut select: impl FnMut(&[u8], Vec<u8>) -> AppResult<Option<T>>,
) -> AppResult<(Vec<T>, PageResponse)> {
    let page = Page::new(request)?;
    let mut items = Vec::new();
    let mut next_key = Vec::new();
    let mut kept: u64 = 0;
    for (key, value) in page.entries(state, prefix) {
        let suffix = key.get(prefix.len()..).unwrap_or_default(); // scanned keys start with prefix
        let Some(item) = select(suffix, value)? else {
            continue;
        };
        kept = kept.saturating_add(1);
        if kept <= page.offset {
            continue;
        }
        if items.len() < page.limit {
            items.push(item);
            continue;
        }
        if next_key.is_empty() {
            next_key = suffix.to_vec();
        }
        if !page.count_total {
            break;
        }
    }
    let total = if page.count_total { kept } else { 0 };
    Ok((items, PageResponse { next_key, total }))
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::counting::Counting;
    use crate::state::{EmptyState, Overlay, StateWrite};

    fn state() -> Overlay<EmptyState> {
        let mut state = Overlay::new(EmptyState);
        for i in 0u8..5 {
            state.put(vec![b'p', i], vec![i]);
        }
        state.put(b"q".to_vec(), vec![]);
        state
    }

    /// The values of a page of raw entries.
    fn values(page: Vec<KeyValue>) -> Vec<u8> {
        page.into_iter().map(|(_, v)| v[0]).collect()
    }

    #[test]
    fn prefix_pages_follow_next_key_to_the_end() {
        let state = state();
        let mut request = PageRequest {
            limit: 2,
            count_total: true,
            ..Default::default()
        };
        let mut seen = Vec::new();
        loop {
            let (page, response) = paginate_prefix(&state, b"p", Some(&request)).expect("page");
            if request.key.is_empty() {
                assert_eq!(response.total, 5);
            }
            seen.extend(values(page));
            if response.next_key.is_empty() {
                break;
            }
            request.key = response.next_key;
        }
        assert_eq!(seen, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn prefix_offset_reverse_and_conflicting_requests() {
        let state = state();
        let request = PageRequest {
            offset: 1,
            limit: 2,
            reverse: true,
            ..Default::default()
        };
        let (page, response) = paginate_prefix(&state, b"p", Some(&request)).expect("page");
        assert_eq!(values(page), [3, 2]);
        assert_eq!(response.next_key, vec![1]);
        let resume = PageRequest {
            reverse: true,
            key: vec![3],
            ..Default::default()
        };
        let (page, response) = paginate_prefix(&state, b"p", Some(&resume)).expect("page");
        assert_eq!(
            (values(page), response.next_key),
            (vec![3, 2, 1, 0], vec![])
        );
        let offset = PageRequest {
            offset: 4,
            ..Default::default()
        };
        let (page, response) = paginate_prefix(&state, b"p", Some(&offset)).expect("page");
        assert_eq!((values(page), response.next_key), (vec![4], vec![]));
        let both = PageRequest {
            offset: 1,
            key: vec![1],
            ..Default::default()
        };
        let err = paginate_prefix(&state, b"p", Some(&both)).expect_err("both");
        assert!(
            err.log.contains("either offset or key is expected"),
            "{err}"
        );
    }

    #[test]
    fn select_filters_and_maps_entries() {
        let state = state();
        let even =
            |_: &[u8], v: Vec<u8>| Ok(v[0].is_multiple_of(2).then_some(u32::from(v[0]) * 10));
        let first = PageRequest {
            limit: 1,
            count_total: true,
            ..Default::default()
        };
        let (page, response) =
            paginate_prefix_with(&state, b"p", Some(&first), even).expect("page");
        assert_eq!((page, response.total), (vec![0], 3));
        assert_eq!(response.next_key, vec![2], "the next kept entry");
        let rest = PageRequest {
            key: response.next_key,
            ..Default::default()
        };
        let (page, response) = paginate_prefix_with(&state, b"p", Some(&rest), even).expect("page");
        assert_eq!((page, response.next_key), (vec![20, 40], vec![]));
        let failing = |_: &[u8], _: Vec<u8>| -> AppResult<Option<u8>> {
            Err(AppError::sdk(SdkCode::Logic, "corrupt"))
        };
        assert!(paginate_prefix_with(&state, b"p", None, failing).is_err());
    }

    #[test]
    fn limits_default_to_100_and_are_capped() {
        let mut state = Overlay::new(EmptyState);
        for i in 0u32..1_500 {
            state.put([b"p".as_slice(), &i.to_be_bytes()].concat(), vec![]);
        }
        assert_eq!(
            paginate_prefix(&state, b"p", None).expect("valid").0.len(),
            100
        );
        let huge = PageRequest {
            limit: u64::MAX,
            ..Default::default()
        };
        let (page, response) = paginate_prefix(&state, b"p", Some(&huge)).expect("valid");
        assert_eq!(page.len(), MAX_LIMIT as usize);
        assert_eq!(response.next_key, 1_000u32.to_be_bytes().to_vec());
    }

    #[test]
    fn a_page_reads_its_entries_and_one_more_not_the_prefix() {
        let mut inner = Overlay::new(EmptyState);
        for i in 0u32..10_000 {
            inner.put([b"p".as_slice(), &i.to_be_bytes()].concat(), vec![]);
        }
        let state = Counting::new(inner);
        let request = PageRequest {
            key: 5_000u32.to_be_bytes().to_vec(),
            limit: 10,
            ..Default::default()
        };
        let (page, response) = paginate_prefix(&state, b"p", Some(&request)).expect("page");
        assert_eq!(page.len(), 10);
        assert_eq!(response.next_key, 5_010u32.to_be_bytes().to_vec());
        assert_eq!(state.count().scanned, 11, "10 entries and the next one");
        state.reset();
        let counted = PageRequest {
            limit: 10,
            count_total: true,
            ..Default::default()
        };
        let (_, response) = paginate_prefix(&state, b"p", Some(&counted)).expect("page");
        assert_eq!(response.total, 10_000);
        assert_eq!(
            state.count().scanned,
            10_000,
            "count_total counts every entry, once"
        );
    }
}
