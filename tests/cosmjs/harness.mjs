// What the CosmJS scripts share: their configuration from the environment and the way they run
// and report checks ("ok   name: detail" / "FAIL name: error", then "N passed, N failed").

/** The environment variable `name`; exits with status 2 when it is missing or empty. */
export function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
}

/**
 * What the scripts that talk to a node need: RAMPART_RPC, RAMPART_CHAIN_ID, RAMPART_MNEMONIC and
 * RAMPART_DENOM (default uramp).
 */
export function nodeConfig() {
  return {
    rpc: required("RAMPART_RPC"),
    chainId: required("RAMPART_CHAIN_ID"),
    mnemonic: required("RAMPART_MNEMONIC"),
    denom: process.env.RAMPART_DENOM || "uramp",
  };
}

/** The bech32 account prefix (RAMPART_PREFIX, default rampart). */
export const prefix = process.env.RAMPART_PREFIX || "rampart";

const results = { passed: 0, failed: 0 };

/**
 * Runs one check: prints `ok` with the detail `body` returns, or `FAIL` with the error. With
 * `stopOnFailure` (checks that depend on the earlier ones) a failure ends the run.
 */
export async function check(name, body, { stopOnFailure = false } = {}) {
  try {
    const detail = await body();
    results.passed += 1;
    console.log(`ok   ${name}${detail === undefined ? "" : `: ${detail}`}`);
  } catch (error) {
    results.failed += 1;
    console.log(`FAIL ${name}: ${error instanceof Error ? error.stack : error}`);
    if (stopOnFailure) finish();
  }
}

/** Prints "N passed, N failed" and exits, non-zero when a check failed. */
export function finish() {
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed === 0 ? 0 : 1);
}
