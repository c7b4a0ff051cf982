// Signs a MsgSend offline with unmodified CosmJS (SIGN_MODE_DIRECT) and prints the TxRaw bytes in
// base64, for clients that broadcast through gRPC (tests/tests/e2e/compat_grpc.rs).
//
// Configuration (environment): RAMPART_MNEMONIC, RAMPART_CHAIN_ID, RAMPART_ACCOUNT_NUMBER,
// RAMPART_SEQUENCE, RAMPART_TO, RAMPART_AMOUNT (e.g. 777uramp), RAMPART_FEE (e.g. 5000uramp),
// RAMPART_PREFIX (default rampart).

import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient, parseCoins } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";

import { prefix, required } from "./harness.mjs";

const wallet = await DirectSecp256k1HdWallet.fromMnemonic(required("RAMPART_MNEMONIC"), {
  prefix,
});
const [{ address }] = await wallet.getAccounts();
const client = await SigningStargateClient.offline(wallet);
const msg = {
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: { fromAddress: address, toAddress: required("RAMPART_TO"), amount: parseCoins(required("RAMPART_AMOUNT")) },
};
const fee = { amount: parseCoins(required("RAMPART_FEE")), gas: "200000" };
const txRaw = await client.sign(address, [msg], fee, "grpc", {
  accountNumber: Number(required("RAMPART_ACCOUNT_NUMBER")),
  sequence: Number(required("RAMPART_SEQUENCE")),
  chainId: required("RAMPART_CHAIN_ID"),
});
console.log(Buffer.from(TxRaw.encode(txRaw).finish()).toString("base64"));
