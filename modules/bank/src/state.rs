//! Bank state and the extension traits other modules use.
//!
//! Keys: `bank/bal/<20-byte address><denom>` → amount (16 bytes, big endian), so one address's
//! balances iterate in denom order; `bank/supply/<denom>` → amount; `bank/params` →
//! `cosmos.bank.v1beta1.Params`. Zero balances and supplies are deleted, never stored.

use cosmos_sdk_proto::cosmos::bank::v1beta1::Params;
use rampart_auth::AuthWrite;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{StateRead, StateReadExt, StateWrite, StateWriteExt};
use rampart_core::Address;
use rampart_core::{Amount, Event, Events};

use rampart_core::coins::{format_coins, Coin};

/// Prefix of every balance key.
pub const BALANCES_PREFIX: &[u8] = b"bank/bal/";
/// Prefix of every supply key.
pub const SUPPLY_PREFIX: &[u8] = b"bank/supply/";
const PARAMS_KEY: &[u8] = b"bank/params";

/// Prefix of `address`'s balance keys.
pub fn balances_prefix(address: &Address) -> Vec<u8> {
    [BALANCES_PREFIX, &address.0].concat()
}

fn balance_key(address: &Address, denom: &str) -> Vec<u8> {
    [BALANCES_PREFIX, &address.0, denom.as_bytes()].concat()
}

fn supply_key(denom: &str) -> Vec<u8> {
    [SUPPLY_PREFIX, denom.as_bytes()].concat()
}

/// Decodes a stored amount; anything but 16 bytes is corrupt state.
pub fn decode_amount(bytes: &[u8]) -> AppResult<Amount> {
    <[u8; 16]>::try_from(bytes)
        .map(|b| Amount(u128::from_be_bytes(b)))
        .map_err(|_| AppError::sdk(SdkCode::Logic, "corrupt amount in bank state"))
}

fn put_amount(state: &mut (impl StateWrite + ?Sized), key: Vec<u8>, amount: Amount) {
    if amount.is_zero() {
        state.delete(key);
    } else {
        state.put(key, amount.0.to_be_bytes().to_vec());
    }
}

/// Reading balances, supply and parameters; implemented for every [`StateRead`].
pub trait BankRead: StateRead {
    /// `address`'s balance of `denom` (zero when absent).
    fn balance(&self, address: &Address, denom: &str) -> AppResult<Amount> {
        self.get(&balance_key(address, denom))
            .map_or(Ok(Amount::ZERO), |b| decode_amount(&b))
    }

    /// Every non-zero balance of `address`, in denom order.
    fn balances(&self, address: &Address) -> AppResult<Vec<Coin>> {
        let prefix = balances_prefix(address);
        self.scan_prefix(&prefix)
            .map(|(key, value)| {
                Ok(Coin {
                    denom: String::from_utf8_lossy(&key[prefix.len()..]).into_owned(),
                    amount: decode_amount(&value)?,
                })
            })
            .collect()
    }

    /// Total supply of `denom`.
    fn supply_of(&self, denom: &str) -> AppResult<Amount> {
        self.get(&supply_key(denom))
            .map_or(Ok(Amount::ZERO), |b| decode_amount(&b))
    }

    /// The bank parameters (sends enabled by default).
    fn bank_params(&self) -> AppResult<Params> {
        Ok(self
            .get_proto::<Params>(PARAMS_KEY)
            .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt bank params: {e}")))?
            .unwrap_or(Params {
                default_send_enabled: true,
                ..Params::default()
            }))
    }
}

impl<T: StateRead + ?Sized> BankRead for T {}

/// `spendable balance 10uramp is smaller than 11uramp: insufficient funds` (`sdk/5`).
fn insufficient(balance: Amount, wanted: &Coin) -> AppError {
    AppError::sdk(
        SdkCode::InsufficientFunds,
        format!(
            "spendable balance {balance}{denom} is smaller than {wanted}: insufficient funds",
            denom = wanted.denom
        ),
    )
}

/// Moving, minting and burning tokens; implemented for every [`StateWrite`]. Supply changes only
/// in [`BankWrite::mint`] and [`BankWrite::burn`].
pub trait BankWrite: StateWrite + BankRead + AuthWrite {
    /// Takes `coins` from `from` (`sdk/5` when short), emitting `coin_spent`.
    fn debit(&mut self, from: &Address, coins: &[Coin], events: &mut Events) -> AppResult<()> {
        for coin in coins {
            let balance = self.balance(from, &coin.denom)?;
            let left = balance
                .checked_sub(coin.amount)
                .map_err(|_| insufficient(balance, coin))?;
            put_amount(self, balance_key(from, &coin.denom), left);
        }
        events.push(
            Event::new("coin_spent")
                .attr("spender", from.to_string())
                .attr("amount", format_coins(coins)),
        );
        Ok(())
    }

    /// Gives `coins` to `to`, creating its account on first receipt, emitting `coin_received`.
    fn credit(&mut self, to: &Address, coins: &[Coin], events: &mut Events) -> AppResult<()> {
        self.ensure_account(to)?;
        for coin in coins {
            let balance = self.balance(to, &coin.denom)?;
            put_amount(
                self,
                balance_key(to, &coin.denom),
                balance.checked_add(coin.amount)?,
            );
        }
        events.push(
            Event::new("coin_received")
                .attr("receiver", to.to_string())
                .attr("amount", format_coins(coins)),
        );
        Ok(())
    }

    /// Moves `coins` from `from` to `to`, with the SDK's `coin_spent`, `coin_received`,
    /// `transfer{recipient, sender, amount}` and `message{sender}` events.
    fn send(
        &mut self,
        from: &Address,
        to: &Address,
        coins: &[Coin],
        events: &mut Events,
    ) -> AppResult<()> {
        self.debit(from, coins, events)?;
        self.credit(to, coins, events)?;
        events.push(
            Event::new("transfer")
                .attr("recipient", to.to_string())
                .attr("sender", from.to_string())
                .attr("amount", format_coins(coins)),
        );
        events.push(Event::new("message").attr("sender", from.to_string()));
        Ok(())
    }

    /// Refuses a recipient that may not receive funds from a transfer: a module account receives
    /// only through its module (the SDK's blocked addresses), `sdk/4` otherwise.
    fn check_receiver(&self, to: &Address) -> AppResult<()> {
        if self.account(to)?.is_some_and(|a| a.module.is_some()) {
            return Err(AppError::sdk(
                SdkCode::Unauthorized,
                format!("{to} is not allowed to receive funds: unauthorized"),
            ));
        }
        Ok(())
    }

    /// [`BankWrite::send`] to a recipient [`BankWrite::check_receiver`] accepts (nothing moves
    /// otherwise): what a module pays out to user accounts goes through it.
    fn send_checked(
        &mut self,
        from: &Address,
        to: &Address,
        coins: &[Coin],
        events: &mut Events,
    ) -> AppResult<()> {
        self.check_receiver(to)?;
        self.send(from, to, coins, events)
    }

    /// Creates `coins` in `to`'s account, raising the supply (`coinbase` event).
    fn mint(&mut self, to: &Address, coins: &[Coin], events: &mut Events) -> AppResult<()> {
        for coin in coins {
            let supply = self.supply_of(&coin.denom)?.checked_add(coin.amount)?;
            put_amount(self, supply_key(&coin.denom), supply);
        }
        self.credit(to, coins, events)?;
        events.push(
            Event::new("coinbase")
                .attr("minter", to.to_string())
                .attr("amount", format_coins(coins)),
        );
        Ok(())
    }

    /// Destroys `coins` from `from`'s account, lowering the supply (`burn` event).
    fn burn(&mut self, from: &Address, coins: &[Coin], events: &mut Events) -> AppResult<()> {
        self.debit(from, coins, events)?;
        for coin in coins {
            let supply = self.supply_of(&coin.denom)?.checked_sub(coin.amount)?;
            put_amount(self, supply_key(&coin.denom), supply);
        }
        events.push(
            Event::new("burn")
                .attr("burner", from.to_string())
                .attr("amount", format_coins(coins)),
        );
        Ok(())
    }

    /// Stores the bank parameters.
    fn set_bank_params(&mut self, params: &Params) {
        self.put_proto(PARAMS_KEY.to_vec(), params);
    }
}

impl<T: StateWrite + ?Sized> BankWrite for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::state::{EmptyState, Overlay};

    #[test]
    fn send_moves_funds_and_keeps_supply() {
        let mut state = Overlay::new(EmptyState);
        let (a, b) = (Address([1; 20]), Address([2; 20]));
        let mut events = Events::new();
        state
            .mint(&a, &[Coin::new("uramp", 10)], &mut events)
            .expect("mint");
        state
            .send(&a, &b, &[Coin::new("uramp", 4)], &mut events)
            .expect("send");
        assert_eq!(state.balance(&a, "uramp").expect("reads"), Amount(6));
        assert_eq!(state.balance(&b, "uramp").expect("reads"), Amount(4));
        assert_eq!(state.supply_of("uramp").expect("reads"), Amount(10));
        let err = state
            .send(&a, &b, &[Coin::new("uramp", 7)], &mut events)
            .expect_err("short");
        assert_eq!(
            err.log,
            "spendable balance 6uramp is smaller than 7uramp: insufficient funds"
        );
        state
            .burn(&b, &[Coin::new("uramp", 4)], &mut events)
            .expect("burn");
        assert_eq!(state.supply_of("uramp").expect("reads"), Amount(6));
        assert!(
            state.balances(&b).expect("reads").is_empty(),
            "zero deleted"
        );
    }
}
