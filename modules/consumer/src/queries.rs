//! `rampart.consumer.v1.Query`, answered from committed state.

use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_query as req;
use rampart_core::pagination::paginate_prefix_with;
use rampart_core::QueryContext;
use rampart_proto::rampart::consumer::v1 as pb;
use rampart_staking::StakingRead;

use crate::errors::{err, ConsumerCode};
use crate::keys;
use crate::params;
use crate::state;
use crate::types::Phase;
pub use crate::urls::{
    PATHS, QUERY_CONSUMER, QUERY_CONSUMERS, QUERY_CONSUMER_COMMISSION, QUERY_CONSUMER_GENESIS,
    QUERY_CONSUMER_VALIDATORS, QUERY_PACKET, QUERY_PARAMS, QUERY_PENDING_PACKETS,
    QUERY_REWARD_POOL, QUERY_SLASH_METER,
};
use rampart_core::coins;

/// Answers `path` with `request`.
pub fn answer(ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
    let QueryContext { state, profile } = ctx;
    Ok(match path {
        QUERY_CONSUMERS => {
            let r: pb::QueryConsumersRequest = req(request)?;
            // Both lists are keyed by consumer id: the phase index and the registry.
            let prefix = match Phase::from_proto(r.phase) {
                Some(phase) => keys::phase_prefix(phase.byte()),
                None if r.phase == 0 => keys::REGISTRY.to_vec(),
                None => {
                    return Err(AppError::sdk(
                        SdkCode::InvalidRequest,
                        format!("unknown phase {}", r.phase),
                    ))
                }
            };
            let (consumers, pagination) =
                paginate_prefix_with(state, &prefix, r.pagination.as_ref(), |suffix, _| {
                    keys::u64_at(suffix, 0)
                        .map(|id| state::queried(state, id))
                        .transpose()
                })?;
            pb::QueryConsumersResponse {
                consumers,
                pagination: Some(pagination),
            }
            .encode_to_vec()
        }
        QUERY_CONSUMER => {
            let r: pb::QueryConsumerRequest = req(request)?;
            pb::QueryConsumerResponse {
                consumer: Some(state::queried(state, r.consumer_id)?),
            }
            .encode_to_vec()
        }
        QUERY_CONSUMER_GENESIS => {
            let r: pb::QueryConsumerGenesisRequest = req(request)?;
            state::must_load(state, r.consumer_id)?;
            let genesis = state::genesis(state, r.consumer_id)?.ok_or_else(|| {
                err(
                    ConsumerCode::NotFound,
                    format!("consumer {} has no genesis (not launched)", r.consumer_id),
                )
            })?;
            pb::QueryConsumerGenesisResponse {
                genesis: Some(genesis),
            }
            .encode_to_vec()
        }
        QUERY_CONSUMER_VALIDATORS => {
            let r: pb::QueryConsumerValidatorsRequest = req(request)?;
            state::must_load(state, r.consumer_id)?;
            let set = state::validators(state, r.consumer_id)?;
            pb::QueryConsumerValidatorsResponse {
                total_power: set.iter().fold(0u64, |acc, v| acc.saturating_add(v.power)),
                validators: set.iter().map(|v| v.to_proto()).collect(),
            }
            .encode_to_vec()
        }
        QUERY_PENDING_PACKETS => {
            let r: pb::QueryPendingPacketsRequest = req(request)?;
            state::must_load(state, r.consumer_id)?;
            let prefix = keys::with_id(keys::VSC_PACKET, r.consumer_id);
            let (packets, pagination) =
                paginate_prefix_with(state, &prefix, r.pagination.as_ref(), |_, value| {
                    decode_packet(&value).map(Some)
                })?;
            pb::QueryPendingPacketsResponse {
                packets,
                pagination: Some(pagination),
            }
            .encode_to_vec()
        }
        QUERY_PACKET => {
            let r: pb::QueryPacketRequest = req(request)?;
            state::must_load(state, r.consumer_id)?;
            let key = keys::packet(r.consumer_id, r.vsc_id);
            let bytes = state.get(&key).ok_or_else(|| {
                err(
                    ConsumerCode::NotFound,
                    format!("consumer {} has no packet {}", r.consumer_id, r.vsc_id),
                )
            })?;
            let packet = decode_packet(&bytes)?;
            pb::QueryPacketResponse {
                packet: Some(packet),
                state_key: key,
            }
            .encode_to_vec()
        }
        QUERY_REWARD_POOL => {
            let r: pb::QueryRewardPoolRequest = req(request)?;
            let consumer = state::must_load(state, r.consumer_id)?;
            pb::QueryRewardPoolResponse {
                pool: coins::to_proto(&state::pool(state, r.consumer_id)?),
                rate_per_block: coins::to_proto(&consumer.params.reward_rate_per_block),
                paused: consumer.rewards_paused,
            }
            .encode_to_vec()
        }
        QUERY_CONSUMER_COMMISSION => {
            let r: pb::QueryConsumerCommissionRequest = req(request)?;
            state::must_load(state, r.consumer_id)?;
            let op = profile.valoper(&r.validator, "validator")?;
            let validator = state.validator(&op)?.ok_or_else(|| {
                err(
                    ConsumerCode::UnknownValidator,
                    format!("validator {} does not exist", r.validator),
                )
            })?;
            let custom = state::commission(state, r.consumer_id, &op)?;
            pb::QueryConsumerCommissionResponse {
                rate: custom.unwrap_or(validator.commission.rate).to_string(),
                custom: custom.is_some(),
            }
            .encode_to_vec()
        }
        QUERY_PARAMS => pb::QueryParamsResponse {
            params: Some(params::load(state)?.to_proto()),
        }
        .encode_to_vec(),
        QUERY_SLASH_METER => {
            let r: pb::QuerySlashMeterRequest = req(request)?;
            state::must_load(state, r.consumer_id)?;
            crate::meter::query(state, r.consumer_id)?.encode_to_vec()
        }
        other => {
            return Err(AppError::sdk(
                SdkCode::UnknownRequest,
                format!("consumer does not answer {other}"),
            ))
        }
    })
}

/// Decodes a stored packet; corrupt state answers `sdk/35`.
fn decode_packet(bytes: &[u8]) -> AppResult<pb::ValidatorSetChangePacket> {
    pb::ValidatorSetChangePacket::decode(bytes)
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt packet: {e}")))
}
