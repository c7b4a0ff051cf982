//! The layout of a node home, shared by rampartd and CometBFT (`--home` of both).

use std::path::{Path, PathBuf};

/// Paths inside a node home.
#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// The home at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The home directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `config/`.
    pub fn config_dir(&self) -> PathBuf {
        self.root.join("config")
    }

    /// `config/app.toml` (rampartd).
    pub fn app_toml(&self) -> PathBuf {
        self.config_dir().join("app.toml")
    }

    /// `config/config.toml` (CometBFT).
    pub fn config_toml(&self) -> PathBuf {
        self.config_dir().join("config.toml")
    }

    /// `config/genesis.json`.
    pub fn genesis(&self) -> PathBuf {
        self.config_dir().join("genesis.json")
    }

    /// `config/priv_validator_key.json`.
    pub fn priv_validator_key(&self) -> PathBuf {
        self.config_dir().join("priv_validator_key.json")
    }

    /// `data/application.db`: the application's Merkle store.
    pub fn app_db(&self) -> PathBuf {
        self.root.join("data").join("application.db")
    }

    /// Reads a file of the home; a missing file is reported with the command that creates it.
    pub fn read_file(path: &Path) -> anyhow::Result<String> {
        std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "cannot read {}: {e}; create it with `rampartd init <moniker> --chain-id <id> --home <dir>`",
                path.display()
            )
        })
    }

    /// Checks that the files `rampartd start` needs exist; the error names the first missing one
    /// and how to create it.
    pub fn require_initialised(&self) -> anyhow::Result<()> {
        for path in [
            self.root.clone(),
            self.app_toml(),
            self.genesis(),
            self.config_toml(),
        ] {
            if !path.exists() {
                anyhow::bail!(
                    "{} does not exist: create the home with `rampartd init <moniker> --chain-id <id> --home {}`",
                    path.display(),
                    self.root.display()
                );
            }
        }
        Ok(())
    }
}
