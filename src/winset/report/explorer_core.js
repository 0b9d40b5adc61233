// The deal explorer's arithmetic: a package's support in every public, its interval and the
// probability that each rule is met over the draws, every rule's margin, and each negotiator's
// utility, from the tables winset.report.packed_tables packs and the rules
// winset.report.explorer_data describes. The same arithmetic as winset.engine, in float64, so the
// page shows the engine's numbers (tested to 1e-9 in headless Chromium). No framework, nothing
// fetched: the page embeds this file and its data.
"use strict";

const WinsetCore = (() => {
  function decode(text, Kind) {
    if (!text) return new Kind(0);
    const bytes = atob(text);
    const buffer = new ArrayBuffer(bytes.length);
    const view = new Uint8Array(buffer);
    for (let i = 0; i < bytes.length; i++) view[i] = bytes.charCodeAt(i);
    return new Kind(buffer); // the packing is little-endian, as every browser's typed arrays are
  }

  // The table's rows in full: kept columns only (the others are 0), as one Float64Array.
  function unpack(packed) {
    const sizes = packed.sizes, kept = packed.kept, k = kept.length, nCells = packed.n_cells;
    const starts = [0];
    for (const n of sizes) starts.push(starts[starts.length - 1] + n);
    const nRows = starts[starts.length - 1];
    const cells = packed.cells ? decode(packed.cells, Int32Array) : new Int32Array(nRows);
    const base = decode(packed.base, Float64Array);
    const values = new Float64Array(nRows * k);
    values.set(base);
    // the i-th row of cell c in group 0, for every cell: the rows an affine group maps from
    const baseRows = [];
    for (let c = 0; c < nCells; c++) baseRows.push([]);
    for (let r = 0; r < sizes[0]; r++) baseRows[cells[r]].push(r);
    const affine = decode(packed.affine, Float64Array), raw = decode(packed.rows, Float64Array);
    const terms = packed.affine_terms, which = new Map(packed.affine_groups.map((g, i) => [g, i]));
    let taken = 0;
    for (let g = 1; g < sizes.length; g++) {
      if (which.has(g)) {
        const seen = new Array(nCells).fill(0), offset = which.get(g) * nCells * terms * k;
        for (let r = starts[g]; r < starts[g + 1]; r++) {
          const c = cells[r], x = baseRows[c][seen[c]++], form = offset + c * terms * k;
          for (let j = 0; j < k; j++) {
            const a = affine[form + j];
            values[r * k + j] = terms === 2 ? a + affine[form + k + j] * base[x * k + j] : a;
          }
        }
      } else {
        values.set(raw.subarray(taken * k, (taken + sizes[g]) * k), starts[g] * k);
        taken += sizes[g];
      }
    }
    const perGroup = (entry) => {
      if (entry.by_row) return decode(entry.by_row, Float64Array);
      const out = new Float64Array(nRows);
      if (entry.by_group) {
        const firsts = decode(entry.by_group, Float64Array);
        for (let g = 0; g < sizes.length; g++) out.fill(firsts[g], starts[g], starts[g + 1]);
        return out;
      }
      const first = decode(entry.base, Float64Array), forms = decode(entry.affine, Float64Array);
      out.set(first);
      for (let g = 1; g < sizes.length; g++) {
        const seen = new Array(nCells).fill(0);
        for (let r = starts[g]; r < starts[g + 1]; r++) {
          const c = cells[r], x = baseRows[c][seen[c]++], form = ((g - 1) * nCells + c) * 2;
          out[r] = forms[form] + forms[form + 1] * first[x];
        }
      }
      return out;
    };
    // where each option's column sits among the kept ones (-1: a column of zeros)
    const offsets = [], position = new Int32Array(packed.shape.reduce((a, b) => a + b, 0)).fill(-1);
    let column = 0;
    for (const n of packed.shape) { offsets.push(column); column += n; }
    kept.forEach((c, j) => { position[c] = j; });
    const pairs = packed.pairs.map((p) => ({ first: p.first, second: p.second, values: decode(p.values, Float64Array),
      n: packed.shape[p.first] * packed.shape[p.second], m: packed.shape[p.second] }));
    return { link: packed.link, sizes, starts, nRows, k, cells, values, offsets, position, pairs,
      intercepts: perGroup(packed.intercepts), weights: perGroup(packed.weights) };
  }

  function linked(link, score) {
    if (link === "identity") return score;
    if (link === "step") return score > 0 ? 1 : 0;
    return score >= 0 ? 1 / (1 + Math.exp(-score)) : Math.exp(score) / (1 + Math.exp(score));
  }

  // The weighted linked score of each (group, cell): sums (groups x cells) and the cells' weights;
  // of the first ``only`` groups (the point estimate alone: 1).
  function sums(table, codes, nCells, shift, only) {
    const columns = codes.map((o, i) => table.position[table.offsets[i] + o]).filter((j) => j >= 0);
    const nGroups = only || table.sizes.length, total = new Float64Array(nGroups * nCells);
    const weight = new Float64Array(nGroups * nCells);
    for (let g = 0; g < nGroups; g++) {
      for (let r = table.starts[g]; r < table.starts[g + 1]; r++) {
        let score = table.intercepts[r] + shift;
        const row = r * table.k;
        for (const j of columns) score += table.values[row + j];
        for (const p of table.pairs) score += p.values[r * p.n + codes[p.first] * p.m + codes[p.second]];
        const cell = g * nCells + (nCells > 1 ? table.cells[r] : 0);
        total[cell] += table.weights[r] * linked(table.link, score);
        weight[cell] += table.weights[r];
      }
    }
    return { total, weight };
  }

  // numpy's quantile, its default (linear) method
  function quantile(values, q) {
    const sorted = Float64Array.from(values).sort();
    const h = (sorted.length - 1) * q, lo = Math.floor(h), t = h - lo;
    if (lo + 1 >= sorted.length) return sorted[lo];
    const a = sorted[lo], b = sorted[lo + 1];
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
  }

  // A vote's margin and its pivotal member from its members' margins (winset.engine.rules.Vote.margins)
  function votePivot(vote, margins) {
    const index = (i) => ({ margin: margins[i], pivot: i });
    if (vote.every_member_needed) return index(margins.indexOf(Math.min(...margins)));
    const order = margins.map((m, i) => i).sort((i, j) => margins[j] - margins[i] || i - j);
    let carried = vote.base;
    for (const i of order) {
      carried += vote.contributions[i];
      if (carried >= vote.needed - vote.tolerance) return index(i);
    }
    return index(order[0]); // unreachable for a vote that can pass (the engine checks it)
  }

  const voteMargin = (vote, margins) => votePivot(vote, margins).margin;

  // Each group's (draw's) whole support and rule margin; of the first ``only`` groups.
  function groupMargins(pub, table, codes, only) {
    const rule = pub.rule, nCells = rule.groups.length || 1;
    const { total, weight } = sums(table, codes, nCells, pub.shift || 0, only);
    const nGroups = only || table.sizes.length, whole = new Float64Array(nGroups), margins = new Float64Array(nGroups);
    const cells = new Float64Array(nGroups * rule.groups.length); // each group's support, per draw
    for (let g = 0; g < nGroups; g++) {
      if (!rule.groups.length) {
        whole[g] = total[g]; // weights sum to one in each draw: the engine's table.support
        margins[g] = rule.plain ? whole[g] - rule.threshold : NaN;
      }
      const groups = [];
      for (let c = 0; c < rule.groups.length; c++) groups.push(total[g * nCells + c] / weight[g * nCells + c]);
      cells.set(groups, g * rule.groups.length);
      if (rule.groups.length) whole[g] = groups.reduce((s, v, c) => s + rule.shares[c] * v, 0);
      if (!rule.plain) {
        const sources = [whole[g], ...groups];
        margins[g] = Math.min(...rule.votes.map((vote) =>
          voteMargin(vote, vote.sources.map((s, i) => sources[s + 1] - vote.thresholds[i]))));
      }
    }
    return { whole, margins, cells };
  }

  // A public's figures for one package (codes: one option index per issue).
  function publicFigures(pub, table, codes, tolerance, interval) {
    const { whole, margins } = groupMargins(pub, table, codes);
    const draws = whole.subarray(1), drawMargins = margins.subarray(1);
    let met = 0;
    for (const m of drawMargins) if (m >= -tolerance) met++;
    return {
      support: whole[0],
      lower: draws.length ? quantile(draws, interval[0]) : NaN,
      upper: draws.length ? quantile(draws, interval[1]) : NaN,
      margin: margins[0],
      p: draws.length ? met / draws.length : (margins[0] >= -tolerance ? 1 : 0),
      passes: margins[0] >= -tolerance,
    };
  }

  // Each vote of a public's rule over groups, member by member, for one package: the member's
  // support (estimate and interval), margin and say, the vote's yes votes, margin and verdict, its
  // pivotal member, and the member that decides the whole rule (winset.engine.verdicts.votes_table).
  function votes(pub, table, codes, tolerance, interval) {
    const rule = pub.rule;
    if (rule.plain) return [];
    const { whole, cells } = groupMargins(pub, table, codes), n = rule.groups.length, draws = whole.length - 1;
    const source = (g, s) => (s < 0 ? whole[g] : cells[g * n + s]); // WHOLE is -1
    const out = rule.votes.map((vote) => {
      const margins = vote.sources.map((s, j) => source(0, s) - vote.thresholds[j]);
      const { margin, pivot } = votePivot(vote, margins);
      let yesVotes = vote.base;
      const members = vote.members.map((name, j) => {
        const yes = margins[j] >= -tolerance, spread = Array.from({ length: draws }, (_, d) => source(d + 1, vote.sources[j]));
        if (yes) yesVotes += vote.contributions[j];
        return { name, support: source(0, vote.sources[j]), margin: margins[j], yes, pivotal: j === pivot, blocking: false,
          lower: draws ? quantile(spread, interval[0]) : NaN, upper: draws ? quantile(spread, interval[1]) : NaN };
      });
      return { name: vote.name, margin, passes: margin >= -tolerance, yesVotes, needed: vote.needed, members, pivot };
    });
    const decisive = out.reduce((best, v, i) => (v.margin < out[best].margin ? i : best), 0); // the first smallest
    out[decisive].members[out[decisive].pivot].blocking = true;
    return out;
  }

  function utility(table, codes) {
    const { total } = sums(table, codes, 1, 0);
    return total[0];
  }

  // The constraints a package breaks (each forbids one option from a set on every issue it names)
  const broken = (data, codes) => data.constraints.filter((c) => c.issues.every((m, j) => c.forbidden[j].includes(codes[m])));

  // Every package the constraints allow, the status quo aside, in the engine's order (the last
  // issue fastest): the order that breaks ties.
  function deals(data) {
    const shape = data.options.map((o) => o.length), k = shape.length, out = [];
    const total = shape.reduce((a, b) => a * b, 1), codes = new Array(k);
    for (let i = 0; i < total; i++) {
      let rest = i;
      for (let j = k - 1; j >= 0; j--) { codes[j] = rest % shape[j]; rest = Math.floor(rest / shape[j]); }
      if (codes.every((c, j) => c === data.status_quo[j])) continue;
      if (broken(data, codes).length) continue;
      out.push(codes.slice());
    }
    return out;
  }

  // Whether each deal is in the joint win-set on the point estimate, and its smallest margin over
  // the binding publics (winset.engine.criteria.joint and min_margin).
  function ratifiable(data, tables, utilityTables, packages) {
    const binding = data.publics.map((p, i) => [p, tables[i]]).filter(([p]) => p.binding);
    return packages.map((codes) => {
      let margin = Infinity;
      for (const [pub, table] of binding) margin = Math.min(margin, groupMargins(pub, table, codes, 1).margins[0]);
      if (!binding.length) margin = 0;
      const reach = data.negotiators.every((n, i) => utility(utilityTables[i], codes) >= n.floor);
      return { codes, margin, passes: reach && margin >= -data.tolerance };
    });
  }

  // The ``count`` ratifiable deals nearest ``current`` (fewest changed issues, then the best
  // smallest margin: winset.engine.criteria.nearest), among those that keep every locked option.
  function nearest(judged, current, locked, count) {
    const scored = [];
    judged.forEach((d, index) => {
      if (!d.passes || locked.some((k) => d.codes[k] !== current[k])) return;
      const changes = d.codes.reduce((n, c, k) => n + (c !== current[k] ? 1 : 0), 0);
      scored.push({ ...d, changes, value: Math.atan(d.margin) / Math.PI - changes, index });
    });
    scored.sort((a, b) => b.value - a.value || a.index - b.index);
    return scored.slice(0, count);
  }

  // The ratifiable deal with the best smallest margin that keeps every locked option.
  function best(judged, current, locked) {
    let found = null;
    judged.forEach((d) => {
      if (d.passes && !locked.some((k) => d.codes[k] !== current[k]) && (found === null || d.margin > found.margin)) found = d;
    });
    return found;
  }

  // What each single change to ``current`` does to every public's support (point estimate):
  // one entry per issue and other option, with whether the constraints allow the result.
  function effects(data, tables, current) {
    const point = (codes) => data.publics.map((pub, i) => groupMargins(pub, tables[i], codes, 1).whole[0]);
    const now = point(current), out = [];
    data.options.forEach((options, k) => {
      options.forEach((_, o) => {
        if (o === current[k]) return;
        const codes = current.slice();
        codes[k] = o;
        const allowed = broken(data, codes).length === 0;
        out.push({ issue: k, option: o, allowed, deltas: point(codes).map((v, i) => v - now[i]) });
      });
    });
    return out;
  }

  return { decode, unpack, publicFigures, votes, utility, quantile, voteMargin, votePivot, broken, deals, ratifiable, nearest, best, effects };
})();
