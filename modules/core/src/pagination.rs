//! `cosmos.base.query.v1beta1` pagination, one paginator for every list query: over a state
//! prefix ([`paginate_prefix`]) or over an in-memory list ordered by key ([`paginate_list`]).
//!
//! A request is key-based (`key` = where to resume, as a previous page's `next_key` returned it)
//! or offset-based, never both; `limit` defaults to [`DEFAULT_LIMIT`] and is capped at
//! [`MAX_LIMIT`]; `reverse` walks from the end; `count_total` (honoured, as in the SDK, only
//! when no `key` is given) fills `total`.

use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};

use crate::error::{AppError, AppResult, SdkCode};
use crate::state::{KeyValue, StateRead};

/// Page size when the request names none.
pub const DEFAULT_LIMIT: u64 = 100;
/// The largest page served; a larger `limit` gets this many.
pub const MAX_LIMIT: u64 = 1_000;

/// A checked page request.
struct Page {
    key: Vec<u8>,
    offset: usize,
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
            // An offset beyond usize skips everything, as it would.
            offset: usize::try_from(request.offset).unwrap_or(usize::MAX),
            // limit ≤ MAX_LIMIT fits usize.
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            reverse: request.reverse,
        })
    }

    /// Whether an entry at `key` is at or past the request's resume point.
    fn reached(&self, key: &[u8]) -> bool {
        self.key.is_empty()
            || if self.reverse {
                key <= self.key.as_slice()
            } else {
                key >= self.key.as_slice()
            }
    }

    /// The page out of `entries` (in page order, starting at the resume point) and the key of
    /// the first entry after it.
    fn take<T>(&self, entries: impl Iterator<Item = (Vec<u8>, T)>) -> (Vec<T>, Vec<u8>) {
        let mut rest = entries.skip(self.offset);
        let page = rest
            .by_ref()
            .take(self.limit)
            .map(|(_, item)| item)
            .collect();
        let next_key = rest.next().map(|(key, _)| key).unwrap_or_default();
        (page, next_key)
    }
}

/// One page of `(key suffix, value)` pairs under `prefix` (keys in requests and `next_key` are
/// suffixes after `prefix`), and the page response.
pub fn paginate_prefix(
    state: &dyn StateRead,
    prefix: &[u8],
    request: Option<&PageRequest>,
) -> AppResult<(Vec<KeyValue>, PageResponse)> {
    let page = Page::new(request)?;
    let strip = |(key, value): KeyValue| {
        let suffix = key[prefix.len()..].to_vec(); // scanned keys start with prefix
        (suffix.clone(), (suffix, value))
    };
    let (items, next_key) = if page.reverse {
        // Queries only: reverse order needs the whole prefix in memory.
        let mut all: Vec<_> = state.scan_prefix(prefix).map(strip).collect();
        all.reverse();
        page.take(all.into_iter().filter(|(suffix, _)| page.reached(suffix)))
    } else {
        let start = [prefix, &page.key].concat();
        page.take(state.scan_from(prefix, Some(&start)).map(strip))
    };
    let total = if page.count_total {
        u64::try_from(state.scan_prefix(prefix).count()).unwrap_or(u64::MAX)
    } else {
        0
    };
    Ok((items, PageResponse { next_key, total }))
}

/// One page of `items` (ascending by key, keys unique) as `request` asks.
pub fn paginate_list<T>(
    mut items: Vec<(Vec<u8>, T)>,
    request: Option<&PageRequest>,
) -> AppResult<(Vec<T>, PageResponse)> {
    let page = Page::new(request)?;
    let total = if page.count_total {
        u64::try_from(items.len()).unwrap_or(u64::MAX)
    } else {
        0
    };
    if page.reverse {
        items.reverse();
    }
    let (selected, next_key) =
        page.take(items.into_iter().skip_while(|(key, _)| !page.reached(key)));
    Ok((selected, PageResponse { next_key, total }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{EmptyState, Overlay, StateWrite};

    fn state() -> Overlay<EmptyState> {
        let mut state = Overlay::new(EmptyState);
        for i in 0u8..5 {
            state.put(vec![b'p', i], vec![i]);
        }
        state.put(b"q".to_vec(), vec![]);
        state
    }

    fn items() -> Vec<(Vec<u8>, u8)> {
        (0u8..5).map(|i| (vec![i], i)).collect()
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
            seen.extend(page.into_iter().map(|(_, v)| v[0]));
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
        assert_eq!(page.iter().map(|(_, v)| v[0]).collect::<Vec<_>>(), [3, 2]);
        assert_eq!(response.next_key, vec![1]);
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
    fn list_pages_by_key_offset_and_reverse() {
        let first = PageRequest {
            limit: 2,
            count_total: true,
            ..Default::default()
        };
        let (got, resp) = paginate_list(items(), Some(&first)).expect("valid");
        assert_eq!((got, resp.total), (vec![0, 1], 5));
        let next = PageRequest {
            key: resp.next_key,
            limit: 2,
            ..Default::default()
        };
        assert_eq!(
            paginate_list(items(), Some(&next)).expect("valid").0,
            [2, 3]
        );
        let offset = PageRequest {
            offset: 4,
            ..Default::default()
        };
        let (got, resp) = paginate_list(items(), Some(&offset)).expect("valid");
        assert_eq!((got, resp.next_key.is_empty()), (vec![4], true));
        let reverse = PageRequest {
            reverse: true,
            limit: 1,
            ..Default::default()
        };
        let (got, resp) = paginate_list(items(), Some(&reverse)).expect("valid");
        assert_eq!((got, resp.next_key), (vec![4], vec![3]));
        let resume = PageRequest {
            reverse: true,
            key: vec![3],
            ..Default::default()
        };
        let got = paginate_list(items(), Some(&resume)).expect("valid").0;
        assert_eq!(got, [3, 2, 1, 0]);
        let both = PageRequest {
            key: vec![1],
            offset: 1,
            ..Default::default()
        };
        assert!(paginate_list(items(), Some(&both)).is_err());
    }

    #[test]
    fn limits_default_to_100_and_are_capped() {
        let many: Vec<(Vec<u8>, u32)> = (0u32..1_500)
            .map(|i| (i.to_be_bytes().to_vec(), i))
            .collect();
        assert_eq!(
            paginate_list(many.clone(), None).expect("valid").0.len(),
            100
        );
        let huge = PageRequest {
            limit: u64::MAX,
            ..Default::default()
        };
        let (got, resp) = paginate_list(many, Some(&huge)).expect("valid");
        assert_eq!(got.len(), 1_000);
        assert_eq!(resp.next_key, 1_000u32.to_be_bytes().to_vec());
    }
}
