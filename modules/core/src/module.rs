//! The contract between the application and a module. The app composes modules in a fixed,
//! documented order; every hook receives the state layer it may touch and nothing else.
//!
//! Two traits, one for each side:
//!
//! - [`Module`] is what the app composes (`Box<dyn Module>`): object-safe and untyped — genesis
//!   sections as JSON, messages as `Any`, queries as bytes.
//! - [`Component`] is what a module implements, in its own types, stating only what differs
//!   between modules. One blanket impl makes every `Component` a `Module` and does the untyped
//!   work once: parsing and writing the `app_state.<NAME>` section (errors name the section and
//!   the field), decoding messages and naming their signers through [`ModuleMsg`], routing by
//!   type URL and query path.
//!
//! # The pattern: a module's `module.rs`
//!
//! The module's struct holds its wiring (seams, hooks, the modules it calls) and implements
//! `Component`: its name; its genesis section (the generated `GenesisState`, proto3 JSON) with
//! `import`/`export`; its messages (`type Msg`, a [`ModuleMsg`] enum over `MSG_TYPE_URLS`, or
//! `Infallible` for none) with `execute`; its queries (`QUERY_PATHS`) with `answer`; and only
//! the hooks it needs. Type URLs and query paths are the `pub const`s of the crate's `urls.rs`.
//! Block hooks and handlers get one [`Scope`]: the state, what they know, the events.
//!
//! ```
//! use std::convert::Infallible;
//!
//! use rampart_core::{AppResult, BlockScope, ChainProfile, Component, Event, GenesisContext};
//! use rampart_core::{Module, StateRead, StateWrite};
//! use serde::{Deserialize, Serialize};
//!
//! /// `app_state.note`.
//! #[derive(Default, Serialize, Deserialize)]
//! struct NoteGenesis {
//!     note: String,
//! }
//!
//! /// Keeps a note from genesis and announces it every block.
//! struct NoteModule;
//!
//! impl Component for NoteModule {
//!     const NAME: &'static str = "note";
//!     type Genesis = NoteGenesis;
//!     type Msg = Infallible;
//!
//!     fn import(state: &mut dyn StateWrite, _ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()> {
//!         state.put(b"note".to_vec(), g.note.into_bytes());
//!         Ok(())
//!     }
//!
//!     fn export(state: &dyn StateRead, _profile: &ChainProfile) -> AppResult<Self::Genesis> {
//!         let note = String::from_utf8(state.get(b"note").unwrap_or_default()).unwrap_or_default();
//!         Ok(NoteGenesis { note })
//!     }
//!
//!     fn begin_block(&self, block: BlockScope<'_>) -> AppResult<()> {
//!         let note = String::from_utf8(block.state.get(b"note").unwrap_or_default());
//!         block.events.push(Event::new("note").attr("text", note.unwrap_or_default()));
//!         Ok(())
//!     }
//! }
//!
//! let module: Box<dyn Module> = Box::new(NoteModule); // what a composition holds
//! assert_eq!(module.name(), "note");
//! assert!(module.msg_type_urls().is_empty());
//! ```
//!
//! Bring `Component` into scope only to implement it; callers (the app, the test kit, tests)
//! use [`Module`], whose hooks have the same names.

use std::convert::Infallible;

use serde::de::DeserializeOwned;
use serde::Serialize;
use tendermint_proto::google::protobuf::Any;

use crate::address::Address;
use crate::context::{BlockContext, GenesisContext, MsgContext, ValidatorUpdate};
use crate::error::{AppError, AppResult, SdkCode};
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

/// A unit of state-machine functionality (bank, staking, …), as the app composes it. Modules
/// implement [`Component`] and get this trait from its blanket impl, the only implementation:
/// every method is required here, and the defaults live on `Component`.
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
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<()>;

    /// The protobuf type URLs of the messages this module handles.
    fn msg_type_urls(&self) -> &'static [&'static str];

    /// Validates `msg` (one of [`Module::msg_type_urls`]) statelessly — decodes it and checks
    /// everything that needs no state (addresses read with `profile`'s prefixes, amounts,
    /// denoms) — and returns the addresses that must sign it, in the order the message names
    /// them. A malformed address is `sdk/7`, bad coins `sdk/10`. The app calls this for every
    /// message before the ante handler runs.
    fn validate_msg(&self, profile: &ChainProfile, msg: &Any) -> AppResult<Vec<Address>>;

    /// Executes one message routed here by type URL; returns the message response as an `Any`.
    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any>;

    /// Runs after the block's transactions; the module composed as the owner of the validator
    /// set may change it, every other module returns no updates (the app halts otherwise).
    fn end_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<Vec<ValidatorUpdate>>;

    /// The validator set CometBFT starts with, computed once at the end of `InitChain` (after
    /// every module's genesis and the genesis transactions). The app asks only the module
    /// composed as the owner of the validator set (the provider's staking), which returns `Some`,
    /// also when it is empty (the app refuses that genesis). With no owner, or `None`, CometBFT's
    /// `genesis.json` validators stand.
    fn genesis_validators(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
    ) -> AppResult<Option<Vec<ValidatorUpdate>>>;

    /// Checks the module's invariants over `state`: test harnesses, simulations and audits run
    /// this after every block (it may scan every record, so never during block execution).
    /// `Ok(Some(why))` describes the first violation, `Err` a state that cannot be read. Checks
    /// that span modules belong to the module owning the truth (the bank's supply, staking's
    /// pools).
    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>>;

    /// The gRPC method paths this module answers, e.g. `/rampart.chain.v1.Query/Params`.
    fn query_paths(&self) -> &'static [&'static str];

    /// Answers a query at one of [`Module::query_paths`]: protobuf request bytes in, protobuf
    /// response bytes out, read from the committed state of `ctx`.
    fn query(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>>;
}

/// What a typed block hook or message handler works on: the state it may write, what it knows
/// (`ctx`) and the events it emits.
pub struct Scope<'a, C> {
    /// The block's (or the transaction's) state.
    pub state: &'a mut dyn StateWrite,
    /// What the hook knows: a [`BlockContext`] or a [`MsgContext`].
    pub ctx: &'a C,
    /// Where its events go.
    pub events: &'a mut Events,
}

impl<C> Scope<'_, C> {
    /// The same scope for a shorter borrow: hand it to one function and keep using this one.
    pub fn reborrow(&mut self) -> Scope<'_, C> {
        Scope {
            state: &mut *self.state,
            ctx: self.ctx,
            events: &mut *self.events,
        }
    }
}

/// The [`Scope`] of a block hook ([`Component::begin_block`], [`Component::end_block`]).
pub type BlockScope<'a> = Scope<'a, BlockContext>;

/// The [`Scope`] of a message handler ([`Component::execute`]).
pub type MsgScope<'a> = Scope<'a, MsgContext<'a>>;

/// A module in its own types: what it is called, what its genesis section and its messages
/// are, and what it does with them. Everything else a [`Module`] does — JSON sections, `Any`
/// decoding, routing by type URL and query path — the blanket `impl<C: Component> Module for C`
/// does once for every module.
///
/// Only [`Component::import`] and [`Component::export`] are required; the rest default to
/// nothing (no messages, no queries, no block work, no invariants).
pub trait Component: Send + Sync {
    /// Unique name: [`Module::name`], the key of the module's `app_state` section.
    const NAME: &'static str;

    /// The type URLs [`Component::Msg`] decodes ([`Module::msg_type_urls`]).
    const MSG_TYPE_URLS: &'static [&'static str] = &[];

    /// The gRPC method paths [`Component::answer`] serves ([`Module::query_paths`]).
    const QUERY_PATHS: &'static [&'static str] = &[];

    /// The `app_state.<NAME>` section: in practice the module's generated `GenesisState`, whose
    /// serde is proto3 JSON. An absent section is `Default`; a section that does not parse is a
    /// [`SdkCode::JsonUnmarshal`] error naming `app_state.<NAME>` and the offending field.
    type Genesis: Serialize + DeserializeOwned + Default;

    /// The module's messages, decoded and statelessly checked by [`ModuleMsg`] (their signers
    /// are what [`Module::validate_msg`] returns); `Infallible` for a module without messages.
    type Msg: ModuleMsg;

    /// Writes the genesis state ([`Module::init_genesis`]). Genesis is a function of state and
    /// the section alone, not of the module's wiring: `import` and `export` take no `self`.
    fn import(state: &mut dyn StateWrite, ctx: &GenesisContext, g: Self::Genesis) -> AppResult<()>;

    /// Reads the state back as the section `import` accepts, writing addresses with `profile`'s
    /// prefixes ([`Module::export_genesis`]).
    fn export(state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Self::Genesis>;

    /// Executes one decoded message and returns its response ([`Module::deliver_msg`]). Every
    /// module with messages implements it; with `type Msg = Infallible` it is never called.
    fn execute(&self, _tx: MsgScope<'_>, _msg: &Self::Msg) -> AppResult<Any> {
        Err(AppError::sdk(
            SdkCode::UnknownRequest,
            format!("module {} has no message handler", Self::NAME),
        ))
    }

    /// Answers a query at one of [`Component::QUERY_PATHS`] ([`Module::query`]).
    fn answer(&self, _ctx: QueryContext<'_>, path: &str, _request: &[u8]) -> AppResult<Vec<u8>> {
        Err(AppError::sdk(
            SdkCode::UnknownRequest,
            format!("module {} does not answer {path}", Self::NAME),
        ))
    }

    /// Runs before the block's transactions ([`Module::begin_block`]).
    fn begin_block(&self, _block: BlockScope<'_>) -> AppResult<()> {
        Ok(())
    }

    /// Runs after the block's transactions ([`Module::end_block`]: only the validator-set owner
    /// returns updates).
    fn end_block(&self, _block: BlockScope<'_>) -> AppResult<Vec<ValidatorUpdate>> {
        Ok(Vec::new())
    }

    /// The validator-set owner's genesis set ([`Module::genesis_validators`]); `None` for every
    /// other module.
    fn genesis_validators(
        &self,
        _state: &mut dyn StateWrite,
        _ctx: &GenesisContext,
    ) -> AppResult<Option<Vec<ValidatorUpdate>>> {
        Ok(None)
    }

    /// The module's own invariants over `state` ([`Module::check_invariants`]); none by default.
    fn check_invariants(&self, _state: &dyn StateRead) -> AppResult<Option<String>> {
        Ok(None)
    }
}

/// The one adaptor from a typed [`Component`] to the [`Module`] the app composes.
impl<C: Component> Module for C {
    fn name(&self) -> &'static str {
        C::NAME
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
        genesis: Option<&Value>,
    ) -> AppResult<()> {
        C::import(state, ctx, genesis_section(C::NAME, genesis)?)
    }

    fn export_genesis(&self, state: &dyn StateRead, profile: &ChainProfile) -> AppResult<Value> {
        to_section(C::NAME, &C::export(state, profile)?)
    }

    fn begin_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<()> {
        Component::begin_block(self, Scope { state, ctx, events })
    }

    fn msg_type_urls(&self) -> &'static [&'static str] {
        C::MSG_TYPE_URLS
    }

    fn validate_msg(&self, profile: &ChainProfile, msg: &Any) -> AppResult<Vec<Address>> {
        C::Msg::validate(profile, msg)
    }

    fn deliver_msg(
        &self,
        state: &mut dyn StateWrite,
        ctx: &MsgContext<'_>,
        msg: &Any,
        events: &mut Events,
    ) -> AppResult<Any> {
        C::Msg::deliver(ctx, msg, |m| self.execute(Scope { state, ctx, events }, m))
    }

    fn end_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockContext,
        events: &mut Events,
    ) -> AppResult<Vec<ValidatorUpdate>> {
        Component::end_block(self, Scope { state, ctx, events })
    }

    fn genesis_validators(
        &self,
        state: &mut dyn StateWrite,
        ctx: &GenesisContext,
    ) -> AppResult<Option<Vec<ValidatorUpdate>>> {
        Component::genesis_validators(self, state, ctx)
    }

    fn check_invariants(&self, state: &dyn StateRead) -> AppResult<Option<String>> {
        Component::check_invariants(self, state)
    }

    fn query_paths(&self) -> &'static [&'static str] {
        C::QUERY_PATHS
    }

    fn query(&self, ctx: QueryContext<'_>, path: &str, request: &[u8]) -> AppResult<Vec<u8>> {
        self.answer(ctx, path, request)
    }
}

/// Writes a module's genesis section from `value` (the inverse of [`genesis_section`]); a value
/// that cannot be written as JSON is an `sdk/1` naming `app_state.<module>`.
pub fn to_section<T: serde::Serialize>(module: &str, value: &T) -> AppResult<Value> {
    serde_json::to_value(value)
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("export app_state.{module}: {e}")))
}

/// Parses a module's genesis section into `T` (`None` gives `T::default()`); the error names
/// `app_state.<module>` and the offending field.
pub fn genesis_section<T: serde::de::DeserializeOwned + Default>(
    module: &str,
    section: Option<&Value>,
) -> AppResult<T> {
    match section {
        Some(value) => T::deserialize(value)
            .map_err(|e| AppError::sdk(SdkCode::JsonUnmarshal, format!("app_state.{module}: {e}"))),
        None => Ok(T::default()),
    }
}

/// A module's transaction messages decoded as one type (an enum over its type URLs, or one
/// validated message): [`Component::Msg`]. The provided [`ModuleMsg::validate`] and
/// [`ModuleMsg::deliver`] are the bodies of [`Module::validate_msg`] and [`Module::deliver_msg`].
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

/// The messages of a module that handles none: nothing decodes (`sdk/6`), so nothing is executed.
impl ModuleMsg for Infallible {
    fn decode(any: &Any, _profile: &ChainProfile) -> AppResult<Self> {
        Err(AppError::sdk(
            SdkCode::UnknownRequest,
            format!("no handler for message type {}", any.type_url),
        ))
    }

    fn signers(&self, _profile: &ChainProfile) -> AppResult<Vec<Address>> {
        match *self {}
    }
}

/// Decodes the protobuf message `M` carried by `any` (a transaction message routed here by its
/// type URL); bytes that do not decode are `sdk/2` naming the type URL.
pub fn decode_msg<M: prost::Message + Default>(any: &Any) -> AppResult<M> {
    M::decode(any.value.as_slice())
        .map_err(|e| AppError::sdk(SdkCode::TxDecode, format!("{}: {e}", any.type_url)))
}

/// Decodes the protobuf query request `M` from `bytes`; bytes that do not decode are `sdk/2`
/// prefixed with `what` (e.g. `query request`).
pub fn decode_request<M: prost::Message + Default>(what: &str, bytes: &[u8]) -> AppResult<M> {
    M::decode(bytes).map_err(|e| AppError::sdk(SdkCode::TxDecode, format!("{what}: {e}")))
}

/// [`decode_request`] with the usual prefix, `query request`.
pub fn decode_query<M: prost::Message + Default>(bytes: &[u8]) -> AppResult<M> {
    decode_request("query request", bytes)
}

/// The `sdk/6` error for a message type URL `module` does not handle.
pub fn unknown_msg(module: &str, type_url: &str) -> AppError {
    AppError::sdk(
        SdkCode::UnknownRequest,
        format!("unrecognized {module} message type: {type_url}"),
    )
}
