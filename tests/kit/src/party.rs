//! Who takes part in a test: [`Party`] turns a test address byte, raw address bytes, an
//! [`Address`], a [`Key`] or a [`TestValidator`] (its operator) into the account address, so
//! that one message builder serves the module harnesses (which name accounts by a byte) and the
//! app harnesses (which hold keys).

use rampart_app::testing::TestValidator;
use rampart_core::{Address, ChainProfile};

use crate::tx::Key;

/// Anything that names an account.
pub trait Party {
    /// The account address.
    fn address(&self) -> Address;
}

/// `n` is the test address `[n; 20]` (operators and delegators alike).
impl Party for u8 {
    fn address(&self) -> Address {
        Address([*self; 20])
    }
}

impl Party for [u8; 20] {
    fn address(&self) -> Address {
        Address(*self)
    }
}

impl Party for Address {
    fn address(&self) -> Address {
        *self
    }
}

impl Party for Key {
    fn address(&self) -> Address {
        self.pub_key().address()
    }
}

/// A validator takes part through its operator account.
impl Party for TestValidator {
    fn address(&self) -> Address {
        self.operator()
    }
}

impl<T: Party + ?Sized> Party for &T {
    fn address(&self) -> Address {
        (**self).address()
    }
}

/// The test address `[n; 20]`.
pub fn addr(n: u8) -> Address {
    Address([n; 20])
}

/// The account address (`rampart1…`) of `party`.
pub fn acc(party: impl Party) -> String {
    party.address().to_string()
}

/// The validator operator address (`rampartvaloper1…`) of `party`.
pub fn valoper(party: impl Party) -> String {
    party
        .address()
        .to_bech32(ChainProfile::rampart().validator_prefix)
}
