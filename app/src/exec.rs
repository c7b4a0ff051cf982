//! The transaction pipeline: decode (with every structural limit, [`crate::tx::decode`]), route
//! every message and collect its signers, run the ante handler ([`crate::ante`]) on a metered
//! overlay whose writes (fee, sequence, public key) persist once it passes, then run the
//! messages on a second metered overlay kept only if every message succeeds — the Cosmos SDK's
//! semantics. CheckTx stops after the ante handler, as the SDK does. Running out of gas fails
//! the transaction (`sdk/11`) and discards the overlay it happened in, whatever the handler
//! returned ([`crate::gas`]).

use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData;
use prost::Message;
use rampart_core::context::ExecMode;
use rampart_core::error::{AppError, AppResult, SdkCode};
use rampart_core::state::{apply_changes, Overlay, StateWrite};
use rampart_core::Address;
use rampart_core::{BlockContext, Decimal, Event, Events, Module, MsgContext};
use tendermint_proto::google::protobuf::Any;

use crate::ante;
use crate::composition::Modules;
use crate::gas::{GasMeter, Metered};
use crate::sigcache::VerifiedSignatures;
use crate::tx::{self, DecodedTx};

/// What applying one transaction to the state did (the state machine's result; the client's
/// view of a committed transaction is `rampart_client`'s `TxOutcome`).
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedTx {
    /// `TxMsgData` on success, or the error.
    pub result: AppResult<Vec<u8>>,
    /// Events emitted: everything on success; the ante handler's (fee, sequence) when a message
    /// failed; nothing when the ante handler failed.
    pub events: Events,
    /// The transaction's gas limit (0 when it did not decode).
    pub gas_wanted: u64,
    /// Gas consumed, including the ante handler's.
    pub gas_used: u64,
}

/// Where and how a transaction runs.
#[derive(Debug, Clone, Copy)]
pub struct TxEnv<'a> {
    /// The block (for CheckTx and simulation, the next block).
    pub block: &'a BlockContext,
    /// Execution mode.
    pub mode: ExecMode,
    /// The node's minimum gas prices (enforced in CheckTx only).
    pub min_gas_prices: &'a [(String, Decimal)],
    /// Signatures already verified ([`crate::sigcache`]): CheckTx remembers, FinalizeBlock
    /// consumes; `None` (genesis, simulation) verifies every signature.
    pub signatures: Option<&'a VerifiedSignatures>,
}

/// Decodes one transaction and applies it to `state`. The ante handler's writes (fee, sequence,
/// public key) land in `state` when it succeeds; the messages' writes only when every message
/// succeeds. CheckTx runs the ante handler only, as the SDK does.
pub fn apply_tx<S: StateWrite>(
    modules: &Modules,
    state: &mut S,
    env: &TxEnv<'_>,
    tx_bytes: &[u8],
) -> AppliedTx {
    apply_decoded(modules, state, env, &tx::decode(tx_bytes), tx_bytes.len())
}

/// [`apply_tx`] of a transaction already decoded by [`tx::decode`] from `tx_len` bytes (a block
/// decodes its transactions once, to verify their signatures in parallel before running them).
pub fn apply_decoded<S: StateWrite>(
    modules: &Modules,
    state: &mut S,
    env: &TxEnv<'_>,
    decoded: &AppResult<DecodedTx>,
    tx_len: usize,
) -> AppliedTx {
    apply_decoded_signers(modules, state, env, decoded, tx_len).0
}

/// [`apply_decoded`], also returning the transaction's de-duplicated signers when its messages
/// routed (`None` when it did not decode or route) — what CheckTx remembers for the re-check
/// ([`recheck_routed`]).
pub fn apply_decoded_signers<S: StateWrite>(
    modules: &Modules,
    state: &mut S,
    env: &TxEnv<'_>,
    decoded: &AppResult<DecodedTx>,
    tx_len: usize,
) -> (AppliedTx, Option<Vec<Address>>) {
    let decoded = match decoded {
        Ok(decoded) => decoded,
        Err(e) => {
            let refused = AppliedTx {
                result: Err(e.clone()),
                events: Events::new(),
                gas_wanted: 0,
                gas_used: 0,
            };
            return (refused, None);
        }
    };
    let gas_wanted = decoded.gas_limit();
    let meter = match env.mode {
        ExecMode::Simulate => GasMeter::infinite(),
        ExecMode::Check | ExecMode::Deliver | ExecMode::Genesis => GasMeter::new(gas_wanted),
    };
    let mut events = Events::new();
    let mut signers = None;
    let result = run_tx(
        modules,
        state,
        env,
        decoded,
        tx_len,
        &meter,
        &mut events,
        &mut signers,
    );
    let applied = AppliedTx {
        result,
        events,
        gas_wanted,
        gas_used: meter.used(),
    };
    (applied, signers)
}

/// CheckTx's re-check of a transaction whose bytes already decoded to `decoded` and whose
/// messages already routed to `signers` ([`apply_decoded_signers`]): both are pure functions of
/// the bytes (and of the composition, which never changes in a running node), so only the ante
/// handler — everything that reads the state — runs again, exactly as [`apply_decoded`] runs it
/// in [`ExecMode::Check`]; the outcome is the one the full path returns.
pub fn recheck_routed<S: StateWrite>(
    state: &mut S,
    env: &TxEnv<'_>,
    decoded: &DecodedTx,
    signers: &[Address],
    tx_len: usize,
) -> AppliedTx {
    let gas_wanted = decoded.gas_limit();
    let meter = GasMeter::new(gas_wanted);
    let mut events = Events::new();
    let result = run_ante(state, env, decoded, signers, tx_len, &meter, &mut events);
    AppliedTx {
        result: result.map(|()| Vec::new()),
        events,
        gas_wanted,
        gas_used: meter.used(),
    }
}

/// A message routed to its module, with its signers.
struct Routed<'m> {
    module: &'m dyn Module,
    msg: &'m Any,
    signers: Vec<Address>,
}

/// Routes every message and collects its signers before anything runs, so an unknown type or a
/// malformed message fails the whole transaction up front.
fn route<'m>(modules: &'m Modules, decoded: &'m DecodedTx) -> AppResult<Vec<Routed<'m>>> {
    let profile = modules.chain_profile();
    decoded
        .body
        .messages
        .iter()
        .map(|msg| {
            let module = modules.for_msg(&msg.type_url).ok_or_else(|| {
                AppError::sdk(
                    SdkCode::TxDecode,
                    format!(
                        "unable to resolve type URL {}: tx parse error",
                        msg.type_url
                    ),
                )
            })?;
            let signers = module.validate_msg(&profile, msg)?;
            Ok(Routed {
                module,
                msg,
                signers,
            })
        })
        .collect()
}

/// Routes the messages (their de-duplicated signers go to `routed_signers`), runs the ante
/// handler ([`run_ante`]) and, outside CheckTx, the messages.
#[allow(clippy::too_many_arguments)] // the pipeline's inputs and its two outputs
fn run_tx<S: StateWrite>(
    modules: &Modules,
    state: &mut S,
    env: &TxEnv<'_>,
    decoded: &DecodedTx,
    tx_len: usize,
    meter: &GasMeter,
    events: &mut Events,
    routed_signers: &mut Option<Vec<Address>>,
) -> AppResult<Vec<u8>> {
    let routed = route(modules, decoded)?;
    let mut signers: Vec<Address> = Vec::new();
    for signer in routed.iter().flat_map(|r| &r.signers) {
        if !signers.contains(signer) {
            signers.push(*signer);
        }
    }
    let ante = run_ante(state, env, decoded, &signers, tx_len, meter, events);
    *routed_signers = Some(signers);
    ante?;
    if env.mode == ExecMode::Check {
        return Ok(Vec::new());
    }
    run_msgs(state, env, decoded, &routed, meter, events)
}

/// The ante handler on a metered overlay of `state`, whose writes (fee, sequence, public key)
/// and events land in `state` and `events` only when it passes.
fn run_ante<S: StateWrite>(
    state: &mut S,
    env: &TxEnv<'_>,
    decoded: &DecodedTx,
    signers: &[Address],
    tx_len: usize,
    meter: &GasMeter,
    events: &mut Events,
) -> AppResult<()> {
    let ante_ctx = ante::AnteContext {
        block: env.block,
        mode: env.mode,
        tx_len,
        min_gas_prices: env.min_gas_prices,
        meter,
        signatures: env.signatures,
    };
    let mut ante_events = Events::new();
    let mut ante_state = Overlay::new(&*state);
    let ante = ante::run(
        &ante_ctx,
        &mut Metered::new(&mut ante_state, meter),
        decoded,
        signers,
        &mut ante_events,
    );
    // Out of gas first: past the limit the metered state reads as empty, so whatever the ante
    // handler or a message concluded from it is not the transaction's real error.
    meter.check()?;
    ante?;
    let (_, changes) = ante_state.into_parts();
    apply_changes(state, changes);
    // From here on, the fee and the sequence increment stay even if a message fails.
    events.append(&mut ante_events);
    Ok(())
}

/// The messages, in order, on a metered overlay kept only if every one succeeds.
fn run_msgs<S: StateWrite>(
    state: &mut S,
    env: &TxEnv<'_>,
    decoded: &DecodedTx,
    routed: &[Routed<'_>],
    meter: &GasMeter,
    events: &mut Events,
) -> AppResult<Vec<u8>> {
    let mut tx_state = Overlay::new(&*state);
    let mut msg_events = Events::new();
    let mut msg_responses = Vec::with_capacity(routed.len());
    for (index, routed) in routed.iter().enumerate() {
        let msg_index = u32::try_from(index).unwrap_or(u32::MAX);
        let ctx = MsgContext {
            block: env.block,
            tx_hash: decoded.hash,
            msg_index,
            mode: env.mode,
        };
        let mut these = vec![message_event(routed)];
        let response = routed.module.deliver_msg(
            &mut Metered::new(&mut tx_state, meter),
            &ctx,
            routed.msg,
            &mut these,
        );
        meter.check()?;
        msg_responses.push(response?);
        for mut event in these {
            event
                .attributes
                .push(("msg_index".into(), msg_index.to_string()));
            msg_events.push(event);
        }
    }
    let (_, changes) = tx_state.into_parts();
    apply_changes(state, changes);
    events.append(&mut msg_events);
    #[allow(deprecated)] // `data` is deprecated in favour of `msg_responses`, which we fill.
    let data = TxMsgData {
        data: Vec::new(),
        msg_responses,
    };
    Ok(data.encode_to_vec())
}

/// `message{action, sender, module}`, emitted before each message's own events.
fn message_event(routed: &Routed<'_>) -> Event {
    let event = Event::new("message").attr("action", routed.msg.type_url.clone());
    let event = match routed.signers.first() {
        Some(sender) => event.attr("sender", sender.to_string()),
        None => event,
    };
    event.attr("module", routed.module.name())
}
