//! A funded chain of the real app (the provider composition, or another one through
//! [`Chain::init`]), driven in process block by block by [`MockConsensus`], which checks the
//! chain-wide invariants after every commit.

use std::sync::Arc;

use cosmos_sdk_proto::cosmos::tx::v1beta1::TxBody;
use prost::Message;
use rampart_app::testing::{init_chain_request, MockConsensus, TestValidator};
use rampart_app::Modules;
use rampart_auth::AuthRead;
use rampart_bank::BankRead;
use rampart_core::{Address, Amount};
use rampart_staking::{StakingRead, Validator};
use rampart_store::{Storage, StorageConfig};
use tendermint::abci::types::{Misbehavior, MisbehaviorKind};
use tendermint::{block, vote};
use tendermint_proto::google::protobuf::Any;

use crate::tx::{genesis, Key, Signer, TxBuilder, CHAIN_ID};

/// A chain with `keys` funded, after its first (empty) block.
pub struct Chain {
    /// The consensus driver.
    pub driver: MockConsensus,
    /// The store (kept so tests can open more apps over it).
    pub storage: Storage,
    _dir: tempfile::TempDir,
}

impl Chain {
    /// Starts a chain funding `keys`, checking the invariants after every block.
    pub fn new(keys: &[&Key]) -> Self {
        Self::from_genesis(&genesis(keys), true)
    }

    /// Starts a chain funding `keys` without the per-block invariant checks (benchmarks).
    pub fn unchecked(keys: &[&Key]) -> Self {
        Self::from_genesis(&genesis(keys), false)
    }

    /// Starts a chain from `app_state` (which must bring its validators).
    pub fn from_genesis(app_state: &serde_json::Value, check_invariants: bool) -> Self {
        let mut chain = Self::init(Modules::provider(), CHAIN_ID, app_state);
        if !check_invariants {
            chain.driver = chain.driver.without_invariant_checks();
        }
        chain.driver.block(vec![]);
        chain
    }

    /// Starts a chain from a whole InitChain request (another genesis time, other consensus
    /// parameters; its app state must bring validators), checking the invariants after every
    /// block; returns it with the FinalizeBlock response of its first (empty) block, whose
    /// begin-block events (the first mint, for one) [`Chain::from_genesis`] drops.
    pub fn from_request(
        request: tendermint::abci::request::InitChain,
    ) -> (Self, tendermint::abci::response::FinalizeBlock) {
        let mut chain = Self::from_init_chain(Modules::provider(), request);
        let first = chain.driver.block(vec![]);
        (chain, first)
    }

    /// Runs the InitChain of a chain named `chain_id`, of the composition `modules`, from
    /// `app_state` (which must bring its validators, or give the owner of the set its own); no
    /// block is committed yet. The invariants are checked after every block.
    pub fn init(modules: Modules, chain_id: &str, app_state: &serde_json::Value) -> Self {
        Self::from_init_chain(modules, init_chain_request(chain_id, 1, app_state))
    }

    /// A chain of `modules` over a new store after `request`, its InitChain.
    fn from_init_chain(modules: Modules, request: tendermint::abci::request::InitChain) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Storage::open(dir.path(), StorageConfig::default()).expect("store opens");
        let (driver, _) =
            MockConsensus::init_from_request(storage.clone(), Arc::new(modules), request)
                .expect("genesis");
        Self {
            driver,
            storage,
            _dir: dir,
        }
    }

    /// The committed balance of `addr`.
    pub fn balance(&self, addr: &Address, denom: &str) -> u128 {
        self.storage
            .snapshot()
            .balance(addr, denom)
            .expect("reads")
            .0
    }

    /// The committed (account number, sequence, has pub key) of `addr`.
    pub fn account(&self, addr: &Address) -> Option<(u64, u64, bool)> {
        self.storage
            .snapshot()
            .account(addr)
            .expect("reads")
            .map(|a| (a.account_number, a.sequence, a.pub_key.is_some()))
    }

    /// The committed supply of `denom`.
    pub fn supply(&self, denom: &str) -> Amount {
        self.storage.snapshot().supply_of(denom).expect("reads")
    }

    /// A signer for `key` with its committed account number and sequence.
    pub fn signer(&self, key: &Key) -> Signer {
        let (number, sequence, _) = self.account(&key.address()).expect("account exists");
        Signer::new(key, number, sequence)
    }

    /// Commits a block with `txs`; returns each transaction's result.
    pub fn deliver(&mut self, txs: Vec<Vec<u8>>) -> Vec<tendermint::abci::types::ExecTxResult> {
        self.driver.block(txs).tx_results
    }

    /// Commits a block with one transaction; returns its result.
    pub fn deliver_one(&mut self, tx: Vec<u8>) -> tendermint::abci::types::ExecTxResult {
        self.deliver(vec![tx]).remove(0)
    }

    /// `msgs` signed by `key` with no fee and gas limit `gas`.
    pub fn free_tx(&self, key: &Key, msgs: Vec<Any>, gas: u64) -> Vec<u8> {
        TxBuilder::new(msgs, vec![self.signer(key)])
            .without_fee()
            .with_gas(gas)
            .build()
    }

    /// `msgs` signed by the operator of `validator` with no fee and gas limit `gas`.
    pub fn operator_tx(&self, validator: &TestValidator, msgs: Vec<Any>, gas: u64) -> Vec<u8> {
        let (number, sequence, _) = self
            .account(&validator.operator())
            .expect("the operator has an account");
        let body = TxBody {
            messages: msgs,
            ..Default::default()
        };
        validator.sign_tx(CHAIN_ID, number, sequence, body, gas)
    }

    /// Answers `request` at the gRPC method `path` at the committed height, which must succeed.
    pub fn query<R: Message + Default>(&self, path: &str, request: &impl Message) -> R {
        let answer = self.driver.query(path, &request.encode_to_vec(), 0, false);
        assert_eq!(answer.code.value(), 0, "{path}: {}", answer.log);
        R::decode(answer.value.as_ref()).expect("decodes")
    }

    /// The committed staking record of `validator`, which must exist.
    pub fn validator(&self, validator: &TestValidator) -> Validator {
        self.storage
            .snapshot()
            .validator(&validator.operator())
            .expect("reads")
            .expect("exists")
    }

    /// The committed app hash.
    pub fn app_hash(&self) -> Vec<u8> {
        self.driver
            .app
            .info()
            .last_block_app_hash
            .as_bytes()
            .to_vec()
    }
}

/// CometBFT's evidence that the validator with consensus address `address` signed twice at
/// `height`, where it had `power` of `total_power`.
pub fn duplicate_vote(address: [u8; 20], power: u64, height: u64, total_power: u64) -> Misbehavior {
    Misbehavior {
        kind: MisbehaviorKind::DuplicateVote,
        validator: tendermint::abci::types::Validator {
            address,
            power: vote::Power::try_from(power).expect("power fits"),
        },
        height: block::Height::try_from(height).expect("height fits"),
        time: MockConsensus::time_of(height),
        total_voting_power: vote::Power::try_from(total_power).expect("power fits"),
    }
}
