//! The `rampart.liquid.v1` messages: decoding, stateless checks, signers and execution.

use std::collections::BTreeSet;

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use prost::Message;
use rampart_auth::AuthWrite;
use rampart_bank::{BankRead, BankWrite, Coin};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::{decode_msg as decode, unknown_msg};
use rampart_core::wire::{coin_string, int_to_wire};
use rampart_core::{Address, Amount, ChainProfile, ModuleMsg};
use rampart_core::{Event, Events, MsgContext, StateRead, StateWrite};
use rampart_proto::rampart::liquid::v1 as pb;
use rampart_staking::delegation::{self, Funding};
use rampart_staking::{StakingPorts, StakingRead};
use tendermint_proto::google::protobuf::Any;

use crate::allocate;
use crate::errors::{err, LiquidCode};
use crate::params::{self, LiquidParams};
use crate::rate::{self, Backing};
use crate::records::{self, Record};
pub use crate::urls::{LIQUID_STAKE, LIQUID_UNSTAKE, TYPE_URLS};
use crate::{keys, module_address, LIQUID_DENOM, MODULE_ACCOUNT};

/// The module account's permissions.
pub const MODULE_PERMISSIONS: &[&str] = &["minter", "burner"];

/// A decoded liquid message.
#[derive(Debug, Clone, PartialEq)]
pub enum LiquidMsg {
    /// Stake and mint.
    Stake(pb::MsgLiquidStake),
    /// Redeem.
    Unstake(pb::MsgLiquidUnstake),
}

fn response<M: Message>(type_url: &str, msg: &M) -> Any {
    Any {
        type_url: format!("{type_url}Response"),
        value: msg.encode_to_vec(),
    }
}

/// A positive amount of `denom` (`sdk/10` missing or malformed, `liquid/2` zero, `liquid/3`
/// another denom).
pub fn amount_of(coin: Option<&ProtoCoin>, denom: &str) -> AppResult<Amount> {
    let coin = coin.ok_or_else(|| AppError::sdk(SdkCode::InvalidCoins, "amount: missing coin"))?;
    let amount: Amount = coin.amount.parse().map_err(|e: AppError| {
        AppError::sdk(SdkCode::InvalidCoins, format!("amount: {}", e.log))
    })?;
    if coin.denom != denom {
        return Err(err(
            LiquidCode::WrongDenom,
            format!("amount must be in {denom}, got {}", coin.denom),
        ));
    }
    if amount.is_zero() {
        return Err(err(LiquidCode::ZeroAmount, "amount must be positive"));
    }
    Ok(amount)
}

/// The named validators, distinct (`sdk/7` malformed, `liquid/7` repeated).
pub fn named_validators(profile: &ChainProfile, names: &[String]) -> AppResult<Vec<Address>> {
    let mut seen = BTreeSet::new();
    for name in names {
        let op = profile.valoper(name, "validators")?;
        if !seen.insert(op) {
            return Err(err(
                LiquidCode::DuplicateValidator,
                format!("validator {name} is named twice"),
            ));
        }
    }
    Ok(seen.into_iter().collect())
}

impl ModuleMsg for LiquidMsg {
    /// Decodes one of [`TYPE_URLS`].
    fn decode(any: &Any, _profile: &ChainProfile) -> AppResult<Self> {
        Ok(match any.type_url.as_str() {
            LIQUID_STAKE => Self::Stake(decode(any)?),
            LIQUID_UNSTAKE => Self::Unstake(decode(any)?),
            other => return Err(unknown_msg("liquid", other)),
        })
    }

    /// Checks what needs no state (addresses, amounts, denoms, repeated validators) and returns
    /// the signer: the delegator.
    fn signers(&self, profile: &ChainProfile) -> AppResult<Vec<Address>> {
        let delegator = match self {
            Self::Stake(m) => {
                amount_of(m.amount.as_ref(), profile.bond_denom)?;
                named_validators(profile, &m.validators)?;
                &m.delegator
            }
            Self::Unstake(m) => {
                amount_of(m.amount.as_ref(), LIQUID_DENOM)?;
                &m.delegator
            }
        };
        Ok(vec![profile.account(delegator, "delegator")?])
    }
}

/// Executes `msg` and returns its response.
pub fn execute(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    ctx: &MsgContext<'_>,
    msg: &LiquidMsg,
    events: &mut Events,
) -> AppResult<Any> {
    let profile = &ctx.block.profile;
    msg.signers(profile)?;
    match msg {
        LiquidMsg::Stake(m) => {
            let minted = stake(state, ports, profile, m, events)?;
            let minted = Coin::new(LIQUID_DENOM, minted.0).to_proto();
            Ok(response(
                LIQUID_STAKE,
                &pb::MsgLiquidStakeResponse {
                    minted: Some(minted),
                },
            ))
        }
        LiquidMsg::Unstake(m) => {
            let (record_id, estimate) = unstake(state, profile, m, events)?;
            Ok(response(
                LIQUID_UNSTAKE,
                &pb::MsgLiquidUnstakeResponse {
                    record_id,
                    estimated_amount: int_to_wire(estimate),
                },
            ))
        }
    }
}

/// The validators new stake goes to by default: the bonded, unjailed members of the active set
/// in operator order — those the module already delegates to first, then others while the
/// index stays within `max_validators`.
pub fn default_targets(state: &dyn StateRead, params: &LiquidParams) -> AppResult<Vec<Address>> {
    let indexed: BTreeSet<Address> = rate::indexed_validators(state).into_iter().collect();
    let mut count = indexed.len();
    let mut out = Vec::new();
    for (op, _) in state.active_set() {
        if !rate::is_bonded(state, &op)? {
            continue;
        }
        if indexed.contains(&op) {
            out.push(op);
        } else if count < params.max_validators as usize {
            count += 1;
            out.push(op);
        }
    }
    Ok(out)
}

/// The named validators, checked: at most `max_validators`, each existing and bonded, and the
/// module's index with them within `max_validators`.
fn checked_targets(
    state: &dyn StateRead,
    params: &LiquidParams,
    profile: &ChainProfile,
    named: &[Address],
) -> AppResult<Vec<Address>> {
    let max = params.max_validators as usize;
    let indexed: BTreeSet<Address> = rate::indexed_validators(state).into_iter().collect();
    let new = named.iter().filter(|op| !indexed.contains(op)).count();
    if named.len() > max || indexed.len().saturating_add(new) > max {
        return Err(err(
            LiquidCode::TooManyValidators,
            format!(
                "{} validators named, the module delegates to {}: at most max_validators {max}",
                named.len(),
                indexed.len()
            ),
        ));
    }
    for op in named {
        if state.validator(op)?.is_none() {
            return Err(err(
                LiquidCode::UnknownValidator,
                format!("validator {} does not exist", profile.to_valoper(op)),
            ));
        }
        if !rate::is_bonded(state, op)? {
            return Err(err(
                LiquidCode::ValidatorNotBonded,
                format!(
                    "validator {} is not bonded (or is jailed)",
                    profile.to_valoper(op)
                ),
            ));
        }
    }
    Ok(named.to_vec())
}

/// Delegates `amount` of the module account's uramp over `targets` ([`allocate::split`]) and
/// indexes every validator it delegates to. A part too small to buy a share stays in the
/// account. Returns what was delegated.
pub fn delegate_spread(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    params: &LiquidParams,
    targets: &[Address],
    amount: Amount,
    total_after: Amount,
    events: &mut Events,
) -> AppResult<Amount> {
    let module = module_address();
    let mut held = Vec::with_capacity(targets.len());
    for op in targets {
        held.push((*op, rate::stake_at(state, op)?));
    }
    let (parts, _) = allocate::split(amount, &held, total_after, params.max_validator_share_bps)?;
    let mut delegated = Amount::ZERO;
    for (op, part) in parts {
        let Some(mut v) = state.validator(&op)? else {
            continue;
        };
        if v.tokens.is_zero() || v.shares_for_tokens(part)? == rampart_core::Decimal::ZERO {
            continue;
        }
        delegation::delegate(
            state,
            ports,
            &module,
            &mut v,
            part,
            Funding::Account,
            events,
        )?;
        state.put(keys::validator(&op), Vec::new());
        delegated = delegated.checked_add(part)?;
    }
    Ok(delegated)
}

fn stake(
    state: &mut dyn StateWrite,
    ports: StakingPorts<'_>,
    profile: &ChainProfile,
    m: &pb::MsgLiquidStake,
    events: &mut Events,
) -> AppResult<Amount> {
    let delegator = profile.account(&m.delegator, "delegator")?;
    let denom = state.bond_denom()?;
    let amount = amount_of(m.amount.as_ref(), &denom)?;
    let params = params::load(state)?;
    let named = named_validators(profile, &m.validators)?;
    let targets = if named.is_empty() {
        default_targets(state, &params)?
    } else {
        checked_targets(state, &params, profile, &named)?
    };
    if targets.is_empty() {
        return Err(err(
            LiquidCode::NoValidators,
            "no bonded validator to delegate to",
        ));
    }
    let balance = state.balance(&delegator, &denom)?;
    if balance < amount {
        return Err(AppError::sdk(
            SdkCode::InsufficientFunds,
            format!("spendable balance {balance}{denom} is smaller than {amount}{denom}: insufficient funds"),
        ));
    }
    let backing = Backing::load(state)?;
    let minted = backing.mint(amount)?;
    if minted.is_zero() {
        return Err(err(
            LiquidCode::RoundsToZero,
            format!(
                "{amount}{denom} mints no {LIQUID_DENOM} at the rate {}",
                backing.rate()?
            ),
        ));
    }
    state.claim_module_account(MODULE_ACCOUNT, MODULE_PERMISSIONS)?;
    let module = module_address();
    let coins = [Coin::new(denom.clone(), amount.0)];
    state.send(&delegator, &module, &coins, events)?;
    let total_after = backing.stake()?.checked_add(amount)?;
    delegate_spread(state, ports, &params, &targets, amount, total_after, events)?;
    state.mint(&delegator, &[Coin::new(LIQUID_DENOM, minted.0)], events)?;
    events.push(
        Event::new("liquid_stake")
            .attr("delegator", profile.to_account(&delegator))
            .attr("amount", coin_string(amount, &denom))
            .attr("minted", coin_string(minted, LIQUID_DENOM)),
    );
    Ok(minted)
}

fn unstake(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    m: &pb::MsgLiquidUnstake,
    events: &mut Events,
) -> AppResult<(u64, Amount)> {
    let owner = profile.account(&m.delegator, "delegator")?;
    let liquid = amount_of(m.amount.as_ref(), LIQUID_DENOM)?;
    let held = state.balance(&owner, LIQUID_DENOM)?;
    if held < liquid {
        return Err(err(
            LiquidCode::InsufficientTokens,
            format!("holds {held}{LIQUID_DENOM}, cannot unstake {liquid}{LIQUID_DENOM}"),
        ));
    }
    let backing = Backing::load(state)?;
    let estimate = backing.redeem(liquid)?;
    if estimate.is_zero() {
        return Err(err(
            LiquidCode::RoundsToZero,
            format!(
                "{liquid}{LIQUID_DENOM} redeems nothing at the rate {}",
                backing.rate()?
            ),
        ));
    }
    let coins = [Coin::new(LIQUID_DENOM, liquid.0)];
    state.send(&owner, &module_address(), &coins, events)?;
    let batch_id = records::open_batch_id(state);
    let mut batch = records::batch_or_new(state, batch_id)?;
    batch.liquid_total = batch.liquid_total.checked_add(liquid)?;
    records::save_batch(state, &batch);
    let record = Record {
        id: records::take_record_id(state),
        owner,
        liquid_amount: liquid,
        batch_id,
    };
    records::save_record(state, &record);
    events.push(
        Event::new("liquid_unstake")
            .attr("delegator", profile.to_account(&owner))
            .attr("amount", coin_string(liquid, LIQUID_DENOM))
            .attr("record_id", record.id.to_string())
            .attr("batch_id", batch_id.to_string())
            .attr("estimated_amount", estimate.to_string()),
    );
    Ok((record.id, estimate))
}
