# Nested-data walk: a generated world state (dicts of lists of dicts, as a
# game server keeps NPCs) is walked generically, queried, updated in place
# and dumped to JSON text by hand; prints counts, sums and the text's size.
import sys

ITEMS = ["sword", "bread", "rope", "lamp", "coin", "herb"]
seed = 777


def next_random():
    global seed
    seed = seed * 48271 % 2147483647
    return seed


def make_npc(i):
    inventory = []
    for k in range(next_random() % 5):
        inventory.append({"item": ITEMS[next_random() % 6], "qty": 1 + next_random() % 9})
    return {
        "id": i,
        "name": "npc%d" % i,
        "alive": next_random() % 10 != 0,
        "pos": [next_random() % 500, next_random() % 500],
        "speed": 1.0 + (next_random() % 40) / 8.0,
        "stats": {"hp": next_random() % 100, "mp": next_random() % 50, "level": 1 + i % 30},
        "inventory": inventory,
        "target": None,
    }


def walk(v):
    """[nodes, sum of ints, total length of strings] under v."""
    if isinstance(v, dict):
        out = [1, 0, 0]
        for k, x in v.items():
            sub = walk(x)
            out[0] += sub[0]
            out[1] += sub[1]
            out[2] += sub[2] + len(k)
        return out
    if isinstance(v, list):
        out = [1, 0, 0]
        for x in v:
            sub = walk(x)
            out[0] += sub[0]
            out[1] += sub[1]
            out[2] += sub[2]
        return out
    if isinstance(v, bool) or v is None:
        return [1, 0, 0]
    if isinstance(v, int):
        return [1, v, 0]
    if isinstance(v, str):
        return [1, 0, len(v)]
    return [1, 0, 0]


def dump(v):
    if isinstance(v, dict):
        return "{" + ", ".join(['"' + k + '": ' + dump(x) for k, x in v.items()]) + "}"
    if isinstance(v, list):
        return "[" + ", ".join([dump(x) for x in v]) + "]"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "%.3f" % v
    return '"' + v + '"'


def main(n):
    world = {"tick": 0, "npcs": [make_npc(i) for i in range(n)]}
    for rounds in range(3):
        totals = walk(world)
        stock = {}
        weak = 0
        for npc in world["npcs"]:
            for slot in npc["inventory"]:
                stock[slot["item"]] = stock.get(slot["item"], 0) + slot["qty"]
            if npc["alive"] and npc["stats"]["hp"] < 20:
                weak += 1
        for i in range(len(world["npcs"])):
            world["npcs"][i]["stats"]["hp"] += 1
            world["npcs"][i]["pos"][0] += world["npcs"][i]["stats"]["level"] % 3
        world["tick"] += 1
        text = dump(world)
        print("round %d: %d nodes, int sum %d, key+str chars %d, %d weak, json %d chars"
              % (rounds, totals[0], totals[1], totals[2], weak, len(text)))
        print("  stock: " + ", ".join(["%s=%d" % (k, stock[k]) for k in sorted(stock.keys())]))
    print(text[:120])


main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
