//! `cosmos.bank.v1beta1.MsgSend` and `MsgMultiSend`: stateless validation (addresses, coins),
//! signers, and execution.

use cosmos_sdk_proto::cosmos::bank::v1beta1::{
    Input, MsgMultiSend, MsgMultiSendResponse, MsgSend, MsgSendResponse, Output,
};
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::{decode_msg, unknown_msg};
use rampart_core::state::StateWrite;
use rampart_core::Address;
use rampart_core::{ChainProfile, ModuleMsg};
use rampart_core::{Event, Events};
use tendermint_proto::google::protobuf::Any;

use crate::errors::{err, BankCode};
use crate::state::{BankRead, BankWrite};
pub use crate::urls::{MSG_MULTI_SEND, MSG_MULTI_SEND_RESPONSE, MSG_SEND, MSG_SEND_RESPONSE};
use rampart_core::coins::{format_coins, parse_coins, Coin};

/// A validated transfer: one sender, one or more recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Who pays (and signs).
    pub from: Address,
    /// Who receives what.
    pub outputs: Vec<(Address, Vec<Coin>)>,
    /// Everything `from` pays.
    pub total: Vec<Coin>,
    /// Whether this is a `MsgMultiSend`.
    pub multi: bool,
}

fn positive(coins: &[cosmos_sdk_proto::cosmos::base::v1beta1::Coin]) -> AppResult<Vec<Coin>> {
    let parsed = parse_coins(coins)?;
    if parsed.is_empty() {
        return Err(AppError::sdk(
            SdkCode::InvalidCoins,
            "empty amount: invalid coins",
        ));
    }
    Ok(parsed)
}

impl ModuleMsg for Transfer {
    /// Decodes and validates a bank message (`sdk/2` undecodable, `sdk/7` bad address, `sdk/10`
    /// bad coins, `bank/3` no outputs, `bank/4` inputs ≠ outputs, `bank/9` several senders).
    fn decode(msg: &Any, profile: &ChainProfile) -> AppResult<Self> {
        match msg.type_url.as_str() {
            MSG_SEND => {
                let m: MsgSend = decode_msg(msg)?;
                let from = profile.account_address(&m.from_address)?;
                let to = profile.account_address(&m.to_address)?;
                let amount = positive(&m.amount)?;
                Ok(Transfer {
                    from,
                    outputs: vec![(to, amount.clone())],
                    total: amount,
                    multi: false,
                })
            }
            MSG_MULTI_SEND => {
                let m: MsgMultiSend = decode_msg(msg)?;
                decode_multi(profile, &m.inputs, &m.outputs)
            }
            other => Err(unknown_msg("bank", other)),
        }
    }

    /// The sender.
    fn signers(&self, _profile: &ChainProfile) -> AppResult<Vec<Address>> {
        Ok(vec![self.from])
    }
}

fn decode_multi(
    profile: &ChainProfile,
    inputs: &[Input],
    outputs: &[Output],
) -> AppResult<Transfer> {
    let input = match inputs {
        [] => return Err(err(BankCode::NoInputs, "no inputs to send transaction")),
        [one] => one,
        _ => {
            return Err(err(
                BankCode::MultipleSenders,
                "multiple senders not allowed",
            ))
        }
    };
    if outputs.is_empty() {
        return Err(err(BankCode::NoOutputs, "no outputs to send transaction"));
    }
    let from = profile.account_address(&input.address)?;
    let total = positive(&input.coins)?;
    let mut sums: std::collections::BTreeMap<String, rampart_core::Amount> = Default::default();
    let mut parsed = Vec::with_capacity(outputs.len());
    for output in outputs {
        let to = profile.account_address(&output.address)?;
        let coins = positive(&output.coins)?;
        for coin in &coins {
            let sum = sums.entry(coin.denom.clone()).or_default();
            *sum = sum.checked_add(coin.amount)?;
        }
        parsed.push((to, coins));
    }
    let summed: Vec<Coin> = sums
        .into_iter()
        .map(|(denom, amount)| Coin { denom, amount })
        .collect();
    if summed != total {
        return Err(err(
            BankCode::InputOutputMismatch,
            format!(
                "sum inputs != sum outputs: {} != {}",
                format_coins(&total),
                format_coins(&summed)
            ),
        ));
    }
    Ok(Transfer {
        from,
        outputs: parsed,
        total,
        multi: true,
    })
}

/// Executes a validated transfer; returns the message response.
pub fn execute(
    state: &mut dyn StateWrite,
    transfer: &Transfer,
    events: &mut Events,
) -> AppResult<Any> {
    if !state.bank_params()?.default_send_enabled {
        return Err(err(
            BankCode::SendDisabled,
            "transfers are currently disabled",
        ));
    }
    for (to, _) in &transfer.outputs {
        state.check_receiver(to)?;
    }
    if let (false, [(to, coins)]) = (transfer.multi, transfer.outputs.as_slice()) {
        state.send(&transfer.from, to, coins, events)?;
        return Ok(Any {
            type_url: MSG_SEND_RESPONSE.into(),
            value: MsgSendResponse {}.encode_to_vec(),
        });
    }
    state.debit(&transfer.from, &transfer.total, events)?;
    events.push(Event::new("message").attr("sender", transfer.from.to_string()));
    for (to, coins) in &transfer.outputs {
        state.credit(to, coins, events)?;
        events.push(
            Event::new("transfer")
                .attr("recipient", to.to_string())
                .attr("sender", transfer.from.to_string())
                .attr("amount", format_coins(coins)),
        );
    }
    Ok(Any {
        type_url: MSG_MULTI_SEND_RESPONSE.into(),
        value: MsgMultiSendResponse {}.encode_to_vec(),
    })
}
