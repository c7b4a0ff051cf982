//! The bank module ([`Component`]): genesis balances, `MsgSend`/`MsgMultiSend` and the
//! `cosmos.bank.v1beta1.Query` service.

use rampart_core::error::AppResult;
use rampart_core::state::{StateRead, StateWrite};
use rampart_core::{ChainProfile, Component, GenesisContext, MsgScope, QueryContext};
use tendermint_proto::google::protobuf::Any;

use crate::genesis::{self, BankGenesis};
use crate::msgs::{self, Transfer, MSG_MULTI_SEND, MSG_SEND};
use crate::query::{self, PATHS};

/// The bank module.
#[derive(Debug, Default, Clone, Copy)]
pub struct BankModule;

impl Component for BankModule {
    const NAME: &'static str = "bank";
    const MSG_TYPE_URLS: &'static [&'static str] = &[MSG_SEND, MSG_MULTI_SEND];
    const QUERY_PATHS: &'static [&'static str] = PATHS;
    type Genesis = BankGenesis;
    type Msg = Transfer;

    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
        genesis::init(state, &ctx.profile, &g)
    }

    fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Self::Genesis> {
        genesis::export(state, profile)
    }

    fn execute(&self, tx: MsgScope<'_>, msg: &Transfer) -> AppResult<Any> {
        msgs::execute(tx.state, msg, tx.events)
    }

    fn answer(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        query::answer(ctx, path, request)
    }

    /// Every denom's supply is the sum of all balances, module accounts (the staking pools, the
    /// fee collector, …) included: every mint and burn went through the bank.
    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        for coin in genesis::total_supply(state)? {
            let held = genesis::sum_balances(state, &coin.denom)?;
            if held != coin.amount {
                return Ok(Some(format!(
                    "supply of {} is {} but balances sum to {held}",
                    coin.denom, coin.amount
                )));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::BankRead;
    use rampart_auth::{AuthModule, AuthRead};
    use rampart_core::state::{EmptyState, Overlay};
    use rampart_core::Address;
    use rampart_core::Module;
    use rampart_core::{Amount, BlockTime};

    #[test]
    fn genesis_funds_accounts_and_round_trips() {
        let ctx = GenesisContext {
            chain_id: "t".into(),
            profile: ChainProfile::rampart(),
            initial_height: 1,
            genesis_time: BlockTime::default(),
            validators: vec![],
        };
        let mut state = Overlay::new(EmptyState);
        AuthModule
            .init_genesis(&mut state, &ctx, None)
            .expect("auth genesis");
        let (a, b) = (Address([1; 20]), Address([2; 20]));
        let section = serde_json::json!({
            "balances": [
                {"address": a.to_string(), "coins": [{"denom": "stake", "amount": "5"}, {"denom": "uramp", "amount": "100"}]},
                {"address": b.to_string(), "coins": [{"denom": "uramp", "amount": "1"}]}
            ]
        });
        BankModule
            .init_genesis(&mut state, &ctx, Some(&section))
            .expect("bank genesis");
        assert_eq!(state.supply_of("uramp").expect("reads"), Amount(101));
        assert!(
            state.account(&b).expect("reads").is_some(),
            "account created"
        );
        let exported = BankModule
            .export_genesis(&state, &ChainProfile::rampart())
            .expect("exports");
        assert_eq!(exported["supply"][1]["amount"], "101");
        let mut again = Overlay::new(EmptyState);
        BankModule
            .init_genesis(&mut again, &ctx, Some(&exported))
            .expect("export re-imports");
        let wrong = serde_json::json!({
            "balances": section["balances"],
            "supply": [{"denom": "uramp", "amount": "7"}]
        });
        let mut bad = Overlay::new(EmptyState);
        assert!(BankModule
            .init_genesis(&mut bad, &ctx, Some(&wrong))
            .is_err());
    }
}
