//! Which modules make up Rampart, in which order, and how messages and queries reach them.
//!
//! The order is the order of every hook: genesis, begin block, end block and export. It is part
//! of consensus: changing it changes app hashes.

use std::collections::BTreeMap;
use std::sync::Arc;

use rampart_core::Module;

use crate::staking_bank::BankSeam;

/// The composed modules with their routing tables.
pub struct Modules {
    list: Vec<Box<dyn Module>>,
    msg_routes: BTreeMap<&'static str, usize>,
    query_routes: BTreeMap<&'static str, usize>,
}

impl Modules {
    /// Rampart's module set, in hook order:
    ///
    /// 1. `chain` — chain identity, fixed at genesis;
    /// 2. `auth` — accounts, public keys, sequences, the fee collector;
    /// 3. `bank` — balances, supply, transfers (genesis balances create auth accounts);
    /// 4. `staking` — validators, delegations, the CometBFT validator set (tokens held by the
    ///    bank's pool module accounts through [`BankSeam`]; delegation changes notify
    ///    distribution through [`rampart_distribution::DistributionHooks`]);
    /// 5. `mint` — each block's provisions into the fee collector (before distribution reads it);
    /// 6. `distribution` — the fee collector's balance to the previous block's signers, commission
    ///    and the per-share reward index, withdrawals;
    /// 7. `slashing` — downtime from the previous block's commit and double signing from
    ///    CometBFT's evidence, slashed and jailed through staking (so before staking's end block
    ///    computes the next validator set);
    /// 8. `consumer` — the consumer-chain registry: in begin block, deletes stopped consumers
    ///    whose window has passed, applies pending infraction parameters, then pays each launched
    ///    consumer's per-block rewards through distribution's per-share index (after
    ///    distribution's own allocation); it asks restaking about pledges only through
    ///    [`rampart_restaking::RestakingHooks`];
    /// 9. `restaking` — pledges, consumer keys and consumer evidence (slashing through staking);
    ///    in end block, after staking's, so launches and epoch validator sets see the bonded set
    ///    and tokens as this block left them. It returns no provider validator updates.
    pub fn standard() -> Self {
        let staking = rampart_staking::StakingModule::with_hooks(
            Arc::new(BankSeam),
            Arc::new(rampart_distribution::DistributionHooks),
        );
        let slashing = rampart_slashing::SlashingModule::new(staking.clone());
        let consumer = rampart_consumer::ConsumerModule::with_hooks(Arc::new(
            rampart_restaking::RestakingHooks,
        ));
        let restaking = rampart_restaking::RestakingModule::new(staking.clone());
        // The standard set has unique names and routes by construction (checked by a test).
        Self::new(vec![
            Box::new(rampart_chain::ChainModule),
            Box::new(rampart_auth::AuthModule),
            Box::new(rampart_bank::BankModule),
            Box::new(staking),
            Box::new(rampart_mint::MintModule),
            Box::new(rampart_distribution::DistributionModule),
            Box::new(slashing),
            Box::new(consumer),
            Box::new(restaking),
        ])
        .expect("the standard module set has unique names and routes")
    }

    /// Composes `list` in the given order; `Err` names a duplicate module name, message type
    /// URL or query path.
    pub fn new(list: Vec<Box<dyn Module>>) -> Result<Self, String> {
        let mut names = BTreeMap::new();
        let mut msg_routes = BTreeMap::new();
        let mut query_routes = BTreeMap::new();
        for (index, module) in list.iter().enumerate() {
            if names.insert(module.name(), index).is_some() {
                return Err(format!("duplicate module name {}", module.name()));
            }
            for url in module.msg_type_urls() {
                if msg_routes.insert(*url, index).is_some() {
                    return Err(format!("message {url} is handled by two modules"));
                }
            }
            for path in module.query_paths() {
                if query_routes.insert(*path, index).is_some() {
                    return Err(format!("query {path} is answered by two modules"));
                }
            }
        }
        Ok(Self {
            list,
            msg_routes,
            query_routes,
        })
    }

    /// The modules in hook order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Module> {
        self.list.iter().map(|m| m.as_ref())
    }

    /// The module handling messages of `type_url`.
    pub fn for_msg(&self, type_url: &str) -> Option<&dyn Module> {
        self.msg_routes
            .get(type_url)
            .map(|&i| self.list[i].as_ref())
    }

    /// The module answering the gRPC method `path`.
    pub fn for_query(&self, path: &str) -> Option<&dyn Module> {
        self.query_routes.get(path).map(|&i| self.list[i].as_ref())
    }

    /// Every gRPC method path answered by some module, sorted.
    pub fn query_paths(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.query_routes.keys().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_set_composes() {
        let modules = Modules::standard();
        assert!(modules.for_query(rampart_chain::QUERY_CHAIN_INFO).is_some());
        assert!(modules.for_msg("/unknown.Msg").is_none());
        assert!(modules
            .for_msg(rampart_bank::msgs::MSG_SEND)
            .is_some_and(|m| m.name() == "bank"));
        assert!(modules
            .for_query(rampart_auth::query::QUERY_ACCOUNT)
            .is_some());
        let names: Vec<_> = modules.iter().map(|m| m.name()).collect();
        assert_eq!(
            names,
            [
                "chain",
                "auth",
                "bank",
                "staking",
                "mint",
                "distribution",
                "slashing",
                "consumer",
                "restaking"
            ]
        );
    }

    #[test]
    fn duplicate_names_are_refused() {
        let err = Modules::new(vec![
            Box::new(rampart_chain::ChainModule),
            Box::new(rampart_chain::ChainModule),
        ])
        .err()
        .expect("duplicate");
        assert!(err.contains("duplicate module name chain"));
    }
}
