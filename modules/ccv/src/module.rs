//! The module's state machine (`component` feature): its [`rampart_core::Module`] impl.

use crate::urls::{MSG_UPDATE_PROVIDER_CLIENT, MSG_UPDATE_PROVIDER_CLIENT_RESPONSE};
use crate::verify::{update_client, UpdateOutcome, UpdateProviderClient};
use crate::{client, genesis, queries};
use prost::Message;
use rampart_core::error::AppResult;
use rampart_core::module::{decode_msg, import_section, to_section, unknown_msg};
use rampart_core::{
    Address, BlockContext, ChainProfile, Events, GenesisContext, Module, ModuleMsg, MsgContext,
    QueryContext, StateRead, StateWrite,
};
use rampart_proto::rampart::ccv::v1 as pb;
use serde_json::Value;
use tendermint_proto::google::protobuf::Any;

/// The module's messages, decoded and statelessly checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CcvMsg {
    /// `MsgUpdateProviderClient`.
    UpdateProviderClient(Box<UpdateProviderClient>),
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
            other => Err(unknown_msg("ccv", other)),
        }
    }

    fn signers(&self, _profile: &ChainProfile) -> AppResult<Vec<Address>> {
        match self {
            Self::UpdateProviderClient(m) => Ok(vec![m.signer]),
        }
    }
}

/// The consumer-side cross-chain validation module.
#[derive(Debug, Clone, Copy, Default)]
pub struct CcvModule;

impl Module for CcvModule {
    fn name(&self) -> &'static str {
        "ccv"
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        _ctx: &GenesisContext,
        section: Option<&Value>,
    ) -> AppResult<()> {
        import_section(self.name(), section, |g| genesis::import(state, g))
    }

    fn export_genesis(&self, state: &dyn StateRead, _profile: &ChainProfile) -> AppResult<Value> {
        to_section(self.name(), &genesis::export(state)?)
    }

    fn begin_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        _events: &mut Events,
    ) -> AppResult<()> {
        client::prune_expired(state, ctx.time).map(|_| ())
    }

    fn msg_type_urls(&self) -> &'static [&'static str] {
        &[MSG_UPDATE_PROVIDER_CLIENT]
    }

    fn validate_msg(&self, profile: &ChainProfile, msg: &Any) -> AppResult<Vec<Address>> {
        CcvMsg::validate(profile, msg)
    }

    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any> {
        CcvMsg::deliver(ctx, msg, |m| match m {
            CcvMsg::UpdateProviderClient(m) => {
                let outcome = update_client(state, ctx.block.time, m, events)?;
                Ok(Any {
                    type_url: MSG_UPDATE_PROVIDER_CLIENT_RESPONSE.into(),
                    value: pb::MsgUpdateProviderClientResponse {
                        frozen: matches!(outcome, UpdateOutcome::Frozen(_)),
                    }
                    .encode_to_vec(),
                })
            }
        })
    }

    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        client::check_invariants(state)
    }

    fn query_paths(&self) -> &'static [&'static str] {
        queries::PATHS
    }

    fn query(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        queries::answer(ctx, path, request)
    }
}
