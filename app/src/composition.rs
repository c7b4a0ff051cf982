//! Which modules make up Rampart, in which order, and how messages and queries reach them.
//!
//! The order is the order of every hook: genesis, begin block, end block and export. It is part
//! of consensus: changing it changes app hashes.

use std::collections::BTreeMap;
use std::sync::Arc;

use rampart_core::{ChainProfile, Module};

use crate::staking_bank::BankPools;

/// A composition profile: the composed modules in hook order, the one that owns the validator
/// set, and the routing tables.
pub struct Modules {
    list: Vec<Box<dyn Module>>,
    chain: ChainProfile,
    validator_set_owner: Option<usize>,
    msg_routes: BTreeMap<&'static str, usize>,
    query_routes: BTreeMap<&'static str, usize>,
}

/// Builds a [`Modules`] profile: modules appended in hook order, at most one of them marked as
/// the owner of the validator set (its genesis set and end-block updates go to CometBFT).
#[derive(Default)]
pub struct ModulesBuilder {
    list: Vec<Box<dyn Module>>,
    chain: Option<ChainProfile>,
    validator_set_owners: Vec<usize>,
}

impl ModulesBuilder {
    /// Appends `module` to the hook order.
    pub fn module(mut self, module: impl Module + 'static) -> Self {
        self.list.push(Box::new(module));
        self
    }

    /// Appends `module` to the hook order as the owner of the validator set (the provider's
    /// staking; a consumer chain's consumer-side module).
    pub fn validator_set_owner(mut self, module: impl Module + 'static) -> Self {
        self.validator_set_owners.push(self.list.len());
        self.module(module)
    }

    /// The chain's vocabulary (prefixes, bond denom, power reduction) the app puts in every
    /// genesis and block context; [`ChainProfile::rampart`] unless set.
    pub fn chain_profile(mut self, chain: ChainProfile) -> Self {
        self.chain = Some(chain);
        self
    }

    /// The composition; `Err` names a duplicate module name, message type URL or query path,
    /// or a second owner of the validator set.
    pub fn build(self) -> Result<Modules, String> {
        let mut modules = Modules::new(self.list)?;
        modules.chain = self.chain.unwrap_or_else(ChainProfile::rampart);
        modules.validator_set_owner = match self.validator_set_owners.as_slice() {
            [] => None,
            [owner] => Some(*owner),
            [first, second, ..] => {
                return Err(format!(
                    "{} and {} both own the validator set",
                    modules.list[*first].name(),
                    modules.list[*second].name()
                ))
            }
        };
        Ok(modules)
    }
}

impl Modules {
    /// The provider chain (Rampart itself), in hook order:
    ///
    /// 1. `chain` — chain identity, fixed at genesis;
    /// 2. `auth` — accounts, public keys, sequences, the fee collector;
    /// 3. `bank` — balances, supply, transfers (genesis balances create auth accounts);
    /// 4. `staking` — validators, delegations, the CometBFT validator set, whose owner it is
    ///    (tokens held by the bank's pool module accounts through [`BankPools`]; delegation
    ///    changes notify distribution through [`rampart_distribution::DistributionHooks`]);
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
    ///    and tokens as this block left them. It returns no provider validator updates. Its
    ///    security report shows the liquid module's part of each consumer's stake through the
    ///    [`rampart_restaking::StakeHolder`] seam the app passes in;
    /// 10. `liquid` — the liquid restaking token: it delegates and undelegates the module
    ///     account's stake through staking and withdraws its rewards through distribution, so it
    ///     comes after both; in begin block, after slashing's slashes and consumer's reward
    ///     payments, it settles the unbonding batches due at this block's time (mature entries
    ///     can no longer be slashed), then at an epoch compounds (withdrawing every reward the
    ///     block's begin blocks allocated) and sends out the open batch — before staking's end
    ///     block, which puts the stake it moved into the same block's validator set; in end
    ///     block, after staking's (which pays the settled entries to the module account), it
    ///     pays the batches' records, a transfer that moves no stake. Last, so nothing after it
    ///     in the block moves its stake; its queries read restaking's pledges.
    ///
    /// A consumer chain's profile ([`Modules::consumer`]) is `chain`, `auth`, `bank` and the
    /// consumer-side module owning the validator set, with no staking.
    pub fn provider() -> Self {
        let staking = rampart_staking::StakingModule::with_hooks(
            Arc::new(BankPools),
            Arc::new(rampart_staking::HookList(vec![
                Arc::new(rampart_distribution::DistributionHooks),
                Arc::new(rampart_restaking::RemovalHooks),
            ])),
        );
        let slashing = rampart_slashing::SlashingModule::new(staking.clone());
        let consumer = rampart_consumer::ConsumerModule::with_hooks(Arc::new(
            rampart_restaking::RestakingHooks::new(staking.clone()),
        ));
        // The security report shows the liquid module's part of each consumer's stake through
        // restaking's `StakeHolder` seam (restaking cannot depend on liquid).
        let restaking = rampart_restaking::RestakingModule::new(staking.clone())
            .with_holder(Arc::new(rampart_liquid::backing::LiquidHolder));
        let liquid = rampart_liquid::LiquidModule::new(staking.clone());
        Self::builder()
            .chain_profile(ChainProfile::rampart())
            .module(rampart_chain::ChainModule)
            .module(rampart_auth::AuthModule)
            .module(rampart_bank::BankModule)
            .validator_set_owner(staking)
            .module(rampart_mint::MintModule)
            .module(rampart_distribution::DistributionModule)
            .module(slashing)
            .module(consumer)
            .module(restaking)
            .module(liquid)
            .build()
            // The provider set has unique names and routes by construction (checked by a test).
            .expect("the provider module set has unique names and routes")
    }

    /// A consumer chain: chain, auth, bank and the consumer side of cross-chain validation,
    /// which owns the validator set (the provider dictates it through verified packets). No
    /// staking, no distribution, no mint: the consumer's validators are the provider's pledged
    /// ones and their rewards are paid on the provider.
    pub fn consumer() -> Self {
        Self::builder()
            .chain_profile(ChainProfile::rampart())
            .module(rampart_chain::ChainModule)
            .module(rampart_auth::AuthModule)
            .module(rampart_bank::BankModule)
            .validator_set_owner(rampart_ccv::CcvModule)
            .build()
            .expect("the consumer module set has unique names and routes")
    }

    /// The composition a genesis `app_state` asks for: [`Modules::consumer`] when it carries a
    /// `ccv` section (a consumer genesis), else [`Modules::provider`]. Every node of a network
    /// reads the same genesis, so all pick the same composition.
    pub fn for_app_state(app_state: &serde_json::Value) -> Self {
        if app_state.get(rampart_ccv::NAME).is_some() {
            Self::consumer()
        } else {
            Self::provider()
        }
    }

    /// An empty [`ModulesBuilder`].
    pub fn builder() -> ModulesBuilder {
        ModulesBuilder::default()
    }

    /// Composes `list` in the given order with no validator-set owner (CometBFT's genesis
    /// validators stand; tests of the ABCI mechanics); `Err` names a duplicate module name,
    /// message type URL or query path.
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
            chain: ChainProfile::rampart(),
            validator_set_owner: None,
            msg_routes,
            query_routes,
        })
    }

    /// The chain profile the app carries in every genesis and block context.
    pub fn chain_profile(&self) -> ChainProfile {
        self.chain
    }

    /// The module owning the validator set, if any.
    pub fn validator_set_owner(&self) -> Option<&dyn Module> {
        self.validator_set_owner.map(|i| self.list[i].as_ref())
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
    fn provider_set_composes_in_consensus_order() {
        let modules = Modules::provider();
        assert_eq!(
            modules.validator_set_owner().map(|m| m.name()),
            Some("staking")
        );
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
                "restaking",
                "liquid"
            ]
        );
    }

    #[test]
    fn consumer_set_owns_its_validators_through_ccv() {
        let modules = Modules::consumer();
        assert_eq!(modules.validator_set_owner().map(|m| m.name()), Some("ccv"));
        let names: Vec<_> = modules.iter().map(|m| m.name()).collect();
        assert_eq!(names, ["chain", "auth", "bank", "ccv"]);
        assert!(modules.for_msg(rampart_ccv::MSG_RECV_VSC_PACKET).is_some());
        assert!(modules.for_msg(rampart_bank::msgs::MSG_SEND).is_some());
        assert!(modules
            .for_query(rampart_ccv::urls::QUERY_VALIDATORS)
            .is_some());
        let provider_state = serde_json::json!({"staking": {}});
        let consumer_state = serde_json::json!({"ccv": {}});
        assert_eq!(
            Modules::for_app_state(&consumer_state)
                .validator_set_owner()
                .map(|m| m.name()),
            Some("ccv")
        );
        assert_eq!(
            Modules::for_app_state(&provider_state)
                .validator_set_owner()
                .map(|m| m.name()),
            Some("staking")
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
        let err = Modules::builder()
            .validator_set_owner(rampart_chain::ChainModule)
            .validator_set_owner(rampart_auth::AuthModule)
            .build()
            .err()
            .expect("two owners");
        assert_eq!(err, "chain and auth both own the validator set");
        let consumer_like = Modules::builder()
            .module(rampart_chain::ChainModule)
            .module(rampart_auth::AuthModule)
            .validator_set_owner(rampart_bank::BankModule)
            .build()
            .expect("composes");
        assert_eq!(
            consumer_like.validator_set_owner().map(|m| m.name()),
            Some("bank")
        );
    }
}
