//! Allocation: each block's fee-collector balance split between the community pool, the previous
//! proposer and the validators that signed the previous block (SDK v0.46 `AllocateTokens`), and
//! the per-validator split between commission and the delegators' reward index
//! (`AllocateTokensToValidator`), also offered to other modules as [`allocate_to_validator`].

use std::collections::BTreeMap;

use rampart_auth::FEE_COLLECTOR;
use rampart_bank::{BankRead, BankWrite, Coin};
use rampart_core::coins::parse_coins;
use rampart_core::context::VoteInfo;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::math::mul_div;
use rampart_core::{Address, ChainProfile};
use rampart_core::{BlockContext, Decimal, Event, Events, StateRead, StateWrite};
use rampart_staking::{StakingRead, Validator};

use crate::dec_coins::DecCoins;
use crate::errors::{err, DistributionCode};
use crate::params::{self, DistributionParams};
use crate::state::{self, module_address, ClassRewards, ValidatorRewards};

/// The reward-per-share increase for `amount` shared among `shares`: `amount / shares`, rounded
/// down to the atto (the rounding dust stays in the validator's outstanding rewards).
pub fn index_increment(amount: Decimal, shares: Decimal) -> AppResult<Decimal> {
    if shares == Decimal::ZERO {
        return Err(AppError::sdk(
            SdkCode::Logic,
            "reward index of a validator without shares",
        ));
    }
    mul_div(amount.0, Decimal::ONE_ATTOS, shares.0, false).map(Decimal)
}

/// Who shares the delegators' part of a reward: every delegation of the validator (`None`), or,
/// for a consumer's reward, only the delegations backing that consumer.
pub type Backers = Option<u64>;

/// How one credit to a validator is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// The commission rate, at most 1.
    pub rate: Decimal,
    /// Who shares the rest.
    pub backers: Backers,
}

impl Split {
    /// A provider reward to `v`: its own commission rate, every delegation sharing.
    pub fn provider(v: &Validator) -> Self {
        Self {
            rate: v.commission.rate,
            backers: None,
        }
    }
}

/// The terms of an allocation outside the block's fee split ([`allocate_to_validator`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terms {
    /// The commission rate (`None`: the validator's own).
    pub commission_rate: Option<Decimal>,
    /// Who shares the delegators' part.
    pub backers: Backers,
}

/// Credits `tokens` to validator `v`'s record: `tokens × split.rate` to its commission, the rest
/// into its reward indexes — the default class's per weighted share, each backing class's per
/// class share, only the classes backing `split.backers` sharing — everything into its
/// outstanding rewards.
/// The delegators' part goes to the community pool instead when no delegator shares receive it,
/// or when (for a validator with a tiny number of shares) the index would leave the decimal
/// range. Emits the SDK's `commission{amount, validator}` and `rewards{amount, validator}`.
pub fn credit_validator(
    profile: &ChainProfile,
    v: &Validator,
    record: &mut ValidatorRewards,
    pool: &mut DecCoins,
    tokens: &DecCoins,
    split: Split,
    events: &mut Events,
) -> AppResult<()> {
    let Split { rate, backers } = split;
    let commission = tokens.mul_dec_floor(rate)?;
    let shared = tokens.checked_sub(&commission)?;
    let mut outstanding = record.outstanding.checked_add(&commission)?;
    let mut index = record.index.clone();
    let mut classes = record.classes.clone();
    let receives = |c: &ClassRewards| backers.is_none_or(|id| c.class.backing.backs(id));
    let excluded = classes
        .iter()
        .filter(|c| !receives(c))
        .try_fold(Decimal::ZERO, |sum, c| {
            sum.checked_add(c.class.weighted_shares)
        })?;
    let sharing = v.delegator_shares.checked_sub(excluded).unwrap_or_default();
    let mut to_pool = DecCoins::new();
    for (denom, amount) in shared.iter() {
        let raised = index_increment(amount, sharing).and_then(|delta| {
            index.amount_of(denom).checked_add(delta)?;
            let mut per_class = Vec::new();
            for c in classes.iter().filter(|c| receives(c)) {
                if c.class.class_shares == Decimal::ZERO {
                    continue;
                }
                // A class share is worth weighted / class shares of the validator's shares.
                let step = Decimal(mul_div(
                    delta.0,
                    c.class.weighted_shares.0,
                    c.class.class_shares.0,
                    false,
                )?);
                c.index.amount_of(denom).checked_add(step)?;
                per_class.push((c.class.id, step));
            }
            Ok((delta, per_class))
        });
        match raised {
            Ok((delta, per_class)) => {
                index.add_amount(denom, delta)?;
                for (id, step) in per_class {
                    if let Some(c) = classes.iter_mut().find(|c| c.class.id == id) {
                        c.index.add_amount(denom, step)?;
                    }
                }
                outstanding.add_amount(denom, amount)?;
            }
            Err(_) => to_pool.add_amount(denom, amount)?,
        }
    }
    let new_pool = pool.checked_add(&to_pool)?;
    let validator = profile.to_valoper(&v.operator);
    record.commission = record.commission.checked_add(&commission)?;
    record.index = index;
    record.classes = classes;
    record.outstanding = outstanding;
    *pool = new_pool;
    events.push(
        Event::new("commission")
            .attr("amount", commission.to_string())
            .attr("validator", validator.clone()),
    );
    events.push(
        Event::new("rewards")
            .attr("amount", tokens.to_string())
            .attr("validator", validator),
    );
    Ok(())
}

/// Who shares one block's fees.
#[derive(Debug, Clone)]
struct Recipients {
    /// The previous block's proposer, when it is a known validator.
    proposer: Option<Validator>,
    /// Every vote that signed the previous block, with its validator when known.
    signers: Vec<(Option<Validator>, u64)>,
    /// Σ power of the signers.
    signed_power: u128,
    /// Σ power of every vote.
    total_power: u128,
}

impl Recipients {
    fn load(
        state: &dyn StateWrite,
        previous_proposer: Option<[u8; 20]>,
        votes: &[VoteInfo],
    ) -> AppResult<Self> {
        let proposer = match previous_proposer {
            Some(cons) => state.validator_by_consensus_address(&cons)?,
            None => None,
        };
        let mut signers = Vec::new();
        let (mut signed_power, mut total_power) = (0u128, 0u128);
        for vote in votes {
            let power = u128::from(vote.power);
            total_power = total_power
                .checked_add(power)
                .ok_or_else(|| AppError::sdk(SdkCode::Logic, "total voting power overflows"))?;
            if vote.signed {
                signed_power = signed_power.checked_add(power).ok_or_else(|| {
                    AppError::sdk(SdkCode::Logic, "signed voting power overflows")
                })?;
                signers.push((
                    state.validator_by_consensus_address(&vote.address)?,
                    vote.power,
                ));
            }
        }
        Ok(Self {
            proposer,
            signers,
            signed_power,
            total_power,
        })
    }

    fn validators(&self) -> impl Iterator<Item = &Validator> {
        self.proposer
            .iter()
            .chain(self.signers.iter().filter_map(|(v, _)| v.as_ref()))
    }
}

/// [`credit_validator`] of a provider reward to `v`'s record in `records`.
fn credit_provider(
    profile: &ChainProfile,
    v: &Validator,
    records: &mut BTreeMap<Address, ValidatorRewards>,
    pool: &mut DecCoins,
    reward: &DecCoins,
    events: &mut Events,
) -> AppResult<()> {
    let record = records.entry(v.operator).or_default();
    credit_validator(profile, v, record, pool, reward, Split::provider(v), events)
}

/// Splits `fees` (already counted as the module's) into records and the pool, in memory.
fn split(
    profile: &ChainProfile,
    params: &DistributionParams,
    r: &Recipients,
    fees: &DecCoins,
    records: &mut BTreeMap<Address, ValidatorRewards>,
    pool: &mut DecCoins,
    events: &mut Events,
) -> AppResult<()> {
    if r.signed_power == 0 {
        *pool = pool.checked_add(fees)?;
        return Ok(());
    }
    // signed ≤ total, so the fraction is at most 1.
    let signed_fraction = Decimal::from_ratio(r.signed_power, r.total_power)?;
    let proposer_multiplier = params
        .base_proposer_reward
        .checked_add(params.bonus_proposer_reward.checked_mul(signed_fraction)?)?;
    let mut remaining = fees.clone();
    if let Some(v) = &r.proposer {
        let reward = fees.mul_dec_floor(proposer_multiplier)?;
        events.push(
            Event::new("proposer_reward")
                .attr("amount", reward.to_string())
                .attr("validator", profile.to_valoper(&v.operator)),
        );
        credit_provider(profile, v, records, pool, &reward, events)?;
        remaining = remaining.checked_sub(&reward)?;
    }
    // Validated parameters keep this non-negative: base + bonus·fraction + tax ≤ 1.
    let voter_multiplier = Decimal::ONE
        .checked_sub(proposer_multiplier)?
        .checked_sub(params.community_tax)?;
    let voter_rewards = fees.mul_dec_floor(voter_multiplier)?;
    for (v, power) in &r.signers {
        // A signer that is not a staking validator: its share stays in `remaining`.
        let Some(v) = v else { continue };
        let reward = voter_rewards.mul_ratio_floor(u128::from(*power), r.signed_power)?;
        credit_provider(profile, v, records, pool, &reward, events)?;
        remaining = remaining.checked_sub(&reward)?;
    }
    *pool = pool.checked_add(&remaining)?;
    Ok(())
}

/// The begin-block allocation: moves the whole fee-collector balance into the distribution
/// module account and allocates it to the previous block's proposer and signers (see the crate
/// documentation), then records this block's proposer for the next block.
///
/// A denom whose allocation would leave the 18-decimal range (an amount above ~3.4·10^20 base
/// units, or a record that has accumulated that much) is left in the fee collector rather than
/// halting the chain; every other denom is allocated.
pub fn allocate_block(
    state: &mut dyn StateWrite,
    ctx: &BlockContext,
    events: &mut Events,
) -> AppResult<()> {
    let collector = Address::module(FEE_COLLECTOR);
    let collected = state.balances(&collector)?;
    let previous = state::previous_proposer(state)?;
    if !collected.is_empty() {
        let params = params::load(state)?;
        let recipients = Recipients::load(state, previous, &ctx.last_commit)?;
        let mut records = BTreeMap::new();
        for v in recipients.validators() {
            records.insert(v.operator, state::validator_rewards(state, &v.operator)?);
        }
        let mut pool = state::community_pool(state)?;
        // Denoms are independent: try each alone, then allocate those that fit together.
        let mut accepted = Vec::new();
        for coin in &collected {
            let fits = DecCoins::from_coins(std::slice::from_ref(coin)).and_then(|fees| {
                split(
                    &ctx.profile,
                    &params,
                    &recipients,
                    &fees,
                    &mut records.clone(),
                    &mut pool.clone(),
                    &mut Events::new(),
                )
            });
            if fits.is_ok() {
                accepted.push(coin.clone());
            }
        }
        if !accepted.is_empty() {
            let fees = DecCoins::from_coins(&accepted)?;
            state.send(&collector, &module_address(), &accepted, events)?;
            split(
                &ctx.profile,
                &params,
                &recipients,
                &fees,
                &mut records,
                &mut pool,
                events,
            )?;
            for (op, record) in &records {
                state::set_validator_rewards(state, op, record);
            }
            state::set_community_pool(state, &pool);
        }
    }
    state::set_previous_proposer(state, &ctx.proposer);
    Ok(())
}

/// Checks, before anything moves, that `owner` holds `coins`: the first short denom is the
/// bank's `sdk/5` (`spendable balance … is smaller than …: insufficient funds`).
pub(crate) fn ensure_funds(
    state: &dyn StateRead,
    owner: &Address,
    coins: &[Coin],
) -> AppResult<()> {
    for coin in coins {
        let balance = state.balance(owner, &coin.denom)?;
        if balance < coin.amount {
            return Err(AppError::sdk(
                SdkCode::InsufficientFunds,
                format!(
                    "spendable balance {balance}{} is smaller than {coin}: insufficient funds",
                    coin.denom
                ),
            ));
        }
    }
    Ok(())
}

/// Moves `coins` from `from` into the community pool (held by the distribution module account):
/// `MsgFundCommunityPool`, and what other modules forfeit to the community (`sdk/5` when short).
pub fn fund_community_pool(
    state: &mut dyn StateWrite,
    from: &Address,
    coins: &[Coin],
    events: &mut Events,
) -> AppResult<()> {
    ensure_funds(state, from, coins)?;
    let pool = state::community_pool(state)?.checked_add(&DecCoins::from_coins(coins)?)?;
    state.send(from, &module_address(), coins, events)?;
    state::set_community_pool(state, &pool);
    Ok(())
}

/// Allocates `coins` from `source` to validator `op`, for modules that pay validators outside the
/// block's fee split (restaking pays consumer-chain rewards here): the coins move from `source`
/// into the distribution module account, the commission rate of `terms` (or the validator's own)
/// of them becomes the validator's commission, and the rest is shared among its delegators
/// through the reward indexes — exactly as a begin-block allocation, with the same `commission`
/// and `rewards` events. A consumer's reward names the consumer in `terms.backers`: only the
/// delegations backing it share the delegators' part.
///
/// `source` must be an account other than the distribution module account (the coins must not
/// already be counted there). Refusals leave state unchanged: invalid coins `sdk/10`, a rate
/// above 1 `sdk/18`, an unknown validator `distribution/12`, a short `source` balance `sdk/5`.
pub fn allocate_to_validator(
    state: &mut dyn StateWrite,
    profile: &ChainProfile,
    source: &Address,
    op: &Address,
    coins: &[Coin],
    terms: Terms,
    events: &mut Events,
) -> AppResult<()> {
    let Terms {
        commission_rate,
        backers,
    } = terms;
    let coins = parse_coins(&coins.iter().map(Coin::to_proto).collect::<Vec<_>>())?;
    if coins.is_empty() {
        return Ok(());
    }
    if *source == module_address() {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "rewards must come from an account other than the distribution module account",
        ));
    }
    if commission_rate.is_some_and(|r| r > Decimal::ONE) {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "commission rate cannot be more than 100%",
        ));
    }
    let v = state.validator(op)?.ok_or_else(|| {
        err(
            DistributionCode::NoValidatorExists,
            format!("{}: validator does not exist", profile.to_valoper(op)),
        )
    })?;
    ensure_funds(state, source, &coins)?;
    let tokens = DecCoins::from_coins(&coins)?;
    let mut record = state::validator_rewards(state, op)?;
    let mut pool = state::community_pool(state)?;
    let mut own_events = Events::new();
    credit_validator(
        profile,
        &v,
        &mut record,
        &mut pool,
        &tokens,
        Split {
            rate: commission_rate.unwrap_or(v.commission.rate),
            backers,
        },
        &mut own_events,
    )?;
    state.send(source, &module_address(), &coins, events)?;
    events.append(&mut own_events);
    state::set_validator_rewards(state, op, &record);
    state::set_community_pool(state, &pool);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmos_sdk_proto::cosmos::staking::v1beta1::{BondStatus, Description};
    use rampart_core::{Amount, BlockTime};
    use rampart_staking::validator::CommissionState;

    fn dec(text: &str) -> Decimal {
        text.parse().expect("valid decimal")
    }

    fn validator(n: u8, shares: u128, rate: &str) -> Validator {
        Validator {
            operator: Address([n; 20]),
            pubkey: [n; 32],
            jailed: false,
            status: BondStatus::Bonded,
            tokens: Amount(shares),
            delegator_shares: Decimal::from_ratio(shares, 1).expect("fits"),
            description: Description::default(),
            commission: CommissionState {
                rate: dec(rate),
                max_rate: Decimal::ONE,
                max_change_rate: Decimal::ONE,
                update_time: BlockTime::default(),
            },
            min_self_delegation: Amount(1),
            unbonding_height: 0,
            unbonding_time: BlockTime::default(),
        }
    }

    fn coins(pairs: &[(&str, u128)]) -> DecCoins {
        let list: Vec<Coin> = pairs.iter().map(|(d, a)| Coin::new(*d, *a)).collect();
        DecCoins::from_coins(&list).expect("fits")
    }

    /// What an allocation writes: the validators' records, the community pool, the events.
    #[derive(Default)]
    struct Books {
        records: BTreeMap<Address, ValidatorRewards>,
        pool: DecCoins,
        events: Events,
    }

    impl Books {
        /// [`credit_validator`] of `tokens` to `v` at `rate`.
        fn credit(&mut self, v: &Validator, tokens: &[(&str, u128)], rate: Decimal) {
            let record = self.records.entry(v.operator).or_default();
            let (pool, events) = (&mut self.pool, &mut self.events);
            credit_validator(
                &ChainProfile::rampart(),
                v,
                record,
                pool,
                &coins(tokens),
                Split {
                    rate,
                    backers: None,
                },
                events,
            )
            .expect("fits");
        }

        /// [`split`] of `fees` among `r` with the default parameters.
        fn split(&mut self, r: &Recipients, fees: &DecCoins) {
            let params = DistributionParams::default();
            let (records, pool, events) = (&mut self.records, &mut self.pool, &mut self.events);
            split(
                &ChainProfile::rampart(),
                &params,
                r,
                fees,
                records,
                pool,
                events,
            )
            .expect("fits");
        }

        /// Validator `n`'s record.
        fn of(&self, n: u8) -> &ValidatorRewards {
            &self.records[&Address([n; 20])]
        }
    }

    #[test]
    fn commission_and_index_split_with_dust_left_outstanding() {
        let v = validator(1, 3, "0.1");
        let mut books = Books::default();
        books.credit(&v, &[("uramp", 100)], v.commission.rate);
        let record = books.of(1);
        assert_eq!(record.commission, coins(&[("uramp", 10)]));
        // 90 tokens over 3 shares: 30 per share exactly.
        assert_eq!(record.index.amount_of("uramp"), dec("30"));
        assert_eq!(record.outstanding, coins(&[("uramp", 100)]));
        assert!(books.pool.is_empty());
        // 1 token over 3 shares: 0.333… per share, and the dust stays outstanding.
        books.credit(&v, &[("uramp", 1)], Decimal::ZERO);
        let record = books.of(1);
        assert_eq!(
            record.index.amount_of("uramp"),
            Decimal(30 * Decimal::ONE_ATTOS + 333_333_333_333_333_333)
        );
        assert_eq!(record.outstanding.amount_of("uramp"), dec("101"));
        let events = &books.events;
        let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["commission", "rewards", "commission", "rewards"]);
        assert_eq!(events[0].attributes[0].1, "10.000000000000000000uramp");
        assert_eq!(events[1].attributes[0].1, "100.000000000000000000uramp");
    }

    #[test]
    fn no_shares_or_an_unrepresentable_index_send_the_delegators_part_to_the_pool() {
        let mut empty = validator(1, 0, "0.5");
        empty.delegator_shares = Decimal::ZERO;
        let mut books = Books::default();
        books.credit(&empty, &[("uramp", 10)], empty.commission.rate);
        assert_eq!(books.pool, coins(&[("uramp", 5)]));
        assert_eq!(books.of(1).outstanding, coins(&[("uramp", 5)]));
        assert_eq!(books.of(1).commission, coins(&[("uramp", 5)]));
        // One atto of shares: a token per atto-share is beyond the decimal range.
        let mut tiny = validator(2, 1, "0");
        tiny.delegator_shares = Decimal(1);
        let mut books = Books::default();
        books.credit(&tiny, &[("uramp", 1_000_000_000)], Decimal::ZERO);
        assert_eq!(books.pool, coins(&[("uramp", 1_000_000_000)]));
        assert!(books.of(2).index.is_empty() && books.of(2).outstanding.is_empty());
    }

    #[test]
    fn block_split_follows_sdk_v046_with_multiple_denoms() {
        // Two validators with 10 shares each; the proposer (1) and both sign with power 3 and 1
        // out of a total of 5 (a third validator with power 1 missed the block).
        let v1 = validator(1, 10, "0");
        let v2 = validator(2, 10, "0");
        let r = Recipients {
            proposer: Some(v1.clone()),
            signers: vec![(Some(v1), 3), (Some(v2), 1)],
            signed_power: 4,
            total_power: 5,
        };
        let fees = coins(&[("stake", 1_000), ("uramp", 10_000)]);
        let mut books = Books::default();
        books.split(&r, &fees);
        // proposer multiplier = 0.01 + 0.04 × 0.8 = 0.042; voters get 1 − 0.042 − 0.02 = 0.938.
        let (r1, r2, pool) = (books.of(1), books.of(2), &books.pool);
        // uramp: proposer 420, voters 9380 split 3:1 → 7035 and 2345; pool 200.
        assert_eq!(r1.outstanding.amount_of("uramp"), dec("7455"));
        assert_eq!(r2.outstanding.amount_of("uramp"), dec("2345"));
        assert_eq!(pool.amount_of("uramp"), dec("200"));
        // stake: proposer 42, voters 938 → 703.5 and 234.5; pool 20.
        assert_eq!(r1.outstanding.amount_of("stake"), dec("745.5"));
        assert_eq!(r2.outstanding.amount_of("stake"), dec("234.5"));
        assert_eq!(pool.amount_of("stake"), dec("20"));
        // Nothing is created or lost.
        let total = r1
            .outstanding
            .checked_add(&r2.outstanding)
            .and_then(|t| t.checked_add(pool))
            .expect("fits");
        assert_eq!(total, fees);
        assert_eq!(books.events[0].kind, "proposer_reward");
        assert_eq!(
            books.events[0].attributes[0].1,
            "42.000000000000000000stake,420.000000000000000000uramp"
        );
        // Index: uramp 7455 / 10 shares.
        assert_eq!(r1.index.amount_of("uramp"), dec("745.5"));
    }

    #[test]
    fn unknown_signers_and_proposers_and_empty_commits_feed_the_pool() {
        let v2 = validator(2, 10, "0");
        let r = Recipients {
            proposer: None,
            signers: vec![(None, 1), (Some(v2), 1)],
            signed_power: 2,
            total_power: 2,
        };
        let fees = coins(&[("uramp", 1_000)]);
        let mut books = Books::default();
        books.split(&r, &fees);
        // voters: 1 − 0.05 − 0.02 = 0.93 → 930, half each; the unknown half and the missing
        // proposer's 50 and the tax 20 go to the pool.
        assert_eq!(books.of(2).outstanding.amount_of("uramp"), dec("465"));
        assert_eq!(books.pool.amount_of("uramp"), dec("535"));
        let nobody = Recipients {
            proposer: None,
            signers: vec![],
            signed_power: 0,
            total_power: 0,
        };
        let mut books = Books::default();
        books.split(&nobody, &fees);
        assert_eq!(books.pool, fees);
    }

    proptest::proptest! {
        /// Whatever the powers, fees and rates: records + pool = fees exactly, and the index
        /// never promises more than the delegators' part.
        #[test]
        fn allocation_conserves_fees(
            powers in proptest::collection::vec((1u64..1_000, proptest::bool::ANY), 1..6),
            amount in 1u128..1_000_000_000_000,
            rate_bps in 0u32..=10_000,
            shares in 1u128..1_000_000_000_000,
        ) {
            let signers: Vec<_> = powers
                .iter()
                .enumerate()
                .filter(|(_, (_, signed))| *signed)
                .map(|(i, (p, _))| {
                    let mut v = validator(i as u8 + 1, shares, "0");
                    v.commission.rate = Decimal::from_bps(rate_bps);
                    (Some(v), *p)
                })
                .collect();
            let r = Recipients {
                proposer: signers.first().and_then(|(v, _)| v.clone()),
                signed_power: signers.iter().map(|(_, p)| u128::from(*p)).sum(),
                total_power: powers.iter().map(|(p, _)| u128::from(*p)).sum(),
                signers,
            };
            let fees = coins(&[("uramp", amount)]);
            let mut books = Books::default();
            books.split(&r, &fees);
            let mut total = books.pool.clone();
            for record in books.records.values() {
                total = total.checked_add(&record.outstanding).expect("fits");
                let promised = record.index.amount_of("uramp")
                    .checked_mul(Decimal::from_ratio(shares, 1).expect("fits"))
                    .expect("fits");
                let delegators = record.outstanding.amount_of("uramp")
                    .checked_sub(record.commission.amount_of("uramp"))
                    .expect("commission within outstanding");
                proptest::prop_assert!(promised <= delegators);
            }
            proptest::prop_assert_eq!(total, fees);
        }
    }
}
