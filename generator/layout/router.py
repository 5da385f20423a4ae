"""Orthogonal arrow routing on a grid of tracks in the gaps between symbols."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.layout.geometry import Box, Point, manhattan, simplify_path

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
        grown = [b.grow(CLEAR) for b in obstacles]
        self.closed = {
            (i, j)
            for i, x in enumerate(self.xs)
            for j, y in enumerate(self.ys)
            if any(b.contains(x, y) for b in grown)
        }
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
        junctions: dict[tuple[int, int], tuple[str, float, int]] | None = None,
    ) -> tuple[list[Point], int | None] | None:
        """The cheapest path from one of the source ports to one of the target ports.

        `junctions` are nodes where an existing arrow into the same target runs straight
        (node -> (its axis, extra cost, tag)); the path may end there, meeting that arrow at a
        right angle. Returns the points and the junction's tag (None when ending at a port).
        """
        sources = [(p, c) for p, c in sources if self.port_free(p)]
        targets = [(p, c) for p, c in targets if self.port_free(p)]
        junctions = {n: j for n, j in (junctions or {}).items() if self.node_use.get(n) == j[0]}
        if not sources or not (targets or junctions):
            return None
        goal = {p.node: (p, c) for p, c in targets}
        aims = [p.point for p, _ in targets] + [self.point(n) for n in junctions]
        nx, ny = len(self.xs), len(self.ys)
        arrived, merged = (0, 0), (9, 9)

        def h(node: tuple[int, int]) -> float:
            x, y = self.point(node)
            return min(abs(x - ax) + abs(y - ay) for ax, ay in aims)

        heap: list[tuple[float, float, int, tuple[int, int], tuple[int, int]]] = []
        came: dict[tuple[tuple[int, int], tuple[int, int]], Any] = {}
        best: dict[tuple[tuple[int, int], tuple[int, int]], float] = {}
        counter = 0

        def push(state: tuple, g: float, prev: Any, f: float) -> None:
            nonlocal counter
            if g < best.get(state, math.inf):
                best[state] = g
                came[state] = prev
                heapq.heappush(heap, (f, g, counter, state[0], state[1]))
                counter += 1

        for port, cost in sources:
            g = cost + manhattan(port.point, self.point(port.node))
            push((port.node, port.direction), g, ("port", port), g + h(port.node))
        while heap:
            _f, g, _c, node, d = heapq.heappop(heap)
            state = (node, d)
            if g > best.get(state, math.inf):
                continue
            if d == arrived:
                return self._finish(came, came[state], goal[node][0], None), None
            if d == merged:
                return self._finish(came, came[state], None, node), junctions[node][2]
            if node in goal:
                port, cost = goal[node]
                into = (-port.direction[0], -port.direction[1])
                if d == into or (d != port.direction and self.node_use.get(node) is None):
                    bend = 0.0 if d == into else BEND_COST
                    end_g = g + cost + bend + manhattan(self.point(node), port.point)
                    push((node, arrived), end_g, state, end_g)
            if node in junctions and (junctions[node][0] == "h") == (d[1] != 0):
                end_g = g + junctions[node][1]
                push((node, merged), end_g, state, end_g)
            for nd in DIRS.values():
                if nd == (-d[0], -d[1]):
                    continue
                if nd != d and node in self.node_use:
                    continue  # no bend at a node another route touches
                nxt = (node[0] + nd[0], node[1] + nd[1])
                if not (0 <= nxt[0] < nx and 0 <= nxt[1] < ny) or nxt in self.closed:
                    continue
                if self._seg(node, nxt) in self.used_segments:
                    continue
                use = self.node_use.get(nxt)
                axis = "h" if nd[1] == 0 else "v"
                if use == "x" or use == axis:
                    continue
                step = manhattan(self.point(node), self.point(nxt))
                if nd[0] == 0 and node[0] in self.hugging:
                    step *= 1.3
                step *= 1.0 + CLOSE_COST * self._beside(node, nxt)
                crossing = CROSS_COST if use and nxt not in junctions else 0.0
                ghost = self.ghosts.get(nxt)
                if ghost in ("h", "v") and ghost != axis:
                    crossing += CROSS_COST
                if nxt in self.reserved and nxt not in goal:
                    crossing += RESERVE_COST  # keep other symbols' ports reachable
                ng = g + step + (BEND_COST if nd != d else 0.0) + crossing
                push((nxt, nd), ng, state, ng + h(nxt))
        return None

    def _beside(self, a: tuple[int, int], b: tuple[int, int]) -> int:
        """How many routed (or ghost) segments run parallel to the step a-b on a neighbouring
        track closer than CLOSE_GAP mm (a close parallel the quality tool counts)."""
        axis = 0 if a[0] == b[0] else 1  # 0: vertical step (neighbours left/right)
        lines = self.xs if axis == 0 else self.ys
        along = "v" if axis == 0 else "h"
        count = int(self.ghosts.get(a) == along and self.ghosts.get(b) == along)  # on one
        for d in (-1, 1):
            k = a[axis] + d
            if not 0 <= k < len(lines) or abs(lines[k] - lines[a[axis]]) >= CLOSE_GAP:
                continue
            na = (k, a[1]) if axis == 0 else (a[0], k)
            nb = (k, b[1]) if axis == 0 else (b[0], k)
            ghost = self.ghosts.get(na) == along and self.ghosts.get(nb) == along
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

    def _finish(
        self, came: dict, state: tuple, target: Port | None, junction: tuple[int, int] | None
    ) -> list[Point]:
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
