//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Query paths (rampart.ccv.v1.Query).

/// `Query/ProviderClient`.
pub const QUERY_PROVIDER_CLIENT: &str = "/rampart.ccv.v1.Query/ProviderClient";

/// `Query/ConsensusState`.
pub const QUERY_CONSENSUS_STATE: &str = "/rampart.ccv.v1.Query/ConsensusState";

/// Every query path the module answers.
pub const PATHS: &[&str] = &[QUERY_PROVIDER_CLIENT, QUERY_CONSENSUS_STATE];

// Message type URLs.

/// Type URL of `MsgUpdateProviderClient`.
pub const MSG_UPDATE_PROVIDER_CLIENT: &str = "/rampart.ccv.v1.MsgUpdateProviderClient";

/// Type URL of `MsgUpdateProviderClientResponse`.
pub const MSG_UPDATE_PROVIDER_CLIENT_RESPONSE: &str =
    "/rampart.ccv.v1.MsgUpdateProviderClientResponse";
