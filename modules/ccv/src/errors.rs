//! Stable error codes of the `ccv` codespace. Codes never renumber; new ones are appended.

rampart_core::codespace! {
    /// The consumer-side cross-chain validation codespace.
    codespace "ccv";
    /// Error codes of the `ccv` codespace.
    pub enum CcvCode {
        /// The light client of the provider has not been initialised (no consumer genesis).
        ClientNotFound = 2,
        /// Misbehaviour froze the client: it accepts no update and proves nothing.
        ClientFrozen = 3,
        /// The latest trusted header is older than the trusting period: the client can no longer
        /// be updated trustlessly (recovery is an operator action).
        ClientExpired = 4,
        /// The header is from another chain than the provider.
        ChainIdMismatch = 5,
        /// No trusted consensus state at the requested height (never verified, or pruned).
        ConsensusStateNotFound = 6,
        /// `trusted_next_validator_set` does not hash to the trusted `next_validators_hash`.
        TrustedValidatorsMismatch = 7,
        /// A validator set that does not decode or validate (bad key, address, power overflow).
        InvalidValidatorSet = 8,
        /// A header or commit that does not decode, or fails verification for another reason.
        InvalidHeader = 9,
        /// The trusted validators signed less than the trust threshold (1/3) of the header, or its
        /// own set less than 2/3: the relayer should bisect through intermediate heights.
        InsufficientTrust = 10,
        /// The header's time is beyond the consumer's block time plus the maximum clock drift.
        HeaderFromFuture = 11,
        /// A commit signature does not verify.
        InvalidSignature = 12,
        /// An ICS-23 proof that does not decode or does not prove the key and value.
        InvalidProof = 13,
        /// A message beyond the size limits (validators, signatures).
        MessageTooLarge = 14,
        /// A packet whose vsc id is not the next one (a gap): packets are received in order.
        PacketOutOfOrder = 15,
        /// A packet whose vsc id was already applied (a replay, or a racing relayer).
        PacketReplayed = 16,
        /// A packet for another consumer id than this chain's.
        WrongConsumer = 17,
        /// Packet bytes that do not decode, or an update with a malformed key or power.
        InvalidPacket = 18,
        /// A packet that would leave the chain without validators.
        EmptyValidatorSet = 19,
    }
}
