//! Remote channel messages on the wire: [`RemoteMsg`] with its values
//! encoded as crossing values (tasklets and channels by id), as postcard.

use serde::{Deserialize, Serialize};
use skein_save::crossing::{decode_value, encode_value};
use skein_world::bevy_ecs::world::World;
use skein_world::remote::{Answer, ChanOp, RemoteMsg};

#[derive(Serialize, Deserialize)]
enum WireOp {
    Send(Vec<u8>),
    SendError(Vec<u8>),
    Receive { iterating: bool },
}

#[derive(Serialize, Deserialize)]
enum WireAnswer {
    Value(Vec<u8>),
    Error(Vec<u8>),
    IterEnd,
    Withdrawn,
}

#[derive(Serialize, Deserialize)]
enum Wire {
    Op {
        channel: u64,
        tasklet: u64,
        from: u64,
        op: WireOp,
        block_trap: bool,
    },
    Answer {
        tasklet: u64,
        answer: WireAnswer,
    },
    Cancel {
        channel: u64,
        tasklet: u64,
    },
}

/// `msg` as bytes, its values encoded against the sending `world`.
pub fn encode(world: &mut World, msg: RemoteMsg) -> Result<Vec<u8>, String> {
    let mut val = |v: &skein_vm::Value| encode_value(world, v).map_err(|e| e.to_string());
    let w = match msg {
        RemoteMsg::Op {
            channel,
            tasklet,
            from,
            op,
            block_trap,
        } => Wire::Op {
            channel,
            tasklet,
            from,
            op: match op {
                ChanOp::Send(v) => WireOp::Send(val(&v)?),
                ChanOp::SendError(e) => WireOp::SendError(val(&e)?),
                ChanOp::Receive { iterating } => WireOp::Receive { iterating },
            },
            block_trap,
        },
        RemoteMsg::Answer { tasklet, answer } => Wire::Answer {
            tasklet,
            answer: match answer {
                Answer::Value(v) => WireAnswer::Value(val(&v)?),
                Answer::Error(e) => WireAnswer::Error(val(&e)?),
                Answer::IterEnd => WireAnswer::IterEnd,
                Answer::Withdrawn => WireAnswer::Withdrawn,
            },
        },
        RemoteMsg::Cancel { channel, tasklet } => Wire::Cancel { channel, tasklet },
    };
    postcard::to_allocvec(&w).map_err(|e| e.to_string())
}

/// The message in `bytes`, its values decoded and checked against the
/// receiving `world`.
pub fn decode(world: &World, bytes: &[u8]) -> Result<RemoteMsg, String> {
    let w: Wire = postcard::from_bytes(bytes).map_err(|e| e.to_string())?;
    let val = |b: &[u8]| decode_value(world, b).map_err(|e| e.to_string());
    Ok(match w {
        Wire::Op {
            channel,
            tasklet,
            from,
            op,
            block_trap,
        } => RemoteMsg::Op {
            channel,
            tasklet,
            from,
            op: match op {
                WireOp::Send(b) => ChanOp::Send(val(&b)?),
                WireOp::SendError(b) => ChanOp::SendError(val(&b)?),
                WireOp::Receive { iterating } => ChanOp::Receive { iterating },
            },
            block_trap,
        },
        Wire::Answer { tasklet, answer } => RemoteMsg::Answer {
            tasklet,
            answer: match answer {
                WireAnswer::Value(b) => Answer::Value(val(&b)?),
                WireAnswer::Error(b) => Answer::Error(val(&b)?),
                WireAnswer::IterEnd => Answer::IterEnd,
                WireAnswer::Withdrawn => Answer::Withdrawn,
            },
        },
        Wire::Cancel { channel, tasklet } => RemoteMsg::Cancel { channel, tasklet },
    })
}
