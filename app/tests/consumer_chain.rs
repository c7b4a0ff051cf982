//! A consumer chain that really runs on the provider's pledged stake (issue 11, app level): both
//! apps in one test, each driven by its own [`MockConsensus`]. The provider launches a consumer;
//! the consumer app (`Modules::consumer()`) starts from the genesis the provider wrote and gives
//! CometBFT exactly the pledged set at InitChain; a relayer — these tests, with real signed
//! transactions — proves the provider's validator-set-change packets to the consumer's light
//! client (a provider header signed by the provider's validators over CometBFT's canonical
//! votes, an ICS-23 proof from the provider's `/store/key` query), and the consumer's CometBFT
//! set follows two blocks later. Bad relays — a proof against an unverified height, a tampered
//! proof, a header from another chain or signed by an unknown or insufficient set, a packet of
//! another consumer, out of order or replayed, malformed sets, oversized messages, the same batch
//! twice, an expired or frozen client — fail with their stable code, change no consumer state
//! (only the relayer's sequence, or nothing at all when the message fails before the ante
//! handler) and the consumer keeps producing blocks. The module tests
//! (`modules/ccv/tests/light_client`) cover each check in depth; these cover the composition.

mod restaking_support;

use ed25519_consensus::SigningKey;
use prost::Message;
use rampart_app::Modules;
use rampart_ccv::urls::{
    MSG_RECV_VSC_PACKET, MSG_UPDATE_PROVIDER_CLIENT, QUERY_APPLIED_VSC, QUERY_PROVIDER_CLIENT,
    QUERY_VALIDATORS,
};
use rampart_ccv::CcvCode;
use rampart_core::StateRead;
use rampart_proto::rampart::ccv::v1 as ccv;
use rampart_proto::rampart::consumer::v1 as cpb;
use rampart_testkit::events::*;
use rampart_testkit::light_block::{consensus_key, next_header, raw_set, HeaderSpec, Member};
use rampart_testkit::msgs::any;
use rampart_testkit::restaking::*;
use rampart_testkit::*;
use restaking_support::*;
use tendermint::abci::response::FinalizeBlock;
use tendermint::abci::types::ExecTxResult;
use tendermint_proto::crypto::{public_key::Sum, PublicKey as RawPublicKey};
use tendermint_proto::google::protobuf::Any;

/// The consumer under test (id 0) and a second consumer (id 1) launched with it.
const SHARED: &str = "shared-1";
const OTHER: &str = "other-1";

/// Seeds of the provider's three validators.
const SEEDS: [u8; 3] = [111, 112, 113];

/// A consumer validator as the queries name it: its key and power, and its provider operator.
type Record = (Member, String);

/// The keys and powers of `records`.
fn members(records: &[Record]) -> Vec<Member> {
    records.iter().map(|(member, _)| *member).collect()
}

fn key32(bytes: &[u8]) -> [u8; 32] {
    bytes.try_into().expect("32-byte ed25519 keys")
}

/// The provider: the restaking scenario chain and its validators' consensus signing keys.
struct Provider {
    net: Net,
    validators: Vec<TestValidator>,
    keys: Vec<SigningKey>,
}

impl Provider {
    /// Commits blocks until an epoch block stores a packet for `consumer_id`; returns its height
    /// and vsc id.
    fn until_packet(&mut self, consumer_id: u64) -> (u64, u64) {
        for _ in 0..=EPOCH {
            let response = self.net.block(vec![]);
            if let Some(vsc_id) = Net::packet_event(&response, consumer_id) {
                return (self.net.chain.driver.height, vsc_id);
            }
        }
        panic!("no packet for consumer {consumer_id} within an epoch")
    }

    /// Delivers the messages `msgs` makes for validator `index`, signed by its operator.
    fn operator_tx(&mut self, index: usize, msgs: impl FnOnce(&TestValidator) -> Vec<Any>) {
        let validator = &self.validators[index];
        let tx = self.net.chain.operator_tx(validator, msgs(validator), GAS);
        self.net.deliver_ok(tx);
    }

    /// The header of the provider's next block, signed by every validator.
    fn next_header(&self) -> HeaderSpec {
        next_header(&self.net.chain.driver)
    }

    /// The packet `vsc_id` of `consumer_id` stored in the provider's state after `height`, and
    /// its encoded ICS-23 proof, read as a relayer reads them: ABCI `/store/key` with a proof.
    fn prove_packet(&self, consumer_id: u64, vsc_id: u64, height: u64) -> Proven {
        let key = rampart_ccv::proven::provider_packet_key(consumer_id, vsc_id);
        let answer =
            self.net
                .chain
                .driver
                .query(rampart_app::query::STORE_KEY_PATH, &key, height, true);
        assert_eq!(answer.code.value(), 0, "{}", answer.log);
        assert_eq!(answer.height.value(), height);
        let ops = answer.proof.expect("a proof").ops;
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].field_type, rampart_app::query::PROOF_OP_TYPE);
        assert!(!answer.value.is_empty(), "packet {vsc_id} is stored");
        Proven {
            height,
            packet: answer.value.to_vec(),
            proof: ops[0].data.clone(),
        }
    }

    /// `query consumer validators <id>`: each validator's consumer key, power and provider
    /// operator, sorted.
    fn consumer_set(&self, consumer_id: u64) -> Vec<Record> {
        let answer: cpb::QueryConsumerValidatorsResponse = self.net.chain.query(
            "/rampart.consumer.v1.Query/ConsumerValidators",
            &cpb::QueryConsumerValidatorsRequest { consumer_id },
        );
        let mut set: Vec<Record> = answer
            .validators
            .iter()
            .map(|v| ((key32(&v.consumer_pubkey), v.power), v.operator.clone()))
            .collect();
        set.sort();
        set
    }
}

/// A packet as the provider stores it after `height`, and its encoded ICS-23 proof.
#[derive(Clone)]
struct Proven {
    height: u64,
    packet: Vec<u8>,
    proof: Vec<u8>,
}

/// A provider height the consumer's client trusts, and the provider set that signs the next one
/// (what a relayer sends as `trusted_next_validator_set`).
#[derive(Clone)]
struct Trusted {
    height: u64,
    next_validators: Vec<Member>,
}

impl Trusted {
    /// The trust `header` gives once the client stored it.
    fn of(header: &HeaderSpec) -> Self {
        Self {
            height: header.height,
            next_validators: header.next_validators.clone(),
        }
    }
}

/// The consumer chain: the consumer composition over its own store, and the relayer's key,
/// funded in its genesis.
struct Consumer {
    chain: Chain,
    relayer: Key,
}

impl Consumer {
    /// Runs the consumer's InitChain from the genesis the provider wrote at launch, the way
    /// `rampartd init --consumer` composes it: chain, auth and bank sections (the relayer funded)
    /// plus the `ccv` section built from the consumer genesis.
    fn start(genesis: &cpb::ConsumerGenesis, relayer: &Key) -> Self {
        let ccv = rampart_ccv::genesis::from_consumer_genesis(genesis).expect("ccv section");
        let app_state = serde_json::json!({
            "chain": {"name": genesis.chain_id},
            "bank": {"balances": [{
                "address": relayer.address().to_string(),
                "coins": [{"denom": DENOM, "amount": "1000000"}],
            }]},
            "ccv": serde_json::to_value(&ccv).expect("json"),
        });
        let modules = Modules::for_app_state(&app_state);
        assert_eq!(
            modules.iter().map(|m| m.name()).collect::<Vec<_>>(),
            ["chain", "auth", "bank", "ccv"],
            "a ccv section selects the consumer composition"
        );
        Self {
            chain: Chain::init(modules, &genesis.chain_id, &app_state),
            relayer: relayer.clone(),
        }
    }

    fn height(&self) -> u64 {
        self.chain.driver.height
    }

    fn block(&mut self, txs: Vec<Vec<u8>>) -> FinalizeBlock {
        self.chain.driver.block(txs)
    }

    /// Commits empty blocks up to `height`.
    fn until(&mut self, height: u64) {
        while self.height() < height {
            let response = self.block(vec![]);
            assert!(response.validator_updates.is_empty());
        }
    }

    /// `msgs` in a transaction of the relayer, signed over the consumer's chain id, no fee.
    fn tx(&self, msgs: Vec<Any>) -> Vec<u8> {
        let (number, sequence) = self.account();
        let mut builder = TxBuilder::new(msgs, vec![Signer::new(&self.relayer, number, sequence)])
            .without_fee()
            .with_gas(GAS);
        builder.chain_id = self.chain.driver.chain_id().to_owned();
        builder.build()
    }

    /// The relayer's committed (account number, sequence).
    fn account(&self) -> (u64, u64) {
        let (number, sequence, _) = self
            .chain
            .account(&self.relayer.address())
            .expect("the relayer has an account on the consumer");
        (number, sequence)
    }

    /// Commits a block with `tx` only; returns its result.
    fn deliver(&mut self, tx: Vec<u8>) -> (ExecTxResult, FinalizeBlock) {
        let mut response = self.block(vec![tx]);
        (response.tx_results.remove(0), response)
    }

    fn query<R: Message + Default>(&self, path: &str, request: &impl Message) -> R {
        self.chain.query(path, request)
    }

    /// `rampart.ccv.v1.Query/AppliedVsc`: the last applied vsc id and its provider height.
    fn applied(&self) -> (u64, u64) {
        let answer: ccv::QueryAppliedVscResponse =
            self.query(QUERY_APPLIED_VSC, &ccv::QueryAppliedVscRequest {});
        (answer.vsc_id, answer.provider_height)
    }

    fn client(&self) -> ccv::QueryProviderClientResponse {
        self.query(QUERY_PROVIDER_CLIENT, &ccv::QueryProviderClientRequest {})
    }

    /// The set CometBFT uses at `height` (known for the last committed height and the next two).
    fn set_at(&self, height: u64) -> Vec<Member> {
        let set = self
            .chain
            .driver
            .validators_at(height)
            .expect("a known height");
        sorted(set.values().copied().collect())
    }

    /// `rampart.ccv.v1.Query/Validators`: the set in force, with the provider operators, sorted.
    fn ccv_set(&self) -> Vec<Record> {
        let answer: ccv::QueryValidatorsResponse =
            self.query(QUERY_VALIDATORS, &ccv::QueryValidatorsRequest {});
        let mut set: Vec<Record> = answer
            .validators
            .iter()
            .map(|v| {
                (
                    (key32(&v.consumer_pubkey), v.power),
                    v.provider_operator.clone(),
                )
            })
            .collect();
        set.sort();
        set
    }

    fn app_hash(&self) -> Vec<u8> {
        self.chain.app_hash()
    }

    /// Every committed key but the accounts (whose sequence a transaction's ante handler
    /// advances even when a message fails).
    fn state(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.chain
            .storage
            .snapshot()
            .scan_prefix(b"")
            .filter(|(key, _)| !key.starts_with(rampart_auth::state::ACCOUNTS_PREFIX))
            .collect()
    }

    /// Asserts that a block whose only transaction carries `msgs` fails it with `ccv/<code>`,
    /// changes nothing but the relayer's sequence, and that the consumer goes on producing
    /// blocks; returns the log.
    fn refused(&mut self, msgs: Vec<Any>, expected: CcvCode) -> String {
        let (before, (number, sequence)) = (self.state(), self.account());
        let (result, response) = self.deliver(self.tx(msgs));
        assert_eq!(
            code(&result),
            ("ccv".to_owned(), expected as u32),
            "{}",
            result.log
        );
        assert!(!result.log.is_empty());
        assert!(response.validator_updates.is_empty());
        assert_eq!(self.state(), before, "state unchanged: {}", result.log);
        assert_eq!(self.account(), (number, sequence + 1), "only the sequence");
        self.keeps_producing_blocks();
        result.log
    }

    /// Asserts that a block whose only transaction carries `msgs` fails it with
    /// `(codespace, code)` before the ante handler (in CheckTx too): the app hash is unchanged.
    fn refused_before_ante(&mut self, msgs: Vec<Any>, expected: (&str, u32)) {
        let (hash, account) = (self.app_hash(), self.account());
        let tx = self.tx(msgs);
        let check = self.chain.driver.check_tx(&tx);
        assert_eq!(
            (check.codespace.as_str(), check.code.value()),
            expected,
            "{}",
            check.log
        );
        let (result, _) = self.deliver(tx);
        assert_eq!(
            (result.codespace.as_str(), result.code.value()),
            expected,
            "{}",
            result.log
        );
        assert_eq!(self.app_hash(), hash, "app hash unchanged: {}", result.log);
        assert_eq!(self.account(), account);
        self.keeps_producing_blocks();
    }

    fn keeps_producing_blocks(&mut self) {
        let height = self.height();
        self.block(vec![]);
        assert_eq!(self.height(), height + 1);
    }
}

/// `MsgUpdateProviderClient` of the relayer: `header` signed with `keys`, trusting `trusted`.
fn update_msg(
    relayer: &Key,
    header: &HeaderSpec,
    keys: &[SigningKey],
    trusted: &Trusted,
) -> ccv::MsgUpdateProviderClient {
    ccv::MsgUpdateProviderClient {
        signer: relayer.address().to_string(),
        signed_header: Some(header.sign(keys)),
        validator_set: Some(header.validator_set()),
        trusted_height: trusted.height,
        trusted_next_validator_set: Some(raw_set(&trusted.next_validators)),
    }
}

/// [`update_msg`] packed.
fn update(relayer: &Key, header: &HeaderSpec, keys: &[SigningKey], trusted: &Trusted) -> Any {
    any(
        MSG_UPDATE_PROVIDER_CLIENT,
        &update_msg(relayer, header, keys, trusted),
    )
}

/// `MsgRecvVscPacket` of the relayer.
fn recv(relayer: &Key, proven: &Proven) -> Any {
    any(
        MSG_RECV_VSC_PACKET,
        &ccv::MsgRecvVscPacket {
            signer: relayer.address().to_string(),
            proof_height: proven.height,
            packet: proven.packet.clone(),
            proof: proven.proof.clone(),
        },
    )
}

/// The consumers' unbonding period in seconds: a trusting period of 60 s, so that no trusted
/// provider header expires — and is pruned by a begin block — while the bad relays are checked
/// to change nothing, and the client expires within a few dozen blocks after the last relay.
const UNBONDING: u64 = 90;

fn params() -> cpb::ConsumerParams {
    cpb::ConsumerParams {
        unbonding_period_seconds: UNBONDING,
        ..consumer_params(1, 0, "0.05", 0)
    }
}

/// A provider of three validators (30, 20 and 10 units of stake); consumers [`SHARED`] (id 0)
/// and [`OTHER`] (id 1) registered, the first two validators opted in to both with their whole
/// stake, launched at `spawn`, which is no epoch height; the consumer genesis of id 0 read back.
fn launch() -> (Provider, cpb::ConsumerGenesis) {
    let owner = Key::secp(110);
    let validators: Vec<TestValidator> = SEEDS.iter().map(|s| TestValidator::new(*s)).collect();
    let keys: Vec<SigningKey> = SEEDS.iter().map(|s| consensus_key(*s)).collect();
    for (v, k) in validators.iter().zip(&keys) {
        assert_eq!(v.consensus_pubkey(), k.verification_key().to_bytes());
    }
    let mut net = Net::provider(
        &[
            (&validators[0], 30_000_000),
            (&validators[1], 20_000_000),
            (&validators[2], 10_000_000),
        ],
        &[&owner],
        restaking_params("1", 4),
    );
    let mut spawn = net.chain.driver.height + 4;
    while spawn.is_multiple_of(EPOCH) {
        spawn += 1;
    }
    net.free_ok(
        &owner,
        vec![
            register(&owner, SHARED, Some(spawn), Some(params())),
            register(&owner, OTHER, Some(spawn), Some(params())),
        ],
    );
    for v in &validators[..2] {
        net.operator_ok(
            v,
            vec![opt_in(v, 0, 10_000, None), opt_in(v, 1, 10_000, None)],
        );
    }
    net.until(spawn);
    for id in [0, 1] {
        assert_eq!(net.consumer(id).phase, cpb::ConsumerPhase::Launched as i32);
    }
    let genesis = net.consumer_genesis(0);
    assert_eq!(genesis.provider_height, spawn);
    assert_eq!(genesis.trusting_period_seconds, UNBONDING * 2 / 3);
    (
        Provider {
            net,
            validators,
            keys,
        },
        genesis,
    )
}

/// What the client trusts at launch: header H and the set that signs H+1, from the genesis.
fn anchor(genesis: &cpb::ConsumerGenesis) -> Trusted {
    Trusted {
        height: genesis.provider_height,
        next_validators: genesis
            .provider_next_validators
            .iter()
            .map(|v| (key32(&v.pub_key), v.power))
            .collect(),
    }
}

/// Starts the consumer from `genesis`: CometBFT's set at InitChain is the pledged set, and the
/// chain produces blocks up to the provider's height (both drivers keep one-second blocks from
/// the same genesis time, so the consumer's clock then agrees with the provider headers).
fn start_consumer(provider: &Provider, genesis: &cpb::ConsumerGenesis) -> Consumer {
    let mut consumer = Consumer::start(genesis, &Key::secp(120));
    let initial: Vec<Member> = sorted(
        genesis
            .initial_validators
            .iter()
            .map(|v| (key32(&v.consumer_pubkey), v.power))
            .collect(),
    );
    assert_eq!(
        initial,
        sorted(
            provider.validators[..2]
                .iter()
                .zip([30, 20])
                .map(|(v, power)| (v.consensus_pubkey(), power))
                .collect()
        )
    );
    // InitChain's validators (which the driver hands CometBFT) are the initial set.
    assert_eq!(consumer.set_at(1), initial);
    assert_eq!(consumer.set_at(2), initial);
    consumer.keeps_producing_blocks();
    assert_eq!(consumer.applied(), (0, genesis.provider_height));
    assert_eq!(consumer.ccv_set(), provider.consumer_set(0));
    consumer.until(provider.net.chain.driver.height);
    assert_eq!(consumer.set_at(consumer.height() + 2), initial);
    consumer
}

/// Every bad relay of `packet` with `header` (which the client, trusting `trusted`, would
/// accept) fails with its stable code, changes no consumer state and leaves the consumer
/// producing blocks: `foreign` is the other consumer's packet of the same height.
fn bad_relays_change_nothing(
    consumer: &mut Consumer,
    header: &HeaderSpec,
    keys: &[SigningKey],
    trusted: &Trusted,
    packet: &Proven,
    foreign: &Proven,
) {
    let relayer = consumer.relayer.clone();
    let good_update = || update(&relayer, header, keys, trusted);
    // A proof against a provider height the client has not verified (no header p+1 yet).
    let log = consumer.refused(
        vec![recv(&relayer, packet)],
        CcvCode::ConsensusStateNotFound,
    );
    assert!(log.contains("does not trust"), "{log}");
    // A header of another chain, signed over that chain id.
    let mut other_chain = header.clone();
    other_chain.chain_id = "impostor-1".into();
    consumer.refused(
        vec![update(&relayer, &other_chain, keys, trusted)],
        CcvCode::ChainIdMismatch,
    );
    // Signed by the smallest validator only: a sixth of the power.
    let mut insufficient = header.clone();
    insufficient.signers = Some(vec![keys[2].verification_key().to_bytes()]);
    consumer.refused(
        vec![update(&relayer, &insufficient, keys, trusted)],
        CcvCode::InsufficientTrust,
    );
    // Signed by a set the client never trusted.
    let strangers: Vec<SigningKey> = (121..=124).map(consensus_key).collect();
    let mut unknown = header.clone();
    unknown.validators = strangers
        .iter()
        .map(|k| (k.verification_key().to_bytes(), 10))
        .collect();
    consumer.refused(
        vec![update(&relayer, &unknown, &strangers, trusted)],
        CcvCode::InsufficientTrust,
    );
    // A trusted next set other than the anchor's.
    let mut not_trusted = trusted.clone();
    not_trusted.next_validators[0].1 += 1;
    consumer.refused(
        vec![update(&relayer, header, keys, &not_trusted)],
        CcvCode::TrustedValidatorsMismatch,
    );
    // A valid header, but a proof with one byte flipped: the whole transaction fails, the
    // header included.
    let mut tampered = packet.clone();
    let middle = tampered.proof.len() / 2;
    tampered.proof[middle] ^= 0x01;
    consumer.refused(
        vec![good_update(), recv(&relayer, &tampered)],
        CcvCode::InvalidProof,
    );
    // A tampered packet (one more unit of power) with the genuine packet's proof.
    let mut decoded =
        cpb::ValidatorSetChangePacket::decode(packet.packet.as_slice()).expect("packet");
    decoded.updates[0].power += 1;
    let forged = Proven {
        packet: decoded.encode_to_vec(),
        ..packet.clone()
    };
    consumer.refused(
        vec![good_update(), recv(&relayer, &forged)],
        CcvCode::InvalidProof,
    );
    // The other consumer's genuine packet, with its genuine proof.
    consumer.refused(
        vec![good_update(), recv(&relayer, foreign)],
        CcvCode::WrongConsumer,
    );
    // Malformed and oversized messages fail before the ante handler: nothing changes at all.
    let malformed = |change: &dyn Fn(&mut ccv::MsgUpdateProviderClient)| {
        let mut m = update_msg(&relayer, header, keys, trusted);
        change(&mut m);
        vec![any(MSG_UPDATE_PROVIDER_CLIENT, &m)]
    };
    // A set whose total power overflows CometBFT's bound.
    let overflowing = malformed(&|m| {
        let set = m.trusted_next_validator_set.as_mut().expect("set");
        for v in &mut set.validators {
            v.voting_power = i64::MAX / 2;
        }
    });
    consumer.refused_before_ante(overflowing, ("ccv", CcvCode::InvalidValidatorSet as u32));
    // A 31-byte key.
    let short_key = malformed(&|m| {
        let set = m.validator_set.as_mut().expect("set");
        if let Some(RawPublicKey {
            sum: Some(Sum::Ed25519(key)),
        }) = set.validators[0].pub_key.as_mut()
        {
            key.truncate(31);
        }
    });
    consumer.refused_before_ante(short_key, ("ccv", CcvCode::InvalidValidatorSet as u32));
    // More commit signatures than CometBFT allows validators.
    let too_many = malformed(&|m| {
        let commit = m
            .signed_header
            .as_mut()
            .and_then(|h| h.commit.as_mut())
            .expect("commit");
        let absent = tendermint_proto::types::CommitSig {
            block_id_flag: tendermint_proto::types::BlockIdFlag::Absent as i32,
            ..Default::default()
        };
        commit
            .signatures
            .resize(rampart_ccv::header::MAX_VALIDATORS + 1, absent);
    });
    consumer.refused_before_ante(too_many, ("ccv", CcvCode::MessageTooLarge as u32));
    // A packet as large as a transaction may be: the transaction is too large (`sdk/21`)
    // before the packet's own bound (`ccv/14`, the same 1 MiB) is reached.
    let oversized = Proven {
        packet: vec![0; rampart_ccv::vsc::MAX_PACKET_BYTES],
        ..packet.clone()
    };
    consumer.refused_before_ante(vec![good_update(), recv(&relayer, &oversized)], ("sdk", 21));
}

#[test]
fn a_relayed_vsc_packet_changes_the_consumer_set_and_bad_relays_change_nothing() {
    let (mut provider, genesis) = launch();
    assert_eq!(genesis.chain_id, SHARED);
    let launch_height = genesis.provider_height;
    let mut consumer = start_consumer(&provider, &genesis);
    let relayer = consumer.relayer.clone();
    let trusted = anchor(&genesis);

    // The third validator opts in to both consumers: the next epoch stores vsc 1 of each.
    provider.operator_tx(2, |v| {
        vec![opt_in(v, 0, 10_000, None), opt_in(v, 1, 10_000, None)]
    });
    let third = provider.validators[2].consensus_pubkey();
    let (p, vsc) = provider.until_packet(0);
    assert_eq!(vsc, 1);
    assert!(p > launch_height);
    let header = provider.next_header();
    assert_eq!(header.height, p + 1);
    let packet = provider.prove_packet(0, 1, p);
    let foreign = provider.prove_packet(1, 1, p);
    provider.net.block(vec![]);
    consumer.until(p + 1);
    let keys = provider.keys.clone();
    let good_update = || update(&relayer, &header, &keys, &trusted);

    bad_relays_change_nothing(&mut consumer, &header, &keys, &trusted, &packet, &foreign);
    assert_eq!(consumer.applied(), (0, launch_height));
    assert_eq!(
        consumer.client().client.expect("client").latest_height,
        launch_height
    );

    // The relay: header p+1 and the packet proven at p in one transaction.
    let batch = consumer.tx(vec![good_update(), recv(&relayer, &packet)]);
    let (result, response) = consumer.deliver(batch.clone());
    assert_ok(&result);
    let h = consumer.height();
    assert_eq!(
        tx_attr(&result, "provider_client_updated", "height"),
        Some((p + 1).to_string())
    );
    assert_eq!(tx_attr(&result, "vsc_received", "vsc_id"), Some("1".into()));
    let expected = provider.consumer_set(0);
    assert_eq!(expected.len(), 3);
    let mut updates: Vec<Member> = response
        .validator_updates
        .iter()
        .map(|u| {
            (
                u.pub_key
                    .ed25519()
                    .expect("ed25519")
                    .as_bytes()
                    .try_into()
                    .expect("32"),
                u.power.value(),
            )
        })
        .collect();
    updates.sort();
    assert_eq!(updates, vec![(third, 10)]);
    // CometBFT's set changes two blocks later.
    assert_eq!(consumer.set_at(h + 1), consumer.set_at(h));
    assert_eq!(consumer.set_at(h + 2), members(&expected));
    assert_eq!(consumer.ccv_set(), expected);
    assert_eq!(consumer.applied(), (1, p));
    let client = consumer.client();
    assert_eq!(client.client.expect("client").latest_height, p + 1);
    assert!(!client.frozen);
    consumer.until(h + 2);
    assert_eq!(consumer.set_at(consumer.height()), members(&expected));
    let trusted = Trusted::of(&header);

    // The same batch again: the very same bytes fail the ante handler's sequence check and
    // change nothing at all; re-signed, the header is already trusted and the packet replayed.
    let hash = consumer.app_hash();
    let (result, _) = consumer.deliver(batch);
    assert_eq!(code(&result), ("sdk".to_owned(), 32), "{}", result.log);
    assert_eq!(consumer.app_hash(), hash);
    consumer.refused(
        vec![good_update(), recv(&relayer, &packet)],
        CcvCode::PacketReplayed,
    );

    // Two more changes, one per epoch: vsc 2 and vsc 3.
    for (index, vsc) in [(0, 2), (1, 3)] {
        provider.operator_tx(index, |v| vec![set_pledge(v, 0, 5_000)]);
        assert_eq!(provider.until_packet(0).1, vsc);
    }
    let q = provider.net.chain.driver.height;
    let header = provider.next_header();
    let second = provider.prove_packet(0, 2, q);
    let third_packet = provider.prove_packet(0, 3, q);
    provider.net.block(vec![]);
    consumer.until(q + 1);
    let update_q = update(&relayer, &header, &keys, &trusted);
    // vsc 3 before vsc 2.
    consumer.refused(
        vec![update_q.clone(), recv(&relayer, &third_packet)],
        CcvCode::PacketOutOfOrder,
    );
    // Both in order, with the header, in one transaction.
    let (result, response) = consumer.deliver(consumer.tx(vec![
        update_q,
        recv(&relayer, &second),
        recv(&relayer, &third_packet),
    ]));
    assert_ok(&result);
    let h = consumer.height();
    assert!(!response.validator_updates.is_empty());
    let expected = provider.consumer_set(0);
    assert_eq!(
        members(&expected),
        sorted(vec![
            (provider.validators[0].consensus_pubkey(), 15),
            (provider.validators[1].consensus_pubkey(), 10),
            (third, 10),
        ])
    );
    assert_eq!(consumer.set_at(h + 2), members(&expected));
    assert_eq!(consumer.ccv_set(), expected);
    assert_eq!(consumer.applied(), (3, q));
    consumer.until(h + 2);

    // No relay for longer than the trusting period: the client expires and refuses a header
    // the provider's validators really signed; the consumer goes on with its set.
    let expires = consumer.client().expires_at.expect("expiry").seconds;
    // The first height whose block time is the expiry (one-second blocks from GENESIS_UNIX).
    let expired_at = u64::try_from(expires - GENESIS_UNIX).expect("after genesis");
    assert!(expired_at > consumer.height());
    while provider.net.chain.driver.height < expired_at {
        provider.net.block(vec![]);
    }
    consumer.until(expired_at);
    let fresh = provider.next_header();
    let log = consumer.refused(
        vec![update(&relayer, &fresh, &keys, &Trusted::of(&header))],
        CcvCode::ClientExpired,
    );
    assert!(log.contains("operator action"), "{log}");
    assert_eq!(consumer.set_at(consumer.height() + 2), members(&expected));
}

#[test]
fn a_conflicting_provider_header_freezes_the_client_and_the_consumer_keeps_its_set() {
    let (mut provider, genesis) = launch();
    let mut consumer = start_consumer(&provider, &genesis);
    let relayer = consumer.relayer.clone();
    let keys = provider.keys.clone();
    let trusted = anchor(&genesis);
    provider.operator_tx(2, |v| vec![opt_in(v, 0, 10_000, None)]);
    let (p, _) = provider.until_packet(0);
    let header = provider.next_header();
    let packet = provider.prove_packet(0, 1, p);
    provider.net.block(vec![]);
    consumer.until(p + 1);
    let (result, _) =
        consumer.deliver(consumer.tx(vec![update(&relayer, &header, &keys, &trusted)]));
    assert_ok(&result);

    // The provider's validators sign a second header at p+1 (another app hash): misbehaviour.
    let initial = consumer.set_at(consumer.height());
    let mut conflicting = header.clone();
    conflicting.app_hash = vec![0xEE; 32];
    let (result, response) =
        consumer.deliver(consumer.tx(vec![update(&relayer, &conflicting, &keys, &trusted)]));
    assert_ok(&result);
    assert_eq!(
        tx_attr(&result, "provider_client_frozen", "height"),
        Some((p + 1).to_string())
    );
    assert!(response.validator_updates.is_empty());
    let client = consumer.client();
    assert!(client.frozen);
    assert_eq!(client.client.expect("client").frozen_height, p + 1);

    // A frozen client proves nothing and accepts no header; the consumer keeps its set.
    consumer.refused(vec![recv(&relayer, &packet)], CcvCode::ClientFrozen);
    consumer.refused(
        vec![update(&relayer, &header, &keys, &trusted)],
        CcvCode::ClientFrozen,
    );
    assert_eq!(consumer.applied().0, 0);
    assert_eq!(consumer.set_at(consumer.height() + 2), initial);
}
