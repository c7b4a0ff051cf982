//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Message type URLs.

/// Type URL of `MsgOptIn`.
pub const OPT_IN: &str = "/rampart.restaking.v1.MsgOptIn";

/// Type URL of `MsgSetPledge`.
pub const SET_PLEDGE: &str = "/rampart.restaking.v1.MsgSetPledge";

/// Type URL of `MsgOptOut`.
pub const OPT_OUT: &str = "/rampart.restaking.v1.MsgOptOut";

/// Type URL of `MsgAssignConsumerKey`.
pub const ASSIGN_CONSUMER_KEY: &str = "/rampart.restaking.v1.MsgAssignConsumerKey";

/// Type URL of `MsgSubmitConsumerDoubleVote`.
pub const SUBMIT_CONSUMER_DOUBLE_VOTE: &str = "/rampart.restaking.v1.MsgSubmitConsumerDoubleVote";

/// Type URL of `MsgSetDelegationConsumers`.
pub const SET_DELEGATION_CONSUMERS: &str = "/rampart.restaking.v1.MsgSetDelegationConsumers";

/// Every message type URL the module handles.
pub const TYPE_URLS: &[&str] = &[
    OPT_IN,
    SET_PLEDGE,
    OPT_OUT,
    ASSIGN_CONSUMER_KEY,
    SUBMIT_CONSUMER_DOUBLE_VOTE,
    SET_DELEGATION_CONSUMERS,
];

// Query paths (rampart.restaking.v1.Query).

/// `Query/ValidatorPledges`.
pub const QUERY_VALIDATOR_PLEDGES: &str = "/rampart.restaking.v1.Query/ValidatorPledges";

/// `Query/ConsumerPledges`.
pub const QUERY_CONSUMER_PLEDGES: &str = "/rampart.restaking.v1.Query/ConsumerPledges";

/// `Query/ConsumerKey`.
pub const QUERY_CONSUMER_KEY: &str = "/rampart.restaking.v1.Query/ConsumerKey";

/// `Query/ValidatorByConsumerKey`.
pub const QUERY_VALIDATOR_BY_CONSUMER_KEY: &str =
    "/rampart.restaking.v1.Query/ValidatorByConsumerKey";

/// `Query/SecurityReport`.
pub const QUERY_SECURITY_REPORT: &str = "/rampart.restaking.v1.Query/SecurityReport";

/// `Query/ValidatorExposure`.
pub const QUERY_VALIDATOR_EXPOSURE: &str = "/rampart.restaking.v1.Query/ValidatorExposure";

/// `Query/Params`.
pub const QUERY_PARAMS: &str = "/rampart.restaking.v1.Query/Params";

/// `Query/DelegationConsumers`.
pub const QUERY_DELEGATION_CONSUMERS: &str = "/rampart.restaking.v1.Query/DelegationConsumers";

/// `Query/ConsumerBacking`.
pub const QUERY_CONSUMER_BACKING: &str = "/rampart.restaking.v1.Query/ConsumerBacking";

/// Every query path the module answers.
pub const PATHS: &[&str] = &[
    QUERY_VALIDATOR_PLEDGES,
    QUERY_CONSUMER_PLEDGES,
    QUERY_CONSUMER_KEY,
    QUERY_VALIDATOR_BY_CONSUMER_KEY,
    QUERY_SECURITY_REPORT,
    QUERY_VALIDATOR_EXPOSURE,
    QUERY_PARAMS,
    QUERY_DELEGATION_CONSUMERS,
    QUERY_CONSUMER_BACKING,
];
