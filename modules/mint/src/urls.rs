//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Query paths (cosmos.mint.v1beta1.Query).

/// gRPC path of the parameters query.
pub const QUERY_PARAMS: &str = "/cosmos.mint.v1beta1.Query/Params";

/// gRPC path of the inflation query.
pub const QUERY_INFLATION: &str = "/cosmos.mint.v1beta1.Query/Inflation";

/// gRPC path of the annual provisions query.
pub const QUERY_ANNUAL_PROVISIONS: &str = "/cosmos.mint.v1beta1.Query/AnnualProvisions";

/// Every path above.
pub const PATHS: &[&str] = &[QUERY_PARAMS, QUERY_INFLATION, QUERY_ANNUAL_PROVISIONS];
