//! Rampart's own protobuf packages (`rampart.<module>.v1`). Cosmos SDK types come from
//! `cosmos-sdk-proto` and are never generated twice.

/// Encoded `FileDescriptorSet` of every Rampart proto (with imports), for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.bin"));

/// Rampart packages.
pub mod rampart {
    /// The chain-metadata module.
    pub mod chain {
        /// Version 1.
        #[allow(missing_docs, clippy::all)]
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/rampart.chain.v1.rs"));
        }
    }
}
