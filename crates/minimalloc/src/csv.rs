//! Reading and writing problems in MiniMalloc's CSV format.
//!
//! This is the file format of the reference MiniMalloc implementation: a
//! header line naming the columns, then one line per buffer.
//!
//! ```text
//! id,lower,upper,size,alignment,gaps
//! weights,0,10,32,1,
//! scratch,5,20,16,8,8-12 14-16@0:4
//! output,10,30,64,1,
//! ```
//!
//! Here buffer `scratch` is live from time 5 up to (but not including) time
//! 20, needs 16 units of memory at an offset that is a multiple of 8, uses no
//! memory at all from time 8 to 12, and only its first 4 units from time 14
//! to 16.
//!
//! # Columns
//!
//! The header line names the columns, in any order. Names are matched exactly
//! (they are lower case) after trimming surrounding whitespace. Columns with
//! other names are ignored, so a file may carry extra data.
//!
//! | Column      | Required | Meaning |
//! |-------------|----------|---------|
//! | `id`        | yes      | The buffer's name: any text, unique within the file. Also spelled `buffer` or `buffer_id`. |
//! | `lower`     | yes      | The first time at which the buffer is live. Also spelled `start` or `begin`. |
//! | `upper`     | yes      | The first time at which the buffer is no longer live: lifespans are half-open, `[lower, upper)`, and must not be empty. |
//! | `end`       | (yes)    | Instead of `upper`: the *last* time at which the buffer is live (inclusive), so `end` = `upper` - 1. In a file with an `end` column, gaps are inclusive too (see below). |
//! | `size`      | yes      | How much memory the buffer needs; must be positive. |
//! | `alignment` | no       | The buffer's offset must be a multiple of this; at least 1. Default 1. |
//! | `hint`      | no       | A suggested offset, carried along but not used by the solver; `-1` means no hint. |
//! | `gaps`      | no       | Times at which the buffer is (partly) inactive; see below. Empty means none. |
//! | `offset`    | no       | A fixed offset, at least 0: the solver must place the buffer exactly there; an empty field leaves the buffer free. A solved problem is written with this column. |
//!
//! Each required column must appear exactly once; two columns that mean the
//! same thing (say `id` and `buffer`, or `upper` and `end`) are an error.
//! Every line must have as many fields as the header.
//!
//! # Gaps
//!
//! The `gaps` field holds a list of gaps separated by spaces. Each gap is
//! either `L-U`, meaning the buffer uses no memory during times `[L, U)`, or
//! `L-U@A:B`, meaning that during `[L, U)` it only uses the addresses from
//! `offset + A` up to (not including) `offset + B`. For example
//! `2-4 6-9@0:16` is two gaps. Gaps must be non-empty, lie within the
//! buffer's lifespan and be listed in time order without overlapping; a window
//! must satisfy `0 <= A <= B <= size`.
//!
//! In a file whose header says `end` rather than `upper`, the `U` of every gap
//! is inclusive as well: `2-3` then means times 2 and 3, that is `[2, 4)`.
//!
//! # Syntax
//!
//! * Fields are separated by commas. A field may be quoted with double quotes
//!   (`"a,b"`), with a quote inside written twice (`"say ""hi"""`); this is
//!   how an id containing a comma is written.
//! * Numbers are decimal 64-bit integers, optionally signed (`+7`, `-1`),
//!   with surrounding spaces allowed.
//! * Ids are taken exactly as written (not trimmed).
//! * Lines may end with `\n` or `\r\n`; blank lines are ignored; a UTF-8 byte
//!   order mark at the start is skipped. The file must be UTF-8.
//! * A file with only a header line describes a problem with no buffers.
//!
//! # Errors
//!
//! [`read_problem`] stops at the first problem and returns a [`CsvError`]
//! naming the file, the line, the column and the offending text, for example:
//!
//! ```text
//! input.csv:7: column "size": size must be positive: "0"
//! input.csv:1: missing required column "upper" (header has: id, lower, size)
//! ```
//!
//! # Writing
//!
//! [`write_csv`] and [`to_csv`] write the same text as the reference
//! implementation: the columns `id,lower,upper,size`, followed by `alignment`
//! if some buffer has an alignment other than 1, `hint` if some buffer has a
//! hint, `gaps` if some buffer has gaps, and `offset` if a [`Solution`] is
//! given. [`CsvFormat::Legacy`] writes `start` and `end` (inclusive) instead
//! of `lower` and `upper`.
//!
//! ```
//! use minimalloc::csv::{from_csv, to_csv};
//!
//! let problem = from_csv("id,lower,upper,size\na,0,10,4\nb,5,15,8\n")?;
//! assert_eq!(problem.buffers.len(), 2);
//! assert_eq!(problem.buffers[1].size, 8);
//! assert_eq!(to_csv(&problem, None), "id,lower,upper,size\na,0,10,4\nb,5,15,8\n");
//! # Ok::<(), minimalloc::csv::CsvError>(())
//! ```

use std::collections::hash_map::{Entry, RandomState};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::io::{self, BufWriter, Read, Write};
use std::num::IntErrorKind;
use std::path::Path;

use csv::ByteRecord;

use crate::problem::{Buffer, Gap, Interval, Problem, Solution};

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why a CSV input could not be read, and where.
///
/// Its [`Display`](fmt::Display) is a single line naming the input, the line,
/// the column and the offending text when they are known, for example
/// `input.csv:7: column "size": size must be positive: "0"`.
#[derive(Debug, thiserror::Error)]
pub struct CsvError {
    // Boxed to keep `Result<_, CsvError>` small on the hot path.
    inner: Box<ErrorInner>,
}

#[derive(Debug)]
struct ErrorInner {
    source_name: String,
    line: Option<u64>,
    column: Option<String>,
    text: Option<String>,
    kind: CsvErrorKind,
}

impl CsvError {
    fn new(source_name: &str, kind: CsvErrorKind) -> Self {
        CsvError {
            inner: Box::new(ErrorInner {
                source_name: source_name.to_string(),
                line: None,
                column: None,
                text: None,
                kind,
            }),
        }
    }

    fn at_line(mut self, line: u64) -> Self {
        self.inner.line = Some(line);
        self
    }

    fn in_column(mut self, column: Option<&str>) -> Self {
        self.inner.column = column.map(str::to_string);
        self
    }

    fn with_text(mut self, text: &str) -> Self {
        self.inner.text = Some(text.to_string());
        self
    }

    /// The name of the input: a file path, `<stdin>` or `<string>`.
    pub fn source_name(&self) -> &str {
        &self.inner.source_name
    }

    /// The 1-based line of the input where the offending record starts, if
    /// the error concerns a particular record (the header is a record too).
    pub fn line(&self) -> Option<u64> {
        self.inner.line
    }

    /// The name of the offending column as written in the header (for example
    /// `end` or `size`), if the error concerns one field.
    pub fn column(&self) -> Option<&str> {
        self.inner.column.as_deref()
    }

    /// The offending text (a field, a single gap, or an id), if any.
    pub fn text(&self) -> Option<&str> {
        self.inner.text.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &CsvErrorKind {
        &self.inner.kind
    }
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.inner;
        f.write_str(&e.source_name)?;
        if let Some(line) = e.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(column) = &e.column {
            write!(f, "column {column:?}: ")?;
        }
        write!(f, "{}", e.kind)?;
        if let Some(text) = &e.text {
            write!(f, ": {text:?}")?;
        }
        Ok(())
    }
}

/// The kinds of [`CsvError`].
///
/// Its [`Display`](fmt::Display) describes the problem without its location;
/// [`CsvError`]'s adds the location and the offending text. Values shown in
/// lifespans and gaps are half-open, after converting an inclusive `end`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CsvErrorKind {
    /// Reading the input failed (for example, the file does not exist).
    #[error("cannot read: {0}")]
    Io(std::io::Error),
    /// The input holds no header line (it is empty or only blank lines).
    #[error("input is empty: expected a header line naming the columns id, lower, upper and size")]
    EmptyInput,
    /// A field is not valid UTF-8 (the text shown replaces bad bytes).
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// The header lacks a required column.
    #[error("missing required column {name:?} (header has: {})", header.join(", "))]
    MissingColumn {
        /// The canonical name of the missing column, such as `upper`.
        name: &'static str,
        /// The column names found in the header, trimmed.
        header: Vec<String>,
    },
    /// Two header columns mean the same thing, such as `id` and `buffer`; the
    /// error's column is the second of them.
    #[error("duplicate column (same as {first:?})")]
    DuplicateColumn {
        /// The earlier column with the same meaning, as written.
        first: String,
    },
    /// A line has a different number of fields than the header.
    #[error("expected {expected} fields as in the header, found {found}")]
    FieldCount {
        /// The number of columns in the header.
        expected: usize,
        /// The number of fields on the line.
        found: usize,
    },
    /// A field that must be an integer is not one.
    #[error("malformed integer")]
    MalformedInteger,
    /// An integer does not fit in 64 bits (also when 1 is added to an
    /// inclusive `end`).
    #[error("integer overflow (the value must fit in a signed 64-bit integer)")]
    IntegerOverflow,
    /// A gap is not of the form `L-U` or `L-U@A:B`.
    #[error("malformed gap (expected L-U or L-U@A:B)")]
    MalformedGap,
    /// The size is zero or negative.
    #[error("size must be positive")]
    NonPositiveSize,
    /// The lifespan is empty or reversed.
    #[error("empty or reversed lifespan [{lower}, {upper}) (upper must be greater than lower)")]
    EmptyLifespan {
        /// The start of the lifespan.
        lower: i64,
        /// The end of the lifespan (exclusive).
        upper: i64,
    },
    /// The alignment is below 1.
    #[error("alignment must be at least 1")]
    BadAlignment,
    /// The hint is below -1 (-1 means no hint).
    #[error("hint must be -1 (no hint) or at least 0")]
    BadHint,
    /// The fixed offset is negative.
    #[error("fixed offset must not be negative")]
    NegativeOffset,
    /// The fixed offset plus the size does not fit in 64 bits.
    #[error("fixed offset plus size overflows a signed 64-bit integer")]
    OffsetOverflow,
    /// A gap is empty or reversed (its end is not after its start).
    #[error("gap is empty or reversed")]
    EmptyGap,
    /// A gap extends outside the buffer's lifespan.
    #[error("gap lies outside the lifespan [{lower}, {upper})")]
    GapOutsideLifespan {
        /// The start of the buffer's lifespan.
        lower: i64,
        /// The end of the buffer's lifespan (exclusive).
        upper: i64,
    },
    /// A gap starts before the previous gap ends.
    #[error("gap starts before the previous gap ends at {previous_upper} (gaps must be in time order and not overlap)")]
    GapOverlap {
        /// The end of the previous gap (exclusive).
        previous_upper: i64,
    },
    /// A gap's window is reversed or outside `[0, size]`.
    #[error("window must satisfy 0 <= start <= end <= size ({size})")]
    BadWindow {
        /// The buffer's size.
        size: i64,
    },
    /// The id was already used by an earlier buffer.
    #[error("duplicate id (first used on line {first_line})")]
    DuplicateId {
        /// The line where the id first appears.
        first_line: u64,
    },
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// Reads a problem in MiniMalloc CSV format (see the [module docs](self)).
///
/// The input is read as a stream; `source_name` names it in errors (a path,
/// `<stdin>`...). The returned problem has `capacity` 0: the caller sets it.
/// Buffers keep the order of the lines; a fixed `offset` column, if any, is
/// stored in each [`Buffer::offset`].
pub fn read_problem<R: Read>(reader: R, source_name: &str) -> Result<Problem, CsvError> {
    let mut reader = RecordReader {
        csv: csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(Tap::new(reader)),
        record: ByteRecord::new(),
        source_name,
    };
    let header = loop {
        match reader.next_record()? {
            None => return Err(CsvError::new(source_name, CsvErrorKind::EmptyInput)),
            Some(line) => {
                if !is_blank(&reader.record) {
                    break Header::parse(&reader.record, line, source_name)?;
                }
            }
        }
    };
    let mut problem = Problem::default();
    let mut ids = IdIndex::default();
    while let Some(line) = reader.next_record()? {
        if is_blank(&reader.record) {
            continue;
        }
        let row = Row::new(&reader.record, &header, line, source_name)?;
        let buffer = row.parse()?;
        let index = problem.buffers.len();
        if let Some(first_line) = ids.insert(&problem.buffers, &buffer.id, index, line) {
            return Err(row.error(
                Some(header.id),
                Some(&buffer.id),
                CsvErrorKind::DuplicateId { first_line },
            ));
        }
        problem.buffers.push(buffer);
    }
    Ok(problem)
}

/// Reads a problem from a CSV file; errors name the file by `path.display()`.
///
/// See [`read_problem`].
pub fn read_problem_file(path: &Path) -> Result<Problem, CsvError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| CsvError::new(&name, CsvErrorKind::Io(e)))?;
    read_problem(file, &name)
}

/// Reads a problem from CSV text; errors name the input `<string>`.
///
/// See [`read_problem`].
pub fn from_csv(text: &str) -> Result<Problem, CsvError> {
    read_problem(text.as_bytes(), "<string>")
}

/// The canonical meaning of a header column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Id,
    Lower,
    Upper,
    Size,
    Alignment,
    Hint,
    Gaps,
    Offset,
}

impl Column {
    /// The column a header name stands for, and whether it is the inclusive
    /// `end`.
    fn from_name(name: &str) -> Option<(Column, bool)> {
        Some(match name {
            "id" | "buffer" | "buffer_id" => (Column::Id, false),
            "lower" | "start" | "begin" => (Column::Lower, false),
            "upper" => (Column::Upper, false),
            "end" => (Column::Upper, true),
            "size" => (Column::Size, false),
            "alignment" => (Column::Alignment, false),
            "hint" => (Column::Hint, false),
            "gaps" => (Column::Gaps, false),
            "offset" => (Column::Offset, false),
            _ => return None,
        })
    }
}

/// Where each column is, from the header line.
struct Header {
    /// The header's names, trimmed, as written.
    names: Vec<String>,
    id: usize,
    lower: usize,
    upper: usize,
    size: usize,
    alignment: Option<usize>,
    hint: Option<usize>,
    gaps: Option<usize>,
    offset: Option<usize>,
    /// Whether the file uses an inclusive `end` column (and inclusive gaps).
    inclusive_end: bool,
}

impl Header {
    fn parse(record: &ByteRecord, line: u64, source_name: &str) -> Result<Header, CsvError> {
        let error = |kind| CsvError::new(source_name, kind).at_line(line);
        let mut names = Vec::with_capacity(record.len());
        for field in record.iter() {
            match std::str::from_utf8(field) {
                Ok(name) => names.push(name.trim_matches(|c: char| c.is_ascii_whitespace()).to_string()),
                Err(_) => {
                    return Err(error(CsvErrorKind::InvalidUtf8).with_text(&String::from_utf8_lossy(field)))
                }
            }
        }
        // Index by `Column as usize`; the array covers every variant.
        let mut found: [Option<usize>; 8] = [None; 8];
        let mut inclusive_end = false;
        for (index, name) in names.iter().enumerate() {
            let Some((column, inclusive)) = Column::from_name(name) else {
                continue;
            };
            let slot = &mut found[column as usize];
            if let Some(first) = *slot {
                let first = names.get(first).cloned().unwrap_or_default();
                return Err(error(CsvErrorKind::DuplicateColumn { first }).in_column(Some(name)));
            }
            *slot = Some(index);
            inclusive_end |= inclusive;
        }
        let required = |column: Column, name: &'static str| {
            found[column as usize]
                .ok_or_else(|| error(CsvErrorKind::MissingColumn { name, header: names.clone() }))
        };
        let id = required(Column::Id, "id")?;
        let lower = required(Column::Lower, "lower")?;
        let upper = required(Column::Upper, "upper")?;
        let size = required(Column::Size, "size")?;
        Ok(Header {
            id,
            lower,
            upper,
            size,
            alignment: found[Column::Alignment as usize],
            hint: found[Column::Hint as usize],
            gaps: found[Column::Gaps as usize],
            offset: found[Column::Offset as usize],
            inclusive_end,
            names,
        })
    }
}

/// Wraps the csv reader to report the physical line where each record starts.
struct RecordReader<'a, R: Read> {
    csv: csv::Reader<Tap<R>>,
    record: ByteRecord,
    source_name: &'a str,
}

impl<R: Read> RecordReader<'_, R> {
    /// Reads the next record into `self.record`; returns the line where it
    /// starts, or `None` at the end of the input.
    fn next_record(&mut self) -> Result<Option<u64>, CsvError> {
        match self.csv.read_byte_record(&mut self.record) {
            Ok(true) => Ok(Some(self.start_line())),
            Ok(false) => Ok(None),
            Err(e) => {
                let line = e.position().map(csv::Position::line);
                let io_error = match e.into_kind() {
                    csv::ErrorKind::Io(io_error) => io_error,
                    other => io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
                };
                let error = CsvError::new(self.source_name, CsvErrorKind::Io(io_error));
                Err(match line {
                    Some(line) => error.at_line(line),
                    None => error,
                })
            }
        }
    }

    /// The line where the record just read starts.
    ///
    /// The csv crate's own record positions count blank lines skipped before
    /// a record, and the `\n` of a `\r\n`, as part of the previous record, so
    /// compute the start from the end instead: the line after the record, less
    /// the newlines inside it, less its terminating `\n` if consumed already.
    fn start_line(&self) -> u64 {
        let position = self.csv.position();
        let inner_newlines = self.record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        let terminated = self.csv.get_ref().byte_before(position.byte()) == Some(b'\n');
        position.line().saturating_sub(inner_newlines).saturating_sub(u64::from(terminated)).max(1)
    }
}

/// A reader that remembers the bytes it last handed out, so that the byte
/// just before the csv reader's position can be looked up.
///
/// The csv reader buffers its input and only reads again once it has consumed
/// everything, so that byte is always in the last chunk read, or is the last
/// byte of the chunk before.
struct Tap<R> {
    inner: R,
    chunk: Vec<u8>,
    /// The input offset of `chunk[0]`.
    chunk_start: u64,
    /// The byte just before `chunk`.
    byte_before_chunk: Option<u8>,
}

impl<R> Tap<R> {
    fn new(inner: R) -> Self {
        Tap { inner, chunk: Vec::new(), chunk_start: 0, byte_before_chunk: None }
    }

    /// The byte at input offset `offset - 1`, if still known.
    fn byte_before(&self, offset: u64) -> Option<u8> {
        let index = offset.checked_sub(1)?;
        if index >= self.chunk_start {
            let within = usize::try_from(index - self.chunk_start).ok()?;
            self.chunk.get(within).copied()
        } else if index + 1 == self.chunk_start {
            self.byte_before_chunk
        } else {
            None
        }
    }
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                result => break result?,
            }
        };
        if n > 0 {
            if let Some(&last) = self.chunk.last() {
                self.byte_before_chunk = Some(last);
            }
            self.chunk_start += self.chunk.len() as u64;
            self.chunk.clear();
            self.chunk.extend_from_slice(buf.get(..n).unwrap_or(buf));
        }
        Ok(n)
    }
}

/// Whether a record is a line of only whitespace (the csv reader itself skips
/// truly empty lines).
fn is_blank(record: &ByteRecord) -> bool {
    record.len() == 1 && record.as_slice().iter().all(u8::is_ascii_whitespace)
}

/// One data record being turned into a buffer.
struct Row<'a> {
    record: &'a ByteRecord,
    /// The whole record (all fields, concatenated) as text.
    text: &'a str,
    header: &'a Header,
    line: u64,
    source_name: &'a str,
}

impl<'a> Row<'a> {
    /// Checks that the record is UTF-8 (the whole of it, used or not).
    fn new(
        record: &'a ByteRecord,
        header: &'a Header,
        line: u64,
        source_name: &'a str,
    ) -> Result<Self, CsvError> {
        let row = Row { record, text: "", header, line, source_name };
        let text = match std::str::from_utf8(record.as_slice()) {
            Ok(text) => text,
            Err(_) => {
                // Name the first field at fault.
                let bad = record.iter().position(|f| std::str::from_utf8(f).is_err());
                let bytes = bad.and_then(|c| record.get(c)).unwrap_or(record.as_slice());
                let text = String::from_utf8_lossy(bytes);
                return Err(row.error(bad, Some(&text), CsvErrorKind::InvalidUtf8));
            }
        };
        Ok(Row { text, ..row })
    }

    fn error(&self, column: Option<usize>, text: Option<&str>, kind: CsvErrorKind) -> CsvError {
        let name = column.and_then(|c| self.header.names.get(c)).map(String::as_str);
        let error = CsvError::new(self.source_name, kind).at_line(self.line).in_column(name);
        match text {
            Some(text) => error.with_text(text),
            None => error,
        }
    }

    /// The text of field `column`.
    fn field(&self, column: usize) -> Result<&str, CsvError> {
        // Slicing checks that no character straddles the field's ends.
        self.record.range(column).and_then(|range| self.text.get(range)).ok_or_else(|| {
            let bytes = self.record.get(column).unwrap_or_default();
            self.error(Some(column), Some(&String::from_utf8_lossy(bytes)), CsvErrorKind::InvalidUtf8)
        })
    }

    /// The integer in field `column`, and its text.
    fn integer(&self, column: usize) -> Result<(i64, &str), CsvError> {
        let text = self.field(column)?;
        parse_integer(text)
            .map(|value| (value, text))
            .map_err(|kind| self.error(Some(column), Some(text), kind))
    }

    fn parse(&self) -> Result<Buffer, CsvError> {
        let h = self.header;
        let found = self.record.len();
        if found != h.names.len() {
            // The line as read, and the first column it lacks, if any.
            let fields: Vec<_> = self.record.iter().map(String::from_utf8_lossy).collect();
            let missing = (found < h.names.len()).then_some(found);
            let kind = CsvErrorKind::FieldCount { expected: h.names.len(), found };
            return Err(self.error(missing, Some(&fields.join(",")), kind));
        }
        // Every field must be UTF-8, used or not.
        for column in 0..found {
            self.field(column)?;
        }
        let id = self.field(h.id)?;
        let (lower, _) = self.integer(h.lower)?;
        let (mut upper, upper_text) = self.integer(h.upper)?;
        if h.inclusive_end {
            upper = upper
                .checked_add(1)
                .ok_or_else(|| self.error(Some(h.upper), Some(upper_text), CsvErrorKind::IntegerOverflow))?;
        }
        let (size, size_text) = self.integer(h.size)?;
        if size <= 0 {
            return Err(self.error(Some(h.size), Some(size_text), CsvErrorKind::NonPositiveSize));
        }
        if upper <= lower {
            return Err(self.error(
                Some(h.upper),
                Some(upper_text),
                CsvErrorKind::EmptyLifespan { lower, upper },
            ));
        }
        let mut buffer = Buffer::new(id, lower, upper, size);
        if let Some(column) = h.alignment {
            let (alignment, text) = self.integer(column)?;
            if alignment < 1 {
                return Err(self.error(Some(column), Some(text), CsvErrorKind::BadAlignment));
            }
            buffer.alignment = alignment;
        }
        if let Some(column) = h.hint {
            let (hint, text) = self.integer(column)?;
            if hint < -1 {
                return Err(self.error(Some(column), Some(text), CsvErrorKind::BadHint));
            }
            buffer.hint = (hint >= 0).then_some(hint);
        }
        if let Some(column) = h.gaps {
            buffer.gaps = self.gaps(column, lower, upper, size)?;
        }
        // An empty `offset` field leaves that buffer free.
        if let Some(column) = h.offset.filter(|&c| !self.field(c).is_ok_and(|t| t.trim().is_empty())) {
            let (offset, text) = self.integer(column)?;
            if offset < 0 {
                return Err(self.error(Some(column), Some(text), CsvErrorKind::NegativeOffset));
            }
            if offset.checked_add(size).is_none() {
                return Err(self.error(Some(column), Some(text), CsvErrorKind::OffsetOverflow));
            }
            buffer.offset = Some(offset);
        }
        Ok(buffer)
    }

    /// Parses and checks the gaps in field `column` of a buffer with the given
    /// lifespan and size.
    fn gaps(&self, column: usize, lower: i64, upper: i64, size: i64) -> Result<Vec<Gap>, CsvError> {
        let mut gaps = Vec::new();
        let mut previous_upper: Option<i64> = None;
        for item in self.field(column)?.split_ascii_whitespace() {
            let error = |kind| self.error(Some(column), Some(item), kind);
            let (gap_lower, mut gap_upper, window) = parse_gap(item).map_err(error)?;
            if self.header.inclusive_end {
                gap_upper = gap_upper.checked_add(1).ok_or_else(|| error(CsvErrorKind::IntegerOverflow))?;
            }
            if gap_upper <= gap_lower {
                return Err(error(CsvErrorKind::EmptyGap));
            }
            if gap_lower < lower || gap_upper > upper {
                return Err(error(CsvErrorKind::GapOutsideLifespan { lower, upper }));
            }
            if let Some(previous_upper) = previous_upper.filter(|&p| gap_lower < p) {
                return Err(error(CsvErrorKind::GapOverlap { previous_upper }));
            }
            if let Some(w) = window {
                if w.lower < 0 || w.upper > size || w.lower > w.upper {
                    return Err(error(CsvErrorKind::BadWindow { size }));
                }
            }
            previous_upper = Some(gap_upper);
            gaps.push(Gap { lifespan: Interval::new(gap_lower, gap_upper), window });
        }
        Ok(gaps)
    }
}

/// Parses a decimal integer: surrounding ASCII whitespace and a leading `+`
/// are allowed.
fn parse_integer(text: &str) -> Result<i64, CsvErrorKind> {
    text.trim_matches(|c: char| c.is_ascii_whitespace()).parse::<i64>().map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => CsvErrorKind::IntegerOverflow,
        _ => CsvErrorKind::MalformedInteger,
    })
}

/// Parses one gap, `L-U` or `L-U@A:B`, with `U` as written (not adjusted for
/// an inclusive end).
fn parse_gap(item: &str) -> Result<(i64, i64, Option<Interval>), CsvErrorKind> {
    let number = |text: &str| {
        parse_integer(text).map_err(|kind| match kind {
            CsvErrorKind::IntegerOverflow => CsvErrorKind::IntegerOverflow,
            _ => CsvErrorKind::MalformedGap,
        })
    };
    let (time, window) = match item.split_once('@') {
        Some((time, window)) => (time, Some(window)),
        None => (item, None),
    };
    // Split at the first '-' after the first character, which may be a sign.
    let dash = time.char_indices().skip(1).find(|&(_, c)| c == '-').map(|(i, _)| i);
    let (lower, upper) = match dash.and_then(|i| Some((time.get(..i)?, time.get(i + 1..)?))) {
        Some(parts) => parts,
        None => return Err(CsvErrorKind::MalformedGap),
    };
    let (lower, upper) = (number(lower)?, number(upper)?);
    let window = match window {
        None => None,
        Some(window) => {
            let (a, b) = window.split_once(':').ok_or(CsvErrorKind::MalformedGap)?;
            Some(Interval::new(number(a)?, number(b)?))
        }
    };
    Ok((lower, upper, window))
}

/// Finds duplicate ids without keeping a copy of each id: ids are hashed
/// (with a per-process random key) and compared against the buffers read.
#[derive(Default)]
struct IdIndex {
    hasher: RandomState,
    /// For each id hash, the first buffer with that hash and its line.
    first: HashMap<u64, (usize, u64), BuildHasherDefault<PassThroughHasher>>,
    /// Buffers whose id hash collided with a different id (practically never).
    collided: Vec<(usize, u64)>,
}

impl IdIndex {
    /// Records that buffer `index`, on `line`, has `id`; if an earlier buffer
    /// in `buffers` has the same id, returns its line instead.
    fn insert(&mut self, buffers: &[Buffer], id: &str, index: usize, line: u64) -> Option<u64> {
        let same_id = |&(i, _): &(usize, u64)| buffers.get(i).is_some_and(|b| b.id == id);
        match self.first.entry(self.hasher.hash_one(id)) {
            Entry::Vacant(entry) => {
                entry.insert((index, line));
                None
            }
            Entry::Occupied(entry) => {
                if let Some(&(_, first_line)) = Some(entry.get())
                    .filter(|e| same_id(e))
                    .or_else(|| self.collided.iter().find(|e| same_id(e)))
                {
                    return Some(first_line);
                }
                self.collided.push((index, line));
                None
            }
        }
    }
}

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default)]
struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// The flavour of CSV to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvFormat {
    /// Columns `id,lower,upper,size,...`; lifespans and gaps half-open.
    #[default]
    Standard,
    /// The older format: columns `id,start,end,size,...`, where `end` and the
    /// end of each gap are inclusive (one less than in the standard format).
    Legacy,
}

/// Writes a problem, and optionally a solution, in MiniMalloc CSV format (see
/// the [module docs](self)).
///
/// The output is byte-for-byte that of the reference implementation: header
/// `id,lower,upper,size` (or `id,start,end,size` in [`CsvFormat::Legacy`]),
/// then `alignment` if some buffer's alignment is not 1, `hint` if some buffer
/// has a hint (`-1` is written for the others), `gaps` if some buffer has
/// gaps, and `offset` (from `solution`) if a solution is given; then one line
/// per buffer, in order, each ending in `\n`. Ids are written as they are,
/// unless they contain a comma, a double quote, a carriage return or a line
/// feed, or start or end with whitespace: then they are quoted so that they
/// read back unchanged. Fixed offsets stored in the buffers are not written;
/// pass them as a solution (see [`Problem::strip_solution`]).
///
/// Fails with [`io::ErrorKind::InvalidInput`], before writing anything, if the
/// solution has fewer offsets than the problem has buffers; otherwise fails
/// only if the writer does.
pub fn write_csv<W: Write>(
    writer: W,
    problem: &Problem,
    solution: Option<&Solution>,
    format: CsvFormat,
) -> io::Result<()> {
    if let Some(solution) = solution {
        if solution.offsets.len() < problem.buffers.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the solution has {} offsets but the problem has {} buffers",
                    solution.offsets.len(),
                    problem.buffers.len()
                ),
            ));
        }
    }
    let mut out = BufWriter::with_capacity(64 * 1024, writer);
    write_lines(&mut out, problem, solution, format)?;
    out.flush()
}

/// Writes a problem, and optionally a solution, as CSV text in the standard
/// format; see [`write_csv`].
///
/// If the solution has fewer offsets than the problem has buffers (a bug in
/// the caller), the missing offsets are left empty.
pub fn to_csv(problem: &Problem, solution: Option<&Solution>) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_lines(&mut out, problem, solution, CsvFormat::Standard);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn write_lines<W: Write>(
    out: &mut W,
    problem: &Problem,
    solution: Option<&Solution>,
    format: CsvFormat,
) -> io::Result<()> {
    let buffers = &problem.buffers;
    let alignment = buffers.iter().any(|b| b.alignment != 1);
    let hint = buffers.iter().any(|b| b.hint.is_some());
    let gaps = buffers.iter().any(|b| !b.gaps.is_empty());
    let legacy = format == CsvFormat::Legacy;

    let mut line = Vec::with_capacity(256);
    line.extend_from_slice(if legacy { b"id,start,end,size" } else { b"id,lower,upper,size" });
    for (present, name) in
        [(alignment, ",alignment"), (hint, ",hint"), (gaps, ",gaps"), (solution.is_some(), ",offset")]
    {
        if present {
            line.extend_from_slice(name.as_bytes());
        }
    }
    line.push(b'\n');
    out.write_all(&line)?;

    // In the legacy format, ends are inclusive.
    let end = |upper: i64, line: &mut Vec<u8>| match (legacy, upper.checked_sub(1)) {
        (false, _) => push_integer(line, upper),
        (true, Some(end)) => push_integer(line, end),
        (true, None) => line.extend_from_slice(b"-9223372036854775809"),
    };
    for (index, buffer) in buffers.iter().enumerate() {
        line.clear();
        push_id(&mut line, &buffer.id);
        line.push(b',');
        push_integer(&mut line, buffer.lifespan.lower);
        line.push(b',');
        end(buffer.lifespan.upper, &mut line);
        line.push(b',');
        push_integer(&mut line, buffer.size);
        if alignment {
            line.push(b',');
            push_integer(&mut line, buffer.alignment);
        }
        if hint {
            line.push(b',');
            push_integer(&mut line, buffer.hint.unwrap_or(-1));
        }
        if gaps {
            line.push(b',');
            for (i, gap) in buffer.gaps.iter().enumerate() {
                if i > 0 {
                    line.push(b' ');
                }
                push_integer(&mut line, gap.lifespan.lower);
                line.push(b'-');
                end(gap.lifespan.upper, &mut line);
                if let Some(window) = gap.window {
                    line.push(b'@');
                    push_integer(&mut line, window.lower);
                    line.push(b':');
                    push_integer(&mut line, window.upper);
                }
            }
        }
        if let Some(solution) = solution {
            line.push(b',');
            if let Some(&offset) = solution.offsets.get(index) {
                push_integer(&mut line, offset);
            }
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    Ok(())
}

/// Appends an id, quoted if it would not otherwise read back unchanged.
fn push_id(line: &mut Vec<u8>, id: &str) {
    let needs_quotes = id.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        || id.starts_with(char::is_whitespace)
        || id.ends_with(char::is_whitespace);
    if !needs_quotes {
        line.extend_from_slice(id.as_bytes());
        return;
    }
    line.push(b'"');
    for &b in id.as_bytes() {
        if b == b'"' {
            line.push(b'"');
        }
        line.push(b);
    }
    line.push(b'"');
}

/// Appends an integer in decimal.
fn push_integer(line: &mut Vec<u8>, value: i64) {
    // 20 digits hold any u64.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = value.unsigned_abs();
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
        start -= 1;
        if rest == 0 {
            break;
        }
    }
    if value < 0 {
        line.push(b'-');
    }
    line.extend_from_slice(digits.get(start..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(lower: i64, upper: i64, window: Option<(i64, i64)>) -> Gap {
        Gap { lifespan: Interval::new(lower, upper), window: window.map(|(a, b)| Interval::new(a, b)) }
    }

    fn buffer(id: &str, lower: i64, upper: i64, size: i64) -> Buffer {
        Buffer::new(id, lower, upper, size)
    }

    /// The reference's test problem: two buffers, a hint, alignment, gaps.
    fn reference_problem() -> Problem {
        let mut b0 = buffer("0", 5, 10, 15);
        b0.hint = Some(0);
        let mut b1 = buffer("1", 6, 12, 18);
        b1.alignment = 2;
        b1.gaps = vec![gap(7, 8, None), gap(9, 10, Some((1, 17)))];
        Problem { buffers: vec![b0, b1], capacity: 40 }
    }

    fn read_err(text: &str) -> CsvError {
        match read_problem(text.as_bytes(), "input.csv") {
            Ok(problem) => panic!("expected an error, read {problem:?}"),
            Err(e) => e,
        }
    }

    /// Checks the error's location and text, and that its message shows them.
    fn check(e: &CsvError, line: u64, column: Option<&str>, text: Option<&str>) {
        assert_eq!(e.source_name(), "input.csv");
        assert_eq!(e.line(), Some(line), "{e}");
        assert_eq!(e.column(), column, "{e}");
        assert_eq!(e.text(), text, "{e}");
        let message = e.to_string();
        assert!(message.starts_with(&format!("input.csv:{line}: ")), "{message}");
        if let Some(column) = column {
            assert!(message.contains(&format!("column \"{column}\": ")), "{message}");
        }
        if let Some(text) = text {
            assert!(message.ends_with(&format!(": {text:?}")), "{message}");
        }
        assert!(!message.contains('\n'), "{message}");
    }

    #[test]
    fn writes_reference_bytes() {
        let p = reference_problem();
        assert_eq!(
            to_csv(&p, None),
            "id,lower,upper,size,alignment,hint,gaps\n0,5,10,15,1,0,\n1,6,12,18,2,-1,7-8 9-10@1:17\n"
        );
        let mut q = p.clone();
        q.buffers[0].hint = None;
        assert_eq!(
            to_csv(&q, None),
            "id,lower,upper,size,alignment,gaps\n0,5,10,15,1,\n1,6,12,18,2,7-8 9-10@1:17\n"
        );
        q.buffers[1].gaps.clear();
        q.buffers[1].alignment = 1;
        assert_eq!(to_csv(&q, None), "id,lower,upper,size\n0,5,10,15\n1,6,12,18\n");
        let mut r = p.clone();
        r.buffers[1].gaps.clear();
        assert_eq!(to_csv(&r, None), "id,lower,upper,size,alignment,hint\n0,5,10,15,1,0\n1,6,12,18,2,-1\n");
    }

    #[test]
    fn writes_solution_offsets() {
        let mut p = reference_problem();
        p.buffers[0].hint = None;
        p.buffers[1].gaps = vec![gap(7, 8, None), gap(9, 10, None)];
        let s = Solution { offsets: vec![1, 21], height: 39 };
        assert_eq!(
            to_csv(&p, Some(&s)),
            "id,lower,upper,size,alignment,gaps,offset\n0,5,10,15,1,,1\n1,6,12,18,2,7-8 9-10,21\n"
        );
        let mut out = Vec::new();
        write_csv(&mut out, &p, Some(&s), CsvFormat::Standard).unwrap();
        assert_eq!(out, to_csv(&p, Some(&s)).into_bytes());
    }

    #[test]
    fn short_solution_is_an_input_error() {
        let p = reference_problem();
        let s = Solution { offsets: vec![1], height: 16 };
        let mut out = Vec::new();
        let e = write_csv(&mut out, &p, Some(&s), CsvFormat::Standard).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(out.is_empty());
        assert!(to_csv(&p, Some(&s)).ends_with(",\n"));
    }

    #[test]
    fn writes_legacy_format() {
        let mut p =
            Problem { buffers: vec![buffer("Little", 5, 10, 15), buffer("Big", 6, 12, 18)], capacity: 40 };
        p.buffers[1].alignment = 2;
        p.buffers[1].gaps = vec![gap(7, 8, None), gap(9, 10, Some((0, 3)))];
        let mut out = Vec::new();
        write_csv(&mut out, &p, None, CsvFormat::Legacy).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "id,start,end,size,alignment,gaps\nLittle,5,9,15,1,\nBig,6,11,18,2,7-7 9-9@0:3\n");
        assert_eq!(from_csv(&text).unwrap(), Problem { capacity: 0, ..p });
    }

    #[test]
    fn writes_empty_problem() {
        assert_eq!(to_csv(&Problem::default(), None), "id,lower,upper,size\n");
        let s = Solution::default();
        assert_eq!(to_csv(&Problem::default(), Some(&s)), "id,lower,upper,size,offset\n");
        assert_eq!(from_csv("id,lower,upper,size\n").unwrap(), Problem::default());
    }

    #[test]
    fn writes_extreme_integers() {
        let mut b = buffer("x", i64::MIN, i64::MAX, i64::MAX);
        b.hint = Some(0);
        let p = Problem { buffers: vec![b], capacity: 0 };
        let text = to_csv(&p, None);
        assert_eq!(
            text,
            "id,lower,upper,size,hint\nx,-9223372036854775808,9223372036854775807,9223372036854775807,0\n"
        );
        assert_eq!(from_csv(&text).unwrap(), p);
    }

    #[test]
    fn round_trips() {
        let mut p = reference_problem();
        p.capacity = 0;
        let mut b2 = buffer("two words", -5, 100, 7);
        b2.gaps = vec![gap(-5, 0, Some((0, 0))), gap(0, 3, None), gap(50, 100, Some((2, 7)))];
        b2.alignment = 16;
        b2.hint = Some(123);
        p.buffers.push(b2);
        for id in ["a,b", "say \"hi\"", " lead", "trail ", "multi\nline", "cr\r", "", "é", "\"", "x\u{a0}"] {
            p.buffers.push(buffer(id, 0, 1, 1));
        }
        assert_eq!(from_csv(&to_csv(&p, None)).unwrap(), p);

        // With a solution: offsets come back as fixed offsets.
        let offsets: Vec<i64> = (0..p.buffers.len() as i64).map(|i| i * 10).collect();
        let s = Solution::from_offsets(&p, offsets.clone());
        let mut solved = from_csv(&to_csv(&p, Some(&s))).unwrap();
        let mut expected = p.clone();
        for (b, &o) in expected.buffers.iter_mut().zip(&offsets) {
            b.offset = Some(o);
        }
        assert_eq!(solved, expected);
        assert_eq!(solved.strip_solution().unwrap(), s);
        assert_eq!(solved, p);
    }

    #[test]
    fn quotes_only_ids_that_need_it() {
        let p = Problem {
            buffers: vec![buffer("a,b", 0, 1, 1), buffer("q\"", 0, 1, 1), buffer("plain-id_1", 0, 1, 1)],
            capacity: 0,
        };
        assert_eq!(
            to_csv(&p, None),
            "id,lower,upper,size\n\"a,b\",0,1,1\n\"q\"\"\",0,1,1\nplain-id_1,0,1,1\n"
        );
    }

    #[test]
    fn reads_reference_examples() {
        let p = from_csv("lower,size,id,upper\n6,18,1,12\n5,15,0,10\n").unwrap();
        assert_eq!(p, Problem { buffers: vec![buffer("1", 6, 12, 18), buffer("0", 5, 10, 15)], capacity: 0 });

        let p = from_csv("begin,size,buffer,upper,alignment,hint\n6,18,1,12,2,0\n5,15,0,10,1,-1\n").unwrap();
        let mut b1 = buffer("1", 6, 12, 18);
        b1.alignment = 2;
        b1.hint = Some(0);
        assert_eq!(p.buffers, vec![b1, buffer("0", 5, 10, 15)]);

        let p = from_csv("start,size,buffer_id,upper,alignment,gaps\n6,18,1,12,2,\n5,15,0,10,1,\n").unwrap();
        assert!(p.buffers.iter().all(|b| b.gaps.is_empty()));

        let p = from_csv("start,size,offset,buffer,upper\n6,18,21,1,12\n5,15,1,0,10\n").unwrap();
        assert_eq!(p.buffers[0].offset, Some(21));
        assert_eq!(p.buffers[1].offset, Some(1));
        assert_eq!(p.buffers[1].id, "0");
    }

    #[test]
    fn reads_inclusive_end_and_aliases() {
        let p = from_csv("start,size,buffer_id,end,gaps\n6,18,1,11,7-8 \n5,15,0,13,6-7 9-10@2:13\n").unwrap();
        let mut b1 = buffer("1", 6, 12, 18);
        b1.gaps = vec![gap(7, 9, None)];
        let mut b0 = buffer("0", 5, 14, 15);
        b0.gaps = vec![gap(6, 8, None), gap(9, 11, Some((2, 13)))];
        assert_eq!(p.buffers, vec![b1, b0]);

        let p = from_csv("buffer,begin,upper,size\nx,1,2,3\n").unwrap();
        assert_eq!(p.buffers, vec![buffer("x", 1, 2, 3)]);
        let p = from_csv("size,upper,begin,buffer\n3,2,1,x\n").unwrap();
        assert_eq!(p.buffers, vec![buffer("x", 1, 2, 3)]);
    }

    #[test]
    fn reads_loose_syntax() {
        let text = "\u{feff}id , lower,upper,size,comment\r\n\r\na, +1 ,2,3,\"x, y\"\r\n  \r\n\"b\"\"\",1,\" 2\",3,\"multi\r\nline\"\r\n\r\n\n";
        let p = read_problem(text.as_bytes(), "input.csv").unwrap();
        assert_eq!(p.buffers, vec![buffer("a", 1, 2, 3), buffer("b\"", 1, 2, 3)]);
        assert_eq!(p.capacity, 0);
        // No final line end.
        assert_eq!(from_csv("id,lower,upper,size\na,1,2,3").unwrap().buffers, vec![buffer("a", 1, 2, 3)]);
    }

    #[test]
    fn reports_physical_lines() {
        // Blank lines, CRLF and quoted newlines do not throw line numbers off.
        let e = read_err("\n\nid,lower,upper,size\n\n\na,1,2,3\nb,1,2,0\n");
        check(&e, 7, Some("size"), Some("0"));
        let e = read_err("id,lower,upper,size\r\n\r\na,1,2,3\r\nb,1,2,0\r\n");
        check(&e, 4, Some("size"), Some("0"));
        let e = read_err("id,lower,upper,size\r\n\"a\r\nb\",1,2,3\r\nc,1,2,0");
        check(&e, 4, Some("size"), Some("0"));
        let e = read_err("id,lower,upper,size\n\"a\nb\",1,2,0\n");
        check(&e, 2, Some("size"), Some("0"));
        let e = read_err("id,lower,upper\n");
        assert_eq!(e.line(), Some(1));
        let e = read_err("\r\n\r\nid,lower,upper\r\n");
        assert_eq!(e.line(), Some(3));
    }

    #[test]
    fn reports_lines_across_chunks() {
        let mut text = String::from("id,lower,upper,size\n");
        for i in 0..20_000 {
            text.push_str(&format!("b{i},0,{},{}\n", i + 1, i % 7 + 1));
            if i % 3 == 0 {
                text.push('\n');
            }
        }
        let lines = text.lines().count() as u64;
        let p = from_csv(&text).unwrap();
        assert_eq!(p.buffers.len(), 20_000);
        text.push_str("bad,0,1,0\n");
        let e = read_err(&text);
        check(&e, lines + 1, Some("size"), Some("0"));
        let crlf = text.replace('\n', "\r\n");
        let e = read_err(&crlf);
        check(&e, lines + 1, Some("size"), Some("0"));
    }

    #[test]
    fn error_empty_input() {
        for text in ["", "\n\n", "\u{feff}", "\r\n  \r\n"] {
            let e = read_err(text);
            assert!(matches!(e.kind(), CsvErrorKind::EmptyInput), "{e}");
            assert_eq!(e.line(), None);
            assert!(e.to_string().starts_with("input.csv: input is empty"), "{e}");
        }
    }

    #[test]
    fn error_invalid_utf8() {
        let e = read_problem(&b"id,lower,upper,size\na,1,2,3\nb\xff,1,2,3\n"[..], "input.csv").unwrap_err();
        assert!(matches!(e.kind(), CsvErrorKind::InvalidUtf8), "{e}");
        check(&e, 3, Some("id"), Some("b\u{fffd}"));
        // In an ignored column too.
        let e = read_problem(&b"id,lower,upper,size,x\na,1,2,3,\xc3\n"[..], "input.csv").unwrap_err();
        check(&e, 2, Some("x"), Some("\u{fffd}"));
        // A character split across two fields.
        let e = read_problem(&b"id,lower,upper,size\na\xc3,\xa91,2,3\n"[..], "input.csv").unwrap_err();
        assert!(matches!(e.kind(), CsvErrorKind::InvalidUtf8), "{e}");
        check(&e, 2, Some("id"), Some("a\u{fffd}"));
        // In the header.
        let e = read_problem(&b"id,lower,upper,size,\xff\n"[..], "input.csv").unwrap_err();
        assert!(matches!(e.kind(), CsvErrorKind::InvalidUtf8), "{e}");
        check(&e, 1, None, Some("\u{fffd}"));
    }

    #[test]
    fn error_missing_column() {
        let e = read_err("id,lower,size\na,1,3\n");
        match e.kind() {
            CsvErrorKind::MissingColumn { name, header } => {
                assert_eq!(*name, "upper");
                assert_eq!(header, &["id", "lower", "size"]);
            }
            other => panic!("{other:?}"),
        }
        check(&e, 1, None, None);
        assert_eq!(
            e.to_string(),
            "input.csv:1: missing required column \"upper\" (header has: id, lower, size)"
        );
        // Names are case-sensitive.
        let e = read_err("ID,lower,upper,size\n");
        assert!(matches!(e.kind(), CsvErrorKind::MissingColumn { name: "id", .. }), "{e}");
    }

    #[test]
    fn error_duplicate_column() {
        for (text, second, first) in [
            ("id,lower,upper,size,buffer\n", "buffer", "id"),
            ("id,lower,upper,size,lower\n", "lower", "lower"),
            ("id,start,begin,upper,size\n", "begin", "start"),
            ("id,lower,upper,end,size\n", "end", "upper"),
            ("id,lower,upper,size,offset, offset \n", "offset", "offset"),
        ] {
            let e = read_err(text);
            assert!(matches!(e.kind(), CsvErrorKind::DuplicateColumn { first: f } if f == first), "{e}");
            check(&e, 1, Some(second), None);
        }
        // Unknown columns may repeat.
        assert!(from_csv("id,lower,upper,size,x,x\n").is_ok());
    }

    #[test]
    fn error_field_count() {
        let e = read_err("id,lower,upper,size\na,1,2,3\n\nb,1,2,3,4\n");
        assert!(matches!(e.kind(), CsvErrorKind::FieldCount { expected: 4, found: 5 }), "{e}");
        check(&e, 4, None, Some("b,1,2,3,4"));
        assert_eq!(e.to_string(), "input.csv:4: expected 4 fields as in the header, found 5: \"b,1,2,3,4\"");
        // A short line names the first column it lacks.
        let e = read_err("id,lower,upper,size\na,1,2\n");
        assert!(matches!(e.kind(), CsvErrorKind::FieldCount { expected: 4, found: 3 }), "{e}");
        check(&e, 2, Some("size"), Some("a,1,2"));
    }

    #[test]
    fn error_malformed_integer() {
        for (text, column, bad) in [
            ("id,lower,upper,size\na,x,2,3\n", "lower", "x"),
            ("id,lower,upper,size\na,1,2,\n", "size", ""),
            ("id,lower,upper,size\na,1,2,3.5\n", "size", "3.5"),
            ("id,lower,upper,size\na,1,1 2,3\n", "upper", "1 2"),
            ("id,lower,upper,size,alignment\na,1,2,3,++1\n", "alignment", "++1"),
            ("id,lower,upper,size,hint\na,1,2,3,b\n", "hint", "b"),
            ("id,lower,upper,size,offset\na,1,2,3,x\n", "offset", "x"),
        ] {
            let e = read_err(text);
            assert!(matches!(e.kind(), CsvErrorKind::MalformedInteger), "{e}");
            check(&e, 2, Some(column), Some(bad));
        }
        let e = read_err("id,lower,upper,size\na,1,2,abc\n");
        assert_eq!(e.to_string(), "input.csv:2: column \"size\": malformed integer: \"abc\"");
    }

    #[test]
    fn error_integer_overflow() {
        for (text, column, bad) in [
            ("id,lower,upper,size\na,1,2,9223372036854775808\n", "size", "9223372036854775808"),
            ("id,lower,upper,size\na,-9223372036854775809,2,3\n", "lower", "-9223372036854775809"),
            ("id,start,end,size\na,1,9223372036854775807,3\n", "end", "9223372036854775807"),
            ("id,lower,upper,size,gaps\na,1,5,3,1-99999999999999999999\n", "gaps", "1-99999999999999999999"),
            ("id,lower,end,size,gaps\na,1,5,3,1-9223372036854775807\n", "gaps", "1-9223372036854775807"),
        ] {
            let e = read_err(text);
            assert!(matches!(e.kind(), CsvErrorKind::IntegerOverflow), "{e}");
            check(&e, 2, Some(column), Some(bad));
        }
    }

    #[test]
    fn error_malformed_gap() {
        for bad in ["1-2-3", "A-B", "12", "-5", "1-", "-1-", "1-2@3", "1-2@3:", "1-2@3:4@5", "1-2@:4", "@1:2"]
        {
            let text = format!("id,lower,upper,size,gaps\na,0,10,8,0-1 {bad}\n");
            let e = read_err(&text);
            assert!(matches!(e.kind(), CsvErrorKind::MalformedGap), "{bad}: {e}");
            check(&e, 2, Some("gaps"), Some(bad));
        }
        // A leading minus sign is read as a sign: the gap is then outside the lifespan.
        let e = read_err("id,lower,upper,size,gaps\na,0,10,8,-3-5\n");
        assert!(matches!(e.kind(), CsvErrorKind::GapOutsideLifespan { lower: 0, upper: 10 }), "{e}");
    }

    #[test]
    fn error_non_positive_size() {
        let e = read_err("id,lower,upper,size\na,1,2,3\nb,1,2,0\n");
        assert!(matches!(e.kind(), CsvErrorKind::NonPositiveSize), "{e}");
        check(&e, 3, Some("size"), Some("0"));
        assert_eq!(e.to_string(), "input.csv:3: column \"size\": size must be positive: \"0\"");
        let e = read_err("id,lower,upper,size\nb,1,2,-4\n");
        assert!(matches!(e.kind(), CsvErrorKind::NonPositiveSize), "{e}");
    }

    #[test]
    fn error_empty_lifespan() {
        let e = read_err("id,lower,upper,size\na,5,5,1\n");
        assert!(matches!(e.kind(), CsvErrorKind::EmptyLifespan { lower: 5, upper: 5 }), "{e}");
        check(&e, 2, Some("upper"), Some("5"));
        let e = read_err("id,start,end,size\na,5,3,1\n");
        assert!(matches!(e.kind(), CsvErrorKind::EmptyLifespan { lower: 5, upper: 4 }), "{e}");
        check(&e, 2, Some("end"), Some("3"));
        // An inclusive end equal to the start is one time step.
        assert_eq!(from_csv("id,start,end,size\na,5,5,1\n").unwrap().buffers, vec![buffer("a", 5, 6, 1)]);
    }

    #[test]
    fn error_bad_alignment() {
        let e = read_err("id,lower,upper,size,alignment\na,1,2,3,0\n");
        assert!(matches!(e.kind(), CsvErrorKind::BadAlignment), "{e}");
        check(&e, 2, Some("alignment"), Some("0"));
    }

    #[test]
    fn error_bad_hint() {
        let e = read_err("id,lower,upper,size,hint\na,1,2,3,-1\nb,1,2,3,-2\n");
        assert!(matches!(e.kind(), CsvErrorKind::BadHint), "{e}");
        check(&e, 3, Some("hint"), Some("-2"));
    }

    #[test]
    fn error_negative_offset() {
        let e = read_err("id,lower,upper,size,offset\na,1,2,3,-1\n");
        assert!(matches!(e.kind(), CsvErrorKind::NegativeOffset), "{e}");
        check(&e, 2, Some("offset"), Some("-1"));
    }

    #[test]
    fn empty_offset_leaves_the_buffer_free() {
        let p = from_csv("id,lower,upper,size,offset\na,1,2,3,\nb,1,2,3,5\nc,1,2,3, \n").unwrap();
        let offsets: Vec<_> = p.buffers.iter().map(|b| b.offset).collect();
        assert_eq!(offsets, [None, Some(5), None]);
        // Other integer columns still need a value.
        let e = read_err("id,lower,upper,size,alignment\na,1,2,3,\n");
        assert!(matches!(e.kind(), CsvErrorKind::MalformedInteger), "{e}");
    }

    #[test]
    fn error_offset_overflow() {
        let e = read_err("id,lower,upper,size,offset\na,1,2,3,9223372036854775805\n");
        assert!(matches!(e.kind(), CsvErrorKind::OffsetOverflow), "{e}");
        check(&e, 2, Some("offset"), Some("9223372036854775805"));
        assert!(from_csv("id,lower,upper,size,offset\na,1,2,3,9223372036854775804\n").is_ok());
    }

    #[test]
    fn error_empty_gap() {
        for bad in ["3-3", "4-3"] {
            let e = read_err(&format!("id,lower,upper,size,gaps\na,0,10,8,{bad}\n"));
            assert!(matches!(e.kind(), CsvErrorKind::EmptyGap), "{e}");
            check(&e, 2, Some("gaps"), Some(bad));
        }
        // With an inclusive end, 3-3 is one time step.
        let p = from_csv("id,lower,end,size,gaps\na,0,9,8,3-3\n").unwrap();
        assert_eq!(p.buffers[0].gaps, vec![gap(3, 4, None)]);
        let e = read_err("id,lower,end,size,gaps\na,0,9,8,3-2\n");
        assert!(matches!(e.kind(), CsvErrorKind::EmptyGap), "{e}");
    }

    #[test]
    fn error_gap_outside_lifespan() {
        for bad in ["9-11", "4-6"] {
            let e = read_err(&format!("id,lower,upper,size,gaps\na,5,10,8,{bad}\n"));
            assert!(matches!(e.kind(), CsvErrorKind::GapOutsideLifespan { lower: 5, upper: 10 }), "{e}");
            check(&e, 2, Some("gaps"), Some(bad));
        }
        let e = read_err("id,lower,end,size,gaps\na,5,9,8,9-10\n");
        assert!(matches!(e.kind(), CsvErrorKind::GapOutsideLifespan { lower: 5, upper: 10 }), "{e}");
        assert!(from_csv("id,lower,end,size,gaps\na,5,9,8,5-9\n").is_ok());
    }

    #[test]
    fn error_gap_overlap() {
        for gaps in ["1-4 3-5", "5-7 1-2", "1-4 1-4"] {
            let e = read_err(&format!("id,lower,upper,size,gaps\na,0,10,8,{gaps}\n"));
            assert!(matches!(e.kind(), CsvErrorKind::GapOverlap { .. }), "{e}");
            let second = gaps.split(' ').nth(1).unwrap();
            check(&e, 2, Some("gaps"), Some(second));
        }
        // Touching gaps are fine.
        assert!(from_csv("id,lower,upper,size,gaps\na,0,10,8,1-4 4-5\n").is_ok());
    }

    #[test]
    fn error_bad_window() {
        for bad in ["1-2@-1:3", "1-2@0:9", "1-2@3:2"] {
            let e = read_err(&format!("id,lower,upper,size,gaps\na,0,10,8,{bad}\n"));
            assert!(matches!(e.kind(), CsvErrorKind::BadWindow { size: 8 }), "{e}");
            check(&e, 2, Some("gaps"), Some(bad));
        }
        assert!(from_csv("id,lower,upper,size,gaps\na,0,10,8,1-2@0:8 3-4@3:3\n").is_ok());
    }

    #[test]
    fn error_duplicate_id() {
        let e = read_err("buffer,lower,upper,size\na,1,2,3\nb,1,2,3\n\na,4,5,6\n");
        assert!(matches!(e.kind(), CsvErrorKind::DuplicateId { first_line: 2 }), "{e}");
        check(&e, 5, Some("buffer"), Some("a"));
        assert_eq!(
            e.to_string(),
            "input.csv:5: column \"buffer\": duplicate id (first used on line 2): \"a\""
        );
        // Ids are compared exactly.
        assert!(from_csv("id,lower,upper,size\na,1,2,3\n\"a \",1,2,3\nA,1,2,3\n").is_ok());
    }

    #[test]
    fn id_index_survives_hash_collisions() {
        let mut buffers = vec![buffer("a", 0, 1, 1)];
        let mut ids = IdIndex::default();
        assert_eq!(ids.insert(&buffers, "a", 0, 2), None);
        // Pretend "b" hashes like "a".
        let hash_b = ids.hasher.hash_one("b");
        ids.first.insert(hash_b, (0, 2));
        assert_eq!(ids.insert(&buffers, "b", 1, 3), None);
        buffers.push(buffer("b", 0, 1, 1));
        assert_eq!(ids.insert(&buffers, "b", 2, 4), Some(3));
        assert_eq!(ids.insert(&buffers, "c", 2, 4), None);
    }

    #[test]
    fn error_io() {
        let path = Path::new("/nonexistent/minimalloc/data.csv");
        let e = read_problem_file(path).unwrap_err();
        assert!(matches!(e.kind(), CsvErrorKind::Io(_)), "{e}");
        assert_eq!(e.source_name(), "/nonexistent/minimalloc/data.csv");
        assert_eq!(e.line(), None);
        assert!(e.to_string().starts_with("/nonexistent/minimalloc/data.csv: cannot read: "), "{e}");

        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let e = read_problem(Failing, "<stdin>").unwrap_err();
        assert!(matches!(e.kind(), CsvErrorKind::Io(_)), "{e}");
        assert_eq!(e.to_string(), "<stdin>: cannot read: disk on fire");
    }

    #[test]
    fn reads_file() {
        let path = std::env::temp_dir().join(format!("minimalloc-csv-test-{}.csv", std::process::id()));
        std::fs::write(&path, to_csv(&reference_problem(), None)).unwrap();
        let read = read_problem_file(&path);
        let _ = std::fs::remove_file(&path);
        assert_eq!(read.unwrap(), Problem { capacity: 0, ..reference_problem() });
    }

    #[test]
    fn push_integer_matches_display() {
        for v in [0, 1, -1, 9, 10, -10, 123_456_789, i64::MAX, i64::MIN, i64::MIN + 1] {
            let mut out = Vec::new();
            push_integer(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }
}
