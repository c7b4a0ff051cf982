//! The ante handler: every check and charge that precedes a transaction's messages, in the
//! Cosmos SDK's order (`x/auth/ante`):
//!
//! 1. extension options refused (`sdk/31`);
//! 2. basic validity: one signature and one signer info per signer (`sdk/4`), fee coins valid
//!    (`sdk/10`) — the message count and the presence of signatures are enforced earlier, by
//!    [`crate::tx::decode`], before any message is routed;
//! 3. timeout height (`sdk/30`); 4. memo length (`sdk/12`);
//! 5. gas for the transaction's bytes; 6. minimum gas price (CheckTx only, `sdk/13`) and the fee
//!    moved from the fee payer (the first signer) to `fee_collector` (`sdk/5`);
//! 7. public keys learned from `signer_infos`, which must hash to the signer (`sdk/8`);
//! 8. signature count (`sdk/14`); 9. gas per signature by key type;
//! 10. sequences (`sdk/32`) and SIGN_MODE_DIRECT signatures (`sdk/4`);
//! 11. sequences incremented.
//!
//! Everything here writes to the state it is given; the app discards those writes when the
//! ante handler fails and keeps them (fee and sequence) even when the messages then fail.
//! Simulation skips signature verification (accepting sign mode UNSPECIFIED and empty
//! signatures) but charges the gas real verification would.

use base64::Engine;
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{mode_info, SignerInfo};
use rampart_auth::state::{account_key, decode_account, encode_account, ACCOUNTS_PREFIX};
use rampart_auth::{Account, AuthRead, PubKey, FEE_COLLECTOR};
use rampart_bank::{format_coins, BankWrite, Coin};
use rampart_core::coins::parse_coins;
use rampart_core::context::ExecMode;
use rampart_core::error::{AppError, AppResult, SdkCode, SDK_CODESPACE};
use rampart_core::state::StateWrite;
use rampart_core::Address;
use rampart_core::{Amount, BlockContext, Decimal, Event, Events};

use crate::gas::{self, GasMeter};
use crate::sigcache::{self, VerifiedSignatures};
use crate::tx::DecodedTx;

/// Bytes charged per signer in simulation, standing in for the signature and key a real
/// transaction carries (the SDK's simulated secp256k1 signature).
pub const SIMULATED_SIGNATURE_BYTES: u64 = 110;

/// SDK `ErrUnknownAddress`.
const UNKNOWN_ADDRESS: u32 = 9;

/// What the ante handler knows besides the transaction.
pub struct AnteContext<'a> {
    /// The block (or, for CheckTx and simulation, the next block).
    pub block: &'a BlockContext,
    /// Execution mode.
    pub mode: ExecMode,
    /// Length of the transaction's bytes.
    pub tx_len: usize,
    /// The node's minimum gas prices (enforced in CheckTx only).
    pub min_gas_prices: &'a [(String, Decimal)],
    /// The transaction's gas meter.
    pub meter: &'a GasMeter,
    /// Signatures already verified ([`crate::sigcache`]); `None` verifies every signature.
    pub signatures: Option<&'a VerifiedSignatures>,
}

fn unauthorized(log: String) -> AppError {
    AppError::sdk(SdkCode::Unauthorized, format!("{log}: unauthorized"))
}

/// Runs the ante pipeline over `state` for a transaction whose de-duplicated signers are
/// `signers`; ante events go to `events`.
pub fn run(
    ctx: &AnteContext<'_>,
    state: &mut dyn StateWrite,
    tx: &DecodedTx,
    signers: &[Address],
    events: &mut Events,
) -> AppResult<()> {
    validate_basic(ctx, tx, signers)?;
    let params = state.auth_params()?;
    let memo_chars = u64::try_from(tx.body.memo.chars().count()).unwrap_or(u64::MAX);
    if memo_chars > params.max_memo_characters {
        return Err(AppError::sdk(
            SdkCode::MemoTooLarge,
            format!(
                "maximum number of characters is {} but received {memo_chars} characters: memo too large",
                params.max_memo_characters
            ),
        ));
    }
    let mut size = u64::try_from(ctx.tx_len).unwrap_or(u64::MAX);
    if ctx.mode == ExecMode::Simulate {
        let signer_count = u64::try_from(signers.len()).unwrap_or(u64::MAX);
        size = size.saturating_add(SIMULATED_SIGNATURE_BYTES.saturating_mul(signer_count));
    }
    ctx.meter
        .consume(params.tx_size_cost_per_byte.saturating_mul(size), "txSize")?;
    let mut accounts = SignerAccounts::default();
    deduct_fee(ctx, state, &mut accounts, tx, signers, events)?;
    let keys = set_pub_keys(ctx, state, &mut accounts, tx, signers, events)?;
    let key_count = u64::try_from(keys.iter().flatten().count()).unwrap_or(u64::MAX);
    if key_count > params.tx_sig_limit {
        return Err(AppError::sdk(
            SdkCode::TooManySignatures,
            format!(
                "signatures: {key_count}, limit: {}: over tx signatures limit",
                params.tx_sig_limit
            ),
        ));
    }
    for key in &keys {
        let (cost, location) = match key {
            Some(PubKey::Ed25519(_)) => (params.sig_verify_cost_ed25519, "ante verify: ed25519"),
            // Simulation without a known key is charged like the usual secp256k1 key.
            Some(PubKey::Secp256k1(_)) | None => {
                (params.sig_verify_cost_secp256k1, "ante verify: secp256k1")
            }
        };
        ctx.meter.consume(cost, location)?;
    }
    verify_and_increment(ctx, state, &mut accounts, tx, signers, &keys)
}

fn validate_basic(ctx: &AnteContext<'_>, tx: &DecodedTx, signers: &[Address]) -> AppResult<()> {
    if !tx.body.extension_options.is_empty() || !tx.body.non_critical_extension_options.is_empty() {
        return Err(AppError::sdk(
            SdkCode::UnknownExtensionOptions,
            "unknown extension options",
        ));
    }
    if tx.signatures.len() != signers.len() {
        return Err(unauthorized(format!(
            "wrong number of signers; expected {}, got {}",
            signers.len(),
            tx.signatures.len()
        )));
    }
    if tx.auth_info.signer_infos.len() != signers.len() {
        return Err(unauthorized(format!(
            "wrong number of signer infos; expected {}, got {}",
            signers.len(),
            tx.auth_info.signer_infos.len()
        )));
    }
    let timeout = tx.body.timeout_height;
    if timeout > 0 && ctx.block.height > timeout {
        return Err(AppError::sdk(
            SdkCode::TxTimeoutHeight,
            format!(
                "block height: {}, timeout height: {timeout}: tx timeout height",
                ctx.block.height
            ),
        ));
    }
    Ok(())
}

/// Minimum gas price (CheckTx only), then the fee from the payer to `fee_collector`.
fn deduct_fee(
    ctx: &AnteContext<'_>,
    state: &mut dyn StateWrite,
    accounts: &mut SignerAccounts,
    tx: &DecodedTx,
    signers: &[Address],
    events: &mut Events,
) -> AppResult<()> {
    let fee = tx.auth_info.fee.clone().unwrap_or_default();
    if !fee.granter.is_empty() {
        return Err(AppError::sdk(
            SdkCode::InvalidRequest,
            "fee grants are not supported: invalid request",
        ));
    }
    let payer = match fee.payer.as_str() {
        "" => signers.first().copied(),
        text => {
            let payer = ctx.block.profile.account_address(text)?;
            signers.contains(&payer).then_some(payer)
        }
    }
    .ok_or_else(|| unauthorized("the fee payer must sign the transaction".into()))?;
    let coins = parse_coins(&fee.amount)?;
    if ctx.mode == ExecMode::Check {
        check_min_gas_price(ctx.min_gas_prices, fee.gas_limit, &coins)?;
    }
    accounts.existing(state, &payer, "fee payer address: ")?;
    if !coins.is_empty() {
        let collector = Address::module(FEE_COLLECTOR);
        state.send(&payer, &collector, &coins, events)?;
    }
    events.push(
        Event::new("tx")
            .attr("fee", format_coins(&coins))
            .attr("fee_payer", payer.to_string()),
    );
    Ok(())
}

/// `insufficient fees; got: 10uramp required: 200uramp: insufficient fee` (`sdk/13`) unless some
/// fee coin covers `gas × price` of its denom.
pub fn check_min_gas_price(prices: &[(String, Decimal)], gas: u64, fee: &[Coin]) -> AppResult<()> {
    let required = prices
        .iter()
        .map(|(denom, price)| {
            Ok(Coin {
                denom: denom.clone(),
                amount: Amount(u128::from(gas)).mul_ceil(*price)?,
            })
        })
        .collect::<AppResult<Vec<Coin>>>()?;
    if required.iter().all(|c| c.amount.is_zero()) {
        return Ok(());
    }
    let covered = required.iter().any(|need| {
        fee.iter()
            .any(|have| have.denom == need.denom && have.amount >= need.amount)
    });
    if covered {
        Ok(())
    } else {
        Err(AppError::sdk(
            SdkCode::InsufficientFee,
            format!(
                "insufficient fees; got: {} required: {}: insufficient fee",
                format_coins(fee),
                format_coins(&required)
            ),
        ))
    }
}

/// Learns each signer's public key from its signer info (storing it on first use) and emits the
/// `acc_seq` and `signature` events; returns the key per signer (`None` only in simulation).
fn set_pub_keys(
    ctx: &AnteContext<'_>,
    state: &mut dyn StateWrite,
    accounts: &mut SignerAccounts,
    tx: &DecodedTx,
    signers: &[Address],
    events: &mut Events,
) -> AppResult<Vec<Option<PubKey>>> {
    let mut keys = Vec::with_capacity(signers.len());
    for (index, (signer, info)) in signers.iter().zip(&tx.auth_info.signer_infos).enumerate() {
        let mut account = accounts.existing(state, signer, "account ")?;
        let offered = info.public_key.as_ref().map(PubKey::from_any).transpose()?;
        if let Some(key) = offered {
            if key.address() != *signer {
                return Err(AppError::sdk(
                    SdkCode::InvalidPubKey,
                    format!(
                        "pubKey does not match signer address {signer} with signer index: {index}: invalid pubkey"
                    ),
                ));
            }
            if account.pub_key.is_none() {
                account.pub_key = Some(key);
                accounts.set(state, account.clone());
            }
        }
        let key = account.pub_key.or(offered);
        if key.is_none() && ctx.mode != ExecMode::Simulate {
            return Err(AppError::sdk(
                SdkCode::InvalidPubKey,
                format!("pubkey on account {signer} is not set: invalid pubkey"),
            ));
        }
        keys.push(key);
        events.push(Event::new("tx").attr("acc_seq", format!("{signer}/{}", info.sequence)));
    }
    for signature in &tx.signatures {
        events.push(Event::new("tx").attr(
            "signature",
            base64::engine::general_purpose::STANDARD.encode(signature),
        ));
    }
    Ok(keys)
}

/// Checks every signer's sequence and (outside simulation) its SIGN_MODE_DIRECT signature over
/// the exact bytes received, then increments the sequences.
fn verify_and_increment(
    ctx: &AnteContext<'_>,
    state: &mut dyn StateWrite,
    accounts: &mut SignerAccounts,
    tx: &DecodedTx,
    signers: &[Address],
    keys: &[Option<PubKey>],
) -> AppResult<()> {
    let items = signers
        .iter()
        .zip(&tx.auth_info.signer_infos)
        .zip(&tx.signatures)
        .zip(keys);
    for (((signer, info), signature), key) in items {
        let mut account = accounts.existing(state, signer, "account ")?;
        if info.sequence != account.sequence {
            return Err(AppError::sdk(
                SdkCode::WrongSequence,
                format!(
                    "account sequence mismatch, expected {}, got {}: incorrect account sequence",
                    account.sequence, info.sequence
                ),
            ));
        }
        if ctx.mode != ExecMode::Simulate {
            // Genesis transactions are signed before account numbers exist: the SDK signs and
            // verifies them with account number 0.
            let account_number = match ctx.mode {
                ExecMode::Genesis => 0,
                _ => account.account_number,
            };
            verify_signature(ctx, tx, info, signature, key.as_ref(), account_number)?;
        }
        account.sequence = account
            .sequence
            .checked_add(1)
            .ok_or_else(|| AppError::sdk(SdkCode::Logic, "account sequence overflows"))?;
        accounts.set(state, account);
    }
    Ok(())
}

fn verify_signature(
    ctx: &AnteContext<'_>,
    tx: &DecodedTx,
    info: &SignerInfo,
    signature: &[u8],
    key: Option<&PubKey>,
    account_number: u64,
) -> AppResult<()> {
    let mode = match info.mode_info.as_ref().and_then(|m| m.sum.as_ref()) {
        Some(mode_info::Sum::Single(single)) => single.mode,
        Some(mode_info::Sum::Multi(_)) => {
            return Err(AppError::sdk(
                SdkCode::NotSupported,
                "multisig signers are not supported: feature not supported",
            ))
        }
        None => SignMode::Unspecified as i32,
    };
    if mode != SignMode::Direct as i32 {
        return Err(unauthorized(format!(
            "unsupported sign mode {mode}, only SIGN_MODE_DIRECT is accepted"
        )));
    }
    let sign_bytes = sigcache::sign_bytes(tx, &ctx.block.chain_id, account_number);
    let valid = key.is_some_and(|k| match ctx.signatures {
        // A block consumes what CheckTx or the block's parallel pass remembered.
        Some(cache) => cache.verify(k, &sign_bytes, signature, ctx.mode == ExecMode::Deliver),
        None => k.verify(&sign_bytes, signature),
    });
    if valid {
        Ok(())
    } else {
        Err(unauthorized(format!(
            "signature verification failed; please verify account number ({account_number}) and chain-id ({})",
            ctx.block.chain_id
        )))
    }
}

/// The signers' accounts, each fetched from the state and decoded once per transaction.
///
/// The ante handler used to read a signer's account three times (fee, public key, sequence);
/// each read is still charged through the state, for the very bytes the state holds
/// ([`gas::charge_read`]), so `gas_used` and every out-of-gas reading are what they were, but
/// only the first one fetches and decodes. The memory equals the state because the ante
/// handler writes these accounts only through [`SignerAccounts::set`], and nothing else it runs
/// writes a signer's account: moving the fee touches balances and at most creates the fee
/// collector's account, which cannot be a signer's — the payer exists before the fee moves,
/// and every signer is read (and must exist) before its account is used.
#[derive(Default)]
struct SignerAccounts {
    /// Each account read or written, with the length of its stored bytes.
    known: Vec<(Account, usize)>,
}

impl SignerAccounts {
    /// The account of `address`, or `sdk/9` with the SDK's log (`<what><address> does not
    /// exist: unknown address`).
    fn existing(
        &mut self,
        state: &dyn StateWrite,
        address: &Address,
        what: &str,
    ) -> AppResult<Account> {
        if let Some((account, stored)) = self.known.iter().find(|(a, _)| a.address == *address) {
            gas::charge_read(state, ACCOUNTS_PREFIX.len() + address.0.len(), *stored)?;
            return Ok(account.clone());
        }
        let bytes = state.get(&account_key(address)).ok_or_else(|| {
            AppError::new(
                SDK_CODESPACE,
                UNKNOWN_ADDRESS,
                format!("{what}{address} does not exist: unknown address"),
            )
        })?;
        let account = decode_account(&bytes)?;
        self.known.push((account.clone(), bytes.len()));
        Ok(account)
    }

    /// Stores `account` (as `AuthWrite::set_account` does) and remembers it.
    fn set(&mut self, state: &mut dyn StateWrite, account: Account) {
        let bytes = encode_account(&account);
        let stored = bytes.len();
        state.put(account_key(&account.address), bytes);
        match self
            .known
            .iter_mut()
            .find(|(a, _)| a.address == account.address)
        {
            Some(known) => *known = (account, stored),
            None => self.known.push((account, stored)),
        }
    }
}
