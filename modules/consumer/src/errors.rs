//! Stable error codes of the `consumer` codespace. Codes are never renumbered; new ones are
//! appended.

rampart_core::codespace! {
    /// The consumer codespace.
    codespace "consumer";
    /// Error codes of the `consumer` codespace.
    pub enum ConsumerCode {
        /// Consumer parameters are missing or out of range.
        InvalidParams = 2,
        /// A consumer with this chain id is live (registered, launched or stopped); a deleted
        /// consumer's chain id is `consumer/18`.
        ChainIdInUse = 3,
        /// The chain id is not a valid CometBFT chain id, or is the provider's own.
        InvalidChainId = 4,
        /// No consumer has this id.
        UnknownConsumer = 5,
        /// The signer is not the consumer's owner.
        NotOwner = 6,
        /// The consumer is in a phase that does not allow the operation.
        InvalidPhase = 7,
        /// Name, description or metadata URL too long (or an empty name).
        InvalidMetadata = 8,
        /// The field can no longer change once the consumer has launched.
        ImmutableAfterLaunch = 9,
        /// A commission rate outside [the provider's minimum, 1].
        InvalidCommission = 10,
        /// No provider validator has this operator address.
        UnknownValidator = 11,
        /// No packet with this vsc id (or no genesis yet).
        NotFound = 12,
        /// Empty or invalid reward funding.
        InvalidFunding = 13,
        /// An acknowledged vsc id beyond the last packet sent to the consumer.
        VscNotSent = 14,
        /// A vsc id at or below the consumer's `last_acknowledged_vsc` (a replay, a racing
        /// relayer, or 0: the launch set): nothing to record.
        AlreadyAcknowledged = 15,
        /// A consumer header from another chain than the consumer's.
        ChainIdMismatch = 16,
        /// A consumer header signed by a validator set the provider does not accept: never sent
        /// to the consumer, sent but past its period (the consumer's unbonding period from the
        /// time it was sent, once replaced), or — for an acknowledgement — sent before the last
        /// acknowledged vsc id or after the acknowledged one.
        UnknownValidatorSet = 17,
        /// The chain id was a deleted consumer's: chain ids are never reused.
        ChainIdReserved = 18,
        /// A downtime record that does not decode, is not in its canonical encoding (the bytes
        /// the consumer stores), has seq 0 or a consumer address that is not 20 bytes.
        InvalidDowntimeRecord = 19,
        /// A downtime record whose seq is at or below the last one processed for the consumer
        /// (a replay, a racing relayer, or a record older than one already processed).
        DowntimeOutOfOrder = 20,
        /// A downtime record whose consumer address is no member of the consumer's set of the
        /// record's vsc id (or that set is no longer recorded).
        NotInConsumerSet = 21,
        /// The consumer's slash meter is negative: downtime submissions are refused until it
        /// replenishes (the relayer retries then).
        Throttled = 22,
        /// The consumer has no slash meter (it is not launched).
        NoSlashMeter = 23,
    }
}
