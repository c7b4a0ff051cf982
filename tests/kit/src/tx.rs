//! Signed transactions as real clients make them: secp256k1 and ed25519 keys, a builder that
//! encodes and signs `TxRaw` with SIGN_MODE_DIRECT exactly as CosmJS does (or leaves the
//! signatures empty, as a simulating client does), and the genesis of funded test chains.

use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    mode_info, AuthInfo, Fee, ModeInfo, SignDoc, SignerInfo, TxBody, TxRaw,
};
use prost::Message;
use rampart_auth::PubKey;
use rampart_core::Address;
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

    /// The same transaction paying no fee.
    pub fn without_fee(mut self) -> Self {
        self.fee = Vec::new();
        self
    }

    /// The same transaction with gas limit `gas_limit`.
    pub fn with_gas(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
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

/// Staking's genesis section: an unbonding time of `unbonding_seconds`, at most
/// `max_validators` bonded, 7 entries, [`DENOM`] bonded, no minimum commission.
pub fn staking_section(
    unbonding_seconds: impl Into<serde_json::Value>,
    max_validators: u32,
) -> serde_json::Value {
    serde_json::json!({"params": {
        "unbonding_time_seconds": unbonding_seconds.into(),
        "max_validators": max_validators,
        "max_entries": 7,
        "bond_denom": DENOM,
        "min_commission_rate": "0",
    }})
}

/// Slashing's genesis section: a liveness window of `window` blocks half of which must be
/// signed, `jail_seconds` of downtime jail, 5 % slashed for a double sign and 1 % for downtime.
pub fn slashing_section(
    window: u64,
    jail_seconds: impl Into<serde_json::Value>,
) -> serde_json::Value {
    serde_json::json!({"params": {
        "signed_blocks_window": window,
        "min_signed_per_window": "0.5",
        "downtime_jail_duration_seconds": jail_seconds.into(),
        "slash_fraction_double_sign": "0.05",
        "slash_fraction_downtime": "0.01",
    }})
}
