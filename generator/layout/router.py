"""Orthogonal arrow routing on a grid of tracks in the gaps between symbols."""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.layout.geometry import Box, Point, manhattan, simplify_path

Node = tuple[int, int]  # (column, row) of a grid node; also a direction (dx, dy)

# Routing costs and clearance, in the grid's unit (mm on the sheet; the diagram routes in mm).
RESERVE_COST = 30.0
CLEAR = 0.4
BEND_COST = 4.0
CROSS_COST = 80.0
CLOSE_GAP = 1.6  # mm: parallel runs of two arrows closer than this read as one line
CLOSE_COST = 1.5  # extra cost per mm of such a run, on top of its length

# --------------------------------------------------------------------------- router


@dataclass(frozen=True)
class Port:
    """Where an arrow may leave or enter a symbol: a point on its edge, facing outwards."""

    symbol: int  # index into the page's symbols
    side: str  # top, bottom, left, right
    point: Point
    node: tuple[int, int]  # grid node just outside the port
    direction: tuple[int, int]  # from the port to that node (grid index steps)


DIRS = {"top": (0, -1), "bottom": (0, 1), "left": (-1, 0), "right": (1, 0)}
STEPS = tuple(DIRS.values())  # the order `Router.steps_from` tries them in (ties pop in push order)


def closed_nodes(
    xs: Sequence[float], ys: Sequence[float], boxes: Iterable[Box]
) -> set[tuple[int, int]]:
    """The grid nodes (column, row) inside or on the edge of a box grown by `CLEAR`; `xs` and
    `ys` sorted ascending. Found per box by bisection: O(boxes x log(lines)) plus the nodes
    found, not a test of every node against every box."""
    if any(a > b for a, b in zip(xs, xs[1:], strict=False)) or any(
        a > b for a, b in zip(ys, ys[1:], strict=False)
    ):
        raise ValueError("grid lines must be sorted")
    closed: set[tuple[int, int]] = set()
    for box in boxes:
        b = box.grow(CLEAR)
        cols = range(bisect_left(xs, b.x0), bisect_right(xs, b.x1))
        rows = range(bisect_left(ys, b.y0), bisect_right(ys, b.y1))
        closed.update((i, j) for i in cols for j in rows)
    return closed


class Router:
    """Orthogonal arrows on a grid of tracks, one after another, never sharing a segment.

    Nodes inside a symbol (grown by a small clearance) are closed. A route may cross another
    route at right angles (at a cost) but never runs along it, and never bends or ends at a
    node another route touches.
    """

    def __init__(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        obstacles: Sequence[Box],
        hugging: Iterable[float] = (),
    ):
        """Set up the grid lines and close the nodes inside obstacles.

        `hugging` are the x lines closest to the symbols; running along them costs more, so
        long vertical runs keep some distance from the symbols they pass.
        """
        self.xs = list(xs)
        self.ys = list(ys)
        self.obstacles = list(obstacles)
        self.hugging = {self.xs.index(x) for x in hugging}
        self.closed = closed_nodes(self.xs, self.ys, self.obstacles)
        self.used_segments: set[tuple[int, int, int, int]] = set()
        self.node_use: dict[tuple[int, int], str] = {}  # 'h', 'v' (straight through) or 'x'
        self.used_ports: set[tuple[int, str]] = set()
        self.paths: list[list[tuple[int, int]]] = []  # grid nodes of each route, in order
        self.reserved: set[tuple[int, int]] = set()  # nodes in front of symbol ports
        self.ghosts: dict[tuple[int, int], str] = {}  # node -> axis of an arrow not yet drawn

    def set_ghosts(self, paths: Iterable[Sequence[Point]]) -> None:
        """Where arrows not routed yet are expected to run (their points): the next route
        pays CROSS_COST for crossing one at a node inside one of their straight runs."""
        self.ghosts = {}
        index_x = {x: i for i, x in enumerate(self.xs)}
        index_y = {y: j for j, y in enumerate(self.ys)}
        for points in paths:
            for a, b in zip(points, points[1:], strict=False):
                if a[1] == b[1] and a[1] in index_y:
                    lo, hi = sorted((a[0], b[0]))
                    nodes = [(index_x[x], index_y[a[1]]) for x in self.xs if lo < x < hi]
                    axis = "h"
                elif a[0] == b[0] and a[0] in index_x:
                    lo, hi = sorted((a[1], b[1]))
                    nodes = [(index_x[a[0]], index_y[y]) for y in self.ys if lo < y < hi]
                    axis = "v"
                else:
                    continue
                for node in nodes:
                    self.ghosts[node] = axis if self.ghosts.get(node, axis) == axis else "x"

    def ix(self, x: float) -> int:
        """Index of the grid line at x."""
        return self.xs.index(x)

    def iy(self, y: float) -> int:
        """Index of the grid line at y."""
        return self.ys.index(y)

    def point(self, node: tuple[int, int]) -> Point:
        """Coordinates of a node."""
        return (self.xs[node[0]], self.ys[node[1]])

    @staticmethod
    def _seg(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int, int, int]:
        return (*min(a, b), *max(a, b))

    def port_free(self, port: Port) -> bool:
        """True when the port and the node in front of it are unused."""
        return (
            (port.symbol, port.side) not in self.used_ports
            and port.node not in self.node_use
            and port.node not in self.closed
        )

    def route(
        self,
        sources: Sequence[tuple[Port, float]],
        targets: Sequence[tuple[Port, float]],
        junctions: dict[Node, tuple[str, float, int]] | None = None,
    ) -> tuple[list[Point], int | None] | None:
        """The cheapest path from one of the source ports to one of the target ports (A*
        over the grid's nodes and the direction arriving there).

        `junctions` are nodes where an existing arrow into the same target runs straight
        (node -> (its axis, extra cost, tag)); the path may end there, meeting that arrow at a
        right angle. Returns the points and the junction's tag (None when ending at a port),
        or None when no path is free.
        """
        sources = [(p, c) for p, c in sources if self.port_free(p)]
        targets = [(p, c) for p, c in targets if self.port_free(p)]
        junctions = {n: j for n, j in (junctions or {}).items() if self.node_use.get(n) == j[0]}
        if not sources or not (targets or junctions):
            return None
        search = _Search(self, {p.node: (p, c) for p, c in targets}, junctions)
        for port, cost in sources:
            g = cost + manhattan(port.point, self.point(port.node))
            search.push((port.node, port.direction), g, ("port", port))
        return search.run()

    def steps_from(
        self, node: Node, goal: dict[Node, Any], junctions: dict[Node, Any]
    ) -> tuple[tuple[Node, Node, float, float], ...]:
        """Every step out of `node` in the order of STEPS, whatever direction a path arrives
        in: (next node, direction, length cost, crossing cost), the length cost with the
        hugging and close-parallel surcharges, the crossing cost with the crossing, ghost
        and reserved-node surcharges. No step into a closed node, along a used segment or
        straight through another route's run. The same for every arrival, so one search
        asks once per node; `_Search.run` adds the bend cost and refuses turning back and a
        bend where another route touches."""
        xs, ys, node_use = self.xs, self.ys, self.node_use
        i, j = node
        x0, y0 = xs[i], ys[j]
        out = []
        for nd in STEPS:
            ni, nj = i + nd[0], j + nd[1]
            nxt = (ni, nj)
            if not (0 <= ni < len(xs) and 0 <= nj < len(ys)) or nxt in self.closed:
                continue
            use = node_use.get(nxt)
            axis = "h" if nd[1] == 0 else "v"
            segment = (i, j, ni, nj) if node < nxt else (ni, nj, i, j)  # `_seg`
            if segment in self.used_segments or use == "x" or use == axis:
                continue
            step = abs(x0 - xs[ni]) + abs(y0 - ys[nj])  # `manhattan`
            if nd[0] == 0 and i in self.hugging:
                step *= 1.3
            step *= 1.0 + CLOSE_COST * self._beside(node, nxt)
            crossing = CROSS_COST if use and nxt not in junctions else 0.0
            ghost = self.ghosts.get(nxt)
            if ghost in ("h", "v") and ghost != axis:
                crossing += CROSS_COST
            if nxt in self.reserved and nxt not in goal:
                crossing += RESERVE_COST  # keep other symbols' ports reachable
            out.append((nxt, nd, step, crossing))
        return tuple(out)

    def _beside(self, a: tuple[int, int], b: tuple[int, int]) -> int:
        """How many routed (or ghost) segments run parallel to the step a-b on a neighbouring
        track closer than CLOSE_GAP mm (a close parallel the quality tool counts)."""
        axis = 0 if a[0] == b[0] else 1  # 0: vertical step (neighbours left/right)
        lines = self.xs if axis == 0 else self.ys
        along = "v" if axis == 0 else "h"
        ghosts = self.ghosts
        count = int(bool(ghosts) and ghosts.get(a) == along and ghosts.get(b) == along)
        here = a[axis]
        for k in (here - 1, here + 1):
            if not 0 <= k < len(lines) or abs(lines[k] - lines[here]) >= CLOSE_GAP:
                continue
            na = (k, a[1]) if axis == 0 else (a[0], k)
            nb = (k, b[1]) if axis == 0 else (b[0], k)
            ghost = ghosts.get(na) == along and ghosts.get(nb) == along
            count += self._seg(na, nb) in self.used_segments or ghost
        return count

    def route_loose(
        self, sources: Sequence[tuple[Port, float]], targets: Sequence[tuple[Port, float]]
    ) -> list[Point]:
        """A last-resort path that ignores the other arrows (and, failing that, the symbols).

        The path is claimed here, so later arrows keep away from it as usual. Never fails: the
        grid of tracks is connected once nothing is closed.
        """
        for obstacles in (self.obstacles, []):
            free = Router(self.xs, self.ys, obstacles)
            found = free.route(sources, targets)
            if found is None:
                continue
            nodes = free.paths[-1]
            used = free.used_ports
            source = next(
                p for p, _ in sources if (p.symbol, p.side) in used and p.node == nodes[0]
            )
            target = next(
                p for p, _ in targets if (p.symbol, p.side) in used and p.node == nodes[-1]
            )
            self.claim(source, nodes, target)
            self.paths.append(nodes)
            return found[0]
        raise AssertionError("the open grid of tracks is not connected")

    def finish(
        self, came: dict, state: tuple, target: Port | None, junction: tuple[int, int] | None
    ) -> list[Point]:
        """Claim the path that ends at `state` (walking `came` back to its source port) and
        return its points (mm), from the source port to the target port or the junction."""
        nodes: list[tuple[int, int]] = []
        while True:
            prev = came[state]
            nodes.append(state[0])
            if isinstance(prev, tuple) and prev and prev[0] == "port":
                source: Port = prev[1]
                break
            state = prev
        nodes.reverse()
        self.claim(source, nodes, target)
        self.paths.append(nodes)
        end = [target.point] if target else []
        return simplify_path([source.point, *(self.point(n) for n in nodes), *end])

    def claim(self, source: Port, nodes: Sequence[tuple[int, int]], target: Port | None) -> None:
        """Mark a path's segments, nodes and ports as used."""
        self.used_ports.add((source.symbol, source.side))
        if target is not None:
            self.used_ports.add((target.symbol, target.side))
        for a, b in zip(nodes, nodes[1:], strict=False):
            self.used_segments.add(self._seg(a, b))
        for k, node in enumerate(nodes):
            if k == 0 or k == len(nodes) - 1:
                self.node_use[node] = "x"
                continue
            before, after = nodes[k - 1], nodes[k + 1]
            straight_h = before[1] == node[1] == after[1]
            straight_v = before[0] == node[0] == after[0]
            axis = "h" if straight_h else "v" if straight_v else "x"
            self.node_use[node] = "x" if node in self.node_use or axis == "x" else axis

    def claim_line(self, a: Point, b: Point) -> None:
        """Mark a straight line between two nodes (a joint step's join) as used."""
        ia, ib = (self.ix(a[0]), self.iy(a[1])), (self.ix(b[0]), self.iy(b[1]))
        step = (1 if ib[0] > ia[0] else -1 if ib[0] < ia[0] else 0, 0)
        node = ia
        nodes = [node]
        while node != ib:
            node = (node[0] + step[0], node[1])
            nodes.append(node)
        for a_, b_ in zip(nodes, nodes[1:], strict=False):
            self.used_segments.add(self._seg(a_, b_))
        for k, n in enumerate(nodes):
            self.node_use[n] = "x" if k in (0, len(nodes) - 1) else "h"


ARRIVED, MERGED = (0, 0), (9, 9)  # the pseudo-directions of a path's end state


class _Search:
    """One A* search of `Router.route`: states are (node, direction), ending at a target
    port (ARRIVED) or at a junction on an arrow into the same target (MERGED)."""

    def __init__(
        self,
        router: Router,
        goal: dict[Node, tuple[Port, float]],
        junctions: dict[Node, tuple[str, float, int]],
    ) -> None:
        self.router, self.goal, self.junctions = router, goal, junctions
        self.aims = [p.point for p, _ in goal.values()] + [router.point(n) for n in junctions]
        self.heap: list[tuple[float, float, int, Node, Node]] = []
        self.came: dict[tuple[Node, Node], Any] = {}
        self.best: dict[tuple[Node, Node], float] = {}
        self.pushed = 0  # ties pop in push order
        self.nearest: dict[Node, float] = {}  # `estimate` of each node seen
        self.steps: dict[Node, tuple[tuple[Node, Node, float, float], ...]] = {}

    def estimate(self, node: Node) -> float:
        """The A* heuristic: the Manhattan distance (mm) to the nearest aim (worked out once
        per node)."""
        known = self.nearest.get(node)
        if known is not None:
            return known
        x, y = self.router.xs[node[0]], self.router.ys[node[1]]
        nearest = math.inf
        for ax, ay in self.aims:
            distance = abs(x - ax) + abs(y - ay)
            if distance < nearest:
                nearest = distance
        self.nearest[node] = nearest
        return nearest

    def push(self, state: tuple[Node, Node], g: float, prev: Any) -> None:
        """Record a state reached at cost g (from `prev`) when it is the cheapest so far."""
        if g < self.best.get(state, math.inf):
            self.best[state] = g
            self.came[state] = prev
            end = state[1] in (ARRIVED, MERGED)
            f = g if end else g + self.estimate(state[0])
            heapq.heappush(self.heap, (f, g, self.pushed, *state))
            self.pushed += 1

    def run(self) -> tuple[list[Point], int | None] | None:
        """Pop states cheapest first until one has arrived: its path, or None. (The inner
        loop: `push` and `Router.moves` written out, the same costs in the same order.)"""
        router, steps, heap, best = self.router, self.steps, self.heap, self.best
        nearest = self.nearest
        while heap:
            _f, g, _c, node, d = heapq.heappop(heap)
            state = (node, d)
            if g > best.get(state, math.inf):
                continue
            if d == ARRIVED:
                return router.finish(self.came, self.came[state], self.goal[node][0], None), None
            if d == MERGED:
                path = router.finish(self.came, self.came[state], None, node)
                return path, self.junctions[node][2]
            self.arrive(state, g)
            out = steps.get(node)
            if out is None:  # the router does not change during one search
                out = steps[node] = router.steps_from(node, self.goal, self.junctions)
            back, busy = (-d[0], -d[1]), node in router.node_use
            for nxt, nd, step, crossing in out:
                if nd == back or (busy and nd != d):
                    continue
                new, new_g = (nxt, nd), g + (step + (BEND_COST if nd != d else 0.0) + crossing)
                if new_g < best.get(new, math.inf):
                    best[new] = new_g
                    self.came[new] = state
                    h = nearest.get(nxt)
                    h = self.estimate(nxt) if h is None else h
                    heapq.heappush(heap, (new_g + h, new_g, self.pushed, *new))
                    self.pushed += 1
        return None

    def arrive(self, state: tuple[Node, Node], g: float) -> None:
        """Push the end states reachable from `state`: into a target port (from the port's
        front, or with a bend where no other route touches) or onto a junction at a right
        angle."""
        node, d = state
        router = self.router
        if node in self.goal:
            port, cost = self.goal[node]
            into = (-port.direction[0], -port.direction[1])
            if d == into or (d != port.direction and router.node_use.get(node) is None):
                bend = 0.0 if d == into else BEND_COST
                end_g = g + cost + bend + manhattan(router.point(node), port.point)
                self.push((node, ARRIVED), end_g, state)
        junction = self.junctions.get(node)
        if junction is not None and (junction[0] == "h") == (d[1] != 0):
            self.push((node, MERGED), g + junction[1], state)
