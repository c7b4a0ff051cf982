//! `cosmos.bank.v1beta1.Query`.

use cosmos_sdk_proto::cosmos::bank::v1beta1 as pb;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use rampart_bank::urls::{QUERY_ALL_BALANCES, QUERY_BALANCE};

use crate::NodeClient;

/// The bank queries of one node ([`NodeClient::bank`]).
#[derive(Debug, Clone, Copy)]
pub struct BankQueries<'a> {
    pub(crate) node: &'a NodeClient,
}

impl BankQueries<'_> {
    /// The balance of `denom` at `address` (zero when it holds none).
    pub async fn balance(&self, address: &str, denom: &str) -> anyhow::Result<Coin> {
        let request = pb::QueryBalanceRequest {
            address: address.to_owned(),
            denom: denom.to_owned(),
        };
        let response: pb::QueryBalanceResponse =
            self.node.grpc_query(QUERY_BALANCE, &request).await?;
        Ok(response.balance.unwrap_or_else(|| Coin {
            denom: denom.to_owned(),
            amount: "0".into(),
        }))
    }

    /// Every balance of `address` (all pages), sorted by denom as the chain returns them.
    pub async fn all_balances(&self, address: &str) -> anyhow::Result<Vec<Coin>> {
        self.node
            .grpc_query_pages(
                QUERY_ALL_BALANCES,
                |pagination| pb::QueryAllBalancesRequest {
                    address: address.to_owned(),
                    pagination: Some(pagination),
                    resolve_denom: false,
                },
                |response: pb::QueryAllBalancesResponse| (response.balances, response.pagination),
            )
            .await
    }
}
