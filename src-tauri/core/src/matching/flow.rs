//! Exact assignment with capacities: the most rows matched, then the largest total weight.
//!
//! Rows each want one column; column `c` takes up to `cap[c]` rows; `weights` gives the
//! value of each allowed (row, column) and [`NO`] for a forbidden one. This is a min-cost
//! flow (source → row → column → sink) solved by successive shortest augmenting paths,
//! one row at a time, with Dijkstra on reduced costs (node potentials, as in
//! Jonker–Volgenant's dense shortest augmenting path method):
//!
//! * Each row may also stay unmatched through its own "dummy" arc of cost `D`. Real arcs
//!   cost `wmax − w ≥ 0`. With `D > K·(wmax − wmin)` (K = the most pairs possible), one
//!   more matched row always beats any gain in weight, so the minimum-cost assignment of
//!   every row (to a column or to its dummy) is exactly: most rows matched, then the
//!   largest total weight.
//! * Adding the rows one by one and augmenting each time along a shortest path in the
//!   residual graph keeps the assignment of the rows added so far optimal (the classical
//!   successive-shortest-path invariant); potentials keep every residual arc's reduced
//!   cost ≥ 0, so Dijkstra applies, and it stops as soon as the path's end is known.
//! * A column with room is an end (its arc to the sink has reduced cost 0: a column's
//!   count of rows never goes down, so a column with room has never been full, never been
//!   scanned, and its potential is still 0); so is the dummy arc of any row reached.
//!   A row is reached only through the column it is matched to, along an arc of reduced
//!   cost 0, so rows never wait in the queue: the scan works on columns alone.
//!
//! Work per row is O(columns × columns scanned). Ties are broken by position only, so
//! the result is a pure function of the input order, which the caller fixes (id order).

/// A forbidden (row, column) pair.
pub(crate) const NO: i32 = i32::MIN;
const NONE: u32 = u32::MAX;
const INF: i64 = i64::MAX / 4;

#[derive(Clone)]
pub(crate) struct Instance<'a> {
    /// `weight_rows × cols` values, row-major; [`NO`] where forbidden. (The solver turns
    /// them into costs in place: big centres give it a megabyte or more.)
    pub weights: Vec<i32>,
    pub cols: usize,
    /// For each row, which weight row it uses (several rows may share one: the places
    /// of one mentor).
    pub row_weights: &'a [u32],
    /// Room in each column.
    pub cap: &'a [u32],
}

/// The column of each row in an optimal assignment, or `None` for a row left unmatched.
pub(crate) fn assign(mut inst: Instance<'_>) -> Vec<Option<u32>> {
    let nrows = inst.row_weights.len();
    let ncols = inst.cols;
    let (mut wmin, mut wmax) = (i64::MAX, i64::MIN);
    for &w in inst.weights.iter().filter(|w| **w != NO) {
        wmin = wmin.min(i64::from(w));
        wmax = wmax.max(i64::from(w));
    }
    if nrows == 0 || ncols == 0 || wmin > wmax {
        return vec![None; nrows];
    }
    // Costs: 0 for the best weight, more for worse ones, −1 where forbidden.
    // (A difference of two i32 weights may need 33 bits; the callers' scores are far smaller,
    // and anything that does not fit is treated as forbidden rather than wrapped.)
    for w in &mut inst.weights {
        *w = if *w == NO { -1 } else { i32::try_from(wmax - i64::from(*w)).unwrap_or(-1) };
    }
    let total_cap: u64 = inst.cap.iter().map(|&c| u64::from(c)).sum();
    let most_pairs = (nrows as u64).min(total_cap) as i64;
    let dummy = most_pairs.saturating_mul(wmax - wmin).saturating_add(1);

    let mut s = State::new(&inst, ncols, nrows);
    for row in 0..nrows {
        s.add_row(&inst.weights, row as u32, dummy);
    }
    s.row_col.iter().map(|&c| (c != NONE).then_some(c)).collect()
}

enum End {
    /// The path ends in a column with room.
    Free(u32),
    /// The path ends by this row giving up its column (or, for the new row, staying out).
    Dummy(u32),
}

struct State<'a> {
    inst: &'a Instance<'a>,
    ncols: usize,
    pi_row: Vec<i64>,
    pi_col: Vec<i64>,
    row_col: Vec<u32>,
    /// The rows in each column: `slots[start[c] .. start[c] + used[c]]`.
    start: Vec<usize>,
    used: Vec<u32>,
    slots: Vec<u32>,
    // Scratch for one Dijkstra run.
    dist: Vec<i64>,
    pred: Vec<u32>,
    todo: Vec<u32>,
    settled: Vec<u32>,
    reached: Vec<(u32, i64)>,
}

impl<'a> State<'a> {
    fn new(inst: &'a Instance<'a>, ncols: usize, nrows: usize) -> State<'a> {
        let mut start = Vec::with_capacity(ncols);
        let mut total = 0usize;
        for &c in inst.cap {
            start.push(total);
            total += c as usize;
        }
        State {
            inst,
            ncols,
            pi_row: vec![0; nrows],
            pi_col: vec![0; ncols],
            row_col: vec![NONE; nrows],
            start,
            used: vec![0; ncols],
            slots: vec![NONE; total],
            dist: vec![INF; ncols],
            pred: vec![NONE; ncols],
            todo: Vec::with_capacity(ncols),
            settled: Vec::new(),
            reached: Vec::new(),
        }
    }

    fn has_room(&self, c: u32) -> bool {
        self.used[c as usize] < self.inst.cap[c as usize]
    }

    /// Relaxes every arc out of `row`, reached at distance `d`.
    fn relax(&mut self, cost: &[i32], row: u32, d: i64) {
        let w = self.inst.row_weights[row as usize] as usize;
        let costs = &cost[w * self.ncols..(w + 1) * self.ncols];
        let base = d + self.pi_row[row as usize];
        for (((&c, dist), pred), &pi) in
            costs.iter().zip(self.dist.iter_mut()).zip(self.pred.iter_mut()).zip(self.pi_col.iter())
        {
            // Columns already settled never improve: reduced costs are ≥ 0 and rows are
            // scanned in order of distance. The row's own column gives exactly its distance.
            let cand = if c < 0 { INF } else { base + i64::from(c) - pi };
            if cand < *dist {
                *dist = cand;
                *pred = row;
            }
        }
    }

    /// The first pass for a new row: every column's distance from it and the nearest
    /// column as [`State::nearest`] would find it (every column is still to do, in
    /// order, so its place is its number). The distances are worked out in a loop of
    /// their own, without a branch (the compiler does several at once), then searched.
    fn first_pass(&mut self, cost: &[i32], new: u32) -> (usize, i64, usize) {
        let w = self.inst.row_weights[new as usize] as usize;
        let costs = &cost[w * self.ncols..(w + 1) * self.ncols];
        let base = self.pi_row[new as usize];
        for ((&k, dist), &pi) in costs.iter().zip(self.dist.iter_mut()).zip(self.pi_col.iter()) {
            // INF where forbidden (k < 0), by a mask rather than a branch.
            let forbidden = i64::from(k >> 31);
            *dist = ((base + i64::from(k) - pi) & !forbidden) | (INF & forbidden);
        }
        self.pred.fill(new);
        // The first column at the least distance…
        let (mut at, mut d) = (usize::MAX, INF);
        for (c, &dc) in self.dist.iter().enumerate() {
            if dc < d {
                (at, d) = (c, dc);
            }
        }
        // …and the first column with room at that distance (none before `at`).
        let mut free_at = usize::MAX;
        if at != usize::MAX {
            for c in at..self.ncols {
                if self.dist[c] == d && self.used[c] < self.inst.cap[c] {
                    free_at = c;
                    break;
                }
            }
        }
        (at, d, free_at)
    }

    /// The nearest unsettled column, preferring one with room among equals: its place in
    /// `todo`, its distance, and the place of the first column with room at that
    /// distance (`usize::MAX` where there is none).
    fn nearest(&self) -> (usize, i64, usize) {
        let (mut at, mut d, mut free_at) = (usize::MAX, INF, usize::MAX);
        for (i, &c) in self.todo.iter().enumerate() {
            let dc = self.dist[c as usize];
            if dc < d {
                (at, d) = (i, dc);
                free_at = if self.has_room(c) { i } else { usize::MAX };
            } else if dc == d && free_at == usize::MAX && self.has_room(c) {
                free_at = i;
            }
        }
        (at, d, free_at)
    }

    fn add_row(&mut self, cost: &[i32], new: u32, dummy: i64) {
        self.todo.clear();
        self.todo.extend(0..self.ncols as u32);
        self.settled.clear();
        self.reached.clear();
        // Most rows end at the first column they reach: one pass instead of two.
        let mut nearest = self.first_pass(cost, new);
        let mut best = dummy + self.pi_row[new as usize];
        let mut end = End::Dummy(new);
        loop {
            let (at, d, free_at) = nearest;
            if at == usize::MAX || d >= best {
                break;
            }
            if free_at != usize::MAX {
                best = d;
                end = End::Free(self.todo[free_at]);
                break;
            }
            let c = self.todo.swap_remove(at);
            self.settled.push(c);
            let (from, n) = (self.start[c as usize], self.used[c as usize] as usize);
            for k in from..from + n {
                let r = self.slots[k];
                self.reached.push((r, d));
                self.relax(cost, r, d);
                let out = d + dummy + self.pi_row[r as usize];
                if out < best {
                    best = out;
                    end = End::Dummy(r);
                }
            }
            nearest = self.nearest();
        }
        // New potentials: every node scanned closer than the end moves by (d − best);
        // the others, and the columns with room, stay (a common shift is dropped).
        for &c in &self.settled {
            self.pi_col[c as usize] += self.dist[c as usize] - best;
        }
        for &(r, d) in &self.reached {
            self.pi_row[r as usize] += d - best;
        }
        self.pi_row[new as usize] -= best;
        self.augment(new, end);
    }

    fn augment(&mut self, new: u32, end: End) {
        let mut col = match end {
            End::Free(c) => c,
            End::Dummy(r) if r == new => return,
            End::Dummy(r) => {
                let c = self.row_col[r as usize];
                self.leave(r, c);
                self.row_col[r as usize] = NONE;
                c
            }
        };
        loop {
            let r = self.pred[col as usize];
            let prev = self.row_col[r as usize];
            if prev != NONE {
                self.leave(r, prev);
            }
            self.join(r, col);
            self.row_col[r as usize] = col;
            if r == new {
                return;
            }
            col = prev;
        }
    }

    fn leave(&mut self, r: u32, c: u32) {
        let from = self.start[c as usize];
        let n = self.used[c as usize] as usize;
        if let Some(k) = self.slots[from..from + n].iter().position(|&x| x == r) {
            self.slots.swap(from + k, from + n - 1);
            self.used[c as usize] -= 1;
        }
    }

    fn join(&mut self, r: u32, c: u32) {
        let k = self.start[c as usize] + self.used[c as usize] as usize;
        self.slots[k] = r;
        self.used[c as usize] += 1;
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference: plain successive shortest paths with Bellman–Ford on an explicit graph,
    /// from the source each time (no potentials, no early stop). Returns (pairs, weight).
    pub(in crate::matching) fn reference(weights: &[i32], rows: usize, cols: usize, cap: &[u32]) -> (usize, i64) {
        struct Arc {
            to: usize,
            cap: i64,
            cost: i64,
        }
        let (src, sink) = (rows + cols, rows + cols + 1);
        let n = rows + cols + 2;
        let mut arcs: Vec<Arc> = Vec::new();
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut add = |a: usize, b: usize, cap: i64, cost: i64, arcs: &mut Vec<Arc>| {
            out[a].push(arcs.len());
            arcs.push(Arc { to: b, cap, cost });
            out[b].push(arcs.len());
            arcs.push(Arc { to: a, cap: 0, cost: -cost });
        };
        for r in 0..rows {
            add(src, r, 1, 0, &mut arcs);
            for c in 0..cols {
                let w = weights[r * cols + c];
                if w != NO {
                    add(r, rows + c, 1, -i64::from(w), &mut arcs);
                }
            }
        }
        for (c, &room) in cap.iter().enumerate() {
            add(rows + c, sink, i64::from(room), 0, &mut arcs);
        }
        let (mut flow, mut total) = (0usize, 0i64);
        loop {
            let mut dist = vec![i64::MAX; n];
            let mut via = vec![usize::MAX; n];
            dist[src] = 0;
            for _ in 0..n {
                let mut changed = false;
                for u in 0..n {
                    if dist[u] == i64::MAX {
                        continue;
                    }
                    for &a in &out[u] {
                        let arc = &arcs[a];
                        if arc.cap > 0 && dist[u] + arc.cost < dist[arc.to] {
                            dist[arc.to] = dist[u] + arc.cost;
                            via[arc.to] = a;
                            changed = true;
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            if dist[sink] == i64::MAX {
                return (flow, -total);
            }
            let mut v = sink;
            while v != src {
                let a = via[v];
                arcs[a].cap -= 1;
                arcs[a ^ 1].cap += 1;
                v = arcs[a ^ 1].to;
            }
            flow += 1;
            total += dist[sink];
        }
    }

    fn instance() -> impl Strategy<Value = (usize, usize, Vec<i32>, Vec<u32>)> {
        (1usize..14, 1usize..9).prop_flat_map(|(rows, cols)| {
            (
                Just(rows),
                Just(cols),
                prop::collection::vec(prop_oneof![2 => Just(NO), 3 => -20i32..60], rows * cols),
                prop::collection::vec(0u32..4, cols),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// Against an independent min-cost max-flow: same number of pairs, same weight;
        /// and the assignment respects capacities and forbidden pairs.
        #[test]
        fn equals_min_cost_max_flow((rows, cols, weights, cap) in instance()) {
            let row_weights: Vec<u32> = (0..rows as u32).collect();
            let got = assign(Instance { weights: weights.clone(), cols, row_weights: &row_weights, cap: &cap });
            let mut used = vec![0u32; cols];
            let (mut n, mut total) = (0usize, 0i64);
            for (r, c) in got.iter().enumerate() {
                if let Some(c) = *c {
                    let w = weights[r * cols + c as usize];
                    prop_assert!(w != NO, "forbidden pair used");
                    used[c as usize] += 1;
                    n += 1;
                    total += i64::from(w);
                }
            }
            for c in 0..cols {
                prop_assert!(used[c] <= cap[c], "column over capacity");
            }
            prop_assert_eq!((n, total), reference(&weights, rows, cols, &cap));
        }
    }

    #[test]
    fn one_more_pair_beats_any_weight() {
        // Row 0 could take column 0 for 100, but then row 1 (only column 0) stays out.
        let weights = [100, 1, 1, NO];
        let got = assign(Instance { weights: weights.to_vec(), cols: 2, row_weights: &[0, 1], cap: &[1, 1] });
        assert_eq!(got, vec![Some(1), Some(0)]);
    }

    #[test]
    fn shared_weight_rows_are_places_of_one_column_owner() {
        // Two rows share weight row 0 (one mentor's two places) over three columns.
        let weights = [5, 9, 7];
        let got = assign(Instance { weights: weights.to_vec(), cols: 3, row_weights: &[0, 0], cap: &[1, 1, 1] });
        let mut cols: Vec<u32> = got.into_iter().flatten().collect();
        cols.sort();
        assert_eq!(cols, vec![1, 2]);
    }
}
