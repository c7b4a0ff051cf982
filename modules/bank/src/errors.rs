//! Stable error codes of the `bank` codespace, numbered as the Cosmos SDK's `x/bank`
//! `types/errors.go`.

rampart_core::codespace! {
    /// The bank module's own codespace.
    codespace "bank";
    /// Error codes of the `bank` codespace.
    pub enum BankCode {
        /// A multi-send without inputs.
        NoInputs = 2,
        /// A multi-send without outputs.
        NoOutputs = 3,
        /// A multi-send whose inputs and outputs differ.
        InputOutputMismatch = 4,
        /// Transfers are disabled by the parameters.
        SendDisabled = 5,
        /// A multi-send with more than one input.
        MultipleSenders = 9,
    }
}
