// The live web view of shared security: reads this node's REST API (same origin) every few
// seconds and redraws. Every failure is shown on the page; the page keeps retrying.
"use strict";

const REFRESH_MS = 3000;
const BEHIND_SECONDS = 30;

/** Text with HTML special characters escaped. */
function esc(value) {
  return String(value === undefined || value === null ? "" : value)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** GET `path` as JSON; throws with the path and the status on failure. */
async function get(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) {
    let message = "";
    try { message = (await response.json()).message || ""; } catch (_) { /* not JSON */ }
    throw new Error(path + ": HTTP " + response.status + (message ? " " + message : ""));
  }
  return response.json();
}

/** `get`, or `fallback` when the query fails (one missing answer must not blank the page). */
async function maybe(path, fallback) {
  try { return await get(path); } catch (_) { return fallback; }
}

/** A number for scaling bars (display only). */
function num(text) {
  const n = Number(text);
  return Number.isFinite(n) ? n : 0;
}

/** An enum name without its prefix: `CONSUMER_PHASE_LAUNCHED` → `launched`. */
function short(name, prefix) {
  return esc(String(name || "").replace(prefix, "").toLowerCase());
}

/** Coins as `123uramp, 4uatom`. */
function coins(list) {
  return (list || []).map((c) => esc(c.amount) + esc(c.denom)).join(", ") || "0";
}

/** A table from a header row and body rows (cells already escaped; `num:` prefix right-aligns). */
function table(head, rows) {
  if (!rows.length) return '<p class="muted">none</p>';
  const cell = (c) => String(c).startsWith("num:")
    ? '<td class="num">' + String(c).slice(4) + "</td>" : "<td>" + c + "</td>";
  return "<table><tr>" + head.map((h) => "<th>" + esc(h) + "</th>").join("") + "</tr>" +
    rows.map((r) => "<tr>" + r.map(cell).join("") + "</tr>").join("") + "</table>";
}

/** Horizontal bars, each `[label, value text, scale value, css class]`, scaled to the largest. */
function bars(items) {
  const max = Math.max(1, ...items.map((i) => i[2]));
  return '<div class="bars">' + items.map(([label, text, value, cls]) =>
    '<div class="bar"><span class="label">' + esc(label) + '</span><span class="track">' +
    '<div class="fill ' + (cls || "") + '" style="width:' + Math.min(100, (100 * value) / max).toFixed(1) +
    '%"></div></span><span class="value">' + esc(text) + "</span></div>").join("") + "</div>";
}

/** Sets the status line. */
function status(text, cls) {
  const el = document.getElementById("status");
  el.textContent = text;
  el.className = "status " + cls;
}

/** The chain section; returns the validators by operator. */
function drawChain(block, validators) {
  const header = ((block.sdk_block || block.block || {}).header) || {};
  const time = new Date(header.time);
  const age = Math.round((Date.now() - time.getTime()) / 1000);
  const names = {};
  const rows = validators.map((v) => {
    names[v.operator_address] = (v.description && v.description.moniker) || v.operator_address;
    return [esc(names[v.operator_address]), esc(v.operator_address),
      "num:" + esc(Math.floor(num(v.tokens) / 1e6)), short(v.status, "BOND_STATUS_"),
      v.jailed ? "jailed" : ""];
  });
  document.getElementById("chain").innerHTML =
    "<p>height <b id=\"height\">" + esc(header.height) + "</b> · chain " + esc(header.chain_id) +
    " · block time " + esc(header.time) + " (" + esc(age) + " s ago)</p>" +
    table(["validator", "operator", "power", "status", "jailed"], rows);
  return { height: header.height, age, names };
}

/** One consumer's card. */
function drawConsumer(c, set, pool, report, names) {
  const r = report || {};
  const rows = ((set && set.validators) || []).map((v) => [
    esc(names[v.operator] || v.operator), "num:" + esc(v.power), "num:" + esc(v.pledge_bps / 100) + "%",
    "num:" + esc(v.pledged_tokens)]);
  const security = [
    ["pledged stake (total)", r.total_pledged_tokens, num(r.total_pledged_tokens), ""],
    ["stake to halt (>1/3)", r.halt_min_pledged_tokens, num(r.halt_min_pledged_tokens), ""],
    ["… it would lose", r.halt_slashable_tokens, num(r.halt_slashable_tokens), "loss"],
    ["stake to control (>2/3)", r.control_min_pledged_tokens, num(r.control_min_pledged_tokens), ""],
    ["… it would lose", r.control_slashable_tokens, num(r.control_slashable_tokens), "loss"],
  ];
  return '<div class="consumer" data-consumer-id="' + esc(c.consumer_id) + '">' +
    "<h3>#" + esc(c.consumer_id) + " " + esc(c.chain_id) + " — " + esc(c.name) +
    ' <span class="phase">(' + short(c.phase, "CONSUMER_PHASE_") + ")</span></h3>" +
    "<p>reward pool " + coins(pool && pool.pool) + " · rate " + coins(pool && pool.rate_per_block) +
    " per block" + (pool && pool.paused ? " · paused" : "") + "</p>" +
    (report
      ? '<p class="security">security: ' + esc(r.validator_count) + " validators, power " +
        esc(r.total_power) + "; halt needs " + esc(r.halt_min_validators) + " validator(s) with " +
        esc(r.halt_min_pledged_tokens) + " stake, losing " + esc(r.halt_slashable_tokens) +
        "; control needs " + esc(r.control_min_validators) + " validator(s) with " +
        esc(r.control_min_pledged_tokens) + " stake, losing " + esc(r.control_slashable_tokens) +
        " (double-sign slash " + esc(r.double_sign_slash_fraction) + ")</p>" + bars(security)
      : '<p class="muted">no security report</p>') +
    "<p>validator set (as last sent to the consumer):</p>" +
    table(["validator", "power", "pledge", "pledged tokens"], rows) + "</div>";
}

/** Redraws everything once; throws when the node does not answer. */
async function refresh() {
  const [block, vals, list] = await Promise.all([
    get("/cosmos/base/tendermint/v1beta1/blocks/latest"),
    get("/cosmos/staking/v1beta1/validators"),
    get("/rampart/consumer/v1/consumers"),
  ]);
  const validators = vals.validators || [];
  const chain = drawChain(block, validators);
  const consumers = list.consumers || [];
  const cards = await Promise.all(consumers.map(async (c) => {
    const base = "/rampart/consumer/v1/consumers/" + encodeURIComponent(c.consumer_id);
    const [set, pool, report] = await Promise.all([
      maybe(base + "/validators", null),
      maybe(base + "/reward_pool", null),
      maybe("/rampart/restaking/v1/security_report/" + encodeURIComponent(c.consumer_id), null),
    ]);
    return { c, report: report && report.report, html: drawConsumer(c, set, pool, report && report.report, chain.names) };
  }));
  document.getElementById("consumers").innerHTML = cards.length
    ? cards.map((x) => x.html).join("") : '<p class="muted">no consumers registered</p>';

  const exposures = await Promise.all(validators.map((v) => maybe(
    "/rampart/restaking/v1/validators/" + encodeURIComponent(v.operator_address) + "/exposure", null)));
  const exposureBars = [];
  const exposureRows = [];
  validators.forEach((v, i) => {
    const e = exposures[i];
    if (!e) return;
    const used = num(e.total_worst_case_fraction);
    const max = num(e.max_slash_exposure);
    exposureBars.push([chain.names[v.operator_address], esc(e.total_worst_case_fraction) + " of " +
      esc(e.max_slash_exposure), used, used > max ? "over" : ""]);
    exposureRows.push([esc(chain.names[v.operator_address]), "num:" + esc(e.consumer_count) + " / " +
      esc(e.max_consumers), "num:" + esc(e.total_worst_case_tokens), "num:" + esc(e.bonded_tokens),
      (e.consumers || []).map((x) => esc(x.chain_id) + " " + esc(x.pledge_bps / 100) + "%").join(", ")]);
  });
  const maxExposure = exposures.find((e) => e) || {};
  if (exposureBars.length) {
    exposureBars.push(["max_slash_exposure", esc(maxExposure.max_slash_exposure),
      num(maxExposure.max_slash_exposure), "loss"]);
  }
  document.getElementById("exposure").innerHTML = exposureBars.length
    ? bars(exposureBars) + table(["validator", "consumers", "worst-case loss", "bonded", "pledges"], exposureRows)
    : '<p class="muted">no exposure answers</p>';

  const jails = validators.filter((v) => v.jailed).map((v) =>
    ["provider", esc(chain.names[v.operator_address]), v.tokens === "0" ? "slashed to 0" : "jailed", ""]);
  cards.forEach(({ c, report }) => ((report && report.jailed) || []).forEach((j) => jails.push([
    esc(c.chain_id), esc(chain.names[j.validator] || j.validator),
    j.tombstoned ? "tombstoned" : "jailed", esc(j.jailed_until)])));
  document.getElementById("jails").innerHTML =
    table(["chain", "validator", "state", "until"], jails) +
    '<p class="muted">the node keeps no slash history query; jails and tombstones are current state</p>';

  if (chain.age > BEHIND_SECONDS) {
    status("node is behind: last block " + chain.height + " was " + chain.age + " s ago; retrying", "warn");
  } else {
    status("live — height " + chain.height + ", updated " + new Date().toLocaleTimeString(), "ok");
  }
}

/** Refreshes forever; a failure is reported on the page and retried. */
async function loop() {
  try {
    await refresh();
  } catch (err) {
    status("node unreachable or failing (" + (err && err.message ? err.message : err) +
      "); showing the last answers, retrying every " + REFRESH_MS / 1000 + " s", "down");
  }
  setTimeout(loop, REFRESH_MS);
}

loop();
