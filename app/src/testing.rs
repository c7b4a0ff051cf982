//! An in-process consensus driver for tests and benchmarks: it sends the ABCI requests CometBFT
//! would send (InitChain, FinalizeBlock, Commit, CheckTx, Query) straight to an [`App`], with
//! deterministic block times, and follows the validator set the app returns the way CometBFT
//! does (updates from block H take effect at H+2; every block carries the previous block's
//! commit). Genesis validators are made with real signed gentxs ([`TestValidator`]). Enabled by
//! the `testing` feature; never used by `rampartd`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    CommissionRates, Description, MsgCreateValidator,
};
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    mode_info, AuthInfo, Fee, ModeInfo, SignDoc, SignerInfo, TxBody, TxRaw,
};
use prost::Message;
use rampart_auth::PubKey;
use rampart_core::Address;
use rampart_core::AppResult;
use rampart_store::Storage;
use sha2::{Digest, Sha256};
use tendermint::abci::types::{BlockSignatureInfo, CommitInfo, Validator, VoteInfo};
use tendermint::abci::{request, response};
use tendermint::block::BlockIdFlag;
use tendermint::{account, block, vote, Hash, Time};
use tendermint_proto::google::protobuf::Any;

use crate::app::{App, AppConfig};
use crate::composition::Modules;

/// Genesis time of every driven chain: 2026-01-01T00:00:00Z.
pub const GENESIS_UNIX: i64 = 1_767_225_600;

/// The bond denom of driven chains (staking's default).
pub const BOND_DENOM: &str = "uramp";

/// Self-delegation of a default genesis validator: 10 units of consensus power.
pub const DEFAULT_STAKE: u128 = 10_000_000;

/// A validator set as CometBFT holds it: consensus address → (ed25519 key, power).
pub type ValidatorSet = BTreeMap<[u8; 20], ([u8; 32], u64)>;

/// A genesis validator with deterministic keys: an ed25519 account key for its operator and an
/// ed25519 consensus key, both derived from a seed byte.
pub struct TestValidator {
    account: ed25519_consensus::SigningKey,
    consensus: ed25519_consensus::SigningKey,
}

impl TestValidator {
    /// The validator for `seed` (distinct seeds give distinct keys).
    pub fn new(seed: u8) -> Self {
        Self {
            account: ed25519_consensus::SigningKey::from([seed; 32]),
            consensus: ed25519_consensus::SigningKey::from(<[u8; 32]>::from(Sha256::digest(
                [seed; 32],
            ))),
        }
    }

    /// The operator's account address.
    pub fn operator(&self) -> Address {
        self.account_pubkey().address()
    }

    /// The operator's account public key.
    pub fn account_pubkey(&self) -> PubKey {
        PubKey::Ed25519(self.account.verification_key().to_bytes())
    }

    /// Signs `message` with the operator's account key.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.account.sign(message).to_bytes().to_vec()
    }

    /// The ed25519 consensus public key.
    pub fn consensus_pubkey(&self) -> [u8; 32] {
        self.consensus.verification_key().to_bytes()
    }

    /// The CometBFT address of the consensus key.
    pub fn consensus_address(&self) -> [u8; 20] {
        consensus_address(&self.consensus_pubkey())
    }

    /// A signed genesis transaction creating this validator with a self-delegation of `stake`
    /// (account number 0, sequence 0, no fee), as `rampartd genesis gentx` makes it.
    pub fn gentx(&self, chain_id: &str, stake: u128) -> Vec<u8> {
        let operator = self.operator();
        #[allow(deprecated)]
        let msg = MsgCreateValidator {
            description: Some(Description {
                moniker: format!("validator-{}", &operator.to_string()[8..14]),
                ..Default::default()
            }),
            commission: Some(CommissionRates {
                rate: "100000000000000000".into(),
                max_rate: "200000000000000000".into(),
                max_change_rate: "10000000000000000".into(),
            }),
            min_self_delegation: "1".into(),
            delegator_address: operator.to_string(),
            validator_address: rampart_core::ChainProfile::rampart().to_valoper(&operator),
            pubkey: Some(Any {
                type_url: "/cosmos.crypto.ed25519.PubKey".into(),
                value: cosmos_sdk_proto::cosmos::crypto::ed25519::PubKey {
                    key: self.consensus_pubkey().to_vec(),
                }
                .encode_to_vec(),
            }),
            value: Some(Coin {
                denom: BOND_DENOM.into(),
                amount: stake.to_string(),
            }),
        };
        let body = TxBody {
            messages: vec![Any {
                type_url: "/cosmos.staking.v1beta1.MsgCreateValidator".into(),
                value: msg.encode_to_vec(),
            }],
            ..Default::default()
        };
        self.sign_tx(chain_id, 0, 0, body, 200_000)
    }

    /// Signs `body` as a SIGN_MODE_DIRECT transaction from the operator with no fee.
    pub fn sign_tx(
        &self,
        chain_id: &str,
        account_number: u64,
        sequence: u64,
        body: TxBody,
        gas_limit: u64,
    ) -> Vec<u8> {
        let auth_info = AuthInfo {
            signer_infos: vec![SignerInfo {
                public_key: Some(self.account_pubkey().to_any()),
                mode_info: Some(ModeInfo {
                    sum: Some(mode_info::Sum::Single(mode_info::Single {
                        mode: SignMode::Direct as i32,
                    })),
                }),
                sequence,
            }],
            fee: Some(Fee {
                amount: Vec::new(),
                gas_limit,
                payer: String::new(),
                granter: String::new(),
            }),
            ..Default::default()
        };
        let body_bytes = body.encode_to_vec();
        let auth_info_bytes = auth_info.encode_to_vec();
        let sign_doc = SignDoc {
            body_bytes: body_bytes.clone(),
            auth_info_bytes: auth_info_bytes.clone(),
            chain_id: chain_id.to_owned(),
            account_number,
        };
        TxRaw {
            body_bytes,
            auth_info_bytes,
            signatures: vec![self.sign(&sign_doc.encode_to_vec())],
        }
        .encode_to_vec()
    }
}

/// The CometBFT address of an ed25519 consensus key: the first 20 bytes of its sha256.
pub fn consensus_address(pubkey: &[u8; 32]) -> [u8; 20] {
    let digest = Sha256::digest(pubkey);
    let mut address = [0; 20];
    address.copy_from_slice(&digest[..20]);
    address
}

/// Adds `validators` to `app_state`: each operator is funded with its `stake` in
/// `bank.balances` and its gentx is appended to `genutil.gen_txs`.
pub fn add_genesis_validators(
    app_state: &mut serde_json::Value,
    chain_id: &str,
    validators: &[(&TestValidator, u128)],
) {
    for (validator, stake) in validators {
        let balance = serde_json::json!({
            "address": validator.operator().to_string(),
            "coins": [{"denom": BOND_DENOM, "amount": stake.to_string()}],
        });
        push(app_state, &["bank", "balances"], balance);
        let gentx =
            base64::engine::general_purpose::STANDARD.encode(validator.gentx(chain_id, *stake));
        push(app_state, &["genutil", "gen_txs"], gentx.into());
    }
}

/// `app_state` with one default genesis validator ([`TestValidator::new`]`(200)` with
/// [`DEFAULT_STAKE`]) added, for tests that need a chain but do not care about its validators.
pub fn with_default_validator(
    mut app_state: serde_json::Value,
    chain_id: &str,
) -> serde_json::Value {
    add_genesis_validators(
        &mut app_state,
        chain_id,
        &[(&TestValidator::new(200), DEFAULT_STAKE)],
    );
    app_state
}

fn push(value: &mut serde_json::Value, path: &[&str], item: serde_json::Value) {
    let mut node = value;
    for key in path {
        if !node.is_object() {
            *node = serde_json::json!({});
        }
        let serde_json::Value::Object(object) = node else {
            return;
        };
        node = object.entry(*key).or_insert(serde_json::Value::Null);
    }
    match node {
        serde_json::Value::Array(items) => items.push(item),
        other => *other = serde_json::Value::Array(vec![item]),
    }
}

/// Drives an [`App`] block by block, like CometBFT with honest validators (see
/// [`MockConsensus::set_absent`] for downtime), checking [`crate::invariants`] after every
/// commit and panicking — this is a test driver — when one breaks.
pub struct MockConsensus {
    /// The application under test.
    pub app: App,
    /// The last committed height (0 before the first block).
    pub height: u64,
    chain_id: String,
    /// The validator set of each height still needed (the last committed, the next two).
    sets: BTreeMap<u64, ValidatorSet>,
    /// Validators that do not sign from now on.
    absent: BTreeSet<[u8; 20]>,
    /// The store, for the invariant checks after every commit (`None`: not checked).
    checked: Option<Storage>,
}

impl MockConsensus {
    /// Runs InitChain on a fresh store; returns the driver and the genesis app hash.
    pub fn init(
        storage: Storage,
        chain_id: &str,
        initial_height: u64,
        app_state: &serde_json::Value,
    ) -> AppResult<(Self, Vec<u8>)> {
        Self::init_with(
            storage,
            Arc::new(Modules::provider()),
            chain_id,
            initial_height,
            app_state,
        )
    }

    /// [`MockConsensus::init`] with a custom module set (tests of the ABCI mechanics use a
    /// minimal one, where an empty block changes nothing).
    pub fn init_with(
        storage: Storage,
        modules: Arc<Modules>,
        chain_id: &str,
        initial_height: u64,
        app_state: &serde_json::Value,
    ) -> AppResult<(Self, Vec<u8>)> {
        let request = init_chain_request(chain_id, initial_height, app_state);
        Self::init_from_request(storage, modules, request)
    }

    /// [`MockConsensus::init_with`] from a whole InitChain request (e.g. with other consensus
    /// parameters).
    pub fn init_from_request(
        storage: Storage,
        modules: Arc<Modules>,
        request: request::InitChain,
    ) -> AppResult<(Self, Vec<u8>)> {
        let chain_id = request.chain_id.clone();
        let initial_height = request.initial_height.value();
        let checked = Some(storage.clone());
        let mut app = App::with_modules(storage, AppConfig::default(), modules);
        let response = app.init_chain(request)?;
        let mut genesis_set = ValidatorSet::new();
        apply_updates(&mut genesis_set, &response.validators);
        let first = initial_height.max(1);
        let driver = Self {
            app,
            height: first - 1,
            chain_id,
            sets: BTreeMap::from([(first, genesis_set.clone()), (first + 1, genesis_set)]),
            absent: BTreeSet::new(),
            checked,
        };
        Ok((driver, response.app_hash.as_bytes().to_vec()))
    }

    /// Re-attaches to a store that already holds committed blocks (a restarted node); the
    /// validator set is taken from staking's last committed set.
    pub fn resume(storage: Storage, chain_id: &str) -> Self {
        Self::resume_with(storage, Arc::new(Modules::provider()), chain_id)
    }

    /// [`MockConsensus::resume`] with a custom module set.
    pub fn resume_with(storage: Storage, modules: Arc<Modules>, chain_id: &str) -> Self {
        use rampart_staking::StakingRead;
        let snapshot = storage.snapshot();
        let checked = Some(storage.clone());
        let mut set = ValidatorSet::new();
        for (operator, power) in snapshot.active_set() {
            if let Ok(Some(validator)) = snapshot.validator(&operator) {
                set.insert(validator.consensus_address(), (validator.pubkey, power));
            }
        }
        let app = App::with_modules(storage, AppConfig::default(), modules);
        let height = app.info().last_block_height.value();
        Self {
            app,
            height,
            chain_id: chain_id.to_owned(),
            sets: (height..=height + 2).map(|h| (h, set.clone())).collect(),
            absent: BTreeSet::new(),
            checked,
        }
    }

    /// Stops checking [`crate::invariants`] after every commit (benchmarks on large stores,
    /// where the full scans would dominate).
    pub fn without_invariant_checks(mut self) -> Self {
        self.checked = None;
        self
    }

    /// The validator set CometBFT would use at `height` (known for the last committed height
    /// and the next two).
    pub fn validators_at(&self, height: u64) -> Option<&ValidatorSet> {
        self.sets.get(&height)
    }

    /// Marks the validator with consensus address `address` as not signing (`true`) or signing
    /// again (`false`) in the commits of the following blocks.
    pub fn set_absent(&mut self, address: [u8; 20], absent: bool) {
        if absent {
            self.absent.insert(address);
        } else {
            self.absent.remove(&address);
        }
    }

    /// The previous block's commit as CometBFT reports it: every validator of that height, each
    /// signed unless marked absent.
    fn last_commit(&self, height: u64) -> CommitInfo {
        let votes = self
            .sets
            .get(&height.saturating_sub(1))
            .filter(|_| height > 1)
            .map(|set| {
                set.iter()
                    .map(|(address, (_, power))| VoteInfo {
                        validator: Validator {
                            address: *address,
                            power: vote::Power::try_from(*power).unwrap_or_default(),
                        },
                        sig_info: BlockSignatureInfo::Flag(if self.absent.contains(address) {
                            BlockIdFlag::Absent
                        } else {
                            BlockIdFlag::Commit
                        }),
                    })
                    .collect()
            })
            .unwrap_or_default();
        CommitInfo {
            round: block::Round::default(),
            votes,
        }
    }

    /// The proposer of `height`: the validators of that height in turn.
    fn proposer(&self, height: u64) -> account::Id {
        let address = self
            .sets
            .get(&height)
            .filter(|set| !set.is_empty())
            .and_then(|set| {
                let turn = usize::try_from(height % set.len() as u64).unwrap_or(0);
                set.keys().nth(turn).copied()
            })
            .unwrap_or([0; 20]);
        account::Id::new(address)
    }

    /// The chain id.
    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    /// Block time of `height`: genesis plus one second per block.
    pub fn time_of(height: u64) -> Time {
        let seconds = GENESIS_UNIX.saturating_add(i64::try_from(height).unwrap_or(i64::MAX));
        // Years around 2026 are always representable.
        Time::from_unix_timestamp(seconds, 0).unwrap_or_else(|_| Time::unix_epoch())
    }

    /// The header hash of `height` the driver sends: a stand-in (sha256 of the chain id and the
    /// height), distinct per chain and height, since the driver builds no real headers.
    pub fn block_hash(&self, height: u64) -> Hash {
        let digest = Sha256::new()
            .chain_update(b"mock block ")
            .chain_update(self.chain_id.as_bytes())
            .chain_update(height.to_be_bytes())
            .finalize();
        Hash::Sha256(digest.into())
    }

    /// The header `next_validators_hash` of `height`, as CometBFT computes it: the hash of the
    /// set that signs `height + 1` (the genesis set for heights 1 and 2; afterwards the set
    /// after the updates returned at `height - 1`).
    pub fn next_validators_hash(&self, height: u64) -> Hash {
        self.sets
            .get(&height.saturating_add(1))
            .map_or(Hash::None, validator_set_hash)
    }

    /// Finalizes the next block with `txs` without committing it.
    pub fn finalize(&mut self, txs: Vec<Vec<u8>>) -> response::FinalizeBlock {
        self.finalize_with(txs, Vec::new())
    }

    /// Finalizes the next block with `txs` and `misbehavior` without committing it.
    pub fn finalize_with(
        &mut self,
        txs: Vec<Vec<u8>>,
        misbehavior: Vec<tendermint::abci::types::Misbehavior>,
    ) -> response::FinalizeBlock {
        let height = self.height.saturating_add(1);
        self.app.finalize_block(request::FinalizeBlock {
            txs: txs.into_iter().map(Bytes::from).collect(),
            decided_last_commit: self.last_commit(height),
            misbehavior,
            hash: self.block_hash(height),
            height: block::Height::try_from(height).unwrap_or_default(),
            time: Self::time_of(height),
            next_validators_hash: self.next_validators_hash(height),
            proposer_address: self.proposer(height),
        })
    }

    /// Finalizes and commits the next block with `txs`.
    pub fn block(&mut self, txs: Vec<Vec<u8>>) -> response::FinalizeBlock {
        self.block_with(txs, Vec::new())
    }

    /// Finalizes and commits the next block with `txs` and `misbehavior`; the validator updates
    /// it returns take effect two heights later, as in CometBFT.
    pub fn block_with(
        &mut self,
        txs: Vec<Vec<u8>>,
        misbehavior: Vec<tendermint::abci::types::Misbehavior>,
    ) -> response::FinalizeBlock {
        let response = self.finalize_with(txs, misbehavior);
        self.app.commit();
        self.height = self.height.saturating_add(1);
        if let Some(storage) = &self.checked {
            match crate::invariants::check(self.app.modules().iter(), &storage.snapshot()) {
                Ok(Ok(())) => {}
                Ok(Err(violation)) => {
                    panic!("invariant broken at height {}: {violation}", self.height)
                }
                Err(e) => panic!("invariants unreadable at height {}: {e}", self.height),
            }
        }
        let mut next = self
            .sets
            .get(&(self.height + 1))
            .cloned()
            .unwrap_or_default();
        apply_updates(&mut next, &response.validator_updates);
        self.sets.insert(self.height + 2, next);
        self.sets = self.sets.split_off(&self.height.saturating_sub(1));
        response
    }

    /// Runs CheckTx on `tx` (a new transaction, not a recheck).
    pub fn check_tx(&mut self, tx: &[u8]) -> response::CheckTx {
        self.app.check_tx(request::CheckTx {
            tx: Bytes::copy_from_slice(tx),
            kind: request::CheckTxKind::New,
        })
    }

    /// Runs an ABCI query at `height` (0 = latest).
    pub fn query(&self, path: &str, data: &[u8], height: u64, prove: bool) -> response::Query {
        self.app.query(request::Query {
            data: Bytes::copy_from_slice(data),
            path: path.to_owned(),
            height: block::Height::try_from(height).unwrap_or_default(),
            prove,
        })
    }
}

/// The CometBFT hash of `set` (`Hash::None` when it is not a valid set).
pub fn validator_set_hash(set: &ValidatorSet) -> Hash {
    let mut infos = Vec::with_capacity(set.len());
    for (pubkey, power) in set.values() {
        let (Some(key), Ok(power)) = (
            tendermint::PublicKey::from_raw_ed25519(pubkey),
            vote::Power::try_from(*power),
        ) else {
            return Hash::None;
        };
        infos.push(tendermint::validator::Info::new(key, power));
    }
    tendermint::validator::Set::without_proposer(infos).hash()
}

/// Applies CometBFT validator updates to `set` (power 0 removes).
fn apply_updates(set: &mut ValidatorSet, updates: &[tendermint::validator::Update]) {
    for update in updates {
        let Some(key) = update.pub_key.ed25519() else {
            continue;
        };
        let pubkey: [u8; 32] = key.as_bytes().try_into().unwrap_or([0; 32]);
        let address = consensus_address(&pubkey);
        match update.power.value() {
            0 => set.remove(&address),
            power => set.insert(address, (pubkey, power)),
        };
    }
}

/// The InitChain request CometBFT sends for a genesis with `app_state`.
pub fn init_chain_request(
    chain_id: &str,
    initial_height: u64,
    app_state: &serde_json::Value,
) -> request::InitChain {
    request::InitChain {
        time: MockConsensus::time_of(0),
        chain_id: chain_id.to_owned(),
        consensus_params: default_consensus_params(),
        validators: Vec::new(),
        app_state_bytes: serde_json::to_vec(app_state).unwrap_or_default().into(),
        initial_height: block::Height::try_from(initial_height).unwrap_or_default(),
    }
}

/// CometBFT v0.38's default consensus parameters.
pub fn default_consensus_params() -> tendermint::consensus::Params {
    let json = serde_json::json!({
        "block": {"max_bytes": "22020096", "max_gas": "-1"},
        "evidence": {"max_age_num_blocks": "100000", "max_age_duration": "172800000000000", "max_bytes": "1048576"},
        "validator": {"pub_key_types": ["ed25519"]},
        "version": {"app": "0"},
        "abci": {"vote_extensions_enable_height": "0"}
    });
    // A literal that matches CometBFT's own JSON encoding of its defaults.
    serde_json::from_value(json).expect("default consensus params are valid")
}
