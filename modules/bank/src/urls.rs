//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Message type URLs.

/// Type URL of `MsgSend`.
pub const MSG_SEND: &str = "/cosmos.bank.v1beta1.MsgSend";

/// Type URL of `MsgMultiSend`.
pub const MSG_MULTI_SEND: &str = "/cosmos.bank.v1beta1.MsgMultiSend";

/// Type URL of `MsgSendResponse`.
pub const MSG_SEND_RESPONSE: &str = "/cosmos.bank.v1beta1.MsgSendResponse";

/// Type URL of `MsgMultiSendResponse`.
pub const MSG_MULTI_SEND_RESPONSE: &str = "/cosmos.bank.v1beta1.MsgMultiSendResponse";

// Query paths (cosmos.bank.v1beta1.Query).

/// gRPC path of the single-balance query.
pub const QUERY_BALANCE: &str = "/cosmos.bank.v1beta1.Query/Balance";

/// gRPC path of the all-balances query.
pub const QUERY_ALL_BALANCES: &str = "/cosmos.bank.v1beta1.Query/AllBalances";

/// gRPC path of the total-supply query.
pub const QUERY_TOTAL_SUPPLY: &str = "/cosmos.bank.v1beta1.Query/TotalSupply";

/// gRPC path of the supply-of query.
pub const QUERY_SUPPLY_OF: &str = "/cosmos.bank.v1beta1.Query/SupplyOf";

/// gRPC path of the parameters query.
pub const QUERY_PARAMS: &str = "/cosmos.bank.v1beta1.Query/Params";

/// Every path above.
pub const PATHS: &[&str] = &[
    QUERY_BALANCE,
    QUERY_ALL_BALANCES,
    QUERY_TOTAL_SUPPLY,
    QUERY_SUPPLY_OF,
    QUERY_PARAMS,
];
