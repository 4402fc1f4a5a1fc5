//! The file as the store holds it in memory: the header, every line in file order, and
//! an index of the subscribers by IMSI. [`Table::render`] gives the bytes of the file.
//!
//! Each row's line is the one copy of its subscriber: `get` decodes it, a change
//! encodes a new one. Only the keys and SQN are also kept decoded, for the AuC's path.
//! Lines nobody changed are written back byte for byte, so a hand-edited file keeps its
//! spacing, quoting and hex case; comments (`#` at the start of a line), blank lines and
//! rows skipped when not strict are kept where they were.

use std::collections::BTreeMap;

use plughss_plugin_api::store::StoreError;
use plughss_plugin_api::subscriber::{AuthData, Subscriber, parse_hex};

use crate::columns::{Field, Header, NEW_FILE};
use crate::row::{self, RowError};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file cannot be loaded: its 1-based line and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub line: u64,
    pub reason: String,
}

/// The keys of one subscriber and where its line is.
struct Row {
    key: u64,
    auth: AuthData,
}

/// New lines for some subscribers, checked, ready to [`Table::commit`].
pub struct Prepared {
    header: Header,
    rows: Vec<(String, Vec<u8>, AuthData)>,
}

pub struct Table {
    header: Header,
    header_line: Vec<u8>,
    bom: bool,
    crlf: bool,
    /// Comments and blank lines before the header.
    preamble: Vec<u8>,
    /// Every line after the header, by a key that sorts in file order; each ends with
    /// a line terminator.
    lines: BTreeMap<u64, Vec<u8>>,
    next_key: u64,
    rows: BTreeMap<String, Row>,
    /// Bumped by every change; what the file on disk is compared with.
    version: u64,
}

impl Table {
    /// A file that does not exist yet: the classic header, no rows.
    pub fn new_file() -> Table {
        let header = Header::new(NEW_FILE);
        let header_line = write_line(header.names(), false);
        Table {
            header,
            header_line,
            bom: false,
            crlf: false,
            preamble: Vec::new(),
            lines: BTreeMap::new(),
            next_key: 0,
            rows: BTreeMap::new(),
            version: 0,
        }
    }

    /// Reads a file. A malformed row is an error naming its line when `strict`;
    /// otherwise it is skipped (and kept in the file as it is) with a warning, returned
    /// with the others.
    pub fn load(bytes: &[u8], strict: bool) -> Result<(Table, Vec<String>), LoadError> {
        let (bom, body) = match bytes.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, bytes),
        };
        let mut table = Table::new_file();
        table.bom = bom;
        let mut warnings = Vec::new();
        let mut header: Option<Header> = None;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(body);
        let mut record = csv::ByteRecord::new();
        let mut prev_end = 0usize;
        let mut line_no = 1u64;
        // The line of each row loaded, to name it when a later row repeats its IMSI.
        let mut first_line: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(line_no, |p| p.line());
                    return Err(LoadError { line, reason: e.to_string() });
                }
            }
            let mut end = (rdr.position().byte() as usize).min(body.len());
            // A CR LF terminator: keep the LF with its record.
            if end > 0 && body[end - 1] == b'\r' && body.get(end) == Some(&b'\n') {
                end += 1;
            }
            let segment = &body[prev_end..end];
            prev_end = end;
            // The csv reader skipped blank and comment lines before the record; they
            // are part of this segment and are kept as they are.
            let start = leading_trivia(segment);
            let (trivia, raw) = segment.split_at(start);
            let line = line_no + newlines(trivia);
            line_no += newlines(segment);

            let fields = match utf8_fields(&record) {
                Ok(f) => f,
                Err(reason) if header.is_some() && !strict => {
                    warnings.push(skipped(line, &reason));
                    table.keep(trivia, true);
                    table.keep(raw, true);
                    continue;
                }
                Err(reason) => return Err(LoadError { line, reason }),
            };
            if fields.iter().all(String::is_empty) {
                // A line of spaces or commas only: kept as it is, like a blank line.
                table.keep(trivia, header.is_some());
                table.keep(raw, header.is_some());
                continue;
            }
            let Some(h) = &header else {
                let (h, unknown) =
                    Header::parse(&fields, strict).map_err(|reason| LoadError { line, reason })?;
                if !unknown.is_empty() {
                    warnings.push(format!(
                        "line {line}: ignoring unknown columns {} (kept in the file as they are)",
                        unknown.join(", ")
                    ));
                }
                table.keep(trivia, false);
                table.crlf = raw.ends_with(b"\r\n");
                table.header_line = terminated_with(raw, table.crlf);
                table.header = h.clone();
                header = Some(h);
                continue;
            };
            table.keep(trivia, true);
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            let decoded = if refs.len() != h.width() {
                Err(format!("{} fields where the header has {} columns", refs.len(), h.width()))
            } else {
                match row::decode(h, &refs) {
                    Ok((sub, _)) if first_line.contains_key(&sub.imsi) => {
                        let first = first_line[&sub.imsi];
                        Err(format!("imsi: {} is already on line {first}", sub.imsi))
                    }
                    Ok(ok) => Ok(ok),
                    Err(e) => Err(e.to_string()),
                }
            };
            match decoded {
                Ok((sub, auth)) => {
                    let key = table.push_line(terminated_with(raw, table.crlf));
                    first_line.insert(sub.imsi.clone(), line);
                    table.rows.insert(sub.imsi, Row { key, auth });
                }
                Err(reason) if strict => return Err(LoadError { line, reason }),
                Err(reason) => {
                    warnings.push(skipped(line, &reason));
                    table.keep(raw, true);
                }
            }
        }
        // Comments after the last row; or, with no header at all (an empty file, or
        // comments only), comments that stay above the header the store adds.
        table.keep(&body[prev_end..], header.is_some());
        Ok((table, warnings))
    }

    /// The file's bytes.
    pub fn render(&self) -> Vec<u8> {
        let size = BOM.len()
            + self.preamble.len()
            + self.header_line.len()
            + self.lines.values().map(Vec::len).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        if self.bom {
            out.extend_from_slice(BOM);
        }
        out.extend_from_slice(&self.preamble);
        out.extend_from_slice(&self.header_line);
        for line in self.lines.values() {
            out.extend_from_slice(line);
        }
        out
    }

    /// Bumped by every change.
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The keys and SQN of a subscriber.
    pub fn auth(&self, imsi: &str) -> Option<&AuthData> {
        self.rows.get(imsi).map(|r| &r.auth)
    }

    /// A subscriber's profile, decoded from its line.
    pub fn get(&self, imsi: &str) -> Result<Option<Subscriber>, StoreError> {
        match self.rows.get(imsi) {
            Some(r) => self.decode_line(r.key).map(|(sub, _)| Some(sub)),
            None => Ok(None),
        }
    }

    /// Up to `limit` profiles with an IMSI above `after`, in IMSI order.
    pub fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<Subscriber>, StoreError> {
        use std::ops::Bound;
        let from = match after {
            Some(a) => Bound::Excluded(a),
            None => Bound::Unbounded,
        };
        self.rows
            .range::<str, _>((from, Bound::Unbounded))
            .take(limit)
            .map(|(_, r)| self.decode_line(r.key).map(|(sub, _)| sub))
            .collect()
    }

    fn decode_line(&self, key: u64) -> Result<(Subscriber, AuthData), StoreError> {
        let cells = self.cells(key)?;
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        row::decode(&self.header, &refs)
            .map_err(|e| StoreError::Internal(format!("a stored row no longer decodes: {e}")))
    }

    fn cells(&self, key: u64) -> Result<Vec<String>, StoreError> {
        let line = self.lines.get(&key).map(Vec::as_slice).unwrap_or_default();
        read_line(line).ok_or_else(|| StoreError::Internal("a stored row is not one CSV record".into()))
    }

    /// New lines for `items` (profile with its keys, each creating or replacing the row
    /// of its IMSI), with the columns they need appended to the header. Each line is
    /// read back and must give exactly its item, so the store never writes a row it
    /// could not load again.
    pub fn prepare(&self, items: &[(Subscriber, AuthData)]) -> Result<Prepared, StoreError> {
        let encoded: Vec<Vec<(Field, String)>> = items.iter().map(|(s, a)| row::encode(s, a)).collect();
        let mut header = self.header.clone();
        for cells in &encoded {
            header.append(&row::needed(cells));
        }
        let added = header.width() - self.header.width();
        let mut rows = Vec::with_capacity(items.len());
        for ((sub, auth), cells) in items.iter().zip(encoded) {
            let mut texts = match self.rows.get(&sub.imsi) {
                Some(r) => self.cells(r.key)?,
                None => Vec::new(),
            };
            texts.resize(header.width(), String::new());
            let old = texts.clone();
            for f in Field::ALL {
                if let Some(i) = header.position(f) {
                    texts[i].clear();
                }
            }
            for (f, v) in cells {
                if let Some(i) = header.position(f) {
                    // A key written by hand in upper case or with spaces stays so while
                    // its value is unchanged.
                    texts[i] = if same_hex(f, &old[i], &v) { old[i].clone() } else { v };
                }
            }
            let line = write_line(texts.iter().map(String::as_str), self.crlf);
            check_line(&header, &line, sub, auth)?;
            rows.push((sub.imsi.clone(), line, auth.clone()));
        }
        debug_assert!(added == 0 || header.width() > self.header.width());
        Ok(Prepared { header, rows })
    }

    /// Applies prepared lines.
    pub fn commit(&mut self, prepared: Prepared) {
        self.set_header(prepared.header);
        for (imsi, line, auth) in prepared.rows {
            match self.rows.get_mut(&imsi) {
                Some(r) => {
                    r.auth = auth;
                    self.lines.insert(r.key, line);
                }
                None => {
                    let key = self.push_line(line);
                    self.rows.insert(imsi, Row { key, auth });
                }
            }
        }
        self.version += 1;
    }

    /// Removes a subscriber's row; false if there was none.
    pub fn remove(&mut self, imsi: &str) -> bool {
        let Some(r) = self.rows.remove(imsi) else { return false };
        self.lines.remove(&r.key);
        self.version += 1;
        true
    }

    /// Sets a subscriber's SQN (its `sqn` cell only) and returns the one it had.
    pub fn set_sqn(&mut self, imsi: &str, sqn: u64) -> Result<u64, StoreError> {
        let key = self.rows.get(imsi).ok_or(StoreError::NotFound)?.key;
        if !self.header.has(Field::Sqn) {
            let mut h = self.header.clone();
            h.append(&[Field::Sqn]);
            self.set_header(h);
        }
        let mut cells = self.cells(key)?;
        let i = self.header.position(Field::Sqn).unwrap_or_default();
        cells.resize(self.header.width(), String::new());
        cells[i] = sqn.to_string();
        let line = write_line(cells.iter().map(String::as_str), self.crlf);
        self.lines.insert(key, line);
        let r = self.rows.get_mut(imsi).ok_or(StoreError::NotFound)?;
        let old = r.auth.sqn;
        r.auth.sqn = sqn;
        self.version += 1;
        Ok(old)
    }

    /// Replaces the header with one that has columns appended; rows get an empty cell
    /// for each (before their line terminator, so nothing else in the line moves).
    fn set_header(&mut self, header: Header) {
        let added = header.width().saturating_sub(self.header.width());
        if added == 0 {
            return;
        }
        // The header line as written, with the new names appended (they are plain
        // words: no quoting needed).
        let mut names = Vec::new();
        for name in header.names().skip(self.header.width()) {
            names.push(b',');
            names.extend_from_slice(name.as_bytes());
        }
        let body = self.header_line.len() - terminator_len(&self.header_line);
        self.header_line.splice(body..body, names);
        self.header = header;
        let commas = vec![b','; added];
        for r in self.rows.values() {
            if let Some(line) = self.lines.get_mut(&r.key) {
                let body = line.len() - terminator_len(line);
                line.splice(body..body, commas.iter().copied());
            }
        }
    }

    fn push_line(&mut self, line: Vec<u8>) -> u64 {
        let key = self.next_key;
        self.next_key += 1;
        self.lines.insert(key, line);
        key
    }

    /// Keeps lines that are not rows: above the header, or in file order after it.
    fn keep(&mut self, bytes: &[u8], after_header: bool) {
        if after_header {
            self.push_trivia(bytes);
        } else {
            self.preamble.extend_from_slice(&terminated(bytes));
        }
    }

    fn push_trivia(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.push_line(terminated(bytes));
        }
    }
}

/// A row line must read back as exactly the subscriber it was written for.
fn check_line(header: &Header, line: &[u8], sub: &Subscriber, auth: &AuthData) -> Result<(), StoreError> {
    let unexact = |column: &str| StoreError::Invalid {
        field: column.to_owned(),
        reason: "cannot be written to the CSV file so that it reads back the same".into(),
    };
    let cells = read_line(line).ok_or_else(|| unexact("subscriber"))?;
    let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
    match row::decode(header, &refs) {
        Ok((s, a)) if s == *sub && a == *auth => Ok(()),
        Ok((_, a)) if a.digest_ha1 != auth.digest_ha1 => Err(unexact("digest_ha1")),
        Ok(_) => Err(unexact("subscriber")),
        Err(RowError { column, reason }) => Err(StoreError::Invalid { field: column, reason }),
    }
}

/// Whether `old` and `new` are the same key or AMF written differently.
fn same_hex(f: Field, old: &str, new: &str) -> bool {
    match f {
        Field::K | Field::Opc | Field::Op => parse_hex::<16>("", old).ok() == parse_hex::<16>("", new).ok(),
        Field::Amf => parse_hex::<2>("", old).ok() == parse_hex::<2>("", new).ok(),
        _ => false,
    }
}

/// The cells of one CSV record, trimmed; `None` unless `line` is exactly one record
/// of UTF-8.
pub fn read_line(line: &[u8]) -> Option<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .buffer_capacity(line.len().clamp(64, 8192))
        .from_reader(line);
    let mut record = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut record).ok()? {
        return None;
    }
    let cells = utf8_fields(&record).ok()?;
    let mut rest = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rest) {
        Ok(false) => Some(cells),
        _ => None,
    }
}

/// One CSV record with its terminator. Fields are quoted only when they must be.
pub fn write_line<'a>(cells: impl IntoIterator<Item = &'a str>, crlf: bool) -> Vec<u8> {
    let terminator = if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
    let mut w = csv::WriterBuilder::new().terminator(terminator).from_writer(Vec::with_capacity(128));
    // Writing to a Vec cannot fail.
    let _ = w.write_record(cells);
    w.into_inner().unwrap_or_default()
}

fn utf8_fields(record: &csv::ByteRecord) -> Result<Vec<String>, String> {
    record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f).map(str::to_owned).map_err(|_| format!("field {} is not UTF-8", i + 1))
        })
        .collect()
}

fn skipped(line: u64, reason: &str) -> String {
    format!("line {line}: {reason} (row skipped; kept in the file as it is)")
}

/// How many bytes at the start of `segment` are blank lines and `#` comment lines: what
/// the csv reader skips before a record.
fn leading_trivia(segment: &[u8]) -> usize {
    let mut at = 0;
    // A last line without a line feed is the record itself.
    while let Some(nl) = segment[at..].iter().position(|&b| b == b'\n') {
        let line = &segment[at..at + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !(line.is_empty() || line[0] == b'#') {
            break;
        }
        at += nl + 1;
    }
    at
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

fn terminator_len(line: &[u8]) -> usize {
    if line.ends_with(b"\r\n") {
        2
    } else if line.ends_with(b"\n") {
        1
    } else {
        0
    }
}

/// `bytes` ending with a line terminator (LF added if it had none).
fn terminated(bytes: &[u8]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    if !v.is_empty() && !v.ends_with(b"\n") {
        v.push(b'\n');
    }
    v
}

/// A record's bytes ending with the file's terminator (added if the file's last line
/// had none).
fn terminated_with(bytes: &[u8], crlf: bool) -> Vec<u8> {
    let mut v = bytes.to_vec();
    if terminator_len(&v) == 0 {
        if v.ends_with(b"\r") {
            v.pop();
        }
        v.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
    }
    v
}

#[cfg(test)]
mod tests {
    use plughss_plugin_api::subscriber::OpcOrOp;

    use super::*;

    const K: &str = "465b5ce8b199b49faa5f0a2ee238a6bc";
    const OPC: &str = "cd63cb71954a9f4e48a5994e37a02baf";

    fn load(text: &str) -> Table {
        let (t, warnings) = Table::load(text.as_bytes(), true).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        t
    }

    fn load_err(text: &str) -> String {
        let e = Table::load(text.as_bytes(), true).err().expect("the load must fail");
        format!("line {}: {}", e.line, e.reason)
    }

    fn rendered(t: &Table) -> String {
        String::from_utf8(t.render()).unwrap()
    }

    fn with_sqn(t: &mut Table, imsi: &str, sqn: u64) {
        t.set_sqn(imsi, sqn).unwrap();
    }

    #[test]
    fn quoting_whitespace_comments_and_blank_lines() {
        let text = format!(
            "# a comment, with a comma and a \"quote\"\n\
             \n\
             IMSI ,\"K\" ,opc,msisdn,impu,ifc\n\
             # between rows\n\
             \"001010000000001\" , {K} ,\"{OPC}\"  ,\" 1;2 \",\"sip:a@x;lr;tel:+1\",\"<a>\nline two, \"\"q\"\"</a>\"\n\
             \n\
             \x20\x20\n\
             # the end\n"
        );
        let mut t = load(&text);
        assert_eq!(t.len(), 1);
        let sub = t.get("001010000000001").unwrap().unwrap();
        assert_eq!(sub.msisdn, ["1", "2"]);
        let ims = sub.ims.unwrap();
        assert_eq!(ims.impu, ["sip:a@x;lr", "tel:+1"]);
        assert_eq!(ims.ifc.as_deref(), Some("<a>\nline two, \"q\"</a>"));
        assert_eq!(rendered(&t), text, "an unchanged table renders the file byte for byte");
        with_sqn(&mut t, "001010000000001", 96);
        let out = rendered(&t);
        assert!(out.starts_with("# a comment, with a comma and a \"quote\"\n\nIMSI ,\"K\" ,opc,msisdn,impu,ifc,sqn\n# between rows\n"), "{out}");
        assert!(out.ends_with("\n\n  \n# the end\n"), "{out}");
        let (again, _) = Table::load(out.as_bytes(), true).unwrap();
        let sub = again.get("001010000000001").unwrap().unwrap();
        assert_eq!(
            (sub.security.sqn, sub.ims.unwrap().ifc.as_deref()),
            (96, Some("<a>\nline two, \"q\"</a>"))
        );
    }

    #[test]
    fn crlf_bom_and_a_missing_final_newline_are_kept() {
        let text =
            format!("\u{feff}imsi,k,op,sqn\r\n001010000000001,{K},{OPC},5\r\n001010000000002,{K},{OPC},6");
        let mut t = load(&text);
        assert_eq!(t.auth("001010000000002").unwrap().sqn, 6);
        assert!(matches!(t.auth("001010000000001").unwrap().opc, OpcOrOp::Op(_)));
        with_sqn(&mut t, "001010000000001", 7);
        let out = rendered(&t);
        assert_eq!(
            out,
            format!(
                "\u{feff}imsi,k,op,sqn\r\n001010000000001,{K},{OPC},7\r\n001010000000002,{K},{OPC},6\r\n"
            )
        );
    }

    #[test]
    fn a_change_keeps_other_rows_and_hand_written_hex_byte_for_byte() {
        let upper = "465B5CE8 B199B49F AA5F0A2E E238A6BC";
        let text = format!(
            "imsi,k,opc,sqn,apn\n001010000000001,{upper},{OPC},0,  internet ; ims \n001010000000002,  {K},{OPC},0,\n"
        );
        let mut t = load(&text);
        let mut sub = t.get("001010000000001").unwrap().unwrap();
        let auth = t.auth("001010000000001").unwrap().clone();
        sub.msisdn = vec!["4917".into()];
        let p = t.prepare(&[(sub, auth)]).unwrap();
        t.commit(p);
        let out = rendered(&t);
        assert_eq!(
            out,
            format!(
                "imsi,k,opc,sqn,apn,msisdn\n001010000000001,{upper},{OPC},0,internet;ims,4917\n001010000000002,  {K},{OPC},0,,\n"
            ),
            "the changed row is canonical but keeps its key's spelling; the other is widened only"
        );
    }

    #[test]
    fn row_errors_name_the_line() {
        let head = format!("# c\nimsi,k,opc\n001010000000001,{K},{OPC}\n");
        assert_eq!(
            load_err(&format!("{head}00101,{K},{OPC}\n")),
            "line 4: imsi: \"00101\" must be 6 to 15 digits"
        );
        assert_eq!(
            load_err(&format!("{head}\n001010000000002,abc,{OPC}\n")),
            "line 5: k: must be 32 hex digits"
        );
        assert_eq!(
            load_err(&format!("{head}001010000000001,{K},{OPC}\n")),
            "line 4: imsi: 001010000000001 is already on line 3"
        );
        assert_eq!(
            load_err(&format!("{head}001010000000002,{K}\n")),
            "line 4: 2 fields where the header has 3 columns"
        );
        assert_eq!(load_err("imsi,k\n"), "line 1: the header has neither an opc nor an op column");
        assert_eq!(
            load_err(&format!("imsi,k,opc\n001010000000002,\"{K}\n")),
            "line 2: 2 fields where the header has 3 columns"
        );
        let mut bad = head.into_bytes();
        bad.extend_from_slice(b"001010000000002,\xff,x\n");
        let e = Table::load(&bad, true).err().unwrap();
        assert_eq!((e.line, e.reason.as_str()), (4, "field 2 is not UTF-8"));
    }

    #[test]
    fn not_strict_skips_bad_rows_and_keeps_them_untouched() {
        let text = format!(
            "imsi,k,opc,colour\n001010000000001,{K},{OPC},red\n00101,{K},{OPC},blue\n001010000000001,{K},{OPC},\n001010000000003,{K},{OPC},green\n"
        );
        let (mut t, warnings) = Table::load(text.as_bytes(), false).unwrap();
        assert_eq!(
            warnings,
            [
                "line 1: ignoring unknown columns colour (kept in the file as they are)",
                "line 3: imsi: \"00101\" must be 6 to 15 digits (row skipped; kept in the file as it is)",
                "line 4: imsi: 001010000000001 is already on line 2 (row skipped; kept in the file as it is)",
            ]
        );
        assert_eq!(t.len(), 2);
        with_sqn(&mut t, "001010000000003", 32);
        with_sqn(&mut t, "001010000000001", 32);
        assert_eq!(
            rendered(&t),
            format!(
                "imsi,k,opc,colour,sqn\n001010000000001,{K},{OPC},red,32\n00101,{K},{OPC},blue\n001010000000001,{K},{OPC},\n001010000000003,{K},{OPC},green,32\n"
            ),
            "skipped rows are not widened or changed; unknown cells survive a change"
        );
    }

    #[test]
    fn an_empty_or_comment_only_file_gets_the_classic_header() {
        for text in ["", "# just a comment", "\n\n"] {
            let t = load(text);
            assert_eq!(t.len(), 0);
            let mut want = text.to_owned();
            if !want.is_empty() && !want.ends_with('\n') {
                want.push('\n');
            }
            want.push_str("imsi,k,opc,op,amf,sqn,msisdn,apn\n");
            assert_eq!(rendered(&t), want);
        }
    }

    #[test]
    fn a_record_that_cannot_be_read_back_is_refused_before_anything_changes() {
        let mut t = load("imsi,k,opc\n");
        let auth = AuthData {
            k: [1; 16],
            opc: OpcOrOp::Opc([2; 16]),
            amf: [0x80, 0],
            sqn: 0,
            digest_ha1: Some(" padded ".into()),
        };
        let sub = Subscriber { imsi: "001010000000001".into(), ..Subscriber::default() };
        let err = t.prepare(&[(sub, auth)]).err().unwrap();
        assert!(matches!(&err, StoreError::Invalid { field, .. } if field == "digest_ha1"), "{err:?}");
        assert_eq!(rendered(&t), "imsi,k,opc\n");
        t.remove("001010000000001");
    }
}
