//! Metrics stage: grouping the history's events by deal within a memory budget: the external sort between
//! reading ([`super::history`]) and the fold ([`super::compute`]).
//!
//! Rows are buffered compactly — each deal id once, each row as a deal number and a packed
//! event — until the budget is reached. The buffer is then sorted by (deal id, event) and
//! written to a temporary file as a run. At the end the runs and the last buffer are merged,
//! and each deal's events come out together, so the fold holds one deal at a time. When the
//! history fits in the budget nothing is written: the buffer is the only run.
//!
//! Runs are unnamed temporary files ([`tempfile::tempfile_in`]): the system removes them
//! when they are closed, on every way out, a crash included.

use std::fs::File;
use std::hash::BuildHasher;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use super::{Error, varint};

/// The default memory budget. Ten million rows (0.55 GB of CSV) spill a few runs, which
/// costs less than it saves: a smaller buffer's hash table and sorts stay closer to the CPU
/// caches (measured with `benches/metrics.sh`: 32 MiB to 128 MiB run as fast, 256 MiB slower).
pub(crate) const DEFAULT_MEMORY_LIMIT: usize = 128 << 20;

/// Most runs merged at once; more are merged in passes, so few files are open.
const FAN_IN: usize = 32;

/// Fewest runs a grouper merges at once when it shares [`FAN_IN`] with others.
const MIN_FAN_IN: usize = 4;

/// The least memory limit the command line takes: below it runs would hold a few rows each,
/// and a limit that small is most likely a unit left out (`100` for `100MiB`).
pub(crate) const MIN_MEMORY_LIMIT: usize = 1 << 20;

/// What a buffered row costs: its deal number and event, and the event again while sorting.
const ROW_BYTES: usize = 4 + 8 + 8;

/// What a buffered deal costs besides its id and hash slot: where its id ends, and its sort
/// key, rank and group start while sorting.
const DEAL_BYTES: usize = 4 + 16 + 4 + 4;

/// Longest deal id: the buffer finds ids by 32-bit offsets.
const MAX_ID_BYTES: usize = u32::MAX as usize;

/// Bytes of each run file's read and write buffers.
const IO_BUFFER: usize = 1 << 17;

/// Where runs go and how much memory the buffer may take.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Bytes the buffer may take before it is written out as a run.
    pub memory_limit: usize,
    /// Folder for the runs.
    pub temp_dir: PathBuf,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            memory_limit: DEFAULT_MEMORY_LIMIT,
            temp_dir: std::env::temp_dir(),
        }
    }
}

/// Collects events by deal, spilling sorted runs when the budget is reached.
///
/// Runs are kept by level, as in a log-structured merge: a spilled buffer is a run of level
/// 0, and when a level holds `fan_in` runs they are merged into one run of the next level.
/// Each row is so rewritten once per level — a number of times that grows with the logarithm
/// of the runs, where merging every run into one each time would rewrite the first rows once
/// per merge.
#[derive(Debug)]
pub(crate) struct Grouper {
    budget: Budget,
    /// Runs merged at once.
    fan_in: usize,
    buffer: Buffer,
    /// The runs of each level.
    levels: Vec<Vec<Run>>,
    spilled: usize,
}

/// A sorted run in a temporary file, read from its start.
#[derive(Debug)]
struct Run {
    file: File,
    /// Events it holds, to merge the smallest runs first.
    events: u64,
}

impl Grouper {
    /// An empty grouper.
    pub(crate) fn new(budget: Budget) -> Self {
        Self::one_of(budget, 1)
    }

    /// An empty grouper that is one of `parts` filled at once (one per part of a file read
    /// in parallel): it takes its share of the memory, and of the files open at once — each
    /// holds fewer than its fan-in runs per level, so its share keeps the whole process
    /// within a few times [`FAN_IN`] files (the default limit is 256 on macOS).
    pub(crate) fn one_of(budget: Budget, parts: usize) -> Self {
        let parts = parts.max(1);
        Self {
            budget: Budget {
                memory_limit: budget.memory_limit / parts,
                ..budget
            },
            fan_in: (FAN_IN / parts).max(MIN_FAN_IN),
            buffer: Buffer::default(),
            levels: Vec::new(),
            spilled: 0,
        }
    }

    /// Adds one event of a deal.
    pub(crate) fn push(&mut self, deal: &[u8], event: u64) -> Result<(), Error> {
        // An empty buffer takes a row with any shorter id.
        if deal.len() <= MAX_ID_BYTES {
            let limit = self.budget.memory_limit;
            if self.buffer.push(deal, event, limit) {
                return Ok(());
            }
            if !self.buffer.is_empty() {
                self.spill()?;
                if self.buffer.push(deal, event, limit) {
                    return Ok(());
                }
            }
        }
        Err(Error::new(format!(
            "a deal id is {} bytes long, longer than the 4 GiB a deal id may take\n  help: a quote left open in the CSV makes the rest of the file one field; check the quotes of the deal id column",
            deal.len()
        )))
    }

    fn spill(&mut self) -> Result<(), Error> {
        self.buffer.sort();
        let dir = &self.budget.temp_dir;
        let mut writer = RunWriter::create(dir)?;
        for rank in 0..self.buffer.deals() {
            let (id, events) = self.buffer.group(rank);
            writer.group(id, events).map_err(|e| write_error(dir, &e))?;
        }
        let mut run = writer.finish(dir)?;
        // The next rows reuse the memory, so it is not handed back and faulted in again.
        self.buffer.clear();
        self.spilled += 1;
        for level in 0.. {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let runs = &mut self.levels[level];
            runs.push(run);
            if runs.len() < self.fan_in {
                break;
            }
            run = merge_into_file(std::mem::take(runs), dir)?;
        }
        Ok(())
    }

    /// Ends the input and sorts what is still in memory, ready for [`Groups::merge`] with
    /// other groupers' (one per part of a file read in parallel).
    pub(crate) fn sort(self) -> Sorted {
        Sorted {
            memory: (!self.buffer.is_empty()).then(|| self.buffer.into_run()),
            runs: self.levels.into_iter().flatten().collect(),
            spilled: self.spilled,
            temp_dir: self.budget.temp_dir,
        }
    }
}

/// A grouper's runs, on disk and in memory, waiting to be merged.
#[derive(Debug)]
pub(crate) struct Sorted {
    runs: Vec<Run>,
    memory: Option<Buffer>,
    spilled: usize,
    temp_dir: PathBuf,
}

/// Rows held in memory: each deal id once, and per row a deal number and an event.
#[derive(Debug, Default)]
struct Buffer {
    /// Deal numbers, found by their id's hash.
    table: HashTable<u32>,
    /// The deal ids, one after another.
    ids: Vec<u8>,
    /// Where each deal's id ends in `ids`.
    ends: Vec<u32>,
    /// Each row's deal number.
    row_deals: Vec<u32>,
    /// Each row's event.
    row_events: Vec<u64>,
    /// Once sorted: each deal's id prefix and number, in id order.
    keys: Vec<(u64, u32)>,
    /// Once sorted: where each rank's events start in `grouped`.
    starts: Vec<u32>,
    /// Scratch space for sorting.
    slots: Vec<u32>,
    /// Once sorted: the events, grouped by deal in id order, each group sorted.
    grouped: Vec<u64>,
}

impl Buffer {
    fn is_empty(&self) -> bool {
        self.row_events.is_empty()
    }

    fn id(&self, deal: u32) -> &[u8] {
        id_in(&self.ids, &self.ends, deal as usize)
    }

    /// Memory taken now, and taken by sorting: capacities, so growth is counted when it
    /// happens rather than when it fills.
    fn footprint(&self) -> usize {
        self.table.allocation_size()
            + self.ids.capacity()
            + self.ends.capacity() * DEAL_BYTES
            + self.row_events.capacity() * ROW_BYTES
    }

    /// Adds a row, or says there is no room for it within `limit` (an empty buffer always
    /// takes one).
    fn push(&mut self, deal: &[u8], event: u64, limit: usize) -> bool {
        if self.row_events.len() == self.row_events.capacity() {
            let Some(more) = self.room(1, self.row_events.capacity(), ROW_BYTES, limit) else {
                return false;
            };
            if self.row_events.len() + more > u32::MAX as usize {
                return false;
            }
            self.row_deals.reserve_exact(more);
            self.row_events.reserve_exact(more);
        }
        let hash = FxBuildHasher.hash_one(deal);
        let number = if let Some(&number) = self.table.find(hash, |&d| self.id(d) == deal) {
            number
        } else {
            let Some(number) = self.add_deal(deal, hash, limit) else {
                return false;
            };
            number
        };
        self.row_deals.push(number);
        self.row_events.push(event);
        true
    }

    fn add_deal(&mut self, deal: &[u8], hash: u64, limit: usize) -> Option<u32> {
        if self.ends.len() == self.ends.capacity() {
            let more = self.room(1, self.ends.capacity(), DEAL_BYTES, limit)?;
            self.ends.reserve_exact(more);
        }
        if self.ids.len() + deal.len() > self.ids.capacity() {
            let more = self.room(deal.len(), self.ids.capacity(), 1, limit)?;
            self.ids.reserve_exact(more);
        }
        // The table doubles when full; while it rehashes, the old one is still there.
        if self.table.len() == self.table.capacity()
            && !self.is_empty()
            && self.footprint() + 2 * self.table.allocation_size().max(64) > limit
        {
            return None;
        }
        let end = u32::try_from(self.ids.len() + deal.len()).ok()?;
        let number = u32::try_from(self.ends.len()).ok()?;
        self.ids.extend_from_slice(deal);
        self.ends.push(end);
        let (ids, ends) = (&self.ids, &self.ends);
        self.table.insert_unique(hash, number, |&d| {
            FxBuildHasher.hash_one(id_in(ids, ends, d as usize))
        });
        Some(number)
    }

    /// How many more items of `size` bytes to make room for: `want` (at least 64 and
    /// `need`) if the limit leaves that much, or what it leaves. `None` when that is less than
    /// `need` or too little to be worth it, unless the buffer is empty: it always takes a row.
    fn room(&self, need: usize, want: usize, size: usize, limit: usize) -> Option<usize> {
        let want = want.max(64).max(need);
        let fits = limit.saturating_sub(self.footprint()) / size;
        if fits >= want {
            Some(want)
        } else if self.is_empty() {
            Some(fits.max(need))
        } else if fits >= need.max(want / 8) {
            Some(fits)
        } else {
            None
        }
    }

    /// Sorts the rows by deal id, then event, and groups them for [`Buffer::group`].
    fn sort(&mut self) {
        let deals = self.ends.len();
        self.keys.clear();
        self.keys.reserve_exact(deals);
        for d in 0..deals {
            let number = u32::try_from(d).expect("deal numbers fit");
            self.keys.push((prefix(self.id(number)), number));
        }
        let (ids, ends) = (&self.ids, &self.ends);
        self.keys.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| id_in(ids, ends, a.1 as usize).cmp(id_in(ids, ends, b.1 as usize)))
        });
        // A counting sort by rank; `slots` first holds each deal's rank, then where its next
        // event goes.
        self.starts.clear();
        self.starts.reserve_exact(deals + 1);
        self.starts.resize(deals + 1, 0);
        self.slots.clear();
        self.slots.reserve_exact(deals);
        self.slots.resize(deals, 0);
        for (rank, &(_, number)) in self.keys.iter().enumerate() {
            self.slots[number as usize] = u32::try_from(rank).expect("deal numbers fit");
        }
        for &number in &self.row_deals {
            self.starts[self.slots[number as usize] as usize + 1] += 1;
        }
        for rank in 0..deals {
            self.starts[rank + 1] += self.starts[rank];
        }
        for slot in &mut self.slots {
            *slot = self.starts[*slot as usize];
        }
        self.grouped.clear();
        self.grouped.reserve_exact(self.row_events.len());
        self.grouped.resize(self.row_events.len(), 0);
        for (&number, &event) in self.row_deals.iter().zip(&self.row_events) {
            let slot = &mut self.slots[number as usize];
            self.grouped[*slot as usize] = event;
            *slot += 1;
        }
        for pair in self.starts.windows(2) {
            self.grouped[pair[0] as usize..pair[1] as usize].sort_unstable();
        }
    }

    /// Deals, once sorted.
    fn deals(&self) -> usize {
        self.keys.len()
    }

    /// The id and sorted events of the deal at `rank`, once sorted.
    fn group(&self, rank: usize) -> (&[u8], &[u64]) {
        (
            self.id(self.keys[rank].1),
            &self.grouped[self.starts[rank] as usize..self.starts[rank + 1] as usize],
        )
    }

    /// Empties the buffer, keeping its memory.
    fn clear(&mut self) {
        self.table.clear();
        self.ids.clear();
        self.ends.clear();
        self.row_deals.clear();
        self.row_events.clear();
        self.keys.clear();
    }

    /// Sorts the buffer for the merge, handing back what only filling it needed.
    fn into_run(mut self) -> Self {
        self.sort();
        self.table = HashTable::new();
        self.row_deals = Vec::new();
        self.row_events = Vec::new();
        self.slots = Vec::new();
        self
    }
}

fn id_in<'a>(ids: &'a [u8], ends: &[u32], deal: usize) -> &'a [u8] {
    let start = if deal == 0 { 0 } else { ends[deal - 1] };
    &ids[start as usize..ends[deal] as usize]
}

/// The first eight bytes of an id as a number that sorts like the id (shorter ids padded
/// with zeros; ties are broken on the whole id).
fn prefix(id: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    let n = id.len().min(8);
    bytes[..n].copy_from_slice(&id[..n]);
    u64::from_be_bytes(bytes)
}

/// Writes a run: per deal, the id's length and bytes, the number of events, the first event
/// and the gaps to the next ones, all as LEB128 varints (sorted events have small gaps).
struct RunWriter {
    out: BufWriter<File>,
    events: u64,
}

impl RunWriter {
    fn create(dir: &Path) -> Result<Self, Error> {
        let file = tempfile::tempfile_in(dir).map_err(|e| {
            Error::new(format!(
                "cannot create a temporary file in `{}`: {e}\n  help: the history does not fit in --memory-limit and is sorted on disk; pass --temp-dir DIR with a writable folder, or a larger --memory-limit",
                dir.display()
            ))
        })?;
        Ok(Self {
            out: BufWriter::with_capacity(IO_BUFFER, file),
            events: 0,
        })
    }

    fn group(&mut self, id: &[u8], events: &[u64]) -> io::Result<()> {
        self.events += events.len() as u64;
        write_varint(&mut self.out, id.len() as u64)?;
        self.out.write_all(id)?;
        write_varint(&mut self.out, events.len() as u64)?;
        let mut previous = 0;
        for &event in events {
            write_varint(&mut self.out, event - previous)?;
            previous = event;
        }
        Ok(())
    }

    fn finish(self, dir: &Path) -> Result<Run, Error> {
        let mut file = self
            .out
            .into_inner()
            .map_err(|e| write_error(dir, e.error()))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| write_error(dir, &e))?;
        Ok(Run {
            file,
            events: self.events,
        })
    }
}

fn write_error(dir: &Path, e: &io::Error) -> Error {
    Error::new(format!(
        "cannot write a temporary file in `{}`: {e}\n  help: the history does not fit in --memory-limit and is sorted on disk; free some space, pass --temp-dir DIR on a larger disk, or a larger --memory-limit",
        dir.display()
    ))
}

fn read_error(dir: &Path, e: &io::Error) -> Error {
    Error::new(format!(
        "cannot read back a temporary file in `{}`: {e}\n  help: another program may have removed or truncated the temporary file; run again, or pass --temp-dir to use another folder",
        dir.display()
    ))
}

fn write_varint(out: &mut impl Write, value: u64) -> io::Result<()> {
    out.write_all(varint::encode(value).as_bytes())
}

/// Reads a run written by [`RunWriter`].
#[derive(Debug)]
struct RunReader {
    input: BufReader<File>,
}

impl RunReader {
    fn new(file: File) -> Self {
        Self {
            input: BufReader::with_capacity(IO_BUFFER, file),
        }
    }

    /// The next deal, or `false` at the end.
    fn next(&mut self, id: &mut Vec<u8>, events: &mut Vec<u64>) -> io::Result<bool> {
        if self.input.fill_buf()?.is_empty() {
            return Ok(false);
        }
        let length = self.varint()?;
        id.clear();
        id.resize(usize::try_from(length).map_err(|_| corrupt())?, 0);
        io::Read::read_exact(&mut self.input, id)?;
        let count = self.varint()?;
        events.clear();
        let mut event = 0u64;
        for _ in 0..count {
            event = event.checked_add(self.varint()?).ok_or_else(corrupt)?;
            events.push(event);
        }
        Ok(true)
    }

    fn varint(&mut self) -> io::Result<u64> {
        let input = &mut self.input;
        let mut failed = None;
        let value = varint::decode(|| {
            let byte = match input.fill_buf() {
                Ok(buffered) => *buffered.first()?,
                Err(e) => {
                    failed = Some(e);
                    return None;
                }
            };
            input.consume(1);
            Some(byte)
        });
        match (value, failed) {
            (_, Some(e)) => Err(e),
            (Some(value), None) => Ok(value),
            (None, None) => Err(corrupt()),
        }
    }
}

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "the file is corrupt")
}

/// One input of the merge.
#[derive(Debug)]
enum Source {
    /// A run on disk and its current deal.
    File {
        reader: RunReader,
        id: Vec<u8>,
        events: Vec<u64>,
        done: bool,
    },
    /// A sorted buffer and the rank of its current deal.
    Memory(Buffer, usize),
}

impl Source {
    fn file(file: File) -> Self {
        Self::File {
            reader: RunReader::new(file),
            id: Vec::new(),
            events: Vec::new(),
            done: false,
        }
    }

    /// The current deal's id and events; `None` at the end.
    fn head(&self) -> Option<(&[u8], &[u64])> {
        match self {
            Self::File {
                id, events, done, ..
            } => (!done).then_some((id, events)),
            Self::Memory(buffer, rank) => (*rank < buffer.deals()).then(|| buffer.group(*rank)),
        }
    }

    fn advance(&mut self) -> io::Result<()> {
        match self {
            Self::File {
                reader,
                id,
                events,
                done,
            } => *done = !reader.next(id, events)?,
            Self::Memory(_, rank) => *rank += 1,
        }
        Ok(())
    }
}

/// The deals of all runs, merged: one deal at a time, in id order.
#[derive(Debug)]
pub struct Groups {
    sources: Vec<Source>,
    temp_dir: PathBuf,
    spilled: usize,
}

impl Groups {
    /// Merges groupers' runs: their deals, in id order, each with all its events.
    pub(crate) fn merge(parts: Vec<Sorted>) -> Result<Self, Error> {
        let temp_dir = parts
            .first()
            .map_or_else(std::env::temp_dir, |p| p.temp_dir.clone());
        let mut spilled = 0;
        let mut runs = Vec::new();
        let mut memory = Vec::new();
        for part in parts {
            spilled += part.spilled;
            runs.extend(part.runs);
            memory.extend(part.memory);
        }
        // The smallest runs are merged first, and no more of them than needed to bring the
        // runs down to what is merged at once: the fewest rows rewritten.
        runs.sort_by_key(|run| std::cmp::Reverse(run.events));
        while runs.len() > 1 && runs.len() + memory.len() > FAN_IN {
            let merged = (runs.len() + memory.len() - FAN_IN + 1).clamp(2, FAN_IN.min(runs.len()));
            let batch = runs.split_off(runs.len() - merged);
            let run = merge_into_file(batch, &temp_dir)?;
            let at = runs.partition_point(|other| other.events > run.events);
            runs.insert(at, run);
        }
        let sources = runs
            .into_iter()
            .map(|run| Source::file(run.file))
            .chain(memory.into_iter().map(|buffer| Source::Memory(buffer, 0)))
            .collect();
        Self::new(sources, temp_dir, spilled)
    }

    fn new(mut sources: Vec<Source>, temp_dir: PathBuf, spilled: usize) -> Result<Self, Error> {
        for source in &mut sources {
            if let Source::File { .. } = source {
                source.advance().map_err(|e| read_error(&temp_dir, &e))?;
            }
        }
        Ok(Self {
            sources,
            temp_dir,
            spilled,
        })
    }

    /// Runs written to disk while reading (0 when the history fitted in the budget).
    pub fn spilled(&self) -> usize {
        self.spilled
    }

    /// The next deal and all its events (in no particular order), or `false` at the end.
    pub fn next(&mut self, id: &mut Vec<u8>, events: &mut Vec<u64>) -> Result<bool, Error> {
        let Some(first) = self
            .sources
            .iter()
            .filter_map(Source::head)
            .map(|(id, _)| id)
            .min()
        else {
            return Ok(false);
        };
        id.clear();
        id.extend_from_slice(first);
        events.clear();
        for source in &mut self.sources {
            match source.head() {
                Some((head, more)) if head == id.as_slice() => events.extend_from_slice(more),
                _ => continue,
            }
            source
                .advance()
                .map_err(|e| read_error(&self.temp_dir, &e))?;
        }
        Ok(true)
    }
}

/// Merges runs into one, for when there are too many to read at once.
fn merge_into_file(runs: Vec<Run>, dir: &Path) -> Result<Run, Error> {
    let sources = runs.into_iter().map(|run| Source::file(run.file)).collect();
    let mut groups = Groups::new(sources, dir.to_owned(), 0)?;
    let mut writer = RunWriter::create(dir)?;
    let (mut id, mut events) = (Vec::new(), Vec::new());
    while groups.next(&mut id, &mut events)? {
        events.sort_unstable();
        writer
            .group(&id, &events)
            .map_err(|e| write_error(dir, &e))?;
    }
    writer.finish(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ends the input: the deals, in id order, each with all its events.
    fn finish(grouper: Grouper) -> Groups {
        Groups::merge(vec![grouper.sort()]).unwrap()
    }

    fn collect(mut groups: Groups) -> Vec<(String, Vec<u64>)> {
        let (mut id, mut events) = (Vec::new(), Vec::new());
        let mut out = Vec::new();
        while groups.next(&mut id, &mut events).unwrap() {
            events.sort_unstable();
            out.push((String::from_utf8(id.clone()).unwrap(), events.clone()));
        }
        out
    }

    fn rows() -> Vec<(String, u64)> {
        // Ids that share their first eight bytes, a prefix of another id, and an empty-ish
        // spread of events, in no order.
        let ids = [
            "deal-0001-b",
            "deal-0001-a",
            "deal-0001",
            "z",
            "deal",
            "m\u{e9}",
        ];
        (0..500u64)
            .map(|i| (ids[(i * 7 % 6) as usize].to_owned(), (i * 7919) % 1000))
            .collect()
    }

    fn group(limit: usize, dir: &Path) -> Groups {
        let mut grouper = Grouper::new(Budget {
            memory_limit: limit,
            temp_dir: dir.to_owned(),
        });
        for (id, event) in rows() {
            grouper.push(id.as_bytes(), event).unwrap();
        }
        finish(grouper)
    }

    #[test]
    fn spilled_runs_merge_to_the_same_groups() {
        let dir = tempfile::tempdir().unwrap();
        let whole = group(1 << 20, dir.path());
        assert_eq!(whole.spilled(), 0);
        let expected = collect(whole);
        let ids: Vec<&str> = expected.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "deal",
                "deal-0001",
                "deal-0001-a",
                "deal-0001-b",
                "m\u{e9}",
                "z"
            ]
        );
        assert_eq!(expected.iter().map(|(_, e)| e.len()).sum::<usize>(), 500);
        // One row per run: more runs than are merged at once, so merges happen in passes.
        let tiny = group(1, dir.path());
        assert!(tiny.spilled() > FAN_IN, "{}", tiny.spilled());
        assert_eq!(collect(tiny), expected);
        let some = group(4096, dir.path());
        assert!((1..FAN_IN).contains(&some.spilled()), "{}", some.spilled());
        assert_eq!(collect(some), expected);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// With one row per run, each level holds fewer than `FAN_IN` runs of `FAN_IN` to the
    /// power of the level rows: each row was rewritten once per level, no more.
    #[test]
    fn spilled_runs_merge_by_level() {
        let dir = tempfile::tempdir().unwrap();
        let mut grouper = Grouper::new(Budget {
            memory_limit: 1,
            temp_dir: dir.path().to_owned(),
        });
        let fan_in = FAN_IN as u64;
        // Spills all but the last row.
        let rows = fan_in * fan_in + 5 * fan_in + 3;
        for i in 0..rows {
            grouper.push(format!("d{i:05}").as_bytes(), i).unwrap();
        }
        let levels: Vec<Vec<u64>> = grouper
            .levels
            .iter()
            .map(|runs| runs.iter().map(|run| run.events).collect())
            .collect();
        assert_eq!(levels, [vec![1; 2], vec![fan_in; 5], vec![fan_in * fan_in]]);
        let groups = collect(finish(grouper));
        let expected: Vec<(String, Vec<u64>)> =
            (0..rows).map(|i| (format!("d{i:05}"), vec![i])).collect();
        assert_eq!(groups, expected);
    }

    /// Eight groupers filled at once share the fan-in: each holds fewer than four runs a
    /// level, where each holding up to 31 would take 248 files, and more while merging.
    #[test]
    fn groupers_filled_at_once_share_the_open_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut held = 0;
        let mut groupers: Vec<Grouper> = (0..8)
            .map(|_| {
                Grouper::one_of(
                    Budget {
                        memory_limit: 8,
                        temp_dir: dir.path().to_owned(),
                    },
                    8,
                )
            })
            .collect();
        for grouper in &mut groupers {
            for i in 0..200u64 {
                grouper.push(format!("d{i:03}").as_bytes(), i).unwrap();
            }
            assert_eq!(grouper.fan_in, MIN_FAN_IN);
            assert!(grouper.levels.iter().all(|runs| runs.len() < MIN_FAN_IN));
            held += grouper.levels.iter().map(Vec::len).sum::<usize>();
        }
        // 199 runs of one row each, in base 4: 3 0 1 3.
        assert_eq!(held, 8 * 7);
        let sorted = groupers.into_iter().map(Grouper::sort).collect();
        let groups = collect(Groups::merge(sorted).unwrap());
        assert_eq!(groups.len(), 200);
        assert!(groups.iter().all(|(_, events)| events.len() == 8));
    }

    /// A run cut short (here, a deal id of five bytes with none after it) is an error that
    /// says what to do.
    #[test]
    fn a_truncated_run_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = tempfile::tempfile_in(dir.path()).unwrap();
        file.write_all(&[5, b'd']).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        let error = Groups::new(vec![Source::file(file)], dir.path().to_owned(), 1)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("cannot read back a temporary file in `"),
            "{error}"
        );
        assert!(
            error.ends_with("\n  help: another program may have removed or truncated the temporary file; run again, or pass --temp-dir to use another folder"),
            "{error}"
        );
    }

    #[test]
    fn an_unwritable_folder_is_a_clear_error() {
        let mut grouper = Grouper::new(Budget {
            memory_limit: 1,
            temp_dir: PathBuf::from("/no/such/folder"),
        });
        grouper.push(b"a", 1).unwrap();
        let error = grouper.push(b"b", 2).unwrap_err().to_string();
        assert!(
            error.starts_with("cannot create a temporary file in `/no/such/folder`: "),
            "{error}"
        );
        assert!(error.contains("--temp-dir"), "{error}");
    }
}
