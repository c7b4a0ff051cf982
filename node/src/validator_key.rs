//! The validator's CometBFT key file (`priv_validator_key.json`): reading its signing key, and
//! the start-up check that it exists and that its address, public and private keys belong
//! together.

use std::path::Path;

use anyhow::{anyhow, Context};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tendermint::vote::Vote;
use tendermint::{account, chain, PrivateKey, Signature};

use crate::home::Home;

/// A CometBFT `priv_validator_key.json`.
#[derive(Deserialize)]
struct PrivValidatorKeyFile {
    priv_key: PrivateKey,
}

/// The signing half of a validator key file.
pub struct ValidatorKey {
    key: ed25519_consensus::SigningKey,
}

impl ValidatorKey {
    /// Reads a CometBFT `priv_validator_key.json` (ed25519 only).
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let file: PrivValidatorKeyFile = serde_json::from_str(&Home::read_file(path)?)
            .with_context(|| format!("{} is not a CometBFT validator key file", path.display()))?;
        let signing = file
            .priv_key
            .ed25519_signing_key()
            .ok_or_else(|| anyhow!("{}: not an ed25519 key", path.display()))?;
        let seed: [u8; 32] = signing
            .as_bytes()
            .try_into()
            .map_err(|_| anyhow!("{}: the ed25519 seed is not 32 bytes", path.display()))?;
        Ok(Self {
            key: ed25519_consensus::SigningKey::from(seed),
        })
    }

    /// The CometBFT address of the key (first 20 bytes of sha256 of the public key).
    pub fn address(&self) -> account::Id {
        let digest = Sha256::digest(self.key.verification_key().to_bytes());
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(&digest[..20]);
        account::Id::new(bytes)
    }

    /// `vote` signed over its canonical sign bytes for `chain_id`.
    pub(crate) fn sign(&self, mut vote: Vote, chain_id: &chain::Id) -> anyhow::Result<Vote> {
        vote.signature = None;
        let bytes = vote.clone().into_signable_vec(chain_id.clone());
        let signature = self.key.sign(&bytes);
        vote.signature = Some(
            Signature::try_from(signature.to_bytes().as_slice())
                .map_err(|e| anyhow!("signature: {e}"))?,
        );
        Ok(vote)
    }
}

/// Checks `config/priv_validator_key.json` before CometBFT uses it: a missing file would
/// make CometBFT generate a new key (a validator that silently signs nothing), and a file
/// whose address, public key and private key disagree is damaged. Skipped when CometBFT
/// signs through a remote signer (`priv_validator_laddr` in config.toml).
pub fn check(home: &Home) -> anyhow::Result<()> {
    let config = std::fs::read_to_string(home.config_toml()).unwrap_or_default();
    let remote_signer = config.lines().any(|line| {
        line.trim_start().starts_with("priv_validator_laddr") && !line.trim_end().ends_with("\"\"")
    });
    if remote_signer {
        return Ok(());
    }
    let path = home.priv_validator_key();
    let restore = "restore the validator's key from its backup (for a new full node, \
                   create a home with `rampartd init`)";
    if !path.exists() {
        anyhow::bail!(
            "{} is missing: CometBFT would generate a new key and this validator would sign \
             nothing; {restore}",
            path.display()
        );
    }
    let damaged = |why: String| {
        anyhow::anyhow!(
            "{} is not a valid CometBFT validator key ({why}); {restore}",
            path.display()
        )
    };
    let key = ValidatorKey::read(&path).map_err(|e| damaged(format!("{e:#}")))?;
    let file: serde_json::Value =
        serde_json::from_str(&Home::read_file(&path)?).map_err(|e| damaged(e.to_string()))?;
    let public: tendermint::PublicKey = serde_json::from_value(file["pub_key"].clone())
        .map_err(|e| damaged(format!("pub_key: {e}")))?;
    let address = file["address"].as_str().unwrap_or_default();
    let derived = key.address().to_string();
    if !address.eq_ignore_ascii_case(&derived)
        || tendermint::account::Id::from(public).to_string() != derived
    {
        return Err(damaged(format!(
            "its address {address}, public key and private key (address {derived}) do not \
             belong together"
        )));
    }
    Ok(())
}
