//! Errors with stable `(codespace, code)` pairs, as CometBFT reports them in `ResponseCheckTx`,
//! `ExecTxResult` and `ResponseQuery`. Codes in the `sdk` codespace match the Cosmos SDK's
//! `types/errors` so that wallets that parse them (CosmJS, cosmpy) behave the same.

use std::fmt;

/// The Cosmos SDK's root codespace.
pub const SDK_CODESPACE: &str = "sdk";

/// Stable error codes of the `sdk` codespace (Cosmos SDK `types/errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum SdkCode {
    /// Bytes that do not decode as a transaction.
    TxDecode = 2,
    /// Bad signature, wrong chain id or account number.
    Unauthorized = 4,
    /// Not enough balance.
    InsufficientFunds = 5,
    /// Unknown message type or query path.
    UnknownRequest = 6,
    /// A malformed address.
    InvalidAddress = 7,
    /// A malformed or mismatched public key.
    InvalidPubKey = 8,
    /// Malformed or non-positive coins.
    InvalidCoins = 10,
    /// The gas limit was exhausted.
    OutOfGas = 11,
    /// The memo is too long.
    MemoTooLarge = 12,
    /// The fee is below the node's minimum gas price.
    InsufficientFee = 13,
    /// More signatures than allowed.
    TooManySignatures = 14,
    /// No signatures.
    NoSignatures = 15,
    /// JSON that does not parse (genesis, configuration).
    JsonUnmarshal = 17,
    /// A request that is malformed in a way no other code names.
    InvalidRequest = 18,
    /// The transaction is larger than allowed.
    TxTooLarge = 21,
    /// The requested key does not exist.
    KeyNotFound = 22,
    /// A height that is not available.
    InvalidHeight = 26,
    /// The chain id does not match.
    InvalidChainId = 28,
    /// The transaction's timeout height has passed.
    TxTimeoutHeight = 30,
    /// A non-critical extension option was sent.
    UnknownExtensionOptions = 31,
    /// The account sequence does not match.
    WrongSequence = 32,
    /// An `Any` that does not unpack.
    UnpackAny = 34,
    /// An arithmetic overflow or broken invariant caused by the input.
    Logic = 35,
    /// Something already exists.
    Conflict = 36,
    /// Not supported.
    NotSupported = 37,
    /// Not found.
    NotFound = 38,
}

/// An error that is reported to the client as a code and a log; state changes are discarded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AppError {
    /// The module namespace of `code`.
    pub codespace: &'static str,
    /// Stable, non-zero code within `codespace`.
    pub code: u32,
    /// Human-readable explanation (the ABCI `log`).
    pub log: String,
}

impl AppError {
    /// An error in a module's own codespace.
    pub fn new(codespace: &'static str, code: u32, log: impl Into<String>) -> Self {
        Self {
            codespace,
            code,
            log: log.into(),
        }
    }

    /// An error in the `sdk` codespace.
    pub fn sdk(code: SdkCode, log: impl Into<String>) -> Self {
        Self::new(SDK_CODESPACE, code as u32, log)
    }

    /// Whether this error is `code` in the `sdk` codespace.
    pub fn is(&self, code: SdkCode) -> bool {
        self.codespace == SDK_CODESPACE && self.code == code as u32
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (codespace {}, code {})",
            self.log, self.codespace, self.code
        )
    }
}

/// Shorthand for results of state-machine operations.
pub type AppResult<T> = Result<T, AppError>;
