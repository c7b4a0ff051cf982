//! Stable error codes of the `slashing` codespace, numbered as the Cosmos SDK's `x/slashing`
//! `types/errors.go`.

use rampart_core::AppError;

/// The slashing codespace.
pub const CODESPACE: &str = "slashing";

/// Error codes of the `slashing` codespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum SlashingCode {
    /// No validator operates this address.
    NoValidatorForAddress = 2,
    /// Still jailed (jail period not over, or tombstoned).
    ValidatorJailed = 4,
    /// Not jailed, nothing to unjail.
    ValidatorNotJailed = 5,
    /// The operator has no self-delegation.
    MissingSelfDelegation = 6,
    /// The self-delegation is below the validator's minimum.
    SelfDelegationTooLowToUnjail = 7,
    /// No signing info for this consensus address.
    NoSigningInfoFound = 8,
}

/// An error in the slashing codespace.
pub fn err(code: SlashingCode, log: impl Into<String>) -> AppError {
    AppError::new(CODESPACE, code as u32, log)
}
