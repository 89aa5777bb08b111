//! Tasklets moving between two worlds that are shards 0 and 1 of a
//! cluster, driven here by hand (no transport): ids striped by shard, the
//! generator on the shard's stream, and `sim.migrate(k)` taking a tasklet —
//! frames, locals, name, data and a registered host component — out of one
//! world as a record and into the other, where it runs at the next tick.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use skein_save::migrant::{put_migrant, take_migrant};
use skein_save::registry::SaveRegistry;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_world::shard::ShardLink;
use skein_world::{Simulation, WorldOptions};

const SCRIPT: &str = "
import stackless
import sim
import random
ch = stackless.channel()
print('shard', sim.shard(), 'of', sim.shards(), stackless.getcurrent(), ch, random.randint(0, 1000000))
def traveller(n):
    total = 0
    mine = ch
    for i in range(n):
        total += i
        sim.migrate((sim.shard() + 1) % sim.shards())
        print(stackless.getcurrent().name, 'on', sim.shard(), 'tick', sim.tick(), 'total', total, 'mine', mine, 'global', ch)
    print('done', stackless.getcurrent(), stackless.getcurrent().data)
if sim.shard() == 0:
    t = stackless.tasklet(traveller)(4)
    t.name = 'trav'
    t.data['from'] = sim.shard()
";

#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Hp(u32);

fn shard(k: u64, n: u64) -> Simulation {
    let mut sim = Simulation::new(WorldOptions {
        shard: k,
        shards: n,
        ..WorldOptions::default()
    });
    let mut reg = SaveRegistry::default();
    reg.register_component::<Hp>("test.Hp");
    sim.world.insert_resource(reg);
    sim.load_main_source("main", SCRIPT).expect("compiles");
    sim
}

/// Ticks every shard once, then moves what left each one, through bytes,
/// to its destination, in shard order.
fn tick_all(shards: &mut [Simulation], outs: &mut [String]) {
    let mut moving = Vec::new();
    for (k, sim) in shards.iter_mut().enumerate() {
        sim.tick();
        let (o, e) = sim.take_output();
        outs[k].push_str(&o);
        outs[k].push_str(&e);
        // The game gives the traveller (#5) hit points when it first sees it.
        if let Some(e) = sim.entity(5)
            && sim.world.get::<Hp>(e).is_none()
        {
            sim.world.entity_mut(e).insert(Hp(7));
        }
        let leaving = sim.world.resource_mut::<ShardLink>().take_leaving();
        for (id, dest) in leaving {
            let rec = take_migrant(&mut sim.world, id).expect("a migrant record");
            let bytes = to_bytes(&rec, Encoding::Binary).expect("encodes");
            moving.push((dest, bytes));
        }
    }
    for (dest, bytes) in moving {
        let rec = from_bytes(&bytes).expect("decodes");
        put_migrant(&mut shards[dest as usize].world, &rec).expect("arrives");
    }
}

#[test]
fn a_traveller_goes_round_two_shards() {
    let mut shards = vec![shard(0, 2), shard(1, 2)];
    // The traveller is #5: shard 0 hands out 1 (main), 3 (ch), 5.
    let mut outs = vec![String::new(), String::new()];
    for _ in 0..8 {
        tick_all(&mut shards, &mut outs);
    }
    let plain = {
        let mut p = Simulation::new(WorldOptions::default());
        p.load_main_source("main", SCRIPT).expect("compiles");
        p.tick();
        p.take_output().0
    };
    let drawn = plain.split_whitespace().last().unwrap_or_default();
    // Shard 0 draws what a plain world draws; shard 1 its own stream.
    let first = format!("shard 0 of 2 <tasklet #1> <channel #3> {drawn}");
    assert_eq!(
        outs[0],
        format!(
            "{first}\n\
             trav on 0 tick 2 total 1 mine <channel #3> global <channel #3>\n\
             trav on 0 tick 4 total 6 mine <channel #3> global <channel #3>\n\
             done <tasklet trav> {{'from': 0}}\n"
        )
    );
    let second = outs[1].lines().next().unwrap_or_default().to_string();
    assert!(second.starts_with("shard 1 of 2 <tasklet #2> <channel #4> "));
    assert_ne!(
        second.rsplit(' ').next(),
        Some(drawn),
        "shard 1 draws on its own stream"
    );
    // Its local keeps shard 0's channel by id; globals are the shard's own.
    assert_eq!(
        outs[1],
        format!(
            "{second}\n\
             trav on 1 tick 1 total 0 mine <channel #3> global <channel #4>\n\
             trav on 1 tick 3 total 3 mine <channel #3> global <channel #4>\n"
        )
    );
    // It ended on shard 0 with its component; shard 1 no longer knows it.
    assert!(shards[1].entity(5).is_none());
    let links: Vec<(u64, u64)> = shards
        .iter()
        .map(|s| {
            let l = s.world.resource::<ShardLink>();
            (l.moves_in, l.moves_out)
        })
        .collect();
    assert_eq!(links, vec![(2, 2), (2, 2)]);
    let e = shards[0].entity(5).expect("the traveller is home");
    assert_eq!(shards[0].world.get::<Hp>(e), Some(&Hp(7)));
    assert_eq!(
        shards[1]
            .world
            .query::<&Hp>()
            .iter(&shards[1].world)
            .count(),
        0,
        "its component left shard 1 with it"
    );
    assert!(shards.iter().all(|s| s.is_idle()));
}

#[test]
fn a_migrant_cannot_land_twice_or_on_a_taken_id() {
    let mut shards = [shard(0, 2), shard(1, 2)];
    shards[0].tick();
    let (id, dest) = shards[0].world.resource_mut::<ShardLink>().take_leaving()[0];
    assert_eq!((id, dest), (5, 1));
    let rec = take_migrant(&mut shards[0].world, id).expect("record");
    assert!(
        take_migrant(&mut shards[0].world, id).is_err(),
        "already gone"
    );
    put_migrant(&mut shards[1].world, &rec).expect("arrives");
    let err = put_migrant(&mut shards[1].world, &rec).expect_err("id taken");
    assert!(err.to_string().contains("5"), "{err}");
    // A channel is not a tasklet.
    assert!(take_migrant(&mut shards[0].world, 3).is_err());
}
