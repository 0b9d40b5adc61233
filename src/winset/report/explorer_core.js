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
    if (vote.wins) { // whether each subset of the members (a bit mask) carries it, decided exactly
      let mask = 0;
      for (const i of order) {
        mask |= 1 << i;
        if (vote.wins[mask]) return index(i);
      }
    }
    let carried = vote.base;
    for (const i of order) {
      carried += vote.contributions[i];
      if (carried >= vote.needed - vote.tolerance) return index(i);
    }
    return index(order[0]); // unreachable for a vote that can pass (the engine checks it)
  }

  const voteMargin = (vote, margins) => votePivot(vote, margins).margin;

  // One draw's whole support, rule margin and each group's support, from the weighted sums of
  // its cells (``total`` and ``weight`` from ``at``: the sums of draw g sit at g * nCells).
  function ruleOf(rule, total, weight, at) {
    const groups = [];
    for (let c = 0; c < rule.groups.length; c++) groups.push(total[at + c] / weight[at + c]);
    // weights sum to one in each draw: the engine's table.support
    const whole = rule.groups.length ? groups.reduce((s, v, c) => s + rule.shares[c] * v, 0) : total[at];
    let margin = rule.plain ? whole - rule.threshold : NaN;
    if (!rule.plain) {
      const sources = [whole, ...groups];
      margin = Math.min(...rule.votes.map((vote) =>
        voteMargin(vote, vote.sources.map((s, i) => sources[s + 1] - vote.thresholds[i]))));
    }
    return { whole, margin, groups };
  }

  // Each group's (draw's) whole support and rule margin; of the first ``only`` groups.
  function groupMargins(pub, table, codes, only) {
    const rule = pub.rule, nCells = rule.groups.length || 1;
    const { total, weight } = sums(table, codes, nCells, pub.shift || 0, only);
    const nGroups = only || table.sizes.length, whole = new Float64Array(nGroups), margins = new Float64Array(nGroups);
    const cells = new Float64Array(nGroups * rule.groups.length); // each group's support, per draw
    for (let g = 0; g < nGroups; g++) {
      const found = ruleOf(rule, total, weight, g * nCells);
      whole[g] = found.whole;
      margins[g] = found.margin;
      cells.set(found.groups, g * rule.groups.length);
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
  const forbids = (c, codes) => c.issues.every((m, j) => c.forbidden[j].includes(codes[m]));
  const broken = (data, codes) => data.constraints.filter((c) => forbids(c, codes));
  // For a search that chooses the issues in order: the constraints decided once issue d is chosen
  const closingAt = (data) => data.options.map((_, d) => data.constraints.filter((c) => Math.max(...c.issues) === d));

  // A table's point estimate (its first group's rows) scored issue by issue, for the search below:
  // the scores with issues 0..d chosen (a child's are its parent's plus one column), the exact
  // value of a whole package, and an upper bound over every package below a branch (the best
  // column of each issue still open and the best of each pairwise term, added to each row).
  function branching(table, shape, shift, nCells, value, needed) {
    const rows = table.starts[1], n = shape.length, k = table.k, link = table.link;
    const columns = shape.map((m, d) => Array.from({ length: m }, (_, o) => table.position[table.offsets[d] + o]));
    const at = (r, j) => (j >= 0 ? table.values[r * k + j] : 0);
    const rest = shape.map(() => new Float64Array(rows)); // what issues after d, and the pairs, can add
    for (let r = 0; r < rows; r++) {
      let after = 0;
      for (const p of table.pairs) after += Math.max(...p.values.subarray(r * p.n, (r + 1) * p.n));
      for (let d = n - 1; d >= 0; d--) {
        rest[d][r] = after;
        after += Math.max(...columns[d].map((j) => at(r, j)));
      }
    }
    const scores = Array.from({ length: n + 1 }, () => new Float64Array(rows));
    for (let r = 0; r < rows; r++) scores[0][r] = table.intercepts[r] + shift;
    const total = new Float64Array(nCells), weight = new Float64Array(nCells);
    const summed = (score) => {
      total.fill(0);
      weight.fill(0);
      for (let r = 0; r < rows; r++) {
        const cell = nCells > 1 ? table.cells[r] : 0;
        total[cell] += table.weights[r] * linked(link, score(r));
        weight[cell] += table.weights[r];
      }
      return value(total, weight);
    };
    return {
      needed,
      choose(d, o) { // issue d takes option o
        const from = scores[d], to = scores[d + 1], j = columns[d][o];
        if (j < 0) to.set(from);
        else for (let r = 0; r < rows; r++) to[r] = from[r] + table.values[r * k + j];
      },
      bound: (d) => summed((r) => scores[d + 1][r] + rest[d][r]),
      exact: (codes) => summed((r) => { // in the order sums adds, so the figures' own numbers
        let score = scores[n][r];
        for (const p of table.pairs) score += p.values[r * p.n + codes[p.first] * p.m + codes[p.second]];
        return score;
      }),
    };
  }

  // Every deal in the joint win-set on the point estimate (winset.engine.criteria.joint), with its
  // smallest margin over the binding publics, in the engine's package order (the last issue
  // fastest: the order that breaks ties). Depth first over the issues: a branch is left as soon as
  // a constraint forbids it or one bound says that no package below it passes a binding rule or
  // reaches a negotiator's reservation. That is exact, as in winset.engine.bounds: every link only
  // rises with the score, weights are non-negative, and every rule's margin only rises with each
  // group's support. A package costs one addition a row, not one per issue, and most of a space
  // where few deals pass is never visited.
  function winset(data, tables, utilityTables) {
    const shape = data.options.map((o) => o.length), n = shape.length;
    const publics = data.publics.map((pub, i) => [pub, tables[i]]).filter(([pub]) => pub.binding).map(([pub, table]) =>
      branching(table, shape, pub.shift || 0, pub.rule.groups.length || 1,
        (total, weight) => ruleOf(pub.rule, total, weight, 0).margin, -data.tolerance));
    const judges = publics.concat(data.negotiators.map((neg, i) =>
      branching(utilityTables[i], shape, 0, 1, (total) => total[0], neg.floor)));
    const closing = closingAt(data);
    const codes = new Array(n).fill(0), out = [];
    const visit = (d) => {
      for (let o = 0; o < shape[d]; o++) {
        codes[d] = o;
        if (closing[d].some((c) => forbids(c, codes))) continue;
        judges.forEach((judge) => judge.choose(d, o));
        if (d + 1 < n) {
          if (judges.every((judge) => judge.bound(d) >= judge.needed)) visit(d + 1);
          continue;
        }
        if (codes.every((c, k) => c === data.status_quo[k])) continue;
        const values = judges.map((judge) => judge.exact(codes));
        if (!values.every((v, i) => v >= judges[i].needed)) continue;
        out.push({ codes: codes.slice(), margin: publics.length ? Math.min(...values.slice(0, publics.length)) : 0, passes: true });
      }
    };
    visit(0);
    return out;
  }

  // Whether any deal keeps the options ``fixed`` names (an option per issue, -1 where free): a
  // depth-first search for one the constraints allow other than the status quo. It gives up,
  // saying yes, after ``limit`` partial packages (a space so constrained is not met in practice).
  function someDeal(data, fixed, limit = 100000) {
    const n = fixed.length, codes = new Array(n).fill(0);
    const closing = closingAt(data);
    let visits = 0;
    const visit = (d) => {
      if (d === n) return !codes.every((c, k) => c === data.status_quo[k]);
      for (let o = 0; o < data.options[d].length; o++) {
        if (fixed[d] >= 0 && o !== fixed[d]) continue;
        if (++visits > limit) return true;
        codes[d] = o;
        if (closing[d].some((c) => forbids(c, codes))) continue;
        if (visit(d + 1)) return true;
      }
      return false;
    };
    return visit(0);
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

  return { decode, unpack, publicFigures, votes, utility, quantile, voteMargin, votePivot, broken, winset, someDeal, nearest, best, effects };
})();
