//! The serving-node journal: makes a batch of `update_serving` records durable with one
//! append and one `fdatasync`, in place of a sled flush.
//!
//! Why not sled's flush: sled 0.34 hands each flush's log write to its I/O thread
//! pool, whose queue wakes every idle pool thread (`notify_all`) per job. In a ULR storm
//! that is a flush per batch, and perf showed those wake-ups at about a third of the
//! server's CPU. The journal write is one `write` and one `fdatasync` on the caller's
//! thread.
//!
//! The records are applied to sled before they are appended here, and sled writes them
//! out in its own time (its background flush, or any later flush). The journal only has
//! to outlive that: on open, every entry is applied again, in order, then sled is
//! flushed and the journal emptied. Replaying an entry sled already holds writes the
//! same record again, so replay is idempotent. The store keeps the rule that makes
//! replay correct: an entry is never older than another write of its IMSI's `serving`
//! record that reached the disk without it (see `SledStore::write_serving_tree`).
//!
//! # Entry layout
//!
//! ```text
//! length   4 bytes  u32 big-endian: the payload's length
//! crc      4 bytes  u32 big-endian: CRC-32 (IEEE) of the payload
//! payload  1 byte   the IMSI's length n (1..=15 digits, so one byte is enough)
//!          n bytes  the IMSI's ASCII digits (the `serving` tree's key)
//!          rest     the `serving` record, as the tree stores it
//! ```
//!
//! A crash during an append can leave a torn entry at the end; its caller never got an
//! answer. Replay stops at the first entry that is short or fails its CRC.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

/// Past this size the store flushes sled and empties the journal (a checkpoint), so
/// replay after a crash stays short: at 100,000 ULR/s about ten seconds of records.
pub(crate) const CHECKPOINT_BYTES: u64 = 64 << 20;

const HEADER: usize = 8;

/// One replayed entry: the IMSI (the `serving` key) and its record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub imsi: Vec<u8>,
    pub record: Vec<u8>,
}

pub(crate) struct Journal {
    file: File,
    /// The file's length, counting the bytes of a write that failed.
    len: u64,
    buf: Vec<u8>,
}

impl Journal {
    /// Opens the journal at `path`, creating it (and making its directory entry
    /// durable) if there is none. Returns the entries to replay, oldest first.
    pub(crate) fn open(path: &Path) -> io::Result<(Journal, Vec<Entry>)> {
        let existed = path.exists();
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(path)?;
        if !existed && let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let entries = parse(&bytes);
        let len = bytes.len() as u64;
        Ok((Journal { file, len, buf: Vec::new() }, entries))
    }

    /// Appends the entries and waits until they are on disk.
    pub(crate) fn append<'a>(
        &mut self,
        entries: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) -> io::Result<()> {
        self.buf.clear();
        for (imsi, record) in entries {
            let imsi_len = u8::try_from(imsi.len())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "IMSI longer than 255 bytes"))?;
            let payload_len = u32::try_from(1 + imsi.len() + record.len())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "serving record too large"))?;
            let start = self.buf.len();
            self.buf.extend_from_slice(&[0; HEADER]);
            self.buf.push(imsi_len);
            self.buf.extend_from_slice(imsi);
            self.buf.extend_from_slice(record);
            let crc = crc32fast::hash(&self.buf[start + HEADER..]);
            self.buf[start..start + 4].copy_from_slice(&payload_len.to_be_bytes());
            self.buf[start + 4..start + HEADER].copy_from_slice(&crc.to_be_bytes());
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        // Counted before the write: a write or sync that fails may still have left
        // bytes in the file, and `clear` must then remove them.
        self.len += self.buf.len() as u64;
        self.file.write_all(&self.buf)?;
        self.file.sync_data()?;
        Ok(())
    }

    /// Empties the journal, durably: only once everything in it is durable elsewhere.
    /// Skipped when nothing was written since the last clear.
    pub(crate) fn clear(&mut self) -> io::Result<()> {
        if self.len == 0 {
            return Ok(());
        }
        self.file.set_len(0)?;
        self.file.sync_data()?;
        self.len = 0;
        Ok(())
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }
}

/// The entries of a journal file, up to the first torn or corrupt one.
pub(crate) fn parse(mut bytes: &[u8]) -> Vec<Entry> {
    let mut entries = Vec::new();
    while let Some((header, rest)) = bytes.split_first_chunk::<HEADER>() {
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let crc = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
        let Some((payload, rest)) = rest.split_at_checked(len) else { break };
        if crc32fast::hash(payload) != crc {
            break;
        }
        let Some((&imsi_len, body)) = payload.split_first() else { break };
        let Some((imsi, record)) = body.split_at_checked(usize::from(imsi_len)) else { break };
        entries.push(Entry { imsi: imsi.to_vec(), record: record.to_vec() });
        bytes = rest;
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(imsi: &str, record: &[u8]) -> Entry {
        Entry { imsi: imsi.as_bytes().to_vec(), record: record.to_vec() }
    }

    fn written(entries: &[Entry]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, replay) = Journal::open(&path).unwrap();
        assert!(replay.is_empty());
        j.append(entries.iter().map(|e| (&e.imsi[..], &e.record[..]))).unwrap();
        assert_eq!(j.len(), std::fs::metadata(&path).unwrap().len());
        std::fs::read(&path).unwrap()
    }

    #[test]
    fn entries_are_framed_as_documented_and_read_back_in_order() {
        let entries = vec![entry("001010000000001", &[0x0c, 0, 0, 0, 1, b'h']), entry("99", &[0])];
        let bytes = written(&entries);
        let payload = [&[15u8][..], b"001010000000001", &[0x0c, 0, 0, 0, 1, b'h']].concat();
        let mut first = (payload.len() as u32).to_be_bytes().to_vec();
        first.extend_from_slice(&crc32fast::hash(&payload).to_be_bytes());
        first.extend_from_slice(&payload);
        assert_eq!(&bytes[..first.len()], &first[..], "the layout in the module docs");
        // CRC-32/IEEE check value: an independent fixed point for the checksum used.
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(parse(&bytes), entries);
    }

    #[test]
    fn a_torn_or_corrupt_tail_ends_the_replay_before_it() {
        let entries = vec![entry("001010000000001", &[1, 2, 3]), entry("001010000000002", &[4])];
        let bytes = written(&entries);
        let first_len = HEADER + 1 + 15 + 3;
        for cut in 0..bytes.len() {
            let expect = if cut < first_len { 0 } else { 1 };
            assert_eq!(parse(&bytes[..cut]).len(), expect, "cut at {cut}");
        }
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x40;
            let got = parse(&flipped);
            // A flip can only end the replay early, never change what is replayed.
            assert!(got.len() < 2 && entries.starts_with(&got), "flip at {i}: {got:?}");
        }
    }

    #[test]
    fn reopening_replays_and_clear_empties_durably() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut j, _) = Journal::open(&path).unwrap();
        j.append([(&b"1"[..], &b"a"[..])]).unwrap();
        j.append([(&b"2"[..], &b"b"[..]), (&b"1"[..], &b"c"[..])]).unwrap();
        drop(j);
        let (mut j, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay, vec![entry("1", b"a"), entry("2", b"b"), entry("1", b"c")]);
        j.clear().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        j.append([(&b"3"[..], &b"d"[..])]).unwrap();
        drop(j);
        let (_, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay, vec![entry("3", b"d")], "appends after a clear start at offset 0");
    }
}
