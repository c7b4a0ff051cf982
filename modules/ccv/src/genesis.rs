//! The `app_state.ccv` genesis section: the trust anchor of the light client of the provider.
//!
//! Written by the provider at launch (the launch height H's header) and, on export, with every
//! consensus state still trusted. 64-bit integers are decimal strings (numbers accepted), hashes
//! hex, times RFC 3339; unknown fields are refused:
//!
//! ```json
//! {
//!   "provider_chain_id": "rampart-1",
//!   "trusting_period_seconds": "1209600",
//!   "max_clock_drift_seconds": "10",
//!   "frozen_height": "0",
//!   "consensus_states": [{"height": "100", "time": "2026-01-01T00:00:00Z",
//!                         "app_hash": "…", "next_validators_hash": "…", "header_hash": "…"}],
//!   "next_validators": [{"pub_key": "<hex ed25519>", "power": "10"}],
//!   "consumer_id": "0",
//!   "validators": [{"pub_key": "<hex ed25519>", "power": "10",
//!                   "provider_operator": "rampartvaloper1…"}],
//!   "applied_vsc": "0",
//!   "applied_provider_height": "100",
//!   "signed_blocks_window": "100",
//!   "min_signed_per_window": "0.5",
//!   "signing_infos": [{"address": "<hex 20 bytes>", "start_height": "120",
//!                      "missed": ["3", "17"]}],
//!   "downtime_records": [{"seq": "1", "address": "<hex 20 bytes>", "infraction_height": "90",
//!                         "time": "2026-01-01T00:01:30Z", "vsc_id": "2", "missed": "60",
//!                         "window": "100"}],
//!   "last_downtime_seq": "1"
//! }
//! ```
//!
//! `validators` is the consumer's own set (the initial set the provider computed at launch; on
//! export, the set in force), which CometBFT starts with; `applied_vsc` the last packet applied.
//! `next_validators` is the provider set that signs H+1 (optional; when given it must hash to the
//! latest state's `next_validators_hash`). [`from_consumer_genesis`] builds the section from the
//! consumer genesis the provider wrote at launch (`query consumer genesis <id>`).
//!
//! Liveness ([`crate::liveness`], all optional): `signing_infos` are windows of validators of
//! `validators` (with their missed bitmap positions); a validator without one starts its window
//! with its first vote, at `initial_height + 1` — so a launch section has none.
//! `downtime_records` are the records awaiting the provider (at most one per address, seqs up to
//! `last_downtime_seq`).

use std::collections::BTreeSet;

use rampart_core::address::consensus_address;
use rampart_core::context::ConsensusAddress;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{block_time, parse_rfc3339, rfc3339, timestamp};
use rampart_core::{StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::client::{self, ProviderClient, DEFAULT_MAX_CLOCK_DRIFT_SECONDS};
use crate::errors::{err, CcvCode};
use crate::keys::MISSED_BITMAP;
use crate::{header, liveness, vsc};
use rampart_proto::rampart::ccv::v1 as pb;

/// `app_state.ccv`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CcvGenesis {
    /// The provider's CometBFT chain id (empty: no client, the module is idle).
    pub provider_chain_id: String,
    /// Seconds a verified header stays trusted (2/3 of the consumer unbonding period,
    /// [`client::trusting_period_seconds`]).
    #[serde(with = "u64_text")]
    pub trusting_period_seconds: u64,
    /// Seconds a header may lie ahead of the block time.
    #[serde(with = "u64_text", default = "default_drift")]
    pub max_clock_drift_seconds: u64,
    /// The height at which misbehaviour froze the client; 0 when not frozen.
    #[serde(with = "u64_text", default)]
    pub frozen_height: u64,
    /// The trusted consensus states (at least the launch header), any order.
    #[serde(default)]
    pub consensus_states: Vec<GenesisConsensusState>,
    /// The provider validator set that signs the height after the latest consensus state.
    #[serde(default)]
    pub next_validators: Vec<GenesisValidator>,
    /// This consumer's id on the provider.
    #[serde(with = "u64_text", default)]
    pub consumer_id: u64,
    /// The consumer's validator set (required with a provider client).
    #[serde(default)]
    pub validators: Vec<GenesisConsumerValidator>,
    /// The highest applied vsc id (0 at launch).
    #[serde(with = "u64_text", default)]
    pub applied_vsc: u64,
    /// The provider height of that packet (the launch height at launch).
    #[serde(with = "u64_text", default)]
    pub applied_provider_height: u64,
    /// The liveness window, in blocks.
    #[serde(with = "u64_text", default)]
    pub signed_blocks_window: u64,
    /// The minimum fraction of the window a validator signs (decimal text).
    #[serde(default)]
    pub min_signed_per_window: String,
    /// The liveness windows of validators of the set (the others start afresh).
    #[serde(default)]
    pub signing_infos: Vec<GenesisSigningInfo>,
    /// The downtime records awaiting the provider's acknowledgement.
    #[serde(default)]
    pub downtime_records: Vec<GenesisDowntimeRecord>,
    /// The last downtime sequence number used (0: none yet).
    #[serde(with = "u64_text", default)]
    pub last_downtime_seq: u64,
}

/// A validator's liveness window in genesis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisSigningInfo {
    /// The consensus address, hex (20 bytes).
    pub address: String,
    /// The height of its window's first vote.
    #[serde(with = "u64_text")]
    pub start_height: u64,
    /// The missed positions of its bitmap, ascending, each below the window.
    #[serde(with = "u64_list", default)]
    pub missed: Vec<u64>,
}

/// A downtime record awaiting the provider, in genesis (see `rampart.ccv.v1.DowntimeRecord`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisDowntimeRecord {
    /// Its sequence number.
    #[serde(with = "u64_text")]
    pub seq: u64,
    /// The validator's consensus address, hex (20 bytes).
    pub address: String,
    /// The infraction height.
    #[serde(with = "u64_text")]
    pub infraction_height: u64,
    /// Its block time, RFC 3339.
    pub time: String,
    /// The vsc id in force at that height.
    #[serde(with = "u64_text")]
    pub vsc_id: u64,
    /// Blocks missed.
    #[serde(with = "u64_text")]
    pub missed: u64,
    /// The window.
    #[serde(with = "u64_text")]
    pub window: u64,
}

/// A validator of the consumer's own set in genesis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisConsumerValidator {
    /// The ed25519 consensus key on the consumer, hex (32 bytes).
    pub pub_key: String,
    /// Its voting power.
    #[serde(with = "u64_text")]
    pub power: u64,
    /// The provider operator behind it.
    #[serde(default)]
    pub provider_operator: String,
}

fn default_drift() -> u64 {
    DEFAULT_MAX_CLOCK_DRIFT_SECONDS
}

/// A trusted provider header in genesis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisConsensusState {
    /// The provider height.
    #[serde(with = "u64_text")]
    pub height: u64,
    /// The header time, RFC 3339.
    pub time: String,
    /// The header's app hash, hex.
    pub app_hash: String,
    /// The header's `next_validators_hash`, hex (32 bytes).
    pub next_validators_hash: String,
    /// The header's hash, hex (32 bytes).
    pub header_hash: String,
}

/// A provider validator in genesis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisValidator {
    /// The ed25519 consensus key, hex (32 bytes).
    pub pub_key: String,
    /// Its voting power.
    #[serde(with = "u64_text")]
    pub power: u64,
}

fn invalid(why: impl Into<String>) -> AppError {
    AppError::sdk(
        SdkCode::JsonUnmarshal,
        format!("app_state.ccv: {}", why.into()),
    )
}

fn hex32(text: &str, field: &str) -> AppResult<Vec<u8>> {
    let bytes = hex::decode(text).map_err(|e| invalid(format!("{field}: {e}")))?;
    if bytes.len() != 32 {
        return Err(invalid(format!("{field}: expected 32 bytes")));
    }
    Ok(bytes)
}

fn hex20(text: &str, field: &str) -> AppResult<ConsensusAddress> {
    let bytes = hex::decode(text).map_err(|e| invalid(format!("{field}: {e}")))?;
    liveness::parse_address(&bytes).ok_or_else(|| invalid(format!("{field}: expected 20 bytes")))
}

/// The section a consumer starts from, built from the consumer genesis the provider wrote at
/// launch (`rampart.consumer.v1.ConsumerGenesis`, as `query consumer genesis` returns it): the
/// launch header H as the one trusted consensus state (height, time, header hash and
/// `next_validators_hash` from the provider's FinalizeBlock of H), the set that signs H+1, the
/// trusting period and clock drift. The app hash of header H is not in it (the provider's state
/// records no header of its own; header H's app hash is the state after H−1, which holds
/// nothing of this consumer): it is left empty, so no packet can be proven against H itself —
/// packets written at H are proven against H+1 anyway, after a first client update. Refused
/// (`sdk/JsonUnmarshal`, or `ccv/…` from [`import`]) when a field is missing or malformed.
pub fn from_consumer_genesis(
    g: &rampart_proto::rampart::consumer::v1::ConsumerGenesis,
) -> AppResult<CcvGenesis> {
    let params = g
        .params
        .as_ref()
        .ok_or_else(|| invalid("consumer genesis without params"))?;
    let time = g
        .provider_time
        .as_ref()
        .ok_or_else(|| invalid("consumer genesis without provider_time"))?;
    if g.provider_block_hash.len() != 32 || g.provider_next_validators_hash.len() != 32 {
        return Err(invalid(
            "consumer genesis without a 32-byte provider block hash and next_validators_hash",
        ));
    }
    Ok(CcvGenesis {
        provider_chain_id: g.provider_chain_id.clone(),
        trusting_period_seconds: g.trusting_period_seconds,
        max_clock_drift_seconds: g.max_clock_drift_seconds,
        frozen_height: 0,
        consensus_states: vec![GenesisConsensusState {
            height: g.provider_height,
            time: rfc3339(rampart_core::wire::block_time(time)?),
            app_hash: String::new(),
            next_validators_hash: hex::encode(&g.provider_next_validators_hash),
            header_hash: hex::encode(&g.provider_block_hash),
        }],
        next_validators: g
            .provider_next_validators
            .iter()
            .map(|v| GenesisValidator {
                pub_key: hex::encode(&v.pub_key),
                power: v.power,
            })
            .collect(),
        consumer_id: g.consumer_id,
        validators: g
            .initial_validators
            .iter()
            .map(|v| GenesisConsumerValidator {
                pub_key: hex::encode(&v.consumer_pubkey),
                power: v.power,
                provider_operator: v.provider_operator.clone(),
            })
            .collect(),
        applied_vsc: 0,
        applied_provider_height: g.provider_height,
        signed_blocks_window: params.signed_blocks_window,
        min_signed_per_window: params.min_signed_per_window.clone(),
        signing_infos: Vec::new(),
        downtime_records: Vec::new(),
        last_downtime_seq: 0,
    })
}

/// Initialises the light client, the parameters and the consumer's set from `genesis` (the
/// applied vsc id in force from `initial_height`); an empty `provider_chain_id` leaves the module
/// idle.
pub fn import(
    state: &mut dyn StateWrite,
    initial_height: u64,
    genesis: &CcvGenesis,
) -> AppResult<()> {
    if genesis.provider_chain_id.is_empty() {
        if genesis.consensus_states.is_empty()
            && genesis.next_validators.is_empty()
            && genesis.validators.is_empty()
        {
            return Ok(());
        }
        return Err(invalid("consensus states without a provider_chain_id"));
    }
    tendermint::chain::Id::try_from(genesis.provider_chain_id.clone())
        .map_err(|e| invalid(format!("provider_chain_id: {e}")))?;
    if genesis.trusting_period_seconds == 0 {
        return Err(invalid("trusting_period_seconds must be positive"));
    }
    let mut states = Vec::with_capacity(genesis.consensus_states.len());
    for g in &genesis.consensus_states {
        if g.height == 0 {
            return Err(invalid("consensus state at height 0"));
        }
        states.push(client::new_consensus_state(
            g.height,
            parse_rfc3339(&g.time, "consensus_states.time")?,
            hex::decode(&g.app_hash).map_err(|e| invalid(format!("app_hash: {e}")))?,
            hex32(&g.next_validators_hash, "next_validators_hash")?,
            hex32(&g.header_hash, "header_hash")?,
        ));
    }
    states.sort_by_key(|cs| cs.height);
    if states.windows(2).any(|w| w[0].height == w[1].height) {
        return Err(invalid("two consensus states at one height"));
    }
    let latest = states
        .last()
        .ok_or_else(|| invalid("at least one consensus state (the launch header) is required"))?;
    if !genesis.next_validators.is_empty() {
        let keys: Vec<(Vec<u8>, u64)> = genesis
            .next_validators
            .iter()
            .map(|v| Ok((hex32(&v.pub_key, "next_validators.pub_key")?, v.power)))
            .collect::<AppResult<_>>()?;
        let set = header::ed25519_set(&keys)?;
        if set.hash().as_bytes() != latest.next_validators_hash.as_slice() {
            return Err(err(
                CcvCode::TrustedValidatorsMismatch,
                "app_state.ccv: next_validators do not hash to the latest next_validators_hash",
            ));
        }
    }
    let client = ProviderClient {
        chain_id: genesis.provider_chain_id.clone(),
        trusting_period_seconds: genesis.trusting_period_seconds,
        max_clock_drift_seconds: genesis.max_clock_drift_seconds,
        latest_height: latest.height,
        frozen_height: genesis.frozen_height,
    };
    for cs in &states {
        client::store_consensus_state(state, &client, cs)?;
    }
    client::save_client(state, &client);
    import_consumer(state, initial_height, genesis, latest.height)
}

/// The consumer's own part of the section: parameters, validator set, applied vsc id.
fn import_consumer(
    state: &mut dyn StateWrite,
    initial_height: u64,
    genesis: &CcvGenesis,
    latest_height: u64,
) -> AppResult<()> {
    if genesis.validators.is_empty() {
        return Err(invalid(
            "validators: a consumer starts with at least one validator",
        ));
    }
    let mut members = BTreeSet::new();
    for v in &genesis.validators {
        let key = hex32(&v.pub_key, "validators.pub_key")?;
        let key32: [u8; 32] = key
            .as_slice()
            .try_into()
            .map_err(|_| invalid("validators.pub_key: expected 32 bytes"))?;
        tendermint::PublicKey::from_raw_ed25519(&key)
            .ok_or_else(|| invalid("validators.pub_key: not an ed25519 key"))?;
        if v.power == 0 || !members.insert(consensus_address(&key32)) {
            return Err(invalid("validators: zero power or a key listed twice"));
        }
        vsc::put_validator(
            state,
            &pb::ConsumerValidator {
                consumer_pubkey: key,
                power: v.power,
                provider_operator: v.provider_operator.clone(),
            },
        )?;
    }
    vsc::save_params(
        state,
        &pb::Params {
            consumer_id: genesis.consumer_id,
            signed_blocks_window: genesis.signed_blocks_window,
            min_signed_per_window: genesis.min_signed_per_window.clone(),
        },
    );
    let provider_height = match genesis.applied_provider_height {
        0 => latest_height,
        h => h,
    };
    vsc::set_applied(state, genesis.applied_vsc, provider_height, initial_height);
    import_liveness(state, initial_height, genesis, &members)
}

/// The liveness part: the windows of `members` (the set's consensus addresses), the downtime
/// records and the last seq.
fn import_liveness(
    state: &mut dyn StateWrite,
    initial_height: u64,
    genesis: &CcvGenesis,
    members: &BTreeSet<ConsensusAddress>,
) -> AppResult<()> {
    let window = liveness::Window::of(&vsc::params(state)?)
        .map_err(|e| invalid(e.log))?
        .map_or(0, |w| w.blocks());
    let mut tracked = BTreeSet::new();
    for g in &genesis.signing_infos {
        let address = hex20(&g.address, "signing_infos.address")?;
        if !members.contains(&address) || !tracked.insert(address) {
            return Err(invalid(
                "signing_infos: an address that is not a validator's, or listed twice",
            ));
        }
        let ascending = g.missed.windows(2).all(|w| w[0] < w[1]);
        if g.start_height == 0 || !ascending || g.missed.iter().any(|i| *i >= window) {
            return Err(invalid(
                "signing_infos: start_height 0, or missed positions not ascending within the window",
            ));
        }
        for index in &g.missed {
            MISSED_BITMAP.set_missed(state, &address, *index, true);
        }
        liveness::save_signing_info(
            state,
            &address,
            &pb::SigningInfo {
                address: address.to_vec(),
                start_height: g.start_height,
                missed_blocks_counter: u64::try_from(g.missed.len()).unwrap_or(u64::MAX),
            },
        );
    }
    for address in members.difference(&tracked) {
        liveness::track(state, address, initial_height.saturating_add(1));
    }
    let (mut seqs, mut flagged) = (BTreeSet::new(), BTreeSet::new());
    for g in &genesis.downtime_records {
        let address = hex20(&g.address, "downtime_records.address")?;
        if g.seq == 0 || g.seq > genesis.last_downtime_seq || !seqs.insert(g.seq) {
            return Err(invalid(
                "downtime_records: a seq of 0, above last_downtime_seq, or listed twice",
            ));
        }
        if !flagged.insert(address) {
            return Err(invalid("downtime_records: two records for one address"));
        }
        liveness::put_record(
            state,
            &pb::DowntimeRecord {
                seq: g.seq,
                consumer_address: address.to_vec(),
                infraction_height: g.infraction_height,
                time: Some(timestamp(parse_rfc3339(&g.time, "downtime_records.time")?)),
                vsc_id: g.vsc_id,
                missed: g.missed,
                window: g.window,
            },
        )?;
    }
    if genesis.last_downtime_seq != 0 {
        liveness::save_last_seq(state, genesis.last_downtime_seq);
    }
    Ok(())
}

/// The liveness part of the current state.
fn export_liveness(state: &dyn StateRead, g: &mut CcvGenesis) -> AppResult<()> {
    g.signing_infos = liveness::signing_infos(state)?
        .into_iter()
        .map(|info| GenesisSigningInfo {
            missed: liveness::parse_address(&info.address)
                .map(|a| MISSED_BITMAP.missed_indices(state, &a))
                .unwrap_or_default(),
            address: hex::encode(&info.address),
            start_height: info.start_height,
        })
        .collect();
    g.downtime_records = liveness::records(state)?
        .into_iter()
        .map(|r| {
            let time = r
                .time
                .as_ref()
                .map(block_time)
                .transpose()?
                .unwrap_or_default();
            Ok(GenesisDowntimeRecord {
                seq: r.seq,
                address: hex::encode(&r.consumer_address),
                infraction_height: r.infraction_height,
                time: rfc3339(time),
                vsc_id: r.vsc_id,
                missed: r.missed,
                window: r.window,
            })
        })
        .collect::<AppResult<_>>()?;
    g.last_downtime_seq = liveness::last_seq(state)?;
    Ok(())
}

/// The genesis section of the current state (no `next_validators`: a relayer supplies the set
/// with each update).
pub fn export(state: &dyn StateRead) -> AppResult<CcvGenesis> {
    let Some(client) = client::load_client(state)? else {
        return Ok(CcvGenesis::default());
    };
    let consensus_states = client::all_consensus_states(state)?
        .iter()
        .map(|cs| {
            Ok(GenesisConsensusState {
                height: cs.height,
                time: rfc3339(client::header_time(cs)?),
                app_hash: hex::encode(&cs.app_hash),
                next_validators_hash: hex::encode(&cs.next_validators_hash),
                header_hash: hex::encode(&cs.header_hash),
            })
        })
        .collect::<AppResult<_>>()?;
    let params = vsc::params(state)?;
    let (applied_vsc, applied_provider_height) = vsc::applied(state)?;
    let mut g = CcvGenesis {
        provider_chain_id: client.chain_id,
        trusting_period_seconds: client.trusting_period_seconds,
        max_clock_drift_seconds: client.max_clock_drift_seconds,
        frozen_height: client.frozen_height,
        consensus_states,
        next_validators: Vec::new(),
        consumer_id: params.consumer_id,
        validators: vsc::validators(state)?
            .into_iter()
            .map(|v| GenesisConsumerValidator {
                pub_key: hex::encode(&v.consumer_pubkey),
                power: v.power,
                provider_operator: v.provider_operator,
            })
            .collect(),
        applied_vsc,
        applied_provider_height,
        signed_blocks_window: params.signed_blocks_window,
        min_signed_per_window: params.min_signed_per_window,
        ..CcvGenesis::default()
    };
    export_liveness(state, &mut g)?;
    Ok(g)
}

/// Lists of 64-bit integers as proto3 JSON writes them (decimal strings), numbers accepted.
mod u64_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    struct Text(#[serde(with = "super::u64_text")] u64);

    pub fn serialize<S: Serializer>(values: &[u64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(|v| Text(*v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        Ok(Vec::<Text>::deserialize(d)?
            .into_iter()
            .map(|t| t.0)
            .collect())
    }
}

/// 64-bit integers as proto3 JSON writes them (decimal strings), numbers accepted.
mod u64_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Number(u64),
        String(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        match Text::deserialize(d)? {
            Text::Number(n) => Ok(n),
            Text::String(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}
