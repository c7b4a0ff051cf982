"""Unmodified cosmpy (pinned in requirements.txt) against a Rampart node's REST API only.

It queries the faucet's balance and account, sends tokens (simulation for gas, broadcast, then
polling GetTx until the block holds it), reads the transfer back and checks the chain-info JSON
against Keplr's documented shape (keplr_chain_info.schema.json). Settings come from RAMPART_*
environment variables; the last line printed is a JSON summary for the Rust test.
"""

import json
import os
import sys

import jsonschema
from cosmpy.aerial.client import LedgerClient, NetworkConfig
from cosmpy.aerial.wallet import LocalWallet

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    env = os.environ
    denom, prefix = env["RAMPART_DENOM"], env["RAMPART_PREFIX"]
    config = NetworkConfig(
        chain_id=env["RAMPART_CHAIN_ID"],
        url="rest+" + env["RAMPART_REST"],
        fee_minimum_gas_price=0.0025,
        fee_denomination=denom,
        staking_denomination=denom,
    )
    client = LedgerClient(config)
    faucet = LocalWallet.from_mnemonic(env["RAMPART_MNEMONIC"], prefix=prefix)
    assert str(faucet.address()) == env["RAMPART_ADDRESS"], faucet.address()

    before = client.query_bank_balance(faucet.address(), denom)
    account = client.query_account(faucet.address())
    receiver = LocalWallet.generate(prefix=prefix).address()

    submitted = client.send_tokens(receiver, 12345, denom, faucet)
    submitted.wait_to_complete()
    response = client.query_tx(submitted.tx_hash)
    received = client.query_bank_balance(receiver, denom)
    after = client.query_bank_balance(faucet.address(), denom)
    balances = client.query_bank_all_balances(receiver)

    with open(os.path.join(HERE, "keplr_chain_info.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    with open(env["RAMPART_CHAIN_INFO"], encoding="utf-8") as f:
        chain_info = json.load(f)
    jsonschema.validate(chain_info, schema)

    print(
        json.dumps(
            {
                "before": before,
                "after": after,
                "sequence": account.sequence,
                "receiver": str(receiver),
                "received": received,
                "all_balances": [[c.amount, c.denom] for c in balances],
                "txhash": response.hash,
                "code": response.code,
                "height": response.height,
                "gas_used": response.gas_used,
                "chain_info_valid": True,
            }
        )
    )


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # pylint: disable=broad-except
        print(f"cosmpy REST check failed: {e!r}", file=sys.stderr)
        raise
