//! Errors reported by the chain (a non-zero ABCI code).

/// A non-zero result code from the chain, displayed as `code <codespace>/<code>: <log>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    /// The module namespace of `code` (`sdk` for the Cosmos SDK's own codes).
    pub codespace: String,
    /// The ABCI result code (never 0).
    pub code: u32,
    /// The chain's log message.
    pub log: String,
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "code {}/{}: {}", self.codespace, self.code, self.log)
    }
}

impl std::error::Error for ChainError {}

impl ChainError {
    /// `Err(ChainError)` when `code` is non-zero.
    pub fn check(codespace: &str, code: u32, log: &str) -> Result<(), ChainError> {
        if code == 0 {
            return Ok(());
        }
        Err(ChainError {
            codespace: if codespace.is_empty() {
                "unknown".into()
            } else {
                codespace.into()
            },
            code,
            log: log.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_success_and_errors_show_codespace_code_and_log() {
        assert_eq!(ChainError::check("sdk", 0, ""), Ok(()));
        let err = ChainError::check("sdk", 32, "account sequence mismatch, expected 1, got 0")
            .expect_err("non-zero");
        assert_eq!(
            err.to_string(),
            "code sdk/32: account sequence mismatch, expected 1, got 0"
        );
        let bare = ChainError::check("", 5, "x").expect_err("non-zero");
        assert_eq!(bare.to_string(), "code unknown/5: x");
    }
}
