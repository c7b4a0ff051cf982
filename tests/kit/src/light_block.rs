//! Signed light blocks of a chain driven by [`MockConsensus`], as a light client verifies them:
//! a CometBFT header (the driver's validator sets, block time and last committed app hash) with
//! a commit of real ed25519 precommits over CometBFT's canonical vote sign bytes, signed with the
//! consensus keys of the [`TestValidator`](rampart_app::testing::TestValidator)s. Headers and
//! commits are built by [`rampart_ccv::testing`]; this module adds what is the driver's. The
//! driver builds no real headers, so such a header's hash is not the driver's stand-in
//! [`MockConsensus::block_hash`]; everything a light client checks is real.

use ed25519_consensus::SigningKey;
use k256::sha2::{Digest, Sha256};
use rampart_app::testing::MockConsensus;
pub use rampart_ccv::testing::{raw_set, HeaderSpec, Member};

/// The consensus signing key of `TestValidator::new(seed)` (derived from `sha256([seed; 32])`).
pub fn consensus_key(seed: u8) -> SigningKey {
    SigningKey::from(<[u8; 32]>::from(Sha256::digest([seed; 32])))
}

/// The header of the block after `driver`'s last committed one, as CometBFT makes it: its height
/// and time, the driver's sets for that height and the next, the last committed app hash, and
/// every validator signing.
pub fn next_header(driver: &MockConsensus) -> HeaderSpec {
    let height = driver.height + 1;
    let members = |h: u64| -> Vec<Member> {
        driver
            .validators_at(h)
            .expect("the driver knows the sets of the next two heights")
            .values()
            .copied()
            .collect()
    };
    HeaderSpec {
        chain_id: driver.chain_id().to_owned(),
        height,
        time: MockConsensus::time_of(height),
        app_hash: driver.app.info().last_block_app_hash.as_bytes().to_vec(),
        validators: members(height),
        next_validators: members(height + 1),
        signers: None,
    }
}
