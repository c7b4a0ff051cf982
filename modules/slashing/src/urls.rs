//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Message type URLs.

/// Type URL of `MsgUnjail`.
pub const MSG_UNJAIL: &str = "/cosmos.slashing.v1beta1.MsgUnjail";

// Query paths (cosmos.slashing.v1beta1.Query).

/// `Query/Params`.
pub const QUERY_PARAMS: &str = "/cosmos.slashing.v1beta1.Query/Params";

/// `Query/SigningInfo`.
pub const QUERY_SIGNING_INFO: &str = "/cosmos.slashing.v1beta1.Query/SigningInfo";

/// `Query/SigningInfos`.
pub const QUERY_SIGNING_INFOS: &str = "/cosmos.slashing.v1beta1.Query/SigningInfos";

/// Every query path the module answers.
pub const PATHS: &[&str] = &[QUERY_PARAMS, QUERY_SIGNING_INFO, QUERY_SIGNING_INFOS];
