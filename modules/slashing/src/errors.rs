//! Stable error codes of the `slashing` codespace, numbered as the Cosmos SDK's `x/slashing`
//! `types/errors.go`.

rampart_core::codespace! {
    /// The slashing codespace.
    codespace "slashing";
    /// Error codes of the `slashing` codespace.
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
}
