//! Point reads and prefix scans at every retained height match a model, across random blocks of
//! puts and deletes (keys include 0x00 and 0xFF bytes and shared prefixes), with pruning on.

use proptest::prelude::*;
use rampart_core::state::{Changes, StateRead};
use rampart_store::StorageError;

use crate::common::*;

const ALPHABET: [u8; 3] = [0x00, 0x01, 0xFF];

fn key() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(proptest::sample::select(ALPHABET.to_vec()), 1..4)
}

fn block() -> impl Strategy<Value = Changes> {
    proptest::collection::btree_map(
        key(),
        proptest::option::weighted(0.7, proptest::collection::vec(any::<u8>(), 0..3)),
        0..8,
    )
}

/// Every key up to length 3 over the alphabet, plus the empty prefix.
fn all_prefixes() -> Vec<Vec<u8>> {
    let mut out = vec![vec![]];
    let mut frontier = vec![vec![]];
    for _ in 0..3 {
        let mut next = vec![];
        for p in &frontier {
            for b in ALPHABET {
                let mut k: Vec<u8> = p.clone();
                k.push(b);
                next.push(k);
            }
        }
        out.extend(next.iter().cloned());
        frontier = next;
    }
    out
}

fn check_height(
    store: &rampart_store::Storage,
    height: u64,
    model: &Model,
    probes: &[Vec<u8>],
) -> Result<(), TestCaseError> {
    let snapshot = store.snapshot_at(height).expect("retained");
    prop_assert_eq!(snapshot.height(), Some(height));
    prop_assert_eq!(all(&snapshot), model_vec(model), "full scan at {}", height);
    for probe in probes {
        prop_assert_eq!(snapshot.get(probe), model.get(probe).cloned());
        let got: Vec<_> = snapshot.scan_prefix(probe).collect();
        let want: Vec<_> = model
            .iter()
            .filter(|(k, _)| k.starts_with(probe))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        prop_assert_eq!(got, want, "prefix {:02x?} at {}", probe, height);
        // scan_from within the empty prefix and within a one-byte prefix.
        for prefix in [&[][..], &probe[..1]] {
            let got: Vec<_> = snapshot.scan_from(prefix, Some(probe)).collect();
            let want: Vec<_> = model
                .iter()
                .filter(|(k, _)| k.starts_with(prefix) && k.as_slice() >= probe.as_slice())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            prop_assert_eq!(
                got,
                want,
                "from {:02x?} in {:02x?} at {}",
                probe,
                prefix,
                height
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn scans_at_every_retained_height_match_the_model(
        blocks in proptest::collection::vec(block(), 1..14),
        keep_recent in prop_oneof![Just(0u64), 1u64..5],
        first_height in 1u64..4,
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(dir.path(), keep_recent);
        let probes = all_prefixes();
        let probes = &probes[1..];
        let mut models: Vec<Model> = vec![];
        for (i, changes) in blocks.iter().enumerate() {
            let height = first_height + i as u64;
            let mut model = models.last().cloned().unwrap_or_default();
            apply(&mut model, changes);
            let info = commit(&store, height, changes);
            prop_assert_eq!(info.app_hash, reference_root(&model));
            models.push(model);

            let earliest = store.earliest_retained().expect("committed");
            let expected_earliest = if keep_recent == 0 {
                first_height
            } else {
                height.saturating_sub(keep_recent - 1).max(first_height)
            };
            prop_assert_eq!(earliest, expected_earliest);
            for h in earliest..=height {
                check_height(&store, h, &models[(h - first_height) as usize], probes)?;
            }
            for h in first_height..earliest {
                let is_not_retained = matches!(store.snapshot_at(h), Err(StorageError::NotRetained { .. }));
                prop_assert!(is_not_retained);
            }
        }
        // After reopening, the retained heights still read the same.
        let latest = store.latest().expect("committed").height;
        let earliest = store.earliest_retained().expect("committed");
        drop(store);
        let store = open(dir.path(), keep_recent);
        for h in earliest..=latest {
            check_height(&store, h, &models[(h - first_height) as usize], probes)?;
        }
    }
}
