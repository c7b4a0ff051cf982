//! The `app_state.bank` genesis section, `rampart.bank.v1.GenesisState` in proto3 JSON with the
//! proto field names (unknown fields refused): `{params, balances: [{address, coins}], supply}`.
//! Accounts are created for every funded address; the supply is derived from the balances (a
//! `supply` given in the section must match it).

use rampart_core::ChainProfile;
use std::collections::BTreeMap;

use cosmos_sdk_proto::cosmos::bank::v1beta1::Params;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{StateRead, StateWrite};
use rampart_core::Address;
use rampart_core::{Amount, Events};
use rampart_proto::rampart::bank::v1 as pb;

use crate::state::{decode_amount, BankRead, BankWrite, BALANCES_PREFIX, SUPPLY_PREFIX};
use rampart_core::coins::{format_coins, parse_coins, Coin};

/// The genesis section.
pub type BankGenesis = pb::GenesisState;

/// A coin in a genesis section (`{"denom": "uramp", "amount": "100"}`).
pub use rampart_proto::rampart::base::v1::Coin as JsonCoin;

fn to_coins(coins: &[JsonCoin]) -> AppResult<Vec<Coin>> {
    let proto: Vec<ProtoCoin> = coins
        .iter()
        .map(|c| ProtoCoin {
            denom: c.denom.clone(),
            amount: c.amount.clone(),
        })
        .collect();
    parse_coins(&proto)
}

fn to_json(coins: &[Coin]) -> Vec<JsonCoin> {
    coins
        .iter()
        .map(|c| JsonCoin {
            denom: c.denom.clone(),
            amount: c.amount.to_string(),
        })
        .collect()
}

/// Writes the section: parameters, accounts and balances, and the derived supply.
pub fn init(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    genesis: &BankGenesis,
) -> AppResult<()> {
    state.set_bank_params(&Params {
        default_send_enabled: genesis
            .params
            .as_ref()
            .is_none_or(|p| p.default_send_enabled),
        ..Params::default()
    });
    let mut seen = std::collections::BTreeSet::new();
    let mut events = Events::new();
    for entry in &genesis.balances {
        let address = profile.account_address(&entry.address)?;
        if !seen.insert(address) {
            return Err(AppError::sdk(
                SdkCode::JsonUnmarshal,
                format!("app_state.bank: duplicate balance for {}", entry.address),
            ));
        }
        state.mint(&address, &to_coins(&entry.coins)?, &mut events)?;
    }
    if !genesis.supply.is_empty() {
        let expected = to_coins(&genesis.supply)?;
        let derived = total_supply(state)?;
        if expected != derived {
            return Err(AppError::sdk(
                SdkCode::JsonUnmarshal,
                format!(
                    "app_state.bank: supply {} does not match the balances' sum {}",
                    format_coins(&expected),
                    format_coins(&derived)
                ),
            ));
        }
    }
    Ok(())
}

/// Every denom's supply, in denom order.
pub fn total_supply(state: &dyn StateRead) -> AppResult<Vec<Coin>> {
    state
        .scan_prefix(SUPPLY_PREFIX)
        .map(|(key, value)| {
            Ok(Coin {
                denom: String::from_utf8_lossy(&key[SUPPLY_PREFIX.len()..]).into_owned(),
                amount: decode_amount(&value)?,
            })
        })
        .collect()
}

/// Reads the section back from `state`.
pub fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<BankGenesis> {
    let mut by_address: BTreeMap<[u8; 20], Vec<Coin>> = BTreeMap::new();
    for (key, value) in state.scan_prefix(BALANCES_PREFIX) {
        let rest = &key[BALANCES_PREFIX.len()..];
        let (address, denom) = rest
            .split_at_checked(20)
            .ok_or_else(|| AppError::sdk(SdkCode::Logic, "corrupt balance key in bank state"))?;
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(address);
        by_address.entry(bytes).or_default().push(Coin {
            denom: String::from_utf8_lossy(denom).into_owned(),
            amount: decode_amount(&value)?,
        });
    }
    let balances = by_address
        .into_iter()
        .map(|(address, coins)| pb::Balance {
            address: profile.to_account(&Address(address)),
            coins: to_json(&coins),
        })
        .collect();
    Ok(BankGenesis {
        params: Some(pb::Params {
            default_send_enabled: state.bank_params()?.default_send_enabled,
        }),
        balances,
        supply: to_json(&total_supply(state)?),
    })
}

/// Σ balances of `denom` over every account (for invariant checks in tests and audits).
pub fn sum_balances(state: &dyn StateRead, denom: &str) -> AppResult<Amount> {
    let mut sum = Amount::ZERO;
    for (key, value) in state.scan_prefix(BALANCES_PREFIX) {
        if key.len() > BALANCES_PREFIX.len() + 20
            && &key[BALANCES_PREFIX.len() + 20..] == denom.as_bytes()
        {
            sum = sum.checked_add(decode_amount(&value)?)?;
        }
    }
    Ok(sum)
}
