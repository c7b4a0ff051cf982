//! Stable error codes of the `distribution` codespace, numbered as the Cosmos SDK's
//! `x/distribution/types/errors.go` so that clients that know the SDK codes read them the same way.

rampart_core::codespace! {
    /// The distribution codespace.
    codespace "distribution";
    /// Error codes of the `distribution` codespace.
    pub enum DistributionCode {
        /// The delegator address is empty.
        EmptyDelegatorAddr = 2,
        /// The withdraw address is empty.
        EmptyWithdrawAddr = 3,
        /// The validator address is empty.
        EmptyValidatorAddr = 4,
        /// No distribution record for the delegation.
        EmptyDelegationDistInfo = 5,
        /// No distribution record for the validator.
        NoValidatorDistInfo = 6,
        /// The validator has no commission to withdraw.
        NoValidatorCommission = 7,
        /// Setting a withdraw address is disabled by the parameters.
        SetWithdrawAddrDisabled = 8,
        /// The community pool cannot cover a distribution.
        BadDistribution = 9,
        /// A community pool spend amount is invalid.
        InvalidProposalAmount = 10,
        /// A community pool spend has no recipient.
        EmptyProposalRecipient = 11,
        /// The validator does not exist.
        NoValidatorExists = 12,
        /// The delegation does not exist.
        NoDelegationExists = 13,
    }
}
