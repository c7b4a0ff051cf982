//! The REST API against a real localnet (CometBFT + rampartd): every query answered over REST
//! is the answer gRPC gives (one table, both decoded with the node's descriptor set and compared
//! at one pinned height), bad input gets the gateway's error bodies and statuses, unmodified
//! cosmpy (pinned in `tests/cosmpy/requirements.txt`, installed into a project-local venv) sends
//! and reads a transfer through REST only, and the Keplr chain info the localnet writes validates
//! against Keplr's documented shape with prefixes the chain's own addresses carry.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::{anyhow, ensure, Context, Result};
use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, MethodDescriptor};
use rampart_tests::{grpc, height_timeout, run, TestNet};
use serde_json::{json, Value};

/// A valid account address nobody holds the key of (20 zero bytes).
const EMPTY_ADDRESS: &str = "rampart1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqpjjh6";

/// One HTTP answer.
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body)
            .with_context(|| format!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// A REST endpoint, spoken to with plain HTTP/1.1 (one connection per request).
struct Rest {
    address: String,
}

impl Rest {
    /// Sends `method path` with `headers` and `body`; the status, head and body of the answer.
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Reply> {
        let mut stream = std::net::TcpStream::connect(&self.address)?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.address
        );
        let announces_length = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
        if !announces_length {
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        for (key, value) in headers {
            request.push_str(&format!("{key}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes())?;
        stream.write_all(body)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| anyhow!("no HTTP head in {}", String::from_utf8_lossy(&raw)))?;
        let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("no status in {head}"))?;
        Ok(Reply {
            status,
            head,
            body: raw[split + 4..].to_vec(),
        })
    }

    fn get(&self, path: &str, height: Option<u64>) -> Result<Reply> {
        let height = height.map(|h| h.to_string());
        let headers: Vec<(&str, &str)> = height
            .iter()
            .map(|h| ("x-cosmos-block-height", h.as_str()))
            .collect();
        self.send("GET", path, &headers, b"")
    }

    fn post(&self, path: &str, body: &Value) -> Result<Reply> {
        let body = body.to_string();
        self.send(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
    }
}

fn method(pool: &DescriptorPool, path: &str) -> Result<MethodDescriptor> {
    let (service, name) = path
        .trim_start_matches('/')
        .split_once('/')
        .ok_or_else(|| anyhow!("bad method {path}"))?;
    pool.get_service_by_name(service)
        .and_then(|s| s.methods().find(|m| m.name() == name))
        .ok_or_else(|| anyhow!("{path} not in the descriptor set"))
}

/// One row of the table: a REST call and the gRPC call that must answer the same.
struct Case {
    /// `GET /path?query` or `POST /path`.
    rest: String,
    /// The gRPC method path.
    grpc: &'static str,
    /// The gRPC request (and the POST body) as proto-JSON.
    request: Value,
    /// The HTTP status REST must answer with.
    status: u16,
}

fn case(rest: impl Into<String>, grpc: &'static str, request: Value) -> Case {
    Case {
        rest: rest.into(),
        grpc,
        request,
        status: 200,
    }
}

/// Runs `case` over both transports and compares the decoded answers (or the errors' codes and
/// messages); node-service answers that move with the chain (the latest block) are retried.
async fn compare(
    rest: &Rest,
    grpc_address: &str,
    pool: &DescriptorPool,
    case: &Case,
    height: u64,
) -> Result<()> {
    let method = method(pool, case.grpc)?;
    let pinned = (!rampartd::services::PATHS.contains(&case.grpc)).then_some(height);
    let request = DynamicMessage::deserialize(method.input(), case.request.clone())?;
    let mut last = String::new();
    for _ in 0..5 {
        let by_grpc = grpc::call(grpc_address, case.grpc, request.encode_to_vec(), pinned).await?;
        let reply = match case.rest.split_once(' ') {
            Some(("POST", path)) => rest.post(path, &case.request)?,
            Some((_, path)) => rest.get(path, pinned)?,
            None => return Err(anyhow!("bad case {}", case.rest)),
        };
        ensure!(
            reply.status == case.status,
            "{}: HTTP {} (want {}): {}",
            case.rest,
            reply.status,
            case.status,
            String::from_utf8_lossy(&reply.body)
        );
        let body = reply.json()?;
        match by_grpc {
            Ok(bytes) => {
                // Both decoded with the descriptor set (REST strictly: no unknown fields) and
                // written back with one serializer, so `Any` values compare by content.
                let over_grpc = DynamicMessage::decode(method.output(), bytes.as_slice())?;
                let over_rest = DynamicMessage::deserialize(method.output(), body.clone())
                    .with_context(|| format!("{}: {body}", case.rest))?;
                let (over_grpc, over_rest) = (normal(&over_grpc)?, normal(&over_rest)?);
                if over_grpc == over_rest {
                    return Ok(());
                }
                last = format!("gRPC {over_grpc}\nREST {over_rest}");
            }
            Err(status) => {
                ensure!(
                    body == json!({"code": status.code() as i32, "message": status.message(), "details": []}),
                    "{}: gRPC failed with {status:?}, REST answered {body}",
                    case.rest
                );
                return Ok(());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    Err(anyhow!("{} and {} disagree:\n{last}", case.rest, case.grpc))
}

/// `message` as proto-JSON (proto field names, every field), for comparing answers.
fn normal(message: &DynamicMessage) -> Result<Value> {
    let options = prost_reflect::SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(false);
    Ok(message.serialize_with_options(serde_json::value::Serializer, &options)?)
}

/// `tests/cosmpy/.venv/bin/python` with the pinned cosmpy installed (once per test binary).
fn cosmpy_python() -> Result<PathBuf> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let dir = rampartd::cometbft::workspace_root()
                .join("tests")
                .join("cosmpy");
            let python = dir.join(".venv").join("bin").join("python");
            let install = || -> Result<PathBuf> {
                if !python.is_file() {
                    run(&dir, "python3", &["-m", "venv", ".venv"], &[])?;
                }
                let pip = [
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "-q",
                    "-r",
                    "requirements.txt",
                ];
                run(&dir, &python.to_string_lossy(), &pip, &[])?;
                Ok(python.clone())
            };
            install()
                .map_err(|e| format!("installing cosmpy (is Python 3 with venv installed?): {e:#}"))
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

/// The bech32 prefix of `address`.
fn hrp(address: &str) -> &str {
    address.rsplit_once('1').map_or("", |(hrp, _)| hrp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_api_answers_like_grpc_serves_cosmpy_and_describes_the_chain() -> Result<()> {
    let python = cosmpy_python()?;
    let t = TestNet::start(1)?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let node = t.net.node(0)?.clone();
    let rest_url = node
        .rest
        .clone()
        .context("node0 has no REST URL in localnet.json")?;
    let rest = Rest {
        address: rest_url.trim_start_matches("http://").to_string(),
    };
    let pool = rampartd::rest::pool()?;
    let funding = t.funding()?;
    let (faucet, denom) = (funding.faucet.address.clone(), funding.denom.clone());
    let chain_id = t.net.manifest().chain_id.clone();

    // cosmpy over REST only: balance, account, simulate, broadcast, GetTx, balances.
    let chain_info_path = t.home().join(rampartd::chain_info::KEPLR_FILE);
    let output = run(
        &rampartd::cometbft::workspace_root()
            .join("tests")
            .join("cosmpy"),
        &python.to_string_lossy(),
        &["rest_client.py"],
        &[
            ("RAMPART_REST", rest_url.as_str()),
            ("RAMPART_CHAIN_ID", chain_id.as_str()),
            ("RAMPART_MNEMONIC", funding.faucet.mnemonic.as_str()),
            ("RAMPART_ADDRESS", faucet.as_str()),
            ("RAMPART_DENOM", denom.as_str()),
            ("RAMPART_PREFIX", funding.bech32_prefix.as_str()),
            ("RAMPART_CHAIN_INFO", &chain_info_path.to_string_lossy()),
        ],
    )?;
    println!("{output}");
    let cosmpy: Value = serde_json::from_str(output.lines().last().unwrap_or_default())?;
    ensure!(
        cosmpy["received"] == 12345 && cosmpy["code"] == 0,
        "{cosmpy}"
    );
    ensure!(cosmpy["chain_info_valid"] == true, "{cosmpy}");
    let txhash = cosmpy["txhash"].as_str().context("no txhash")?.to_string();
    let receiver = cosmpy["receiver"]
        .as_str()
        .context("no receiver")?
        .to_string();

    // Addresses the chain produces, for the table and the prefixes.
    let validators = rest
        .get("/cosmos/staking/v1beta1/validators", None)?
        .json()?;
    let operator = validators["validators"][0]["operator_address"]
        .as_str()
        .context("no validator")?
        .to_string();
    let delegations = rest
        .get(
            &format!("/cosmos/staking/v1beta1/validators/{operator}/delegations"),
            None,
        )?
        .json()?;
    let delegator = delegations["delegation_responses"][0]["delegation"]["delegator_address"]
        .as_str()
        .context("no self-delegation")?
        .to_string();
    let infos = rest
        .get("/cosmos/slashing/v1beta1/signing_infos", None)?
        .json()?;
    let consensus = infos["info"][0]["address"]
        .as_str()
        .context("no signing info")?
        .to_string();
    let latest = rest
        .get("/cosmos/base/tendermint/v1beta1/blocks/latest", None)?
        .json()?;
    // CometBFT stores block H before the app commits it, so H may not be queryable yet; H − 1
    // always is (CI once asked for H a moment too early: "height 5 is not committed").
    let height: u64 = latest["block"]["header"]["height"]
        .as_str()
        .and_then(|h| h.parse::<u64>().ok())
        .and_then(|h| h.checked_sub(1))
        .context("no height")?;

    let simulate = json!({"tx": {
        "body": {"messages": [{"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": faucet,
                               "to_address": EMPTY_ADDRESS, "amount": [{"denom": denom, "amount": "1"}]}]},
        "auth_info": {"signer_infos": [{"mode_info": {"single": {"mode": "SIGN_MODE_UNSPECIFIED"}},
                                         "sequence": cosmpy["sequence"].as_u64().unwrap_or(0) + 1}],
                      "fee": {}},
        "signatures": [""]}});
    let search = format!("transfer.recipient='{receiver}'");
    let search_in_url = search.replace('=', "%3D").replace('\'', "%27");
    let cases = vec![
        case(format!("GET /cosmos/auth/v1beta1/accounts/{faucet}"), "/cosmos.auth.v1beta1.Query/Account", json!({"address": faucet})),
        case("GET /cosmos/auth/v1beta1/accounts?pagination.limit=2&pagination.count_total=true", "/cosmos.auth.v1beta1.Query/Accounts", json!({"pagination": {"limit": "2", "count_total": true}})),
        case("GET /cosmos/auth/v1beta1/accounts?pagination.offset=1&pagination.limit=1&pagination.reverse=true", "/cosmos.auth.v1beta1.Query/Accounts", json!({"pagination": {"offset": "1", "limit": "1", "reverse": true}})),
        case("GET /cosmos/auth/v1beta1/params", "/cosmos.auth.v1beta1.Query/Params", json!({})),
        case(format!("GET /cosmos/bank/v1beta1/balances/{receiver}"), "/cosmos.bank.v1beta1.Query/AllBalances", json!({"address": receiver})),
        case(format!("GET /cosmos/bank/v1beta1/balances/{faucet}/by_denom?denom={denom}"), "/cosmos.bank.v1beta1.Query/Balance", json!({"address": faucet, "denom": denom})),
        case("GET /cosmos/bank/v1beta1/supply", "/cosmos.bank.v1beta1.Query/TotalSupply", json!({})),
        case(format!("GET /cosmos/bank/v1beta1/supply/by_denom?denom={denom}"), "/cosmos.bank.v1beta1.Query/SupplyOf", json!({"denom": denom})),
        case("GET /cosmos/bank/v1beta1/params", "/cosmos.bank.v1beta1.Query/Params", json!({})),
        case("GET /cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED", "/cosmos.staking.v1beta1.Query/Validators", json!({"status": "BOND_STATUS_BONDED"})),
        case(format!("GET /cosmos/staking/v1beta1/validators/{operator}"), "/cosmos.staking.v1beta1.Query/Validator", json!({"validator_addr": operator})),
        case(format!("GET /cosmos/staking/v1beta1/validators/{operator}/delegations"), "/cosmos.staking.v1beta1.Query/ValidatorDelegations", json!({"validator_addr": operator})),
        case(format!("GET /cosmos/staking/v1beta1/validators/{operator}/unbonding_delegations"), "/cosmos.staking.v1beta1.Query/ValidatorUnbondingDelegations", json!({"validator_addr": operator})),
        case(format!("GET /cosmos/staking/v1beta1/validators/{operator}/delegations/{delegator}"), "/cosmos.staking.v1beta1.Query/Delegation", json!({"validator_addr": operator, "delegator_addr": delegator})),
        case(format!("GET /cosmos/staking/v1beta1/delegations/{delegator}"), "/cosmos.staking.v1beta1.Query/DelegatorDelegations", json!({"delegator_addr": delegator})),
        case(format!("GET /cosmos/staking/v1beta1/delegators/{delegator}/unbonding_delegations"), "/cosmos.staking.v1beta1.Query/DelegatorUnbondingDelegations", json!({"delegator_addr": delegator})),
        case(format!("GET /cosmos/staking/v1beta1/delegators/{delegator}/redelegations"), "/cosmos.staking.v1beta1.Query/Redelegations", json!({"delegator_addr": delegator})),
        case(format!("GET /cosmos/staking/v1beta1/delegators/{delegator}/validators"), "/cosmos.staking.v1beta1.Query/DelegatorValidators", json!({"delegator_addr": delegator})),
        case(format!("GET /cosmos/staking/v1beta1/historical_info/{height}"), "/cosmos.staking.v1beta1.Query/HistoricalInfo", json!({"height": height.to_string()})),
        case("GET /cosmos/staking/v1beta1/pool", "/cosmos.staking.v1beta1.Query/Pool", json!({})),
        case("GET /cosmos/staking/v1beta1/params", "/cosmos.staking.v1beta1.Query/Params", json!({})),
        case(format!("GET /cosmos/distribution/v1beta1/delegators/{delegator}/rewards"), "/cosmos.distribution.v1beta1.Query/DelegationTotalRewards", json!({"delegator_address": delegator})),
        case(format!("GET /cosmos/distribution/v1beta1/delegators/{delegator}/rewards/{operator}"), "/cosmos.distribution.v1beta1.Query/DelegationRewards", json!({"delegator_address": delegator, "validator_address": operator})),
        case(format!("GET /cosmos/distribution/v1beta1/delegators/{delegator}/withdraw_address"), "/cosmos.distribution.v1beta1.Query/DelegatorWithdrawAddress", json!({"delegator_address": delegator})),
        case(format!("GET /cosmos/distribution/v1beta1/validators/{operator}/outstanding_rewards"), "/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards", json!({"validator_address": operator})),
        case(format!("GET /cosmos/distribution/v1beta1/validators/{operator}/commission"), "/cosmos.distribution.v1beta1.Query/ValidatorCommission", json!({"validator_address": operator})),
        case("GET /cosmos/distribution/v1beta1/community_pool", "/cosmos.distribution.v1beta1.Query/CommunityPool", json!({})),
        case("GET /cosmos/distribution/v1beta1/params", "/cosmos.distribution.v1beta1.Query/Params", json!({})),
        case("GET /cosmos/mint/v1beta1/inflation", "/cosmos.mint.v1beta1.Query/Inflation", json!({})),
        case("GET /cosmos/mint/v1beta1/annual_provisions", "/cosmos.mint.v1beta1.Query/AnnualProvisions", json!({})),
        case("GET /cosmos/slashing/v1beta1/signing_infos", "/cosmos.slashing.v1beta1.Query/SigningInfos", json!({})),
        case(format!("GET /cosmos/slashing/v1beta1/signing_infos/{consensus}"), "/cosmos.slashing.v1beta1.Query/SigningInfo", json!({"cons_address": consensus})),
        case("GET /cosmos/slashing/v1beta1/params", "/cosmos.slashing.v1beta1.Query/Params", json!({})),
        case("GET /cosmos/consensus/v1/params", "/cosmos.consensus.v1.Query/Params", json!({})),
        case("GET /cosmos/base/tendermint/v1beta1/node_info", "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo", json!({})),
        case("GET /cosmos/base/tendermint/v1beta1/syncing", "/cosmos.base.tendermint.v1beta1.Service/GetSyncing", json!({})),
        case("GET /cosmos/base/tendermint/v1beta1/blocks/latest", "/cosmos.base.tendermint.v1beta1.Service/GetLatestBlock", json!({})),
        case(format!("GET /cosmos/tx/v1beta1/txs/{txhash}"), "/cosmos.tx.v1beta1.Service/GetTx", json!({"hash": txhash})),
        case(format!("GET /cosmos/tx/v1beta1/txs?query={search_in_url}"), "/cosmos.tx.v1beta1.Service/GetTxsEvent", json!({"query": search})),
        case(format!("GET /cosmos/tx/v1beta1/txs?events={search_in_url}&pagination.limit=5"), "/cosmos.tx.v1beta1.Service/GetTxsEvent", json!({"events": [search], "pagination": {"limit": "5"}})),
        case("POST /cosmos/tx/v1beta1/simulate", "/cosmos.tx.v1beta1.Service/Simulate", simulate),
        case("GET /rampart/chain/v1/chain_info", "/rampart.chain.v1.Query/ChainInfo", json!({})),
        case("GET /rampart/consumer/v1/consumers?pagination.limit=10", "/rampart.consumer.v1.Query/Consumers", json!({"pagination": {"limit": "10"}})),
        case("GET /rampart/consumer/v1/params", "/rampart.consumer.v1.Query/Params", json!({})),
        case(format!("GET /rampart/restaking/v1/validators/{operator}/pledges"), "/rampart.restaking.v1.Query/ValidatorPledges", json!({"validator": operator})),
        case(format!("GET /rampart/restaking/v1/validators/{operator}/exposure"), "/rampart.restaking.v1.Query/ValidatorExposure", json!({"validator": operator})),
        case("GET /rampart/restaking/v1/params", "/rampart.restaking.v1.Query/Params", json!({})),
        // Errors: the same gRPC code and message, with the gateway's HTTP status (the registry's
        // `consumer/5` is INVALID_ARGUMENT over gRPC, so 400).
        Case { status: 400, ..case("GET /rampart/restaking/v1/security_report/7", "/rampart.restaking.v1.Query/SecurityReport", json!({"consumer_id": "7"})) },
        Case { status: 400, ..case("GET /rampart/consumer/v1/consumers/7", "/rampart.consumer.v1.Query/Consumer", json!({"consumer_id": "7"})) },
        Case { status: 404, ..case(format!("GET /cosmos/auth/v1beta1/accounts/{EMPTY_ADDRESS}"), "/cosmos.auth.v1beta1.Query/Account", json!({"address": EMPTY_ADDRESS})) },
        Case { status: 400, ..case("GET /cosmos/bank/v1beta1/balances/rampart1notanaddress", "/cosmos.bank.v1beta1.Query/AllBalances", json!({"address": "rampart1notanaddress"})) },
        Case { status: 400, ..case("GET /cosmos/staking/v1beta1/validators/cosmosvaloper1xyz", "/cosmos.staking.v1beta1.Query/Validator", json!({"validator_addr": "cosmosvaloper1xyz"})) },
        Case { status: 404, ..case(format!("GET /cosmos/tx/v1beta1/txs/{}", "AB".repeat(32)), "/cosmos.tx.v1beta1.Service/GetTx", json!({"hash": "AB".repeat(32)})) },
        Case { status: 400, ..case("GET /cosmos/tx/v1beta1/txs", "/cosmos.tx.v1beta1.Service/GetTxsEvent", json!({})) },
    ];
    for case in &cases {
        compare(&rest, &node.grpc, &pool, case, height).await?;
    }

    // Bad input that gRPC cannot even express: the gateway's statuses and bodies, never a 500.
    let expect = |reply: Reply, status: u16, code: i32, text: &str| -> Result<()> {
        let body = reply.json()?;
        ensure!(
            reply.status == status && body["code"] == code && body["details"] == json!([]),
            "want {status}/{code}: {} {body}",
            reply.status
        );
        ensure!(
            body["message"].as_str().is_some_and(|m| m.contains(text)),
            "want {text:?} in {body}"
        );
        Ok(())
    };
    expect(rest.get("/cosmos/no/such/path", None)?, 404, 5, "Not Found")?;
    expect(
        rest.get("/cosmos/auth/v1beta1/accounts?pagination.limit=ten", None)?,
        400,
        3,
        "limit",
    )?;
    expect(
        rest.get("/cosmos/auth/v1beta1/accounts?pagination.key=***", None)?,
        400,
        3,
        "key",
    )?;
    expect(
        rest.send(
            "GET",
            "/cosmos/auth/v1beta1/params",
            &[("x-cosmos-block-height", "abc")],
            b"",
        )?,
        400,
        3,
        "height",
    )?;
    expect(
        rest.send("DELETE", "/cosmos/auth/v1beta1/params", &[], b"")?,
        405,
        12,
        "Method Not Allowed",
    )?;
    expect(
        rest.send(
            "POST",
            "/cosmos/tx/v1beta1/txs",
            &[("Content-Length", "3000000")],
            b"",
        )?,
        413,
        8,
        "larger than",
    )?;
    expect(
        rest.post(
            "/cosmos/tx/v1beta1/txs",
            &json!({"tx_bytes": "not base64!", "mode": "BROADCAST_MODE_SYNC"}),
        )?,
        400,
        3,
        "invalid base64",
    )?;
    expect(
        rest.send(
            "POST",
            "/cosmos/tx/v1beta1/simulate",
            &[],
            b"{\"tx_bytes\":",
        )?,
        400,
        3,
        "JSON",
    )?;
    expect(
        rest.post(
            "/cosmos/tx/v1beta1/simulate",
            &json!({"tx_bytes": "Z2FyYmFnZQ=="}),
        )?,
        400,
        3,
        "",
    )?;
    // Bytes that decode from base64 but are no transaction: CheckTx's decode error, as over gRPC.
    let garbage = rest.post(
        "/cosmos/tx/v1beta1/txs",
        &json!({"tx_bytes": "Z2FyYmFnZQ==", "mode": "BROADCAST_MODE_SYNC"}),
    )?;
    let body = garbage.json()?;
    ensure!(
        garbage.status == 200
            && body["tx_response"]["code"] == 2
            && body["tx_response"]["codespace"] == "sdk",
        "{body}"
    );

    // Heights come back in the gateway's header; CORS lets any origin in on the localnet.
    let pinned = rest.get("/cosmos/bank/v1beta1/params", Some(height))?;
    ensure!(
        pinned
            .head
            .contains(&format!("grpc-metadata-x-cosmos-block-height: {height}")),
        "{}",
        pinned.head
    );
    let preflight = rest.send(
        "OPTIONS",
        "/cosmos/tx/v1beta1/txs",
        &[
            ("Origin", "chrome-extension://wallet"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    )?;
    ensure!(
        preflight.status == 204 && preflight.head.contains("access-control-allow-origin: *"),
        "{}",
        preflight.head
    );

    // The Keplr chain info the localnet wrote (validated by cosmpy's run against the schema) is
    // what `rampartd chain-info` prints, and its prefixes are those of the chain's addresses.
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&chain_info_path)?)?;
    let registry = tempfile::tempdir()?;
    let printed = run(
        &t.home(),
        &t.binaries.rampartd.to_string_lossy(),
        &[
            "chain-info",
            "--home",
            &node.home.to_string_lossy(),
            "--registry",
            &registry.path().to_string_lossy(),
        ],
        &[],
    )?;
    ensure!(
        serde_json::from_str::<Value>(&printed)? == written,
        "{printed}"
    );
    let bech32 = &written["bech32Config"];
    for (field, address) in [
        ("bech32PrefixAccAddr", &faucet),
        ("bech32PrefixValAddr", &operator),
        ("bech32PrefixConsAddr", &consensus),
    ] {
        ensure!(
            bech32[field] == hrp(address),
            "{field} {} vs {address}",
            bech32[field]
        );
        let public = field.replace("Addr", "Pub");
        ensure!(
            bech32[&public] == format!("{}pub", hrp(address)),
            "{public}: {bech32}"
        );
    }
    ensure!(
        written["chainId"] == chain_id.as_str()
            && written["rest"] == rest_url.as_str()
            && written["rpc"] == node.rpc.as_str(),
        "{written}"
    );
    ensure!(
        written["stakeCurrency"]["coinMinimalDenom"] == denom.as_str()
            && written["bip44"]["coinType"] == 118,
        "{written}"
    );
    let chain: Value = serde_json::from_str(&std::fs::read_to_string(
        registry.path().join("chain.json"),
    )?)?;
    let assets: Value = serde_json::from_str(&std::fs::read_to_string(
        registry.path().join("assetlist.json"),
    )?)?;
    ensure!(
        chain["chain_id"] == chain_id.as_str()
            && chain["bech32_prefix"] == hrp(&faucet)
            && chain["slip44"] == 118,
        "{chain}"
    );
    ensure!(
        assets["assets"][0]["base"] == denom.as_str()
            && assets["chain_name"] == chain["chain_name"],
        "{assets}"
    );
    Ok(())
}
