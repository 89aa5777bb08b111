//! A delta file's records and bytes: its header (what it extends), its
//! body (what changed), the content hash a delta names its base by, and
//! the encodings, which are a full save's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::code::{ContentHash, Fnv64};
use crate::error::{LoadError, Problem, SaveError};
use crate::ext::ExtValue;
use crate::format::{ChannelRec, FORMAT_VERSION, ModuleRec, TaskletRec, WorldRec};
use crate::values::ValueRec;
use crate::write::Encoding;

/// The `format` field of a delta's header (a full save's is `skein-save`).
pub const DELTA_FORMAT: &str = "skein-delta";
/// The first bytes of a binary delta.
pub const DELTA_MAGIC: &[u8] = b"\0skein-delta\0";

/// What a reader checks first: what the delta extends, and to which tick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeltaHeader {
    /// Always [`DELTA_FORMAT`].
    pub format: String,
    /// The save format version of its records.
    pub version: u32,
    /// The skein that wrote it.
    pub producer: String,
    /// Ticks completed when it was taken.
    pub tick: u64,
    /// The world's seed.
    pub seed: u64,
    /// The content hash ([`file_hash`]) of the file this one extends.
    pub base: ContentHash,
    /// The tick of that file, checked when the chain is followed.
    pub base_tick: u64,
}

/// The records of a delta: the same records a full save holds, for the
/// entries that changed only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeltaBody {
    /// The code when it changed since the base; empty when it did not.
    pub modules: Vec<ModuleRec>,
    /// Created or changed, sorted by id.
    pub tasklets: Vec<TaskletRec>,
    /// Created or changed, sorted by id.
    pub channels: Vec<ChannelRec>,
    /// Tasklets and channels of the base of which only registered
    /// components changed (an NPC walking while its tasklet waits), sorted.
    pub patches: Vec<ExtPatch>,
    /// Tasklets and channels of the base that are gone, sorted.
    pub deleted: Vec<u64>,
    /// The world's own state at the delta's tick.
    pub world: WorldRec,
    /// This delta's own value table (its `Ref(i)`s point here).
    pub values: Vec<ValueRec>,
}

/// The registered components of one tasklet or channel that changed, by
/// tag, and the tags of those it no longer has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtPatch {
    /// The tasklet's or channel's record id.
    pub id: u64,
    /// Components added or changed, by tag.
    pub set: BTreeMap<String, ExtValue>,
    /// Tags of components it no longer has.
    pub removed: Vec<String>,
}

/// A whole delta file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeltaFile {
    /// Read and checked first.
    pub header: DeltaHeader,
    /// What changed.
    pub body: DeltaBody,
}

/// The content hash a delta names its base by: FNV-1a over the file's bytes.
pub fn file_hash(bytes: &[u8]) -> ContentHash {
    let mut h = Fnv64::default();
    h.write(bytes);
    h.finish()
}

/// Whether `bytes` are a delta rather than a full save (from the magic, or
/// the RON header's format name near the start).
pub fn is_delta(bytes: &[u8]) -> bool {
    if bytes.starts_with(DELTA_MAGIC) {
        return true;
    }
    let head = &bytes[..bytes.len().min(256)];
    let needle = format!("\"{DELTA_FORMAT}\"");
    head.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A delta as bytes, in the same encodings as a full save.
pub fn delta_to_bytes(delta: &DeltaFile, encoding: Encoding) -> Result<Vec<u8>, SaveError> {
    let enc = |e: &dyn std::fmt::Display| SaveError::Encode(e.to_string());
    match encoding {
        Encoding::Binary => {
            let mut out = DELTA_MAGIC.to_vec();
            postcard::to_io(delta, &mut out).map_err(|e| enc(&e))?;
            Ok(out)
        }
        Encoding::Compact => {
            let mut s = ron::Options::default()
                .to_string(delta)
                .map_err(|e| enc(&e))?;
            s.push('\n');
            Ok(s.into_bytes())
        }
        Encoding::Pretty => {
            let pretty = ron::ser::PrettyConfig::new()
                .indentor("  ".to_string())
                .depth_limit(7);
            let mut s = ron::Options::default()
                .to_string_pretty(delta, pretty)
                .map_err(|e| enc(&e))?;
            s.push('\n');
            Ok(s.into_bytes())
        }
    }
}

/// Parses a delta and checks its header.
pub fn delta_from_bytes(bytes: &[u8]) -> Result<DeltaFile, LoadError> {
    let delta = if let Some(rest) = bytes.strip_prefix(DELTA_MAGIC) {
        let (d, extra) = postcard::take_from_bytes::<DeltaFile>(rest)
            .map_err(|e| LoadError::whole(Problem::Binary(e.to_string())))?;
        if !extra.is_empty() {
            return Err(LoadError::whole(Problem::Binary(format!(
                "{} bytes after the end of the delta",
                extra.len()
            ))));
        }
        d
    } else {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            LoadError::whole(Problem::Syntax(format!(
                "not UTF-8 text (byte {})",
                e.valid_up_to()
            )))
        })?;
        ron::Options::default()
            .from_str::<DeltaFile>(text)
            .map_err(|e| LoadError {
                file: None,
                at: Some((e.span.start.line, e.span.start.col)),
                path: String::new(),
                problem: Box::new(Problem::Syntax(e.code.to_string())),
            })?
    };
    let h = &delta.header;
    if h.format != DELTA_FORMAT {
        return Err(LoadError::whole(Problem::NotASave(h.format.clone())));
    }
    if h.version != FORMAT_VERSION {
        return Err(LoadError::whole(Problem::Invalid(format!(
            "a delta of save format version {} (this skein reads deltas of version {FORMAT_VERSION})",
            h.version
        ))));
    }
    Ok(delta)
}
