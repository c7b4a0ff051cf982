//! The one route table of the REST API: each served gRPC method and the HTTP rule the Cosmos SDK's
//! gRPC-gateway gives it (`google.api.http` in the SDK v0.50 protos, whose options Rampart's
//! trimmed copies drop), and Rampart's own `rampart.*.v1` queries under the same conventions
//! (`/rampart/<module>/v1/<collection>/{id}/<item>`, snake_case, GET; path parameters are request
//! fields, everything else comes from the query string).
//!
//! [`Router::new`] checks the table against the descriptor set: every path parameter must name a
//! scalar field of the method's request message, and a served method without a rule is listed
//! by [`Router::unrouted`] (the unit test below requires none for either composition).

use prost_reflect::{DescriptorPool, Kind, MessageDescriptor};

/// `(gRPC method path, "VERB /pattern")`. A `{field}` segment binds one path segment to a request
/// field; `POST` rules take the whole request as the JSON body (`body: "*"`).
const RULES: &[(&str, &str)] = &[
    // cosmos.auth.v1beta1
    ("/cosmos.auth.v1beta1.Query/Accounts", "GET /cosmos/auth/v1beta1/accounts"),
    ("/cosmos.auth.v1beta1.Query/Account", "GET /cosmos/auth/v1beta1/accounts/{address}"),
    ("/cosmos.auth.v1beta1.Query/Params", "GET /cosmos/auth/v1beta1/params"),
    // cosmos.bank.v1beta1
    ("/cosmos.bank.v1beta1.Query/Balance", "GET /cosmos/bank/v1beta1/balances/{address}/by_denom"),
    ("/cosmos.bank.v1beta1.Query/AllBalances", "GET /cosmos/bank/v1beta1/balances/{address}"),
    ("/cosmos.bank.v1beta1.Query/TotalSupply", "GET /cosmos/bank/v1beta1/supply"),
    ("/cosmos.bank.v1beta1.Query/SupplyOf", "GET /cosmos/bank/v1beta1/supply/by_denom"),
    ("/cosmos.bank.v1beta1.Query/Params", "GET /cosmos/bank/v1beta1/params"),
    // cosmos.staking.v1beta1
    ("/cosmos.staking.v1beta1.Query/Validators", "GET /cosmos/staking/v1beta1/validators"),
    ("/cosmos.staking.v1beta1.Query/Validator", "GET /cosmos/staking/v1beta1/validators/{validator_addr}"),
    ("/cosmos.staking.v1beta1.Query/ValidatorDelegations", "GET /cosmos/staking/v1beta1/validators/{validator_addr}/delegations"),
    ("/cosmos.staking.v1beta1.Query/ValidatorUnbondingDelegations", "GET /cosmos/staking/v1beta1/validators/{validator_addr}/unbonding_delegations"),
    ("/cosmos.staking.v1beta1.Query/Delegation", "GET /cosmos/staking/v1beta1/validators/{validator_addr}/delegations/{delegator_addr}"),
    ("/cosmos.staking.v1beta1.Query/UnbondingDelegation", "GET /cosmos/staking/v1beta1/validators/{validator_addr}/delegations/{delegator_addr}/unbonding_delegation"),
    ("/cosmos.staking.v1beta1.Query/DelegatorDelegations", "GET /cosmos/staking/v1beta1/delegations/{delegator_addr}"),
    ("/cosmos.staking.v1beta1.Query/DelegatorUnbondingDelegations", "GET /cosmos/staking/v1beta1/delegators/{delegator_addr}/unbonding_delegations"),
    ("/cosmos.staking.v1beta1.Query/Redelegations", "GET /cosmos/staking/v1beta1/delegators/{delegator_addr}/redelegations"),
    ("/cosmos.staking.v1beta1.Query/DelegatorValidators", "GET /cosmos/staking/v1beta1/delegators/{delegator_addr}/validators"),
    ("/cosmos.staking.v1beta1.Query/DelegatorValidator", "GET /cosmos/staking/v1beta1/delegators/{delegator_addr}/validators/{validator_addr}"),
    ("/cosmos.staking.v1beta1.Query/HistoricalInfo", "GET /cosmos/staking/v1beta1/historical_info/{height}"),
    ("/cosmos.staking.v1beta1.Query/Pool", "GET /cosmos/staking/v1beta1/pool"),
    ("/cosmos.staking.v1beta1.Query/Params", "GET /cosmos/staking/v1beta1/params"),
    // cosmos.distribution.v1beta1
    ("/cosmos.distribution.v1beta1.Query/Params", "GET /cosmos/distribution/v1beta1/params"),
    ("/cosmos.distribution.v1beta1.Query/ValidatorDistributionInfo", "GET /cosmos/distribution/v1beta1/validators/{validator_address}"),
    ("/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards", "GET /cosmos/distribution/v1beta1/validators/{validator_address}/outstanding_rewards"),
    ("/cosmos.distribution.v1beta1.Query/ValidatorCommission", "GET /cosmos/distribution/v1beta1/validators/{validator_address}/commission"),
    ("/cosmos.distribution.v1beta1.Query/DelegationRewards", "GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/rewards/{validator_address}"),
    ("/cosmos.distribution.v1beta1.Query/DelegationTotalRewards", "GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/rewards"),
    ("/cosmos.distribution.v1beta1.Query/DelegatorValidators", "GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/validators"),
    ("/cosmos.distribution.v1beta1.Query/DelegatorWithdrawAddress", "GET /cosmos/distribution/v1beta1/delegators/{delegator_address}/withdraw_address"),
    ("/cosmos.distribution.v1beta1.Query/CommunityPool", "GET /cosmos/distribution/v1beta1/community_pool"),
    // cosmos.mint.v1beta1
    ("/cosmos.mint.v1beta1.Query/Params", "GET /cosmos/mint/v1beta1/params"),
    ("/cosmos.mint.v1beta1.Query/Inflation", "GET /cosmos/mint/v1beta1/inflation"),
    ("/cosmos.mint.v1beta1.Query/AnnualProvisions", "GET /cosmos/mint/v1beta1/annual_provisions"),
    // cosmos.slashing.v1beta1
    ("/cosmos.slashing.v1beta1.Query/Params", "GET /cosmos/slashing/v1beta1/params"),
    ("/cosmos.slashing.v1beta1.Query/SigningInfo", "GET /cosmos/slashing/v1beta1/signing_infos/{cons_address}"),
    ("/cosmos.slashing.v1beta1.Query/SigningInfos", "GET /cosmos/slashing/v1beta1/signing_infos"),
    // cosmos.consensus.v1, cosmos.base.tendermint.v1beta1, cosmos.tx.v1beta1 (node services)
    ("/cosmos.consensus.v1.Query/Params", "GET /cosmos/consensus/v1/params"),
    ("/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo", "GET /cosmos/base/tendermint/v1beta1/node_info"),
    ("/cosmos.base.tendermint.v1beta1.Service/GetSyncing", "GET /cosmos/base/tendermint/v1beta1/syncing"),
    ("/cosmos.base.tendermint.v1beta1.Service/GetLatestBlock", "GET /cosmos/base/tendermint/v1beta1/blocks/latest"),
    ("/cosmos.tx.v1beta1.Service/Simulate", "POST /cosmos/tx/v1beta1/simulate"),
    ("/cosmos.tx.v1beta1.Service/GetTx", "GET /cosmos/tx/v1beta1/txs/{hash}"),
    ("/cosmos.tx.v1beta1.Service/BroadcastTx", "POST /cosmos/tx/v1beta1/txs"),
    ("/cosmos.tx.v1beta1.Service/GetTxsEvent", "GET /cosmos/tx/v1beta1/txs"),
    // rampart.chain.v1
    ("/rampart.chain.v1.Query/ChainInfo", "GET /rampart/chain/v1/chain_info"),
    // rampart.consumer.v1
    ("/rampart.consumer.v1.Query/Consumers", "GET /rampart/consumer/v1/consumers"),
    ("/rampart.consumer.v1.Query/Consumer", "GET /rampart/consumer/v1/consumers/{consumer_id}"),
    ("/rampart.consumer.v1.Query/ConsumerGenesis", "GET /rampart/consumer/v1/consumers/{consumer_id}/genesis"),
    ("/rampart.consumer.v1.Query/ConsumerValidators", "GET /rampart/consumer/v1/consumers/{consumer_id}/validators"),
    ("/rampart.consumer.v1.Query/PendingPackets", "GET /rampart/consumer/v1/consumers/{consumer_id}/pending_packets"),
    ("/rampart.consumer.v1.Query/Packet", "GET /rampart/consumer/v1/consumers/{consumer_id}/packets/{vsc_id}"),
    ("/rampart.consumer.v1.Query/RewardPool", "GET /rampart/consumer/v1/consumers/{consumer_id}/reward_pool"),
    ("/rampart.consumer.v1.Query/ConsumerCommission", "GET /rampart/consumer/v1/consumers/{consumer_id}/commissions/{validator}"),
    ("/rampart.consumer.v1.Query/SlashMeter", "GET /rampart/consumer/v1/consumers/{consumer_id}/slash_meter"),
    ("/rampart.consumer.v1.Query/Params", "GET /rampart/consumer/v1/params"),
    // rampart.restaking.v1
    ("/rampart.restaking.v1.Query/ValidatorPledges", "GET /rampart/restaking/v1/validators/{validator}/pledges"),
    ("/rampart.restaking.v1.Query/ValidatorExposure", "GET /rampart/restaking/v1/validators/{validator}/exposure"),
    ("/rampart.restaking.v1.Query/ConsumerKey", "GET /rampart/restaking/v1/validators/{validator}/consumer_keys/{consumer_id}"),
    ("/rampart.restaking.v1.Query/ConsumerPledges", "GET /rampart/restaking/v1/consumers/{consumer_id}/pledges"),
    ("/rampart.restaking.v1.Query/ValidatorByConsumerKey", "GET /rampart/restaking/v1/consumers/{consumer_id}/validators/{consumer_address}"),
    ("/rampart.restaking.v1.Query/SecurityReport", "GET /rampart/restaking/v1/security_report/{consumer_id}"),
    ("/rampart.restaking.v1.Query/Params", "GET /rampart/restaking/v1/params"),
    ("/rampart.restaking.v1.Query/DelegationConsumers", "GET /rampart/restaking/v1/delegations/{delegator}/{validator}/consumers"),
    ("/rampart.restaking.v1.Query/ConsumerBacking", "GET /rampart/restaking/v1/validators/{validator}/backing/{consumer_id}"),
    // rampart.liquid.v1
    ("/rampart.liquid.v1.Query/ExchangeRate", "GET /rampart/liquid/v1/exchange_rate"),
    ("/rampart.liquid.v1.Query/Params", "GET /rampart/liquid/v1/params"),
    ("/rampart.liquid.v1.Query/Backing", "GET /rampart/liquid/v1/backing"),
    ("/rampart.liquid.v1.Query/Risk", "GET /rampart/liquid/v1/risk"),
    ("/rampart.liquid.v1.Query/Unbondings", "GET /rampart/liquid/v1/unbondings/{owner}"),
    // rampart.ccv.v1 (consumer chains)
    ("/rampart.ccv.v1.Query/ProviderClient", "GET /rampart/ccv/v1/provider_client"),
    ("/rampart.ccv.v1.Query/ConsensusState", "GET /rampart/ccv/v1/consensus_states/{height}"),
    ("/rampart.ccv.v1.Query/AppliedVsc", "GET /rampart/ccv/v1/applied_vsc"),
    ("/rampart.ccv.v1.Query/Validators", "GET /rampart/ccv/v1/validators"),
    ("/rampart.ccv.v1.Query/DowntimeRecords", "GET /rampart/ccv/v1/downtime_records"),
    ("/rampart.ccv.v1.Query/SigningInfo", "GET /rampart/ccv/v1/signing_infos/{address}"),
    ("/rampart.ccv.v1.Query/Params", "GET /rampart/ccv/v1/params"),
];

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Must equal the path segment.
    Literal(&'static str),
    /// Binds the (percent-decoded) path segment to this request field.
    Field(&'static str),
}

/// A served method with its HTTP rule, resolved against the descriptor set.
#[derive(Debug, Clone)]
pub struct Route {
    /// The gRPC method path the request is dispatched to.
    pub method: &'static str,
    /// `true` for `POST` (the request is the JSON body), `false` for `GET`.
    pub post: bool,
    /// The request message.
    pub input: MessageDescriptor,
    /// The response message.
    pub output: MessageDescriptor,
    segments: Vec<Segment>,
}

/// Path parameters: `(request field, raw path segment)`.
pub type Params<'a> = Vec<(&'static str, &'a str)>;

/// What a request path and verb resolve to.
#[derive(Debug)]
pub enum Found<'a> {
    /// A route, with its path parameters `(field, raw segment)`.
    Route(&'a Route, Params<'a>),
    /// The path exists, but not for this verb.
    WrongVerb,
    /// No route has this path.
    NotFound,
}

/// The routes of the methods one node serves.
#[derive(Debug, Clone)]
pub struct Router {
    routes: Vec<Route>,
    unrouted: Vec<&'static str>,
}

impl Router {
    /// Routes for every method in `served` that has a rule; each rule is checked against the
    /// method's descriptors in `pool`.
    pub fn new(served: &[&'static str], pool: &DescriptorPool) -> anyhow::Result<Self> {
        let mut routes = Vec::new();
        let mut unrouted = Vec::new();
        for &method in served {
            let Some(&(_, rule)) = RULES.iter().find(|(path, _)| *path == method) else {
                unrouted.push(method);
                continue;
            };
            routes.push(resolve(method, rule, pool)?);
        }
        Ok(Self { routes, unrouted })
    }

    /// Served gRPC methods without an HTTP rule (not reachable over REST).
    pub fn unrouted(&self) -> &[&'static str] {
        &self.unrouted
    }

    /// The routes, in table order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The route for `post`/GET at `path`: of the routes whose pattern matches, the one with the
    /// most literal segments (`/supply/by_denom` before `/supply/{denom}`).
    pub fn find<'a>(&'a self, post: bool, path: &'a str) -> Found<'a> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        let mut best: Option<(&Route, usize, Params<'a>)> = None;
        let mut path_exists = false;
        for route in &self.routes {
            let Some(params) = route.matches(&parts) else {
                continue;
            };
            path_exists = true;
            if route.post != post {
                continue;
            }
            let literals = route.segments.len() - params.len();
            if best.as_ref().is_none_or(|(_, most, _)| literals > *most) {
                best = Some((route, literals, params));
            }
        }
        match best {
            Some((route, _, params)) => Found::Route(route, params),
            None if path_exists => Found::WrongVerb,
            None => Found::NotFound,
        }
    }
}

impl Route {
    /// The path parameters if `parts` (the path's segments) match this pattern.
    fn matches<'a>(&self, parts: &[&'a str]) -> Option<Params<'a>> {
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(literal) if literal == part => {}
                Segment::Literal(_) => return None,
                Segment::Field(_) if part.is_empty() => return None,
                Segment::Field(field) => params.push((*field, *part)),
            }
        }
        Some(params)
    }

    /// The pattern as written in the table (`GET /cosmos/…/{address}`).
    pub fn rule(&self) -> String {
        let path: String = self
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(literal) => format!("/{literal}"),
                Segment::Field(field) => format!("/{{{field}}}"),
            })
            .collect();
        format!("{} {path}", if self.post { "POST" } else { "GET" })
    }
}

/// Parses `rule` and checks it against `method`'s request and response types in `pool`.
fn resolve(
    method: &'static str,
    rule: &'static str,
    pool: &DescriptorPool,
) -> anyhow::Result<Route> {
    let (verb, pattern) = rule
        .split_once(' ')
        .ok_or_else(|| anyhow::anyhow!("REST rule {rule:?} has no verb"))?;
    let post = match verb {
        "GET" => false,
        "POST" => true,
        _ => anyhow::bail!("REST rule {rule:?}: unsupported verb {verb}"),
    };
    let service_method = method.trim_start_matches('/').replacen('/', ".", 1);
    let (service, name) = service_method
        .rsplit_once('.')
        .ok_or_else(|| anyhow::anyhow!("malformed gRPC method path {method}"))?;
    let descriptor = pool
        .get_service_by_name(service)
        .and_then(|s| s.methods().find(|m| m.name() == name))
        .ok_or_else(|| anyhow::anyhow!("{method} is not in the descriptor set"))?;
    let input = descriptor.input();
    let segments = pattern
        .split('/')
        .skip(1)
        .map(|segment| {
            let Some(field) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                return Ok(Segment::Literal(segment));
            };
            let scalar = input.get_field_by_name(field).is_some_and(|f| {
                !f.is_list() && !f.is_map() && !matches!(f.kind(), Kind::Message(_))
            });
            anyhow::ensure!(
                scalar,
                "REST rule {rule:?}: {field} is not a scalar field of {}",
                input.full_name()
            );
            Ok(Segment::Field(field))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Route {
        method,
        post,
        output: descriptor.output(),
        input,
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_app::Modules;

    fn router(modules: &Modules) -> Router {
        let mut served: Vec<&'static str> = modules.query_paths().collect();
        served.push(rampart_proto::SIMULATE_PATH);
        served.extend_from_slice(crate::services::PATHS);
        Router::new(&served, &super::super::pool().expect("pool")).expect("router")
    }

    #[test]
    fn every_served_method_of_both_compositions_has_a_rule_and_every_rule_a_server() {
        let mut routed = std::collections::BTreeSet::new();
        for modules in [Modules::provider(), Modules::consumer()] {
            let router = router(&modules);
            assert_eq!(router.unrouted(), &[] as &[&str]);
            routed.extend(router.routes().iter().map(|route| route.method));
        }
        for (method, _) in RULES {
            assert!(routed.contains(method), "{method} has a rule but no server");
        }
        // Each rule names a distinct method, and no two rules of one verb share a pattern.
        let mut methods: Vec<_> = RULES.iter().map(|(m, _)| *m).collect();
        methods.sort_unstable();
        methods.dedup();
        assert_eq!(methods.len(), RULES.len());
        let mut patterns: Vec<String> = RULES
            .iter()
            .map(|(_, rule)| {
                rule.split('/')
                    .map(|s| if s.starts_with('{') { "{}" } else { s })
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        patterns.sort_unstable();
        let before = patterns.len();
        patterns.dedup();
        assert_eq!(patterns.len(), before);
    }

    #[test]
    fn the_most_literal_pattern_wins_and_verbs_are_told_apart() {
        let router = router(&Modules::provider());
        let Found::Route(route, params) =
            router.find(false, "/cosmos/bank/v1beta1/balances/rampart1xyz/by_denom")
        else {
            panic!("balance route")
        };
        assert_eq!(route.method, "/cosmos.bank.v1beta1.Query/Balance");
        assert_eq!(params, vec![("address", "rampart1xyz")]);
        let Found::Route(route, params) =
            router.find(false, "/cosmos/bank/v1beta1/supply/by_denom")
        else {
            panic!("supply route")
        };
        assert_eq!(route.method, "/cosmos.bank.v1beta1.Query/SupplyOf");
        assert!(params.is_empty());
        let Found::Route(route, _) = router.find(true, "/cosmos/tx/v1beta1/txs") else {
            panic!("broadcast route")
        };
        assert_eq!(route.method, "/cosmos.tx.v1beta1.Service/BroadcastTx");
        assert_eq!(route.rule(), "POST /cosmos/tx/v1beta1/txs");
        assert!(matches!(
            router.find(true, "/cosmos/bank/v1beta1/supply"),
            Found::WrongVerb
        ));
        assert!(matches!(
            router.find(false, "/cosmos/bank/v1beta1/nothing"),
            Found::NotFound
        ));
    }

    #[test]
    fn a_rule_naming_a_missing_field_is_refused() {
        let pool = super::super::pool().expect("pool");
        let err = resolve(
            "/cosmos.bank.v1beta1.Query/Balance",
            "GET /cosmos/bank/v1beta1/balances/{owner}",
            &pool,
        )
        .expect_err("no such field");
        assert!(err.to_string().contains("owner"), "{err}");
    }
}
