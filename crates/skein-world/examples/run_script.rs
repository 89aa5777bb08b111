//! Runs one script headless through `run_file`, the smallest embedding of a
//! whole run: `cargo run -p skein-world --example run_script -- FILE [BUDGET]`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: run_script FILE [BUDGET]");
        std::process::exit(2);
    };
    let budget = std::env::args().nth(2).and_then(|b| b.parse().ok());
    let opts = skein_world::RunOptions {
        budget,
        ..Default::default()
    };
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    match skein_world::run_file(std::path::Path::new(&path), &opts, &mut out, &mut err) {
        Ok(s) => eprintln!(
            "ticks {} tasklets {} switches {} messages {}",
            s.ticks, s.tasklets, s.switches, s.messages
        ),
        Err(e) => {
            eprintln!("{e}");
            // The codes `skein` uses: bad input 2, output not written 3.
            let code = match e {
                skein_world::run::RunError::Io(_) => 3,
                _ => 2,
            };
            std::process::exit(code);
        }
    }
}
