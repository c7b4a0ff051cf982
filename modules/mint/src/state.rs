//! Mint state: the parameters and the minter (previous block time and carry).
//!
//! Keys: `mint/params` → [`MintParams`] (protobuf, decimal in attos); `mint/minter` →
//! [`Minter`] (protobuf).

use rampart_bank::validate_denom;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::{BlockTime, Decimal, StateRead, StateReadExt, StateWrite, StateWriteExt};

use crate::math::CARRY_DENOMINATOR;

const PARAMS_KEY: &[u8] = b"mint/params";
const MINTER_KEY: &[u8] = b"mint/minter";

/// The default mint denom.
pub const DEFAULT_DENOM: &str = "uramp";

/// Mint parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintParams {
    /// The denom minted (and whose supply inflates).
    pub mint_denom: String,
    /// Annual inflation, `0 ≤ inflation ≤ 1`.
    pub inflation: Decimal,
}

impl Default for MintParams {
    /// `uramp` at 7 % a year.
    fn default() -> Self {
        Self {
            mint_denom: DEFAULT_DENOM.into(),
            inflation: Decimal::from_bps(700),
        }
    }
}

impl MintParams {
    /// Checks the denom (`sdk/10`) and `inflation ≤ 1` (`sdk/18`).
    pub fn validate(&self) -> AppResult<()> {
        validate_denom(&self.mint_denom)?;
        if self.inflation > Decimal::ONE {
            return Err(AppError::sdk(
                SdkCode::InvalidRequest,
                format!("mint inflation {} must be between 0 and 1", self.inflation),
            ));
        }
        Ok(())
    }
}

/// What the mint carries from block to block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Minter {
    /// Time of the previous block (the genesis time before the first block).
    pub last_block_time: BlockTime,
    /// Fraction of a token not minted yet, in units of 1 / [`CARRY_DENOMINATOR`].
    pub carry: u128,
}

#[derive(Clone, PartialEq, prost::Message)]
struct StoredParams {
    #[prost(string, tag = "1")]
    mint_denom: String,
    /// Attos.
    #[prost(string, tag = "2")]
    inflation: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct StoredMinter {
    #[prost(int64, tag = "1")]
    seconds: i64,
    #[prost(uint32, tag = "2")]
    nanos: u32,
    #[prost(string, tag = "3")]
    carry: String,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::sdk(SdkCode::Logic, format!("corrupt mint {what} in state: {e}"))
}

fn attos(text: &str, what: &str) -> AppResult<u128> {
    text.parse::<u128>().map_err(|e| corrupt(what, e))
}

/// The parameters (defaults before genesis wrote them).
pub fn params(state: &dyn StateRead) -> AppResult<MintParams> {
    match state
        .get_proto::<StoredParams>(PARAMS_KEY)
        .map_err(|e| corrupt("params", e))?
    {
        None => Ok(MintParams::default()),
        Some(p) => Ok(MintParams {
            mint_denom: p.mint_denom,
            inflation: Decimal(attos(&p.inflation, "inflation")?),
        }),
    }
}

/// Validates and stores the parameters.
pub fn set_params(state: &mut dyn StateWrite, params: &MintParams) -> AppResult<()> {
    params.validate()?;
    state.put_proto(
        PARAMS_KEY.to_vec(),
        &StoredParams {
            mint_denom: params.mint_denom.clone(),
            inflation: params.inflation.0.to_string(),
        },
    );
    Ok(())
}

/// The minter (zero time and carry before genesis wrote it).
pub fn minter(state: &dyn StateRead) -> AppResult<Minter> {
    match state
        .get_proto::<StoredMinter>(MINTER_KEY)
        .map_err(|e| corrupt("minter", e))?
    {
        None => Ok(Minter::default()),
        Some(m) => {
            let carry = attos(&m.carry, "carry")?;
            if carry >= CARRY_DENOMINATOR || m.nanos >= 1_000_000_000 {
                return Err(corrupt("minter", "carry or nanos out of range"));
            }
            Ok(Minter {
                last_block_time: BlockTime {
                    seconds: m.seconds,
                    nanos: m.nanos,
                },
                carry,
            })
        }
    }
}

/// Stores the minter; `Err` (`sdk/18`) for a carry of a whole token or more or bad nanos.
pub fn set_minter(state: &mut dyn StateWrite, minter: &Minter) -> AppResult<()> {
    if minter.carry >= CARRY_DENOMINATOR || minter.last_block_time.nanos >= 1_000_000_000 {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            format!(
                "mint carry must be below {CARRY_DENOMINATOR} and nanos below 10^9, got {} and {}",
                minter.carry, minter.last_block_time.nanos
            ),
        ));
    }
    state.put_proto(
        MINTER_KEY.to_vec(),
        &StoredMinter {
            seconds: minter.last_block_time.seconds,
            nanos: minter.last_block_time.nanos,
            carry: minter.carry.to_string(),
        },
    );
    Ok(())
}
