//! TBCD encoding of MSISDN (TS 29.002 17.7.8 / TS 23.003): two digits per octet, the
//! first digit in the low nibble, a filler 0xF when the count is odd.

pub fn encode(digits: &str) -> Vec<u8> {
    let d: Vec<u8> = digits.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    d.chunks(2).map(|p| p[0] | (p.get(1).copied().unwrap_or(0xf) << 4)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn odd_and_even() {
        assert_eq!(super::encode("1234"), vec![0x21, 0x43]);
        assert_eq!(super::encode("12345"), vec![0x21, 0x43, 0xf5]);
        assert_eq!(super::encode("491721234567"), vec![0x94, 0x71, 0x12, 0x32, 0x54, 0x76]);
    }
}
