// Sends one coin with unmodified CosmJS (`SigningStargateClient.sendTokens`, SIGN_MODE_DIRECT,
// explicit fee) and checks both balances moved by exactly the amount, as a wallet holding any
// bank denom (e.g. the liquid token lsuramp) does (tests/tests/e2e/liquid_e2e.rs).
//
// Configuration (environment): RAMPART_RPC, RAMPART_CHAIN_ID, RAMPART_MNEMONIC (the sender),
// RAMPART_DENOM (fee denom, default uramp), RAMPART_TO (the recipient), RAMPART_AMOUNT (e.g.
// 2500000lsuramp), RAMPART_PREFIX (default rampart).

import assert from "node:assert/strict";

import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient, assertIsDeliverTxSuccess, parseCoins } from "@cosmjs/stargate";

import { check, finish, nodeConfig, prefix, required } from "./harness.mjs";

const { rpc, chainId, mnemonic, denom } = nodeConfig();
const to = required("RAMPART_TO");
const [coin] = parseCoins(required("RAMPART_AMOUNT"));
const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
const [{ address: from }] = await wallet.getAccounts();
const client = await SigningStargateClient.connectWithSigner(rpc, wallet);
const amount = BigInt(coin.amount);
const balance = async (address) => BigInt((await client.getBalance(address, coin.denom)).amount);

await check("chain id", async () => {
  assert.equal(await client.getChainId(), chainId);
  return chainId;
}, { stopOnFailure: true });

const before = { from: await balance(from), to: await balance(to) };
await check(`sendTokens ${coin.amount}${coin.denom}`, async () => {
  const fee = { amount: [{ denom, amount: "5000" }], gas: "200000" };
  const result = await client.sendTokens(from, to, [coin], fee, "liquid token");
  assertIsDeliverTxSuccess(result);
  return `${result.transactionHash} at height ${result.height}`;
}, { stopOnFailure: true });

await check("balances moved by exactly the amount", async () => {
  const after = { from: await balance(from), to: await balance(to) };
  assert.equal(after.from, before.from - amount);
  assert.equal(after.to, before.to + amount);
  return `sender ${before.from} -> ${after.from}, recipient ${before.to} -> ${after.to} ${coin.denom}`;
});

finish();
