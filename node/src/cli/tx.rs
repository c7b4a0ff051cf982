//! `rampartd tx …`: sign and broadcast transactions, one subcommand per module.

use clap::{Args, Subcommand};

/// `rampartd tx`.
#[derive(Debug, Args)]
pub struct TxCommand {
    #[command(subcommand)]
    module: TxModule,
}

#[derive(Debug, Subcommand)]
enum TxModule {
    /// Bank transactions.
    Bank {
        #[command(subcommand)]
        command: super::bank::tx::BankTx,
    },
    /// Staking transactions: validators, delegations, unbonding, redelegation.
    Staking {
        #[command(subcommand)]
        command: Box<super::staking::tx::StakingTx>,
    },
    /// Distribution transactions: withdrawing rewards and commission.
    #[command(alias = "distr")]
    Distribution {
        #[command(subcommand)]
        command: super::distribution::tx::DistributionTx,
    },
    /// Consumer-chain registry transactions: register, update, remove, fund rewards, commission.
    Consumer {
        #[command(subcommand)]
        command: super::consumer::tx::ConsumerTx,
    },
    /// Restaking transactions: opt in, pledges, opt out, consumer keys, double-vote evidence.
    Restaking {
        #[command(subcommand)]
        command: super::restaking::tx::RestakingTx,
    },
    /// Liquid restaking token: stake for lsuramp, unstake.
    Liquid {
        #[command(subcommand)]
        command: super::liquid::tx::LiquidTx,
    },
    /// Slashing transactions: unjailing a validator.
    Slashing {
        #[command(subcommand)]
        command: super::slashing::tx::SlashingTx,
    },
}

impl TxCommand {
    /// Runs the subcommand.
    pub async fn run(self) -> anyhow::Result<()> {
        match self.module {
            TxModule::Bank { command } => command.run().await,
            TxModule::Staking { command } => command.run().await,
            TxModule::Distribution { command } => command.run().await,
            TxModule::Consumer { command } => command.run().await,
            TxModule::Restaking { command } => command.run().await,
            TxModule::Liquid { command } => command.run().await,
            TxModule::Slashing { command } => command.run().await,
        }
    }
}
