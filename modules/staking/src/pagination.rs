//! Cosmos `PageRequest` / `PageResponse` over an ordered list of `(key, item)` pairs: `key`
//! resumes after a previous page, `offset` skips, `limit` (default 100) caps, `reverse` flips.

use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use rampart_core::error::{AppError, AppResult, SdkCode};

/// Default and maximum page size.
pub const DEFAULT_LIMIT: u64 = 100;

/// One page of `items` (ascending by key) as `page` asks.
pub fn paginate<T>(
    mut items: Vec<(Vec<u8>, T)>,
    page: Option<&PageRequest>,
) -> AppResult<(Vec<T>, PageResponse)> {
    let page = page.cloned().unwrap_or_default();
    if !page.key.is_empty() && page.offset > 0 {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "paginate: invalid request, either offset or key is expected, got both",
        ));
    }
    let total = items.len() as u64;
    if page.reverse {
        items.reverse();
    }
    let start = if page.key.is_empty() {
        usize::try_from(page.offset).unwrap_or(usize::MAX)
    } else if page.reverse {
        items
            .iter()
            .position(|(k, _)| k.as_slice() <= page.key.as_slice())
            .unwrap_or(items.len())
    } else {
        items
            .iter()
            .position(|(k, _)| k.as_slice() >= page.key.as_slice())
            .unwrap_or(items.len())
    };
    let limit = if page.limit == 0 {
        DEFAULT_LIMIT
    } else {
        page.limit
    };
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut rest = items.into_iter().skip(start);
    let selected: Vec<T> = rest.by_ref().take(limit).map(|(_, item)| item).collect();
    let next_key = rest.next().map(|(k, _)| k).unwrap_or_default();
    Ok((
        selected,
        PageResponse {
            next_key,
            total: if page.count_total { total } else { 0 },
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<(Vec<u8>, u8)> {
        (0u8..5).map(|i| (vec![i], i)).collect()
    }

    #[test]
    fn pages_by_key_offset_and_reverse() {
        let first = PageRequest {
            limit: 2,
            count_total: true,
            ..Default::default()
        };
        let (got, resp) = paginate(items(), Some(&first)).expect("valid");
        assert_eq!((got, resp.total), (vec![0, 1], 5));
        let next = PageRequest {
            key: resp.next_key,
            limit: 2,
            ..Default::default()
        };
        assert_eq!(paginate(items(), Some(&next)).expect("valid").0, vec![2, 3]);
        let offset = PageRequest {
            offset: 4,
            ..Default::default()
        };
        let (got, resp) = paginate(items(), Some(&offset)).expect("valid");
        assert_eq!((got, resp.next_key.is_empty()), (vec![4], true));
        let reverse = PageRequest {
            reverse: true,
            limit: 1,
            ..Default::default()
        };
        assert_eq!(paginate(items(), Some(&reverse)).expect("valid").0, vec![4]);
        let both = PageRequest {
            key: vec![1],
            offset: 1,
            ..Default::default()
        };
        assert!(paginate(items(), Some(&both)).is_err());
    }
}
