//! One shard's tick loop over any [`Transport`]: run a tick, take out the
//! tasklets that migrated, publish them with the tick record, wait at the
//! barrier, put in what arrived, and decide with the other shards' records
//! whether main's fallback runs or the cluster has ended.

use skein_save::migrant::{put_migrant, take_migrant};
use skein_save::{Encoding, from_bytes, to_bytes};
use skein_world::Simulation;
use skein_world::shard::{ShardLink, locally_idle, main_paused};

use crate::autosave::{Landed, ShardAutosave};
use crate::error::ClusterError;
use crate::fault::Fault;
use crate::transport::{Envelope, Payload, TickRecord, Transport};
use crate::wire;
use skein_world::remote::{self, RemoteMsg};
use skein_world::remote_publish;

mod outage;

/// Where a shard sits and when it stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardOptions {
    /// This shard's number.
    pub shard: u32,
    /// How many shards the cluster has.
    pub shards: u32,
    /// The absolute tick at which every shard stops (`--ticks`).
    pub ticks: Option<u64>,
}

/// What one tick of one shard printed.
#[derive(Debug, Clone, Copy)]
pub struct TickOutput<'a> {
    /// The tick.
    pub tick: u64,
    /// Script output of the tick.
    pub stdout: &'a str,
    /// Error reports of the tick.
    pub stderr: &'a str,
}

/// What a shard did, for its closing line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardSummary {
    /// Ticks run.
    pub ticks: u64,
    /// Tasklets created here (main included).
    pub tasklets: u64,
    /// Tasklet switches.
    pub switches: u64,
    /// Channel messages passed.
    pub messages: u64,
    /// Uncaught script errors reported.
    pub errors: u64,
    /// Tasklets that arrived here.
    pub moves_in: u64,
    /// Tasklets that left here.
    pub moves_out: u64,
    /// Operations on channels of other shards sent from here.
    pub remote_ops_out: u64,
    /// Operations of tasklets of other shards applied to channels here.
    pub remote_ops_in: u64,
    /// The cluster went idle (rather than reaching `--ticks`).
    pub ended: bool,
    /// The `deadlock: …` lines reported at the end.
    pub deadlocked: Vec<String>,
}

/// A shard: its world and its transport. The sequence counters live in
/// the world's [`ShardLink`], so a shard's save holds them.
pub struct ShardRunner<T: Transport> {
    /// The shard's world.
    pub sim: Simulation,
    transport: T,
    opts: ShardOptions,
    autosave: Option<ShardAutosave>,
    fault: Option<Fault>,
    /// The boundary of this shard's newest autosave on disk.
    saved: Option<u64>,
    /// The cluster went idle and ended.
    ended: bool,
}

impl<T: Transport> ShardRunner<T> {
    /// `sim` must be a world made with this shard's number and count, its
    /// main module loaded.
    /// A world loaded from a shard's save goes on with the sequences it
    /// saved.
    pub fn new(mut sim: Simulation, mut transport: T, opts: ShardOptions) -> Self {
        let n = opts.shards.max(1) as usize;
        let mut link = sim.world.resource_mut::<ShardLink>();
        link.sent_seq.resize(n, 0);
        link.taken_seq.resize(n, 0);
        transport.resume_high_water(&link.taken_seq);
        ShardRunner {
            sim,
            transport,
            opts,
            autosave: None,
            fault: None,
            saved: None,
            ended: false,
        }
    }

    /// Autosaves at due tick boundaries and at the last one.
    pub fn with_autosave(&mut self, autosave: ShardAutosave) {
        self.autosave = Some(autosave);
    }

    /// The autosave, for its figures.
    pub fn autosave(&self) -> Option<&ShardAutosave> {
        self.autosave.as_ref()
    }

    /// Aborts the process at the fault's point (a testing aid).
    pub fn with_fault(&mut self, fault: Option<Fault>) {
        self.fault = fault;
    }

    fn fault_at(&self, point: &str, tick: u64) {
        if let Some(f) = &self.fault {
            f.at(point, tick);
        }
    }

    /// At a tick boundary: lets go of what an autosave that reached disk
    /// since covers, and starts one if due. The last one (`--ticks`, or the
    /// cluster's end, then marked `ended`) is waited for.
    fn boundary(&mut self, last: bool, ended: bool) -> Result<(), ClusterError> {
        let Some(autosave) = self.autosave.as_mut() else {
            return Ok(());
        };
        let mut landed: Vec<Landed> = autosave.landed(false)?.into_iter().collect();
        let tick = self.sim.tick_count();
        if last || autosave.due(tick) {
            // What the inbox may let go of once this one is on disk, asked
            // now: by the time it lands the shard has read on.
            let inbox_from = self.transport.inbox_mark()?;
            {
                let mut link = self.sim.world.resource_mut::<ShardLink>();
                link.inbox_from = inbox_from;
                link.ended = ended;
            }
            landed.extend(autosave.start(&self.sim, inbox_from, last)?);
            if last {
                landed.extend(autosave.landed(true)?);
            }
        }
        for l in landed {
            self.saved = Some(l.boundary);
            self.transport.saved(l.boundary, l.inbox_from);
        }
        Ok(())
    }

    /// The world and the transport back, e.g. to save the world between
    /// runs.
    pub fn into_parts(self) -> (Simulation, T) {
        (self.sim, self.transport)
    }

    /// Counts one more message to shard `to`, returning its sequence.
    fn next_seq(&mut self, to: usize) -> u64 {
        let mut link = self.sim.world.resource_mut::<ShardLink>();
        link.sent_seq[to] += 1;
        link.sent_seq[to]
    }

    /// Ticks until the cluster ends or `ticks` is reached, handing each
    /// tick's output to `on_tick` (and the deadlock lines at the end, as one
    /// more output of the last tick).
    pub fn run(
        &mut self,
        on_tick: &mut dyn FnMut(TickOutput) -> std::io::Result<()>,
    ) -> Result<ShardSummary, ClusterError> {
        let result = self.run_ticks(on_tick);
        if let Err(e) = &result {
            self.transport.abandon(&e.to_string());
        }
        result
    }

    /// The transport, e.g. to mark the run ended once the cluster has.
    pub fn transport(&mut self) -> &mut T {
        &mut self.transport
    }

    fn run_ticks(
        &mut self,
        on_tick: &mut dyn FnMut(TickOutput) -> std::io::Result<()>,
    ) -> Result<ShardSummary, ClusterError> {
        let mut summary = ShardSummary::default();
        // Saved at a barrier or while publishing: that tick ran before the
        // save; what it sent goes out again (if not all of it was
        // acknowledged), then its barrier comes first.
        let (awaiting, publishing) = {
            let mut link = self.sim.world.resource_mut::<ShardLink>();
            (link.awaiting.take(), link.publishing.take())
        };
        if let Some(p) = publishing {
            let (messages, record) =
                crate::publishing::unpack(&p, self.opts.shard).map_err(|e| {
                    ClusterError::Resume(format!("saved publishing tick {}: {e}", p.tick))
                })?;
            self.publish(p.tick, messages, record)?;
            self.settle(p.tick)?;
        } else if let Some(tick) = awaiting {
            self.settle(tick)?;
        }
        while !self.ended {
            let tick = self.sim.tick_count();
            let last = self.opts.ticks.is_some_and(|n| tick >= n);
            self.boundary(last, false)?;
            if last {
                break;
            }
            self.sim.tick();
            self.fault_at("tick", tick);
            let (o, e) = self.sim.take_output();
            on_tick(TickOutput {
                tick,
                stdout: &o,
                stderr: &e,
            })?;
            let (messages, record) = self.leave(tick)?;
            self.fault_at("migration", tick);
            self.publish(tick, messages, record)?;
            if self.settle(tick)? {
                break;
            }
        }
        summary.ended = self.ended;
        if summary.ended {
            summary.deadlocked = self.sim.deadlocked();
            let mut text = String::new();
            for line in &summary.deadlocked {
                text.push_str(line);
                text.push('\n');
            }
            if !text.is_empty() {
                on_tick(TickOutput {
                    tick: self.sim.tick_count(),
                    stdout: "",
                    stderr: &text,
                })?;
            }
            // Last, so that a shard killed before it is on disk is started
            // again and ends as it would have, its output all printed.
            self.boundary(true, true)?;
        }
        let c = self.sim.counters();
        let link = self.sim.world.resource::<ShardLink>();
        summary.ticks = c.ticks;
        summary.tasklets = c.tasklets;
        summary.switches = c.switches;
        summary.messages = c.messages;
        summary.moves_in = link.moves_in;
        summary.moves_out = link.moves_out;
        summary.remote_ops_out = link.remote.ops_out;
        summary.remote_ops_in = link.remote.ops_in;
        summary.errors = self.sim.world.resource::<skein_world::Output>().errors;
        Ok(summary)
    }

    /// The barrier of `tick` (which ran, its messages acknowledged): takes
    /// in the other shards' records and what they sent, and applies the
    /// ending rule. Says whether the cluster has ended. If the barrier
    /// fails (the server lost for longer than the timeout), the world is
    /// saved as it stands, waiting at this barrier, before the error goes
    /// up.
    fn settle(&mut self, tick: u64) -> Result<bool, ClusterError> {
        let (records, arrived) = match self.transport.collect(tick) {
            Ok(got) => got,
            Err(e) => {
                self.save_awaiting(tick);
                return Err(e.into());
            }
        };
        if let Some(high) = self.transport.high_water() {
            let taken = high.0.clone();
            self.sim.world.resource_mut::<ShardLink>().taken_seq = taken;
        }
        for r in records.iter().filter(|r| r.shard != self.opts.shard) {
            remote_publish::take_published(&mut self.sim.world, &r.published);
        }
        self.arrive(arrived)?;
        if records.iter().all(|r| r.idle) {
            if !records.iter().any(|r| r.main_paused) {
                self.ended = true;
                return Ok(true);
            }
            if self.opts.shards > 1 && main_paused(&self.sim.world) {
                self.sim.world.resource_mut::<ShardLink>().release_main = true;
            }
        }
        Ok(false)
    }

    /// Takes the tasklets that migrated this tick out of the world, as
    /// messages in call order, and writes the tick record.
    fn leave(&mut self, tick: u64) -> Result<(Vec<Envelope>, TickRecord), ClusterError> {
        let n = self.opts.shards.max(1) as usize;
        let leaving = self.sim.world.resource_mut::<ShardLink>().take_leaving();
        let outbox = std::mem::take(&mut self.sim.world.resource_mut::<ShardLink>().remote.outbox);
        let mut outbox = outbox.into_iter().peekable();
        let mut messages = Vec::with_capacity(leaving.len() + outbox.len());
        let mut sent = vec![0u64; n];
        let moves = leaving.clone();
        for (i, (id, dest)) in leaving.into_iter().enumerate() {
            // Remote operations posted before this migrant left go first.
            while let Some((to, msg, _)) = outbox.next_if(|(_, _, after)| *after <= i) {
                messages.push(self.remote_envelope(tick, to, msg, &mut sent)?);
            }
            let to = dest as usize;
            if to >= n {
                return Err(ClusterError::Migrant {
                    id,
                    message: format!("no shard {dest}"),
                });
            }
            let bad = |e: &dyn std::fmt::Display| ClusterError::Migrant {
                id,
                message: e.to_string(),
            };
            let rec = take_migrant(&mut self.sim.world, id).map_err(|e| bad(&e))?;
            let bytes = to_bytes(&rec, Encoding::Binary).map_err(|e| bad(&e))?;
            let seq = self.next_seq(to);
            sent[to] += 1;
            messages.push(Envelope {
                from: self.opts.shard,
                to: dest as u32,
                tick,
                seq,
                payload: Payload::Migrant(bytes),
            });
        }
        for (to, msg, _) in outbox {
            messages.push(self.remote_envelope(tick, to, msg, &mut sent)?);
        }
        let record = TickRecord {
            shard: self.opts.shard,
            tick,
            sent,
            idle: messages.is_empty() && locally_idle(&self.sim.world),
            main_paused: main_paused(&self.sim.world),
            published: remote_publish::publish(&mut self.sim.world, moves),
            saved: self.saved,
        };
        Ok((messages, record))
    }

    /// A remote channel message for shard `to`, numbered in its sequence.
    fn remote_envelope(
        &mut self,
        tick: u64,
        to: u64,
        msg: RemoteMsg,
        sent: &mut [u64],
    ) -> Result<Envelope, ClusterError> {
        let i = to as usize;
        if i >= sent.len() {
            return Err(ClusterError::Remote(format!("no shard {to}")));
        }
        let bytes = wire::encode(&mut self.sim.world, msg).map_err(ClusterError::Remote)?;
        let seq = self.next_seq(i);
        sent[i] += 1;
        Ok(Envelope {
            from: self.opts.shard,
            to: to as u32,
            tick,
            seq,
            payload: Payload::Remote(bytes),
        })
    }

    /// Puts in what other shards sent, in the order given (by sending
    /// shard, then sequence): they join the ring at the start of the next
    /// tick in that order.
    fn arrive(&mut self, arrived: Vec<Envelope>) -> Result<(), ClusterError> {
        for m in arrived {
            match m.payload {
                Payload::Migrant(bytes) => {
                    let bad = |e: &dyn std::fmt::Display| ClusterError::Migrant {
                        id: 0,
                        message: format!("from shard {}: {e}", m.from),
                    };
                    let rec = from_bytes(&bytes).map_err(|e| bad(&e))?;
                    put_migrant(&mut self.sim.world, &rec).map_err(|e| bad(&e))?;
                }
                Payload::Remote(bytes) => {
                    let msg = wire::decode(&self.sim.world, &bytes)
                        .map_err(|e| ClusterError::Remote(format!("from shard {}: {e}", m.from)))?;
                    skein_world::with_host(&mut self.sim.world, |h| remote::apply(h, msg));
                }
            }
        }
        Ok(())
    }
}
