//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

/// Type URL of `MsgLiquidStake`.
pub const LIQUID_STAKE: &str = "/rampart.liquid.v1.MsgLiquidStake";

/// Type URL of `MsgLiquidUnstake`.
pub const LIQUID_UNSTAKE: &str = "/rampart.liquid.v1.MsgLiquidUnstake";

/// Every message type URL the module handles.
pub const TYPE_URLS: &[&str] = &[LIQUID_STAKE, LIQUID_UNSTAKE];

/// `Query/ExchangeRate`.
pub const QUERY_EXCHANGE_RATE: &str = "/rampart.liquid.v1.Query/ExchangeRate";

/// `Query/Params`.
pub const QUERY_PARAMS: &str = "/rampart.liquid.v1.Query/Params";

/// `Query/Backing`.
pub const QUERY_BACKING: &str = "/rampart.liquid.v1.Query/Backing";

/// `Query/Risk`.
pub const QUERY_RISK: &str = "/rampart.liquid.v1.Query/Risk";

/// `Query/Unbondings`.
pub const QUERY_UNBONDINGS: &str = "/rampart.liquid.v1.Query/Unbondings";

/// Every query path the module answers.
pub const PATHS: &[&str] = &[
    QUERY_EXCHANGE_RATE,
    QUERY_PARAMS,
    QUERY_BACKING,
    QUERY_RISK,
    QUERY_UNBONDINGS,
];

/// The liquid token's bank denom.
pub const LIQUID_DENOM: &str = "lsuramp";

/// The module account: it holds the delegations, receives their rewards and the matured
/// unbondings, and escrows redeemed tokens until their batch is undelegated.
pub const MODULE_ACCOUNT: &str = "liquid";
