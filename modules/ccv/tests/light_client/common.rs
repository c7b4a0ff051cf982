//! A provider chain of signing validators, and a consumer state with the light client on it.

#![allow(dead_code)]

use ed25519_consensus::SigningKey;
use rampart_ccv::genesis::{self, CcvGenesis, GenesisConsensusState};
pub use rampart_ccv::testing::{keys, members, raw_set, HeaderSpec, Member};
use rampart_ccv::verify::UpdateProviderClient;
use rampart_ccv::{update_client, UpdateOutcome};
use rampart_core::context::BlockTime;
use rampart_core::state::{EmptyState, Overlay};
use rampart_core::{AppError, ChainProfile, Changes, Events};
use rampart_proto::rampart::ccv::v1 as pb;
use rampart_store::{Storage, StorageConfig};
use std::path::Path;
use tendermint_proto::types::ValidatorSet as RawValidatorSet;

pub const PROVIDER: &str = "provider-1";
/// The launch height of the consumer: the trust anchor.
pub const ANCHOR: u64 = 10;
/// 21 days of unbonding → 14 days of trust.
pub const UNBONDING: u64 = 21 * 24 * 3600;
pub const T0: i64 = 1_800_000_000;

pub fn t(seconds_after_t0: i64) -> BlockTime {
    BlockTime {
        seconds: T0 + seconds_after_t0,
        nanos: 0,
    }
}

pub fn trusting_period() -> u64 {
    rampart_ccv::client::trusting_period_seconds(UNBONDING)
}

/// The provider validators of `keys`, each of power 10.
pub fn validators(keys: &[SigningKey]) -> Vec<Member> {
    members(keys, 10)
}

/// The protobuf validator set of `keys` with `power` each (any power, even an invalid one).
pub fn raw_set_with_power(keys: &[SigningKey], power: i64) -> RawValidatorSet {
    let mut raw = raw_set(&validators(keys));
    for v in &mut raw.validators {
        v.voting_power = power;
    }
    raw
}

/// A header of the provider at `height`: every validator of `keys(1, 4)` signs it and the next
/// height.
pub fn provider_header(height: u64, time: BlockTime, app_hash: &[u8]) -> HeaderSpec {
    HeaderSpec {
        chain_id: PROVIDER.into(),
        height,
        time: rampart_ccv::header::tm_time(time).expect("time"),
        app_hash: app_hash.to_vec(),
        validators: validators(&keys(1, 4)),
        next_validators: validators(&keys(1, 4)),
        signers: None,
    }
}

/// `MsgUpdateProviderClient` for `spec`, trusting `trusted_height` whose next set is `trusted`.
pub fn msg(
    spec: &HeaderSpec,
    trusted_height: u64,
    trusted: &[SigningKey],
) -> pb::MsgUpdateProviderClient {
    pb::MsgUpdateProviderClient {
        signer: signer(),
        signed_header: Some(spec.signed()),
        validator_set: Some(spec.validator_set()),
        trusted_height,
        trusted_next_validator_set: Some(raw_set(&validators(trusted))),
    }
}

pub fn signer() -> String {
    ChainProfile::rampart().to_account(&rampart_core::Address([5; 20]))
}

pub fn decode(m: &pb::MsgUpdateProviderClient) -> Result<UpdateProviderClient, AppError> {
    UpdateProviderClient::from_proto(m, &ChainProfile::rampart())
}

/// The consumer's state: the light client initialised at the anchor header.
pub type State = Overlay<EmptyState>;

pub fn anchor_spec() -> HeaderSpec {
    provider_header(ANCHOR, t(0), &[0xA0; 32])
}

pub fn genesis() -> CcvGenesis {
    let anchor = anchor_spec().header();
    CcvGenesis {
        provider_chain_id: PROVIDER.into(),
        trusting_period_seconds: trusting_period(),
        max_clock_drift_seconds: 10,
        frozen_height: 0,
        consensus_states: vec![GenesisConsensusState {
            height: ANCHOR,
            time: rampart_core::wire::rfc3339(t(0)),
            app_hash: hex::encode(anchor.app_hash.as_bytes()),
            next_validators_hash: hex::encode(anchor.next_validators_hash.as_bytes()),
            header_hash: hex::encode(anchor.hash().as_bytes()),
        }],
        next_validators: keys(1, 4)
            .iter()
            .map(|k| genesis::GenesisValidator {
                pub_key: hex::encode(k.verification_key().as_bytes()),
                power: 10,
            })
            .collect(),
        consumer_id: CONSUMER_ID,
        validators: consumer_keys()
            .iter()
            .map(|k| genesis::GenesisConsumerValidator {
                pub_key: hex::encode(k.verification_key().as_bytes()),
                power: 5,
                provider_operator: String::new(),
            })
            .collect(),
        applied_vsc: 0,
        applied_provider_height: 0,
        signed_blocks_window: 100,
        min_signed_per_window: "0.5".into(),
        ..CcvGenesis::default()
    }
}

/// This consumer's id on the provider.
pub const CONSUMER_ID: u64 = 7;

/// The consumer's own validator keys at genesis.
pub fn consumer_keys() -> Vec<SigningKey> {
    keys(50, 3)
}

pub fn consumer() -> State {
    let mut state = Overlay::new(EmptyState);
    genesis::import(&mut state, 1, &genesis()).expect("genesis");
    state
}

/// Decodes and applies `m` at consumer time `now`.
pub fn update(
    state: &mut State,
    now: BlockTime,
    m: &pb::MsgUpdateProviderClient,
) -> Result<(UpdateOutcome, Events), AppError> {
    let decoded = decode(m)?;
    let mut events = Events::new();
    let outcome = update_client(state, now, &decoded, &mut events)?;
    assert_eq!(
        rampart_ccv::client::check_invariants(state).expect("invariants"),
        None
    );
    Ok((outcome, events))
}

/// Applies the provider header of `spec` at consumer time `now`, trusting `trusted_height`
/// whose next set is that of `keys(1, 4)`.
pub fn relay(
    state: &mut State,
    now: BlockTime,
    spec: &HeaderSpec,
    trusted_height: u64,
) -> Result<(UpdateOutcome, Events), AppError> {
    update(state, now, &msg(spec, trusted_height, &keys(1, 4)))
}

/// A consumer that trusts provider headers `ANCHOR + 1 ..= ANCHOR + n`, one an hour: header
/// `ANCHOR + i` of time `t(3600 i)` and app hash `[i; 32]`, relayed a second later trusting the
/// one before.
pub fn consumer_hourly(n: u8) -> State {
    let mut state = consumer();
    for i in 1..=n {
        let time = 3600 * i64::from(i);
        let spec = provider_header(ANCHOR + u64::from(i), t(time), &[i; 32]);
        let trusted = ANCHOR + u64::from(i) - 1;
        relay(&mut state, t(time + 1), &spec, trusted).expect("hourly header");
    }
    state
}

/// A provider store in `dir` holding `changes`, committed at height `ANCHOR + 1`; its app hash
/// goes into the header at `ANCHOR + 2`.
pub fn provider_store(dir: &Path, changes: &Changes) -> (Storage, [u8; 32]) {
    let store = Storage::open(
        dir,
        StorageConfig {
            keep_recent: 0,
            ..Default::default()
        },
    )
    .expect("open");
    let pending = store.prepare(ANCHOR + 1, changes).expect("prepare");
    let info = store.commit(pending).expect("commit");
    (store, info.app_hash)
}

/// A consumer whose client trusts the provider header at `ANCHOR + 2`, carrying `root` (the
/// app hash of the provider's state after `ANCHOR + 1`).
pub fn consumer_trusting_root(root: &[u8]) -> State {
    let mut state = consumer();
    relay(
        &mut state,
        t(21),
        &provider_header(ANCHOR + 2, t(20), root),
        ANCHOR,
    )
    .expect("h12");
    state
}

/// Asserts that applying `m` fails with `ccv/<code>` and leaves `state` untouched.
pub fn refused(
    state: &mut State,
    now: BlockTime,
    m: &pb::MsgUpdateProviderClient,
    code: rampart_ccv::CcvCode,
) -> AppError {
    let before = state.changes().clone();
    let e = update(state, now, m).expect_err("refused");
    assert_eq!((e.codespace, e.code), ("ccv", code as u32), "{}", e.log);
    assert_eq!(state.changes(), &before, "state unchanged");
    e
}

/// Answers the ccv query at `path` through the module trait, from `state`.
pub fn query<R: prost::Message + Default>(
    state: &State,
    path: &str,
    request: &impl prost::Message,
) -> rampart_core::error::AppResult<R> {
    use rampart_core::Module;
    let profile = ChainProfile::rampart();
    let ctx = rampart_core::QueryContext {
        state,
        profile: &profile,
    };
    let bytes = rampart_ccv::CcvModule.query(ctx, path, &request.encode_to_vec())?;
    Ok(R::decode(bytes.as_slice()).expect("response decodes"))
}
