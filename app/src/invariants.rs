//! The chain-wide invariants that test harnesses and simulations check after every block: every
//! composed module's [`Module::check_invariants`], in hook order. For the provider: the bank's
//! supply of every denom is the sum of all balances (module accounts included), so every mint and
//! burn went through the bank; staking's pools hold exactly what staking accounts for and shares
//! add up ([`rampart_staking::invariants`]); distribution's module account covers every reward
//! owed, so rewards paid out never exceed rewards distributed
//! ([`rampart_distribution::invariants`]); the consumer module account holds every registration
//! deposit and reward pool ([`rampart_consumer::invariants`]); the liquid module's index covers
//! its delegations, its tokens × rate equal the stake behind them within rounding and its
//! escrow and unbonding batches are covered ([`rampart_liquid::invariants`]). Amounts are unsigned throughout,
//! so "no negative amount" holds by construction; a corrupt stored amount fails to decode and is
//! reported.

use rampart_core::{AppResult, Module, StateRead};

/// Checks the invariants of every module of `modules` over `state`; `Ok(Err(..))` describes the
/// first violation as `<module>: <why>`, `Err` a state that cannot be read.
pub fn check<'m>(
    modules: impl IntoIterator<Item = &'m dyn Module>,
    state: &dyn StateRead,
) -> AppResult<Result<(), String>> {
    for module in modules {
        if let Some(violation) = module.check_invariants(state)? {
            return Ok(Err(format!("{}: {violation}", module.name())));
        }
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use rampart_bank::{BankWrite, Coin};
    use rampart_core::state::{EmptyState, Overlay};
    use rampart_core::{Address, Events};

    use crate::composition::Modules;

    #[test]
    fn every_composed_module_is_checked() {
        let modules = Modules::provider();
        let mut state = Overlay::new(EmptyState);
        let holder = Address([7; 20]);
        let coins = [Coin::new("uramp".to_owned(), 5)];
        state
            .mint(&holder, &coins, &mut Events::new())
            .expect("mints");
        assert_eq!(super::check(modules.iter(), &state).expect("reads"), Ok(()));
        state
            .credit(&holder, &coins, &mut Events::new())
            .expect("credits");
        assert_eq!(
            super::check(modules.iter(), &state).expect("reads"),
            Err("bank: supply of uramp is 5 but balances sum to 10".to_owned())
        );
    }
}
