//! Stable error codes of the `staking` codespace, numbered as the Cosmos SDK's `x/staking`
//! `types/errors.go` so that clients that know the SDK codes read them the same way.

rampart_core::codespace! {
    /// The staking codespace.
    codespace "staking";
    /// Error codes of the `staking` codespace.
    pub enum StakingCode {
        /// The validator does not exist.
        NoValidatorFound = 3,
        /// A validator already exists for this operator.
        ValidatorOwnerExists = 4,
        /// A validator already uses this consensus key.
        ValidatorPubKeyExists = 5,
        /// The consensus key type is not ed25519.
        ValidatorPubKeyTypeNotSupported = 6,
        /// The validator is jailed.
        ValidatorJailed = 7,
        /// Commission above 100 %.
        CommissionHuge = 10,
        /// Commission above the max rate.
        CommissionGtMaxRate = 11,
        /// Commission changed twice within 24 h.
        CommissionUpdateTime = 12,
        /// Max change rate above the max rate.
        CommissionChangeRateGtMaxRate = 14,
        /// Commission change above the max change rate.
        CommissionGtMaxChangeRate = 15,
        /// Self-delegation below the minimum.
        SelfDelegationBelowMinimum = 16,
        /// The minimum self-delegation may only increase.
        MinSelfDelegationDecreased = 17,
        /// No delegation for (delegator, validator).
        NoDelegation = 19,
        /// Not enough delegation shares.
        InsufficientShares = 22,
        /// No unbonding delegation for (delegator, validator).
        NoUnbondingDelegation = 26,
        /// Too many unbonding entries.
        MaxUnbondingDelegationEntries = 27,
        /// Redelegation to the same validator.
        SelfRedelegation = 29,
        /// The redelegated amount truncates to zero tokens.
        TinyRedelegationAmount = 30,
        /// The redelegation destination does not exist.
        BadRedelegationDst = 31,
        /// The source is the destination of a maturing redelegation.
        TransitiveRedelegation = 32,
        /// Too many redelegation entries.
        MaxRedelegationEntries = 33,
        /// The validator has shares but no tokens.
        DelegatorShareExRateInvalid = 34,
        /// No consensus key given.
        EmptyValidatorPubKey = 39,
        /// Commission below the chain's minimum.
        CommissionLtMinRate = 40,
        /// No unbonding entry at that creation height.
        UnbondingNotFound = 41,
        /// The redelegation source does not exist.
        BadRedelegationSrc = 44,
        /// Rampart: the validator has the most distinct consumer choices it can hold
        /// ([`crate::backing::MAX_CLASSES_PER_VALIDATOR`]).
        TooManyBackingClasses = 101,
    }
}
