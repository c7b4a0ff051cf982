//! Rampart's own protobuf packages (`rampart.<module>.v1`). Cosmos SDK and CometBFT types come from
//! `cosmos-sdk-proto` and `tendermint-proto` and are never generated twice; their trimmed .proto
//! files in this crate (`cosmos/`, `tendermint/`) only feed the reflection descriptor set.

/// Encoded `FileDescriptorSet` for gRPC reflection: Rampart's protos and the trimmed Cosmos SDK
/// v0.50 and CometBFT v0.38 protos (every served service and every type that appears inside an
/// `Any`), with all imports.
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

    /// The consumer-chain registry.
    pub mod consumer {
        /// Version 1.
        #[allow(missing_docs, clippy::all)]
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/rampart.consumer.v1.rs"));
        }
    }

    /// Restaking: pledges, consumer keys, consumer evidence.
    pub mod restaking {
        /// Version 1.
        #[allow(missing_docs, clippy::all)]
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/rampart.restaking.v1.rs"));
        }
    }
}
