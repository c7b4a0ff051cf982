//! Stable error codes of the `liquid` codespace. Codes are never renumbered; new ones are
//! appended. A short balance is the bank's `sdk/5`.

rampart_core::codespace! {
    /// The liquid codespace.
    codespace "liquid";
    /// Error codes of the `liquid` codespace.
    pub enum LiquidCode {
        /// A zero amount.
        ZeroAmount = 2,
        /// The amount is not in the expected denom (uramp to stake, lsuramp to unstake).
        WrongDenom = 3,
        /// A named validator does not exist.
        UnknownValidator = 4,
        /// A named validator is not bonded (or is jailed).
        ValidatorNotBonded = 5,
        /// More validators than `max_validators` (named, or the module would delegate to).
        TooManyValidators = 6,
        /// A validator is named twice.
        DuplicateValidator = 7,
        /// At the current rate the amount mints (or redeems) nothing.
        RoundsToZero = 8,
        /// The holder has fewer liquid tokens than it unstakes.
        InsufficientTokens = 9,
        /// Tokens exist but the stake behind them is zero: no rate to mint at.
        NoRate = 10,
        /// No bonded validator to delegate to.
        NoValidators = 11,
        /// Invalid parameters (genesis).
        InvalidParams = 12,
        /// Invalid or inconsistent genesis records.
        InvalidGenesis = 13,
    }
}
