//! `cosmos.distribution.v1beta1.Query`.

use cosmos_sdk_proto::cosmos::distribution::v1beta1 as pb;
use rampart_distribution::urls::{
    QUERY_COMMUNITY_POOL, QUERY_DELEGATION_REWARDS, QUERY_DELEGATION_TOTAL_REWARDS,
    QUERY_DELEGATOR_WITHDRAW_ADDRESS, QUERY_PARAMS, QUERY_VALIDATOR_COMMISSION,
    QUERY_VALIDATOR_OUTSTANDING_REWARDS,
};

use crate::NodeClient;

/// The distribution queries of one node ([`NodeClient::distribution`]).
#[derive(Debug, Clone, Copy)]
pub struct DistributionQueries<'a> {
    pub(crate) node: &'a NodeClient,
}

impl DistributionQueries<'_> {
    /// The distribution parameters.
    pub async fn params(&self) -> anyhow::Result<pb::QueryParamsResponse> {
        self.node
            .grpc_query(QUERY_PARAMS, &pb::QueryParamsRequest {})
            .await
    }

    /// The rewards of `delegator` at every validator, and their total.
    pub async fn delegation_total_rewards(
        &self,
        delegator: &str,
    ) -> anyhow::Result<pb::QueryDelegationTotalRewardsResponse> {
        let request = pb::QueryDelegationTotalRewardsRequest {
            delegator_address: delegator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_DELEGATION_TOTAL_REWARDS, &request)
            .await
    }

    /// The rewards of `delegator` at `validator`.
    pub async fn delegation_rewards(
        &self,
        delegator: &str,
        validator: &str,
    ) -> anyhow::Result<pb::QueryDelegationRewardsResponse> {
        let request = pb::QueryDelegationRewardsRequest {
            delegator_address: delegator.to_owned(),
            validator_address: validator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_DELEGATION_REWARDS, &request)
            .await
    }

    /// The commission `validator` has not withdrawn.
    pub async fn validator_commission(
        &self,
        validator: &str,
    ) -> anyhow::Result<pb::QueryValidatorCommissionResponse> {
        let request = pb::QueryValidatorCommissionRequest {
            validator_address: validator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_VALIDATOR_COMMISSION, &request)
            .await
    }

    /// The rewards of `validator` not yet withdrawn by anyone.
    pub async fn validator_outstanding_rewards(
        &self,
        validator: &str,
    ) -> anyhow::Result<pb::QueryValidatorOutstandingRewardsResponse> {
        let request = pb::QueryValidatorOutstandingRewardsRequest {
            validator_address: validator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_VALIDATOR_OUTSTANDING_REWARDS, &request)
            .await
    }

    /// Where the rewards of `delegator` are paid.
    pub async fn delegator_withdraw_address(
        &self,
        delegator: &str,
    ) -> anyhow::Result<pb::QueryDelegatorWithdrawAddressResponse> {
        let request = pb::QueryDelegatorWithdrawAddressRequest {
            delegator_address: delegator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_DELEGATOR_WITHDRAW_ADDRESS, &request)
            .await
    }

    /// The community pool.
    pub async fn community_pool(&self) -> anyhow::Result<pb::QueryCommunityPoolResponse> {
        self.node
            .grpc_query(QUERY_COMMUNITY_POOL, &pb::QueryCommunityPoolRequest {})
            .await
    }
}
