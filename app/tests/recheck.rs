//! The mempool's re-check after a block ([`rampart_app::recheck`]): a node that remembers what
//! the first CheckTx proved answers every re-check exactly as a node that runs the full path —
//! for transactions that stay valid and for those the block made invalid (spent sequence,
//! emptied fee balance, passed timeout height).

use bytes::Bytes;
use rampart_testkit::*;
use tendermint::abci::request::{CheckTx, CheckTxKind};
use tendermint::abci::response;

fn check(chain: &mut Chain, tx: &[u8], kind: CheckTxKind) -> response::CheckTx {
    chain.driver.app.check_tx(CheckTx {
        tx: Bytes::copy_from_slice(tx),
        kind,
    })
}

fn send(chain: &Chain, key: &Key, sequence: u64, amount: u128) -> TxBuilder {
    let mut signer = chain.signer(key);
    signer.sequence = sequence;
    let recipient = Key::secp(99).address();
    TxBuilder::new(
        vec![msg_send(
            key.address(),
            recipient,
            vec![coin(&amount.to_string(), DENOM)],
        )],
        vec![signer],
    )
}

#[test]
fn a_recheck_answers_what_the_full_path_answers() {
    let (a, b, c, d) = (Key::secp(1), Key::secp(2), Key::ed(3), Key::secp(4));
    let keys = [&a, &b, &c, &d];
    // `remembering` checks every transaction first, as the node that received it; `cold` sees
    // them only in the re-check, so it runs the full path.
    let mut remembering = Chain::new(&keys);
    let mut cold = Chain::new(&keys);
    let chain = &remembering;
    let a0 = send(chain, &a, 0, 1).build();
    let a1 = send(chain, &a, 1, 2).build();
    // b's first transfer leaves nothing for the second one's fee.
    let b0 = send(chain, &b, 0, FUNDS - 2000).build();
    let b1 = send(chain, &b, 1, 1).build();
    let c0 = send(chain, &c, 0, 1).build();
    let c0_other = send(chain, &c, 0, 7).build();
    let mut d0 = send(chain, &d, 0, 1);
    d0.body.timeout_height = chain.driver.height + 1;
    let d0 = d0.build();

    for tx in [&a0, &a1, &b0, &b1, &c0, &d0] {
        let first = check(&mut remembering, tx, CheckTxKind::New);
        assert_eq!(first.code.value(), 0, "{}", first.log);
    }
    // The block spends a0, b0 and another transaction of c's sequence 0.
    let block = vec![a0.clone(), b0.clone(), c0_other.clone()];
    for chain in [&mut remembering, &mut cold] {
        let results = chain.deliver(block.clone());
        assert!(results.iter().all(|r| r.code.value() == 0), "{results:?}");
    }

    let left = [
        (&a1, 0, ""),
        (&b1, 5, "sdk"),
        (&c0, 32, "sdk"),
        (&d0, 30, "sdk"),
    ];
    for round in 0..2 {
        for (tx, code, codespace) in left {
            let remembered = check(&mut remembering, tx, CheckTxKind::Recheck);
            let full = check(&mut cold, tx, CheckTxKind::Recheck);
            assert_eq!(remembered, full, "round {round}");
            assert_eq!(
                (remembered.code.value(), remembered.codespace.as_str()),
                (code, codespace),
                "round {round}: {}",
                remembered.log
            );
        }
        // The next block re-checks the same transactions against a fresh check state.
        for chain in [&mut remembering, &mut cold] {
            chain.deliver(Vec::new());
        }
    }
}
