//! `cosmos.staking.v1beta1.Query`.

use cosmos_sdk_proto::cosmos::staking::v1beta1 as pb;
use rampart_staking::urls::{
    QUERY_DELEGATION, QUERY_DELEGATOR_DELEGATIONS, QUERY_DELEGATOR_UNBONDING_DELEGATIONS,
    QUERY_HISTORICAL_INFO, QUERY_PARAMS, QUERY_POOL, QUERY_REDELEGATIONS,
    QUERY_UNBONDING_DELEGATION, QUERY_VALIDATOR, QUERY_VALIDATORS, QUERY_VALIDATOR_DELEGATIONS,
};

use crate::NodeClient;

/// The staking queries of one node ([`NodeClient::staking`]).
#[derive(Debug, Clone, Copy)]
pub struct StakingQueries<'a> {
    pub(crate) node: &'a NodeClient,
}

impl StakingQueries<'_> {
    /// Every validator, or those whose status has the protobuf name `status` (`BOND_STATUS_…`;
    /// empty: all).
    pub async fn validators(&self, status: &str) -> anyhow::Result<Vec<pb::Validator>> {
        self.node
            .grpc_query_pages(
                QUERY_VALIDATORS,
                |pagination| pb::QueryValidatorsRequest {
                    status: status.to_owned(),
                    pagination: Some(pagination),
                },
                |r: pb::QueryValidatorsResponse| (r.validators, r.pagination),
            )
            .await
    }

    /// The validator operated by `validator` (`rampartvaloper1…`).
    pub async fn validator(&self, validator: &str) -> anyhow::Result<pb::QueryValidatorResponse> {
        let request = pb::QueryValidatorRequest {
            validator_addr: validator.to_owned(),
        };
        self.node.grpc_query(QUERY_VALIDATOR, &request).await
    }

    /// The delegation of `delegator` to `validator`, with its balance.
    pub async fn delegation(
        &self,
        delegator: &str,
        validator: &str,
    ) -> anyhow::Result<pb::QueryDelegationResponse> {
        let request = pb::QueryDelegationRequest {
            delegator_addr: delegator.to_owned(),
            validator_addr: validator.to_owned(),
        };
        self.node.grpc_query(QUERY_DELEGATION, &request).await
    }

    /// The unbonding entries of `delegator` at `validator`.
    pub async fn unbonding_delegation(
        &self,
        delegator: &str,
        validator: &str,
    ) -> anyhow::Result<pb::QueryUnbondingDelegationResponse> {
        let request = pb::QueryUnbondingDelegationRequest {
            delegator_addr: delegator.to_owned(),
            validator_addr: validator.to_owned(),
        };
        self.node
            .grpc_query(QUERY_UNBONDING_DELEGATION, &request)
            .await
    }

    /// Every delegation of `delegator` (all pages).
    pub async fn delegator_delegations(
        &self,
        delegator: &str,
    ) -> anyhow::Result<Vec<pb::DelegationResponse>> {
        self.node
            .grpc_query_pages(
                QUERY_DELEGATOR_DELEGATIONS,
                |pagination| pb::QueryDelegatorDelegationsRequest {
                    delegator_addr: delegator.to_owned(),
                    pagination: Some(pagination),
                },
                |r: pb::QueryDelegatorDelegationsResponse| (r.delegation_responses, r.pagination),
            )
            .await
    }

    /// Every delegation to `validator` (all pages).
    pub async fn validator_delegations(
        &self,
        validator: &str,
    ) -> anyhow::Result<Vec<pb::DelegationResponse>> {
        self.node
            .grpc_query_pages(
                QUERY_VALIDATOR_DELEGATIONS,
                |pagination| pb::QueryValidatorDelegationsRequest {
                    validator_addr: validator.to_owned(),
                    pagination: Some(pagination),
                },
                |r: pb::QueryValidatorDelegationsResponse| (r.delegation_responses, r.pagination),
            )
            .await
    }

    /// Every unbonding delegation of `delegator` (all pages).
    pub async fn delegator_unbonding_delegations(
        &self,
        delegator: &str,
    ) -> anyhow::Result<Vec<pb::UnbondingDelegation>> {
        self.node
            .grpc_query_pages(
                QUERY_DELEGATOR_UNBONDING_DELEGATIONS,
                |pagination| pb::QueryDelegatorUnbondingDelegationsRequest {
                    delegator_addr: delegator.to_owned(),
                    pagination: Some(pagination),
                },
                |r: pb::QueryDelegatorUnbondingDelegationsResponse| {
                    (r.unbonding_responses, r.pagination)
                },
            )
            .await
    }

    /// The redelegations of `delegator`, only from `src` / to `dst` when they are not empty.
    pub async fn redelegations(
        &self,
        delegator: &str,
        src: &str,
        dst: &str,
    ) -> anyhow::Result<Vec<pb::RedelegationResponse>> {
        self.node
            .grpc_query_pages(
                QUERY_REDELEGATIONS,
                |pagination| pb::QueryRedelegationsRequest {
                    delegator_addr: delegator.to_owned(),
                    src_validator_addr: src.to_owned(),
                    dst_validator_addr: dst.to_owned(),
                    pagination: Some(pagination),
                },
                |r: pb::QueryRedelegationsResponse| (r.redelegation_responses, r.pagination),
            )
            .await
    }

    /// Bonded and not-bonded token totals.
    pub async fn pool(&self) -> anyhow::Result<pb::QueryPoolResponse> {
        self.node
            .grpc_query(QUERY_POOL, &pb::QueryPoolRequest {})
            .await
    }

    /// The staking parameters.
    pub async fn params(&self) -> anyhow::Result<pb::QueryParamsResponse> {
        self.node
            .grpc_query(QUERY_PARAMS, &pb::QueryParamsRequest {})
            .await
    }

    /// The header and validator set recorded at `height`.
    pub async fn historical_info(
        &self,
        height: i64,
    ) -> anyhow::Result<pb::QueryHistoricalInfoResponse> {
        let request = pb::QueryHistoricalInfoRequest { height };
        self.node.grpc_query(QUERY_HISTORICAL_INFO, &request).await
    }
}
