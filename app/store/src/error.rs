//! Errors of the storage API.

/// Why a storage operation failed.
#[derive(thiserror::Error, Debug)]
pub enum StorageError {
    /// The underlying sled database failed (disk full, I/O error, lock held by another process).
    #[error("storage I/O error: {0}")]
    Io(#[from] sled::Error),

    /// The on-disk data is inconsistent or undecodable. The store refuses to continue rather than
    /// guess; restore the data directory from a backup or a state-sync snapshot.
    #[error("store is corrupt or inconsistent: {0}")]
    Corrupt(String),

    /// The store lost committed heights or does not match its commit record (a truncated or
    /// corrupted file): it is refused rather than opened at a wrong height (`integrity.rs`).
    #[error(
        "store {} is damaged: {detail}; restore the data directory from a backup, or remove the \
         store and CometBFT's data (keep data/priv_validator_state.json) to sync the node again",
        path.display()
    )]
    Damaged {
        /// The store directory.
        path: std::path::PathBuf,
        /// What is wrong.
        detail: String,
    },

    /// The commit record could not be read or written (disk full, I/O error).
    #[error(
        "commit record {}: {source} (if the disk is full, free space and start rampartd again: the \
         store keeps its last durable height and CometBFT replays the rest)",
        path.display()
    )]
    Record {
        /// The record file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// The requested height was committed but has been pruned.
    #[error("height {height} is no longer retained (earliest retained height is {earliest})")]
    NotRetained {
        /// The requested height.
        height: u64,
        /// The earliest height still retained.
        earliest: u64,
    },

    /// The requested height has not been committed (yet).
    #[error("height {height} is not committed (latest committed height: {latest:?})")]
    NotCommitted {
        /// The requested height.
        height: u64,
        /// The latest committed height, if any.
        latest: Option<u64>,
    },

    /// `prepare` was asked for a height that does not directly follow the latest commit.
    #[error("cannot prepare height {got}: the next height must be {expected}")]
    HeightGap {
        /// The only height that may be prepared next.
        expected: u64,
        /// The height that was asked for.
        got: u64,
    },

    /// Height 0 cannot be committed (CometBFT heights start at 1).
    #[error("height 0 cannot be committed; the first height must be at least 1")]
    ZeroHeight,

    /// A pending commit was prepared on a state that is no longer the latest.
    #[error(
        "pending commit for height {height} was prepared on top of height {prepared_on:?}, \
         but the latest committed height is now {latest:?}"
    )]
    StalePending {
        /// The height of the pending commit.
        height: u64,
        /// The latest height when it was prepared.
        prepared_on: Option<u64>,
        /// The latest height now.
        latest: Option<u64>,
    },

    /// A pending commit was prepared by a different `Storage` instance.
    #[error("pending commit for height {height} was prepared by a different store")]
    ForeignPending {
        /// The height of the pending commit.
        height: u64,
    },

    /// Keys must be non-empty (ICS-23 non-existence proofs need non-empty key preimages).
    #[error("empty keys cannot be stored")]
    EmptyKey,

    /// A Merkle tree operation or proof could not be completed.
    #[error("merkle tree error: {0}")]
    Tree(String),
}
