//! Genesis transactions: a signed `MsgCreateValidator` per genesis validator, and the JSON file
//! `rampartd genesis gentx` writes and `collect-gentxs` reads.
//!
//! A gentx is a `cosmos.tx.v1beta1.TxRaw` with exactly one
//! `/cosmos.staking.v1beta1.MsgCreateValidator`, signed SIGN_MODE_DIRECT by the operator's
//! account key for the genesis chain id with account number 0 and sequence 0 (as the Cosmos
//! SDK does at genesis), with no fee, gas limit [`GENTX_GAS_LIMIT`] and the memo
//! `<node_id>@<ip>:<p2p_port>`.

use std::path::Path;

use anyhow::{anyhow, bail, Context};
use base64::Engine;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1::{Description, MsgCreateValidator};
use prost::Message;
use rampart_app::tx::DecodedTx;
use rampart_auth::{Address, PubKey, ACCOUNT_PREFIX, VALIDATOR_PREFIX};
use serde::{Deserialize, Serialize};

use super::file::parse_amount;
use super::peer::Peer;
use rampart_auth::pubkey::ED25519_TYPE_URL;
use rampart_client::keys::AccountKey;
pub use rampart_client::msgs::staking::Commission;
use rampart_client::msgs::staking::CREATE_VALIDATOR;
use rampart_client::tx_builder::{sign_doc_bytes, sign_tx, TxParams};

/// The gas limit of every gentx (as the Cosmos SDK's).
pub const GENTX_GAS_LIMIT: u64 = 200_000;
/// The account number and sequence a gentx is signed with.
pub const GENESIS_ACCOUNT_NUMBER: u64 = 0;

/// What a genesis validator declares.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatorSpec {
    /// Description moniker.
    pub moniker: String,
    /// Self-delegation, in the bond denom.
    pub amount: Coin,
    /// Commission rates.
    pub commission: Commission,
    /// Minimum self-delegation (positive, at most `amount`).
    pub min_self_delegation: u128,
    /// The node's ed25519 consensus public key.
    pub consensus_key: [u8; 32],
    /// Where the node listens (the memo).
    pub peer: Peer,
}

/// The `MsgCreateValidator` of `spec` for operator `operator` (its account address; the
/// operator is the same bytes with prefix `rampartvaloper`). The deprecated
/// `delegator_address` is filled with the operator's account, as the Cosmos SDK still does.
#[allow(deprecated)]
pub fn msg_create_validator(operator: &Address, spec: &ValidatorSpec) -> MsgCreateValidator {
    MsgCreateValidator {
        description: Some(Description {
            moniker: spec.moniker.clone(),
            ..Description::default()
        }),
        commission: Some(spec.commission.to_proto()),
        min_self_delegation: spec.min_self_delegation.to_string(),
        delegator_address: operator.to_bech32(ACCOUNT_PREFIX),
        validator_address: operator.to_bech32(VALIDATOR_PREFIX),
        pubkey: Some(PubKey::Ed25519(spec.consensus_key).to_any()),
        value: Some(spec.amount.clone()),
    }
}

/// Builds and signs the gentx of `spec` with the operator key `key` for `chain_id`, and
/// decodes it back (so what is returned is what `collect-gentxs` will read).
pub fn sign_gentx(key: &AccountKey, chain_id: &str, spec: &ValidatorSpec) -> anyhow::Result<Gentx> {
    if spec.min_self_delegation == 0 {
        bail!("--min-self-delegation must be a positive integer");
    }
    let amount = parse_amount(&spec.amount.amount, "amount")?;
    if amount < spec.min_self_delegation {
        bail!(
            "the self-delegation {}{} is below --min-self-delegation {}",
            spec.amount.amount,
            spec.amount.denom,
            spec.min_self_delegation
        );
    }
    spec.commission.check()?;
    let operator = Address(
        key.address()?
            .to_bytes()
            .try_into()
            .map_err(|_| anyhow!("the operator key's address is not 20 bytes"))?,
    );
    let msg = msg_create_validator(&operator, spec);
    let any = cosmrs::Any {
        type_url: CREATE_VALIDATOR.into(),
        value: msg.encode_to_vec(),
    };
    let params = TxParams {
        chain_id: chain_id.to_owned(),
        account_number: GENESIS_ACCOUNT_NUMBER,
        sequence: 0,
        fee: vec![],
        gas_limit: GENTX_GAS_LIMIT,
        memo: spec.peer.to_string(),
        timeout_height: 0,
    };
    let signed = sign_tx(vec![any], key, &params)?;
    Gentx::decode(signed.tx_bytes)
}

/// A structurally valid gentx: one `MsgCreateValidator` signed by its operator, with a peer
/// address as memo. The signature itself is checked by [`Gentx::verify_signature`].
#[derive(Debug, Clone, PartialEq)]
pub struct Gentx {
    /// The `TxRaw` bytes.
    pub tx_bytes: Vec<u8>,
    /// The message.
    pub msg: MsgCreateValidator,
    /// The memo.
    pub peer: Peer,
    /// The operator (signer) address.
    pub operator: Address,
    /// The self-delegation amount.
    pub amount: u128,
    /// The self-delegation denom.
    pub denom: String,
    /// The ed25519 consensus key.
    pub consensus_key: [u8; 32],
    signer: PubKey,
    decoded: DecodedTx,
}

impl Gentx {
    /// Decodes and checks the shape of a gentx.
    #[allow(deprecated)] // `delegator_address`: checked when present, as the SDK fills it.
    pub fn decode(tx_bytes: Vec<u8>) -> anyhow::Result<Self> {
        let decoded = rampart_app::tx::decode(&tx_bytes).map_err(|e| anyhow!("{}", e.log))?;
        let [message] = decoded.body.messages.as_slice() else {
            bail!(
                "a gentx holds exactly one message, this one has {}",
                decoded.body.messages.len()
            );
        };
        if message.type_url != CREATE_VALIDATOR {
            bail!(
                "a gentx holds a {CREATE_VALIDATOR}, not a {}",
                message.type_url
            );
        }
        let msg = MsgCreateValidator::decode(message.value.as_slice())
            .context("cannot decode the MsgCreateValidator")?;
        let ([signer_info], [_signature]) = (
            decoded.auth_info.signer_infos.as_slice(),
            decoded.signatures.as_slice(),
        ) else {
            bail!("a gentx has exactly one signer and one signature");
        };
        if signer_info.sequence != 0 {
            bail!(
                "a gentx is signed with sequence 0, not {}",
                signer_info.sequence
            );
        }
        let signer = signer_info
            .public_key
            .as_ref()
            .ok_or_else(|| anyhow!("the gentx signer has no public key"))
            .and_then(|any| PubKey::from_any(any).map_err(|e| anyhow!("signer: {}", e.log)))?;
        let operator = Address::from_bech32(&msg.validator_address, VALIDATOR_PREFIX)
            .map_err(|e| anyhow!("validator_address: {}", e.log))?;
        if signer.address() != operator {
            bail!(
                "the gentx is signed by {}, not by its operator {}",
                signer.address(),
                operator
            );
        }
        if !msg.delegator_address.is_empty() && msg.delegator_address != operator.to_string() {
            bail!(
                "delegator_address {} is not the operator's account {operator}",
                msg.delegator_address
            );
        }
        let consensus_key = match msg.pubkey.as_ref().map(PubKey::from_any) {
            Some(Ok(PubKey::Ed25519(key))) => key,
            Some(Ok(PubKey::Secp256k1(_))) => {
                bail!("the consensus key must be {ED25519_TYPE_URL}, not secp256k1")
            }
            Some(Err(e)) => bail!("consensus pubkey: {}", e.log),
            None => bail!("the MsgCreateValidator has no consensus pubkey"),
        };
        let value = msg
            .value
            .clone()
            .ok_or_else(|| anyhow!("the MsgCreateValidator has no self-delegation value"))?;
        let amount = parse_amount(&value.amount, "value")?;
        if amount == 0 {
            bail!("the self-delegation must be positive");
        }
        let peer: Peer = decoded.body.memo.parse()?;
        Ok(Self {
            tx_bytes,
            msg,
            peer,
            operator,
            amount,
            denom: value.denom,
            consensus_key,
            signer,
            decoded,
        })
    }

    /// Decodes a base64 gentx.
    pub fn from_base64(text: &str) -> anyhow::Result<Self> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .context("the gentx is not base64")?;
        Self::decode(bytes)
    }

    /// The transaction as base64 (the form `app_state.genutil.gen_txs` holds).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.tx_bytes)
    }

    /// The moniker.
    pub fn moniker(&self) -> &str {
        self.msg
            .description
            .as_ref()
            .map_or("", |d| d.moniker.as_str())
    }

    /// Checks the signature as the app does at genesis: SIGN_MODE_DIRECT over `chain_id` and
    /// account number 0.
    pub fn verify_signature(&self, chain_id: &str) -> anyhow::Result<()> {
        let sign_bytes = sign_doc_bytes(
            &self.decoded.body_bytes,
            &self.decoded.auth_info_bytes,
            chain_id,
            GENESIS_ACCOUNT_NUMBER,
        );
        let signature = self
            .decoded
            .signatures
            .first()
            .map_or(&[][..], Vec::as_slice);
        if !self.signer.verify(&sign_bytes, signature) {
            bail!(
                "the signature does not verify for chain {chain_id:?} with account number \
                 {GENESIS_ACCOUNT_NUMBER} (was the gentx made for another chain id?)"
            );
        }
        Ok(())
    }

    /// The file form, claiming chain `chain_id`.
    pub fn document(&self, chain_id: &str) -> anyhow::Result<GentxDocument> {
        let commission = Commission::from_proto(&self.msg.commission.clone().unwrap_or_default())?;
        Ok(GentxDocument {
            chain_id: chain_id.to_owned(),
            node_id: self.peer.node_id.clone(),
            memo: self.peer.to_string(),
            moniker: self.moniker().to_owned(),
            operator_address: self.operator.to_bech32(VALIDATOR_PREFIX),
            delegator_address: self.operator.to_bech32(ACCOUNT_PREFIX),
            consensus_pubkey: ConsensusPubkey {
                type_url: ED25519_TYPE_URL.into(),
                key: base64::engine::general_purpose::STANDARD.encode(self.consensus_key),
            },
            amount: format!("{}{}", self.amount, self.denom),
            commission_rate: commission.rate.to_string(),
            commission_max_rate: commission.max_rate.to_string(),
            commission_max_change_rate: commission.max_change_rate.to_string(),
            min_self_delegation: self.msg.min_self_delegation.clone(),
            tx: self.to_base64(),
        })
    }
}

/// A consensus public key in Cosmos JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsensusPubkey {
    /// `/cosmos.crypto.ed25519.PubKey`.
    #[serde(rename = "@type")]
    pub type_url: String,
    /// Base64 of the 32 key bytes.
    pub key: String,
}

/// A gentx file (`config/gentx/gentx-<node_id>.json`): the base64 transaction in `tx` plus its
/// contents in readable fields, which must agree with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GentxDocument {
    /// The chain id the transaction was signed for.
    pub chain_id: String,
    /// The node's P2P id.
    pub node_id: String,
    /// The memo, `node_id@ip:port`.
    pub memo: String,
    /// The validator's moniker.
    pub moniker: String,
    /// `rampartvaloper1…`.
    pub operator_address: String,
    /// The operator's account, `rampart1…`, which signs and pays the self-delegation.
    pub delegator_address: String,
    /// The consensus key.
    pub consensus_pubkey: ConsensusPubkey,
    /// The self-delegation, e.g. `100000000uramp`.
    pub amount: String,
    /// Commission rate (decimal).
    pub commission_rate: String,
    /// Maximum commission rate (decimal).
    pub commission_max_rate: String,
    /// Maximum daily commission change (decimal).
    pub commission_max_change_rate: String,
    /// Minimum self-delegation (integer).
    pub min_self_delegation: String,
    /// Base64 of the `TxRaw` bytes.
    pub tx: String,
}

impl GentxDocument {
    /// Reads a gentx file, decodes its transaction and checks that the readable fields say what
    /// the transaction says.
    pub fn read(path: &Path) -> anyhow::Result<(Self, Gentx)> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let doc: Self = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a gentx file", path.display()))?;
        let gentx = Gentx::from_base64(&doc.tx)
            .with_context(|| format!("{}: invalid gentx", path.display()))?;
        if gentx.document(&doc.chain_id)? != doc {
            bail!(
                "{}: the readable fields do not match the signed transaction in `tx`",
                path.display()
            );
        }
        Ok((doc, gentx))
    }

    /// Writes the file (pretty JSON); refuses to replace an existing one.
    pub fn write_new(&self, path: &Path) -> anyhow::Result<()> {
        if path.exists() {
            bail!(
                "{} already exists; remove it to create a new gentx",
                path.display()
            );
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_client::keys::{mnemonic, KeyType};

    fn key() -> AccountKey {
        AccountKey::from_mnemonic(&mnemonic::generate(), KeyType::Secp256k1).expect("key")
    }

    fn spec() -> ValidatorSpec {
        ValidatorSpec {
            moniker: "v0".into(),
            amount: Coin {
                denom: "uramp".into(),
                amount: "100000000".into(),
            },
            commission: Commission::default(),
            min_self_delegation: 1,
            consensus_key: [7; 32],
            peer: Peer::new(&"ab".repeat(20), "127.0.0.1", 26656).expect("peer"),
        }
    }

    #[test]
    fn signs_decodes_and_verifies() -> anyhow::Result<()> {
        let key = key();
        let gentx = sign_gentx(&key, "chain-1", &spec())?;
        gentx.verify_signature("chain-1")?;
        let err = gentx.verify_signature("chain-2").expect_err("other chain");
        assert!(err.to_string().contains("another chain id"), "{err}");
        assert_eq!(gentx.operator.to_string(), key.address()?.to_string());
        assert_eq!(gentx.peer, spec().peer);
        let doc = gentx.document("chain-1")?;
        assert_eq!(doc.amount, "100000000uramp");
        assert_eq!(doc.commission_rate, "0.100000000000000000");
        assert_eq!(doc.consensus_pubkey.type_url, ED25519_TYPE_URL);
        assert!(doc.operator_address.starts_with("rampartvaloper1"));
        let rates = gentx.msg.commission.clone().unwrap_or_default();
        assert_eq!(
            rates.rate, "100000000000000000",
            "LegacyDec travels as attos"
        );
        assert_eq!(Gentx::from_base64(&doc.tx)?, gentx);
        Ok(())
    }

    #[test]
    fn refuses_bad_specs_and_rates() {
        let key = key();
        let mut low = spec();
        low.min_self_delegation = 100_000_001;
        assert!(sign_gentx(&key, "c", &low).is_err());
        let mut zero = spec();
        zero.min_self_delegation = 0;
        assert!(sign_gentx(&key, "c", &zero).is_err());
        assert!(Commission::parse("0.1", "0.2", "0.01").is_ok());
        for (rate, max, change) in [
            ("0.3", "0.2", "0.01"),
            ("0.1", "1.5", "0.01"),
            ("0.1", "0.2", "0.3"),
            ("ten", "0.2", "0.01"),
            ("-0.1", "0.2", "0.01"),
        ] {
            assert!(
                Commission::parse(rate, max, change).is_err(),
                "{rate} {max} {change}"
            );
        }
    }

    #[test]
    fn refuses_transactions_that_are_not_gentxs() -> anyhow::Result<()> {
        let key = key();
        let from = key.address()?.to_string();
        let send = rampart_client::tx_builder::msg_send(&from, &from, vec![]);
        let params = TxParams {
            chain_id: "c".into(),
            account_number: 0,
            sequence: 0,
            fee: vec![],
            gas_limit: GENTX_GAS_LIMIT,
            memo: spec().peer.to_string(),
            timeout_height: 0,
        };
        let tx = sign_tx(vec![send], &key, &params)?;
        let err = Gentx::decode(tx.tx_bytes).expect_err("a send");
        assert!(err.to_string().contains(CREATE_VALIDATOR), "{err}");
        assert!(Gentx::from_base64("not base64!").is_err());
        Ok(())
    }
}
