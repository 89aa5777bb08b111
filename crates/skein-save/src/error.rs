//! Why a save could not be written or read. A load error names the file, the
//! RON line and column when the text itself is at fault, and the path to the
//! bad field (`tasklets[3].frames[0].pc`) when a record is.

use std::fmt;

/// The path to a field inside a save, built while checking it. Each step
/// borrows its parent, so checking a field costs no allocation; the text
/// (`tasklets[3].frames[0].pc`) is made only for an error.
#[derive(Debug, Clone, Copy)]
pub struct FieldPath<'a> {
    parent: Option<&'a FieldPath<'a>>,
    seg: Seg<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Root,
    Field(&'static str),
    Index(usize),
    Name(&'a str),
}

impl<'a> FieldPath<'a> {
    /// The empty path: the save as a whole.
    pub fn root() -> FieldPath<'static> {
        FieldPath {
            parent: None,
            seg: Seg::Root,
        }
    }

    /// This path followed by `.name`.
    pub fn field(&'a self, name: &'static str) -> FieldPath<'a> {
        FieldPath {
            parent: Some(self),
            seg: Seg::Field(name),
        }
    }

    /// This path followed by `[i]`.
    pub fn index(&'a self, i: usize) -> FieldPath<'a> {
        FieldPath {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    /// This path followed by `["key"]` (map entries).
    pub fn key(&'a self, k: &'a str) -> FieldPath<'a> {
        FieldPath {
            parent: Some(self),
            seg: Seg::Name(k),
        }
    }

    /// Whether this is [`root`](FieldPath::root), with nothing after it.
    pub fn is_root(&self) -> bool {
        matches!(self.seg, Seg::Root)
    }
}

impl std::fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut segs = Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            segs.push(p.seg);
            at = p.parent;
        }
        let mut first = true;
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => continue,
                Seg::Field(name) if first => write!(f, "{name}")?,
                Seg::Field(name) => write!(f, ".{name}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Name(k) => write!(f, "[{k:?}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// What is wrong with a save that cannot be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// RON that does not parse, or does not have the records' shape.
    #[error("{0}")]
    Syntax(String),
    /// A binary save that does not decode.
    #[error("bad binary save: {0}")]
    Binary(String),
    /// The header's `format` is not a skein save's.
    #[error("not a skein save (format {0:?}, expected \"skein-save\")")]
    NotASave(String),
    /// Written by a newer skein than this one.
    #[error("save format version {found} is newer than this skein (reads up to {newest})")]
    FutureVersion {
        /// The file's format version.
        found: u32,
        /// The newest version this build reads.
        newest: u32,
    },
    /// Older than the oldest format version this build migrates from.
    #[error(
        "save format version {found} is too old for this skein, which needs version {oldest} \
         (reads {oldest} to {newest})"
    )]
    TooOld {
        /// The file's format version.
        found: u32,
        /// The oldest version this build reads.
        oldest: u32,
        /// The newest version this build reads.
        newest: u32,
    },
    /// A selection where a world was expected, or the other way round.
    #[error("this is a {found} save, not a {expected} save{hint}")]
    WrongKind {
        /// The file's kind.
        found: &'static str,
        /// The kind the caller loads.
        expected: &'static str,
        /// What to run instead (may be empty).
        hint: &'static str,
    },
    /// A reference to a tasklet or channel record the save does not hold.
    #[error("no {what} with id {id} in this save")]
    Dangling {
        /// `tasklet` or `channel`.
        what: &'static str,
        /// The missing record id.
        id: u64,
    },
    /// Two records with one id.
    #[error("{what} id {id} appears twice")]
    Duplicate {
        /// `tasklet` or `channel`.
        what: &'static str,
        /// The repeated record id.
        id: u64,
    },
    /// A `Ref(i)` past the entries of the value table it may use.
    #[error("value table index {index} out of range (must be below {limit})")]
    BadRef {
        /// The index written.
        index: u32,
        /// The first index it may not use.
        limit: u32,
    },
    /// A value nested deeper inline than a reader accepts.
    #[error("value nested deeper than {limit} levels inline")]
    TooDeep {
        /// The deepest nesting accepted.
        limit: u32,
    },
    /// A file, list or string bigger than a loader accepts.
    #[error("{what} of {size} exceeds the limit of {limit}")]
    TooLarge {
        /// What is too big.
        what: &'static str,
        /// Its size.
        size: u64,
        /// The largest accepted.
        limit: u64,
    },
    /// A record of one shape where another was expected.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// The shape expected.
        expected: &'static str,
        /// The shape found.
        found: String,
    },
    /// A module the loading world's code does not have.
    #[error("module {0} is not loaded in this world")]
    UnknownModule(String),
    /// A function its module does not define.
    #[error("module {module} has no function {name}")]
    UnknownFunction {
        /// The module's name.
        module: String,
        /// The function's name.
        name: String,
    },
    /// A host native the loading world did not register.
    #[error("native function {module}.{name} is not registered in this world")]
    UnknownNative {
        /// The native's module.
        module: String,
        /// The native's name.
        name: String,
    },
    /// A built-in function this build does not have.
    #[error("no built-in named {0}")]
    UnknownBuiltin(String),
    /// Saved frames run code that is not the loading world's (by hash).
    #[error("code changed since the save: {}", .0.join(", "))]
    ChangedFunctions(Vec<String>),
    /// Records that disagree with each other or with the rules of a world.
    #[error("{0}")]
    Invalid(String),
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(String),
}

/// A save that could not be loaded, and where the fault is.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    /// The file, when the save came from one.
    pub file: Option<String>,
    /// RON line and column (1-based), when the text is at fault.
    pub at: Option<(usize, usize)>,
    /// The bad field; empty when the fault is not in one field.
    pub path: String,
    /// Boxed to keep `Result<_, LoadError>` small.
    pub problem: Box<Problem>,
}

impl LoadError {
    /// A problem at a field path.
    pub fn at(path: &FieldPath, problem: Problem) -> LoadError {
        LoadError {
            file: None,
            at: None,
            path: path.to_string(),
            problem: Box::new(problem),
        }
    }

    /// A problem not tied to one field.
    pub fn whole(problem: Problem) -> LoadError {
        LoadError {
            file: None,
            at: None,
            path: String::new(),
            problem: Box::new(problem),
        }
    }

    /// The same error, naming the file it came from.
    pub fn in_file(mut self, file: impl Into<String>) -> LoadError {
        self.file = Some(file.into());
        self
    }

    /// Shorthand for an `Invalid` problem at a path.
    pub fn invalid(path: &FieldPath, msg: impl Into<String>) -> LoadError {
        LoadError::at(path, Problem::Invalid(msg.into()))
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
            if let Some((line, col)) = self.at {
                write!(f, "{line}:{col}:")?;
            }
            f.write_str(" ")?;
        } else if let Some((line, col)) = self.at {
            write!(f, "line {line}, column {col}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.problem)
    }
}

impl std::error::Error for LoadError {}

/// Why a save could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Something the save must contain cannot be saved (the current tasklet
    /// from inside itself, a native the host cannot name…).
    #[error("{0}")]
    Unsaveable(String),
    /// The records could not be encoded (RON or binary).
    #[error("cannot encode the save: {0}")]
    Encode(String),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file (or its temporary sibling) being written.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_field_accesses() {
        let root = FieldPath::root();
        let t = root.field("tasklets");
        let t3 = t.index(3);
        let fr = t3.field("frames");
        let f0 = fr.index(0);
        assert_eq!(f0.field("pc").to_string(), "tasklets[3].frames[0].pc");
        let ext = root.field("ext");
        assert_eq!(ext.key("hp").to_string(), "ext[\"hp\"]");
    }

    #[test]
    fn messages_name_file_position_and_field() {
        let e = LoadError {
            file: Some("w.ron".into()),
            at: Some((3, 7)),
            path: "tasklets[0].pc".into(),
            problem: Box::new(Problem::Invalid(
                "pc 99 is past the end of f (12 ops)".into(),
            )),
        };
        assert_eq!(
            e.to_string(),
            "w.ron:3:7: tasklets[0].pc: pc 99 is past the end of f (12 ops)"
        );
        let e = LoadError::whole(Problem::FutureVersion {
            found: 2,
            newest: 1,
        });
        assert_eq!(
            e.to_string(),
            "save format version 2 is newer than this skein (reads up to 1)"
        );
    }
}
