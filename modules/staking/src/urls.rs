//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Message type URLs.

/// Type URL of `MsgCreateValidator`.
pub const CREATE_VALIDATOR: &str = "/cosmos.staking.v1beta1.MsgCreateValidator";

/// Type URL of `MsgEditValidator`.
pub const EDIT_VALIDATOR: &str = "/cosmos.staking.v1beta1.MsgEditValidator";

/// Type URL of `MsgDelegate`.
pub const DELEGATE: &str = "/cosmos.staking.v1beta1.MsgDelegate";

/// Type URL of `MsgUndelegate`.
pub const UNDELEGATE: &str = "/cosmos.staking.v1beta1.MsgUndelegate";

/// Type URL of `MsgBeginRedelegate`.
pub const BEGIN_REDELEGATE: &str = "/cosmos.staking.v1beta1.MsgBeginRedelegate";

/// Type URL of `MsgCancelUnbondingDelegation`.
pub const CANCEL_UNBONDING: &str = "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation";

/// Every message type URL the module handles.
pub const TYPE_URLS: &[&str] = &[
    CREATE_VALIDATOR,
    EDIT_VALIDATOR,
    DELEGATE,
    UNDELEGATE,
    BEGIN_REDELEGATE,
    CANCEL_UNBONDING,
];

// Query paths (cosmos.staking.v1beta1.Query).

/// `Query/Validators`.
pub const QUERY_VALIDATORS: &str = "/cosmos.staking.v1beta1.Query/Validators";

/// `Query/Validator`.
pub const QUERY_VALIDATOR: &str = "/cosmos.staking.v1beta1.Query/Validator";

/// `Query/ValidatorDelegations`.
pub const QUERY_VALIDATOR_DELEGATIONS: &str = "/cosmos.staking.v1beta1.Query/ValidatorDelegations";

/// `Query/ValidatorUnbondingDelegations`.
pub const QUERY_VALIDATOR_UNBONDING_DELEGATIONS: &str =
    "/cosmos.staking.v1beta1.Query/ValidatorUnbondingDelegations";

/// `Query/Delegation`.
pub const QUERY_DELEGATION: &str = "/cosmos.staking.v1beta1.Query/Delegation";

/// `Query/UnbondingDelegation`.
pub const QUERY_UNBONDING_DELEGATION: &str = "/cosmos.staking.v1beta1.Query/UnbondingDelegation";

/// `Query/DelegatorDelegations`.
pub const QUERY_DELEGATOR_DELEGATIONS: &str = "/cosmos.staking.v1beta1.Query/DelegatorDelegations";

/// `Query/DelegatorUnbondingDelegations`.
pub const QUERY_DELEGATOR_UNBONDING_DELEGATIONS: &str =
    "/cosmos.staking.v1beta1.Query/DelegatorUnbondingDelegations";

/// `Query/Redelegations`.
pub const QUERY_REDELEGATIONS: &str = "/cosmos.staking.v1beta1.Query/Redelegations";

/// `Query/DelegatorValidators`.
pub const QUERY_DELEGATOR_VALIDATORS: &str = "/cosmos.staking.v1beta1.Query/DelegatorValidators";

/// `Query/DelegatorValidator`.
pub const QUERY_DELEGATOR_VALIDATOR: &str = "/cosmos.staking.v1beta1.Query/DelegatorValidator";

/// `Query/HistoricalInfo`.
pub const QUERY_HISTORICAL_INFO: &str = "/cosmos.staking.v1beta1.Query/HistoricalInfo";

/// `Query/Pool`.
pub const QUERY_POOL: &str = "/cosmos.staking.v1beta1.Query/Pool";

/// `Query/Params`.
pub const QUERY_PARAMS: &str = "/cosmos.staking.v1beta1.Query/Params";

/// Every query path the module answers.
pub const PATHS: &[&str] = &[
    QUERY_VALIDATORS,
    QUERY_VALIDATOR,
    QUERY_VALIDATOR_DELEGATIONS,
    QUERY_VALIDATOR_UNBONDING_DELEGATIONS,
    QUERY_DELEGATION,
    QUERY_UNBONDING_DELEGATION,
    QUERY_DELEGATOR_DELEGATIONS,
    QUERY_DELEGATOR_UNBONDING_DELEGATIONS,
    QUERY_REDELEGATIONS,
    QUERY_DELEGATOR_VALIDATORS,
    QUERY_DELEGATOR_VALIDATOR,
    QUERY_HISTORICAL_INFO,
    QUERY_POOL,
    QUERY_PARAMS,
];
