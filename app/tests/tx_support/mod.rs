//! Test-only helpers for the transaction tests: real secp256k1 and ed25519 keys, a builder that
//! encodes and signs `TxRaw` with SIGN_MODE_DIRECT exactly as CosmJS does, and a funded chain
//! driven in process by [`MockConsensus`].

#![allow(dead_code)] // each test binary uses a different subset of the helpers

use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    mode_info, AuthInfo, Fee, ModeInfo, SignDoc, SignerInfo, TxBody, TxRaw,
};
use prost::Message;
use rampart_app::testing::MockConsensus;
use rampart_auth::{Address, AuthRead, PubKey};
use rampart_bank::BankRead;
use rampart_core::Amount;
use rampart_store::{Storage, StorageConfig};
use tendermint_proto::google::protobuf::Any;

/// The chain id of every test chain.
pub const CHAIN_ID: &str = "rampart-test";
/// The bond denom.
pub const DENOM: &str = "uramp";
/// A second denom held by genesis accounts.
pub const OTHER: &str = "stake";
/// Genesis balance of each funded account, per denom.
pub const FUNDS: u128 = 1_000_000;

/// A signing key of either supported type.
#[derive(Clone)]
pub enum Key {
    /// secp256k1 (k256).
    Secp(k256::ecdsa::SigningKey),
    /// ed25519 (ed25519-consensus).
    Ed(ed25519_consensus::SigningKey),
}

impl Key {
    /// A deterministic secp256k1 key from `seed`.
    pub fn secp(seed: u8) -> Self {
        let mut bytes = [seed; 32];
        bytes[0] = 1; // keeps the scalar below the curve order
        Self::Secp(k256::ecdsa::SigningKey::from_slice(&bytes).expect("valid scalar"))
    }

    /// A deterministic ed25519 key from `seed`.
    pub fn ed(seed: u8) -> Self {
        Self::Ed(ed25519_consensus::SigningKey::from([seed; 32]))
    }

    /// The public key.
    pub fn pub_key(&self) -> PubKey {
        match self {
            Self::Secp(sk) => PubKey::Secp256k1(
                sk.verifying_key()
                    .to_encoded_point(true)
                    .as_bytes()
                    .try_into()
                    .expect("compressed points are 33 bytes"),
            ),
            Self::Ed(sk) => PubKey::Ed25519(sk.verification_key().to_bytes()),
        }
    }

    /// The account address.
    pub fn address(&self) -> Address {
        self.pub_key().address()
    }

    /// Signs `bytes` (secp256k1: SHA-256 + low-S ECDSA, 64-byte r‖s).
    pub fn sign(&self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Secp(sk) => {
                use k256::ecdsa::signature::Signer;
                let sig: k256::ecdsa::Signature = sk.sign(bytes);
                sig.normalize_s().unwrap_or(sig).to_bytes().to_vec()
            }
            Self::Ed(sk) => sk.sign(bytes).to_bytes().to_vec(),
        }
    }
}

/// A proto coin.
pub fn coin(amount: &str, denom: &str) -> ProtoCoin {
    ProtoCoin {
        denom: denom.into(),
        amount: amount.into(),
    }
}

/// A `MsgSend` packed in an `Any`.
pub fn msg_send(from: &Address, to: &Address, amount: Vec<ProtoCoin>) -> Any {
    Any {
        type_url: "/cosmos.bank.v1beta1.MsgSend".into(),
        value: MsgSend {
            from_address: from.to_string(),
            to_address: to.to_string(),
            amount,
        }
        .encode_to_vec(),
    }
}

/// One signer of a transaction.
#[derive(Clone)]
pub struct Signer {
    /// The key that signs.
    pub key: Key,
    /// The account number put in the sign doc.
    pub account_number: u64,
    /// The sequence claimed in the signer info.
    pub sequence: u64,
    /// The public key put in the signer info (`None` leaves it out).
    pub pub_key: Option<Any>,
    /// The sign mode claimed.
    pub mode: SignMode,
}

impl Signer {
    /// A signer that sends its own key with SIGN_MODE_DIRECT.
    pub fn new(key: &Key, account_number: u64, sequence: u64) -> Self {
        Self {
            pub_key: Some(key.pub_key().to_any()),
            key: key.clone(),
            account_number,
            sequence,
            mode: SignMode::Direct,
        }
    }
}

/// A transaction under construction.
#[derive(Clone)]
pub struct TxBuilder {
    /// The body.
    pub body: TxBody,
    /// The fee coins.
    pub fee: Vec<ProtoCoin>,
    /// The gas limit.
    pub gas_limit: u64,
    /// The signers, in order.
    pub signers: Vec<Signer>,
    /// The chain id signed over.
    pub chain_id: String,
}

impl TxBuilder {
    /// A transaction with `messages`, a 2000uramp fee and 200k gas.
    pub fn new(messages: Vec<Any>, signers: Vec<Signer>) -> Self {
        Self {
            body: TxBody {
                messages,
                ..Default::default()
            },
            fee: vec![coin("2000", DENOM)],
            gas_limit: 200_000,
            signers,
            chain_id: CHAIN_ID.into(),
        }
    }

    /// The encoded auth info.
    pub fn auth_info_bytes(&self) -> Vec<u8> {
        AuthInfo {
            signer_infos: self
                .signers
                .iter()
                .map(|s| SignerInfo {
                    public_key: s.pub_key.clone(),
                    mode_info: Some(ModeInfo {
                        sum: Some(mode_info::Sum::Single(mode_info::Single {
                            mode: s.mode as i32,
                        })),
                    }),
                    sequence: s.sequence,
                })
                .collect(),
            fee: Some(Fee {
                amount: self.fee.clone(),
                gas_limit: self.gas_limit,
                payer: String::new(),
                granter: String::new(),
            }),
            ..Default::default()
        }
        .encode_to_vec()
    }

    /// Encodes and signs the transaction (SIGN_MODE_DIRECT over the exact bytes).
    pub fn build(&self) -> Vec<u8> {
        let body_bytes = self.body.encode_to_vec();
        let auth_info_bytes = self.auth_info_bytes();
        let signatures = self
            .signers
            .iter()
            .map(|s| {
                let doc = SignDoc {
                    body_bytes: body_bytes.clone(),
                    auth_info_bytes: auth_info_bytes.clone(),
                    chain_id: self.chain_id.clone(),
                    account_number: s.account_number,
                }
                .encode_to_vec();
                s.key.sign(&doc)
            })
            .collect();
        TxRaw {
            body_bytes,
            auth_info_bytes,
            signatures,
        }
        .encode_to_vec()
    }

    /// Encodes the transaction as a simulating client does: empty signatures.
    pub fn build_unsigned(&self) -> Vec<u8> {
        TxRaw {
            body_bytes: self.body.encode_to_vec(),
            auth_info_bytes: self.auth_info_bytes(),
            signatures: vec![Vec::new(); self.signers.len()],
        }
        .encode_to_vec()
    }
}

/// Genesis funding `keys` with [`FUNDS`] of [`DENOM`] and [`OTHER`] each.
pub fn genesis(keys: &[&Key]) -> serde_json::Value {
    let balances: Vec<_> = keys
        .iter()
        .map(|k| {
            serde_json::json!({
                "address": k.address().to_string(),
                "coins": [
                    {"denom": OTHER, "amount": FUNDS.to_string()},
                    {"denom": DENOM, "amount": FUNDS.to_string()},
                ]
            })
        })
        .collect();
    rampart_app::testing::with_default_validator(
        serde_json::json!({"bank": {"balances": balances}}),
        CHAIN_ID,
    )
}

/// [`genesis`] with no inflation, for properties that need a fixed supply.
pub fn genesis_without_inflation(keys: &[&Key]) -> serde_json::Value {
    let mut app_state = genesis(keys);
    app_state["mint"] = serde_json::json!({"params": {"mint_denom": DENOM, "inflation": "0"}});
    app_state
}

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
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Storage::open(dir.path(), StorageConfig::default()).expect("store opens");
        let (mut driver, _) =
            MockConsensus::init(storage.clone(), CHAIN_ID, 1, app_state).expect("genesis");
        if !check_invariants {
            driver = driver.without_invariant_checks();
        }
        driver.block(vec![]);
        Self {
            driver,
            storage,
            _dir: dir,
        }
    }

    /// Starts a chain from a whole InitChain request (another genesis time, other consensus
    /// parameters; its app state must bring validators), checking the invariants after every
    /// block; returns it with the FinalizeBlock response of its first (empty) block, whose
    /// begin-block events (the first mint, for one) [`Chain::from_genesis`] drops.
    pub fn from_request(
        request: tendermint::abci::request::InitChain,
    ) -> (Self, tendermint::abci::response::FinalizeBlock) {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Storage::open(dir.path(), StorageConfig::default()).expect("store opens");
        let (mut driver, _) = MockConsensus::init_from_request(
            storage.clone(),
            std::sync::Arc::new(rampart_app::Modules::standard()),
            request,
        )
        .expect("genesis");
        let first = driver.block(vec![]);
        let chain = Self {
            driver,
            storage,
            _dir: dir,
        };
        (chain, first)
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

/// `(type, key, value)` of every event attribute.
pub fn attributes(events: &[tendermint::abci::Event]) -> Vec<(String, String, String)> {
    events
        .iter()
        .flat_map(|e| {
            e.attributes.iter().map(move |a| {
                (
                    e.kind.clone(),
                    a.key_str().unwrap_or_default().to_owned(),
                    a.value_str().unwrap_or_default().to_owned(),
                )
            })
        })
        .collect()
}
