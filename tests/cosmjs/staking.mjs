// Delegates, earns, withdraws and unbonds with unmodified CosmJS (@cosmjs/stargate 0.39) against
// a running multi-validator Rampart localnet, and checks that CometBFT's validator set follows.
//
// Configuration (environment):
//   RAMPART_RPC          CometBFT RPC URL of one node
//   RAMPART_CHAIN_ID     the chain id
//   RAMPART_MNEMONIC     mnemonic of a funded account (the localnet faucet)
//   RAMPART_VALIDATOR    moniker of the validator to delegate to (default node0)
//   RAMPART_UNBONDING_S  the chain's unbonding time in seconds (default 60)
//   RAMPART_DENOM        bond denom (default uramp)
//   RAMPART_PREFIX       bech32 account prefix (default rampart)
//
// Prints one line per check and "N passed, N failed"; exits non-zero on any failure. Later checks
// depend on earlier ones, so the first failure stops the run.

import assert from "node:assert/strict";

import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import {
  GasPrice,
  QueryClient,
  SigningStargateClient,
  StargateClient,
  assertIsDeliverTxSuccess,
  setupDistributionExtension,
  setupStakingExtension,
} from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { fromBase64, toHex } from "@cosmjs/encoding";
import { sha256 } from "@cosmjs/crypto";

import { check as checkOrStop, finish, nodeConfig, prefix } from "./harness.mjs";

const { rpc, chainId, mnemonic, denom } = nodeConfig();
const moniker = process.env.RAMPART_VALIDATOR || "node0";
const unbondingSeconds = Number(process.env.RAMPART_UNBONDING_S || "60");
const POWER_REDUCTION = 1_000_000n;

/** A check the later ones depend on: the first failure stops the run. */
const check = (name, body) => checkOrStop(name, body, { stopOnFailure: true });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every second until it returns a truthy value or `seconds` pass. */
async function waitFor(what, seconds, probe) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}`);
    await sleep(1000);
  }
}

const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
const delegatorWallet = await DirectSecp256k1HdWallet.generate(12, { prefix });
const [{ address: faucet }] = await wallet.getAccounts();
const [{ address: delegator }] = await delegatorWallet.getAccounts();
const gasPrice = GasPrice.fromString(`0.025${denom}`);
const faucetClient = await SigningStargateClient.connectWithSigner(rpc, wallet, { gasPrice });
const client = await SigningStargateClient.connectWithSigner(rpc, delegatorWallet, { gasPrice });
const query = await StargateClient.connect(rpc);
const comet = await connectComet(rpc);
const queries = QueryClient.withExtensions(comet, setupStakingExtension, setupDistributionExtension);

let validator; // the staking Validator we delegate to
let consensusAddress; // its CometBFT address, upper-case hex

/** The validator's voting power in CometBFT's latest validator set (0 when absent). */
async function cometPower() {
  const { validators } = await comet.validatorsAll();
  const entry = validators.find((v) => toHex(v.address).toUpperCase() === consensusAddress);
  return entry ? BigInt(entry.votingPower) : 0n;
}

async function tokens() {
  const { validator: v } = await queries.staking.validator(validator.operatorAddress);
  return BigInt(v.tokens);
}

await check("chain id", async () => {
  assert.equal(await query.getChainId(), chainId);
});

await check("fund a fresh delegator from the faucet", async () => {
  const result = await faucetClient.sendTokens(faucet, delegator, [{ denom, amount: "200000000" }], "auto");
  assertIsDeliverTxSuccess(result);
  return delegator;
});

await check(`find validator ${moniker} (bonded) and its CometBFT address`, async () => {
  const { validators } = await queries.staking.validators("BOND_STATUS_BONDED");
  assert.ok(validators.length >= 2, `${validators.length} bonded validators`);
  validator = validators.find((v) => v.description.moniker === moniker);
  assert.ok(validator, `no bonded validator named ${moniker}`);
  // ed25519 consensus key in an Any: the address is the first 20 bytes of its sha256.
  const key = validator.consensusPubkey.value.slice(2); // protobuf field 1, length 32
  consensusAddress = toHex(sha256(key).slice(0, 20)).toUpperCase();
  const power = await cometPower();
  assert.equal(power, BigInt(validator.tokens) / POWER_REDUCTION);
  return `${validator.operatorAddress}, ${validator.tokens} tokens, power ${power}`;
});

/** `client[method]` (delegateTokens, undelegateTokens) of `amount` tokens to or from the validator. */
async function stake(method, amount) {
  const result = await client[method](delegator, validator.operatorAddress, { denom, amount }, "auto");
  assertIsDeliverTxSuccess(result);
  return result;
}

let powerBefore;
await check("delegateTokens: 50,000,000 raises CometBFT power by 50", async () => {
  powerBefore = await cometPower();
  await stake("delegateTokens", "50000000");
  const { delegationResponse } = await queries.staking.delegation(delegator, validator.operatorAddress);
  assert.equal(delegationResponse.balance.amount, "50000000");
  const power = await waitFor("the new power in /validators", 30, async () => {
    const p = await cometPower();
    return p === powerBefore + 50n ? p : 0n;
  });
  return `power ${powerBefore} → ${power}`;
});

let withdrawn = 0n;
await check("rewards accrue and withdrawRewards pays them", async () => {
  const pending = await waitFor("pending rewards", 30, async () => {
    const { rewards } = await queries.distribution.delegationRewards(delegator, validator.operatorAddress);
    const coin = rewards.find((c) => c.denom === denom);
    // DecCoin amounts are 18-decimal fixed point on the wire.
    const whole = coin ? BigInt(coin.amount) / 10n ** 18n : 0n;
    return whole > 0n ? whole : 0n;
  });
  const before = BigInt((await query.getBalance(delegator, denom)).amount);
  const result = await client.withdrawRewards(delegator, validator.operatorAddress, "auto");
  assertIsDeliverTxSuccess(result);
  const event = result.events.find((e) => e.type === "withdraw_rewards");
  assert.ok(event, "no withdraw_rewards event");
  const amount = event.attributes.find((a) => a.key === "amount").value;
  assert.ok(amount.endsWith(denom), amount);
  withdrawn = BigInt(amount.slice(0, -denom.length));
  assert.ok(withdrawn >= pending, `withdrew ${withdrawn}, ${pending} were pending before`);
  const fee = BigInt(
    result.events
      .find((e) => e.type === "tx" && e.attributes.some((a) => a.key === "fee"))
      .attributes.find((a) => a.key === "fee").value.replace(denom, ""),
  );
  const after = BigInt((await query.getBalance(delegator, denom)).amount);
  assert.equal(after, before + withdrawn - fee);
  return `${withdrawn}${denom} withdrawn (${pending} pending when asked), fee ${fee}`;
});

let completion;
let balanceAfterUnbond;
await check("undelegateTokens: 20,000,000 lowers CometBFT power by 20", async () => {
  const result = await stake("undelegateTokens", "20000000");
  const unbond = result.events.find((e) => e.type === "unbond");
  completion = new Date(unbond.attributes.find((a) => a.key === "completion_time").value);
  balanceAfterUnbond = BigInt((await query.getBalance(delegator, denom)).amount);
  const { unbondingResponses } = await queries.staking.delegatorUnbondingDelegations(delegator);
  assert.equal(unbondingResponses[0].entries[0].balance, "20000000");
  const power = await waitFor("the lowered power in /validators", 30, async () => {
    const p = await cometPower();
    return p === powerBefore + 30n ? p : 0n;
  });
  return `power → ${power}, tokens back at ${completion.toISOString()}`;
});

await check(`unbonded tokens come back after the unbonding time (${unbondingSeconds}s)`, async () => {
  const balance = await waitFor("the unbonded tokens", unbondingSeconds + 60, async () => {
    const b = BigInt((await query.getBalance(delegator, denom)).amount);
    return b >= balanceAfterUnbond + 20_000_000n ? b : 0n;
  });
  // Nothing but the unbonding entry pays this account meanwhile.
  assert.equal(balance, balanceAfterUnbond + 20_000_000n);
  const { unbondingResponses } = await queries.staking.delegatorUnbondingDelegations(delegator);
  assert.equal(unbondingResponses.length, 0, "the entry is gone");
  const block = await query.getBlock();
  assert.ok(new Date(block.header.time) >= completion, "not before the completion time");
  return `balance ${balance}`;
});

finish();
