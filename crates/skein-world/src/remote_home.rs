//! A channel's home applying operations of tasklets on other shards
//! (docs/cluster.md, "Channels across shards"): matched by the channel's
//! Stackless rules as arrivals, the remote caller queued beside local
//! waiters in arrival order, local partners woken to the ring's tail, and
//! cancels of remote waiters decided here.

use skein_vm::{Value, errors};

use crate::components::Wait;
use crate::remote_state::{Answer, ChanOp, RemoteMsg, RemoteWaiter};
use crate::shard::ShardLink;
use crate::world_host::WorldHost;

fn send_answer(host: &mut WorldHost, shard: u64, tasklet: u64, answer: Answer) {
    if let Some(mut link) = host.world.get_resource_mut::<ShardLink>() {
        let after = link.leaving.len();
        link.remote
            .outbox
            .push((shard, RemoteMsg::Answer { tasklet, answer }, after));
    }
}

fn wake(host: &mut WorldHost, id: u64) {
    if let Some(mut link) = host.world.get_resource_mut::<ShardLink>() {
        link.arriving.push(id);
    }
}

/// Operation `op` of `tasklet` (on shard `from`) on local channel `ch`.
pub(crate) fn apply_op(
    host: &mut WorldHost,
    ch: u64,
    tasklet: u64,
    from: u64,
    op: ChanOp,
    block_trap: bool,
) {
    if let Some(mut link) = host.world.get_resource_mut::<ShardLink>() {
        link.remote.ops_in += 1;
        // Whoever sent it holds the channel: its state is published now.
        link.remote.exported.insert(ch);
    }
    let sending = !matches!(op, ChanOp::Receive { .. });
    let Some(mut c) = host.channel_mut(ch) else {
        let err = errors::runtime_error(format!("no channel #{ch} on its home shard"));
        send_answer(host, from, tasklet, Answer::Error(err));
        return;
    };
    // A partner waits the other way: the meeting happens now.
    let partner = if c.senders != sending {
        c.waiters.pop_front()
    } else {
        None
    };
    let closing = c.closing;
    if let Some(w) = partner {
        host.sched.counts.messages += 1;
        let remote = host
            .world
            .get_resource_mut::<ShardLink>()
            .and_then(|mut l| l.remote.waiters.remove(&w));
        let got = match remote {
            Some(rw) => meet_remote(host, w, rw, &op),
            None => meet_local(host, w, &op),
        };
        send_answer(host, from, tasklet, got);
        return;
    }
    let refuse = match &op {
        ChanOp::Receive { iterating: true } if closing => Some(Answer::IterEnd),
        _ if block_trap => Some(Answer::Error(errors::runtime_error(
            "this tasklet does not like to be blocked.",
        ))),
        _ if closing => Some(Answer::Error(errors::value_error(
            "Send/receive operation on a closed channel",
        ))),
        // A channel's waiters hold `u32` ids (no run ring reaches past).
        _ if u32::try_from(tasklet).is_err() => {
            Some(Answer::Error(errors::runtime_error(format!(
                "tasklet #{tasklet}: a channel's waiters hold ids up to {}",
                u32::MAX
            ))))
        }
        _ => None,
    };
    if let Some(a) = refuse {
        send_answer(host, from, tasklet, a);
        return;
    }
    if let Some(mut c) = host.channel_mut(ch) {
        // Checked above: the id fits.
        let pushed = c.waiters.push_back(tasklet);
        debug_assert!(pushed);
        c.senders = sending;
    }
    if let Some(mut link) = host.world.get_resource_mut::<ShardLink>() {
        link.remote.waiters.insert(
            tasklet,
            RemoteWaiter {
                shard: from,
                channel: ch,
                op,
            },
        );
    }
}

/// The remote caller meets local waiter `w`: `w` takes or gives the value
/// and joins the ring's tail; the caller's answer is returned.
fn meet_local(host: &mut WorldHost, w: u64, op: &ChanOp) -> Answer {
    let Some(mut t) = host.tasklet_mut(w) else {
        return Answer::Error(errors::runtime_error("channel waiter vanished"));
    };
    t.wait = Wait::None;
    let answer = match op {
        ChanOp::Send(v) => {
            t.tempval = v.clone();
            Answer::Value(Value::None)
        }
        ChanOp::SendError(e) => {
            t.set_pending(Some(e.clone()));
            t.pending_is_payload = false;
            Answer::Value(Value::None)
        }
        ChanOp::Receive { .. } => {
            if t.pending_is_payload {
                t.pending_is_payload = false;
                Answer::Error(t.take_pending().unwrap_or(Value::None))
            } else {
                Answer::Value(std::mem::replace(&mut t.tempval, Value::None))
            }
        }
    };
    wake(host, w);
    answer
}

/// Two tasklets of other shards meet here: each gets its answer.
fn meet_remote(host: &mut WorldHost, w: u64, rw: RemoteWaiter, op: &ChanOp) -> Answer {
    match op {
        ChanOp::Receive { .. } => {
            send_answer(host, rw.shard, w, Answer::Value(Value::None));
            match rw.op {
                ChanOp::Send(v) => Answer::Value(v),
                ChanOp::SendError(e) => Answer::Error(e),
                ChanOp::Receive { .. } => {
                    Answer::Error(errors::runtime_error("a receiver queued among senders"))
                }
            }
        }
        ChanOp::Send(v) => {
            send_answer(host, rw.shard, w, Answer::Value(v.clone()));
            Answer::Value(Value::None)
        }
        ChanOp::SendError(e) => {
            send_answer(host, rw.shard, w, Answer::Error(e.clone()));
            Answer::Value(Value::None)
        }
    }
}

/// A kill or throw into remote waiter `tasklet`: withdrawn if it still
/// waits here; otherwise its meeting stands and its answer has gone.
pub(crate) fn apply_cancel(host: &mut WorldHost, ch: u64, tasklet: u64) {
    let Some(mut link) = host.world.get_resource_mut::<ShardLink>() else {
        return;
    };
    let Some(rw) = link.remote.waiters.remove(&tasklet) else {
        return;
    };
    if let Some(mut c) = host.channel_mut(ch) {
        c.waiters.remove_id(tasklet);
    }
    send_answer(host, rw.shard, tasklet, Answer::Withdrawn);
}
