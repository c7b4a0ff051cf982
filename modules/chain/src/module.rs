//! The module's state machine (`component` feature): genesis, state and its
//! [`rampart_core::Module`] impl.

use std::convert::Infallible;

use crate::urls::QUERY_CHAIN_INFO;
use prost::Message;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::module::decode_request;
use rampart_core::state::{StateRead, StateReadExt, StateWrite, StateWriteExt};
use rampart_core::{ChainProfile, Component, GenesisContext, QueryContext};
use rampart_proto::rampart::chain::v1::{ChainInfo, QueryChainInfoRequest, QueryChainInfoResponse};
use serde::{Deserialize, Serialize};
use tendermint_proto::google::protobuf::Timestamp;

/// State key of the [`ChainInfo`] record.
pub const CHAIN_INFO_KEY: &[u8] = b"chain/info";

/// The module's `app_state.chain` genesis section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainGenesis {
    /// Human-readable chain name.
    #[serde(default)]
    pub name: String,
    /// Free-form description.
    #[serde(default)]
    pub description: String,
}

/// The chain-metadata module.
#[derive(Debug, Default, Clone, Copy)]
pub struct ChainModule;

/// Reads the chain identity from state.
pub fn chain_info(state: &dyn StateRead) -> AppResult<ChainInfo> {
    state
        .get_proto::<ChainInfo>(CHAIN_INFO_KEY)
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt chain info: {e}")))?
        .ok_or_else(|| AppError::sdk(SdkCode::KeyNotFound, "chain info: key not found"))
}

impl Component for ChainModule {
    const NAME: &'static str = "chain";
    const QUERY_PATHS: &'static [&'static str] = &[QUERY_CHAIN_INFO];
    type Genesis = ChainGenesis;
    type Msg = Infallible;

    /// Records the chain's identity: the context's chain id, initial height and genesis time
    /// with the section's name and description.
    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        let nanos = i32::try_from(ctx.genesis_time.nanos).map_err(|_| {
            AppError::sdk(SdkCode::InvalidRequest, "genesis_time nanos out of range")
        })?;
        let info = ChainInfo {
            chain_id: ctx.chain_id.clone(),
            initial_height: ctx.initial_height,
            genesis_time: Some(Timestamp {
                seconds: ctx.genesis_time.seconds,
                nanos,
            }),
            name: g.name,
            description: g.description,
        };
        state.put_proto(CHAIN_INFO_KEY.to_vec(), &info);
        Ok(())
    }

    fn export(state: &dyn StateRead, _profile: &ChainProfile) -> AppResult<Self::Genesis> {
        let info = chain_info(state)?;
        Ok(ChainGenesis {
            name: info.name,
            description: info.description,
        })
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        match path {
            QUERY_CHAIN_INFO => {
                decode_request::<QueryChainInfoRequest>("QueryChainInfoRequest", request)?;
                let info = chain_info(ctx.state)?;
                Ok(QueryChainInfoResponse { info: Some(info) }.encode_to_vec())
            }
            _ => Err(AppError::sdk(
                SdkCode::UnknownRequest,
                format!("unknown query path {path}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::state::{EmptyState, Overlay};
    use rampart_core::BlockTime;
    use rampart_core::Module;

    fn ctx() -> GenesisContext {
        GenesisContext {
            chain_id: "rampart-test".into(),
            profile: ChainProfile::rampart(),
            initial_height: 1,
            genesis_time: BlockTime {
                seconds: 1_700_000_000,
                nanos: 5,
            },
            validators: vec![],
        }
    }

    #[test]
    fn genesis_round_trips_through_state_and_query() {
        let mut state = Overlay::new(EmptyState);
        let section = serde_json::json!({"name": "Rampart", "description": "test"});
        ChainModule
            .init_genesis(&mut state, &ctx(), Some(&section))
            .expect("valid genesis");
        assert_eq!(
            ChainModule
                .export_genesis(&state, &ChainProfile::rampart())
                .expect("exports"),
            section
        );
        let bytes = ChainModule
            .query(
                QueryContext {
                    state: &state,
                    profile: &ChainProfile::rampart(),
                },
                QUERY_CHAIN_INFO,
                &[],
            )
            .expect("query answers");
        let info = QueryChainInfoResponse::decode(bytes.as_slice())
            .expect("decodes")
            .info
            .expect("present");
        assert_eq!(info.chain_id, "rampart-test");
        assert_eq!(info.name, "Rampart");
    }

    #[test]
    fn unknown_genesis_field_is_named() {
        let mut state = Overlay::new(EmptyState);
        let section = serde_json::json!({"nmae": "typo"});
        let err = ChainModule
            .init_genesis(&mut state, &ctx(), Some(&section))
            .expect_err("unknown field");
        assert!(err.log.contains("nmae"), "{err}");
        assert!(state.changes().is_empty(), "nothing written");
    }
}
