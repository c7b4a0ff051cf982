//! Test fixture: an in-state bank standing in for the real one, and a small chain driver that
//! runs the staking module directly over an `Overlay<EmptyState>` block by block.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    CommissionRates, Description, MsgBeginRedelegate, MsgCancelUnbondingDelegation,
    MsgCreateValidator, MsgDelegate, MsgEditValidator, MsgUndelegate,
};
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{apply_changes, EmptyState};
use rampart_core::{
    Amount, BlockContext, BlockTime, Decimal, Events, GenesisContext, Module, MsgContext, Overlay,
    StateRead, StateWrite, ValidatorUpdate,
};
use rampart_staking::address::{encode, ACCOUNT_PREFIX, VALOPER_PREFIX};
use rampart_staking::convert::dec_to_wire;
use rampart_staking::params::StakingParams;
use rampart_staking::validator::pubkey_to_any;
use rampart_staking::{msgs, Pool, StakingBank, StakingModule};
use tendermint_proto::google::protobuf::Any;

const BANK: &[u8] = b"testbank/";
const BURNED: &[u8] = b"testbank-burned";
const MINTED: &[u8] = b"testbank-minted";

/// Balances in state under a test prefix: accounts by address, pools by name.
#[derive(Debug, Default)]
pub struct TestBank;

fn pool_key(pool: Pool) -> Vec<u8> {
    [
        BANK,
        if pool == Pool::Bonded {
            b"pool-bonded" as &[u8]
        } else {
            b"pool-notbonded"
        },
    ]
    .concat()
}

fn account_key(addr: &[u8; 20]) -> Vec<u8> {
    [BANK, b"acc/", addr].concat()
}

fn read(state: &dyn StateRead, key: &[u8]) -> u128 {
    state
        .get(key)
        .map(|b| u128::from_be_bytes(b.try_into().unwrap()))
        .unwrap_or(0)
}

fn write(state: &mut dyn StateWrite, key: Vec<u8>, value: u128) {
    state.put(key, value.to_be_bytes().to_vec());
}

fn debit(state: &mut dyn StateWrite, key: Vec<u8>, amount: Amount, what: &str) -> AppResult<()> {
    let have = read(state, &key);
    let left = have.checked_sub(amount.0).ok_or_else(|| {
        AppError::sdk(
            SdkCode::InsufficientFunds,
            format!("{what}: {have} is smaller than {amount}: insufficient funds"),
        )
    })?;
    write(state, key, left);
    Ok(())
}

fn credit(state: &mut dyn StateWrite, key: Vec<u8>, amount: Amount) {
    let have = read(state, &key);
    write(state, key, have + amount.0);
}

impl StakingBank for TestBank {
    fn delegate_coins(
        &self,
        state: &mut dyn StateWrite,
        delegator: &[u8; 20],
        pool: Pool,
        amount: Amount,
    ) -> AppResult<()> {
        debit(state, account_key(delegator), amount, "spendable balance")?;
        credit(state, pool_key(pool), amount);
        Ok(())
    }
    fn undelegate_coins(
        &self,
        state: &mut dyn StateWrite,
        pool: Pool,
        delegator: &[u8; 20],
        amount: Amount,
    ) -> AppResult<()> {
        debit(state, pool_key(pool), amount, "pool")?;
        credit(state, account_key(delegator), amount);
        Ok(())
    }
    fn move_pool(
        &self,
        state: &mut dyn StateWrite,
        from: Pool,
        to: Pool,
        amount: Amount,
    ) -> AppResult<()> {
        debit(state, pool_key(from), amount, "pool")?;
        credit(state, pool_key(to), amount);
        Ok(())
    }
    fn burn_from_pool(
        &self,
        state: &mut dyn StateWrite,
        pool: Pool,
        amount: Amount,
    ) -> AppResult<()> {
        debit(state, pool_key(pool), amount, "pool")?;
        credit(state, BURNED.to_vec(), amount);
        Ok(())
    }
    fn pool_balance(&self, state: &dyn StateRead, pool: Pool) -> Amount {
        Amount(read(state, &pool_key(pool)))
    }
}

/// Address `n` (operators and delegators alike).
pub fn addr(n: u8) -> [u8; 20] {
    [n; 20]
}

/// `rampart1…` of address `n`.
pub fn acc(n: u8) -> String {
    encode(ACCOUNT_PREFIX, &addr(n))
}

/// `rampartvaloper1…` of address `n`.
pub fn valoper(n: u8) -> String {
    encode(VALOPER_PREFIX, &addr(n))
}

/// A coin of the bond denom.
pub fn uramp(amount: u128) -> Option<Coin> {
    Some(Coin {
        denom: "uramp".into(),
        amount: amount.to_string(),
    })
}

fn any<M: Message>(url: &str, m: &M) -> Any {
    Any {
        type_url: url.into(),
        value: m.encode_to_vec(),
    }
}

/// Commission rates in percent.
pub fn rates(rate: u32, max: u32, change: u32) -> CommissionRates {
    let pct = |p: u32| dec_to_wire(Decimal::from_bps(p * 100));
    CommissionRates {
        rate: pct(rate),
        max_rate: pct(max),
        max_change_rate: pct(change),
    }
}

/// MsgCreateValidator by operator `n` with consensus key byte `key`.
pub fn create_validator_with(
    n: u8,
    key: u8,
    amount: u128,
    min_self: u128,
    commission: CommissionRates,
) -> Any {
    #[allow(deprecated)]
    let msg = MsgCreateValidator {
        description: Some(Description {
            moniker: format!("val-{n}"),
            ..Default::default()
        }),
        commission: Some(commission),
        min_self_delegation: min_self.to_string(),
        delegator_address: String::new(),
        validator_address: valoper(n),
        pubkey: Some(pubkey_to_any(&[key; 32])),
        value: uramp(amount),
    };
    any(msgs::CREATE_VALIDATOR, &msg)
}

/// MsgCreateValidator by operator `n` (key byte `n`, 10 % commission, min self 1).
pub fn create_validator(n: u8, amount: u128) -> Any {
    create_validator_with(n, n, amount, 1, rates(10, 20, 1))
}

/// MsgEditValidator.
pub fn edit_validator(n: u8, rate: Option<Decimal>, min_self: Option<u128>) -> Any {
    any(
        msgs::EDIT_VALIDATOR,
        &MsgEditValidator {
            description: None,
            validator_address: valoper(n),
            commission_rate: rate.map(dec_to_wire).unwrap_or_default(),
            min_self_delegation: min_self.map(|m| m.to_string()).unwrap_or_default(),
        },
    )
}

/// MsgDelegate.
pub fn delegate(d: u8, v: u8, amount: u128) -> Any {
    any(
        msgs::DELEGATE,
        &MsgDelegate {
            delegator_address: acc(d),
            validator_address: valoper(v),
            amount: uramp(amount),
        },
    )
}

/// MsgUndelegate.
pub fn undelegate(d: u8, v: u8, amount: u128) -> Any {
    any(
        msgs::UNDELEGATE,
        &MsgUndelegate {
            delegator_address: acc(d),
            validator_address: valoper(v),
            amount: uramp(amount),
        },
    )
}

/// MsgBeginRedelegate.
pub fn redelegate(d: u8, src: u8, dst: u8, amount: u128) -> Any {
    any(
        msgs::BEGIN_REDELEGATE,
        &MsgBeginRedelegate {
            delegator_address: acc(d),
            validator_src_address: valoper(src),
            validator_dst_address: valoper(dst),
            amount: uramp(amount),
        },
    )
}

/// MsgCancelUnbondingDelegation.
pub fn cancel_unbonding(d: u8, v: u8, amount: u128, height: i64) -> Any {
    any(
        msgs::CANCEL_UNBONDING,
        &MsgCancelUnbondingDelegation {
            delegator_address: acc(d),
            validator_address: valoper(v),
            amount: uramp(amount),
            creation_height: height,
        },
    )
}

/// A chain running only the staking module (and the test bank).
pub struct Chain {
    /// Committed state.
    pub state: Overlay<EmptyState>,
    /// The module under test.
    pub module: StakingModule,
    /// Current block height.
    pub height: u64,
    /// Current block time.
    pub time: BlockTime,
}

impl Chain {
    /// A chain with `params` in genesis, at height 1.
    pub fn new(params: StakingParams) -> Self {
        let module = StakingModule::new(Arc::new(TestBank));
        let mut state = Overlay::new(EmptyState);
        let ctx = GenesisContext {
            chain_id: "rampart-test".into(),
            initial_height: 1,
            genesis_time: BlockTime {
                seconds: 1_700_000_000,
                nanos: 0,
            },
            validators: vec![],
        };
        let genesis = serde_json::json!({ "params": params });
        module
            .init_genesis(&mut state, &ctx, Some(&genesis))
            .unwrap();
        Self {
            state,
            module,
            height: 1,
            time: ctx.genesis_time,
        }
    }

    /// Short unbonding (100 s), `max_validators`, 7 entries.
    pub fn with_max(max_validators: u32) -> Self {
        Self::new(StakingParams {
            unbonding_time_seconds: 100,
            max_validators,
            ..StakingParams::default()
        })
    }

    /// Mints `amount` to account `n`.
    pub fn fund(&mut self, n: u8, amount: u128) {
        credit(&mut self.state, account_key(&addr(n)), Amount(amount));
        credit(&mut self.state, MINTED.to_vec(), Amount(amount));
    }

    /// Mints `amount` to `address`.
    pub fn fund_address(&mut self, address: &[u8; 20], amount: u128) {
        credit(&mut self.state, account_key(address), Amount(amount));
        credit(&mut self.state, MINTED.to_vec(), Amount(amount));
    }

    /// Account balance of `n`.
    pub fn balance(&self, n: u8) -> u128 {
        read(&self.state, &account_key(&addr(n)))
    }

    /// The current block.
    pub fn block(&self) -> BlockContext {
        BlockContext {
            chain_id: "rampart-test".into(),
            height: self.height,
            time: self.time,
            proposer: [0; 20],
            last_commit: vec![],
            misbehavior: vec![],
        }
    }

    /// Executes `msg` as a transaction: on success its writes are committed, on failure they are
    /// discarded (as the app does). Returns the response and events, or the error together with
    /// whether the handler had buffered any writes before failing.
    pub fn try_deliver(&mut self, msg: &Any) -> Result<(Any, Events), (AppError, bool)> {
        self.module.msg_signers(msg).map_err(|e| (e, false))?;
        let block = self.block();
        let ctx = MsgContext {
            block: &block,
            tx_hash: [0; 32],
            msg_index: 0,
            mode: rampart_core::context::ExecMode::Deliver,
        };
        let mut tx = Overlay::new(&self.state);
        let mut events = Events::new();
        match self.module.deliver_msg(&mut tx, &ctx, msg, &mut events) {
            Ok(response) => {
                let (_, changes) = tx.into_parts();
                apply_changes(&mut self.state, changes);
                Ok((response, events))
            }
            Err(e) => Err((e, !tx.changes().is_empty())),
        }
    }

    /// Delivers a message that must succeed.
    pub fn deliver(&mut self, msg: &Any) -> (Any, Events) {
        self.try_deliver(msg)
            .unwrap_or_else(|(e, _)| panic!("{} failed: {e}", msg.type_url))
    }

    /// Delivers a message that must fail before writing anything; returns `(codespace, code, log)`.
    pub fn refuse(&mut self, msg: &Any) -> AppError {
        let before = self.dump();
        let (err, wrote) = self
            .try_deliver(msg)
            .err()
            .unwrap_or_else(|| panic!("{} was accepted", msg.type_url));
        assert!(
            !wrote,
            "{} buffered writes before failing: {err}",
            msg.type_url
        );
        assert_eq!(before, self.dump(), "state unchanged");
        err
    }

    /// Runs end block, checks the invariants, then advances to the next block `dt` seconds later.
    pub fn end_block(&mut self, dt: i64) -> Vec<ValidatorUpdate> {
        let block = self.block();
        let mut events = Events::new();
        let updates = self
            .module
            .end_block(&mut self.state, &block, &mut events)
            .unwrap();
        self.check_invariants();
        self.height += 1;
        self.time.seconds += dt;
        updates
    }

    /// Every key-value pair of state, sorted.
    pub fn dump(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.state.scan_prefix(b"").collect()
    }

    /// The staking invariants.
    pub fn check_invariants(&self) {
        let totals = rampart_staking::invariants::check(&self.state, &TestBank)
            .unwrap()
            .unwrap_or_else(|violation| panic!("staking invariant: {violation}"));
        let (bonded, not_bonded) = (totals.bonded.0, totals.not_bonded.0);
        let accounts: u128 = self
            .state
            .scan_prefix(&[BANK, b"acc/"].concat())
            .map(|(_, v)| u128::from_be_bytes(v.try_into().unwrap()))
            .sum();
        let supply = read(&self.state, MINTED) - read(&self.state, BURNED);
        assert_eq!(
            accounts + bonded + not_bonded,
            supply,
            "supply = balances + pools"
        );
    }
}
