//! `rampart.restaking.v1.Query`: pledges, consumer keys, exposure and security reports.

use rampart_proto::rampart::restaking::v1 as pb;
use rampart_restaking::urls::{
    QUERY_CONSUMER_BACKING, QUERY_CONSUMER_KEY, QUERY_CONSUMER_PLEDGES, QUERY_DELEGATION_CONSUMERS,
    QUERY_PARAMS, QUERY_SECURITY_REPORT, QUERY_VALIDATOR_BY_CONSUMER_KEY, QUERY_VALIDATOR_EXPOSURE,
    QUERY_VALIDATOR_PLEDGES,
};

use crate::NodeClient;

/// The restaking queries of one node ([`NodeClient::restaking`]).
#[derive(Debug, Clone, Copy)]
pub struct RestakingQueries<'a> {
    pub(crate) node: &'a NodeClient,
}

impl RestakingQueries<'_> {
    /// Every pledge of `validator` (`rampartvaloper1…`).
    pub async fn validator_pledges(
        &self,
        validator: &str,
    ) -> anyhow::Result<pb::QueryValidatorPledgesResponse> {
        let request = pb::QueryValidatorPledgesRequest {
            validator: validator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_VALIDATOR_PLEDGES, &request)
            .await
    }

    /// Every pledge to a consumer (all pages).
    pub async fn consumer_pledges(&self, consumer_id: u64) -> anyhow::Result<Vec<pb::Pledge>> {
        self.node
            .grpc_query_pages(
                QUERY_CONSUMER_PLEDGES,
                |pagination| pb::QueryConsumerPledgesRequest {
                    consumer_id,
                    pagination: Some(pagination),
                },
                |r: pb::QueryConsumerPledgesResponse| (r.pledges, r.pagination),
            )
            .await
    }

    /// The key `validator` signs with on a consumer.
    pub async fn consumer_key(
        &self,
        validator: &str,
        consumer_id: u64,
    ) -> anyhow::Result<pb::QueryConsumerKeyResponse> {
        let request = pb::QueryConsumerKeyRequest {
            validator: validator.to_owned(),
            consumer_id,
        };
        self.node.grpc_query(QUERY_CONSUMER_KEY, &request).await
    }

    /// The validator whose consumer key has the consensus address `consumer_address`
    /// (`rampartvalcons1…`).
    pub async fn validator_by_consumer_key(
        &self,
        consumer_id: u64,
        consumer_address: &str,
    ) -> anyhow::Result<pb::QueryValidatorByConsumerKeyResponse> {
        let request = pb::QueryValidatorByConsumerKeyRequest {
            consumer_id,
            consumer_address: consumer_address.to_owned(),
        };
        self.node
            .grpc_query(QUERY_VALIDATOR_BY_CONSUMER_KEY, &request)
            .await
    }

    /// The security report of a consumer.
    pub async fn security_report(
        &self,
        consumer_id: u64,
    ) -> anyhow::Result<pb::QuerySecurityReportResponse> {
        let request = pb::QuerySecurityReportRequest { consumer_id };
        self.node.grpc_query(QUERY_SECURITY_REPORT, &request).await
    }

    /// What `validator` stands to lose across the consumers it secures.
    pub async fn validator_exposure(
        &self,
        validator: &str,
    ) -> anyhow::Result<pb::QueryValidatorExposureResponse> {
        let request = pb::QueryValidatorExposureRequest {
            validator: validator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_VALIDATOR_EXPOSURE, &request)
            .await
    }

    /// The consumers `delegator`'s delegation to `validator` backs: the choice in force and a
    /// pending one.
    pub async fn delegation_consumers(
        &self,
        delegator: &str,
        validator: &str,
    ) -> anyhow::Result<pb::QueryDelegationConsumersResponse> {
        let request = pb::QueryDelegationConsumersRequest {
            delegator: delegator.to_owned(),
            validator: validator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_DELEGATION_CONSUMERS, &request)
            .await
    }

    /// The stake of `validator` backing consumer `consumer_id`.
    pub async fn consumer_backing(
        &self,
        validator: &str,
        consumer_id: u64,
    ) -> anyhow::Result<pb::QueryConsumerBackingResponse> {
        let request = pb::QueryConsumerBackingRequest {
            validator: validator.to_owned(),
            consumer_id,
        };
        self.node.grpc_query(QUERY_CONSUMER_BACKING, &request).await
    }

    /// The restaking parameters.
    pub async fn params(&self) -> anyhow::Result<pb::QueryParamsResponse> {
        self.node
            .grpc_query(QUERY_PARAMS, &pb::QueryParamsRequest {})
            .await
    }
}
