//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Query paths (cosmos.auth.v1beta1.Query).

/// gRPC path of the account query.
pub const QUERY_ACCOUNT: &str = "/cosmos.auth.v1beta1.Query/Account";

/// gRPC path of the paginated account list.
pub const QUERY_ACCOUNTS: &str = "/cosmos.auth.v1beta1.Query/Accounts";

/// gRPC path of the parameters query.
pub const QUERY_PARAMS: &str = "/cosmos.auth.v1beta1.Query/Params";
