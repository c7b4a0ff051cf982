//! The auth and bank queries as CosmJS reaches them (ABCI `Query` at gRPC method paths, answered
//! at the committed height), and genesis export of accounts and balances.

use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse, QueryAccountsRequest,
    QueryAccountsResponse,
};
use cosmos_sdk_proto::cosmos::bank::v1beta1::{
    QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse,
    QuerySupplyOfRequest, QuerySupplyOfResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse,
};
use cosmos_sdk_proto::cosmos::base::query::v1beta1::PageRequest;
use prost::Message;
use rampart_testkit::*;

fn query<Req: Message, Resp: Message + Default>(chain: &Chain, path: &str, req: Req) -> Resp {
    let answer = chain.driver.query(path, &req.encode_to_vec(), 0, false);
    assert_eq!(answer.code.value(), 0, "{path}: {}", answer.log);
    assert_eq!(
        answer.height.value(),
        chain.driver.height,
        "committed height"
    );
    Resp::decode(answer.value.as_ref()).expect("response decodes")
}

#[test]
fn accounts_answer_like_the_sdk_and_unknown_ones_are_not_found() {
    let key = Key::secp(51);
    let mut chain = Chain::new(&[&key]);
    let address = key.address().to_string();
    let resp: QueryAccountResponse = query(
        &chain,
        "/cosmos.auth.v1beta1.Query/Account",
        QueryAccountRequest {
            address: address.clone(),
        },
    );
    let any = resp.account.expect("account");
    assert_eq!(any.type_url, "/cosmos.auth.v1beta1.BaseAccount");
    let base = BaseAccount::decode(any.value.as_slice()).expect("BaseAccount");
    assert_eq!(base.address, address);
    assert!(base.pub_key.is_none(), "no key before the first signed tx");

    let to = Key::secp(52).address();
    let tx = TxBuilder::new(
        vec![msg_send(key.address(), to, vec![coin("1", DENOM)])],
        vec![chain.signer(&key)],
    );
    assert_eq!(chain.deliver_one(tx.build()).code.value(), 0);
    let resp: QueryAccountResponse = query(
        &chain,
        "/cosmos.auth.v1beta1.Query/Account",
        QueryAccountRequest { address },
    );
    let base =
        BaseAccount::decode(resp.account.expect("account").value.as_slice()).expect("BaseAccount");
    assert_eq!(base.sequence, 1);
    assert_eq!(
        base.pub_key.expect("key learned").type_url,
        "/cosmos.crypto.secp256k1.PubKey"
    );

    let unknown = Key::ed(53).address().to_string();
    let answer = chain.driver.query(
        "/cosmos.auth.v1beta1.Query/Account",
        &QueryAccountRequest {
            address: unknown.clone(),
        }
        .encode_to_vec(),
        0,
        false,
    );
    assert_eq!(answer.code.value(), 22);
    assert_eq!(
        answer.log,
        format!("rpc error: code = NotFound desc = account {unknown} not found: key not found")
    );

    // Genesis account, recipient, the genesis validator's operator and six module accounts
    // (fee collector, the two staking pools, mint, distribution, liquid): nine, two per page.
    let page: QueryAccountsResponse = query(
        &chain,
        "/cosmos.auth.v1beta1.Query/Accounts",
        QueryAccountsRequest {
            pagination: Some(PageRequest {
                limit: 2,
                count_total: true,
                ..Default::default()
            }),
        },
    );
    assert_eq!(page.accounts.len(), 2);
    let pagination = page.pagination.expect("pagination");
    assert_eq!(pagination.total, 9);
    assert!(!pagination.next_key.is_empty());
}

#[test]
fn balances_and_supply_answer_with_zero_for_absent_denoms() {
    let key = Key::ed(54);
    let chain = Chain::new(&[&key]);
    let address = key.address().to_string();
    let balance: QueryBalanceResponse = query(
        &chain,
        "/cosmos.bank.v1beta1.Query/Balance",
        QueryBalanceRequest {
            address: address.clone(),
            denom: "unknown".into(),
        },
    );
    assert_eq!(balance.balance.expect("always present").amount, "0");
    let all: QueryAllBalancesResponse = query(
        &chain,
        "/cosmos.bank.v1beta1.Query/AllBalances",
        QueryAllBalancesRequest {
            address,
            ..Default::default()
        },
    );
    let denoms: Vec<_> = all.balances.iter().map(|c| c.denom.as_str()).collect();
    assert_eq!(denoms, [OTHER, DENOM], "denom order");
    let supply: QueryTotalSupplyResponse = query(
        &chain,
        "/cosmos.bank.v1beta1.Query/TotalSupply",
        QueryTotalSupplyRequest::default(),
    );
    assert_eq!(supply.supply.len(), 2);
    let of: QuerySupplyOfResponse = query(
        &chain,
        "/cosmos.bank.v1beta1.Query/SupplyOf",
        QuerySupplyOfRequest {
            denom: DENOM.into(),
        },
    );
    assert_eq!(
        of.amount.expect("amount").amount,
        (FUNDS + rampart_app::testing::DEFAULT_STAKE).to_string()
    );
}

#[test]
fn exported_accounts_and_balances_start_an_identical_chain() {
    let key = Key::secp(55);
    let mut chain = Chain::new(&[&key]);
    let to = Key::secp(56).address();
    let tx = TxBuilder::new(
        vec![msg_send(key.address(), to, vec![coin("700", DENOM)])],
        vec![chain.signer(&key)],
    );
    assert_eq!(chain.deliver_one(tx.build()).code.value(), 0);
    let exported = chain.driver.app.export().expect("exports");
    let again = Chain::from_genesis(&exported, true);
    let snapshot = again.storage.snapshot();
    use rampart_auth::AuthRead;
    use rampart_bank::BankRead;
    assert_eq!(snapshot.balance(&to, DENOM).expect("reads").0, 700);
    let account = snapshot
        .account(&key.address())
        .expect("reads")
        .expect("exists");
    assert_eq!(account.sequence, 1, "sequences survive export");
    assert_eq!(
        Some(account.account_number),
        chain.account(&key.address()).map(|a| a.0)
    );
}
