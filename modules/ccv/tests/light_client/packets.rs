//! `MsgRecvVscPacket` with real proofs from a provider JMT store: packets are applied in strict
//! order at the end block, and every bad packet is refused with its code and no write.

use prost::Message;
use rampart_ccv::proven::provider_packet_key;
use rampart_ccv::vsc::{self, RecvVscPacket};
use rampart_ccv::CcvCode;
use rampart_core::{ChainProfile, Events, StateRead};
use rampart_proto::rampart::ccv::v1 as pb;
use rampart_proto::rampart::consumer::v1::{ValidatorSetChangePacket, ValidatorUpdate};
use rampart_store::Storage;

use crate::common::*;

/// The consumer height at which packets are received in these tests.
const HEIGHT: u64 = 30;

fn key_of(seed: u8) -> Vec<u8> {
    keys(seed, 1)[0].verification_key().as_bytes().to_vec()
}

fn packet(consumer_id: u64, vsc_id: u64, updates: &[(Vec<u8>, u64)]) -> Vec<u8> {
    ValidatorSetChangePacket {
        consumer_id,
        vsc_id,
        provider_height: ANCHOR + 1,
        updates: updates
            .iter()
            .map(|(key, power)| ValidatorUpdate {
                consumer_pubkey: key.clone(),
                power: *power,
                provider_operator: format!("op-{}", key[0]),
            })
            .collect(),
        slash_acks: Vec::new(),
        provider_time: None,
    }
    .encode_to_vec()
}

/// The packets the provider stores: 1 adds a validator and removes one, 2 sets another's power,
/// 3 removes everyone (a provider never sends it; the consumer must refuse it anyway), 4 is for
/// another consumer, 5 drops a key the consumer never had.
fn provider_packets() -> Vec<(u64, u64, Vec<u8>)> {
    let genesis = consumer_keys();
    let g = |i: usize| genesis[i].verification_key().as_bytes().to_vec();
    vec![
        (
            CONSUMER_ID,
            1,
            packet(CONSUMER_ID, 1, &[(key_of(60), 7), (g(0), 0)]),
        ),
        (CONSUMER_ID, 2, packet(CONSUMER_ID, 2, &[(g(1), 9)])),
        (
            CONSUMER_ID,
            3,
            packet(CONSUMER_ID, 3, &[(g(1), 0), (g(2), 0), (key_of(60), 0)]),
        ),
        (8, 1, packet(8, 1, &[(key_of(61), 1)])),
    ]
}

/// A provider store committed at `ANCHOR + 1` with the packets; a consumer whose client trusts
/// header `ANCHOR + 2` (carrying the store's root).
fn setup(dir: &std::path::Path) -> (Storage, State) {
    let mut changes = rampart_core::Changes::new();
    for (id, vsc_id, bytes) in provider_packets() {
        changes.insert(provider_packet_key(id, vsc_id), Some(bytes));
    }
    let (store, root) = provider_store(dir, &changes);
    (store, consumer_trusting_root(&root))
}

fn recv_msg(store: &Storage, id: u64, vsc_id: u64) -> pb::MsgRecvVscPacket {
    let (value, proof) = store
        .get_with_proof(&provider_packet_key(id, vsc_id), ANCHOR + 1)
        .expect("proof");
    pb::MsgRecvVscPacket {
        signer: signer(),
        proof_height: ANCHOR + 1,
        packet: value.expect("stored"),
        proof: proof.encode_to_vec(),
    }
}

/// Receives `m`; on refusal checks that nothing was written and returns the code.
fn recv(state: &mut State, m: &pb::MsgRecvVscPacket) -> Result<u64, u32> {
    let before = state.changes().clone();
    let result = RecvVscPacket::from_proto(m, &ChainProfile::rampart())
        .and_then(|decoded| vsc::receive(state, t(30), HEIGHT, &decoded, &mut Events::new()));
    result.map_err(|e| {
        assert_eq!(e.codespace, "ccv", "{}", e.log);
        assert_eq!(state.changes(), &before, "a refused packet wrote state");
        e.code
    })
}

fn powers(state: &dyn StateRead) -> Vec<(u8, u64, String)> {
    vsc::validators(state)
        .expect("set")
        .into_iter()
        .map(|v| (v.consumer_pubkey[0], v.power, v.provider_operator))
        .collect()
}

#[test]
fn packets_apply_in_order_at_the_end_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, mut state) = setup(dir.path());
    let genesis_set = powers(&state);
    assert_eq!(genesis_set.len(), 3);
    assert_eq!(vsc::applied(&state).expect("applied"), (0, ANCHOR));

    // Packet 2 before 1 is a gap.
    assert_eq!(
        recv(&mut state, &recv_msg(&store, CONSUMER_ID, 2)),
        Err(CcvCode::PacketOutOfOrder as u32)
    );
    assert_eq!(recv(&mut state, &recv_msg(&store, CONSUMER_ID, 1)), Ok(1));
    // Received, not yet applied: the set changes at the end block.
    assert_eq!(powers(&state), genesis_set);
    assert_eq!(vsc::applied(&state).expect("applied"), (1, ANCHOR + 1));
    // A replay, also by a second relayer in the same block.
    assert_eq!(
        recv(&mut state, &recv_msg(&store, CONSUMER_ID, 1)),
        Err(CcvCode::PacketReplayed as u32)
    );
    assert_eq!(recv(&mut state, &recv_msg(&store, CONSUMER_ID, 2)), Ok(2));

    let updates = vsc::end_block(&mut state, HEIGHT, &mut Events::new()).expect("end block");
    let mut got: Vec<(u8, u64)> = updates
        .iter()
        .map(|u| (u.ed25519_pubkey[0], u.power))
        .collect();
    got.sort();
    let g = consumer_keys();
    let first = |i: usize| g[i].verification_key().as_bytes()[0];
    let mut want = vec![(key_of(60)[0], 7), (first(0), 0), (first(1), 9)];
    want.sort();
    assert_eq!(got, want);
    let set = powers(&state);
    assert_eq!(set.len(), 3);
    assert!(set.contains(&(key_of(60)[0], 7, format!("op-{}", key_of(60)[0]))));
    // Nothing left for the next block.
    assert!(vsc::end_block(&mut state, HEIGHT, &mut Events::new())
        .expect("empty")
        .is_empty());
    // The height map: vsc 2 is in force from the next height.
    assert_eq!(
        state.get(&rampart_ccv::keys::height_vsc(HEIGHT + 1)),
        Some(2u64.to_be_bytes().to_vec())
    );
}

#[test]
fn bad_packets_are_refused_without_a_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, mut state) = setup(dir.path());
    // Another consumer's packet, with a valid proof.
    assert_eq!(
        recv(&mut state, &recv_msg(&store, 8, 1)),
        Err(CcvCode::WrongConsumer as u32)
    );
    // Tampered packet bytes (the proof no longer matches).
    let mut m = recv_msg(&store, CONSUMER_ID, 1);
    let mut decoded = ValidatorSetChangePacket::decode(m.packet.as_slice()).expect("decodes");
    decoded.updates[0].power = 1_000;
    m.packet = decoded.encode_to_vec();
    assert_eq!(recv(&mut state, &m), Err(CcvCode::InvalidProof as u32));
    // A proof against a height whose next header is not verified.
    let mut m = recv_msg(&store, CONSUMER_ID, 1);
    m.proof_height = ANCHOR + 5;
    assert_eq!(
        recv(&mut state, &m),
        Err(CcvCode::ConsensusStateNotFound as u32)
    );
    // Garbage, empty and oversized fields.
    let mut m = recv_msg(&store, CONSUMER_ID, 1);
    m.packet = vec![0xff; 9];
    assert_eq!(recv(&mut state, &m), Err(CcvCode::InvalidPacket as u32));
    let mut m = recv_msg(&store, CONSUMER_ID, 1);
    m.proof.clear();
    assert_eq!(recv(&mut state, &m), Err(CcvCode::InvalidPacket as u32));
    let mut m = recv_msg(&store, CONSUMER_ID, 1);
    m.proof = vec![0; vsc::MAX_PACKET_BYTES + 1];
    assert_eq!(recv(&mut state, &m), Err(CcvCode::MessageTooLarge as u32));
    let mut m = recv_msg(&store, CONSUMER_ID, 1);
    m.packet = packet(CONSUMER_ID, 1, &[(vec![1; 31], 1)]);
    assert_eq!(recv(&mut state, &m), Err(CcvCode::InvalidPacket as u32));
    let mut m = recv_msg(&store, CONSUMER_ID, 1);
    m.packet = packet(CONSUMER_ID, 1, &[(key_of(60), u64::MAX)]);
    assert_eq!(recv(&mut state, &m), Err(CcvCode::InvalidPacket as u32));

    // Packet 3 would empty the set.
    assert_eq!(recv(&mut state, &recv_msg(&store, CONSUMER_ID, 1)), Ok(1));
    assert_eq!(recv(&mut state, &recv_msg(&store, CONSUMER_ID, 2)), Ok(2));
    assert_eq!(
        recv(&mut state, &recv_msg(&store, CONSUMER_ID, 3)),
        Err(CcvCode::EmptyValidatorSet as u32)
    );
}

#[test]
fn an_idle_module_refuses_packets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = setup(dir.path());
    let mut idle = rampart_core::state::Overlay::new(rampart_core::state::EmptyState);
    assert_eq!(
        recv(&mut idle, &recv_msg(&store, CONSUMER_ID, 1)),
        Err(CcvCode::ClientNotFound as u32)
    );
}
