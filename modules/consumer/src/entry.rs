//! The consumer registry entry in checked types, with its protobuf form: one consumer's
//! identity, phase, parameters in force and waiting, deposit and lifecycle times.

use rampart_core::coins::{parse_coins, Coin};
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::wire::{block_time, timestamp};
use rampart_core::{Address, BlockTime, ChainProfile, Decimal};
use rampart_proto::rampart::consumer::v1 as pb;
use tendermint_proto::google::protobuf::Timestamp;

use crate::pending::PendingParams;
use crate::types::{invalid, ConsumerParams, Phase};

/// A registry entry in checked types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// Numeric id.
    pub id: u64,
    /// CometBFT chain id.
    pub chain_id: String,
    /// Owner account.
    pub owner: Address,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Metadata URL.
    pub metadata_url: String,
    /// Spawn time, if scheduled.
    pub spawn_time: Option<BlockTime>,
    /// Phase.
    pub phase: Phase,
    /// Rules in force.
    pub params: ConsumerParams,
    /// Parameters waiting to take effect.
    pub pending: Option<PendingParams>,
    /// Registration deposit held by the module account.
    pub deposit: Vec<Coin>,
    /// Height of the registration.
    pub registration_height: u64,
    /// Height of the launch (0 before).
    pub launch_height: u64,
    /// Time of the launch.
    pub launch_time: Option<BlockTime>,
    /// Time of the stop.
    pub stop_time: Option<BlockTime>,
    /// Time of the deletion (scheduled or done).
    pub delete_time: Option<BlockTime>,
    /// Whether reward payments are paused.
    pub rewards_paused: bool,
    /// When the provider last heard from the launched consumer (its launch, later its
    /// acknowledgements: the provider's block time of each).
    pub last_heard_from: Option<BlockTime>,
    /// The highest vsc id the consumer proved it applied (0 before any acknowledgement).
    pub last_acknowledged_vsc: u64,
    /// When it expires if still registered (unlaunched) then.
    pub expire_time: Option<BlockTime>,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt consumer state: {e}"))
}

impl Consumer {
    /// The double-sign fraction a pledge to this consumer must be able to bear: the larger of
    /// the current one and a pending one.
    pub fn double_sign_fraction_bound(&self) -> Decimal {
        let current = self.params.double_sign.slash_fraction;
        match &self.pending {
            Some(p) => current.max(p.double_sign.slash_fraction),
            None => current,
        }
    }

    /// When a launched consumer that stays unheard is stopped: `last_heard_from` plus the ccv
    /// timeout (`None` for other phases, or past the end of time).
    pub fn timeout_at(&self) -> Option<BlockTime> {
        if self.phase != Phase::Launched {
            return None;
        }
        let heard = self.last_heard_from?;
        rampart_core::wire::add_seconds(heard, self.params.ccv_timeout_seconds).ok()
    }

    /// The protobuf form.
    pub fn to_proto(&self) -> pb::Consumer {
        pb::Consumer {
            consumer_id: self.id,
            chain_id: self.chain_id.clone(),
            owner: ChainProfile::rampart().to_account(&self.owner),
            name: self.name.clone(),
            description: self.description.clone(),
            metadata_url: self.metadata_url.clone(),
            spawn_time: self.spawn_time.map(timestamp),
            phase: self.phase.to_proto() as i32,
            params: Some(self.params.to_proto()),
            pending_infraction_params: self.pending.as_ref().map(PendingParams::to_proto),
            deposit: self.deposit.iter().map(Coin::to_proto).collect(),
            registration_height: self.registration_height,
            launch_height: self.launch_height,
            launch_time: self.launch_time.map(timestamp),
            stop_time: self.stop_time.map(timestamp),
            delete_time: self.delete_time.map(timestamp),
            rewards_paused: self.rewards_paused,
            last_heard_from: self.last_heard_from.map(timestamp),
            last_acknowledged_vsc: self.last_acknowledged_vsc,
            expire_time: self.expire_time.map(timestamp),
        }
    }

    /// From the protobuf form (as stored or in genesis); `Err` names the broken field.
    pub fn from_proto(p: &pb::Consumer) -> AppResult<Self> {
        let phase = Phase::from_proto(p.phase).ok_or_else(|| invalid("invalid phase"))?;
        let pending = p
            .pending_infraction_params
            .as_ref()
            .map(PendingParams::from_proto)
            .transpose()?;
        let time = |t: &Option<Timestamp>| t.as_ref().map(block_time).transpose();
        Ok(Self {
            id: p.consumer_id,
            chain_id: p.chain_id.clone(),
            owner: ChainProfile::rampart().account(&p.owner, "owner")?,
            name: p.name.clone(),
            description: p.description.clone(),
            metadata_url: p.metadata_url.clone(),
            spawn_time: time(&p.spawn_time)?,
            phase,
            params: ConsumerParams::from_proto(p.params.as_ref())?,
            pending,
            deposit: parse_coins(&p.deposit)?,
            registration_height: p.registration_height,
            launch_height: p.launch_height,
            launch_time: time(&p.launch_time)?,
            stop_time: time(&p.stop_time)?,
            delete_time: time(&p.delete_time)?,
            rewards_paused: p.rewards_paused,
            last_heard_from: time(&p.last_heard_from)?,
            last_acknowledged_vsc: p.last_acknowledged_vsc,
            expire_time: time(&p.expire_time)?,
        })
    }

    /// Decodes a stored entry; failure is corrupt state.
    pub fn decode(bytes: &[u8]) -> AppResult<Self> {
        let p = <pb::Consumer as prost::Message>::decode(bytes).map_err(corrupt)?;
        Self::from_proto(&p).map_err(|e| corrupt(e.log))
    }
}
