//! `SkeinPlugin::watch()`: a script file changed under a running app is
//! swapped in at the tick boundary (the next call runs the new code), a
//! compile error keeps the old code, and both are answered by messages.

use std::path::Path;

use bevy_app::App;
use bevy_ecs::message::Messages;
use skein_world::Output;
use skein_world::app::{CodeReloaded, ReloadFailed, SkeinPlugin};

const V1: &str = "\
import sim
def greet(i):
    return 'v1 says ' + str(i)
for i in range(8):
    print(greet(i))
    sim.sleep(1)
";

fn update(app: &mut App) -> (String, String) {
    app.update();
    app.world_mut().resource_mut::<Output>().take()
}

#[test]
fn a_watched_file_is_swapped_in_at_the_tick_boundary() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("app_reload");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let file = dir.join("guard.sk");
    std::fs::write(&file, V1).expect("written");
    let mut app = App::new();
    app.add_plugins(SkeinPlugin::new().main_file(&file).capture_output().watch());
    app.finish();
    app.cleanup();
    assert_eq!(update(&mut app).0, "v1 says 0\n");
    assert_eq!(update(&mut app).0, "v1 says 1\n");

    // A change that does not compile: reported, the old code goes on.
    // (A change is acted on once a boundary finds the files unchanged
    // since the one before, so a half-written file is never compiled.)
    std::fs::write(&file, V1.replace("'v1 says ' + str(i)", "'v2 says' +")).expect("written");
    assert_eq!(update(&mut app), ("v1 says 2\n".to_string(), String::new()));
    let (out, err) = update(&mut app);
    assert_eq!(out, "v1 says 3\n");
    assert!(
        err.starts_with("reload: the new code does not compile; the old code keeps running\n"),
        "{err}"
    );
    assert!(err.contains("--> guard.sk:3:"), "{err}");
    assert_eq!(app.world().resource::<Messages<ReloadFailed>>().len(), 1);

    // Fixed: the next call of `greet` runs the new code.
    std::fs::write(&file, V1.replace("'v1 says '", "'v2 says, louder, '")).expect("written");
    assert_eq!(update(&mut app).0, "v1 says 4\n");
    let (out, err) = update(&mut app);
    assert_eq!(out, "v1 says 5\n");
    assert_eq!(
        err,
        "reload: reloaded guard.sk (changed: greet); 0 frames still run old code\n"
    );
    let reloaded = app.world().resource::<Messages<CodeReloaded>>();
    assert_eq!(reloaded.len(), 1);
    assert_eq!(update(&mut app).0, "v2 says, louder, 6\n");
}
