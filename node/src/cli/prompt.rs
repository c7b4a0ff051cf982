//! Reading secrets and confirmations from the user: keyring passphrases, mnemonics, yes/no.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::Args;
use zeroize::Zeroizing;

use rampart_client::keys::{Backend, Keyring};

/// Environment variable holding the `file` backend's passphrase (for scripts).
pub const PASSPHRASE_ENV: &str = "RAMPART_KEYRING_PASSPHRASE";
/// Shortest passphrase accepted for a new encrypted key (as the Cosmos SDK).
pub const MIN_PASSPHRASE_LEN: usize = 8;

/// Keyring selection, shared by `keys` and `tx`.
#[derive(Debug, Clone, Args)]
pub struct KeyringArgs {
    /// Keyring backend: `file` (encrypted with a passphrase) or `test` (unencrypted, localnets
    /// only). Keys live in `<home>/keyring-<backend>/`.
    #[arg(long, value_enum, env = "RAMPART_KEYRING_BACKEND", default_value_t = Backend::File)]
    pub keyring_backend: Backend,
    /// File whose first line is the `file` backend's passphrase; otherwise
    /// $RAMPART_KEYRING_PASSPHRASE, otherwise a prompt on the terminal.
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
}

/// The home, keyring and output options of the commands that read keys (`keys …`,
/// `genesis gentx`, `genesis add-account`).
#[derive(Debug, Clone, Args)]
pub struct KeysCommon {
    /// The node home.
    #[command(flatten)]
    pub home: super::HomeArg,
    /// The keyring.
    #[command(flatten)]
    pub keyring: KeyringArgs,
    /// The output format.
    #[command(flatten)]
    pub output: super::OutputArg,
}

impl KeyringArgs {
    /// The keyring of the chosen backend in `home`.
    pub fn keyring(&self, home: &Path) -> Keyring {
        Keyring::open(home, self.keyring_backend)
    }

    /// The passphrase, when the backend needs one. `new` asks twice on a prompt and enforces
    /// [`MIN_PASSPHRASE_LEN`].
    pub fn passphrase(&self, new: bool) -> anyhow::Result<Option<Zeroizing<String>>> {
        if self.keyring_backend == Backend::Test {
            return Ok(None);
        }
        let passphrase = if let Some(path) = &self.passphrase_file {
            let text = Zeroizing::new(
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read passphrase file {}", path.display()))?,
            );
            Zeroizing::new(text.lines().next().unwrap_or_default().to_owned())
        } else if let Some(value) = std::env::var_os(PASSPHRASE_ENV) {
            Zeroizing::new(
                value
                    .into_string()
                    .map_err(|_| anyhow!("${PASSPHRASE_ENV} is not valid UTF-8"))?,
            )
        } else {
            prompt_passphrase(new)?
        };
        if new && passphrase.chars().count() < MIN_PASSPHRASE_LEN {
            bail!("the passphrase must be at least {MIN_PASSPHRASE_LEN} characters long");
        }
        Ok(Some(passphrase))
    }
}

fn prompt_passphrase(new: bool) -> anyhow::Result<Zeroizing<String>> {
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| {
                anyhow!(
                    "cannot read the keyring passphrase from the terminal ({e}); use \
                 --passphrase-file or ${PASSPHRASE_ENV}"
                )
            })
    };
    let first = read("Enter keyring passphrase: ")?;
    if new && *read("Re-enter keyring passphrase: ")? != *first {
        bail!("the passphrases do not match");
    }
    Ok(first)
}

/// Reads a mnemonic from stdin (all of it when piped; one line, after a prompt, on a terminal).
pub fn read_mnemonic() -> anyhow::Result<Zeroizing<String>> {
    let stdin = std::io::stdin();
    let mut text = Zeroizing::new(String::new());
    if stdin.is_terminal() {
        eprint!("Enter your bip39 mnemonic: ");
        std::io::stderr().flush()?;
        stdin.lock().read_line(&mut text)?;
    } else {
        stdin.lock().read_to_string(&mut text)?;
    }
    Ok(text)
}

/// Asks `question` on stderr and reads y/N from stdin; anything but `y`/`yes` is no.
pub fn confirm(question: &str) -> anyhow::Result<bool> {
    eprint!("{question} [y/N]: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
