//! `cosmos.auth.v1beta1.Query`.

use anyhow::{anyhow, Context};
use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use prost::Message;
use rampart_auth::account::BASE_ACCOUNT_TYPE_URL;
use rampart_auth::urls::QUERY_ACCOUNT;

use crate::rpc::is_not_found;
use crate::NodeClient;

/// The auth queries of one node ([`NodeClient::auth`]).
#[derive(Debug, Clone, Copy)]
pub struct AuthQueries<'a> {
    pub(crate) node: &'a NodeClient,
}

impl AuthQueries<'_> {
    /// The `BaseAccount` at `address`, or `None` when the chain does not know it.
    pub async fn account(&self, address: &str) -> anyhow::Result<Option<BaseAccount>> {
        let request = QueryAccountRequest {
            address: address.to_owned(),
        };
        let response: QueryAccountResponse =
            match self.node.grpc_query(QUERY_ACCOUNT, &request).await {
                Ok(response) => response,
                Err(e) if is_not_found(&e) => return Ok(None),
                Err(e) => return Err(e),
            };
        let any = response
            .account
            .ok_or_else(|| anyhow!("the node answered Account without an account"))?;
        if any.type_url != BASE_ACCOUNT_TYPE_URL {
            return Err(anyhow!(
                "account {address} is a {}, not a {BASE_ACCOUNT_TYPE_URL}",
                any.type_url
            ));
        }
        BaseAccount::decode(any.value.as_slice())
            .map(Some)
            .context("cannot decode BaseAccount")
    }
}
