//! `cosmos.bank.v1beta1` messages beyond the plain send ([`crate::tx_builder::msg_send`]):
//! `MsgMultiSend`, one input paying many outputs (how a faucet funds many accounts at once).

use cosmos_sdk_proto::cosmos::bank::v1beta1::{Input, MsgMultiSend, Output};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmrs::Any;
pub use rampart_bank::urls::MSG_MULTI_SEND;

use super::to_any;

/// A `MsgMultiSend` from `from` paying each `(address, coins)` of `outputs`; the input is the
/// sum of the outputs per denom (the bank refuses a multi-send whose input and outputs differ).
pub fn multi_send_msg(from: &str, outputs: &[(String, Vec<Coin>)]) -> anyhow::Result<Any> {
    let mut total: std::collections::BTreeMap<&str, u128> = std::collections::BTreeMap::new();
    for (_, coins) in outputs {
        for coin in coins {
            let amount: u128 = coin
                .amount
                .parse()
                .map_err(|_| anyhow::anyhow!("invalid amount {:?}", coin.amount))?;
            let sum = total.entry(coin.denom.as_str()).or_default();
            *sum = sum
                .checked_add(amount)
                .ok_or_else(|| anyhow::anyhow!("multi-send total of {} overflows", coin.denom))?;
        }
    }
    let inputs = vec![Input {
        address: from.into(),
        coins: total
            .into_iter()
            .map(|(denom, amount)| Coin {
                denom: denom.into(),
                amount: amount.to_string(),
            })
            .collect(),
    }];
    let outputs = outputs
        .iter()
        .map(|(address, coins)| Output {
            address: address.clone(),
            coins: coins.clone(),
        })
        .collect();
    Ok(to_any(MSG_MULTI_SEND, &MsgMultiSend { inputs, outputs }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn input_is_the_sum_of_the_outputs() -> anyhow::Result<()> {
        let coin = |amount: &str| Coin {
            denom: "uramp".into(),
            amount: amount.into(),
        };
        let any = multi_send_msg(
            "rampart1from",
            &[("a".into(), vec![coin("5")]), ("b".into(), vec![coin("7")])],
        )?;
        assert_eq!(any.type_url, MSG_MULTI_SEND);
        let msg = MsgMultiSend::decode(any.value.as_slice())?;
        assert_eq!(msg.inputs.len(), 1);
        assert_eq!(msg.inputs[0].coins, vec![coin("12")]);
        assert_eq!(msg.outputs.len(), 2);
        assert!(multi_send_msg("x", &[("a".into(), vec![coin("z")])]).is_err());
        Ok(())
    }
}
