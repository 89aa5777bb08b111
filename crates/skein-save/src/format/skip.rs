//! Hand-written `Serialize` for the records written most often, so compact
//! and pretty RON leave out fields that hold their default (an unnamed
//! tasklet, no pending error, an empty operand stack…), which a reader
//! fills back in. The binary encoding is positional and always writes every
//! field.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{FiberRec, FrameRec, TaskletRec, TickStateRec};
use crate::values::ValueRec;

/// A struct being written, which may leave out default fields in RON.
struct Fields<S> {
    st: S,
    human: bool,
}

impl<S: SerializeStruct> Fields<S> {
    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, v: &T) -> Result<(), S::Error> {
        self.st.serialize_field(name, v)
    }

    fn unless<T: Serialize + ?Sized>(
        &mut self,
        is_default: bool,
        name: &'static str,
        v: &T,
    ) -> Result<(), S::Error> {
        if self.human && is_default {
            self.st.skip_field(name)
        } else {
            self.st.serialize_field(name, v)
        }
    }
}

/// `data`'s default: an empty dict.
pub(crate) fn empty_dict() -> ValueRec {
    ValueRec::Dict(Vec::new())
}

impl Serialize for TaskletRec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let human = s.is_human_readable();
        let mut f = Fields {
            st: s.serialize_struct("TaskletRec", 18)?,
            human,
        };
        f.field("id", &self.id)?;
        f.unless(self.name.is_none(), "name", &self.name)?;
        f.field("status", &self.status)?;
        f.field("alive", &self.alive)?;
        f.field("started", &self.started)?;
        f.unless(!self.atomic, "atomic", &self.atomic)?;
        f.unless(!self.block_trap, "block_trap", &self.block_trap)?;
        f.unless(self.data == empty_dict(), "data", &self.data)?;
        f.unless(self.tempval == ValueRec::Nil, "tempval", &self.tempval)?;
        f.unless(self.pending.is_none(), "pending", &self.pending)?;
        f.unless(
            !self.pending_is_payload,
            "pending_is_payload",
            &self.pending_is_payload,
        )?;
        f.field("wait", &self.wait)?;
        f.field("suspension", &self.suspension)?;
        f.field("func", &self.func)?;
        f.unless(
            self.tick_state == TickStateRec::default(),
            "tick_state",
            &self.tick_state,
        )?;
        f.field("fiber", &self.fiber)?;
        f.unless(self.ext.is_empty(), "ext", &self.ext)?;
        f.st.end()
    }
}

impl Serialize for FiberRec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let human = s.is_human_readable();
        let mut f = Fields {
            st: s.serialize_struct("FiberRec", 3)?,
            human,
        };
        f.field("state", &self.state)?;
        f.field("frames", &self.frames)?;
        f.unless(self.pending.is_none(), "pending", &self.pending)?;
        f.st.end()
    }
}

impl Serialize for FrameRec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let human = s.is_human_readable();
        let mut f = Fields {
            st: s.serialize_struct("FrameRec", 7)?,
            human,
        };
        f.field("func", &self.func)?;
        f.field("pc", &self.pc)?;
        f.field("line", &self.line)?;
        f.field("locals", &self.locals)?;
        f.unless(self.stack.is_empty(), "stack", &self.stack)?;
        f.unless(self.handlers.is_empty(), "handlers", &self.handlers)?;
        f.unless(self.ret.is_push(), "ret", &self.ret)?;
        f.st.end()
    }
}
