//! `config/genesis.json` edited as JSON: chain id, bank balances (`add-account`), the genesis
//! transactions (`collect-gentxs`) and the CometBFT validator list. Sections and fields this
//! module does not know are kept as they are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{DEFAULT_BOND_DENOM, GENUTIL_SECTION};
use crate::home::Home;
use rampart_client::coins::format_coins;

/// A genesis document being read or edited.
#[derive(Debug, Clone, PartialEq)]
pub struct GenesisFile {
    path: PathBuf,
    doc: Value,
}

#[derive(Deserialize)]
struct JsonCoin {
    denom: String,
    amount: String,
}

impl GenesisFile {
    /// Reads `path`, which must hold a JSON object.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = Home::read_file(path)?;
        let doc: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        if !doc.is_object() {
            bail!(
                "{} is not a genesis document (a JSON object)",
                path.display()
            );
        }
        Ok(Self {
            path: path.to_owned(),
            doc,
        })
    }

    /// The file this document was read from (and [`GenesisFile::save`] writes).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole document.
    pub fn doc(&self) -> &Value {
        &self.doc
    }

    /// The whole document, for edits this type has no method for.
    pub fn doc_mut(&mut self) -> &mut Value {
        &mut self.doc
    }

    /// `chain_id`.
    pub fn chain_id(&self) -> anyhow::Result<&str> {
        self.doc["chain_id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| anyhow!("{} has no chain_id", self.path.display()))
    }

    /// Fails unless `chain_id` is the document's chain id.
    pub fn require_chain_id(&self, chain_id: &str) -> anyhow::Result<()> {
        let genesis = self.chain_id()?;
        if genesis != chain_id {
            bail!(
                "chain id mismatch: --chain-id is {chain_id:?} but {} is for chain {genesis:?}",
                self.path.display()
            );
        }
        Ok(())
    }

    /// The staking bond denom: `app_state.staking.params.bond_denom`, else
    /// [`DEFAULT_BOND_DENOM`].
    pub fn bond_denom(&self) -> String {
        self.doc["app_state"]["staking"]["params"]["bond_denom"]
            .as_str()
            .filter(|d| !d.is_empty())
            .unwrap_or(DEFAULT_BOND_DENOM)
            .to_owned()
    }

    /// The genesis balance of `address` (empty when it has none).
    pub fn balance(&self, address: &str) -> anyhow::Result<Vec<Coin>> {
        let balances = &self.doc["app_state"]["bank"]["balances"];
        let Some(entries) = balances.as_array() else {
            return Ok(vec![]);
        };
        match entries.iter().position(|e| e["address"] == address) {
            Some(index) => coins_at(&entries[index]["coins"], &balance_field(index)),
            None => Ok(vec![]),
        }
    }

    /// The genesis amount of `denom` held by `address`.
    pub fn balance_of(&self, address: &str, denom: &str) -> anyhow::Result<u128> {
        let coins = self.balance(address)?;
        let amount = coins.iter().find(|c| c.denom == denom);
        amount.map_or(Ok(0), |c| parse_amount(&c.amount, "amount"))
    }

    /// Adds `coins` to `app_state.bank.balances` for `address` and returns its balance. An
    /// address that already has a balance is refused unless `append`, which adds the coins to
    /// it. A non-empty `app_state.bank.supply` is raised by the same coins (an empty one is
    /// derived from the balances at genesis).
    pub fn add_account(
        &mut self,
        address: &str,
        coins: &[Coin],
        append: bool,
    ) -> anyhow::Result<Vec<Coin>> {
        if coins.is_empty() {
            bail!("no coins to add to {address}");
        }
        let path = self.path.display().to_string();
        let bank = self.section_mut("bank")?;
        let balances = bank
            .entry("balances")
            .or_insert_with(|| Value::Array(vec![]));
        let Value::Array(entries) = balances else {
            bail!("{path}: app_state.bank.balances is not a list");
        };
        let balance = match entries.iter().position(|e| e["address"] == address) {
            Some(index) if append => {
                let field = balance_field(index);
                let merged = add_coins(&coins_at(&entries[index]["coins"], &field)?, coins)?;
                entries[index]["coins"] = coins_json(&merged);
                merged
            }
            Some(index) => bail!(
                "{address} already has a genesis balance of {} in {path}; pass --append to add \
                 {} to it",
                format_coins(&coins_at(&entries[index]["coins"], &balance_field(index))?),
                format_coins(coins)
            ),
            None => {
                entries.push(json!({ "address": address, "coins": coins_json(coins) }));
                coins.to_vec()
            }
        };
        if let Some(supply) = bank.get_mut("supply").filter(|s| !is_empty_list(s)) {
            let raised = add_coins(&coins_at(supply, "app_state.bank.supply")?, coins)?;
            *supply = coins_json(&raised);
        }
        Ok(balance)
    }

    /// `app_state.genutil.gen_txs` (empty when absent).
    pub fn gen_txs(&self) -> anyhow::Result<Vec<String>> {
        match &self.doc["app_state"][GENUTIL_SECTION]["gen_txs"] {
            Value::Null => Ok(vec![]),
            value => serde_json::from_value(value.clone()).with_context(|| {
                format!(
                    "{}: app_state.{GENUTIL_SECTION}.gen_txs is not a list of base64 strings",
                    self.path.display()
                )
            }),
        }
    }

    /// Sets `app_state.genutil.gen_txs` and empties the CometBFT `validators` list: with genesis
    /// transactions, the validator set comes from the application at InitChain.
    pub fn set_gen_txs(&mut self, gen_txs: Vec<String>) -> anyhow::Result<()> {
        let section = self.section_mut(GENUTIL_SECTION)?;
        section.insert("gen_txs".into(), json!(gen_txs));
        self.doc["validators"] = json!([]);
        Ok(())
    }

    /// Writes the document back to [`GenesisFile::path`].
    pub fn save(&self) -> anyhow::Result<()> {
        self.save_as(&self.path)
    }

    /// Writes the document (pretty JSON) to `path`, through a temporary file and a rename.
    pub fn save_as(&self, path: &Path) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(&self.doc).context("encoding genesis")?;
        text.push('\n');
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
    }

    /// `app_state.<name>` as an object, created when absent.
    fn section_mut(&mut self, name: &str) -> anyhow::Result<&mut Map<String, Value>> {
        let path = self.path.display().to_string();
        let Value::Object(doc) = &mut self.doc else {
            bail!("{path} is not a JSON object");
        };
        let Value::Object(app_state) = doc.entry("app_state").or_insert_with(|| json!({})) else {
            bail!("{path}: app_state is not a JSON object");
        };
        match app_state.entry(name).or_insert_with(|| json!({})) {
            Value::Object(section) => Ok(section),
            _ => bail!("{path}: app_state.{name} is not a JSON object"),
        }
    }
}

fn balance_field(index: usize) -> String {
    format!("app_state.bank.balances[{index}].coins")
}

fn is_empty_list(value: &Value) -> bool {
    value.as_array().is_some_and(Vec::is_empty)
}

/// Parses a JSON coin list; `field` names it in errors.
fn coins_at(value: &Value, field: &str) -> anyhow::Result<Vec<Coin>> {
    let coins: Vec<JsonCoin> = serde_json::from_value(value.clone())
        .with_context(|| format!("{field} is not a list of {{denom, amount}} coins"))?;
    coins
        .into_iter()
        .map(|c| {
            parse_amount(&c.amount, field)?;
            Ok(Coin {
                denom: c.denom,
                amount: c.amount,
            })
        })
        .collect()
}

fn coins_json(coins: &[Coin]) -> Value {
    coins
        .iter()
        .map(|c| json!({ "denom": c.denom, "amount": c.amount }))
        .collect()
}

/// Parses a coin amount (a non-negative integer string); `field` names it in errors.
pub fn parse_amount(text: &str, field: &str) -> anyhow::Result<u128> {
    text.parse()
        .map_err(|_| anyhow!("{field}: invalid amount {text:?} (expected an integer)"))
}

/// `a + b`, per denom, sorted by denom; fails on overflow.
pub fn add_coins(a: &[Coin], b: &[Coin]) -> anyhow::Result<Vec<Coin>> {
    let mut sums: BTreeMap<&str, u128> = BTreeMap::new();
    for coin in a.iter().chain(b) {
        let amount = parse_amount(&coin.amount, &coin.denom)?;
        let sum = sums.entry(&coin.denom).or_default();
        *sum = sum
            .checked_add(amount)
            .ok_or_else(|| anyhow!("{} overflows", coin.denom))?;
    }
    Ok(sums
        .into_iter()
        .map(|(denom, amount)| Coin {
            denom: denom.to_owned(),
            amount: amount.to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_client::coins::parse_coins;

    const ADDR: &str = "rampart1jnvy62t5q5ndg47vu9zg96drf52u4dcphsv4qd";

    fn genesis(bank: Value) -> GenesisFile {
        GenesisFile {
            path: "genesis.json".into(),
            doc: json!({ "chain_id": "c-1", "validators": [{}], "app_state": { "bank": bank } }),
        }
    }

    #[test]
    fn adds_merges_and_refuses_duplicates() -> anyhow::Result<()> {
        let mut file = genesis(json!({ "balances": [], "supply": [] }));
        file.add_account(ADDR, &parse_coins("5uatom,10uramp")?, false)?;
        let err = file
            .add_account(ADDR, &parse_coins("1uramp")?, false)
            .expect_err("duplicate");
        assert!(err.to_string().contains("--append"), "{err}");
        let merged = file.add_account(ADDR, &parse_coins("1uramp,2ufoo")?, true)?;
        assert_eq!(format_coins(&merged), "5uatom,2ufoo,11uramp");
        assert_eq!(file.balance_of(ADDR, "uramp")?, 11);
        assert_eq!(file.balance_of("rampart1other", "uramp")?, 0);
        assert_eq!(file.doc["app_state"]["bank"]["supply"], json!([]));
        Ok(())
    }

    #[test]
    fn raises_an_explicit_supply_and_creates_missing_sections() -> anyhow::Result<()> {
        let mut file = genesis(json!({ "supply": [{ "denom": "uramp", "amount": "7" }] }));
        file.add_account(ADDR, &parse_coins("3uramp")?, false)?;
        assert_eq!(
            file.doc["app_state"]["bank"]["supply"],
            json!([{ "denom": "uramp", "amount": "10" }])
        );
        let mut bare = GenesisFile {
            path: "g.json".into(),
            doc: json!({ "chain_id": "c-1" }),
        };
        bare.add_account(ADDR, &parse_coins("3uramp")?, false)?;
        bare.set_gen_txs(vec!["AA==".into()])?;
        assert_eq!(bare.gen_txs()?, vec!["AA==".to_string()]);
        assert_eq!(bare.doc["validators"], json!([]));
        assert_eq!(bare.bond_denom(), DEFAULT_BOND_DENOM);
        Ok(())
    }

    #[test]
    fn names_bad_fields_and_chain_ids() {
        let file = genesis(
            json!({ "balances": [{ "address": ADDR, "coins": [{ "denom": "uramp", "amount": "x" }] }] }),
        );
        let err = format!("{:#}", file.balance(ADDR).expect_err("bad amount"));
        assert!(err.contains("app_state.bank.balances[0].coins"), "{err}");
        let err = file.require_chain_id("other").expect_err("mismatch");
        assert!(err.to_string().contains("chain id mismatch"), "{err}");
        assert!(file.require_chain_id("c-1").is_ok());
        let overflow = add_coins(
            &parse_coins(&format!("{}uramp", u128::MAX)).expect("max"),
            &parse_coins("1uramp").expect("one"),
        );
        assert!(overflow.is_err());
    }
}
