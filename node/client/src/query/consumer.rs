//! `rampart.consumer.v1.Query`: the registry of consumer chains.

use rampart_consumer::urls::{
    QUERY_CONSUMER, QUERY_CONSUMERS, QUERY_CONSUMER_COMMISSION, QUERY_CONSUMER_GENESIS,
    QUERY_CONSUMER_VALIDATORS, QUERY_PACKET, QUERY_PARAMS, QUERY_PENDING_PACKETS,
    QUERY_REWARD_POOL, QUERY_SLASH_METER,
};
use rampart_proto::rampart::consumer::v1 as pb;

use crate::NodeClient;

/// The consumer-registry queries of one node ([`NodeClient::consumer`]).
#[derive(Debug, Clone, Copy)]
pub struct ConsumerQueries<'a> {
    pub(crate) node: &'a NodeClient,
}

impl ConsumerQueries<'_> {
    /// Every consumer in `phase` (`Unspecified`: all phases), all pages.
    pub async fn consumers(&self, phase: pb::ConsumerPhase) -> anyhow::Result<Vec<pb::Consumer>> {
        self.node
            .grpc_query_pages(
                QUERY_CONSUMERS,
                |pagination| pb::QueryConsumersRequest {
                    phase: phase as i32,
                    pagination: Some(pagination),
                },
                |r: pb::QueryConsumersResponse| (r.consumers, r.pagination),
            )
            .await
    }

    /// One consumer's registry entry.
    pub async fn consumer(&self, consumer_id: u64) -> anyhow::Result<pb::Consumer> {
        self.node
            .grpc_query_field(
                QUERY_CONSUMER,
                &pb::QueryConsumerRequest { consumer_id },
                |r: pb::QueryConsumerResponse| r.consumer,
                &format!("consumer {consumer_id}"),
            )
            .await
    }

    /// The genesis a launched consumer starts from.
    pub async fn genesis(
        &self,
        consumer_id: u64,
    ) -> anyhow::Result<pb::QueryConsumerGenesisResponse> {
        let request = pb::QueryConsumerGenesisRequest { consumer_id };
        self.node.grpc_query(QUERY_CONSUMER_GENESIS, &request).await
    }

    /// The validator set of a consumer and its total power.
    pub async fn validators(
        &self,
        consumer_id: u64,
    ) -> anyhow::Result<pb::QueryConsumerValidatorsResponse> {
        let request = pb::QueryConsumerValidatorsRequest { consumer_id };
        self.node
            .grpc_query(QUERY_CONSUMER_VALIDATORS, &request)
            .await
    }

    /// The validator-set packets a consumer has not acknowledged (all pages).
    pub async fn pending_packets(
        &self,
        consumer_id: u64,
    ) -> anyhow::Result<Vec<pb::ValidatorSetChangePacket>> {
        self.node
            .grpc_query_pages(
                QUERY_PENDING_PACKETS,
                |pagination| pb::QueryPendingPacketsRequest {
                    consumer_id,
                    pagination: Some(pagination),
                },
                |r: pb::QueryPendingPacketsResponse| (r.packets, r.pagination),
            )
            .await
    }

    /// One packet and the state key it is stored under.
    pub async fn packet(
        &self,
        consumer_id: u64,
        vsc_id: u64,
    ) -> anyhow::Result<pb::QueryPacketResponse> {
        let request = pb::QueryPacketRequest {
            consumer_id,
            vsc_id,
        };
        self.node.grpc_query(QUERY_PACKET, &request).await
    }

    /// A consumer's reward pool, rate and pause flag.
    pub async fn reward_pool(
        &self,
        consumer_id: u64,
    ) -> anyhow::Result<pb::QueryRewardPoolResponse> {
        let request = pb::QueryRewardPoolRequest { consumer_id };
        self.node.grpc_query(QUERY_REWARD_POOL, &request).await
    }

    /// The commission `validator` charges on a consumer.
    pub async fn commission(
        &self,
        consumer_id: u64,
        validator: &str,
    ) -> anyhow::Result<pb::QueryConsumerCommissionResponse> {
        let request = pb::QueryConsumerCommissionRequest {
            consumer_id,
            validator: validator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_CONSUMER_COMMISSION, &request)
            .await
    }

    /// The consumer-registry parameters.
    pub async fn params(&self) -> anyhow::Result<pb::QueryParamsResponse> {
        self.node
            .grpc_query(QUERY_PARAMS, &pb::QueryParamsRequest {})
            .await
    }

    /// A launched consumer's slash meter (downtime throttling).
    pub async fn slash_meter(
        &self,
        consumer_id: u64,
    ) -> anyhow::Result<pb::QuerySlashMeterResponse> {
        let request = pb::QuerySlashMeterRequest { consumer_id };
        self.node.grpc_query(QUERY_SLASH_METER, &request).await
    }
}
