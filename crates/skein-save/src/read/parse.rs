//! Parsing a save's bytes: the header first, then the body in the shape of
//! the header's format version.
//!
//! The header's first two fields, `format` and `version`, are read and checked
//! before anything else, so a file from a newer skein is refused by name
//! ("save format version 2 is newer than this skein") rather than with a parse
//! error somewhere in a body this build does not know.
//!
//! Migration: [`OLDEST_VERSION`]..=[`FORMAT_VERSION`] are read. When the
//! format changes, the current `Body` is copied to `migrate/vN.rs` as `BodyVN`
//! with `fn upgrade(BodyVN) -> Body…`, [`FORMAT_VERSION`] goes up, and
//! [`read_body`] reads version N as `BodyVN` and upgrades it step by step. A
//! committed golden save of every older version keeps each step tested.
//! Versions below [`OLDEST_VERSION`] are refused with the version needed.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::code::ContentHash;
use crate::error::{LoadError, Problem};
use crate::format::{Body, FORMAT_NAME, FORMAT_VERSION, Header, SaveFile, SaveKind};
use crate::write::BINARY_MAGIC;

use super::fast_ron;

/// The oldest format version this build reads.
pub const OLDEST_VERSION: u32 = 2;

/// Files larger than this are refused before reading (a world of a million
/// tasklets in pretty RON stays well below it).
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// A save file's bytes, refused unread when larger than [`MAX_FILE_BYTES`].
pub(crate) fn read_limited(path: &Path) -> Result<Vec<u8>, LoadError> {
    let name = path.display().to_string();
    let fail = |e: std::io::Error| LoadError::whole(Problem::Io(e.to_string())).in_file(&name);
    let len = std::fs::metadata(path).map_err(fail)?.len();
    if len > MAX_FILE_BYTES {
        return Err(LoadError::whole(Problem::TooLarge {
            what: "a save file",
            size: len,
            limit: MAX_FILE_BYTES,
        })
        .in_file(&name));
    }
    std::fs::read(path).map_err(fail)
}

/// Parses a save from bytes: binary if it starts with [`BINARY_MAGIC`],
/// RON otherwise. Only the format is checked here, not the meaning.
pub fn from_bytes(bytes: &[u8]) -> Result<SaveFile, LoadError> {
    let stash = RefCell::new(None);
    let seed = FileSeed { stash: &stash };
    if let Some(rest) = bytes.strip_prefix(BINARY_MAGIC) {
        let mut de = postcard::Deserializer::from_bytes(rest);
        let r = seed.deserialize(&mut de);
        return match (r, stash.into_inner()) {
            (_, Some(p)) => Err(LoadError::whole(p)),
            (Ok(save), None) => match de.finalize() {
                Ok([]) => Ok(save),
                Ok(extra) => Err(LoadError::whole(Problem::Binary(format!(
                    "{} bytes after the end of the save",
                    extra.len()
                )))),
                Err(e) => Err(LoadError::whole(Problem::Binary(e.to_string()))),
            },
            (Err(e), None) => Err(LoadError::whole(Problem::Binary(e.to_string()))),
        };
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        LoadError::whole(Problem::Syntax(format!(
            "not UTF-8 text (byte {})",
            e.valid_up_to()
        )))
    })?;
    // Skein's own RON goes through the quick reader; anything it does not
    // take (a hand-edited file, or a bad one) is read by `ron`, which also
    // gives every error its line and column.
    match quick(text) {
        Some(save) => Ok(save),
        None => with_ron(text),
    }
}

/// A RON save read by the quick reader, or `None` where it gives up.
fn quick(text: &str) -> Option<SaveFile> {
    let stash = RefCell::new(None);
    let save = fast_ron::read_seed(text, FileSeed { stash: &stash }).ok()?;
    stash.into_inner().is_none().then_some(save)
}

/// A RON save read by `ron`, with its errors' positions.
fn with_ron(text: &str) -> Result<SaveFile, LoadError> {
    let stash = RefCell::new(None);
    let seed = FileSeed { stash: &stash };
    match ron::Options::default().from_str_seed(text, seed) {
        Ok(save) => Ok(save),
        Err(e) => {
            let at = Some((e.span.start.line, e.span.start.col));
            let problem = match stash.into_inner() {
                Some(p) => p,
                None => Problem::Syntax(e.code.to_string()),
            };
            Err(LoadError {
                file: None,
                at,
                path: String::new(),
                problem: Box::new(problem),
            })
        }
    }
}

/// Reads the body of a checked `version`: the migration point.
fn read_body<'de, A: SeqOrMap<'de>>(version: u32, access: &mut A) -> Result<Body, A::Error> {
    match version {
        2 => access.next::<Body>(),
        // `check_version` lets no other version through.
        v => Err(A::Error::custom(format!(
            "no reader for format version {v}"
        ))),
    }
}

fn check_format(format: &str) -> Result<(), Problem> {
    if format != FORMAT_NAME {
        return Err(Problem::NotASave(format.to_string()));
    }
    Ok(())
}

fn check_version(version: u32) -> Result<(), Problem> {
    if version > FORMAT_VERSION {
        return Err(Problem::FutureVersion {
            found: version,
            newest: FORMAT_VERSION,
        });
    }
    if version < OLDEST_VERSION {
        return Err(Problem::TooOld {
            found: version,
            oldest: OLDEST_VERSION,
            newest: FORMAT_VERSION,
        });
    }
    Ok(())
}

/// Reads a [`SaveFile`], stashing a typed problem where serde only carries
/// text.
#[derive(Clone, Copy)]
struct FileSeed<'s> {
    stash: &'s RefCell<Option<Problem>>,
}

impl FileSeed<'_> {
    fn fail<E: de::Error>(&self, p: Problem) -> E {
        let msg = p.to_string();
        *self.stash.borrow_mut() = Some(p);
        E::custom(msg)
    }
}

/// Reads fields in order from either a RON struct (a map with names) or a
/// postcard struct (a sequence), checking names where there are any.
trait SeqOrMap<'de> {
    type Error: de::Error;
    fn expect_key(&mut self, name: &'static str) -> Result<(), Self::Error>;
    fn next<T: de::Deserialize<'de>>(&mut self) -> Result<T, Self::Error>;
}

struct Seq<A>(A);
struct Map<A>(A);

impl<'de, A: SeqAccess<'de>> SeqOrMap<'de> for Seq<A> {
    type Error = A::Error;
    fn expect_key(&mut self, _name: &'static str) -> Result<(), A::Error> {
        Ok(())
    }
    fn next<T: de::Deserialize<'de>>(&mut self) -> Result<T, A::Error> {
        self.0
            .next_element()?
            .ok_or_else(|| A::Error::custom("the save ends early"))
    }
}

impl<'de, A: MapAccess<'de>> SeqOrMap<'de> for Map<A> {
    type Error = A::Error;
    fn expect_key(&mut self, name: &'static str) -> Result<(), A::Error> {
        match self.0.next_key::<String>()? {
            Some(k) if k == name => Ok(()),
            Some(k) => Err(A::Error::custom(format!(
                "expected field `{name}`, found `{k}`"
            ))),
            None => Err(A::Error::custom(format!("missing field `{name}`"))),
        }
    }
    fn next<T: de::Deserialize<'de>>(&mut self) -> Result<T, A::Error> {
        self.0.next_value()
    }
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = SaveFile;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<SaveFile, D::Error> {
        d.deserialize_struct("SaveFile", &["header", "body"], self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_> {
    type Value = SaveFile;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a skein save: (header: (…), body: (…))")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<SaveFile, A::Error> {
        self.file(Seq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SaveFile, A::Error> {
        let mut m = Map(map);
        let save = self.file_fields(&mut m)?;
        if let Some(k) = m.0.next_key::<String>()? {
            let _ = m.0.next_value::<IgnoredAny>();
            return Err(A::Error::custom(format!("unexpected field `{k}`")));
        }
        Ok(save)
    }
}

impl FileSeed<'_> {
    fn file<'de, A: SeqOrMap<'de>>(self, mut a: A) -> Result<SaveFile, A::Error> {
        self.file_fields(&mut a)
    }

    fn file_fields<'de, A: SeqOrMap<'de>>(self, a: &mut A) -> Result<SaveFile, A::Error> {
        a.expect_key("header")?;
        let header = a.next::<HeaderOf>().map_err(|e| self.header_error(e))?.0;
        a.expect_key("body")?;
        let body = read_body(header.version, a)?;
        Ok(SaveFile { header, body })
    }

    /// A header whose `format` or `version` was refused has stashed the
    /// typed problem through the thread-local slot below.
    fn header_error<E: de::Error>(&self, e: E) -> E {
        if let Some(p) = HEADER_PROBLEM.with(|s| s.borrow_mut().take()) {
            return self.fail(p);
        }
        e
    }
}

thread_local! {
    /// Where the header visitor leaves a refused format or version, which
    /// it cannot return typed through serde.
    static HEADER_PROBLEM: RefCell<Option<Problem>> = const { RefCell::new(None) };
}

/// The header, read field by field so `format` and `version` are checked
/// before the fields whose shape a newer version may have changed.
struct HeaderOf(Header);

impl<'de> de::Deserialize<'de> for HeaderOf {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        HEADER_PROBLEM.with(|s| s.borrow_mut().take());
        d.deserialize_struct(
            "Header",
            &[
                "format", "version", "producer", "kind", "tick", "seed", "modules",
            ],
            HeaderVisitor,
        )
    }
}

struct HeaderVisitor;

impl HeaderVisitor {
    fn fields<'de, A: SeqOrMap<'de>>(a: &mut A) -> Result<Header, A::Error> {
        let refuse = |p: Problem| {
            let msg = p.to_string();
            HEADER_PROBLEM.with(|s| *s.borrow_mut() = Some(p));
            A::Error::custom(msg)
        };
        a.expect_key("format")?;
        let format: String = a.next()?;
        check_format(&format).map_err(refuse)?;
        a.expect_key("version")?;
        let version: u32 = a.next()?;
        check_version(version).map_err(refuse)?;
        a.expect_key("producer")?;
        let producer: String = a.next()?;
        a.expect_key("kind")?;
        let kind: SaveKind = a.next()?;
        a.expect_key("tick")?;
        let tick: u64 = a.next()?;
        a.expect_key("seed")?;
        let seed: u64 = a.next()?;
        a.expect_key("modules")?;
        let modules: BTreeMap<String, ContentHash> = a.next()?;
        Ok(Header {
            format,
            version,
            producer,
            kind,
            tick,
            seed,
            modules,
        })
    }
}

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = HeaderOf;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a save header")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<HeaderOf, A::Error> {
        HeaderVisitor::fields(&mut Seq(seq)).map(HeaderOf)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<HeaderOf, A::Error> {
        let mut m = Map(map);
        let h = HeaderVisitor::fields(&mut m)?;
        if let Some(k) = m.0.next_key::<String>()? {
            return Err(A::Error::custom(format!("unexpected header field `{k}`")));
        }
        Ok(HeaderOf(h))
    }
}

/// Reads only what is needed to say what a save is: its header (the whole
/// file is still parsed, so a broken body is reported too).
pub fn header_of(bytes: &[u8]) -> Result<Header, LoadError> {
    from_bytes(bytes).map(|s| s.header)
}

#[cfg(test)]
mod quick_tests;
