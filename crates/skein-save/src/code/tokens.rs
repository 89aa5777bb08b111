//! Function hashes taken over source tokens rather than bytecode, so that a
//! new compiler is never mistaken for an edited script: what a function's
//! hash covers is its tokens — names, keywords, operators, literals and the
//! layout tokens that make its blocks — without their positions. As in
//! Python, comments, blank lines and the line a function starts on do not
//! count; a changed name, constant or statement does.
//!
//! A `def` spans its header and its indented body. A module's top level is
//! every token outside its `def`s, each `def` standing in as `def NAME`
//! (what the top level does with it is bind it).

use skein_script::bytecode::Module;
use skein_script::lexer::Lexer;
use skein_script::token::{Tok, Token};

use super::hash::{ContentHash, Fnv64};

/// A source's tokens, with the `def`s found in it.
struct Lexed<'s> {
    src: &'s str,
    toks: Vec<Token>,
    /// Each `def`: the line of its keyword, and its token range.
    defs: Vec<(u32, std::ops::Range<usize>)>,
}

impl<'s> Lexed<'s> {
    fn new(src: &'s str) -> Lexed<'s> {
        let mut lx = Lexer::new(src, "");
        let mut toks = Vec::new();
        loop {
            let t = lx.next_token();
            if matches!(t.tok, Tok::Eof | Tok::Error(_)) {
                toks.push(t);
                break;
            }
            toks.push(t);
        }
        let defs = find_defs(&toks);
        Lexed { src, toks, defs }
    }

    fn hash_range(&self, h: &mut Fnv64, range: std::ops::Range<usize>) {
        for t in &self.toks[range] {
            feed(h, self.src, &t.tok);
        }
    }
}

/// The `def`s of a token list: from the keyword through the header's end of
/// line, then through its indented block when one follows.
fn find_defs(toks: &[Token]) -> Vec<(u32, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].tok != Tok::Kw("def") {
            i += 1;
            continue;
        }
        let start = i;
        while i < toks.len() && !matches!(toks[i].tok, Tok::Newline | Tok::Eof) {
            i += 1;
        }
        // `i` is at the header's Newline (or the end).
        let mut end = (i + 1).min(toks.len());
        if toks.get(end).is_some_and(|t| t.tok == Tok::Indent) {
            let mut depth = 0usize;
            let mut j = end;
            while j < toks.len() {
                match toks[j].tok {
                    Tok::Indent => depth += 1,
                    Tok::Dedent => {
                        depth -= 1;
                        if depth == 0 {
                            j += 1;
                            break;
                        }
                    }
                    Tok::Eof => break,
                    _ => {}
                }
                j += 1;
            }
            end = j;
        }
        out.push((toks[start].span.line, start..end));
        i = end;
    }
    out
}

/// One token into the hash: a tag for its kind, then its text or value.
fn feed(h: &mut Fnv64, src: &str, tok: &Tok) {
    match tok {
        Tok::Name(n) => {
            h.tag(1);
            h.text(n);
        }
        Tok::Kw(k) => {
            h.tag(2);
            h.text(k);
        }
        Tok::Op(o) => {
            h.tag(3);
            h.text(o);
        }
        Tok::Int(n) => {
            h.tag(4);
            h.write(&n.to_le_bytes());
        }
        Tok::Float(x) => {
            h.tag(5);
            h.write(&x.to_bits().to_le_bytes());
        }
        Tok::Str(s) => {
            h.tag(6);
            h.text(s);
        }
        Tok::FStr { start, end, .. } => {
            h.tag(7);
            h.text(src.get(*start as usize..*end as usize).unwrap_or(""));
        }
        Tok::Newline => h.tag(8),
        Tok::Indent => h.tag(9),
        Tok::Dedent => h.tag(10),
        Tok::Eof => h.tag(11),
        Tok::Error(e) => {
            h.tag(12);
            h.text(&e.to_string());
        }
    }
}

/// The hash of every function of `m`, by index. A function found in no
/// source (a placeholder a hot reload left) hashes its name alone.
pub fn function_hashes(m: &Module) -> Vec<ContentHash> {
    let mut lexed: Vec<(&str, Lexed)> = Vec::new();
    let mut out = Vec::with_capacity(m.functions.len());
    for (j, f) in m.functions.iter().enumerate() {
        let src = m.source_of(j as u16);
        let k = match lexed.iter().position(|(s, _)| std::ptr::eq(*s, src)) {
            Some(k) => k,
            None => {
                lexed.push((src, Lexed::new(src)));
                lexed.len() - 1
            }
        };
        let lx = &lexed[k].1;
        let mut h = Fnv64::default();
        h.text("skein-function");
        h.text(&f.name);
        if f.name == "<module>" {
            top_level(lx, &mut h);
        } else if let Some((_, r)) = lx.defs.iter().find(|(line, _)| *line == f.def_line) {
            lx.hash_range(&mut h, r.clone());
        }
        out.push(h.finish());
    }
    out
}

/// A top level's tokens: all but its `def`s, each standing as `def NAME`.
fn top_level(lx: &Lexed, h: &mut Fnv64) {
    let mut at = 0;
    for (_, r) in &lx.defs {
        lx.hash_range(h, at..r.start);
        lx.hash_range(h, r.start..(r.start + 2).min(r.end));
        at = r.end;
    }
    lx.hash_range(h, at..lx.toks.len());
}
