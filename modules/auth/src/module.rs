//! The auth module ([`Component`]): genesis (parameters, accounts, the fee collector module
//! account) and the `cosmos.auth.v1beta1.Query` service. It handles no messages; the app's ante
//! handler uses [`crate::AuthRead`]/[`crate::AuthWrite`] to check signatures and sequences.

use std::convert::Infallible;

use rampart_core::error::AppResult;
use rampart_core::state::{StateRead, StateWrite};
use rampart_core::{ChainProfile, Component, GenesisContext, QueryContext};

use crate::genesis::{self, AuthGenesis};
use crate::query::{self, QUERY_ACCOUNT, QUERY_ACCOUNTS, QUERY_PARAMS};
use crate::state::AuthWrite;

/// Name of the module account that collects transaction fees.
pub const FEE_COLLECTOR: &str = "fee_collector";

/// The auth module.
#[derive(Debug, Default, Clone, Copy)]
pub struct AuthModule;

impl Component for AuthModule {
    const NAME: &'static str = "auth";
    const QUERY_PATHS: &'static [&'static str] = &[QUERY_ACCOUNT, QUERY_ACCOUNTS, QUERY_PARAMS];
    type Genesis = AuthGenesis;
    type Msg = Infallible;

    /// The listed accounts, then the fee collector (numbered after them when not listed).
    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        genesis::init(state, &ctx.profile, &g)?;
        state.ensure_module_account(FEE_COLLECTOR, &[])?;
        Ok(())
    }

    fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Self::Genesis> {
        genesis::export(state, profile)
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        query::answer(ctx, path, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AuthRead;
    use cosmos_sdk_proto::cosmos::auth::v1beta1::{QueryAccountRequest, QueryAccountResponse};
    use prost::Message;
    use rampart_core::state::{EmptyState, Overlay};
    use rampart_core::Address;
    use rampart_core::BlockTime;
    use rampart_core::Module;
    use rampart_core::SdkCode;

    fn ctx() -> GenesisContext {
        GenesisContext {
            chain_id: "t".into(),
            profile: ChainProfile::rampart(),
            initial_height: 1,
            genesis_time: BlockTime::default(),
            validators: vec![],
        }
    }

    #[test]
    fn genesis_round_trips_and_creates_the_fee_collector() {
        let mut state = Overlay::new(EmptyState);
        let user = Address([4; 20]).to_string();
        let section = serde_json::json!({
            "accounts": [{"address": user, "account_number": "7", "sequence": "3"}]
        });
        AuthModule
            .init_genesis(&mut state, &ctx(), Some(&section))
            .expect("valid genesis");
        let fee = state
            .account(&Address::module(FEE_COLLECTOR))
            .expect("reads")
            .expect("created");
        assert_eq!(fee.account_number, 8, "numbered after the listed accounts");
        let exported = AuthModule
            .export_genesis(&state, &ChainProfile::rampart())
            .expect("exports");
        let accounts = exported["accounts"].as_array().expect("a list");
        assert_eq!(accounts.len(), 2, "the user and the fee collector");
        let user_entry = accounts.iter().find(|a| a["address"] == user.as_str());
        assert_eq!(user_entry.expect("exported")["sequence"], "3");
        let mut again = Overlay::new(EmptyState);
        AuthModule
            .init_genesis(&mut again, &ctx(), Some(&exported))
            .expect("re-imports");
        assert_eq!(
            again
                .account(&Address::module(FEE_COLLECTOR))
                .expect("reads"),
            Some(fee),
            "the module account keeps its number and kind"
        );
        let bad = serde_json::json!({"accounts": [{
            "@type": "/cosmos.auth.v1beta1.ModuleAccount",
            "address": user, "name": "fee_collector"
        }]});
        let err = AuthModule
            .init_genesis(&mut Overlay::new(EmptyState), &ctx(), Some(&bad))
            .expect_err("wrong module address");
        assert!(err.log.contains("must have address"), "{}", err.log);
    }

    fn query_account(state: &dyn StateRead, req: &QueryAccountRequest) -> AppResult<Vec<u8>> {
        let ctx = QueryContext {
            state,
            profile: &ChainProfile::rampart(),
        };
        AuthModule.query(ctx, QUERY_ACCOUNT, &req.encode_to_vec())
    }

    #[test]
    fn unknown_account_query_says_not_found() {
        let state = Overlay::new(EmptyState);
        let req = QueryAccountRequest {
            address: Address([1; 20]).to_string(),
        };
        let err = query_account(&state, &req).expect_err("unknown");
        assert!(err.is(SdkCode::KeyNotFound));
        assert!(
            err.log.contains("rpc error: code = NotFound"),
            "{}",
            err.log
        );
        assert!(err.log.contains("key not found"));
        let bad = QueryAccountRequest {
            address: "cosmos1xyz".into(),
        };
        let err = query_account(&state, &bad).expect_err("bad address");
        assert!(err.is(SdkCode::InvalidAddress));
        let mut with = Overlay::new(EmptyState);
        with.ensure_account(&Address([1; 20])).expect("created");
        let bytes = query_account(&with, &req).expect("found");
        let any = QueryAccountResponse::decode(bytes.as_slice())
            .expect("decodes")
            .account
            .expect("present");
        assert_eq!(any.type_url, "/cosmos.auth.v1beta1.BaseAccount");
    }
}
