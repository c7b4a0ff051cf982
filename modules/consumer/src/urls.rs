//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Message type URLs.

/// Type URL of `MsgRegisterConsumer`.
pub const REGISTER_CONSUMER: &str = "/rampart.consumer.v1.MsgRegisterConsumer";

/// Type URL of `MsgUpdateConsumer`.
pub const UPDATE_CONSUMER: &str = "/rampart.consumer.v1.MsgUpdateConsumer";

/// Type URL of `MsgRemoveConsumer`.
pub const REMOVE_CONSUMER: &str = "/rampart.consumer.v1.MsgRemoveConsumer";

/// Type URL of `MsgFundConsumerRewards`.
pub const FUND_CONSUMER_REWARDS: &str = "/rampart.consumer.v1.MsgFundConsumerRewards";

/// Type URL of `MsgSetConsumerCommission`.
pub const SET_CONSUMER_COMMISSION: &str = "/rampart.consumer.v1.MsgSetConsumerCommission";

/// Type URL of `MsgAcknowledgeVsc`.
pub const ACKNOWLEDGE_VSC: &str = "/rampart.consumer.v1.MsgAcknowledgeVsc";

/// Type URL of `MsgSubmitConsumerDowntime`.
pub const SUBMIT_CONSUMER_DOWNTIME: &str = "/rampart.consumer.v1.MsgSubmitConsumerDowntime";

/// Every message type URL the module handles.
pub const TYPE_URLS: &[&str] = &[
    REGISTER_CONSUMER,
    UPDATE_CONSUMER,
    REMOVE_CONSUMER,
    FUND_CONSUMER_REWARDS,
    SET_CONSUMER_COMMISSION,
    ACKNOWLEDGE_VSC,
    SUBMIT_CONSUMER_DOWNTIME,
];

// Query paths (rampart.consumer.v1.Query).

/// `Query/Consumers`.
pub const QUERY_CONSUMERS: &str = "/rampart.consumer.v1.Query/Consumers";

/// `Query/Consumer`.
pub const QUERY_CONSUMER: &str = "/rampart.consumer.v1.Query/Consumer";

/// `Query/ConsumerGenesis`.
pub const QUERY_CONSUMER_GENESIS: &str = "/rampart.consumer.v1.Query/ConsumerGenesis";

/// `Query/ConsumerValidators`.
pub const QUERY_CONSUMER_VALIDATORS: &str = "/rampart.consumer.v1.Query/ConsumerValidators";

/// `Query/PendingPackets`.
pub const QUERY_PENDING_PACKETS: &str = "/rampart.consumer.v1.Query/PendingPackets";

/// `Query/Packet`.
pub const QUERY_PACKET: &str = "/rampart.consumer.v1.Query/Packet";

/// `Query/RewardPool`.
pub const QUERY_REWARD_POOL: &str = "/rampart.consumer.v1.Query/RewardPool";

/// `Query/ConsumerCommission`.
pub const QUERY_CONSUMER_COMMISSION: &str = "/rampart.consumer.v1.Query/ConsumerCommission";

/// `Query/Params`.
pub const QUERY_PARAMS: &str = "/rampart.consumer.v1.Query/Params";

/// `Query/SlashMeter`.
pub const QUERY_SLASH_METER: &str = "/rampart.consumer.v1.Query/SlashMeter";

/// Every query path the module answers.
pub const PATHS: &[&str] = &[
    QUERY_CONSUMERS,
    QUERY_CONSUMER,
    QUERY_CONSUMER_GENESIS,
    QUERY_CONSUMER_VALIDATORS,
    QUERY_PENDING_PACKETS,
    QUERY_PACKET,
    QUERY_REWARD_POOL,
    QUERY_CONSUMER_COMMISSION,
    QUERY_PARAMS,
    QUERY_SLASH_METER,
];
