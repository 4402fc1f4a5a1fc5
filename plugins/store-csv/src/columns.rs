//! The header row: which column holds which field. Columns may come in any order;
//! names are matched without regard to case or surrounding spaces.

use std::fmt;

/// A column this store understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Imsi,
    K,
    Opc,
    Op,
    Amf,
    Sqn,
    Msisdn,
    Apn,
    Impi,
    Impu,
    DigestRealm,
    Ifc,
    Scscf,
    RegistrationState,
    DigestHa1,
    MmeHost,
    MmeRealm,
    MmeTimestamp,
    PurgeFlag,
    Profile,
}

impl Field {
    /// Every field, in the order they are documented.
    pub const ALL: [Field; 20] = [
        Field::Imsi,
        Field::K,
        Field::Opc,
        Field::Op,
        Field::Amf,
        Field::Sqn,
        Field::Msisdn,
        Field::Apn,
        Field::Impi,
        Field::Impu,
        Field::DigestRealm,
        Field::Ifc,
        Field::Scscf,
        Field::RegistrationState,
        Field::DigestHa1,
        Field::MmeHost,
        Field::MmeRealm,
        Field::MmeTimestamp,
        Field::PurgeFlag,
        Field::Profile,
    ];

    /// The column name in the header.
    pub fn name(self) -> &'static str {
        match self {
            Field::Imsi => "imsi",
            Field::K => "k",
            Field::Opc => "opc",
            Field::Op => "op",
            Field::Amf => "amf",
            Field::Sqn => "sqn",
            Field::Msisdn => "msisdn",
            Field::Apn => "apn",
            Field::Impi => "impi",
            Field::Impu => "impu",
            Field::DigestRealm => "digest_realm",
            Field::Ifc => "ifc",
            Field::Scscf => "scscf",
            Field::RegistrationState => "registration_state",
            Field::DigestHa1 => "digest_ha1",
            Field::MmeHost => "mme_host",
            Field::MmeRealm => "mme_realm",
            Field::MmeTimestamp => "mme_timestamp",
            Field::PurgeFlag => "purge_flag",
            Field::Profile => "profile",
        }
    }

    fn index(self) -> usize {
        Field::ALL.iter().position(|f| *f == self).unwrap_or_default()
    }

    fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The header of a new file: the classic flat-file columns. Others are appended when a
/// subscriber first needs them.
pub const NEW_FILE: &[Field] =
    &[Field::Imsi, Field::K, Field::Opc, Field::Op, Field::Amf, Field::Sqn, Field::Msisdn, Field::Apn];

/// The columns of a file, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Each column's name as written in the file, and the field it holds (`None` for a
    /// column this store does not know, kept only when not strict).
    columns: Vec<(String, Option<Field>)>,
    /// The position of each field's column, by `Field::index`.
    position: [Option<usize>; Field::ALL.len()],
}

impl Header {
    /// A header with these columns.
    pub fn new(fields: &[Field]) -> Header {
        let mut h = Header { columns: Vec::new(), position: [None; Field::ALL.len()] };
        h.append(fields);
        h
    }

    /// Reads a header row. A duplicated column, a missing `imsi` or `k`, or neither of
    /// `opc` and `op` is an error. Unknown columns are an error when `strict`, else they
    /// are returned (to be warned about) and kept as they are.
    pub fn parse(names: &[String], strict: bool) -> Result<(Header, Vec<String>), String> {
        let mut h = Header { columns: Vec::new(), position: [None; Field::ALL.len()] };
        let mut unknown = Vec::new();
        for (i, raw) in names.iter().enumerate() {
            let name = raw.trim();
            let field = Field::from_name(name);
            match field {
                Some(f) if h.position[f.index()].is_some() => {
                    return Err(format!("column {f} is given twice"));
                }
                Some(f) => h.position[f.index()] = Some(i),
                None if name.is_empty() => return Err(format!("column {} has no name", i + 1)),
                None => unknown.push(name.to_owned()),
            }
            h.columns.push((name.to_owned(), field));
        }
        if !unknown.is_empty() && strict {
            let list: Vec<String> = unknown.iter().map(|u| format!("{u:?}")).collect();
            let known: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
            return Err(format!("unknown columns {} (known: {})", list.join(", "), known.join(", ")));
        }
        for required in [Field::Imsi, Field::K] {
            if !h.has(required) {
                return Err(format!("the header has no {required} column"));
            }
        }
        if !h.has(Field::Opc) && !h.has(Field::Op) {
            return Err("the header has neither an opc nor an op column".into());
        }
        Ok((h, unknown))
    }

    /// The number of columns.
    pub fn width(&self) -> usize {
        self.columns.len()
    }

    pub fn has(&self, f: Field) -> bool {
        self.position[f.index()].is_some()
    }

    /// The position of `f`'s column.
    pub fn position(&self, f: Field) -> Option<usize> {
        self.position[f.index()]
    }

    /// The column names as written in the file.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(n, _)| n.as_str())
    }

    /// Appends the columns of `fields` the header lacks, in the order given; returns
    /// how many were added.
    pub fn append(&mut self, fields: &[Field]) -> usize {
        let mut added = 0;
        for &f in fields {
            if !self.has(f) {
                self.position[f.index()] = Some(self.columns.len());
                self.columns.push((f.name().to_owned(), Some(f)));
                added += 1;
            }
        }
        added
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<String> {
        s.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn any_order_any_case_and_spaces() {
        let (h, unknown) = Header::parse(&names(" OPC ,sqn,IMSI, k"), true).unwrap();
        assert!(unknown.is_empty());
        assert_eq!(
            (h.position(Field::Imsi), h.position(Field::K), h.position(Field::Opc)),
            (Some(2), Some(3), Some(0))
        );
        assert_eq!(h.position(Field::Op), None);
        assert_eq!(h.names().collect::<Vec<_>>(), ["OPC", "sqn", "IMSI", "k"]);
    }

    #[test]
    fn header_errors_name_the_column() {
        let err = |s: &str| Header::parse(&names(s), true).unwrap_err();
        assert_eq!(err("imsi,k,opc,IMSI"), "column imsi is given twice");
        assert_eq!(err("imsi,opc"), "the header has no k column");
        assert_eq!(err("k,opc"), "the header has no imsi column");
        assert_eq!(err("imsi,k,amf"), "the header has neither an opc nor an op column");
        assert_eq!(err("imsi,k,,opc"), "column 3 has no name");
        assert!(
            err("imsi,k,opc,colour,size")
                .starts_with(r#"unknown columns "colour", "size" (known: imsi, k, opc"#),
            "{}",
            err("imsi,k,opc,colour,size")
        );
    }

    #[test]
    fn unknown_columns_are_kept_when_not_strict() {
        let (h, unknown) = Header::parse(&names("imsi,notes,k,op"), false).unwrap();
        assert_eq!(unknown, ["notes"]);
        assert_eq!(h.names().collect::<Vec<_>>(), ["imsi", "notes", "k", "op"]);
        assert_eq!(h.width(), 4);
    }

    #[test]
    fn append_adds_only_missing_columns_at_the_end() {
        let mut h = Header::new(NEW_FILE);
        assert_eq!(h.append(&[Field::Opc, Field::MmeHost, Field::Profile]), 2);
        let n: Vec<&str> = h.names().collect();
        assert_eq!(n, ["imsi", "k", "opc", "op", "amf", "sqn", "msisdn", "apn", "mme_host", "profile"]);
        assert_eq!(h.position(Field::Profile), Some(9));
    }
}
