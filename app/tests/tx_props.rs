//! Property test: random sequences of valid and invalid transactions over several accounts and
//! denoms never change the total supply (nothing mints or burns yet), Σ balances always equals
//! the supply, and every balance matches a simple reference model (fee charged exactly when the
//! sequence advanced, the transfer exactly when the transaction succeeded).

use std::collections::BTreeMap;

use proptest::prelude::*;
use rampart_auth::FEE_COLLECTOR;
use rampart_bank::genesis::sum_balances;
use rampart_core::Address;
use rampart_testkit::*;

/// What can go wrong with a generated transaction.
#[derive(Debug, Clone, Copy)]
enum Flaw {
    None,
    StaleSequence,
    FutureSequence,
    WrongKey,
    WrongChain,
    ZeroAmount,
    Garbage,
}

#[derive(Debug, Clone)]
struct Op {
    sender: usize,
    recipient: usize,
    denom: usize,
    amount: u128,
    fee: u128,
    flaw: Flaw,
}

fn op() -> impl Strategy<Value = Op> {
    let flaw = prop_oneof![
        6 => Just(Flaw::None),
        1 => Just(Flaw::StaleSequence),
        1 => Just(Flaw::FutureSequence),
        1 => Just(Flaw::WrongKey),
        1 => Just(Flaw::WrongChain),
        1 => Just(Flaw::ZeroAmount),
        1 => Just(Flaw::Garbage),
    ];
    (
        0..3usize,
        0..4usize,
        0..2usize,
        1..(FUNDS / 2),
        0..3000u128,
        flaw,
    )
        .prop_map(|(sender, recipient, denom, amount, fee, flaw)| Op {
            sender,
            recipient,
            denom,
            amount,
            fee,
            flaw,
        })
}

fn build(chain: &Chain, keys: &[Key], recipients: &[Address], op: &Op) -> Vec<u8> {
    let key = &keys[op.sender];
    let denom = [DENOM, OTHER][op.denom];
    let amount = match op.flaw {
        Flaw::ZeroAmount => "0".to_owned(),
        _ => op.amount.to_string(),
    };
    let mut tx = TxBuilder::new(
        vec![msg_send(
            key.address(),
            recipients[op.recipient],
            vec![coin(&amount, denom)],
        )],
        vec![chain.signer(key)],
    );
    tx.fee = if op.fee == 0 {
        vec![]
    } else {
        vec![coin(&op.fee.to_string(), DENOM)]
    };
    match op.flaw {
        Flaw::StaleSequence if tx.signers[0].sequence > 0 => tx.signers[0].sequence -= 1,
        Flaw::StaleSequence | Flaw::FutureSequence => tx.signers[0].sequence += 3,
        Flaw::WrongKey => tx.signers[0].key = Key::secp(200),
        Flaw::WrongChain => tx.chain_id = "elsewhere".into(),
        Flaw::Garbage => return vec![0x0a, 0xff, 0x01],
        Flaw::None | Flaw::ZeroAmount => {}
    }
    tx.build()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn supply_is_conserved_and_balances_follow_the_model(ops in prop::collection::vec(op(), 1..12)) {
        let keys = [Key::secp(41), Key::ed(42), Key::secp(43)];
        let refs: Vec<&Key> = keys.iter().collect();
        let mut chain = Chain::from_genesis(&genesis_without_inflation(&refs), true);
        // Fees land in the collector and move on to distribution at the next block.
        let fee_holders = [Address::module(FEE_COLLECTOR), rampart_distribution::module_address()];
        let mut fees_paid = 0u128;
        let mut recipients: Vec<Address> = keys.iter().map(Key::address).collect();
        recipients.push(Key::ed(44).address()); // not funded at genesis
        let mut model: BTreeMap<(Address, &str), u128> = BTreeMap::new();
        for key in &keys {
            model.insert((key.address(), DENOM), FUNDS);
            model.insert((key.address(), OTHER), FUNDS);
        }
        let supply = [chain.supply(DENOM), chain.supply(OTHER)];
        prop_assert_eq!(supply[0].0, FUNDS * 3 + rampart_app::testing::DEFAULT_STAKE);

        for op in &ops {
            let from = keys[op.sender].address();
            let seq_before = chain.account(&from).map(|a| a.1);
            let denom = [DENOM, OTHER][op.denom];
            let held = |d: &str| model.get(&(from, d)).copied().unwrap_or(0);
            let after_fee = held(DENOM).checked_sub(op.fee);
            let spendable = if denom == DENOM { after_fee } else { after_fee.map(|_| held(OTHER)) };
            let should_pass = spendable.is_some_and(|s| s >= op.amount);
            let tx = build(&chain, &keys, &recipients, op);
            let result = chain.deliver_one(tx);
            let seq_after = chain.account(&from).map(|a| a.1);
            if seq_after != seq_before {
                // The ante handler passed: the fee moved.
                *model.entry((from, DENOM)).or_default() -= op.fee;
                fees_paid += op.fee;
            }
            if result.code.value() == 0 {
                *model.entry((from, denom)).or_default() -= op.amount;
                *model.entry((recipients[op.recipient], denom)).or_default() += op.amount;
            } else {
                prop_assert!(!result.log.is_empty());
            }
            match op.flaw {
                Flaw::None => prop_assert_eq!(
                    result.code.value() == 0,
                    should_pass,
                    "valid tx outcome disagrees with the model: {}",
                    result.log
                ),
                _ => prop_assert_ne!(result.code.value(), 0, "{:?} must fail", op.flaw),
            }
            for (i, denom) in [DENOM, OTHER].into_iter().enumerate() {
                prop_assert_eq!(chain.supply(denom), supply[i], "supply of {} changed", denom);
                let snapshot = chain.storage.snapshot();
                prop_assert_eq!(sum_balances(&snapshot, denom).expect("sums"), supply[i]);
            }
            for ((address, denom), expected) in &model {
                prop_assert_eq!(chain.balance(address, denom), *expected);
            }
            let held: u128 = fee_holders.iter().map(|a| chain.balance(a, DENOM)).sum();
            prop_assert_eq!(held, fees_paid, "every fee is in the collector or distribution");
        }
    }
}
