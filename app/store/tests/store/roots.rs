//! The app hash depends only on the resulting state: not on insertion order, on how writes are
//! split over transaction overlays, or on how they are split over blocks.

use proptest::prelude::*;
use rampart_core::state::{Changes, EmptyState, Overlay, StateWrite};

use crate::common::*;

fn overlay_changes(writes: &[(Vec<u8>, Option<Vec<u8>>)]) -> Changes {
    let mut block = Overlay::new(EmptyState);
    for (k, v) in writes {
        match v {
            Some(v) => block.put(k.clone(), v.clone()),
            None => block.delete(k.clone()),
        }
    }
    block.into_parts().1
}

/// Applies `writes` through nested per-transaction overlays of `tx_size` writes each.
fn nested_overlay_changes(writes: &[(Vec<u8>, Option<Vec<u8>>)], tx_size: usize) -> Changes {
    let mut block = Overlay::new(EmptyState);
    for chunk in writes.chunks(tx_size.max(1)) {
        let mut tx = Overlay::new(&block);
        for (k, v) in chunk {
            match v {
                Some(v) => tx.put(k.clone(), v.clone()),
                None => tx.delete(k.clone()),
            }
        }
        let tx_changes = tx.into_parts().1;
        for (k, v) in tx_changes {
            match v {
                Some(v) => block.put(k, v),
                None => block.delete(k),
            }
        }
    }
    block.into_parts().1
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![Just(0u8), Just(1u8), Just(b'a'), any::<u8>()],
        1..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn same_writes_give_same_root_regardless_of_order_and_split(
        base in proptest::collection::btree_map(key(), proptest::collection::vec(any::<u8>(), 0..4), 1..12),
        final_writes in proptest::collection::btree_map(key(), proptest::option::of(proptest::collection::vec(any::<u8>(), 0..4)), 1..16),
        order_seed in any::<u64>(),
        tx_size in 1usize..5,
        split in 1usize..4,
    ) {
        let base_changes: Changes = base.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
        let in_order: Vec<_> = final_writes.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        // A permutation of the same (distinct-key) writes.
        let mut rng = Lcg(order_seed);
        let mut shuffled = in_order.clone();
        for i in (1..shuffled.len()).rev() {
            let j = (rng.next() as usize) % (i + 1);
            shuffled.swap(i, j);
        }

        let dir_a = tempfile::tempdir().expect("tempdir");
        let a = open(dir_a.path(), 0);
        commit(&a, 1, &base_changes);
        let root_a = commit(&a, 2, &overlay_changes(&in_order)).app_hash;

        let dir_b = tempfile::tempdir().expect("tempdir");
        let b = open(dir_b.path(), 0);
        commit(&b, 1, &base_changes);
        let root_b = commit(&b, 2, &nested_overlay_changes(&shuffled, tx_size)).app_hash;
        prop_assert_eq!(root_a, root_b);

        // Split over several blocks (in shuffled order): same final root.
        let dir_c = tempfile::tempdir().expect("tempdir");
        let c = open(dir_c.path(), 0);
        commit(&c, 1, &base_changes);
        let per_block = shuffled.len().div_ceil(split);
        let mut height = 1;
        let mut root_c = c.latest().expect("committed").app_hash;
        for chunk in shuffled.chunks(per_block.max(1)) {
            height += 1;
            root_c = commit(&c, height, &overlay_changes(chunk)).app_hash;
        }
        prop_assert_eq!(root_a, root_c);

        // And the root equals that of the final state built from scratch.
        let mut model = base.clone();
        apply(&mut model, &overlay_changes(&in_order));
        prop_assert_eq!(root_a, reference_root(&model));
        prop_assert_eq!(all(&a.snapshot()), model_vec(&model));
        prop_assert_eq!(all(&c.snapshot()), model_vec(&model));
    }
}
