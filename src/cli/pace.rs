//! `--tick-rate HZ`: ticks paced to the wall clock, as a game server runs.
//! Each tick has a slot of `1/HZ` seconds; after a tick the run waits for
//! the end of its slot. A tick that overruns its slot is reported under
//! `-v` and the next one starts at once: slots are counted from then, so a
//! slow tick never causes a burst of catch-up ticks.

use std::time::{Duration, Instant};

/// How long a wait sleeps before it looks at Ctrl-C again, so a slow rate
/// (a tick a minute) still stops promptly.
const WAKE_EVERY: Duration = Duration::from_millis(50);

/// The slot clock of a paced run.
pub struct Pacer {
    period: Duration,
    /// When the slot of the tick that just ran ends.
    deadline: Instant,
}

impl Pacer {
    /// `None` without `--tick-rate`: ticks run as fast as they go.
    pub fn new(rate: Option<f64>) -> Option<Pacer> {
        let period = Duration::try_from_secs_f64(1.0 / rate?).ok()?;
        Some(Pacer {
            period,
            deadline: Instant::now() + period,
        })
    }

    /// Called after tick `tick` (its number in the world) has run: waits
    /// for the end of its slot unless `stop()` becomes true first.
    pub fn wait(&mut self, tick: u64, stop: impl Fn() -> bool) {
        let now = Instant::now();
        if now >= self.deadline {
            let over = now - self.deadline;
            if over > Duration::ZERO {
                tracing::debug!(
                    tick,
                    slot_ms = self.period.as_secs_f64() * 1e3,
                    over_ms = over.as_secs_f64() * 1e3,
                    "tick overran its slot; the next starts at once"
                );
            }
            self.deadline = now + self.period;
            return;
        }
        while !stop() {
            let now = Instant::now();
            if now >= self.deadline {
                break;
            }
            std::thread::sleep((self.deadline - now).min(WAKE_EVERY));
        }
        self.deadline += self.period;
    }
}

/// Parses `--tick-rate`: a positive, finite number of ticks a second.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(hz) if hz.is_finite() && hz > 0.0 && Duration::try_from_secs_f64(1.0 / hz).is_ok() => {
            Ok(hz)
        }
        Ok(_) => Err(format!("`{s}` is not a positive number of ticks a second")),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_positive_and_finite() {
        assert_eq!(parse_rate("20"), Ok(20.0));
        assert_eq!(parse_rate("0.5"), Ok(0.5));
        for bad in ["0", "-3", "inf", "NaN", "fast", ""] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_rate_means_no_pacing() {
        assert!(Pacer::new(None).is_none());
    }

    #[test]
    fn a_paced_tick_lasts_its_slot() {
        let mut pacer = Pacer::new(Some(100.0)).expect("a pacer");
        let start = Instant::now();
        for tick in 0..3 {
            pacer.wait(tick, || false);
        }
        // A lower bound only: a loaded machine may take longer.
        assert!(start.elapsed() >= Duration::from_millis(29));
    }

    #[test]
    fn an_overrun_starts_the_next_tick_at_once() {
        let mut pacer = Pacer::new(Some(1000.0)).expect("a pacer");
        std::thread::sleep(Duration::from_millis(20));
        let before = pacer.deadline;
        pacer.wait(0, || false);
        // The slot was restarted from now, not from the missed deadline.
        assert!(pacer.deadline >= before + Duration::from_millis(15));
    }
}
