// Runs unmodified CosmJS (@cosmjs/stargate 0.39) against a running Rampart node.
//
// Configuration (environment):
//   RAMPART_RPC        CometBFT RPC URL of one node, e.g. http://127.0.0.1:26657
//   RAMPART_CHAIN_ID   the chain id
//   RAMPART_MNEMONIC   mnemonic of a funded account (the localnet faucet)
//   RAMPART_ADDRESS    optional: the address the mnemonic must give
//   RAMPART_DENOM      fee and transfer denom (default uramp)
//   RAMPART_PREFIX     bech32 account prefix (default rampart)
//   RAMPART_GAS_PRICE  gas price for `gas: "auto"` (default 0.025<denom>)
//   RAMPART_REST       optional: REST API URL; adds LCD-style reads (plain fetch, as Keplr and
//                      explorers do) compared with the same state over RPC
//
// Prints one line per check and "N passed, N failed" at the end; exits non-zero on any failure.

import assert from "node:assert/strict";

import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  BroadcastTxError,
  GasPrice,
  SigningStargateClient,
  StargateClient,
  assertIsDeliverTxSuccess,
} from "@cosmjs/stargate";

import { check, finish, nodeConfig, prefix } from "./harness.mjs";

const { rpc, chainId, mnemonic, denom } = nodeConfig();
const expectedAddress = process.env.RAMPART_ADDRESS || "";
const gasPrice = GasPrice.fromString(process.env.RAMPART_GAS_PRICE || `0.025${denom}`);

/** Signs a MsgSend with explicit signer data and broadcasts it with broadcast_tx_sync. */
async function broadcastWithSignerData(client, from, to, signerData) {
  const fee = { amount: [{ denom, amount: "5000" }], gas: "200000" };
  const msg = {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: { fromAddress: from, toAddress: to, amount: [{ denom, amount: "1" }] },
  };
  const txRaw = await client.sign(from, [msg], fee, "rejected", signerData);
  return client.broadcastTxSync(TxRaw.encode(txRaw).finish());
}

/** Expects `promise` to fail in CheckTx with `code`; returns the log. */
async function expectCheckTxCode(promise, code) {
  try {
    const hash = await promise;
    throw new Error(`expected CheckTx code ${code}, but the tx was accepted (${hash})`);
  } catch (error) {
    if (!(error instanceof BroadcastTxError)) throw error;
    assert.equal(error.code, code, `code ${error.code} (${error.codespace}): ${error.log}`);
    assert.equal(error.codespace, "sdk", `codespace of: ${error.log}`);
    return error.log;
  }
}

const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
const [{ address: sender }] = await wallet.getAccounts();
const recipientWallet = await DirectSecp256k1HdWallet.generate(12, { prefix });
const [{ address: recipient }] = await recipientWallet.getAccounts();
const query = await StargateClient.connect(rpc);
const client = await SigningStargateClient.connectWithSigner(rpc, wallet, { gasPrice });
let sentHash = "";
let autoHash = "";
/** Hashes of the transactions that were committed, for the searches. */
const committed = () => [sentHash, autoHash].filter(Boolean).sort();

await check("chain id", async () => {
  assert.equal(await query.getChainId(), chainId);
  return chainId;
});

await check("faucet address from mnemonic", async () => {
  if (expectedAddress) assert.equal(sender, expectedAddress);
  return sender;
});

await check("getAccount (funded)", async () => {
  const account = await query.getAccount(sender);
  assert.ok(account, `no account ${sender}`);
  assert.equal(account.address, sender);
  return `number ${account.accountNumber}, sequence ${account.sequence}`;
});

await check("getAccount (unknown) is null", async () => {
  assert.equal(await query.getAccount(recipient), null);
});

await check("getBalance (funded)", async () => {
  const balance = await query.getBalance(sender, denom);
  assert.equal(balance.denom, denom);
  assert.ok(BigInt(balance.amount) > 1_000_000n, `balance ${balance.amount}`);
  return `${balance.amount}${denom}`;
});

await check("getBalance (unknown) is 0", async () => {
  assert.deepEqual(await query.getBalance(recipient, denom), { denom, amount: "0" });
});

await check("sendTokens with an explicit fee", async () => {
  const fee = { amount: [{ denom, amount: "5000" }], gas: "200000" };
  const result = await client.sendTokens(sender, recipient, [{ denom, amount: "12345" }], fee, "cosmjs");
  assertIsDeliverTxSuccess(result);
  sentHash = result.transactionHash;
  assert.equal((await query.getBalance(recipient, denom)).amount, "12345");
  const account = await query.getAccount(recipient);
  assert.ok(account, "the recipient account was not created");
  assert.equal(account.pubkey, null);
  return `${sentHash} at height ${result.height}, gas ${result.gasUsed}/${result.gasWanted}`;
});

await check('signAndBroadcast with gas: "auto"', async () => {
  const msg = {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: { fromAddress: sender, toAddress: recipient, amount: [{ denom, amount: "655" }] },
  };
  const result = await client.signAndBroadcast(sender, [msg], "auto", "auto gas");
  assertIsDeliverTxSuccess(result);
  autoHash = result.transactionHash;
  assert.ok(result.gasUsed <= result.gasWanted, `gas ${result.gasUsed}/${result.gasWanted}`);
  assert.equal((await query.getBalance(recipient, denom)).amount, "13000");
  return `${autoHash}, gas ${result.gasUsed}/${result.gasWanted}`;
});

await check("getTx", async () => {
  assert.ok(sentHash, "no transaction was sent");
  const tx = await query.getTx(sentHash);
  assert.ok(tx, `getTx(${sentHash}) returned null`);
  assert.equal(tx.hash, sentHash);
  assert.equal(tx.code, 0);
  assert.ok(tx.height > 0);
  return `height ${tx.height}`;
});

await check("searchTx by message.sender", async () => {
  const txs = await query.searchTx([{ key: "message.sender", value: sender }]);
  const hashes = txs.map((tx) => tx.hash);
  assert.ok(sentHash, "no transaction was sent");
  assert.ok(committed().every((hash) => hashes.includes(hash)), `found ${hashes}`);
  return `${txs.length} txs`;
});

await check("searchTx by transfer.recipient", async () => {
  const txs = await query.searchTx(`transfer.recipient='${recipient}'`);
  assert.ok(sentHash, "no transaction was sent");
  assert.deepEqual(txs.map((tx) => tx.hash).sort(), committed());
  return `${txs.length} txs`;
});

const rest = process.env.RAMPART_REST || "";
/** GETs `path` from the REST API like an LCD client: plain fetch, JSON answer. */
async function lcd(path) {
  const response = await fetch(`${rest}${path}`);
  return { status: response.status, body: await response.json() };
}

if (rest) {
  await check("REST (LCD) account", async () => {
    const { status, body } = await lcd(`/cosmos/auth/v1beta1/accounts/${sender}`);
    assert.equal(status, 200, JSON.stringify(body));
    const account = await query.getAccount(sender);
    assert.equal(body.account["@type"], "/cosmos.auth.v1beta1.BaseAccount");
    assert.equal(body.account.address, sender);
    assert.equal(body.account.account_number, String(account.accountNumber));
    assert.equal(body.account.sequence, String(account.sequence));
    assert.equal(body.account.pub_key["@type"], "/cosmos.crypto.secp256k1.PubKey");
    return `number ${body.account.account_number}, sequence ${body.account.sequence}`;
  });

  await check("REST (LCD) balances", async () => {
    const { status, body } = await lcd(`/cosmos/bank/v1beta1/balances/${recipient}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.balances, await query.getAllBalances(recipient));
    assert.deepEqual(body.balances, [{ denom, amount: "13000" }]);
    const one = await lcd(`/cosmos/bank/v1beta1/balances/${sender}/by_denom?denom=${denom}`);
    assert.deepEqual(one.body.balance, await query.getBalance(sender, denom));
    return JSON.stringify(body.balances);
  });

  await check("REST (LCD) unknown account is 404 with the gateway's error body", async () => {
    const stranger = await DirectSecp256k1HdWallet.generate(12, { prefix });
    const [{ address: nobody }] = await stranger.getAccounts();
    const { status, body } = await lcd(`/cosmos/auth/v1beta1/accounts/${nobody}`);
    assert.equal(status, 404);
    assert.equal(body.code, 5);
    assert.match(body.message, /not found/);
    assert.deepEqual(body.details, []);
    return body.message;
  });
}

const beforeRejections = {
  recipient: (await query.getBalance(recipient, denom)).amount,
  sender: (await query.getBalance(sender, denom)).amount,
  sequence: (await query.getSequence(sender)).sequence,
};

await check("wrong sequence rejected in CheckTx (code 32)", async () => {
  const { accountNumber, sequence } = await query.getSequence(sender);
  const log = await expectCheckTxCode(
    broadcastWithSignerData(client, sender, recipient, { accountNumber, sequence: sequence + 5, chainId }),
    32,
  );
  assert.match(log, new RegExp(`account sequence mismatch, expected ${sequence}, got ${sequence + 5}`));
  return log;
});

await check("wrong chain id rejected in CheckTx (code 4)", async () => {
  const { accountNumber, sequence } = await query.getSequence(sender);
  const log = await expectCheckTxCode(
    broadcastWithSignerData(client, sender, recipient, { accountNumber, sequence, chainId: `${chainId}-wrong` }),
    4,
  );
  return log;
});

await check("rejected txs changed nothing", async () => {
  assert.equal((await query.getBalance(recipient, denom)).amount, beforeRejections.recipient);
  assert.equal((await query.getBalance(sender, denom)).amount, beforeRejections.sender);
  assert.equal((await query.getSequence(sender)).sequence, beforeRejections.sequence);
});

query.disconnect();
client.disconnect();
finish();
