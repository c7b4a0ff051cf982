//! [`codespace!`](crate::codespace!): a module's error codespace — its name, its stable codes
//! and the constructor of its errors — in one declaration.

/// Declares a module's error codespace: `pub const CODESPACE`, a `#[repr(u32)]` code enum and
/// `pub fn err(code, log) -> AppError`. Codes are explicit so that they never renumber.
///
/// ```
/// rampart_core::codespace! {
///     /// The example codespace.
///     codespace "example";
///     /// Error codes of the `example` codespace.
///     pub enum ExampleCode {
///         /// Something was missing.
///         Missing = 2,
///     }
/// }
/// let e = err(ExampleCode::Missing, "no such thing");
/// assert_eq!((e.codespace, e.code), ("example", 2));
/// ```
#[macro_export]
macro_rules! codespace {
    (
        $(#[$codespace_meta:meta])*
        codespace $name:literal;
        $(#[$enum_meta:meta])*
        pub enum $code:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $value:literal ),* $(,)?
        }
    ) => {
        $(#[$codespace_meta])*
        pub const CODESPACE: &str = $name;

        $(#[$enum_meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u32)]
        pub enum $code {
            $( $(#[$variant_meta])* $variant = $value ),*
        }

        #[doc = concat!("An error in the `", $name, "` codespace.")]
        pub fn err(code: $code, log: impl Into<String>) -> $crate::AppError {
            $crate::AppError::new(CODESPACE, code as u32, log)
        }
    };
}
