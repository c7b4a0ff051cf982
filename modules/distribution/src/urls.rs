//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Message type URLs.

/// Type URL of `MsgSetWithdrawAddress`.
pub const SET_WITHDRAW_ADDRESS: &str = "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress";

/// Type URL of `MsgWithdrawDelegatorReward`.
pub const WITHDRAW_DELEGATOR_REWARD: &str =
    "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward";

/// Type URL of `MsgWithdrawValidatorCommission`.
pub const WITHDRAW_VALIDATOR_COMMISSION: &str =
    "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission";

/// Type URL of `MsgFundCommunityPool`.
pub const FUND_COMMUNITY_POOL: &str = "/cosmos.distribution.v1beta1.MsgFundCommunityPool";

/// Every message type URL the module handles.
pub const TYPE_URLS: &[&str] = &[
    SET_WITHDRAW_ADDRESS,
    WITHDRAW_DELEGATOR_REWARD,
    WITHDRAW_VALIDATOR_COMMISSION,
    FUND_COMMUNITY_POOL,
];

// Query paths (cosmos.distribution.v1beta1.Query).

/// `Query/Params`.
pub const QUERY_PARAMS: &str = "/cosmos.distribution.v1beta1.Query/Params";

/// `Query/ValidatorDistributionInfo`.
pub const QUERY_VALIDATOR_DISTRIBUTION_INFO: &str =
    "/cosmos.distribution.v1beta1.Query/ValidatorDistributionInfo";

/// `Query/ValidatorOutstandingRewards`.
pub const QUERY_VALIDATOR_OUTSTANDING_REWARDS: &str =
    "/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards";

/// `Query/ValidatorCommission`.
pub const QUERY_VALIDATOR_COMMISSION: &str =
    "/cosmos.distribution.v1beta1.Query/ValidatorCommission";

/// `Query/DelegationRewards`.
pub const QUERY_DELEGATION_REWARDS: &str = "/cosmos.distribution.v1beta1.Query/DelegationRewards";

/// `Query/DelegationTotalRewards`.
pub const QUERY_DELEGATION_TOTAL_REWARDS: &str =
    "/cosmos.distribution.v1beta1.Query/DelegationTotalRewards";

/// `Query/DelegatorValidators`.
pub const QUERY_DELEGATOR_VALIDATORS: &str =
    "/cosmos.distribution.v1beta1.Query/DelegatorValidators";

/// `Query/DelegatorWithdrawAddress`.
pub const QUERY_DELEGATOR_WITHDRAW_ADDRESS: &str =
    "/cosmos.distribution.v1beta1.Query/DelegatorWithdrawAddress";

/// `Query/CommunityPool`.
pub const QUERY_COMMUNITY_POOL: &str = "/cosmos.distribution.v1beta1.Query/CommunityPool";

/// Every query path the module answers.
pub const PATHS: &[&str] = &[
    QUERY_PARAMS,
    QUERY_VALIDATOR_DISTRIBUTION_INFO,
    QUERY_VALIDATOR_OUTSTANDING_REWARDS,
    QUERY_VALIDATOR_COMMISSION,
    QUERY_DELEGATION_REWARDS,
    QUERY_DELEGATION_TOTAL_REWARDS,
    QUERY_DELEGATOR_VALIDATORS,
    QUERY_DELEGATOR_WITHDRAW_ADDRESS,
    QUERY_COMMUNITY_POOL,
];
