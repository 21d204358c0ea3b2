/** An interval to place on a lane. */
type LaneItem = {
  id: string;
  /** Id of the parent item, preferred lane-mate. */
  parentId?: string;
  start: number;
  end: number;
};

/**
 * Orders items for lane placement: by start, longer first on ties (so an
 * enclosing span precedes what it encloses), then by id.
 */
function laneOrder(a: LaneItem, b: LaneItem): number {
  return (
    a.start - b.start ||
    b.end - a.end ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * Assigns each interval a lane (0, 1, ...) so that on every lane intervals
 * are either disjoint or properly nested: what a flame chart lane (a Chrome
 * trace `tid`, a speedscope evented profile) can draw. Concurrent siblings
 * (overlapping, neither inside the other) land on different lanes. A span
 * goes to its parent's lane when it fits there, so call trees stay together.
 * Throws a `TypeError` when the items cannot be read (not iterable, a
 * getter or Proxy that throws) or one has no string `id` or a `start` or
 * `end` that is not a number.
 */
function assignLanes(items: Iterable<LaneItem>): Map<string, number> {
  try {
    return lanesOf(items);
  } catch (e) {
    throw new TypeError('assignLanes: the items cannot be read', {
      cause: e,
    });
  }
}

function lanesOf(items: Iterable<LaneItem>): Map<string, number> {
  const sorted: Array<LaneItem> = [];
  for (const item of items) {
    // NaN or missing times would put every item on a lane of its own, in
    // time quadratic in their number
    if (
      typeof item.id !== 'string' ||
      !(typeof item.start === 'number' && item.start === item.start) ||
      !(typeof item.end === 'number' && item.end === item.end)
    ) {
      throw new TypeError('not a lane item');
    }
    sorted.push(item);
  }
  sorted.sort(laneOrder);
  const lanes: Array<Array<number>> = [];
  const laneOf = new Map<string, number>();
  const fits = (lane: Array<number>, item: LaneItem): boolean => {
    // Drop what ended by this start: later items start no earlier.
    while (lane.length > 0 && lane[lane.length - 1] <= item.start) lane.pop();
    return lane.length === 0 || lane[lane.length - 1] >= item.end;
  };
  for (const item of sorted) {
    let chosen = -1;
    const parentLane =
      item.parentId != null ? laneOf.get(item.parentId) : undefined;
    if (parentLane != null && fits(lanes[parentLane], item)) {
      chosen = parentLane;
    } else {
      for (let i = 0; i < lanes.length; i++) {
        if (fits(lanes[i], item)) {
          chosen = i;
          break;
        }
      }
    }
    if (chosen === -1) {
      chosen = lanes.length;
      lanes.push([]);
    }
    lanes[chosen].push(item.end);
    laneOf.set(item.id, chosen);
  }
  return laneOf;
}

export { assignLanes, laneOrder };
export type { LaneItem };
