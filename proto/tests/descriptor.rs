//! The reflection descriptor set: every served service and every type that travels inside an
//! `Any` is described, with the Cosmos SDK's names and field numbers.

use std::collections::BTreeSet;

use prost::Message;
use prost_types::{DescriptorProto, FileDescriptorSet};

fn descriptor_set() -> FileDescriptorSet {
    FileDescriptorSet::decode(rampart_proto::FILE_DESCRIPTOR_SET).expect("valid descriptor set")
}

/// `package.Name` of every top-level message.
fn message_names(set: &FileDescriptorSet) -> BTreeSet<String> {
    set.file
        .iter()
        .flat_map(|file| {
            file.message_type
                .iter()
                .map(move |message| format!("{}.{}", file.package(), message.name()))
        })
        .collect()
}

fn message<'a>(set: &'a FileDescriptorSet, full_name: &str) -> &'a DescriptorProto {
    set.file
        .iter()
        .flat_map(|file| {
            file.message_type
                .iter()
                .map(move |message| (format!("{}.{}", file.package(), message.name()), message))
        })
        .find(|(name, _)| name == full_name)
        .map(|(_, message)| message)
        .unwrap_or_else(|| panic!("{full_name} is not in the descriptor set"))
}

fn fields(message: &DescriptorProto) -> Vec<(String, i32)> {
    message
        .field
        .iter()
        .map(|field| (field.name().to_string(), field.number()))
        .collect()
}

#[test]
fn exactly_the_served_services_are_described() {
    let services: BTreeSet<String> = descriptor_set()
        .file
        .iter()
        .flat_map(|file| {
            file.service
                .iter()
                .map(move |service| format!("{}.{}", file.package(), service.name()))
        })
        .collect();
    let expected: BTreeSet<String> = [
        "cosmos.auth.v1beta1.Query",
        "cosmos.bank.v1beta1.Query",
        "cosmos.base.tendermint.v1beta1.Service",
        "cosmos.consensus.v1.Query",
        "cosmos.tx.v1beta1.Service",
        "rampart.chain.v1.Query",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(services, expected);
}

#[test]
fn every_any_payload_is_described() {
    let names = message_names(&descriptor_set());
    for name in [
        "cosmos.auth.v1beta1.BaseAccount",
        "cosmos.auth.v1beta1.ModuleAccount",
        "cosmos.crypto.secp256k1.PubKey",
        "cosmos.crypto.ed25519.PubKey",
        "cosmos.crypto.multisig.LegacyAminoPubKey",
        "cosmos.bank.v1beta1.MsgSend",
        "cosmos.bank.v1beta1.MsgSendResponse",
        "cosmos.bank.v1beta1.MsgMultiSend",
        "cosmos.bank.v1beta1.MsgMultiSendResponse",
        "cosmos.tx.v1beta1.Tx",
        "cosmos.tx.v1beta1.TxRaw",
        "cosmos.tx.v1beta1.SignDoc",
        "cosmos.base.abci.v1beta1.TxMsgData",
        "google.protobuf.Any",
    ] {
        assert!(names.contains(name), "{name} is missing");
    }
}

#[test]
fn field_numbers_are_the_sdk_ones() {
    let set = descriptor_set();
    let owned = |pairs: &[(&str, i32)]| -> Vec<(String, i32)> {
        pairs.iter().map(|(n, i)| (n.to_string(), *i)).collect()
    };
    assert_eq!(
        fields(message(&set, "cosmos.auth.v1beta1.BaseAccount")),
        owned(&[
            ("address", 1),
            ("pub_key", 2),
            ("account_number", 3),
            ("sequence", 4)
        ])
    );
    assert_eq!(
        fields(message(&set, "cosmos.tx.v1beta1.TxBody")),
        owned(&[
            ("messages", 1),
            ("memo", 2),
            ("timeout_height", 3),
            ("extension_options", 1023),
            ("non_critical_extension_options", 2047)
        ])
    );
    assert_eq!(
        fields(message(&set, "cosmos.tx.v1beta1.SimulateRequest")),
        owned(&[("tx", 1), ("tx_bytes", 2)])
    );
    assert_eq!(
        fields(message(&set, "cosmos.base.abci.v1beta1.TxResponse")).len(),
        13
    );
}

#[test]
fn the_descriptor_set_is_self_contained() {
    let set = descriptor_set();
    let files: BTreeSet<&str> = set.file.iter().map(|file| file.name()).collect();
    for file in &set.file {
        for dependency in &file.dependency {
            assert!(
                files.contains(dependency.as_str()),
                "{} imports {dependency}, which is not in the set",
                file.name()
            );
        }
    }
}
