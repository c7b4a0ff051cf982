//! Module parameters stored as one protobuf message under one key: the one way every module
//! reads them back (a record that does not decode is corrupt state, `sdk/35`).

use prost::Message;

use crate::error::{AppError, AppResult, SdkCode};
use crate::state::{StateRead, StateReadExt};

/// The parameters of `module` stored as `M` at `key`, or `None` before genesis wrote them. A
/// record that does not decode is `sdk/35` `corrupt <module> params: …`.
pub fn load_stored<M: Message + Default>(
    state: &dyn StateRead,
    module: &str,
    key: &[u8],
) -> AppResult<Option<M>> {
    state
        .get_proto::<M>(key)
        .map_err(|e| AppError::sdk(SdkCode::Logic, format!("corrupt {module} params: {e}")))
}

/// The parameters of `module` stored as `M` at `key`, converted by `from_stored`; the defaults
/// of `P` when none are stored.
pub fn load<M: Message + Default, P: Default>(
    state: &dyn StateRead,
    module: &str,
    key: &[u8],
    from_stored: impl FnOnce(&M) -> AppResult<P>,
) -> AppResult<P> {
    match load_stored::<M>(state, module, key)? {
        Some(stored) => from_stored(&stored),
        None => Ok(P::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{EmptyState, Overlay, StateWrite, StateWriteExt};

    #[test]
    fn absent_params_are_defaults_and_corrupt_ones_are_sdk_35() {
        let mut state = Overlay::new(EmptyState);
        let convert = |s: &String| Ok(s.len());
        assert_eq!(
            load::<String, usize>(&state, "m", b"p", convert).expect("loads"),
            0
        );
        state.put_proto(b"p".to_vec(), &"abc".to_owned());
        assert_eq!(
            load::<String, usize>(&state, "m", b"p", convert).expect("loads"),
            3
        );
        state.put(b"p".to_vec(), vec![0xff]);
        let e = load_stored::<String>(&state, "m", b"p").expect_err("corrupt");
        assert_eq!((e.codespace, e.code), ("sdk", 35));
        assert!(e.log.starts_with("corrupt m params: "), "{}", e.log);
    }
}
