//! The module's state machine (`component` feature): its [`Component`] impl.

use crate::genesis::CcvGenesis;
use crate::urls::{
    MSG_RECV_VSC_PACKET, MSG_RECV_VSC_PACKET_RESPONSE, MSG_UPDATE_PROVIDER_CLIENT,
    MSG_UPDATE_PROVIDER_CLIENT_RESPONSE, PATHS, TYPE_URLS,
};
use crate::verify::{update_client, UpdateOutcome, UpdateProviderClient};
use crate::vsc::RecvVscPacket;
use crate::{client, genesis, liveness, queries, vsc};
use prost::Message;
use rampart_core::error::AppResult;
use rampart_core::module::{decode_msg, unknown_msg};
use rampart_core::{
    Address, BlockScope, ChainProfile, Component, GenesisContext, ModuleMsg, MsgScope,
    QueryContext, StateRead, StateWrite, ValidatorUpdate,
};
use rampart_proto::rampart::ccv::v1 as pb;
use tendermint_proto::google::protobuf::Any;

/// The module's messages, decoded and statelessly checked.
#[derive(Debug, Clone, PartialEq)]
pub enum CcvMsg {
    /// `MsgUpdateProviderClient`.
    UpdateProviderClient(Box<UpdateProviderClient>),
    /// `MsgRecvVscPacket`.
    RecvVscPacket(Box<RecvVscPacket>),
}

impl ModuleMsg for CcvMsg {
    fn decode(any: &Any, profile: &ChainProfile) -> AppResult<Self> {
        match any.type_url.as_str() {
            MSG_UPDATE_PROVIDER_CLIENT => {
                let m: pb::MsgUpdateProviderClient = decode_msg(any)?;
                Ok(Self::UpdateProviderClient(Box::new(
                    UpdateProviderClient::from_proto(&m, profile)?,
                )))
            }
            MSG_RECV_VSC_PACKET => {
                let m: pb::MsgRecvVscPacket = decode_msg(any)?;
                Ok(Self::RecvVscPacket(Box::new(RecvVscPacket::from_proto(
                    &m, profile,
                )?)))
            }
            other => Err(unknown_msg("ccv", other)),
        }
    }

    fn signers(&self, _profile: &ChainProfile) -> AppResult<Vec<Address>> {
        match self {
            Self::UpdateProviderClient(m) => Ok(vec![m.signer]),
            Self::RecvVscPacket(m) => Ok(vec![m.signer]),
        }
    }
}

/// The consumer-side cross-chain validation module; composed as the owner of the consumer's
/// validator set (the provider dictates it).
#[derive(Debug, Clone, Copy, Default)]
pub struct CcvModule;

impl Component for CcvModule {
    const NAME: &'static str = crate::NAME;
    const MSG_TYPE_URLS: &'static [&'static str] = TYPE_URLS;
    const QUERY_PATHS: &'static [&'static str] = PATHS;
    type Genesis = CcvGenesis;
    type Msg = CcvMsg;

    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: CcvGenesis) -> AppResult<()> {
        genesis::import(state, ctx.initial_height, &g)
    }

    fn export(state: &dyn StateRead, _profile: &ChainProfile) -> AppResult<CcvGenesis> {
        genesis::export(state)
    }

    fn execute(&self, tx: MsgScope<'_>, msg: &CcvMsg) -> AppResult<Any> {
        let now = tx.ctx.block.time;
        match msg {
            CcvMsg::UpdateProviderClient(m) => {
                let outcome = update_client(tx.state, now, m, tx.events)?;
                Ok(Any {
                    type_url: MSG_UPDATE_PROVIDER_CLIENT_RESPONSE.into(),
                    value: pb::MsgUpdateProviderClientResponse {
                        frozen: matches!(outcome, UpdateOutcome::Frozen(_)),
                    }
                    .encode_to_vec(),
                })
            }
            CcvMsg::RecvVscPacket(m) => {
                let vsc_id = vsc::receive(tx.state, now, tx.ctx.block.height, m, tx.events)?;
                Ok(Any {
                    type_url: MSG_RECV_VSC_PACKET_RESPONSE.into(),
                    value: pb::MsgRecvVscPacketResponse { vsc_id }.encode_to_vec(),
                })
            }
        }
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }

    /// Prunes the consensus states that expired and counts the last commit into the liveness
    /// windows (downtime records).
    fn begin_block(&self, block: BlockScope<'_>) -> AppResult<()> {
        client::prune_expired(block.state, block.ctx.time)?;
        vsc::count_votes(block)
    }

    /// Applies the packets received in this block: the consumer's validator updates.
    fn end_block(&self, block: BlockScope<'_>) -> AppResult<Vec<ValidatorUpdate>> {
        vsc::end_block(block.state, block.ctx.height, block.events)
    }

    /// The set the provider computed at launch.
    fn genesis_validators(
        &self,
        state: &mut dyn StateWrite,
        _ctx: &GenesisContext,
    ) -> AppResult<Option<Vec<ValidatorUpdate>>> {
        vsc::genesis_validators(state).map(Some)
    }

    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        match client::check_invariants(state)? {
            None => liveness::check_invariants(state),
            broken => Ok(broken),
        }
    }
}
