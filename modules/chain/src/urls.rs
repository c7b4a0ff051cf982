//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Query paths (rampart.chain.v1.Query).

/// gRPC method path of the chain-info query.
pub const QUERY_CHAIN_INFO: &str = "/rampart.chain.v1.Query/ChainInfo";
