//! `cosmos.base.query.v1beta1` pagination over a state prefix, shared by every module's list
//! queries: key-based (`key` = the suffix after the prefix, as returned in `next_key`) or
//! offset-based, with `limit` (default 100), `count_total` and `reverse`.

use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{KeyValue, StateRead};

/// Page size when the request names none.
pub const DEFAULT_LIMIT: u64 = 100;

/// One page of `(key suffix, value)` pairs under `prefix`, and the page response.
pub fn paginate(
    state: &dyn StateRead,
    prefix: &[u8],
    request: Option<&PageRequest>,
) -> AppResult<(Vec<KeyValue>, PageResponse)> {
    let request = request.cloned().unwrap_or_default();
    if !request.key.is_empty() && request.offset > 0 {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "either offset or key is expected, got both",
        ));
    }
    let limit = usize::try_from(match request.limit {
        0 => DEFAULT_LIMIT,
        n => n,
    })
    .unwrap_or(usize::MAX);
    let offset = usize::try_from(request.offset).unwrap_or(usize::MAX);
    let strip = |(key, value): KeyValue| (key[prefix.len()..].to_vec(), value);
    let start = [prefix, &request.key].concat();
    let mut entries: Box<dyn Iterator<Item = KeyValue>> = if request.reverse {
        // Queries only: reverse order needs the whole prefix in memory.
        let mut all: Vec<KeyValue> = state.scan_prefix(prefix).map(strip).collect();
        all.reverse();
        let key = request.key.clone();
        Box::new(
            all.into_iter()
                .filter(move |(suffix, _)| key.is_empty() || *suffix <= key),
        )
    } else {
        Box::new(state.scan_from(prefix, Some(&start)).map(strip))
    };
    let page: Vec<KeyValue> = entries.by_ref().skip(offset).take(limit).collect();
    let next_key = entries.next().map(|(suffix, _)| suffix).unwrap_or_default();
    let total = if request.count_total && request.key.is_empty() {
        u64::try_from(state.scan_prefix(prefix).count()).unwrap_or(u64::MAX)
    } else {
        0
    };
    Ok((page, PageResponse { next_key, total }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::state::{EmptyState, Overlay, StateWrite};

    fn state() -> Overlay<EmptyState> {
        let mut state = Overlay::new(EmptyState);
        for i in 0u8..5 {
            state.put(vec![b'p', i], vec![i]);
        }
        state.put(b"q".to_vec(), vec![]);
        state
    }

    #[test]
    fn pages_follow_next_key_to_the_end() {
        let state = state();
        let mut request = PageRequest {
            limit: 2,
            count_total: true,
            ..Default::default()
        };
        let mut seen = Vec::new();
        loop {
            let (page, response) = paginate(&state, b"p", Some(&request)).expect("page");
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
    fn offset_reverse_and_conflicting_requests() {
        let state = state();
        let request = PageRequest {
            offset: 1,
            limit: 2,
            reverse: true,
            ..Default::default()
        };
        let (page, response) = paginate(&state, b"p", Some(&request)).expect("page");
        assert_eq!(page.iter().map(|(_, v)| v[0]).collect::<Vec<_>>(), [3, 2]);
        assert_eq!(response.next_key, vec![1]);
        let both = PageRequest {
            offset: 1,
            key: vec![1],
            ..Default::default()
        };
        assert!(paginate(&state, b"p", Some(&both)).is_err());
    }
}
