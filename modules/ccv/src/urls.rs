//! The module's wire names (domain part, built without the `component` feature): the type URLs
//! of its messages and the gRPC paths of its queries, shared by the state machine and clients.

// Query paths (rampart.ccv.v1.Query).

/// `Query/ProviderClient`.
pub const QUERY_PROVIDER_CLIENT: &str = "/rampart.ccv.v1.Query/ProviderClient";

/// `Query/ConsensusState`.
pub const QUERY_CONSENSUS_STATE: &str = "/rampart.ccv.v1.Query/ConsensusState";

/// `Query/AppliedVsc`.
pub const QUERY_APPLIED_VSC: &str = "/rampart.ccv.v1.Query/AppliedVsc";

/// `Query/Validators`.
pub const QUERY_VALIDATORS: &str = "/rampart.ccv.v1.Query/Validators";

/// `Query/Params`.
pub const QUERY_PARAMS: &str = "/rampart.ccv.v1.Query/Params";

/// `Query/DowntimeRecords`.
pub const QUERY_DOWNTIME_RECORDS: &str = "/rampart.ccv.v1.Query/DowntimeRecords";

/// `Query/SigningInfo`.
pub const QUERY_SIGNING_INFO: &str = "/rampart.ccv.v1.Query/SigningInfo";

/// Every query path the module answers.
pub const PATHS: &[&str] = &[
    QUERY_PROVIDER_CLIENT,
    QUERY_CONSENSUS_STATE,
    QUERY_APPLIED_VSC,
    QUERY_VALIDATORS,
    QUERY_PARAMS,
    QUERY_DOWNTIME_RECORDS,
    QUERY_SIGNING_INFO,
];

// Message type URLs.

/// Type URL of `MsgUpdateProviderClient`.
pub const MSG_UPDATE_PROVIDER_CLIENT: &str = "/rampart.ccv.v1.MsgUpdateProviderClient";

/// Type URL of `MsgUpdateProviderClientResponse`.
pub const MSG_UPDATE_PROVIDER_CLIENT_RESPONSE: &str =
    "/rampart.ccv.v1.MsgUpdateProviderClientResponse";

/// Type URL of `MsgRecvVscPacket`.
pub const MSG_RECV_VSC_PACKET: &str = "/rampart.ccv.v1.MsgRecvVscPacket";

/// Type URL of `MsgRecvVscPacketResponse`.
pub const MSG_RECV_VSC_PACKET_RESPONSE: &str = "/rampart.ccv.v1.MsgRecvVscPacketResponse";

/// Every message type URL the module handles.
pub const TYPE_URLS: &[&str] = &[MSG_UPDATE_PROVIDER_CLIENT, MSG_RECV_VSC_PACKET];
