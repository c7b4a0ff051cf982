//! The contract between the application and a module. The app composes modules in a fixed,
//! documented order; every hook receives the state layer it may touch and nothing else.

use tendermint_proto::google::protobuf::Any;

use crate::address::Address;
use crate::context::{BlockContext, GenesisContext, MsgContext, ValidatorUpdate};
use crate::error::AppResult;
use crate::events::Events;
use crate::profile::ChainProfile;
use crate::state::{StateRead, StateWrite};
use serde_json::Value;

/// What a query reads: committed state, and the chain profile whose prefixes the request's and
/// the response's addresses are written with.
#[derive(Clone, Copy)]
pub struct QueryContext<'a> {
    /// The committed state at the queried height.
    pub state: &'a dyn StateRead,
    /// The composition's chain profile.
    pub profile: &'a ChainProfile,
}

/// A unit of state-machine functionality (bank, staking, …).
///
/// Hooks are deterministic functions of their inputs: no clock, no randomness, no unordered
/// iteration. Returning `Err` from a message handler reverts that transaction; returning `Err`
/// from a block hook is a bug that the app treats as a consensus failure and halts on.
pub trait Module: Send + Sync {
    /// Unique name, also the key of the module's section in the genesis `app_state`.
    fn name(&self) -> &'static str;

    /// Writes the module's genesis state. `genesis` is the module's `app_state` section, or
    /// `None` when the section is absent (the module's defaults apply).
    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
        genesis: Option<&Value>,
    ) -> AppResult<()>;

    /// Exports the module's state in the same JSON shape that `init_genesis` accepts, writing
    /// addresses with `profile`'s prefixes.
    fn export_genesis(&self, state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Value>;

    /// Runs before the block's transactions.
    fn begin_block(
        &self,
        _state: &mut dyn StateWrite,
        _ctx: &BlockContext,
        _events: &mut Events,
    ) -> AppResult<()> {
        Ok(())
    }

    /// The protobuf type URLs of the messages this module handles.
    fn msg_type_urls(&self) -> &'static [&'static str] {
        &[]
    }

    /// Validates `msg` (one of [`Module::msg_type_urls`]) statelessly — decodes it and checks
    /// everything that needs no state (addresses read with `profile`'s prefixes, amounts,
    /// denoms) — and returns the addresses that must sign it, in the order the message names
    /// them. A malformed address is `sdk/7`, bad coins `sdk/10`. The app calls this for every
    /// message before the ante handler runs.
    fn validate_msg(&self, _profile: &ChainProfile, msg: &Any) -> AppResult<Vec<Address>> {
        Err(crate::error::AppError::sdk(
            crate::error::SdkCode::UnknownRequest,
            format!("module {} has no signers for {}", self.name(), msg.type_url),
        ))
    }

    /// Executes one message routed here by type URL; returns the message response as an `Any`.
    fn deliver_msg(
        &self,
        _state: &mut dyn StateWrite,
        _ctx: &MsgContext<'_>,
        msg: &Any,
        _events: &mut Events,
    ) -> AppResult<Any> {
        Err(crate::error::AppError::sdk(
            crate::error::SdkCode::UnknownRequest,
            format!("module {} has no handler for {}", self.name(), msg.type_url),
        ))
    }

    /// Runs after the block's transactions; the module composed as the owner of the validator
    /// set may change it, every other module returns no updates (the app halts otherwise).
    fn end_block(
        &self,
        _state: &mut dyn StateWrite,
        _ctx: &BlockContext,
        _events: &mut Events,
    ) -> AppResult<Vec<ValidatorUpdate>> {
        Ok(Vec::new())
    }

    /// The validator set CometBFT starts with, computed once at the end of `InitChain` (after
    /// every module's genesis and the genesis transactions). The app asks only the module
    /// composed as the owner of the validator set (the provider's staking), which returns `Some`,
    /// also when it is empty (the app refuses that genesis). With no owner, or `None`, CometBFT's
    /// `genesis.json` validators stand.
    fn genesis_validators(
        &self,
        _state: &mut dyn StateWrite,
        _ctx: &GenesisContext,
    ) -> AppResult<Option<Vec<ValidatorUpdate>>> {
        Ok(None)
    }

    /// Checks the module's invariants over `state`: test harnesses, simulations and audits run
    /// this after every block (it may scan every record, so never during block execution).
    /// `Ok(Some(why))` describes the first violation, `Err` a state that cannot be read. Checks
    /// that span modules belong to the module owning the truth (the bank's supply, staking's
    /// pools). The default has no invariants.
    fn check_invariants(&self, _state: &dyn StateRead) -> AppResult<Option<String>> {
        Ok(None)
    }

    /// The gRPC method paths this module answers, e.g. `/rampart.chain.v1.Query/Params`.
    fn query_paths(&self) -> &'static [&'static str] {
        &[]
    }

    /// Answers a query at one of [`Module::query_paths`]: protobuf request bytes in, protobuf
    /// response bytes out, read from the committed state of `ctx`.
    fn query(&self, _ctx: QueryContext<'_>, path: &str, _request: &[u8]) -> AppResult<Vec<u8>> {
        Err(crate::error::AppError::sdk(
            crate::error::SdkCode::UnknownRequest,
            format!("module {} does not answer {path}", self.name()),
        ))
    }
}

/// Writes a module's genesis section from `value` (the inverse of [`genesis_section`]); a value
/// that cannot be written as JSON is an `sdk/1` naming `app_state.<module>`.
pub fn to_section<T: serde::Serialize>(module: &str, value: &T) -> AppResult<Value> {
    serde_json::to_value(value).map_err(|e| {
        crate::error::AppError::sdk(
            crate::error::SdkCode::Logic,
            format!("export app_state.{module}: {e}"),
        )
    })
}

/// Parses a module's genesis section into `T` (`None` gives `T::default()`); the error names
/// `app_state.<module>` and the offending field.
pub fn genesis_section<T: serde::de::DeserializeOwned + Default>(
    module: &str,
    section: Option<&Value>,
) -> AppResult<T> {
    match section {
        Some(value) => T::deserialize(value).map_err(|e| {
            crate::error::AppError::sdk(
                crate::error::SdkCode::JsonUnmarshal,
                format!("app_state.{module}: {e}"),
            )
        }),
        None => Ok(T::default()),
    }
}

/// Parses a module's genesis section into `G` ([`genesis_section`]) and hands it to `import`:
/// the body of a typed module's [`Module::init_genesis`].
pub fn import_section<G: serde::de::DeserializeOwned + Default>(
    module: &str,
    section: Option<&Value>,
    import: impl FnOnce(&G) -> AppResult<()>,
) -> AppResult<()> {
    import(&genesis_section(module, section)?)
}

/// A module's transaction messages decoded as one type (an enum over its type URLs, or one
/// validated message). The provided [`ModuleMsg::validate`] and [`ModuleMsg::deliver`] are the
/// bodies of [`Module::validate_msg`] and [`Module::deliver_msg`].
pub trait ModuleMsg: Sized {
    /// Decodes `any`, one of the module's type URLs (`sdk/6` for another, `sdk/2` for bytes that
    /// do not decode); checks made while decoding read addresses with `profile`.
    fn decode(any: &Any, profile: &ChainProfile) -> AppResult<Self>;

    /// Checks what needs no state and returns the addresses that must sign, in the order the
    /// message names them.
    fn signers(&self, profile: &ChainProfile) -> AppResult<Vec<Address>>;

    /// Decodes `any` and returns its signers: [`Module::validate_msg`].
    fn validate(profile: &ChainProfile, any: &Any) -> AppResult<Vec<Address>> {
        Self::decode(any, profile)?.signers(profile)
    }

    /// Decodes `any` with the block's profile and runs `execute` on the message:
    /// [`Module::deliver_msg`].
    fn deliver(
        ctx: &MsgContext<'_>,
        any: &Any,
        execute: impl FnOnce(&Self) -> AppResult<Any>,
    ) -> AppResult<Any> {
        execute(&Self::decode(any, &ctx.block.profile)?)
    }
}

/// Decodes the protobuf message `M` carried by `any` (a transaction message routed here by its
/// type URL); bytes that do not decode are `sdk/2` naming the type URL.
pub fn decode_msg<M: prost::Message + Default>(any: &Any) -> AppResult<M> {
    M::decode(any.value.as_slice()).map_err(|e| {
        crate::error::AppError::sdk(
            crate::error::SdkCode::TxDecode,
            format!("{}: {e}", any.type_url),
        )
    })
}

/// Decodes the protobuf query request `M` from `bytes`; bytes that do not decode are `sdk/2`
/// prefixed with `what` (e.g. `query request`).
pub fn decode_request<M: prost::Message + Default>(what: &str, bytes: &[u8]) -> AppResult<M> {
    M::decode(bytes).map_err(|e| {
        crate::error::AppError::sdk(crate::error::SdkCode::TxDecode, format!("{what}: {e}"))
    })
}

/// [`decode_request`] with the usual prefix, `query request`.
pub fn decode_query<M: prost::Message + Default>(bytes: &[u8]) -> AppResult<M> {
    decode_request("query request", bytes)
}

/// The `sdk/6` error for a message type URL `module` does not handle.
pub fn unknown_msg(module: &str, type_url: &str) -> crate::error::AppError {
    crate::error::AppError::sdk(
        crate::error::SdkCode::UnknownRequest,
        format!("unrecognized {module} message type: {type_url}"),
    )
}
