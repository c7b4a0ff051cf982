//! `cosmos.slashing.v1beta1.Query`.

use cosmos_sdk_proto::cosmos::slashing::v1beta1 as pb;
use rampart_slashing::urls::{QUERY_PARAMS, QUERY_SIGNING_INFO, QUERY_SIGNING_INFOS};

use crate::NodeClient;

/// The slashing queries of one node ([`NodeClient::slashing`]).
#[derive(Debug, Clone, Copy)]
pub struct SlashingQueries<'a> {
    pub(crate) node: &'a NodeClient,
}

impl SlashingQueries<'_> {
    /// The slashing parameters.
    pub async fn params(&self) -> anyhow::Result<pb::QueryParamsResponse> {
        self.node
            .grpc_query(QUERY_PARAMS, &pb::QueryParamsRequest {})
            .await
    }

    /// The signing info of the consensus address `cons_address` (`rampartvalcons1…`).
    pub async fn signing_info(
        &self,
        cons_address: &str,
    ) -> anyhow::Result<pb::QuerySigningInfoResponse> {
        let request = pb::QuerySigningInfoRequest {
            cons_address: cons_address.to_owned(),
        };
        self.node.grpc_query(QUERY_SIGNING_INFO, &request).await
    }

    /// Every validator's signing info (all pages).
    pub async fn signing_infos(&self) -> anyhow::Result<Vec<pb::ValidatorSigningInfo>> {
        self.node
            .grpc_query_pages(
                QUERY_SIGNING_INFOS,
                |pagination| pb::QuerySigningInfosRequest {
                    pagination: Some(pagination),
                },
                |r: pb::QuerySigningInfosResponse| (r.info, r.pagination),
            )
            .await
    }
}
