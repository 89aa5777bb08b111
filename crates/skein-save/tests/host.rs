//! A host game's side of saves: blocking natives waiting or completed at
//! the save, registered components and resources, and a failed load that
//! leaves the running world as it was.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use skein_save::registry::{IdMap, SaveRegistry};
use skein_save::selection::{check_selection, load_selection, save_selection};
use skein_save::world_load::{CodePolicy, load_world};
use skein_save::world_save::save_world;
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_vm::Value;
use skein_world::{NativeKind, NativeQueue, Scheduler, Simulation, SkeinSystems, WorldOptions};

const SCRIPT: &str = "
import stackless
import npc
def walker(tag, n):
    for i in range(n):
        r = npc.walk(i, tag)
        print(tag, 'walked', r)
stackless.tasklet(walker)('a', 3)
stackless.tasklet(walker)('b', 2)
";

#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Hp(u32);

/// Holds a tasklet id, remapped on load.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Buddy(u64);

#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Weather(String);

/// Serves `npc.walk` on even ticks only, so saves find requests both taken
/// and completed (odd ticks) and waiting untaken (even ones).
fn serve(mut queue: ResMut<NativeQueue>, sched: Res<Scheduler>) {
    if sched.tick % 2 == 1 {
        return;
    }
    for call in queue.take_requests("npc", "walk") {
        let v = match &call.args[..] {
            [Value::Int(i), Value::Str(tag)] => Value::str(format!("{tag}{i}")),
            _ => Value::None,
        };
        queue.complete(call.tasklet, Ok(v));
    }
}

fn sim() -> Simulation {
    let mut sim = Simulation::new(WorldOptions::default());
    sim.register_native("npc", "walk", NativeKind::Blocking);
    skein_save::pickle::install(&mut sim.world);
    sim.schedule.add_systems(serve.after(SkeinSystems::Run));
    let mut reg = SaveRegistry::default();
    reg.register_component::<Hp>("test.Hp");
    fn remap(b: &mut Buddy, ids: &IdMap) {
        b.0 = ids.get(b.0).unwrap_or(0);
    }
    reg.register_component_with::<Buddy>("test.Buddy", remap, remap);
    reg.register_resource::<Weather>("test.Weather");
    sim.world.insert_resource(reg);
    sim
}

fn run_to_idle(sim: &mut Simulation, out: &mut String) {
    for _ in 0..100 {
        if sim.is_idle() {
            break;
        }
        sim.tick();
        out.push_str(&sim.take_output().0);
    }
}

#[test]
fn native_waits_resume_exactly_at_every_tick() {
    let mut want = String::new();
    let mut s = sim();
    s.load_main_source("walkers", SCRIPT).expect("compiles");
    run_to_idle(&mut s, &mut want);
    assert_eq!(want.lines().count(), 5, "{want}");
    for k in 1..8 {
        let mut got = String::new();
        let mut s = sim();
        s.load_main_source("walkers", SCRIPT).expect("compiles");
        for _ in 0..k {
            s.tick();
            got.push_str(&s.take_output().0);
        }
        let bytes =
            to_bytes(&save_world(&s.world).expect("saves"), Encoding::Compact).expect("encodes");
        let mut s2 = sim();
        load_world(
            &mut s2.world,
            &from_bytes(&bytes).expect("reads"),
            CodePolicy::Saved,
        )
        .expect("loads");
        run_to_idle(&mut s2, &mut got);
        assert_eq!(got, want, "saved after {k} ticks");
    }
}

#[test]
fn registered_components_and_resources_are_saved_and_others_are_not() {
    #[derive(Component)]
    struct NotSaved;
    let mut s = sim();
    s.load_main_source("walkers", SCRIPT).expect("compiles");
    s.tick();
    let (e2, e3) = (s.entity(2).expect("#2"), s.entity(3).expect("#3"));
    s.world.entity_mut(e2).insert((Hp(7), Buddy(3), NotSaved));
    s.world.insert_resource(Weather("rain".into()));
    let save = save_world(&s.world).expect("saves");
    let text =
        String::from_utf8(to_bytes(&save, Encoding::Pretty).expect("encodes")).expect("utf8");
    assert!(text.contains("\"test.Hp\": (7)"), "{text}");
    assert!(text.contains("\"test.Weather\": (\"rain\")"), "{text}");
    let mut s2 = sim();
    load_world(&mut s2.world, &save, CodePolicy::Saved).expect("loads");
    let e = s2.entity(2).expect("#2");
    assert_eq!(s2.world.get::<Hp>(e), Some(&Hp(7)));
    assert_eq!(s2.world.get::<Buddy>(e), Some(&Buddy(3)));
    assert!(s2.world.get::<NotSaved>(e).is_none());
    assert_eq!(s2.world.resource::<Weather>(), &Weather("rain".into()));

    // A selection gives fresh ids; the hook remaps the one Buddy holds.
    let _ = e3;
    let (part, _) =
        save_selection(&s.world, &[Value::Tasklet(2), Value::Tasklet(3)], 0).expect("selects");
    let roots = load_selection(&mut s2.world, &part, false).expect("loads");
    let Value::Tasklet(new2) = roots[0] else {
        panic!("a tasklet");
    };
    let e = s2.entity(new2).expect("new entity");
    assert_eq!(s2.world.get::<Hp>(e), Some(&Hp(7)));
    assert_eq!(s2.world.get::<Buddy>(e), Some(&Buddy(new2 + 1)));
}

#[test]
fn a_failed_selection_load_leaves_the_world_as_it_was() {
    let mut s = sim();
    s.load_main_source("walkers", SCRIPT).expect("compiles");
    s.tick();
    let (mut part, _) = save_selection(&s.world, &[Value::Tasklet(2)], 0).expect("selects");
    let before = to_bytes(&save_world(&s.world).expect("saves"), Encoding::Compact).expect("bytes");
    check_selection(&mut s.world, &part).expect("a good part checks");
    // A program counter outside its function.
    part.body.tasklets[0].fiber.frames[0].pc = 9999;
    let e = check_selection(&mut s.world, &part).expect_err("refused");
    assert_eq!(e.path, "tasklets[0].fiber.frames[0].pc", "{e}");
    let e = load_selection(&mut s.world, &part, true).expect_err("refused");
    assert_eq!(e.path, "tasklets[0].fiber.frames[0].pc", "{e}");
    let after = to_bytes(&save_world(&s.world).expect("saves"), Encoding::Compact).expect("bytes");
    assert_eq!(before, after);
}
