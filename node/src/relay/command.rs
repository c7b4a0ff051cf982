//! The command line of `rampartd relay`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use clap::Args;
use rampart_client::coins::parse_coins;
use rampart_client::gas::DEFAULT_GAS_ADJUSTMENT;
use rampart_client::submit::TxSettings;

use super::run::{round, run};
use super::status::RelayStatus;
use super::{Chain, Relayer};
use crate::cli::args::GasArg;
use crate::cli::prompt::KeyringArgs;
use crate::cli::sign::load_key;
use crate::cli::HomeArg;

/// `rampartd relay`: relays validator-set changes from the provider to one consumer chain (a
/// light-client update and the pending packets, proven, in one consumer transaction), their
/// acknowledgements back, and the consumer's infractions to the provider: its downtime records
/// (proven, in seq order; retried later when the provider throttles them) and the double votes
/// committed in its blocks (with the consumer's header at the votes' height). It keeps no state:
/// stop and restart it at will, or run several.
#[derive(Debug, Args)]
pub struct RelayCommand {
    /// The provider's CometBFT RPC URL.
    #[arg(long, value_name = "URL")]
    provider_node: String,
    /// The consumer's CometBFT RPC URL; several (repeated or comma-separated) for failover:
    /// each round uses the first that answers and is not catching up.
    #[arg(long, value_name = "URL", value_delimiter = ',', required = true)]
    consumer_node: Vec<String>,
    /// The consumer's id on the provider.
    #[arg(long, value_name = "N")]
    consumer_id: u64,
    /// The signing key (a name or an address in the keyring); its account needs funds on both
    /// chains.
    #[arg(long)]
    from: String,
    /// Home of the keyring.
    #[command(flatten)]
    home: HomeArg,
    /// The keyring.
    #[command(flatten)]
    keyring: KeyringArgs,
    /// Writes the progress after every round to this JSON file: provider_height,
    /// consumer_height, client_height, applied_vsc, acknowledged_vsc, downtime_forwarded,
    /// downtime_seq, downtime_throttled, double_votes_forwarded, double_votes_skipped,
    /// evidence_scanned_height, last_relay_at, last_error.
    #[arg(long, value_name = "PATH")]
    status_file: Option<PathBuf>,
    /// Milliseconds between rounds (doubled per failed round, up to 30 s).
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// Run one round and exit (non-zero when it fails).
    #[arg(long)]
    once: bool,
    /// Fees of each provider transaction, e.g. 500uramp.
    #[arg(long, default_value = "")]
    provider_fees: String,
    /// Fees of each consumer transaction.
    #[arg(long, default_value = "")]
    consumer_fees: String,
    /// Gas limit of each transaction, or `auto` to simulate and multiply by --gas-adjustment.
    #[arg(long, default_value_t = GasArg::Auto, value_parser = clap::value_parser!(GasArg))]
    gas: GasArg,
    /// Factor applied to the simulated gas with --gas auto.
    #[arg(long, default_value_t = DEFAULT_GAS_ADJUSTMENT)]
    gas_adjustment: f64,
    /// Seconds to wait for each transaction's commit (a delivery to the consumer waits at most a
    /// third of its light client's trusting period, so a lost transaction is resent in time).
    #[arg(long, default_value_t = 60)]
    tx_timeout: u64,
}

impl RelayCommand {
    /// The relayer the arguments describe, through the first `--consumer-node` (the key is read
    /// from the keyring).
    pub fn relayer(&self) -> anyhow::Result<Relayer> {
        self.relayers()?
            .into_iter()
            .next()
            .context("--consumer-node is required")
    }

    /// One relayer per `--consumer-node`, in order (the failover candidates of [`run`]).
    pub fn relayers(&self) -> anyhow::Result<Vec<Relayer>> {
        let keyring = self.keyring.keyring(&self.home.home);
        let key = load_key(&keyring, &self.keyring, &self.from)?;
        let provider = Chain::new(
            &self.provider_node,
            self.settings(&self.provider_fees, "provider")?,
        )?;
        self.consumer_node
            .iter()
            .map(|url| {
                Ok(Relayer {
                    provider: provider.clone(),
                    consumer: Chain::new(url, self.settings(&self.consumer_fees, "consumer")?)?,
                    consumer_id: self.consumer_id,
                    key: key.clone(),
                    tx_timeout: Duration::from_secs(self.tx_timeout),
                })
            })
            .collect()
    }

    fn settings(&self, fees: &str, chain: &str) -> anyhow::Result<TxSettings> {
        Ok(TxSettings {
            fees: parse_coins(fees).map_err(|e| anyhow!("--{chain}-fees: {e}"))?,
            gas: self.gas.gas(self.gas_adjustment),
            ..TxSettings::default()
        })
    }

    /// Relays until the process is stopped (or one round with `--once`).
    pub async fn run(self) -> anyhow::Result<()> {
        let relayers = self.relayers()?;
        let relayer = relayers.first().context("--consumer-node is required")?;
        tracing::info!(
            provider = relayer.provider.url(),
            consumer = relayer.consumer.url(),
            consumer_id = relayer.consumer_id,
            signer = %relayer.signer()?,
            "relaying"
        );
        let status_file = self.status_file.as_deref();
        if self.once {
            let mut status = RelayStatus::default();
            if !round(relayer, &mut status, status_file).await {
                bail!(
                    "the relay round failed: {}",
                    status.last_error.unwrap_or_default()
                );
            }
            return Ok(());
        }
        run(
            &relayers,
            Duration::from_millis(self.interval_ms.max(1)),
            status_file,
        )
        .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};
    use rampart_client::coins::format_coins;
    use rampart_client::gas::Gas;
    use rampart_client::keys::{AccountKey, Backend, KeyType, Keyring};

    use super::*;

    /// `rampartd relay` as its own command line.
    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        relay: RelayCommand,
    }

    #[test]
    fn the_command_line_is_consistent_and_builds_a_relayer() {
        Cli::command().debug_assert();
        let help = Cli::command().render_long_help().to_string();
        for flag in [
            "--provider-node",
            "--consumer-node",
            "--consumer-id",
            "--from",
            "--home",
            "--keyring-backend",
            "--status-file",
            "--interval-ms",
            "--once",
            "--provider-fees",
            "--consumer-fees",
            "--gas",
        ] {
            assert!(help.contains(flag), "{flag} missing from\n{help}");
        }

        let home = tempfile::tempdir().expect("tempdir");
        let key = AccountKey::from_secret(KeyType::Secp256k1, [7; 32]).expect("key");
        Keyring::open(home.path(), Backend::Test)
            .add("relayer", &key, None)
            .expect("add");
        let home_arg = home.path().to_str().expect("utf-8 path");
        // `relay` with the nodes, consumer 3, the key and `extra`.
        let parse = |extra: &[&str]| {
            let base = [
                "relay",
                "--provider-node",
                "http://127.0.0.1:26657",
                "--consumer-node",
                "http://127.0.0.1:27657",
                "--consumer-id",
                "3",
                "--from",
                "relayer",
                "--home",
                home_arg,
                "--keyring-backend",
                "test",
            ];
            Cli::try_parse_from(base.iter().chain(extra)).expect("parse")
        };
        let cli = parse(&["--consumer-fees", "500uramp", "--gas", "300000"]);
        assert_eq!(cli.relay.interval_ms, 1000);
        let relayer = cli.relay.relayer().expect("relayer");
        assert_eq!(relayer.consumer_id, 3);
        assert_eq!(
            relayer.signer().expect("signer"),
            key.address().expect("address")
        );
        assert_eq!(relayer.consumer.url(), "http://127.0.0.1:27657");
        assert_eq!(relayer.consumer.tx.gas, Gas::Fixed(300_000));
        assert_eq!(format_coins(&relayer.consumer.tx.fees), "500uramp");
        assert!(relayer.provider.tx.fees.is_empty());

        let both = parse(&["--consumer-node", "http://127.0.0.1:27757"]);
        let urls: Vec<String> = both
            .relay
            .relayers()
            .expect("relayers")
            .iter()
            .map(|r| r.consumer.url().to_owned())
            .collect();
        assert_eq!(urls, ["http://127.0.0.1:27657", "http://127.0.0.1:27757"]);

        let bad_fees = parse(&["--provider-fees", "lots"]);
        let e = bad_fees.relay.relayer().expect_err("bad fees");
        assert!(e.to_string().contains("--provider-fees"), "{e}");
    }
}
