//! Compatibility, second client path: an unmodified gRPC client (grpcurl, installed with
//! `go install` into the project tools dir) against a real localnet's rampartd, using only server
//! reflection — no .proto files on the client side. It lists the services, describes the account
//! types, reads balances and accounts, and calls every node-level service.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{ensure, Context, Result};
use rampart_tests::{height_timeout, Funding, TestNet};
use serde_json::{json, Value};

/// The pinned grpcurl module.
const GRPCURL_MODULE: &str = "github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3";

/// A valid account address nobody holds the key of (20 zero bytes); it only ever receives.
const EMPTY_ADDRESS: &str = "rampart1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqpjjh6";

/// Every service rampartd must list through reflection (grpcurl asks reflection v1, which lists
/// itself; v1alpha is served too, for older clients).
const SERVICES: &[&str] = &[
    "cosmos.auth.v1beta1.Query",
    "cosmos.bank.v1beta1.Query",
    "cosmos.base.tendermint.v1beta1.Service",
    "cosmos.consensus.v1.Query",
    "cosmos.distribution.v1beta1.Query",
    "cosmos.mint.v1beta1.Query",
    "cosmos.slashing.v1beta1.Query",
    "cosmos.staking.v1beta1.Query",
    "cosmos.tx.v1beta1.Service",
    "grpc.reflection.v1.ServerReflection",
    "rampart.chain.v1.Query",
];

/// `<tools>/grpcurl`, installed with `go install` when missing.
fn grpcurl() -> Result<PathBuf> {
    let tools = rampartd::cometbft::tools_dir();
    let bin = tools.join("grpcurl");
    if bin.is_file() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&tools).with_context(|| format!("creating {}", tools.display()))?;
    let output = Command::new("go")
        .args(["install", GRPCURL_MODULE])
        .env("GOBIN", &tools)
        .output()
        .context("running `go install` for grpcurl (is Go installed?)")?;
    ensure!(
        output.status.success() && bin.is_file(),
        "go install {GRPCURL_MODULE} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(bin)
}

/// One node's gRPC endpoint, driven through grpcurl.
struct Grpc {
    bin: PathBuf,
    address: String,
}

impl Grpc {
    fn run(&self, args: &[&str]) -> Result<(bool, String, String)> {
        let output = Command::new(&self.bin)
            .args(["-plaintext", "-max-time", "30"])
            .args(args)
            .output()
            .with_context(|| format!("running {}", self.bin.display()))?;
        Ok((
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    }

    /// `grpcurl <args> <address> <verb...>` that must succeed; returns stdout.
    fn ok(&self, verb: &[&str]) -> Result<String> {
        let mut args = vec![self.address.as_str()];
        args.extend_from_slice(verb);
        let (success, stdout, stderr) = self.run(&args)?;
        ensure!(success, "grpcurl {args:?} failed: {stderr}");
        Ok(stdout)
    }

    /// Calls `method` with the JSON `request`; the response as JSON.
    fn call(&self, method: &str, request: Value) -> Result<Value> {
        let data = request.to_string();
        let (success, stdout, stderr) = self.run(&["-d", &data, self.address.as_str(), method])?;
        ensure!(success, "{method} {data} failed: {stderr}");
        serde_json::from_str(&stdout).with_context(|| format!("{method} answered {stdout}"))
    }

    /// Calls `method`, which must fail; returns grpcurl's error text.
    fn fail(&self, method: &str, request: Value) -> Result<String> {
        let data = request.to_string();
        let (success, stdout, stderr) = self.run(&["-d", &data, self.address.as_str(), method])?;
        ensure!(!success, "{method} {data} unexpectedly answered {stdout}");
        Ok(stderr)
    }
}

/// Signs a MsgSend of `amount` from the faucet to `to` offline with unmodified CosmJS
/// (`tests/cosmjs/sign.mjs`); the TxRaw bytes in base64.
fn sign_send(
    funding: &Funding,
    chain_id: &str,
    account_number: &str,
    sequence: &str,
    to: &str,
    amount: &str,
) -> Result<String> {
    let dir = rampartd::cometbft::workspace_root()
        .join("tests")
        .join("cosmjs");
    let npm = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .output()
        .context("running npm ci (is Node.js with npm installed?)")?;
    ensure!(
        npm.status.success(),
        "npm ci failed: {}",
        String::from_utf8_lossy(&npm.stderr)
    );
    let fee = format!("5000{}", funding.denom);
    let output = Command::new("node")
        .arg("sign.mjs")
        .current_dir(&dir)
        .envs([
            ("RAMPART_MNEMONIC", funding.faucet.mnemonic.as_str()),
            ("RAMPART_CHAIN_ID", chain_id),
            ("RAMPART_ACCOUNT_NUMBER", account_number),
            ("RAMPART_SEQUENCE", sequence),
            ("RAMPART_TO", to),
            ("RAMPART_AMOUNT", amount),
            ("RAMPART_FEE", fee.as_str()),
        ])
        .output()
        .context("running node sign.mjs")?;
    ensure!(
        output.status.success(),
        "sign.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn start() -> Result<(TestNet, Grpc)> {
    let bin = grpcurl()?;
    let t = TestNet::start(1)?;
    let address = t.net.node(0)?.grpc.clone();
    Ok((t, Grpc { bin, address }))
}

/// Reflection lists every served service and describes the types found inside an `Any`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_grpc_reflection_lists_services_and_describes_any_types() -> Result<()> {
    let (t, grpc) = start()?;
    t.net.wait_for_height(2, height_timeout(2)).await?;

    let listed = grpc.ok(&["list"])?;
    let listed: Vec<&str> = listed.lines().map(str::trim).collect();
    for service in SERVICES {
        ensure!(listed.contains(service), "{service} not listed: {listed:?}");
    }
    let base_account = grpc.ok(&["describe", "cosmos.auth.v1beta1.BaseAccount"])?;
    for field in [
        "google.protobuf.Any pub_key = 2",
        "uint64 account_number = 3",
    ] {
        ensure!(
            base_account.contains(field),
            "{field} missing: {base_account}"
        );
    }
    for type_name in [
        "cosmos.auth.v1beta1.ModuleAccount",
        "cosmos.crypto.secp256k1.PubKey",
        "cosmos.crypto.ed25519.PubKey",
        "cosmos.bank.v1beta1.MsgSend",
    ] {
        grpc.ok(&["describe", type_name])?;
    }
    let simulate = grpc.ok(&["describe", "cosmos.tx.v1beta1.Service.Simulate"])?;
    ensure!(simulate.contains("SimulateRequest"), "{simulate}");
    Ok(())
}

/// The cosmpy flow over gRPC only: balances and accounts (printed through their `Any` type),
/// simulation with the deprecated `tx` field, BroadcastTx SYNC of a CosmJS-signed send, and
/// GetTx once it is committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_grpc_queries_simulates_broadcasts_and_gets_tx() -> Result<()> {
    let (t, grpc) = start()?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let chain_id = t.net.manifest().chain_id.clone();
    let funding = t.funding()?;
    let (faucet, denom) = (funding.faucet.address.as_str(), funding.denom.as_str());

    let balance = grpc.call(
        "cosmos.bank.v1beta1.Query/Balance",
        json!({"address": faucet, "denom": denom}),
    )?;
    let amount: u128 = balance["balance"]["amount"]
        .as_str()
        .and_then(|a| a.parse().ok())
        .with_context(|| format!("no balance amount in {balance}"))?;
    ensure!(amount > 0, "the faucet has no {denom}: {balance}");

    let empty = grpc.call(
        "cosmos.bank.v1beta1.Query/Balance",
        json!({"address": EMPTY_ADDRESS, "denom": denom}),
    )?;
    ensure!(
        empty["balance"] == json!({"denom": denom, "amount": "0"}),
        "{empty}"
    );

    let supply = grpc.call("cosmos.bank.v1beta1.Query/TotalSupply", json!({}))?;
    ensure!(
        supply["supply"].as_array().is_some_and(|s| !s.is_empty()),
        "{supply}"
    );

    let account = grpc.call(
        "cosmos.auth.v1beta1.Query/Account",
        json!({"address": faucet}),
    )?;
    ensure!(
        account["account"]["@type"] == "/cosmos.auth.v1beta1.BaseAccount"
            && account["account"]["address"] == faucet,
        "{account}"
    );
    // Simulation as cosmpy sends it: the deprecated `tx` field, sign mode UNSPECIFIED, no
    // signature, zero fee and gas; the message travels in an Any that reflection must resolve.
    let sequence = account["account"]["sequence"].as_str().unwrap_or("0");
    let simulated = grpc.call(
        "cosmos.tx.v1beta1.Service/Simulate",
        json!({"tx": {
            "body": {"messages": [{
                "@type": "/cosmos.bank.v1beta1.MsgSend",
                "from_address": faucet,
                "to_address": EMPTY_ADDRESS,
                "amount": [{"denom": denom, "amount": "1"}],
            }]},
            "auth_info": {
                "signer_infos": [{
                    "mode_info": {"single": {"mode": "SIGN_MODE_UNSPECIFIED"}},
                    "sequence": sequence,
                }],
                "fee": {},
            },
            "signatures": [""],
        }}),
    )?;
    let gas_used: u64 = simulated["gasInfo"]["gasUsed"]
        .as_str()
        .and_then(|g| g.parse().ok())
        .with_context(|| format!("no gas used in {simulated}"))?;
    ensure!(gas_used > 0, "{simulated}");
    ensure!(
        simulated["result"]["msgResponses"][0]["@type"] == "/cosmos.bank.v1beta1.MsgSendResponse",
        "{simulated}"
    );

    let missing = grpc.fail(
        "cosmos.auth.v1beta1.Query/Account",
        json!({"address": EMPTY_ADDRESS}),
    )?;
    ensure!(
        missing.contains("NotFound") && missing.contains("key not found"),
        "{missing}"
    );

    let account_number = account["account"]["accountNumber"].as_str().unwrap_or("0");
    let amount = format!("777{denom}");
    let tx_bytes = sign_send(
        &funding,
        &chain_id,
        account_number,
        sequence,
        EMPTY_ADDRESS,
        &amount,
    )?;
    let broadcast = grpc.call(
        "cosmos.tx.v1beta1.Service/BroadcastTx",
        json!({"tx_bytes": tx_bytes, "mode": "BROADCAST_MODE_SYNC"}),
    )?;
    ensure!(
        broadcast["txResponse"].get("code").is_none(),
        "CheckTx rejected the send: {broadcast}"
    );
    let hash = broadcast["txResponse"]["txhash"]
        .as_str()
        .with_context(|| format!("no txhash in {broadcast}"))?
        .to_string();

    // Not found until a block includes it.
    let deadline = std::time::Instant::now() + height_timeout(3);
    let found = loop {
        let (success, stdout, stderr) = grpc.run(&[
            "-d",
            &json!({ "hash": hash }).to_string(),
            grpc.address.as_str(),
            "cosmos.tx.v1beta1.Service/GetTx",
        ])?;
        if success {
            break serde_json::from_str::<Value>(&stdout)?;
        }
        ensure!(stderr.contains("NotFound"), "GetTx {hash}: {stderr}");
        ensure!(
            std::time::Instant::now() < deadline,
            "{hash} was not committed in time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    let response = &found["txResponse"];
    ensure!(
        response.get("code").is_none()
            && response["txhash"] == hash.as_str()
            && response["timestamp"]
                .as_str()
                .is_some_and(|s| s.ends_with('Z'))
            && response["tx"]["@type"] == "/cosmos.tx.v1beta1.Tx",
        "{found}"
    );
    ensure!(
        found["tx"]["body"]["messages"][0]["@type"] == "/cosmos.bank.v1beta1.MsgSend",
        "{found}"
    );
    // `data` is the upper-hex TxMsgData, which names the message response type.
    let response_type: String = "/cosmos.bank.v1beta1.MsgSendResponse"
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect();
    ensure!(
        response["data"]
            .as_str()
            .is_some_and(|d| d.contains(&response_type)),
        "{found}"
    );
    let has_event = |kind: &str| {
        response["events"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|event| event["type"] == kind)
    };
    // The localnet indexes `transfer.recipient` but not `coin_received.receiver`
    // (`rampart_localnet::config::INDEXED_EVENTS`): both are in the result, one finds it.
    for kind in ["transfer", "coin_received"] {
        ensure!(has_event(kind), "no {kind} event in {found}");
    }
    let search = |query: String| {
        grpc.call(
            "cosmos.tx.v1beta1.Service/GetTxsEvent",
            json!({ "query": query }),
        )
    };
    let by_recipient = search(format!("transfer.recipient='{EMPTY_ADDRESS}'"))?;
    ensure!(
        by_recipient["txResponses"]
            .as_array()
            .is_some_and(|txs| txs.iter().any(|tx| tx["txhash"] == hash.as_str())),
        "transfer.recipient does not find {hash}: {by_recipient}"
    );
    let by_receiver = search(format!("coin_received.receiver='{EMPTY_ADDRESS}'"))?;
    ensure!(
        by_receiver["txResponses"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "coin_received.receiver is not indexed, yet found: {by_receiver}"
    );
    let received = grpc.call(
        "cosmos.bank.v1beta1.Query/Balance",
        json!({"address": EMPTY_ADDRESS, "denom": denom}),
    )?;
    ensure!(received["balance"]["amount"] == "777", "{received}");
    Ok(())
}

/// The node-level services answer from CometBFT; bad requests get clear statuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_grpc_node_services_answer_from_cometbft() -> Result<()> {
    let (t, grpc) = start()?;
    t.net.wait_for_height(2, height_timeout(2)).await?;
    let chain_id = t.net.manifest().chain_id.clone();

    let info = grpc.call(
        "cosmos.base.tendermint.v1beta1.Service/GetNodeInfo",
        json!({}),
    )?;
    ensure!(
        info["defaultNodeInfo"]["network"] == chain_id.as_str()
            && info["applicationVersion"]["appName"] == "rampartd",
        "{info}"
    );
    let syncing = grpc.call(
        "cosmos.base.tendermint.v1beta1.Service/GetSyncing",
        json!({}),
    )?;
    ensure!(
        syncing.get("syncing").is_none_or(|s| s == false),
        "{syncing}"
    );

    let latest = grpc.call(
        "cosmos.base.tendermint.v1beta1.Service/GetLatestBlock",
        json!({}),
    )?;
    let height: u64 = latest["block"]["header"]["height"]
        .as_str()
        .and_then(|h| h.parse().ok())
        .with_context(|| format!("no height in {latest}"))?;
    ensure!(height >= 2, "{latest}");
    ensure!(
        latest["sdkBlock"]["header"]["proposerAddress"]
            .as_str()
            .is_some_and(|a| a.starts_with("rampartvalcons1")),
        "{latest}"
    );
    ensure!(latest["blockId"]["hash"].is_string(), "{latest}");

    let params = grpc.call("cosmos.consensus.v1.Query/Params", json!({}))?;
    ensure!(
        params["params"]["block"]["maxBytes"].is_string(),
        "{params}"
    );

    let unknown = grpc.fail(
        "cosmos.tx.v1beta1.Service/GetTx",
        json!({"hash": "AB".repeat(32)}),
    )?;
    ensure!(unknown.contains("NotFound"), "{unknown}");
    let bad_hash = grpc.fail("cosmos.tx.v1beta1.Service/GetTx", json!({"hash": "xyz"}))?;
    ensure!(bad_hash.contains("InvalidArgument"), "{bad_hash}");

    let garbage_simulation = grpc.fail(
        "cosmos.tx.v1beta1.Service/Simulate",
        json!({"tx_bytes": "Z2FyYmFnZQ=="}),
    )?;
    ensure!(
        garbage_simulation.contains("InvalidArgument"),
        "{garbage_simulation}"
    );

    // "garbage" in base64: not a transaction, rejected by CheckTx with a decode error.
    let garbage = "Z2FyYmFnZQ==";
    let block_mode = grpc.fail(
        "cosmos.tx.v1beta1.Service/BroadcastTx",
        json!({"tx_bytes": garbage, "mode": "BROADCAST_MODE_BLOCK"}),
    )?;
    ensure!(
        block_mode.contains("InvalidArgument") && block_mode.contains("unsupported"),
        "{block_mode}"
    );
    let sync = grpc.call(
        "cosmos.tx.v1beta1.Service/BroadcastTx",
        json!({"tx_bytes": garbage, "mode": "BROADCAST_MODE_SYNC"}),
    )?;
    ensure!(
        sync["txResponse"]["code"] == 2 && sync["txResponse"]["codespace"] == "sdk",
        "garbage must fail CheckTx with sdk/2: {sync}"
    );
    ensure!(
        sync["txResponse"]["txhash"]
            .as_str()
            .is_some_and(|h| h.len() == 64),
        "{sync}"
    );
    Ok(())
}
