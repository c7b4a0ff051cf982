//! Stable error codes of the `restaking` codespace. Codes are never renumbered; new ones are
//! appended. Unknown consumers are `consumer/5`.

rampart_core::codespace! {
    /// The restaking codespace.
    codespace "restaking";
    /// Error codes of the `restaking` codespace.
    pub enum RestakingCode {
        /// A pledge of 0 or above 10,000 basis points.
        InvalidPledge = 2,
        /// No provider validator has this operator address.
        UnknownValidator = 3,
        /// The consumer is stopped or deleted (or not launched, for evidence).
        ConsumerNotActive = 4,
        /// The validator already has an active pledge to this consumer.
        AlreadyOptedIn = 5,
        /// The validator has no active pledge to this consumer.
        NotOptedIn = 6,
        /// The pledge would push the validator's worst-case slash above `max_slash_exposure`.
        ExposureExceeded = 7,
        /// The validator already pledges to `max_consumers_per_validator` consumers.
        TooManyConsumers = 8,
        /// The consumer key is used by another validator on this consumer, or is a provider key.
        KeyInUse = 9,
        /// Malformed evidence: votes at different heights, rounds or types, equal block ids,
        /// different signers, missing signatures or timestamps.
        InvalidEvidence = 10,
        /// A vote's signature does not verify for the consumer's chain id and the signer's key.
        InvalidSignature = 11,
        /// The votes' signer is no member of the consumer set that signed the infraction height
        /// (or, for keys, no validator's consumer key on this consumer).
        UnknownConsumerKey = 12,
        /// The infraction's verified time is older than the consumer's unbonding period.
        EvidenceExpired = 13,
        /// This infraction, or another in the same consumer set, was already punished.
        DuplicateEvidence = 14,
        /// The validator has no stake counted for this consumer within the window.
        NotSlashable = 15,
        /// The validator is tombstoned on this consumer.
        ValidatorTombstoned = 16,
        /// Invalid restaking parameters (genesis).
        InvalidParams = 17,
        /// A queried key, pledge or record does not exist.
        NotFound = 18,
        /// The infraction's verified time is before the consumer launched or after it stopped.
        OutsideConsumerLifetime = 19,
        /// The validator is not bonded on the provider: it may not opt in or assign keys.
        ValidatorNotBonded = 20,
        /// The consumer already holds `max_validators × max_pledges_per_consumer_factor`
        /// pledges (of any status).
        ConsumerFull = 21,
        /// A delegation choice with no mode, consumers for ALL, or a consumer named twice.
        InvalidChoice = 22,
        /// A delegation choice names a consumer the validator never pledged to.
        NotValidatorsConsumer = 23,
    }
}
